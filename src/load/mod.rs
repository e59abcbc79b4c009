//! Stage 1 of the flow: read the inputs into plain values, with errors that
//! name the file, the record or line, and what was expected.
//!
//! - [`read_unit_layers`]: commune and arrondissement layers (IGN ADMIN EXPRESS
//!   style), whatever the format; [`fields`] reads their attributes;
//! - [`shapefile`]: those layers as shapefiles, any CRS of [`crs`], any DBF encoding;
//! - [`gpkg`]: ADMIN EXPRESS 4.0 as a GeoPackage — communes, arrondissements
//!   and the merged communes ([`history`]) in one file;
//! - [`fgb`]: a layer as FlatGeobuf; both share the contour rules of [`contour`];
//! - [`population`]: INSEE populations légales (`donnees_communes.csv` style);
//! - [`names`]: names of départements, régions and EPCI;
//! - [`history`]: merged communes and postcodes (`communes_fusionnees.csv`, `codes_postaux.csv`);
//! - [`territories`]: CPTS lists in long format (territory, commune), CSV or
//!   [`spreadsheet`] ([`list_table`]: header and columns), communes by code or
//!   by name ([`commune_refs`]);
//! - [`polygons`]: CPTS drawn as polygons (GeoJSON or shapefile).

pub mod bundled;
pub mod commune_refs;
pub mod contour;
pub mod crs;
pub mod dbf;
pub mod fgb;
pub mod fields;
pub mod gpkg;
pub mod history;
pub mod list_table;
pub mod names;
pub mod polygons;
pub mod population;
pub mod shapefile;
pub mod shp;
pub mod spreadsheet;
pub mod table;
pub mod territories;

use std::path::{Path, PathBuf};

use crate::commune::MergedCommune;
use crate::diagnostics::Warning;
use fields::{LayerKind, LayerRecord};

/// A layer as read: its records and what it said about itself.
#[derive(Debug)]
pub struct Layer {
    pub path: PathBuf,
    /// The layer's name inside a multi-layer file (GeoPackage), for messages.
    pub layer: Option<String>,
    pub crs: String,
    pub encoding: &'static str,
    pub records: Vec<LayerRecord>,
}

/// Everything one commune source holds: its commune layer and, for a
/// GeoPackage, the arrondissements and the history of merged communes it
/// also carries.
#[derive(Debug)]
pub struct UnitLayers {
    pub communes: Layer,
    pub arrondissements: Option<Layer>,
    pub history: Vec<MergedCommune>,
}

/// How to read a commune source.
#[derive(Debug, Clone, Default)]
pub struct UnitReadOptions {
    /// Name of the commune layer in a multi-layer file (`--communes-layer`).
    pub layer: Option<String>,
    /// Where readers report how far they are.
    pub progress: Option<std::sync::Arc<crate::progress::Progress>>,
}

/// The file formats a commune source can come in, told by the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    GeoPackage,
    FlatGeobuf,
    Shapefile,
}

fn format_of(path: &Path) -> Format {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("gpkg") => Format::GeoPackage,
        Some("fgb") => Format::FlatGeobuf,
        _ => Format::Shapefile,
    }
}

/// Reads a commune source, whatever its format: a GeoPackage (`.gpkg`) with
/// everything it carries, a FlatGeobuf layer (`.fgb`), else a shapefile.
pub fn read_unit_layers(
    path: &Path,
    options: &UnitReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<UnitLayers, InputError> {
    let format = format_of(path);
    if let Some(layer) = &options.layer
        && format != Format::GeoPackage
    {
        warnings.push(Warning::at(
            "layer_option_ignored",
            path.display().to_string(),
            format!("fichier à une seule couche : l'option --communes-layer {layer} ne s'applique pas"),
        ));
    }
    match format {
        Format::GeoPackage => gpkg::read_unit_layers(path, options, warnings),
        Format::FlatGeobuf => {
            let communes = fgb::read_layer(path, LayerKind::Communes, warnings)?;
            Ok(UnitLayers { communes, arrondissements: None, history: Vec::new() })
        }
        Format::Shapefile => {
            let communes = shapefile::read_layer(path, LayerKind::Communes, options.progress.as_deref(), warnings)?;
            Ok(UnitLayers { communes, arrondissements: None, history: Vec::new() })
        }
    }
}

/// Reads a layer of arrondissements municipaux given on its own (in a
/// GeoPackage: its layer `arrondissement_municipal`).
pub fn read_arrondissements(
    path: &Path,
    options: &UnitReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Layer, InputError> {
    match format_of(path) {
        Format::GeoPackage => gpkg::read_arrondissements(path, warnings),
        Format::FlatGeobuf => fgb::read_layer(path, LayerKind::Arrondissements, warnings),
        Format::Shapefile => {
            shapefile::read_layer(path, LayerKind::Arrondissements, options.progress.as_deref(), warnings)
        }
    }
}

/// Bad or unreadable input. Every variant says which file, and where in it.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path} : lecture impossible : {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} : {message}")]
    File { path: PathBuf, message: String },
    #[error("{path}, enregistrement {record} : {message}")]
    Record { path: PathBuf, record: usize, message: String },
    #[error("{path}:{line} : {message}")]
    Line { path: PathBuf, line: u64, message: String },
    /// A layer of a multi-layer file (GeoPackage) or a named layer (FlatGeobuf).
    #[error("{path}, couche {layer} : {message}")]
    Layer { path: PathBuf, layer: String, message: String },
    /// One feature of such a layer, by its identifier (`fid`, as GDAL shows it).
    #[error("{path}, couche {layer}, entité fid {fid} : {message}")]
    Feature { path: PathBuf, layer: String, fid: i64, message: String },
    #[error("{path}, feuille « {sheet} », ligne {line} : {message}")]
    Sheet { path: PathBuf, sheet: String, line: u64, message: String },
    #[error("{}", strict_message(.0))]
    Strict(Vec<Warning>),
}

fn strict_message(warnings: &[Warning]) -> String {
    let mut msg = format!("mode strict : {} avertissement(s) refusé(s)", warnings.len());
    for w in warnings.iter().take(20) {
        msg.push_str(&format!("\n  - {w}"));
    }
    if warnings.len() > 20 {
        msg.push_str(&format!("\n  … et {} autres", warnings.len() - 20));
    }
    msg
}

impl InputError {
    pub fn file(path: &Path, message: impl Into<String>) -> InputError {
        InputError::File { path: path.to_path_buf(), message: message.into() }
    }

    pub fn line(path: &Path, line: u64, message: impl Into<String>) -> InputError {
        InputError::Line { path: path.to_path_buf(), line, message: message.into() }
    }

    pub fn layer(path: &Path, layer: &str, message: impl Into<String>) -> InputError {
        InputError::Layer { path: path.to_path_buf(), layer: layer.to_string(), message: message.into() }
    }

    pub fn feature(path: &Path, layer: &str, fid: i64, message: impl Into<String>) -> InputError {
        InputError::Feature { path: path.to_path_buf(), layer: layer.to_string(), fid, message: message.into() }
    }

    /// Places an error of [`fields::read_records`] (which counts records from 1
    /// in a file) in a layer whose features are known by their `fids`.
    pub fn in_layer(self, layer: &str, fids: &[i64]) -> InputError {
        match self {
            InputError::Record { path, record, message } => match record.checked_sub(1).and_then(|i| fids.get(i)) {
                Some(&fid) => InputError::Feature { path, layer: layer.to_string(), fid, message },
                None => InputError::Layer { path, layer: layer.to_string(), message },
            },
            InputError::File { path, message } => InputError::Layer { path, layer: layer.to_string(), message },
            other => other,
        }
    }
}

/// Reads a whole file (or an embedded one, see [`bundled`]), naming it in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    let read = bundled::read(path).unwrap_or_else(|| std::fs::read(path));
    read.map_err(|source| InputError::Io { path: path.to_path_buf(), source })
}

/// Whether a file exists on disk or among the embedded ones.
pub fn exists(path: &Path) -> bool {
    bundled::exists(path) || path.exists()
}

/// Decodes a text file: UTF-8 (with or without BOM), else Windows-1252
/// (what Excel writes for French on Windows).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}
