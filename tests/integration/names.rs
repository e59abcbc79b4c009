//! Names with their article, merged communes and postcodes on the bundled
//! data: in `locate`, in territory lists and in the search route.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cptsmap::coverage::{Options, compute};
use cptsmap::load::territories::read_territory_list;
use cptsmap::snapshot::Snapshot;
use serde_json::Value;
use tower::ServiceExt;

use crate::lists::{DemoRow, assert_same_figures, demo_rows, report, warnings, write_codes};
use crate::util::{json, national_report, repo};

#[test]
fn locate_gives_the_official_name_with_its_article() {
    let havre = json(&["locate", "--commune", "76351", "--format", "json"]);
    assert_eq!(havre["name"], "Le Havre");
    let hay = json(&["locate", "--commune", "94038", "--format", "json"]);
    assert_eq!(hay["name"], "L'Haÿ-les-Roses");
}

#[test]
fn demo_territories_are_named_the_french_way() {
    let names: HashSet<&str> =
        national_report()["cpts"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    for name in
        ["CPTS fictive du Havre", "CPTS fictive de La Rochelle", "CPTS fictive des Abymes", "CPTS fictive d'Annecy"]
    {
        assert!(names.contains(name), "{name}");
    }
    assert!(!names.iter().any(|n| n.starts_with("CPTS fictive de Le ")));
}

/// Current code → the old codes of its communes déléguées and associées (other than its own).
fn old_codes() -> BTreeMap<String, Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_path(repo().join("geodata/communes_fusionnees.csv")).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        if r[0] != r[3] {
            out.entry(r[3].to_string()).or_default().push(r[0].to_string());
        }
    }
    out
}

#[test]
fn old_codes_of_merged_communes_give_the_same_figures_with_warnings() {
    let history = old_codes();
    let mut rows: Vec<DemoRow> = Vec::new();
    let (mut replaced, mut added) = (0, 0);
    for r in demo_rows() {
        match history.get(&r.code) {
            // Half the communes nouvelles are listed by an old code instead of theirs…
            Some(old) if (replaced + added) % 2 == 0 => {
                rows.push(DemoRow { code: old[0].clone(), ..r.clone() });
                replaced += 1;
            }
            // …the other half by their code and an old code.
            Some(old) => {
                rows.push(r.clone());
                rows.push(DemoRow { code: old[0].clone(), ..r.clone() });
                added += 1;
            }
            None => rows.push(r.clone()),
        }
    }
    assert!(replaced > 100 && added > 100, "{replaced} replaced, {added} added");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anciens_codes.csv");
    write_codes(&path, &rows);
    let r = report(&path, &[]);
    // The reference is the demo list written the same way (its ACI dates only), not the
    // bundled file, whose earlier stages' dates these rows do not carry.
    let reference = dir.path().join("codes_actuels.csv");
    write_codes(&reference, demo_rows());
    assert_same_figures(&report(&reference, &[]), &r);
    let merged = warnings(&r, "merged_commune");
    assert_eq!(merged.len(), replaced + added);
    assert!(merged[0]["location"].as_str().unwrap().starts_with(&path.display().to_string()));
    let message = merged[0]["message"].as_str().unwrap();
    assert!(message.contains("commune déléguée") || message.contains("commune associée"), "{message}");
    assert_eq!(warnings(&r, "duplicate_row").len(), added, "an old code next to its current commune counts once");
    assert!(warnings(&r, "unknown_commune").is_empty());
}

fn snapshot() -> Arc<Snapshot> {
    static SNAPSHOT: OnceLock<Arc<Snapshot>> = OnceLock::new();
    SNAPSHOT
        .get_or_init(|| {
            let geodata = repo().join("geodata");
            let atlas = cptsmap::atlas::Atlas::load(&cptsmap::atlas::AtlasSources {
                communes: vec![geodata.join("COMMUNE.shp")],
                arrondissements: Some(geodata.join("ARRONDISSEMENT_MUNICIPAL.shp")),
                names: Some(geodata.clone()),
                ..Default::default()
            })
            .unwrap();
            let list = read_territory_list(&geodata.join("cpts_demo_fictif.csv"), &atlas).unwrap();
            let coverage = compute(&atlas, list.territories, &Options::default(), list.warnings);
            Arc::new(Snapshot::new(atlas, coverage))
        })
        .clone()
}

/// The hits of the search route for a query.
fn search(query: &str) -> Vec<Value> {
    let app = cptsmap::http::router(snapshot());
    let uri = format!("/api/communes/search?q={}&limit=20", query.replace(' ', "%20"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (status, body) = runtime.block_on(async move {
        let response = app.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        (status, axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap())
    });
    assert_eq!(status, StatusCode::OK, "{query}");
    serde_json::from_slice::<Value>(&body).unwrap().as_array().unwrap().clone()
}

fn codes(hits: &[Value]) -> Vec<&str> {
    hits.iter().map(|h| h["code"].as_str().unwrap()).collect()
}

#[test]
fn the_search_route_finds_le_havre_with_or_without_its_article() {
    for query in ["havre", "le havre", "Le-Havre", "LE HAVRE"] {
        let hits = search(query);
        assert_eq!(hits[0]["code"], "76351", "{query}");
        assert_eq!(hits[0]["name"], "Le Havre");
        assert_eq!(hits[0]["kind"], "commune");
        assert_eq!(hits[0]["departement_name"], "Seine-Maritime");
        assert_eq!(hits[0]["matched"], Value::Null, "the name matched");
    }
}

#[test]
fn the_search_route_finds_arrondissements_by_postcode_and_city_code() {
    let hits = search("75005");
    assert_eq!(codes(&hits), ["75105"]);
    assert_eq!(hits[0]["kind"], "arrondissement");
    assert_eq!(hits[0]["matched"], "code postal 75005");
    let hits = search("13001");
    assert!(codes(&hits).contains(&"13201"), "the postcode of Marseille 1er: {hits:?}");
    assert!(codes(&hits).contains(&"13001"), "and the INSEE code of Aix-en-Provence");
    for (city, count) in [("13055", 16), ("75056", 20), ("69123", 9)] {
        let hits = search(city);
        assert_eq!(hits.len(), count, "{city}");
        assert!(hits.iter().all(|h| h["kind"] == "arrondissement"));
    }
}

#[test]
fn the_search_route_finds_the_current_commune_of_an_old_name() {
    let hits = search("Saint-Bois");
    let first = &hits[0];
    assert_eq!(first["code"], "01015", "{hits:?}");
    assert_eq!(first["name"], "Arboys en Bugey");
    assert_eq!(first["matched"], "ancienne commune Saint-Bois");
    assert!(snapshot().atlas.history.iter().any(|m| m.old_name == "Saint-Bois"));
}

#[test]
fn the_search_route_ranks_homonyms_by_population() {
    let hits = search("saint denis");
    let pops: Vec<u64> =
        hits.iter().take_while(|h| h["name"] == "Saint-Denis").map(|h| h["population"].as_u64().unwrap()).collect();
    assert!(pops.len() >= 2 && pops.windows(2).all(|w| w[0] >= w[1]), "{pops:?}");
}

#[test]
fn a_name_that_begins_a_larger_place_s_name_ranks_by_population() {
    // « Évry »: the préfecture Évry-Courcouronnes (91228) before the village of the Yonne
    // (89162), which still comes among the first.
    let hits = search("Évry");
    assert_eq!(hits[0]["code"], "91228", "{hits:?}");
    assert!(codes(&hits[..3]).contains(&"89162"), "{hits:?}");
    // Among names that begin with « Évry », the most populous first.
    let pops: Vec<u64> = hits.iter().take(3).map(|h| h["population"].as_u64().unwrap()).collect();
    assert!(pops.windows(2).all(|w| w[0] >= w[1]), "{pops:?}");
}
