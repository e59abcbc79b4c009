//! GeoJSON exports checked by a real GIS client: GDAL's `ogrinfo` (what QGIS
//! uses underneath) opens every layer, reads typed columns, and its SQLite
//! dialect (SpatiaLite) checks validity and areas.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{fixture, national_report, ok, u};

fn export(dir: &Path, layer: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(format!("{layer}{}.geojson", extra.join("_").replace(['-', ' '], "")));
    let out = path.display().to_string();
    let mut args = vec!["export", "--layer", layer, "-o", &out];
    args.extend_from_slice(extra);
    ok(&args);
    path
}

/// One row of an `ogrinfo -dialect sqlite` query, as `column → value`.
fn sql(path: &Path, query: &str) -> HashMap<String, String> {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", "-dialect", "sqlite", "-sql", query])
        .arg(path)
        .output()
        .expect("ogrinfo (gdal-bin) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !text.contains("ERROR"), "{query}: {text}{}", String::from_utf8_lossy(&out.stderr));
    text.lines()
        .filter_map(|l| {
            let (left, value) = l.trim().split_once(" = ")?;
            Some((left.split(' ').next()?.to_string(), value.trim().to_string()))
        })
        .collect()
}

fn number(row: &HashMap<String, String>, key: &str) -> f64 {
    row.get(key).unwrap_or_else(|| panic!("{key} missing in {row:?}")).parse().unwrap_or(0.0)
}

/// `ogrinfo -so`: field name → type, and the feature count.
fn schema(path: &Path, layer: &str) -> (HashMap<String, String>, u64) {
    let out = Command::new("ogrinfo").args(["-ro", "-so"]).arg(path).arg(layer).output().expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = HashMap::new();
    let mut count = 0;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Feature Count: ") {
            count = n.trim().parse().unwrap_or(0);
        } else if let Some((name, kind)) = line.split_once(": ")
            && !name.contains(' ')
            && ["String", "Integer", "Real", "Date"].iter().any(|t| kind.starts_with(t))
        {
            fields.insert(name.to_string(), kind.split(' ').next().unwrap_or("").to_string());
        }
    }
    (fields, count)
}

#[test]
fn every_national_layer_opens_in_gdal_with_typed_columns_and_valid_geometries() {
    let dir = tempfile::tempdir().unwrap();
    let r = national_report();
    let expected_counts = [
        ("communes", u(&r["units"])),
        ("cpts", r["cpts"].as_array().unwrap().len() as u64),
        ("covered", 4),
        ("uncovered", u(&r["uncovered_zones"]["count"])),
        ("overlaps", u(&r["overlaps"]["units"])),
        ("departements", r["departements"].as_array().unwrap().len() as u64),
        ("regions", r["regions"].as_array().unwrap().len() as u64),
    ];
    for (layer, count) in expected_counts {
        let path = export(dir.path(), layer, &[]);
        let name = format!("cptsmap_{layer}");
        let (fields, features) = schema(&path, &name);
        assert_eq!(features, count, "{layer}: feature count");
        let row = sql(&path, &format!("SELECT SUM(ST_IsValid(geometry) = 0) AS invalid, COUNT(*) AS n FROM {name}"));
        assert_eq!(number(&row, "invalid"), 0.0, "{layer}: every geometry valid");
        assert_eq!(fields.get("fictional").map(String::as_str), Some("Integer(Boolean)"), "{layer}: fictional flag");
        let expect =
            |f: &str, t: &str| assert_eq!(fields.get(f).map(String::as_str), Some(t), "{layer}.{f} in {fields:?}");
        match layer {
            "communes" => {
                expect("code", "String");
                expect("population", "Integer");
                expect("area_km2", "Real");
                expect("best_stage", "String");
                expect("best_stage_label", "String");
                expect("covered", "Integer(Boolean)");
            }
            "cpts" => {
                expect("id", "String");
                expect("stage", "String");
                expect("stage_label", "String");
                expect("aci_date", "Date");
                expect("population", "Integer");
                expect("size_class", "Integer");
            }
            "departements" | "regions" => {
                expect("code", "String");
                expect("percent", "Real");
                expect("pop_aci_signe", "Integer");
                expect("pct_aci_signe", "Real");
            }
            _ => {}
        }
    }
}

#[test]
fn dissolved_areas_equal_the_sum_of_their_units_and_zones_hold_the_uncovered_population() {
    let dir = tempfile::tempdir().unwrap();
    let communes = export(dir.path(), "communes", &[]);
    let cpts = export(dir.path(), "cpts", &[]);
    let covered = export(dir.path(), "covered", &[]);
    let uncovered = export(dir.path(), "uncovered", &[]);
    let area = |path: &Path, query: &str| number(&sql(path, query), "a");
    // Every territory's area is the sum of its communes'; a commune counts once per territory.
    let by_units = area(&communes, "SELECT SUM(ST_Area(geometry) * cpts_count) AS a FROM cptsmap_communes");
    let by_territories = area(&cpts, "SELECT SUM(ST_Area(geometry)) AS a FROM cptsmap_cpts");
    assert!((by_units - by_territories).abs() <= 1e-9 * by_units, "{by_units} vs {by_territories}");
    let covered_units = area(&communes, "SELECT SUM(ST_Area(geometry)) AS a FROM cptsmap_communes WHERE covered");
    let covered_area = area(&covered, "SELECT ST_Area(geometry) AS a FROM cptsmap_covered WHERE stage = 'pre_projet'");
    assert!((covered_units - covered_area).abs() <= 1e-9 * covered_units, "{covered_units} vs {covered_area}");
    let zones = sql(&uncovered, "SELECT SUM(population) AS p, SUM(units) AS n FROM cptsmap_uncovered");
    let r = national_report();
    assert_eq!(number(&zones, "p") as u64, u(&r["population"]) - u(&r["covered"]["population"]));
}

#[test]
fn simplified_layers_stay_gap_free_at_every_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let exact = export(dir.path(), "departements", &[]);
    let total = number(&sql(&exact, "SELECT SUM(ST_Area(geometry)) AS a FROM cptsmap_departements"), "a");
    for metres in ["100", "1000", "5000"] {
        let path = export(dir.path(), "departements", &["--simplify", metres]);
        let row = sql(
            &path,
            "SELECT SUM(ST_IsValid(geometry) = 0) AS invalid, SUM(ST_Area(geometry)) AS a, \
             ST_Area(ST_Union(geometry)) AS u FROM cptsmap_departements",
        );
        assert_eq!(number(&row, "invalid"), 0.0, "{metres} m: valid");
        let (sum, union) = (number(&row, "a"), number(&row, "u"));
        // No overlap between neighbours: the sum of areas is the area of the union.
        assert!((sum - union).abs() <= 1e-6 * union, "{metres} m: overlaps {sum} vs {union}");
        // No gap opened: the union still covers (nearly) what the exact layer covers.
        assert!((union - total).abs() <= 0.01 * total, "{metres} m: {union} vs {total}");
        let overlap = number(
            &sql(
                &path,
                "SELECT SUM(ST_Area(ST_Intersection(a.geometry, b.geometry))) AS o FROM cptsmap_departements a, \
                 cptsmap_departements b WHERE a.code < b.code AND ST_Intersects(a.geometry, b.geometry)",
            ),
            "o",
        );
        assert!(overlap <= 1e-9 * total, "{metres} m: pairwise overlap {overlap}");
    }
}

#[test]
fn a_commune_in_two_territories_is_inside_both_polygons() {
    // The mini grid: B (01902) belongs to T1 and T2.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cpts.geojson");
    ok(&[
        "export",
        "--layer",
        "cpts",
        "--communes",
        fixture("mini/COMMUNE.shp").to_str().unwrap(),
        "--arrondissements",
        fixture("mini/ARRONDISSEMENT_MUNICIPAL.shp").to_str().unwrap(),
        "--cpts",
        fixture("mini/cpts.csv").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    // Centre of B: (5.15, 45.95).
    let row = sql(
        &out,
        "SELECT SUM(ST_Contains(geometry, MakePoint(5.15, 45.95))) AS inside, COUNT(*) AS n FROM cptsmap_cpts",
    );
    assert_eq!(number(&row, "inside"), 2.0, "{row:?}");
    let areas = sql(&out, "SELECT ST_Area(geometry) AS a FROM cptsmap_cpts WHERE id = 'T2'");
    assert!((number(&areas, "a") - 2.0 * 0.01).abs() < 1e-12, "T2 = B + C");
}

#[test]
fn an_existing_file_is_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.geojson");
    std::fs::write(&path, "précieux").unwrap();
    let out = crate::util::cptsmap(&["export", "--layer", "regions", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "précieux");
    ok(&["export", "--layer", "regions", "-o", path.to_str().unwrap(), "--force"]);
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("{\"type\":\"FeatureCollection\""));
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn an_export_that_fails_midway_leaves_the_old_file_and_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regions.geojson");
    std::fs::write(&path, "précieux").unwrap();
    // A file-size limit makes the write fail after a few kilobytes, as a full disk would.
    let out = Command::new("sh")
        .args(["-c", "ulimit -f 16 && exec \"$0\" export --layer regions --force -o \"$1\""])
        .arg(env!("CARGO_BIN_EXE_cptsmap"))
        .arg(&path)
        .current_dir(crate::util::repo())
        .env_remove("CPTSMAP_GEODATA")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("écriture"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "précieux");
    assert_eq!(entries(dir.path()), ["regions.geojson"], "no temporary file left");
}

#[test]
fn a_directory_a_symlink_or_a_device_is_refused_even_with_force_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.geojson");
    std::fs::write(&kept, "précieux").unwrap();
    let link = dir.path().join("link.geojson");
    std::os::unix::fs::symlink(&kept, &link).unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    for (target, why) in [(&sub, "dossier"), (&link, "lien symbolique"), (&PathBuf::from("/dev/null"), "périphérique")]
    {
        let out = crate::util::cptsmap(&["export", "--layer", "regions", "--force", "-o", target.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target:?}: {stderr}");
        assert!(stderr.contains(why) && stderr.contains("-o -"), "{stderr}");
    }
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "précieux");
    assert_eq!(entries(dir.path()), ["kept.geojson", "link.geojson", "sub"]);
    assert!(entries(&sub).is_empty());
    assert!(ok(&["export", "--layer", "regions", "-o", "-"]).starts_with("{\"type\":\"FeatureCollection\""));
}

#[test]
fn one_territory_can_be_exported_alone_from_the_official_list() {
    // `--territory` filters; `--cpts` stays the list file (they once shared a name).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t2.geojson");
    let mini = |name: &str| fixture(&format!("mini/{name}")).display().to_string();
    let (communes, arrondissements, list) =
        (mini("COMMUNE.shp"), mini("ARRONDISSEMENT_MUNICIPAL.shp"), mini("cpts.csv"));
    let out = path.display().to_string();
    ok(&[
        "export",
        "--layer",
        "communes",
        "--territory",
        "T2",
        "--cpts",
        &list,
        "--communes",
        &communes,
        "--arrondissements",
        &arrondissements,
        "-o",
        &out,
    ]);
    let (_, count) = schema(&path, "cptsmap_communes");
    assert_eq!(count, 2, "T2 = B + C");
}
