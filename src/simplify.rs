//! Simplification that keeps shared borders shared.
//!
//! Each arc of the topology is simplified once (Douglas–Peucker, its two
//! end nodes fixed), and every polygon is rebuilt from the simplified arcs:
//! two neighbours use the very same simplified border, so no gap or overlap
//! can open between them, at any tolerance.
//!
//! Two guards keep rings valid: a closed arc (an island, an enclave) keeps
//! at least three distinct vertices, and two arcs joining the same two
//! nodes keep their farthest vertex so they cannot fold onto one segment.
//! Douglas–Peucker alone can still make an arc cross another one (or
//! itself) where borders run close: every simplified segment is checked
//! against its neighbours (R-tree), and the arcs involved are simplified
//! again with half the tolerance, down to their original vertices.
//! Rings whose simplified area is below [`min_ring_area`] (islands smaller
//! than the tolerance squared) are dropped by the layers that use them.

use std::collections::HashMap;

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString, Simplify};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};

use crate::arcs::ArcCoords;
use crate::arcs::{Topology, vertex_key};

/// Metres per degree of latitude (WGS84 mean).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// A tolerance in metres, as degrees (conservative in longitude).
pub fn degrees(metres: f64) -> f64 {
    metres / METRES_PER_DEGREE
}

/// Rings below this planar area (degrees²) are dropped after simplification.
pub fn min_ring_area(tolerance_deg: f64) -> f64 {
    tolerance_deg * tolerance_deg
}

/// Simplified coordinates of every arc, in arc order, with no two arcs
/// crossing; `exact` gives the arcs' original coordinates.
pub fn simplify_arcs(topo: &Topology, exact: &(dyn ArcCoords + Sync), tolerance_deg: f64) -> Vec<Vec<Coord<f64>>> {
    let arcs = topo.arcs.len() as u32;
    let mut node_pairs: HashMap<NodePair, u32> = HashMap::new();
    for a in 0..arcs {
        *node_pairs.entry(pair(exact.coords(a))).or_default() += 1;
    }
    let simplify = |c: &[Coord<f64>], tolerance: f64| simplify_one(c, tolerance, node_pairs[&pair(c)] > 1);
    let mut out: Vec<Vec<Coord<f64>>> =
        (0..arcs).into_par_iter().map(|a| simplify(exact.coords(a), tolerance_deg)).collect();
    let mut tolerance = tolerance_deg;
    let mut suspects: Option<Vec<usize>> = None;
    for _ in 0..MAX_REFINEMENTS {
        let crossing = crossing_arcs(&out, suspects.as_deref());
        if crossing.is_empty() {
            return out;
        }
        tolerance /= 2.0;
        let last = tolerance < tolerance_deg / 2f64.powi(MAX_REFINEMENTS as i32 - 1);
        for &a in &crossing {
            let original = exact.coords(a as u32);
            out[a] = if last { original.to_vec() } else { simplify(original, tolerance) };
        }
        // Only the arcs just changed can make new crossings.
        suspects = Some(crossing);
    }
    out
}

/// Halvings of the tolerance tried on crossing arcs before keeping them whole.
const MAX_REFINEMENTS: usize = 6;

fn simplify_one(c: &[Coord<f64>], tolerance_deg: f64, shares_nodes: bool) -> Vec<Coord<f64>> {
    if c.len() <= 2 || tolerance_deg <= 0.0 {
        return c.to_vec();
    }
    let closed = c[0] == c[c.len() - 1];
    let mut out = LineString(c.to_vec()).simplify(tolerance_deg).0;
    if closed && out.len() < 4 {
        out = vec![c[0], c[c.len() / 3], c[2 * c.len() / 3], c[0]];
    } else if out.len() == 2 && shares_nodes {
        out.insert(1, farthest(c));
    }
    out
}

/// Arcs with a segment that crosses or touches another segment anywhere but
/// at a shared end (consecutive segments, or two arcs meeting at a node);
/// with `only`, just the segments of those arcs are checked against all.
fn crossing_arcs(arcs: &[Vec<Coord<f64>>], only: Option<&[usize]>) -> Vec<usize> {
    type Seg = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;
    let mut segments: Vec<Seg> = Vec::new();
    for (a, c) in arcs.iter().enumerate() {
        for (i, w) in c.windows(2).enumerate() {
            let (p, q) = (w[0], w[1]);
            let rect = Rectangle::from_corners([p.x.min(q.x), p.y.min(q.y)], [p.x.max(q.x), p.y.max(q.y)]);
            segments.push(GeomWithData::new(rect, (a as u32, i as u32)));
        }
    }
    let tree = RTree::bulk_load(segments.clone());
    let seg = |(a, i): (u32, u32)| {
        let c = &arcs[a as usize];
        Line::new(c[i as usize], c[i as usize + 1])
    };
    let mut bad = vec![false; arcs.len()];
    let mut checked = vec![only.is_none(); arcs.len()];
    if let Some(only) = only {
        only.iter().for_each(|&a| checked[a] = true);
    }
    for s in segments.iter().filter(|s| checked[s.data.0 as usize]) {
        let (a, i) = s.data;
        let l1 = seg(s.data);
        for t in tree.locate_in_envelope_intersecting(&s.geom().envelope()) {
            let (b, j) = t.data;
            // Each pair once when every segment is checked; both ways otherwise.
            if (b, j) == (a, i) || (only.is_none() && (b, j) < (a, i)) {
                continue;
            }
            // Ordered for the rules below.
            let ((a, i, l1), (b, j, l2)) =
                if (a, i) < (b, j) { ((a, i, l1), (b, j, seg(t.data))) } else { ((b, j, seg(t.data)), (a, i, l1)) };
            let Some(hit) = line_intersection(l1, l2) else { continue };
            let allowed = match hit {
                LineIntersection::SinglePoint { intersection, is_proper: false } => {
                    let shared = |l: &Line<f64>| l.start == intersection || l.end == intersection;
                    let ends_meet = shared(&l1) && shared(&l2);
                    // Consecutive segments of one arc, or two arcs meeting at a node (an arc end).
                    let consecutive = a == b && (j == i + 1 || (i == 0 && j as usize + 2 == arcs[a as usize].len()));
                    let at_node = |k: u32, m: u32| {
                        let c = &arcs[k as usize];
                        (m == 0 && c[0] == intersection)
                            || (m as usize + 2 == c.len() && c[c.len() - 1] == intersection)
                    };
                    ends_meet && (consecutive || (at_node(a, i) && at_node(b, j)))
                }
                _ => false,
            };
            if !allowed {
                bad[a as usize] = true;
                bad[b as usize] = true;
            }
        }
    }
    bad.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i).collect()
}

/// The two end nodes of an arc, in a canonical order.
type NodePair = ((u64, u64), (u64, u64));

fn pair(c: &[Coord<f64>]) -> NodePair {
    let (a, b) = (vertex_key(c[0]), vertex_key(c[c.len() - 1]));
    if a <= b { (a, b) } else { (b, a) }
}

/// The interior vertex farthest from the chord between the ends.
fn farthest(c: &[Coord<f64>]) -> Coord<f64> {
    let (a, b) = (c[0], c[c.len() - 1]);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    c[1..c.len() - 1]
        .iter()
        .copied()
        .max_by(|p, q| {
            let d = |p: &Coord<f64>| ((p.x - a.x) * dy - (p.y - a.y) * dx).abs();
            d(p).total_cmp(&d(q))
        })
        .unwrap_or(a)
}
