//! Stage 5: who is covered, counted once.
//!
//! Each unit gets the list of territories that cover it and its best stage;
//! every figure is then a sum of unit populations — the population of the
//! *union* of covered units — never a sum over territories. Figures by stage
//! are cumulative: "at stage S" means covered by a territory at S or beyond.
//!
//! The [`Report`] is the machine contract of `cptsmap report --format json`
//! (keys documented in the README); the per-unit vectors serve lookups.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::atlas::Atlas;
use crate::commune::{InseeCode, UnitId};
use crate::diagnostics::Warning;
use crate::territory::{IsoDate, Stage, Territory, size_class};
use crate::topology::connected_groups;

/// Options of a coverage computation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// ACI-signed coverage as of this date, from the signature dates.
    pub as_of: Option<IsoDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageFigure {
    pub stage: Stage,
    pub stage_label: &'static str,
    pub population: u64,
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    pub population: u64,
    pub percent: f64,
}

/// Coverage of an area (région, département, EPCI).
#[derive(Debug, Clone, Serialize)]
pub struct AreaCoverage {
    pub code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub units: usize,
    pub population: u64,
    pub covered_population: u64,
    pub percent: f64,
    pub by_stage: Vec<StageFigure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TerritoryFigures {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub aci_date: Option<IsoDate>,
    pub units: usize,
    pub population: u64,
    pub size_class: u8,
    pub area_km2: f64,
    pub departements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverlapUnit {
    pub code: InseeCode,
    pub name: String,
    pub population: u64,
    pub cpts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overlaps {
    pub units: usize,
    pub population: u64,
    pub list: Vec<OverlapUnit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UncoveredZone {
    pub units: usize,
    pub population: u64,
    pub area_km2: f64,
    pub departements: Vec<String>,
    /// The most populous unit, to name the zone.
    pub main_unit: String,
    pub codes: Vec<InseeCode>,
    /// The units themselves, in the order of `codes` (not serialised).
    #[serde(skip)]
    pub members: Vec<UnitId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UncoveredZones {
    pub count: usize,
    pub population: u64,
    pub zones: Vec<UncoveredZone>,
}

/// Where the figures come from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    pub communes: Vec<crate::atlas::LayerInfo>,
    pub cpts: Option<String>,
    /// Lists given by further `--cpts` options (a draft saved from the map…), absent with one list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cpts_added: Vec<String>,
    /// True for the bundled, invented demo territories.
    pub fictional: bool,
    pub as_of: Option<IsoDate>,
}

/// The whole report: the JSON contract of `cptsmap report`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub data: Provenance,
    pub population: u64,
    pub units: usize,
    pub covered: Covered,
    pub by_stage: Vec<StageFigure>,
    pub regions: Vec<AreaCoverage>,
    pub departements: Vec<AreaCoverage>,
    pub epcis: Vec<AreaCoverage>,
    pub cpts: Vec<TerritoryFigures>,
    pub overlaps: Overlaps,
    pub uncovered_zones: UncoveredZones,
    pub warnings: Vec<Warning>,
    /// Known gaps counted as documented (e.g. Mayotte without INSEE population).
    pub notes: Vec<Warning>,
}

/// The computed coverage: the report plus what lookups need per unit.
#[derive(Debug)]
pub struct Coverage {
    pub territories: Vec<Territory>,
    /// For each unit, the indices of the territories covering it.
    pub covering: Vec<Vec<u32>>,
    /// For each unit, its most advanced covering stage.
    pub best: Vec<Option<Stage>>,
    /// For each unit, the zone of `report.uncovered_zones.zones` it lies in.
    pub zone_of: Vec<Option<u32>>,
    pub report: Report,
}

pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 * 1e6 / whole as f64).round() / 1e4 }
}

/// Population of an area, and covered population at each stage level (index = level).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    units: usize,
    population: u64,
    at_level: [u64; 4],
}

impl Tally {
    fn add(&mut self, population: u64, best: Option<Stage>) {
        self.units += 1;
        self.population += population;
        if let Some(best) = best {
            for level in 0..=best.level() {
                self.at_level[level] += population;
            }
        }
    }

    fn by_stage(&self) -> Vec<StageFigure> {
        Stage::DESCENDING
            .into_iter()
            .map(|s| StageFigure {
                stage: s,
                stage_label: s.label(),
                population: self.at_level[s.level()],
                percent: percent(self.at_level[s.level()], self.population),
            })
            .collect()
    }

    fn area(&self, code: &str, name: &str, region: Option<String>) -> AreaCoverage {
        let covered = self.at_level[0];
        AreaCoverage {
            code: code.to_string(),
            name: name.to_string(),
            region,
            units: self.units,
            population: self.population,
            covered_population: covered,
            percent: percent(covered, self.population),
            by_stage: self.by_stage(),
        }
    }
}

/// Keeps the territories that count for these options; explains the others.
fn select(territories: Vec<Territory>, options: &Options, warnings: &mut Vec<Warning>) -> Vec<Territory> {
    let Some(as_of) = options.as_of else {
        return territories;
    };
    let undated: Vec<String> = territories
        .iter()
        .filter(|t| t.stage == Stage::AciSigne && t.aci_date.is_none())
        .map(|t| t.id.clone())
        .collect();
    if !undated.is_empty() {
        warnings.push(Warning::new(
            "aci_without_date",
            format!(
                "--at {as_of} : {} CPTS à l'ACI signé sans date de signature ne sont pas comptées : {}",
                undated.len(),
                crate::atlas::sample(&undated)
            ),
        ));
    }
    territories.into_iter().filter(|t| t.stage == Stage::AciSigne && t.aci_date.is_some_and(|d| d <= as_of)).collect()
}

pub fn compute(atlas: &Atlas, territories: Vec<Territory>, options: &Options, mut warnings: Vec<Warning>) -> Coverage {
    let territories = select(territories, options, &mut warnings);
    let n = atlas.units.len();
    let mut covering: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (t, territory) in territories.iter().enumerate() {
        for &u in &territory.units {
            covering[u as usize].push(t as u32);
        }
    }
    let best: Vec<Option<Stage>> =
        covering.iter().map(|ts| ts.iter().map(|&t| territories[t as usize].stage).max()).collect();

    let mut national = Tally::default();
    let mut regions: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut departements: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut epcis: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut dep_region: BTreeMap<&str, &str> = BTreeMap::new();
    for (unit, best) in atlas.units.iter().zip(&best) {
        dep_region.entry(&unit.departement).or_insert(&unit.region);
        let pop = unit.counted_population();
        national.add(pop, *best);
        regions.entry(&unit.region).or_default().add(pop, *best);
        departements.entry(&unit.departement).or_default().add(pop, *best);
        for e in &unit.epcis {
            epcis.entry(e).or_default().add(pop, *best);
        }
    }
    let names = &atlas.names;
    let regions = regions.iter().map(|(c, t)| t.area(c, names.region(c), None)).collect();
    let departements = departements
        .iter()
        .map(|(c, t)| t.area(c, names.departement(c), dep_region.get(c).map(|r| r.to_string())))
        .collect();
    let epcis = epcis.iter().map(|(c, t)| t.area(c, names.epci(c), None)).collect();

    let cpts = territories.iter().map(|t| territory_figures(atlas, t)).collect();
    let overlaps = overlaps(atlas, &territories, &covering);
    let uncovered: Vec<UnitId> = (0..n as UnitId).filter(|&u| best[u as usize].is_none()).collect();
    let (uncovered_zones, zone_of) = uncovered_zones(atlas, &uncovered);

    let covered = national.at_level[0];
    let report = Report {
        data: Provenance { communes: atlas.layers.clone(), as_of: options.as_of, ..Provenance::default() },
        population: national.population,
        units: n,
        covered: Covered { population: covered, percent: percent(covered, national.population) },
        by_stage: national.by_stage(),
        regions,
        departements,
        epcis,
        cpts,
        overlaps,
        uncovered_zones,
        warnings,
        notes: atlas.notes.clone(),
    };
    Coverage { territories, covering, best, zone_of, report }
}

fn territory_figures(atlas: &Atlas, t: &Territory) -> TerritoryFigures {
    let population = t.units.iter().map(|&u| atlas.unit(u).counted_population()).sum();
    let departements: BTreeSet<&str> = t.units.iter().map(|&u| atlas.unit(u).departement.as_str()).collect();
    TerritoryFigures {
        id: t.id.clone(),
        name: t.name.clone(),
        stage: t.stage,
        stage_label: t.stage.label(),
        aci_date: t.aci_date,
        units: t.units.len(),
        population,
        size_class: size_class(population),
        area_km2: round2(t.units.iter().map(|&u| atlas.unit(u).area_km2).sum()),
        departements: departements.into_iter().map(str::to_string).collect(),
    }
}

/// ACI-signed coverage at the end of a month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthFigure {
    /// `YYYY-MM`
    pub month: String,
    pub population: u64,
    pub percent: f64,
    /// Territories signed by the end of that month.
    pub territories: usize,
}

impl Coverage {
    /// ACI-signed coverage month by month, from the first signature to the
    /// last one, each resident counted once (a unit counts from the earliest
    /// signature of the territories covering it).
    pub fn timeline(&self, atlas: &Atlas) -> Vec<MonthFigure> {
        let month = |d: IsoDate| u32::from(d.year) * 12 + u32::from(d.month) - 1;
        let mut first_signed: Vec<(u32, u64)> = Vec::new();
        for (u, ts) in self.covering.iter().enumerate() {
            let earliest = ts
                .iter()
                .filter_map(|&t| {
                    let t = &self.territories[t as usize];
                    (t.stage == Stage::AciSigne).then_some(t.aci_date).flatten()
                })
                .min();
            if let Some(d) = earliest {
                first_signed.push((month(d), atlas.unit(u as UnitId).counted_population()));
            }
        }
        let mut signed: Vec<u32> = self
            .territories
            .iter()
            .filter(|t| t.stage == Stage::AciSigne)
            .filter_map(|t| t.aci_date)
            .map(month)
            .collect();
        if signed.is_empty() {
            return Vec::new();
        }
        signed.sort_unstable();
        first_signed.sort_unstable();
        let total = atlas.total_population();
        let (first, last) = (signed[0], signed[signed.len() - 1]);
        let (mut population, mut i, mut t) = (0u64, 0usize, 0usize);
        (first..=last)
            .map(|m| {
                while i < first_signed.len() && first_signed[i].0 <= m {
                    population += first_signed[i].1;
                    i += 1;
                }
                while t < signed.len() && signed[t] <= m {
                    t += 1;
                }
                MonthFigure {
                    month: format!("{:04}-{:02}", m / 12, m % 12 + 1),
                    population,
                    percent: percent(population, total),
                    territories: t,
                }
            })
            .collect()
    }

    /// Units not covered by any territory at `stage` or beyond.
    pub fn uncovered_at(&self, stage: Stage) -> Vec<UnitId> {
        (0..self.best.len() as UnitId).filter(|&u| self.best[u as usize].is_none_or(|b| b < stage)).collect()
    }

    /// Whether a unit is covered at `stage` or beyond.
    pub fn covered_at(&self, unit: UnitId, stage: Stage) -> bool {
        self.best[unit as usize].is_some_and(|b| b >= stage)
    }
}

fn overlaps(atlas: &Atlas, territories: &[Territory], covering: &[Vec<u32>]) -> Overlaps {
    let list: Vec<OverlapUnit> = covering
        .iter()
        .enumerate()
        .filter(|(_, ts)| ts.len() > 1)
        .map(|(u, ts)| {
            let unit = atlas.unit(u as UnitId);
            OverlapUnit {
                code: unit.code,
                name: unit.name.clone(),
                population: unit.counted_population(),
                cpts: ts.iter().map(|&t| territories[t as usize].id.clone()).collect(),
            }
        })
        .collect();
    Overlaps { units: list.len(), population: list.iter().map(|o| o.population).sum(), list }
}

/// Connected groups of the given units, most populous first, and the zone of each unit.
pub fn uncovered_zones(atlas: &Atlas, uncovered: &[UnitId]) -> (UncoveredZones, Vec<Option<u32>>) {
    let mut zones: Vec<UncoveredZone> = connected_groups(atlas, uncovered)
        .into_iter()
        .map(|group| {
            let units: Vec<&crate::commune::Unit> = group.iter().map(|&u| atlas.unit(u)).collect();
            let departements: BTreeSet<&str> = units.iter().map(|u| u.departement.as_str()).collect();
            let main = units
                .iter()
                .max_by_key(|u| (u.counted_population(), std::cmp::Reverse(u.code)))
                .map(|u| u.name.clone());
            UncoveredZone {
                units: units.len(),
                population: units.iter().map(|u| u.counted_population()).sum(),
                area_km2: round2(units.iter().map(|u| u.area_km2).sum()),
                departements: departements.into_iter().map(str::to_string).collect(),
                main_unit: main.unwrap_or_default(),
                codes: units.iter().map(|u| u.code).collect(),
                members: group,
            }
        })
        .collect();
    zones.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.codes.cmp(&b.codes)));
    let mut zone_of = vec![None; atlas.units.len()];
    for (z, zone) in zones.iter().enumerate() {
        for &u in &zone.members {
            zone_of[u as usize] = Some(z as u32);
        }
    }
    let population = zones.iter().map(|z| z.population).sum();
    (UncoveredZones { count: zones.len(), population, zones }, zone_of)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
