//! Delimited text tables (CSV with `,`, `;` or tab) with flexible headers:
//! the shared reader of the population and territory files.

use std::collections::HashMap;
use std::path::Path;

use super::{InputError, decode_text, read_bytes};
use crate::text::column_key;

/// A decoded table: header keys folded to `snake_case`, rows with line numbers.
pub struct Table {
    pub path: std::path::PathBuf,
    columns: HashMap<String, usize>,
    pub headers: Vec<String>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table, InputError> {
        let text = decode_text(&read_bytes(path)?);
        let first = text.lines().next().unwrap_or("");
        let delimiter =
            [b';', b',', b'\t'].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b';');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::file(path, format!("en-tête illisible : {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let columns = headers.iter().enumerate().map(|(i, h)| (column_key(h), i)).collect();
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
        Ok(Table { path: path.to_path_buf(), columns, headers, rows })
    }

    /// The first column whose folded name is one of `aliases`.
    pub fn column(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| self.columns.get(*a).copied())
    }

    /// Like [`Table::column`], but an error listing what was expected and found.
    pub fn require(&self, what: &str, aliases: &[&str]) -> Result<usize, InputError> {
        self.column(aliases).ok_or_else(|| {
            InputError::file(
                &self.path,
                format!(
                    "colonne {what} introuvable ; noms acceptés : {} ; colonnes présentes : {}",
                    aliases.join(", "),
                    self.headers.join(", ")
                ),
            )
        })
    }
}
