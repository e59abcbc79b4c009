//! How a commune name is reduced to a key that all its spellings share.
//!
//! ARS spreadsheets write « Le Havre », « Havre », « Havre (Le) »,
//! « LE HAVRE » or « le-havre »; « St-Étienne » and « Saint Etienne »;
//! « Marseille 14e Arrondissement », « Marseille 14 » or « MARSEILLE 14EME ».
//! Every one of them gives the same key: words folded by [`fold`] (case,
//! accents, punctuation), abbreviations of *Saint* spelt out, ordinals
//! reduced to their number, the word *arrondissement* after a number
//! dropped, then the words joined without separator, so that hyphens,
//! spaces and apostrophes do not matter (« L'Haÿ » = « Lhay »).

use crate::text::fold;

/// Articles that start official names (INSEE's TNCC 2 to 8), folded.
const ARTICLES: [&str; 7] = ["le", "la", "les", "l", "aux", "las", "los"];

/// A name reduced for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// The normalised words, in order (`["le", "havre"]`).
    pub words: Vec<String>,
    /// The words joined (`lehavre`).
    pub full: String,
    /// Without the leading article, when there is one (`havre`).
    pub bare: Option<String>,
}

impl NameKey {
    pub fn new(text: &str) -> NameKey {
        let mut words: Vec<String> = Vec::new();
        visit_words(text, |w| words.push(w.to_string()));
        let full = words.concat();
        let bare = (words.len() > 1 && ARTICLES.contains(&words[0].as_str())).then(|| words[1..].concat());
        NameKey { words, full, bare }
    }
}

/// The full and bare keys of a name, without keeping its words: what
/// lookups need, with fewer allocations (a list resolves thousands of names).
pub fn keys(text: &str) -> (String, Option<String>) {
    let mut full = String::with_capacity(text.len());
    let (mut count, mut first_len, mut article) = (0, 0, false);
    visit_words(text, |w| {
        if count == 0 {
            first_len = w.len();
            article = ARTICLES.contains(&w);
        }
        count += 1;
        full.push_str(w);
    });
    let bare = (count > 1 && article).then(|| full[first_len..].to_string());
    (full, bare)
}

/// Calls `f` with each normalised word of a name (see the module documentation).
fn visit_words(text: &str, mut f: impl FnMut(&str)) {
    let (article, rest) = trailing_article(text);
    let (article, rest) = (fold(article), fold(rest));
    let mut after_number = false;
    for word in article.split(' ').chain(rest.split(' ')) {
        if word.is_empty() {
            continue;
        }
        if after_number && matches!(word, "arrondissement" | "arrondissements" | "arr" | "arrt" | "ardt" | "arrdt") {
            continue;
        }
        if after_number && matches!(word, "e" | "eme" | "er" | "ere") {
            continue; // « 14 ème »
        }
        let word = saint(word);
        let word = number(word).unwrap_or(word);
        after_number = word.bytes().all(|b| b.is_ascii_digit());
        f(word);
    }
}

/// `Havre (Le)` → (`Le`, `Havre`): lists sorted by name put the article last.
fn trailing_article(text: &str) -> (&str, &str) {
    let t = text.trim();
    if let Some(inner) = t.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
        && ARTICLES.contains(&fold(&inner[open + 1..]).as_str())
    {
        return (&inner[open + 1..], &inner[..open]);
    }
    ("", t)
}

/// Spreadsheet and road-sign abbreviations of *Saint*.
fn saint(word: &str) -> &str {
    match word {
        "st" => "saint",
        "ste" => "sainte",
        "sts" => "saints",
        "stes" => "saintes",
        other => other,
    }
}

/// `14e`, `14eme`, `1er`, `01` → `14`, `14`, `1`, `1`: arrondissement numbers
/// however they are written; `None` when the word is not a number.
fn number(word: &str) -> Option<&str> {
    let digits = ["ieme", "eme", "ere", "er", "e"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> String {
        NameKey::new(text).full
    }

    #[test]
    fn case_accents_hyphens_spaces_and_apostrophes_do_not_matter() {
        assert_eq!(key("L'Haÿ-les-Roses"), key("L HAY LES ROSES"));
        assert_eq!(key("L'Haÿ-les-Roses"), key("Lhay les Roses"));
        assert_eq!(key("Saint-Étienne"), key("saint etienne"));
        assert_eq!(key("Paimbœuf"), key("PAIMBOEUF"));
        assert_eq!(key("Bâgé-la-Ville"), "bagelaville");
    }

    #[test]
    fn the_leading_article_can_be_left_out() {
        let k = NameKey::new("Le Havre");
        assert_eq!(k.full, "lehavre");
        assert_eq!(k.bare.as_deref(), Some("havre"));
        assert_eq!(NameKey::new("L'Isle-Adam").bare.as_deref(), Some("isleadam"));
        assert_eq!(NameKey::new("Havre").bare, None, "a one-word name has no article to drop");
        assert_eq!(NameKey::new("La").bare, None);
    }

    #[test]
    fn an_article_in_brackets_after_the_name_moves_in_front() {
        assert_eq!(key("Havre (Le)"), key("Le Havre"));
        assert_eq!(key("Haÿ-les-Roses (L')"), key("L'Haÿ-les-Roses"));
        assert_eq!(key("ABYMES (LES)"), key("Les Abymes"));
        assert_eq!(key("Saint-Denis (93)"), "saintdenis93", "only an article moves");
    }

    #[test]
    fn saint_abbreviations_are_spelt_out() {
        assert_eq!(key("St-Étienne"), key("Saint-Étienne"));
        assert_eq!(key("Ste Foy lès Lyon"), key("Sainte-Foy-lès-Lyon"));
        assert_eq!(key("STS GEOSMES"), key("Saints-Geosmes"));
        assert_eq!(key("Stes-Maries-de-la-Mer"), key("Saintes-Maries-de-la-Mer"));
    }

    #[test]
    fn arrondissements_are_known_by_their_number_alone() {
        let marseille = key("Marseille 14e Arrondissement");
        assert_eq!(marseille, "marseille14");
        for spelling in ["Marseille 14", "MARSEILLE 14EME", "Marseille 14ème arrondissement", "Marseille 14 ème"] {
            assert_eq!(key(spelling), marseille, "{spelling}");
        }
        assert_eq!(key("Paris 1er Arrondissement"), key("Paris 01"));
        assert_eq!(key("Lyon 3e"), key("Lyon 3e Arrondissement"));
        assert_eq!(key("Paris 15e Arrondissement"), "paris15");
    }

    #[test]
    fn keys_alone_are_the_keys_of_the_name() {
        for text in ["Le Havre", "Havre", "Haÿ-les-Roses (L')", "Marseille 14e Arrondissement", "La", ""] {
            let k = NameKey::new(text);
            assert_eq!(keys(text), (k.full, k.bare), "{text}");
        }
    }

    #[test]
    fn nothing_but_punctuation_gives_an_empty_key() {
        assert_eq!(key(" - ' "), "");
        assert_eq!(key(""), "");
    }
}
