//! A commune or arrondissement layer as FlatGeobuf (IGN serves each ADMIN
//! EXPRESS 4.0 layer so, e.g. `commune.fgb`): same attributes, CRS handling,
//! validation and contour rules as the GeoPackage.
//!
//! The `flatgeobuf` crate supplies the FlatBuffers schema and verifies each
//! table before it is read. Its file reader is not used: reading its source,
//! it allocates a feature's buffer from the size prefix before checking it
//! against the file, computes the index size with an assertion (a node size
//! of 1 panics) and decodes properties with unchecked slicing. So the framing
//! (magic, header, index, size-prefixed features) and the properties
//! ([`properties`]) are read here, every length checked against the bytes
//! left, the whole file in memory, and the features decoded on two cores.

mod properties;

use std::path::Path;

use super::contour::Shape;
use flatgeobuf::{
    ColumnType, Geometry, GeometryType, Header, size_prefixed_root_as_feature, size_prefixed_root_as_header,
};

use super::contour::{ContourBuilder, balanced_split, in_two_halves};
use super::crs::Crs;
use super::fields::{LayerKind, read_records};
use super::{InputError, Layer, read_bytes};
use crate::diagnostics::Warning;
use properties::{Table, Value};

/// Magic bytes: `fgb`, the major version (3 today), `fgb`, the patch version.
const MAGIC_LEN: usize = 8;
/// Largest header accepted (the crate's own limit).
const MAX_HEADER: usize = 10 * 1024 * 1024;
/// Bytes of one node of the packed Hilbert R-tree: four f64 and a u64 offset.
const NODE_ITEM: u64 = 40;

/// Reads a whole FlatGeobuf layer.
pub fn read_layer(path: &Path, kind: LayerKind, warnings: &mut Vec<Warning>) -> Result<Layer, InputError> {
    let bytes = read_bytes(path)?;
    let header = read_header(path, &bytes)?;
    let name = header
        .header
        .name()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let layer = name.as_str();
    let geometry_type = header.header.geometry_type();
    if ![GeometryType::Polygon, GeometryType::MultiPolygon, GeometryType::Unknown].contains(&geometry_type) {
        return Err(InputError::layer(
            path,
            layer,
            format!("couche de type {geometry_type:?} ; Polygon ou MultiPolygon attendu"),
        ));
    }
    let crs = layer_crs(path, layer, &header.header, warnings)?;
    let columns: Vec<(String, ColumnType)> = header
        .header
        .columns()
        .map(|cols| cols.iter().map(|c| (c.name().to_string(), c.type_())).collect())
        .unwrap_or_default();
    let spans = feature_spans(path, layer, &bytes, header.features_at, header.header.features_count())?;
    let fids: Vec<i64> = (0..spans.len() as i64).collect();
    let decoded = in_two_halves(
        spans.len(),
        balanced_split(spans.iter().map(|s| s.len())),
        || ContourBuilder::new(&crs),
        |builder, i| {
            let fail = |message: String| InputError::feature(path, layer, fids[i], message);
            decode_feature(&bytes[spans[i].clone()], &columns, geometry_type, builder)
                .inspect_err(|_| builder.reset())
                .map_err(fail)
        },
        || InputError::layer(path, layer, "lecture des entités interrompue"),
    )?;
    let mut cells = Vec::with_capacity(decoded.len() * columns.len());
    let mut contours = Vec::with_capacity(decoded.len());
    for (values, contour) in decoded {
        cells.extend(values);
        contours.push(contour);
    }
    let table = Table::new(columns.iter().map(|(n, _)| n.clone()).collect(), cells);
    let mut records = read_records(path, &table, kind).map_err(|e| e.in_layer(layer, &fids))?;
    for (record, shape) in records.iter_mut().zip(contours) {
        if let Some(shape) = shape {
            record.contour = Some(shape.contour);
            record.measure = Some(shape.measure);
        }
    }
    Ok(Layer {
        path: path.to_path_buf(),
        layer: Some(name),
        crs: crs.to_string(),
        encoding: "UTF-8 (FlatGeobuf)",
        records,
    })
}

/// The verified header, and where the features start (after the spatial index).
struct FileHeader<'a> {
    header: Header<'a>,
    features_at: usize,
}

fn read_header<'a>(path: &Path, bytes: &'a [u8]) -> Result<FileHeader<'a>, InputError> {
    let magic = bytes.get(..MAGIC_LEN).unwrap_or(bytes);
    if magic.len() < MAGIC_LEN || &magic[..3] != b"fgb" || &magic[4..7] != b"fgb" || magic[3] > 3 {
        return Err(InputError::file(
            path,
            "pas un fichier FlatGeobuf (signature « fgb », version 3 au plus, attendue)",
        ));
    }
    let size = bytes
        .get(MAGIC_LEN..MAGIC_LEN + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| InputError::file(path, "fichier FlatGeobuf tronqué dans l'en-tête"))?;
    let end = MAGIC_LEN + 4 + size;
    if !(8..=MAX_HEADER).contains(&size) || end > bytes.len() {
        return Err(InputError::file(
            path,
            format!("en-tête FlatGeobuf de {size} octets annoncé, {} octets dans le fichier", bytes.len()),
        ));
    }
    let header = size_prefixed_root_as_header(&bytes[MAGIC_LEN..end])
        .map_err(|e| InputError::file(path, format!("en-tête FlatGeobuf invalide : {e}")))?;
    let index = index_size(header.features_count(), header.index_node_size())
        .ok_or_else(|| InputError::file(path, "en-tête FlatGeobuf invalide : index spatial impossible"))?;
    let features_at = u64::try_from(end).ok().and_then(|e| e.checked_add(index)).filter(|&at| at <= bytes.len() as u64);
    let features_at = features_at.ok_or_else(|| {
        InputError::file(path, format!("fichier FlatGeobuf tronqué : index spatial de {index} octets annoncé"))
    })?;
    Ok(FileHeader { header, features_at: features_at as usize })
}

/// Size of the packed R-tree: every level of `node_size`-wide nodes up to
/// the root, counted as the reference implementation (and so GDAL) does —
/// at least one level above the features, node sizes below 2 taken as 2;
/// `None` when it would not fit in 64 bits.
fn index_size(features: u64, node_size: u16) -> Option<u64> {
    if node_size == 0 || features == 0 {
        return Some(0);
    }
    let node_size = u64::from(node_size.max(2));
    let (mut n, mut nodes) = (features, features);
    loop {
        n = n.div_ceil(node_size);
        nodes = nodes.checked_add(n)?;
        if n == 1 {
            break;
        }
    }
    nodes.checked_mul(NODE_ITEM)
}

/// Where each size-prefixed feature lies, checked against the end of the file.
fn feature_spans(
    path: &Path,
    layer: &str,
    bytes: &[u8],
    start: usize,
    announced: u64,
) -> Result<Vec<std::ops::Range<usize>>, InputError> {
    let mut spans = Vec::new();
    let mut at = start;
    while at < bytes.len() {
        let fid = spans.len() as i64;
        let size = bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| InputError::feature(path, layer, fid, "fichier tronqué dans la taille de l'entité"))?;
        let end = at + 4 + size;
        if end > bytes.len() {
            return Err(InputError::feature(
                path,
                layer,
                fid,
                format!("entité de {size} octets annoncée, {} octets restants : fichier tronqué", bytes.len() - at - 4),
            ));
        }
        spans.push(at..end);
        at = end;
    }
    if announced != 0 && announced != spans.len() as u64 {
        return Err(InputError::layer(
            path,
            layer,
            format!("{announced} entités annoncées dans l'en-tête, {} dans le fichier", spans.len()),
        ));
    }
    Ok(spans)
}

/// The CRS from the header: an EPSG code cptsmap knows, else its WKT.
fn layer_crs(path: &Path, layer: &str, header: &Header, warnings: &mut Vec<Warning>) -> Result<Crs, InputError> {
    // A CRS table with neither a code nor a WKT says as little as none.
    let defined = |c: &flatgeobuf::Crs| c.code() > 0 || c.wkt().is_some_and(|w| !w.trim().is_empty());
    let Some(crs) = header.crs().filter(defined) else {
        warnings.push(Warning::at(
            "missing_crs",
            format!("{}, couche {layer}", path.display()),
            "système de coordonnées absent de l'en-tête : coordonnées supposées en WGS84 (longitude, latitude)",
        ));
        return Ok(Crs::wgs84());
    };
    let org = crs.org().unwrap_or("EPSG");
    if org.eq_ignore_ascii_case("EPSG")
        && let Ok(code) = u32::try_from(crs.code())
        && let Ok(known) = Crs::from_epsg(code)
    {
        return Ok(known);
    }
    let wkt = crs.wkt().unwrap_or_default();
    Crs::from_wkt(wkt).map_err(|e| {
        let name = crs.name().unwrap_or_default();
        InputError::layer(path, layer, format!("système de coordonnées « {name} » ({org}:{}) : {e}", crs.code()))
    })
}

type Decoded<'a> = (Vec<Value<'a>>, Option<Shape>);

/// Verifies one feature, reads its properties and its contour.
fn decode_feature<'a>(
    bytes: &'a [u8],
    columns: &[(String, ColumnType)],
    layer_type: GeometryType,
    builder: &mut ContourBuilder,
) -> Result<Decoded<'a>, String> {
    let feature = size_prefixed_root_as_feature(bytes).map_err(|e| format!("entité FlatGeobuf invalide : {e}"))?;
    if feature.columns().is_some() {
        return Err("colonnes propres à l'entité non prises en charge ; colonnes de l'en-tête attendues".into());
    }
    let values = properties::decode(feature.properties().map(|p| p.bytes()).unwrap_or_default(), columns)?;
    let Some(geometry) = feature.geometry() else {
        return Ok((values, None));
    };
    let kind = if layer_type == GeometryType::Unknown { geometry.type_() } else { layer_type };
    match kind {
        GeometryType::Polygon => polygon(&geometry, builder)?,
        GeometryType::MultiPolygon => {
            for part in geometry.parts().iter().flat_map(|parts| parts.iter()) {
                if ![GeometryType::Polygon, GeometryType::Unknown].contains(&part.type_()) {
                    return Err(format!("partie de MultiPolygon de type {:?} ; Polygon attendu", part.type_()));
                }
                polygon(&part, builder)?;
            }
        }
        other => return Err(format!("géométrie de type {other:?} ; Polygon ou MultiPolygon attendu")),
    }
    Ok((values, builder.finish()))
}

/// A polygon: flat `xy` coordinates, rings cut at `ends` (in points).
fn polygon(geometry: &Geometry, builder: &mut ContourBuilder) -> Result<(), String> {
    builder.begin_polygon();
    if geometry.parts().is_some() {
        return Err("polygone fait de parties ; anneaux (xy, ends) attendus".into());
    }
    let xy = geometry.xy().map(|v| v.bytes()).unwrap_or_default();
    if !xy.len().is_multiple_of(16) {
        return Err(format!("{} valeurs de coordonnées : nombre pair attendu", xy.len() / 8));
    }
    let points = xy.len() / 16;
    let ends: Vec<usize> = match geometry.ends() {
        Some(ends) => ends.iter().map(|e| e as usize).collect(),
        None if points > 0 => vec![points],
        None => Vec::new(),
    };
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        if end <= start || end > points || (i + 1 == ends.len() && end != points) {
            return Err(format!("fin d'anneau {end} invalide (après {start}, {points} points au total)"));
        }
        let f64_at = |c: &[u8], i: usize| {
            f64::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3], c[i + 4], c[i + 5], c[i + 6], c[i + 7]])
        };
        let ring = &xy[start * 16..end * 16];
        builder.ring(end - start, ring.chunks_exact(16).map(|c| (f64_at(c, 0), f64_at(c, 8))))?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flatgeobuf::packed_r_tree::PackedRTree;

    #[test]
    fn the_index_size_matches_the_crate_and_never_overflows() {
        for (features, node) in [(1u64, 16u16), (2, 2), (34_875, 16), (1_000_000, 16), (17, 3)] {
            let theirs = PackedRTree::index_size(features as usize, node) as u64;
            assert_eq!(index_size(features, node), Some(theirs), "{features} features, nodes of {node}");
        }
        assert_eq!(index_size(0, 16), Some(0));
        assert_eq!(index_size(5, 0), Some(0), "no index");
        assert_eq!(index_size(5, 1), index_size(5, 2), "a node size of 1 read as 2, as GDAL does");
        assert_eq!(index_size(u64::MAX, 2), None);
    }

    #[test]
    fn files_that_are_not_flatgeobuf_are_refused_by_name() {
        let err =
            |bytes: &[u8]| read_header(Path::new("x.fgb"), bytes).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(b"").contains("pas un fichier FlatGeobuf"));
        assert!(err(b"fgb\x04fgb\x00").contains("pas un fichier FlatGeobuf"), "a future major version");
        assert!(err(b"fgb\x03fgb\x00\xff\xff\xff\x7f").contains("octets annoncé"));
        let garbage = b"fgb\x03fgb\x00\x08\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00";
        assert!(err(garbage).contains("en-tête FlatGeobuf invalide"), "{}", err(garbage));
    }
}
