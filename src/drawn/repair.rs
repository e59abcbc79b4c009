//! Checks a drawn territory once, and repairs it when its rings cross.
//!
//! Hand-drawn polygons are often invalid: a border that loops over itself,
//! two parts of a multipolygon that overlap, a hole drawn outside its
//! exterior. Every later step ([`super::share`]) needs each point of the
//! plane to be covered 0 or 1 times. The check is exact and O(n log n):
//! rings cleaned (repeated vertices, flat rings) and oriented, then
//! - no two edges meet except consecutive ones at their vertex
//!   ([`super::sweep`]);
//! - each exterior lies outside every other ring (counting holes), each
//!   hole inside exactly one more exterior than holes: with disjoint rings
//!   this makes every point covered 0 or 1 times.
//!
//! A polygon that fails is resolved by `i_overlay` (through `geo`'s boolean
//! operations) the way GEOS `MakeValid` does with its "structure" method:
//! each exterior under the non-zero rule (both lobes of a bow-tie), minus
//! its holes under the same rule, the parts then unioned. The change is
//! reported, unless the rings only touched (a hole touching its exterior at
//! a vertex, two parts sharing an edge: the same area, nothing crossing).
//! Equal areas alone would not prove that: a self-crossing hole drawn
//! outside its exterior can have a signed area of 0.

use geo::{Coord, CoordsIter, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::predicates::{orient, ray_step};
use super::region::{Region, Rings};
use super::sweep::first_contact;
use crate::geometry::{orient as orient_rings, ring_bbox, ring_twice_signed_area};

/// Relative difference of areas above which a polygon is reported as repaired:
/// the overlay snaps its output to an integer grid, which moves the area of a
/// long border by far less than this.
const AREA_TOLERANCE: f64 = 1e-6;

/// Why a drawn polygon cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawnError {
    #[error("coordonnée non finie (NaN ou infinie) dans le polygone")]
    NotFinite,
    #[error("polygone de surface nulle (vide, ou réduit à des lignes une fois ses auto-intersections résolues)")]
    Empty,
}

/// How a drawn polygon was changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repair {
    /// Area after repair relative to the signed area as drawn, minus one
    /// (e.g. `-0.02`: 2 % smaller).
    pub change: f64,
    /// Where its rings were first found to meet (longitude, latitude).
    pub at: Coord<f64>,
}

/// A drawn territory fit for area queries.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Rings covering each point at most once: counter-clockwise around
    /// what is inside, clockwise around holes (a repaired polygon's rings
    /// may touch at vertices), indexed.
    pub region: Region,
    pub repaired: Option<Repair>,
}

impl Checked {
    /// The rings as a multipolygon, each ring its own polygon: read it by
    /// winding or parity, or measure it with [`signed_area`].
    pub fn area(&self) -> MultiPolygon<f64> {
        let rings = self.region.rings();
        MultiPolygon(
            (0..rings.ring_count()).map(|r| Polygon::new(LineString(rings.ring(r).to_vec()), Vec::new())).collect(),
        )
    }
}

/// Orients, checks and, when needed, repairs a drawn polygon.
pub fn check(area: &MultiPolygon<f64>) -> Result<Checked, DrawnError> {
    if area.coords_iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
        return Err(DrawnError::NotFinite);
    }
    let area = clean(area);
    if area.0.is_empty() {
        return Err(DrawnError::Empty);
    }
    let rings = Rings::from_multipolygon(&area);
    // Where the drawing is first seen to be wrong, and whether that alone
    // deserves a warning (rings that only touch do not).
    let (at, serious) = match first_contact(&rings) {
        None => match badly_nested(&rings) {
            None => return Ok(Checked { region: Region::new(rings), repaired: None }),
            Some(at) => (at, true),
        },
        Some(c) => (c.at, c.crossing),
    };
    let signed = signed_area(&area);
    let resolved = resolve(&area);
    let covered = signed_area(&resolved);
    if covered <= 0.0 {
        return Err(DrawnError::Empty);
    }
    let change = if signed > 0.0 { covered / signed - 1.0 } else { f64::INFINITY };
    let changed = (covered - signed).abs() > AREA_TOLERANCE * covered;
    Ok(Checked {
        region: Region::new(Rings::from_multipolygon(&resolved)),
        repaired: (serious || changed).then_some(Repair { change, at }),
    })
}

/// The area a polygon covers when each point is covered 0 or 1 times:
/// rings counted with their sign, wherever they are listed.
pub fn signed_area(area: &MultiPolygon<f64>) -> f64 {
    area.0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| ring_twice_signed_area(&r.0))
        .sum::<f64>()
        / 2.0
}

/// Repeated vertices removed, flat rings dropped (a polygon whose
/// exterior goes), exteriors counter-clockwise and holes clockwise.
fn clean(area: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| {
        let mut points = ls.0.clone();
        points.dedup();
        if points.first() != points.last()
            && let Some(&first) = points.first()
        {
            points.push(first);
        }
        // A bow-tie may have a signed area of 0: only a ring on one line is flat.
        let flat = points.len() < 4 || points.iter().all(|&c| orient(points[0], points[1], c) == 0);
        (!flat).then_some(LineString(points))
    };
    let mut cleaned = MultiPolygon(
        area.0
            .iter()
            .filter_map(|p| Some(Polygon::new(ring(p.exterior())?, p.interiors().iter().filter_map(ring).collect())))
            .collect(),
    );
    orient_rings(&mut cleaned);
    cleaned
}

/// A closed ring as `i_overlay` reads it: implicitly closed.
type Path = Vec<[f64; 2]>;

/// The region a polygon was meant to cover (see the module doc), as oriented
/// rings: counter-clockwise around what is inside, clockwise around holes.
/// `i_overlay`'s plain output is used, not its OGC one: rings may touch at
/// a vertex (which the area queries allow), and each keeps the orientation
/// that says which side is inside; read back as OGC polygons, a lobe
/// touching its exterior can come out as a "hole" outside it.
fn resolve(area: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let path = |ring: &LineString<f64>| -> Path { ring.0[..ring.0.len() - 1].iter().map(|c| [c.x, c.y]).collect() };
    let mut parts: Vec<Path> = Vec::new();
    for poly in &area.0 {
        let outer = overlay(&[path(poly.exterior())], &[], OverlayRule::Subject);
        if poly.interiors().is_empty() {
            parts.extend(outer);
        } else {
            let holes: Vec<Path> = poly.interiors().iter().map(path).collect();
            parts.extend(overlay(&outer, &overlay(&holes, &[], OverlayRule::Subject), OverlayRule::Difference));
        }
    }
    MultiPolygon(
        overlay(&parts, &[], OverlayRule::Subject)
            .into_iter()
            .filter(|p| p.len() >= 3)
            .map(|p| {
                let mut ring: Vec<Coord<f64>> = p.into_iter().map(|[x, y]| Coord { x, y }).collect();
                ring.push(ring[0]);
                Polygon::new(LineString(ring), Vec::new())
            })
            .collect(),
    )
}

/// One overlay under the non-zero rule, its shapes' rings in one list.
fn overlay(subject: &[Path], clip: &[Path], rule: OverlayRule) -> Vec<Path> {
    FloatOverlay::with_subj_and_clip_custom(subject, clip, OverlayOptions::default(), Default::default())
        .overlay(rule, FillRule::NonZero)
        .into_iter()
        .flatten()
        .collect()
}

/// For disjoint rings: a vertex of the first ring whose nesting is wrong
/// (an exterior inside the territory, a hole outside it or in another hole).
fn badly_nested(rings: &Rings) -> Option<Coord<f64>> {
    if rings.ring_count() < 2 {
        return None;
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = (0..rings.ring_count())
        .map(|r| {
            let b = ring_bbox(rings.ring(r));
            GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), r)
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    (0..rings.ring_count()).find_map(|r| {
        let p = rings.ring(r)[0];
        let around: i32 = tree
            .locate_all_at_point(&[p.x, p.y])
            .filter(|other| other.data != r)
            .map(|other| winding(rings.ring(other.data), p))
            .sum();
        let hole = ring_twice_signed_area(rings.ring(r)) < 0.0;
        (around != i32::from(hole)).then_some(p)
    })
}

/// Winding number of a closed ring around `p`, which is not on it.
fn winding(ring: &[Coord<f64>], p: Coord<f64>) -> i32 {
    ring.windows(2).map(|w| ray_step((w[0].y > p.y, w[1].y > p.y), orient(w[0], w[1], p), false)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn a_valid_polygon_with_a_hole_is_kept_vertex_for_vertex() {
        // Exterior clockwise as in a shapefile: orientation alone is no repair.
        let mp = wkt! { MULTIPOLYGON(((0. 0.,0. 4.,4. 4.,4. 0.,0. 0.),(1. 1.,3. 1.,3. 3.,1. 3.,1. 1.))) };
        let checked = check(&mp).unwrap();
        assert_eq!(checked.repaired, None);
        assert_eq!(signed_area(&checked.area()), 12.0);
        assert_eq!(checked.area().coords_count(), mp.coords_count());
    }

    #[test]
    fn rings_that_only_touch_are_resolved_without_a_warning() {
        let mp = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(0. 0.,1. 2.,2. 1.,0. 0.)),((4. 0.,5. 0.,5. 1.,4. 0.))) };
        let checked = check(&mp).unwrap();
        assert_eq!(checked.repaired, None);
        assert!((signed_area(&checked.area()) - signed_area(&clean(&mp))).abs() < 1e-9);
    }

    #[test]
    fn a_crossing_hole_outside_its_exterior_is_reported_though_the_area_matches() {
        // The hole's lobes turn opposite ways: its signed area is 0.
        let mp = wkt! { MULTIPOLYGON(((0. 0.,1. 0.,0. 1.,0. 0.),(5. 5.,7. 7.,7. 5.,5. 7.,5. 5.))) };
        let checked = check(&mp).unwrap();
        assert!(checked.repaired.is_some());
        assert!((signed_area(&checked.area()) - 0.5).abs() < 1e-9, "{:?}", checked.area());
    }

    #[test]
    fn a_bow_tie_keeps_both_lobes() {
        let mp = wkt! { MULTIPOLYGON(((0. 0.,2. 2.,2. 0.,0. 2.,0. 0.))) };
        let checked = check(&mp).unwrap();
        let repair = checked.repaired.expect("repaired");
        assert_eq!(repair.at, Coord { x: 1.0, y: 1.0 });
        assert!((signed_area(&checked.area()) - 2.0).abs() < 1e-9, "{:?}", checked.area());
    }

    #[test]
    fn overlapping_parts_are_counted_once() {
        let mp = wkt! { MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,0. 2.,0. 0.)),((1. 0.,3. 0.,3. 2.,1. 2.,1. 0.))) };
        let checked = check(&mp).unwrap();
        let change = checked.repaired.expect("overlap repaired").change;
        assert!((change + 0.25).abs() < 1e-9, "6 of the 8 drawn: {change}");
        assert!((signed_area(&checked.area()) - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_part_drawn_inside_another_and_a_hole_outside_its_exterior_are_resolved() {
        // Disjoint rings, badly nested: the sweep alone would not see it.
        let nested = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.)),((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.))) };
        let checked = check(&nested).unwrap();
        assert!(checked.repaired.is_some());
        assert!((signed_area(&checked.area()) - 16.0).abs() < 1e-9);
        let stray_hole = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(5. 5.,6. 5.,6. 6.,5. 6.,5. 5.))) };
        let checked = check(&stray_hole).unwrap();
        assert!((signed_area(&checked.area()) - 16.0).abs() < 1e-9, "a hole outside removes nothing");
    }

    #[test]
    fn degenerate_or_damaged_polygons_are_refused() {
        let flat = wkt! { MULTIPOLYGON(((0. 0.,1. 1.,2. 2.,0. 0.))) };
        assert_eq!(check(&flat).unwrap_err(), DrawnError::Empty);
        let nan = wkt! { MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 0.))) };
        let nan = geo::MapCoords::map_coords(&nan, |c| {
            if c.x == 1.0 {
                geo::coord! { x: f64::NAN, y: c.y }
            } else {
                c
            }
        });
        assert_eq!(check(&nan).unwrap_err(), DrawnError::NotFinite);
    }
}
