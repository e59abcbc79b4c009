//! CPTS lists in long format: one row per (territory, commune), in a CSV
//! (`,` or `;`, UTF-8 or Windows-1252) or a spreadsheet sheet.
//!
//! Columns are found by name, without case or accents, with the variants
//! seen in ARS spreadsheets (`cpts_id`/`id_cpts`, `cpts_nom`/`nom`,
//! `statut`/`etat`/`avancement`, `date_signature_aci`/`date_aci`,
//! `code_commune`/`code_insee`/`codgeo`, `commune`/`nom_commune`,
//! `dep`/`dpt`…), below title rows ([`super::list_table`]). Communes are
//! given by code or by name ([`super::commune_refs`]). What is doubtful is
//! kept and reported with its row; every row ends in a territory or in a
//! warning. What cannot be read (a stage or a date that means nothing) is an
//! error naming the row.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::InputError;
use super::commune_refs::{self, Reference, Resolution};
use super::list_table::{self, Columns};
use super::spreadsheet::serial_date;
use super::table::Table;
use crate::atlas::{Atlas, Resolved};
use crate::commune::{InseeCode, UnitId};
use crate::diagnostics::Warning;
use crate::gazetteer::Gazetteer;
use crate::territory::{InvalidDate, IsoDate, Stage, Territory};

/// How to read a list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// The sheet of a spreadsheet (`--cpts-sheet`); else the first with a list header.
    pub sheet: Option<String>,
}

/// The territories of a list, resolved, with what was noticed on the way.
#[derive(Debug)]
pub struct TerritoryList {
    pub territories: Vec<Territory>,
    pub rows: usize,
    pub warnings: Vec<Warning>,
}

struct Draft {
    name: String,
    stage: Stage,
    aci_date: Option<IsoDate>,
    first_line: u64,
    /// Unit or city codes already counted → the row that listed them first.
    codes: HashMap<InseeCode, u64>,
    units: Vec<UnitId>,
}

pub fn read_territory_list(path: &Path, atlas: &Atlas) -> Result<TerritoryList, InputError> {
    read_territory_list_with(path, atlas, &ListOptions::default())
}

pub fn read_territory_list_with(
    path: &Path,
    atlas: &Atlas,
    options: &ListOptions,
) -> Result<TerritoryList, InputError> {
    let table = list_table::open(path, options.sheet.as_deref())?;
    let columns = Columns::find(&table)?;
    let mut reader = Reader {
        table: &table,
        columns,
        gazetteer: Gazetteer::build(atlas),
        warnings: Vec::new(),
        drafts: BTreeMap::new(),
        stages: HashMap::new(),
        last_date: (String::new(), None),
        padded: Vec::new(),
        departements: HashMap::new(),
    };
    if table.rows.is_empty() {
        return Err(InputError::file(path, "aucune ligne sous l'en-tête : la liste de CPTS est vide"));
    }
    for (line, row) in &table.rows {
        reader.row(*line, row)?;
    }
    let list = reader.finish();
    if list.territories.is_empty() {
        // Every row ended in a warning: no figure could be right, so none is given.
        let why: Vec<String> = list.warnings.iter().take(5).map(ToString::to_string).collect();
        return Err(InputError::file(
            path,
            format!("aucune CPTS retenue sur {} lignes ; par exemple :\n  - {}", table.rows.len(), why.join("\n  - ")),
        ));
    }
    Ok(list)
}

/// The state of a list being read, row after row.
struct Reader<'a> {
    table: &'a Table,
    columns: Columns,
    gazetteer: Gazetteer<'a>,
    warnings: Vec<Warning>,
    drafts: BTreeMap<String, Draft>,
    /// A list repeats a handful of stage labels thousands of times: parse each once.
    stages: HashMap<String, Stage>,
    /// Rows of one territory follow each other: remember the last date read.
    last_date: (String, Option<IsoDate>),
    padded: Vec<u64>,
    /// Département cell → its code (`None`: not recognised), with the rows that gave it.
    departements: HashMap<String, (Option<String>, Vec<u64>)>,
}

impl Reader<'_> {
    fn row(&mut self, line: u64, row: &csv::StringRecord) -> Result<(), InputError> {
        let get = |col: Option<usize>| col.and_then(|i| row.get(i)).unwrap_or("").trim();
        let c = self.columns;
        let id = Some(get(c.id)).filter(|s| !s.is_empty()).unwrap_or(get(c.name));
        if id.is_empty() {
            return Err(self.table.error(line, "ni identifiant ni nom de CPTS sur cette ligne"));
        }
        let name = Some(get(c.name)).filter(|s| !s.is_empty()).unwrap_or(id);
        let stage = self.stage(line, get(Some(c.stage)))?;
        let date = self.date(line, get(c.date))?;
        let departement = self.departement(line, get(c.departement));
        let cell = Some(get(c.code)).filter(|s| !s.is_empty()).unwrap_or(get(c.commune_name));
        if !self.drafts.contains_key(id) {
            let draft = Draft {
                name: name.to_string(),
                stage,
                aci_date: date,
                first_line: line,
                codes: HashMap::new(),
                units: Vec::new(),
            };
            self.drafts.insert(id.to_string(), draft);
        }
        let Some(draft) = self.drafts.get_mut(id) else { return Ok(()) };
        // Formatting a location per row would cost more than the row: only when warning.
        let table = self.table;
        let at = || table.location(line);
        check_consistency(draft, id, name, stage, date, at, &mut self.warnings);
        let parts = commune_refs::split(cell);
        if parts.is_empty() {
            self.warnings.push(Warning::at(
                "invalid_code",
                at(),
                format!("CPTS {id} : pas de commune sur cette ligne"),
            ));
        }
        for part in parts {
            let reference = commune_refs::parse(part);
            if let Reference::Code { padded: true, .. } = reference {
                self.padded.push(line);
            }
            let resolution = commune_refs::resolve(&self.gazetteer, reference, departement.as_deref());
            add(draft, &self.gazetteer, resolution, Row { id, written: part, line, table }, &mut self.warnings);
        }
        Ok(())
    }

    fn stage(&mut self, line: u64, text: &str) -> Result<Stage, InputError> {
        if let Some(&stage) = self.stages.get(text) {
            return Ok(stage);
        }
        let stage: Stage =
            text.parse().map_err(|e: crate::territory::StageError| self.table.error(line, e.to_string()))?;
        self.stages.insert(text.to_string(), stage);
        Ok(stage)
    }

    fn date(&mut self, line: u64, text: &str) -> Result<Option<IsoDate>, InputError> {
        if text.is_empty() {
            return Ok(None);
        }
        if text == self.last_date.0 {
            return Ok(self.last_date.1);
        }
        let parsed = parse_date(text).map_err(|e| self.table.error(line, e.to_string()))?;
        self.last_date = (text.to_string(), Some(parsed));
        Ok(Some(parsed))
    }

    /// The département code of a cell, cached; unrecognised cells are reported once, at the end.
    fn departement(&mut self, line: u64, text: &str) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        if let Some((Some(code), _)) = self.departements.get(text) {
            return Some(code.clone());
        }
        let gazetteer = &self.gazetteer;
        let entry =
            self.departements.entry(text.to_string()).or_insert_with(|| (gazetteer.departement(text), Vec::new()));
        if entry.0.is_none() {
            entry.1.push(line);
        }
        entry.0.clone()
    }

    fn finish(mut self) -> TerritoryList {
        let table = self.table;
        let mut unknown: Vec<(&String, &Vec<u64>)> = self
            .departements
            .iter()
            .filter(|(_, (code, _))| code.is_none())
            .map(|(t, (_, lines))| (t, lines))
            .collect();
        unknown.sort_by_key(|(_, lines)| lines[0]);
        for (text, lines) in unknown {
            self.warnings.push(Warning::at(
                "unknown_departement",
                table.location(lines[0]),
                format!(
                    "département « {text} » non reconnu ({} ligne(s)) : les noms de communes de ces lignes sont cherchés dans toute la France",
                    lines.len()
                ),
            ));
        }
        if !self.padded.is_empty() {
            self.warnings.push(Warning::at(
                "padded_code",
                table.location(self.padded[0]),
                format!(
                    "{} codes à 4 chiffres complétés d'un 0 initial (zéro perdu par un tableur ?)",
                    self.padded.len()
                ),
            ));
        }
        let territories = finish(self.drafts, table, &mut self.warnings);
        TerritoryList { territories, rows: table.rows.len(), warnings: self.warnings }
    }
}

/// The row a commune came from, for messages.
struct Row<'r> {
    id: &'r str,
    written: &'r str,
    line: u64,
    table: &'r Table,
}

impl Row<'_> {
    fn at(&self) -> String {
        self.table.location(self.line)
    }
}

/// Adds a resolved commune to its territory, once; reports the rest.
fn add(draft: &mut Draft, g: &Gazetteer, resolution: Resolution, row: Row, warnings: &mut Vec<Warning>) {
    let id = row.id;
    let code = match resolution {
        Resolution::Skipped(kind, message) => {
            warnings.push(Warning::at(kind, row.at(), format!("CPTS {id} : {message}")));
            return;
        }
        Resolution::Found { code, notes } => {
            for (kind, message) in notes {
                warnings.push(Warning::at(kind, row.at(), format!("CPTS {id} : {message}")));
            }
            code
        }
    };
    if let Some(&first) = draft.codes.get(&code) {
        let what = if row.written == code.as_str() {
            format!("commune {code}")
        } else {
            format!("« {} » : {}", row.written, g.label(code))
        };
        warnings.push(Warning::at("duplicate_row", row.at(), format!("CPTS {id} : {what} déjà listée ligne {first}")));
        return;
    }
    draft.codes.insert(code, row.line);
    match g.atlas().resolve(code) {
        Resolved::Unit(u) => draft.units.push(u),
        Resolved::City(arrs) => draft.units.extend_from_slice(arrs),
        Resolved::Unknown => {}
    }
}

/// `AAAA-MM-JJ`, `JJ/MM/AAAA`, or an Excel serial number (a date cell
/// that lost its format: 44267 is 2021-03-12).
fn parse_date(text: &str) -> Result<IsoDate, InvalidDate> {
    let serial = text.parse::<f64>().ok().filter(|n| (20_000.0..=80_000.0).contains(n) && !text.contains(['/', '-']));
    match serial {
        Some(n) => serial_date(n).parse(),
        None => text.parse(),
    }
}

fn check_consistency(
    draft: &Draft,
    id: &str,
    name: &str,
    stage: Stage,
    date: Option<IsoDate>,
    at: impl Fn() -> String,
    warnings: &mut Vec<Warning>,
) {
    if stage != draft.stage {
        warnings.push(Warning::at(
            "conflicting_stage",
            at(),
            format!(
                "CPTS {id} : statut « {} » alors que la ligne {} dit « {} » ; retenu : {}",
                stage.label(),
                draft.first_line,
                draft.stage.label(),
                draft.stage.label()
            ),
        ));
    }
    if date.is_some() && date != draft.aci_date {
        let first = draft.aci_date.map_or("aucune".to_string(), |d| d.to_string());
        warnings.push(Warning::at(
            "conflicting_date",
            at(),
            format!("CPTS {id} : date d'ACI différente de la ligne {} ({first}) ; retenue : {first}", draft.first_line),
        ));
    }
    if name != draft.name {
        warnings.push(Warning::at(
            "conflicting_name",
            at(),
            format!("CPTS {id} : nom « {name} » différent de la ligne {} (« {} »)", draft.first_line, draft.name),
        ));
    }
}

fn finish(drafts: BTreeMap<String, Draft>, table: &Table, warnings: &mut Vec<Warning>) -> Vec<Territory> {
    let mut out = Vec::with_capacity(drafts.len());
    for (id, mut d) in drafts {
        let at = table.location(d.first_line);
        if d.aci_date.is_some() && d.stage != Stage::AciSigne {
            warnings.push(Warning::at(
                "date_without_aci",
                &at,
                format!("CPTS {id} : date d'ACI donnée pour le statut « {} » ; ignorée", d.stage.label()),
            ));
            d.aci_date = None;
        }
        d.units.sort_unstable();
        d.units.dedup();
        if d.units.is_empty() {
            warnings.push(Warning::at(
                "empty_territory",
                at,
                format!("CPTS {id} : aucune commune reconnue ; CPTS ignorée"),
            ));
            continue;
        }
        out.push(Territory { id, name: d.name, stage: d.stage, aci_date: d.aci_date, units: d.units });
    }
    out
}
