//! CPU work off the async workers: drawing and compressing answers.
//!
//! The async workers route requests and send prepared bytes; anything that
//! can take more than a fraction of a millisecond (a layer for a box, an
//! export, an area's summary or outline, compressing a body larger than
//! [`INLINE_ENCODE_MAX`]) runs on tokio's blocking pool, at most
//! [`heavy_jobs`] at a time: a burst of heavy requests waits its turn
//! instead of taking every core and the memory, and a request given up
//! while it waits (timeout, client gone) costs nothing.
//!
//! Bodies made per request are kept in a [`BodyCache`] bounded in bytes and
//! keyed by the request's address: an export or a box asked again is
//! neither drawn nor compressed again, and identical requests arriving
//! together are drawn once.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;
use tokio::sync::{OnceCell, Semaphore};

use super::error::ApiError;
use crate::snapshot::{Body, Coding};

/// Largest body compressed on an async worker (a fraction of a millisecond);
/// larger ones are compressed on the blocking pool while the headers go out.
pub const INLINE_ENCODE_MAX: usize = 16 * 1024;
/// Bytes of per-request bodies kept, with their compressed forms.
pub const CACHE_BYTES: usize = 96 * 1024 * 1024;

/// Heavy jobs at once: twice the cores, so that one long export does not hold
/// up quick summaries, while a burst cannot take more than that.
pub fn heavy_jobs() -> usize {
    2 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn gate() -> &'static Semaphore {
    static GATE: OnceLock<Semaphore> = OnceLock::new();
    GATE.get_or_init(|| Semaphore::new(heavy_jobs()))
}

/// Runs CPU work on the blocking pool once a place among the heavy jobs is free.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let _place = gate().acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::Internal(format!("tâche de calcul : {e}")))
}

/// The bytes of `body` in `coding` as a response body: at once when they are
/// ready or cheap to make, else made on the blocking pool when the response is sent.
pub fn encoded(body: &Body, coding: Coding) -> axum::body::Body {
    if let Some(bytes) = body.ready(coding) {
        return axum::body::Body::from(bytes);
    }
    if body.bytes.len() <= INLINE_ENCODE_MAX {
        return axum::body::Body::from(body.encoded_quick(coding));
    }
    let body = body.clone();
    let job = async move {
        blocking(move || body.encoded_quick(coding)).await.map_err(|e| std::io::Error::other(format!("{e:?}")))
    };
    axum::body::Body::new(Deferred { job: Some(Box::pin(job)) })
}

type Job = Pin<Box<dyn Future<Output = std::io::Result<Bytes>> + Send>>;

/// A body whose bytes are made when the response is sent (after its headers).
struct Deferred {
    job: Option<Job>,
}

impl http_body::Body for Deferred {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let Some(job) = self.job.as_mut() else { return Poll::Ready(None) };
        let Poll::Ready(made) = job.as_mut().poll(cx) else { return Poll::Pending };
        self.job = None;
        Poll::Ready(Some(made.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.job.is_none()
    }
}

/// Per-request bodies by request address, least recently used dropped first
/// beyond a byte budget. Drawing happens on the blocking pool, once for
/// identical requests arriving together.
pub struct BodyCache {
    budget: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    clock: u64,
}

struct Entry {
    body: Arc<OnceCell<Body>>,
    used: u64,
}

impl BodyCache {
    pub fn new(budget: usize) -> BodyCache {
        BodyCache { budget, entries: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The body kept for `key`, or the one `make` draws on the blocking pool (then kept).
    pub async fn get_or_make(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Body, ApiError> + Send + 'static,
    ) -> Result<Body, ApiError> {
        let cell = {
            let mut entries = self.lock();
            entries.clock += 1;
            let used = entries.clock;
            let entry =
                entries.map.entry(key.to_string()).or_insert_with(|| Entry { body: Arc::new(OnceCell::new()), used });
            entry.used = used;
            Arc::clone(&entry.body)
        };
        let made = cell.get_or_try_init(|| async { blocking(make).await? }).await.cloned();
        match &made {
            Ok(_) => self.evict(key),
            // Nothing to keep: the next request tries again.
            Err(_) => {
                let mut entries = self.lock();
                if entries.map.get(key).is_some_and(|e| !e.body.initialized()) {
                    entries.map.remove(key);
                }
            }
        }
        made
    }

    /// Drops the least recently used bodies until the kept ones fit the budget
    /// (`just_made` last of all: an answer larger than the budget is not kept).
    fn evict(&self, just_made: &str) {
        let mut entries = self.lock();
        let weight = |(key, e): (&String, &Entry)| key.len() + e.body.get().map_or(0, Body::weight);
        let mut total: usize = entries.map.iter().map(weight).sum();
        while total > self.budget {
            let oldest = entries
                .map
                .iter()
                .filter(|(k, e)| e.body.initialized() && k.as_str() != just_made)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, e)| (k.clone(), weight((k, e))))
                .or_else(|| entries.map.get_key_value(just_made).map(|(k, e)| (k.clone(), weight((k, e)))));
            let Some((key, size)) = oldest else { break };
            entries.map.remove(&key);
            total -= size;
        }
    }

    /// Bodies kept and their bytes.
    #[cfg(test)]
    pub fn usage(&self) -> (usize, usize) {
        let entries = self.lock();
        let bytes = entries.map.values().filter_map(|e| e.body.get()).map(Body::weight).sum();
        (entries.map.len(), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(len: usize) -> Body {
        Body::new(vec![b'a'; len], "t")
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn the_cache_keeps_recent_bodies_within_its_budget_and_never_one_larger_than_it() {
        runtime().block_on(async {
            let cache = BodyCache::new(2_500);
            for key in ["a", "b", "c"] {
                cache.get_or_make(key, || Ok(body(1_000))).await.unwrap();
            }
            assert_eq!(cache.usage(), (2, 2_000), "the oldest is dropped");
            // A hit makes it recent: "b" is dropped next, not "c".
            assert_eq!(cache.get_or_make("c", || Ok(body(1))).await.unwrap().bytes.len(), 1_000, "a hit");
            cache.get_or_make("d", || Ok(body(1_000))).await.unwrap();
            assert_eq!(cache.get_or_make("c", || Ok(body(7))).await.unwrap().bytes.len(), 1_000, "c kept");
            assert_eq!(cache.get_or_make("b", || Ok(body(7))).await.unwrap().bytes.len(), 7, "b was dropped");
            cache.get_or_make("huge", || Ok(body(10_000))).await.unwrap();
            assert!(cache.usage().1 <= 2_500);
        });
    }

    #[test]
    fn a_failed_drawing_is_not_kept_and_is_tried_again() {
        runtime().block_on(async {
            let cache = BodyCache::new(1_000);
            assert!(cache.get_or_make("x", || Err(ApiError::Internal("boom".into()))).await.is_err());
            assert_eq!(cache.usage(), (0, 0));
            assert_eq!(cache.get_or_make("x", || Ok(body(3))).await.unwrap().bytes.len(), 3);
        });
    }

    #[test]
    fn a_large_body_is_compressed_when_sent_and_decodes_to_the_same_bytes() {
        runtime().block_on(async {
            let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i},").into_bytes()).collect();
            let body = Body::new(text.clone(), "t");
            let sent = encoded(&body, Coding::Gzip);
            assert_eq!(http_body::Body::size_hint(&sent).exact(), None, "made when sent");
            let gzip = axum::body::to_bytes(sent, usize::MAX).await.unwrap();
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut plain).unwrap();
            assert_eq!(plain, text);
            assert!(body.ready(Coding::Gzip).is_some(), "kept for the next request");
        });
    }
}
