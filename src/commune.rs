//! Communes and arrondissements municipaux: the units a CPTS territory is made of.
//!
//! Codes are parsed once at the edge ([`InseeCode`]); a [`Unit`] carries what
//! every later stage needs: its population (INSEE *population municipale*),
//! the areas it belongs to and its contour in WGS84 longitude/latitude.

use std::fmt;
use std::str::FromStr;

use geo::{MultiPolygon, Rect};

/// The three cities that also exist as arrondissements municipaux.
pub const ARRONDISSEMENT_CITIES: [(&str, &str); 3] = [("75056", "Paris"), ("69123", "Lyon"), ("13055", "Marseille")];

/// An INSEE commune or arrondissement code: five characters, the first two
/// a département (`01`–`95`, `2A`, `2B`) or `97`, e.g. `01001`, `2A004`, `97411`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InseeCode([u8; 5]);

/// Why a text is not an INSEE code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un code INSEE (attendu : 5 caractères comme 01001, 2A004 ou 97411)")]
pub struct InvalidInseeCode(pub String);

impl InseeCode {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and `A`/`B` are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("?????")
    }

    /// The département part: 3 characters overseas (`971`…`976`), 2 otherwise.
    pub fn departement(&self) -> &str {
        let s = self.as_str();
        if s.starts_with("97") { &s[..3] } else { &s[..2] }
    }
}

impl FromStr for InseeCode {
    type Err = InvalidInseeCode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        let b = t.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit) || (b[0] == b'2' && matches!(b[1], b'A' | b'B' | b'a' | b'b')))
            && b[2..].iter().all(u8::is_ascii_digit)
            && &b[..2] != b"00";
        if !ok {
            return Err(InvalidInseeCode(crate::text::excerpt(text)));
        }
        let mut code = [0u8; 5];
        code.copy_from_slice(b);
        code[1] = code[1].to_ascii_uppercase();
        Ok(InseeCode(code))
    }
}

impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InseeCode({})", self.as_str())
    }
}

impl serde::Serialize for InseeCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Index of a unit in the [`crate::atlas::Atlas`].
pub type UnitId = u32;

/// Whether a unit is a commune or one of the arrondissements that replace a city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Commune,
    Arrondissement { city: InseeCode },
}

/// A commune or arrondissement as loaded, contour in WGS84 longitude/latitude.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: InseeCode,
    pub name: String,
    pub kind: UnitKind,
    /// INSEE population municipale; `None` when the source has none (Mayotte).
    pub population: Option<u64>,
    pub departement: String,
    pub region: String,
    /// SIREN codes of the EPCI the unit belongs to (none for four islands).
    pub epcis: Vec<String>,
    /// Exteriors counter-clockwise, holes clockwise; `None` when the source has no contour.
    pub contour: Option<MultiPolygon<f64>>,
    /// Bounding box of the contour (longitude/latitude).
    pub bbox: Option<Rect<f64>>,
    /// Ellipsoidal area in km² (0 without a contour).
    pub area_km2: f64,
}

impl Unit {
    /// Population counted in the figures: unknown populations count as 0
    /// and are reported apart, never estimated.
    pub fn counted_population(&self) -> u64 {
        self.population.unwrap_or(0)
    }
}

/// A commune that no longer exists on its own: a commune déléguée or
/// associée, merged into a current commune (a "commune nouvelle" since 2015,
/// or an older fusion-association). Old codes and names in territory lists
/// are mapped to the current commune through these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedCommune {
    /// The code it had before the merger.
    pub old_code: InseeCode,
    /// Its official name, article included.
    pub old_name: String,
    pub kind: MergeKind,
    /// The current commune it belongs to.
    pub current: InseeCode,
}

/// How a merged commune lives on inside its current commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MergeKind {
    /// Commune déléguée (COMD), mostly inside communes nouvelles.
    Deleguee,
    /// Commune associée (COMA), from the fusions-associations of the 1970s.
    Associee,
}

impl MergeKind {
    pub fn label(self) -> &'static str {
        match self {
            MergeKind::Deleguee => "commune déléguée",
            MergeKind::Associee => "commune associée",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_of_every_shape() {
        for ok in ["01001", "2A004", "2b033", "97411", "75101", " 13055 "] {
            assert!(ok.parse::<InseeCode>().is_ok(), "{ok}");
        }
        for bad in ["1001", "010011", "2C001", "ABCDE", "", "00123"] {
            assert!(bad.parse::<InseeCode>().is_err(), "{bad}");
        }
        assert_eq!("2b033".parse::<InseeCode>().unwrap().as_str(), "2B033");
    }

    #[test]
    fn departement_of_overseas_codes_has_three_characters() {
        assert_eq!("97411".parse::<InseeCode>().unwrap().departement(), "974");
        assert_eq!("2A004".parse::<InseeCode>().unwrap().departement(), "2A");
    }
}
