//! The data options shared by every subcommand, and loading them into a
//! computed coverage (with a spinner on a terminal).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::coverage::{self, Coverage, Options};
use cptsmap::diagnostics::Warning;
use cptsmap::index::UnitIndex;
use cptsmap::load::polygons::{FieldChoice, is_polygon_file, read_drawn_territories};
use cptsmap::load::territories::{ListOptions, read_territory_list_with};
use cptsmap::load::{InputError, UnitReadOptions};
use cptsmap::membership::{DEFAULT_MIN_SHARE, assign};
use cptsmap::territory::Territory;

use super::feedback::Feedback;

/// The bundled data, relative to `--geodata` (embedded in the binary when it is not given).
pub const COMMUNES_FILE: &str = "COMMUNE.shp";
pub const ARRONDISSEMENTS_FILE: &str = "ARRONDISSEMENT_MUNICIPAL.shp";
pub const DEMO_CPTS_FILE: &str = "cpts_demo_fictif.csv";

#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Dossier des données de base (communes, noms, territoires de démonstration) ; sans cette option, celles intégrées au programme.
    #[arg(long, env = "CPTSMAP_GEODATA", value_name = "DOSSIER")]
    pub geodata: Option<PathBuf>,
    /// Couche(s) des communes (.shp, .gpkg, .fgb) ; répéter l'option pour plusieurs fichiers. [défaut : GEODATA/COMMUNE.shp]
    #[arg(long = "communes", value_name = "FICHIER")]
    pub communes: Vec<PathBuf>,
    /// Nom de la couche des communes dans un GeoPackage. [défaut : commune]
    #[arg(long, value_name = "COUCHE")]
    pub communes_layer: Option<String>,
    /// Couche des arrondissements municipaux, qui remplacent Paris, Lyon et Marseille (.shp, .gpkg, .fgb). [défaut : GEODATA/ARRONDISSEMENT_MUNICIPAL.shp, ou celle du GeoPackage des communes]
    #[arg(long, value_name = "FICHIER")]
    pub arrondissements: Option<PathBuf>,
    /// Ne pas charger d'arrondissements municipaux.
    #[arg(long, conflicts_with = "arrondissements")]
    pub no_arrondissements: bool,
    /// Populations légales INSEE (donnees_communes.csv) qui remplacent celles des couches.
    #[arg(long, value_name = "CSV")]
    pub population: Option<PathBuf>,
    /// Liste des CPTS (CSV ou classeur .xlsx/.xls/.ods, une ligne par CPTS et commune, communes par code INSEE ou par nom) ; répéter l'option pour ajouter des listes (un projet enregistré depuis la carte…), aux identifiants distincts. [défaut : GEODATA/cpts_demo_fictif.csv, FICTIF]
    #[arg(long, value_name = "FICHIER")]
    pub cpts: Vec<PathBuf>,
    /// Feuille du classeur qui porte la liste des CPTS. [défaut : la première dont l'en-tête est reconnu]
    #[arg(long, value_name = "FEUILLE")]
    pub cpts_sheet: Option<String>,
    /// Toute anomalie des données devient une erreur.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub polygons: PolygonArgs,
}

/// Options of territories drawn as polygons (`--cpts` given a .geojson or .shp).
#[derive(Debug, clap::Args)]
pub struct PolygonArgs {
    /// Part minimale de la surface d'une commune dans un polygone pour qu'elle en fasse partie.
    #[arg(long, value_name = "PART", default_value_t = DEFAULT_MIN_SHARE, value_parser = parse_share)]
    pub min_share: f64,
    /// Propriété portant l'identifiant de la CPTS (détectée sinon).
    #[arg(long, value_name = "CHAMP")]
    pub cpts_id_field: Option<String>,
    /// Propriété portant le nom de la CPTS (détectée sinon : nom, nom_cpts, libelle…).
    #[arg(long, value_name = "CHAMP")]
    pub cpts_name_field: Option<String>,
    /// Propriété portant le statut (détectée sinon : statut, etat, avancement…).
    #[arg(long, value_name = "CHAMP")]
    pub cpts_stage_field: Option<String>,
    /// Propriété portant la date de signature de l'ACI.
    #[arg(long, value_name = "CHAMP")]
    pub cpts_date_field: Option<String>,
    /// Code EPSG des coordonnées quand le GeoJSON ne le dit pas (4326, 3857, 2154).
    #[arg(long, value_name = "EPSG")]
    pub cpts_crs: Option<u32>,
}

fn parse_share(text: &str) -> Result<f64, String> {
    let v: f64 = text.replace(',', ".").parse().map_err(|_| format!("« {text} » : nombre entre 0 et 1 attendu"))?;
    if v > 0.0 && v <= 1.0 { Ok(v) } else { Err(format!("« {text} » : nombre entre 0 (exclu) et 1 attendu")) }
}

/// Everything a subcommand reads: computed once.
pub struct Loaded {
    pub atlas: Atlas,
    pub coverage: Coverage,
}

impl DataArgs {
    /// The directory of the base data: `--geodata`, or the embedded files.
    fn geodata(&self) -> PathBuf {
        self.geodata.clone().unwrap_or_else(|| PathBuf::from(cptsmap::load::bundled::DIR))
    }

    fn sources(&self, feedback: &Feedback) -> AtlasSources {
        let geodata = self.geodata();
        let communes = if self.communes.is_empty() { vec![geodata.join(COMMUNES_FILE)] } else { self.communes.clone() };
        let arrondissements = if self.no_arrondissements {
            None
        } else {
            self.arrondissements.clone().or_else(|| {
                // The bundled arrondissements go with the bundled communes only.
                let bundled = geodata.join(ARRONDISSEMENTS_FILE);
                (self.communes.is_empty() && cptsmap::load::exists(&bundled)).then_some(bundled)
            })
        };
        AtlasSources {
            communes,
            arrondissements,
            population: self.population.clone(),
            names: Some(geodata),
            read: UnitReadOptions { layer: self.communes_layer.clone(), progress: Some(feedback.progress()) },
            carried_arrondissements: !self.no_arrondissements,
        }
    }

    fn cpts_paths(&self) -> Vec<PathBuf> {
        if self.cpts.is_empty() { vec![self.geodata().join(DEMO_CPTS_FILE)] } else { self.cpts.clone() }
    }

    pub fn load(&self, options: &Options, feedback: &Feedback) -> anyhow::Result<Loaded> {
        let atlas = Atlas::load(&self.sources(feedback)).context("chargement des communes")?;
        let cpts_paths = self.cpts_paths();
        feedback.stage("lecture des CPTS");
        let started = std::time::Instant::now();
        let mut warnings = atlas.warnings.clone();
        let mut territories = Vec::new();
        // Territory id → the list that gave it: a territory is known by its id, so ids stay distinct across lists.
        let mut lists_of: HashMap<String, &Path> = HashMap::new();
        for cpts_path in &cpts_paths {
            let read = self.read_territories(cpts_path, &atlas, feedback, &mut warnings)?;
            for t in &read {
                if let Some(first) = lists_of.insert(t.id.clone(), cpts_path) {
                    let message = format!(
                        "CPTS d'identifiant « {} » déjà lue dans {} : les identifiants doivent rester distincts d'une liste à l'autre",
                        t.id,
                        first.display()
                    );
                    return Err(InputError::file(cpts_path, message).into());
                }
            }
            territories.extend(read);
        }
        tracing::debug!(territories = territories.len(), elapsed = ?started.elapsed(), "CPTS read");
        feedback.stage("calcul de la couverture");
        let started = std::time::Instant::now();
        let mut coverage = coverage::compute(&atlas, territories, options, warnings);
        tracing::debug!(elapsed = ?started.elapsed(), "coverage computed");
        let report = &mut coverage.report;
        report.data.cpts = cpts_paths.first().map(|p| p.display().to_string());
        report.data.cpts_added = cpts_paths.iter().skip(1).map(|p| p.display().to_string()).collect();
        report.data.fictional = cpts_paths.iter().any(|p| is_fictional(p));
        if self.strict && !report.warnings.is_empty() {
            return Err(InputError::Strict(report.warnings.clone()).into());
        }
        Ok(Loaded { atlas, coverage })
    }

    /// The territories of one `--cpts` file: drawn polygons, or a list.
    fn read_territories(
        &self,
        cpts_path: &Path,
        atlas: &Atlas,
        feedback: &Feedback,
        warnings: &mut Vec<Warning>,
    ) -> anyhow::Result<Vec<Territory>> {
        let started = std::time::Instant::now();
        let territories = if is_polygon_file(cpts_path) {
            let p = &self.polygons;
            let choice = FieldChoice {
                id: p.cpts_id_field.clone(),
                name: p.cpts_name_field.clone(),
                stage: p.cpts_stage_field.clone(),
                date: p.cpts_date_field.clone(),
                crs: p.cpts_crs,
            };
            let drawn =
                read_drawn_territories(cpts_path, &choice, warnings).context("chargement des polygones CPTS")?;
            tracing::debug!(polygons = drawn.len(), elapsed = ?started.elapsed(), "CPTS polygons read");
            feedback.stage("communes dans les polygones");
            assign(atlas, &UnitIndex::build(atlas), drawn, p.min_share, warnings)
        } else {
            let options = ListOptions { sheet: self.cpts_sheet.clone() };
            let list =
                read_territory_list_with(cpts_path, atlas, &options).context("chargement des territoires CPTS")?;
            warnings.extend(list.warnings);
            list.territories
        };
        Ok(territories)
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
