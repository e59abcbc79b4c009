//! A drawn territory as closed rings in one array, with an R-tree over runs
//! of consecutive edges.
//!
//! Edge `e` goes from `points[e]` to `points[e + 1]`; the last point of each
//! ring repeats its first, so the edge starting there does not exist. Rings
//! are oriented, interior on the left: exteriors counter-clockwise, holes
//! clockwise; which exterior a hole belongs to does not matter to any query.
//!
//! # Performance
//!
//! The tree holds one entry per run of [`RUN`] edges, not one per edge: a
//! drawn border is a chain, so a run is as compact as its edges and the tree
//! is eight times smaller to build (a million vertices index in a few tens of
//! milliseconds). Queries test the edges of each run they meet.

use geo::{Coord, MultiPolygon, Rect};
use rstar::{AABB, RTree, RTreeObject};

use super::predicates::{ray_step, side_of_moved_point};

/// Edges per entry of the tree.
const RUN: usize = 8;

/// Rings, closed and oriented, one after the other.
#[derive(Debug, Clone, Default)]
pub struct Rings {
    pub points: Vec<Coord<f64>>,
    /// Offset of each ring in `points`, then `points.len()`.
    pub starts: Vec<usize>,
}

impl Rings {
    /// Rings of a multipolygon as they are (cleaning and orientation are the caller's).
    pub fn from_multipolygon(mp: &MultiPolygon<f64>) -> Rings {
        let mut rings = Rings { points: Vec::new(), starts: vec![0] };
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                if ring.0.len() >= 4 {
                    rings.points.extend_from_slice(&ring.0);
                    rings.starts.push(rings.points.len());
                }
            }
        }
        rings
    }

    pub fn ring_count(&self) -> usize {
        self.starts.len() - 1
    }

    /// The points of ring `r`, closed.
    pub fn ring(&self, r: usize) -> &[Coord<f64>] {
        &self.points[self.starts[r]..self.starts[r + 1]]
    }

    /// The edges of ring `r`.
    pub fn edges(&self, r: usize) -> std::ops::Range<usize> {
        self.starts[r]..self.starts[r + 1] - 1
    }

    pub fn edge(&self, e: usize) -> (Coord<f64>, Coord<f64>) {
        (self.points[e], self.points[e + 1])
    }

    /// The ring an edge belongs to.
    pub fn ring_of(&self, e: usize) -> usize {
        self.starts.partition_point(|&s| s <= e) - 1
    }

    pub fn edge_count(&self) -> usize {
        self.points.len() - self.ring_count()
    }
}

/// One entry of the tree: a run of consecutive edges of one ring.
#[derive(Debug, Clone)]
struct Run {
    first: u32,
    len: u32,
    envelope: AABB<[f64; 2]>,
}

impl RTreeObject for Run {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// A drawn territory ready for queries; see the module doc for the layout.
#[derive(Debug, Clone)]
pub struct Region {
    rings: Rings,
    tree: RTree<Run>,
    bbox: Rect<f64>,
}

impl Region {
    /// Indexes rings already cleaned, oriented and checked ([`super::repair`]).
    pub fn new(rings: Rings) -> Region {
        let mut runs = Vec::with_capacity(rings.points.len() / RUN + rings.ring_count());
        let mut min = Coord { x: f64::INFINITY, y: f64::INFINITY };
        let mut max = Coord { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY };
        for r in 0..rings.ring_count() {
            let edges = rings.edges(r);
            let mut first = edges.start;
            while first < edges.end {
                let last = (first + RUN).min(edges.end);
                let (lo, hi) = extent(&rings.points[first..=last]);
                runs.push(Run {
                    first: first as u32,
                    len: (last - first) as u32,
                    envelope: AABB::from_corners([lo.x, lo.y], [hi.x, hi.y]),
                });
                min = Coord { x: min.x.min(lo.x), y: min.y.min(lo.y) };
                max = Coord { x: max.x.max(hi.x), y: max.y.max(hi.y) };
                first = last;
            }
        }
        Region { rings, tree: RTree::bulk_load(runs), bbox: Rect::new(min, max) }
    }

    pub fn rings(&self) -> &Rings {
        &self.rings
    }

    pub fn bbox(&self) -> Rect<f64> {
        self.bbox
    }

    /// The edges whose box meets `rect` (closed boxes), in increasing order.
    pub fn edges_meeting(&self, rect: Rect<f64>, out: &mut Vec<u32>) {
        out.clear();
        let query = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        self.for_each_edge_meeting(query, |e| out.push(e as u32));
        out.sort_unstable();
    }

    /// Calls `f` with each edge whose box meets `query`, in no order.
    pub fn for_each_edge_meeting(&self, query: AABB<[f64; 2]>, mut f: impl FnMut(usize)) {
        let ([x0, y0], [x1, y1]) = (query.lower(), query.upper());
        for run in self.tree.locate_in_envelope_intersecting(&query) {
            for e in run.first as usize..(run.first + run.len) as usize {
                let (a, b) = self.rings.edge(e);
                if a.x.min(b.x) <= x1 && a.x.max(b.x) >= x0 && a.y.min(b.y) <= y1 && a.y.max(b.y) >= y0 {
                    f(e);
                }
            }
        }
    }

    /// Winding number of the territory around a unit's point `p` moved by `δ`,
    /// counted along a horizontal ray towards the nearer side of the box.
    pub fn winding_at(&self, p: Coord<f64>) -> i32 {
        let bbox = self.bbox();
        let leftward = p.x - bbox.min().x < bbox.max().x - p.x;
        let ray = if leftward { ([bbox.min().x, p.y], [p.x, p.y]) } else { ([p.x, p.y], [bbox.max().x, p.y]) };
        let points = &self.rings().points;
        let mut winding = 0;
        self.for_each_edge_meeting(AABB::from_corners(ray.0, ray.1), |e| {
            let (b0, b1) = (points[e], points[e + 1]);
            // The moved point's line y = p.y + ε² passes above vertices at p.y.
            winding += ray_step((b0.y > p.y, b1.y > p.y), side_of_moved_point(b0, b1, p), leftward);
        });
        winding
    }
}

/// Lower and upper corners of a non-empty set of points.
fn extent(points: &[Coord<f64>]) -> (Coord<f64>, Coord<f64>) {
    let mut lo = points[0];
    let mut hi = points[0];
    for c in points {
        lo = Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) };
        hi = Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) };
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    fn square_with_hole() -> Region {
        // Exterior counter-clockwise, hole clockwise.
        let mp = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(1. 1.,1. 3.,3. 3.,3. 1.,1. 1.))) };
        Region::new(Rings::from_multipolygon(&mp))
    }

    #[test]
    fn edges_are_numbered_ring_after_ring() {
        let r = square_with_hole();
        assert_eq!(r.rings().ring_count(), 2);
        assert_eq!(r.rings().edges(1), 5..9);
        assert_eq!(r.rings().ring_of(7), 1);
        assert_eq!(r.rings().edge_count(), 8);
    }

    #[test]
    fn a_box_query_finds_exactly_the_edges_whose_box_meets_it() {
        let r = square_with_hole();
        let mut out = Vec::new();
        r.edges_meeting(Rect::new(Coord { x: 3.5, y: 0.5 }, Coord { x: 5.0, y: 1.0 }), &mut out);
        assert_eq!(out, vec![1]);
        r.edges_meeting(Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 1.0, y: 1.0 }), &mut out);
        assert_eq!(out, vec![5, 8], "the hole's edges touching its corner (1, 1)");
    }
}
