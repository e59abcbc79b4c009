//! The server loop: accepts connections up to a cap, serves each with its
//! timeouts ([`connection`](super::connection)), answers the ones beyond
//! the cap with a 503 at once, and stops on request without waiting for
//! clients that never finish.
//!
//! Every setting is a `serve` option with an environment fallback; the
//! defaults are the constants below.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::connection;

/// Longest a client may take to send a request's headers once it has begun them.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a connection may stay without a request being answered and without a byte moving.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Most connections served at once; beyond, clients get a 503 with `Retry-After`.
/// Kept well under the usual limit of 1 024 open files per process.
pub const MAX_CONNECTIONS: usize = 512;
/// Once asked to stop: longest a connection may stay quiet before it is closed
/// (requests being answered are finished first, within the request timeout).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Connections beyond the cap being told 503 at once; beyond these, closed without an answer.
const REFUSING: usize = 64;
/// Pause after a failed `accept` (out of file descriptors): retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Files the process needs besides its connections (data, logs, listener).
const OTHER_FILES: u64 = 64;
/// At most one warning about refused connections in this time.
const REFUSAL_LOG_PERIOD: Duration = Duration::from_secs(10);

/// How the server treats its connections.
#[derive(Debug, Clone)]
pub struct Settings {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            header_timeout: HEADER_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            shutdown_grace: SHUTDOWN_GRACE,
        }
    }
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting,
/// finishes the requests being answered and closes every connection: idle
/// and half-sent ones at once, quiet ones after the grace, and gives up on
/// the rest after the request timeout plus the grace.
pub async fn run(
    listener: TcpListener,
    app: Router,
    settings: Settings,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = settings.max_connections.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    warn_if_too_few_files(max);
    let settings = Arc::new(settings);
    let places = Arc::new(Semaphore::new(max));
    let refusing = Arc::new(Semaphore::new(REFUSING));
    let (stopping, stopped) = watch::channel(false);
    let refusals = Refusals::default();
    let mut stop = pin!(stop);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                tracing::error!("connexion non acceptée : {e}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Answers are written whole: no need to wait for more before sending a packet.
        let _ = stream.set_nodelay(true);
        if let Ok(place) = Arc::clone(&places).try_acquire_owned() {
            tokio::spawn(connection::serve(stream, app.clone(), Arc::clone(&settings), stopped.clone(), place));
        } else {
            refusals.note(max);
            if let Ok(place) = Arc::clone(&refusing).try_acquire_owned() {
                tokio::spawn(connection::refuse(stream, place));
            }
        }
    }
    drop(listener);
    let open = max - places.available_permits();
    tracing::info!("arrêt : plus de nouvelles connexions, {open} ouvertes à fermer");
    let _ = stopping.send(true);
    // Every connection gives its place back when it ends.
    let deadline = super::REQUEST_TIMEOUT + settings.shutdown_grace;
    let all_closed = async {
        let _ = places.acquire_many(max as u32).await;
        let _ = refusing.acquire_many(REFUSING as u32).await;
    };
    if tokio::time::timeout(deadline, all_closed).await.is_err() {
        tracing::warn!("arrêt : {} connexions abandonnées après {deadline:?}", max - places.available_permits());
    }
    Ok(())
}

/// Errors of one connection that say nothing about the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// Counts connections refused for lack of room and says so now and then.
#[derive(Default)]
struct Refusals {
    count: AtomicU64,
    last_log: std::sync::Mutex<Option<Instant>>,
}

impl Refusals {
    fn note(&self, max: usize) {
        let count = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let mut last = self.last_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_none_or(|t| t.elapsed() >= REFUSAL_LOG_PERIOD) {
            *last = Some(Instant::now());
            tracing::warn!(
                "{max} connexions ouvertes, la limite : connexions refusées (503), {count} depuis le démarrage"
            );
        }
    }
}

/// The cap protects nothing if the process runs out of file descriptors first:
/// says so at start-up (Linux: the soft limit from `/proc/self/limits`).
fn warn_if_too_few_files(max: usize) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else { return };
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    let needed = (max + REFUSING) as u64 + OTHER_FILES;
    if let Some(soft) = soft
        && soft < needed
    {
        tracing::warn!(
            "limite de fichiers ouverts {soft} sous les {needed} nécessaires à {max} connexions : \
             baissez --max-connections ou montez la limite (ulimit -n)"
        );
    }
}
