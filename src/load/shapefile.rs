//! Commune and arrondissement layers from shapefiles, IGN ADMIN EXPRESS style.
//!
//! Field names are matched without case and cover ADMIN EXPRESS 2.x and 3.x
//! (and the lower-case names of 4.0). The CRS comes from the `.prj`, the text
//! encoding from the `.cpg`, else from the DBF language byte, else from the
//! content (strict UTF-8, otherwise Windows-1252). Rings are re-assembled by
//! containment and oriented once here, so later stages can trust them.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use ::shapefile::{Shape, ShapeReader};
use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};

use super::crs::Crs;
use super::dbf::Dbf;
use super::fields::{LayerKind, read_records};
use super::{InputError, Layer, read_bytes};
use crate::diagnostics::Warning;
use crate::geometry::{orient, point_in_ring, ring_bbox, ring_twice_signed_area};

/// A shapefile opened: its attribute table located, its CRS read, its geometries not yet decoded.
struct Opened {
    dbf_path: PathBuf,
    dbf: Dbf,
    encoding: &'static str,
    crs: Crs,
    shp: Vec<u8>,
}

fn open(path: &Path, warnings: &mut Vec<Warning>) -> Result<Opened, InputError> {
    let dbf_path = path.with_extension("dbf");
    let bytes = read_bytes(&dbf_path)?;
    let (encoding, name) = detect_encoding(path, &bytes);
    let dbf = Dbf::parse(bytes, encoding).map_err(|e| InputError::file(&dbf_path, e))?;
    let crs = read_crs(path, warnings)?;
    let shp = read_bytes(path)?;
    Ok(Opened { dbf_path, dbf, encoding: name, crs, shp })
}

fn same_count(path: &Path, shapes: usize, records: usize) -> Result<(), InputError> {
    if shapes == records {
        Ok(())
    } else {
        Err(InputError::file(path, format!("{shapes} géométries mais {records} enregistrements dans le .dbf")))
    }
}

/// Reads one layer (`COMMUNE.shp`, `ARRONDISSEMENT_MUNICIPAL.shp`, or a file of that shape).
pub fn read_layer(path: &Path, kind: LayerKind, warnings: &mut Vec<Warning>) -> Result<Layer, InputError> {
    let Opened { dbf_path, dbf, encoding, crs, shp } = open(path, warnings)?;
    // Attributes and geometries are independent: read them on two cores.
    let (attributes, shapes) = std::thread::scope(|scope| {
        let attributes = scope.spawn(|| read_records(&dbf_path, &dbf, kind));
        let shapes = read_shapes(path, shp, &crs);
        (attributes.join(), shapes)
    });
    let attributes = attributes.map_err(|_| InputError::file(&dbf_path, "lecture interrompue"))??;
    let shapes = shapes?;
    same_count(path, shapes.len(), attributes.len())?;
    let mut records = Vec::with_capacity(shapes.len());
    for (mut record, contour) in attributes.into_iter().zip(shapes) {
        record.contour = contour;
        records.push(record);
    }
    Ok(Layer { path: path.to_path_buf(), layer: None, crs: crs.to_string(), encoding, records })
}

/// Contours in WGS84, one per record (`None` for null shapes).
pub type Contours = Vec<Option<MultiPolygon<f64>>>;

/// Any polygon shapefile: its attribute table and its geometries in WGS84
/// (used for territories drawn as polygons).
pub fn read_features(path: &Path, warnings: &mut Vec<Warning>) -> Result<(Dbf, Contours), InputError> {
    let Opened { dbf, crs, shp, .. } = open(path, warnings)?;
    let shapes = read_shapes(path, shp, &crs)?;
    same_count(path, shapes.len(), dbf.len())?;
    Ok((dbf, shapes))
}

/// `.cpg` first (with the spellings seen in the wild), then the DBF language
/// byte, then the bytes themselves.
fn detect_encoding(path: &Path, dbf: &[u8]) -> (&'static encoding_rs::Encoding, &'static str) {
    use encoding_rs::{UTF_8, WINDOWS_1252};
    if let Ok(cpg) = std::fs::read_to_string(path.with_extension("cpg")) {
        let key = cpg.trim().trim_start_matches('\u{feff}').to_ascii_uppercase().replace(['-', '_', ' '], "");
        match key.as_str() {
            "UTF8" | "65001" => return (UTF_8, "UTF-8 (.cpg)"),
            "1252" | "CP1252" | "WINDOWS1252" | "ANSI1252" | "ISO88591" | "LATIN1" | "88591" => {
                return (WINDOWS_1252, "Windows-1252 (.cpg)");
            }
            _ => {}
        }
    }
    match dbf.get(29) {
        Some(0x03 | 0x57 | 0x01 | 0x02) => {
            return (WINDOWS_1252, "Windows-1252 (octet de langue du .dbf)");
        }
        Some(0x00) | None => {}
        Some(_) => {}
    }
    if std::str::from_utf8(dbf.get(32..).unwrap_or_default()).is_ok() {
        (UTF_8, "UTF-8 (déduit du contenu)")
    } else {
        (WINDOWS_1252, "Windows-1252 (déduit du contenu)")
    }
}

fn read_crs(path: &Path, warnings: &mut Vec<Warning>) -> Result<Crs, InputError> {
    let prj = path.with_extension("prj");
    match std::fs::read_to_string(&prj) {
        Ok(wkt) => Crs::from_wkt(&wkt).map_err(|e| InputError::file(&prj, e.to_string())),
        Err(_) => {
            warnings.push(Warning::at(
                "missing_prj",
                path.display().to_string(),
                "pas de fichier .prj : coordonnées supposées en WGS84 (longitude, latitude)",
            ));
            Ok(Crs::wgs84())
        }
    }
}

/// Reads every shape as a WGS84 multipolygon (`None` for null shapes).
fn read_shapes(path: &Path, bytes: Vec<u8>, crs: &Crs) -> Result<Contours, InputError> {
    let mut reader = ShapeReader::new(Cursor::new(bytes))
        .map_err(|e| InputError::file(path, format!("fichier .shp illisible : {e}")))?;
    // The header's box is the extent of all shapes; a file without records
    // (header only, 50 words) has none worth checking.
    let header = reader.header();
    if header.file_length > 50 {
        let (min, max) = (&header.bbox.min, &header.bbox.max);
        crs.check_extent(min.x, min.y, max.x, max.y).map_err(|e| InputError::file(path, e))?;
    }
    let to_wgs84 = crs.to_wgs84();
    let mut out = Vec::new();
    for (i, shape) in reader.iter_shapes().enumerate() {
        let at = |message: String| InputError::Record { path: path.to_path_buf(), record: i + 1, message };
        let shape = shape.map_err(|e| at(format!("géométrie illisible : {e}")))?;
        let raw: Vec<Vec<(f64, f64)>> = match &shape {
            Shape::NullShape => {
                out.push(None);
                continue;
            }
            Shape::Polygon(p) => p.rings().iter().map(|r| r.points().iter().map(|p| (p.x, p.y)).collect()).collect(),
            Shape::PolygonM(p) => p.rings().iter().map(|r| r.points().iter().map(|p| (p.x, p.y)).collect()).collect(),
            Shape::PolygonZ(p) => p.rings().iter().map(|r| r.points().iter().map(|p| (p.x, p.y)).collect()).collect(),
            other => {
                return Err(at(format!("géométrie de type {} ; Polygon attendu", other.shapetype())));
            }
        };
        let rings: Vec<Vec<Coord<f64>>> = raw
            .into_iter()
            .map(|ring| ring.into_iter().map(|(x, y)| to_wgs84.convert(x, y).map(|(x, y)| Coord { x, y })).collect())
            .collect::<Option<_>>()
            .ok_or_else(|| at(format!("coordonnées hors du domaine de {crs}")))?;
        out.push(assemble(rings));
    }
    Ok(out)
}

/// Builds polygons from shapefile rings: clockwise rings are exteriors,
/// counter-clockwise ones holes, each hole going to the smallest exterior
/// that contains it (the format does not promise any order).
fn assemble(rings: Vec<Vec<Coord<f64>>>) -> Option<MultiPolygon<f64>> {
    let mut exteriors: Vec<(Vec<Coord<f64>>, f64, Rect<f64>)> = Vec::new();
    let mut holes = Vec::new();
    for mut ring in rings.into_iter().filter(|r| r.len() >= 4) {
        if ring.first() != ring.last() {
            ring.push(ring[0]);
        }
        let area = ring_twice_signed_area(&ring);
        if area < 0.0 {
            let rect = ring_bbox(&ring);
            exteriors.push((ring, -area, rect));
        } else if area > 0.0 {
            holes.push(ring);
        }
    }
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); exteriors.len()];
    for hole in holes {
        let p = hole[0];
        let owner = exteriors
            .iter()
            .enumerate()
            .filter(|(_, (ring, _, rect))| {
                rect.min().x <= p.x
                    && p.x <= rect.max().x
                    && rect.min().y <= p.y
                    && p.y <= rect.max().y
                    && point_in_ring(p, ring)
            })
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, _)| i);
        match owner {
            Some(i) => interiors[i].push(LineString(hole)),
            // A counter-clockwise ring inside nothing is an island written the wrong way round.
            None => {
                let rect = ring_bbox(&hole);
                exteriors.push((hole, 0.0, rect));
                interiors.push(Vec::new());
            }
        }
    }
    if exteriors.is_empty() {
        return None;
    }
    let mut mp = MultiPolygon(
        exteriors
            .into_iter()
            .zip(interiors)
            .map(|((ring, _, _), holes)| Polygon::new(LineString(ring), holes))
            .collect(),
    );
    orient(&mut mp);
    Some(mp)
}
