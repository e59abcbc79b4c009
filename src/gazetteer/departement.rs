//! Départements as lists write them: `13`, `1` or `1.0` (a spreadsheet lost
//! the zero), `2a`, `974`, `13 - Bouches-du-Rhône`, `Bouches du Rhone`, or in
//! brackets after a commune name (« Saint-Denis (93) »).

use std::collections::{HashMap, HashSet};

use super::NameKey;
use crate::atlas::Atlas;

pub(super) struct Departements {
    /// Name key → code.
    by_name: HashMap<String, String>,
    /// Codes of the loaded units (and of the names file).
    known: HashSet<String>,
}

impl Departements {
    pub(super) fn new(atlas: &Atlas) -> Departements {
        let mut known: HashSet<String> = atlas.units.iter().map(|u| u.departement.clone()).collect();
        let mut by_name = HashMap::new();
        for (code, (name, _)) in &atlas.names.departements {
            known.insert(code.clone());
            by_name.insert(NameKey::new(name).full, code.clone());
        }
        Departements { by_name, known }
    }

    /// The code of the département `text` names, if it is a known one.
    pub(super) fn parse(&self, text: &str) -> Option<String> {
        let t = text.trim();
        let first = t.split([' ', '-', '–', '—', ':', '/']).next().unwrap_or("");
        if let Some(code) = code(first).filter(|c| self.known.contains(c)) {
            return Some(code);
        }
        self.by_name.get(&NameKey::new(t).full).cloned()
    }

    /// `Saint-Denis (93)` → (`Saint-Denis`, `93`); a name without such a suffix is returned whole.
    pub(super) fn split_suffix<'t>(&self, text: &'t str) -> (&'t str, Option<String>) {
        let t = text.trim();
        if let Some(inner) = t.strip_suffix(')')
            && let Some(open) = inner.rfind('(')
            && let Some(code) = self.parse(&inner[open + 1..])
        {
            return (&inner[..open], Some(code));
        }
        (t, None)
    }
}

/// A département code however a spreadsheet wrote it: `1`, `01`, `1.0`, `2a`, `974`.
fn code(text: &str) -> Option<String> {
    let t = text.strip_suffix(".0").unwrap_or(text).to_ascii_uppercase();
    let digits = t.bytes().all(|b| b.is_ascii_digit());
    match t.len() {
        1 if digits && t != "0" => Some(format!("0{t}")),
        // 20 was Corse before 1976: it is 2A or 2B now, so it says nothing.
        2 if digits && t != "00" && t != "20" => Some(t),
        2 if t == "2A" || t == "2B" => Some(t),
        3 if digits && t.starts_with("97") => Some(t),
        3 if digits && t.starts_with('0') => code(&t[1..]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn codes_are_read_however_a_spreadsheet_wrote_them() {
        assert_eq!(code("1").as_deref(), Some("01"));
        assert_eq!(code("1.0").as_deref(), Some("01"));
        assert_eq!(code("013").as_deref(), Some("13"));
        assert_eq!(code("2a").as_deref(), Some("2A"));
        assert_eq!(code("974").as_deref(), Some("974"));
        assert_eq!(code("20"), None);
        assert_eq!(code("Ain"), None);
        assert_eq!(code(""), None);
    }
}
