//! IGN ADMIN EXPRESS 4.0 as a GeoPackage: the layer `commune` (or the one
//! named by `--communes-layer`), `arrondissement_municipal` when present,
//! and `commune_associee_ou_deleguee`, the merged communes.
//!
//! The file is read by SQLite itself ([`sql`]); each layer's geometry column
//! and CRS come from the GeoPackage's own tables; geometry blobs ([`blob`])
//! are checked completely and decoded under the same contour rules as the
//! other formats. SQLite reads a table on one core only, so the blobs are
//! decoded batch by batch on the second core while the table is read, then
//! on both. Every error names the file, the layer, and the feature by its `fid`.

mod blob;
mod sql;

use std::path::Path;
use std::sync::{Mutex, mpsc};

use super::contour::Shape;
use rusqlite::Connection;

use super::contour::ContourBuilder;
use super::crs::Crs;
use super::fields::{LayerKind, read_records};
use super::history::read_merged_layer;
use super::{InputError, Layer, UnitLayers, UnitReadOptions};
use crate::commune::MergedCommune;
use crate::diagnostics::Warning;

/// Layer names of ADMIN EXPRESS 4.0.
pub const COMMUNE_LAYER: &str = "commune";
pub const ARRONDISSEMENT_LAYER: &str = "arrondissement_municipal";
pub const HISTORY_LAYER: &str = "commune_associee_ou_deleguee";

/// Reads the commune layer and what else the GeoPackage carries.
pub fn read_unit_layers(
    path: &Path,
    options: &UnitReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<UnitLayers, InputError> {
    let conn = sql::open(path)?;
    let layers = sql::layers(path, &conn)?;
    let wanted = options.layer.as_deref().unwrap_or(COMMUNE_LAYER);
    let name = find_layer(path, &layers, wanted)?;
    let communes = read_layer(path, &conn, name, LayerKind::Communes, warnings)?;
    let arrondissements = match present(&layers, ARRONDISSEMENT_LAYER) {
        Some(name) => Some(read_layer(path, &conn, name, LayerKind::Arrondissements, warnings)?),
        None => None,
    };
    let history = match present(&layers, HISTORY_LAYER) {
        Some(name) => read_history(path, &conn, name)?,
        None => Vec::new(),
    };
    Ok(UnitLayers { communes, arrondissements, history })
}

/// Reads the layer `arrondissement_municipal` of a GeoPackage given with `--arrondissements`.
pub fn read_arrondissements(path: &Path, warnings: &mut Vec<Warning>) -> Result<Layer, InputError> {
    let conn = sql::open(path)?;
    let layers = sql::layers(path, &conn)?;
    let name = find_layer(path, &layers, ARRONDISSEMENT_LAYER)?;
    read_layer(path, &conn, name, LayerKind::Arrondissements, warnings)
}

/// The layer of that name, without case (SQLite's table names ignore it too).
fn present<'a>(layers: &'a [String], wanted: &str) -> Option<&'a str> {
    layers.iter().find(|l| l.eq_ignore_ascii_case(wanted)).map(String::as_str)
}

fn find_layer<'a>(path: &Path, layers: &'a [String], wanted: &str) -> Result<&'a str, InputError> {
    present(layers, wanted).ok_or_else(|| {
        let listed = if layers.is_empty() { "aucune".to_string() } else { layers.join(", ") };
        InputError::file(
            path,
            format!("couche « {wanted} » introuvable ; couches présentes : {listed} (choisir avec --communes-layer)"),
        )
    })
}

fn read_layer(
    path: &Path,
    conn: &Connection,
    name: &str,
    kind: LayerKind,
    warnings: &mut Vec<Warning>,
) -> Result<Layer, InputError> {
    let geometry = sql::geometry_column(path, conn, name)?.ok_or_else(|| {
        InputError::layer(path, name, "couche sans géométrie (absente de gpkg_geometry_columns) ; polygones attendus")
    })?;
    let crs = layer_crs(path, conn, name, geometry.srs_id, warnings)?;
    let started = std::time::Instant::now();
    let (rows, contours) = read_decoding(path, conn, name, &geometry, &crs)?;
    tracing::debug!(layer = name, elapsed = ?started.elapsed(), "GeoPackage rows read and geometries decoded");
    // A layer-wide problem (a missing field) is reported before any one feature's geometry.
    let mut records = read_records(path, &rows, kind).map_err(|e| e.in_layer(name, &rows.fids))?;
    let contours = contours?;
    for (record, shape) in records.iter_mut().zip(contours) {
        if let Some(shape) = shape {
            record.contour = Some(shape.contour);
            record.measure = Some(shape.measure);
        }
    }
    tracing::debug!(layer = name, kind = geometry.kind, records = records.len(), "GeoPackage layer read");
    Ok(Layer {
        path: path.to_path_buf(),
        layer: Some(name.to_string()),
        crs: crs.to_string(),
        encoding: "UTF-8 (GeoPackage)",
        records,
    })
}

/// The CRS of a layer: an EPSG code cptsmap knows, else the WKT definition.
fn layer_crs(
    path: &Path,
    conn: &Connection,
    layer: &str,
    srs_id: i64,
    warnings: &mut Vec<Warning>,
) -> Result<Crs, InputError> {
    let srs = sql::spatial_ref_sys(path, conn, srs_id)?.ok_or_else(|| {
        InputError::layer(path, layer, format!("srs_id {srs_id} absent de la table gpkg_spatial_ref_sys"))
    })?;
    if srs.organization.eq_ignore_ascii_case("EPSG")
        && let Ok(code) = u32::try_from(srs.code)
        && let Ok(crs) = Crs::from_epsg(code)
    {
        return Ok(crs);
    }
    match Crs::from_wkt(&srs.definition) {
        Ok(crs) => Ok(crs),
        // srs_id 0 is the GeoPackage's "undefined geographic": take degrees as WGS84, as for a shapefile without .prj.
        Err(_) if srs_id == 0 => {
            warnings.push(Warning::at(
                "missing_crs",
                format!("{}, couche {layer}", path.display()),
                "système de coordonnées non défini (srs_id 0) : coordonnées supposées en WGS84 (longitude, latitude)",
            ));
            Ok(Crs::wgs84())
        }
        Err(e) => Err(InputError::layer(
            path,
            layer,
            format!("srs_id {srs_id} « {} » ({}:{}) : {e}", srs.name, srs.organization, srs.code),
        )),
    }
}

type Contours = Vec<Option<Shape>>;

/// Reads the rows of a layer on this thread while a second one decodes the
/// geometries already read; this one joins the decoding once SQLite is done.
/// Geometry errors come apart, after the attributes, so that the caller can
/// report a layer-wide problem first.
fn read_decoding(
    path: &Path,
    conn: &Connection,
    layer: &str,
    geometry: &sql::GeometryColumn,
    crs: &Crs,
) -> Result<(sql::Rows, Result<Contours, InputError>), InputError> {
    let (sender, receiver) = mpsc::channel::<sql::Batch>();
    let receiver = Mutex::new(receiver);
    let decode_batches = || {
        let mut builder = ContourBuilder::new(crs);
        let mut done = Vec::new();
        // The lock is held only to take the next batch; the channel ends when the reading does.
        while let Some(batch) = receiver.lock().ok().and_then(|r| r.recv().ok()) {
            let contours: Result<Contours, (usize, String)> = (0..batch.len())
                .map(|i| decode(batch.geometry(i), &mut builder, geometry.srs_id).map_err(|m| (batch.first + i, m)))
                .collect();
            done.push((batch.first, contours));
        }
        done
    };
    let (rows, done) = std::thread::scope(|scope| {
        let helper = scope.spawn(decode_batches);
        let rows = sql::read_rows(path, conn, layer, Some(&geometry.column), None, |batch| {
            // The receiver outlives the reading: a send cannot fail.
            let _ = sender.send(batch);
        });
        drop(sender);
        let mut done = decode_batches();
        let helped = helper.join().map(|theirs| done.extend(theirs)).is_ok();
        (rows, helped.then_some(done))
    });
    let rows = rows?;
    let Some(mut done) = done else {
        return Ok((rows, Err(InputError::layer(path, layer, "lecture des géométries interrompue"))));
    };
    done.sort_unstable_by_key(|(first, _)| *first);
    let mut contours = Vec::with_capacity(rows.fids.len());
    for (_, batch) in done {
        match batch {
            Ok(batch) => contours.extend(batch),
            Err((row, message)) => {
                let fid = rows.fids.get(row).copied().unwrap_or(row as i64 + 1);
                return Ok((rows, Err(InputError::feature(path, layer, fid, message))));
            }
        }
    }
    if contours.len() != rows.fids.len() {
        let message = format!("{} géométries pour {} entités", contours.len(), rows.fids.len());
        return Ok((rows, Err(InputError::layer(path, layer, message))));
    }
    Ok((rows, Ok(contours)))
}

/// One blob into a WGS84 contour (`None` when NULL or empty).
fn decode(bytes: Option<&[u8]>, builder: &mut ContourBuilder, srs_id: i64) -> Result<Option<Shape>, String> {
    let Some(bytes) = bytes else { return Ok(None) };
    let info = blob::decode(bytes, builder).inspect_err(|_| builder.reset())?;
    // 0 and -1 are the GeoPackage's "undefined": the layer's CRS applies, as GDAL reads it.
    if i64::from(info.srs_id) != srs_id && info.srs_id > 0 {
        builder.reset();
        return Err(format!("géométrie en srs_id {} ; srs_id {srs_id} de la couche attendu", info.srs_id));
    }
    if info.empty {
        builder.reset();
        return Ok(None);
    }
    Ok(builder.finish())
}

fn read_history(path: &Path, conn: &Connection, name: &str) -> Result<Vec<MergedCommune>, InputError> {
    let geometry = sql::geometry_column(path, conn, name)?;
    let rows = sql::read_rows(path, conn, name, None, geometry.as_ref().map(|g| g.column.as_str()), |_| {})?;
    read_merged_layer(path, name, &rows, &rows.fids)
}

#[cfg(test)]
mod tests {
    use super::blob::tests::{blob, polygon_wkb, square};
    use super::*;

    fn with_srs(srs_id: i32) -> Vec<u8> {
        let mut b = blob(&polygon_wkb(true, 3, &[square(0.0)], 2));
        b[4..8].copy_from_slice(&srs_id.to_le_bytes());
        b
    }

    #[test]
    fn a_blob_in_another_crs_than_its_layer_is_refused() {
        let crs = Crs::wgs84();
        let mut builder = ContourBuilder::new(&crs);
        assert!(decode(Some(&with_srs(4326)), &mut builder, 4326).unwrap().is_some());
        let err = decode(Some(&with_srs(2154)), &mut builder, 4326).unwrap_err();
        assert!(err.contains("srs_id 2154") && err.contains("4326"), "{err}");
        // "Undefined" in the blob: the layer's CRS applies.
        assert!(decode(Some(&with_srs(0)), &mut builder, 4326).unwrap().is_some());
        assert!(decode(None, &mut builder, 4326).unwrap().is_none());
    }

    #[test]
    fn a_missing_layer_error_lists_the_layers() {
        let layers = vec!["commune".to_string(), "epci".to_string()];
        assert_eq!(find_layer(Path::new("x.gpkg"), &layers, "COMMUNE").unwrap(), "commune");
        let err = find_layer(Path::new("x.gpkg"), &layers, "communes").unwrap_err().to_string();
        assert!(err.contains("couches présentes : commune, epci"), "{err}");
    }
}
