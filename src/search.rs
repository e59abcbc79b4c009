//! Name and code search for autocomplete: accent-, case- and
//! hyphen-insensitive, "St"/"Ste" read as "Saint"/"Sainte", "1er"/"14e"
//! matched as arrondissement numbers, best matches first.

use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::text::fold;

/// Folded names of every unit, built once.
pub struct SearchIndex {
    entries: Vec<(String, UnitId)>,
}

/// Spreadsheet and road-sign abbreviations people type.
fn expand(folded: &str) -> String {
    folded
        .split(' ')
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            "sts" => "saints",
            "stes" => "saintes",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `14e`, `14eme`, `1er` → `14`, `1`: arrondissement names say "14e Arrondissement".
fn ordinal(word: &str) -> &str {
    for suffix in ["eme", "er", "e"] {
        if let Some(n) = word.strip_suffix(suffix)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return n;
        }
    }
    word
}

fn normalise(text: &str) -> String {
    expand(&fold(text)).split(' ').map(ordinal).collect::<Vec<_>>().join(" ")
}

impl SearchIndex {
    pub fn build(atlas: &Atlas) -> SearchIndex {
        SearchIndex {
            entries: atlas.units.iter().enumerate().map(|(i, u)| (normalise(&u.name), i as UnitId)).collect(),
        }
    }

    /// Units matching `query`, best first: exact code, exact name, name
    /// starting with the query, all words at word starts, then contained;
    /// ties by population (a big town before a hamlet of the same name).
    pub fn search(&self, atlas: &Atlas, query: &str, limit: usize) -> Vec<UnitId> {
        let q = normalise(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let code = query.trim().to_ascii_uppercase();
        let words: Vec<&str> = q.split(' ').collect();
        let mut hits: Vec<(u8, std::cmp::Reverse<u64>, UnitId)> = Vec::new();
        for (name, id) in &self.entries {
            let unit = atlas.unit(*id);
            let rank = if unit.code.as_str() == code {
                0
            } else if *name == q {
                1
            } else if name.starts_with(&q) {
                2
            } else if words.iter().all(|w| name.split(' ').any(|n| n.starts_with(w))) {
                3
            } else if name.contains(&q) || (code.len() >= 2 && unit.code.as_str().starts_with(&code)) {
                4
            } else {
                continue;
            };
            hits.push((rank, std::cmp::Reverse(unit.counted_population()), *id));
        }
        hits.sort_unstable();
        hits.into_iter().take(limit).map(|(_, _, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_and_ordinals_are_normalised() {
        assert_eq!(normalise("St-Étienne"), "saint etienne");
        assert_eq!(normalise("Marseille 14e Arrondissement"), "marseille 14 arrondissement");
        assert_eq!(normalise("marseille 14"), "marseille 14");
        assert_eq!(normalise("Paimbœuf"), "paimboeuf");
    }
}
