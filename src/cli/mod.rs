//! Subcommands, one file each, sharing the data options of [`data`].

mod data;
mod export;
mod feedback;
mod locate;
mod output;
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
    /// Service HTTP : API JSON et couches GeoJSON pour la carte.
    Serve(serve::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Report(args) => report::run(args),
        Command::Locate(args) => locate::run(args),
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
