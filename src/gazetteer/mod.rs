//! The gazetteer: finds the units a text means, the way people write
//! communes in territory lists — INSEE codes, city codes (Paris, Lyon,
//! Marseille: all their arrondissements), names in any accepted spelling
//! ([`spelling`]), old codes and names of merged communes, postcodes —
//! optionally within one département.
//!
//! It answers [`Found::One`], [`Found::Several`] (homonyms: the caller
//! decides, nothing is picked silently) or [`Found::Nothing`]. When several
//! kinds of names match, the closest wins: the exact current name, then the
//! current name without its article, then an old name.
//!
//! Built once from the atlas; the name index is only built on the first
//! name lookup, so lists of codes never pay for it.

mod departement;
pub mod spelling;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::atlas::{Atlas, Resolved};
use crate::commune::{ARRONDISSEMENT_CITIES, InseeCode, MergedCommune};
pub use spelling::NameKey;

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    One(Match),
    /// Homonyms: every candidate, in the atlas order (by code).
    Several(Vec<Match>),
    Nothing,
}

/// A unit (or a replaced city) and how the text led to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// A unit code, or a city code standing for all its arrondissements.
    pub code: InseeCode,
    pub via: Via,
}

/// How a text led to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Its own INSEE code (or its city's).
    Code,
    /// Its current name, in any accepted spelling.
    Name,
    /// The old code of a merged commune: index in [`Atlas::history`].
    OldCode(u32),
    /// The old name of a merged commune: index in [`Atlas::history`].
    OldName(u32),
    /// One of its postcodes.
    Postcode,
}

/// How close a name match is: the lowest tier found wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Exact,
    WithoutArticle,
    Old,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    code: InseeCode,
    /// Its département, kept here: filtering thousands of lookups by
    /// département should not go back to the atlas each time.
    departement: Dep,
    /// Whether the indexed key is the name without its article.
    bare: bool,
    history: Option<u32>,
}

/// A département code (`01`, `2A`, `974`) as a small copyable key.
type Dep = [u8; 3];

fn dep(code: &str) -> Dep {
    let mut d = [0u8; 3];
    for (slot, b) in d.iter_mut().zip(code.bytes()) {
        *slot = b;
    }
    d
}

pub struct Gazetteer<'a> {
    atlas: &'a Atlas,
    old_codes: HashMap<InseeCode, u32>,
    names: OnceLock<HashMap<String, Vec<Entry>>>,
    departements: departement::Departements,
}

impl<'a> Gazetteer<'a> {
    pub fn build(atlas: &'a Atlas) -> Gazetteer<'a> {
        let old_codes = atlas.history.iter().enumerate().map(|(i, m)| (m.old_code, i as u32)).collect();
        let departements = departement::Departements::new(atlas);
        Gazetteer { atlas, old_codes, names: OnceLock::new(), departements }
    }

    pub fn atlas(&self) -> &'a Atlas {
        self.atlas
    }

    /// A code, a postcode or a name.
    pub fn find(&self, text: &str, departement: Option<&str>) -> Found {
        match text.trim().parse::<InseeCode>() {
            Ok(code) => self.find_code(code, departement),
            Err(_) => self.find_name(text, departement),
        }
    }

    /// An INSEE code: a unit's or a city's, else an old code, else a postcode
    /// (which may serve several units; `departement` then narrows them).
    pub fn find_code(&self, code: InseeCode, departement: Option<&str>) -> Found {
        if self.atlas.resolve(code) != Resolved::Unknown {
            return Found::One(Match { code, via: Via::Code });
        }
        if let Some(&h) = self.old_codes.get(&code) {
            return Found::One(Match { code: self.atlas.history[h as usize].current, via: Via::OldCode(h) });
        }
        let served = self.atlas.names.postcodes.get(code.as_str()).map_or(&[][..], Vec::as_slice);
        let matches = served
            .iter()
            .filter(|c| departement.is_none_or(|d| self.is_in(**c, d)))
            .map(|&code| Match { code, via: Via::Postcode })
            .collect();
        answer(matches)
    }

    /// A name, in any accepted spelling; a département in brackets after it
    /// (« Saint-Denis (93) ») narrows the search when none is given.
    pub fn find_name(&self, text: &str, departement: Option<&str>) -> Found {
        let (name, from_suffix) = self.departements.split_suffix(text);
        let departement = departement.or(from_suffix.as_deref());
        let (full, bare) = spelling::keys(name);
        if full.is_empty() {
            return Found::Nothing;
        }
        let wanted = departement.map(dep);
        let index = self.names();
        let mut found: Vec<(Tier, Match)> = Vec::new();
        for (query, query_bare) in [(Some(&full), false), (bare.as_ref(), true)] {
            for e in query.and_then(|q| index.get(q)).into_iter().flatten() {
                if wanted.is_some_and(|d| e.departement != d) {
                    continue;
                }
                let (tier, via) = match e.history {
                    Some(h) => (Tier::Old, Via::OldName(h)),
                    None if !e.bare && !query_bare => (Tier::Exact, Via::Name),
                    None => (Tier::WithoutArticle, Via::Name),
                };
                found.push((tier, Match { code: e.code, via }));
            }
        }
        let best = found.iter().map(|(t, _)| *t).min();
        answer(found.into_iter().filter(|(t, _)| Some(*t) == best).map(|(_, m)| m).collect())
    }

    /// The code of the département a text names (`13`, `1`, `2a`, `974`,
    /// `13 - Bouches-du-Rhône`, `Bouches du Rhone`), if any.
    pub fn departement(&self, text: &str) -> Option<String> {
        self.departements.parse(text)
    }

    /// The département of a unit or city code.
    pub fn departement_of(&self, code: InseeCode) -> String {
        match self.atlas.resolve(code) {
            Resolved::Unit(id) => self.atlas.unit(id).departement.clone(),
            _ => code.departement().to_string(),
        }
    }

    /// Whether a unit or city code lies in a département.
    fn is_in(&self, code: InseeCode, departement: &str) -> bool {
        match self.atlas.resolve(code) {
            Resolved::Unit(id) => self.atlas.unit(id).departement == departement,
            _ => code.departement() == departement,
        }
    }

    /// The current name of a unit or replaced city (its code if unknown).
    pub fn name_of(&self, code: InseeCode) -> String {
        match self.atlas.resolve(code) {
            Resolved::Unit(id) => self.atlas.unit(id).name.clone(),
            _ => ARRONDISSEMENT_CITIES
                .iter()
                .find(|(c, _)| *c == code.as_str())
                .map_or_else(|| code.to_string(), |(_, n)| n.to_string()),
        }
    }

    /// `Le Havre (76351, Seine-Maritime)`: a candidate in a message.
    pub fn label(&self, code: InseeCode) -> String {
        let dep = self.departement_of(code);
        format!("{} ({code}, {})", self.name_of(code), self.atlas.names.departement(&dep))
    }

    pub fn merged(&self, history: u32) -> &'a MergedCommune {
        &self.atlas.history[history as usize]
    }

    fn names(&self) -> &HashMap<String, Vec<Entry>> {
        self.names.get_or_init(|| {
            let started = std::time::Instant::now();
            let index = index_names(self.atlas);
            tracing::debug!(keys = index.len(), elapsed = ?started.elapsed(), "name index built");
            index
        })
    }
}

/// Every name under its full key and, when it has an article, its bare key:
/// units, replaced cities (« Marseille »), then old names.
fn index_names(atlas: &Atlas) -> HashMap<String, Vec<Entry>> {
    let mut index: HashMap<String, Vec<Entry>> = HashMap::with_capacity(atlas.units.len() * 11 / 10);
    let mut add = |name: &str, code: InseeCode, departement: &str, history: Option<u32>| {
        let (full, bare) = spelling::keys(name);
        let departement = dep(departement);
        if let Some(bare) = bare {
            index.entry(bare).or_default().push(Entry { code, departement, bare: true, history });
        }
        index.entry(full).or_default().push(Entry { code, departement, bare: false, history });
    };
    for unit in &atlas.units {
        add(&unit.name, unit.code, &unit.departement, None);
    }
    for (city, name) in ARRONDISSEMENT_CITIES {
        if let Ok(code) = city.parse::<InseeCode>()
            && atlas.is_replaced_city(code)
        {
            add(name, code, code.departement(), None);
        }
    }
    for (i, m) in atlas.history.iter().enumerate() {
        let departement = match atlas.resolve(m.current) {
            Resolved::Unit(id) => atlas.unit(id).departement.clone(),
            _ => m.current.departement().to_string(),
        };
        add(&m.old_name, m.current, &departement, Some(i as u32));
    }
    index
}

/// One match, several distinct units (first occurrence kept), or nothing.
fn answer(matches: Vec<Match>) -> Found {
    let mut distinct: Vec<Match> = Vec::with_capacity(matches.len());
    for m in matches {
        if !distinct.iter().any(|d| d.code == m.code) {
            distinct.push(m);
        }
    }
    match distinct.len() {
        0 => Found::Nothing,
        1 => Found::One(distinct[0]),
        _ => Found::Several(distinct),
    }
}

#[cfg(test)]
mod tests;
