//! Ellipsoids, and the conformal latitude that both conformal projections
//! (Lambert conic, transverse Mercator) go through.
//!
//! A conformal projection of the ellipsoid is a conformal map of the
//! ellipsoid onto a sphere (geodetic latitude φ → conformal latitude χ),
//! followed by a projection of that sphere. Forward, χ has a closed form
//! through the isometric latitude ψ. Backward, PROJ iterates (`pj_phi2`);
//! here a Fourier series in χ gives φ directly (Karney 2011, "Transverse
//! Mercator with an accuracy of a few nanometers", eq. 10–11, coefficients
//! in the third flattening n to n⁶). With n ≈ 1/595 the first term left out
//! is ≈ n⁷ ≈ 4e-20 rad, far below the rounding of a double, so the series is
//! exact in practice, has no data-dependent loop and costs a few multiplies.

/// A reference ellipsoid: semi-major axis in metres and flattening.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    pub semi_major_axis: f64,
    pub flattening: f64,
}

/// GRS 1980, the ellipsoid of RGF93, ETRS89 and the French overseas networks.
pub const GRS80: Ellipsoid = Ellipsoid { semi_major_axis: 6_378_137.0, flattening: 1.0 / 298.257_222_101 };

/// WGS 84; its minor axis differs from GRS 1980's by 0.1 mm.
pub const WGS84: Ellipsoid = Ellipsoid { semi_major_axis: 6_378_137.0, flattening: 1.0 / 298.257_223_563 };

impl Ellipsoid {
    /// First eccentricity e.
    pub fn eccentricity(&self) -> f64 {
        (self.flattening * (2.0 - self.flattening)).sqrt()
    }

    /// Third flattening n = (a − b) / (a + b), the small parameter of the series.
    pub fn third_flattening(&self) -> f64 {
        self.flattening / (2.0 - self.flattening)
    }

    /// Whether this is GRS 1980 or WGS 84 (the only ellipsoids of the datums
    /// cptsmap accepts), given as they appear in WKT: a and 1/f.
    pub fn is_grs80_or_wgs84(semi_major_axis: f64, inverse_flattening: f64) -> bool {
        let same = |reference: &Ellipsoid| {
            (semi_major_axis - reference.semi_major_axis).abs() < 1e-3
                && (inverse_flattening - 1.0 / reference.flattening).abs() < 1e-6
        };
        same(&GRS80) || same(&WGS84)
    }
}

/// Isometric latitude ψ of a geodetic latitude φ (radians):
/// ψ = asinh(tan φ) − e·atanh(e·sin φ), and tan χ = sinh ψ.
#[inline]
pub fn isometric_latitude(eccentricity: f64, phi: f64) -> f64 {
    let (sin_phi, cos_phi) = phi.sin_cos();
    // asinh(tan φ) = ln((1 + sin φ) / cos φ), written with |sin φ| and the sign
    // put back so that nothing cancels near either pole; one `ln` instead of
    // `asinh`'s `hypot`, division and `ln_1p`.
    let spherical = ((1.0 + sin_phi.abs()) / cos_phi).ln().copysign(sin_phi);
    spherical - eccentricity * (eccentricity * sin_phi).atanh()
}

/// Coefficients c₁…c₆ of φ = χ + Σ c_k sin 2kχ (conformal → geodetic).
pub fn conformal_to_geodetic(n: f64) -> [f64; 6] {
    // Karney (2011) eq. 11, as polynomials in n evaluated by Horner's rule.
    let n2 = n * n;
    let n3 = n2 * n;
    let n4 = n3 * n;
    let n5 = n4 * n;
    let n6 = n5 * n;
    [
        n * (2.0 + n * (-2.0 / 3.0 + n * (-2.0 + n * (116.0 / 45.0 + n * (26.0 / 45.0 + n * (-2854.0 / 675.0)))))),
        n2 * (7.0 / 3.0 + n * (-8.0 / 5.0 + n * (-227.0 / 45.0 + n * (2704.0 / 315.0 + n * (2323.0 / 945.0))))),
        n3 * (56.0 / 15.0 + n * (-136.0 / 35.0 + n * (-1262.0 / 105.0 + n * (73814.0 / 2835.0)))),
        n4 * (4279.0 / 630.0 + n * (-332.0 / 35.0 + n * (-399572.0 / 14175.0))),
        n5 * (4174.0 / 315.0 + n * (-144838.0 / 6237.0)),
        n6 * (601676.0 / 22275.0),
    ]
}

/// Σ c_k sin 2kx for k = 1…6, given sin 2x and cos 2x, by Clenshaw's
/// recurrence: no other trigonometric call, and the small terms are added
/// first.
#[inline]
pub fn sum_of_sines(coefficients: &[f64; 6], sin_2x: f64, cos_2x: f64) -> f64 {
    let two_cos = 2.0 * cos_2x;
    let (mut b1, mut b2) = (0.0, 0.0);
    for &c in coefficients.iter().rev() {
        let b0 = c + two_cos * b1 - b2;
        b2 = b1;
        b1 = b0;
    }
    b1 * sin_2x
}

/// Geodetic latitude (radians) from the conformal latitude χ given as
/// sin χ and cos χ up to a common positive factor: tan χ = num / den, den ≥ 0
/// (so callers need no normalisation, and χ needs `atan`, not `atan2`).
#[inline]
pub fn geodetic_from_tan_conformal(to_geodetic: &[f64; 6], num: f64, den: f64) -> f64 {
    let inverse_norm = 1.0 / (num * num + den * den);
    let sin_2chi = 2.0 * num * den * inverse_norm;
    let cos_2chi = (den - num) * (den + num) * inverse_norm;
    (num / den).atan() + sum_of_sines(to_geodetic, sin_2chi, cos_2chi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Conformal latitude by the closed form, the reference for the series.
    fn conformal(e: f64, phi: f64) -> f64 {
        isometric_latitude(e, phi).sinh().atan()
    }

    #[test]
    fn the_series_inverts_the_closed_form_conformal_latitude() {
        for ellipsoid in [GRS80, WGS84] {
            let e = ellipsoid.eccentricity();
            let to_geodetic = conformal_to_geodetic(ellipsoid.third_flattening());
            let mut worst: f64 = 0.0;
            for i in -900..=900 {
                let phi = f64::from(i) * 0.1_f64.to_radians();
                let chi = conformal(e, phi);
                let back = geodetic_from_tan_conformal(&to_geodetic, chi.sin(), chi.cos());
                worst = worst.max((back - phi).abs());
            }
            // 1e-15 rad is 6 nm on the ground: the rounding of the inputs.
            assert!(worst < 1e-15, "worst {worst:e} rad");
        }
    }

    #[test]
    fn clenshaw_agrees_with_the_direct_sum() {
        let c = [0.3, -0.2, 0.1, 0.05, -0.01, 0.002];
        for x in [0.1_f64, 0.7, 1.3, -0.4] {
            let direct: f64 = c.iter().enumerate().map(|(k, ck)| ck * (2.0 * (k as f64 + 1.0) * x).sin()).sum();
            let clenshaw = sum_of_sines(&c, (2.0 * x).sin(), (2.0 * x).cos());
            assert!((direct - clenshaw).abs() < 1e-15, "{direct} vs {clenshaw}");
        }
    }

    #[test]
    fn grs80_and_wgs84_are_told_from_other_ellipsoids() {
        assert!(Ellipsoid::is_grs80_or_wgs84(6_378_137.0, 298.257_222_101));
        assert!(Ellipsoid::is_grs80_or_wgs84(6_378_137.0, 298.257_223_563));
        assert!(!Ellipsoid::is_grs80_or_wgs84(6_378_249.2, 293.466_021_293_627), "Clarke 1880 (IGN)");
        assert!(!Ellipsoid::is_grs80_or_wgs84(6_378_388.0, 297.0), "International 1924");
    }
}
