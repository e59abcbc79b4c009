//! Stage 5b: dissolve a group of units on their shared borders.
//!
//! The arcs with the group on both sides are dropped; the others, walked
//! with the group on their left, are linked end to start into rings
//! (counter-clockwise exteriors, clockwise holes: enclaves are kept). No
//! vertex is moved and no new vertex is made, so two groups that share a
//! border share it exactly, and the area is the sum of the units' areas.
//!
//! # Validity
//!
//! Where two parts of a group touch at a single point, the walk takes the
//! sharpest turn keeping the interior on its left, so each part gets its own
//! ring; a hole touching its exterior at one point comes out as one ring
//! through that point twice, which is split into exterior and hole. On an
//! unclean coverage (borders without exact counterpart, see
//! [`crate::arcs`]) a ring may fail to close: it is closed on itself and
//! counted in [`Dissolved::open_rings`].
//!
//! # Performance
//!
//! Linear in the number of arcs of the group's units, plus the output
//! vertices; no geometric predicate except at nodes where several arcs leave.

use std::collections::HashMap;

use geo::{Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};

use crate::arcs::{ArcCoords, ArcRef, Topology, vertex_key};
use crate::commune::UnitId;
use crate::geometry::{point_in_ring, ring_bbox, ring_twice_signed_area};

/// The result of a dissolve.
#[derive(Debug, Clone)]
pub struct Dissolved {
    pub shape: MultiPolygon<f64>,
    /// Rings that had to be closed by force (unclean input).
    pub open_rings: usize,
}

fn start(coords: &dyn ArcCoords, r: ArcRef) -> Coord<f64> {
    let c = coords.coords(r.arc);
    if r.forward { c[0] } else { c[c.len() - 1] }
}

/// The second vertex along the walk (the direction leaving the start).
fn leaving(coords: &dyn ArcCoords, r: ArcRef) -> Coord<f64> {
    let c = coords.coords(r.arc);
    if r.forward { c[1] } else { c[c.len() - 2] }
}

/// Clockwise angle from `from` to `to`, in (0, 2π].
fn clockwise(from: Coord<f64>, to: Coord<f64>) -> f64 {
    let ccw = (from.x * to.y - from.y * to.x).atan2(from.x * to.x + from.y * to.y);
    let cw = -ccw;
    if cw <= 0.0 { cw + std::f64::consts::TAU } else { cw }
}

/// Dissolves `members` (units for which `in_group` is true).
pub fn dissolve(
    topo: &Topology,
    coords: &dyn ArcCoords,
    members: &[UnitId],
    in_group: &dyn Fn(UnitId) -> bool,
) -> Dissolved {
    let mut boundary: Vec<ArcRef> = Vec::new();
    for &u in members {
        for ring in &topo.rings[u as usize] {
            for &r in ring {
                if !topo.other_side(r).is_some_and(in_group) {
                    boundary.push(r);
                }
            }
        }
    }
    link(coords, &boundary)
}

/// Dissolves many groups on two cores; results in the order of `groups`.
pub fn dissolve_groups(
    topo: &Topology,
    coords: &(dyn ArcCoords + Sync),
    groups: &[Vec<UnitId>],
    units: usize,
) -> Vec<Dissolved> {
    let run = |parity: usize| {
        let mut marks = vec![false; units];
        groups
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, g)| {
                g.iter().for_each(|&u| marks[u as usize] = true);
                let d = dissolve(topo, coords, g, &|u| marks[u as usize]);
                g.iter().for_each(|&u| marks[u as usize] = false);
                d
            })
            .collect::<Vec<_>>()
    };
    // Alternate groups between the two threads: big and small ones spread evenly.
    let (even, odd) = std::thread::scope(|s| {
        let odd = s.spawn(|| run(1));
        (run(0), odd.join().unwrap_or_default())
    });
    let (mut even, mut odd) = (even.into_iter(), odd.into_iter());
    (0..groups.len()).filter_map(|i| if i % 2 == 0 { even.next() } else { odd.next() }).collect()
}

/// Links arcs end to start into rings, then polygons.
pub fn link(coords: &dyn ArcCoords, boundary: &[ArcRef]) -> Dissolved {
    // Arcs by start vertex, sorted: the arcs leaving a node are one contiguous run.
    let mut starts: Vec<((u64, u64), u32)> =
        boundary.iter().enumerate().map(|(i, &r)| (vertex_key(start(coords, r)), i as u32)).collect();
    starts.sort_unstable();
    let mut used = vec![false; boundary.len()];
    let mut rings: Vec<Vec<Coord<f64>>> = Vec::new();
    let mut open_rings = 0;
    for first in 0..boundary.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        let mut ring: Vec<Coord<f64>> = Vec::new();
        // Where arcs join: the only places a ring can pass twice through a vertex.
        let mut nodes: Vec<usize> = Vec::new();
        let mut current = first;
        loop {
            let r = boundary[current];
            let c = coords.coords(r.arc);
            nodes.push(ring.len().saturating_sub(1));
            let skip = usize::from(!ring.is_empty());
            if r.forward {
                ring.extend(c.iter().skip(skip));
            } else {
                ring.extend(c.iter().rev().skip(skip));
            }
            let end = ring[ring.len() - 1];
            let key = vertex_key(end);
            let from = starts.partition_point(|(k, _)| *k < key);
            let to = from + starts[from..].partition_point(|(k, _)| *k == key);
            let mut open = starts[from..to].iter().map(|&(_, i)| i as usize).filter(|&i| !used[i] || i == first);
            let next = match (open.next(), open.next()) {
                (None, _) => None,
                (Some(only), None) => Some(only),
                (Some(a), Some(b)) => {
                    // Several ways on: the sharpest turn keeps the interior on the left.
                    let back = Coord { x: ring[ring.len() - 2].x - end.x, y: ring[ring.len() - 2].y - end.y };
                    let turn = |i: usize| {
                        let next = leaving(coords, boundary[i]);
                        clockwise(back, Coord { x: next.x - end.x, y: next.y - end.y })
                    };
                    [a, b].into_iter().chain(open).min_by(|&x, &y| turn(x).total_cmp(&turn(y)))
                }
            };
            match next {
                // Choosing the ring's own first arc closes it.
                Some(i) if i == first => break,
                Some(i) => {
                    used[i] = true;
                    current = i;
                }
                None => {
                    open_rings += 1;
                    if ring[0] != end {
                        ring.push(ring[0]);
                    }
                    break;
                }
            }
        }
        split_at_repeats(ring, nodes, &mut rings);
    }
    Dissolved { shape: assemble(rings), open_rings }
}

/// Splits a ring that passes twice through a node into simple rings.
///
/// Walking with the interior on the left, a hole that touches its exterior
/// at one point comes out as one ring visiting that point twice (valid for
/// ESRI, not for OGC): its two loops are the exterior and the hole.
fn split_at_repeats(ring: Vec<Coord<f64>>, nodes: Vec<usize>, out: &mut Vec<Vec<Coord<f64>>>) {
    let mut stack = vec![(ring, nodes)];
    while let Some((ring, nodes)) = stack.pop() {
        if ring.len() < 4 {
            continue;
        }
        let mut seen: HashMap<(u64, u64), usize> = HashMap::new();
        let mut split = None;
        for &i in nodes.iter().filter(|&&i| i + 1 < ring.len()) {
            match seen.insert(vertex_key(ring[i]), i) {
                Some(j) if j != i => {
                    split = Some((j.min(i), j.max(i)));
                    break;
                }
                _ => {}
            }
        }
        let Some((i, j)) = split else {
            out.push(ring);
            continue;
        };
        let inner: Vec<Coord<f64>> = ring[i..=j].to_vec();
        let inner_nodes = nodes.iter().filter(|&&n| n >= i && n <= j).map(|&n| n - i).collect();
        let mut outer: Vec<Coord<f64>> = ring[..=i].to_vec();
        outer.extend_from_slice(&ring[j + 1..]);
        let outer_nodes =
            nodes.iter().filter(|&&n| n <= i || n > j).map(|&n| if n > j { n - (j - i) } else { n }).collect();
        stack.push((inner, inner_nodes));
        stack.push((outer, outer_nodes));
    }
}

/// Counter-clockwise rings are exteriors, clockwise ones holes, each hole
/// going to the smallest exterior that contains it.
pub fn assemble(rings: Vec<Vec<Coord<f64>>>) -> MultiPolygon<f64> {
    let mut exteriors: Vec<(Vec<Coord<f64>>, f64, Rect<f64>)> = Vec::new();
    let mut holes = Vec::new();
    for ring in rings {
        let a = ring_twice_signed_area(&ring);
        if a > 0.0 {
            let bbox = ring_bbox(&ring);
            exteriors.push((ring, a, bbox));
        } else if a < 0.0 {
            holes.push(ring);
        }
    }
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); exteriors.len()];
    for hole in holes {
        let probe = Coord { x: (hole[0].x + hole[1].x) / 2.0, y: (hole[0].y + hole[1].y) / 2.0 };
        let owner = exteriors
            .iter()
            .enumerate()
            .filter(|(_, (ring, _, bbox))| bbox.intersects(&probe) && point_in_ring(probe, ring))
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, _)| i);
        if let Some(i) = owner {
            interiors[i].push(LineString(hole));
        }
    }
    MultiPolygon(
        exteriors
            .into_iter()
            .zip(interiors)
            .map(|((ring, _, _), holes)| Polygon::new(LineString(ring), holes))
            .collect(),
    )
}
