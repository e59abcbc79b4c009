//! `cptsmap report`: the coverage report.

use std::io::Write;

use anyhow::Context;
use cptsmap::coverage::Options;
use cptsmap::report::{self, Format};
use cptsmap::territory::IsoDate;

use super::data::DataArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Situation à cette date (AAAA-MM-JJ) : chaque CPTS au stade le plus avancé atteint à cette date, d'après les dates de la liste.
    #[arg(long, value_name = "DATE")]
    at: Option<IsoDate>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Csv,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let loaded = args.data.load(&Options { as_of: args.at }, &super::feedback::Feedback::start())?;
    let format = match args.format {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    report::write(&loaded.coverage.report, format, &mut out).context("écriture du rapport")?;
    out.flush().context("écriture du rapport")?;
    Ok(())
}
