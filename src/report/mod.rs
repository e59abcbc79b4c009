//! Stage 6: the report, rendered for a terminal (French table), for scripts
//! (JSON, the documented contract) or for spreadsheets (CSV).

pub mod csv;
pub mod table;

use std::io::{self, Write};

use crate::coverage::Report;

/// Output formats of `cptsmap report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub fn write(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table::write(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Csv => csv::write(report, out),
    }
}
