//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), read with
//! calamine into the same [`Grid`] of text cells as a CSV, so that the list
//! reader sees one kind of table. Cells become the text a person would type:
//! whole numbers without their `.0` (a code typed as a number, `1004`),
//! dates as `AAAA-MM-JJ` (whatever the cell format shows).

use std::fs::File;
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Sheets, open_workbook_auto};
use csv::StringRecord;

use super::InputError;
use super::table::Grid;

/// File extensions read as spreadsheets.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Whether a path names a spreadsheet (by its extension).
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// An open workbook.
pub struct Workbook {
    path: PathBuf,
    sheets: Sheets<BufReader<File>>,
}

impl Workbook {
    pub fn open(path: &Path) -> Result<Workbook, InputError> {
        // calamine parses untrusted binary formats: a panic in it must stay a bad input.
        let opened = catch_unwind(AssertUnwindSafe(|| open_workbook_auto(path)))
            .map_err(|_| InputError::file(path, "classeur illisible"))?;
        let sheets = opened.map_err(|e| InputError::file(path, format!("classeur illisible : {e}")))?;
        Ok(Workbook { path: path.to_path_buf(), sheets })
    }

    /// Sheet names, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.sheet_names()
    }

    /// The non-empty rows of a sheet, numbered as the spreadsheet shows them.
    pub fn grid(&mut self, name: &str) -> Result<Grid, InputError> {
        let unreadable = |detail: String| InputError::file(&self.path, format!("feuille « {name} » illisible{detail}"));
        let range = catch_unwind(AssertUnwindSafe(|| self.sheets.worksheet_range(name)))
            .map_err(|_| unreadable(String::new()))?
            .map_err(|e| unreadable(format!(" : {e}")))?;
        let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
        let mut rows = Vec::with_capacity(range.height());
        for (i, cells) in range.rows().enumerate() {
            let texts: Vec<String> = cells.iter().map(cell_text).collect();
            if texts.iter().all(|t| t.is_empty()) {
                continue;
            }
            rows.push((first_row + i as u64 + 1, StringRecord::from(texts)));
        }
        Ok(Grid { path: self.path.clone(), sheet: Some(name.to_string()), rows })
    }
}

/// The text a cell shows, as a list reader wants it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "VRAI" } else { "FAUX" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (year, month, day, ..) = d.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// `1004.0` → `1004` (a code typed as a number); other numbers as Rust prints them.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// An Excel serial date (days since 1899-12-30) as `AAAA-MM-JJ`: what a date
/// cell holds when a CSV export or an unformatted cell lost its format.
pub fn serial_date(serial: f64) -> String {
    let dt = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
    let (year, month, day, ..) = dt.to_ymd_hms_milli();
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_lose_their_decimal_part() {
        assert_eq!(cell_text(&Data::Float(1004.0)), "1004");
        assert_eq!(cell_text(&Data::Float(13055.0)), "13055");
        assert_eq!(cell_text(&Data::Float(12.5)), "12.5");
        assert_eq!(cell_text(&Data::Int(75056)), "75056");
    }

    #[test]
    fn serial_dates_are_calendar_dates() {
        assert_eq!(serial_date(44267.0), "2021-03-12");
        assert_eq!(serial_date(45943.541), "2025-10-13");
    }

    #[test]
    fn spreadsheets_are_known_by_their_extension() {
        assert!(is_spreadsheet(Path::new("liste.XLSX")));
        assert!(is_spreadsheet(Path::new("liste.ods")));
        assert!(!is_spreadsheet(Path::new("liste.csv")));
        assert!(!is_spreadsheet(Path::new("liste")));
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faux.xlsx");
        std::fs::write(&path, "pas un classeur").unwrap();
        let err = Workbook::open(&path).err().expect("not a workbook").to_string();
        assert!(err.contains("faux.xlsx") && err.contains("illisible"), "{err}");
    }
}
