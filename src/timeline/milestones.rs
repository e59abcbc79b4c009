//! The national figures published along the way, drawn beside the national
//! curve as reference points. Each says which stages it counts: sources
//! disagree mostly because they count different stages.

use serde::Serialize;

use super::month::Month;
use crate::territory::Stage;

/// A published national figure.
#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    /// The month it describes (its value is compared with the situation on the first day).
    pub month: Month,
    /// The stage threshold it counts (`pre_projet`: any stage).
    pub stage: Stage,
    pub percent: f64,
    /// French, as shown beside the point.
    pub label: &'static str,
}

/// The published national milestones, oldest first.
pub fn national() -> Vec<Milestone> {
    let month = |y, m| Month::new(y, m).unwrap_or_else(|| unreachable!("a valid constant month"));
    vec![
        Milestone {
            month: month(2023, 3),
            stage: Stage::AciSigne,
            percent: 48.5,
            label: "mars 2023 : 48,5 % de la population couverte par une CPTS à l'ACI signé (389 CPTS)",
        },
        Milestone {
            month: month(2023, 7),
            stage: Stage::PreProjet,
            percent: 75.0,
            label: "juillet 2023 : 75 % de la population couverte par une CPTS, tout stade",
        },
    ]
}
