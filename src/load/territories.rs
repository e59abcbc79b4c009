//! CPTS lists in long format: one row per (territory, commune).
//!
//! Columns are found by name, without case or accents, with the variants
//! seen in ARS spreadsheets (`cpts_id`/`id_cpts`, `cpts_nom`/`nom`,
//! `statut`/`etat`/`avancement`, `date_signature_aci`/`date_aci`,
//! `code_commune`/`code_insee`/`codgeo`…), `,` or `;`, UTF-8 or Windows-1252.
//! What is doubtful is kept and reported with its line; what cannot be read
//! (a stage or a date that means nothing) is an error naming the line.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::InputError;
use super::table::Table;
use crate::atlas::{Atlas, Resolved, arrondissement_city};
use crate::commune::{InseeCode, UnitId};
use crate::diagnostics::Warning;
use crate::territory::{IsoDate, Stage, Territory};

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
const COMMUNE: &[&str] =
    &["code_commune", "code_insee", "insee_com", "code_insee_commune", "codgeo", "insee", "com", "depcom", "code_com"];

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
    codes: HashMap<InseeCode, u64>,
    units: Vec<UnitId>,
}

pub fn read_territory_list(path: &Path, atlas: &Atlas) -> Result<TerritoryList, InputError> {
    let table = Table::read(path)?;
    let commune = table.require("de code commune", COMMUNE)?;
    let stage_col = table.require("de statut", STAGE)?;
    let (id_col, name_col) = (table.column(ID), table.column(NAME));
    if id_col.is_none() && name_col.is_none() {
        table.require("d'identifiant ou de nom de CPTS", &[ID, NAME].concat())?;
    }
    let date_col = table.column(DATE);
    let file = path.display().to_string();
    let at = |line: u64| format!("{file}:{line}");
    let mut warnings = Vec::new();
    let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
    let mut padded = Vec::new();
    let mut stages: HashMap<String, Stage> = HashMap::new();
    // Rows of one territory follow each other: remember the last date read.
    let mut last_date: (String, Option<IsoDate>) = (String::new(), None);
    for (line, row) in &table.rows {
        let line = *line;
        let get = |col: Option<usize>| col.and_then(|i| row.get(i)).unwrap_or("").trim();
        let id = Some(get(id_col)).filter(|s| !s.is_empty()).unwrap_or(get(name_col));
        if id.is_empty() {
            return Err(InputError::line(path, line, "ni identifiant ni nom de CPTS sur cette ligne"));
        }
        let name = Some(get(name_col)).filter(|s| !s.is_empty()).unwrap_or(id);
        // A list repeats a handful of stage labels thousands of times: parse each once.
        let stage_text = get(Some(stage_col));
        let stage = match stages.get(stage_text) {
            Some(&stage) => stage,
            None => {
                let stage: Stage = stage_text
                    .parse()
                    .map_err(|e: crate::territory::StageError| InputError::line(path, line, e.to_string()))?;
                stages.insert(stage_text.to_string(), stage);
                stage
            }
        };
        let date = match get(date_col) {
            "" => None,
            d if d == last_date.0 => last_date.1,
            d => {
                let parsed = d.parse::<IsoDate>().map_err(|e| InputError::line(path, line, e.to_string()))?;
                last_date = (d.to_string(), Some(parsed));
                Some(parsed)
            }
        };
        if !drafts.contains_key(id) {
            let draft = Draft {
                name: name.to_string(),
                stage,
                aci_date: date,
                first_line: line,
                codes: HashMap::new(),
                units: Vec::new(),
            };
            drafts.insert(id.to_string(), draft);
        }
        let Some(draft) = drafts.get_mut(id) else { continue };
        check_consistency(draft, id, name, stage, date, || at(line), &mut warnings);
        let raw = get(Some(commune));
        // Spreadsheets drop the leading zero of codes such as 01001.
        let text = if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
            padded.push(line);
            format!("0{raw}")
        } else {
            raw.to_string()
        };
        let code: InseeCode = match text.parse() {
            Ok(c) => c,
            Err(e) => {
                warnings.push(Warning::at("invalid_code", at(line), format!("CPTS {id} : {e} ; ligne ignorée")));
                continue;
            }
        };
        if let Some(first) = draft.codes.insert(code, line) {
            draft.codes.insert(code, first);
            warnings.push(Warning::at(
                "duplicate_row",
                at(line),
                format!("CPTS {id} : commune {code} déjà listée ligne {first}"),
            ));
            continue;
        }
        match atlas.resolve(code) {
            Resolved::Unit(u) => draft.units.push(u),
            Resolved::City(arrs) => draft.units.extend_from_slice(arrs),
            Resolved::Unknown => {
                let hint = match arrondissement_city(&code) {
                    Some(city) if !atlas.is_replaced_city(city) => {
                        " (arrondissement municipal : chargez la couche des arrondissements)"
                    }
                    _ => " (commune fusionnée, supprimée ou code erroné ?)",
                };
                warnings.push(Warning::at(
                    "unknown_commune",
                    at(line),
                    format!("CPTS {id} : code {code} inconnu des couches chargées{hint} ; ignoré"),
                ));
            }
        }
    }
    if !padded.is_empty() {
        warnings.push(Warning::at(
            "padded_code",
            format!("{file}:{}", padded[0]),
            format!("{} codes à 4 chiffres complétés d'un 0 initial (zéro perdu par un tableur ?)", padded.len()),
        ));
    }
    let territories = finish(drafts, &file, &mut warnings);
    Ok(TerritoryList { territories, rows: table.rows.len(), warnings })
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

fn finish(drafts: BTreeMap<String, Draft>, file: &str, warnings: &mut Vec<Warning>) -> Vec<Territory> {
    let mut out = Vec::with_capacity(drafts.len());
    for (id, mut d) in drafts {
        let at = format!("{file}:{}", d.first_line);
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
