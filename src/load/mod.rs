//! Stage 1 of the flow: read the inputs into plain values, with errors that
//! name the file, the record or line, and what was expected.
//!
//! - [`read_unit_layers`]: commune and arrondissement layers (IGN ADMIN EXPRESS
//!   style), whatever the format; [`fields`] reads their attributes;
//! - [`shapefile`]: those layers as shapefiles, any CRS of [`crs`], any DBF encoding;
//! - [`population`]: INSEE populations légales (`donnees_communes.csv` style);
//! - [`names`]: names of départements, régions and EPCI;
//! - [`history`]: merged communes and postcodes (`communes_fusionnees.csv`, `codes_postaux.csv`);
//! - [`territories`]: CPTS lists in long format (territory, commune), CSV or
//!   [`spreadsheet`] ([`list_table`]: header and columns), communes by code or
//!   by name ([`commune_refs`]);
//! - [`polygons`]: CPTS drawn as polygons (GeoJSON or shapefile).

pub mod commune_refs;
pub mod crs;
pub mod dbf;
pub mod fields;
pub mod history;
pub mod list_table;
pub mod names;
pub mod polygons;
pub mod population;
pub mod shapefile;
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
}

/// Reads a commune source, whatever its format (shapefile for now).
pub fn read_unit_layers(
    path: &Path,
    _options: &UnitReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<UnitLayers, InputError> {
    let communes = shapefile::read_layer(path, LayerKind::Communes, warnings)?;
    Ok(UnitLayers { communes, arrondissements: None, history: Vec::new() })
}

/// Reads a layer of arrondissements municipaux given on its own.
pub fn read_arrondissements(path: &Path, warnings: &mut Vec<Warning>) -> Result<Layer, InputError> {
    shapefile::read_layer(path, LayerKind::Arrondissements, warnings)
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
}

/// Reads a whole file, naming it in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|source| InputError::Io { path: path.to_path_buf(), source })
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
