//! Tables with flexible headers: delimited text (CSV with `,`, `;` or tab)
//! and spreadsheet sheets alike, read first as a [`Grid`] of text cells, then
//! turned into a [`Table`] once the header row is known. The shared reader of
//! the population, names and territory files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::{InputError, decode_text, read_bytes};
use crate::text::{column_key, listing};

/// How many rows above the header a list may spend on titles and notes.
pub const MAX_TITLE_ROWS: usize = 30;

/// The non-empty rows of a CSV file or of one sheet, each with its line
/// (CSV) or row (sheet) number, before the header is chosen.
pub struct Grid {
    pub path: PathBuf,
    /// The sheet's name, for a spreadsheet.
    pub sheet: Option<String>,
    pub rows: Vec<(u64, StringRecord)>,
}

/// A table: header keys folded to `snake_case`, rows below the header with
/// their line numbers.
pub struct Table {
    pub path: PathBuf,
    pub sheet: Option<String>,
    columns: HashMap<String, usize>,
    pub headers: Vec<String>,
    pub rows: Vec<(u64, StringRecord)>,
}

impl Grid {
    /// Reads a delimited text file, UTF-8 or Windows-1252; the delimiter is
    /// the one of `;`, `,` and tab that the first lines use most (title rows
    /// above the header have few or none).
    pub fn read_csv(path: &Path) -> Result<Grid, InputError> {
        let text = decode_text(&read_bytes(path)?);
        let unbalanced_quotes = text.bytes().filter(|&b| b == b'"').count() % 2 == 1;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter(&text))
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                InputError::line(path, line, format!("ligne illisible : {e}"))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows.push((line, record));
        }
        // An opening quote never closed swallows the rest of the file into one cell, which
        // would then be reported as a strange stage or code: say what happened instead.
        if unbalanced_quotes
            && let Some((line, _)) = rows.iter().rev().find(|(_, r)| r.iter().any(|c| c.contains('\n')))
        {
            return Err(InputError::line(
                path,
                *line,
                "guillemet ouvrant sans guillemet fermant : la suite du fichier serait lue comme une seule cellule",
            ));
        }
        Ok(Grid { path: path.to_path_buf(), sheet: None, rows })
    }

    /// The index of the first row (among the first [`MAX_TITLE_ROWS`]) whose
    /// folded cells `is_header` accepts.
    pub fn find_header(&self, is_header: impl Fn(&HashMap<String, usize>) -> bool) -> Option<usize> {
        self.rows.iter().take(MAX_TITLE_ROWS + 1).position(|(_, row)| is_header(&keys(row)))
    }

    /// The table whose header is row `header` (an index into `rows`); rows above it are dropped.
    pub fn into_table(mut self, header: usize) -> Table {
        let below = if header < self.rows.len() { self.rows.split_off(header + 1) } else { Vec::new() };
        let headers: Vec<String> =
            self.rows.pop().map(|(_, row)| row.iter().map(str::to_string).collect()).unwrap_or_default();
        let columns = header_keys(&headers);
        Table { path: self.path, sheet: self.sheet, columns, headers, rows: below }
    }

    /// The cells of the first row, for messages.
    pub fn first_row(&self) -> String {
        self.rows.first().map(|(_, row)| listing(row.iter())).unwrap_or_default()
    }
}

impl Table {
    /// Reads a delimited text file whose first non-empty line is the header.
    pub fn read(path: &Path) -> Result<Table, InputError> {
        Ok(Grid::read_csv(path)?.into_table(0))
    }

    /// The first column whose folded name is one of `aliases`.
    pub fn column(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| self.columns.get(*a).copied())
    }

    /// Like [`Table::column`], but an error listing what was expected and found.
    pub fn require(&self, what: &str, aliases: &[&str]) -> Result<usize, InputError> {
        self.column(aliases).ok_or_else(|| {
            let message = format!(
                "colonne {what} introuvable ; noms acceptés : {} ; colonnes présentes : {}",
                aliases.join(", "),
                listing(&self.headers)
            );
            match &self.sheet {
                Some(sheet) => InputError::file(&self.path, format!("feuille « {sheet} » : {message}")),
                None => InputError::file(&self.path, message),
            }
        })
    }

    /// Where a row is, for warnings: `file:12`, or `file.xlsx, feuille « CPTS », ligne 12`.
    pub fn location(&self, line: u64) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}, feuille « {sheet} », ligne {line}", self.path.display()),
            None => format!("{}:{line}", self.path.display()),
        }
    }

    /// An error about one row, located like [`Table::location`].
    pub fn error(&self, line: u64, message: impl Into<String>) -> InputError {
        match &self.sheet {
            Some(sheet) => {
                InputError::Sheet { path: self.path.clone(), sheet: sheet.clone(), line, message: message.into() }
            }
            None => InputError::line(&self.path, line, message),
        }
    }
}

/// Folded header names → first column holding them.
fn header_keys(headers: &[String]) -> HashMap<String, usize> {
    let mut columns = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        columns.entry(column_key(h)).or_insert(i);
    }
    columns
}

fn keys(row: &StringRecord) -> HashMap<String, usize> {
    header_keys(&row.iter().map(str::to_string).collect::<Vec<_>>())
}

/// The delimiter used most over the first lines (a comma inside a name or a
/// note weighs little against a whole table); `;` on a tie (French files).
fn delimiter(text: &str) -> u8 {
    let head: Vec<&str> = text.lines().take(2 * MAX_TITLE_ROWS).collect();
    let count = |d: u8| head.iter().map(|l| l.bytes().filter(|&b| b == d).count()).sum::<usize>();
    let mut best = b';';
    for d in [b',', b'\t'] {
        if count(d) > count(best) {
            best = d;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(lines: &[&str]) -> Grid {
        let rows = lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, StringRecord::from(l.split(';').collect::<Vec<_>>())))
            .collect();
        Grid { path: "x.csv".into(), sheet: None, rows }
    }

    #[test]
    fn the_header_may_sit_below_title_rows() {
        let g = grid(&["Liste des CPTS", "mise à jour 2025", "CPTS;Commune", "A;Paris"]);
        let header = g.find_header(|k| k.contains_key("cpts") && k.contains_key("commune"));
        assert_eq!(header, Some(2));
        let table = g.into_table(2);
        assert_eq!(table.column(&["commune"]), Some(1));
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].0, 4);
    }

    #[test]
    fn the_delimiter_is_the_one_the_first_lines_use_most() {
        assert_eq!(delimiter("Titre\na;b;c\n1;2;3"), b';');
        assert_eq!(delimiter("Titre, 2025\na,b,c,d\n1,2,3,4"), b',');
        assert_eq!(delimiter("id;nom;commune\n1;CPTS Nord, Est;Lille\n1;CPTS Nord, Est;Roubaix"), b';');
        assert_eq!(delimiter("a\tb\n"), b'\t');
        assert_eq!(delimiter("titre seul"), b';');
    }

    #[test]
    fn locations_name_the_sheet_of_a_spreadsheet() {
        let mut table = grid(&["a;b"]).into_table(0);
        assert_eq!(table.location(3), "x.csv:3");
        table.sheet = Some("CPTS 2025".into());
        assert_eq!(table.location(12), "x.csv, feuille « CPTS 2025 », ligne 12");
    }
}
