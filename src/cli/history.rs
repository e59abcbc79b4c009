//! `cptsmap history`: the coverage month by month, by cumulative stage, for
//! France, its régions or its départements, with the pace of the last twelve
//! months and the month it would reach 100 %.

use std::io::Write;

use anyhow::{Context, bail};
use cptsmap::coverage::Options;
use cptsmap::load::InputError;
use cptsmap::timeline::dates::today;
use cptsmap::timeline::history::{Grouping, Level, compute, default_range};
use cptsmap::timeline::month::Month;
use cptsmap::timeline::write;

use super::data::DataArgs;

/// Longest series asked for (a century of months).
const MAX_MONTHS: u32 = 1200;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Premier mois (AAAA-MM). [défaut : le mois de la première date de la liste]
    #[arg(long, value_name = "AAAA-MM")]
    from: Option<Month>,
    /// Dernier mois (AAAA-MM). [défaut : le mois qui suit la dernière date passée de la liste, au plus le mois en cours]
    #[arg(long, value_name = "AAAA-MM")]
    to: Option<Month>,
    /// Zones suivies.
    #[arg(long, value_enum, default_value_t = LevelArg::National)]
    level: LevelArg,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LevelArg {
    National,
    Region,
    Departement,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let loaded = args.data.load(&Options::default(), &super::feedback::Feedback::start())?;
    let territories = &loaded.coverage.territories;
    let default = default_range(territories, today());
    // Usage errors name the option, as the other subcommands do (exit 2).
    let usage = |option: &str, message: String| InputError::File { path: option.into(), message };
    let (Some(from), Some(to)) = (args.from.or(default.map(|r| r.0)), args.to.or(default.map(|r| r.1))) else {
        bail!(usage(
            "--from",
            "aucune date de stade dans la liste des CPTS : donnez --from et --to, ou une liste datée \
             (date_lettre_intention, date_projet_sante, date_signature_aci)"
                .into()
        ));
    };
    if from > to {
        bail!(usage("--from", format!("{from} est après --to {to}")));
    }
    if to.since(from) >= MAX_MONTHS {
        bail!(usage("--to", format!("{} mois de --from à --to : au plus {MAX_MONTHS}", to.since(from) + 1)));
    }
    let level = match args.level {
        LevelArg::National => Level::National,
        LevelArg::Region => Level::Region,
        LevelArg::Departement => Level::Departement,
    };
    let started = std::time::Instant::now();
    let grouping = Grouping::level(&loaded.atlas, level);
    let history = compute(&loaded.atlas, territories, &grouping, from, to);
    tracing::debug!(months = history.months.len(), areas = history.areas.len(), elapsed = ?started.elapsed(), "history computed");
    let report = &loaded.coverage.report;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        FormatArg::Table => write::table(&history, report.data.fictional, &mut out),
        FormatArg::Csv => write::csv(&history, &mut out),
        FormatArg::Json => {
            let value = serde_json::json!({
                "data": report.data,
                "history": history,
                "warnings": report.warnings,
            });
            serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from).and_then(|()| writeln!(out))
        }
    }
    .context("écriture de l'historique")?;
    out.flush().context("écriture de l'historique")?;
    Ok(())
}
