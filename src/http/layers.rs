//! Map layers and downloads.
//!
//! `/api/layers/{layer}.geojson` serves the national layers of a zoom band
//! from the snapshot (drawn, compressed and kept once), or, given a `bbox`,
//! only the features whose units meet the box — what the map asks once
//! zoomed in. Answers are bounded: a request whose estimated size is over
//! the limits gets a 413 saying to ask a lower zoom or a smaller box.
//!
//! `/api/export/{layer}.geojson` and `/api/export/figures.csv` download an
//! area at a stage (the same parameters as `/api/area`), under a file name
//! that says the layer, the stage, the area, the date of the situation
//! (`?at=`) and the data date.
//!
//! With `?at=AAAA-MM-JJ`, every layer and download is the situation on that
//! date (see [`super::dated`]): the national layers of a date are drawn once
//! and kept with the date's view.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use geo::Rect;

use super::error::ApiError;
use super::routes::{GEOJSON, respond};
use super::web::Web;
use super::work;
use crate::area::Area;
use crate::export::layers::{ExportOptions, Layer};
use crate::snapshot::{Body, Snapshot, ZOOM_BANDS};
use crate::territory::{IsoDate, Stage};

type Params = Query<HashMap<String, String>>;

/// Most vertices in one answer of the communes layer (counted before drawing).
pub const MAX_VERTICES: usize = 300_000;
/// Most communes in one answer of the communes layer.
pub const MAX_COMMUNES: usize = 5_000;
/// Most bytes of one answer of any layer (before compression), checked once drawn.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Most vertices of one download of the communes layer (counted before drawing):
/// any région of the bundled data, not France's 1 million.
pub const MAX_EXPORT_VERTICES: usize = 500_000;
/// Most bytes of one download of any layer (before compression), checked once drawn.
pub const MAX_EXPORT_BYTES: usize = 32 * 1024 * 1024;
/// What to do instead of a download over the limits.
const EXPORT_ADVICE: &str = "choisissez une zone plus petite (région, département, EPCI, CPTS) \
                             ou exportez en ligne de commande (cptsmap export)";

/// `communes.geojson` → the communes layer.
pub(super) fn layer_of(file: &str) -> Result<Layer, ApiError> {
    let key =
        file.strip_suffix(".geojson").ok_or_else(|| ApiError::bad("layer", "l'adresse doit finir par .geojson"))?;
    Layer::from_key(key).ok_or_else(|| {
        let keys: Vec<&str> = Layer::ALL.iter().map(|l| l.key()).collect();
        ApiError::bad("layer", format!("couche « {key} » inconnue ; couches : {}", keys.join(", ")))
    })
}

pub(super) fn stage_param(params: &HashMap<String, String>) -> Result<Stage, ApiError> {
    match params.get("stage") {
        None => Ok(Stage::PreProjet),
        Some(t) => t.parse().map_err(|e: crate::territory::StageError| ApiError::bad("stage", e.to_string())),
    }
}

pub(super) fn zoom_param(params: &HashMap<String, String>) -> Result<Option<u8>, ApiError> {
    params
        .get("zoom")
        .map(|z| {
            z.parse::<u8>()
                .ok()
                .filter(|z| *z <= 22)
                .ok_or_else(|| ApiError::bad("zoom", format!("« {z} » : entier de 0 à 22 attendu")))
        })
        .transpose()
}

pub(super) fn bbox_param(params: &HashMap<String, String>) -> Result<Option<Rect<f64>>, ApiError> {
    let Some(raw) = params.get("bbox") else { return Ok(None) };
    let v: Vec<f64> = raw
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::bad("bbox", format!("« {raw} » : ouest,sud,est,nord en degrés attendus")))?;
    match v[..] {
        [w, s, e, n] if w < e && s < n && w >= -180.0 && e <= 180.0 && s >= -90.0 && n <= 90.0 => {
            Ok(Some(Rect::new(geo::coord! { x: w, y: s }, geo::coord! { x: e, y: n })))
        }
        _ => Err(ApiError::bad(
            "bbox",
            format!("« {raw} » : ouest,sud,est,nord avec ouest < est et sud < nord attendus"),
        )),
    }
}

/// The area named by `region`, `departement`, `epci` or `cpts` (France without any).
pub(super) fn area_param(s: &Snapshot, params: &HashMap<String, String>) -> Result<Area, ApiError> {
    Area::from_params(|name| params.get(name).map(String::as_str), &s.coverage)
        .map_err(|e| ApiError::bad(e.parameter, e.detail))
}

/// Refuses, before drawing, a communes layer over the limits (the other
/// layers dissolve units, so their size is checked once drawn).
fn check_communes(web: &Web, band: usize, bbox: Rect<f64>) -> Result<(), ApiError> {
    let s = &web.snapshot;
    let vertices = web.vertices(band);
    let units: Vec<u32> = s.index.candidates(bbox).collect();
    let estimate: usize = units.iter().map(|&u| vertices[u as usize] as usize).sum();
    if estimate > MAX_VERTICES {
        return Err(ApiError::TooLarge {
            name: "bbox",
            detail: format!(
                "{estimate} sommets dans l'emprise à ce zoom, au plus {MAX_VERTICES} par réponse : \
                 demandez un zoom plus faible ou une emprise (bbox) plus petite"
            ),
        });
    }
    if units.len() > MAX_COMMUNES {
        return Err(ApiError::TooLarge {
            name: "bbox",
            detail: format!(
                "{} communes dans l'emprise, au plus {MAX_COMMUNES} par réponse : demandez une emprise (bbox) plus petite",
                units.len()
            ),
        });
    }
    Ok(())
}

pub async fn layer(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer_of(&file)?;
    let stage = stage_param(&params)?;
    let band = Snapshot::band(zoom_param(&params)?);
    let bbox = bbox_param(&params)?;
    let view = super::dated::view(&web.snapshot, &params).await?;
    if layer == Layer::Communes && bbox.is_none() {
        // Communes are only drawn for the part of the map on screen.
        return Err(ApiError::bad("bbox", "la couche des communes se demande pour une emprise (bbox)"));
    }
    let s = Arc::clone(&web.snapshot);
    let body = match (bbox, view) {
        // The national layers: drawn once (off the async workers), compressed
        // once, kept (a date's with the date's view).
        (None, None) => match s.drawn_layer(layer, stage, band) {
            Some(body) => body,
            None => work::blocking(move || s.layer(layer, stage, band)).await?,
        },
        (None, Some(v)) => work::blocking(move || v.layer(&s, layer, stage, band)).await?,
        // The URI holds the date, so each date's drawing is kept apart.
        (Some(b), view) => {
            let kept = Arc::clone(&web);
            web.cache
                .get_or_make(&uri.to_string(), move || {
                    if layer == Layer::Communes {
                        check_communes(&kept, band, b)?;
                    }
                    let s = &kept.snapshot;
                    let options = ExportOptions { bbox: Some(b), ..s.band_options(stage, band) };
                    s.draw_with(super::dated::coverage(s, view.as_ref()), layer, &options, Some(band))
                        .map_err(|e| ApiError::Internal(e.to_string()))
                })
                .await?
        }
    };
    if body.bytes.len() > MAX_BYTES {
        return Err(ApiError::TooLarge {
            name: if bbox.is_some() { "bbox" } else { "zoom" },
            detail: format!(
                "{} octets, au plus {MAX_BYTES} par réponse : demandez un zoom plus faible ou une emprise plus petite",
                body.bytes.len()
            ),
        });
    }
    Ok(respond(&headers, body, GEOJSON, &[]))
}

/// The file-name tag of a layer, in French like the page's buttons.
fn layer_slug(layer: Layer) -> &'static str {
    match layer {
        Layer::Communes => "communes",
        Layer::Cpts => "territoires-cpts",
        Layer::Covered => "couverture",
        Layer::Uncovered => "zones-blanches",
        Layer::Overlaps => "chevauchements",
        Layer::Departements => "departements",
        Layer::Regions => "regions",
    }
}

/// `aci-signe`…; the lowest threshold counts every stage.
fn stage_slug(stage: Stage) -> &'static str {
    match stage {
        Stage::PreProjet => "tout-stade",
        Stage::LettreIntention => "lettre-intention",
        Stage::ProjetSanteValide => "projet-sante-valide",
        Stage::AciSigne => "aci-signe",
    }
}

/// `cptsmap_zones-blanches_aci-signe_dep-26_2026-11-22.geojson`; on a past
/// date, `cptsmap_zones-blanches_aci-signe_dep-26_au-2023-03-01_2026-11-22.geojson`.
pub fn file_name(s: &Snapshot, what: &str, stage: Stage, area: &Area, at: Option<IsoDate>, extension: &str) -> String {
    let date = if s.data_date.is_empty() { &s.version } else { &s.data_date };
    let at = at.map_or(String::new(), |d| format!("_au-{d}"));
    format!("cptsmap_{what}_{}_{}{at}_{date}.{extension}", stage_slug(stage), area.slug())
}

pub async fn export(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let s = Arc::clone(&web.snapshot);
    let stage = stage_param(&params)?;
    let view = super::dated::view(&s, &params).await?;
    let area = super::dated::area_in(&s, view.as_ref(), &params)?;
    let at = view.as_ref().map(|v| v.date);
    if file == "figures.csv" {
        let name = file_name(&s, "chiffres", stage, &area, at, "csv");
        let snapshot = Arc::clone(&s);
        let body = web
            .cache
            .get_or_make(&uri.to_string(), move || {
                let coverage = super::dated::coverage(&snapshot, view.as_ref());
                let bytes = crate::summary::figures_csv(&snapshot.atlas, coverage, &area, stage);
                Ok(Body::new(bytes, &snapshot.version))
            })
            .await?;
        let disposition = format!("attachment; filename=\"{name}\"");
        return Ok(respond(&headers, body, "text/csv; charset=utf-8", &[(header::CONTENT_DISPOSITION, disposition)]));
    }
    let layer = layer_of(&file)?;
    let name = file_name(&s, layer_slug(layer), stage, &area, at, "geojson");
    let kept = Arc::clone(&web);
    let body = web
        .cache
        .get_or_make(&uri.to_string(), move || {
            let s = &kept.snapshot;
            let coverage = super::dated::coverage(s, view.as_ref());
            let exact = ZOOM_BANDS.len() - 1;
            if layer == Layer::Communes {
                let vertices = kept.vertices(exact);
                let count: usize = area.units(&s.atlas, coverage).iter().map(|&u| vertices[u as usize] as usize).sum();
                if count > MAX_EXPORT_VERTICES {
                    return Err(ApiError::TooLarge {
                        name: "area",
                        detail: format!(
                            "{count} sommets dans cette zone, au plus {MAX_EXPORT_VERTICES} par téléchargement : {EXPORT_ADVICE}"
                        ),
                    });
                }
            }
            let options = ExportOptions { area, ..s.band_options(stage, exact) };
            s.draw_with(coverage, layer, &options, None).map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
    if body.bytes.len() > MAX_EXPORT_BYTES {
        return Err(ApiError::TooLarge {
            name: "area",
            detail: format!(
                "{} octets, au plus {MAX_EXPORT_BYTES} par téléchargement : {EXPORT_ADVICE}",
                body.bytes.len()
            ),
        });
    }
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(respond(&headers, body, GEOJSON, &[(header::CONTENT_DISPOSITION, disposition)]))
}
