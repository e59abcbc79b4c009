//! `cptsmap serve`: the HTTP API on the loaded data.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::Context as _;
use cptsmap::coverage::Options;
use cptsmap::snapshot::Snapshot;

use super::data::DataArgs;

/// Default address: this machine only; `--bind 0.0.0.0` to open it.
pub const DEFAULT_BIND: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 8080;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Adresse d'écoute.
    #[arg(long, env = "CPTSMAP_BIND", default_value = DEFAULT_BIND)]
    bind: IpAddr,
    /// Port d'écoute (0 : un port libre, affiché au démarrage).
    #[arg(long, env = "CPTSMAP_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    // Load and compute everything before opening the port: bad data fail fast.
    let feedback = super::feedback::Feedback::start();
    let loaded = args.data.load(&Options::default(), &feedback)?;
    feedback.stage("limites communes, index, recherche");
    let snapshot = Arc::new(Snapshot::new(loaded.atlas, loaded.coverage));
    drop(feedback);
    for w in &snapshot.topology_warnings {
        tracing::warn!("{w}");
    }
    // The national layers are drawn in the background while the server already answers.
    let warm = Arc::clone(&snapshot);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        warm.prewarm();
        tracing::info!(elapsed = ?started.elapsed(), "couches nationales prêtes");
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("démarrage de tokio")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("impossible d'écouter sur {addr} (port déjà utilisé ?)"))?;
        let local = listener.local_addr().context("adresse d'écoute")?;
        eprintln!(
            "cptsmap : {} unités, {} CPTS{} — http://{local}/ (Ctrl-C pour arrêter)",
            snapshot.atlas.units.len(),
            snapshot.coverage.territories.len(),
            if snapshot.coverage.report.data.fictional { " FICTIVES" } else { "" }
        );
        cptsmap::http::serve(listener, snapshot).await.context("serveur HTTP")
    })
}
