//! `cptsmap export`: GeoJSON layers for QGIS and other GIS.

use std::path::PathBuf;

use anyhow::bail;
use cptsmap::arcs::Topology;
use cptsmap::area::Area;
use cptsmap::coverage::Options;
use cptsmap::export::layers::{Context, ExportOptions, Layer, needs_topology, write_layer};
use cptsmap::territory::Stage;

use super::data::DataArgs;
use super::output::Target;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Couche à exporter : communes, cpts, covered, uncovered, overlaps, departements, regions.
    #[arg(long, value_parser = parse_layer)]
    layer: Layer,
    /// Seuil de couverture : couvert par une CPTS à ce stade ou au-delà. [défaut : tout stade]
    #[arg(long, value_parser = parse_stage)]
    stage: Option<Stage>,
    /// Seulement ce département (code INSEE : 01, 2A, 971…) : ses communes, ses zones blanches, les CPTS qui l'atteignent.
    #[arg(long, value_name = "CODE", group = "area")]
    departement: Option<String>,
    /// Seulement cette région (code INSEE : 84, 93…).
    #[arg(long, value_name = "CODE", group = "area")]
    region: Option<String>,
    /// Seulement cet EPCI (numéro SIREN).
    #[arg(long, value_name = "SIREN", group = "area")]
    epci: Option<String>,
    /// Seulement le territoire de cette CPTS (identifiant de la liste).
    #[arg(long, value_name = "ID", group = "area")]
    territory: Option<String>,
    /// Simplifier les contours à cette tolérance (mètres), sans trou ni chevauchement entre voisins.
    #[arg(long, value_name = "METRES")]
    simplify: Option<f64>,
    /// Fichier de sortie (GeoJSON), écrit entier ou pas du tout ; « - » ou rien : sortie standard.
    #[arg(short, long, value_name = "FICHIER")]
    output: Option<PathBuf>,
    /// Remplacer le fichier de sortie s'il existe (un fichier ordinaire seulement).
    #[arg(long)]
    force: bool,
}

fn parse_layer(text: &str) -> Result<Layer, String> {
    Layer::from_key(text).ok_or_else(|| {
        let keys: Vec<&str> = Layer::ALL.iter().map(|l| l.key()).collect();
        format!("couche « {text} » inconnue ; couches : {}", keys.join(", "))
    })
}

fn parse_stage(text: &str) -> Result<Stage, String> {
    text.parse().map_err(|e: cptsmap::territory::StageError| e.to_string())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let layer = args.layer;
    if let Some(m) = args.simplify
        && !(m.is_finite() && m >= 0.0)
    {
        bail!(cptsmap::load::InputError::File {
            path: "--simplify".into(),
            message: format!("{m} : distance positive en mètres attendue")
        });
    }
    // Refuse before any work: never overwrite what the user has without being asked,
    // and never anything but a regular file.
    let target = Target::check(args.output.as_deref(), args.force)?;
    let feedback = super::feedback::Feedback::start();
    let mut loaded = args.data.load(&Options::default(), &feedback)?;
    let wanted =
        [("region", &args.region), ("departement", &args.departement), ("epci", &args.epci), ("cpts", &args.territory)];
    let area = Area::from_params(
        |name| wanted.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_deref()),
        &loaded.coverage,
    )
    .map_err(|e| cptsmap::load::InputError::File { path: format!("--{}", e.parameter).into(), message: e.detail })?;
    let options = ExportOptions {
        stage: args.stage.unwrap_or(Stage::PreProjet),
        area,
        simplify_m: args.simplify,
        fictional: loaded.coverage.report.data.fictional,
        bbox: None,
    };
    let mut warnings = Vec::new();
    feedback.stage("limites communes (topologie)");
    let topology = if needs_topology(layer, &options) {
        Topology::build(&mut loaded.atlas, &mut warnings)
    } else {
        Topology::default()
    };
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let ctx = Context { atlas: &loaded.atlas, coverage: &loaded.coverage, topology: &topology, simplified: None };
    feedback.stage("écriture de la couche");
    let summary = target.write(args.force, |out| write_layer(&ctx, layer, &options, out))?;
    drop(feedback);
    eprintln!(
        "couche {} : {} entités{}{}",
        layer.key(),
        summary.features,
        if summary.dropped_rings > 0 {
            format!(", {} anneaux sous la surface minimale de simplification omis", summary.dropped_rings)
        } else {
            String::new()
        },
        if summary.open_rings > 0 {
            format!(", {} anneaux refermés de force (bords sans vis-à-vis)", summary.open_rings)
        } else {
            String::new()
        },
    );
    Ok(())
}
