//! Planning a CPTS: a draft's figures checked against sums made here from
//! the units and the list itself; its outline; the API's refusals; the
//! suggested cut of the largest zone blanche; the CLI and a draft added to
//! the official list with a second `--cpts`.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cptsmap::commune::UnitId;
use cptsmap::plan::{Draft, Ground, Suggestion, figures, graph};
use cptsmap::snapshot::Snapshot;
use geo::Validation;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::http::national;
use crate::util::{cptsmap, json as run_json, ok, repo, u};

fn ground(s: &Snapshot) -> Ground<'_> {
    Ground { atlas: &s.atlas, coverage: &s.coverage, topology: &s.topology }
}

/// Code → the territories listing it, read from the demo list itself (no city codes in it).
fn membership() -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(repo().join("geodata/cpts_demo_fictif.csv")).unwrap();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(';').collect();
        out.entry(cells[4].trim().to_string()).or_default().push(cells[0].to_string());
    }
    out
}

/// A draft over part of the largest zone blanche plus a few communes of an existing territory.
fn mixed_draft(s: &Snapshot) -> Vec<UnitId> {
    let zone = &s.coverage.report.uncovered_zones.zones[0];
    let territory = s.coverage.territories.iter().find(|t| t.units.len() >= 4).unwrap();
    let mut units: Vec<UnitId> = zone.members.iter().copied().take(30).collect();
    units.extend(territory.units.iter().take(3));
    units.sort_unstable();
    units
}

#[test]
fn a_draft_over_a_zone_blanche_and_a_territory_gives_the_figures_summed_here() {
    let s = national();
    let members = membership();
    let units = mixed_draft(&s);
    let codes: Vec<String> = units.iter().map(|&u| s.atlas.unit(u).code.to_string()).collect();
    let draft = Draft::resolve(&s.atlas, Some("Essai"), &codes).unwrap();
    let f = figures::compute(ground(&s), &draft);

    let pop = |u: UnitId| s.atlas.unit(u).population.unwrap_or(0);
    let listed = |u: UnitId| members.contains_key(s.atlas.unit(u).code.as_str());
    assert_eq!(f.units, units.len());
    assert_eq!(f.population, units.iter().map(|&u| pop(u)).sum::<u64>());
    let newly: u64 = units.iter().filter(|&&u| !listed(u)).map(|&u| pop(u)).sum();
    assert_eq!(f.newly_covered.population, newly);
    assert_eq!(f.newly_covered.units, units.iter().filter(|&&u| !listed(u)).count());
    assert!(newly > 0 && newly < f.population, "part new, part already covered");

    // Overlaps: the territories of the list sharing a code with the draft, and what they share.
    let mut shared: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for &u in &units {
        for id in members.get(s.atlas.unit(u).code.as_str()).into_iter().flatten() {
            let e = shared.entry(id.clone()).or_default();
            e.0 += 1;
            e.1 += pop(u);
        }
    }
    let got: BTreeMap<String, (usize, u64)> =
        f.overlaps.iter().map(|o| (o.id.clone(), (o.units, o.population))).collect();
    assert_eq!(got, shared);

    // National and départemental coverage, every unit of France summed here.
    let all: Vec<UnitId> = (0..s.atlas.units.len() as UnitId).collect();
    let covered_before: u64 = all.iter().filter(|&&u| listed(u)).map(|&u| pop(u)).sum();
    assert_eq!(f.coverage_before.population, covered_before);
    assert_eq!(f.coverage_after.population, covered_before + newly);
    let total: u64 = all.iter().map(|&u| pop(u)).sum();
    let expected = ((covered_before + newly) as f64 * 1e6 / total as f64).round() / 1e4;
    assert_eq!(f.coverage_after.percent, expected);
    let draft_set: HashSet<UnitId> = units.iter().copied().collect();
    for d in &f.departements_after {
        let in_dep = all.iter().filter(|&&u| s.atlas.unit(u).departement == d.code);
        let (mut before, mut after) = (0, 0);
        for &u in in_dep {
            if listed(u) {
                before += pop(u);
                after += pop(u);
            } else if draft_set.contains(&u) {
                after += pop(u);
            }
        }
        assert_eq!((d.covered_population_before, d.covered_population_after), (before, after), "{}", d.code);
    }
    let touched: HashSet<&str> = units.iter().map(|&u| s.atlas.unit(u).departement.as_str()).collect();
    assert_eq!(f.departements_after.len(), touched.len());

    // The zone reached: the largest one, and how much of it the draft covers.
    let zone = f.zones.iter().find(|z| z.zone == 1).expect("the largest zone is reached");
    let in_zone: u64 = units.iter().filter(|&&u| s.coverage.zone_of[u as usize] == Some(0)).map(|&u| pop(u)).sum();
    assert_eq!(zone.covered_by_draft, in_zone);
    assert_eq!(zone.population, s.coverage.report.uncovered_zones.zones[0].population);
}

#[test]
fn the_outline_is_valid_and_its_area_is_the_sum_of_its_units() {
    let s = national();
    for units in [mixed_draft(&s), s.coverage.report.uncovered_zones.zones[0].members.clone()] {
        let draft = Draft::new(None, units.clone(), Vec::new()).unwrap();
        let f = figures::compute(ground(&s), &draft);
        assert!(f.shape.is_valid(), "the outline is a valid multipolygon");
        let sum: f64 = units.iter().map(|&u| s.atlas.unit(u).area_km2).sum();
        let area = cptsmap::geometry::area_km2(&f.shape);
        assert!((area - sum).abs() < 1e-6 * sum, "outline {area} km² vs units {sum} km²");
        // The JSON geometry is the same shape, at six decimals.
        let v: Value = serde_json::from_slice(&f.to_json()).unwrap();
        let g: geojson::Geometry = serde_json::from_value(v["geometry"].clone()).unwrap();
        let mp: geo::MultiPolygon<f64> = g.try_into().unwrap();
        assert!((cptsmap::geometry::area_km2(&mp) - sum).abs() < 1e-4 * sum);
    }
}

#[test]
fn contiguity_follows_shared_borders() {
    let s = national();
    let zone = &s.coverage.report.uncovered_zones.zones[0];
    let whole = Draft::new(None, zone.members.clone(), Vec::new()).unwrap();
    assert!(figures::compute(ground(&s), &whole).contiguous, "a zone blanche is in one piece");
    // Two communes far apart: two parts.
    let far = vec![zone.members[0], s.coverage.territories[0].units[0]];
    let f = figures::compute(ground(&s), &Draft::new(None, far, Vec::new()).unwrap());
    assert_eq!((f.contiguous, f.parts), (false, 2));
}

#[test]
fn a_hundred_commune_draft_resolved_by_code_gives_its_units_and_sums() {
    // Its speed is measured by benches/plan.sh (a test times nothing: the machine is shared).
    let s = national();
    let zone = &s.coverage.report.uncovered_zones.zones[0];
    let units: Vec<UnitId> = zone.members.iter().copied().take(100).collect();
    let codes: Vec<String> = units.iter().map(|&u| s.atlas.unit(u).code.to_string()).collect();
    let draft = Draft::resolve(&s.atlas, None, &codes).unwrap();
    let f = figures::compute(ground(&s), &draft);
    assert_eq!(f.units, 100);
    let pop: u64 = units.iter().map(|&u| s.atlas.unit(u).population.unwrap_or(0)).sum();
    assert_eq!((f.population, f.newly_covered.population), (pop, pop), "all in a zone blanche");
    assert!(f.overlaps.is_empty());
}

#[test]
fn the_largest_zone_blanche_is_cut_into_contiguous_drafts_of_cpts_size() {
    let s = national();
    let suggestion = Suggestion::for_zone(ground(&s), 0).unwrap();
    let zone = &s.coverage.report.uncovered_zones.zones[0];
    let mut all: Vec<UnitId> = suggestion.candidates.iter().flat_map(|c| c.units.iter().copied()).collect();
    all.sort_unstable();
    assert_eq!(all, zone.members, "the drafts cover the zone, each unit once");
    for c in &suggestion.candidates {
        assert_eq!(graph::parts(&s.topology, &c.units).len(), 1, "{} is in one piece", c.name);
        let pop: u64 = c.units.iter().map(|&u| s.atlas.unit(u).counted_population()).sum();
        assert_eq!(c.population, pop);
        assert_eq!(c.within_bounds, (20_000..=175_000).contains(&pop));
        assert_eq!(c.issue.is_some(), !c.within_bounds);
    }
    assert!(suggestion.candidates.iter().all(|c| c.within_bounds), "a zone of a million residents cuts cleanly");
    assert_eq!(suggestion.population, suggestion.candidates.iter().map(|c| c.population).sum::<u64>());
}

#[test]
fn a_small_zone_blanche_is_one_flagged_draft() {
    let s = national();
    let zones = &s.coverage.report.uncovered_zones.zones;
    let small = zones.iter().position(|z| z.population > 0 && z.population < 20_000).unwrap();
    let suggestion = Suggestion::for_zone(ground(&s), small).unwrap();
    assert_eq!(suggestion.candidates.len(), 1);
    assert!(!suggestion.candidates[0].within_bounds);
    assert!(suggestion.candidates[0].issue.as_deref().unwrap().contains("moins de 20"));
}

fn post(uri: &str, body: impl Into<Vec<u8>>) -> (StatusCode, Value) {
    let app = cptsmap::http::router(national());
    let body: Vec<u8> = body.into();
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    })
}

#[test]
fn the_api_gives_the_figures_of_a_draft_by_codes_and_names() {
    let (status, v) = post("/api/plan", json!({"name": "Diois", "communes": ["Die", "26281", "75056"]}).to_string());
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "Diois");
    assert_eq!(u(&v["units"]), 2 + 20, "Paris means its 20 arrondissements");
    for key in
        ["population", "size_class", "area_km2", "departements", "contiguous", "parts", "newly_covered", "overlaps"]
    {
        assert!(!v[key].is_null(), "{key}");
    }
    for key in ["coverage_after", "departements_after", "zones", "geometry"] {
        assert!(!v[key].is_null(), "{key}");
    }
    assert_eq!(v["geometry"]["type"], "MultiPolygon");
    assert_eq!(v["contiguous"], false, "Die and Paris are far apart");
}

#[test]
fn the_api_refuses_unknown_codes_bad_json_and_empty_drafts_saying_why() {
    let (status, v) = post("/api/plan", json!({"communes": ["26113", "99999"]}).to_string());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "bad_parameter");
    assert_eq!(v["parameter"], "communes");
    assert!(v["detail"].as_str().unwrap().contains("99999"), "{v}");
    let (status, v) = post("/api/plan", "{\"communes\": [\"26113\"");
    assert_eq!((status, v["parameter"].as_str()), (StatusCode::BAD_REQUEST, Some("body")));
    assert!(v["detail"].as_str().unwrap().contains("JSON invalide"), "{v}");
    let (status, v) = post("/api/plan", json!({"name": "x"}).to_string());
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (status, v) = post("/api/plan", json!({"communes": []}).to_string());
    assert_eq!((status, v["parameter"].as_str()), (StatusCode::BAD_REQUEST, Some("communes")));
    assert!(v["detail"].as_str().unwrap().contains("aucune commune"));
}

#[test]
fn a_draft_of_every_unit_of_france_is_accepted_and_other_routes_keep_their_limit() {
    let s = national();
    let codes: Vec<String> = s.atlas.units.iter().map(|u| u.code.to_string()).collect();
    let body = json!({"name": "France", "communes": codes}).to_string();
    assert!(body.len() > 16 * 1024);
    let (status, v) = post("/api/plan", body.clone());
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(u(&v["units"]) as usize, s.atlas.units.len());
    assert_eq!(v["coverage_after"]["population"], v["population"], "everyone covered");
    assert_eq!(v["coverage_after"]["percent"], 100.0);
    // The same body anywhere else is over the 16 KiB limit.
    let (status, _) = post("/api/summary", body);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, v) = post("/api/plan", vec![b' '; cptsmap::http::PLAN_BODY_LIMIT + 1]);
    assert_eq!((status, v["error"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
}

#[test]
fn the_api_lists_zones_blanches_gives_their_communes_and_a_cut() {
    let (status, zones) = crate::http::get_json("/api/plan/zones?departement=77");
    assert_eq!(status, StatusCode::OK);
    let first = &zones["list"][0];
    assert_eq!(u(&first["zone"]), 1, "the largest zone reaches Seine-et-Marne");
    let (_, zone) = crate::http::get_json("/api/plan/zones/1");
    assert_eq!(zone["codes"].as_array().unwrap().len() as u64, u(&zone["units"]));
    let (status, cut) = crate::http::get_json("/api/plan/zones/1/suggestion");
    assert_eq!(status, StatusCode::OK);
    let candidates = cut["candidates"].as_array().unwrap();
    assert!(candidates.len() > 1 && candidates.iter().all(|c| c["geometry"]["type"] == "MultiPolygon"));
    assert_eq!(crate::http::get_json("/api/plan/zones/0").0, StatusCode::NOT_FOUND);
    let (status, boxed) = crate::http::get_json("/api/plan/box?bbox=4.85,44.90,4.95,44.96");
    assert_eq!(status, StatusCode::OK);
    assert!(boxed["codes"].as_array().unwrap().iter().any(|c| c == "26362"), "Valence: {boxed}");
    assert_eq!(crate::http::get_json("/api/plan/box?bbox=-5,41,10,51").0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn the_cli_prints_the_figures_and_names_an_unknown_code() {
    let v = run_json(&["plan", "--communes", "26113 26108,Saillans (26)", "--name", "Essai", "--format", "json"]);
    assert_eq!(v["name"], "Essai");
    assert_eq!(u(&v["units"]), 3);
    let (_, api) =
        post("/api/plan", json!({"name": "Essai", "communes": ["26113", "26108", "Saillans (26)"]}).to_string());
    assert_eq!(v, api, "the CLI and the API say the same");
    let text = ok(&["plan", "--communes", "26113,26108"]);
    assert!(text.contains("Nouvellement couverts") && text.contains("Couverture nationale"), "{text}");
    let out = cptsmap(&["plan", "--communes", "26113,99999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("99999"));
    let out = cptsmap(&["plan"]);
    assert_eq!(out.status.code(), Some(2), "no draft given");
}

#[test]
fn a_single_touching_point_does_not_make_a_draft_contiguous() {
    let mini = crate::util::fixture("mini");
    let layer = mini.join("COMMUNE.shp");
    let arrs = mini.join("ARRONDISSEMENT_MUNICIPAL.shp");
    let cpts = mini.join("cpts.csv");
    let base = ["plan", "--communes", layer.to_str().unwrap(), "--arrondissements", arrs.to_str().unwrap()];
    let run = |draft: &str| {
        let mut args = base.to_vec();
        args.extend(["--cpts", cpts.to_str().unwrap(), "--communes", draft, "--format", "json"]);
        run_json(&args)
    };
    let corner = run("01909,01910");
    assert_eq!((corner["contiguous"].as_bool(), u(&corner["parts"])), (Some(false), 2));
    let edge = run("01908,01909");
    assert_eq!(edge["contiguous"], true);
    // 01908 and 01909 are in the mini zone blanche; nothing covers them.
    assert_eq!(u(&edge["newly_covered"]["population"]), 8_000 + 9_000);
}

#[test]
fn a_draft_saved_as_a_list_is_counted_with_the_official_one() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("projet.csv");
    std::fs::write(
        &draft,
        "\u{feff}cpts_id;cpts_nom;statut;code_commune;commune\nPROJET-ESSAI;Essai;Pré-projet;77108;Chelles\nPROJET-ESSAI;Essai;Pré-projet;77118;x\nPROJET-ESSAI;Essai;Pré-projet;26362;Valence\n",
    )
    .unwrap();
    let official = repo().join("geodata/cpts_demo_fictif.csv");
    let (official, draft) = (official.to_str().unwrap(), draft.to_str().unwrap());
    let plan = run_json(&["plan", "--communes", draft, "--format", "json"]);
    assert_eq!(plan["name"], "Essai", "the list's name");
    let report = run_json(&["report", "--cpts", official, "--cpts", draft, "--format", "json"]);
    assert_eq!(report["covered"], plan["coverage_after"]);
    for d in plan["departements_after"].as_array().unwrap() {
        let r = report["departements"].as_array().unwrap().iter().find(|r| r["code"] == d["code"]).unwrap();
        assert_eq!(r["covered_population"], d["covered_population_after"]);
    }
    assert_eq!(report["data"]["cpts_added"], json!([draft]));
    // The same list twice: its ids clash, and the message names both files.
    let out = cptsmap(&["report", "--cpts", draft, "--cpts", draft]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PROJET-ESSAI") && err.matches("projet.csv").count() >= 2, "{err}");
}
