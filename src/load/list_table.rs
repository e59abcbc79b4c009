//! The table of a CPTS list: a CSV or the chosen sheet of a spreadsheet,
//! its header found below title rows, and where each role sits in it.
//!
//! Columns are found by name, without case or accents, with the variants
//! seen in ARS spreadsheets; the header is the first row that names a
//! commune column (code or name) and a territory column (id or name).

use std::collections::HashMap;
use std::path::Path;

use super::InputError;
use super::spreadsheet::{Workbook, is_spreadsheet};
use super::table::{Grid, Table};
use crate::text::{fold, listing};

const ID: &[&str] =
    &["cpts_id", "id_cpts", "id", "identifiant", "code_cpts", "numero_cpts", "num_cpts", "id_territoire"];
const NAME: &[&str] =
    &["cpts_nom", "nom_cpts", "nom", "libelle", "libelle_cpts", "cpts", "nom_de_la_cpts", "raison_sociale"];
const STAGE: &[&str] =
    &["statut", "statut_cpts", "etat", "etat_d_avancement", "avancement", "stade", "etape", "status", "stage"];
const DATE: &[&str] = &[
    "date_signature_aci",
    "date_aci",
    "date_de_signature_aci",
    "date_de_signature_de_l_aci",
    "date_signature",
    "signature_aci",
];
const COMMUNE_CODE: &[&str] =
    &["code_commune", "code_insee", "insee_com", "code_insee_commune", "codgeo", "insee", "com", "depcom", "code_com"];
const COMMUNE_NAME: &[&str] = &[
    "commune",
    "communes",
    "nom_commune",
    "nom_de_la_commune",
    "libelle_commune",
    "lib_commune",
    "libgeo",
    "nom_com",
    "communes_membres",
    "liste_des_communes",
];
const DEPARTEMENT: &[&str] = &[
    "dep",
    "dpt",
    "dept",
    "departement",
    "code_departement",
    "code_dep",
    "code_dpt",
    "num_dep",
    "num_departement",
    "numero_departement",
    "insee_dep",
    "coddep",
];

/// Where each role sits in the table.
#[derive(Clone, Copy)]
pub(super) struct Columns {
    pub(super) id: Option<usize>,
    pub(super) name: Option<usize>,
    pub(super) stage: usize,
    pub(super) date: Option<usize>,
    pub(super) code: Option<usize>,
    pub(super) commune_name: Option<usize>,
    pub(super) departement: Option<usize>,
}

/// The table of a list: a CSV, or the chosen sheet of a spreadsheet, from its header row down.
pub(super) fn open(path: &Path, sheet: Option<&str>) -> Result<Table, InputError> {
    if is_spreadsheet(path) {
        return open_sheet(path, sheet);
    }
    if sheet.is_some() {
        return Err(InputError::file(path, "--cpts-sheet ne s'applique qu'aux classeurs (.xlsx, .xls, .ods)"));
    }
    let grid = Grid::read_csv(path)?;
    let header = grid.find_header(is_list_header).unwrap_or(0);
    Ok(grid.into_table(header))
}

fn open_sheet(path: &Path, wanted: Option<&str>) -> Result<Table, InputError> {
    let mut workbook = Workbook::open(path)?;
    let names = workbook.sheet_names();
    if let Some(wanted) = wanted {
        let name = names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| fold(n) == fold(wanted)))
            .ok_or_else(|| {
                InputError::file(path, format!("feuille « {wanted} » absente ; feuilles : {}", listing(&names)))
            })?;
        let grid = workbook.grid(name)?;
        let header = grid.find_header(is_list_header).unwrap_or(0);
        return Ok(grid.into_table(header));
    }
    let mut seen = Vec::new();
    for name in &names {
        let grid = workbook.grid(name)?;
        if let Some(header) = grid.find_header(is_list_header) {
            return Ok(grid.into_table(header));
        }
        seen.push(format!("« {name} » (première ligne : {})", grid.first_row()));
    }
    Err(InputError::file(
        path,
        format!(
            "aucune feuille n'a d'en-tête de liste de CPTS (une colonne commune, code INSEE ou nom, et une \
             colonne identifiant ou nom de CPTS) ; feuilles : {} ; choisissez-en une avec --cpts-sheet",
            if seen.is_empty() { "aucune".to_string() } else { seen.join(" ; ") }
        ),
    ))
}

/// Whether a file reads as a list in long format: a spreadsheet, or a CSV
/// with a list header (a file of bare codes or names, one a line, has none).
pub fn is_long_list(path: &Path) -> Result<bool, InputError> {
    if is_spreadsheet(path) {
        return Ok(true);
    }
    Ok(Grid::read_csv(path)?.find_header(is_list_header).is_some())
}

/// A header names a commune column and a territory column.
fn is_list_header(keys: &HashMap<String, usize>) -> bool {
    let has = |aliases: &[&str]| aliases.iter().any(|a| keys.contains_key(*a));
    (has(COMMUNE_CODE) || has(COMMUNE_NAME)) && (has(ID) || has(NAME))
}

impl Columns {
    pub(super) fn find(table: &Table) -> Result<Columns, InputError> {
        let (code, commune_name) = (table.column(COMMUNE_CODE), table.column(COMMUNE_NAME));
        if code.is_none() && commune_name.is_none() {
            table.require("de commune (code INSEE ou nom)", &[COMMUNE_CODE, COMMUNE_NAME].concat())?;
        }
        let stage = table.require("de statut", STAGE)?;
        let (id, name) = (table.column(ID), table.column(NAME));
        if id.is_none() && name.is_none() {
            table.require("d'identifiant ou de nom de CPTS", &[ID, NAME].concat())?;
        }
        let (date, departement) = (table.column(DATE), table.column(DEPARTEMENT));
        Ok(Columns { id, name, stage, date, code, commune_name, departement })
    }
}
