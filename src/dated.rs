//! The coverage on past dates, for the server: one view per date asked
//! (`?at=AAAA-MM-JJ`), computed on first request — the territories at their
//! stage of that date, counted as `report --at` counts them — then kept with
//! its drawn layers and prepared answers in a bounded cache, so that a date
//! answers as fast as today once it has been asked.
//!
//! The cache holds [`CAPACITY`] dates, the least recently asked leaving
//! first; two requests for a date not yet computed share one computation.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::coverage::{self, Coverage, Options};
use crate::export::layers::Layer;
use crate::snapshot::{Body, Snapshot, ZOOM_BANDS};
use crate::territory::{IsoDate, Stage};

/// Dates kept at once (a view with its national layers weighs a few MB).
pub const CAPACITY: usize = 24;

/// A small least-recently-used map: few entries, compared linearly.
#[derive(Debug)]
pub struct Lru<K, V> {
    capacity: usize,
    entries: Mutex<VecDeque<(K, V)>>,
}

impl<K: PartialEq + Clone, V: Clone> Lru<K, V> {
    pub fn new(capacity: usize) -> Lru<K, V> {
        Lru { capacity: capacity.max(1), entries: Mutex::new(VecDeque::new()) }
    }

    /// The value of `key`, now the most recent.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let i = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(i)?;
        let value = entry.1.clone();
        entries.push_back(entry);
        Some(value)
    }

    /// The value of `key`, or `make()` inserted (the oldest entry leaving when full).
    pub fn get_or_insert_with(&self, key: &K, make: impl FnOnce() -> V) -> V {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = entries.iter().position(|(k, _)| k == key)
            && let Some(entry) = entries.remove(i)
        {
            let value = entry.1.clone();
            entries.push_back(entry);
            return value;
        }
        let value = make();
        entries.push_back((key.clone(), value.clone()));
        while entries.len() > self.capacity {
            entries.pop_front();
        }
        value
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Key of a drawn layer: layer, stage threshold, zoom band.
type LayerKey = (Layer, Stage, usize);

/// Everything answered about one past date.
pub struct DatedView {
    pub date: IsoDate,
    /// The coverage on that date (`report.data.as_of` is the date).
    pub coverage: Coverage,
    layers: HashMap<LayerKey, OnceLock<Body>>,
    /// Prepared answers (national figures, area summaries of France…), by name.
    answers: Mutex<HashMap<String, Body>>,
}

impl DatedView {
    /// Counts the snapshot's territories on `date`: CPU work, to run off the async executor.
    pub fn compute(snapshot: &Snapshot, date: IsoDate) -> DatedView {
        let today = &snapshot.coverage;
        let options = Options { as_of: Some(date) };
        let mut coverage = coverage::compute(&snapshot.atlas, today.territories.clone(), &options, Vec::new());
        coverage.report.data.cpts.clone_from(&today.report.data.cpts);
        coverage.report.data.fictional = today.report.data.fictional;
        let mut layers = HashMap::new();
        for layer in Layer::ALL {
            for stage in Stage::DESCENDING {
                for band in 0..ZOOM_BANDS.len() {
                    layers.insert((layer, stage, band), OnceLock::new());
                }
            }
        }
        DatedView { date, coverage, layers, answers: Mutex::default() }
    }

    /// A whole layer on this date, simplified for the band, drawn once.
    pub fn layer(&self, snapshot: &Snapshot, layer: Layer, stage: Stage, band: usize) -> Body {
        let band = band.min(ZOOM_BANDS.len() - 1);
        let Some(slot) = self.layers.get(&(layer, stage, band)) else {
            return Body::new(Vec::new(), &snapshot.version);
        };
        slot.get_or_init(|| {
            snapshot.draw_with(&self.coverage, layer, &snapshot.band_options(stage, band), Some(band)).unwrap_or_else(
                |e| {
                    tracing::error!("layer {} au {}: {e}", layer.key(), self.date);
                    Body::new(Vec::new(), &snapshot.version)
                },
            )
        })
        .clone()
    }

    /// An answer made once for this date, then kept (the names are a handful: figures, France's summaries).
    pub fn answer<E>(&self, name: &str, make: impl FnOnce() -> Result<Body, E>) -> Result<Body, E> {
        if let Some(body) = self.answers.lock().unwrap_or_else(PoisonError::into_inner).get(name) {
            return Ok(body.clone());
        }
        let body = make()?;
        self.answers.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_string(), body.clone());
        Ok(body)
    }
}

/// The views of the dates asked recently.
pub struct DatedViews {
    views: Lru<IsoDate, Arc<OnceLock<Arc<DatedView>>>>,
}

impl Default for DatedViews {
    fn default() -> Self {
        DatedViews { views: Lru::new(CAPACITY) }
    }
}

impl DatedViews {
    /// The view of a date if it is ready (no computation: callable on the async executor).
    pub fn ready(&self, date: IsoDate) -> Option<Arc<DatedView>> {
        self.views.get(&date)?.get().cloned()
    }

    /// The view of a date, computed now if it is not kept (CPU work: off the async executor).
    pub fn get(&self, snapshot: &Snapshot, date: IsoDate) -> Arc<DatedView> {
        let slot = self.views.get_or_insert_with(&date, Default::default);
        // Outside the cache's lock: other dates are served meanwhile; the same date waits for this one.
        slot.get_or_init(|| {
            let started = std::time::Instant::now();
            let view = DatedView::compute(snapshot, date);
            tracing::debug!(%date, elapsed = ?started.elapsed(), "coverage on a past date computed");
            Arc::new(view)
        })
        .clone()
    }

    /// Dates kept.
    pub fn len(&self) -> usize {
        self.views.len()
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_leaves_first() {
        let lru: Lru<u32, u32> = Lru::new(2);
        assert_eq!(lru.get_or_insert_with(&1, || 10), 10);
        assert_eq!(lru.get_or_insert_with(&2, || 20), 20);
        assert_eq!(lru.get(&1), Some(10)); // 1 is now the most recent
        assert_eq!(lru.get_or_insert_with(&3, || 30), 30);
        assert_eq!((lru.get(&2), lru.get(&1), lru.len()), (None, Some(10), 2));
        assert_eq!(lru.get_or_insert_with(&1, || 99), 10, "a kept value is not made again");
    }
}
