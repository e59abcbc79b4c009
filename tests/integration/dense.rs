//! A denser copy of the bundled communes gives the same figures.
//!
//! Full-resolution IGN files have ≈ 20 times the bundled vertices; this test
//! makes a 2 M-vertex stand-in of the national data in the test itself (each
//! border segment cut in two, as `benches/densify.py --pieces 2` does) so that
//! CI checks the dense path without building the 20 M-vertex file. The middle
//! point is computed from the segment's ends in a canonical order, so both
//! sides of a shared border get the same point and the topology is unchanged.

use std::fs;
use std::path::Path;

use serde_json::Value;
use shapefile::{Shape, ShapeReader};

use crate::util::{json, national_report, repo, stage_populations, u};

/// The points of a ring with the middle of every segment inserted.
fn densified(ring: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(ring.len() * 2);
    for pair in ring.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        out.push(a);
        out.push((lo.0 + (hi.0 - lo.0) * 0.5, lo.1 + (hi.1 - lo.1) * 0.5));
    }
    out.extend(ring.last());
    out
}

/// Writes the polygons of `source` (same order, null shapes kept) densified
/// into `target` (.shp and .shx); returns the number of vertices written.
fn densify_shapes(source: &Path, target: &Path) -> usize {
    let mut reader = ShapeReader::from_path(source).expect("bundled shapefile reads");
    let mut records: Vec<Vec<u8>> = Vec::new();
    let (mut west, mut south, mut east, mut north) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut vertices = 0;
    for shape in reader.iter_shapes() {
        let mut content = Vec::new();
        match shape.expect("bundled record reads") {
            Shape::NullShape => content.extend(0i32.to_le_bytes()),
            Shape::Polygon(polygon) => {
                let rings: Vec<Vec<(f64, f64)>> = polygon
                    .rings()
                    .iter()
                    .map(|ring| densified(&ring.points().iter().map(|p| (p.x, p.y)).collect::<Vec<_>>()))
                    .collect();
                let points: Vec<&(f64, f64)> = rings.iter().flatten().collect();
                vertices += points.len();
                let b = points.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, p| {
                    (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1))
                });
                (west, south, east, north) = (west.min(b.0), south.min(b.1), east.max(b.2), north.max(b.3));
                content.extend(5i32.to_le_bytes());
                for v in [b.0, b.1, b.2, b.3] {
                    content.extend(v.to_le_bytes());
                }
                content.extend((rings.len() as i32).to_le_bytes());
                content.extend((points.len() as i32).to_le_bytes());
                let mut start = 0i32;
                for ring in &rings {
                    content.extend(start.to_le_bytes());
                    start += ring.len() as i32;
                }
                for p in points {
                    content.extend(p.0.to_le_bytes());
                    content.extend(p.1.to_le_bytes());
                }
            }
            other => panic!("the bundled layer holds only polygons, found {}", other.shapetype()),
        }
        records.push(content);
    }
    let header = |words: usize| {
        let mut h = Vec::with_capacity(100);
        h.extend(9994i32.to_be_bytes());
        h.extend([0u8; 20]);
        h.extend((words as i32).to_be_bytes());
        h.extend(1000i32.to_le_bytes());
        h.extend(5i32.to_le_bytes());
        for v in [west, south, east, north, 0.0, 0.0, 0.0, 0.0] {
            h.extend(v.to_le_bytes());
        }
        h
    };
    let shp_words = 50 + records.iter().map(|r| 4 + r.len() / 2).sum::<usize>();
    let mut shp = header(shp_words);
    let mut shx = header(50 + 4 * records.len());
    for (number, content) in records.iter().enumerate() {
        shx.extend(((shp.len() / 2) as i32).to_be_bytes());
        shx.extend(((content.len() / 2) as i32).to_be_bytes());
        shp.extend((number as i32 + 1).to_be_bytes());
        shp.extend(((content.len() / 2) as i32).to_be_bytes());
        shp.extend(content);
    }
    fs::write(target.with_extension("shp"), shp).unwrap();
    fs::write(target.with_extension("shx"), shx).unwrap();
    vertices
}

/// A copy of a bundled layer with its geometry densified and its attributes,
/// projection and encoding copied byte for byte.
fn densify_layer(name: &str, dir: &Path) -> usize {
    let source = repo().join("geodata").join(name);
    for ext in ["dbf", "prj", "cpg"] {
        fs::copy(source.with_extension(ext), dir.join(name).with_extension(ext)).unwrap();
    }
    densify_shapes(&source.with_extension("shp"), &dir.join(name))
}

#[test]
fn a_twice_denser_copy_of_the_communes_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let vertices = densify_layer("COMMUNE", dir.path()) + densify_layer("ARRONDISSEMENT_MUNICIPAL", dir.path());
    assert!(vertices > 2_000_000, "{vertices} vertices");
    let path = |name: &str| dir.path().join(name).display().to_string();
    let dense = json(&[
        "report",
        "--format",
        "json",
        "--communes",
        &path("COMMUNE.shp"),
        "--arrondissements",
        &path("ARRONDISSEMENT_MUNICIPAL.shp"),
    ]);
    let bundled = national_report();
    for key in ["population", "units", "covered", "by_stage", "departements", "regions", "epcis"] {
        assert_eq!(dense[key], bundled[key], "{key}");
    }
    assert_eq!(stage_populations(&dense), stage_populations(bundled));
    let zones = |r: &Value| (u(&r["uncovered_zones"]["count"]), r["uncovered_zones"]["largest"].clone());
    assert_eq!(zones(&dense), zones(bundled));
    let (a, b) = (bundled["cpts"].as_array().unwrap(), dense["cpts"].as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!((&x["id"], &x["population"], &x["units"]), (&y["id"], &y["population"], &y["units"]));
        let (ax, ay) = (x["area_km2"].as_f64().unwrap(), y["area_km2"].as_f64().unwrap());
        // areas are rounded to 0.01 km²
        assert!((ax - ay).abs() <= (1e-3 * ax).max(0.0101), "{}: {ax} km² vs {ay} km²", x["id"]);
    }
}
