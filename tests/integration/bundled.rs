//! The binary carries its data: copied anywhere, it gives the same report
//! as with `--geodata` pointing at the repository's `geodata/`.

use std::process::Command;

use serde_json::Value;

use crate::util::{national_report, repo};

#[test]
fn the_binary_copied_elsewhere_gives_the_bundled_report() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("cptsmap");
    std::fs::copy(env!("CARGO_BIN_EXE_cptsmap"), &copy).unwrap();
    let out = Command::new(&copy)
        .args(["report", "--format", "json"])
        .current_dir(dir.path())
        .env_remove("CPTSMAP_GEODATA")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let elsewhere: Value = serde_json::from_slice(&out.stdout).unwrap();
    let on_disk =
        crate::util::json(&["report", "--format", "json", "--geodata", &repo().join("geodata").display().to_string()]);
    for key in
        ["population", "units", "covered", "by_stage", "regions", "departements", "epcis", "cpts", "uncovered_zones"]
    {
        assert_eq!(elsewhere[key], on_disk[key], "{key}");
        assert_eq!(elsewhere[key], national_report()[key], "{key}");
    }
    assert_eq!(elsewhere["data"]["fictional"], true);
    assert!(elsewhere["data"]["cpts"].as_str().unwrap().contains("intégrées"));
}
