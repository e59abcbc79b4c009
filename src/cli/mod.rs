//! Subcommands, one file each, sharing the data options of [`data`].

mod data;
mod export;
mod feedback;
mod history;
mod locate;
mod output;
mod plan;
mod report;
mod serve;

use clap::{Parser, Subcommand};

/// cptsmap — couverture de la population française par les CPTS.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Rapport de couverture : national, régions, départements, EPCI, CPTS, zones blanches.
    Report(report::Args),
    /// La commune (ou l'arrondissement) à un point ou pour un code, et les CPTS qui la couvrent.
    Locate(locate::Args),
    /// Couches GeoJSON pour QGIS : communes, CPTS, zones couvertes, zones blanches, chevauchements…
    Export(export::Args),
    /// Préparer une CPTS : ce qu'un projet de territoire couvrirait, ses chevauchements, la couverture après ; découpage d'une zone blanche.
    Plan(plan::Args),
    /// Service HTTP : API JSON et couches GeoJSON pour la carte.
    Serve(serve::Args),
    /// Couverture mois par mois par stade (France, régions ou départements), rythme et projection vers 100 %.
    History(history::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Report(args) => report::run(args),
        Command::Locate(args) => locate::run(args),
        Command::Export(args) => export::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Serve(args) => serve::run(args),
        Command::History(args) => history::run(args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Two options of one subcommand with the same name make one of them
    /// unreachable (`export --cpts` was once both the list file and the
    /// area filter). clap checks this only in debug builds, and the tests run
    /// optimised, so the check is made here.
    #[test]
    fn every_option_of_a_subcommand_has_its_own_name() {
        for command in super::Cli::command().get_subcommands() {
            let mut longs: Vec<&str> = command.get_arguments().filter_map(|a| a.get_long()).collect();
            let count = longs.len();
            longs.sort_unstable();
            longs.dedup();
            assert_eq!(longs.len(), count, "{}: {longs:?}", command.get_name());
        }
    }
}
