//! Checks that need GDAL (`ogr2ogr`, Debian's gdal-bin, installed by .ci/run):
//! the independent cross-check, and the same figures whatever the input CRS.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{json, national_report, repo, stage_populations, u};

fn ogr2ogr(args: &[&str]) {
    let status = Command::new("ogr2ogr")
        .args(["-lco", "ENCODING=UTF-8"])
        .args(args)
        .status()
        .expect("ogr2ogr (gdal-bin) is installed");
    assert!(status.success(), "ogr2ogr {args:?}");
}

#[test]
fn an_independent_count_agrees_with_the_report() {
    let out = Command::new("python3")
        .arg(repo().join("tests/crosscheck.py"))
        .args(["--cptsmap", env!("CARGO_BIN_EXE_cptsmap")])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// The bundled communes split in three layers: metropole in Lambert-93,
/// Guadeloupe and Martinique in UTM 20N, the rest left in WGS84.
fn reprojected(dir: &Path) -> Value {
    let communes = repo().join("geodata/COMMUNE.shp").display().to_string();
    let arrs = repo().join("geodata/ARRONDISSEMENT_MUNICIPAL.shp").display().to_string();
    let out = |name: &str| dir.join(name).display().to_string();
    let (l93, utm, rest, arr93) = (out("metropole.shp"), out("antilles.shp"), out("autres.shp"), out("arr.shp"));
    ogr2ogr(&["-t_srs", "EPSG:2154", "-where", "INSEE_REG NOT IN ('01','02','03','04','06')", &l93, &communes]);
    ogr2ogr(&["-t_srs", "EPSG:5490", "-where", "INSEE_REG IN ('01','02')", &utm, &communes]);
    ogr2ogr(&["-where", "INSEE_REG IN ('03','04','06')", &rest, &communes]);
    ogr2ogr(&["-t_srs", "EPSG:2154", &arr93, &arrs]);
    json(&[
        "report",
        "--format",
        "json",
        "--communes",
        &l93,
        "--communes",
        &utm,
        "--communes",
        &rest,
        "--arrondissements",
        &arr93,
    ])
}

#[test]
fn lambert93_and_utm20n_inputs_give_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let projected = reprojected(dir.path());
    let crs: Vec<&str> =
        projected["data"]["communes"].as_array().unwrap().iter().map(|l| l["crs"].as_str().unwrap()).collect();
    assert!(crs[0].contains("Lambert") && crs[1].contains("UTM"), "{crs:?}");
    let wgs = national_report();
    for key in ["population", "units", "covered", "by_stage", "departements", "regions"] {
        assert_eq!(projected[key], wgs[key], "{key}");
    }
    assert_eq!(stage_populations(&projected), stage_populations(wgs));
    assert_eq!(u(&projected["uncovered_zones"]["count"]), u(&wgs["uncovered_zones"]["count"]));
    let (a, b) = (wgs["cpts"].as_array().unwrap(), projected["cpts"].as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["population"], y["population"]);
        let (ax, ay) = (x["area_km2"].as_f64().unwrap(), y["area_km2"].as_f64().unwrap());
        assert!((ax - ay).abs() <= 0.005 * ax, "{}: {ax} km² vs {ay} km²", x["id"]);
    }
}
