//! Names of départements, régions and EPCI (`geodata/departements.csv`,
//! `regions.csv`, `epci.csv`), and the postcodes of communes
//! (`codes_postaux.csv`), `;`-separated, UTF-8. Missing files only mean
//! that areas are shown by their code and postcodes are not searched; a
//! row that cannot be read is an error naming the file and the line.

use std::collections::HashMap;
use std::path::Path;

use super::InputError;
use super::table::Table;
use crate::commune::InseeCode;

/// Postcode → commune or arrondissement: `code_postal;code_insee`.
pub const POSTCODES_FILE: &str = "codes_postaux.csv";

#[derive(Debug, Default, Clone)]
pub struct AreaNames {
    /// département code → (name, région code)
    pub departements: HashMap<String, (String, String)>,
    pub regions: HashMap<String, String>,
    pub epcis: HashMap<String, String>,
    /// Postcode → the communes and arrondissements it serves (`codes_postaux.csv`).
    pub postcodes: HashMap<String, Vec<InseeCode>>,
}

impl AreaNames {
    /// Reads the three tables of a directory; a table that is absent stays empty.
    pub fn read_dir(dir: &Path) -> Result<AreaNames, InputError> {
        let mut names = AreaNames::default();
        for (file, key) in [("departements.csv", "code"), ("regions.csv", "code"), ("epci.csv", "siren")] {
            let path = dir.join(file);
            if !super::exists(&path) {
                continue;
            }
            let table = Table::read(&path)?;
            let code = table.require("code", &[key])?;
            let name = table.require("nom", &["nom"])?;
            let region = table.column(&["region"]);
            for (_, row) in &table.rows {
                let get = |i: usize| row.get(i).unwrap_or("").to_string();
                match file {
                    "departements.csv" => {
                        let reg = region.map(get).unwrap_or_default();
                        names.departements.insert(get(code), (get(name), reg));
                    }
                    "regions.csv" => {
                        names.regions.insert(get(code), get(name));
                    }
                    _ => {
                        names.epcis.insert(get(code), get(name));
                    }
                }
            }
        }
        names.postcodes = read_postcodes(&dir.join(POSTCODES_FILE))?;
        Ok(names)
    }

    pub fn departement<'a>(&'a self, code: &'a str) -> &'a str {
        self.departements.get(code).map_or(code, |(n, _)| n)
    }

    pub fn region<'a>(&'a self, code: &'a str) -> &'a str {
        self.regions.get(code).map_or(code, String::as_str)
    }

    pub fn epci<'a>(&'a self, code: &'a str) -> &'a str {
        self.epcis.get(code).map_or(code, String::as_str)
    }
}

/// Reads `codes_postaux.csv` into postcode → units; an absent file gives none.
pub fn read_postcodes(path: &Path) -> Result<HashMap<String, Vec<InseeCode>>, InputError> {
    let mut out: HashMap<String, Vec<InseeCode>> = HashMap::new();
    if !super::exists(path) {
        return Ok(out);
    }
    let table = Table::read(path)?;
    let postcode = table.require("code_postal", &["code_postal"])?;
    let code = table.require("code_insee", &["code_insee"])?;
    for (line, row) in &table.rows {
        let pc = row.get(postcode).unwrap_or("");
        if pc.len() != 5 || !pc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(table.error(*line, format!("code postal « {pc} » : 5 chiffres attendus")));
        }
        let unit: InseeCode = row
            .get(code)
            .unwrap_or("")
            .parse()
            .map_err(|e: crate::commune::InvalidInseeCode| table.error(*line, e.to_string()))?;
        out.entry(pc.to_string()).or_default().push(unit);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let path = dir.join(POSTCODES_FILE);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_postcode_serves_several_units() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "code_postal;code_insee\n01000;01053\n01000;01344\n");
        assert_eq!(read_postcodes(&path).unwrap()["01000"].len(), 2);
        assert!(read_postcodes(&dir.path().join("absent.csv")).unwrap().is_empty());
    }

    #[test]
    fn a_malformed_postcode_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "code_postal;code_insee\n75005;75105\n7500;75105\n");
        let err = read_postcodes(&path).unwrap_err().to_string();
        assert!(err.contains(":3 :") && err.contains("5 chiffres"), "{err}");
    }
}
