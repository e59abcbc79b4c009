//! Hand-made fixtures with known answers (see tests/fixtures/make_fixtures.py):
//! a 3×3 grid A–I of squares, J touching I at one corner, Lyon split in two.

use std::path::Path;

use serde_json::Value;

use crate::util::{cptsmap, fixture, json, stage_populations, u};

fn mini_args<'a>(folder: &'a str, cpts: &'a str) -> Vec<String> {
    let dir = fixture(folder);
    let mut args = vec![
        "report".to_string(),
        "--format".into(),
        "json".into(),
        "--communes".into(),
        dir.join("COMMUNE.shp").display().to_string(),
        "--cpts".into(),
        cpts.to_string(),
    ];
    if dir.join("ARRONDISSEMENT_MUNICIPAL.shp").exists() {
        args.extend(["--arrondissements".into(), dir.join("ARRONDISSEMENT_MUNICIPAL.shp").display().to_string()]);
    }
    args
}

fn report(folder: &str, cpts: &Path) -> Value {
    let args = mini_args(folder, cpts.to_str().unwrap());
    json(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn mini() -> Value {
    report("mini", &fixture("mini/cpts.csv"))
}

#[test]
fn mini_counts_match_the_hand_computed_answers() {
    let r = mini();
    assert_eq!(u(&r["units"]), 12, "10 communes + 2 arrondissements replacing Lyon");
    assert_eq!(u(&r["population"]), 55_000 + 150_000, "Lyon counted through its arrondissements");
    assert_eq!(stage_populations(&r), vec![7_000, 10_000, 160_000, 160_000]);
    assert_eq!(u(&r["covered"]["population"]), 160_000);
    assert_eq!(r["data"]["fictional"], false);
}

#[test]
fn mini_overlap_is_counted_once_and_listed() {
    let r = mini();
    assert_eq!(u(&r["overlaps"]["units"]), 1);
    assert_eq!(u(&r["overlaps"]["population"]), 2_000);
    assert_eq!(r["overlaps"]["list"][0]["code"], "01902");
    assert_eq!(r["overlaps"]["list"][0]["cpts"], serde_json::json!(["T1", "T2"]));
}

#[test]
fn a_single_touching_point_does_not_join_uncovered_zones() {
    let r = mini();
    let zones = r["uncovered_zones"]["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 2, "{zones:?}");
    assert_eq!(zones[0]["codes"], serde_json::json!(["01905", "01906", "01907", "01908", "01909"]));
    assert_eq!(u(&zones[0]["population"]), 35_000);
    assert_eq!(zones[1]["codes"], serde_json::json!(["01910"]));
}

#[test]
fn territory_figures_and_size_classes() {
    let r = mini();
    let t1 = &r["cpts"][0];
    assert_eq!(t1["id"], "T1");
    assert_eq!(t1["stage"], "aci_signe");
    assert_eq!(t1["stage_label"], "ACI signé");
    assert_eq!(t1["aci_date"], "2021-05-01");
    assert_eq!(u(&t1["units"]), 3);
    assert_eq!(u(&t1["population"]), 7_000);
    assert_eq!(u(&t1["size_class"]), 1);
    // Three 0.1° squares near 46° N: 11.12 km × 7.73 km each ≈ 85.9 km².
    let area = t1["area_km2"].as_f64().unwrap();
    assert!((area - 3.0 * 85.9).abs() < 3.0, "{area}");
    let lyon = &r["cpts"][2];
    assert_eq!(lyon["stage"], "lettre_intention", "« en construction » is a lettre d'intention");
    assert_eq!(u(&lyon["units"]), 2, "the city code covers both arrondissements");
    assert_eq!(u(&lyon["size_class"]), 3);
}

#[test]
fn epci_figures_sum_their_units() {
    let r = mini();
    let epci = r["epcis"].as_array().unwrap().iter().find(|e| e["code"] == "200000001").unwrap();
    assert_eq!(u(&epci["population"]), 21_000);
    assert_eq!(u(&epci["covered_population"]), 10_000);
}

#[test]
fn lambert93_input_gives_the_same_figures() {
    let wgs = mini();
    let l93 = report("lambert93", &fixture("mini/cpts.csv"));
    assert!(l93["data"]["communes"][0]["crs"].as_str().unwrap().contains("Lambert"));
    for key in ["population", "units"] {
        assert_eq!(wgs[key], l93[key]);
    }
    assert_eq!(wgs["by_stage"], l93["by_stage"]);
    assert_eq!(wgs["uncovered_zones"]["zones"], l93["uncovered_zones"]["zones"].clone().tap_areas(&wgs));
    for (a, b) in wgs["cpts"].as_array().unwrap().iter().zip(l93["cpts"].as_array().unwrap()) {
        let (x, y) = (a["area_km2"].as_f64().unwrap(), b["area_km2"].as_f64().unwrap());
        assert!((x - y).abs() / x < 0.005, "{x} vs {y}");
    }
}

/// Replaces the areas of zones by those of another report (areas are compared apart, with a tolerance).
trait TapAreas {
    fn tap_areas(self, other: &Value) -> Value;
}

impl TapAreas for Value {
    fn tap_areas(mut self, other: &Value) -> Value {
        for (z, o) in self.as_array_mut().unwrap().iter_mut().zip(other["uncovered_zones"]["zones"].as_array().unwrap())
        {
            let (x, y) = (z["area_km2"].as_f64().unwrap(), o["area_km2"].as_f64().unwrap());
            assert!((x - y).abs() / x < 0.005, "{x} vs {y}");
            z["area_km2"] = o["area_km2"].clone();
        }
        self
    }
}

#[test]
fn windows_1252_dbf_without_cpg_keeps_its_ligatures() {
    let dir = fixture("latin1");
    let shp = dir.join("COMMUNE.shp").display().to_string();
    let cpts = fixture("mini/cpts.csv").display().to_string();
    for (code, name) in [("01901", "Paimbœuf"), ("01902", "Marcq-en-Barœul"), ("01903", "Saint-Étienne")] {
        let found = json(&["locate", "--communes", &shp, "--cpts", &cpts, "--commune", code, "--format", "json"]);
        assert_eq!(found["name"], name);
    }
}

#[test]
fn coverage_at_a_date_counts_only_signed_territories() {
    let mut args = mini_args("mini", fixture("mini/cpts.csv").to_str().unwrap());
    args.extend(["--at".into(), "2021-04-30".into()]);
    let before = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(u(&before["covered"]["population"]), 0);
    *args.last_mut().unwrap() = "2021-05-01".into();
    let on = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(u(&on["covered"]["population"]), 7_000);
}

#[test]
fn population_file_overrides_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let pop = dir.path().join("donnees_communes.csv");
    std::fs::write(&pop, "CODREG;CODDEP;CODCOM;COM;PMUN;PCAP;PTOT\n84;01;901;Alpha;1 500;10;1510\n").unwrap();
    let mut args = mini_args("mini", fixture("mini/cpts.csv").to_str().unwrap());
    args.extend(["--population".into(), pop.display().to_string()]);
    let r = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(u(&r["population"]), 205_000 + 500);
    assert!(r["notes"].as_array().unwrap().iter().any(|w| w["kind"] == "population_file"));
}

/// Writes a CPTS list into a temporary file and runs the report on the mini grid.
fn run_with_list(list: &str, extra: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cpts.csv");
    std::fs::write(&path, list).unwrap();
    let mut args = mini_args("mini", path.to_str().unwrap());
    args.extend(extra.iter().map(|s| s.to_string()));
    (cptsmap(&args.iter().map(String::as_str).collect::<Vec<_>>()), dir)
}

const HEADER: &str = "cpts_id;cpts_nom;statut;date_signature_aci;code_commune\n";

#[test]
fn doubtful_rows_are_reported_with_their_line() {
    let list = format!(
        "{HEADER}T1;Un;ACI signé;2021-05-01;01901\nT1;Un;ACI signé;2021-05-01;01901\nT1;Un;Pré-projet;;01902\nT1;Un;ACI;;99999\nT2;Deux;validé;2020-01-01;1903\n"
    );
    let (out, _dir) = run_with_list(&list, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| Some((w["kind"].as_str()?, w["location"].as_str()?)))
        .collect();
    let has = |kind: &str, line: &str| kinds.iter().any(|(k, l)| *k == kind && l.ends_with(line));
    assert!(has("duplicate_row", "cpts.csv:3"), "{kinds:?}");
    assert!(has("conflicting_stage", "cpts.csv:4"), "{kinds:?}");
    assert!(has("unknown_commune", "cpts.csv:5"), "{kinds:?}");
    assert!(has("padded_code", "cpts.csv:6"), "{kinds:?}");
    assert!(has("date_without_aci", "cpts.csv:6"), "{kinds:?}");
    // 1903 was read as 01903 and counts.
    assert_eq!(stage_populations(&r), vec![3_000, 6_000, 6_000, 6_000]);

    let (strict, _dir) = run_with_list(&list, &["--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("mode strict"));
}

#[test]
fn an_unknown_stage_is_an_error_naming_the_line() {
    let (out, _dir) = run_with_list(&format!("{HEADER}T1;Un;ACI signé;;01901\nT2;Deux;peut-être;;01902\n"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cpts.csv:3") && err.contains("peut-être") && err.contains("attendu"), "{err}");
}

#[test]
fn a_missing_column_lists_what_is_accepted() {
    let (out, _dir) = run_with_list("cpts_id;statut;ville\nT1;ACI;Bourg\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("code_commune") && err.contains("colonnes présentes : cpts_id, statut, ville"), "{err}");
}

#[test]
fn broken_shapefiles_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "prj"] {
        std::fs::copy(fixture("mini").join(format!("COMMUNE.{ext}")), dir.path().join(format!("COMMUNE.{ext}")))
            .unwrap();
    }
    let shp = dir.path().join("COMMUNE.shp").display().to_string();
    let out = cptsmap(&["report", "--communes", &shp, "--cpts", fixture("mini/cpts.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("COMMUNE.dbf"));

    std::fs::copy(fixture("mini").join("COMMUNE.dbf"), dir.path().join("COMMUNE.dbf")).unwrap();
    std::fs::write(dir.path().join("COMMUNE.prj"), r#"PROJCS["Mystery",PROJECTION["Polyconic"]]"#).unwrap();
    let out = cptsmap(&["report", "--communes", &shp, "--cpts", fixture("mini/cpts.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("COMMUNE.prj") && err.contains("Lambert-93"), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(cptsmap(&["report", "--format", "yaml"]).status.code(), Some(2));
    assert_eq!(cptsmap(&["locate", "--commune", "ABC"]).status.code(), Some(2));
    assert_eq!(cptsmap(&["locate", "--commune", "01999"]).status.code(), Some(2));
}

fn drawn(extra: &[&str]) -> Value {
    let mut args = mini_args("mini", fixture("mini/cpts_dessinees_3857.geojson").to_str().unwrap());
    args.extend(extra.iter().map(|s| s.to_string()));
    json(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn drawn_polygons_take_the_communes_mostly_inside_them() {
    // Web Mercator GeoJSON with a `crs` member: A wholly inside, B 60 %, D 30 %, Lyon 1er wholly.
    let r = drawn(&[]);
    let mut t = r["cpts"].as_array().unwrap().clone();
    t.sort_by_key(|t| t["name"] != "CPTS dessinée");
    assert_eq!(t.len(), 2);
    assert_eq!(t[0]["name"], "CPTS dessinée");
    assert_eq!(t[0]["stage"], "aci_signe", "« En fonctionnement » in an `Etat` property");
    assert_eq!(t[0]["aci_date"], "2021-03-12");
    assert_eq!(u(&t[0]["population"]), 1_000 + 2_000, "A and B (60 %), not D (30 %)");
    assert_eq!(t[1]["stage"], "projet_sante_valide");
    assert_eq!(u(&t[1]["population"]), 100_000, "the 1st arrondissement only");
    let partial =
        r["warnings"].as_array().unwrap().iter().find(|w| w["kind"] == "partial_unit").expect("partial units reported");
    let msg = partial["message"].as_str().unwrap();
    assert!(msg.contains("01902 Bravo (60 %, retenue)") && msg.contains("01904 Delta (30 %, écartée)"), "{msg}");

    let lenient = drawn(&["--min-share", "0.25"]);
    let drawn_one = lenient["cpts"].as_array().unwrap().iter().find(|t| t["name"] == "CPTS dessinée").unwrap();
    assert_eq!(u(&drawn_one["population"]), 7_000, "D joins at a 25 % threshold");
}

#[test]
fn drawn_polygons_need_a_stage_field_or_an_override() {
    let out = cptsmap(&[
        "report",
        "--communes",
        fixture("mini/COMMUNE.shp").to_str().unwrap(),
        "--cpts",
        fixture("mini/cpts_dessinees_3857.geojson").to_str().unwrap(),
        "--cpts-stage-field",
        "phase",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--cpts-stage-field phase") && err.contains("etat"), "{err}");
}

#[test]
fn drawn_polygons_are_checked_and_repaired_once() {
    // The drawn fixture with its first territory drawn twice (two parts that
    // overlap exactly: each resident would be counted twice by a naive sum),
    // the second with a loop whose edges cross left of Lyon (a bow-tie
    // whose small lobe turns the other way), and a third territory that is
    // only a line.
    let text = std::fs::read_to_string(fixture("mini/cpts_dessinees_3857.geojson")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let ring = doc["features"][0]["geometry"]["coordinates"][0].clone();
    doc["features"][0]["geometry"] = serde_json::json!({"type": "MultiPolygon", "coordinates": [[ring], [ring]]});
    let lyon = doc["features"][1]["geometry"]["coordinates"][0][0].as_array().unwrap().clone();
    let at = |p: &Value, dx: f64| serde_json::json!([p[0].as_f64().unwrap() + dx, p[1]]);
    // Corners clockwise from the top left, then up-left and down-left: the
    // edges from the bottom left corner and back to the top left one cross.
    let looped =
        serde_json::json!([lyon[0], lyon[1], lyon[2], lyon[3], at(&lyon[0], -1000.0), at(&lyon[3], -1000.0), lyon[0]]);
    doc["features"][1]["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [looped]});
    let features = doc["features"].as_array_mut().unwrap();
    features.push(serde_json::json!({
        "type": "Feature",
        "properties": {"Nom_CPTS": "CPTS trait", "Etat": "En fonctionnement"},
        "geometry": {"type": "Polygon", "coordinates": [[[556597.454, 5780349.22], [559937.039, 5764338.606], [556597.454, 5780349.22]]]}
    }));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dessin.geojson");
    std::fs::write(&path, doc.to_string()).unwrap();
    let r = report("mini", &path);

    let cpts = r["cpts"].as_array().unwrap();
    assert_eq!(cpts.len(), 2, "the line is not a territory: {cpts:?}");
    let population = |name: &str| u(&cpts.iter().find(|t| t["name"] == name).unwrap()["population"]);
    assert_eq!(population("CPTS dessinée"), 3_000, "the same members as drawn once");
    assert_eq!(population("CPTS Lyon 1er"), 100_000, "both lobes kept: the 1st arrondissement still inside");
    let warnings = r["warnings"].as_array().unwrap();
    let of =
        |kind: &str| -> Vec<String> { warnings.iter().filter(|w| w["kind"] == kind).map(|w| w.to_string()).collect() };
    let repaired = of("repaired_polygon");
    assert_eq!(repaired.len(), 2, "{warnings:?}");
    assert!(repaired[0].contains("entité 1") && repaired[0].contains("-50.00 %"), "{}", repaired[0]);
    assert!(repaired[1].contains("entité 2") && repaired[1].contains("se croisent"), "{}", repaired[1]);
    let invalid = of("invalid_polygon");
    assert!(
        invalid.len() == 1 && invalid[0].contains("entité 3") && invalid[0].contains("surface nulle"),
        "{invalid:?}"
    );
}
