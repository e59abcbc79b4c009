//! `GET /api/timeline?level=&code=`: an area's coverage month by month by
//! cumulative stage, the territories at each stage, the projection to 100 %
//! and, for France, the published milestones — the series of
//! `cptsmap history`, for the map's chart.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::dated::level_param;
use super::error::ApiError;
use super::routes::{JSON, json_body, respond};
use super::web::Web;
use crate::area::{Area, Level};
use crate::snapshot::{Body, Snapshot};
use crate::timeline::dates::today;
use crate::timeline::history::{AreaKey, Grouping, compute, default_range};
use crate::timeline::milestones;

type Params = Query<HashMap<String, String>>;

pub async fn timeline(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let s = &web.snapshot;
    let level = level_param(&params)?;
    let area = match level {
        Level::France => Area::France,
        _ => {
            let code = params.get("code").map(|c| c.trim()).unwrap_or("");
            Area::resolve("code", level, code, &s.coverage).map_err(|e| ApiError::bad(e.parameter, e.detail))?
        }
    };
    // Kept with the page's other answers, under the area rather than the address.
    let key = format!("timeline/{}/{}", level.key(), area.code().unwrap_or(""));
    let snapshot = Arc::clone(s);
    let body = web.cache.get_or_make(&key, move || series(&snapshot, &area)).await?;
    Ok(respond(&headers, body, JSON, &[]))
}

/// The series of one area as JSON.
fn series(s: &Snapshot, area: &Area) -> Result<Body, ApiError> {
    let territories = &s.coverage.territories;
    let units = area.units(&s.atlas, &s.coverage);
    let key = AreaKey {
        level: area.level().key(),
        code: area.code().map(str::to_string),
        name: area.name(&s.atlas, &s.coverage),
    };
    let milestones = if *area == Area::France { milestones::national() } else { Vec::new() };
    let fictional = s.coverage.report.data.fictional;
    let Some((from, to)) = default_range(territories, today()) else {
        let value = json!({
            "level": key.level, "code": key.code, "name": key.name, "months": [], "stages": [], "projection": [],
            "milestones": milestones, "day_of_month": 1, "fictional": fictional,
        });
        return json_body(s, &value);
    };
    let grouping =
        if *area == Area::France { Grouping::national(&s.atlas) } else { Grouping::one(&s.atlas, key, &units) };
    let mut history = compute(&s.atlas, territories, &grouping, from, to);
    let Some(a) = history.areas.pop() else { return Err(ApiError::Internal("historique sans zone".into())) };
    let value = json!({
        "level": a.level,
        "code": a.code,
        "name": a.name,
        "population": a.population,
        "from": history.from,
        "to": history.to,
        "day_of_month": history.day_of_month,
        "months": history.months,
        "stages": a.stages,
        "projection": a.projection,
        "milestones": milestones,
        "undated": history.undated,
        "fictional": fictional,
    });
    json_body(s, &value)
}
