//! Territory lists as ARS staff hold them: spreadsheets and CSV files of
//! commune names under title rows, with French stage labels, Excel dates, a
//! département column and every spelling of a name. Each must give exactly
//! the figures of the code list it was made from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cptsmap::atlas::{Atlas, AtlasSources, Resolved};
use cptsmap::commune::InseeCode;
use cptsmap::text::fold;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::util::{cptsmap, json, repo};

/// One row of the demo list.
#[derive(Debug, Clone)]
pub struct DemoRow {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub date: String,
    pub code: String,
}

pub fn demo_rows() -> &'static [DemoRow] {
    static ROWS: OnceLock<Vec<DemoRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut reader =
            csv::ReaderBuilder::new().delimiter(b';').from_path(repo().join("geodata/cpts_demo_fictif.csv")).unwrap();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let f = |i: usize| r[i].to_string();
                DemoRow { id: f(0), name: f(1), stage: f(2), date: f(3), code: f(4) }
            })
            .collect()
    })
}

/// The bundled atlas, loaded once, for the names the lists are written with.
pub fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let geodata = repo().join("geodata");
        Atlas::load(&AtlasSources {
            communes: vec![geodata.join("COMMUNE.shp")],
            arrondissements: Some(geodata.join("ARRONDISSEMENT_MUNICIPAL.shp")),
            names: Some(geodata.clone()),
            ..AtlasSources::default()
        })
        .unwrap()
    })
}

fn unit(code: &str) -> &'static cptsmap::commune::Unit {
    let code: InseeCode = code.parse().unwrap();
    match atlas().resolve(code) {
        Resolved::Unit(id) => atlas().unit(id),
        other => panic!("{code}: {other:?}"),
    }
}

/// 20 demo territories: 6 in Bouches-du-Rhône, 6 in Rhône, 6 in Paris, the
/// first of Ain (a code with a leading zero) and one in Martinique (six
/// names with an article: Le Lamentin…).
fn subset() -> Vec<DemoRow> {
    let mut ids: Vec<&str> = vec!["DEMO-972-0613"];
    for (dep, n) in [("01", 1), ("13", 6), ("69", 6), ("75", 6)] {
        let mut of_dep: Vec<&str> =
            demo_rows().iter().map(|r| r.id.as_str()).filter(|id| id.starts_with(&format!("DEMO-{dep}-"))).collect();
        of_dep.dedup();
        ids.extend(of_dep.into_iter().take(n));
    }
    assert_eq!(ids.len(), 20);
    demo_rows().iter().filter(|r| ids.contains(&r.id.as_str())).cloned().collect()
}

/// The spellings exercised, counted so that the test proves it used them all.
#[derive(Debug, Default)]
struct Spellings(BTreeMap<&'static str, usize>, [usize; 3]);

impl Spellings {
    /// How a commune of the list is written: a name in one of the spellings
    /// of ARS files, in turn for each kind of name, or now and then its code
    /// (as a number).
    fn write(&mut self, code: &str) -> Cell {
        let name = &unit(code).name;
        let group = if arrondissement_number(code).is_some() {
            0
        } else if split_article(name).is_some() {
            1
        } else {
            2
        };
        let n = self.1[group];
        self.1[group] += 1;
        let (kind, cell) = if let Some(number) = arrondissement_number(code) {
            let city = name.split(' ').next().unwrap_or_default();
            let ordinal = if number == 1 { "1er".to_string() } else { format!("{number}e") };
            match n % 4 {
                0 => ("arrondissement, official", Cell::Text(name.clone())),
                1 => ("arrondissement, number only", Cell::Text(format!("{city} {number}"))),
                2 => ("arrondissement, ordinal", Cell::Text(format!("{city} {ordinal}"))),
                _ => ("arrondissement, upper case", Cell::Text(format!("{} {number}EME", city.to_uppercase()))),
            }
        } else if let Some((article, rest)) = split_article(name) {
            match n % 3 {
                0 => ("article in brackets", Cell::Text(format!("{rest} ({})", article.trim()))),
                1 => ("article left out", Cell::Text(rest.to_string())),
                _ => ("article, official", Cell::Text(name.clone())),
            }
        } else if name.starts_with("Saint-") || name.starts_with("Sainte-") {
            let short = name.replacen("Sainte-", "Ste-", 1).replacen("Saint-", "St-", 1);
            ("St/Ste", Cell::Text(short))
        } else {
            match n % 4 {
                0 => ("upper case without accents", Cell::Text(fold(name).to_uppercase())),
                1 => ("hyphens as spaces", Cell::Text(name.replace('-', " "))),
                2 => ("code as a number", Cell::Number(code.parse().unwrap())),
                _ => ("official", Cell::Text(name.clone())),
            }
        };
        *self.0.entry(kind).or_default() += 1;
        cell
    }
}

fn arrondissement_number(code: &str) -> Option<u32> {
    let n: u32 = code.parse().ok()?;
    match n {
        75101..=75120 => Some(n - 75100),
        69381..=69389 => Some(n - 69380),
        13201..=13216 => Some(n - 13200),
        _ => None,
    }
}

fn split_article(name: &str) -> Option<(&str, &str)> {
    ["Le ", "La ", "Les ", "L'"].iter().find_map(|a| name.strip_prefix(a).map(|rest| (*a, rest)))
}

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n:.1}"),
        }
    }
}

/// The stage labels ARS files use instead of the canonical ones.
fn french_stage(stage: &str) -> &'static str {
    match stage {
        "ACI signé" => "En fonctionnement",
        "Projet de santé validé" => "Projet validé",
        "Lettre d'intention validée" => "LI validée",
        _ => "En émergence",
    }
}

/// A list row as written by hand: one territory, one or several communes.
struct ListRow {
    id: String,
    name: String,
    stage: &'static str,
    /// (year, month, day)
    date: Option<(u16, u8, u8)>,
    departement: String,
    commune: Cell,
}

/// The subset by names: every spelling; the first territory of each
/// département lists some communes together in one cell.
fn by_names(rows: &[DemoRow]) -> (Vec<ListRow>, Spellings) {
    let mut spellings = Spellings::default();
    let mut out: Vec<ListRow> = Vec::new();
    let mut departements_seen: Vec<String> = Vec::new();
    for territory in rows.chunk_by(|a, b| a.id == b.id) {
        let first = &territory[0];
        let departement = unit(&first.code).departement.clone();
        let date = (!first.date.is_empty()).then(|| {
            let p: Vec<u16> = first.date.split('-').map(|x| x.parse().unwrap()).collect();
            (p[0], p[1] as u8, p[2] as u8)
        });
        let mut cells: Vec<Cell> = territory.iter().map(|r| spellings.write(&r.code)).collect();
        let row = |commune: Cell| ListRow {
            id: first.id.clone(),
            name: first.name.clone(),
            stage: french_stage(&first.stage),
            date,
            departement: departement.clone(),
            commune,
        };
        if !departements_seen.contains(&departement) && cells.len() >= 5 {
            departements_seen.push(departement.clone());
            let rest = cells.split_off(5);
            let t: Vec<String> = cells.iter().map(Cell::text).collect();
            out.push(row(Cell::Text(format!("Communes : {}, {} ; {}", t[0], t[1], t[2]))));
            out.push(row(Cell::Text(format!("{} / {}", t[3], t[4]))));
            cells = rest;
        }
        out.extend(cells.into_iter().map(row));
    }
    (out, spellings)
}

const HEADER: [&str; 6] =
    ["ID CPTS", "Nom de la CPTS", "État d'avancement", "Date de signature de l'ACI", "Département", "Commune"];

fn write_xlsx(path: &Path, rows: &[ListRow]) {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Liste fictive, pour les tests").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("CPTS 2025").unwrap();
    sheet.write_string(0, 0, "Liste des CPTS de la région (fictive)").unwrap();
    sheet.write_string(1, 0, "Mise à jour : janvier 2025").unwrap();
    for (col, h) in HEADER.iter().enumerate() {
        sheet.write_string(3, col as u16, *h).unwrap();
    }
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (i, r) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        sheet.write_string(row, 0, &r.id).unwrap();
        sheet.write_string(row, 1, &r.name).unwrap();
        sheet.write_string(row, 2, r.stage).unwrap();
        if let Some((y, m, d)) = r.date {
            sheet.write_date_with_format(row, 3, ExcelDateTime::from_ymd(y, m, d).unwrap(), &date_format).unwrap();
        }
        match r.departement.parse::<f64>() {
            Ok(n) => sheet.write_number(row, 4, n).unwrap(),
            Err(_) => sheet.write_string(row, 4, &r.departement).unwrap(),
        };
        match &r.commune {
            Cell::Text(t) => sheet.write_string(row, 5, t).unwrap(),
            Cell::Number(n) => sheet.write_number(row, 5, *n).unwrap(),
        };
    }
    book.save(path).unwrap();
}

fn write_csv(path: &Path, rows: &[ListRow]) {
    let mut w = csv::WriterBuilder::new().delimiter(b';').flexible(true).from_path(path).unwrap();
    w.write_record(["Liste des CPTS de la région (fictive)"]).unwrap();
    w.write_record([""]).unwrap();
    w.write_record(HEADER).unwrap();
    for r in rows {
        let date = r.date.map_or(String::new(), |(y, m, d)| format!("{d:02}/{m:02}/{y}"));
        w.write_record([&r.id, &r.name, r.stage, &date, &r.departement, &r.commune.text()]).unwrap();
    }
    w.flush().unwrap();
}

pub fn write_codes(path: &Path, rows: &[DemoRow]) {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_path(path).unwrap();
    w.write_record(["cpts_id", "cpts_nom", "statut", "date_signature_aci", "code_commune"]).unwrap();
    for r in rows {
        w.write_record([&r.id, &r.name, &r.stage, &r.date, &r.code]).unwrap();
    }
    w.flush().unwrap();
}

pub fn report(cpts: &Path, extra: &[&str]) -> Value {
    let path = cpts.to_str().unwrap();
    json(&[&["report", "--format", "json", "--cpts", path], extra].concat())
}

/// The figures two lists must share: every territory, national coverage by stage.
pub fn assert_same_figures(a: &Value, b: &Value) {
    assert_eq!(a["cpts"], b["cpts"]);
    assert_eq!(a["covered"], b["covered"]);
    assert_eq!(a["by_stage"], b["by_stage"]);
    assert_eq!(a["departements"], b["departements"]);
}

pub fn warnings<'v>(r: &'v Value, kind: &str) -> Vec<&'v Value> {
    r["warnings"].as_array().unwrap().iter().filter(|w| w["kind"] == kind).collect()
}

fn assert_clean(r: &Value) {
    for kind in ["unknown_commune", "ambiguous_commune", "invalid_code", "departement_mismatch", "unknown_departement"]
    {
        assert!(warnings(r, kind).is_empty(), "{kind}: {:?}", warnings(r, kind));
    }
}

/// Files of one test, in a temporary directory.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files { dir: tempfile::tempdir().unwrap() }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn a_spreadsheet_by_names_gives_the_figures_of_its_code_list() {
    let files = Files::new();
    let rows = subset();
    let (list, spellings) = by_names(&rows);
    write_codes(&files.path("codes.csv"), &rows);
    write_xlsx(&files.path("noms.xlsx"), &list);
    let by_codes = report(&files.path("codes.csv"), &[]);
    let by_names = report(&files.path("noms.xlsx"), &[]);
    assert_eq!(by_codes["cpts"].as_array().unwrap().len(), 20);
    assert_same_figures(&by_codes, &by_names);
    assert_clean(&by_names);
    for kind in ["article left out", "article in brackets", "St/Ste", "upper case without accents", "code as a number"]
    {
        assert!(spellings.0.get(kind).is_some_and(|n| *n > 0), "spelling « {kind} » unused: {spellings:?}");
    }
    for kind in ["arrondissement, number only", "arrondissement, ordinal", "arrondissement, upper case"] {
        assert!(spellings.0.contains_key(kind), "{kind}: {spellings:?}");
    }
    assert!(list.iter().any(|r| r.commune.text().starts_with("Communes : ")), "a cell with several communes");
    assert!(list.len() < rows.len());
}

#[test]
fn a_csv_with_the_same_content_gives_the_same_result() {
    let files = Files::new();
    let rows = subset();
    let (list, _) = by_names(&rows);
    write_codes(&files.path("codes.csv"), &rows);
    write_csv(&files.path("noms.csv"), &list);
    let by_names = report(&files.path("noms.csv"), &[]);
    assert_same_figures(&report(&files.path("codes.csv"), &[]), &by_names);
    assert_clean(&by_names);
}

#[test]
fn the_sheet_can_be_named_and_an_absent_one_is_an_error() {
    let files = Files::new();
    let rows = subset();
    let (list, _) = by_names(&rows);
    let xlsx = files.path("noms.xlsx");
    write_xlsx(&xlsx, &list);
    let chosen = report(&xlsx, &["--cpts-sheet", "cpts 2025"]);
    assert_same_figures(&report(&xlsx, &[]), &chosen);
    let out = cptsmap(&["report", "--cpts", xlsx.to_str().unwrap(), "--cpts-sheet", "Absente"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("« Absente » absente") && err.contains("Notes, CPTS 2025"), "{err}");
    let out = cptsmap(&["report", "--cpts", xlsx.to_str().unwrap(), "--cpts-sheet", "Notes"]);
    assert_eq!(out.status.code(), Some(2), "a sheet without a list header");
}

#[test]
fn an_unreadable_stage_in_a_sheet_names_the_sheet_and_the_row() {
    let files = Files::new();
    let rows = subset();
    let (mut list, _) = by_names(&rows);
    list[2].stage = "on verra";
    let xlsx = files.path("noms.xlsx");
    write_xlsx(&xlsx, &list);
    let out = cptsmap(&["report", "--cpts", xlsx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("noms.xlsx, feuille « CPTS 2025 », ligne 7 : statut « on verra »"), "{err}");
}

#[test]
fn ambiguous_and_unknown_names_are_reported_with_their_row() {
    let files = Files::new();
    let text = "Liste de test\n\
                cpts;commune;statut;dpt\n\
                Nord;Saint-Denis;ACI signé;\n\
                Nord;Xyzzy;ACI signé;\n\
                Nord;Saint-Denis;ACI signé;93\n\
                Sud;Le Havre;Pré-projet;\n";
    std::fs::write(files.path("noms.csv"), text).unwrap();
    let r = report(&files.path("noms.csv"), &[]);
    let file = files.path("noms.csv").display().to_string();
    let ambiguous = warnings(&r, "ambiguous_commune");
    assert_eq!(ambiguous.len(), 1, "{ambiguous:?}");
    assert_eq!(ambiguous[0]["location"], format!("{file}:3"));
    let message = ambiguous[0]["message"].as_str().unwrap();
    assert!(message.contains("93066, Seine-Saint-Denis") && message.contains("97411, La Réunion"), "{message}");
    let unknown = warnings(&r, "unknown_commune");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["location"], format!("{file}:4"));
    assert!(unknown[0]["message"].as_str().unwrap().contains("« Xyzzy »"));
    let cpts = r["cpts"].as_array().unwrap();
    assert_eq!(cpts.len(), 2);
    assert_eq!(cpts[0]["units"], 1, "Saint-Denis (93) once: the ambiguous row is left out");
}

#[test]
fn a_warning_in_a_spreadsheet_names_the_file_the_sheet_and_the_row() {
    let files = Files::new();
    let rows = subset();
    let (mut list, _) = by_names(&rows);
    list[0].commune = Cell::Text("Xyzzy".into());
    let xlsx = files.path("noms.xlsx");
    write_xlsx(&xlsx, &list);
    let r = report(&xlsx, &[]);
    let unknown = warnings(&r, "unknown_commune");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["location"], format!("{}, feuille « CPTS 2025 », ligne 5", xlsx.display()));
}
