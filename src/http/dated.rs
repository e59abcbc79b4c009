//! `?at=AAAA-MM-JJ`: the answers that follow the map's date. Without it, the
//! figures of today's list; with it, the situation on that date (each
//! territory at the highest stage dated on or before it, as `report --at`),
//! from a view computed off the async executor on the date's first request
//! and kept in the snapshot's bounded cache ([`crate::dated`]).
//!
//! Also the national figures, régions and départements, which the map's
//! panel and table ask at every date.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiError;
use super::routes::{JSON, json_body, kept, respond};
use crate::area::{Area, Level};
use crate::coverage::Coverage;
use crate::dated::DatedView;
use crate::snapshot::Snapshot;
use crate::territory::IsoDate;

type Shared = State<Arc<Snapshot>>;
type Params = Query<HashMap<String, String>>;

/// `?at=`, when given: `AAAA-MM-JJ` (or `JJ/MM/AAAA`).
pub(super) fn at_param(params: &HashMap<String, String>) -> Result<Option<IsoDate>, ApiError> {
    params
        .get("at")
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.parse::<IsoDate>().map_err(|e| ApiError::bad("at", e.to_string())))
        .transpose()
}

/// The view of `?at=` (`None`: today), computed off the executor on the date's first request.
pub(super) async fn view(
    s: &Arc<Snapshot>,
    params: &HashMap<String, String>,
) -> Result<Option<Arc<DatedView>>, ApiError> {
    let Some(date) = at_param(params)? else { return Ok(None) };
    if let Some(view) = s.dated.ready(date) {
        return Ok(Some(view));
    }
    let snapshot = Arc::clone(s);
    let view = super::work::blocking(move || snapshot.dated.get(&snapshot, date)).await?;
    Ok(Some(view))
}

/// The coverage an answer counts: the date's, or today's.
pub(super) fn coverage<'a>(s: &'a Snapshot, view: Option<&'a Arc<DatedView>>) -> &'a Coverage {
    view.map_or(&s.coverage, |v| &v.coverage)
}

/// The area of the query parameters in a coverage. A CPTS that had no dated
/// stage yet on the view's date is not an area of that date: a 404 saying when it starts.
pub(super) fn area_in(
    s: &Snapshot,
    view: Option<&Arc<DatedView>>,
    params: &HashMap<String, String>,
) -> Result<Area, ApiError> {
    let coverage = coverage(s, view);
    Area::from_params(|name| params.get(name).map(String::as_str), coverage).map_err(|e| {
        let id = params.get("cpts").map(|c| c.trim());
        let later = id.and_then(|id| s.coverage.territories.iter().find(|t| t.id == id));
        match (view, later) {
            (Some(v), Some(t)) if e.parameter == "cpts" => {
                let first = crate::timeline::dates::DATED.into_iter().filter_map(|st| Some((t.date_of(st)?, st))).min();
                let since = first.map_or("aucun de ses stades n'est daté".to_string(), |(d, st)| {
                    format!("premier stade daté : {} le {d}", st.label().to_lowercase())
                });
                ApiError::not_found(format!("la CPTS « {} » n'avait aucun stade au {} ({since})", t.name, v.date))
            }
            _ => ApiError::bad(e.parameter, e.detail),
        }
    })
}

/// A prepared answer: kept per data version for today, per date in the date's view.
fn prepared(
    s: &Snapshot,
    view: Option<&Arc<DatedView>>,
    name: &str,
    make: impl FnOnce(&Coverage) -> Result<crate::snapshot::Body, ApiError>,
) -> Result<crate::snapshot::Body, ApiError> {
    match view {
        None => kept(s, name, || make(&s.coverage)),
        Some(v) => v.answer(name, || make(&v.coverage)),
    }
}

/// `GET /api/summary?at=`: the national figures.
pub async fn summary(State(s): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let view = view(&s, &params).await?;
    let body = prepared(&s, view.as_ref(), "summary", |c| {
        let r = &c.report;
        let value = json!({
            "population": r.population,
            "units": r.units,
            "covered": r.covered,
            "by_stage": r.by_stage,
            "fictional": r.data.fictional,
            "data": r.data,
            "as_of": r.data.as_of,
            "undated": r.undated,
            "territories": r.cpts.len(),
            "overlaps": {"units": r.overlaps.units, "population": r.overlaps.population},
            "uncovered_zones": {"count": r.uncovered_zones.count, "population": r.uncovered_zones.population},
            "warnings": r.warnings.len() + s.topology_warnings.len(),
            "notes": r.notes.len(),
        });
        json_body(&s, &value)
    })?;
    Ok(respond(&headers, body, JSON, &[]))
}

/// `GET /api/regions?at=`: every région's figures.
pub async fn regions(State(s): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let view = view(&s, &params).await?;
    let body = prepared(&s, view.as_ref(), "regions", |c| json_body(&s, &c.report.regions))?;
    Ok(respond(&headers, body, JSON, &[]))
}

/// `GET /api/departements?at=`: every département's figures.
pub async fn departements(State(s): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let view = view(&s, &params).await?;
    let body = prepared(&s, view.as_ref(), "departements", |c| json_body(&s, &c.report.departements))?;
    Ok(respond(&headers, body, JSON, &[]))
}

/// The level named by `?level=` of `/api/timeline` (France by default).
pub(super) fn level_param(params: &HashMap<String, String>) -> Result<Level, ApiError> {
    match params.get("level").map(|l| l.trim()) {
        None | Some("") | Some("france") | Some("national") => Ok(Level::France),
        Some("region") => Ok(Level::Region),
        Some("departement") => Ok(Level::Departement),
        Some("epci") => Ok(Level::Epci),
        Some("cpts") => Ok(Level::Cpts),
        Some(other) => Err(ApiError::bad(
            "level",
            format!("niveau « {other} » inconnu ; niveaux : france, region, departement, epci, cpts"),
        )),
    }
}
