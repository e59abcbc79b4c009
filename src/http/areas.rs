//! What the page's panel and map ask about an area: its summary at a stage,
//! its outline, the place names to label, the unit under a click, and the
//! CPTS whose name matches a search.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::dated;
use super::error::ApiError;
use super::layers::{area_param, bbox_param, stage_param, zoom_param};
use super::routes::{GEOJSON, JSON, card, json_body, json_response, number, respond, search_params};
use super::web::Web;
use super::work;
use crate::area::Area;
use crate::commune::{InseeCode, UnitId};
use crate::coverage::Coverage;
use crate::dissolve::dissolve;
use crate::export::geojson::{FeatureWriter, Prop};
use crate::snapshot::{Body, Snapshot};
use crate::summary::AreaSummary;
use crate::text::fold;

type Shared = State<Arc<Web>>;
type Params = Query<HashMap<String, String>>;

/// The summary of an area at a stage in a coverage (today's, or a past date's: `as_of`).
pub(super) fn summary_body(
    s: &Snapshot,
    coverage: &Coverage,
    area: &Area,
    stage: crate::territory::Stage,
) -> Result<Body, ApiError> {
    let summary = AreaSummary::compute(&s.atlas, coverage, area, stage);
    let mut value = serde_json::to_value(&summary).map_err(|e| ApiError::Internal(e.to_string()))?;
    value["data_date"] = json!(s.data_date);
    value["fictional"] = json!(s.coverage.report.data.fictional);
    value["as_of"] = json!(coverage.report.data.as_of);
    // What the dates leave uncertain on that date, for the whole list.
    value["undated"] = json!(coverage.report.undated);
    json_body(s, &value)
}

/// `GET /api/area?stage=&at=&region=|departement=|epci=|cpts=`: the summary of an area at a stage (on a date).
pub async fn summary(
    State(web): Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let s = &web.snapshot;
    let stage = stage_param(&params)?;
    let view = dated::view(s, &params).await?;
    let area = dated::area_in(s, view.as_ref(), &params)?;
    let snapshot = Arc::clone(s);
    let body = match (area == Area::France, view) {
        // Counting France runs over every unit: once per stage (and date), then kept.
        (true, None) => {
            let web = Arc::clone(&web);
            work::blocking(move || web.france(stage)).await??
        }
        (true, Some(v)) => {
            let name = format!("area/{}", stage.key());
            work::blocking(move || v.answer(&name, || summary_body(&snapshot, &v.coverage, &area, stage))).await??
        }
        // The URI holds the date, so each date's answer is kept apart.
        (false, view) => {
            web.cache
                .get_or_make(&uri.to_string(), move || {
                    summary_body(&snapshot, dated::coverage(&snapshot, view.as_ref()), &area, stage)
                })
                .await?
        }
    };
    Ok(respond(&headers, body, JSON, &[]))
}

/// The units an outline request names: an area, or one commune (`commune=`).
fn outline_units(s: &Snapshot, params: &HashMap<String, String>) -> Result<(Value, Vec<UnitId>), ApiError> {
    if let Some(code) = params.get("commune") {
        let parsed: InseeCode =
            code.parse().map_err(|e: crate::commune::InvalidInseeCode| ApiError::bad("commune", e.to_string()))?;
        let units: Vec<UnitId> = match s.atlas.resolve(parsed) {
            crate::atlas::Resolved::Unit(u) => vec![u],
            crate::atlas::Resolved::City(arrs) => arrs.to_vec(),
            crate::atlas::Resolved::Unknown => {
                return Err(ApiError::bad("commune", format!("aucune commune de code {code}")));
            }
        };
        let name = units.first().map(|&u| s.atlas.unit(u).name.clone()).unwrap_or_default();
        return Ok((json!({"level": "commune", "code": parsed.to_string(), "name": name}), units));
    }
    let area = area_param(s, params)?;
    let about = json!({"level": area.level().key(), "code": area.code(), "name": area.name(&s.atlas, &s.coverage)});
    Ok((about, area.units(&s.atlas, &s.coverage)))
}

/// `GET /api/area/outline.geojson?zoom=&…`: the outline of an area (or `commune=`), simplified for the zoom.
pub async fn outline(
    State(web): Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let band = Snapshot::band(zoom_param(&params)?);
    let (about, units) = outline_units(&web.snapshot, &params)?;
    let kept = Arc::clone(&web);
    let body = web.cache.get_or_make(&uri.to_string(), move || draw_outline(&kept, band, &about, &units)).await?;
    Ok(respond(&headers, body, GEOJSON, &[]))
}

/// The outline of `units` dissolved on their shared borders, refused beyond the work limit.
fn draw_outline(web: &Web, band: usize, about: &Value, units: &[UnitId]) -> Result<Body, ApiError> {
    // The outline keeps only the area's outer borders, but drawing it walks every unit's.
    let vertices = web.vertices(band);
    let work: usize = units.iter().map(|&u| vertices[u as usize] as usize).sum();
    if work > 2 * super::layers::MAX_VERTICES {
        return Err(ApiError::TooLarge {
            name: "zoom",
            detail: format!("{work} sommets à parcourir à ce zoom : demandez un zoom plus faible"),
        });
    }
    let s = &web.snapshot;
    let mut marks = vec![false; s.atlas.units.len()];
    for &u in units {
        marks[u as usize] = true;
    }
    let coords = s.band_arcs(band);
    let shape = dissolve(&s.topology, &coords, units, &|u| marks[u as usize]).shape;
    let write = || -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut writer = FeatureWriter::new(&mut out, "cptsmap_outline")?;
        let text = |k: &str| about[k].as_str().unwrap_or_default().to_string();
        let props = [
            ("level", Prop::Text(text("level"))),
            ("code", Prop::Text(text("code"))),
            ("name", Prop::Text(text("name"))),
        ];
        writer.feature(&props, Some(&shape))?;
        writer.finish()?;
        Ok(out)
    };
    let bytes = write().map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Body::new(bytes, &s.version))
}

/// `GET /api/places?zoom=&bbox=`: the communes to label at this zoom, most populous first.
pub async fn places(State(web): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let zoom = zoom_param(&params)?.unwrap_or(6);
    let bbox = bbox_param(&params)?;
    let web2 = Arc::clone(&web);
    let list = work::blocking(move || serde_json::to_value(web2.places().at_zoom(zoom, bbox)))
        .await?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    json_response(&web.snapshot, &headers, &list)
}

/// `GET /api/locate?lon=&lat=`: `{"unit": card}` for the unit at a point, `{"unit": null}`
/// outside every unit (the sea is not an error: the map asks on every click).
pub async fn locate(State(web): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let s = &web.snapshot;
    let lon = number(&params, "lon", -180.0..=180.0)?;
    let lat = number(&params, "lat", -90.0..=90.0)?;
    let view = dated::view(s, &params).await?;
    let coverage = dated::coverage(s, view.as_ref());
    let unit = s.index.locate(&s.atlas, lon, lat).map(|u| card(s, coverage, u));
    json_response(s, &headers, &json!({ "unit": unit }))
}

/// `GET /api/cpts/search?q=&limit=`: CPTS by name or id, best first (exact,
/// starting with, every word at a word start, containing; then by population).
pub async fn search_cpts(State(web): Shared, headers: HeaderMap, Query(params): Params) -> Result<Response, ApiError> {
    let s = &web.snapshot;
    let (q, limit) = search_params(&params)?;
    let folded = fold(q);
    let words: Vec<&str> = folded.split(' ').collect();
    let mut hits: Vec<(u8, std::cmp::Reverse<u64>, usize)> = Vec::new();
    for (i, (t, f)) in s.coverage.territories.iter().zip(&s.coverage.report.cpts).enumerate() {
        let name = fold(&t.name);
        // "CPTS du Diois": the word "cpts" says nothing, the rest of the name does.
        let bare = name.strip_prefix("cpts ").unwrap_or(&name);
        let rank = if t.id.eq_ignore_ascii_case(q) || name == folded || bare == folded {
            0
        } else if name.starts_with(&folded) || bare.starts_with(&folded) {
            1
        } else if words.iter().all(|w| name.split(' ').any(|n| n.starts_with(w))) {
            2
        } else if name.contains(&folded) {
            3
        } else {
            continue;
        };
        hits.push((rank, std::cmp::Reverse(f.population), i));
    }
    hits.sort_unstable();
    let list: Vec<Value> = hits
        .into_iter()
        .take(limit)
        .map(|(_, _, i)| {
            let f = &s.coverage.report.cpts[i];
            json!({
                "kind": "cpts",
                "id": f.id,
                "name": f.name,
                "stage": f.stage,
                "stage_label": f.stage_label,
                "population": f.population,
                "size_class": f.size_class,
                "departements": f.departements,
            })
        })
        .collect();
    json_response(s, &headers, &list)
}
