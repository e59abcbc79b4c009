//! Stage 2: the set of units cptsmap counts — communes, with Paris, Lyon and
//! Marseille replaced by their arrondissements when those are loaded.
//!
//! The atlas is built once from the loaded layers and never changes. It
//! answers "which units does this code mean?": a unit code gives one unit, a
//! replaced city code gives all its arrondissements.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::commune::{ARRONDISSEMENT_CITIES, InseeCode, MergedCommune, Unit, UnitId, UnitKind};
use crate::diagnostics::Warning;
use crate::load::fields::LayerRecord;
use crate::load::names::AreaNames;
use crate::load::population::read_population;
use crate::load::{InputError, Layer, UnitReadOptions, read_arrondissements, read_unit_layers};
use rayon::prelude::*;

/// The département of Mayotte, left out of INSEE's populations légales.
const MAYOTTE: &str = "976";

/// Where the units come from.
#[derive(Debug, Clone, Default)]
pub struct AtlasSources {
    /// One or several commune layers (metropole, each overseas département…).
    pub communes: Vec<PathBuf>,
    /// How to read them (layer name in a GeoPackage).
    pub read: UnitReadOptions,
    /// Arrondissements municipaux given on their own: replace Paris, Lyon and Marseille.
    pub arrondissements: Option<PathBuf>,
    /// Use the arrondissements a commune source carries (a GeoPackage's layer).
    pub carried_arrondissements: bool,
    /// INSEE populations légales that override or supply populations.
    pub population: Option<PathBuf>,
    /// Directory holding `departements.csv`, `regions.csv`, `epci.csv`.
    pub names: Option<PathBuf>,
}

/// What a layer said about itself, for the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    pub path: String,
    pub crs: String,
    pub encoding: String,
    pub records: usize,
}

/// What a code stands for in this atlas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved<'a> {
    Unit(UnitId),
    /// A city replaced by its arrondissements.
    City(&'a [UnitId]),
    Unknown,
}

#[derive(Debug)]
pub struct Atlas {
    /// Sorted by code.
    pub units: Vec<Unit>,
    by_code: HashMap<InseeCode, UnitId>,
    cities: HashMap<InseeCode, Vec<UnitId>>,
    pub names: AreaNames,
    pub layers: Vec<LayerInfo>,
    /// Merged communes, by their old code (from the sources that carry them).
    pub history: Vec<MergedCommune>,
    pub warnings: Vec<Warning>,
    /// What is known and counted as documented (e.g. Mayotte without INSEE
    /// population): reported, but not refused by `--strict`.
    pub notes: Vec<Warning>,
}

impl Atlas {
    pub fn load(sources: &AtlasSources) -> Result<Atlas, InputError> {
        let mut warnings = Vec::new();
        let names = match &sources.names {
            Some(dir) => AreaNames::read_dir(dir)?,
            None => AreaNames::default(),
        };
        let mut layers = Vec::new();
        let mut communes = Vec::new();
        let mut carried = Vec::new();
        let mut history = Vec::new();
        for path in &sources.communes {
            let started = std::time::Instant::now();
            let read = read_unit_layers(path, &sources.read, &mut warnings)?;
            let layer = read.communes;
            if layer.records.is_empty() {
                return Err(InputError::file(path, "couche sans aucune commune"));
            }
            tracing::debug!(path = %path.display(), records = layer.records.len(), elapsed = ?started.elapsed(), "layer read");
            layers.push(info(&layer));
            communes.push((layer.path, layer.records));
            if sources.carried_arrondissements
                && let Some(arrs) = read.arrondissements
            {
                layers.push(info(&arrs));
                carried.extend(arrs.records);
            }
            history.extend(read.history);
        }
        let arrondissements = match &sources.arrondissements {
            Some(path) => {
                let layer = read_arrondissements(path, &sources.read, &mut warnings)?;
                layers.push(info(&layer));
                Some(layer.records)
            }
            None if !carried.is_empty() => Some(carried),
            None => None,
        };
        let started = std::time::Instant::now();
        let mut atlas = Atlas::assemble(communes, arrondissements, names, warnings);
        tracing::debug!(units = atlas.units.len(), elapsed = ?started.elapsed(), "atlas assembled");
        atlas.layers = layers;
        atlas.history = history;
        crate::load::history::add_to_atlas(&mut atlas, sources.names.as_deref())?;
        if let Some(path) = &sources.population {
            atlas.apply_population(path)?;
        }
        atlas.warn_missing_data();
        Ok(atlas)
    }

    /// Builds the atlas from records already read (used by `load` and by tests).
    pub fn assemble(
        communes: Vec<(PathBuf, Vec<LayerRecord>)>,
        arrondissements: Option<Vec<LayerRecord>>,
        names: AreaNames,
        mut warnings: Vec<Warning>,
    ) -> Atlas {
        let mut units: BTreeMap<InseeCode, Unit> = BTreeMap::new();
        for (path, records) in communes {
            for (i, r) in records.into_iter().enumerate() {
                if units.contains_key(&r.code) {
                    warnings.push(Warning::at(
                        "duplicate_unit",
                        format!("{}, enregistrement {}", path.display(), i + 1),
                        format!("commune {} déjà chargée : cet enregistrement est ignoré", r.code),
                    ));
                    continue;
                }
                units.insert(r.code, to_unit(r, UnitKind::Commune, &names));
            }
        }
        let mut cities: HashMap<InseeCode, Vec<InseeCode>> = HashMap::new();
        for mut r in arrondissements.unwrap_or_default() {
            let Some(city_code) = r.city else { continue };
            if let Some(city) = units.get(&city_code) {
                r.departement = r.departement.or_else(|| Some(city.departement.clone()));
                r.region = r.region.or_else(|| Some(city.region.clone()));
                if r.epcis.is_empty() {
                    r.epcis = city.epcis.clone();
                }
            }
            cities.entry(city_code).or_default().push(r.code);
            units.insert(r.code, to_unit(r, UnitKind::Arrondissement { city: city_code }, &names));
        }
        for (city, arrs) in &cities {
            if let Some(removed) = units.remove(city) {
                let sum: u64 = arrs.iter().filter_map(|c| units.get(c)?.population).sum();
                if removed.population.is_some_and(|p| p != sum) {
                    warnings.push(Warning::new(
                        "city_population_mismatch",
                        format!(
                            "{} ({city}) : {} habitants dans la couche des communes, {sum} dans ses {} arrondissements (ce sont eux qui comptent)",
                            removed.name,
                            removed.population.unwrap_or(0),
                            arrs.len()
                        ),
                    ));
                }
            }
        }
        let mut units: Vec<Unit> = units.into_values().collect();
        measure(&mut units);
        let by_code: HashMap<InseeCode, UnitId> =
            units.iter().enumerate().map(|(i, u)| (u.code, i as UnitId)).collect();
        let cities = cities
            .into_iter()
            .map(|(city, arrs)| {
                let mut ids: Vec<UnitId> = arrs.iter().filter_map(|c| by_code.get(c).copied()).collect();
                ids.sort_unstable();
                (city, ids)
            })
            .collect();
        Atlas { units, by_code, cities, names, layers: Vec::new(), history: Vec::new(), warnings, notes: Vec::new() }
    }

    /// Replaces populations by those of an INSEE file; reports codes it does not know.
    fn apply_population(&mut self, path: &Path) -> Result<(), InputError> {
        let table = read_population(path)?;
        let mut unknown = Vec::new();
        let mut replaced = 0usize;
        for (code, pop) in &table {
            match self.by_code.get(code) {
                Some(&id) => {
                    let unit = &mut self.units[id as usize];
                    if unit.population != Some(*pop) {
                        replaced += 1;
                    }
                    unit.population = Some(*pop);
                }
                // A city whose arrondissements are not loaded: the sum is set below.
                None if is_arrondissement(code) => {}
                None => unknown.push(code.to_string()),
            }
        }
        for (city, _) in ARRONDISSEMENT_CITIES {
            let Ok(city) = city.parse::<InseeCode>() else {
                continue;
            };
            if let Some(&id) = self.by_code.get(&city) {
                let sum: u64 = table.iter().filter(|(c, _)| arrondissement_city(c) == Some(city)).map(|(_, p)| p).sum();
                if sum > 0 {
                    self.units[id as usize].population = Some(sum);
                }
            }
        }
        let missing =
            self.units.iter().filter(|u| !table.contains_key(&u.code) && !self.cities.contains_key(&u.code)).count();
        let at = path.display().to_string();
        // What the file did, for the record: a note, not a doubt about it.
        self.notes.push(Warning::at(
            "population_file",
            &at,
            format!("{replaced} populations remplacées ; {missing} unités absentes du fichier gardent la population de leur couche"),
        ));
        if !unknown.is_empty() {
            unknown.sort();
            self.warnings.push(Warning::at(
                "unknown_population_code",
                at,
                format!("{} codes inconnus des couches chargées, ignorés : {}", unknown.len(), sample(&unknown)),
            ));
        }
        Ok(())
    }

    /// Units without contour or population. A unit without contour still
    /// counts by its code, so that is a note. A unit without population
    /// counts 0: a warning — except in Mayotte, which INSEE's populations
    /// légales leave out by design (its own census): a documented gap, a note.
    fn warn_missing_data(&mut self) {
        let no_contour: Vec<String> =
            self.units.iter().filter(|u| u.contour.is_none()).map(|u| format!("{} {}", u.code, u.name)).collect();
        if !no_contour.is_empty() {
            self.notes.push(Warning::new(
                "no_contour",
                format!(
                    "{} unités sans contour (comptées par leur code, absentes des cartes et des zones) : {}",
                    no_contour.len(),
                    sample(&no_contour)
                ),
            ));
        }
        let mut no_pop: BTreeMap<&str, usize> = BTreeMap::new();
        for u in self.units.iter().filter(|u| u.population.is_none()) {
            *no_pop.entry(&u.departement).or_default() += 1;
        }
        let (mayotte, elsewhere): (Vec<_>, Vec<_>) = no_pop.into_iter().partition(|(d, _)| *d == MAYOTTE);
        if let Some((_, n)) = mayotte.first() {
            self.notes.push(Warning::new(
                "no_population",
                format!(
                    "{n} unités de Mayotte sans population connue, comptées pour 0 habitant : les populations légales de l'INSEE ne couvrent pas Mayotte (recensement propre)"
                ),
            ));
        }
        if !elsewhere.is_empty() {
            let detail: Vec<String> = elsewhere.iter().map(|(d, n)| format!("{n} en {d}")).collect();
            self.warnings.push(Warning::new(
                "no_population",
                format!(
                    "{} unités sans population connue, comptées pour 0 habitant : {}",
                    elsewhere.iter().map(|(_, n)| n).sum::<usize>(),
                    detail.join(", ")
                ),
            ));
        }
    }

    pub fn resolve(&self, code: InseeCode) -> Resolved<'_> {
        if let Some(&id) = self.by_code.get(&code) {
            Resolved::Unit(id)
        } else if let Some(ids) = self.cities.get(&code) {
            Resolved::City(ids)
        } else {
            Resolved::Unknown
        }
    }

    pub fn unit(&self, id: UnitId) -> &Unit {
        &self.units[id as usize]
    }

    /// Whether the arrondissements of this city replace it.
    pub fn is_replaced_city(&self, code: InseeCode) -> bool {
        self.cities.contains_key(&code)
    }

    pub fn total_population(&self) -> u64 {
        self.units.iter().map(Unit::counted_population).sum()
    }
}

fn info(layer: &Layer) -> LayerInfo {
    let path = match &layer.layer {
        Some(name) => format!("{} (couche {name})", layer.path.display()),
        None => layer.path.display().to_string(),
    };
    LayerInfo { path, crs: layer.crs.clone(), encoding: layer.encoding.to_string(), records: layer.records.len() }
}

fn to_unit(r: LayerRecord, kind: UnitKind, names: &AreaNames) -> Unit {
    let departement = r.departement.unwrap_or_else(|| r.code.departement().to_string());
    let region =
        r.region.or_else(|| names.departements.get(&departement).map(|(_, reg)| reg.clone())).unwrap_or_default();
    Unit {
        code: r.code,
        name: r.name,
        kind,
        population: r.population,
        departement,
        region,
        epcis: r.epcis,
        bbox: r.measure.map(|m| m.bbox),
        area_km2: r.measure.map_or(0.0, |m| m.area_km2),
        contour: r.contour,
    }
}

/// Bounding boxes and ellipsoidal areas of the contours their reader did not measure.
fn measure(units: &mut [Unit]) {
    units.par_iter_mut().filter(|u| u.bbox.is_none()).for_each(|u| {
        if let Some(mp) = &u.contour {
            let m = crate::geometry::measure(mp);
            u.bbox = Some(m.bbox);
            u.area_km2 = m.area_km2;
        }
    });
}

fn is_arrondissement(code: &InseeCode) -> bool {
    arrondissement_city(code).is_some()
}

/// The city an arrondissement code belongs to (75101–75120, 69381–69389, 13201–13216).
pub fn arrondissement_city(code: &InseeCode) -> Option<InseeCode> {
    let n: u32 = code.as_str().parse().ok()?;
    let city = match n {
        75101..=75120 => "75056",
        69381..=69389 => "69123",
        13201..=13216 => "13055",
        _ => return None,
    };
    city.parse().ok()
}

/// The first few items of a long list, then how many more.
pub fn sample(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" … (+{})", items.len() - SHOWN));
    }
    s
}
