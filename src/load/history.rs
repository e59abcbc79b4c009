//! The merged communes of ADMIN EXPRESS 4.0 (layer
//! `commune_associee_ou_deleguee`): each old commune's code and name, whether
//! it lives on as a commune déléguée or associée, and the current commune it
//! belongs to — what maps old codes in territory lists to today's communes.

use std::path::Path;

use super::InputError;
use super::fields::{AttributeTable, find};
use crate::commune::{InseeCode, MergeKind, MergedCommune};
use crate::text::fold;

/// Field names per role, compared without case (4.0 names first).
const OLD_CODE: &[&str] = &["code_insee", "INSEE_CAD", "INSEE_COM"];
const OLD_NAME: &[&str] = &["nom_officiel", "NOM"];
const NATURE: &[&str] = &["nature", "NATURE"];
/// IGN truncates the name of the parent's field, even in the GeoPackage.
const CURRENT: &[&str] =
    &["code_insee_de_la_commune_de_rattach", "code_insee_de_la_commune_de_rattachement", "INSEE_RATT"];

/// Reads every row of the table; `fids` name the rows in errors.
pub fn read_merged(
    path: &Path,
    layer: &str,
    table: &dyn AttributeTable,
    fids: &[i64],
) -> Result<Vec<MergedCommune>, InputError> {
    let names = table.field_names();
    let field = |aliases: &[&str], role: &str| {
        find(&names, aliases).ok_or_else(|| {
            InputError::layer(path, layer, format!("champ {role} introuvable ; champs présents : {}", names.join(", ")))
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
        let merged = read_merged(Path::new("a.gpkg"), "commune_associee_ou_deleguee", &table, &[7]).unwrap();
        assert_eq!(merged[0].old_code.as_str(), "49003");
        assert_eq!(merged[0].current.as_str(), "49092");
        assert_eq!(merged[0].old_name, "Les Alleuds");
        assert_eq!(merged[0].kind, MergeKind::Deleguee);
    }

    #[test]
    fn an_unknown_nature_names_the_row() {
        let table = Rows(FIELDS.to_vec(), vec![vec!["49003", "Les Alleuds", "Fusion", "49092"]]);
        let err = read_merged(Path::new("a.gpkg"), "cad", &table, &[12]).unwrap_err().to_string();
        assert!(err.contains("fid 12") && err.contains("« Fusion »"), "{err}");
    }

    #[test]
    fn a_missing_field_lists_the_fields_present() {
        let table = Rows(vec!["code_insee", "nom"], vec![]);
        let err = read_merged(Path::new("a.gpkg"), "cad", &table, &[]).unwrap_err().to_string();
        assert!(err.contains("nature") && err.contains("code_insee, nom"), "{err}");
    }
}
