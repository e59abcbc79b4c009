//! `cptsmap locate`: the unit at a point or for a code, and who covers it.

use anyhow::{Context, bail};
use cptsmap::atlas::Resolved;
use cptsmap::commune::{InseeCode, UnitId};
use cptsmap::coverage::Options;
use cptsmap::load::InputError;
use cptsmap::text::thousands;
use serde::Serialize;

use super::data::{DataArgs, Loaded};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Longitude WGS84 (degrés décimaux).
    #[arg(long, requires = "lat", conflicts_with = "commune", allow_hyphen_values = true)]
    lon: Option<f64>,
    /// Latitude WGS84 (degrés décimaux).
    #[arg(long, requires = "lon", allow_hyphen_values = true)]
    lat: Option<f64>,
    /// Code INSEE de la commune ou de l'arrondissement.
    #[arg(long, value_name = "CODE", required_unless_present = "lon")]
    commune: Option<InseeCode>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

#[derive(Serialize)]
struct Covering {
    id: String,
    name: String,
    stage: cptsmap::territory::Stage,
    stage_label: &'static str,
}

#[derive(Serialize)]
struct Located {
    code: InseeCode,
    name: String,
    population: Option<u64>,
    departement: String,
    region: String,
    cpts: Vec<Covering>,
    uncovered_zone: Option<ZoneRef>,
}

#[derive(Serialize)]
struct ZoneRef {
    units: usize,
    population: u64,
    main_unit: String,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let loaded = args.data.load(&Options::default(), &super::feedback::Feedback::start())?;
    let ids: Vec<UnitId> = match (args.commune, args.lon, args.lat) {
        (Some(code), _, _) => match loaded.atlas.resolve(code) {
            Resolved::Unit(id) => vec![id],
            Resolved::City(ids) => ids.to_vec(),
            Resolved::Unknown => {
                return Err(InputError::File {
                    path: "--commune".into(),
                    message: format!("code {code} inconnu des couches chargées"),
                }
                .into());
            }
        },
        (None, Some(lon), Some(lat)) => match loaded.index().locate(&loaded.atlas, lon, lat) {
            Some(id) => vec![id],
            None => {
                bail!("aucune commune au point ({lon}, {lat}) : en mer, hors de France, ou dans une zone sans contour")
            }
        },
        _ => unreachable!("clap requires --commune or --lon with --lat"),
    };
    let found: Vec<Located> = ids.iter().map(|&id| located(&loaded, id)).collect();
    match args.format {
        FormatArg::Json => {
            let value = if found.len() == 1 { serde_json::to_value(&found[0]) } else { serde_json::to_value(&found) };
            println!("{}", serde_json::to_string_pretty(&value.context("JSON")?)?);
        }
        FormatArg::Text => {
            if loaded.coverage.report.data.fictional {
                println!("(territoires CPTS FICTIFS de démonstration)");
            }
            for l in &found {
                print_text(l);
            }
        }
    }
    Ok(())
}

fn located(loaded: &Loaded, id: UnitId) -> Located {
    let unit = loaded.atlas.unit(id);
    let cov = &loaded.coverage;
    Located {
        code: unit.code,
        name: unit.name.clone(),
        population: unit.population,
        departement: unit.departement.clone(),
        region: unit.region.clone(),
        cpts: cov.covering[id as usize]
            .iter()
            .map(|&t| {
                let t = &cov.territories[t as usize];
                Covering { id: t.id.clone(), name: t.name.clone(), stage: t.stage, stage_label: t.stage.label() }
            })
            .collect(),
        uncovered_zone: cov.zone_of[id as usize].map(|z| {
            let zone = &cov.report.uncovered_zones.zones[z as usize];
            ZoneRef { units: zone.units, population: zone.population, main_unit: zone.main_unit.clone() }
        }),
    }
}

fn print_text(l: &Located) {
    let pop = l.population.map_or("inconnue".to_string(), |p| format!("{} hab.", thousands(p)));
    println!("{} ({}) — population {pop}, département {}, région {}", l.name, l.code, l.departement, l.region);
    if l.cpts.is_empty() {
        match &l.uncovered_zone {
            Some(z) => println!(
                "  zone blanche : aucune CPTS ; la zone autour de {} compte {} unités et {} habitants",
                z.main_unit,
                z.units,
                thousands(z.population)
            ),
            None => println!("  aucune CPTS"),
        }
    }
    for c in &l.cpts {
        println!("  couverte par {} ({}) — {}", c.name, c.id, c.stage_label);
    }
}
