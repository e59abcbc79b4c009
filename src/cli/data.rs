//! The data options shared by every subcommand, and loading them into a
//! computed coverage (with a spinner on a terminal).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::coverage::{self, Coverage, Options};
use cptsmap::index::UnitIndex;
use cptsmap::load::InputError;
use cptsmap::load::territories::read_territory_list;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bundled data, relative to `--geodata`.
pub const COMMUNES_FILE: &str = "COMMUNE.shp";
pub const ARRONDISSEMENTS_FILE: &str = "ARRONDISSEMENT_MUNICIPAL.shp";
pub const DEMO_CPTS_FILE: &str = "cpts_demo_fictif.csv";

#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Dossier des données fournies (communes, noms, territoires de démonstration).
    #[arg(long, env = "CPTSMAP_GEODATA", default_value = "geodata")]
    pub geodata: PathBuf,
    /// Couche(s) des communes (.shp) ; répéter l'option pour plusieurs fichiers. [défaut : GEODATA/COMMUNE.shp]
    #[arg(long = "communes", value_name = "SHP")]
    pub communes: Vec<PathBuf>,
    /// Couche des arrondissements municipaux, qui remplacent Paris, Lyon et Marseille. [défaut : GEODATA/ARRONDISSEMENT_MUNICIPAL.shp]
    #[arg(long, value_name = "SHP")]
    pub arrondissements: Option<PathBuf>,
    /// Ne pas charger d'arrondissements municipaux.
    #[arg(long, conflicts_with = "arrondissements")]
    pub no_arrondissements: bool,
    /// Populations légales INSEE (donnees_communes.csv) qui remplacent celles des couches.
    #[arg(long, value_name = "CSV")]
    pub population: Option<PathBuf>,
    /// Liste des CPTS (CSV long : une ligne par CPTS et commune). [défaut : GEODATA/cpts_demo_fictif.csv, FICTIF]
    #[arg(long, value_name = "FICHIER")]
    pub cpts: Option<PathBuf>,
    /// Toute anomalie des données devient une erreur.
    #[arg(long)]
    pub strict: bool,
}

/// Everything a subcommand reads: computed once.
pub struct Loaded {
    pub atlas: Atlas,
    pub coverage: Coverage,
}

impl DataArgs {
    fn sources(&self) -> AtlasSources {
        let communes =
            if self.communes.is_empty() { vec![self.geodata.join(COMMUNES_FILE)] } else { self.communes.clone() };
        let arrondissements = if self.no_arrondissements {
            None
        } else {
            self.arrondissements.clone().or_else(|| {
                // The bundled arrondissements go with the bundled communes only.
                let bundled = self.geodata.join(ARRONDISSEMENTS_FILE);
                (self.communes.is_empty() && bundled.exists()).then_some(bundled)
            })
        };
        AtlasSources {
            communes,
            arrondissements,
            population: self.population.clone(),
            names: Some(self.geodata.clone()),
        }
    }

    fn cpts_path(&self) -> PathBuf {
        self.cpts.clone().unwrap_or_else(|| self.geodata.join(DEMO_CPTS_FILE))
    }

    pub fn load(&self, options: &Options) -> anyhow::Result<Loaded> {
        let spinner = spinner();
        spinner.set_message("lecture des communes…");
        let atlas = Atlas::load(&self.sources()).context("chargement des communes")?;
        let cpts_path = self.cpts_path();
        spinner.set_message("lecture des CPTS…");
        let list = read_territory_list(&cpts_path, &atlas).context("chargement des territoires CPTS")?;
        let mut warnings = atlas.warnings.clone();
        warnings.extend(list.warnings);
        spinner.set_message("calcul de la couverture…");
        let started = std::time::Instant::now();
        let mut coverage = coverage::compute(&atlas, list.territories, options, warnings);
        tracing::debug!(elapsed = ?started.elapsed(), "coverage computed");
        spinner.finish_and_clear();
        let report = &mut coverage.report;
        report.data.cpts = Some(cpts_path.display().to_string());
        report.data.fictional = is_fictional(&cpts_path);
        if self.strict && !report.warnings.is_empty() {
            return Err(InputError::Strict(report.warnings.clone()).into());
        }
        Ok(Loaded { atlas, coverage })
    }
}

impl Loaded {
    pub fn index(&self) -> UnitIndex {
        UnitIndex::build(&self.atlas)
    }
}

/// The bundled demo territories say so in their file name.
fn is_fictional(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.to_lowercase().contains("fictif"))
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
