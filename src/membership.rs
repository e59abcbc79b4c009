//! Stage 3b: territories drawn as polygons become sets of units.
//!
//! A unit belongs to a drawn territory when at least `min_share` (one half
//! by default) of its area lies inside. Units only partly inside are
//! reported, whichever way they fall.
//!
//! # Performance
//!
//! Intersecting every commune with a whole territory polygon (thousands of
//! vertices) would cost that many vertices per commune. Each territory is
//! instead cut once into small pieces along a quadtree (pieces of at most
//! `PIECE_VERTICES` vertices, exact boolean clips by `geo`), and a
//! commune is intersected only with the pieces its bounding box meets;
//! pieces that fill their whole cell need no intersection at all.

use geo::{Area, BooleanOps, BoundingRect, Coord, CoordsIter, Intersects, LineString, MultiPolygon, Polygon, Rect};

use crate::atlas::{Atlas, sample};
use crate::commune::UnitId;
use crate::diagnostics::Warning;
use crate::geometry::ring_twice_signed_area;
use crate::index::UnitIndex;
use crate::load::polygons::DrawnTerritory;
use crate::territory::Territory;

/// Default share of a unit's area that must lie inside a drawn territory.
pub const DEFAULT_MIN_SHARE: f64 = 0.5;
/// Largest piece of a territory intersected with a unit.
const PIECE_VERTICES: usize = 64;
const MAX_DEPTH: u8 = 12;
/// Shares within this margin of 0 or 1 are digitisation noise, not "partly inside".
const PARTIAL_MARGIN: f64 = 0.02;

struct Piece {
    cell: Rect<f64>,
    /// The piece covers its whole cell.
    full: bool,
    /// Bounding box of the piece itself (often much smaller than its cell).
    bbox: Rect<f64>,
    area: MultiPolygon<f64>,
}

fn cut(area: MultiPolygon<f64>, cell: Rect<f64>, depth: u8, out: &mut Vec<Piece>) {
    if area.coords_count() <= PIECE_VERTICES || depth >= MAX_DEPTH {
        let full = (area.unsigned_area() - cell.unsigned_area()).abs() <= 1e-9 * cell.unsigned_area();
        let Some(bbox) = area.bounding_rect() else { return };
        out.push(Piece { cell, full, bbox, area });
        return;
    }
    let halves = if cell.width() >= cell.height() { cell.split_x() } else { cell.split_y() };
    for half in halves {
        // Clipping by a rectangle is a pass over the vertices, not an overlay.
        let part = clip(&area, half);
        if !part.0.is_empty() && part.unsigned_area() > 0.0 {
            cut(part, half, depth + 1, out);
        }
    }
}

/// Share of a unit's area inside the pieces of a territory.
fn share_inside(unit: &MultiPolygon<f64>, bbox: Rect<f64>, pieces: &[Piece]) -> f64 {
    let total = unit.unsigned_area();
    if total == 0.0 {
        return 0.0;
    }
    let mut inside = 0.0;
    for p in pieces.iter().filter(|p| p.bbox.intersects(&bbox)) {
        let contains_bbox = p.cell.min().x <= bbox.min().x
            && p.cell.min().y <= bbox.min().y
            && p.cell.max().x >= bbox.max().x
            && p.cell.max().y >= bbox.max().y;
        if p.full && contains_bbox {
            return 1.0;
        }
        inside += if p.full { area_in_rect(unit, p.cell) } else { unit.intersection(&p.area).unsigned_area() };
    }
    (inside / total).min(1.0)
}

/// Sutherland–Hodgman clipping of a closed ring by a rectangle. Against a
/// convex window the result may hold degenerate edges along the window, but
/// its signed area is exact, and a boolean overlay reads it correctly.
fn clip_ring(ring: &[Coord<f64>], rect: Rect<f64>) -> Vec<Coord<f64>> {
    let (min, max) = (rect.min(), rect.max());
    let mut pts: Vec<Coord<f64>> = ring[..ring.len().saturating_sub(1)].to_vec();
    let mut buffer = Vec::with_capacity(pts.len() + 8);
    for side in 0..4 {
        let inside = |c: &Coord<f64>| match side {
            0 => c.x >= min.x,
            1 => c.x <= max.x,
            2 => c.y >= min.y,
            _ => c.y <= max.y,
        };
        let cross = |a: Coord<f64>, b: Coord<f64>| {
            let t = match side {
                0 => (min.x - a.x) / (b.x - a.x),
                1 => (max.x - a.x) / (b.x - a.x),
                2 => (min.y - a.y) / (b.y - a.y),
                _ => (max.y - a.y) / (b.y - a.y),
            };
            Coord { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) }
        };
        buffer.clear();
        for i in 0..pts.len() {
            let (cur, prev) = (pts[i], pts[(i + pts.len() - 1) % pts.len()]);
            match (inside(&prev), inside(&cur)) {
                (true, true) => buffer.push(cur),
                (true, false) => buffer.push(cross(prev, cur)),
                (false, true) => {
                    buffer.push(cross(prev, cur));
                    buffer.push(cur);
                }
                (false, false) => {}
            }
        }
        std::mem::swap(&mut pts, &mut buffer);
        if pts.is_empty() {
            return pts;
        }
    }
    pts.push(pts[0]);
    pts
}

/// A multipolygon clipped by a rectangle, ring by ring (see [`clip_ring`]).
fn clip(mp: &MultiPolygon<f64>, rect: Rect<f64>) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.iter()
            .filter_map(|p| {
                let ext = clip_ring(&p.exterior().0, rect);
                (ext.len() >= 4).then(|| {
                    let holes = p
                        .interiors()
                        .iter()
                        .map(|h| clip_ring(&h.0, rect))
                        .filter(|h| h.len() >= 4)
                        .map(LineString)
                        .collect();
                    Polygon::new(LineString(ext), holes)
                })
            })
            .collect(),
    )
}

/// Area of a polygon inside a rectangle, by clipping (exact, one pass per side).
fn area_in_rect(mp: &MultiPolygon<f64>, rect: Rect<f64>) -> f64 {
    let mut total = 0.0;
    for poly in &mp.0 {
        for (k, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            let pts = clip_ring(&ring.0, rect);
            if pts.len() >= 4 {
                let a = ring_twice_signed_area(&pts).abs() / 2.0;
                total += if k == 0 { a } else { -a };
            }
        }
    }
    total.max(0.0)
}

/// A unit only partly inside a territory.
struct Partial {
    unit: UnitId,
    share: f64,
}

fn members(atlas: &Atlas, index: &UnitIndex, drawn: &DrawnTerritory, min_share: f64) -> (Vec<UnitId>, Vec<Partial>) {
    let Some(bbox) = drawn.area.bounding_rect() else { return (Vec::new(), Vec::new()) };
    let mut pieces = Vec::new();
    cut(drawn.area.clone(), bbox, 0, &mut pieces);
    let mut units = Vec::new();
    let mut partial = Vec::new();
    for id in index.candidates(bbox) {
        let unit = atlas.unit(id);
        let (Some(contour), Some(ubox)) = (&unit.contour, unit.bbox) else { continue };
        let share = share_inside(contour, ubox, &pieces);
        if share >= min_share {
            units.push(id);
        }
        if share > PARTIAL_MARGIN && share < 1.0 - PARTIAL_MARGIN {
            partial.push(Partial { unit: id, share });
        }
    }
    units.sort_unstable();
    (units, partial)
}

/// Resolves drawn territories to units, on two cores.
pub fn assign(
    atlas: &Atlas,
    index: &UnitIndex,
    drawn: Vec<DrawnTerritory>,
    min_share: f64,
    warnings: &mut Vec<Warning>,
) -> Vec<Territory> {
    let half = drawn.len() / 2;
    let results: Vec<(Vec<UnitId>, Vec<Partial>)> = std::thread::scope(|s| {
        let first = s.spawn(|| drawn[..half].iter().map(|d| members(atlas, index, d, min_share)).collect::<Vec<_>>());
        let mut second: Vec<_> = drawn[half..].iter().map(|d| members(atlas, index, d, min_share)).collect();
        let mut all = first.join().unwrap_or_default();
        all.append(&mut second);
        all
    });
    let mut territories = Vec::with_capacity(drawn.len());
    let mut partial_total = 0;
    for (d, (units, partial)) in drawn.into_iter().zip(results) {
        partial_total += partial.len();
        if !partial.is_empty() {
            let listed: Vec<String> = partial
                .iter()
                .map(|p| {
                    let u = atlas.unit(p.unit);
                    let verdict = if p.share >= min_share { "retenue" } else { "écartée" };
                    format!("{} {} ({:.0} %, {verdict})", u.code, u.name, p.share * 100.0)
                })
                .collect();
            warnings.push(Warning::at(
                "partial_unit",
                d.location.clone(),
                format!("CPTS {} : {} unités en partie dans le polygone : {}", d.id, partial.len(), sample(&listed)),
            ));
        }
        if units.is_empty() {
            warnings.push(Warning::at(
                "empty_territory",
                d.location,
                format!(
                    "CPTS {} : aucune unité n'a {:.0} % de sa surface dans le polygone ; CPTS ignorée",
                    d.id,
                    min_share * 100.0
                ),
            ));
            continue;
        }
        territories.push(Territory {
            id: d.id,
            name: d.name,
            stage: d.stage,
            aci_date: d.aci_date,
            lettre_intention_date: None,
            projet_sante_date: None,
            units,
        });
    }
    if partial_total > 0 {
        tracing::debug!(partial_total, "units partly inside drawn territories");
    }
    territories.sort_by(|a, b| a.id.cmp(&b.id));
    territories
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn shares_are_exact_for_a_half_covered_square() {
        let unit = wkt! { MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.))) };
        let territory = wkt! { MULTIPOLYGON(((0.5 -1.,3. -1.,3. 3.,0.5 3.,0.5 -1.))) };
        let mut pieces = Vec::new();
        cut(territory.clone(), territory.bounding_rect().unwrap(), 0, &mut pieces);
        let share = share_inside(&unit, unit.bounding_rect().unwrap(), &pieces);
        assert!((share - 0.5).abs() < 1e-12, "{share}");
    }

    #[test]
    fn rectangle_clipping_matches_the_boolean_overlay() {
        // A concave unit with a hole, windows cutting it in various ways.
        let unit = wkt! { MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,2. 1.,0. 4.,0. 0.),(0.5 0.5,1. 0.5,1. 1.,0.5 1.,0.5 0.5))) };
        for (x0, y0, x1, y1) in
            [(1.0, -1.0, 3.0, 5.0), (-1.0, 0.7, 5.0, 2.5), (0.2, 0.2, 3.7, 3.9), (5.0, 5.0, 6.0, 6.0)]
        {
            let rect = Rect::new(geo::coord! { x: x0, y: y0 }, geo::coord! { x: x1, y: y1 });
            let exact = unit.intersection(&rect.to_polygon()).unsigned_area();
            let clipped = area_in_rect(&unit, rect);
            // i_overlay snaps its output to an integer grid: agree to 1e-7 of the area.
            assert!((exact - clipped).abs() < 1e-7 * unit.unsigned_area(), "{rect:?}: {exact} vs {clipped}");
        }
    }

    #[test]
    fn cutting_a_large_polygon_keeps_its_area() {
        // A 2 000-vertex star-shaped polygon.
        let ring: Vec<geo::Coord<f64>> = (0..=2000)
            .map(|i| {
                let a = (i % 2000) as f64 / 2000.0 * std::f64::consts::TAU;
                let r = if i % 2 == 0 { 1.0 } else { 0.8 };
                geo::coord! { x: r * a.cos(), y: r * a.sin() }
            })
            .collect();
        let area = MultiPolygon(vec![geo::Polygon::new(geo::LineString(ring), vec![])]);
        let mut pieces = Vec::new();
        cut(area.clone(), area.bounding_rect().unwrap(), 0, &mut pieces);
        assert!(pieces.len() > 4);
        assert!(pieces.iter().all(|p| p.area.coords_count() <= PIECE_VERTICES + 64));
        let sum: f64 = pieces.iter().map(|p| p.area.unsigned_area()).sum();
        assert!((sum - area.unsigned_area()).abs() < 1e-9, "{sum}");
    }
}
