//! Contours read from GeoPackage and FlatGeobuf features, turned into what
//! the shapefile reader hands over and every later stage trusts: WGS84
//! longitude/latitude, no repeated consecutive points, closed rings of at
//! least four points with a non-zero area, exteriors counter-clockwise and
//! holes clockwise.
//!
//! Both formats say which ring is an exterior (the first ring of each
//! polygon), so unlike shapefiles no ring is assigned by containment here.
//! [`in_two_halves`] spreads the decoding of a layer over two cores.

use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};

use super::crs::{Crs, Projection};
use crate::geometry::{BuiltRing, Measure, RingBuilder};

/// A contour in WGS84 with its box and area, measured while it was built.
#[derive(Debug, Clone)]
pub struct Shape {
    pub contour: MultiPolygon<f64>,
    pub measure: Measure,
}

/// Builds the contour of one feature at a time, ring by ring; one per thread,
/// reused from feature to feature.
pub struct ContourBuilder<'c> {
    crs: &'c Crs,
    projection: Projection,
    polygons: Vec<Polygon<f64>>,
    /// Rings of the polygon being read: its exterior first, then its holes.
    rings: Vec<BuiltRing>,
    /// The exterior of the current polygon was degenerate: its holes go with it.
    exterior_dropped: bool,
    started: bool,
    area_m2: f64,
    bbox: Option<Rect<f64>>,
}

impl<'c> ContourBuilder<'c> {
    pub fn new(crs: &'c Crs) -> ContourBuilder<'c> {
        ContourBuilder {
            crs,
            projection: crs.projection(),
            polygons: Vec::new(),
            rings: Vec::new(),
            exterior_dropped: false,
            started: false,
            area_m2: 0.0,
            bbox: None,
        }
    }

    /// Starts a new polygon: the next ring is its exterior.
    pub fn begin_polygon(&mut self) {
        self.end_polygon();
        self.started = true;
    }

    /// Adds a ring given in the layer's CRS; `len` is its exact number of points
    /// (already checked against the bytes that hold them).
    pub fn ring(&mut self, len: usize, points: impl Iterator<Item = (f64, f64)>) -> Result<(), String> {
        let exterior = self.rings.is_empty() && !self.exterior_dropped;
        let mut builder = RingBuilder::with_capacity(len);
        for (i, (x, y)) in points.enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                return Err(format!("coordonnée non finie ({x}, {y}) au point {} d'un anneau", i + 1));
            }
            let c = self
                .projection
                .to_wgs84(x, y)
                .ok_or_else(|| format!("coordonnées ({x}, {y}) hors du domaine de {}", self.crs))?;
            if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
                return Err(format!(
                    "coordonnées ({x}, {y}) hors des longitudes et latitudes possibles en {}",
                    self.crs
                ));
            }
            builder.push(c);
        }
        let ring = builder.finish().filter(|r| r.signed_area_m2 != 0.0);
        match (ring, exterior) {
            (Some(ring), _) if !self.exterior_dropped => self.rings.push(ring),
            (None, true) => self.exterior_dropped = true,
            _ => {}
        }
        Ok(())
    }

    /// Orients the polygon's rings (exterior counter-clockwise, holes
    /// clockwise: both formats allow either) and adds its area.
    fn end_polygon(&mut self) {
        if self.started && !self.rings.is_empty() {
            let mut rings = std::mem::take(&mut self.rings).into_iter();
            if let Some(mut exterior) = rings.next() {
                orient(&mut exterior, true);
                self.area_m2 += exterior.signed_area_m2;
                self.bbox = Some(match self.bbox {
                    None => exterior.bbox,
                    Some(b) => union(b, exterior.bbox),
                });
                let holes = rings
                    .map(|mut h| {
                        orient(&mut h, false);
                        self.area_m2 += h.signed_area_m2;
                        LineString(h.coords)
                    })
                    .collect();
                self.polygons.push(Polygon::new(LineString(exterior.coords), holes));
            }
        }
        self.rings.clear();
        self.exterior_dropped = false;
        self.started = false;
    }

    /// The feature's contour (`None` when empty or fully degenerate); the
    /// builder is ready for the next feature.
    pub fn finish(&mut self) -> Option<Shape> {
        self.end_polygon();
        let area_km2 = std::mem::take(&mut self.area_m2) / 1e6;
        let bbox = self.bbox.take();
        if self.polygons.is_empty() {
            return None;
        }
        let contour = MultiPolygon(std::mem::take(&mut self.polygons));
        Some(Shape { contour, measure: Measure { bbox: bbox?, area_km2 } })
    }

    /// Forgets a feature left half-read by an error.
    pub fn reset(&mut self) {
        self.polygons.clear();
        self.rings.clear();
        self.exterior_dropped = false;
        self.started = false;
        self.area_m2 = 0.0;
        self.bbox = None;
    }
}

fn orient(ring: &mut BuiltRing, counter_clockwise: bool) {
    if (ring.signed_area_m2 > 0.0) != counter_clockwise {
        ring.coords.reverse();
        ring.signed_area_m2 = -ring.signed_area_m2;
    }
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// Runs `work` over `0..n` on two threads, the first taking `0..split`, and
/// returns the results in order. On failure, the error of the lowest index.
/// `init` builds each thread's state (e.g. a [`ContourBuilder`]).
pub fn in_two_halves<S, T, E>(
    n: usize,
    split: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> Result<T, E> + Sync,
    interrupted: impl Fn() -> E,
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
{
    let split = split.min(n);
    let run = |range: std::ops::Range<usize>| {
        let mut state = init();
        range.map(|i| work(&mut state, i)).collect::<Result<Vec<T>, E>>()
    };
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| run(split..n));
        let first = run(0..split);
        (first, second.join())
    });
    let mut out = first?;
    out.extend(second.map_err(|_| interrupted())??);
    Ok(out)
}

/// Where to cut work whose cost follows `sizes` so both halves weigh about the same.
pub fn balanced_split(sizes: impl Iterator<Item = usize>) -> usize {
    let sizes: Vec<usize> = sizes.collect();
    let half = sizes.iter().sum::<usize>() / 2;
    let mut acc = 0;
    sizes
        .iter()
        .position(|s| {
            acc += s;
            acc >= half
        })
        .map_or(sizes.len(), |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::ring_twice_signed_area;

    fn square(b: &mut ContourBuilder, x: f64, size: f64, ccw: bool) {
        let mut pts = vec![(x, 0.0), (x + size, 0.0), (x + size, size), (x, size), (x, 0.0)];
        if !ccw {
            pts.reverse();
        }
        b.ring(pts.len(), pts.into_iter()).unwrap();
    }

    #[test]
    fn rings_come_out_closed_oriented_and_without_repeated_points() {
        let crs = Crs::wgs84();
        let mut b = ContourBuilder::new(&crs);
        b.begin_polygon();
        // Clockwise exterior, open, with a repeated point.
        let pts = [(0.0, 0.0), (0.0, 1.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)];
        b.ring(pts.len(), pts.into_iter()).unwrap();
        square(&mut b, 0.2, 0.2, true);
        let mp = b.finish().unwrap().contour;
        let ext = &mp.0[0].exterior().0;
        assert_eq!(ext.len(), 5);
        assert_eq!(ext.first(), ext.last());
        assert!(ring_twice_signed_area(ext) > 0.0);
        assert!(ring_twice_signed_area(&mp.0[0].interiors()[0].0) < 0.0);
    }

    #[test]
    fn a_degenerate_exterior_takes_its_holes_with_it() {
        let crs = Crs::wgs84();
        let mut b = ContourBuilder::new(&crs);
        b.begin_polygon();
        let flat = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (0.0, 0.0)];
        b.ring(4, flat.into_iter()).unwrap();
        square(&mut b, 0.2, 0.2, false);
        b.begin_polygon();
        square(&mut b, 5.0, 1.0, true);
        let mp = b.finish().unwrap().contour;
        assert_eq!(mp.0.len(), 1);
        assert!(mp.0[0].interiors().is_empty());
        assert!(b.finish().is_none(), "the builder starts afresh");
    }

    #[test]
    fn non_finite_coordinates_are_refused() {
        let crs = Crs::wgs84();
        let mut b = ContourBuilder::new(&crs);
        b.begin_polygon();
        let err = b.ring(2, [(0.0, f64::NAN), (1.0, 1.0)].into_iter()).unwrap_err();
        assert!(err.contains("non finie"), "{err}");
    }

    #[test]
    fn two_halves_keep_the_order_and_report_the_first_error() {
        let out = in_two_halves(10, 4, || (), |_, i| Ok::<_, usize>(i * 2), || 0).unwrap();
        assert_eq!(out, (0..10).map(|i| i * 2).collect::<Vec<_>>());
        let err = in_two_halves(10, 4, || (), |_, i| if i >= 3 { Err(i) } else { Ok(i) }, || 0).unwrap_err();
        assert_eq!(err, 3);
        assert_eq!(balanced_split([1, 1, 1, 7].into_iter()), 4);
        assert_eq!(balanced_split([5, 1, 1, 1].into_iter()), 1);
    }
}
