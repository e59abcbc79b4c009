//! The share of a unit's area inside a drawn territory, from the edges of
//! the territory near the unit only, without any overlay.
//!
//! By Green's theorem the area of the intersection of two regions is a sum
//! over its boundary, which is made of the parts of the unit's border
//! inside the territory and the parts of the territory's border inside the
//! unit: `area = ½ Σ (p × q)` over those pieces `p → q`, both borders
//! oriented with their interior on the left. So the unit's border is walked
//! once, keeping the territory's winding number: known at the start of each
//! ring (a ray towards the territory's box), it changes by ±1 at each
//! crossing with a territory edge. The territory's edges near the unit are
//! walked the same way, keeping the unit's winding number, which is 0 where
//! a run of near edges enters the unit's box.
//!
//! Borders drawn on commune borders share vertices and whole edges with the
//! units: every predicate is exact (`robust`'s `orient2d`), and ties are
//! broken as if the unit were moved by an infinitesimal `δ = (ε, ε²)`
//! ("simulation of simplicity"). The moved configuration has no vertex on
//! an edge and no overlapping edges, and the area of the intersection is
//! continuous in `δ`: the sum is exact for the unit as it is. Shared edges
//! then cost nothing special: along them, one border lies just inside the
//! other, and the two walks count the piece once.
//!
//! # Performance
//!
//! A unit costs its own edges, the territory's edges within its box (one
//! R-tree descent) and one ray per ring of the unit. Over all units an edge
//! of the territory is used as many times as there are unit boxes it meets:
//! time is linear in the territory's vertices, whatever the shape of its
//! border. A unit whose box meets no edge is wholly in or out: one ray.

use geo::{Area, Coord, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::predicates::{ray_step, side_of_moved_line, side_of_moved_point};
use super::region::Region;
use crate::geometry::ring_twice_signed_area;

/// Below this many candidate pairs, edges are tested pairwise, without a tree.
const PAIRWISE: usize = 4096;

/// Reusable buffers, one per thread.
#[derive(Default)]
pub struct Scratch {
    near: Vec<u32>,
    unit: UnitEdges,
    crossings: Vec<Crossing>,
    by_territory: Vec<u32>,
}

/// The unit's border, oriented with its interior on the left.
#[derive(Default)]
struct UnitEdges {
    edges: Vec<(Coord<f64>, Coord<f64>)>,
    /// Offset of each ring in `edges`, then `edges.len()`.
    starts: Vec<usize>,
}

/// Where a unit edge crosses a territory edge (with `δ`).
#[derive(Debug, Clone, Copy)]
struct Crossing {
    unit_edge: u32,
    /// Index in the list of near territory edges.
    near: u32,
    t_unit: f64,
    t_territory: f64,
    at: Coord<f64>,
    /// Change of the territory's winding number, walking the unit's edge.
    territory_step: i8,
    /// Change of the unit's winding number, walking the territory's edge.
    unit_step: i8,
}

/// Share of `unit`'s area (bounding box `bbox`) inside the region, in `[0, 1]`.
pub fn share(region: &Region, unit: &MultiPolygon<f64>, bbox: Rect<f64>, scratch: &mut Scratch) -> f64 {
    region.edges_meeting(bbox, &mut scratch.near);
    if scratch.near.is_empty() {
        // Wholly on one side: any vertex tells which (most units of a
        // territory: their vertices are not even read).
        let Some(&first) = unit.0.first().and_then(|p| p.exterior().0.first()) else { return 0.0 };
        return if bbox.width() > 0.0 && bbox.height() > 0.0 && region.winding_at(first) != 0 { 1.0 } else { 0.0 };
    }
    let total = unit.unsigned_area();
    if total <= 0.0 {
        return 0.0;
    }
    scratch.unit.fill(unit);
    find_crossings(region, scratch);
    let origin = bbox.min();
    let inside = unit_pieces(region, scratch, origin) + territory_pieces(region, scratch, bbox, origin);
    (inside / total).clamp(0.0, 1.0)
}

impl UnitEdges {
    fn fill(&mut self, unit: &MultiPolygon<f64>) {
        self.edges.clear();
        self.starts.clear();
        for poly in &unit.0 {
            for (k, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
                let points = &ring.0;
                // Exteriors counter-clockwise, holes clockwise, whatever the file did.
                let reversed = (ring_twice_signed_area(points) < 0.0) == (k == 0);
                self.starts.push(self.edges.len());
                let pairs = points.windows(2).map(|w| (w[0], w[1])).filter(|(a, b)| a != b);
                if reversed {
                    self.edges.extend(pairs.rev().map(|(a, b)| (b, a)));
                } else {
                    self.edges.extend(pairs);
                }
            }
        }
        self.starts.push(self.edges.len());
    }
}

/// Every crossing between the unit's edges and the near territory edges.
fn find_crossings(region: &Region, scratch: &mut Scratch) {
    let Scratch { near, unit, crossings, .. } = scratch;
    crossings.clear();
    let points = &region.rings().points;
    let mut test = |u: usize, n: usize, e: usize| {
        let (a0, a1) = unit.edges[u];
        if let Some(c) = crossing(a0, a1, points[e], points[e + 1]) {
            crossings.push(Crossing { unit_edge: u as u32, near: n as u32, ..c });
        }
    };
    if unit.edges.len() * near.len() <= PAIRWISE {
        let boxes: Vec<[[f64; 2]; 2]> = unit.edges.iter().map(|&(a, b)| bounds(a, b)).collect();
        for (n, &e) in near.iter().enumerate() {
            let b = bounds(points[e as usize], points[e as usize + 1]);
            for (u, ub) in boxes.iter().enumerate() {
                if overlaps(&b, ub) {
                    test(u, n, e as usize);
                }
            }
        }
        return;
    }
    // One side in a tree, the other queried against it: the tree on the
    // smaller side (a full-resolution commune has thousands of edges, the
    // territory's edges near it a few dozen; a zig-zag, the other way round).
    let tree_of = |boxes: &mut dyn Iterator<Item = [[f64; 2]; 2]>| {
        RTree::bulk_load(
            boxes.enumerate().map(|(k, [lo, hi])| GeomWithData::new(Rectangle::from_corners(lo, hi), k)).collect(),
        )
    };
    if near.len() <= unit.edges.len() {
        let tree = tree_of(&mut near.iter().map(|&e| bounds(points[e as usize], points[e as usize + 1])));
        for (u, &(a, b)) in unit.edges.iter().enumerate() {
            let [lo, hi] = bounds(a, b);
            for hit in tree.locate_in_envelope_intersecting(&AABB::from_corners(lo, hi)) {
                test(u, hit.data, near[hit.data] as usize);
            }
        }
    } else {
        let tree = tree_of(&mut unit.edges.iter().map(|&(a, b)| bounds(a, b)));
        for (n, &e) in near.iter().enumerate() {
            let [lo, hi] = bounds(points[e as usize], points[e as usize + 1]);
            for hit in tree.locate_in_envelope_intersecting(&AABB::from_corners(lo, hi)) {
                test(hit.data, n, e as usize);
            }
        }
    }
}

/// ½ Σ p × q over the unit's border inside the territory.
fn unit_pieces(region: &Region, scratch: &mut Scratch, origin: Coord<f64>) -> f64 {
    let Scratch { unit, crossings, .. } = scratch;
    crossings.sort_unstable_by(|x, y| x.unit_edge.cmp(&y.unit_edge).then(x.t_unit.total_cmp(&y.t_unit)));
    let mut sum = 0.0;
    let mut k = 0;
    for ring in unit.starts.windows(2) {
        if ring[0] == ring[1] {
            continue;
        }
        let mut winding = region.winding_at(unit.edges[ring[0]].0);
        for e in ring[0]..ring[1] {
            let (a0, a1) = unit.edges[e];
            let end = k + crossings[k..].iter().take_while(|c| c.unit_edge as usize == e).count();
            let steps = crossings[k..end].iter().map(|c| (c.at, c.territory_step));
            sum += walk_edge(a0, a1, steps, &mut winding, origin);
            k = end;
        }
    }
    sum
}

/// ½ Σ p × q over the territory's border inside the unit.
fn territory_pieces(region: &Region, scratch: &mut Scratch, bbox: Rect<f64>, origin: Coord<f64>) -> f64 {
    let Scratch { near, unit, crossings, by_territory } = scratch;
    by_territory.clear();
    by_territory.extend(0..crossings.len() as u32);
    by_territory.sort_unstable_by(|&x, &y| {
        let (x, y) = (&crossings[x as usize], &crossings[y as usize]);
        x.near.cmp(&y.near).then(x.t_territory.total_cmp(&y.t_territory))
    });
    let points = &region.rings().points;
    let mut sum = 0.0;
    let mut winding = 0;
    let mut k = 0;
    for (n, &e) in near.iter().enumerate() {
        let e = e as usize;
        if n == 0 || near[n - 1] as usize + 1 != e {
            // A run starts: after an edge far from the unit's box, its first
            // vertex is outside the box, hence outside the unit.
            let start = points[e];
            winding = if outside(bbox, start) { 0 } else { unit.winding_at(start) };
        }
        let end = k + by_territory[k..].iter().take_while(|&&c| crossings[c as usize].near as usize == n).count();
        let steps = by_territory[k..end].iter().map(|&c| (crossings[c as usize].at, crossings[c as usize].unit_step));
        sum += walk_edge(points[e], points[e + 1], steps, &mut winding, origin);
        k = end;
    }
    sum
}

/// ½ Σ p × q over the parts of the edge `a → b` where `winding` is not 0,
/// the winding changing by `step` at each crossing `at`, in order along it.
fn walk_edge(
    a: Coord<f64>,
    b: Coord<f64>,
    crossings: impl Iterator<Item = (Coord<f64>, i8)>,
    winding: &mut i32,
    origin: Coord<f64>,
) -> f64 {
    let mut sum = 0.0;
    let mut from = a;
    for (at, step) in crossings {
        if *winding != 0 {
            sum += piece(from, at, origin);
        }
        *winding += i32::from(step);
        from = at;
    }
    if *winding != 0 {
        sum += piece(from, b, origin);
    }
    sum
}

impl UnitEdges {
    /// Winding number of the unit, moved by `δ`, around a point `v`.
    fn winding_at(&self, v: Coord<f64>) -> i32 {
        // The moved unit's vertices are above the line y = v.y when a.y ≥ v.y.
        self.edges
            .iter()
            .map(|&(a0, a1)| ray_step((a0.y >= v.y, a1.y >= v.y), side_of_moved_line(a0, a1, v), false))
            .sum()
    }
}

/// Whether edge `a0 a1` (moved by `δ`) crosses edge `b0 b1`, and how.
fn crossing(a0: Coord<f64>, a1: Coord<f64>, b0: Coord<f64>, b1: Coord<f64>) -> Option<Crossing> {
    let (s0, s1) = (side_of_moved_point(b0, b1, a0), side_of_moved_point(b0, b1, a1));
    let (t0, t1) = (side_of_moved_line(a0, a1, b0), side_of_moved_line(a0, a1, b1));
    if s0 == s1 || t0 == t1 {
        return None;
    }
    let (da, db) = (a1 - a0, b1 - b0);
    let den = cross(da, db);
    let (t_unit, t_territory, at) = if den != 0.0 {
        let t_unit = (cross(b0 - a0, db) / den).clamp(0.0, 1.0);
        let t_territory = (cross(b0 - a0, da) / den).clamp(0.0, 1.0);
        (t_unit, t_territory, a0 + da * t_unit)
    } else {
        // Parallel in floating point though not exactly: any common point will do.
        let t_territory = (dot(a0 - b0, db) / dot(db, db)).clamp(0.0, 1.0);
        let at = b0 + db * t_territory;
        (dot(at - a0, da) / dot(da, da), t_territory, at)
    };
    Some(Crossing {
        unit_edge: 0,
        near: 0,
        t_unit,
        t_territory,
        at,
        // Leaving the right of a territory edge for its left: one turn more.
        territory_step: if s0 < 0 { 1 } else { -1 },
        unit_step: if t0 < 0 { 1 } else { -1 },
    })
}

/// Twice the signed area swept from `origin`, halved: one piece of Green's sum.
fn piece(p: Coord<f64>, q: Coord<f64>, origin: Coord<f64>) -> f64 {
    cross(p - origin, q - origin) / 2.0
}

fn cross(u: Coord<f64>, v: Coord<f64>) -> f64 {
    u.x * v.y - u.y * v.x
}

fn dot(u: Coord<f64>, v: Coord<f64>) -> f64 {
    u.x * v.x + u.y * v.y
}

fn bounds(a: Coord<f64>, b: Coord<f64>) -> [[f64; 2]; 2] {
    [[a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]]
}

fn overlaps(p: &[[f64; 2]; 2], q: &[[f64; 2]; 2]) -> bool {
    p[0][0] <= q[1][0] && q[0][0] <= p[1][0] && p[0][1] <= q[1][1] && q[0][1] <= p[1][1]
}

fn outside(bbox: Rect<f64>, c: Coord<f64>) -> bool {
    c.x < bbox.min().x || c.x > bbox.max().x || c.y < bbox.min().y || c.y > bbox.max().y
}
