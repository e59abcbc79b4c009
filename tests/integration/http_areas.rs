//! The routes of the map page: area summaries, exports of an area at a
//! stage, the figures CSV, outlines, place names, point lookups, CPTS
//! search, and the size limits of the layers.

use axum::http::StatusCode;
use serde_json::Value;

use crate::http::{get, get_json, national};
use crate::util::{national_report, u};

const STAGES: [&str; 4] = ["pre_projet", "lettre_intention", "projet_sante_valide", "aci_signe"];

fn features(body: &[u8]) -> Vec<Value> {
    let v: Value = serde_json::from_slice(body).unwrap();
    v["features"].as_array().unwrap().clone()
}

/// An EPCI and a CPTS of the bundled data, to select.
fn some_epci_and_cpts() -> (String, String) {
    let r = national_report();
    let epci = r["epcis"].as_array().unwrap().iter().max_by_key(|e| u(&e["population"])).unwrap();
    (epci["code"].as_str().unwrap().to_string(), r["cpts"][0]["id"].as_str().unwrap().to_string())
}

#[test]
fn area_summaries_add_up_at_every_level_and_stage() {
    let (epci, cpts) = some_epci_and_cpts();
    let r = national_report();
    for area in ["", "region=84", "departement=26", "departement=2A", &format!("epci={epci}"), &format!("cpts={cpts}")]
    {
        for stage in STAGES {
            let uri = format!("/api/area?stage={stage}&{area}");
            let (status, a) = get_json(&uri);
            assert_eq!(status, StatusCode::OK, "{uri}: {a}");
            let (population, covered, uncovered) =
                (u(&a["population"]), u(&a["covered_population"]), u(&a["uncovered_population"]));
            assert_eq!(population - covered, uncovered, "{uri}");
            assert_eq!(u(&a["zones"]["population"]), uncovered, "{uri}: zones blanches add up to « reste à couvrir »");
            let by_stage: Vec<u64> = a["by_stage"].as_array().unwrap().iter().map(|s| u(&s["population"])).collect();
            assert!(by_stage.windows(2).all(|w| w[0] <= w[1]), "{uri}: cumulative stages");
            let at = a["by_stage"].as_array().unwrap().iter().find(|s| s["stage"] == stage).unwrap();
            assert_eq!(u(&at["population"]), covered, "{uri}");
            assert!(
                a["cpts"].as_array().unwrap().iter().all(|t| {
                    STAGES.iter().position(|s| t["stage"] == *s) >= STAGES.iter().position(|s| *s == stage)
                })
            );
        }
    }
    // The same figures as the report.
    let (_, france) = get_json("/api/area?stage=aci_signe");
    assert_eq!(france["covered_population"], r["by_stage"][0]["population"]);
    assert_eq!(u(&france["uncovered_population"]), 24_434_421, "ACI signé: ≈ 24,4 M left to cover");
    let dep = r["departements"].as_array().unwrap().iter().find(|d| d["code"] == "26").unwrap();
    let (_, drome) = get_json("/api/area?departement=26");
    assert_eq!(drome["by_stage"], dep["by_stage"]);
    assert_eq!(drome["region"]["code"], "84");
    assert_eq!(drome["level"], "departement");
    let (_, cpts_area) = get_json(&format!("/api/area?cpts={cpts}"));
    assert_eq!(cpts_area["uncovered_population"], 0, "a territory covers all its units at its own stage");
    let (_, mayotte) = get_json("/api/area?departement=976");
    assert_eq!(mayotte["units_without_population"], 17);
}

#[test]
fn the_zones_file_of_a_departement_at_a_stage_sums_to_its_uncovered_population() {
    for dep in ["26", "23", "2A", "75", "971"] {
        for stage in STAGES {
            let (_, a) = get_json(&format!("/api/area?stage={stage}&departement={dep}"));
            let (status, headers, body) =
                get(&format!("/api/export/uncovered.geojson?stage={stage}&departement={dep}"), &[]);
            assert_eq!(status, StatusCode::OK);
            let zones = features(&body);
            let sum: u64 = zones.iter().map(|f| u(&f["properties"]["population"])).sum();
            assert_eq!(sum, u(&a["uncovered_population"]), "{dep} at {stage}");
            assert_eq!(zones.len() as u64, u(&a["zones"]["count"]), "{dep} at {stage}");
            assert!(zones.iter().all(|f| f["properties"]["departements"] == dep), "{dep}: clipped to the département");
            let name = headers["content-disposition"].to_str().unwrap().to_string();
            let stage_tag = if stage == "pre_projet" { "tout-stade".to_string() } else { stage.replace('_', "-") };
            let want = format!("filename=\"cptsmap_zones-blanches_{stage_tag}_dep-{}_", dep.to_lowercase());
            assert!(name.contains(&want), "{name} vs {want}");
        }
    }
}

#[test]
fn exports_follow_the_area_and_the_stage() {
    let (_, a) = get_json("/api/area?stage=aci_signe&departement=26");
    let (_, _, body) = get("/api/export/cpts.geojson?stage=aci_signe&departement=26", &[]);
    let cpts = features(&body);
    assert_eq!(cpts.len() as u64, u(&a["cpts_count"]));
    assert!(cpts.iter().all(|f| f["properties"]["stage"] == "aci_signe"));
    let (_, _, body) = get("/api/export/communes.geojson?stage=aci_signe&departement=26", &[]);
    let communes = features(&body);
    let covered: u64 =
        communes.iter().filter(|f| f["properties"]["covered"] == true).map(|f| u(&f["properties"]["population"])).sum();
    assert_eq!(covered, u(&a["covered_population"]));
    let (_, _, body) = get("/api/export/communes.geojson?region=94", &[]);
    assert!(features(&body).iter().all(|f| f["properties"]["region"] == "94"));
    let (epci, cpts_id) = some_epci_and_cpts();
    let (_, _, body) = get(&format!("/api/export/communes.geojson?epci={epci}"), &[]);
    let units = features(&body);
    assert!(
        !units.is_empty()
            && units.iter().all(|f| f["properties"]["epci"].as_str().unwrap().split(';').any(|e| e == epci))
    );
    let (_, one) = get_json(&format!("/api/cpts/{cpts_id}"));
    let (status, headers, body) = get(&format!("/api/export/communes.geojson?cpts={cpts_id}"), &[]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(features(&body).len() as u64, u(&one["units"]));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(&format!("_cpts-{}_", cpts_id.to_lowercase())), "{disposition}");
    let (_, _, body) = get("/api/export/overlaps.geojson?departement=26", &[]);
    assert!(features(&body).iter().all(|f| f["properties"]["departement"] == "26"));
}

#[test]
fn the_figures_csv_is_for_french_spreadsheets() {
    let (status, headers, body) = get("/api/export/figures.csv?stage=aci_signe&region=84", &[]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("filename=\"cptsmap_chiffres_aci-signe_reg-84_") && disposition.ends_with(".csv\""));
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    let rows: Vec<Vec<&str>> = text.trim_start_matches('\u{feff}').lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(rows[0][..4], ["level", "code", "name", "stage"]);
    assert_eq!(rows[1][..3], ["region", "84", "Auvergne-Rhône-Alpes"]);
    assert_eq!(rows.len(), 2 + 12, "the région and its 12 départements");
    let (_, a) = get_json("/api/area?stage=aci_signe&region=84");
    let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    assert_eq!(rows[1][col("uncovered_population")], a["uncovered_population"].to_string());
    assert_eq!(
        rows[1][col("percent")],
        format!("{:.2}", a["percent"].as_f64().unwrap()).replace('.', ","),
        "decimal comma"
    );
    let deps: u64 = rows[2..].iter().map(|r| r[col("population")].parse::<u64>().unwrap()).sum();
    assert_eq!(deps, u(&a["population"]));
    let (_, _, france) = get("/api/export/figures.csv", &[]);
    assert_eq!(String::from_utf8(france).unwrap().lines().count(), 2 + 18 + 101);
}

#[test]
fn area_parameters_are_checked_and_named() {
    for (uri, parameter) in [
        ("/api/area?departement=99", "departement"),
        ("/api/area?region=42", "region"),
        ("/api/area?epci=123", "epci"),
        ("/api/area?cpts=nope", "cpts"),
        ("/api/area?departement=", "departement"),
        ("/api/area?region=84&departement=26", "departement"),
        ("/api/area?stage=bof", "stage"),
        ("/api/export/uncovered.geojson?departement=00", "departement"),
        ("/api/export/figures.csv?region=0", "region"),
        ("/api/export/roads.geojson", "layer"),
        ("/api/area/outline.geojson?commune=ABCDE", "commune"),
        ("/api/area/outline.geojson?commune=01999", "commune"),
        ("/api/area/outline.geojson?zoom=40", "zoom"),
        ("/api/locate?lon=200&lat=45", "lon"),
        ("/api/locate?lon=2", "lat"),
        ("/api/cpts/search", "q"),
        ("/api/cpts/search?q=a&limit=0", "limit"),
        ("/api/places?bbox=1,2", "bbox"),
        ("/api/layers/cpts.geojson?bbox=5,45,4,46", "bbox"),
    ] {
        let (status, body) = get_json(uri);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"], "bad_parameter", "{uri}");
        assert_eq!(body["parameter"], parameter, "{uri}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[test]
fn layers_for_a_box_keep_what_meets_it_and_heavy_answers_are_refused() {
    let (_, _, national_cpts) = get("/api/layers/cpts.geojson?zoom=8", &[]);
    let (status, _, boxed) = get("/api/layers/cpts.geojson?zoom=8&bbox=4.5,44.0,5.9,45.4", &[]);
    assert_eq!(status, StatusCode::OK);
    let (all, inside) = (features(&national_cpts), features(&boxed));
    assert!(!inside.is_empty() && inside.len() * 10 < all.len(), "{} of {}", inside.len(), all.len());
    for layer in ["departements", "regions", "uncovered", "overlaps", "covered"] {
        let (status, _, body) = get(&format!("/api/layers/{layer}.geojson?zoom=10&bbox=4.5,44.0,5.9,45.4"), &[]);
        assert_eq!(status, StatusCode::OK, "{layer}");
        features(&body);
    }
    let (_, deps) = get_json("/api/layers/departements.geojson?zoom=8&bbox=4.5,44.0,5.9,45.4");
    let codes: Vec<&str> =
        deps["features"].as_array().unwrap().iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"26") && !codes.contains(&"29"), "{codes:?}");
    // The communes of all France at full resolution: refused, with what to change.
    let (status, body) = get_json("/api/layers/communes.geojson?zoom=12&bbox=-5.5,41,10,51.5");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "too_large");
    assert_eq!(body["parameter"], "bbox");
    assert!(body["detail"].as_str().unwrap().contains("zoom plus faible"));
    // A département's box at full resolution is well within the limits.
    let (status, _, body) = get("/api/layers/communes.geojson?zoom=12&bbox=4.6,44.1,5.9,45.4", &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(features(&body).len() < cptsmap::http::MAX_COMMUNES);
}

#[test]
fn outlines_places_lookups_and_cpts_search() {
    let (status, outline) = get_json("/api/area/outline.geojson?departement=26&zoom=8");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outline["features"][0]["properties"]["name"], "Drôme");
    assert_eq!(outline["features"][0]["geometry"]["type"], "MultiPolygon");
    let (_, paris) = get_json("/api/area/outline.geojson?commune=75056&zoom=10");
    assert_eq!(paris["features"][0]["properties"]["code"], "75056");
    let (status, _) = get_json("/api/area/outline.geojson?zoom=12");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "France at full resolution is too heavy an outline");
    let (_, places) = get_json("/api/places?zoom=6");
    let places = places.as_array().unwrap();
    assert_eq!(places.len(), 101, "one chef-lieu per département");
    assert!(places.iter().any(|p| p["name"] == "Paris" && p["code"] == "75056"));
    let (_, near) = get_json("/api/places?zoom=11&bbox=4.7,44.8,5.1,45.1");
    let near = near.as_array().unwrap();
    assert!(near.len() > 20 && near.iter().any(|p| p["name"] == "Valence"), "{}", near.len());
    let (status, sea) = get_json("/api/locate?lon=-5.5&lat=46");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sea["unit"], Value::Null);
    let (_, land) = get_json("/api/locate?lon=4.8924&lat=44.9334");
    assert_eq!(land["unit"]["code"], "26362");
    assert!(land["unit"]["epcis"].as_array().is_some_and(|e| !e.is_empty()));
    let (_, found) = get_json("/api/cpts/search?q=fictive%20de%20valence");
    assert_eq!(found[0]["name"], "CPTS fictive de Valence");
    assert_eq!(found[0]["kind"], "cpts");
    let s = national();
    let id = &s.coverage.territories[0].id;
    let (_, by_id) = get_json(&format!("/api/cpts/search?q={id}"));
    assert_eq!(&by_id[0]["id"], id);
}
