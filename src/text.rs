//! Text folding shared by the loaders and the search: French names and
//! labels are compared without case, accents, apostrophes or hyphens.

/// Lower case, accents removed, œ/æ spelt out, every run of characters that
/// are not letters or digits turned into one space, trimmed.
///
/// ```
/// assert_eq!(cptsmap::text::fold("Lettre d’intention  VALIDÉE"), "lettre d intention validee");
/// assert_eq!(cptsmap::text::fold("Paimbœuf"), "paimboeuf");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                continue;
            }
            _ => {
                pending_space = true;
                continue;
            }
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(mapped);
    }
    out
}

/// A column name folded to `snake_case` ASCII: `"Date de signature ACI"` → `date_de_signature_aci`.
pub fn column_key(header: &str) -> String {
    fold(header.trim_start_matches('\u{feff}')).replace(' ', "_")
}

/// Whether `needle` (folded) occurs in `haystack` (folded) as whole words.
pub fn contains_words(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    haystack.match_indices(needle).any(|(i, _)| {
        let before = i == 0 || haystack.as_bytes()[i - 1] == b' ';
        let end = i + needle.len();
        let after = end == haystack.len() || haystack.as_bytes()[end] == b' ';
        before && after
    })
}

/// « de » joined to a place name the French way: « du Havre », « des
/// Abymes », « de La Rochelle », « de L'Haÿ-les-Roses », « d'Orvault »,
/// « de Brest ». Names starting with H keep « de » (whether the h is mute
/// is not written in the name).
///
/// ```
/// use cptsmap::text::of_place;
/// assert_eq!(of_place("Le Havre"), "du Havre");
/// assert_eq!(of_place("Orvault"), "d'Orvault");
/// assert_eq!(of_place("La Rochelle"), "de La Rochelle");
/// ```
pub fn of_place(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = name.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    let vowel = name.chars().next().is_some_and(|c| "AEIOUYÂÊÎÔÛÉÈËÏÜŒaeiouy".contains(c));
    if vowel && !name.starts_with("Aux ") { format!("d'{name}") } else { format!("de {name}") }
}

/// Longest piece of user input quoted in a message (characters).
const EXCERPT_CHARS: usize = 80;
/// Most items listed in a message (column names, layers…).
const LISTED: usize = 20;

/// User input as quoted in a message: at most a line's worth, cut with « … ».
/// A damaged file (a 10 MB line) must not make a 10 MB message.
pub fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        text.to_string()
    } else {
        text.chars().take(EXCERPT_CHARS - 1).chain(['…']).collect()
    }
}

/// Items for a message, comma-separated: the first few, each cut, then how many more.
pub fn listing<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let mut shown = Vec::new();
    let mut more = 0usize;
    for item in items {
        if shown.len() < LISTED {
            shown.push(excerpt(item.as_ref()));
        } else {
            more += 1;
        }
    }
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" … (+{more})"));
    }
    out
}

/// French number formatting: narrow no-break space between thousands.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A percentage with a decimal comma: `84.123` → `84,1 %`.
pub fn percent(p: f64) -> String {
    format!("{:.1}\u{a0}%", p).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_words("aci en negociation", "aci"));
        assert!(!contains_words("redaction", "aci"));
        assert!(!contains_words("cpts acier", "aci"));
    }

    #[test]
    fn de_joins_place_names_the_french_way() {
        assert_eq!(of_place("Les Abymes"), "des Abymes");
        assert_eq!(of_place("L'Haÿ-les-Roses"), "de L'Haÿ-les-Roses");
        assert_eq!(of_place("Évry-Courcouronnes"), "d'Évry-Courcouronnes");
        assert_eq!(of_place("Brest"), "de Brest");
        assert_eq!(of_place("Hautmont"), "de Hautmont");
    }

    #[test]
    fn messages_quote_input_in_bounded_pieces() {
        let long = "x".repeat(10_000_000);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS);
        let many: Vec<String> = (0..5_000_000).map(|i| i.to_string()).collect();
        let list = listing(&many);
        assert!(list.len() < 200 && list.ends_with("(+4999980)"), "{list}");
    }

    #[test]
    fn french_numbers() {
        assert_eq!(thousands(68_042_591), "68\u{202f}042\u{202f}591");
        assert_eq!(thousands(999), "999");
        assert_eq!(percent(84.06), "84,1\u{a0}%");
    }
}
