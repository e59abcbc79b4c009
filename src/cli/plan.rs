//! `cptsmap plan`: the figures of a draft territory — what it would cover,
//! whom it overlaps, what it does to the coverage of France and of its
//! départements — or, with `--suggest`, a zone blanche cut into drafts.
//!
//! The draft rides on `--communes`, which every subcommand already reads as
//! commune layers: here, values ending in `.shp`, `.gpkg` or `.fgb` stay
//! layers and every other value is the draft (see [`PLAN_HELP`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cptsmap::arcs::Topology;
use cptsmap::coverage::Options;
use cptsmap::load::InputError;
use cptsmap::load::list_table::is_long_list;
use cptsmap::load::territories::{ListOptions, read_territory_list_with};
use cptsmap::plan::{Draft, Ground, Suggestion, figures, split_references};

use super::data::DataArgs;
use super::feedback::Feedback;

pub const PLAN_HELP: &str = "\
Le projet se donne avec --communes, qui désigne ailleurs les couches des communes : ici, une valeur
finissant par .shp, .gpkg ou .fgb reste une couche, toute autre valeur est le projet :
  --communes 26113,26108,26281          codes INSEE séparés par des virgules ou des espaces
  --communes \"Crest, Die, 26281\"        noms (toute graphie des listes de CPTS) et codes mêlés
  --communes projet.txt                 un code ou un nom par ligne
  --communes projet.csv                 une liste au format long de --cpts (CSV ou classeur)
Un code de ville (75056, 69123, 13055) vaut tous ses arrondissements. Un code ou un nom inconnu,
ou ambigu, est une erreur (code de sortie 2) qui le nomme.";

/// Layer extensions: values of `--communes` that stay commune layers.
const LAYER_EXTENSIONS: [&str; 3] = ["shp", "gpkg", "fgb"];
/// Extensions of draft files (anything else that is no file is read as codes or names).
const LIST_EXTENSIONS: [&str; 9] = ["csv", "txt", "tsv", "lst", "xlsx", "xlsm", "xls", "xlsb", "ods"];

#[derive(Debug, clap::Args)]
#[command(after_help = PLAN_HELP)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Nom du projet. [défaut : celui de la liste, ou « Projet de CPTS »]
    #[arg(long, value_name = "NOM")]
    name: Option<String>,
    /// Découper une zone blanche en projets de taille CPTS : celle qui contient cette commune (code INSEE), ou la plus peuplée sans valeur.
    #[arg(long, value_name = "COMMUNE", num_args = 0..=1, default_missing_value = "")]
    suggest: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

fn is_layer(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LAYER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

pub fn run(mut args: Args) -> anyhow::Result<()> {
    let (layers, draft): (Vec<PathBuf>, Vec<PathBuf>) = args.data.communes.drain(..).partition(|p| is_layer(p));
    args.data.communes = layers;
    match (&args.suggest, draft.is_empty()) {
        (Some(_), false) => {
            return Err(usage("--suggest découpe une zone blanche : ne donnez pas de projet avec --communes"));
        }
        (None, true) => return Err(usage("donnez le projet : --communes CODES|FICHIER (ou --suggest)")),
        _ => {}
    }
    let feedback = Feedback::start();
    let mut loaded = args.data.load(&Options::default(), &feedback)?;
    feedback.stage("frontières communes");
    let topology = Topology::build(&mut loaded.atlas, &mut Vec::new());
    drop(feedback);
    let ground = Ground { atlas: &loaded.atlas, coverage: &loaded.coverage, topology: &topology };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &args.suggest {
        Some(commune) => suggest(ground, commune, args.format, &mut out)?,
        None => {
            let draft = read_draft(ground, &draft, args.name.as_deref(), &args.data)?;
            let figures = figures::compute(ground, &draft);
            match args.format {
                FormatArg::Json => {
                    out.write_all(&figures.to_json())?;
                    writeln!(out)?;
                }
                FormatArg::Text => cptsmap::plan::table::write_figures(&figures, &mut out)?,
            }
        }
    }
    out.flush().context("écriture du projet")?;
    Ok(())
}

fn usage(message: &str) -> anyhow::Error {
    InputError::file(Path::new("--communes"), message).into()
}

/// Every source of the draft resolved, then put together.
fn read_draft(ground: Ground, sources: &[PathBuf], name: Option<&str>, data: &DataArgs) -> anyhow::Result<Draft> {
    let mut units = Vec::new();
    let mut notes = Vec::new();
    let mut list_name = None;
    for source in sources {
        let text = source.to_string_lossy();
        let is_file = source.is_file()
            || source
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| LIST_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        let draft = if is_file {
            read_file(ground, source, data, &mut list_name)?
        } else {
            Draft::resolve(ground.atlas, None, &split_references(&text))
                .map_err(|e| InputError::file(source, e.to_string()))?
        };
        units.extend(draft.units);
        notes.extend(draft.notes);
    }
    let name = name.map(str::to_string).or(list_name);
    Ok(Draft::new(name.as_deref(), units, notes).map_err(|e| InputError::file(Path::new("--name"), e.to_string()))?)
}

/// A draft file: a list in long format (its territories put together), or one code or name a line.
fn read_file(ground: Ground, path: &Path, data: &DataArgs, list_name: &mut Option<String>) -> anyhow::Result<Draft> {
    if !path.is_file() {
        return Err(InputError::file(path, "fichier introuvable").into());
    }
    if !is_long_list(path)? {
        let text = cptsmap::load::decode_text(&cptsmap::load::read_bytes(path)?);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
        return Ok(Draft::resolve(ground.atlas, None, &split_references(&lines.join("\n")))
            .map_err(|e| InputError::file(path, e.to_string()))?);
    }
    let list = read_territory_list_with(path, ground.atlas, &ListOptions { sheet: data.cpts_sheet.clone() })?;
    // A planner names each commune on purpose: what a report would skip with a warning is an error here.
    let refused: Vec<String> = list
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, "unknown_commune" | "ambiguous_commune" | "invalid_code" | "empty_territory"))
        .map(ToString::to_string)
        .collect();
    if !refused.is_empty() {
        return Err(InputError::file(path, refused.join(" ; ")).into());
    }
    if let [only] = &list.territories[..] {
        list_name.get_or_insert_with(|| only.name.clone());
    }
    let units = list.territories.iter().flat_map(|t| t.units.iter().copied()).collect();
    let notes = list.warnings.iter().map(ToString::to_string).collect();
    Ok(Draft::new(None, units, notes).map_err(|e| InputError::file(path, e.to_string()))?)
}

/// `--suggest [COMMUNE]`: the zone blanche of that commune (or the most populous) cut into drafts.
fn suggest(ground: Ground, commune: &str, format: FormatArg, out: &mut dyn Write) -> anyhow::Result<()> {
    let zones = &ground.coverage.report.uncovered_zones.zones;
    let zone = if commune.trim().is_empty() {
        if zones.is_empty() {
            return Err(InputError::file(
                Path::new("--suggest"),
                "aucune zone blanche : toute la population est couverte",
            )
            .into());
        }
        0
    } else {
        let draft = Draft::resolve(ground.atlas, None, &[commune])
            .map_err(|e| InputError::file(Path::new("--suggest"), e.to_string()))?;
        let unit = draft.units[0];
        ground.coverage.zone_of[unit as usize].map(|z| z as usize).ok_or_else(|| {
            InputError::file(
                Path::new("--suggest"),
                format!(
                    "{} ({}) est couverte par une CPTS : elle n'est dans aucune zone blanche",
                    ground.atlas.unit(unit).name,
                    ground.atlas.unit(unit).code
                ),
            )
        })?
    };
    let started = std::time::Instant::now();
    let suggestion = Suggestion::for_zone(ground, zone).context("zone blanche introuvable")?;
    let elapsed = started.elapsed();
    match format {
        FormatArg::Json => {
            let mut value = serde_json::to_value(&suggestion)?;
            value["computed_in_ms"] = serde_json::json!((elapsed.as_secs_f64() * 1e4).round() / 10.0);
            serde_json::to_writer(&mut *out, &value)?;
            writeln!(out)?;
        }
        FormatArg::Text => cptsmap::plan::table::write_suggestion(&suggestion, elapsed, out)?,
    }
    Ok(())
}
