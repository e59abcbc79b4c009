//! Stage 4b: the arcs of the commune coverage — every border cut at the
//! points where the unit on the other side changes, stored once and shared
//! by the two units it separates (what TopoJSON, mapshaper and GEOS
//! `CoverageUnion` work on).
//!
//! Each unit ring becomes a cycle of arc references. Dissolving a group is
//! then dropping the arcs with the group on both sides, and simplifying a
//! border once simplifies it for both neighbours: no gap, no overlap.
//!
//! # How it is built
//!
//! A vertex is a *junction* when the rings passing through it do not all
//! have the same two neighbours there (TopoJSON's rule): where a border
//! meets a third unit, the sea, or turns back. Rings are cut at their
//! junctions; between two junctions both neighbours walk the very same
//! vertices, so an arc is recognised by its two ends and its second vertex.
//! Each ring is rotated once, in the atlas itself, to start at a junction:
//! every arc is then a contiguous slice of the contour of the unit that
//! holds it, and the topology stores no coordinate of its own (on 20 M
//! vertices: no copy of 320 MB, no sort of 20 M edges).
//!
//! Real coverages are not perfectly clean: vertices of two neighbours a few
//! millimetres apart are snapped together first (within
//! [`SNAP_TOLERANCE_DEG`]); borders that still have no exact counterpart are
//! counted and reported, and behave like coastline.

use std::collections::HashMap;

use geo::Coord;
use rayon::prelude::*;

use crate::atlas::{Atlas, sample};
use crate::commune::UnitId;
use crate::diagnostics::Warning;
use crate::topology::{Occurrence, RingRef, point_key, shared_vertices};

/// Vertices of different units closer than this (degrees, ≈ 1 cm) are one vertex.
pub const SNAP_TOLERANCE_DEG: f64 = 1e-7;
/// Unmatched borders closer than this (degrees, ≈ 10 m) to another unit are reported as near-misses.
const NEAR_MISS_DEG: f64 = 1e-4;

pub type ArcId = u32;

/// The coordinates used for each arc: the topology's own, or simplified ones.
pub trait ArcCoords {
    fn coords(&self, arc: u32) -> &[Coord<f64>];
}

impl ArcCoords for Vec<Vec<Coord<f64>>> {
    fn coords(&self, arc: u32) -> &[Coord<f64>] {
        &self[arc as usize]
    }
}

/// A piece of border: a slice of a ring of the unit on its left.
#[derive(Debug, Clone, Copy)]
pub struct Arc {
    /// The unit whose ring holds the coordinates; its interior is on the arc's left.
    pub unit: UnitId,
    pub polygon: u32,
    /// 0 for the exterior, `k` for the `k`-th hole.
    pub ring: u32,
    pub start: u32,
    /// Number of coordinates (both ends included).
    pub len: u32,
    /// The unit on the other side; `None` on the coast, a national border or an unmatched border.
    pub right: Option<UnitId>,
}

/// A reference to an arc as a ring walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef {
    pub arc: ArcId,
    /// True when walked as stored (the ring's unit is the arc's `unit`).
    pub forward: bool,
}

/// The arcs of a coverage and, per unit, its rings as cycles of arcs, in the
/// order of its contour (each polygon's exterior, then its holes).
#[derive(Debug, Default)]
pub struct Topology {
    pub arcs: Vec<Arc>,
    pub rings: Vec<Vec<Vec<ArcRef>>>,
    pub snapped_vertices: usize,
    /// Slices of rings that repeat an arc already matched, or walk it the same way.
    mismatched: usize,
}

/// Exact vertex identity, as bits.
pub fn vertex_key(c: Coord<f64>) -> (u64, u64) {
    point_key(c)
}

/// Where a ring sits in the atlas.
#[derive(Debug, Clone, Copy)]
struct RingId {
    unit: UnitId,
    polygon: u32,
    ring: u32,
}

fn ring_ids(atlas: &Atlas) -> Vec<RingId> {
    let mut out = Vec::new();
    for (u, unit) in atlas.units.iter().enumerate() {
        let Some(mp) = &unit.contour else { continue };
        for (p, poly) in mp.0.iter().enumerate() {
            for r in 0..=poly.interiors().len() {
                out.push(RingId { unit: u as UnitId, polygon: p as u32, ring: r as u32 });
            }
        }
    }
    out
}

fn ring_coords(atlas: &Atlas, id: RingId) -> &[Coord<f64>] {
    let Some(mp) = &atlas.unit(id.unit).contour else { return &[] };
    let poly = &mp.0[id.polygon as usize];
    if id.ring == 0 { &poly.exterior().0 } else { &poly.interiors()[id.ring as usize - 1].0 }
}

impl Topology {
    /// Builds the arcs; rotates rings of the atlas (their geometry is
    /// unchanged) and moves vertices within [`SNAP_TOLERANCE_DEG`] of a
    /// neighbour's onto it.
    pub fn build(atlas: &mut Atlas, warnings: &mut Vec<Warning>) -> Topology {
        let started = std::time::Instant::now();
        let ids = ring_ids(atlas);
        let mut topo = Topology::cut(atlas, &ids);
        tracing::debug!(arcs = topo.arcs.len(), elapsed = ?started.elapsed(), "arcs cut");
        let (targets, mut near_miss) = find_snaps(atlas, &topo);
        let snapped = apply_snaps(atlas, &targets);
        tracing::debug!(snapped, elapsed = ?started.elapsed(), "snapping checked");
        if snapped > 0 {
            topo = Topology::cut(atlas, &ids);
            // What snapping fixed is no near-miss any more (one round: vertices move once).
            near_miss = find_snaps(atlas, &topo).1;
            warnings.push(Warning::new(
                "snapped_vertices",
                format!(
                    "{snapped} sommets de communes voisines distants de moins de {SNAP_TOLERANCE_DEG}° (≈ 1 cm) confondus pour la topologie"
                ),
            ));
        }
        topo.snapped_vertices = snapped;
        report_unmatched(atlas, &near_miss, warnings);
        let mismatched = topo.mismatched;
        if mismatched > 0 {
            warnings.push(Warning::new(
                "topology_mismatch",
                format!("{mismatched} bords communs découpés différemment de part et d'autre : gardés en double"),
            ));
        }
        topo
    }

    /// Finds junctions, rotates each ring to start at one, cuts and matches arcs.
    fn cut(atlas: &mut Atlas, ids: &[RingId]) -> Topology {
        let started = std::time::Instant::now();
        let mut starts = junctions(atlas, ids);
        tracing::debug!(elapsed = ?started.elapsed(), "junctions found");
        rotate_rings(atlas, ids, &mut starts);
        tracing::debug!(elapsed = ?started.elapsed(), "rings rotated");
        let mut topo = Topology {
            rings: atlas.units.iter().map(|u| vec![Vec::new(); ring_count(u)]).collect(),
            ..Topology::default()
        };
        let mut seen: foldhash::HashMap<[u64; 6], (ArcId, bool)> = foldhash::HashMap::default();
        let mut flat = 0usize;
        let mut last_unit = None;
        for (id, cuts) in ids.iter().zip(&starts) {
            if last_unit != Some(id.unit) {
                flat = 0;
                last_unit = Some(id.unit);
            }
            let coords = ring_coords(atlas, *id);
            if coords.len() < 4 {
                // A ring that snapping reduced to a sliver: it has no border left.
                flat += 1;
                continue;
            }
            let mut refs = Vec::with_capacity(cuts.len());
            let m = coords.len() - 1;
            for (k, &from) in cuts.iter().enumerate() {
                let to = cuts.get(k + 1).copied().unwrap_or(m as u32);
                let slice = &coords[from as usize..=to as usize];
                refs.push(topo.match_or_add(&mut seen, *id, from, slice));
            }
            topo.rings[id.unit as usize][flat] = refs;
            flat += 1;
        }
        topo
    }

    /// The arc this slice of a ring walks: an existing one walked backwards
    /// by its neighbour, or a new one.
    fn match_or_add(
        &mut self,
        seen: &mut foldhash::HashMap<[u64; 6], (ArcId, bool)>,
        id: RingId,
        start: u32,
        slice: &[Coord<f64>],
    ) -> ArcRef {
        let (key, forward) = arc_key(slice);
        if let Some(&(existing, first_forward)) = seen.get(&key) {
            let arc = &mut self.arcs[existing as usize];
            if first_forward != forward && arc.unit != id.unit && arc.right.is_none() && arc.len as usize == slice.len()
            {
                arc.right = Some(id.unit);
                return ArcRef { arc: existing, forward: false };
            }
            self.mismatched += 1;
        }
        let new = self.arcs.len() as ArcId;
        self.arcs.push(Arc {
            unit: id.unit,
            polygon: id.polygon,
            ring: id.ring,
            start,
            len: slice.len() as u32,
            right: None,
        });
        seen.entry(key).or_insert((new, forward));
        ArcRef { arc: new, forward: true }
    }

    /// The unit on the other side of an arc, as seen from `unit`.
    pub fn other_side(&self, a: ArcRef) -> Option<UnitId> {
        let arc = &self.arcs[a.arc as usize];
        if a.forward { arc.right } else { Some(arc.unit) }
    }

    /// The exact coordinates of an arc, from the atlas this topology was built on.
    pub fn coords<'a>(&self, atlas: &'a Atlas, arc: ArcId) -> &'a [Coord<f64>] {
        let a = &self.arcs[arc as usize];
        let ring = ring_coords(atlas, RingId { unit: a.unit, polygon: a.polygon, ring: a.ring });
        &ring[a.start as usize..(a.start + a.len) as usize]
    }

    /// The exact arcs, as [`ArcCoords`] for dissolving and drawing.
    pub fn exact<'a>(&'a self, atlas: &'a Atlas) -> ExactArcs<'a> {
        ExactArcs { topology: self, atlas }
    }
}

/// The exact coordinates of every arc (see [`Topology::exact`]).
#[derive(Clone, Copy)]
pub struct ExactArcs<'a> {
    topology: &'a Topology,
    atlas: &'a Atlas,
}

impl ArcCoords for ExactArcs<'_> {
    fn coords(&self, arc: u32) -> &[Coord<f64>] {
        self.topology.coords(self.atlas, arc)
    }
}

fn ring_count(unit: &crate::commune::Unit) -> usize {
    unit.contour.as_ref().map_or(0, |mp| mp.0.iter().map(|p| 1 + p.interiors().len()).sum())
}

/// Identity of an arc whichever way it is walked: its ends and the vertex
/// after the start, in the direction giving the smaller key.
fn arc_key(c: &[Coord<f64>]) -> ([u64; 6], bool) {
    let n = c.len();
    let k = |p: Coord<f64>| point_key(p);
    let (a, b, z) = (k(c[0]), k(c[1]), k(c[n - 1]));
    let (y, x) = (k(c[n - 2]), k(c[0]));
    let forward = [a.0, a.1, b.0, b.1, z.0, z.1];
    let backward = [z.0, z.1, y.0, y.1, x.0, x.1];
    if forward <= backward { (forward, true) } else { (backward, false) }
}

/// For each ring, the positions where arcs start once it is rotated: the
/// first is 0 (the ring starts at a junction, or at its smallest vertex when
/// it has none, so that both sides of an enclave start at the same place).
fn junctions(atlas: &Atlas, ids: &[RingId]) -> Vec<Vec<u32>> {
    let rings: Vec<RingRef<'_>> = ids
        .iter()
        .map(|&id| {
            let coords = ring_coords(atlas, id);
            RingRef { unit: id.unit, coords: if coords.len() >= 4 { coords } else { &[] } }
        })
        .collect();
    let found: Vec<Vec<Occurrence>> = shared_vertices(&rings, Vec::new, |acc, group| {
        let pair = |o: Occurrence| {
            let r = &rings[o.ring as usize];
            let (p, n) = (point_key(r.previous(o.at as usize)), point_key(r.next(o.at as usize)));
            if p <= n { (p, n) } else { (n, p) }
        };
        let first = pair(group[0]);
        let same_ring_twice = group.iter().enumerate().any(|(i, a)| group[i + 1..].iter().any(|b| a.ring == b.ring));
        if same_ring_twice || group.iter().any(|&o| pair(o) != first) {
            acc.extend_from_slice(group);
        }
    });
    let mut per_ring: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
    for o in found.into_iter().flatten() {
        per_ring[o.ring as usize].push(o.at);
    }
    per_ring
        .par_iter_mut()
        .zip(&rings)
        .map(|(at, ring)| {
            if ring.coords.is_empty() {
                return vec![0];
            }
            if at.is_empty() {
                return vec![smallest_vertex(ring.coords) as u32];
            }
            at.sort_unstable();
            at.dedup();
            std::mem::take(at)
        })
        .collect()
}

fn smallest_vertex(coords: &[Coord<f64>]) -> usize {
    let m = coords.len() - 1;
    (0..m).min_by(|&i, &j| coords[i].x.total_cmp(&coords[j].x).then(coords[i].y.total_cmp(&coords[j].y))).unwrap_or(0)
}

/// Rotates each ring to start at its first cut, and shifts the cuts to match.
fn rotate_rings(atlas: &mut Atlas, ids: &[RingId], starts: &mut [Vec<u32>]) {
    let mut by_unit: Vec<Vec<(RingId, u32)>> = vec![Vec::new(); atlas.units.len()];
    for (id, cuts) in ids.iter().zip(starts.iter()) {
        by_unit[id.unit as usize].push((*id, cuts[0]));
    }
    atlas.units.par_iter_mut().zip(by_unit).for_each(|(unit, rings)| {
        let Some(mp) = &mut unit.contour else { return };
        for (id, shift) in rings {
            let poly = &mut mp.0[id.polygon as usize];
            let shift = shift as usize;
            if shift == 0 {
                continue;
            }
            let rotate = |ring: &mut geo::LineString<f64>| {
                let m = ring.0.len() - 1;
                ring.0.truncate(m);
                ring.0.rotate_left(shift);
                ring.0.push(ring.0[0]);
            };
            if id.ring == 0 {
                poly.exterior_mut(rotate);
            } else {
                poly.interiors_mut(|holes| rotate(&mut holes[id.ring as usize - 1]));
            }
        }
    });
    // Cuts relative to the new start (every cut is at or after the first).
    for cuts in starts {
        let shift = cuts[0];
        cuts.iter_mut().for_each(|c| *c -= shift);
    }
}

/// Vertices of arcs with no unit on their right (coast, borders, unmatched), with their unit.
fn open_border_vertices(atlas: &Atlas, topo: &Topology) -> Vec<(Coord<f64>, u32)> {
    let mut out = Vec::new();
    for (i, arc) in topo.arcs.iter().enumerate() {
        if arc.right.is_none() {
            out.extend(topo.coords(atlas, i as ArcId).iter().map(|&c| (c, arc.unit)));
        }
    }
    out
}

/// Grid cell of a point, cells of [`NEAR_MISS_DEG`].
fn grid_cell(c: Coord<f64>) -> (i64, i64) {
    ((c.x / NEAR_MISS_DEG).floor() as i64, (c.y / NEAR_MISS_DEG).floor() as i64)
}

/// Vertices of other units near an open-border vertex.
#[derive(Debug, Default)]
struct Near {
    /// Distance to the nearest distinct vertex of another unit, if within [`NEAR_MISS_DEG`].
    nearest: Option<f64>,
    /// Distinct positions of other units' vertices within [`SNAP_TOLERANCE_DEG`].
    to_snap: Vec<Coord<f64>>,
}

/// For each vertex, the other units' vertices around it, in one pass: the
/// vertices are sorted by grid cell once, and each looks at the 3×3 cells
/// around its own. Identical positions (where two coastal neighbours meet
/// the sea) are no defect and are skipped.
fn near_others(vertices: &[(Coord<f64>, u32)]) -> Vec<Near> {
    let mut order: Vec<u32> = (0..vertices.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| grid_cell(vertices[i as usize].0));
    let mut cells: foldhash::HashMap<(i64, i64), (u32, u32)> = foldhash::HashMap::default();
    let mut i = 0;
    while i < order.len() {
        let c = grid_cell(vertices[order[i] as usize].0);
        let mut j = i + 1;
        while j < order.len() && grid_cell(vertices[order[j] as usize].0) == c {
            j += 1;
        }
        cells.insert(c, (i as u32, j as u32));
        i = j;
    }
    vertices
        .par_iter()
        .map(|&(c, u)| {
            let (cx, cy) = grid_cell(c);
            let mut near = Near::default();
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let Some(&(from, to)) = cells.get(&(cx + dx, cy + dy)) else { continue };
                    for &k in &order[from as usize..to as usize] {
                        let (d, v) = vertices[k as usize];
                        if v == u || d == c {
                            continue;
                        }
                        let dist = (d.x - c.x).hypot(d.y - c.y);
                        if dist <= NEAR_MISS_DEG {
                            near.nearest = Some(near.nearest.map_or(dist, |n: f64| n.min(dist)));
                        }
                        if dist <= SNAP_TOLERANCE_DEG && !near.to_snap.contains(&d) {
                            near.to_snap.push(d);
                        }
                    }
                }
            }
            near
        })
        .collect()
}

/// Where each vertex to snap goes, by its exact position.
type SnapTargets = HashMap<(u64, u64), Coord<f64>>;

/// Where vertices of open borders should move: onto a vertex of another
/// unit closer than [`SNAP_TOLERANCE_DEG`] (the smaller of the two, so the
/// result does not depend on the order); and the units with borders that
/// have no exact counterpart while another unit lies within
/// [`NEAR_MISS_DEG`] (a real coast has none).
fn find_snaps(atlas: &Atlas, topo: &Topology) -> (SnapTargets, Vec<UnitId>) {
    let vertices = open_border_vertices(atlas, topo);
    let near = near_others(&vertices);
    let mut near_miss: Vec<UnitId> =
        vertices.iter().zip(&near).filter(|(_, n)| n.nearest.is_some()).map(|(&(_, u), _)| u).collect();
    near_miss.sort_unstable();
    near_miss.dedup();
    let mut target = SnapTargets::new();
    for (&(c, _), n) in vertices.iter().zip(&near) {
        let best = n.to_snap.iter().fold(c, |b, &d| if (d.x, d.y) < (b.x, b.y) { d } else { b });
        if best != c {
            target.insert(point_key(c), best);
        }
    }
    (target, near_miss)
}

/// Moves the vertices [`find_snaps`] chose, in every ring that has them;
/// returns how many vertex positions moved.
fn apply_snaps(atlas: &mut Atlas, target: &SnapTargets) -> usize {
    if target.is_empty() {
        return 0;
    }
    atlas
        .units
        .par_iter_mut()
        .map(|unit| {
            let Some(mp) = &mut unit.contour else { return 0 };
            let mut moved = 0;
            let mut snap = |ring: &mut geo::LineString<f64>| {
                for c in ring.0.iter_mut() {
                    if let Some(&t) = target.get(&point_key(*c)) {
                        *c = t;
                        moved += 1;
                    }
                }
                ring.0.dedup();
            };
            for poly in &mut mp.0 {
                poly.exterior_mut(&mut snap);
                poly.interiors_mut(|holes| holes.iter_mut().for_each(&mut snap));
            }
            moved
        })
        .sum()
}

/// Reports the units with borders a few metres from their neighbour's.
fn report_unmatched(atlas: &Atlas, units: &[UnitId], warnings: &mut Vec<Warning>) {
    if !units.is_empty() {
        let names: Vec<String> = units.iter().map(|&u| atlas.unit(u).code.to_string()).collect();
        warnings.push(Warning::new(
            "unmatched_border",
            format!(
                "{} unités ont un bord sans vis-à-vis exact chez leur voisine (écart de moins de 10 m) : traité comme une limite extérieure pour les dissolutions et les zones ; les populations ne changent pas : {}",
                units.len(),
                sample(&names)
            ),
        ));
    }
}
