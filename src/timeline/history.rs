//! Month by month coverage of many areas at once, computed incrementally.
//!
//! Every dated stage of every territory is an event; the events are sorted
//! once, then replayed in date order. An event raises its territory's stage
//! (stages only move forward under the rule of [`super::dates`]), which
//! raises the best stage of its units, which adds their population to the
//! tallies of the areas they belong to; each month copies the tallies. The
//! cost is the events' units plus one copy of the tallies per month, not a
//! full count per month.
//!
//! The value of month M is the situation on **the first day of M**: the
//! events dated on or before that day, exactly what `report --at M-01`
//! counts (the tests check it for every month of the bundled data).

use serde::Serialize;

use super::dates::{DATED, Undated, uncertain_on, undated};
use super::month::Month;
use super::projection::{Projection, project};
use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::coverage::percent;
use crate::territory::{IsoDate, Stage, Territory};

/// The areas the history follows: which areas each unit belongs to.
pub struct Grouping {
    areas: Vec<AreaKey>,
    /// Areas of unit `u`: `members[starts[u]..starts[u + 1]]` (a unit may be in several EPCI).
    starts: Vec<u32>,
    members: Vec<u32>,
}

/// An area of a grouping.
#[derive(Debug, Clone)]
pub struct AreaKey {
    pub level: &'static str,
    pub code: Option<String>,
    pub name: String,
}

/// The levels `cptsmap history --level` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    National,
    Region,
    Departement,
}

impl Grouping {
    /// Groups units by a key (one area per distinct key, in key order).
    fn by(atlas: &Atlas, level: &'static str, key: impl Fn(UnitId) -> Option<(String, String)>) -> Grouping {
        let mut index: std::collections::BTreeMap<String, (u32, String)> = Default::default();
        let keys: Vec<Option<(String, String)>> = (0..atlas.units.len() as UnitId).map(key).collect();
        for (code, name) in keys.iter().flatten() {
            index.entry(code.clone()).or_insert((0, name.clone()));
        }
        let mut areas = Vec::with_capacity(index.len());
        for (i, (code, (slot, name))) in index.iter_mut().enumerate() {
            *slot = i as u32;
            areas.push(AreaKey { level, code: Some(code.clone()), name: name.clone() });
        }
        let mut starts = vec![0u32];
        let mut members = Vec::with_capacity(keys.len());
        for k in &keys {
            if let Some((code, _)) = k {
                members.push(index[code].0);
            }
            starts.push(members.len() as u32);
        }
        Grouping { areas, starts, members }
    }

    /// France: every unit.
    pub fn national(atlas: &Atlas) -> Grouping {
        let n = atlas.units.len() as u32;
        let area = AreaKey { level: "france", code: None, name: "France".into() };
        Grouping { areas: vec![area], starts: (0..=n).collect(), members: vec![0; n as usize] }
    }

    /// Every area of a level.
    pub fn level(atlas: &Atlas, level: Level) -> Grouping {
        match level {
            Level::National => Grouping::national(atlas),
            Level::Region => Grouping::by(atlas, "region", |u| {
                let r = &atlas.unit(u).region;
                Some((r.clone(), atlas.names.region(r).to_string()))
            }),
            Level::Departement => Grouping::by(atlas, "departement", |u| {
                let d = &atlas.unit(u).departement;
                Some((d.clone(), atlas.names.departement(d).to_string()))
            }),
        }
    }

    /// One area made of some units (an EPCI, a CPTS…).
    pub fn one(atlas: &Atlas, area: AreaKey, units: &[UnitId]) -> Grouping {
        let mut inside = vec![false; atlas.units.len()];
        for &u in units {
            if let Some(slot) = inside.get_mut(u as usize) {
                *slot = true;
            }
        }
        let mut starts = vec![0u32];
        let mut members = Vec::with_capacity(units.len());
        for is_in in inside {
            if is_in {
                members.push(0);
            }
            starts.push(members.len() as u32);
        }
        Grouping { areas: vec![area], starts, members }
    }

    fn of(&self, u: usize) -> &[u32] {
        &self.members[self.starts[u] as usize..self.starts[u + 1] as usize]
    }
}

/// The series of one stage in one area (cumulative: at this stage or beyond).
#[derive(Debug, Clone, Serialize)]
pub struct StageHistory {
    pub stage: Stage,
    pub stage_label: &'static str,
    /// Covered population, one value per month.
    pub population: Vec<u64>,
    pub percent: Vec<f64>,
    /// Territories reaching the area at exactly this stage, per month.
    pub territories: Vec<u32>,
}

/// The history of one area.
#[derive(Debug, Clone, Serialize)]
pub struct AreaHistory {
    pub level: &'static str,
    pub code: Option<String>,
    pub name: String,
    pub population: u64,
    /// Most advanced stage first, as in the report.
    pub stages: Vec<StageHistory>,
    pub projection: Vec<Projection>,
}

impl AreaHistory {
    pub fn stage(&self, stage: Stage) -> Option<&StageHistory> {
        self.stages.iter().find(|s| s.stage == stage)
    }
}

/// Months of coverage of a grouping's areas.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub from: Month,
    pub to: Month,
    /// The day of each month whose situation the month's value is.
    pub day_of_month: u8,
    pub months: Vec<Month>,
    pub areas: Vec<AreaHistory>,
    /// What the dates leave uncertain on the first day of the last month.
    pub undated: Undated,
}

/// The months a list's dates span by default: from the month of its first
/// date to the month after its last past date (its value counts that
/// date), at most the current month. `None` when no stage is dated.
pub fn default_range(territories: &[Territory], today: IsoDate) -> Option<(Month, Month)> {
    let dates =
        || territories.iter().flat_map(|t| DATED.into_iter().filter(|&s| s <= t.stage).filter_map(|s| t.date_of(s)));
    let first = Month::of(dates().min()?);
    let now = Month::of(today);
    let last = dates().filter(|&d| d <= today).max().map_or(now, |d| Month::of(d).plus(1)).min(now);
    Some((first, last.max(first)))
}

/// One dated stage of one territory.
struct Event {
    date: IsoDate,
    territory: u32,
    stage: Stage,
}

/// Replays the dated stages of `territories` month by month from `from` to
/// `to` (both included) over the areas of `grouping`.
pub fn compute(atlas: &Atlas, territories: &[Territory], grouping: &Grouping, from: Month, to: Month) -> History {
    let mut events: Vec<Event> = territories
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            DATED
                .into_iter()
                .filter(|&s| s <= t.stage)
                .filter_map(move |stage| Some(Event { date: t.date_of(stage)?, territory: i as u32, stage }))
        })
        .collect();
    events.sort_by_key(|e| (e.date, e.territory, e.stage));
    // The areas each territory reaches, for the counts of territories by stage.
    let reached: Vec<Vec<u32>> = territories
        .iter()
        .map(|t| {
            let mut areas: Vec<u32> = t.units.iter().flat_map(|&u| grouping.of(u as usize)).copied().collect();
            areas.sort_unstable();
            areas.dedup();
            areas
        })
        .collect();
    let n_areas = grouping.areas.len();
    let mut population = vec![0u64; n_areas];
    for u in 0..atlas.units.len() {
        for &a in grouping.of(u) {
            population[a as usize] += atlas.unit(u as UnitId).counted_population();
        }
    }
    let mut replay = Replay {
        atlas,
        territories,
        grouping,
        reached: &reached,
        stage_of: vec![None; territories.len()],
        best: vec![None; atlas.units.len()],
        covered: vec![[0; 4]; n_areas],
        counts: vec![[0; 4]; n_areas],
    };
    let months: Vec<Month> = from.through(to).collect();
    let mut series: Vec<[Vec<u64>; 4]> = vec![Default::default(); n_areas];
    let mut counts: Vec<[Vec<u32>; 4]> = vec![Default::default(); n_areas];
    let mut next = 0;
    for month in &months {
        let day = month.first_day();
        while next < events.len() && events[next].date <= day {
            replay.apply(&events[next]);
            next += 1;
        }
        for a in 0..n_areas {
            for level in 0..4 {
                series[a][level].push(replay.covered[a][level]);
                counts[a][level].push(replay.counts[a][level]);
            }
        }
    }
    let areas = grouping
        .areas
        .iter()
        .zip(series)
        .zip(counts)
        .zip(population)
        .map(|(((key, mut series), mut counts), population)| {
            let stages: Vec<StageHistory> = Stage::DESCENDING
                .into_iter()
                .map(|s| {
                    let covered = std::mem::take(&mut series[s.level()]);
                    StageHistory {
                        stage: s,
                        stage_label: s.label(),
                        percent: covered.iter().map(|&p| percent(p, population)).collect(),
                        population: covered,
                        territories: std::mem::take(&mut counts[s.level()]),
                    }
                })
                .collect();
            let projection = stages.iter().map(|s| project(s.stage, from, &s.population, population)).collect();
            AreaHistory {
                level: key.level,
                code: key.code.clone(),
                name: key.name.clone(),
                population,
                stages,
                projection,
            }
        })
        .collect();
    let last_day = to.first_day();
    let undated = undated(atlas, &uncertain_on(territories, last_day), &replay.best);
    History { from, to, day_of_month: 1, months, areas, undated }
}

/// The state of the replay: each territory's stage so far, each unit's best
/// stage, and each area's tallies.
struct Replay<'a> {
    atlas: &'a Atlas,
    territories: &'a [Territory],
    grouping: &'a Grouping,
    reached: &'a [Vec<u32>],
    stage_of: Vec<Option<Stage>>,
    best: Vec<Option<Stage>>,
    /// Population covered at each stage level or beyond (index = level).
    covered: Vec<[u64; 4]>,
    /// Territories at exactly each stage level.
    counts: Vec<[u32; 4]>,
}

impl Replay<'_> {
    fn apply(&mut self, e: &Event) {
        let t = e.territory as usize;
        let old = self.stage_of[t];
        if old >= Some(e.stage) {
            // Out-of-order dates: a later stage already counted implies this one.
            return;
        }
        self.stage_of[t] = Some(e.stage);
        for &a in &self.reached[t] {
            let c = &mut self.counts[a as usize];
            if let Some(old) = old {
                c[old.level()] -= 1;
            }
            c[e.stage.level()] += 1;
        }
        for &u in &self.territories[t].units {
            let best = &mut self.best[u as usize];
            if *best >= Some(e.stage) {
                continue;
            }
            let from_level = best.map_or(0, |b| b.level() + 1);
            *best = Some(e.stage);
            let pop = self.atlas.unit(u).counted_population();
            for &a in self.grouping.of(u as usize) {
                for level in from_level..=e.stage.level() {
                    self.covered[a as usize][level] += pop;
                }
            }
        }
    }
}
