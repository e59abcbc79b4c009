//! A draft territory: the units a planner lists, by INSEE code (a city code
//! means all its arrondissements), old code or name in any spelling the
//! CPTS lists accept ([`crate::load::commune_refs`], through the gazetteer).
//!
//! Unlike a list loader, a draft keeps nothing doubtful: a reference that
//! names no unit, or several (homonyms, postcodes), is an error naming it,
//! because a planner types or clicks each commune and wants to know at once.

use crate::atlas::{Atlas, Resolved};
use crate::commune::{InseeCode, UnitId};
use crate::gazetteer::Gazetteer;
use crate::load::commune_refs::{self, Resolution};

/// The name of a draft nobody named.
pub const DEFAULT_NAME: &str = "Projet de CPTS";
/// Longest name accepted, in characters.
pub const MAX_NAME: usize = 200;
/// How many unknown references an error lists before counting the rest.
const SHOWN_UNKNOWN: usize = 10;

/// A draft resolved against the atlas.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    /// Sorted, without duplicates.
    pub units: Vec<UnitId>,
    /// What the reading noticed without refusing it: old communes counted in
    /// their current commune, codes padded with a leading zero.
    pub notes: Vec<String>,
}

/// Why a list of references is no draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("le projet ne contient aucune commune")]
    Empty,
    /// One French message per reference that names no single unit.
    #[error("{}", unknown_message(.0))]
    Unknown(Vec<String>),
    #[error("nom du projet trop long : {0} caractères ({MAX_NAME} au plus)")]
    NameTooLong(usize),
}

fn unknown_message(problems: &[String]) -> String {
    let mut text = problems.iter().take(SHOWN_UNKNOWN).cloned().collect::<Vec<_>>().join(" ; ");
    if problems.len() > SHOWN_UNKNOWN {
        text.push_str(&format!(" … (+{} autres)", problems.len() - SHOWN_UNKNOWN));
    }
    text
}

impl Draft {
    /// A draft of units already resolved (e.g. read from a list): the name is checked, the units sorted.
    pub fn new(name: Option<&str>, mut units: Vec<UnitId>, notes: Vec<String>) -> Result<Draft, DraftError> {
        let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(DEFAULT_NAME);
        let chars = name.chars().count();
        if chars > MAX_NAME {
            return Err(DraftError::NameTooLong(chars));
        }
        units.sort_unstable();
        units.dedup();
        if units.is_empty() {
            return Err(DraftError::Empty);
        }
        Ok(Draft { name: name.to_string(), units, notes })
    }

    /// Resolves every reference; empty references are skipped.
    ///
    /// Codes of units and cities are looked up directly; anything else (a
    /// name, an old code, a postcode) goes through the gazetteer, built only
    /// then: the map sends codes, and a request of codes never pays for it.
    pub fn resolve<S: AsRef<str>>(atlas: &Atlas, name: Option<&str>, references: &[S]) -> Result<Draft, DraftError> {
        let mut units = Vec::with_capacity(references.len());
        let mut notes = Vec::new();
        let mut problems = Vec::new();
        let mut gazetteer: Option<Gazetteer> = None;
        for reference in references {
            let written = reference.as_ref().trim();
            if written.is_empty() {
                continue;
            }
            if let Ok(code) = written.parse::<InseeCode>()
                && add(atlas, code, &mut units)
            {
                continue;
            }
            let g = gazetteer.get_or_insert_with(|| Gazetteer::build(atlas));
            match commune_refs::resolve(g, commune_refs::parse(written), None) {
                Resolution::Found { code, notes: found } if add(atlas, code, &mut units) => {
                    notes.extend(found.into_iter().map(|(_, message)| message));
                }
                Resolution::Found { code, .. } => problems.push(format!("code {code} inconnu des couches chargées")),
                Resolution::Skipped(_, message) => problems.push(without_ignored(&message)),
            }
        }
        if !problems.is_empty() {
            return Err(DraftError::Unknown(problems));
        }
        notes.dedup();
        Draft::new(name, units, notes)
    }
}

/// Adds the units a code stands for; false when the atlas does not know it.
fn add(atlas: &Atlas, code: InseeCode, units: &mut Vec<UnitId>) -> bool {
    match atlas.resolve(code) {
        Resolved::Unit(u) => units.push(u),
        Resolved::City(arrs) => units.extend_from_slice(arrs),
        Resolved::Unknown => return false,
    }
    true
}

/// The list loaders end their messages with what they do (« ; ignoré »): a draft refuses instead.
fn without_ignored(message: &str) -> String {
    let m = message.trim_end();
    let m = m.strip_suffix("; ignorée").or_else(|| m.strip_suffix("; ignoré")).unwrap_or(m);
    m.trim_end().to_string()
}

/// The references of a text: pieces separated by commas, semicolons or line
/// breaks; a piece made only of codes may separate them by spaces
/// (`26113 26108`), any other piece is one name (`Saint-Denis (93)`).
pub fn split_references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split([',', ';', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty()) {
        let tokens: Vec<&str> = piece.split_whitespace().collect();
        let all_codes = tokens.len() > 1
            && tokens.iter().all(|t| matches!(commune_refs::parse(t), commune_refs::Reference::Code { .. }));
        if all_codes {
            out.extend(tokens.into_iter().map(str::to_string));
        } else {
            out.push(piece.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_may_be_separated_by_spaces_and_names_keep_theirs() {
        assert_eq!(
            split_references("26113 26108, Saint-Denis (93);Die\n2A004"),
            ["26113", "26108", "Saint-Denis (93)", "Die", "2A004"]
        );
        assert_eq!(split_references(" , ;\n"), Vec::<String>::new());
    }

    #[test]
    fn the_loaders_closing_words_are_dropped_from_errors() {
        assert_eq!(without_ignored("commune « X » inconnue ; ignorée"), "commune « X » inconnue");
        assert_eq!(without_ignored("code 99999 inconnu ; ignoré"), "code 99999 inconnu");
    }
}
