//! Contours read from GeoPackage and FlatGeobuf features, turned into what
//! the shapefile reader hands over and every later stage trusts: WGS84
//! longitude/latitude, no repeated consecutive points, closed rings of at
//! least four points with a non-zero area, exteriors counter-clockwise and
//! holes clockwise.
//!
//! Both formats say which ring is an exterior (the first ring of each
//! polygon), so unlike shapefiles no ring is assigned by containment here.
//! [`in_two_halves`] spreads the decoding of a layer over two cores.

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::crs::{Crs, ToWgs84};
use crate::geometry::{orient, ring_twice_signed_area};

/// Builds the contour of one feature at a time, ring by ring; one per thread,
/// reused from feature to feature (setting up a reprojection is not free).
pub struct ContourBuilder<'c> {
    crs: &'c Crs,
    to_wgs84: ToWgs84<'c>,
    polygons: Vec<Polygon<f64>>,
    /// Rings of the polygon being read: its exterior first, then its holes.
    rings: Vec<LineString<f64>>,
    /// The exterior of the current polygon was degenerate: its holes go with it.
    exterior_dropped: bool,
    started: bool,
}

impl<'c> ContourBuilder<'c> {
    pub fn new(crs: &'c Crs) -> ContourBuilder<'c> {
        ContourBuilder {
            crs,
            to_wgs84: crs.to_wgs84(),
            polygons: Vec::new(),
            rings: Vec::new(),
            exterior_dropped: false,
            started: false,
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
        let mut ring = Vec::with_capacity(len + 1);
        for (i, (x, y)) in points.enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                return Err(format!("coordonnée non finie ({x}, {y}) au point {} d'un anneau", i + 1));
            }
            let (lon, lat) = self
                .to_wgs84
                .convert(x, y)
                .ok_or_else(|| format!("coordonnées ({x}, {y}) hors du domaine de {}", self.crs))?;
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(format!(
                    "coordonnées ({x}, {y}) hors des longitudes et latitudes possibles en {}",
                    self.crs
                ));
            }
            ring.push(Coord { x: lon, y: lat });
        }
        ring.dedup();
        if ring.len() >= 3 && ring.first() != ring.last() {
            ring.push(ring[0]);
        }
        let keep = ring.len() >= 4 && ring_twice_signed_area(&ring) != 0.0;
        match (keep, exterior) {
            (true, _) if !self.exterior_dropped => self.rings.push(LineString(ring)),
            (false, true) => self.exterior_dropped = true,
            _ => {}
        }
        Ok(())
    }

    fn end_polygon(&mut self) {
        if self.started && !self.rings.is_empty() {
            let mut rings = std::mem::take(&mut self.rings).into_iter();
            if let Some(exterior) = rings.next() {
                self.polygons.push(Polygon::new(exterior, rings.collect()));
            }
        }
        self.rings.clear();
        self.exterior_dropped = false;
        self.started = false;
    }

    /// The feature's contour (`None` when empty or fully degenerate); the
    /// builder is ready for the next feature.
    pub fn finish(&mut self) -> Option<MultiPolygon<f64>> {
        self.end_polygon();
        if self.polygons.is_empty() {
            return None;
        }
        let mut mp = MultiPolygon(std::mem::take(&mut self.polygons));
        orient(&mut mp);
        Some(mp)
    }

    /// Forgets a feature left half-read by an error.
    pub fn reset(&mut self) {
        self.polygons.clear();
        self.rings.clear();
        self.exterior_dropped = false;
        self.started = false;
    }
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
        let mp = b.finish().unwrap();
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
        let mp = b.finish().unwrap();
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
