//! Everything the HTTP service serves, prepared once at start-up into one
//! immutable value: the atlas and its R-tree, the coverage, the arc
//! topology, the search index, and the answers that do not depend on the
//! request (figures as JSON, national layers per zoom band), each with its
//! ETag. Handlers only read it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use crate::arcs::Topology;
use crate::atlas::Atlas;
use crate::coverage::Coverage;
use crate::diagnostics::Warning;
use crate::export::layers::{Context, ExportOptions, Layer, write_layer};
use crate::index::UnitIndex;
use crate::search::SearchIndex;
use crate::territory::Stage;

/// Simplification per zoom band (metres), for the national layers: coarse
/// when the whole country is on screen, exact from a département up.
pub const ZOOM_BANDS: [(u8, Option<f64>); 4] =
    [(6, Some(2_000.0)), (8, Some(500.0)), (10, Some(100.0)), (u8::MAX, None)];

/// A prepared response body with its validator, and its compressed forms
/// made once on first use (compressing per request would cost more than
/// everything else a layer request does). Cloning shares the bytes.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Bytes,
    pub etag: String,
    gzip: Arc<OnceLock<Bytes>>,
    brotli: Arc<OnceLock<Bytes>>,
}

/// Content codings a body can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

/// Brotli quality of answers compressed while a client waits: measured on
/// layers, quality 4 costs 0.2 ms on 16 KiB and 0.3 s on 4 MiB, for 2 to 7 %
/// more bytes than quality 9, which costs 14 ms and 1.2 s (and 1.5 ms on a
/// 1.5 KB card: its setup alone outweighs the rest of such a request).
const QUICK_BROTLI: u32 = 4;
/// Brotli quality of bodies compressed ahead of their first request and kept.
const DENSE_BROTLI: u32 = 9;

impl Body {
    pub fn new(bytes: Vec<u8>, version: &str) -> Body {
        let etag = format!("\"{version}-{:016x}\"", fnv1a(&bytes));
        Body { bytes: Bytes::from(bytes), etag, gzip: Arc::default(), brotli: Arc::default() }
    }

    /// The body in a coding, compressed hard once and kept: for warming
    /// bodies ahead of their first request, off the request path.
    pub fn encoded(&self, coding: Coding) -> &[u8] {
        self.cell(coding).map_or(&self.bytes, |cell| cell.get_or_init(|| compress(&self.bytes, coding, DENSE_BROTLI)))
    }

    /// The body in a coding as shared bytes, compressed quickly once and kept
    /// (unless it was already compressed, perhaps harder): for answering.
    pub fn encoded_quick(&self, coding: Coding) -> Bytes {
        match self.cell(coding) {
            None => self.bytes.clone(),
            Some(cell) => cell.get_or_init(|| compress(&self.bytes, coding, QUICK_BROTLI)).clone(),
        }
    }

    /// The body in a coding if it needs no work (identity, or already compressed).
    pub fn ready(&self, coding: Coding) -> Option<Bytes> {
        match self.cell(coding) {
            None => Some(self.bytes.clone()),
            Some(cell) => cell.get().cloned(),
        }
    }

    /// Bytes held: the body and its compressed forms made so far.
    pub fn weight(&self) -> usize {
        self.bytes.len() + [&self.gzip, &self.brotli].iter().filter_map(|c| c.get()).map(Bytes::len).sum::<usize>()
    }

    fn cell(&self, coding: Coding) -> Option<&OnceLock<Bytes>> {
        match coding {
            Coding::Identity => None,
            Coding::Gzip => Some(&self.gzip),
            Coding::Brotli => Some(&self.brotli),
        }
    }
}

/// Compresses `bytes` (gzip at level 6, brotli at `quality`).
fn compress(bytes: &[u8], coding: Coding, quality: u32) -> Bytes {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    match coding {
        Coding::Identity => return Bytes::copy_from_slice(bytes),
        Coding::Gzip => {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
            let _ = e.write_all(bytes);
            out = e.finish().unwrap_or_default();
        }
        Coding::Brotli => {
            // A window no larger than the body: small bodies need small tables.
            let lgwin = (usize::BITS - bytes.len().max(1 << 16).leading_zeros()).min(22) as i32;
            let params = brotli::enc::BrotliEncoderParams {
                quality: quality as i32,
                lgwin,
                size_hint: bytes.len(),
                ..Default::default()
            };
            let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
        }
    }
    Bytes::from(out)
}

/// A small, stable hash for ETags (FNV-1a, 64 bits).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The modification date of a file, `YYYY-MM-DD` (UTC); for the embedded data, the build day.
pub fn file_date(path: &std::path::Path) -> Option<String> {
    if crate::load::bundled::exists(path) {
        // Embedded files have no date of their own: the binary's build day stands for it.
        return Some(env!("CPTSMAP_BUILD_DATE").to_string());
    }
    let secs = std::fs::metadata(path).ok()?.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(crate::calendar::iso_day(secs))
}

/// Key of a cached layer: layer, stage threshold, zoom band.
type LayerKey = (Layer, Stage, usize);

pub struct Snapshot {
    pub atlas: Atlas,
    pub index: UnitIndex,
    pub coverage: Coverage,
    pub topology: Topology,
    pub search: SearchIndex,
    /// Warnings of the topology (the report's are in `coverage.report.warnings`).
    pub topology_warnings: Vec<Warning>,
    /// Changes whenever the data change: part of every ETag.
    pub version: String,
    /// Date of the territory data (`YYYY-MM-DD`), for file names.
    pub data_date: String,
    /// Layers are drawn on first request, then kept (the snapshot never changes).
    layers: HashMap<LayerKey, OnceLock<Body>>,
    /// Simplified arcs per zoom band, shared by every layer of that band.
    simplified: Vec<OnceLock<Vec<Vec<geo::Coord<f64>>>>>,
    /// The coverage on past dates asked (`?at=`), kept in a bounded cache.
    pub dated: crate::dated::DatedViews,
}

impl Snapshot {
    pub fn new(mut atlas: Atlas, coverage: Coverage) -> Snapshot {
        let index = UnitIndex::build(&atlas);
        let mut topology_warnings = Vec::new();
        let topology = Topology::build(&mut atlas, &mut topology_warnings);
        let search = SearchIndex::build(&atlas);
        let summary = serde_json::to_vec(&coverage.report.by_stage).unwrap_or_default();
        let version = format!("{:08x}", fnv1a(&summary) as u32 ^ atlas.units.len() as u32);
        let mut layers = HashMap::new();
        for layer in Layer::ALL {
            for stage in Stage::DESCENDING {
                for band in 0..ZOOM_BANDS.len() {
                    layers.insert((layer, stage, band), OnceLock::new());
                }
            }
        }
        let data_date =
            coverage.report.data.cpts.as_deref().and_then(|p| file_date(std::path::Path::new(p))).unwrap_or_default();
        let simplified = ZOOM_BANDS.iter().map(|_| OnceLock::new()).collect();
        let dated = crate::dated::DatedViews::default();
        Snapshot {
            atlas,
            index,
            coverage,
            topology,
            search,
            topology_warnings,
            version,
            data_date,
            layers,
            simplified,
            dated,
        }
    }

    /// The zoom band of a Leaflet zoom level.
    pub fn band(zoom: Option<u8>) -> usize {
        let z = zoom.unwrap_or(u8::MAX);
        ZOOM_BANDS.iter().position(|(max, _)| z <= *max).unwrap_or(ZOOM_BANDS.len() - 1)
    }

    /// The arcs simplified for a zoom band (`None` for the exact band).
    pub fn simplified(&self, band: usize) -> Option<&Vec<Vec<geo::Coord<f64>>>> {
        let band = band.min(ZOOM_BANDS.len() - 1);
        let metres = ZOOM_BANDS[band].1?;
        Some(self.simplified[band].get_or_init(|| {
            let exact = self.topology.exact(&self.atlas);
            crate::simplify::simplify_arcs(&self.topology, &exact, crate::simplify::degrees(metres))
        }))
    }

    /// The arcs as a zoom band draws them: simplified, or exact.
    pub fn band_arcs(&self, band: usize) -> BandArcs<'_> {
        match self.simplified(band) {
            Some(arcs) => BandArcs::Simplified(arcs),
            None => BandArcs::Exact(self.topology.exact(&self.atlas)),
        }
    }

    /// Draws the national layers of the national zoom band (what the map asks
    /// first), so that no visitor waits for them. Zoomed in, the map asks for
    /// the box on screen only, which is drawn per request.
    pub fn prewarm(&self) {
        for band in 0..1 {
            for layer in [Layer::Regions, Layer::Departements, Layer::Cpts, Layer::Uncovered, Layer::Overlaps] {
                let body = self.layer(layer, Stage::PreProjet, band);
                body.encoded(Coding::Gzip);
                body.encoded(Coding::Brotli);
            }
        }
    }

    /// Draws a layer with these options; `band` picks the shared simplified
    /// arcs of a zoom band (its tolerance must be the options' one).
    pub fn draw(&self, layer: Layer, options: &ExportOptions, band: Option<usize>) -> std::io::Result<Body> {
        self.draw_with(&self.coverage, layer, options, band)
    }

    /// Draws a layer of another coverage of the same units (a past date).
    pub fn draw_with(
        &self,
        coverage: &Coverage,
        layer: Layer,
        options: &ExportOptions,
        band: Option<usize>,
    ) -> std::io::Result<Body> {
        let ctx = Context {
            atlas: &self.atlas,
            coverage,
            topology: &self.topology,
            simplified: band.and_then(|b| self.simplified(b)),
        };
        let mut bytes = Vec::new();
        write_layer(&ctx, layer, options, &mut bytes)?;
        Ok(Body::new(bytes, &self.version))
    }

    /// The options of the map's layers: coverage at `stage`, simplified for `band`.
    pub fn band_options(&self, stage: Stage, band: usize) -> ExportOptions {
        ExportOptions {
            stage,
            area: crate::area::Area::France,
            simplify_m: ZOOM_BANDS[band.min(ZOOM_BANDS.len() - 1)].1,
            fictional: self.coverage.report.data.fictional,
            bbox: None,
        }
    }

    /// A whole layer if it was drawn already: no work on the caller's thread.
    pub fn drawn_layer(&self, layer: Layer, stage: Stage, band: usize) -> Option<Body> {
        self.layers[&(layer, stage, band.min(ZOOM_BANDS.len() - 1))].get().cloned()
    }

    /// A whole layer as GeoJSON, simplified for the band, drawn once.
    pub fn layer(&self, layer: Layer, stage: Stage, band: usize) -> Body {
        let band = band.min(ZOOM_BANDS.len() - 1);
        self.layers[&(layer, stage, band)]
            .get_or_init(|| {
                self.draw(layer, &self.band_options(stage, band), Some(band)).unwrap_or_else(|e| {
                    tracing::error!("layer {}: {e}", layer.key());
                    Body::new(Vec::new(), &self.version)
                })
            })
            .clone()
    }
}

/// The arcs of a zoom band (see [`Snapshot::band_arcs`]).
pub enum BandArcs<'a> {
    Simplified(&'a Vec<Vec<geo::Coord<f64>>>),
    Exact(crate::arcs::ExactArcs<'a>),
}

impl crate::arcs::ArcCoords for BandArcs<'_> {
    fn coords(&self, arc: u32) -> &[geo::Coord<f64>] {
        match self {
            BandArcs::Simplified(arcs) => &arcs[arc as usize],
            BandArcs::Exact(exact) => exact.coords(arc),
        }
    }
}
