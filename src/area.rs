//! The areas a user selects — France, a région, a département, an EPCI or a
//! CPTS territory — as one type, parsed once at the edge (query parameters
//! `region=`, `departement=`, `epci=`, `cpts=`, or the CLI options) and
//! checked against the loaded data.
//!
//! Every answer about "this area" (figures, zones blanches, exports, the
//! map's outline) asks the same [`Area::contains`], so that what a user
//! reads and what a user downloads count the same units.

use std::fmt;

use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::coverage::Coverage;

/// A selected area, known to exist in the loaded data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Area {
    #[default]
    France,
    Region(String),
    Departement(String),
    /// An EPCI by its SIREN code; a unit in several EPCI belongs to each.
    Epci(String),
    /// A CPTS territory: its id, and its index in `Coverage::territories`.
    Cpts {
        id: String,
        index: usize,
    },
}

/// The kinds of area, in the order a query names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    France,
    Region,
    Departement,
    Epci,
    Cpts,
    /// Not an area one selects, but the rows of an EPCI or a CPTS in the figures CSV.
    Commune,
}

impl Level {
    /// The query parameters that select an area, most general first.
    pub const PARAMETERS: [(&'static str, Level); 4] =
        [("region", Level::Region), ("departement", Level::Departement), ("epci", Level::Epci), ("cpts", Level::Cpts)];

    /// Stable key in JSON and in the figures CSV.
    pub fn key(self) -> &'static str {
        match self {
            Level::France => "france",
            Level::Region => "region",
            Level::Departement => "departement",
            Level::Epci => "epci",
            Level::Cpts => "cpts",
            Level::Commune => "commune",
        }
    }

    /// French noun, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Level::France => "France",
            Level::Region => "région",
            Level::Departement => "département",
            Level::Epci => "EPCI",
            Level::Cpts => "CPTS",
            Level::Commune => "commune",
        }
    }
}

/// Why a parameter does not name an area: which parameter, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter} : {detail}")]
pub struct AreaError {
    pub parameter: &'static str,
    pub detail: String,
}

impl Area {
    /// The area named by at most one of `region`, `departement`, `epci`,
    /// `cpts` among `params` (France when none is given).
    pub fn from_params<'a>(
        mut get: impl FnMut(&str) -> Option<&'a str>,
        coverage: &Coverage,
    ) -> Result<Area, AreaError> {
        let mut found: Option<(&'static str, Level, &str)> = None;
        for (name, level) in Level::PARAMETERS {
            let Some(value) = get(name) else { continue };
            if let Some((first, _, _)) = found {
                return Err(AreaError {
                    parameter: name,
                    detail: format!("une seule zone à la fois : « {first} » est déjà donné"),
                });
            }
            found = Some((name, level, value));
        }
        match found {
            None => Ok(Area::France),
            Some((name, level, value)) => Area::resolve(name, level, value.trim(), coverage),
        }
    }

    /// The area of this level and code, if the data know it.
    pub fn resolve(parameter: &'static str, level: Level, code: &str, coverage: &Coverage) -> Result<Area, AreaError> {
        let unknown = || AreaError {
            parameter,
            detail: format!("{} « {code} » inconnu(e) des données chargées", level.label()),
        };
        if code.is_empty() {
            return Err(AreaError { parameter, detail: "code vide".into() });
        }
        let report = &coverage.report;
        match level {
            Level::France => Ok(Area::France),
            Level::Commune => Err(unknown()),
            Level::Region => {
                report.regions.iter().find(|a| a.code == code).map(|_| Area::Region(code.into())).ok_or_else(unknown)
            }
            Level::Departement => {
                // "2a" is Corse-du-Sud: département codes are case-insensitive.
                let code = code.to_ascii_uppercase();
                report
                    .departements
                    .iter()
                    .find(|a| a.code == code)
                    .map(|_| Area::Departement(code.clone()))
                    .ok_or_else(unknown)
            }
            Level::Epci => {
                report.epcis.iter().find(|a| a.code == code).map(|_| Area::Epci(code.into())).ok_or_else(unknown)
            }
            Level::Cpts => coverage
                .territories
                .iter()
                .position(|t| t.id == code)
                .map(|index| Area::Cpts { id: code.into(), index })
                .ok_or_else(unknown),
        }
    }

    pub fn level(&self) -> Level {
        match self {
            Area::France => Level::France,
            Area::Region(_) => Level::Region,
            Area::Departement(_) => Level::Departement,
            Area::Epci(_) => Level::Epci,
            Area::Cpts { .. } => Level::Cpts,
        }
    }

    /// The code (SIREN for an EPCI, id for a CPTS); none for France.
    pub fn code(&self) -> Option<&str> {
        match self {
            Area::France => None,
            Area::Region(c) | Area::Departement(c) | Area::Epci(c) => Some(c),
            Area::Cpts { id, .. } => Some(id),
        }
    }

    /// Whether a unit is part of the area.
    pub fn contains(&self, atlas: &Atlas, coverage: &Coverage, u: UnitId) -> bool {
        let unit = atlas.unit(u);
        match self {
            Area::France => true,
            Area::Region(c) => &unit.region == c,
            Area::Departement(c) => &unit.departement == c,
            Area::Epci(c) => unit.epcis.iter().any(|e| e == c),
            // Territory units are sorted when territories are read.
            Area::Cpts { index, .. } => coverage.territories[*index].units.binary_search(&u).is_ok(),
        }
    }

    /// The units of the area, in unit order.
    pub fn units(&self, atlas: &Atlas, coverage: &Coverage) -> Vec<UnitId> {
        match self {
            Area::Cpts { index, .. } => {
                let mut units = coverage.territories[*index].units.clone();
                units.sort_unstable();
                units
            }
            _ => (0..atlas.units.len() as UnitId).filter(|&u| self.contains(atlas, coverage, u)).collect(),
        }
    }

    /// The name people read: « Drôme », « CPTS du Diois »…
    pub fn name(&self, atlas: &Atlas, coverage: &Coverage) -> String {
        match self {
            Area::France => "France".into(),
            Area::Region(c) => atlas.names.region(c).into(),
            Area::Departement(c) => atlas.names.departement(c).into(),
            Area::Epci(c) => atlas.names.epci(c).into(),
            Area::Cpts { index, .. } => coverage.territories[*index].name.clone(),
        }
    }

    /// A short, file-name-safe tag: `france`, `reg-84`, `dep-26`, `epci-200000172`, `cpts-…`.
    pub fn slug(&self) -> String {
        let prefix = match self.level() {
            Level::France | Level::Commune => return "france".into(),
            Level::Region => "reg",
            Level::Departement => "dep",
            Level::Epci => "epci",
            Level::Cpts => "cpts",
        };
        format!("{prefix}-{}", file_safe(self.code().unwrap_or_default()))
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            None => f.write_str("France"),
            Some(code) => write!(f, "{} {code}", self.level().label()),
        }
    }
}

/// Letters, digits and hyphens only (ids of CPTS come from users' files).
pub fn file_safe(text: &str) -> String {
    let folded = crate::text::fold(text);
    let s: String = folded.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_digits_and_hyphens() {
        assert_eq!(file_safe("DEMO-26-0003"), "demo-26-0003");
        assert_eq!(file_safe("CPTS / Diois & Vercors"), "cpts-diois-vercors");
        assert_eq!(Area::Departement("2A".into()).slug(), "dep-2a");
        assert_eq!(Area::France.slug(), "france");
    }
}
