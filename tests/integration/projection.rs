//! cptsmap's projections against GDAL's (`gdaltransform`, Debian's gdal-bin,
//! installed by .ci/run): for every projected CRS known by code, a grid over
//! the part of France it serves, converted by both, in both directions.
//! Run with `--nocapture` to see the largest differences per CRS. Then what
//! the user sees when a `.prj` cannot be converted exactly.

use std::io::Write;
use std::process::{Command, Stdio};

use cptsmap::load::crs::{Crs, known_projected_codes};

use crate::util::{cptsmap, fixture, repo};

/// 1e-8° is ≈ 1 mm on the ground.
const DEGREES: f64 = 1e-8;
const METRES: f64 = 1e-3;
const STEPS: usize = 20;

/// Where to test each CRS: (west, south, east, north) in degrees.
fn region(code: u32) -> (f64, f64, f64, f64) {
    let metropole = (-5.2, 41.3, 9.6, 51.1);
    match code {
        2154 | 9793 | 9794 | 3857 => metropole,
        // A conic zone serves one degree either side of its origin.
        3942..=3950 => {
            let origin = f64::from(code - 3900);
            (-2.0, origin - 1.0, 8.2, origin + 1.0)
        }
        5490 | 4559 | 32620 => (-63.2, 14.3, -60.8, 18.2),
        2972 | 32622 => (-54.6, 2.1, -51.5, 5.8),
        2975 | 32740 => (55.2, -21.4, 55.9, -20.8),
        4471 | 32738 => (44.9, -13.1, 45.4, -12.6),
        25830 | 32630 => (-5.2, 42.8, 0.0, 48.9),
        25831 | 32631 => (0.0, 42.3, 6.0, 51.1),
        25832 | 32632 => (6.0, 41.3, 9.6, 49.5),
        _ => panic!("EPSG:{code} is known to cptsmap but has no test region here"),
    }
}

/// Converts "x y" lines with gdaltransform; returns the printed pairs as text
/// pairs parsed to numbers (the same numbers cptsmap is then given).
fn gdaltransform(from: u32, to: u32, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut child = Command::new("gdaltransform")
        .args(["-s_srs", &format!("EPSG:{from}"), "-t_srs", &format!("EPSG:{to}"), "-output_xy"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gdaltransform (gdal-bin) is installed");
    let input: String = points.iter().map(|(x, y)| format!("{x:.15} {y:.15}\n")).collect();
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("gdaltransform reads");
    let output = child.wait_with_output().expect("gdaltransform runs");
    assert!(output.status.success(), "gdaltransform EPSG:{from} → EPSG:{to}");
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| {
            let mut numbers = line.split_whitespace().map(|n| n.parse::<f64>().expect("a number"));
            (numbers.next().expect("x"), numbers.next().expect("y"))
        })
        .collect()
}

fn grid((west, south, east, north): (f64, f64, f64, f64)) -> Vec<(f64, f64)> {
    let at = |from: f64, to: f64, i: usize| from + (to - from) * i as f64 / STEPS as f64;
    (0..=STEPS).flat_map(|i| (0..=STEPS).map(move |j| (at(west, east, i), at(south, north, j)))).collect()
}

#[test]
fn every_projected_crs_agrees_with_gdal_both_ways() {
    let mut failures = Vec::new();
    println!("largest differences from gdaltransform, {} points per CRS:", (STEPS + 1) * (STEPS + 1));
    for code in known_projected_codes() {
        let crs = Crs::from_epsg(code).expect("known code");
        let projection = crs.projection();
        let geographic = grid(region(code));
        let projected = gdaltransform(4326, code, &geographic);
        let back = gdaltransform(code, 4326, &projected);
        let (mut metres, mut degrees) = (0.0_f64, 0.0_f64);
        for ((&(lon, lat), &(x, y)), &(lon2, lat2)) in geographic.iter().zip(&projected).zip(&back) {
            let ours = projection.from_wgs84(lon, lat).expect("inside the domain");
            metres = metres.max((ours.x - x).abs()).max((ours.y - y).abs());
            let ours = projection.to_wgs84(x, y).expect("inside the domain");
            degrees = degrees.max((ours.x - lon2).abs()).max((ours.y - lat2).abs());
        }
        println!("  {:<36} forward {metres:.1e} m   inverse {degrees:.1e}°", crs.to_string());
        if metres > METRES || degrees > DEGREES {
            failures.push(format!("{crs}: {metres:e} m, {degrees:e}°"));
        }
    }
    assert!(failures.is_empty(), "beyond 1 mm / 1e-8° from GDAL: {failures:?}");
}

/// The report on the mini communes (WGS84 degrees) with another `.prj`.
fn report_with_prj(prj: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(fixture("mini").join(format!("COMMUNE.{ext}")), dir.path().join(format!("COMMUNE.{ext}")))
            .unwrap();
    }
    std::fs::write(dir.path().join("COMMUNE.prj"), prj).unwrap();
    let shp = dir.path().join("COMMUNE.shp").display().to_string();
    let out = cptsmap(&["report", "--communes", &shp, "--cpts", fixture("mini/cpts.csv").to_str().unwrap()]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn prj(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/prj").join(name)).unwrap()
}

#[test]
fn an_ntf_lambert_ii_prj_is_refused_with_the_command_to_convert_it() {
    let (code, err) = report_with_prj(&prj("27572.esri.prj"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("COMMUNE.prj") && err.contains("NTF") && err.contains("ogr2ogr -t_srs EPSG:2154"), "{err}");
}

#[test]
fn degrees_under_a_lambert93_prj_are_refused() {
    let (code, err) = report_with_prj(&prj("2154.esri.prj"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("COMMUNE.shp") && err.contains("en degrés") && err.contains("mètres attendus"), "{err}");
}
