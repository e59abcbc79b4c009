//! A direct, validating reader of the geometry half of a shapefile (`.shp`
//! with its `.shx` index), for polygon layers.
//!
//! Why not the `shapefile` crate: it decodes every point into its own
//! struct and a `Vec` per ring, then we copied them again; on a
//! full-resolution commune layer (20 M vertices) that alone took 1.7 s. The
//! format is simple enough to read straight from the bytes into the
//! coordinates we keep, record ranges in parallel, and to check every count
//! and length before trusting it — a damaged file must give an error naming
//! the record, never a panic, a huge allocation or a silently shifted read.
//!
//! Layout (ESRI white paper, 1998): a 100-byte header (file code 9994 and
//! length in 16-bit words, big-endian; version 1000, shape type and bounding
//! box, little-endian), then records: an 8-byte big-endian header (number,
//! content length in words) and the content (shape type, bounding box,
//! part and point counts, part starts, points; Z and M arrays after the
//! points for PolygonZ/M). The `.shx` holds, per record, its offset and
//! content length, in words, big-endian.

use std::path::Path;

use geo::{Coord, Rect};

/// Shape types of polygon layers (and the null shape).
const NULL: i32 = 0;
const POLYGON: i32 = 5;
const POLYGON_Z: i32 = 15;
const POLYGON_M: i32 = 25;
const HEADER: usize = 100;

/// The header of a `.shp` or `.shx`.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    /// Declared file length in bytes.
    pub length: usize,
    pub shape_type: i32,
    /// `[min x, min y, max x, max y]` in the file's own coordinates.
    pub bbox: [f64; 4],
}

/// Where a record's content lies in the `.shp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSpan {
    /// Byte offset of the content (after the 8-byte record header).
    pub offset: usize,
    /// Content length in bytes.
    pub length: usize,
}

/// A record read: its rings, in the file's coordinates, as they come
/// (the caller projects, orients and assembles them).
#[derive(Debug, Default)]
pub struct RawShape {
    /// Points of all rings, one after the other.
    pub points: Vec<Coord<f64>>,
    /// Start of each ring in `points`.
    pub parts: Vec<usize>,
}

impl RawShape {
    pub fn is_null(&self) -> bool {
        self.parts.is_empty()
    }

    /// The rings, each as a slice of points.
    pub fn rings(&self) -> impl Iterator<Item = &[Coord<f64>]> {
        self.parts.iter().enumerate().map(|(i, &start)| {
            let end = self.parts.get(i + 1).copied().unwrap_or(self.points.len());
            &self.points[start..end]
        })
    }
}

fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_i32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_f64(b: &[u8], at: usize) -> f64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    f64::from_le_bytes(x)
}

fn shape_name(t: i32) -> String {
    match t {
        0 => "vide (Null)".into(),
        1 | 11 | 21 => "points".into(),
        3 | 13 | 23 => "lignes".into(),
        8 | 18 | 28 => "multipoints".into(),
        5 | 15 | 25 => "polygones".into(),
        other => format!("de type {other}"),
    }
}

/// Reads and checks a 100-byte header; `actual` is the file's real size.
pub fn parse_header(bytes: &[u8], actual: usize) -> Result<Header, String> {
    if bytes.len() < HEADER {
        return Err(format!("en-tête trop court ({} octets sur 100)", bytes.len()));
    }
    if be_i32(bytes, 0) != 9994 {
        return Err("ce n'est pas un fichier de forme ESRI (code de fichier ≠ 9994)".into());
    }
    let version = le_i32(bytes, 28);
    if version != 1000 {
        return Err(format!("version {version} inconnue (1000 attendue)"));
    }
    let words = be_i32(bytes, 24);
    let length = usize::try_from(words).ok().and_then(|w| w.checked_mul(2)).filter(|&l| l >= HEADER);
    let length = length.ok_or_else(|| format!("longueur de fichier déclarée invalide ({words} mots)"))?;
    if length > actual {
        return Err(format!("fichier tronqué : {length} octets déclarés, {actual} présents"));
    }
    let shape_type = le_i32(bytes, 32);
    if ![NULL, POLYGON, POLYGON_Z, POLYGON_M].contains(&shape_type) {
        return Err(format!("couche de {} ; une couche de polygones est attendue", shape_name(shape_type)));
    }
    let bbox = [le_f64(bytes, 36), le_f64(bytes, 44), le_f64(bytes, 52), le_f64(bytes, 60)];
    let empty = shape_type == NULL || length == HEADER;
    let valid_box = bbox.iter().all(|v| v.is_finite()) && bbox[0] <= bbox[2] && bbox[1] <= bbox[3];
    if !empty && !valid_box {
        return Err(format!("emprise de l'en-tête invalide : {bbox:?}"));
    }
    Ok(Header { length, shape_type, bbox })
}

/// The record spans listed by a `.shx`, checked against the `.shp` length.
pub fn index_from_shx(shx: &[u8], shp_length: usize) -> Result<Vec<RecordSpan>, String> {
    let header = parse_header(shx, shx.len()).map_err(|e| format!(".shx : {e}"))?;
    if header.length != shx.len() || !(header.length - HEADER).is_multiple_of(8) {
        return Err(format!(".shx : longueur {} incohérente (100 + 8 octets par enregistrement attendus)", shx.len()));
    }
    let count = (header.length - HEADER) / 8;
    let mut spans = Vec::with_capacity(count);
    let mut end_of_previous = HEADER;
    for i in 0..count {
        let at = HEADER + i * 8;
        let (offset, length) = (be_i32(shx, at), be_i32(shx, at + 4));
        let span = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(length).ok())
            .map(|(o, l)| RecordSpan { offset: o * 2 + 8, length: l * 2 })
            .filter(|s| s.offset - 8 >= end_of_previous && s.offset + s.length <= shp_length)
            .ok_or_else(|| {
                format!(
                    ".shx, enregistrement {} : position {offset} et longueur {length} (en mots) hors du .shp ou chevauchant l'enregistrement précédent",
                    i + 1
                )
            })?;
        end_of_previous = span.offset + span.length;
        spans.push(span);
    }
    Ok(spans)
}

/// The record spans found by walking the `.shp` itself (when no `.shx` is given).
pub fn index_from_shp(shp: &[u8], shp_length: usize) -> Result<Vec<RecordSpan>, String> {
    let mut spans = Vec::new();
    let mut at = HEADER;
    while at < shp_length {
        let n = spans.len() + 1;
        if at + 8 > shp_length {
            return Err(format!("enregistrement {n} : en-tête coupé par la fin du fichier"));
        }
        let length = usize::try_from(be_i32(shp, at + 4))
            .map(|l| l * 2)
            .ok()
            .filter(|l| at + 8 + l <= shp_length)
            .ok_or_else(|| format!("enregistrement {n} : longueur hors du fichier"))?;
        spans.push(RecordSpan { offset: at + 8, length });
        at += 8 + length;
    }
    Ok(spans)
}

/// Checks a record header against its span (record numbers count from 1).
pub fn check_record_header(shp: &[u8], span: RecordSpan, number: usize) -> Result<(), String> {
    let at = span.offset - 8;
    let (declared_number, declared_words) = (be_i32(shp, at), be_i32(shp, at + 4));
    if usize::try_from(declared_number).ok() != Some(number) {
        return Err(format!("numéro d'enregistrement {declared_number} au lieu de {number}"));
    }
    if usize::try_from(declared_words).ok().map(|w| w * 2) != Some(span.length) {
        return Err(format!(
            "longueur {} octets dans le .shp, {} dans le .shx",
            i64::from(declared_words) * 2,
            span.length
        ));
    }
    Ok(())
}

/// Relative slack when checking that points lie in their declared box (writers round it).
const BOX_SLACK: f64 = 1e-9;

fn within(bbox: [f64; 4], x: f64, y: f64) -> bool {
    let sx = BOX_SLACK * (bbox[2] - bbox[0]).abs().max(bbox[0].abs()).max(1.0);
    let sy = BOX_SLACK * (bbox[3] - bbox[1]).abs().max(bbox[1].abs()).max(1.0);
    x >= bbox[0] - sx && x <= bbox[2] + sx && y >= bbox[1] - sy && y <= bbox[3] + sy
}

/// Parses a record's content (`content` is exactly its bytes) into `out`,
/// checking counts against the bytes present, point values and the record's
/// box; `layer_box` is the file header's box, which must hold every record.
pub fn parse_record(content: &[u8], layer_box: [f64; 4], out: &mut RawShape) -> Result<(), String> {
    out.points.clear();
    out.parts.clear();
    if content.len() < 4 {
        return Err(format!("contenu de {} octets, trop court pour un type de forme", content.len()));
    }
    let shape_type = le_i32(content, 0);
    if shape_type == NULL {
        return Ok(());
    }
    if ![POLYGON, POLYGON_Z, POLYGON_M].contains(&shape_type) {
        return Err(format!("géométrie de {} ; un polygone est attendu", shape_name(shape_type)));
    }
    if content.len() < 44 {
        return Err(format!("polygone de {} octets, moins que les 44 de son en-tête", content.len()));
    }
    let bbox = [le_f64(content, 4), le_f64(content, 12), le_f64(content, 20), le_f64(content, 28)];
    let (num_parts, num_points) = (le_i32(content, 36), le_i32(content, 40));
    let counts = usize::try_from(num_parts).ok().zip(usize::try_from(num_points).ok());
    let (parts, points) =
        counts.ok_or_else(|| format!("nombres de parties ({num_parts}) ou de points ({num_points}) négatifs"))?;
    // Checked before anything is allocated from these counts.
    let needed = parts.checked_mul(4).and_then(|p| points.checked_mul(16).map(|q| 44 + p + q));
    if needed.is_none_or(|n| n > content.len()) {
        return Err(format!(
            "{parts} parties et {points} points annoncés, mais l'enregistrement n'a que {} octets",
            content.len()
        ));
    }
    if parts == 0 || points == 0 {
        return if parts == 0 && points == 0 { Ok(()) } else { Err(format!("{parts} parties pour {points} points")) };
    }
    if !(bbox.iter().all(|v| v.is_finite()) && bbox[0] <= bbox[2] && bbox[1] <= bbox[3]) {
        return Err(format!("emprise de l'enregistrement invalide : {bbox:?}"));
    }
    if !(within(layer_box, bbox[0], bbox[1]) && within(layer_box, bbox[2], bbox[3])) {
        return Err(format!("emprise {bbox:?} hors de l'emprise de la couche {layer_box:?}"));
    }
    out.parts.reserve(parts);
    for k in 0..parts {
        let start = le_i32(content, 44 + 4 * k);
        let previous = out.parts.last().copied();
        let start = usize::try_from(start)
            .ok()
            .filter(|&s| s < points && previous.is_none_or(|p| s > p) && (k > 0 || s == 0))
            .ok_or_else(|| format!("partie {} : début {start} invalide pour {points} points", k + 1))?;
        out.parts.push(start);
    }
    let base = 44 + 4 * parts;
    out.points.reserve(points);
    let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for i in 0..points {
        let (x, y) = (le_f64(content, base + 16 * i), le_f64(content, base + 16 * i + 8));
        min = [min[0].min(x), min[1].min(y)];
        max = [max[0].max(x), max[1].max(y)];
        out.points.push(Coord { x, y });
    }
    // NaN never compares: one test on the extremes checks every point.
    if !(min.iter().chain(&max).all(|v| v.is_finite()) && out.points.iter().all(|p| p.x.is_finite() && p.y.is_finite()))
    {
        let i = out.points.iter().position(|p| !(p.x.is_finite() && p.y.is_finite())).unwrap_or(0);
        return Err(format!("point {} non fini ({}, {})", i + 1, out.points[i].x, out.points[i].y));
    }
    if !(within(bbox, min[0], min[1]) && within(bbox, max[0], max[1])) {
        return Err(format!(
            "points de ({}, {}) à ({}, {}) hors de l'emprise déclarée de l'enregistrement {bbox:?}",
            min[0], min[1], max[0], max[1]
        ));
    }
    Ok(())
}

/// The `.shx` beside a `.shp`, if any (`.shx` or `.SHX`).
pub fn shx_path(shp: &Path) -> Option<std::path::PathBuf> {
    ["shx", "SHX"].into_iter().map(|e| shp.with_extension(e)).find(|p| p.exists())
}

/// The file header's box as a `Rect`, for range checks.
pub fn header_rect(h: &Header) -> Rect<f64> {
    Rect::new(Coord { x: h.bbox[0], y: h.bbox[1] }, Coord { x: h.bbox[2], y: h.bbox[3] })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-record polygon file (a unit square), as bytes of the `.shp` and `.shx`.
    pub fn square_files() -> (Vec<u8>, Vec<u8>) {
        let mut content = Vec::new();
        content.extend_from_slice(&POLYGON.to_le_bytes());
        for v in [0.0f64, 0.0, 1.0, 1.0] {
            content.extend_from_slice(&v.to_le_bytes());
        }
        content.extend_from_slice(&1i32.to_le_bytes());
        content.extend_from_slice(&5i32.to_le_bytes());
        content.extend_from_slice(&0i32.to_le_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)] {
            content.extend_from_slice(&x.to_le_bytes());
            content.extend_from_slice(&y.to_le_bytes());
        }
        let header = |length: usize| {
            let mut h = vec![0u8; 100];
            h[0..4].copy_from_slice(&9994i32.to_be_bytes());
            h[24..28].copy_from_slice(&((length / 2) as i32).to_be_bytes());
            h[28..32].copy_from_slice(&1000i32.to_le_bytes());
            h[32..36].copy_from_slice(&POLYGON.to_le_bytes());
            for (i, v) in [0.0f64, 0.0, 1.0, 1.0].iter().enumerate() {
                h[36 + 8 * i..44 + 8 * i].copy_from_slice(&v.to_le_bytes());
            }
            h
        };
        let mut shp = header(100 + 8 + content.len());
        shp.extend_from_slice(&1i32.to_be_bytes());
        shp.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        shp.extend_from_slice(&content);
        let mut shx = header(108);
        shx.extend_from_slice(&50i32.to_be_bytes());
        shx.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        (shp, shx)
    }

    fn read_all(shp: &[u8], shx: &[u8]) -> Result<Vec<RawShape>, String> {
        let header = parse_header(shp, shp.len())?;
        let spans = index_from_shx(shx, header.length)?;
        spans
            .iter()
            .enumerate()
            .map(|(i, s)| {
                check_record_header(shp, *s, i + 1)?;
                let mut out = RawShape::default();
                parse_record(&shp[s.offset..s.offset + s.length], header.bbox, &mut out)?;
                Ok(out)
            })
            .collect()
    }

    #[test]
    fn reads_a_square_and_agrees_with_a_walk_of_the_file() {
        let (shp, shx) = square_files();
        let shapes = read_all(&shp, &shx).unwrap();
        assert_eq!(shapes[0].points.len(), 5);
        assert_eq!(shapes[0].rings().count(), 1);
        assert_eq!(index_from_shp(&shp, shp.len()).unwrap(), index_from_shx(&shx, shp.len()).unwrap());
    }

    #[test]
    fn a_point_count_larger_than_the_record_is_refused_before_allocating() {
        let (mut shp, shx) = square_files();
        // numPoints of the only record: 100 (header) + 8 (record header) + 40.
        shp[148..152].copy_from_slice(&i32::MAX.to_le_bytes());
        let err = read_all(&shp, &shx).unwrap_err();
        assert!(err.contains("points annoncés"), "{err}");
    }

    #[test]
    fn a_point_outside_its_declared_box_is_refused() {
        let (mut shp, shx) = square_files();
        // x of the third point: content starts at 108, points at 108 + 48.
        shp[108 + 48 + 32..108 + 48 + 40].copy_from_slice(&7.0f64.to_le_bytes());
        assert!(read_all(&shp, &shx).unwrap_err().contains("hors de l'emprise"));
    }

    #[test]
    fn a_truncated_file_and_a_shifted_index_are_refused() {
        let (shp, shx) = square_files();
        assert!(read_all(&shp[..shp.len() - 10], &shx).unwrap_err().contains("tronqué"));
        let mut bad = shx.clone();
        bad[100..104].copy_from_slice(&40i32.to_be_bytes());
        assert!(read_all(&shp, &bad).is_err());
    }

    #[test]
    fn every_truncation_and_byte_flip_is_an_error_or_a_valid_shape() {
        let (shp, shx) = square_files();
        for cut in 0..shp.len() {
            let _ = read_all(&shp[..cut], &shx);
        }
        for at in 0..shp.len() {
            for bit in [0x01u8, 0x80] {
                let mut flipped = shp.clone();
                flipped[at] ^= bit;
                if let Ok(shapes) = read_all(&flipped, &shx) {
                    assert!(shapes.iter().all(|s| s.points.iter().all(|p| p.x.is_finite() && p.y.is_finite())));
                }
            }
        }
    }
}
