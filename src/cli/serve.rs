//! `cptsmap serve`: the HTTP API on the loaded data.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use std::time::Duration;

use anyhow::Context as _;
use cptsmap::coverage::Options;
use cptsmap::http;
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
    /// Secondes laissées à un client pour finir les en-têtes d'une requête commencée.
    #[arg(long, env = "CPTSMAP_HEADER_TIMEOUT", value_name = "SECONDES", value_parser = seconds,
          default_value_t = http::HEADER_TIMEOUT.as_secs_f64())]
    header_timeout: f64,
    /// Secondes après lesquelles une connexion sans requête en cours ni octet échangé est fermée.
    #[arg(long, env = "CPTSMAP_IDLE_TIMEOUT", value_name = "SECONDES", value_parser = seconds,
          default_value_t = http::IDLE_TIMEOUT.as_secs_f64())]
    idle_timeout: f64,
    /// Connexions servies à la fois ; au-delà, réponse 503 avec Retry-After.
    #[arg(long, env = "CPTSMAP_MAX_CONNECTIONS", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000), default_value_t = http::MAX_CONNECTIONS as u32)]
    max_connections: u32,
    /// À l'arrêt, secondes laissées aux connexions silencieuses (les requêtes en cours finissent).
    #[arg(long, env = "CPTSMAP_SHUTDOWN_GRACE", value_name = "SECONDES", value_parser = seconds,
          default_value_t = http::SHUTDOWN_GRACE.as_secs_f64())]
    shutdown_grace: f64,
}

/// A positive number of seconds, decimals allowed (`0.5`).
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("« {text} » : nombre de secondes attendu, de 0 exclu à 86 400")),
    }
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
    let settings = http::Settings {
        header_timeout: Duration::from_secs_f64(args.header_timeout),
        idle_timeout: Duration::from_secs_f64(args.idle_timeout),
        max_connections: args.max_connections as usize,
        shutdown_grace: Duration::from_secs_f64(args.shutdown_grace),
    };
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
        http::serve(listener, snapshot, settings).await.context("serveur HTTP")
    })?;
    // A computation still running for a client that left must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(())
}
