//! Warnings about the inputs: what was accepted with a doubt, repaired or
//! left out. They are all reported (terminal, JSON `warnings`), and
//! `--strict` turns any of them into an error.

use serde::Serialize;

/// One warning, with a stable key for scripts and a French message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable machine key, e.g. `unknown_commune`, `duplicate_row`.
    pub kind: &'static str,
    /// Where: `file:line` or `file, enregistrement N`, when it comes from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Warning {
        Warning { kind, location: None, message: message.into() }
    }

    pub fn at(kind: &'static str, location: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning { kind, location: Some(location.into()), message: message.into() }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc} : {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
