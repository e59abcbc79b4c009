//! Web Mercator (EPSG:3857, "Popular Visualisation Pseudo Mercator"): the
//! spherical Mercator of web maps, applied to WGS84 longitudes and latitudes
//! as if they were on a sphere of radius a = 6 378 137 m. That is its
//! definition, not an approximation, so these closed forms are exact.

use super::normalise_longitude;

/// Radius of the sphere: WGS84's semi-major axis.
const RADIUS: f64 = 6_378_137.0;

/// Web Mercator, with the standard origin (no false easting or northing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WebMercator;

impl WebMercator {
    /// (longitude, latitude) in degrees to (x, y) in metres; `None` at the
    /// poles, which Mercator sends to infinity.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::mercator::WebMercator;
    ///
    /// // `echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857`
    /// let (x, y) = WebMercator.forward(2.3499, 48.853).unwrap();
    /// assert!((x - 261_589.671_415_114).abs() < 1e-6 && (y - 6_249_955.278_521_48).abs() < 1e-6);
    /// ```
    #[inline]
    pub fn forward(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !lon.is_finite() || lat.is_nan() || lat.abs() >= 90.0 {
            return None;
        }
        let x = RADIUS * normalise_longitude(lon).to_radians();
        let y = RADIUS * lat.to_radians().tan().asinh();
        Some((x, y))
    }

    /// (x, y) in metres to (longitude, latitude) in degrees.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::mercator::WebMercator;
    ///
    /// let (lon, lat) = WebMercator.inverse(261_589.671_415_114, 6_249_955.278_521_48);
    /// assert!((lon - 2.3499).abs() < 1e-11 && (lat - 48.853).abs() < 1e-11);
    /// ```
    #[inline]
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let lon = normalise_longitude((x / RADIUS).to_degrees());
        let lat = (y / RADIUS).sinh().atan().to_degrees();
        (lon, lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn agrees_with_gdal() {
        // `echo LON LAT | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857`
        let references = [
            ((2.3499, 48.853), (261_589.671_415_114, 6_249_955.278_521_48)),
            ((-61.534, 16.2411), (-6_849_933.546_473_3, 1_832_660.438_216_89)),
            ((55.4504, -20.8823), (6_172_710.292_283_34, -2_377_849.641_235_54)),
        ];
        for ((lon, lat), (x, y)) in references {
            let (px, py) = WebMercator.forward(lon, lat).unwrap();
            assert!((px - x).abs() < 2e-7 && (py - y).abs() < 2e-7, "{px} {py}");
            let (plon, plat) = WebMercator.inverse(x, y);
            assert!((plon - lon).abs() < 1e-11 && (plat - lat).abs() < 1e-11, "{plon} {plat}");
        }
    }

    #[test]
    fn the_poles_have_no_image() {
        assert_eq!(WebMercator.forward(0.0, 90.0), None);
        assert_eq!(WebMercator.forward(0.0, -90.0), None);
        assert_eq!(WebMercator.forward(f64::INFINITY, 0.0), None);
    }

    proptest! {
        #[test]
        fn round_trips(lon in -180.0..180.0_f64, lat in -85.0..85.0_f64) {
            let (x, y) = WebMercator.forward(lon, lat).unwrap();
            let (lon2, lat2) = WebMercator.inverse(x, y);
            prop_assert!((lon2 - lon).abs() < 1e-12 && (lat2 - lat).abs() < 1e-12);
            let (x2, y2) = WebMercator.forward(lon2, lat2).unwrap();
            // The rounding of the latitude (≈ 1e-16 rad) is stretched by 1/cos φ towards the poles.
            let tolerance = 4e-9 / lat.to_radians().cos();
            prop_assert!((x2 - x).abs() < 4e-9 && (y2 - y).abs() < tolerance, "{} {}", x2 - x, y2 - y);
        }
    }
}
