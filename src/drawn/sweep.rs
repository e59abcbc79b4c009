//! Whether the rings of a drawn territory meet anywhere but where consecutive
//! edges join: the Shamos–Hoey sweep.
//!
//! A vertical line sweeps the plane from left to right (points in
//! lexicographic order, so that a vertical edge runs from its lower end);
//! the edges it crosses are kept in an ordered set, from bottom to top. Two
//! edges that meet are neighbours in that set just before the sweep reaches
//! their first common point, so each edge is tested only against its
//! neighbours when it enters the set and when a removal makes two edges
//! neighbours. The sweep stops at the first contact found.
//!
//! The order of two edges is read where the later one starts: whether its
//! start (or, when that lies on the earlier edge's line, its end) is above
//! or below the earlier edge. Until the first contact no two edges of the
//! set cross, so that order holds for as long as both are in the set.
//! Every predicate is exact (`robust`'s `orient2d`): no tolerance, no
//! answer that depends on rounding.
//!
//! # Performance
//!
//! O(n log n) for n edges, whatever their shape: a 300 000-vertex zig-zag
//! whose long teeth overlap each other's bounding boxes costs the same as a
//! digitised border of that size (a box-based search would test every pair
//! of teeth whose boxes overlap: billions).

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;

use geo::Coord;

use super::predicates::orient;
use super::region::Rings;

/// Two edges that touch, cross or overlap, not being consecutive edges
/// meeting at their common vertex.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact {
    /// Edges, numbered as in [`Rings`].
    pub edges: (usize, usize),
    /// A point common to both (approximate when they cross).
    pub at: Coord<f64>,
    /// They cross (each passes to the other side of the other), rather
    /// than touch or run along each other.
    pub crossing: bool,
}

/// An edge with its ends in sweep order.
#[derive(Debug, Clone, Copy)]
struct Edge {
    low: Coord<f64>,
    high: Coord<f64>,
}

/// The first contact met by the sweep, or `None` when the rings are
/// disjoint simple curves. Rings must have no zero-length edge.
pub fn first_contact(rings: &Rings) -> Option<Contact> {
    let edges: Vec<Edge> = (0..rings.points.len().saturating_sub(1))
        .map(|e| {
            let (a, b) = rings.edge(e);
            if before(a, b) { Edge { low: a, high: b } } else { Edge { low: b, high: a } }
        })
        .collect();
    // Edge ids that do not exist (the last point of each ring) are skipped.
    let real: Vec<usize> = (0..rings.ring_count()).flat_map(|r| rings.edges(r)).collect();
    // Entries before exits at one point: an edge starting where another
    // ends is compared with it, and a ring touching itself at a vertex is seen.
    let mut events: Vec<(usize, bool)> = real.iter().flat_map(|&e| [(e, true), (e, false)]).collect();
    events.sort_unstable_by(|&(e, enter), &(f, enter_f)| {
        let p = if enter { edges[e].low } else { edges[e].high };
        let q = if enter_f { edges[f].low } else { edges[f].high };
        lexicographic(p, q).then(enter_f.cmp(&enter))
    });
    let mut active: BTreeSet<Key> = BTreeSet::new();
    for (e, enter) in events {
        let key = Key { edges: &edges, id: e };
        let below = active.range(..key).next_back().map(|k| k.id);
        let above = active.range((Bound::Excluded(key), Bound::Unbounded)).next().map(|k| k.id);
        if enter {
            for other in [below, above].into_iter().flatten() {
                if let Some(c) = contact(rings, e, other) {
                    return Some(c);
                }
            }
            active.insert(key);
        } else {
            if !active.remove(&key) {
                // Only an inconsistent order (impossible before a contact)
                // could lose an edge: report rather than trust the rest.
                return Some(Contact { edges: (e, e), at: edges[e].low, crossing: true });
            }
            if let (Some(b), Some(a)) = (below, above)
                && let Some(c) = contact(rings, b, a)
            {
                return Some(c);
            }
        }
    }
    None
}

/// An edge in the sweep's ordered set.
#[derive(Clone, Copy)]
struct Key<'a> {
    edges: &'a [Edge],
    id: usize,
}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.id == other.id {
            return Ordering::Equal;
        }
        let (s, t) = (self.edges[self.id], self.edges[other.id]);
        // Read the order where the later edge starts.
        let (earlier, later, flipped) = if lexicographic(s.low, t.low).is_le() { (s, t, false) } else { (t, s, true) };
        let side = match orient(earlier.low, earlier.high, later.low) {
            0 => orient(earlier.low, earlier.high, later.high),
            o => o,
        };
        let order = match side {
            // The later edge is above: the earlier one comes first.
            1 => Ordering::Less,
            -1 => Ordering::Greater,
            _ => return self.id.cmp(&other.id),
        };
        if flipped { order.reverse() } else { order }
    }
}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Key<'_> {}

/// Whether edges `e` and `f` meet other than as consecutive edges of a ring
/// at their common vertex.
fn contact(rings: &Rings, e: usize, f: usize) -> Option<Contact> {
    let (p0, p1) = rings.edge(e);
    let (q0, q1) = rings.edge(f);
    let found = |at, crossing| Some(Contact { edges: (e.min(f), e.max(f)), at, crossing });
    if let Some((shared, back, ahead)) = consecutive(rings, e, f) {
        // Consecutive edges only meet at their vertex, unless the second
        // turns back along the first (a spike).
        let folds = orient(back, shared, ahead) == 0
            && (ahead - shared).x * (back - shared).x + (ahead - shared).y * (back - shared).y > 0.0;
        return if folds { found(shared, false) } else { None };
    }
    let (o1, o2) = (orient(p0, p1, q0), orient(p0, p1, q1));
    let (o3, o4) = (orient(q0, q1, p0), orient(q0, q1, p1));
    if o1 == 0 && within(p0, p1, q0) {
        return found(q0, false);
    }
    if o2 == 0 && within(p0, p1, q1) {
        return found(q1, false);
    }
    if o3 == 0 && within(q0, q1, p0) {
        return found(p0, false);
    }
    if o4 == 0 && within(q0, q1, p1) {
        return found(p1, false);
    }
    if o1 * o2 < 0 && o3 * o4 < 0 {
        // Where they cross, for the message only.
        let d = p1 - p0;
        let num = (q0.x - p0.x) * (q1.y - q0.y) - (q0.y - p0.y) * (q1.x - q0.x);
        let den = d.x * (q1.y - q0.y) - d.y * (q1.x - q0.x);
        let t = if den == 0.0 { 0.5 } else { (num / den).clamp(0.0, 1.0) };
        return found(p0 + d * t, true);
    }
    None
}

/// When `e` and `f` follow each other in their ring: their common vertex,
/// the other end of the first and the other end of the second.
fn consecutive(rings: &Rings, e: usize, f: usize) -> Option<(Coord<f64>, Coord<f64>, Coord<f64>)> {
    let ring = rings.edges(rings.ring_of(e));
    if !ring.contains(&f) {
        return None;
    }
    let next = |k: usize| if k + 1 == ring.end { ring.start } else { k + 1 };
    let (first, second) = if next(e) == f {
        (e, f)
    } else if next(f) == e {
        (f, e)
    } else {
        return None;
    };
    let (back, shared) = rings.edge(first);
    Some((shared, back, rings.edge(second).1))
}

/// Whether `c`, on the line through `a b`, lies on the segment.
fn within(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    a.x.min(b.x) <= c.x && c.x <= a.x.max(b.x) && a.y.min(b.y) <= c.y && c.y <= a.y.max(b.y)
}

fn lexicographic(a: Coord<f64>, b: Coord<f64>) -> Ordering {
    a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y))
}

fn before(a: Coord<f64>, b: Coord<f64>) -> bool {
    lexicographic(a, b).is_lt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, wkt};

    fn contact_of(mp: MultiPolygon<f64>) -> Option<Contact> {
        first_contact(&Rings::from_multipolygon(&mp))
    }

    #[test]
    fn simple_rings_have_no_contact() {
        // A square with a hole, an island in the hole, a separate triangle,
        // vertical and horizontal edges, collinear consecutive edges.
        let mp = wkt! { MULTIPOLYGON(
            ((0. 0.,2. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(1. 1.,1. 3.,3. 3.,3. 1.,1. 1.)),
            ((1.5 1.5,2.5 1.5,2.5 2.5,1.5 1.5)),
            ((5. 0.,6. 0.,5. 1.,5. 0.))
        ) };
        assert_eq!(contact_of(mp), None);
    }

    #[test]
    fn a_bow_tie_crosses_itself() {
        let c = contact_of(wkt! { MULTIPOLYGON(((0. 0.,2. 2.,2. 0.,0. 2.,0. 0.))) }).expect("crossing");
        assert_eq!(c.at, Coord { x: 1.0, y: 1.0 });
    }

    #[test]
    fn touching_at_a_vertex_or_along_an_edge_is_a_contact() {
        // A hole touching its exterior at a vertex.
        let hole = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(0. 0.,1. 2.,2. 1.,0. 0.))) };
        assert_eq!(contact_of(hole).map(|c| c.at), Some(Coord { x: 0.0, y: 0.0 }));
        // Two parts sharing part of an edge.
        let parts = wkt! { MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,0. 2.,0. 0.)),((2. 1.,3. 1.,3. 3.,2. 3.,2. 1.))) };
        assert!(contact_of(parts).is_some());
        // A vertex on another ring's edge, and a ring touching itself.
        let pinch = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,2. 2.,4. 4.,0. 4.,2. 2.,0. 0.))) };
        assert!(contact_of(pinch).is_some());
        // A spike: an edge turning back along the previous one.
        let spike = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,4. 6.,4. 5.,0. 4.,0. 0.))) };
        assert!(contact_of(spike).is_some());
    }

    #[test]
    fn a_long_zig_zag_is_simple_and_one_crossing_tooth_is_found() {
        let n = 20_000;
        let star = |k: usize| {
            let a = std::f64::consts::TAU * (k % n) as f64 / n as f64;
            let r = if k.is_multiple_of(2) { 2.0 } else { 1.0 };
            Coord { x: r * a.cos(), y: r * a.sin() }
        };
        let mut points: Vec<Coord<f64>> = (0..=n).map(star).collect();
        let rings = |points: &Vec<Coord<f64>>| Rings { points: points.clone(), starts: vec![0, points.len()] };
        assert_eq!(first_contact(&rings(&points)), None);
        // Pull one notch across its neighbours.
        points[1001] = star(1005) * 0.9;
        let c = first_contact(&rings(&points)).expect("the moved notch crosses");
        assert!(c.edges.0 >= 996 && c.edges.1 <= 1006, "{c:?}");
    }
}
