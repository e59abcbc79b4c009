//! What defines a coordinate system for cptsmap: a datum that coincides with
//! WGS84, an ellipsoid, and a method with its parameters. Both the table of
//! known EPSG codes and the WKT reader produce this, so the two can be
//! compared, and a [`Projection`] is built from it.

use super::Projection;
use super::ellipsoid::{Ellipsoid, GRS80, WGS84};
use super::lcc::{ConicParameters, LambertConic};
use super::mercator::WebMercator;
use super::tmerc::{TransverseMercator, TransverseParameters};
use crate::text::fold;

/// The datums cptsmap accepts: WGS84 and the French and European networks
/// tied to it without a grid. RGF93 and ETRS89 follow the Eurasian plate and
/// drift from WGS84 by ≈ 2.5 cm a year, about 0.8 m today; PROJ and GDAL use
/// a null transformation for all of them too, and a commune is not moved
/// across a border by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    Wgs84,
    /// RGF93 v1, v2 and v2b.
    Rgf93,
    Etrs89,
    Rgaf09,
    Rraf91,
    Rgfg95,
    Rgr92,
    Rgm04,
}

/// Datum names as WKT writers spell them (ESRI, GDAL, WKT2), folded:
/// lower case, no accents, no separators, without ESRI's `D_` prefix. A name
/// matches when it starts with one of these (`…1993 v2b`, `… ensemble`).
const DATUM_NAMES: &[(&str, Datum)] = &[
    ("wgs1984", Datum::Wgs84),
    ("wgs84", Datum::Wgs84),
    ("worldgeodeticsystem1984", Datum::Wgs84),
    ("rgf1993", Datum::Rgf93),
    ("rgf93", Datum::Rgf93),
    ("reseaugeodesiquefrancais1993", Datum::Rgf93),
    ("etrs1989", Datum::Etrs89),
    ("etrs89", Datum::Etrs89),
    ("europeanterrestrialreferencesystem1989", Datum::Etrs89),
    ("rgaf09", Datum::Rgaf09),
    ("rgaf2009", Datum::Rgaf09),
    ("reseaugeodesiquedesantillesfrancaises2009", Datum::Rgaf09),
    ("rraf1991", Datum::Rraf91),
    ("rraf91", Datum::Rraf91),
    ("reseaudereferencedesantillesfrancaises1991", Datum::Rraf91),
    ("rgfg1995", Datum::Rgfg95),
    ("rgfg95", Datum::Rgfg95),
    ("reseaugeodesiquefrancaisguyane1995", Datum::Rgfg95),
    ("rgr1992", Datum::Rgr92),
    ("rgr92", Datum::Rgr92),
    ("reseaugeodesiquedelareunion1992", Datum::Rgr92),
    ("rgm2004", Datum::Rgm04),
    ("rgm04", Datum::Rgm04),
    ("reseaugeodesiquedemayotte2004", Datum::Rgm04),
];

impl Datum {
    pub fn from_wkt_name(name: &str) -> Option<Datum> {
        let key = name_key(name);
        DATUM_NAMES.iter().find(|(prefix, _)| key.starts_with(prefix)).map(|&(_, datum)| datum)
    }

    /// WGS84's own ellipsoid for WGS84, GRS 1980 for the others.
    pub fn ellipsoid(self) -> Ellipsoid {
        if self == Datum::Wgs84 { WGS84 } else { GRS80 }
    }

    /// The EPSG code of the geographic CRS on this datum.
    pub fn geographic_code(self) -> u32 {
        match self {
            Datum::Wgs84 => 4326,
            Datum::Rgf93 => 4171,
            Datum::Etrs89 => 4258,
            Datum::Rgaf09 => 5489,
            Datum::Rraf91 => 4558,
            Datum::Rgfg95 => 4624,
            Datum::Rgr92 => 4627,
            Datum::Rgm04 => 4470,
        }
    }
}

/// A WKT name folded for comparison: `"D_RGF_1993"` → `rgf1993`,
/// `"Lambert Conic Conformal (2SP)"` → `lambertconicconformal2sp`.
pub fn name_key(name: &str) -> String {
    let folded = fold(name);
    folded.strip_prefix("d ").unwrap_or(&folded).replace(' ', "")
}

/// How coordinates become WGS84 longitudes and latitudes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Longitude and latitude in degrees already.
    Geographic,
    LambertConic(ConicParameters),
    TransverseMercator(TransverseParameters),
    WebMercator,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Definition {
    pub method: Method,
    pub ellipsoid: Ellipsoid,
}

impl Definition {
    /// `None` when the parameters describe no projection (see the constructors).
    pub fn projection(&self) -> Option<Projection> {
        Some(match &self.method {
            Method::Geographic => Projection::Geographic,
            Method::LambertConic(p) => Projection::LambertConic(LambertConic::new(self.ellipsoid, p)?),
            Method::TransverseMercator(p) => {
                Projection::TransverseMercator(TransverseMercator::new(self.ellipsoid, p)?)
            }
            Method::WebMercator => Projection::WebMercator(WebMercator),
        })
    }

    /// Same method and parameters, to well under a millimetre; the ellipsoid
    /// is not compared (GRS 1980 and WGS 84 differ by 0.1 mm).
    pub fn agrees_with(&self, other: &Definition) -> bool {
        let angle = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let metres = |a: f64, b: f64| (a - b).abs() < 1e-4;
        let scale = |a: f64, b: f64| (a - b).abs() < 1e-11;
        match (&self.method, &other.method) {
            (Method::Geographic, Method::Geographic) | (Method::WebMercator, Method::WebMercator) => true,
            (Method::LambertConic(a), Method::LambertConic(b)) => {
                angle(a.latitude_of_origin, b.latitude_of_origin)
                    && angle(a.central_meridian, b.central_meridian)
                    && angle(
                        a.standard_parallel_1.min(a.standard_parallel_2),
                        b.standard_parallel_1.min(b.standard_parallel_2),
                    )
                    && angle(
                        a.standard_parallel_1.max(a.standard_parallel_2),
                        b.standard_parallel_1.max(b.standard_parallel_2),
                    )
                    && scale(a.scale_factor, b.scale_factor)
                    && metres(a.false_easting, b.false_easting)
                    && metres(a.false_northing, b.false_northing)
            }
            (Method::TransverseMercator(a), Method::TransverseMercator(b)) => {
                angle(a.latitude_of_origin, b.latitude_of_origin)
                    && angle(a.central_meridian, b.central_meridian)
                    && scale(a.scale_factor, b.scale_factor)
                    && metres(a.false_easting, b.false_easting)
                    && metres(a.false_northing, b.false_northing)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datum_spellings_of_esri_gdal_and_wkt2_are_recognised() {
        for (name, datum) in [
            ("D_WGS_1984", Datum::Wgs84),
            ("World Geodetic System 1984 ensemble", Datum::Wgs84),
            ("D_RGF_1993", Datum::Rgf93),
            ("Reseau_Geodesique_Francais_1993_v2b", Datum::Rgf93),
            ("Réseau Géodésique Français 1993", Datum::Rgf93),
            ("European_Terrestrial_Reference_System_1989", Datum::Etrs89),
            ("Reseau_Geodesique_des_Antilles_Francaises_2009", Datum::Rgaf09),
            ("D_RRAF_1991", Datum::Rraf91),
            ("Reseau Geodesique Francais Guyane 1995", Datum::Rgfg95),
            ("D_RGR_1992", Datum::Rgr92),
            ("D_Reseau_Geodesique_de_Mayotte_2004", Datum::Rgm04),
        ] {
            assert_eq!(Datum::from_wkt_name(name), Some(datum), "{name}");
        }
        for other in ["Nouvelle_Triangulation_Francaise_Paris", "European_Datum_1950", "D_North_American_1983", ""] {
            assert_eq!(Datum::from_wkt_name(other), None, "{other}");
        }
    }
}
