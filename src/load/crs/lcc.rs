//! Lambert conformal conic on the ellipsoid (EPSG methods 9801 "1SP" and
//! 9802 "2SP"): Lambert-93 and the CC42–CC50 zones.
//!
//! The inverse is the hot path of every Lambert-93 input: a commune layer at
//! full resolution has tens of millions of vertices. It is closed-form: the
//! radius gives t = e^(−ψ) through one `ln` of ρ² (no square root) and one
//! `exp`; t gives sin χ and cos χ algebraically; one `atan2` gives χ and
//! another the cone angle; a Clenshaw sum turns χ into φ (see
//! [`super::ellipsoid`]). No iteration, no `pow`, no `tan`.
//!
//! The formulas are those of EPSG Guidance Note 7-2 / Snyder, written for a
//! cone that opens to the north. A cone whose parallels are southern is the
//! mirror image of a northern one through the equator, so it is computed as
//! that northern cone with latitude and northing mirrored.

use std::f64::consts::FRAC_PI_2;

use super::ellipsoid::{Ellipsoid, conformal_to_geodetic, geodetic_from_tan_conformal, isometric_latitude};
use super::normalise_longitude;

/// The defining parameters, in degrees and metres, as in PROJ's `+proj=lcc`.
/// For the 1SP method both standard parallels are the latitude of origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConicParameters {
    pub latitude_of_origin: f64,
    pub central_meridian: f64,
    pub standard_parallel_1: f64,
    pub standard_parallel_2: f64,
    pub scale_factor: f64,
    pub false_easting: f64,
    pub false_northing: f64,
}

impl ConicParameters {
    /// Lambert-93 (EPSG:2154), the projection of the metropole.
    pub const LAMBERT_93: ConicParameters = ConicParameters {
        latitude_of_origin: 46.5,
        central_meridian: 3.0,
        standard_parallel_1: 49.0,
        standard_parallel_2: 44.0,
        scale_factor: 1.0,
        false_easting: 700_000.0,
        false_northing: 6_600_000.0,
    };
}

/// Within this of a pole (radians) a latitude is the pole (PROJ's `EPS10`).
const POLE_TOLERANCE: f64 = 1e-10;

/// A Lambert conformal conic projection, its constants computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LambertConic {
    eccentricity: f64,
    /// Cone constant n (positive: the cone is taken opening north).
    n: f64,
    /// 1/(2n): the inverse raises ρ² to this power.
    inverse_2n: f64,
    /// a·k₀·F: the radius is ρ = radius_scale · e^(−nψ).
    radius_scale: f64,
    inverse_radius_scale_squared: f64,
    /// Radius of the latitude of origin.
    rho0: f64,
    central_meridian: f64,
    /// Degrees of longitude per radian of cone angle: (180/π)/n.
    degrees_per_cone_radian: f64,
    false_easting: f64,
    false_northing: f64,
    /// +1 for a northern cone, −1 for a southern one (computed mirrored).
    hemisphere: f64,
    to_geodetic: [f64; 6],
}

impl LambertConic {
    /// The projection, or `None` when the parameters describe no cone
    /// (a standard parallel at a pole, parallels symmetric about the equator,
    /// an origin at the apex of the opposite hemisphere, non-finite values).
    pub fn new(ellipsoid: Ellipsoid, p: &ConicParameters) -> Option<LambertConic> {
        let finite = [
            p.latitude_of_origin,
            p.central_meridian,
            p.standard_parallel_1,
            p.standard_parallel_2,
            p.scale_factor,
            p.false_easting,
            p.false_northing,
        ]
        .iter()
        .all(|v| v.is_finite());
        let parallels_valid = p.standard_parallel_1.abs() < 90.0 && p.standard_parallel_2.abs() < 90.0;
        if !finite || !parallels_valid || p.latitude_of_origin.abs() > 90.0 || p.scale_factor <= 0.0 {
            return None;
        }
        let hemisphere = if p.standard_parallel_1 + p.standard_parallel_2 < 0.0 { -1.0 } else { 1.0 };
        let phi1 = (hemisphere * p.standard_parallel_1).to_radians();
        let phi2 = (hemisphere * p.standard_parallel_2).to_radians();
        let phi0 = (hemisphere * p.latitude_of_origin).to_radians();
        let e = ellipsoid.eccentricity();
        let m = |phi: f64| phi.cos() / (1.0 - (e * phi.sin()).powi(2)).sqrt();
        let (psi1, psi2) = (isometric_latitude(e, phi1), isometric_latitude(e, phi2));
        let n = if (phi1 - phi2).abs() > POLE_TOLERANCE {
            (m(phi1).ln() - m(phi2).ln()) / (psi2 - psi1)
        } else {
            phi1.sin()
        };
        if !(n > 0.0 && n <= 1.0) {
            return None;
        }
        let radius_scale = ellipsoid.semi_major_axis * p.scale_factor * m(phi1) * (n * psi1).exp() / n;
        let rho0 = if FRAC_PI_2 - phi0.abs() < POLE_TOLERANCE {
            if phi0 < 0.0 {
                return None;
            }
            0.0
        } else {
            radius_scale * (-n * isometric_latitude(e, phi0)).exp()
        };
        let conic = LambertConic {
            eccentricity: e,
            n,
            inverse_2n: 0.5 / n,
            radius_scale,
            inverse_radius_scale_squared: 1.0 / (radius_scale * radius_scale),
            rho0,
            central_meridian: p.central_meridian,
            degrees_per_cone_radian: 1.0_f64.to_degrees() / n,
            false_easting: p.false_easting,
            false_northing: p.false_northing,
            hemisphere,
            to_geodetic: conformal_to_geodetic(ellipsoid.third_flattening()),
        };
        (radius_scale.is_finite() && rho0.is_finite()).then_some(conic)
    }

    /// Projected (x, y) in metres to (longitude, latitude) in degrees.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::ellipsoid::GRS80;
    /// use cptsmap::load::crs::lcc::{ConicParameters, LambertConic};
    ///
    /// let lambert93 = LambertConic::new(GRS80, &ConicParameters::LAMBERT_93).unwrap();
    /// // Notre-Dame de Paris (`echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`)
    /// let (lon, lat) = lambert93.inverse(652_296.973_146_007, 6_861_636.358_515_2);
    /// assert!((lon - 2.3499).abs() < 1e-11 && (lat - 48.853).abs() < 1e-11);
    /// ```
    #[inline]
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let dx = x - self.false_easting;
        let dy = self.rho0 - self.hemisphere * (y - self.false_northing);
        // Below the apex (all of a real layer) the angle is within ±90°, where
        // `atan` is cheaper than `atan2`.
        let cone_angle = if dy > 0.0 { (dx / dy).atan() } else { dx.atan2(dy) };
        // t = (ρ / radius_scale)^(1/n) = e^(−ψ), from ρ² without a square root.
        let t = (((dx * dx + dy * dy) * self.inverse_radius_scale_squared).ln() * self.inverse_2n).exp();
        // tan χ = sinh ψ = (1 − t²) / 2t, with t ≥ 0 (t = 0 at the pole: atan(∞) = 90°).
        let phi = geodetic_from_tan_conformal(&self.to_geodetic, (1.0 - t) * (1.0 + t), 2.0 * t);
        let lon = normalise_longitude(self.central_meridian + cone_angle * self.degrees_per_cone_radian);
        (lon, self.hemisphere * phi.to_degrees())
    }

    /// (longitude, latitude) in degrees to projected (x, y) in metres; `None`
    /// at the pole the cone does not reach.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::ellipsoid::GRS80;
    /// use cptsmap::load::crs::lcc::{ConicParameters, LambertConic};
    ///
    /// let lambert93 = LambertConic::new(GRS80, &ConicParameters::LAMBERT_93).unwrap();
    /// // `echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`
    /// let (x, y) = lambert93.forward(2.3499, 48.853).unwrap();
    /// assert!((x - 652_296.973_146_007).abs() < 1e-6 && (y - 6_861_636.358_515_2).abs() < 1e-6);
    /// ```
    #[inline]
    pub fn forward(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        if !lon.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return None;
        }
        let phi = (self.hemisphere * lat).to_radians();
        let rho = if FRAC_PI_2 - phi.abs() < POLE_TOLERANCE {
            if phi < 0.0 {
                return None;
            }
            0.0
        } else {
            self.radius_scale * (-self.n * isometric_latitude(self.eccentricity, phi)).exp()
        };
        let cone_angle = self.n * normalise_longitude(lon - self.central_meridian).to_radians();
        let (sin, cos) = cone_angle.sin_cos();
        let x = self.false_easting + rho * sin;
        let y = self.false_northing + self.hemisphere * (self.rho0 - rho * cos);
        Some((x, y))
    }
}

#[cfg(test)]
mod tests {
    use super::super::ellipsoid::GRS80;
    use super::*;
    use proptest::prelude::*;

    const LAMBERT_93: ConicParameters = ConicParameters::LAMBERT_93;

    fn lambert93() -> LambertConic {
        LambertConic::new(GRS80, &LAMBERT_93).unwrap()
    }

    /// (longitude, latitude) and (x, y) of one point.
    type Reference = ((f64, f64), (f64, f64));

    /// `echo LON LAT | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154` (GDAL 3.6, PROJ 9.1).
    const LAMBERT_93_REFERENCES: &[Reference] = &[
        ((2.3499, 48.853), (652_296.973_146_007, 6_861_636.358_515_2)),
        ((-4.4861, 48.3904), (146_632.978_527_516, 6_836_262.326_655_94)),
        ((7.7521, 48.5734), (1_050_362.695_357_93, 6_840_899.647_188_03)),
        ((2.8948, 42.6986), (691_369.574_040_844, 6_177_671.693_571_96)),
        ((8.7369, 41.9192), (1_176_526.602_260_68, 6_108_263.022_637_19)),
        ((2.3772, 51.0343), (656_215.549_799_947, 7_104_461.552_578_95)),
    ];

    fn assert_both_ways(conic: &LambertConic, (lon, lat): (f64, f64), (x, y): (f64, f64)) {
        let (px, py) = conic.forward(lon, lat).unwrap();
        // gdaltransform prints 15 significant digits: 1e-7 m at these magnitudes.
        assert!((px - x).abs() < 2e-7 && (py - y).abs() < 2e-7, "forward {lon} {lat}: {px} {py} vs {x} {y}");
        let (plon, plat) = conic.inverse(x, y);
        assert!((plon - lon).abs() < 1e-11 && (plat - lat).abs() < 1e-11, "inverse {x} {y}: {plon} {plat}");
    }

    #[test]
    fn lambert93_agrees_with_gdal_both_ways() {
        for &(geographic, projected) in LAMBERT_93_REFERENCES {
            assert_both_ways(&lambert93(), geographic, projected);
        }
    }

    #[test]
    fn cc46_agrees_with_gdal() {
        let cc46 = ConicParameters {
            latitude_of_origin: 46.0,
            standard_parallel_1: 45.25,
            standard_parallel_2: 46.75,
            false_easting: 1_700_000.0,
            false_northing: 5_200_000.0,
            ..LAMBERT_93
        };
        // `echo 4.8357 45.764 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3946`
        assert_both_ways(
            &LambertConic::new(GRS80, &cc46).unwrap(),
            (4.8357, 45.764),
            (1_842_779.109_191_76, 5_175_416.428_308_31),
        );
    }

    #[test]
    fn one_standard_parallel_with_a_scale_factor_agrees_with_gdal() {
        let one_parallel = ConicParameters {
            latitude_of_origin: 46.8,
            central_meridian: 0.0,
            standard_parallel_1: 46.8,
            standard_parallel_2: 46.8,
            scale_factor: 0.999_877_42,
            false_easting: 600_000.0,
            false_northing: 2_200_000.0,
        };
        // echo 2 46.5 | gdaltransform -s_srs EPSG:4326 -t_srs "+proj=lcc +lat_1=46.8 +lat_0=46.8 +lon_0=0
        //   +k_0=0.99987742 +x_0=600000 +y_0=2200000 +ellps=GRS80 +units=m"
        assert_both_ways(
            &LambertConic::new(GRS80, &one_parallel).unwrap(),
            (2.0, 46.5),
            (753_491.895_634_33, 2_168_607.700_545_06),
        );
    }

    #[test]
    fn a_southern_cone_agrees_with_gdal() {
        let southern = ConicParameters {
            latitude_of_origin: -22.0,
            central_meridian: 55.0,
            standard_parallel_1: -20.0,
            standard_parallel_2: -25.0,
            scale_factor: 1.0,
            false_easting: 500_000.0,
            false_northing: 1_000_000.0,
        };
        // echo 55.5 -21.1 | gdaltransform -s_srs EPSG:4326 -t_srs "+proj=lcc +lat_1=-20 +lat_2=-25 +lat_0=-22
        //   +lon_0=55 +x_0=500000 +y_0=1000000 +ellps=GRS80 +units=m"
        assert_both_ways(
            &LambertConic::new(GRS80, &southern).unwrap(),
            (55.5, -21.1),
            (551_916.760_980_688, 1_099_485.624_122_38),
        );
    }

    #[test]
    fn the_poles_and_impossible_cones() {
        let l93 = lambert93();
        let (_, lat) = l93.inverse(700_000.0, 6_600_000.0 + l93.rho0);
        assert_eq!(lat, 90.0, "the apex is the north pole");
        assert!(l93.forward(3.0, 90.0).is_some());
        assert_eq!(l93.forward(3.0, -90.0), None, "the cone never reaches the south pole");
        assert_eq!(l93.forward(f64::NAN, 45.0), None);
        assert_eq!(l93.forward(3.0, 90.5), None);
        let symmetric = ConicParameters { standard_parallel_1: 30.0, standard_parallel_2: -30.0, ..LAMBERT_93 };
        assert_eq!(LambertConic::new(GRS80, &symmetric), None);
        let polar = ConicParameters { standard_parallel_1: 90.0, ..LAMBERT_93 };
        assert_eq!(LambertConic::new(GRS80, &polar), None);
    }

    proptest! {
        #[test]
        fn forward_then_inverse_returns_the_point(lon in -9.9..10.4_f64, lat in 41.1..51.6_f64) {
            let l93 = lambert93();
            let (x, y) = l93.forward(lon, lat).unwrap();
            let (lon2, lat2) = l93.inverse(x, y);
            prop_assert!((lon2 - lon).abs() < 1e-12 && (lat2 - lat).abs() < 1e-12, "{lon2} {lat2}");
        }

        #[test]
        fn inverse_then_forward_returns_the_point(x in 50_000.0..1_300_000.0_f64, y in 6_000_000.0..7_200_000.0_f64) {
            let l93 = lambert93();
            let (lon, lat) = l93.inverse(x, y);
            let (x2, y2) = l93.forward(lon, lat).unwrap();
            // 1e-9 m is one unit in the last place of a northing near 6.6e6 m:
            // allow the rounding of the two directions, 4e-9 m at most.
            prop_assert!((x2 - x).abs() < 4e-9 && (y2 - y).abs() < 4e-9, "{} {}", x2 - x, y2 - y);
        }
    }
}
