//! The routes of the map page that follow its one state (stage, area,
//! view): layers for a box, area summaries and outlines, exports of an
//! area at a stage, place names, CPTS search, "what is here" and the
//! timeline of an area.
//!
//! They share a [`Web`] state: the snapshot plus what is derived from it on
//! first use and kept (place names, vertex counts for the size limits,
//! France's summaries), and the bounded cache of answers made per request.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::routing::get;

use super::error::ApiError;
use super::work::{BodyCache, CACHE_BYTES};
use super::{areas, layers};
use crate::arcs::ArcCoords;
use crate::area::Area;
use crate::places::Places;
use crate::snapshot::{Body, Snapshot, ZOOM_BANDS};
use crate::territory::Stage;

/// The snapshot and what the page's routes derive from it once.
pub struct Web {
    pub snapshot: Arc<Snapshot>,
    places: OnceLock<Places>,
    /// Vertices of each unit per zoom band, for the size limits.
    vertices: Vec<OnceLock<Vec<u32>>>,
    /// France's summary per stage level, the most asked (the first view).
    france: [OnceLock<Body>; 4],
    /// Answers drawn per request (boxes, exports, summaries, outlines), by address.
    pub cache: BodyCache,
}

impl Web {
    pub fn new(snapshot: Arc<Snapshot>) -> Web {
        Web {
            snapshot,
            places: OnceLock::new(),
            vertices: ZOOM_BANDS.iter().map(|_| OnceLock::new()).collect(),
            france: Default::default(),
            cache: BodyCache::new(CACHE_BYTES),
        }
    }

    /// France's summary at a stage, computed once.
    pub fn france(&self, stage: Stage) -> Result<Body, ApiError> {
        if let Some(body) = self.france[stage.level()].get() {
            return Ok(body.clone());
        }
        let body = areas::summary_body(&self.snapshot, &self.snapshot.coverage, &Area::France, stage)?;
        Ok(self.france[stage.level()].get_or_init(|| body).clone())
    }

    /// Prepares what the first view asks (place names, France's summaries), so that no visitor waits.
    pub fn warm(&self) {
        self.places();
        for stage in Stage::DESCENDING {
            if let Err(e) = self.france(stage) {
                tracing::error!("résumé national : {e:?}");
            }
        }
    }

    pub fn places(&self) -> &Places {
        self.places.get_or_init(|| Places::build(&self.snapshot.atlas))
    }

    /// Vertices of each unit's rings at a zoom band, as the communes layer draws them.
    pub fn vertices(&self, band: usize) -> &[u32] {
        let band = band.min(ZOOM_BANDS.len() - 1);
        self.vertices[band].get_or_init(|| {
            let s = &self.snapshot;
            let coords = s.band_arcs(band);
            s.topology
                .rings
                .iter()
                .map(|rings| rings.iter().flatten().map(|r| coords.coords(r.arc).len().saturating_sub(1) as u32).sum())
                .collect()
        })
    }
}

pub fn routes(web: Arc<Web>) -> Router {
    Router::new()
        .route("/api/layers/{file}", get(layers::layer))
        .route("/api/export/{file}", get(layers::export))
        .route("/api/area", get(areas::summary))
        .route("/api/area/outline.geojson", get(areas::outline))
        .route("/api/places", get(areas::places))
        .route("/api/locate", get(areas::locate))
        .route("/api/cpts/search", get(areas::search_cpts))
        .route("/api/timeline", get(super::timeline::timeline))
        .with_state(web)
}
