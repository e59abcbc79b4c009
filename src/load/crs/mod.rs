//! Coordinate reference systems of the inputs, and reprojection to WGS84.
//!
//! Every French system cptsmap meets (Lambert-93, the overseas UTM zones, Web
//! Mercator, WGS84 and the RGF93/RGAF09/… geographic systems) is tied to
//! WGS84 without a datum grid, so a pure-Rust projection (`proj4rs`) is
//! enough. A `.prj` is read as WKT: a known EPSG code wins, otherwise the
//! projection is rebuilt from its parameters, otherwise the file is refused
//! with what was expected.
//!
//! [`ellipsoid`], [`lcc`], [`tmerc`] and [`mercator`] are closed-form
//! projections, exact to the nanometre against PROJ, meant to replace
//! `proj4rs` on the hot path.

pub mod ellipsoid;
pub mod lcc;
pub mod mercator;
pub mod tmerc;

use std::fmt;

use proj4rs::Proj;

/// Longitude brought into [−180°, 180°].
#[inline]
fn normalise_longitude(lon: f64) -> f64 {
    if lon.abs() <= 180.0 { lon } else { lon - 360.0 * ((lon + 180.0) / 360.0).floor() }
}

/// A CRS that cptsmap can turn into WGS84 longitude/latitude.
pub struct Crs {
    label: String,
    /// `None` for geographic systems already in WGS84-compatible degrees.
    proj: Option<Proj>,
}

/// Why a CRS could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "système de coordonnées non reconnu ({0}) ; attendus : WGS84 (EPSG:4326), Lambert-93 \
     (EPSG:2154), Web Mercator (EPSG:3857), UTM 20N (EPSG:5490), UTM 22N (EPSG:2972), \
     UTM 40S (EPSG:2975), UTM 38S (EPSG:4471)"
)]
pub struct UnknownCrs(pub String);

/// The EPSG codes cptsmap knows, with a proj string. All French datums used
/// here coincide with WGS84 at the centimetre (`towgs84=0`).
const KNOWN: &[(u32, &str, &str)] = &[
    (2154, "Lambert-93", "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000"),
    (5490, "RGAF09 / UTM 20N", "+proj=utm +zone=20"),
    (4559, "RRAF 1991 / UTM 20N", "+proj=utm +zone=20"),
    (32620, "WGS 84 / UTM 20N", "+proj=utm +zone=20"),
    (2972, "RGFG95 / UTM 22N", "+proj=utm +zone=22"),
    (32622, "WGS 84 / UTM 22N", "+proj=utm +zone=22"),
    (2975, "RGR92 / UTM 40S", "+proj=utm +zone=40 +south"),
    (32740, "WGS 84 / UTM 40S", "+proj=utm +zone=40 +south"),
    (4471, "RGM04 / UTM 38S", "+proj=utm +zone=38 +south"),
    (32738, "WGS 84 / UTM 38S", "+proj=utm +zone=38 +south"),
    (3857, "Web Mercator", "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1"),
];
/// Geographic systems (degrees) taken as WGS84.
const GEOGRAPHIC: &[u32] = &[4326, 4171, 4258, 4624, 4627, 5489, 4470, 7084, 7086];

impl Crs {
    pub fn wgs84() -> Crs {
        Crs { label: "WGS84 (EPSG:4326)".into(), proj: None }
    }

    pub fn from_epsg(code: u32) -> Result<Crs, UnknownCrs> {
        if GEOGRAPHIC.contains(&code) {
            return Ok(Crs { label: format!("géographique (EPSG:{code})"), proj: None });
        }
        let (_, name, def) =
            KNOWN.iter().find(|(c, _, _)| *c == code).ok_or_else(|| UnknownCrs(format!("EPSG:{code}")))?;
        let datum = if code == 3857 { "" } else { " +ellps=GRS80 +towgs84=0,0,0,0,0,0,0" };
        Crs::from_proj_string(&format!("{name} (EPSG:{code})"), &format!("{def}{datum} +units=m"))
    }

    /// Reads the WKT of a `.prj` file (ESRI or OGC flavour).
    pub fn from_wkt(text: &str) -> Result<Crs, UnknownCrs> {
        let short = || text.chars().take(80).collect::<String>();
        let root = wkt::parse(text).ok_or_else(|| UnknownCrs(format!("WKT illisible : {}", short())))?;
        match root.name.to_ascii_uppercase().as_str() {
            "GEOGCS" | "GEOGCRS" | "GEODCRS" => {
                Ok(Crs { label: format!("géographique ({})", root.title()), proj: None })
            }
            "PROJCS" | "PROJCRS" => {
                if let Some(code) = root.epsg()
                    && let Ok(crs) = Crs::from_epsg(code)
                {
                    return Ok(crs);
                }
                Crs::from_projection(&root).ok_or_else(|| UnknownCrs(root.title()))
            }
            _ => Err(UnknownCrs(short())),
        }
    }

    /// Rebuilds a projection from the WKT parameters when no EPSG code is given
    /// (ESRI `.prj` files never carry one).
    fn from_projection(root: &wkt::Node) -> Option<Crs> {
        let method = root.child("PROJECTION").or_else(|| root.child("METHOD"))?.title();
        let method = method.to_ascii_lowercase().replace([' ', '-'], "_");
        let p = |names: &[&str]| root.parameter(names);
        let (x0, y0) = (p(&["false_easting"]).unwrap_or(0.0), p(&["false_northing"]).unwrap_or(0.0));
        let lon0 = p(&["central_meridian", "longitude_of_origin", "longitude_of_natural_origin"]).unwrap_or(0.0);
        let lat0 = p(&["latitude_of_origin", "latitude_of_natural_origin", "latitude_of_false_origin"]).unwrap_or(0.0);
        let def = if method.starts_with("lambert_conformal_conic") {
            let lat1 = p(&["standard_parallel_1", "latitude_of_1st_standard_parallel"])?;
            let lat2 = p(&["standard_parallel_2", "latitude_of_2nd_standard_parallel"]).unwrap_or(lat1);
            format!("+proj=lcc +lat_0={lat0} +lon_0={lon0} +lat_1={lat1} +lat_2={lat2} +x_0={x0} +y_0={y0}")
        } else if method == "transverse_mercator" {
            let k = p(&["scale_factor", "scale_factor_at_natural_origin"]).unwrap_or(1.0);
            format!("+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k_0={k} +x_0={x0} +y_0={y0}")
        } else if method.contains("mercator") && (method.contains("auxiliary") || method.contains("pseudo")) {
            return Crs::from_epsg(3857).ok();
        } else {
            return None;
        };
        let spheroid = root.find("SPHEROID").or_else(|| root.find("ELLIPSOID"));
        let ellps = match spheroid.map(|s| (s.number(0), s.number(1))) {
            Some((Some(a), Some(rf))) if rf > 0.0 => format!(" +a={a} +rf={rf}"),
            _ => " +ellps=GRS80".to_string(),
        };
        Crs::from_proj_string(&root.title(), &format!("{def}{ellps} +towgs84=0,0,0,0,0,0,0 +units=m")).ok()
    }

    fn from_proj_string(label: &str, def: &str) -> Result<Crs, UnknownCrs> {
        let proj = Proj::from_proj_string(def).map_err(|e| UnknownCrs(format!("{label}: {e}")))?;
        Ok(Crs { label: label.to_string(), proj: Some(proj) })
    }

    pub fn is_wgs84(&self) -> bool {
        self.proj.is_none()
    }

    /// A reprojection to WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self) -> ToWgs84<'_> {
        ToWgs84 { src: self.proj.as_ref(), dst: Proj::from_proj_string("+proj=longlat +ellps=WGS84").ok() }
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
pub struct ToWgs84<'a> {
    src: Option<&'a Proj>,
    dst: Option<Proj>,
}

impl ToWgs84<'_> {
    /// `None` when the point cannot be projected (outside the projection's domain).
    pub fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (Some(src), Some(dst)) = (self.src, self.dst.as_ref()) else {
            return Some((x, y));
        };
        let (lon, lat) = proj4rs::adaptors::transform_vertex_2d(src, dst, (x, y)).ok()?;
        let (lon, lat) = (lon.to_degrees(), lat.to_degrees());
        (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
    }
}

/// A very small WKT reader: `NAME[arg, "text", NAME[...], ...]`.
mod wkt {
    pub enum Arg {
        Text(String),
        Number(f64),
        Node(Node),
    }

    pub struct Node {
        pub name: String,
        pub args: Vec<Arg>,
    }

    pub fn parse(text: &str) -> Option<Node> {
        let mut chars = text.trim().chars().peekable();
        let node = node(&mut chars)?;
        Some(node)
    }

    fn node(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<Node> {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        skip_spaces(chars);
        if !matches!(chars.next()?, '[' | '(') || name.is_empty() {
            return None;
        }
        let mut args = Vec::new();
        loop {
            skip_spaces(chars);
            match *chars.peek()? {
                ']' | ')' => {
                    chars.next();
                    return Some(Node { name, args });
                }
                ',' => {
                    chars.next();
                }
                '"' => {
                    chars.next();
                    let mut s = String::new();
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        s.push(c);
                    }
                    args.push(Arg::Text(s));
                }
                c if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => {
                    let mut s = String::new();
                    while let Some(&c) = chars.peek() {
                        if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E') {
                            s.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    args.push(Arg::Number(s.parse().ok()?));
                }
                _ => args.push(Arg::Node(node(chars)?)),
            }
        }
    }

    fn skip_spaces(chars: &mut std::iter::Peekable<std::str::Chars>) {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    }

    impl Node {
        pub fn title(&self) -> String {
            match self.args.first() {
                Some(Arg::Text(t)) => t.clone(),
                _ => self.name.clone(),
            }
        }

        pub fn number(&self, i: usize) -> Option<f64> {
            self.args
                .iter()
                .filter_map(|a| match a {
                    Arg::Number(n) => Some(*n),
                    _ => None,
                })
                .nth(i)
        }

        fn children(&self) -> impl Iterator<Item = &Node> {
            self.args.iter().filter_map(|a| match a {
                Arg::Node(n) => Some(n),
                _ => None,
            })
        }

        pub fn child(&self, name: &str) -> Option<&Node> {
            self.children().find(|n| n.name.eq_ignore_ascii_case(name))
        }

        /// Depth-first search.
        pub fn find(&self, name: &str) -> Option<&Node> {
            self.child(name).or_else(|| self.children().find_map(|c| c.find(name)))
        }

        pub fn parameter(&self, names: &[&str]) -> Option<f64> {
            self.children()
                .filter(|n| n.name.eq_ignore_ascii_case("PARAMETER"))
                .find(|n| names.iter().any(|w| n.title().replace(' ', "_").eq_ignore_ascii_case(w)))
                .and_then(|n| n.number(0))
        }

        /// The EPSG code of this node itself (`AUTHORITY["EPSG",2154]` or `ID["EPSG",2154]`).
        pub fn epsg(&self) -> Option<u32> {
            self.children()
                .filter(|n| n.name.eq_ignore_ascii_case("AUTHORITY") || n.name.eq_ignore_ascii_case("ID"))
                .find(|n| n.title().eq_ignore_ascii_case("EPSG"))
                .and_then(|n| match n.args.get(1) {
                    Some(Arg::Number(c)) => Some(*c as u32),
                    Some(Arg::Text(t)) => t.parse().ok(),
                    _ => None,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESRI_L93: &str = r#"PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]"#;
    const ESRI_UTM20: &str = r#"PROJCS["RGAF09_UTM_Zone_20N",GEOGCS["GCS_RGAF09",DATUM["D_Reseau_Geodesique_des_Antilles_Francaises_2009",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-63.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-7 && (a.1 - b.1).abs() < 1e-7
    }

    #[test]
    fn lambert93_from_esri_prj_matches_the_epsg_definition() {
        let crs = Crs::from_wkt(ESRI_L93).unwrap();
        // Reference from GDAL: `echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`
        let (x, y) = (652_296.973_146_007, 6_861_636.358_515_2);
        let p = crs.to_wgs84().convert(x, y).unwrap();
        let epsg = Crs::from_epsg(2154).unwrap().to_wgs84().convert(x, y).unwrap();
        assert!(close(p, epsg));
        assert!(close(p, (2.3499, 48.853)), "{p:?}");
    }

    #[test]
    fn utm_20n_from_esri_prj_lands_in_guadeloupe() {
        let crs = Crs::from_wkt(ESRI_UTM20).unwrap();
        let p = crs.to_wgs84().convert(657_000.0, 1_790_000.0).unwrap();
        assert!((p.0 + 61.5).abs() < 0.1 && (p.1 - 16.2).abs() < 0.1, "{p:?}");
    }

    #[test]
    fn web_mercator_inverts_exactly() {
        let crs = Crs::from_epsg(3857).unwrap();
        // Reference from GDAL: `echo 2.3499 48.853 | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857`
        let p = crs.to_wgs84().convert(261_589.671_415_114, 6_249_955.278_521_48).unwrap();
        assert!(close(p, (2.3499, 48.853)), "{p:?}");
    }

    #[test]
    fn geographic_prj_is_identity_and_garbage_is_refused() {
        let crs = Crs::from_wkt(r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#).unwrap();
        assert!(crs.is_wgs84());
        assert!(Crs::from_wkt("not a crs").is_err());
        assert!(Crs::from_wkt(r#"PROJCS["x",PROJECTION["Polyconic"]]"#).is_err());
    }
}
