//! Stage 7: the HTTP API over an immutable [`Snapshot`] (axum on tokio).
//!
//! [`router`] builds the whole application without a socket (tests call it
//! with `oneshot`); [`serve`] runs it on a listener until SIGINT or SIGTERM.
//! Everything derived from the snapshot carries an ETag and answers 304 to
//! a matching `If-None-Match`; bodies are compressed (gzip, brotli).

mod areas;
mod dated;
mod error;
mod layers;
mod plan;
mod routes;
mod timeline;
mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;
pub use layers::{MAX_BYTES, MAX_COMMUNES, MAX_VERTICES};
pub use plan::{MAX_BOX_UNITS, PLAN_BODY_LIMIT};

use crate::snapshot::Snapshot;

/// Longest a request may take before a 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Only `POST /api/plan` reads a body (up to [`PLAN_BODY_LIMIT`]); for every other route, anything larger than this is refused.
pub const BODY_LIMIT: usize = 16 * 1024;

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
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(
            // One structured line per request (method, path, status, latency) at INFO.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub async fn serve(listener: tokio::net::TcpListener, snapshot: Arc<Snapshot>) -> std::io::Result<()> {
    let page = Arc::new(web::Web::new(Arc::clone(&snapshot)));
    // Place names and France's summaries are prepared in the background while the server answers.
    let warm = Arc::clone(&page);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        routes::warm_assets(&warm.snapshot.version);
        warm.warm();
        tracing::info!(elapsed = ?started.elapsed(), "noms de lieux et résumés nationaux prêts");
    });
    axum::serve(listener, app(snapshot, page)).with_graceful_shutdown(shutdown_signal()).await
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
