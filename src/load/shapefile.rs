//! Commune and arrondissement layers as shapefiles, IGN ADMIN EXPRESS 2.x/3.x
//! style (attributes in [`super::fields`]).
//!
//! The CRS comes from the `.prj` (an unreadable one is an error; a missing
//! one means WGS84, with a warning, and coordinates that are not degrees are
//! then refused); the text encoding from the `.cpg`, else the DBF language
//! byte, else the content. Geometries are read by [`super::shp`] record
//! range by record range on every core: each record is projected to WGS84,
//! its rings cleaned (repeated points), assembled by containment, oriented
//! once and measured while still in cache — later stages trust them.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use geo::{Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;

use super::contour::Shape;
use super::crs::Crs;
use super::dbf::Dbf;
use super::fields::{LayerKind, read_records};
use super::shp::{self, RawShape, RecordSpan};
use super::{InputError, Layer, bundled, read_bytes};
use crate::diagnostics::Warning;
use crate::geometry::{BuiltRing, Measure, RingBuilder, point_in_ring};
use crate::progress::Progress;

/// A shapefile's four files, from disk or from memory (the bundled data).
pub struct ShapefileSource<'a> {
    /// The `.shp` path, for messages.
    pub path: PathBuf,
    pub shp: Bytes<'a>,
    pub shx: Option<Bytes<'a>>,
    pub dbf: Vec<u8>,
    /// Text of the `.prj`, if there is one (decoded leniently: a garbled one fails as WKT).
    pub prj: Option<String>,
    pub cpg: Option<String>,
}

/// Where the bytes of a file are.
pub enum Bytes<'a> {
    File(std::fs::File),
    Memory(&'a [u8]),
    Owned(Vec<u8>),
}

impl Bytes<'_> {
    fn len(&self) -> std::io::Result<usize> {
        match self {
            Bytes::File(f) => Ok(f.metadata()?.len() as usize),
            Bytes::Memory(b) => Ok(b.len()),
            Bytes::Owned(b) => Ok(b.len()),
        }
    }

    /// `len` bytes at `offset` (borrowed when in memory).
    fn read(&self, offset: usize, len: usize) -> std::io::Result<Cow<'_, [u8]>> {
        let in_memory = |b: &[u8]| {
            b.get(offset..offset + len)
                .map(|_| ())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
        };
        match self {
            Bytes::Memory(b) => in_memory(b).map(|()| Cow::Borrowed(&b[offset..offset + len])),
            Bytes::Owned(b) => in_memory(b).map(|()| Cow::Borrowed(&b[offset..offset + len])),
            Bytes::File(f) => {
                let mut buf = vec![0u8; len];
                std::os::unix::fs::FileExt::read_exact_at(f, &mut buf, offset as u64)?;
                Ok(Cow::Owned(buf))
            }
        }
    }
}

impl ShapefileSource<'static> {
    /// The files beside `path`, on disk or embedded in the binary.
    pub fn open(path: &Path) -> Result<ShapefileSource<'static>, InputError> {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| InputError::Io { path: p, source }
        };
        let (shp, shx) = if bundled::exists(path) {
            let shx = path.with_extension("shx");
            let shx = if bundled::exists(&shx) { Some(Bytes::Owned(read_bytes(&shx)?)) } else { None };
            (Bytes::Owned(read_bytes(path)?), shx)
        } else {
            let shp = Bytes::File(std::fs::File::open(path).map_err(io(path))?);
            let shx = match shp::shx_path(path) {
                Some(p) => Some(Bytes::File(std::fs::File::open(&p).map_err(io(&p))?)),
                None => None,
            };
            (shp, shx)
        };
        let dbf = read_bytes(&sibling(path, "dbf"))?;
        Ok(ShapefileSource {
            path: path.to_path_buf(),
            shp,
            shx,
            dbf,
            prj: optional_text(&sibling(path, "prj"))?,
            cpg: optional_text(&sibling(path, "cpg"))?,
        })
    }
}

/// A small text file that may be absent (`.prj`, `.cpg`), decoded leniently:
/// garbage must reach the parser and fail there, not pass for "absent".
fn optional_text(path: &Path) -> Result<Option<String>, InputError> {
    if !super::exists(path) {
        return Ok(None);
    }
    read_bytes(path).map(|b| Some(String::from_utf8_lossy(&b).into_owned()))
}

/// `COMMUNE.dbf` beside `COMMUNE.shp`, or `COMMUNE.DBF` when that is how it is spelt.
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let lower = path.with_extension(ext);
    let upper = path.with_extension(ext.to_ascii_uppercase());
    if !super::exists(&lower) && super::exists(&upper) { upper } else { lower }
}

/// A shapefile opened: attribute table located, CRS read, geometries not yet decoded.
struct Opened<'a> {
    source: ShapefileSource<'a>,
    dbf: Dbf,
    encoding: &'static str,
    crs: Crs,
}

fn open<'a>(mut source: ShapefileSource<'a>, warnings: &mut Vec<Warning>) -> Result<Opened<'a>, InputError> {
    let dbf_path = source.path.with_extension("dbf");
    let (encoding, name) = detect_encoding(source.cpg.as_deref(), &source.dbf);
    let dbf = Dbf::parse(std::mem::take(&mut source.dbf), encoding).map_err(|e| InputError::file(&dbf_path, e))?;
    let crs = match &source.prj {
        Some(wkt) => {
            Crs::from_wkt(wkt).map_err(|e| InputError::file(&source.path.with_extension("prj"), e.to_string()))?
        }
        None => {
            warnings.push(Warning::at(
                "missing_prj",
                source.path.display().to_string(),
                "pas de fichier .prj : coordonnées supposées en WGS84 (longitude, latitude)",
            ));
            Crs::wgs84()
        }
    };
    Ok(Opened { source, dbf, encoding: name, crs })
}

fn same_count(path: &Path, shapes: usize, records: usize) -> Result<(), InputError> {
    if shapes == records {
        Ok(())
    } else {
        Err(InputError::file(path, format!("{shapes} géométries mais {records} enregistrements dans le .dbf")))
    }
}

/// Reads one layer (`COMMUNE.shp`, `ARRONDISSEMENT_MUNICIPAL.shp`, or a file of that shape).
pub fn read_layer(
    path: &Path,
    kind: LayerKind,
    progress: Option<&Progress>,
    warnings: &mut Vec<Warning>,
) -> Result<Layer, InputError> {
    read_layer_from(ShapefileSource::open(path)?, kind, progress, warnings)
}

/// Reads one layer from its files, wherever they are.
pub fn read_layer_from(
    source: ShapefileSource<'_>,
    kind: LayerKind,
    progress: Option<&Progress>,
    warnings: &mut Vec<Warning>,
) -> Result<Layer, InputError> {
    let Opened { source, dbf, encoding, crs } = open(source, warnings)?;
    let dbf_path = source.path.with_extension("dbf");
    // Attributes and geometries are independent: read them side by side.
    let (attributes, shapes) =
        rayon::join(|| read_records(&dbf_path, &dbf, kind), || read_shapes(&source, &crs, progress));
    let (attributes, shapes) = (attributes?, shapes?);
    same_count(&source.path, shapes.len(), attributes.len())?;
    let records = attributes
        .into_iter()
        .zip(shapes)
        .map(|(mut record, shape)| {
            if let Some(shape) = shape {
                record.contour = Some(shape.contour);
                record.measure = Some(shape.measure);
            }
            record
        })
        .collect();
    Ok(Layer { path: source.path.clone(), layer: None, crs: crs.to_string(), encoding, records })
}

/// Contours in WGS84, one per record (`None` for null shapes).
pub type Contours = Vec<Option<MultiPolygon<f64>>>;

/// Any polygon shapefile: its attribute table and its geometries in WGS84
/// (used for territories drawn as polygons).
pub fn read_features(path: &Path, warnings: &mut Vec<Warning>) -> Result<(Dbf, Contours), InputError> {
    let Opened { source, dbf, crs, .. } = open(ShapefileSource::open(path)?, warnings)?;
    let shapes = read_shapes(&source, &crs, None)?;
    same_count(&source.path, shapes.len(), dbf.len())?;
    Ok((dbf, shapes.into_iter().map(|s| s.map(|s| s.contour)).collect()))
}

/// `.cpg` first (with the spellings seen in the wild), then the DBF language
/// byte, then the bytes themselves.
fn detect_encoding(cpg: Option<&str>, dbf: &[u8]) -> (&'static encoding_rs::Encoding, &'static str) {
    use encoding_rs::{UTF_8, WINDOWS_1252};
    if let Some(cpg) = cpg {
        let key = cpg.trim().trim_start_matches('\u{feff}').to_ascii_uppercase().replace(['-', '_', ' '], "");
        match key.as_str() {
            "UTF8" | "65001" => return (UTF_8, "UTF-8 (.cpg)"),
            "1252" | "CP1252" | "WINDOWS1252" | "ANSI1252" | "ISO88591" | "LATIN1" | "88591" => {
                return (WINDOWS_1252, "Windows-1252 (.cpg)");
            }
            _ => {}
        }
    }
    if let Some(0x03 | 0x57 | 0x01 | 0x02) = dbf.get(29) {
        return (WINDOWS_1252, "Windows-1252 (octet de langue du .dbf)");
    }
    if std::str::from_utf8(dbf.get(32..).unwrap_or_default()).is_ok() {
        (UTF_8, "UTF-8 (déduit du contenu)")
    } else {
        (WINDOWS_1252, "Windows-1252 (déduit du contenu)")
    }
}

/// Bytes read at once by a worker: bounds memory whatever the file size.
const WINDOW: usize = 1 << 20;

/// Reads every shape as a WGS84 multipolygon (`None` for null shapes), record
/// ranges in parallel; the first error (lowest record) wins.
fn read_shapes(
    source: &ShapefileSource<'_>,
    crs: &Crs,
    progress: Option<&Progress>,
) -> Result<Vec<Option<Shape>>, InputError> {
    let path = &source.path;
    let file_err = |m: String| InputError::file(path, m);
    let io_err = |e: std::io::Error| InputError::Io { path: path.clone(), source: e };
    let actual = source.shp.len().map_err(io_err)?;
    let head = source.shp.read(0, actual.min(100)).map_err(io_err)?;
    let header = shp::parse_header(&head, actual).map_err(file_err)?;
    // A header without records has no extent worth checking.
    if header.length > 100 {
        let [x0, y0, x1, y1] = header.bbox;
        crs.check_extent(x0, y0, x1, y1).map_err(file_err)?;
    }
    let spans = match &source.shx {
        Some(shx) => {
            let shx_len = shx.len().map_err(io_err)?;
            let bytes = shx.read(0, shx_len).map_err(io_err)?;
            shp::index_from_shx(&bytes, header.length).map_err(file_err)?
        }
        None => {
            let bytes = source.shp.read(0, header.length).map_err(io_err)?;
            shp::index_from_shp(&bytes, header.length).map_err(file_err)?
        }
    };
    let projection = crs.projection();
    let windows = windows(&spans);
    if let Some(p) = progress {
        p.stage(&format!("lecture de {}", path.display()), header.length as u64);
    }
    let results: Vec<Result<Vec<Option<Shape>>, InputError>> = windows
        .par_iter()
        .map(|&(first, count)| {
            let part = &spans[first..first + count];
            let start = part[0].offset - 8;
            let end = part[count - 1].offset + part[count - 1].length;
            let bytes = source.shp.read(start, end - start).map_err(io_err)?;
            let mut raw = RawShape::default();
            let mut out = Vec::with_capacity(count);
            for (k, span) in part.iter().enumerate() {
                let number = first + k + 1;
                let at = |message: String| InputError::Record { path: path.clone(), record: number, message };
                let local = RecordSpan { offset: span.offset - start, length: span.length };
                shp::check_record_header(&bytes, local, number).map_err(at)?;
                shp::parse_record(&bytes[local.offset..local.offset + local.length], header.bbox, &mut raw)
                    .map_err(at)?;
                let shape = to_shape(&raw, |x, y| projection.to_wgs84(x, y))
                    .map_err(|(x, y)| at(format!("coordonnées ({x}, {y}) hors du domaine de {crs}")))?;
                out.push(shape);
            }
            if let Some(p) = progress {
                p.advance((end - start) as u64);
            }
            Ok(out)
        })
        .collect();
    let mut shapes = Vec::with_capacity(spans.len());
    for part in results {
        shapes.extend(part?);
    }
    Ok(shapes)
}

/// Consecutive records in windows of about [`WINDOW`] bytes: `(first, count)`.
fn windows(spans: &[RecordSpan]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut bytes = 0;
    for (i, s) in spans.iter().enumerate() {
        if i > first && bytes + s.length + 8 > WINDOW {
            out.push((first, i - first));
            first = i;
            bytes = 0;
        }
        bytes += s.length + 8;
    }
    if first < spans.len() {
        out.push((first, spans.len() - first));
    }
    out
}

/// Projects, cleans, assembles and measures one record. `Err` carries the
/// first point the projection refused.
///
/// Shapefile exteriors are clockwise and holes counter-clockwise, the
/// opposite of what `geo` and RFC 7946 want: each ring is read backwards, so
/// in the usual case nothing has to be reversed afterwards.
fn to_shape(raw: &RawShape, project: impl Fn(f64, f64) -> Option<Coord<f64>>) -> Result<Option<Shape>, (f64, f64)> {
    if raw.is_null() {
        return Ok(None);
    }
    let mut rings = Vec::with_capacity(raw.parts.len());
    for ring in raw.rings() {
        let mut builder = RingBuilder::with_capacity(ring.len());
        for p in ring.iter().rev() {
            builder.push(project(p.x, p.y).ok_or((p.x, p.y))?);
        }
        rings.extend(builder.finish());
    }
    Ok(assemble(rings))
}

/// Builds polygons from rings already oriented as `geo` wants them when the
/// file follows the format: counter-clockwise rings are exteriors, clockwise
/// ones holes, each hole going to the smallest exterior that contains it
/// (the format does not promise any order). A hole inside nothing is an
/// island written the wrong way round: it becomes an exterior.
fn assemble(rings: Vec<BuiltRing>) -> Option<Shape> {
    let (mut exteriors, holes): (Vec<BuiltRing>, Vec<BuiltRing>) =
        rings.into_iter().filter(|r| r.signed_area_m2 != 0.0).partition(|r| r.signed_area_m2 > 0.0);
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); exteriors.len()];
    let mut hole_area = 0.0;
    for mut hole in holes {
        let p = hole.coords[0];
        let owner = exteriors
            .iter()
            .enumerate()
            .filter(|(_, e)| e.bbox.intersects(&p) && point_in_ring(p, &e.coords))
            .min_by(|a, b| a.1.signed_area_m2.total_cmp(&b.1.signed_area_m2))
            .map(|(i, _)| i);
        match owner {
            Some(i) => {
                hole_area -= hole.signed_area_m2;
                interiors[i].push(LineString(hole.coords));
            }
            None => {
                hole.coords.reverse();
                hole.signed_area_m2 = -hole.signed_area_m2;
                exteriors.push(hole);
                interiors.push(Vec::new());
            }
        }
    }
    let first = exteriors.first()?.bbox;
    let bbox = exteriors.iter().fold(first, |b, e| bounding_union(b, e.bbox));
    let area_m2: f64 = exteriors.iter().map(|e| e.signed_area_m2).sum::<f64>() - hole_area;
    let contour = MultiPolygon(
        exteriors.into_iter().zip(interiors).map(|(e, holes)| Polygon::new(LineString(e.coords), holes)).collect(),
    );
    Some(Shape { contour, measure: Measure { bbox, area_km2: area_m2 / 1e6 } })
}

fn bounding_union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}
