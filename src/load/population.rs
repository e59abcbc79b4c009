//! INSEE populations légales (`donnees_communes.csv`): `CODDEP;CODCOM;…;PMUN;…`.
//!
//! The file lists the 45 arrondissements instead of Paris, Lyon and
//! Marseille, and leaves Mayotte out. Values replace the population of the
//! layers for the codes they name.

use std::collections::HashMap;
use std::path::Path;

use super::InputError;
use super::table::Table;
use crate::commune::InseeCode;

/// Population municipale by INSEE code.
pub type PopulationTable = HashMap<InseeCode, u64>;

pub fn read_population(path: &Path) -> Result<PopulationTable, InputError> {
    let table = Table::read(path)?;
    let pmun = table.require("de population municipale", &["pmun", "population_municipale", "p_mun"])?;
    // Not `COM`: in INSEE files it holds the commune name.
    let code_col = table.column(&["codgeo", "code_commune", "code_insee", "depcom"]);
    let (dep_col, com_col) = match code_col {
        Some(_) => (None, None),
        None => (
            Some(table.require("CODDEP", &["coddep", "dep", "code_departement"])?),
            Some(table.require("CODCOM", &["codcom", "code_commune_sans_dep"])?),
        ),
    };
    if table.rows.is_empty() {
        return Err(InputError::file(path, "aucune ligne sous l'en-tête : fichier de populations vide"));
    }
    let mut out = HashMap::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let get = |i: usize| row.get(i).unwrap_or("");
        let code_text = match (code_col, dep_col, com_col) {
            (Some(c), _, _) => get(c).to_string(),
            (None, Some(d), Some(c)) => join_code(get(d), get(c)),
            _ => unreachable!("one of the two column layouts was required above"),
        };
        let code: InseeCode = code_text
            .parse()
            .map_err(|e: crate::commune::InvalidInseeCode| InputError::line(path, *line, e.to_string()))?;
        let raw = get(pmun);
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let value = digits
            .parse::<u64>()
            .map_err(|_| InputError::line(path, *line, format!("PMUN = « {raw} » : nombre entier attendu")))?;
        if out.insert(code, value).is_some() {
            return Err(InputError::line(path, *line, format!("code {code} en double")));
        }
    }
    Ok(out)
}

/// `CODDEP` + `CODCOM`; overseas the département has 3 characters and the
/// commune part may repeat its last digit (`971` + `101` → `97101`).
fn join_code(dep: &str, com: &str) -> String {
    if dep.len() == 3 && com.len() == 3 && dep.starts_with("97") {
        format!("97{com}")
    } else if dep.len() == 1 {
        format!("0{dep}{com}")
    } else {
        format!("{dep}{com}")
    }
}

#[cfg(test)]
mod tests {
    use super::join_code;

    #[test]
    fn joins_metropolitan_and_overseas_codes() {
        assert_eq!(join_code("01", "001"), "01001");
        assert_eq!(join_code("2A", "004"), "2A004");
        assert_eq!(join_code("971", "01"), "97101");
        assert_eq!(join_code("971", "101"), "97101");
        assert_eq!(join_code("1", "001"), "01001");
    }
}
