//! One client connection, watched: HTTP/1.1 by hyper, with the timeouts
//! hyper leaves to its user.
//!
//! hyper's own `header_read_timeout` starts as soon as it waits for a head,
//! so it also closes keep-alive connections between requests: it cannot
//! tell a client slow to send its headers from a browser keeping a
//! connection for its next request. Here both are told apart by watching
//! the bytes: [`Watched`] notes when bytes move, the service notes when a
//! request reaches the router and when its answer is ready, and
//! [`serve`] closes a connection that
//! - began a request head and has not finished it within the header timeout
//!   (a half-sent request, slowloris);
//! - has no request being answered and moved no byte within the idle
//!   timeout (an idle keep-alive connection, or a client that stopped
//!   reading its answer);
//! - once the server stops, moved no byte within the shutdown grace while
//!   no request is being answered.
//!
//! A request being answered is bounded by the router's request timeout.

use std::convert::Infallible;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tower::ServiceExt;

use super::error::ApiError;
use super::server::Settings;

/// Longest a connection refused for lack of room may take to be told so.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);
/// `head_since` when no request head is being read.
const NO_HEAD: u64 = u64::MAX;

/// What a connection is doing, written by its IO and its service, read by its watchdog.
#[derive(Debug)]
struct Activity {
    born: Instant,
    /// Milliseconds after `born` when a byte last moved, or an answer was last made.
    last_io: AtomicU64,
    /// Milliseconds after `born` of the first byte of a head not yet handed to the router.
    head_since: AtomicU64,
    /// Requests handed to the router and not answered yet.
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            born: Instant::now(),
            last_io: AtomicU64::new(0),
            head_since: AtomicU64::new(NO_HEAD),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn now(&self) -> u64 {
        self.born.elapsed().as_millis() as u64
    }

    fn read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        // Bytes while no request is being answered: the start of the next head.
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            let _ = self.head_since.compare_exchange(NO_HEAD, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    /// A request reached the router; the returned guard marks its answer ready when dropped.
    fn begin(self: &Arc<Self>) -> Answering {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_since.store(NO_HEAD, Ordering::Relaxed);
        Answering(Arc::clone(self))
    }

    /// Why the connection should be closed now, if it should.
    fn expired(&self, settings: &Settings, stopping_since: Option<u64>) -> Option<&'static str> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let now = self.now();
        let head = self.head_since.load(Ordering::Relaxed);
        if head != NO_HEAD && now.saturating_sub(head) > millis(settings.header_timeout) {
            return Some("en-tête de requête incomplet");
        }
        let quiet_since = self.last_io.load(Ordering::Relaxed).max(stopping_since.unwrap_or(0));
        let limit = if stopping_since.is_some() { settings.shutdown_grace } else { settings.idle_timeout };
        (now.saturating_sub(quiet_since) > millis(limit)).then_some("inactive")
    }
}

fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Held while the router answers a request.
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        // The idle time starts when the answer is ready, not when the request came.
        self.0.wrote();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that tells its [`Activity`] when bytes move, and writes hyper's
/// own bodiless errors as JSON ([`hyper_errors`](super::hyper_errors)).
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    /// A JSON answer being written in place of hyper's, with the length it stands for.
    replacing: Option<Replacing>,
}

struct Replacing {
    bytes: Vec<u8>,
    written: usize,
    stands_for: usize,
}

impl Watched {
    fn new(stream: TcpStream, activity: Arc<Activity>) -> Watched {
        Watched { stream, activity, replacing: None }
    }

    /// Writes the replacement of hyper's answer; done, it counts as the `data` hyper gave.
    fn write_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some(r) = self.replacing.as_mut() else { return Poll::Ready(Ok(0)) };
        while r.written < r.bytes.len() {
            match Pin::new(&mut self.stream).poll_write(cx, &r.bytes[r.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => r.written += n,
                other => return other,
            }
        }
        let stands_for = r.stands_for;
        self.replacing = None;
        self.activity.wrote();
        Poll::Ready(Ok(stands_for))
    }

    /// Starts replacing `data` if it is one of hyper's bodiless errors.
    fn replaces(&mut self, data: &[u8], total: usize) -> bool {
        if self.replacing.is_none()
            && data.len() == total
            && let Some(bytes) = super::hyper_errors::replacement(data)
        {
            self.replacing = Some(Replacing { bytes, written: 0, stands_for: total });
        }
        self.replacing.is_some()
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if self.replaces(data, data.len()) {
            return self.write_replacement(cx);
        }
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total = bufs.iter().map(|b| b.len()).sum();
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
        if self.replaces(first, total) {
            return self.write_replacement(cx);
        }
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// How often a connection's watchdog looks: a quarter of the shortest timeout, within [20 ms, 1 s].
fn watch_period(settings: &Settings) -> Duration {
    let shortest = settings.header_timeout.min(settings.idle_timeout).min(settings.shutdown_grace);
    (shortest / 4).clamp(Duration::from_millis(20), Duration::from_secs(1))
}

/// Serves one connection until the client closes it, a timeout closes it,
/// or the server stops (`stopping` turns true): then the request being
/// answered, if any, is finished and the connection closed. `_permit` is
/// this connection's place under the connection cap.
pub(super) async fn serve(
    stream: TcpStream,
    app: Router,
    settings: Arc<Settings>,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
    let answering = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = answering.begin();
        let app = app.clone();
        async move {
            let response = app.oneshot(request.map(axum::body::Body::new)).await;
            drop(guard);
            response
        }
    });
    // No hyper timer: its header timeout would also cut idle keep-alive connections (see above).
    let mut connection = pin!(http1::Builder::new().header_read_timeout(None).serve_connection(io, service));
    let mut ticks = tokio::time::interval(watch_period(&settings));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping_since = None;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connexion terminée : {e}");
                }
                return;
            }
            _ = ticks.tick() => {
                if let Some(why) = activity.expired(&settings, stopping_since) {
                    tracing::debug!("connexion fermée : {why}");
                    return;
                }
            }
            changed = stopping.changed(), if stopping_since.is_none() => {
                if changed.is_err() || *stopping.borrow() {
                    // Idle connections close now; one answering finishes its request first.
                    connection.as_mut().graceful_shutdown();
                    stopping_since = Some(activity.now());
                }
            }
        }
    }
}

/// Answers a connection beyond the cap with a 503 and `Retry-After`, then
/// closes it: the client learns at once that the server is busy instead of
/// waiting for a place. Bounded in time: a client that sends nothing is cut.
pub(super) async fn refuse(stream: TcpStream, _permit: OwnedSemaphorePermit) {
    let service = hyper::service::service_fn(|_request: hyper::Request<Incoming>| async {
        Ok::<_, Infallible>(ApiError::Busy.into_response())
    });
    let connection = http1::Builder::new()
        .keep_alive(false)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, connection).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            header_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_millis(300),
            shutdown_grace: Duration::from_millis(50),
            ..Settings::default()
        }
    }

    fn at(activity: &Activity, ago_ms: u64) -> u64 {
        activity.now().saturating_sub(ago_ms)
    }

    #[test]
    fn a_head_begun_and_not_finished_expires_after_the_header_timeout_not_the_idle_one() {
        let activity = Activity::new();
        std::thread::sleep(Duration::from_millis(150));
        activity.head_since.store(at(&activity, 150), Ordering::Relaxed);
        activity.last_io.store(at(&activity, 10), Ordering::Relaxed);
        assert_eq!(activity.expired(&settings(), None), Some("en-tête de requête incomplet"));
    }

    #[test]
    fn an_idle_connection_lives_until_the_idle_timeout_and_a_request_being_answered_is_never_cut() {
        // Quiet since it was opened, 200 ms ago, then 350 ms ago: the idle timeout is 300 ms.
        let activity = Arc::new(Activity::new());
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(activity.expired(&settings(), None), None);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(activity.expired(&settings(), None), Some("inactive"));
        let answering = activity.begin();
        assert_eq!(activity.expired(&settings(), None), None);
        drop(answering);
        assert_eq!(activity.expired(&settings(), None), None, "the answer just made counts as activity");
    }

    #[test]
    fn once_stopping_a_quiet_connection_gets_only_the_grace() {
        let activity = Activity::new();
        std::thread::sleep(Duration::from_millis(100));
        activity.last_io.store(activity.now(), Ordering::Relaxed);
        let stopping = activity.now();
        assert_eq!(activity.expired(&settings(), Some(stopping)), None);
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(activity.expired(&settings(), Some(stopping)), Some("inactive"));
    }
}
