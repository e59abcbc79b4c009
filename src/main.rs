//! `cptsmap`: the command line. Thin: parse, dispatch, turn errors into a
//! message and an exit code (0 success, 1 failure, 2 invalid input or usage).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

/// Log lines waiting for stderr; beyond that, new lines are dropped (and counted).
const LOG_BUFFER_LINES: usize = 8192;

fn main() -> ExitCode {
    // Logs go to stderr; `RUST_LOG=cptsmap=debug` shows the time of each stage. By default:
    // warnings, plus the server's start-up and one line per HTTP request. They are written
    // by a thread of their own, dropping lines rather than waiting: a server whose stderr
    // nobody reads (a paused supervisor) must keep answering.
    let (writer, _flush_on_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .thread_name("cptsmap-logs")
        .finish(std::io::stderr());
    let dropped = writer.error_counter();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,cptsmap::cli::serve=info,tower_http=info")
            }),
        )
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = cli::Cli::parse();
    let code = run(args);
    if dropped.dropped_lines() > 0 {
        eprintln!("cptsmap : {} lignes de journal perdues (sortie d'erreur saturée)", dropped.dropped_lines());
    }
    code
}

fn run(args: cli::Cli) -> ExitCode {
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`cptsmap report | head`) is not a failure.
            if err
                .chain()
                .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("erreur : {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  cause : {cause}");
            }
            if err.chain().any(|e| e.downcast_ref::<cptsmap::load::InputError>().is_some()) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
