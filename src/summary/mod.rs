//! The summary of one [`Area`] at one stage threshold: what the map's panel
//! shows and what the figures CSV holds.
//!
//! Every figure is a sum over the area's units (each resident once), and
//! the zones blanches are the connected groups of the area's units not
//! covered at the stage, so that their populations add up exactly to the
//! area's « reste à couvrir » — the same definition as the zones exported
//! for that area and stage.

use std::collections::BTreeMap;

use serde::Serialize;

mod csv;
pub use csv::figures_csv;

use crate::area::{Area, Level};
use crate::atlas::Atlas;
use crate::commune::{InseeCode, UnitId};
use crate::coverage::{Coverage, OverlapUnit, Overlaps, StageFigure, UncoveredZone, percent, uncovered_zones};
use crate::territory::{IsoDate, Stage};

/// Longest lists in a summary (zones, territories, overlaps); the totals are always complete.
pub const LIST_LIMIT: usize = 100;

/// Population figures of a set of units at every stage.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub units: usize,
    pub population: u64,
    /// Units whose population is unknown (counted as 0), e.g. Mayotte in the bundled data.
    pub units_without_population: usize,
    /// Covered at the requested stage or beyond.
    pub covered_population: u64,
    pub percent: f64,
    /// `population - covered_population`: the « reste à couvrir ».
    pub uncovered_population: u64,
    /// Cumulative, most advanced first (as in the report).
    pub by_stage: Vec<StageFigure>,
}

impl Figures {
    pub fn of(atlas: &Atlas, coverage: &Coverage, units: &[UnitId], stage: Stage) -> Figures {
        let mut at = [0u64; 4];
        let (mut population, mut unknown) = (0u64, 0usize);
        for &u in units {
            let unit = atlas.unit(u);
            let pop = unit.counted_population();
            population += pop;
            unknown += usize::from(unit.population.is_none());
            if let Some(best) = coverage.best[u as usize] {
                for covered in at.iter_mut().take(best.level() + 1) {
                    *covered += pop;
                }
            }
        }
        let covered = at[stage.level()];
        Figures {
            units: units.len(),
            population,
            units_without_population: unknown,
            covered_population: covered,
            percent: percent(covered, population),
            uncovered_population: population - covered,
            by_stage: Stage::DESCENDING
                .into_iter()
                .map(|s| StageFigure {
                    stage: s,
                    stage_label: s.label(),
                    population: at[s.level()],
                    percent: percent(at[s.level()], population),
                })
                .collect(),
        }
    }
}

/// One zone blanche of the area.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneItem {
    /// Rank by population within the area, from 1.
    pub zone: usize,
    pub units: usize,
    pub population: u64,
    pub area_km2: f64,
    pub main_unit: String,
    pub main_code: Option<InseeCode>,
    pub departements: Vec<String>,
    pub bbox: Option<[f64; 4]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Zones {
    pub count: usize,
    pub population: u64,
    /// The most populous first, at most [`LIST_LIMIT`].
    pub list: Vec<ZoneItem>,
}

/// A CPTS reaching the area.
#[derive(Debug, Clone, Serialize)]
pub struct TerritoryItem {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub size_class: u8,
    pub aci_date: Option<IsoDate>,
    pub lettre_intention_date: Option<IsoDate>,
    pub projet_sante_date: Option<IsoDate>,
    /// Whole territory.
    pub population: u64,
    pub units: usize,
    /// The part inside the area.
    pub population_in_area: u64,
    pub units_in_area: usize,
    pub bbox: Option<[f64; 4]>,
}

/// A sub-area (régions of France, départements of a région), with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Child {
    pub level: &'static str,
    pub code: String,
    pub name: String,
    pub population: u64,
    pub covered_population: u64,
    pub percent: f64,
}

/// What the panel shows for an area at a stage.
#[derive(Debug, Clone, Serialize)]
pub struct AreaSummary {
    pub level: &'static str,
    pub code: Option<String>,
    pub name: String,
    /// The région of a département.
    pub region: Option<Child>,
    pub stage: Stage,
    pub stage_label: &'static str,
    #[serde(flatten)]
    pub figures: Figures,
    pub zones: Zones,
    /// The CPTS at the stage or beyond that reach the area, the most populous part first.
    pub cpts: Vec<TerritoryItem>,
    pub cpts_count: usize,
    pub overlaps: Overlaps,
    pub children: Vec<Child>,
    pub bbox: Option<[f64; 4]>,
}

/// `[west, south, east, north]` of some units.
pub fn bbox(atlas: &Atlas, units: &[UnitId]) -> Option<[f64; 4]> {
    units.iter().filter_map(|&u| atlas.unit(u).bbox).fold(None, |acc, b| {
        Some(match acc {
            None => [b.min().x, b.min().y, b.max().x, b.max().y],
            Some([w, s, e, n]) => [w.min(b.min().x), s.min(b.min().y), e.max(b.max().x), n.max(b.max().y)],
        })
    })
}

/// The zones blanches of some units at a stage: connected groups of those not covered.
pub fn zones_of(atlas: &Atlas, coverage: &Coverage, units: &[UnitId], stage: Stage) -> Vec<UncoveredZone> {
    let uncovered: Vec<UnitId> = units.iter().copied().filter(|&u| !coverage.covered_at(u, stage)).collect();
    uncovered_zones(atlas, &uncovered).0.zones
}

impl AreaSummary {
    pub fn compute(atlas: &Atlas, coverage: &Coverage, area: &Area, stage: Stage) -> AreaSummary {
        let units = area.units(atlas, coverage);
        let figures = Figures::of(atlas, coverage, &units, stage);
        let zones = zones_of(atlas, coverage, &units, stage);
        let zones = Zones {
            count: zones.len(),
            population: zones.iter().map(|z| z.population).sum(),
            list: zones
                .iter()
                .take(LIST_LIMIT)
                .enumerate()
                .map(|(i, z)| {
                    let main = z.members.iter().copied().max_by_key(|&u| {
                        let unit = atlas.unit(u);
                        (unit.counted_population(), std::cmp::Reverse(unit.code))
                    });
                    ZoneItem {
                        zone: i + 1,
                        units: z.units,
                        population: z.population,
                        area_km2: z.area_km2,
                        main_unit: z.main_unit.clone(),
                        main_code: main.map(|u| atlas.unit(u).code),
                        departements: z.departements.clone(),
                        bbox: bbox(atlas, &z.members),
                    }
                })
                .collect(),
        };
        let (cpts, cpts_count) = territories(atlas, coverage, &units, stage);
        // The région of a département, from its units (the name tables may lack it).
        let region = match area {
            Area::Departement(_) => units.first().map(|&u| {
                let r = atlas.unit(u).region.clone();
                let f = Figures::of(atlas, coverage, &Area::Region(r.clone()).units(atlas, coverage), stage);
                child(Level::Region, &r, atlas.names.region(&r), &f)
            }),
            _ => None,
        };
        AreaSummary {
            level: area.level().key(),
            code: area.code().map(str::to_string),
            name: area.name(atlas, coverage),
            region,
            stage,
            stage_label: stage.label(),
            figures,
            zones,
            cpts,
            cpts_count,
            overlaps: overlaps(atlas, coverage, &units, stage),
            children: children(atlas, coverage, area, &units, stage),
            bbox: bbox(atlas, &units),
        }
    }
}

fn child(level: Level, code: &str, name: &str, f: &Figures) -> Child {
    Child {
        level: level.key(),
        code: code.to_string(),
        name: name.to_string(),
        population: f.population,
        covered_population: f.covered_population,
        percent: f.percent,
    }
}

/// Territories at `stage` or beyond with units in the area, the largest part first.
fn territories(atlas: &Atlas, coverage: &Coverage, units: &[UnitId], stage: Stage) -> (Vec<TerritoryItem>, usize) {
    let mut inside: BTreeMap<u32, (usize, u64)> = BTreeMap::new();
    for &u in units {
        for &t in &coverage.covering[u as usize] {
            let e = inside.entry(t).or_default();
            e.0 += 1;
            e.1 += atlas.unit(u).counted_population();
        }
    }
    let mut items: Vec<TerritoryItem> = inside
        .into_iter()
        .filter_map(|(t, (n, pop))| {
            let territory = &coverage.territories[t as usize];
            if territory.stage < stage {
                return None;
            }
            let figures = &coverage.report.cpts[t as usize];
            Some(TerritoryItem {
                id: territory.id.clone(),
                name: territory.name.clone(),
                stage: territory.stage,
                stage_label: territory.stage.label(),
                size_class: figures.size_class,
                aci_date: territory.aci_date,
                lettre_intention_date: territory.lettre_intention_date,
                projet_sante_date: territory.projet_sante_date,
                population: figures.population,
                units: figures.units,
                population_in_area: pop,
                units_in_area: n,
                bbox: bbox(atlas, &territory.units),
            })
        })
        .collect();
    items.sort_by(|a, b| b.population_in_area.cmp(&a.population_in_area).then_with(|| a.id.cmp(&b.id)));
    let count = items.len();
    items.truncate(LIST_LIMIT);
    (items, count)
}

/// Units of the area in two territories or more at `stage` or beyond.
fn overlaps(atlas: &Atlas, coverage: &Coverage, units: &[UnitId], stage: Stage) -> Overlaps {
    let mut list: Vec<OverlapUnit> = units
        .iter()
        .filter_map(|&u| {
            let ts: Vec<String> = coverage.covering[u as usize]
                .iter()
                .map(|&t| &coverage.territories[t as usize])
                .filter(|t| t.stage >= stage)
                .map(|t| t.name.clone())
                .collect();
            let unit = atlas.unit(u);
            (ts.len() > 1).then(|| OverlapUnit {
                code: unit.code,
                name: unit.name.clone(),
                population: unit.counted_population(),
                cpts: ts,
            })
        })
        .collect();
    list.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.code.cmp(&b.code)));
    let (units, population) = (list.len(), list.iter().map(|o| o.population).sum());
    list.truncate(LIST_LIMIT);
    Overlaps { units, population, list }
}

/// Régions of France, départements of a région; none below.
fn children(atlas: &Atlas, coverage: &Coverage, area: &Area, units: &[UnitId], stage: Stage) -> Vec<Child> {
    let (level, key): (Level, fn(&crate::commune::Unit) -> &str) = match area {
        Area::France => (Level::Region, |u| &u.region),
        Area::Region(_) => (Level::Departement, |u| &u.departement),
        _ => return Vec::new(),
    };
    let mut groups: BTreeMap<&str, Vec<UnitId>> = BTreeMap::new();
    for &u in units {
        groups.entry(key(atlas.unit(u))).or_default().push(u);
    }
    groups
        .into_iter()
        .map(|(code, members)| {
            let f = Figures::of(atlas, coverage, &members, stage);
            let name = match level {
                Level::Region => atlas.names.region(code),
                _ => atlas.names.departement(code),
            };
            child(level, code, name, &f)
        })
        .collect()
}
