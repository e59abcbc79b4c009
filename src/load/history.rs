//! Communes merged into a current commune (communes déléguées and
//! associées): each old commune's code and name, how it lives on, and the
//! current commune it belongs to — what maps old codes and names in
//! territory lists to today's communes.
//!
//! Two sources: the layer `commune_associee_ou_deleguee` of an ADMIN
//! EXPRESS 4.0 GeoPackage ([`read_merged_layer`]), and the table bundled in
//! `geodata/communes_fusionnees.csv` (`code_ancien;nom_ancien;nature;code_commune`,
//! [`read_merged_file`]). A GeoPackage's history wins; the file adds the old
//! codes it lacks ([`add_to_atlas`]).

use std::collections::HashSet;
use std::path::Path;

use super::InputError;
use super::fields::{AttributeTable, find};
use super::table::Table;
use crate::atlas::Atlas;
use crate::commune::{InseeCode, MergeKind, MergedCommune};
use crate::text::{fold, listing};

/// Old commune → current commune: `code_ancien;nom_ancien;nature;code_commune`.
pub const MERGED_FILE: &str = "communes_fusionnees.csv";

/// Field names per role, compared without case (4.0 names first).
const OLD_CODE: &[&str] = &["code_insee", "INSEE_CAD", "INSEE_COM"];
const OLD_NAME: &[&str] = &["nom_officiel", "NOM"];
const NATURE: &[&str] = &["nature", "NATURE"];
/// IGN truncates the name of the parent's field, even in the GeoPackage.
const CURRENT: &[&str] =
    &["code_insee_de_la_commune_de_rattach", "code_insee_de_la_commune_de_rattachement", "INSEE_RATT"];

/// Reads every row of the table; `fids` name the rows in errors.
pub fn read_merged_layer(
    path: &Path,
    layer: &str,
    table: &dyn AttributeTable,
    fids: &[i64],
) -> Result<Vec<MergedCommune>, InputError> {
    let names = table.field_names();
    let field = |aliases: &[&str], role: &str| {
        find(&names, aliases).ok_or_else(|| {
            InputError::layer(path, layer, format!("champ {role} introuvable ; champs présents : {}", listing(&names)))
        })
    };
    let (code, name, nature, current) = (
        field(OLD_CODE, "code_insee")?,
        find(&names, OLD_NAME),
        field(NATURE, "nature")?,
        field(CURRENT, "code_insee_de_la_commune_de_rattach")?,
    );
    let mut out = Vec::with_capacity(table.len());
    for row in 0..table.len() {
        let fid = fids.get(row).copied().unwrap_or(row as i64 + 1);
        let at = |message: String| InputError::feature(path, layer, fid, message);
        let text = |f: usize| table.text(row, f).map(|v| v.into_owned()).unwrap_or_default();
        let code_of = |f: usize| {
            let t = text(f);
            t.parse::<InseeCode>().map_err(|e| at(format!("{} : {e}", names[f])))
        };
        let old_code = code_of(code)?;
        let current = code_of(current)?;
        let nature_text = text(nature);
        let kind = parse_nature(&nature_text).ok_or_else(|| {
            at(format!(
                "nature « {nature_text} » inconnue ; attendue : COMD ou « Commune déléguée », COMA ou « Commune associée »"
            ))
        })?;
        let old_name = name.map(text).filter(|n| !n.is_empty()).unwrap_or_else(|| old_code.to_string());
        out.push(MergedCommune { old_code, old_name, kind, current });
    }
    Ok(out)
}

/// `COMD`/`COMA` (INSEE's type codes) or the words IGN writes, without case or accents.
fn parse_nature(text: &str) -> Option<MergeKind> {
    let folded = fold(text);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        ["comd"] | ["commune", "deleguee"] | ["deleguee"] => Some(MergeKind::Deleguee),
        ["coma"] | ["commune", "associee"] | ["associee"] => Some(MergeKind::Associee),
        _ => None,
    }
}

/// Adds the merged communes of `dir` to the atlas. Merged communes a source
/// already carried (a GeoPackage's layer) are kept; the file only adds the
/// old codes they lack.
pub fn add_to_atlas(atlas: &mut Atlas, dir: Option<&Path>) -> Result<(), InputError> {
    let Some(dir) = dir else { return Ok(()) };
    let started = std::time::Instant::now();
    let merged = read_merged_file(&dir.join(MERGED_FILE))?;
    let known: HashSet<InseeCode> = atlas.history.iter().map(|m| m.old_code).collect();
    atlas.history.extend(merged.into_iter().filter(|m| !known.contains(&m.old_code)));
    atlas.history.sort_by_key(|m| m.old_code);
    tracing::debug!(merged = atlas.history.len(), elapsed = ?started.elapsed(), "history read");
    Ok(())
}

/// Reads `communes_fusionnees.csv`; an absent file gives no merged commune.
pub fn read_merged_file(path: &Path) -> Result<Vec<MergedCommune>, InputError> {
    if !super::exists(path) {
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
        let kind = parse_nature(get(nature)).ok_or_else(|| {
            table.error(
                *line,
                format!("nature « {} » : COMD (commune déléguée) ou COMA (commune associée) attendu", get(nature)),
            )
        })?;
        let old_name = get(name);
        if old_name.is_empty() {
            return Err(table.error(*line, "nom_ancien vide"));
        }
        out.push(MergedCommune { old_code: code(old)?, old_name: old_name.to_string(), kind, current: code(current)? });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    struct Rows(Vec<&'static str>, Vec<Vec<&'static str>>);

    impl AttributeTable for Rows {
        fn field_names(&self) -> Vec<String> {
            self.0.iter().map(|s| s.to_string()).collect()
        }
        fn len(&self) -> usize {
            self.1.len()
        }
        fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>> {
            Some(self.1[record][field]).filter(|v| !v.is_empty()).map(Cow::Borrowed)
        }
    }

    const FIELDS: [&str; 4] = ["code_insee", "nom_officiel", "nature", "code_insee_de_la_commune_de_rattach"];

    #[test]
    fn natures_are_read_as_codes_or_in_words() {
        for (text, kind) in [
            ("COMD", MergeKind::Deleguee),
            ("Commune déléguée", MergeKind::Deleguee),
            ("COMMUNE DELEGUEE", MergeKind::Deleguee),
            ("coma", MergeKind::Associee),
            ("Commune associée", MergeKind::Associee),
        ] {
            assert_eq!(parse_nature(text), Some(kind), "{text}");
        }
        assert_eq!(parse_nature("Commune nouvelle"), None);
    }

    #[test]
    fn reads_a_merged_commune_with_its_current_commune() {
        let table = Rows(FIELDS.to_vec(), vec![vec!["49003", "Les Alleuds", "Commune déléguée", "49092"]]);
        let merged = read_merged_layer(Path::new("a.gpkg"), "commune_associee_ou_deleguee", &table, &[7]).unwrap();
        assert_eq!(merged[0].old_code.as_str(), "49003");
        assert_eq!(merged[0].current.as_str(), "49092");
        assert_eq!(merged[0].old_name, "Les Alleuds");
        assert_eq!(merged[0].kind, MergeKind::Deleguee);
    }

    #[test]
    fn an_unknown_nature_names_the_row() {
        let table = Rows(FIELDS.to_vec(), vec![vec!["49003", "Les Alleuds", "Fusion", "49092"]]);
        let err = read_merged_layer(Path::new("a.gpkg"), "cad", &table, &[12]).unwrap_err().to_string();
        assert!(err.contains("fid 12") && err.contains("« Fusion »"), "{err}");
    }

    #[test]
    fn a_missing_field_lists_the_fields_present() {
        let table = Rows(vec!["code_insee", "nom"], vec![]);
        let err = read_merged_layer(Path::new("a.gpkg"), "cad", &table, &[]).unwrap_err().to_string();
        assert!(err.contains("nature") && err.contains("code_insee, nom"), "{err}");
    }

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
        let merged = read_merged_file(&path).unwrap();
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
        let err = read_merged_file(&path).unwrap_err().to_string();
        assert!(err.contains(MERGED_FILE) && err.contains(":3 :") && err.contains("0101"), "{err}");
    }

    #[test]
    fn absent_files_give_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_merged_file(&dir.path().join(MERGED_FILE)).unwrap().is_empty());
    }
}
