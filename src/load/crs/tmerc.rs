//! Transverse Mercator on the ellipsoid (EPSG method 9807): the UTM zones of
//! the overseas départements and of the metropole.
//!
//! Krüger's series in the third flattening n, to order n⁶, in the form of
//! Karney (2011, "Transverse Mercator with an accuracy of a few nanometers"):
//! the ellipsoid is mapped conformally to a sphere (conformal latitude χ), the
//! sphere is projected by the spherical transverse Mercator (ξ′, η′), and a
//! complex trigonometric series moves (ξ′, η′) to the ellipsoidal (ξ, η). It
//! is accurate to 5 nm within 4000 km of the central meridian, and is what
//! PROJ uses for `+proj=utm` and `+proj=tmerc` by default (the "exact"
//! Poder/Engsager implementation), so the two agree to the nanometre.

use super::ellipsoid::{Ellipsoid, conformal_to_geodetic, geodetic_from_tan_conformal, isometric_latitude};
use super::normalise_longitude;

/// The defining parameters, in degrees and metres, as in PROJ's `+proj=tmerc`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransverseParameters {
    pub latitude_of_origin: f64,
    pub central_meridian: f64,
    pub scale_factor: f64,
    pub false_easting: f64,
    pub false_northing: f64,
}

impl TransverseParameters {
    /// A UTM zone (1–60), north or south.
    pub const fn utm(zone: u8, south: bool) -> TransverseParameters {
        TransverseParameters {
            latitude_of_origin: 0.0,
            central_meridian: (6 * zone as i32 - 183) as f64,
            scale_factor: 0.9996,
            false_easting: 500_000.0,
            false_northing: if south { 10_000_000.0 } else { 0.0 },
        }
    }
}

/// Largest normalised easting |η| accepted (PROJ's bound): beyond it, about
/// 150° from the central meridian on the equator, the series diverges.
const MAX_NORMALISED_EASTING: f64 = 2.623_395_162_778;

/// A transverse Mercator projection, its constants computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransverseMercator {
    eccentricity: f64,
    /// k₀·A, A being the radius of the rectifying sphere: (ξ, η) → metres.
    scaled_rectifying_radius: f64,
    central_meridian: f64,
    false_easting: f64,
    /// False northing minus the northing of the latitude of origin.
    northing_offset: f64,
    /// Krüger's α (sphere → ellipsoid, forward) and β (inverse).
    alpha: [f64; 6],
    beta: [f64; 6],
    to_geodetic: [f64; 6],
}

impl TransverseMercator {
    /// The projection, or `None` for non-finite parameters or a scale factor ≤ 0.
    pub fn new(ellipsoid: Ellipsoid, p: &TransverseParameters) -> Option<TransverseMercator> {
        let values = [p.latitude_of_origin, p.central_meridian, p.scale_factor, p.false_easting, p.false_northing];
        if !values.iter().all(|v| v.is_finite()) || p.scale_factor <= 0.0 || p.latitude_of_origin.abs() > 90.0 {
            return None;
        }
        let n = ellipsoid.third_flattening();
        let n2 = n * n;
        let rectifying_radius =
            ellipsoid.semi_major_axis / (1.0 + n) * (1.0 + n2 * (0.25 + n2 * (1.0 / 64.0 + n2 / 256.0)));
        let mut projection = TransverseMercator {
            eccentricity: ellipsoid.eccentricity(),
            scaled_rectifying_radius: p.scale_factor * rectifying_radius,
            central_meridian: p.central_meridian,
            false_easting: p.false_easting,
            northing_offset: p.false_northing,
            alpha: kruger_alpha(n),
            beta: kruger_beta(n),
            to_geodetic: conformal_to_geodetic(n),
        };
        let (_, origin_northing) = projection.forward(p.central_meridian, p.latitude_of_origin)?;
        projection.northing_offset = p.false_northing - (origin_northing - p.false_northing);
        Some(projection)
    }

    /// (longitude, latitude) in degrees to projected (x, y) in metres; `None`
    /// too far from the central meridian for the series.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::ellipsoid::GRS80;
    /// use cptsmap::load::crs::tmerc::{TransverseMercator, TransverseParameters};
    ///
    /// let utm40s = TransverseMercator::new(GRS80, &TransverseParameters::utm(40, true)).unwrap();
    /// // Saint-Denis de La Réunion
    /// // (`echo 55.4504 -20.8823 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2975`)
    /// let (x, y) = utm40s.forward(55.4504, -20.8823).unwrap();
    /// assert!((x - 338_811.238_513_925).abs() < 1e-6 && (y - 7_690_101.359_971_45).abs() < 1e-6);
    /// ```
    #[inline]
    pub fn forward(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !lon.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return None;
        }
        let lambda = normalise_longitude(lon - self.central_meridian).to_radians();
        // tan χ = sinh ψ: the conformal latitude in closed form.
        let tan_chi = sinh(isometric_latitude(self.eccentricity, lat.to_radians()));
        let (sin_lambda, cos_lambda) = lambda.sin_cos();
        // The spherical transverse Mercator of (χ, λ).
        let xi_sphere = tan_chi.atan2(cos_lambda);
        let eta_sphere = asinh(sin_lambda / (tan_chi * tan_chi + cos_lambda * cos_lambda).sqrt());
        let (d_xi, d_eta) = sum_of_complex_sines(&self.alpha, xi_sphere, eta_sphere);
        let (xi, eta) = (xi_sphere + d_xi, eta_sphere + d_eta);
        if !(-MAX_NORMALISED_EASTING..=MAX_NORMALISED_EASTING).contains(&eta) {
            return None;
        }
        let x = self.false_easting + self.scaled_rectifying_radius * eta;
        let y = self.northing_offset + self.scaled_rectifying_radius * xi;
        Some((x, y))
    }

    /// Projected (x, y) in metres to (longitude, latitude) in degrees; `None`
    /// too far from the central meridian for the series.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::ellipsoid::GRS80;
    /// use cptsmap::load::crs::tmerc::{TransverseMercator, TransverseParameters};
    ///
    /// let utm20n = TransverseMercator::new(GRS80, &TransverseParameters::utm(20, false)).unwrap();
    /// // Pointe-à-Pitre (`echo -61.534 16.2411 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:5490`)
    /// let (lon, lat) = utm20n.inverse(656_674.694_510_692, 1_796_165.487_042_7).unwrap();
    /// assert!((lon + 61.534).abs() < 1e-11 && (lat - 16.2411).abs() < 1e-11);
    /// ```
    #[inline]
    pub fn inverse(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let xi = (y - self.northing_offset) / self.scaled_rectifying_radius;
        let eta = (x - self.false_easting) / self.scaled_rectifying_radius;
        if !(-MAX_NORMALISED_EASTING..=MAX_NORMALISED_EASTING).contains(&eta) {
            return None;
        }
        let (d_xi, d_eta) = sum_of_complex_sines(&self.beta, xi, eta);
        let (xi_sphere, eta_sphere) = (xi - d_xi, eta - d_eta);
        let (sin_xi, cos_xi) = xi_sphere.sin_cos();
        let sinh_eta = sinh(eta_sphere);
        let lambda = sinh_eta.atan2(cos_xi);
        // sin χ = sin ξ′ / cosh η′, and cosh² η′ − sin² ξ′ = sinh² η′ + cos² ξ′.
        let cos_chi = (sinh_eta * sinh_eta + cos_xi * cos_xi).sqrt();
        let phi = geodetic_from_tan_conformal(&self.to_geodetic, sin_xi, cos_chi);
        Some((normalise_longitude(self.central_meridian + lambda.to_degrees()), phi.to_degrees()))
    }
}

/// Σ c_k sin 2kζ for ζ = ξ + iη, split in its real part
/// Σ c_k sin 2kξ cosh 2kη and imaginary part Σ c_k cos 2kξ sinh 2kη, by
/// Clenshaw's recurrence on complex numbers.
#[inline]
fn sum_of_complex_sines(coefficients: &[f64; 6], xi: f64, eta: f64) -> (f64, f64) {
    let (sin_2xi, cos_2xi) = (2.0 * xi).sin_cos();
    let exp_2eta = (2.0 * eta).exp();
    let (sinh_2eta, cosh_2eta) = (0.5 * (exp_2eta - 1.0 / exp_2eta), 0.5 * (exp_2eta + 1.0 / exp_2eta));
    // 2 cos 2ζ = 2 (cos 2ξ cosh 2η − i sin 2ξ sinh 2η)
    let (ar, ai) = (2.0 * cos_2xi * cosh_2eta, -2.0 * sin_2xi * sinh_2eta);
    let (mut b1r, mut b1i, mut b2r, mut b2i) = (0.0, 0.0, 0.0, 0.0);
    for &c in coefficients.iter().rev() {
        let b0r = c + ar * b1r - ai * b1i - b2r;
        let b0i = ar * b1i + ai * b1r - b2i;
        (b2r, b2i, b1r, b1i) = (b1r, b1i, b0r, b0i);
    }
    // × sin 2ζ = sin 2ξ cosh 2η + i cos 2ξ sinh 2η
    let (sr, si) = (sin_2xi * cosh_2eta, cos_2xi * sinh_2eta);
    (b1r * sr - b1i * si, b1r * si + b1i * sr)
}

/// sinh and asinh for the arguments met here (|x| ≤ 40), by one
/// `exp` or `ln`: their absolute error, ≈ 1e-16, is all that matters once
/// scaled to metres (1e-9 m); the library versions guard the relative error
/// of tiny arguments at twice the cost.
#[inline]
fn sinh(x: f64) -> f64 {
    let e = x.exp();
    0.5 * (e - 1.0 / e)
}

#[inline]
fn asinh(x: f64) -> f64 {
    (x.abs() + (x * x + 1.0).sqrt()).ln().copysign(x)
}

/// Krüger's α₁…α₆ (Karney 2011, eq. 35).
fn kruger_alpha(n: f64) -> [f64; 6] {
    let (n2, n3, n4, n5, n6) = (n * n, n.powi(3), n.powi(4), n.powi(5), n.powi(6));
    [
        n * (1.0 / 2.0
            + n * (-2.0 / 3.0 + n * (5.0 / 16.0 + n * (41.0 / 180.0 + n * (-127.0 / 288.0 + n * (7891.0 / 37800.0)))))),
        n2 * (13.0 / 48.0
            + n * (-3.0 / 5.0 + n * (557.0 / 1440.0 + n * (281.0 / 630.0 + n * (-1983433.0 / 1935360.0))))),
        n3 * (61.0 / 240.0 + n * (-103.0 / 140.0 + n * (15061.0 / 26880.0 + n * (167603.0 / 181440.0)))),
        n4 * (49561.0 / 161280.0 + n * (-179.0 / 168.0 + n * (6601661.0 / 7257600.0))),
        n5 * (34729.0 / 80640.0 + n * (-3418889.0 / 1995840.0)),
        n6 * (212378941.0 / 319334400.0),
    ]
}

/// Krüger's β₁…β₆ (Karney 2011, eq. 36).
fn kruger_beta(n: f64) -> [f64; 6] {
    let (n2, n3, n4, n5, n6) = (n * n, n.powi(3), n.powi(4), n.powi(5), n.powi(6));
    [
        n * (1.0 / 2.0
            + n * (-2.0 / 3.0
                + n * (37.0 / 96.0 + n * (-1.0 / 360.0 + n * (-81.0 / 512.0 + n * (96199.0 / 604800.0)))))),
        n2 * (1.0 / 48.0
            + n * (1.0 / 15.0 + n * (-437.0 / 1440.0 + n * (46.0 / 105.0 + n * (-1118711.0 / 3870720.0))))),
        n3 * (17.0 / 480.0 + n * (-37.0 / 840.0 + n * (-209.0 / 4480.0 + n * (5569.0 / 90720.0)))),
        n4 * (4397.0 / 161280.0 + n * (-11.0 / 504.0 + n * (-830251.0 / 7257600.0))),
        n5 * (4583.0 / 161280.0 + n * (-108847.0 / 3991680.0)),
        n6 * (20648693.0 / 638668800.0),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::ellipsoid::{GRS80, WGS84};
    use super::*;
    use proptest::prelude::*;

    fn utm(zone: u8, south: bool) -> TransverseMercator {
        TransverseMercator::new(GRS80, &TransverseParameters::utm(zone, south)).unwrap()
    }

    fn assert_both_ways(tm: &TransverseMercator, (lon, lat): (f64, f64), (x, y): (f64, f64)) {
        let (px, py) = tm.forward(lon, lat).unwrap();
        // gdaltransform prints 15 significant digits: 1e-7 m at these magnitudes.
        assert!((px - x).abs() < 2e-7 && (py - y).abs() < 2e-7, "forward {lon} {lat}: {px} {py} vs {x} {y}");
        let (plon, plat) = tm.inverse(x, y).unwrap();
        assert!((plon - lon).abs() < 1e-11 && (plat - lat).abs() < 1e-11, "inverse {x} {y}: {plon} {plat}");
    }

    #[test]
    fn the_overseas_utm_zones_agree_with_gdal_both_ways() {
        // `echo LON LAT | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:CODE` (GDAL 3.6, PROJ 9.1)
        // EPSG:5490, Pointe-à-Pitre
        assert_both_ways(&utm(20, false), (-61.534, 16.2411), (656_674.694_510_692, 1_796_165.487_042_7));
        // EPSG:2972, Cayenne
        assert_both_ways(&utm(22, false), (-52.326, 4.9372), (352_980.204_643_592, 545_868.922_442_576));
        // EPSG:2975, Saint-Denis
        assert_both_ways(&utm(40, true), (55.4504, -20.8823), (338_811.238_513_925, 7_690_101.359_971_45));
        // EPSG:4471, Mamoudzou
        assert_both_ways(&utm(38, true), (45.2279, -12.7806), (524_735.374_749_63, 8_587_115.811_503_16));
        // EPSG:2972, 6.5° west of the central meridian
        assert_both_ways(&utm(22, false), (-57.5, 10.0), (-213_820.578_937_661, 1_112_466.141_135_69));
    }

    #[test]
    fn wgs84_utm_31n_agrees_with_gdal() {
        // `echo 3.8799 43.6086 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:32631`
        let tm = TransverseMercator::new(WGS84, &TransverseParameters::utm(31, false)).unwrap();
        assert_both_ways(&tm, (3.8799, 43.6086), (571_007.438_247_6, 4_828_778.479_478_47));
    }

    #[test]
    fn a_latitude_of_origin_shifts_the_northings_like_gdal() {
        let p = TransverseParameters {
            latitude_of_origin: 42.0,
            central_meridian: 9.0,
            scale_factor: 0.9999,
            false_easting: 300_000.0,
            false_northing: 100_000.0,
        };
        // echo 10 45 | gdaltransform -s_srs EPSG:4326 -t_srs "+proj=tmerc +lat_0=42 +lon_0=9 +k_0=0.9999
        //   +x_0=300000 +y_0=100000 +ellps=GRS80 +units=m"
        let tm = TransverseMercator::new(GRS80, &p).unwrap();
        assert_both_ways(&tm, (10.0, 45.0), (378_838.956_969_855, 433_760.681_745_262));
    }

    #[test]
    fn the_far_side_of_the_earth_is_outside_the_domain() {
        let tm = utm(31, false);
        // 90° from the central meridian on the equator is at infinity (PROJ: `*`).
        assert_eq!(tm.forward(3.0 + 90.0, 0.0), None);
        assert_eq!(tm.inverse(500_000.0 + 2e7, 0.0), None);
        assert_eq!(tm.forward(3.0, f64::NAN), None);
        let (lon, lat) = tm.forward(3.0, 90.0).and_then(|(x, y)| tm.inverse(x, y)).unwrap();
        assert!((lat - 90.0).abs() < 1e-12 && lon.is_finite());
    }

    proptest! {
        #[test]
        fn forward_then_inverse_returns_the_point(dlon in -6.0..6.0_f64, lat in -30.0..30.0_f64, zone in 1u8..=60) {
            let tm = utm(zone, lat < 0.0);
            let lon = normalise_longitude(TransverseParameters::utm(zone, false).central_meridian + dlon);
            let (x, y) = tm.forward(lon, lat).unwrap();
            let (lon2, lat2) = tm.inverse(x, y).unwrap();
            prop_assert!((lon2 - lon).abs() < 1e-12 && (lat2 - lat).abs() < 1e-12, "{lon2} {lat2}");
        }

        #[test]
        fn inverse_then_forward_returns_the_point(x in 166_000.0..834_000.0_f64, y in 1_000.0..9_999_000.0_f64, south: bool) {
            let tm = utm(40, south);
            let (lon, lat) = tm.inverse(x, y).unwrap();
            let (x2, y2) = tm.forward(lon, lat).unwrap();
            // 1e-9 m is half a unit in the last place of a northing above 8.4e6 m:
            // allow the rounding of the two directions.
            prop_assert!((x2 - x).abs() < 4e-9 && (y2 - y).abs() < 8e-9, "{} {}", x2 - x, y2 - y);
        }
    }
}
