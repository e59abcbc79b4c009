//! Suggestions: a zone blanche cut into contiguous drafts of CPTS size,
//! for a planner to adopt and edit.
//!
//! # Method
//!
//! 1. **How many drafts.** A part of the zone with population `P` gets
//!    `k = ⌈P / 120 000⌉` drafts (at most `P / 20 000`, at least one): drafts
//!    near or below 120 000 residents leave room under the 175 000 ceiling of
//!    ACI size 3 for what greedy growth cannot balance exactly.
//! 2. **Greedy growth.** From the most populous unit (the town a CPTS forms
//!    around), the draft takes, one at a time, the neighbour whose border is
//!    most inside it already (shared border / its perimeter: this fills
//!    recesses and keeps drafts compact), preferring the seed's EPCI and
//!    avoiding other départements (existing borders), until it reaches
//!    `P / k`; it stops before a unit that would overshoot more than it
//!    undershoots, and never takes one that would bring it over 175 000.
//! 3. **The rest** of the zone falls into connected pieces: a piece under
//!    20 000 residents joins the draft just carved if it touches it (and the
//!    sum stays under 175 000), any other piece is cut in turn from step 1.
//! 4. **Repairs.** A draft under 20 000 joins its smallest neighbouring
//!    draft when the sum stays under 175 000; then border units move from a
//!    draft to a smaller neighbour while that narrows their gap by more than
//!    a fifth of the larger, keeps the giver contiguous and keeps both within
//!    bounds (each move lowers the sum of squared populations: it ends).
//!
//! Neighbours share a border segment ([`super::graph`]): every draft is
//! contiguous by construction and follows commune borders.
//!
//! # Limits
//!
//! A zone under 20 000 residents cannot hold a CPTS of its own: it is given
//! as one draft, flagged, to be joined to a neighbouring CPTS. An island
//! (or a unit without contour) is a piece of its own, flagged when small. A
//! unit over 175 000 residents alone (a large city) is a draft of its own,
//! flagged: splitting a commune (by IRIS) is out of reach here. Greedy
//! growth is no optimum: drafts are a starting point, not a map.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::graph::Graph;
use super::{Ground, MAX_POPULATION, MIN_POPULATION};
use crate::commune::{InseeCode, UnitId};
use crate::territory::size_class;
use crate::text::thousands;

/// The population a draft aims below, leaving room under [`MAX_POPULATION`].
pub const TARGET_POPULATION: u64 = 120_000;
/// Bonus to the score of a neighbour in the seed's EPCI.
const SAME_EPCI: f64 = 0.25;
/// Penalty to the score of a neighbour in another département.
const OTHER_DEPARTEMENT: f64 = 0.5;
/// Moves between drafts stop when their gap is within this share of the larger.
const BALANCE_TOLERANCE: f64 = 0.2;
/// Most units moved between drafts when balancing.
const MAX_MOVES: usize = 400;

/// A suggested draft.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub name: String,
    #[serde(skip)]
    pub units: Vec<UnitId>,
    pub codes: Vec<InseeCode>,
    pub population: u64,
    pub size_class: u8,
    /// Between 20 000 and 175 000 residents.
    pub within_bounds: bool,
    /// Why not, in French.
    pub issue: Option<String>,
}

/// The suggestion for one zone blanche.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Its rank among the national zones (1-based).
    pub zone: u32,
    pub main_unit: String,
    pub units: usize,
    pub population: u64,
    pub candidates: Vec<Candidate>,
    pub notes: Vec<String>,
}

impl Suggestion {
    /// Cuts the national zone blanche of this index (0-based, most populous first).
    pub fn for_zone(ground: Ground, zone: usize) -> Option<Suggestion> {
        let z = ground.coverage.report.uncovered_zones.zones.get(zone)?;
        let (candidates, notes) = cut(ground, &z.members);
        Some(Suggestion {
            zone: zone as u32 + 1,
            main_unit: z.main_unit.clone(),
            units: z.units,
            population: z.population,
            candidates,
            notes,
        })
    }
}

/// Cuts a connected set of units (sorted) into drafts; notes say what could not be helped.
pub fn cut(ground: Ground, units: &[UnitId]) -> (Vec<Candidate>, Vec<String>) {
    let graph = Graph::build(ground.atlas, ground.topology, units);
    let pop: Vec<u64> = units.iter().map(|&u| ground.atlas.unit(u).counted_population()).collect();
    let mut cutter = Cutter { ground, graph: &graph, pop: &pop, owner: vec![FREE; units.len()] };
    let pieces = graph.components(&|_| true);
    let mut notes = Vec::new();
    if pieces.len() > 1 {
        notes.push(format!(
            "la zone compte {} morceaux sans frontière commune (îles, communes sans contour) : chacun est découpé à part",
            pieces.len()
        ));
    }
    let mut parts = cutter.carve_all(pieces);
    cutter.merge_small(&mut parts);
    cutter.balance(&mut parts);
    let mut candidates: Vec<Candidate> = parts.iter().map(|p| cutter.candidate(p)).collect();
    candidates.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.codes.cmp(&b.codes)));
    (candidates, notes)
}

/// Local units not yet in any draft.
const FREE: u32 = u32::MAX;

struct Cutter<'a> {
    ground: Ground<'a>,
    graph: &'a Graph,
    pop: &'a [u64],
    /// The draft each local unit is in, or [`FREE`].
    owner: Vec<u32>,
}

/// A neighbour waiting to join a growing draft, best score first.
#[derive(Debug, PartialEq)]
struct Waiting {
    score: f64,
    unit: u32,
    /// The shared border when pushed: an entry whose border has grown since is stale.
    shared: f64,
}

impl Eq for Waiting {}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.unit.cmp(&self.unit))
    }
}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Cutter<'_> {
    fn population(&self, part: &[u32]) -> u64 {
        part.iter().map(|&i| self.pop[i as usize]).sum()
    }

    /// Steps 1–3: carves every piece (a connected set of free units) into drafts.
    fn carve_all(&mut self, mut pieces: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
        let mut parts: Vec<Vec<u32>> = Vec::new();
        while let Some(piece) = pieces.pop() {
            let id = parts.len() as u32;
            let total = self.population(&piece);
            let k = drafts_for(total);
            let mut part = if k <= 1 {
                piece.clone()
            } else {
                let seed = piece.iter().copied().max_by_key(|&i| (self.pop[i as usize], std::cmp::Reverse(i)));
                match seed {
                    Some(seed) => self.grow(seed, &piece, total / k),
                    None => continue,
                }
            };
            part.iter().for_each(|&i| self.owner[i as usize] = id);
            let mut in_piece = vec![false; self.owner.len()];
            piece.iter().for_each(|&i| in_piece[i as usize] = true);
            let owner = &self.owner;
            let rest = self.graph.components(&|i| in_piece[i as usize] && owner[i as usize] == FREE);
            let mut part_population = self.population(&part);
            for r in rest {
                let p = self.population(&r);
                if p < MIN_POPULATION && part_population + p <= MAX_POPULATION && self.touches(&r, id) {
                    r.iter().for_each(|&i| self.owner[i as usize] = id);
                    part.extend_from_slice(&r);
                    part_population += p;
                } else {
                    pieces.push(r);
                }
            }
            part.sort_unstable();
            parts.push(part);
        }
        parts
    }

    /// Whether some unit of `units` borders the draft `id`.
    fn touches(&self, units: &[u32], id: u32) -> bool {
        units.iter().any(|&i| self.graph.edges[i as usize].iter().any(|&(j, _)| self.owner[j as usize] == id))
    }

    /// Step 2: a compact draft grown from `seed` within `piece` up to about `target` residents.
    fn grow(&self, seed: u32, piece: &[u32], target: u64) -> Vec<u32> {
        let n = self.owner.len();
        let mut allowed = vec![false; n];
        piece.iter().for_each(|&i| allowed[i as usize] = true);
        let mut inside = vec![false; n];
        let mut shared = vec![0.0f64; n];
        let mut heap = BinaryHeap::new();
        let mut part = vec![seed];
        inside[seed as usize] = true;
        let mut population = self.pop[seed as usize];
        let seed_unit = self.ground.atlas.unit(self.graph.units[seed as usize]);
        let score = |j: u32, shared: f64| {
            let unit = self.ground.atlas.unit(self.graph.units[j as usize]);
            let perimeter = self.graph.perimeter[j as usize].max(f64::MIN_POSITIVE);
            let epci = unit.epcis.iter().any(|e| seed_unit.epcis.contains(e));
            let other_dep = unit.departement != seed_unit.departement;
            shared / perimeter + if epci { SAME_EPCI } else { 0.0 } - if other_dep { OTHER_DEPARTEMENT } else { 0.0 }
        };
        let push_neighbours = |i: u32, heap: &mut BinaryHeap<Waiting>, shared: &mut [f64], inside: &[bool]| {
            for &(j, length) in &self.graph.edges[i as usize] {
                if allowed[j as usize] && !inside[j as usize] {
                    shared[j as usize] += length;
                    let s = shared[j as usize];
                    heap.push(Waiting { score: score(j, s), unit: j, shared: s });
                }
            }
        };
        push_neighbours(seed, &mut heap, &mut shared, &inside);
        while population < target {
            let Some(w) = heap.pop() else { break };
            let j = w.unit as usize;
            if inside[j] || w.shared != shared[j] {
                continue;
            }
            let after = population + self.pop[j];
            if after > MAX_POPULATION {
                continue;
            }
            if after > target && after - target > target - population && population >= MIN_POPULATION {
                break;
            }
            inside[j] = true;
            part.push(w.unit);
            population = after;
            push_neighbours(w.unit, &mut heap, &mut shared, &inside);
        }
        part
    }

    /// Step 4a: drafts under the minimum join their smallest neighbour when the sum fits.
    fn merge_small(&mut self, parts: &mut Vec<Vec<u32>>) {
        loop {
            let populations: Vec<u64> = parts.iter().map(|p| self.population(p)).collect();
            let mut order: Vec<usize> = (0..parts.len()).filter(|&p| populations[p] < MIN_POPULATION).collect();
            order.sort_by_key(|&p| populations[p]);
            let merge = order.into_iter().find_map(|small| {
                let neighbours = self.neighbour_parts(&parts[small], small as u32);
                neighbours
                    .into_iter()
                    .filter(|&n| populations[n as usize] + populations[small] <= MAX_POPULATION)
                    .min_by_key(|&n| (populations[n as usize], n))
                    .map(|n| (small, n as usize))
            });
            let Some((small, into)) = merge else { return };
            let moved = std::mem::take(&mut parts[small]);
            moved.iter().for_each(|&i| self.owner[i as usize] = into as u32);
            parts[into].extend(moved);
            parts[into].sort_unstable();
            parts.remove(small);
            // Owners are draft indices: renumber after the removal.
            for (id, p) in parts.iter().enumerate() {
                p.iter().for_each(|&i| self.owner[i as usize] = id as u32);
            }
        }
    }

    /// The drafts bordering `part` (whose own index is `id`), sorted.
    fn neighbour_parts(&self, part: &[u32], id: u32) -> Vec<u32> {
        let mut out: Vec<u32> = part
            .iter()
            .flat_map(|&i| self.graph.edges[i as usize].iter().map(|&(j, _)| self.owner[j as usize]))
            .filter(|&o| o != id && o != FREE)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Step 4b: border units move to a smaller neighbour while that narrows a wide gap.
    fn balance(&mut self, parts: &mut [Vec<u32>]) {
        let mut populations: Vec<u64> = parts.iter().map(|p| self.population(p)).collect();
        // Each move lowers the sum of squares, so this ends; the cap bounds the time on huge zones.
        let mut budget = MAX_MOVES;
        while budget > 0 {
            let Some((unit, from, to)) = self.best_move(parts, &populations) else { return };
            budget -= 1;
            let p = self.pop[unit as usize];
            parts[from].retain(|&i| i != unit);
            parts[to].push(unit);
            parts[to].sort_unstable();
            populations[from] -= p;
            populations[to] += p;
            self.owner[unit as usize] = to as u32;
        }
    }

    /// The border unit whose move best narrows a gap between neighbouring drafts.
    fn best_move(&self, parts: &[Vec<u32>], populations: &[u64]) -> Option<(u32, usize, usize)> {
        let mut best: Option<(f64, u32, usize, usize)> = None;
        for (from, part) in parts.iter().enumerate() {
            let pa = populations[from];
            let seed = part.iter().copied().max_by_key(|&i| (self.pop[i as usize], std::cmp::Reverse(i)));
            for &i in part {
                if Some(i) == seed {
                    continue; // a draft keeps the town it grew from
                }
                let pu = self.pop[i as usize];
                for &(j, length) in &self.graph.edges[i as usize] {
                    let to = self.owner[j as usize];
                    if to == FREE || to as usize == from {
                        continue;
                    }
                    let pb = populations[to as usize];
                    let gap = pa.saturating_sub(pb);
                    let wide = gap as f64 > BALANCE_TOLERANCE * pa as f64;
                    let fits = pb + pu <= MAX_POPULATION && (pa - pu >= MIN_POPULATION || pa > MAX_POPULATION);
                    if !wide || pu >= gap || !fits {
                        continue;
                    }
                    let score = length / self.graph.perimeter[i as usize].max(f64::MIN_POSITIVE);
                    if best.is_none_or(|(s, ..)| score > s) && self.stays_connected(part, i) {
                        best = Some((score, i, from, to as usize));
                    }
                }
            }
        }
        best.map(|(_, i, from, to)| (i, from, to))
    }

    /// Whether `part` without `unit` is still in one piece: a walk inside
    /// the part from one of its other units reaches all of them.
    fn stays_connected(&self, part: &[u32], unit: u32) -> bool {
        let id = self.owner[unit as usize];
        let Some(&start) = part.iter().find(|&&i| i != unit) else { return false };
        let mut seen = std::collections::HashSet::with_capacity(part.len());
        seen.insert(start);
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for &(j, _) in &self.graph.edges[i as usize] {
                if j != unit && self.owner[j as usize] == id && seen.insert(j) {
                    stack.push(j);
                }
            }
        }
        seen.len() + 1 == part.len()
    }

    fn candidate(&self, part: &[u32]) -> Candidate {
        let atlas = self.ground.atlas;
        let mut units: Vec<UnitId> = part.iter().map(|&i| self.graph.units[i as usize]).collect();
        units.sort_unstable();
        let population = self.population(part);
        let main = super::figures::main_unit(atlas, &units);
        let main_name = main.map(|u| atlas.unit(u).name.clone()).unwrap_or_default();
        let issue = if population < MIN_POPULATION {
            Some(format!(
                "{} habitants, moins de {} : trop peu pour une CPTS ; à rattacher à une CPTS voisine",
                thousands(population),
                thousands(MIN_POPULATION)
            ))
        } else if population > MAX_POPULATION && units.len() == 1 {
            Some(format!(
                "{main_name} compte à elle seule {} habitants, plus de {} : la découper (par IRIS ou quartiers) est hors de portée de cet outil",
                thousands(population),
                thousands(MAX_POPULATION)
            ))
        } else if population > MAX_POPULATION {
            Some(format!("{} habitants, plus de {} : à redécouper", thousands(population), thousands(MAX_POPULATION)))
        } else {
            None
        };
        Candidate {
            name: format!("Projet autour de {main_name}"),
            codes: units.iter().map(|&u| atlas.unit(u).code).collect(),
            units,
            population,
            size_class: size_class(population),
            within_bounds: issue.is_none(),
            issue,
        }
    }
}

/// Step 1: how many drafts a piece of this population is cut into.
pub fn drafts_for(population: u64) -> u64 {
    let k = population.div_ceil(TARGET_POPULATION);
    k.min(population / MIN_POPULATION).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_of_drafts_keeps_each_near_or_below_the_target() {
        assert_eq!(drafts_for(0), 1);
        assert_eq!(drafts_for(15_000), 1, "too small: one flagged draft");
        assert_eq!(drafts_for(100_000), 1);
        assert_eq!(drafts_for(150_000), 2);
        assert_eq!(drafts_for(1_000_000), 9);
        assert_eq!(drafts_for(39_000), 1, "two drafts of 19 500 would both be too small");
    }
}
