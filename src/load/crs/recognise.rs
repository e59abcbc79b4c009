//! From a WKT tree to a [`Definition`]: which datum, ellipsoid, units and
//! projection method a `.prj` declares, refusing whatever cptsmap cannot
//! convert exactly.
//!
//! ESRI, OGC WKT1 and WKT2 spell the same things differently (`PROJECTION` or
//! `CONVERSION[METHOD]`, `Central_Meridian` or `Longitude of natural origin`,
//! `UNIT` or `ANGLEUNIT`/`LENGTHUNIT`); names are compared folded (see
//! [`name_key`]). The checks run in the order that gives the most useful
//! message: an NTF file is told it is NTF before it is told about grads.

use super::definition::{Datum, Definition, Method, name_key};
use super::ellipsoid::Ellipsoid;
use super::error::Refusal;
use super::known;
use super::lcc::ConicParameters;
use super::tmerc::TransverseParameters;
use super::wkt::{Node, Value};

const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
const GEOGRAPHIC: &[&str] = &["GEOGCS", "GEOGCRS", "GEOGRAPHICCRS", "GEODCRS", "GEODETICCRS"];
const BASE_GEOGRAPHIC: &[&str] = &["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS"];
const DATUM: &[&str] = &["DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE"];
const ELLIPSOID: &[&str] = &["SPHEROID", "ELLIPSOID"];
const PRIME_MERIDIAN: &[&str] = &["PRIMEM", "PRIMEMERIDIAN"];

/// Semi-major axis of Clarke 1880 (IGN), NTF's ellipsoid.
const CLARKE_1880_IGN: f64 = 6_378_249.2;

/// What a WKT declares, once checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recognised {
    pub definition: Definition,
    pub datum: Datum,
}

pub fn recognise(root: &Node) -> Result<Recognised, Refusal> {
    let projected = root.is(PROJECTED);
    let base = if projected {
        root.child(BASE_GEOGRAPHIC).ok_or(Refusal::MissingBase)?
    } else if root.is(GEOGRAPHIC) {
        if root.child(&["CS"]).and_then(Node::word).is_some_and(|cs| cs.eq_ignore_ascii_case("Cartesian")) {
            return Err(Refusal::Kind(format!("{} cartésien (géocentrique)", root.keyword)));
        }
        root
    } else {
        return Err(Refusal::Kind(root.keyword.clone()));
    };
    let (datum, ellipsoid, ellipsoid_name) = read_datum(base)?;
    check_units(root, if projected { UnitKind::Linear } else { UnitKind::Angular })?;
    let method = if projected { read_method(root, ellipsoid)? } else { Method::Geographic };
    // A sphere is only the right surface for Web Mercator.
    if ellipsoid.flattening == 0.0 && method != Method::WebMercator {
        return Err(Refusal::Ellipsoid(ellipsoid_name));
    }
    Ok(Recognised { definition: Definition { method, ellipsoid }, datum })
}

/// The datum, its ellipsoid (and the ellipsoid's name for messages), refusing
/// NTF, other datums and ellipsoids, and prime meridians other than Greenwich.
fn read_datum(base: &Node) -> Result<(Datum, Ellipsoid, String), Refusal> {
    let datum_node = base.child(DATUM);
    let datum_name = datum_node.and_then(Node::name).unwrap_or("");
    let spheroid = datum_node.and_then(|d| d.child(ELLIPSOID)).or_else(|| base.child(ELLIPSOID));
    let ellipsoid_name = spheroid.map_or("", Node::title).to_string();
    let axes = spheroid.map(|s| (s.number(0), s.number(1)));
    let meridian = base.child(PRIME_MERIDIAN);
    let is_clarke = matches!(axes, Some((Some(a), _)) if (a - CLARKE_1880_IGN).abs() < 1e-3);
    let datum_key = name_key(datum_name);
    let is_paris = meridian.is_some_and(|m| name_key(m.title()).starts_with("paris"));
    if datum_key.starts_with("ntf") || datum_key.starts_with("nouvelletriangulationfrancaise") || is_clarke || is_paris
    {
        return Err(Refusal::Ntf);
    }
    let datum = Datum::from_wkt_name(datum_name).ok_or_else(|| Refusal::Datum(datum_name.to_string()))?;
    let ellipsoid = match axes {
        // No SPHEROID: the datum's own.
        None => datum.ellipsoid(),
        Some((Some(a), Some(rf))) if Ellipsoid::is_grs80_or_wgs84(a, rf) => {
            Ellipsoid { semi_major_axis: a, flattening: 1.0 / rf }
        }
        // ESRI's "WGS_1984_Major_Auxiliary_Sphere" (1/f written 0): Web Mercator's sphere.
        Some((Some(a), Some(rf))) if a == 6_378_137.0 && rf == 0.0 => Ellipsoid { semi_major_axis: a, flattening: 0.0 },
        Some(_) => return Err(Refusal::Ellipsoid(ellipsoid_name)),
    };
    if let Some(meridian) = meridian
        && meridian.number(0).is_none_or(|longitude| longitude != 0.0)
    {
        return Err(Refusal::PrimeMeridian(meridian.title().to_string()));
    }
    Ok((datum, ellipsoid, ellipsoid_name))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Angular,
    Linear,
}

/// Every angular unit must be the degree, every length unit the metre.
/// `ANGLEUNIT` and `LENGTHUNIT` (WKT2) say what they are; a WKT1 `UNIT` is
/// angular inside a geographic CRS and linear inside a projected one.
fn check_units(node: &Node, context: UnitKind) -> Result<(), Refusal> {
    for child in node.nodes() {
        let unit_kind = if child.is(&["ANGLEUNIT"]) {
            Some(UnitKind::Angular)
        } else if child.is(&["LENGTHUNIT"]) {
            Some(UnitKind::Linear)
        } else if child.is(&["UNIT"]) {
            Some(context)
        } else {
            None
        };
        match unit_kind {
            Some(kind) => check_unit(child, kind)?,
            None if child.is(GEOGRAPHIC) || child.is(BASE_GEOGRAPHIC) => check_units(child, UnitKind::Angular)?,
            None if child.is(PROJECTED) => check_units(child, UnitKind::Linear)?,
            None => check_units(child, context)?,
        }
    }
    Ok(())
}

fn check_unit(unit: &Node, kind: UnitKind) -> Result<(), Refusal> {
    let factor = unit.number(0).unwrap_or(f64::NAN);
    let name = || unit.title().to_string();
    match kind {
        UnitKind::Angular if (factor / 1.0_f64.to_radians() - 1.0).abs() < 1e-9 => Ok(()),
        UnitKind::Angular => Err(Refusal::AngularUnit(name())),
        UnitKind::Linear if (factor - 1.0).abs() < 1e-9 => Ok(()),
        UnitKind::Linear => Err(Refusal::LinearUnit(name())),
    }
}

/// One parameter: its name in messages, and its names as ESRI, GDAL and
/// WKT2 (EPSG) write them, folded.
struct Parameter {
    label: &'static str,
    keys: &'static [&'static str],
}

const LATITUDE_OF_ORIGIN: Parameter = Parameter {
    label: "latitude_of_origin",
    keys: &["latitudeoforigin", "latitudeoffalseorigin", "latitudeofnaturalorigin"],
};
const CENTRAL_MERIDIAN: Parameter = Parameter {
    label: "central_meridian",
    keys: &["centralmeridian", "longitudeoforigin", "longitudeoffalseorigin", "longitudeofnaturalorigin"],
};
const PARALLEL_1: Parameter =
    Parameter { label: "standard_parallel_1", keys: &["standardparallel1", "latitudeof1ststandardparallel"] };
const PARALLEL_2: Parameter =
    Parameter { label: "standard_parallel_2", keys: &["standardparallel2", "latitudeof2ndstandardparallel"] };
const SCALE_FACTOR: Parameter =
    Parameter { label: "scale_factor", keys: &["scalefactor", "scalefactoratnaturalorigin"] };
const FALSE_EASTING: Parameter = Parameter { label: "false_easting", keys: &["falseeasting", "eastingatfalseorigin"] };
const FALSE_NORTHING: Parameter =
    Parameter { label: "false_northing", keys: &["falsenorthing", "northingatfalseorigin"] };
const AUXILIARY_SPHERE_TYPE: Parameter = Parameter { label: "auxiliary_sphere_type", keys: &["auxiliaryspheretype"] };

/// The `PARAMETER` nodes of a projection, each taken once; any left over is a
/// parameter the method does not have here, and changes the maths: refused.
struct Parameters {
    remaining: Vec<(String, String, f64)>,
}

impl Parameters {
    fn read(parent: &Node) -> Result<Parameters, Refusal> {
        let mut remaining = Vec::new();
        for p in parent.children(&["PARAMETER"]) {
            let value =
                p.number(0).filter(|v| v.is_finite()).ok_or_else(|| Refusal::ParameterValue(p.title().to_string()))?;
            remaining.push((name_key(p.title()), p.title().to_string(), value));
        }
        Ok(Parameters { remaining })
    }

    fn take(&mut self, parameter: &Parameter) -> Option<f64> {
        let i = self.remaining.iter().position(|(key, _, _)| parameter.keys.contains(&key.as_str()))?;
        Some(self.remaining.swap_remove(i).2)
    }

    fn require(&mut self, parameter: &Parameter) -> Result<f64, Refusal> {
        self.take(parameter).ok_or(Refusal::MissingParameter(parameter.label))
    }

    fn finish(self) -> Result<(), Refusal> {
        match self.remaining.into_iter().next() {
            Some((_, name, _)) => Err(Refusal::UnexpectedParameter(name)),
            None => Ok(()),
        }
    }
}

fn read_method(root: &Node, ellipsoid: Ellipsoid) -> Result<Method, Refusal> {
    let conversion = root.child(&["CONVERSION", "DERIVINGCONVERSION"]);
    let parent = conversion.unwrap_or(root);
    let method_name = parent.child(&["METHOD", "PROJECTION"]).map_or("", Node::title);
    let mut parameters = Parameters::read(parent)?;
    let method = match name_key(method_name).as_str() {
        // ESRI writes both variants under one name: 2SP when it gives a second parallel.
        "lambertconformalconic" | "lambertconformalconic2sp" | "lambertconicconformal2sp" => {
            conic(&mut parameters, false)?
        }
        "lambertconformalconic1sp" | "lambertconicconformal1sp" => conic(&mut parameters, true)?,
        "transversemercator" | "gausskruger" => transverse(&mut parameters)?,
        "popularvisualisationpseudomercator" | "mercatorauxiliarysphere" | "pseudomercator" => {
            web_mercator(&mut parameters)?
        }
        "mercator1sp" | "mercator" | "mercatorvarianta" if declares_web_mercator(root, ellipsoid) => {
            web_mercator(&mut parameters)?
        }
        _ => return Err(Refusal::Method(method_name.to_string())),
    };
    parameters.finish()?;
    Ok(method)
}

fn conic(p: &mut Parameters, one_parallel: bool) -> Result<Method, Refusal> {
    let latitude_of_origin = p.require(&LATITUDE_OF_ORIGIN)?;
    let (standard_parallel_1, standard_parallel_2) = if one_parallel {
        (latitude_of_origin, latitude_of_origin)
    } else {
        let first = p.require(&PARALLEL_1)?;
        (first, p.take(&PARALLEL_2).unwrap_or(first))
    };
    Ok(Method::LambertConic(ConicParameters {
        latitude_of_origin,
        central_meridian: p.require(&CENTRAL_MERIDIAN)?,
        standard_parallel_1,
        standard_parallel_2,
        scale_factor: p.take(&SCALE_FACTOR).unwrap_or(1.0),
        false_easting: p.take(&FALSE_EASTING).unwrap_or(0.0),
        false_northing: p.take(&FALSE_NORTHING).unwrap_or(0.0),
    }))
}

fn transverse(p: &mut Parameters) -> Result<Method, Refusal> {
    Ok(Method::TransverseMercator(TransverseParameters {
        latitude_of_origin: p.take(&LATITUDE_OF_ORIGIN).unwrap_or(0.0),
        central_meridian: p.require(&CENTRAL_MERIDIAN)?,
        scale_factor: p.require(&SCALE_FACTOR)?,
        false_easting: p.take(&FALSE_EASTING).unwrap_or(0.0),
        false_northing: p.take(&FALSE_NORTHING).unwrap_or(0.0),
    }))
}

/// Web Mercator with its standard origin: any parameter it carries must have
/// its neutral value (0, or 1 for a scale factor).
fn web_mercator(p: &mut Parameters) -> Result<Method, Refusal> {
    let neutral = [
        (LATITUDE_OF_ORIGIN, 0.0),
        (CENTRAL_MERIDIAN, 0.0),
        (PARALLEL_1, 0.0),
        (FALSE_EASTING, 0.0),
        (FALSE_NORTHING, 0.0),
        (AUXILIARY_SPHERE_TYPE, 0.0),
        (SCALE_FACTOR, 1.0),
    ];
    for (parameter, expected) in neutral {
        if let Some(value) = p.take(&parameter)
            && value != expected
        {
            return Err(Refusal::UnexpectedParameter(format!("{} = {value}", parameter.label)));
        }
    }
    Ok(Method::WebMercator)
}

/// Whether a plain Mercator is in fact Web Mercator: GDAL writes EPSG:3857 as
/// `Mercator_1SP` with its code and a PROJ.4 extension on a 6 378 137 m
/// sphere; ESRI's 102113 puts it on a sphere. An ellipsoidal Mercator
/// (EPSG:3395) is another projection, not implemented.
fn declares_web_mercator(root: &Node, ellipsoid: Ellipsoid) -> bool {
    let on_sphere = ellipsoid.flattening == 0.0 && ellipsoid.semi_major_axis == 6_378_137.0;
    let coded = root
        .epsg()
        .and_then(known::projected_by_code)
        .is_some_and(|known| known.definition.method == Method::WebMercator);
    let extension = root.children(&["EXTENSION"]).any(|e| {
        e.values.iter().any(|v| matches!(v, Value::Text(t) if t.contains("+a=6378137") && t.contains("+b=6378137")))
    });
    on_sphere || coded || extension
}
