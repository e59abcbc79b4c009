//! Stage 3b, first half: territories drawn as polygons, prepared once for
//! area queries.
//!
//! A drawn territory (the Santégraphie layer, a hand-made shapefile) is
//! checked once by an exact sweep, and repaired only where its rings cross
//! ([`repair`], [`sweep`]), then kept as a [`Region`]: its rings in one array
//! and an R-tree over runs of their edges ([`region`]). The share of a
//! unit's area inside it is then computed from the edges near the unit only,
//! by Green's theorem ([`share`]), so that the whole territory costs time
//! linear in its vertices, whatever the shape of its border.
//! [`crate::membership`] turns shares into members.

pub mod predicates;
pub mod region;
pub mod repair;
pub mod share;
pub mod sweep;

#[cfg(test)]
mod tests;

pub use region::{Region, Rings};
pub use repair::{Checked, DrawnError, Repair, check};
pub use share::{Scratch, share};
