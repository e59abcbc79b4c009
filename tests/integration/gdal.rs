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

/// Every coordinate of a GeoJSON export, by commune code.
fn coordinates(geojson: &str) -> std::collections::HashMap<String, Vec<f64>> {
    fn flatten(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
            Value::Number(n) => out.push(n.as_f64().unwrap()),
            _ => {}
        }
    }
    let layer: Value = serde_json::from_str(geojson).unwrap();
    layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut xy = Vec::new();
            flatten(&f["geometry"]["coordinates"], &mut xy);
            (f["properties"]["code"].as_str().unwrap().to_string(), xy)
        })
        .collect()
}

#[test]
fn lambert93_input_is_exported_within_a_micro_degree_of_proj() {
    // The Finistère communes projected to Lambert-93 by PROJ (through GDAL),
    // then read and exported back to WGS84 by cptsmap: every vertex lands
    // within 1e-6° of the original, so cptsmap's inverse agrees with PROJ's
    // forward projection to the precision GeoJSON is written with.
    let dir = tempfile::tempdir().unwrap();
    let l93 = dir.path().join("finistere.shp").display().to_string();
    let communes = repo().join("geodata/COMMUNE.shp").display().to_string();
    ogr2ogr(&["-t_srs", "EPSG:2154", "-where", "INSEE_DEP = '29'", &l93, &communes]);
    let projected = crate::util::ok(&["export", "--layer", "communes", "--communes", &l93, "--no-arrondissements"]);
    let original = crate::util::ok(&["export", "--layer", "communes", "--departement", "29"]);
    let (projected, original) = (coordinates(&projected), coordinates(&original));
    assert!(original.len() > 250, "{} communes", original.len());
    assert_eq!(projected.len(), original.len());
    let mut worst = 0.0f64;
    for (code, xy) in &original {
        let other = &projected[code];
        assert_eq!(xy.len(), other.len(), "{code}");
        worst = xy.iter().zip(other).map(|(a, b)| (a - b).abs()).fold(worst, f64::max);
    }
    assert!(worst <= 1.000_001e-6, "largest difference {worst}°");
}
