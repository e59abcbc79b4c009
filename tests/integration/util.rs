//! Runs the real `cptsmap` binary from the repository root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

pub fn cptsmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cptsmap"))
        .args(args)
        .current_dir(repo())
        .env_remove("CPTSMAP_GEODATA")
        .output()
        .expect("the cptsmap binary runs")
}

/// Runs and expects success; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = cptsmap(args);
    assert!(
        out.status.success(),
        "cptsmap {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

pub fn json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON from {args:?}: {e}\n{text}"))
}

/// The report on the bundled data, computed once for all tests.
pub fn national_report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| json(&["report", "--format", "json"]))
}

pub fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// Cumulative stage populations of an area, most advanced first.
pub fn stage_populations(area: &Value) -> Vec<u64> {
    area["by_stage"].as_array().expect("by_stage").iter().map(|s| u(&s["population"])).collect()
}
