//! Stage 3: CPTS territories — their stage, their ACI date, and the units
//! they are made of (already resolved against the atlas).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::commune::UnitId;
use crate::text::{contains_words, fold};

/// The four stages of a CPTS, in order. Coverage "at stage S" counts every
/// territory at S or beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    PreProjet,
    LettreIntention,
    ProjetSanteValide,
    AciSigne,
}

/// Why a text is not a stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error(
        "statut « {0} » non reconnu ; attendu : ACI signé, Projet de santé validé, \
         Lettre d'intention validée, Pré-projet (ou un synonyme : en fonctionnement, \
         en construction, émergence…)"
    )]
    Unknown(String),
    #[error("statut « {0} » ambigu : il se lit {1} et {2}")]
    Ambiguous(String, &'static str, &'static str),
}

impl Stage {
    /// From the most advanced to the least: the order of the cumulative figures.
    pub const DESCENDING: [Stage; 4] =
        [Stage::AciSigne, Stage::ProjetSanteValide, Stage::LettreIntention, Stage::PreProjet];

    /// Stable key used in JSON, CSV and the API.
    pub fn key(self) -> &'static str {
        match self {
            Stage::PreProjet => "pre_projet",
            Stage::LettreIntention => "lettre_intention",
            Stage::ProjetSanteValide => "projet_sante_valide",
            Stage::AciSigne => "aci_signe",
        }
    }

    /// French label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Stage::PreProjet => "Pré-projet",
            Stage::LettreIntention => "Lettre d'intention validée",
            Stage::ProjetSanteValide => "Projet de santé validé",
            Stage::AciSigne => "ACI signé",
        }
    }

    /// Index 0..4 in [`Stage::DESCENDING`] order is `3 - level`.
    pub fn level(self) -> usize {
        self as usize
    }

    /// The words people write for each stage (folded), from DOMAIN knowledge
    /// of real ARS files. Matched as whole words, longest first.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Stage::PreProjet => {
                &["pre projet", "preprojet", "emergence", "en emergence", "initiative", "repere", "amorce"]
            }
            Stage::LettreIntention => &[
                "lettre d intention",
                "lettre d intention validee",
                "li validee",
                "li",
                "en construction",
                "en cours de creation",
                "redaction",
                "elaboration",
                "projet de sante en cours",
            ],
            Stage::ProjetSanteValide => &[
                "projet valide",
                "projet de sante valide",
                "valide",
                "aci en negociation",
                "prochainement en fonctionnement",
            ],
            Stage::AciSigne => &["aci", "aci signe", "signataire", "signe", "contractualise", "en fonctionnement"],
        }
    }
}

impl FromStr for Stage {
    type Err = StageError;

    /// Case, accents, spaces, hyphens and underscores are ignored; a synonym
    /// must match whole words, and the longest match wins ("ACI en
    /// négociation" is not "ACI").
    fn from_str(text: &str) -> Result<Stage, StageError> {
        let folded = fold(text);
        if let Some(stage) = Stage::DESCENDING.into_iter().find(|s| fold(s.key()) == folded) {
            return Ok(stage);
        }
        let matches: Vec<(usize, Stage)> = Stage::DESCENDING
            .into_iter()
            .flat_map(|stage| {
                stage.synonyms().iter().filter(|syn| contains_words(&folded, syn)).map(move |syn| (syn.len(), stage))
            })
            .collect();
        let longest = matches.iter().map(|(len, _)| *len).max();
        let mut winners: Vec<Stage> =
            matches.iter().filter(|(len, _)| Some(*len) == longest).map(|(_, s)| *s).collect();
        winners.dedup();
        match winners[..] {
            [] => Err(StageError::Unknown(crate::text::excerpt(text))),
            [stage] => Ok(stage),
            [a, b, ..] => Err(StageError::Ambiguous(crate::text::excerpt(text), a.label(), b.label())),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// A calendar date (ISO 8601), e.g. an ACI signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("date « {0} » non reconnue ; attendu AAAA-MM-JJ ou JJ/MM/AAAA")]
pub struct InvalidDate(pub String);

impl FromStr for IsoDate {
    type Err = InvalidDate;

    fn from_str(text: &str) -> Result<IsoDate, InvalidDate> {
        let bad = || InvalidDate(crate::text::excerpt(text));
        let t = text.trim();
        // Spreadsheets add a time: keep the date part.
        let t = t.split([' ', 'T']).next().unwrap_or(t);
        let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
        let [a, b, c] = parts[..] else {
            return Err(bad());
        };
        let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
        let (year, month, day): (u16, u8, u8) =
            (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if y.len() != 4 || !(1..=days).contains(&day) || !(1900..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(IsoDate { year, month, day })
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// ACI funding class by territory population (taille 1 to 4).
pub fn size_class(population: u64) -> u8 {
    match population {
        0..40_000 => 1,
        40_000..80_000 => 2,
        80_000..=175_000 => 3,
        _ => 4,
    }
}

/// A CPTS territory, resolved to units of the atlas.
#[derive(Debug, Clone)]
pub struct Territory {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub aci_date: Option<IsoDate>,
    /// Sorted, without duplicates.
    pub units: Vec<UnitId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_accept_the_synonyms_of_real_files() {
        let cases = [
            ("ACI signé", Stage::AciSigne),
            ("aci_signe", Stage::AciSigne),
            ("En fonctionnement", Stage::AciSigne),
            ("CONTRACTUALISÉ", Stage::AciSigne),
            ("ACI en négociation", Stage::ProjetSanteValide),
            ("Prochainement en fonctionnement", Stage::ProjetSanteValide),
            ("projet-de-santé validé", Stage::ProjetSanteValide),
            ("Lettre d’intention validée", Stage::LettreIntention),
            ("LI validée", Stage::LettreIntention),
            ("Rédaction", Stage::LettreIntention),
            ("Projet de santé en cours", Stage::LettreIntention),
            ("en émergence", Stage::PreProjet),
            ("pré_projet", Stage::PreProjet),
            ("Repéré", Stage::PreProjet),
        ];
        for (text, stage) in cases {
            assert_eq!(text.parse::<Stage>(), Ok(stage), "{text}");
        }
    }

    #[test]
    fn a_substring_is_not_a_stage() {
        // "rédaction" contains "aci" in the middle of a word.
        assert_eq!("rédaction".parse::<Stage>(), Ok(Stage::LettreIntention));
        assert!("gracieux".parse::<Stage>().is_err());
        assert!("".parse::<Stage>().is_err());
    }

    #[test]
    fn dates_in_both_french_and_iso_forms() {
        let d: IsoDate = "2021-03-12".parse().unwrap();
        assert_eq!("12/03/2021".parse::<IsoDate>().unwrap(), d);
        assert_eq!("2021-03-12 00:00:00".parse::<IsoDate>().unwrap(), d);
        assert!("2021-02-30".parse::<IsoDate>().is_err());
        assert!("31/13/2021".parse::<IsoDate>().is_err());
        assert_eq!(d.to_string(), "2021-03-12");
    }

    #[test]
    fn size_classes_follow_the_aci_thresholds() {
        assert_eq!(size_class(39_999), 1);
        assert_eq!(size_class(40_000), 2);
        assert_eq!(size_class(80_000), 3);
        assert_eq!(size_class(175_000), 3);
        assert_eq!(size_class(175_001), 4);
    }
}
