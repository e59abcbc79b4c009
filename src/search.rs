//! Name and code search for autocomplete, with the spelling rules of the
//! [`gazetteer`](crate::gazetteer): case, accents, hyphens and apostrophes
//! ignored, the article optional (« havre » finds Le Havre), `St`/`Ste`
//! spelt out, `14e` read as an arrondissement number. Codes, city codes
//! (their arrondissements), postcodes and old codes and names of merged
//! communes find their units too. Best matches first; homonyms by population.

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::atlas::{Atlas, Resolved};
use crate::commune::{ARRONDISSEMENT_CITIES, InseeCode, UnitId};
use crate::gazetteer::NameKey;

/// One name a unit can be found by.
struct Entry {
    words: Vec<String>,
    /// The words joined: spaces, hyphens and apostrophes do not matter.
    joined: String,
    unit: UnitId,
    /// For an old name: what to tell the user matched.
    old: Option<String>,
}

/// The names of every unit (with and without article) and of the merged
/// communes, normalised once.
pub struct SearchIndex {
    entries: Vec<Entry>,
}

/// A suggestion: the unit, and what matched when it is not its name or code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub unit: UnitId,
    /// « code postal 75005 », « ancienne commune Arbignieu », « Marseille (13055) ».
    pub matched: Option<String>,
}

impl SearchIndex {
    pub fn build(atlas: &Atlas) -> SearchIndex {
        let mut entries = Vec::with_capacity(atlas.units.len() * 11 / 10 + atlas.history.len());
        let mut add = |name: &str, unit: UnitId, old: Option<String>| {
            let key = NameKey::new(name);
            if key.bare.is_some() {
                let words = key.words[1..].to_vec();
                entries.push(Entry { joined: words.concat(), words, unit, old: old.clone() });
            }
            entries.push(Entry { joined: key.full, words: key.words, unit, old });
        };
        for (i, u) in atlas.units.iter().enumerate() {
            add(&u.name, i as UnitId, None);
        }
        for m in &atlas.history {
            if let Resolved::Unit(id) = atlas.resolve(m.current)
                && NameKey::new(&m.old_name).full != NameKey::new(&atlas.unit(id).name).full
            {
                add(&m.old_name, id, Some(format!("ancienne commune {}", m.old_name)));
            }
        }
        SearchIndex { entries }
    }

    /// Units matching `query`, best first: codes (a unit's, a city's, an old
    /// one, a postcode), then names made of the query's words followed or not
    /// by others, names starting with it, with every query word at a word
    /// start, then containing it; within each, the most populous first,
    /// whether the name is current or old. « Évry » thus gives
    /// Évry-Courcouronnes (68 000 residents) before Évry in the Yonne (386):
    /// people who type a name without more mostly mean the larger place.
    pub fn search(&self, atlas: &Atlas, query: &str, limit: usize) -> Vec<Hit> {
        let key = NameKey::new(query);
        if key.full.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut best: HashMap<UnitId, (u8, bool, Option<String>)> = HashMap::new();
        let mut offer = |unit: UnitId, rank: u8, old: bool, matched: Option<String>| {
            let slot = best.entry(unit).or_insert((u8::MAX, true, None));
            if (rank, old) < (slot.0, slot.1) {
                *slot = (rank, old, matched);
            }
        };
        for (unit, matched) in by_code(atlas, query.trim()) {
            offer(unit, 0, false, matched);
        }
        let code_prefix = query.trim().to_ascii_uppercase();
        let queries: Vec<&str> = std::iter::once(key.full.as_str()).chain(key.bare.as_deref()).collect();
        let words: Vec<&str> = key.words.iter().map(String::as_str).collect();
        for e in &self.entries {
            let rank = queries.iter().filter_map(|q| name_rank(e, q, &words)).min().or_else(|| {
                (code_prefix.len() >= 2 && atlas.unit(e.unit).code.as_str().starts_with(&code_prefix)).then_some(4)
            });
            if let Some(rank) = rank {
                offer(e.unit, rank, e.old.is_some(), e.old.clone());
            }
        }
        let mut hits: Vec<_> = best.into_iter().collect();
        hits.sort_unstable_by_key(|(unit, (rank, old, _))| {
            (*rank, Reverse(atlas.unit(*unit).counted_population()), *old, *unit)
        });
        hits.into_iter().take(limit).map(|(unit, (_, _, matched))| Hit { unit, matched }).collect()
    }
}

/// 1 equal or the query's words begin the name (« Évry » in « Évry-Courcouronnes »),
/// 2 starts with, 3 every query word starts an entry word, 4 contains.
fn name_rank(e: &Entry, query: &str, words: &[&str]) -> Option<u8> {
    let leading_words = e.words.len() > words.len() && e.words.iter().zip(words).all(|(n, w)| n == w);
    if e.joined == query || leading_words {
        Some(1)
    } else if e.joined.starts_with(query) {
        Some(2)
    } else if words.iter().all(|w| e.words.iter().any(|n| n.starts_with(w))) {
        Some(3)
    } else if e.joined.contains(query) {
        Some(4)
    } else {
        None
    }
}

/// Units a code stands for: its own unit, a city's arrondissements or the
/// current commune of an old code; and the units of the postcode it may also be.
fn by_code(atlas: &Atlas, text: &str) -> Vec<(UnitId, Option<String>)> {
    let Ok(code) = text.parse::<InseeCode>() else { return Vec::new() };
    let mut out = Vec::new();
    match atlas.resolve(code) {
        Resolved::Unit(id) => out.push((id, None)),
        Resolved::City(ids) => {
            let name = ARRONDISSEMENT_CITIES.iter().find(|(c, _)| *c == code.as_str()).map_or("", |(_, n)| n);
            out.extend(ids.iter().map(|&id| (id, Some(format!("{name} ({code})")))));
        }
        Resolved::Unknown => {
            for m in atlas.history.iter().filter(|m| m.old_code == code) {
                if let Resolved::Unit(id) = atlas.resolve(m.current) {
                    out.push((id, Some(format!("ancienne commune {} ({code})", m.old_name))));
                }
            }
        }
    }
    // Some postcodes are also INSEE codes (13001: Aix-en-Provence, and Marseille 1er's postcode): offer both.
    for c in atlas.names.postcodes.get(code.as_str()).into_iter().flatten() {
        if let Resolved::Unit(id) = atlas.resolve(*c) {
            out.push((id, Some(format!("code postal {code}"))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commune::{MergeKind, MergedCommune};
    use crate::load::fields::LayerRecord;
    use crate::load::names::AreaNames;

    fn record(code: &str, name: &str, population: u64, city: Option<&str>) -> LayerRecord {
        LayerRecord::bare(code, name, population, city)
    }

    fn atlas() -> Atlas {
        let communes = vec![
            record("76351", "Le Havre", 170_147, None),
            record("76000", "Havre-Petit", 10, None),
            record("93066", "Saint-Denis", 113_942, None),
            record("97411", "Saint-Denis", 153_001, None),
            record("01015", "Arboys en Bugey", 650, None),
            record("13055", "Marseille", 873_076, None),
        ];
        let arrs = vec![
            record("13201", "Marseille 1er Arrondissement", 40_000, Some("13055")),
            record("13214", "Marseille 14e Arrondissement", 60_000, Some("13055")),
        ];
        let mut names = AreaNames::default();
        names.postcodes.insert("13001".into(), vec!["13201".parse().unwrap()]);
        let mut atlas = Atlas::assemble(vec![("c.shp".into(), communes)], Some(arrs), names, Vec::new());
        atlas.history.push(MergedCommune {
            old_code: "01340".parse().unwrap(),
            old_name: "Saint-Bois".into(),
            kind: MergeKind::Deleguee,
            current: "01015".parse().unwrap(),
        });
        atlas
    }

    fn codes(atlas: &Atlas, query: &str) -> Vec<String> {
        let index = SearchIndex::build(atlas);
        index.search(atlas, query, 10).iter().map(|h| atlas.unit(h.unit).code.to_string()).collect()
    }

    #[test]
    fn the_article_is_optional() {
        let atlas = atlas();
        assert_eq!(codes(&atlas, "le havre")[0], "76351");
        assert_eq!(codes(&atlas, "havre")[0], "76351");
        assert_eq!(codes(&atlas, "LE-HAVRE")[0], "76351");
    }

    #[test]
    fn homonyms_come_most_populous_first() {
        assert_eq!(codes(&atlas(), "st denis"), ["97411", "93066"]);
    }

    #[test]
    fn city_codes_and_postcodes_find_their_arrondissements() {
        let atlas = atlas();
        assert_eq!(codes(&atlas, "13055"), ["13214", "13201"]);
        assert_eq!(codes(&atlas, "13001"), ["13201"]);
        let hit = &SearchIndex::build(&atlas).search(&atlas, "13001", 1)[0];
        assert_eq!(hit.matched.as_deref(), Some("code postal 13001"));
        assert_eq!(codes(&atlas, "marseille 14")[0], "13214");
    }

    #[test]
    fn old_names_and_codes_find_the_current_commune() {
        let atlas = atlas();
        let index = SearchIndex::build(&atlas);
        let hit = &index.search(&atlas, "saint bois", 1)[0];
        assert_eq!(atlas.unit(hit.unit).code.as_str(), "01015");
        assert_eq!(hit.matched.as_deref(), Some("ancienne commune Saint-Bois"));
        assert_eq!(codes(&atlas, "01340"), ["01015"]);
    }

    #[test]
    fn nothing_to_search_gives_nothing() {
        assert!(codes(&atlas(), " - ").is_empty());
    }
}
