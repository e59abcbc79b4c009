//! The routes of the API. Handlers read the snapshot and shape answers;
//! they compute nothing heavy (layers are drawn once and kept).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::atlas::Resolved;
use crate::commune::{InseeCode, UnitId, UnitKind};
use crate::snapshot::{Body, Coding, Snapshot};

type Shared = State<Arc<Snapshot>>;
type Params = Query<HashMap<String, String>>;

pub fn routes() -> Router<Arc<Snapshot>> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/summary", get(super::dated::summary))
        .route("/api/regions", get(super::dated::regions))
        .route("/api/regions/{code}", get(region))
        .route("/api/departements", get(super::dated::departements))
        .route("/api/departements/{code}", get(departement))
        .route("/api/communes", get(commune_at))
        .route("/api/communes/search", get(search))
        .route("/api/communes/{code}", get(commune))
        .route("/api/cpts", get(cpts_list))
        .route("/api/cpts/{id}", get(cpts_one))
        .fallback(static_file)
}

/// The page in `web/`, embedded in the binary so that one file runs anywhere,
/// offline. Only embedded files can be served: a path cannot escape `web/`.
#[derive(rust_embed::RustEmbed)]
#[folder = "web/"]
#[exclude = "*.md"]
struct Assets;

async fn static_file(
    State(s): Shared,
    method: Method,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") || path == "api" {
        return Err(ApiError::not_found("aucune ressource à cette adresse"));
    }
    // The page's files are only read.
    if method != Method::GET && method != Method::HEAD {
        return Err(ApiError::MethodNotAllowed { method: method.to_string(), allow: "GET, HEAD".into() });
    }
    let path = if path.is_empty() { "index.html" } else { path };
    let file = Assets::get(path).ok_or_else(|| ApiError::not_found(format!("aucun fichier « {path} »")))?;
    let mime: &'static str = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    Ok(respond(&headers, asset_body(path, file, &s.version), mime, &[]))
}

/// Embedded files never change while the binary runs: each is compressed on
/// first request and kept (brotli on Leaflet alone costs a few hundred ms).
fn asset_body(path: &str, file: rust_embed::EmbeddedFile, version: &str) -> Body {
    static BODIES: std::sync::OnceLock<std::sync::Mutex<HashMap<String, Body>>> = std::sync::OnceLock::new();
    let bodies = BODIES.get_or_init(Default::default);
    let mut bodies = bodies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    bodies.entry(path.to_string()).or_insert_with(|| Body::new(file.data.into_owned(), version)).clone()
}

pub(super) const JSON: &str = "application/json";
pub(super) const GEOJSON: &str = "application/geo+json";
/// Figures change only with the data; let browsers and proxies revalidate.
const CACHE: &str = "public, max-age=300, must-revalidate";

/// The best coding the client accepts (brotli, then gzip), for bodies worth compressing.
fn coding(headers: &HeaderMap, size: usize) -> Coding {
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let accepts = |name: &str| {
        accepted.split(',').any(|c| {
            let mut parts = c.split(';');
            parts.next().is_some_and(|n| n.trim() == name) && !parts.any(|p| p.trim().replace(' ', "") == "q=0")
        })
    };
    if size < 1024 {
        Coding::Identity
    } else if accepts("br") {
        Coding::Brotli
    } else if accepts("gzip") {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// A cached answer: 304 when the client already has it, compressed once, off
/// the async workers when large (the compression layer leaves bodies that
/// already have an encoding alone).
pub(super) fn respond(
    headers: &HeaderMap,
    body: Body,
    content_type: &'static str,
    extra: &[(header::HeaderName, String)],
) -> Response {
    let etag = HeaderValue::from_str(&body.etag).unwrap_or(HeaderValue::from_static("\"0\""));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == body.etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let coding = coding(headers, body.bytes.len());
        let mut r = ([(header::CONTENT_TYPE, content_type)], super::work::encoded(&body, coding)).into_response();
        let name = match coding {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        };
        if let Some(name) = name {
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name.clone(), v);
        }
    }
    response
}

pub(super) fn json_body(snapshot: &Snapshot, value: &impl Serialize) -> Result<Body, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Body::new(bytes, &snapshot.version))
}

pub(super) fn json_response(s: &Snapshot, headers: &HeaderMap, value: &impl Serialize) -> Result<Response, ApiError> {
    Ok(respond(headers, json_body(s, value)?, JSON, &[]))
}

async fn health(State(s): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    let r = &s.coverage.report;
    json_response(
        &s,
        &headers,
        &json!({
            "status": "ok",
            "version": s.version,
            "units": r.units,
            "territories": r.cpts.len(),
            "data": r.data,
            "data_date": s.data_date,
            // Borders without exact counterpart, snapped vertices: what the topology could not match.
            "topology_warnings": s.topology_warnings,
        }),
    )
}

async fn region(State(s): Shared, headers: HeaderMap, Path(code): Path<String>) -> Result<Response, ApiError> {
    let r = &s.coverage.report;
    let area = r
        .regions
        .iter()
        .find(|a| a.code == code)
        .ok_or_else(|| ApiError::not_found(format!("région « {code} » inconnue")))?;
    let deps: Vec<&str> =
        r.departements.iter().filter(|d| d.region.as_deref() == Some(code.as_str())).map(|d| d.code.as_str()).collect();
    let mut value = serde_json::to_value(area).map_err(|e| ApiError::Internal(e.to_string()))?;
    value["departements"] = json!(deps);
    value["bbox"] = json!(bbox_of(&s, |u| s.atlas.unit(u).region == code));
    json_response(&s, &headers, &value)
}

async fn departement(State(s): Shared, headers: HeaderMap, Path(code): Path<String>) -> Result<Response, ApiError> {
    let area = s
        .coverage
        .report
        .departements
        .iter()
        .find(|a| a.code == code)
        .ok_or_else(|| ApiError::not_found(format!("département « {code} » inconnu")))?;
    let mut value = serde_json::to_value(area).map_err(|e| ApiError::Internal(e.to_string()))?;
    value["bbox"] = json!(bbox_of(&s, |u| s.atlas.unit(u).departement == code));
    json_response(&s, &headers, &value)
}

/// `[west, south, east, north]` of the units matching, for zooming a map.
fn bbox_of(s: &Snapshot, keep: impl Fn(UnitId) -> bool) -> Option<[f64; 4]> {
    let boxes = (0..s.atlas.units.len() as UnitId).filter(|&u| keep(u)).filter_map(|u| s.atlas.unit(u).bbox);
    boxes.fold(None, |acc, b| {
        Some(match acc {
            None => [b.min().x, b.min().y, b.max().x, b.max().y],
            Some([w, so, e, n]) => [w.min(b.min().x), so.min(b.min().y), e.max(b.max().x), n.max(b.max().y)],
        })
    })
}

/// The card of a unit: figures, covering territories, uncovered zone (in a
/// coverage: today's, or a past date's).
pub(super) fn card(s: &Snapshot, coverage: &crate::coverage::Coverage, u: UnitId) -> Value {
    let unit = s.atlas.unit(u);
    let cpts: Vec<Value> = coverage.covering[u as usize]
        .iter()
        .map(|&t| {
            let t = &coverage.territories[t as usize];
            json!({"id": t.id, "name": t.name, "stage": t.stage, "stage_label": t.stage.label()})
        })
        .collect();
    let zone = coverage.zone_of[u as usize].map(|z| {
        let zone = &coverage.report.uncovered_zones.zones[z as usize];
        json!({"zone": z + 1, "units": zone.units, "population": zone.population, "main_unit": zone.main_unit})
    });
    json!({
        "code": unit.code,
        "name": unit.name,
        "kind": match unit.kind { UnitKind::Commune => "commune", UnitKind::Arrondissement { .. } => "arrondissement" },
        "population": unit.population,
        "departement": unit.departement,
        "departement_name": s.atlas.names.departement(&unit.departement),
        "region": unit.region,
        "region_name": s.atlas.names.region(&unit.region),
        "epcis": unit.epcis.iter().map(|e| json!({"code": e, "name": s.atlas.names.epci(e)})).collect::<Vec<_>>(),
        "cpts": cpts,
        "uncovered_zone": zone,
        "bbox": unit.bbox.map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]),
        "fictional": s.coverage.report.data.fictional,
        "as_of": coverage.report.data.as_of,
    })
}

async fn commune(
    State(s): Shared,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let parsed: InseeCode =
        code.parse().map_err(|e: crate::commune::InvalidInseeCode| ApiError::bad("code", e.to_string()))?;
    let view = super::dated::view(&s, &params).await?;
    let coverage = super::dated::coverage(&s, view.as_ref());
    match s.atlas.resolve(parsed) {
        Resolved::Unit(u) => json_response(&s, &headers, &card(&s, coverage, u)),
        Resolved::City(arrs) => {
            let list: Vec<String> = arrs.iter().map(|&u| s.atlas.unit(u).code.to_string()).collect();
            Err(ApiError::not_found(format!("{code} est remplacée par ses arrondissements : {}", list.join(", "))))
        }
        Resolved::Unknown => Err(ApiError::not_found(format!("aucune commune ni arrondissement de code {code}"))),
    }
}

pub(super) fn number(
    params: &HashMap<String, String>,
    name: &'static str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, ApiError> {
    let raw = params.get(name).ok_or_else(|| ApiError::bad(name, format!("paramètre {name} manquant")))?;
    let v: f64 = raw.parse().map_err(|_| ApiError::bad(name, format!("« {raw} » n'est pas un nombre")))?;
    if v.is_finite() && range.contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::bad(name, format!("{v} hors de [{}, {}]", range.start(), range.end())))
    }
}

async fn commune_at(State(s): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let lon = number(&params, "lon", -180.0..=180.0)?;
    let lat = number(&params, "lat", -90.0..=90.0)?;
    let u = s
        .index
        .locate(&s.atlas, lon, lat)
        .ok_or_else(|| ApiError::not_found(format!("aucune commune au point ({lon}, {lat})")))?;
    // The same card as /api/communes/{code}, on the same date.
    let view = super::dated::view(&s, &params).await?;
    json_response(&s, &headers, &card(&s, super::dated::coverage(&s, view.as_ref()), u))
}

/// Largest number of results a search returns (communes or CPTS).
const SEARCH_LIMIT: usize = 50;

/// `?q=&limit=` of a search: the trimmed text (1 to 100 characters) and how
/// many results (10 unless said, at most [`SEARCH_LIMIT`]).
pub(super) fn search_params(params: &HashMap<String, String>) -> Result<(&str, usize), ApiError> {
    let q = params
        .get("q")
        .map(|q| q.trim())
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad("q", "texte à chercher manquant"))?;
    if q.chars().count() > 100 {
        return Err(ApiError::bad("q", "100 caractères au plus"));
    }
    let limit = match params.get("limit") {
        None => 10,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=SEARCH_LIMIT).contains(l))
            .ok_or_else(|| ApiError::bad("limit", format!("« {l} » : entier de 1 à {SEARCH_LIMIT} attendu")))?,
    };
    Ok((q, limit))
}

async fn search(State(s): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let (q, limit) = search_params(&params)?;
    let hits: Vec<Value> = s
        .search
        .search(&s.atlas, q, limit)
        .into_iter()
        .map(|hit| {
            let unit = s.atlas.unit(hit.unit);
            let kind = match unit.kind {
                UnitKind::Commune => "commune",
                UnitKind::Arrondissement { .. } => "arrondissement",
            };
            json!({
                "code": unit.code,
                "name": unit.name,
                "kind": kind,
                "departement": unit.departement,
                "departement_name": s.atlas.names.departement(&unit.departement),
                "population": unit.population,
                "matched": hit.matched,
            })
        })
        .collect();
    json_response(&s, &headers, &hits)
}

async fn cpts_list(State(s): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    json_response(&s, &headers, &s.coverage.report.cpts)
}

async fn cpts_one(State(s): Shared, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (t, figures) = s
        .coverage
        .territories
        .iter()
        .zip(&s.coverage.report.cpts)
        .find(|(t, _)| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("aucune CPTS d'identifiant « {id} »")))?;
    let mut value = serde_json::to_value(figures).map_err(|e| ApiError::Internal(e.to_string()))?;
    value["communes"] = t
        .units
        .iter()
        .map(|&u| {
            let unit = s.atlas.unit(u);
            json!({"code": unit.code, "name": unit.name, "population": unit.population})
        })
        .collect();
    value["bbox"] = json!(bbox_of(&s, |u| t.units.binary_search(&u).is_ok()));
    json_response(&s, &headers, &value)
}

/// Answers that depend on the data only, made and compressed once per data
/// version (the page asks them on every visit; brotli per request cost more
/// than the rest of the request).
pub(super) fn kept(s: &Snapshot, key: &str, make: impl FnOnce() -> Result<Body, ApiError>) -> Result<Body, ApiError> {
    static KEPT: std::sync::OnceLock<std::sync::Mutex<HashMap<String, Body>>> = std::sync::OnceLock::new();
    let key = format!("{}/{key}", s.version);
    let kept = KEPT.get_or_init(Default::default);
    if let Some(body) = kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key) {
        return Ok(body.clone());
    }
    let body = make()?;
    kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key, body.clone());
    Ok(body)
}

/// Compresses the embedded page files ahead of the first visit.
pub(super) fn warm_assets(version: &str) {
    for path in Assets::iter() {
        if let Some(file) = Assets::get(&path) {
            let body = asset_body(&path, file, version);
            body.encoded(Coding::Brotli);
            body.encoded(Coding::Gzip);
        }
    }
}
