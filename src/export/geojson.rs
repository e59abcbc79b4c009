//! A streaming GeoJSON (RFC 7946) writer: one feature at a time, WGS84
//! longitude/latitude with at most six decimals (≈ 0.1 m), counter-clockwise
//! exteriors, no `crs` member, `MultiPolygon` geometries only so that a
//! layer has one geometry type.
//!
//! Why not `geojson::FeatureWriter`: it goes through `serde_json::Value` and
//! prints every coordinate with full precision; formatting fixed-point
//! numbers by hand onto a byte buffer is several times faster and gives the
//! six decimals RFC 7946 recommends.

use std::io::{self, Write};

use geo::{Coord, MultiPolygon};

/// A property value, typed so that QGIS reads proper columns.
#[derive(Debug, Clone)]
pub enum Prop<'a> {
    Str(&'a str),
    Text(String),
    Int(Option<u64>),
    Real(f64),
    Bool(bool),
    Null,
}

/// Writes a FeatureCollection to `out`, feature by feature.
pub struct FeatureWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    features: usize,
}

impl<W: Write> FeatureWriter<W> {
    pub fn new(mut out: W, name: &str) -> io::Result<Self> {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"name\":")?;
        serde_json::to_writer(&mut out, name)?;
        out.write_all(b",\"features\":[\n")?;
        Ok(FeatureWriter { out, buf: Vec::with_capacity(1 << 16), features: 0 })
    }

    pub fn feature(&mut self, properties: &[(&str, Prop)], shape: Option<&MultiPolygon<f64>>) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        encode_feature(properties, shape, &mut buf);
        let result = self.encoded(&buf);
        self.buf = buf;
        result
    }

    /// Writes a feature already made by [`encode_feature`] (e.g. on another thread).
    pub fn encoded(&mut self, feature: &[u8]) -> io::Result<()> {
        if self.features > 0 {
            self.out.write_all(b",\n")?;
        }
        self.out.write_all(feature)?;
        self.features += 1;
        Ok(())
    }

    /// Closes the collection; returns the number of features written.
    pub fn finish(mut self) -> io::Result<usize> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.features)
    }
}

/// Appends one Feature object to `buf`.
pub fn encode_feature(properties: &[(&str, Prop)], shape: Option<&MultiPolygon<f64>>, buf: &mut Vec<u8>) {
    buf.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
    for (i, (key, value)) in properties.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_str(buf, key);
        buf.push(b':');
        match value {
            Prop::Str(s) => push_str(buf, s),
            Prop::Text(s) => push_str(buf, s),
            Prop::Int(Some(n)) => push_uint(buf, *n),
            Prop::Real(x) if x.is_finite() => push_fixed(buf, *x, 4),
            Prop::Bool(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
            Prop::Int(None) | Prop::Real(_) | Prop::Null => buf.extend_from_slice(b"null"),
        }
    }
    buf.extend_from_slice(b"},\"geometry\":");
    match shape {
        Some(mp) if write_multipolygon(buf, mp) => {}
        // Nothing drawable (no contour, or every ring vanished at six decimals).
        _ => buf.extend_from_slice(b"null"),
    }
    buf.push(b'}');
}

/// Appends a GeoJSON `MultiPolygon` geometry object; false (and nothing
/// appended) when no ring survives six decimals.
pub fn encode_geometry(mp: &MultiPolygon<f64>, buf: &mut Vec<u8>) -> bool {
    write_multipolygon(buf, mp)
}

/// A JSON string (writing to a Vec cannot fail).
fn push_str(buf: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// Appends `{"type":"MultiPolygon",...}`; false (and nothing appended) when no ring survives.
fn write_multipolygon(buf: &mut Vec<u8>, mp: &MultiPolygon<f64>) -> bool {
    let mark = buf.len();
    buf.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
    let mut polygons = 0;
    let mut ring_buf: Vec<(i64, i64)> = Vec::new();
    for poly in &mp.0 {
        let poly_mark = buf.len();
        if polygons > 0 {
            buf.push(b',');
        }
        buf.push(b'[');
        let mut rings = 0;
        for (k, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            fixed_ring(&ring.0, &mut ring_buf);
            if ring_buf.len() < 4 {
                if k == 0 {
                    break; // an exterior that vanished takes its holes with it
                }
                continue;
            }
            if rings > 0 {
                buf.push(b',');
            }
            buf.push(b'[');
            for (i, &(x, y)) in ring_buf.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.push(b'[');
                push_scaled(buf, x);
                buf.push(b',');
                push_scaled(buf, y);
                buf.push(b']');
            }
            buf.push(b']');
            rings += 1;
        }
        if rings == 0 {
            buf.truncate(poly_mark);
            continue;
        }
        buf.push(b']');
        polygons += 1;
    }
    if polygons == 0 {
        buf.truncate(mark);
        return false;
    }
    buf.extend_from_slice(b"]}");
    true
}

/// The ring in millionths of a degree, without repeated points.
fn fixed_ring(ring: &[Coord<f64>], out: &mut Vec<(i64, i64)>) {
    out.clear();
    for c in ring {
        let p = ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    if out.len() >= 2 && out.first() != out.last() {
        let first = out[0];
        out.push(first);
    }
}

fn push_uint(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// A number given in millionths, printed with up to six decimals, no trailing zeros.
fn push_scaled(buf: &mut Vec<u8>, scaled: i64) {
    if scaled < 0 {
        buf.push(b'-');
    }
    let a = scaled.unsigned_abs();
    push_uint(buf, a / 1_000_000);
    let mut frac = a % 1_000_000;
    if frac != 0 {
        buf.push(b'.');
        let mut width = 6;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        let mut digits = [b'0'; 6];
        for d in (0..width).rev() {
            digits[d] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        buf.extend_from_slice(&digits[..width]);
    }
}

/// A real with at most `decimals` decimals.
fn push_fixed(buf: &mut Vec<u8>, x: f64, decimals: i32) {
    let scale = 10f64.powi(decimals);
    let scaled = (x * scale).round() as i64;
    // Reuse the six-decimal printer on the same digits.
    push_scaled(buf, scaled * 10i64.pow(6 - decimals as u32));
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    fn write(mp: &MultiPolygon<f64>) -> String {
        let mut buf = Vec::new();
        assert!(write_multipolygon(&mut buf, mp));
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn six_decimals_without_trailing_zeros() {
        let mp = wkt! { MULTIPOLYGON(((-0.5 45.1234567,1. 45.,1. 46.,-0.5 45.1234567))) };
        assert_eq!(
            write(&mp),
            r#"{"type":"MultiPolygon","coordinates":[[[[-0.5,45.123457],[1,45],[1,46],[-0.5,45.123457]]]]}"#
        );
    }

    #[test]
    fn rings_that_vanish_at_six_decimals_are_dropped() {
        let tiny = wkt! { MULTIPOLYGON(((0. 0.,0.0000001 0.,0.0000001 0.0000001,0. 0.)),((1. 1.,2. 1.,2. 2.,1. 1.))) };
        assert_eq!(write(&tiny), r#"{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]]]}"#);
        let mut buf = Vec::new();
        assert!(!write_multipolygon(&mut buf, &wkt! { MULTIPOLYGON(((0. 0.,0.0000001 0.,0. 0.0000001,0. 0.))) }));
        assert!(buf.is_empty());
    }

    #[test]
    fn a_collection_is_valid_json_with_typed_properties() {
        let mut out = Vec::new();
        let mut w = FeatureWriter::new(&mut out, "test").unwrap();
        let mp = wkt! { MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 0.))) };
        w.feature(
            &[
                ("code", Prop::Str("01001")),
                ("population", Prop::Int(Some(776))),
                ("pct", Prop::Real(84.06)),
                ("ok", Prop::Bool(true)),
                ("none", Prop::Int(None)),
            ],
            Some(&mp),
        )
        .unwrap();
        w.feature(&[("code", Prop::Str("« é »"))], None).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["features"][0]["properties"]["code"], "01001");
        assert_eq!(v["features"][0]["properties"]["population"], 776);
        assert_eq!(v["features"][0]["properties"]["pct"], 84.06);
        assert!(v["features"][0]["properties"]["none"].is_null());
        assert!(v["features"][1]["geometry"].is_null());
    }
}
