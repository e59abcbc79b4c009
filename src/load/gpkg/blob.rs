//! The GeoPackage geometry blob: a small header, then a WKB Polygon or
//! MultiPolygon, decoded straight into a [`ContourBuilder`].
//!
//! Header (GeoPackage 1.x, §2.1.3): magic `GP`, version `0`, a flags byte
//! (bit 0 byte order of the header, bits 1–3 envelope kind — 0 none, 1 XY,
//! 2 XYZ, 3 XYM, 4 XYZM —, bit 4 empty geometry, bit 5 extended type, bits 6–7
//! reserved), the `srs_id`, the envelope, then standard WKB. GDAL writes ISO
//! type codes (1003, 2006…) for Z/M geometries; PostGIS-style EWKB sets high
//! bits instead (Z `0x8000_0000`, M `0x4000_0000`, SRID `0x2000_0000`, the
//! "2.5D" codes of old GDAL): both are read, the Z and M values skipped.
//!
//! Why a parser of our own rather than the `wkb` crate (0.9): reading its
//! source, a MultiPolygon's parts are parsed with the outer byte order and
//! dimension without reading each part's own byte-order byte and type code,
//! so a part that is not a Polygon (or written in the other byte order) is
//! misread rather than refused; type codes are taken modulo 8, so a
//! CurvePolygon (10) or a Triangle (17) would pass as something else; and
//! coordinates are read one `Cursor` at a time. Polygon WKB is small enough
//! to check completely here: every count is checked against the bytes left
//! before anything is allocated from it, every part must be a Polygon of the
//! same dimension, and the geometry must use the blob exactly.

use super::super::contour::ContourBuilder;

/// What one blob holds, once checked: its `srs_id` and whether it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobInfo {
    pub srs_id: i32,
    pub empty: bool,
}

const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;
/// Byte order + type code + count: the smallest WKB Polygon.
const MIN_PART: usize = 9;

/// Decodes a whole blob into `builder` (left with the feature's rings; call
/// `finish`). Errors say what was found and what was expected, in French.
pub fn decode(blob: &[u8], builder: &mut ContourBuilder) -> Result<BlobInfo, String> {
    let (info, wkb) = header(blob)?;
    let mut reader = Reader { bytes: wkb, at: 0, little: true };
    let (kind, dims) = reader.geometry_type(true)?;
    match kind {
        WKB_POLYGON => reader.polygon(dims, builder)?,
        _ => {
            let parts = reader.count(MIN_PART, "polygones")?;
            for _ in 0..parts {
                let (_, part_dims) = reader.geometry_type(false)?;
                if part_dims != dims {
                    return Err(format!(
                        "partie de MultiPolygon à {part_dims} dimensions dans un MultiPolygon à {dims} dimensions"
                    ));
                }
                reader.polygon(dims, builder)?;
            }
        }
    }
    if reader.at != wkb.len() {
        return Err(format!("{} octets en trop après la géométrie WKB", wkb.len() - reader.at));
    }
    Ok(info)
}

/// Checks the GeoPackage header; returns it and the WKB that follows.
fn header(blob: &[u8]) -> Result<(BlobInfo, &[u8]), String> {
    if blob.len() < 8 {
        return Err(format!("géométrie GeoPackage trop courte ({} octets, au moins 8 attendus)", blob.len()));
    }
    if &blob[..2] != b"GP" {
        return Err(format!(
            "en-tête de géométrie GeoPackage invalide (octets {:02X} {:02X} ; « GP » attendu)",
            blob[0], blob[1]
        ));
    }
    if blob[2] != 0 {
        return Err(format!("version {} de géométrie GeoPackage inconnue (0 attendu)", blob[2]));
    }
    let flags = blob[3];
    if flags & 0b1100_0000 != 0 {
        return Err(format!("drapeaux de géométrie GeoPackage invalides ({flags:#010b} : bits réservés non nuls)"));
    }
    if flags & 0b0010_0000 != 0 {
        return Err("géométrie GeoPackage de type étendu (drapeau X) ; WKB standard attendu".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("indicateur d'enveloppe {other} invalide (0 à 4 attendu)")),
    };
    let id = [blob[4], blob[5], blob[6], blob[7]];
    let srs_id = if flags & 1 == 1 { i32::from_le_bytes(id) } else { i32::from_be_bytes(id) };
    let start = 8 + envelope;
    if blob.len() < start {
        return Err(format!(
            "géométrie GeoPackage tronquée : {} octets, l'en-tête annonce une enveloppe de {envelope} octets",
            blob.len()
        ));
    }
    Ok((BlobInfo { srs_id, empty: flags & 0b1_0000 != 0 }, &blob[start..]))
}

fn type_name(kind: u32) -> String {
    let name = match kind {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        _ => return format!("inconnu ({kind})"),
    };
    name.to_string()
}

/// A cursor over WKB bytes; `little` is the byte order of the current geometry.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    little: bool,
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], String> {
        if self.left() < n {
            return Err(format!(
                "géométrie WKB tronquée à l'octet {} : {n} octets attendus pour {what}, {} restants",
                self.at,
                self.left()
            ));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let little = self.little;
        let b = self.take(4, what)?;
        let b = [b[0], b[1], b[2], b[3]];
        Ok(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    /// A count of elements each at least `min_size` bytes long, checked against the bytes left.
    fn count(&mut self, min_size: usize, what: &str) -> Result<usize, String> {
        let n = self.u32(what)? as usize;
        if n.checked_mul(min_size).is_none_or(|need| need > self.left()) {
            return Err(format!("{n} {what} annoncés mais {} octets restants dans la géométrie WKB", self.left()));
        }
        Ok(n)
    }

    /// Byte order and type code; returns the base type (Polygon or MultiPolygon)
    /// and the number of values per point.
    fn geometry_type(&mut self, outer: bool) -> Result<(u32, usize), String> {
        self.little = match self.take(1, "l'ordre des octets")?[0] {
            0 => false,
            1 => true,
            other => return Err(format!("ordre des octets WKB {other} invalide (0 ou 1 attendu)")),
        };
        let code = self.u32("le type de géométrie")?;
        let (ewkb_z, ewkb_m, srid) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0, code & 0x2000_0000 != 0);
        let iso = code & 0x0FFF_FFFF;
        if code & 0x1000_0000 != 0 || iso >= 4000 {
            return Err(format!("type de géométrie WKB {code:#x} inconnu ; Polygon ou MultiPolygon attendu"));
        }
        let (iso_dims, base) = (iso / 1000, iso % 1000);
        if (ewkb_z || ewkb_m) && iso_dims != 0 {
            return Err(format!("type de géométrie WKB {code:#x} incohérent (dimensions ISO et EWKB mêlées)"));
        }
        let dims = 2 + match iso_dims {
            1 | 2 => 1,
            3 => 2,
            _ => usize::from(ewkb_z) + usize::from(ewkb_m),
        };
        if outer && base != WKB_POLYGON && base != WKB_MULTIPOLYGON {
            return Err(format!("géométrie de type {} ; Polygon ou MultiPolygon attendu", type_name(base)));
        }
        if !outer && base != WKB_POLYGON {
            return Err(format!("partie de MultiPolygon de type {} ; Polygon attendu", type_name(base)));
        }
        if srid {
            if !outer {
                return Err("SRID inattendu dans une partie de MultiPolygon".into());
            }
            self.take(4, "le SRID")?;
        }
        Ok((base, dims))
    }

    fn polygon(&mut self, dims: usize, builder: &mut ContourBuilder) -> Result<(), String> {
        builder.begin_polygon();
        let rings = self.count(4, "anneaux")?;
        let stride = dims * 8;
        for _ in 0..rings {
            let points = self.count(stride, "points")?;
            let little = self.little;
            let bytes = self.take(points * stride, "les points")?;
            let f64_at = |c: &[u8], i: usize| {
                let b = [c[i], c[i + 1], c[i + 2], c[i + 3], c[i + 4], c[i + 5], c[i + 6], c[i + 7]];
                if little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) }
            };
            builder.ring(points, bytes.chunks_exact(stride).map(|c| (f64_at(c, 0), f64_at(c, 8))))?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::load::crs::Crs;
    use proptest::prelude::*;

    /// A GeoPackage blob (little-endian header, XY envelope) around `wkb`.
    pub fn blob(wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, 0b0000_0011];
        b.extend(4326i32.to_le_bytes());
        for v in [0.0f64, 1.0, 0.0, 1.0] {
            b.extend(v.to_le_bytes());
        }
        b.extend(wkb);
        b
    }

    /// WKB of a polygon (little or big endian) with the given type code and rings of points of `dims` values.
    pub fn polygon_wkb(little: bool, code: u32, rings: &[Vec<[f64; 2]>], dims: usize) -> Vec<u8> {
        let u32b = |v: u32| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let f64b = |v: f64| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let mut w = vec![u8::from(little)];
        w.extend(u32b(code));
        w.extend(u32b(rings.len() as u32));
        for r in rings {
            w.extend(u32b(r.len() as u32));
            for p in r {
                w.extend(f64b(p[0]));
                w.extend(f64b(p[1]));
                for _ in 2..dims {
                    w.extend(f64b(7.0));
                }
            }
        }
        w
    }

    pub fn square(x: f64) -> Vec<[f64; 2]> {
        vec![[x, 0.0], [x + 1.0, 0.0], [x + 1.0, 1.0], [x, 1.0], [x, 0.0]]
    }

    fn multi(little: bool, code: u32, parts: &[Vec<u8>]) -> Vec<u8> {
        let mut w = vec![u8::from(little)];
        w.extend(if little { code.to_le_bytes() } else { code.to_be_bytes() });
        w.extend(if little { (parts.len() as u32).to_le_bytes() } else { (parts.len() as u32).to_be_bytes() });
        for p in parts {
            w.extend(p);
        }
        w
    }

    fn read(blob: &[u8]) -> Result<Option<geo::MultiPolygon<f64>>, String> {
        let crs = Crs::wgs84();
        let mut b = ContourBuilder::new(&crs);
        decode(blob, &mut b)?;
        Ok(b.finish().map(|s| s.contour))
    }

    #[test]
    fn reads_a_multipolygon_whose_parts_differ_in_byte_order() {
        let parts = [polygon_wkb(true, 3, &[square(0.0)], 2), polygon_wkb(false, 3, &[square(5.0)], 2)];
        let mp = read(&blob(&multi(false, 6, &parts))).unwrap().unwrap();
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[1].exterior().0[0].x, 5.0);
    }

    #[test]
    fn reads_iso_and_ewkb_z_and_m_variants() {
        for (code, dims) in [(1003, 3), (2003, 3), (3003, 4), (0x8000_0003, 3), (0x4000_0003, 3), (0xC000_0003, 4)] {
            let mp = read(&blob(&polygon_wkb(true, code, &[square(0.0)], dims))).unwrap().unwrap();
            assert_eq!(mp.0[0].exterior().0.len(), 5, "{code:#x}");
        }
        let mut ewkb = polygon_wkb(true, 0x2000_0003, &[square(0.0)], 2);
        ewkb.splice(5..5, 4326u32.to_le_bytes());
        assert!(read(&blob(&ewkb)).unwrap().is_some());
    }

    #[test]
    fn refuses_wrong_types_and_parts() {
        for code in [1, 2, 7, 10, 11, 12, 15, 17, 4003] {
            let err = read(&blob(&polygon_wkb(true, code, &[square(0.0)], 2))).unwrap_err();
            assert!(err.contains("attendu"), "{code}: {err}");
        }
        let line_part = polygon_wkb(true, 2, &[square(0.0)], 2);
        let err = read(&blob(&multi(true, 6, &[line_part]))).unwrap_err();
        assert!(err.contains("partie de MultiPolygon de type LineString"), "{err}");
        let z_part = polygon_wkb(true, 1003, &[square(0.0)], 3);
        assert!(read(&blob(&multi(true, 6, &[z_part]))).unwrap_err().contains("dimensions"));
    }

    #[test]
    fn refuses_bad_headers_and_counts() {
        let good = blob(&polygon_wkb(true, 3, &[square(0.0)], 2));
        let err = |b: &[u8]| read(b).unwrap_err();
        assert!(err(&good[..5]).contains("trop courte"));
        assert!(err(b"XP\0\x01\0\0\0\0").contains("« GP »"));
        let mut bad = good.clone();
        bad[3] = 0b0000_1011; // envelope kind 5
        assert!(err(&bad).contains("enveloppe"));
        bad[3] = 0b0000_1001; // XYZM envelope: 64 bytes, longer than what is there
        assert!(err(&bad[..50]).contains("tronquée"));
        let mut huge = good.clone();
        huge[8 + 32 + 5..8 + 32 + 9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(err(&huge).contains("annoncés"));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(err(&trailing).contains("en trop"));
        let nan = blob(&polygon_wkb(true, 3, &[vec![[0.0, 0.0], [f64::INFINITY, 0.0], [1.0, 1.0], [0.0, 0.0]]], 2));
        assert!(err(&nan).contains("non finie"));
    }

    #[test]
    fn empty_flag_and_empty_polygons_give_no_contour() {
        let mut b = blob(&polygon_wkb(true, 3, &[], 2));
        assert_eq!(read(&b).unwrap(), None);
        b[3] |= 0b1_0000;
        let crs = Crs::wgs84();
        assert!(decode(&b, &mut ContourBuilder::new(&crs)).unwrap().empty);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read(&bytes);
            let mut b = blob(&[]);
            b.extend(&bytes);
            let _ = read(&b);
        }

        #[test]
        fn a_truncated_blob_is_always_refused(cut in 0usize..200) {
            let good = blob(&multi(true, 6, &[polygon_wkb(true, 3, &[square(0.0), square(0.2)], 2)]));
            prop_assume!(cut < good.len());
            prop_assert!(read(&good[..cut]).is_err());
        }

        #[test]
        fn a_flipped_byte_gives_an_error_or_a_sound_contour(at in 0usize..300, bits in 1u8..=255) {
            let good = blob(&multi(false, 1006, &[
                polygon_wkb(true, 1003, &[square(0.0)], 3),
                polygon_wkb(false, 1003, &[square(3.0), vec![[3.2, 0.2], [3.2, 0.4], [3.4, 0.4], [3.2, 0.2]]], 3),
            ]));
            let intact = read(&good).unwrap();
            let at = at % good.len();
            let mut bad = good.clone();
            bad[at] ^= bits;
            if let Ok(contour) = read(&bad) {
                if (8..40).contains(&at) {
                    // Only the envelope changed: it is not used.
                    prop_assert_eq!(&contour, &intact);
                }
                for poly in contour.iter().flat_map(|mp| &mp.0) {
                    let ext = &poly.exterior().0;
                    prop_assert!(ext.len() >= 4 && ext.first() == ext.last());
                    prop_assert!(crate::geometry::ring_twice_signed_area(ext) > 0.0);
                    for hole in poly.interiors() {
                        prop_assert!(crate::geometry::ring_twice_signed_area(&hole.0) < 0.0);
                    }
                    prop_assert!(ext.iter().all(|c| c.x.is_finite() && c.y.is_finite()));
                }
            }
        }
    }
}
