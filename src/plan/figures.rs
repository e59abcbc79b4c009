//! What a draft would change, against the loaded territories: its size, its
//! contiguity, the residents it would cover that no territory covers at any
//! stage, the territories it overlaps, the national and départemental
//! coverage if it were added, the zones blanches it reaches, and its outline.
//!
//! The counting rules are the report's: a resident is counted once, so
//! coverage after = covered today + the draft's units covered by no
//! territory (adding the draft as a territory to the list and running the
//! report gives the same figures, at any stage).
//!
//! # Performance
//!
//! One pass over the draft's units and their arcs, plus the dissolve of
//! their outline: linear in the draft, nothing in the size of France except
//! a lookup per département. The JSON is written by hand around the
//! geometry, which the GeoJSON writer formats (six decimals).

use std::collections::BTreeMap;

use geo::MultiPolygon;
use serde::Serialize;

use super::draft::Draft;
use super::{Ground, graph};
use crate::commune::{InseeCode, UnitId};
use crate::coverage::{Covered, percent};
use crate::dissolve::dissolve;
use crate::territory::{Stage, size_class};

/// Units and their population.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub units: usize,
    pub population: u64,
}

/// A unit of the draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftUnit {
    pub code: InseeCode,
    pub name: String,
    /// `None` when the data have no population for it (counted 0).
    pub population: Option<u64>,
    pub departement: String,
    /// Whether a territory covers it today, at any stage.
    pub covered: bool,
}

/// An existing territory sharing units with the draft: what they share.
#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    /// Units of the draft in that territory, and their population.
    pub units: usize,
    pub population: u64,
}

/// A département the draft touches, covered population (any stage) before and after.
#[derive(Debug, Clone, Serialize)]
pub struct DepartementChange {
    pub code: String,
    pub name: String,
    pub population: u64,
    pub covered_population_before: u64,
    pub covered_population_after: u64,
    pub percent_before: f64,
    pub percent_after: f64,
}

/// A zone blanche (any stage, national) the draft reaches, and how much of it.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneReached {
    /// Its rank among the national zones, most populous first (1-based, as `/api/communes/{code}`).
    pub zone: u32,
    pub main_unit: String,
    pub main_code: InseeCode,
    pub units: usize,
    pub population: u64,
    /// Population of the zone's units in the draft.
    pub covered_by_draft: u64,
    pub units_covered_by_draft: usize,
}

/// The figures of a draft: the JSON contract of `POST /api/plan` and `cptsmap plan --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanFigures {
    pub name: String,
    pub units: usize,
    pub communes: Vec<DraftUnit>,
    pub population: u64,
    /// Units without a known population (counted as 0, as everywhere).
    pub units_without_population: usize,
    pub size_class: u8,
    pub area_km2: f64,
    pub departements: Vec<String>,
    pub contiguous: bool,
    pub parts: usize,
    pub newly_covered: Count,
    pub overlaps: Vec<Overlap>,
    /// National coverage at any stage, today.
    pub coverage_before: Covered,
    /// National coverage at any stage, were the draft added.
    pub coverage_after: Covered,
    pub departements_after: Vec<DepartementChange>,
    pub zones: Vec<ZoneReached>,
    pub notes: Vec<String>,
    /// The exact dissolve of the draft's units (WGS84), written as `geometry`.
    #[serde(skip)]
    pub shape: MultiPolygon<f64>,
}

/// Computes the figures of a draft.
pub fn compute(ground: Ground, draft: &Draft) -> PlanFigures {
    let Ground { atlas, coverage, topology } = ground;
    let report = &coverage.report;
    let mut population = 0u64;
    let mut without_population = 0usize;
    let mut area = 0.0;
    let mut newly = Count::default();
    // Département → newly covered population there.
    let mut departements: BTreeMap<&str, u64> = BTreeMap::new();
    let mut overlaps: BTreeMap<u32, Count> = BTreeMap::new();
    let mut zones: BTreeMap<u32, Count> = BTreeMap::new();
    for &u in &draft.units {
        let unit = atlas.unit(u);
        let pop = unit.counted_population();
        population += pop;
        without_population += usize::from(unit.population.is_none());
        area += unit.area_km2;
        let newly_here = departements.entry(unit.departement.as_str()).or_default();
        let covering = &coverage.covering[u as usize];
        if covering.is_empty() {
            newly.units += 1;
            newly.population += pop;
            *newly_here += pop;
        }
        for &t in covering {
            let c = overlaps.entry(t).or_default();
            c.units += 1;
            c.population += pop;
        }
        if let Some(z) = coverage.zone_of[u as usize] {
            let c = zones.entry(z).or_default();
            c.units += 1;
            c.population += pop;
        }
    }
    let total = report.population;
    let covered = report.covered.population;
    let parts = graph::parts(topology, &draft.units).len();
    let exact = topology.exact(atlas);
    let shape = dissolve(topology, &exact, &draft.units, &|u| draft.units.binary_search(&u).is_ok()).shape;
    PlanFigures {
        name: draft.name.clone(),
        units: draft.units.len(),
        communes: draft
            .units
            .iter()
            .map(|&u| {
                let unit = atlas.unit(u);
                DraftUnit {
                    code: unit.code,
                    name: unit.name.clone(),
                    population: unit.population,
                    departement: unit.departement.clone(),
                    covered: !coverage.covering[u as usize].is_empty(),
                }
            })
            .collect(),
        population,
        units_without_population: without_population,
        size_class: size_class(population),
        area_km2: (area * 100.0).round() / 100.0,
        departements: departements.keys().map(|d| d.to_string()).collect(),
        contiguous: parts <= 1,
        parts,
        newly_covered: newly,
        overlaps: overlap_list(ground, overlaps),
        coverage_before: Covered { population: covered, percent: percent(covered, total) },
        coverage_after: Covered {
            population: covered + newly.population,
            percent: percent(covered + newly.population, total),
        },
        departements_after: departement_changes(ground, &departements),
        zones: zone_list(ground, zones),
        notes: draft.notes.clone(),
        shape,
    }
}

/// Most shared population first.
fn overlap_list(ground: Ground, overlaps: BTreeMap<u32, Count>) -> Vec<Overlap> {
    let mut list: Vec<Overlap> = overlaps
        .into_iter()
        .map(|(t, c)| {
            let t = &ground.coverage.territories[t as usize];
            Overlap {
                id: t.id.clone(),
                name: t.name.clone(),
                stage: t.stage,
                stage_label: t.stage.label(),
                units: c.units,
                population: c.population,
            }
        })
        .collect();
    list.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.id.cmp(&b.id)));
    list
}

fn departement_changes(ground: Ground, newly: &BTreeMap<&str, u64>) -> Vec<DepartementChange> {
    let all = &ground.coverage.report.departements;
    newly
        .iter()
        .filter_map(|(&code, &added)| {
            let d = all.binary_search_by(|d| d.code.as_str().cmp(code)).ok().map(|i| &all[i])?;
            let after = d.covered_population + added;
            Some(DepartementChange {
                code: d.code.clone(),
                name: d.name.clone(),
                population: d.population,
                covered_population_before: d.covered_population,
                covered_population_after: after,
                percent_before: d.percent,
                percent_after: percent(after, d.population),
            })
        })
        .collect()
}

/// In the order of the national zones: most populous first.
fn zone_list(ground: Ground, zones: BTreeMap<u32, Count>) -> Vec<ZoneReached> {
    let atlas = ground.atlas;
    zones
        .into_iter()
        .filter_map(|(z, c)| {
            let zone = ground.coverage.report.uncovered_zones.zones.get(z as usize)?;
            let main = main_unit(atlas, &zone.members)?;
            Some(ZoneReached {
                zone: z + 1,
                main_unit: zone.main_unit.clone(),
                main_code: atlas.unit(main).code,
                units: zone.units,
                population: zone.population,
                covered_by_draft: c.population,
                units_covered_by_draft: c.units,
            })
        })
        .collect()
}

/// The most populous unit (the smallest code among equals): the one that names a zone.
pub fn main_unit(atlas: &crate::atlas::Atlas, units: &[UnitId]) -> Option<UnitId> {
    units.iter().copied().max_by_key(|&u| {
        let unit = atlas.unit(u);
        (unit.counted_population(), std::cmp::Reverse(unit.code))
    })
}

impl PlanFigures {
    /// The JSON contract: every field, then `geometry` (GeoJSON MultiPolygon, or null).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec());
        out.pop(); // the closing brace
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(b"\"geometry\":");
        if !crate::export::geojson::encode_geometry(&self.shape, &mut out) {
            out.extend_from_slice(b"null");
        }
        out.push(b'}');
        out
    }
}
