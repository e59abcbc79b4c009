//! Benchmark of the history (`cptsmap history`) and of past dates on the
//! server (`?at=`), on the bundled national data and the dated demo list.
//!
//!     cargo build --release
//!     cargo bench --bench history -- [RUNS]
//!
//! What is timed (median of RUNS, after loading):
//!   A  96 months × every département, incremental: the dated stages sorted
//!      once and replayed month by month (`timeline::history::compute`)
//!   B  the same figures the naive way: one full coverage per month
//!      (`coverage::compute` with `as_of`, as `report --at` counts), once
//!   C  the server (router, no socket): `/api/summary` and the national
//!      territories layer today, then with `?at=`: its first request (the
//!      coverage on that date computed, the layer drawn) and the next ones
//!   D  whole processes: `cptsmap history --level departement` over the 96
//!      months, beside `cptsmap report` (the same loading, one coverage)
//! Target: A ≤ 1 s; C after the first request as fast as today's answers.
//!
//! Measured on 2026-11-23 on the 2-core development machine while other
//! builds ran, `cargo bench --bench history -- 5`:
//!
//!     A history, 96 months x 101 départements, incremental: 0.022 s
//!     B the same, one full coverage per month: 9.867 s (451× A)
//!     C summary: today 0.039 ms; ?at=2023-03-01 first request 73.3 ms, then 0.004 ms
//!     C cpts layer: today 0.009 ms; ?at=2023-03-01 first request 161.0 ms, then 0.021 ms
//!     D cptsmap history --level departement (96 months, JSON): 0.444 s; cptsmap report: 0.458 s
//!
//! The whole `history` process costs what `report` costs: loading the
//! communes and the list; the 96 months themselves are A.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::coverage::{Options, compute};
use cptsmap::load::territories::read_territory_list;
use cptsmap::snapshot::Snapshot;
use cptsmap::timeline::history::{Grouping, Level, compute as history};
use cptsmap::timeline::month::Month;

const FROM: &str = "2018-01";
const TO: &str = "2025-12";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed().as_secs_f64())
}

/// Median wall time of a whole `cptsmap` process, after one warm-up (file cache).
fn process(binary: &PathBuf, args: &[&str], runs: usize) -> f64 {
    let run = || {
        let out = Command::new(binary).args(args).output().expect("cptsmap runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run();
    median((0..runs).map(|_| timed(run).1).collect())
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let geodata = root.join("geodata");
    let sources = AtlasSources {
        communes: vec![geodata.join("COMMUNE.shp")],
        arrondissements: Some(geodata.join("ARRONDISSEMENT_MUNICIPAL.shp")),
        population: None,
        names: Some(geodata.clone()),
        ..AtlasSources::default()
    };
    let atlas = Atlas::load(&sources).expect("communes load");
    let list = read_territory_list(&geodata.join("cpts_demo_fictif.csv"), &atlas).expect("demo list loads");
    let territories = list.territories;
    let (from, to): (Month, Month) = (FROM.parse().expect("month"), TO.parse().expect("month"));
    let months = to.since(from) + 1;

    // A: incremental, grouping included (the CLI builds it each time).
    let mut areas = 0;
    let a = median(
        (0..runs)
            .map(|_| {
                let (h, s) = timed(|| {
                    let grouping = Grouping::level(&atlas, Level::Departement);
                    history(&atlas, &territories, &grouping, from, to)
                });
                areas = h.areas.len();
                s
            })
            .collect(),
    );
    println!("A history, {months} months x {areas} départements, incremental: {:.3} s", a);

    // B: one full count per month, once (it is slow).
    let (_, b) = timed(|| {
        for month in from.through(to) {
            let options = Options { as_of: Some(month.first_day()) };
            std::hint::black_box(compute(&atlas, territories.clone(), &options, Vec::new()));
        }
    });
    println!("B the same, one full coverage per month: {b:.3} s ({:.0}× A)", b / a);

    // C: through the router (no socket), brotli asked as the page asks: today's
    // answers, then a past date's first request, then its next ones.
    let coverage = compute(&atlas, territories, &Options::default(), Vec::new());
    let app = cptsmap::http::router(Arc::new(Snapshot::new(atlas, coverage)));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let get = |uri: &str| {
        let request = Request::get(uri).header("accept-encoding", "br").body(Body::empty()).expect("request");
        let app = app.clone();
        timed(|| {
            rt.block_on(async move {
                let response = app.oneshot(request).await.expect("answer");
                assert!(response.status().is_success(), "{uri}: {}", response.status());
                axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").len()
            })
        })
        .1
    };
    let warm = |uri: &str| median((0..runs.max(20)).map(|_| get(uri)).collect());
    for (what, uri) in [("summary", "/api/summary"), ("cpts layer", "/api/layers/cpts.geojson?zoom=6&stage=aci_signe")]
    {
        get(uri);
        let today = warm(uri);
        let dated = format!("{uri}{}at=2023-03-01", if uri.contains('?') { '&' } else { '?' });
        let first = get(&dated);
        let kept = warm(&dated);
        println!(
            "C {what}: today {:.3} ms; ?at=2023-03-01 first request {:.1} ms, then {:.3} ms",
            today * 1e3,
            first * 1e3,
            kept * 1e3
        );
    }

    // D: whole processes, when the release binary is built.
    let binary = root.join("target/release/cptsmap");
    if binary.exists() {
        let history = process(
            &binary,
            &["history", "--level", "departement", "--from", FROM, "--to", TO, "--format", "json"],
            runs,
        );
        let report = process(&binary, &["report", "--format", "json"], runs);
        println!(
            "D cptsmap history --level departement ({months} months, JSON): {history:.3} s; cptsmap report: {report:.3} s"
        );
    } else {
        println!("D skipped: cargo build --release first");
    }
}
