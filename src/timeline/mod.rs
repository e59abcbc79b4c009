//! Coverage over time: every stage dated, the situation on any date, the
//! month-by-month series and its projection.
//!
//! ```text
//!  territories (today's stage + the date of each stage)
//!      │
//!      ├─► dates::territories_on(date) ──► coverage::compute   (report --at, ?at=)
//!      │        each at its stage of that date; the uncertain ones counted apart
//!      │
//!      └─► history: dated stages sorted once, replayed month by month
//!               per area ──► projection: pace of the last 12 months, month of 100 %
//! ```
//!
//! The rule is in [`dates`]: a territory counts on a date at the highest
//! stage whose date is on or before it. A month's value is the situation on
//! its first day, so `history` and `report --at AAAA-MM-01` agree.

pub mod dates;
pub mod history;
pub mod milestones;
pub mod month;
pub mod projection;
pub mod write;
