//! Names of départements, régions and EPCI (`geodata/departements.csv`,
//! `regions.csv`, `epci.csv`, `;`-separated, UTF-8). Missing files only
//! mean that areas are shown by their code.

use std::collections::HashMap;
use std::path::Path;

use super::InputError;
use super::table::Table;
use crate::commune::InseeCode;

#[derive(Debug, Default, Clone)]
pub struct AreaNames {
    /// département code → (name, région code)
    pub departements: HashMap<String, (String, String)>,
    pub regions: HashMap<String, String>,
    pub epcis: HashMap<String, String>,
    /// Postcode → the communes and arrondissements it serves (`codes_postaux.csv`,
    /// filled by [`super::history::add_to_atlas`]).
    pub postcodes: HashMap<String, Vec<InseeCode>>,
}

impl AreaNames {
    /// Reads the three tables of a directory; a table that is absent stays empty.
    pub fn read_dir(dir: &Path) -> Result<AreaNames, InputError> {
        let mut names = AreaNames::default();
        for (file, key) in [("departements.csv", "code"), ("regions.csv", "code"), ("epci.csv", "siren")] {
            let path = dir.join(file);
            if !path.exists() {
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
