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
//! Rings whose simplified area is below [`min_ring_area`] (islands smaller
//! than the tolerance squared) are dropped by the layers that use them.

use std::collections::HashMap;

use geo::{Coord, LineString, Simplify};

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

/// Simplified coordinates of every arc, in arc order.
pub fn simplify_arcs(topo: &Topology, tolerance_deg: f64) -> Vec<Vec<Coord<f64>>> {
    let mut node_pairs: HashMap<NodePair, u32> = HashMap::new();
    for arc in &topo.arcs {
        *node_pairs.entry(pair(&arc.coords)).or_default() += 1;
    }
    topo.arcs
        .iter()
        .map(|arc| {
            let c = &arc.coords;
            if c.len() <= 2 || tolerance_deg <= 0.0 {
                return c.clone();
            }
            let closed = c[0] == c[c.len() - 1];
            let mut out = LineString(c.clone()).simplify(tolerance_deg).0;
            if closed && out.len() < 4 {
                out = vec![c[0], c[c.len() / 3], c[2 * c.len() / 3], c[0]];
            } else if out.len() == 2 && node_pairs[&pair(c)] > 1 {
                out.insert(1, farthest(c));
            }
            out
        })
        .collect()
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
