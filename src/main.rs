//! `cptsmap`: the command line. Thin: parse, dispatch, turn errors into a
//! message and an exit code (0 success, 1 failure, 2 invalid input or usage).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Logs go to stderr; `RUST_LOG=cptsmap=debug` shows the time of each stage. By default:
    // warnings, plus the server's start-up and one line per HTTP request.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,cptsmap::cli::serve=info,tower_http=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
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
