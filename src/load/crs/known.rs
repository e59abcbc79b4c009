//! The coordinate systems cptsmap knows by EPSG code: the ones it projects
//! exactly (with their area of use, to catch a `.prj` that does not match its
//! data) and the common French ones it refuses (to name them and say why).
//!
//! Definitions and areas are EPSG's (checked with `projinfo EPSG:CODE` and
//! pyproj's `CRS.area_of_use`).

use super::definition::{Datum, Definition, Method};
use super::ellipsoid::{Ellipsoid, GRS80, WGS84};
use super::error::Refusal;
use super::lcc::ConicParameters;
use super::tmerc::TransverseParameters;

/// Where a projected CRS is meant to be used: a WGS84 box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    pub name: &'static str,
}

/// A projected CRS cptsmap computes exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnownProjected {
    pub code: u32,
    pub name: &'static str,
    pub datum: Datum,
    pub definition: Definition,
    pub area: Area,
}

const METROPOLE: Area = Area { west: -9.86, south: 41.15, east: 10.38, north: 51.56, name: "France métropolitaine" };
const ANTILLES: Area = Area { west: -63.66, south: 14.08, east: -60.0, north: 18.31, name: "Antilles françaises" };
const GUYANE: Area = Area { west: -54.61, south: 2.11, east: -49.45, north: 8.88, name: "Guyane" };
const REUNION: Area = Area { west: 54.0, south: -24.72, east: 58.24, north: -18.28, name: "La Réunion" };
const MAYOTTE: Area = Area { west: 43.68, south: -14.49, east: 46.7, north: -11.33, name: "Mayotte" };
const WORLD: Area = Area { west: -180.0, south: -85.06, east: 180.0, north: 85.06, name: "le monde" };

const fn lambert(p: ConicParameters) -> Definition {
    Definition { method: Method::LambertConic(p), ellipsoid: GRS80 }
}

const fn utm(zone: u8, south: bool, ellipsoid: Ellipsoid) -> Definition {
    Definition { method: Method::TransverseMercator(TransverseParameters::utm(zone, south)), ellipsoid }
}

const LAMBERT_93: Definition = lambert(ConicParameters::LAMBERT_93);

/// The conic conformal zone CCxx: origin at xx°N, parallels 0.75° either
/// side, 1 000 km of false northing per zone.
const fn conic_zone(code: u32, name: &'static str, west: f64, east: f64) -> KnownProjected {
    let latitude = (code - 3900) as f64;
    KnownProjected {
        code,
        name,
        datum: Datum::Rgf93,
        definition: lambert(ConicParameters {
            latitude_of_origin: latitude,
            central_meridian: 3.0,
            standard_parallel_1: latitude - 0.75,
            standard_parallel_2: latitude + 0.75,
            scale_factor: 1.0,
            false_easting: 1_700_000.0,
            false_northing: 1_200_000.0 + (latitude - 42.0) * 1_000_000.0,
        }),
        // The zone's band of latitude, between EPSG's east and west bounds.
        area: Area { west, south: latitude - 1.0, east, north: latitude + 1.0, name: "France métropolitaine" },
    }
}

const fn projected(code: u32, name: &'static str, datum: Datum, definition: Definition, area: Area) -> KnownProjected {
    KnownProjected { code, name, datum, definition, area }
}

/// One UTM zone of the WGS84 series, over its whole strip north or south of the equator.
const fn wgs84_utm(code: u32, name: &'static str, zone: u8, south: bool) -> KnownProjected {
    let west = (6 * zone as i32 - 186) as f64;
    let (s, n) = if south { (-80.0, 0.0) } else { (0.0, 84.0) };
    let area = Area { west, south: s, east: west + 6.0, north: n, name: "le fuseau UTM" };
    projected(code, name, Datum::Wgs84, utm(zone, south, WGS84), area)
}

/// The order matters when a WKT carries no code: the first entry with the
/// same datum and parameters names it (an ESRI Lambert-93 is EPSG:2154).
pub const PROJECTED: &[KnownProjected] = &[
    projected(2154, "Lambert-93", Datum::Rgf93, LAMBERT_93, METROPOLE),
    projected(9793, "RGF93 v2 / Lambert-93", Datum::Rgf93, LAMBERT_93, METROPOLE),
    projected(9794, "RGF93 v2b / Lambert-93", Datum::Rgf93, LAMBERT_93, METROPOLE),
    conic_zone(3942, "CC42", -1.06, 9.63),
    conic_zone(3943, "CC43", -1.79, 7.65),
    conic_zone(3944, "CC44", -1.79, 7.71),
    conic_zone(3945, "CC45", -1.46, 7.71),
    conic_zone(3946, "CC46", -2.21, 7.16),
    conic_zone(3947, "CC47", -4.77, 7.63),
    conic_zone(3948, "CC48", -4.87, 8.23),
    conic_zone(3949, "CC49", -4.87, 8.23),
    conic_zone(3950, "CC50", -2.03, 8.08),
    projected(5490, "RGAF09 / UTM 20N", Datum::Rgaf09, utm(20, false, GRS80), ANTILLES),
    projected(4559, "RRAF 1991 / UTM 20N", Datum::Rraf91, utm(20, false, GRS80), ANTILLES),
    projected(2972, "RGFG95 / UTM 22N", Datum::Rgfg95, utm(22, false, GRS80), GUYANE),
    projected(2975, "RGR92 / UTM 40S", Datum::Rgr92, utm(40, true, GRS80), REUNION),
    projected(4471, "RGM04 / UTM 38S", Datum::Rgm04, utm(38, true, GRS80), MAYOTTE),
    projected(25830, "ETRS89 / UTM 30N", Datum::Etrs89, utm(30, false, GRS80), METROPOLE),
    projected(25831, "ETRS89 / UTM 31N", Datum::Etrs89, utm(31, false, GRS80), METROPOLE),
    projected(25832, "ETRS89 / UTM 32N", Datum::Etrs89, utm(32, false, GRS80), METROPOLE),
    wgs84_utm(32620, "WGS 84 / UTM 20N", 20, false),
    wgs84_utm(32622, "WGS 84 / UTM 22N", 22, false),
    wgs84_utm(32630, "WGS 84 / UTM 30N", 30, false),
    wgs84_utm(32631, "WGS 84 / UTM 31N", 31, false),
    wgs84_utm(32632, "WGS 84 / UTM 32N", 32, false),
    wgs84_utm(32738, "WGS 84 / UTM 38S", 38, true),
    wgs84_utm(32740, "WGS 84 / UTM 40S", 40, true),
    projected(3857, "Web Mercator", Datum::Wgs84, Definition { method: Method::WebMercator, ellipsoid: WGS84 }, WORLD),
];

/// Other codes for Web Mercator: the deprecated EPSG:3785, Google's 900913
/// and ESRI's 102100 and 102113.
const WEB_MERCATOR_ALIASES: &[u32] = &[3785, 900913, 102100, 102113];

/// Geographic CRSs (degrees) on a datum that coincides with WGS84.
pub const GEOGRAPHIC: &[u32] = &[4326, 4171, 4258, 5489, 4558, 4624, 4627, 4470, 7084, 7086, 9777, 9782];

pub fn projected_by_code(code: u32) -> Option<&'static KnownProjected> {
    let code = if WEB_MERCATOR_ALIASES.contains(&code) { 3857 } else { code };
    PROJECTED.iter().find(|known| known.code == code)
}

/// The known CRS a definition read from WKT amounts to, if any.
pub fn projected_by_definition(datum: Datum, definition: &Definition) -> Option<&'static KnownProjected> {
    PROJECTED.iter().find(|known| known.datum == datum && known.definition.agrees_with(definition))
}

/// French and European codes met in real files that cptsmap refuses, with
/// their names: every NTF system (Clarke 1880 IGN, Paris meridian) and ED50.
pub fn refused(code: u32) -> Option<(String, Refusal)> {
    const NTF_LAMBERT: [&str; 4] =
        ["Lambert zone I", "Lambert zone II (Lambert II étendu)", "Lambert zone III", "Lambert zone IV"];
    const NTF_LAMBERT_OLD: [&str; 4] =
        ["Lambert Nord France", "Lambert Centre France", "Lambert Sud France", "Lambert Corse"];
    let ntf = match code {
        4275 => "NTF".to_string(),
        4807 => "NTF (Paris)".to_string(),
        27571..=27574 => format!("NTF (Paris) / {}", NTF_LAMBERT[(code - 27571) as usize]),
        27561..=27564 => format!("NTF (Paris) / {}", NTF_LAMBERT_OLD[(code - 27561) as usize]),
        27581..=27584 | 27591..=27594 => "NTF (Paris) / Lambert, code déprécié".to_string(),
        4230 | 2192 | 23029..=23032 => {
            return Some((format!("ED50 (EPSG:{code})"), Refusal::Datum("European Datum 1950".to_string())));
        }
        _ => return None,
    };
    Some((format!("{ntf} (EPSG:{code})"), Refusal::Ntf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_definition_builds_a_projection() {
        for known in PROJECTED {
            assert!(known.definition.projection().is_some(), "EPSG:{}", known.code);
            assert!(known.area.west < known.area.east && known.area.south < known.area.north, "EPSG:{}", known.code);
        }
    }

    #[test]
    fn conic_zones_follow_the_epsg_definitions() {
        // `projinfo EPSG:3950`: +lat_0=50 +lat_1=49.25 +lat_2=50.75 +x_0=1700000 +y_0=9200000
        let Method::LambertConic(cc50) = projected_by_code(3950).unwrap().definition.method else { panic!() };
        assert_eq!((cc50.latitude_of_origin, cc50.standard_parallel_1, cc50.standard_parallel_2), (50.0, 49.25, 50.75));
        assert_eq!((cc50.false_easting, cc50.false_northing), (1_700_000.0, 9_200_000.0));
    }

    #[test]
    fn web_mercator_has_aliases_and_ntf_is_named() {
        assert_eq!(projected_by_code(900913).map(|k| k.code), Some(3857));
        let (name, why) = refused(27572).unwrap();
        assert_eq!(name, "NTF (Paris) / Lambert zone II (Lambert II étendu) (EPSG:27572)");
        assert_eq!(why, Refusal::Ntf);
        assert_eq!(refused(2154), None);
    }
}
