//! The planning routes: a draft's figures (`POST /api/plan`), the zones
//! blanches a draft can start from, the units in a rectangle, and the
//! suggested cut of a zone blanche into drafts.
//!
//! A draft of every unit of France is ≈ 300 KB of JSON: this router takes
//! bodies up to [`PLAN_BODY_LIMIT`] and is merged outside the 16 KiB limit
//! of the others. Every computation runs off the async executor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use geo::InteriorPoint;
use serde_json::{Value, json};

use super::error::ApiError;
use super::layers::{area_param, bbox_param};
use super::routes::{JSON, json_response, respond};
use crate::plan::{Draft, DraftError, Ground, Suggestion, figures};
use crate::snapshot::{Body, Snapshot};

/// Largest body of `POST /api/plan`: room for every unit of France by code.
pub const PLAN_BODY_LIMIT: usize = 1024 * 1024;
/// Most units a rectangle may select.
pub const MAX_BOX_UNITS: usize = 3_000;
/// Most zones listed by `/api/plan/zones` (the count is complete).
const ZONES_LISTED: usize = 100;

/// The snapshot, and the suggestions already made (a zone's cut never changes).
pub struct Planner {
    snapshot: Arc<Snapshot>,
    suggestions: Mutex<HashMap<usize, Body>>,
}

type Shared = State<Arc<Planner>>;
type Params = Query<HashMap<String, String>>;

pub fn routes(snapshot: Arc<Snapshot>) -> Router {
    let planner = Arc::new(Planner { snapshot, suggestions: Mutex::default() });
    Router::new()
        .route("/api/plan", post(plan))
        .route("/api/plan/zones", get(zones))
        .route("/api/plan/zones/{zone}", get(zone))
        .route("/api/plan/zones/{zone}/suggestion", get(suggestion))
        .route("/api/plan/box", get(in_box))
        .layer(DefaultBodyLimit::max(PLAN_BODY_LIMIT))
        .with_state(planner)
}

fn ground(s: &Snapshot) -> Ground<'_> {
    Ground { atlas: &s.atlas, coverage: &s.coverage, topology: &s.topology }
}

/// The body of `POST /api/plan`.
#[derive(Debug, serde::Deserialize)]
struct PlanRequest {
    name: Option<String>,
    communes: Vec<String>,
}

/// `POST /api/plan` `{"name", "communes": [codes or names]}`: the figures of the draft.
async fn plan(State(p): Shared, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
            name: "body",
            detail: format!("corps de plus de {} Kio : un projet tient en moins", PLAN_BODY_LIMIT / 1024),
        },
        _ => ApiError::bad("body", format!("corps illisible : {e}")),
    })?;
    let request: PlanRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad(
            "body",
            format!("JSON invalide ({e}) ; attendu : {{\"name\": \"…\", \"communes\": [\"26113\", …]}}"),
        )
    })?;
    let snapshot = Arc::clone(&p.snapshot);
    let bytes = super::work::blocking(move || {
        let s = &snapshot;
        let draft = Draft::resolve(&s.atlas, request.name.as_deref(), &request.communes).map_err(|e| match e {
            DraftError::NameTooLong(_) => ApiError::bad("name", e.to_string()),
            _ => ApiError::bad("communes", e.to_string()),
        })?;
        Ok::<_, ApiError>(figures::compute(ground(s), &draft).to_json())
    })
    .await??;
    let mut response = ([(header::CONTENT_TYPE, JSON)], bytes).into_response();
    // Figures of a draft answer one request: nothing to keep.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The 1-based rank of a national zone blanche in the path.
fn zone_index(s: &Snapshot, raw: &str) -> Result<usize, ApiError> {
    let count = s.coverage.report.uncovered_zones.zones.len();
    raw.parse::<usize>().ok().filter(|z| (1..=count).contains(z)).map(|z| z - 1).ok_or_else(|| {
        ApiError::not_found(format!("zone blanche « {raw} » inconnue ({count} zones, numérotées de 1 à {count})"))
    })
}

/// A zone blanche as the planner lists it; `codes` only when asked.
fn zone_json(s: &Snapshot, z: usize, with_codes: bool) -> Value {
    let zone = &s.coverage.report.uncovered_zones.zones[z];
    let main = figures::main_unit(&s.atlas, &zone.members).map(|u| s.atlas.unit(u).code);
    let mut value = json!({
        "zone": z + 1,
        "main_unit": zone.main_unit,
        "main_code": main,
        "units": zone.units,
        "population": zone.population,
        "departements": zone.departements,
        "bbox": crate::summary::bbox(&s.atlas, &zone.members),
    });
    if with_codes {
        value["codes"] = json!(zone.codes);
    }
    value
}

/// `GET /api/plan/zones?region=|departement=|epci=|cpts=`: the zones blanches
/// (any stage, national) with a unit in the area, most populous first.
async fn zones(State(p): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let s = Arc::clone(&p.snapshot);
    let area = area_param(&s, &params)?;
    let snapshot = Arc::clone(&s);
    let value = super::work::blocking(move || {
        let s = &snapshot;
        let reaching: Vec<usize> = (0..s.coverage.report.uncovered_zones.zones.len())
            .filter(|&z| {
                s.coverage.report.uncovered_zones.zones[z]
                    .members
                    .iter()
                    .any(|&u| area.contains(&s.atlas, &s.coverage, u))
            })
            .collect();
        let population: u64 = reaching.iter().map(|&z| s.coverage.report.uncovered_zones.zones[z].population).sum();
        let list: Vec<Value> = reaching.iter().take(ZONES_LISTED).map(|&z| zone_json(s, z, false)).collect();
        json!({"count": reaching.len(), "population": population, "list": list})
    })
    .await?;
    json_response(&s, &headers, &value)
}

/// `GET /api/plan/zones/{zone}`: one zone blanche with its codes (to start a draft from it).
async fn zone(State(p): Shared, headers: HeaderMap, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let s = &p.snapshot;
    let z = zone_index(s, &raw)?;
    json_response(s, &headers, &zone_json(s, z, true))
}

/// `GET /api/plan/zones/{zone}/suggestion`: the zone cut into drafts of CPTS
/// size, each with its outline; made once per zone, then kept.
async fn suggestion(State(p): Shared, headers: HeaderMap, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let z = zone_index(&p.snapshot, &raw)?;
    let kept = p.suggestions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&z).cloned();
    let body = match kept {
        Some(body) => body,
        None => {
            let planner = Arc::clone(&p);
            let body = super::work::blocking(move || suggestion_body(&planner.snapshot, z)).await??;
            p.suggestions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(z, body.clone());
            body
        }
    };
    Ok(respond(&headers, body, JSON, &[]))
}

fn suggestion_body(s: &Snapshot, z: usize) -> Result<Body, ApiError> {
    let started = std::time::Instant::now();
    let g = ground(s);
    let suggestion = Suggestion::for_zone(g, z).ok_or_else(|| ApiError::not_found("zone blanche inconnue"))?;
    let elapsed = started.elapsed();
    let mut value = serde_json::to_value(&suggestion).map_err(|e| ApiError::Internal(e.to_string()))?;
    let exact = s.topology.exact(&s.atlas);
    for (c, candidate) in suggestion.candidates.iter().enumerate() {
        let units = &candidate.units;
        let shape = crate::dissolve::dissolve(&s.topology, &exact, units, &|u| units.binary_search(&u).is_ok()).shape;
        let mut geometry = Vec::new();
        let geometry = if crate::export::geojson::encode_geometry(&shape, &mut geometry) {
            serde_json::from_slice(&geometry).map_err(|e| ApiError::Internal(e.to_string()))?
        } else {
            Value::Null
        };
        value["candidates"][c]["geometry"] = geometry;
    }
    value["computed_in_ms"] = json!((elapsed.as_secs_f64() * 1e4).round() / 10.0);
    super::routes::json_body(s, &value)
}

/// `GET /api/plan/box?bbox=west,south,east,north`: the units whose interior
/// point lies in the rectangle (what a planner selects by dragging a box).
async fn in_box(State(p): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let s = Arc::clone(&p.snapshot);
    let rect = bbox_param(&params)?.ok_or_else(|| ApiError::bad("bbox", "paramètre bbox manquant"))?;
    let snapshot = Arc::clone(&s);
    let codes = super::work::blocking(move || {
        let s = &snapshot;
        let mut candidates: Vec<_> = s.index.candidates(rect).collect();
        candidates.sort_unstable();
        if candidates.len() > 4 * MAX_BOX_UNITS {
            return Err(too_many());
        }
        let inside: Vec<_> = candidates
            .into_iter()
            .filter(|&u| {
                let point = s.atlas.unit(u).contour.as_ref().and_then(|mp| mp.interior_point());
                point.is_some_and(|p| geo::Intersects::intersects(&rect, &p))
            })
            .map(|u| s.atlas.unit(u).code)
            .collect();
        if inside.len() > MAX_BOX_UNITS { Err(too_many()) } else { Ok(inside) }
    })
    .await??;
    json_response(&s, &headers, &json!({ "codes": codes }))
}

fn too_many() -> ApiError {
    ApiError::TooLarge {
        name: "bbox",
        detail: format!("plus de {MAX_BOX_UNITS} communes dans ce rectangle : tracez-en un plus petit"),
    }
}
