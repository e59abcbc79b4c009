//! The history of merged communes and the postcodes, read from the names
//! directory (`geodata/communes_fusionnees.csv`, `codes_postaux.csv`,
//! `;`-separated, UTF-8) and added to the atlas. Like the other names
//! tables, a missing file leaves its part empty; a row that cannot be read
//! is an error naming the file and the line.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::InputError;
use super::table::Table;
use crate::atlas::Atlas;
use crate::commune::{InseeCode, MergeKind, MergedCommune};

/// Old commune → current commune: `code_ancien;nom_ancien;nature;code_commune`.
pub const MERGED_FILE: &str = "communes_fusionnees.csv";
/// Postcode → commune or arrondissement: `code_postal;code_insee`.
pub const POSTCODES_FILE: &str = "codes_postaux.csv";

/// Adds the merged communes and postcodes of `dir` to the atlas. Merged
/// communes a source already carried (a GeoPackage's layer) are kept; the
/// file only adds the old codes they lack.
pub fn add_to_atlas(atlas: &mut Atlas, dir: Option<&Path>) -> Result<(), InputError> {
    let Some(dir) = dir else { return Ok(()) };
    let started = std::time::Instant::now();
    let merged = read_merged(&dir.join(MERGED_FILE))?;
    let known: HashSet<InseeCode> = atlas.history.iter().map(|m| m.old_code).collect();
    atlas.history.extend(merged.into_iter().filter(|m| !known.contains(&m.old_code)));
    atlas.history.sort_by_key(|m| m.old_code);
    atlas.names.postcodes = read_postcodes(&dir.join(POSTCODES_FILE))?;
    tracing::debug!(merged = atlas.history.len(), postcodes = atlas.names.postcodes.len(), elapsed = ?started.elapsed(), "history read");
    Ok(())
}

/// Reads `communes_fusionnees.csv`; an absent file gives no merged commune.
pub fn read_merged(path: &Path) -> Result<Vec<MergedCommune>, InputError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let table = Table::read(path)?;
    let old = table.require("code_ancien", &["code_ancien"])?;
    let name = table.require("nom_ancien", &["nom_ancien"])?;
    let nature = table.require("nature", &["nature"])?;
    let current = table.require("code_commune", &["code_commune"])?;
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, row) in &table.rows {
        let get = |i: usize| row.get(i).unwrap_or("");
        let code = |i: usize| get(i).parse::<InseeCode>().map_err(|e| table.error(*line, e.to_string()));
        let kind = match get(nature) {
            "COMD" => MergeKind::Deleguee,
            "COMA" => MergeKind::Associee,
            other => {
                return Err(table.error(*line, format!("nature « {other} » : COMD ou COMA attendu")));
            }
        };
        let old_name = get(name);
        if old_name.is_empty() {
            return Err(table.error(*line, "nom_ancien vide"));
        }
        out.push(MergedCommune { old_code: code(old)?, old_name: old_name.to_string(), kind, current: code(current)? });
    }
    Ok(out)
}

/// Reads `codes_postaux.csv` into postcode → units; an absent file gives none.
pub fn read_postcodes(path: &Path) -> Result<HashMap<String, Vec<InseeCode>>, InputError> {
    let mut out: HashMap<String, Vec<InseeCode>> = HashMap::new();
    if !path.exists() {
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

    fn write(dir: &Path, file: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn merged_communes_are_read_with_their_nature_and_current_commune() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            MERGED_FILE,
            "code_ancien;nom_ancien;nature;code_commune\n01015;Arbignieu;COMD;01015\n14011;Les Loges;COMA;14581\n",
        );
        let merged = read_merged(&path).unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1].old_name, "Les Loges");
        assert_eq!(merged[1].kind, MergeKind::Associee);
        assert_eq!(merged[1].current.as_str(), "14581");
    }

    #[test]
    fn a_malformed_row_names_the_file_and_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            MERGED_FILE,
            "code_ancien;nom_ancien;nature;code_commune\n01015;Arbignieu;COMD;01015\n0101;X;COMD;01015\n",
        );
        let err = read_merged(&path).unwrap_err().to_string();
        assert!(err.contains(MERGED_FILE) && err.contains(":3 :") && err.contains("0101"), "{err}");
        let path = write(dir.path(), POSTCODES_FILE, "code_postal;code_insee\n75005;75105\n7500;75105\n");
        let err = read_postcodes(&path).unwrap_err().to_string();
        assert!(err.contains(":3 :") && err.contains("5 chiffres"), "{err}");
    }

    #[test]
    fn absent_files_give_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_merged(&dir.path().join(MERGED_FILE)).unwrap().is_empty());
        assert!(read_postcodes(&dir.path().join(POSTCODES_FILE)).unwrap().is_empty());
    }

    #[test]
    fn a_postcode_serves_several_units() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), POSTCODES_FILE, "code_postal;code_insee\n01000;01053\n01000;01344\n");
        assert_eq!(read_postcodes(&path).unwrap()["01000"].len(), 2);
    }
}
