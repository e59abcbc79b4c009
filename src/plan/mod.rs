//! Planning a CPTS: a draft territory drawn over today's zones blanches, and
//! what it would change — computed against the loaded territories, without
//! rebuilding anything.
//!
//! ```text
//!  codes, city codes, names ──► draft ──► figures: population, size class, contiguity,
//!                                │          newly covered, overlaps, coverage after
//!                                │          (France, départements), zones reached, outline
//!  a zone blanche ──► suggest ───┘  contiguous drafts of CPTS size
//! ```
//!
//! Everything reads the prepared [`Ground`] (units, coverage, arcs) and
//! allocates only for the draft's own units, so a draft of a hundred
//! communes costs well under a millisecond.

pub mod draft;
pub mod figures;
pub mod graph;
pub mod suggest;
pub mod table;

use crate::arcs::Topology;
use crate::atlas::Atlas;
use crate::coverage::Coverage;

pub use draft::{Draft, DraftError, split_references};
pub use figures::PlanFigures;
pub use suggest::Suggestion;

/// Smallest population of a CPTS the suggestions aim for (a smaller one is
/// hardly viable: it funds too few professionals).
pub const MIN_POPULATION: u64 = 20_000;
/// Largest population of a CPTS the suggestions aim for: the top of ACI size 3.
pub const MAX_POPULATION: u64 = 175_000;

/// What a plan is computed against: the units, today's coverage and the
/// arcs of the commune coverage (neighbours and outlines).
#[derive(Clone, Copy)]
pub struct Ground<'a> {
    pub atlas: &'a Atlas,
    pub coverage: &'a Coverage,
    pub topology: &'a Topology,
}
