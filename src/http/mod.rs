//! Stage 7: the HTTP API over an immutable [`Snapshot`] (axum on hyper and tokio).
//!
//! [`router`] builds the whole application without a socket (tests call it
//! with `oneshot`); [`serve`] runs it on a listener with the server loop of
//! [`server`] (timeouts, connection cap) until SIGINT or SIGTERM.
//! Everything derived from the snapshot carries an ETag and answers 304 to
//! a matching `If-None-Match`; bodies are compressed (gzip, brotli) once,
//! off the async workers when large ([`work`]). Every error is JSON.

mod areas;
mod connection;
mod dated;
mod error;
mod hyper_errors;
mod layers;
mod plan;
mod routes;
mod server;
mod timeline;
mod web;
mod work;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::{ApiError, MAX_DETAIL_CHARS, MAX_ECHO_CHARS, RETRY_AFTER_SECS};
pub use layers::{MAX_BYTES, MAX_COMMUNES, MAX_EXPORT_BYTES, MAX_EXPORT_VERTICES, MAX_VERTICES};
pub use plan::{MAX_BOX_UNITS, PLAN_BODY_LIMIT};
pub use server::{HEADER_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS, SHUTDOWN_GRACE, Settings};
pub use work::{CACHE_BYTES, INLINE_ENCODE_MAX};

use crate::snapshot::Snapshot;

/// Longest a request may take before a 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Only `POST /api/plan` reads a body (up to [`PLAN_BODY_LIMIT`]); for every other route, anything larger than this is refused.
pub const BODY_LIMIT: usize = 16 * 1024;
/// Longest address (path and query) read; longer ones get a 414.
pub const MAX_URI_BYTES: usize = 16 * 1024;

pub fn router(snapshot: Arc<Snapshot>) -> Router {
    let page = Arc::new(web::Web::new(Arc::clone(&snapshot)));
    app(snapshot, page)
}

fn app(snapshot: Arc<Snapshot>, page: Arc<web::Web>) -> Router {
    routes::routes()
        .with_state(Arc::clone(&snapshot))
        .merge(web::routes(page))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Merged after the limit above: a draft of all France is larger, and has its own limit.
        .merge(plan::routes(snapshot))
        // Answers made by `respond` come compressed; this only compresses small plain ones.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(SmallBodies)))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(middleware::from_fn(limit_uri))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(error::json_errors))
        .layer(
            // One structured line per request (method, path, status, latency) at INFO.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Bodies of known size small enough to compress on an async worker.
#[derive(Debug, Clone, Copy)]
struct SmallBodies;

impl Predicate for SmallBodies {
    fn should_compress<B: http_body::Body>(&self, response: &axum::http::Response<B>) -> bool {
        let size = http_body::Body::size_hint(response.body()).exact();
        size.is_some_and(|n| (1024..=INLINE_ENCODE_MAX as u64).contains(&n))
    }
}

/// Refuses addresses longer than [`MAX_URI_BYTES`] before any route reads them.
async fn limit_uri(request: Request, next: Next) -> Response {
    let length = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if length > MAX_URI_BYTES {
        return ApiError::UriTooLong { length, limit: MAX_URI_BYTES }.into_response();
    }
    next.run(request).await
}

/// A panic in a handler is a bug: a 500 like any other, logged with its message.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ApiError::Internal(format!("panique : {message}")).into_response()
}

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    snapshot: Arc<Snapshot>,
    settings: Settings,
) -> std::io::Result<()> {
    let page = Arc::new(web::Web::new(Arc::clone(&snapshot)));
    // Place names and France's summaries are prepared in the background while the server answers.
    let warm = Arc::clone(&page);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        routes::warm_assets(&warm.snapshot.version);
        warm.warm();
        tracing::info!(elapsed = ?started.elapsed(), "noms de lieux et résumés nationaux prêts");
    });
    server::run(listener, app(snapshot, page), settings, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}
