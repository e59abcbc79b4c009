//! Coordinate reference systems of the inputs, and their exact conversion to
//! WGS84 longitude and latitude.
//!
//! Every French system cptsmap meets is on a datum tied to WGS84 without a
//! grid (RGF93, RGAF09, RGFG95, RGR92, RGM04, ETRS89), so converting is only
//! a projection, done here in closed form: a Lambert-93 vertex costs under
//! 40 ns, a tenth of what `proj4rs` took, and the result agrees with PROJ to
//! well under a millimetre (`benches/projection.rs`). What cannot be
//! converted exactly is refused with the reason and what to do: a statistics
//! tool must not read an NTF Lambert II file as RGF93 (hundreds of kilometres
//! off) or NTF grads as degrees.
//!
//! - `wkt` reads a `.prj` (ESRI, OGC WKT1, WKT2) into a tree;
//! - `recognise` checks its datum, ellipsoid, units and method;
//! - `known` holds the EPSG codes known by number, with their areas of use;
//! - `definition` is what both produce, and builds a [`Projection`];
//! - [`ellipsoid`], [`lcc`], [`tmerc`], [`mercator`] are the projections;
//! - `extent` checks that a layer's bounding box fits its CRS
//!   ([`Crs::check_extent`]);
//! - `error` says, in French, why a CRS is refused ([`UnknownCrs`]).

mod definition;
pub mod ellipsoid;
mod error;
mod extent;
mod known;
pub mod lcc;
pub mod mercator;
mod recognise;
pub mod tmerc;
mod wkt;

#[cfg(test)]
mod tests;

use std::fmt;

use geo::Coord;

use definition::Method;
pub use error::{Refusal, UnknownCrs};
use known::Area;
use lcc::LambertConic;
use mercator::WebMercator;
use tmerc::TransverseMercator;
pub use wkt::SyntaxError;

/// How (x, y) become WGS84 (longitude, latitude) and back. Small and `Copy`:
/// take it by value into a loop over millions of vertices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Projection {
    /// Longitude and latitude in degrees already: the identity.
    Geographic,
    LambertConic(LambertConic),
    TransverseMercator(TransverseMercator),
    WebMercator(WebMercator),
}

impl Projection {
    /// Projected (x, y) to WGS84 (longitude, latitude) in degrees; `None`
    /// outside the projection's domain or for non-finite values.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::Crs;
    ///
    /// let lambert93 = Crs::from_epsg(2154)?.projection();
    /// // `echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`
    /// let notre_dame = lambert93.to_wgs84(652_296.973_146_007, 6_861_636.358_515_2).unwrap();
    /// assert!((notre_dame.x - 2.3499).abs() < 1e-11 && (notre_dame.y - 48.853).abs() < 1e-11);
    /// assert_eq!(lambert93.to_wgs84(f64::NAN, 0.0), None);
    /// # Ok::<(), cptsmap::load::crs::UnknownCrs>(())
    /// ```
    #[inline(always)]
    pub fn to_wgs84(&self, x: f64, y: f64) -> Option<Coord<f64>> {
        let (lon, lat) = match self {
            Projection::Geographic if x.abs() <= 180.0 && y.abs() <= 90.0 => (x, y),
            Projection::Geographic => return None,
            Projection::LambertConic(p) => p.inverse(x, y),
            Projection::TransverseMercator(p) => p.inverse(x, y)?,
            Projection::WebMercator(p) => p.inverse(x, y),
        };
        (lon.is_finite() && lat.is_finite()).then_some(Coord { x: lon, y: lat })
    }

    /// WGS84 (longitude, latitude) in degrees to projected (x, y); `None`
    /// outside the projection's domain or for non-finite values.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::Crs;
    ///
    /// let utm40s = Crs::from_epsg(2975)?.projection();
    /// // `echo 55.4504 -20.8823 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2975`
    /// let saint_denis = utm40s.from_wgs84(55.4504, -20.8823).unwrap();
    /// assert!((saint_denis.x - 338_811.238_513_925).abs() < 1e-6);
    /// assert!((saint_denis.y - 7_690_101.359_971_45).abs() < 1e-6);
    /// # Ok::<(), cptsmap::load::crs::UnknownCrs>(())
    /// ```
    #[inline]
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Option<Coord<f64>> {
        let (x, y) = match self {
            Projection::Geographic if lon.abs() <= 180.0 && lat.abs() <= 90.0 => (lon, lat),
            Projection::Geographic => return None,
            Projection::LambertConic(p) => p.forward(lon, lat)?,
            Projection::TransverseMercator(p) => p.forward(lon, lat)?,
            Projection::WebMercator(p) => p.forward(lon, lat)?,
        };
        (x.is_finite() && y.is_finite()).then_some(Coord { x, y })
    }
}

/// EPSG codes of the projected CRSs known by number (aliases aside).
pub fn known_projected_codes() -> impl Iterator<Item = u32> {
    known::PROJECTED.iter().map(|known| known.code)
}

/// Longitude brought into [−180°, 180°].
#[inline]
fn normalise_longitude(lon: f64) -> f64 {
    if lon.abs() <= 180.0 { lon } else { lon - 360.0 * ((lon + 180.0) / 360.0).floor() }
}

/// Where the CRS came from, for messages that say who claimed what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Wkt,
    Code,
    /// Nothing said: WGS84 by convention.
    Assumed,
}

/// A CRS that cptsmap can turn into WGS84 longitude/latitude exactly.
#[derive(Clone)]
pub struct Crs {
    /// French label for reports: `Lambert-93 (EPSG:2154)`.
    label: String,
    epsg: Option<u32>,
    projection: Projection,
    /// Area of use, for the projected CRSs known by code.
    area: Option<Area>,
    declared: Declared,
}

impl Crs {
    /// WGS84 longitude/latitude, what a shapefile without `.prj` is taken to be.
    pub fn wgs84() -> Crs {
        Crs {
            label: "WGS84 (EPSG:4326)".into(),
            epsg: Some(4326),
            projection: Projection::Geographic,
            area: None,
            declared: Declared::Assumed,
        }
    }

    /// A CRS by EPSG code (also Web Mercator's aliases 900913 and 102100).
    pub fn from_epsg(code: u32) -> Result<Crs, UnknownCrs> {
        if known::GEOGRAPHIC.contains(&code) {
            return Ok(Crs::geographic(format!("géographique (EPSG:{code})"), Some(code), Declared::Code));
        }
        if let Some(known) = known::projected_by_code(code) {
            return Crs::from_known(known, Declared::Code);
        }
        let (found, reason) = known::refused(code).unwrap_or((format!("EPSG:{code}"), Refusal::UnknownCode));
        Err(UnknownCrs { found, reason })
    }

    /// The CRS a WKT text declares (a `.prj`: ESRI, OGC WKT1 or WKT2). A
    /// known EPSG code in it names the CRS when its parameters agree with the
    /// code; otherwise the CRS is recognised from its method, parameters,
    /// datum and units.
    pub fn from_wkt(text: &str) -> Result<Crs, UnknownCrs> {
        let root = wkt::parse(text).map_err(|e| UnknownCrs { found: excerpt(text), reason: Refusal::Unreadable(e) })?;
        let code = root.epsg();
        let found = match code {
            Some(code) => format!("{} (EPSG:{code})", root.title()),
            None => root.title().to_string(),
        };
        if let Some((found, reason)) = code.and_then(known::refused) {
            return Err(UnknownCrs { found, reason });
        }
        let refuse = |reason| UnknownCrs { found: found.clone(), reason };
        let recognised = recognise::recognise(&root).map_err(refuse)?;
        if recognised.definition.method == Method::Geographic {
            let code = code.or(Some(recognised.datum.geographic_code()));
            return Ok(Crs::geographic(format!("géographique ({})", root.title()), code, Declared::Wkt));
        }
        let known = match code {
            Some(code) => match known::projected_by_code(code) {
                Some(known) if known.definition.agrees_with(&recognised.definition) => Some(known),
                Some(_) => return Err(refuse(Refusal::Mismatch(code))),
                None => None,
            },
            None => known::projected_by_definition(recognised.datum, &recognised.definition),
        };
        if let Some(known) = known {
            return Crs::from_known(known, Declared::Wkt);
        }
        let projection = recognised.definition.projection().ok_or_else(|| refuse(Refusal::ImpossibleParameters))?;
        Ok(Crs { label: found.clone(), epsg: code, projection, area: None, declared: Declared::Wkt })
    }

    fn geographic(label: String, epsg: Option<u32>, declared: Declared) -> Crs {
        Crs { label, epsg, projection: Projection::Geographic, area: None, declared }
    }

    fn from_known(known: &known::KnownProjected, declared: Declared) -> Result<Crs, UnknownCrs> {
        let label = format!("{} (EPSG:{})", known.name, known.code);
        let Some(projection) = known.definition.projection() else {
            return Err(UnknownCrs { found: label, reason: Refusal::ImpossibleParameters });
        };
        Ok(Crs { label, epsg: Some(known.code), projection, area: Some(known.area), declared })
    }

    /// Whether coordinates are WGS84-compatible longitudes and latitudes already.
    pub fn is_wgs84(&self) -> bool {
        self.projection == Projection::Geographic
    }

    /// The EPSG code, when given or recognised.
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// The conversion to and from WGS84, to copy into hot loops.
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// A reprojection to WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self) -> ToWgs84 {
        ToWgs84 { projection: self.projection }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl fmt::Debug for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Crs({})", self.label)
    }
}

/// Converts coordinates of one CRS to WGS84 degrees.
#[derive(Debug, Clone, Copy)]
pub struct ToWgs84 {
    projection: Projection,
}

impl ToWgs84 {
    /// `None` when the point cannot be converted (outside the projection's
    /// domain, or not finite).
    #[inline]
    pub fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        self.projection.to_wgs84(x, y).map(|c| (c.x, c.y))
    }
}

/// The first characters of a text, for a message about it.
fn excerpt(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "texte vide".to_string();
    }
    let mut short: String = trimmed.chars().take(60).collect();
    if short.len() < trimmed.len() {
        short.push('…');
    }
    format!("« {short} »")
}
