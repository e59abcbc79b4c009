//! The commune cell of a list row: one or several communes (« Communes : A,
//! B ; C », « A / B »), each an INSEE code (maybe typed as a number by a
//! spreadsheet: `1004`, `13055.0`), an old code, or a name in any spelling.
//! Each is resolved with the [`Gazetteer`] to the unit or city it means, or
//! to the warning that says why it is left out. Nothing is picked among
//! homonyms: they are reported with their codes.

use crate::atlas::{Resolved, arrondissement_city};
use crate::commune::InseeCode;
use crate::gazetteer::{Found, Gazetteer, Match, Via};
use crate::text::{contains_words, fold};

/// One commune as a cell writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'t> {
    /// An INSEE code; `padded` when a spreadsheet had dropped its leading zero.
    Code {
        code: InseeCode,
        padded: bool,
    },
    Name(&'t str),
    /// Digits that are no code (too short or too long).
    Invalid(&'t str),
}

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A unit or city code to count, with the warnings (key, message) its path deserves.
    Found { code: InseeCode, notes: Vec<(&'static str, String)> },
    /// Left out: the warning key and message saying why.
    Skipped(&'static str, String),
}

/// The communes of a cell, in order.
pub fn split(cell: &str) -> Vec<&str> {
    let t = cell.trim();
    if decimal_whole(t).is_some() {
        return vec![t]; // `1004,0`: a number, not two communes
    }
    let t = match t.split_once(':') {
        Some((label, rest)) if is_label(label) => rest,
        _ => t,
    };
    t.split([',', ';', '/', '|', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// `Communes`, `Liste des communes`, `Communes membres` before a colon.
fn is_label(text: &str) -> bool {
    let folded = fold(text);
    contains_words(&folded, "commune") || contains_words(&folded, "communes")
}

/// `1004.0`, `13055,00` → `1004`, `13055`: whole numbers a spreadsheet wrote as decimals.
fn decimal_whole(text: &str) -> Option<&str> {
    let (int, frac) = text.split_once(['.', ','])?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(int) && digits(frac) && frac.bytes().all(|b| b == b'0')).then_some(int)
}

/// Reads one part of a cell as a code, or else as a name.
pub fn parse(part: &str) -> Reference<'_> {
    let t = part.trim();
    let t = decimal_whole(t).unwrap_or(t);
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return match t.len() {
            4 => format!("0{t}")
                .parse()
                .map_or(Reference::Invalid(part.trim()), |code| Reference::Code { code, padded: true }),
            5 => t.parse().map_or(Reference::Invalid(part.trim()), |code| Reference::Code { code, padded: false }),
            _ => Reference::Invalid(part.trim()),
        };
    }
    match t.parse::<InseeCode>() {
        Ok(code) => Reference::Code { code, padded: false },
        Err(_) => Reference::Name(t),
    }
}

/// Resolves one reference; `departement` (a code) narrows names.
pub fn resolve(g: &Gazetteer, reference: Reference, departement: Option<&str>) -> Resolution {
    match reference {
        Reference::Code { code, .. } => resolve_code(g, code),
        Reference::Name(name) => resolve_name(g, name, departement),
        Reference::Invalid(text) => Resolution::Skipped(
            "invalid_code",
            format!("« {text} » n'est ni un code INSEE (5 caractères) ni un nom de commune ; ignoré"),
        ),
    }
}

fn resolve_code(g: &Gazetteer, code: InseeCode) -> Resolution {
    match g.find_code(code, None) {
        Found::One(Match { via: Via::Code, code }) => Resolution::Found { code, notes: Vec::new() },
        Found::One(Match { via: Via::OldCode(h), code: current }) => merged(g, h, current, code.as_str()),
        // Only postcodes are left: never read one as a commune, the two are too easily confused.
        Found::One(m) => postcode(g, code, &[m]),
        Found::Several(ms) => postcode(g, code, &ms),
        Found::Nothing => {
            let hint = match arrondissement_city(&code) {
                Some(city) if !g.atlas().is_replaced_city(city) => {
                    " (arrondissement municipal : chargez la couche des arrondissements)"
                }
                _ => " (commune supprimée ou code erroné ?)",
            };
            Resolution::Skipped("unknown_commune", format!("code {code} inconnu des couches chargées{hint} ; ignoré"))
        }
    }
}

fn postcode(g: &Gazetteer, code: InseeCode, served: &[Match]) -> Resolution {
    let labels: Vec<String> = served.iter().map(|m| g.label(m.code)).collect();
    Resolution::Skipped(
        "unknown_commune",
        format!(
            "code {code} inconnu comme code INSEE ; c'est le code postal de {} : donnez le code INSEE ou le nom ; ignoré",
            labels.join(", ")
        ),
    )
}

fn resolve_name(g: &Gazetteer, name: &str, departement: Option<&str>) -> Resolution {
    let found = g.find_name(name, departement);
    if let (Found::Nothing, Some(dep)) = (&found, departement) {
        return match g.find_name(name, None) {
            Found::One(m) => {
                let mut resolution = accept(g, m, name);
                if let Resolution::Found { notes, .. } = &mut resolution {
                    let message = format!(
                        "« {name} » n'est pas dans le département {dep} : retenue {}, seule commune de ce nom",
                        g.label(m.code)
                    );
                    notes.insert(0, ("departement_mismatch", message));
                }
                resolution
            }
            Found::Several(ms) => ambiguous(g, name, &ms, Some(dep)),
            Found::Nothing => unknown_name(name),
        };
    }
    match found {
        Found::One(m) => accept(g, m, name),
        Found::Several(ms) => ambiguous(g, name, &ms, None),
        Found::Nothing => unknown_name(name),
    }
}

fn accept(g: &Gazetteer, m: Match, written: &str) -> Resolution {
    match m.via {
        Via::OldName(h) | Via::OldCode(h) => merged(g, h, m.code, written),
        _ => Resolution::Found { code: m.code, notes: Vec::new() },
    }
}

/// An old commune: counted in its current commune, with a `merged_commune` note.
fn merged(g: &Gazetteer, history: u32, current: InseeCode, written: &str) -> Resolution {
    let m = g.merged(history);
    let plain = written == m.old_code.as_str() || fold(written) == fold(&m.old_name);
    let quoted = if plain { String::new() } else { format!("« {written} » : ") };
    let what = format!("{quoted}{} ({}), {} rattachée à", m.old_name, m.old_code, m.kind.label());
    if g.atlas().resolve(current) == Resolved::Unknown {
        return Resolution::Skipped(
            "unknown_commune",
            format!("{what} la commune {current}, absente des couches chargées ; ignorée"),
        );
    }
    let message = format!("{what} {} : comptée dans {}", g.label(current), g.name_of(current));
    Resolution::Found { code: current, notes: vec![("merged_commune", message)] }
}

fn ambiguous(g: &Gazetteer, name: &str, candidates: &[Match], outside: Option<&str>) -> Resolution {
    let labels: Vec<String> = candidates.iter().map(|m| g.label(m.code)).collect();
    let context = outside.map_or(String::new(), |d| format!(" (aucune dans le département {d})"));
    Resolution::Skipped(
        "ambiguous_commune",
        format!(
            "« {name} » désigne {} communes{context} : {} ; précisez le code INSEE ou le département ; ignorée",
            labels.len(),
            labels.join(", ")
        ),
    )
}

fn unknown_name(name: &str) -> Resolution {
    Resolution::Skipped("unknown_commune", format!("commune « {name} » inconnue ; ignorée"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_may_list_several_communes() {
        assert_eq!(split("Communes : Aubagne, Cassis ; La Ciotat"), ["Aubagne", "Cassis", "La Ciotat"]);
        assert_eq!(split("Aubagne / Cassis"), ["Aubagne", "Cassis"]);
        assert_eq!(split("13005,13022"), ["13005", "13022"]);
        assert_eq!(split("Liste des communes: 13005"), ["13005"]);
        assert_eq!(split("  "), Vec::<&str>::new());
    }

    #[test]
    fn a_number_with_a_decimal_comma_is_one_code() {
        assert_eq!(split("1004,0"), ["1004,0"]);
        assert_eq!(parse("1004,0"), Reference::Code { code: "01004".parse().unwrap(), padded: true });
    }

    #[test]
    fn codes_typed_as_numbers_are_codes() {
        assert_eq!(parse("1004.0"), Reference::Code { code: "01004".parse().unwrap(), padded: true });
        assert_eq!(parse("13055.0"), Reference::Code { code: "13055".parse().unwrap(), padded: false });
        assert_eq!(parse("2A004"), Reference::Code { code: "2A004".parse().unwrap(), padded: false });
        assert_eq!(parse("123"), Reference::Invalid("123"));
        assert_eq!(parse("Le Havre"), Reference::Name("Le Havre"));
    }
}
