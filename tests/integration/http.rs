//! The HTTP API: the router without a socket (`oneshot`) for every route and
//! error case, and the real binary on a socket for compression, 304s and
//! shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::coverage::{Options, compute};
use cptsmap::load::territories::read_territory_list;
use cptsmap::snapshot::Snapshot;
use geo::InteriorPoint;
use serde_json::Value;
use tower::ServiceExt;

use crate::util::{national_report, repo};

pub fn national() -> Arc<Snapshot> {
    static SNAPSHOT: OnceLock<Arc<Snapshot>> = OnceLock::new();
    SNAPSHOT
        .get_or_init(|| {
            let geodata = repo().join("geodata");
            let atlas = Atlas::load(&AtlasSources {
                communes: vec![geodata.join("COMMUNE.shp")],
                arrondissements: Some(geodata.join("ARRONDISSEMENT_MUNICIPAL.shp")),
                population: None,
                names: Some(geodata.clone()),
                ..AtlasSources::default()
            })
            .unwrap();
            let cpts = geodata.join("cpts_demo_fictif.csv");
            let list = read_territory_list(&cpts, &atlas).unwrap();
            let mut coverage = compute(&atlas, list.territories, &Options::default(), list.warnings);
            coverage.report.data.fictional = true;
            coverage.report.data.cpts = Some(cpts.display().to_string());
            Arc::new(Snapshot::new(atlas, coverage))
        })
        .clone()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap())
}

/// GET through the router; status, headers and body.
pub fn get(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let app = cptsmap::http::router(national());
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    runtime().block_on(async move {
        let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
        (parts.status, parts.headers, bytes)
    })
}

pub fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = get(uri, &[]);
    (status, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{uri}: {e}")))
}

#[test]
fn figures_routes_match_the_report() {
    let r = national_report();
    let (status, summary) = get_json("/api/summary");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["population"], r["population"]);
    assert_eq!(summary["by_stage"], r["by_stage"]);
    assert_eq!(summary["fictional"], true);
    assert_eq!(get_json("/api/regions").1, r["regions"]);
    assert_eq!(get_json("/api/departements").1, r["departements"]);
    let (_, dep) = get_json("/api/departements/2A");
    assert_eq!(dep["name"], "Corse-du-Sud");
    assert_eq!(dep["bbox"].as_array().unwrap().len(), 4);
    let (_, reg) = get_json("/api/regions/94");
    assert_eq!(reg["departements"], serde_json::json!(["2A", "2B"]));
    let (_, cpts) = get_json("/api/cpts");
    assert_eq!(cpts.as_array().unwrap().len(), r["cpts"].as_array().unwrap().len());
    let first = r["cpts"][0]["id"].as_str().unwrap();
    let (_, one) = get_json(&format!("/api/cpts/{first}"));
    assert_eq!(one["population"], r["cpts"][0]["population"]);
    assert_eq!(one["communes"].as_array().unwrap().len() as u64, r["cpts"][0]["units"].as_u64().unwrap());
    let (_, health) = get_json("/api/health");
    assert_eq!(health["status"], "ok");
    let (_, timeline) = get_json("/api/timeline");
    let aci = timeline["stages"][0]["population"].as_array().unwrap();
    assert_eq!(timeline["stages"][0]["stage"], "aci_signe");
    assert!(aci.windows(2).all(|w| w[0].as_u64() <= w[1].as_u64()));
    assert_eq!(aci.last().unwrap(), &r["by_stage"][0]["population"], "all ACI signed by the last month");
}

#[test]
fn every_unit_lookup_agrees_with_the_report_and_its_interior_point_finds_it() {
    let s = national();
    let mut by_unit: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (t, territory) in s.coverage.territories.iter().enumerate() {
        let _ = t;
        for &u in &territory.units {
            by_unit.entry(s.atlas.unit(u).code.to_string()).or_default().push(territory.id.clone());
        }
    }
    for unit in &s.atlas.units {
        let code = unit.code.to_string();
        let (status, card) = get_json(&format!("/api/communes/{code}"));
        assert_eq!(status, StatusCode::OK, "{code}");
        let mut listed: Vec<String> =
            card["cpts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
        listed.sort();
        let mut expected = by_unit.get(&code).cloned().unwrap_or_default();
        expected.sort();
        assert_eq!(listed, expected, "{code}");
        if let Some(p) = unit.contour.as_ref().and_then(|c| c.interior_point()) {
            let (status, at) = get_json(&format!("/api/communes?lon={}&lat={}", p.x(), p.y()));
            assert_eq!(status, StatusCode::OK, "{code} at {p:?}");
            assert_eq!(at["code"], code.as_str(), "interior point of {code}");
        }
    }
}

#[test]
fn search_ignores_accents_case_hyphens_and_abbreviations() {
    let first =
        |q: &str| get_json(&format!("/api/communes/search?q={q}")).1[0]["code"].as_str().unwrap_or("").to_string();
    assert_eq!(first("Paimb%C5%93uf"), "44116");
    assert_eq!(first("paimboeuf"), "44116");
    assert_eq!(first("st%20etienne"), "42218");
    assert_eq!(first("13214"), "13214");
    assert_eq!(first("marseille%2014"), "13214");
    let (_, many) = get_json("/api/communes/search?q=saint&limit=50");
    assert_eq!(many.as_array().unwrap().len(), 50);
}

#[test]
fn bad_parameters_are_400_naming_the_parameter_and_unknowns_404() {
    for (uri, parameter) in [
        ("/api/communes?lon=abc&lat=45", "lon"),
        ("/api/communes?lon=2", "lat"),
        ("/api/communes?lon=2&lat=95", "lat"),
        ("/api/communes/search", "q"),
        ("/api/communes/search?q=a&limit=0", "limit"),
        ("/api/communes/ABCDE", "code"),
        ("/api/layers/cpts.json", "layer"),
        ("/api/layers/roads.geojson", "layer"),
        ("/api/layers/cpts.geojson?stage=bof", "stage"),
        ("/api/layers/cpts.geojson?zoom=99", "zoom"),
        ("/api/layers/communes.geojson?bbox=3,2,1", "bbox"),
        ("/api/layers/communes.geojson", "bbox"),
        ("/api/export/cpts.geojson?departement=00", "departement"),
    ] {
        let (status, body) = get_json(uri);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["parameter"], parameter, "{uri}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    for uri in [
        "/api/communes/01999",
        "/api/communes/75056",
        "/api/cpts/nope",
        "/api/regions/99",
        "/api/nothing",
        "/api/communes?lon=-5.5&lat=46",
    ] {
        let (status, body) = get_json(uri);
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(body["error"], "not_found");
    }
}

#[test]
fn layers_are_geojson_with_etags_304s_and_downloads() {
    let (status, headers, body) = get("/api/layers/uncovered.geojson?zoom=5", &[]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    let etag = headers["etag"].to_str().unwrap().to_string();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["features"].as_array().unwrap().len() as u64,
        national_report()["uncovered_zones"]["count"].as_u64().unwrap()
    );
    let (again, _, empty) = get("/api/layers/uncovered.geojson?zoom=5", &[("if-none-match", &etag)]);
    assert_eq!(again, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    // The national view is lighter than the full resolution.
    let (_, _, coarse) = get("/api/layers/departements.geojson?zoom=5", &[]);
    let (_, _, exact) = get("/api/layers/departements.geojson?zoom=12", &[]);
    assert!(coarse.len() * 3 < exact.len(), "{} vs {}", coarse.len(), exact.len());
    // Communes only for the box on screen.
    let (_, _, paris) = get("/api/layers/communes.geojson?bbox=2.25,48.81,2.42,48.90&zoom=12", &[]);
    let v: Value = serde_json::from_slice(&paris).unwrap();
    let codes: Vec<&str> =
        v["features"].as_array().unwrap().iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"75101") && codes.len() < 200, "{}", codes.len());
    let (status, headers, _) = get("/api/export/cpts.geojson?departement=23", &[]);
    assert_eq!(status, StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"cptsmap_territoires-cpts_tout-stade_dep-23_")
            && disposition.ends_with(".geojson\""),
        "{disposition}"
    );
}

/// One HTTP/1.1 request on a fresh connection; the raw response head and body.
fn raw(addr: &str, request: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(bytes.len());
    (String::from_utf8_lossy(&bytes[..split]).to_lowercase(), bytes[(split + 4).min(bytes.len())..].to_vec())
}

#[test]
fn the_binary_serves_on_a_socket_compresses_revalidates_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cptsmap"))
        .args(["serve", "--port", "0"])
        .current_dir(repo())
        .env("RUST_LOG", "off")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let addr = loop {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "server stopped: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if let Some(start) = seen.find("http://") {
            let rest = &seen[start + 7..];
            if let Some(end) = rest.find('/') {
                break rest[..end].to_string();
            }
        }
    };
    let request =
        |path: &str, extra: &str| format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    let (head, _) = raw(&addr, &request("/api/layers/departements.geojson?zoom=5", "Accept-Encoding: gzip\r\n"));
    assert!(head.starts_with("http/1.1 200") && head.contains("content-encoding: gzip"), "{head}");
    let (head, _) = raw(&addr, &request("/api/departements", "Accept-Encoding: br\r\n"));
    assert!(head.contains("content-encoding: br"), "{head}");
    let etag = head.lines().find_map(|l| l.strip_prefix("etag: ")).unwrap().trim().to_string();
    let (head, body) = raw(&addr, &request("/api/departements", &format!("If-None-Match: {etag}\r\n")));
    assert!(head.starts_with("http/1.1 304") && body.is_empty(), "{head}");
    // Graceful shutdown on SIGTERM.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // The port is free again, and a second server on a port in use fails fast with a clear message.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_cptsmap"))
        .args(["serve", "--port", &port])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("port déjà utilisé"));
}
