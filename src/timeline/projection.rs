//! When would an area reach 100 % at the pace of the last twelve months?
//!
//! The pace is the change of the covered share over the last
//! [`WINDOW_MONTHS`] months of the series (fewer when the series is
//! shorter), in points of percentage per year; the month of 100 % is the
//! last month plus the time that pace needs to cover the rest, rounded up.
//! A straight line, said as such: not a forecast.

use serde::Serialize;

use super::month::Month;
use crate::territory::Stage;

/// Months over which the pace is measured.
pub const WINDOW_MONTHS: u32 = 12;
/// Beyond this many years, « à ce rythme » means never.
const HORIZON_YEARS: f64 = 1000.0;

/// What the pace says about reaching 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outlook {
    /// 100 % is already reached (`month`: when).
    Reached,
    /// 100 % reached in `month` at this pace.
    Projected,
    /// The pace is nil or negative: never at this pace.
    Never,
    /// No population, or a series of a single month: nothing to say.
    Unknown,
}

/// The projection of one stage of one area.
#[derive(Debug, Clone, Serialize)]
pub struct Projection {
    pub stage: Stage,
    /// Covered share in the last month (0–100).
    pub percent: f64,
    /// Points of percentage per year over the window; null when unknown.
    pub pace: Option<f64>,
    /// The first month of the window (the last month is the series' last).
    pub since: Month,
    pub window_months: u32,
    pub outlook: Outlook,
    /// The month 100 % is (or would be) reached.
    pub month: Option<Month>,
    /// French: « 100 % en juin 2029 à ce rythme », « jamais à ce rythme »…
    pub label: String,
}

/// Projects one stage from its monthly covered populations (`covered[i]`
/// for `first.plus(i)`) and the area's population.
pub fn project(stage: Stage, first: Month, covered: &[u64], population: u64) -> Projection {
    let last_index = covered.len().saturating_sub(1);
    let last = first.plus(last_index as u32);
    let window = WINDOW_MONTHS.min(last_index as u32);
    let since = first.plus(last_index as u32 - window);
    let share = |pop: u64| if population == 0 { 0.0 } else { pop as f64 * 100.0 / population as f64 };
    let now = covered.last().map_or(0.0, |&p| share(p));
    let base = Projection {
        stage,
        percent: round(now, 4),
        pace: None,
        since,
        window_months: window,
        outlook: Outlook::Unknown,
        month: None,
        label: String::new(),
    };
    if population == 0 || covered.is_empty() {
        return Projection { label: "population inconnue".into(), ..base };
    }
    if covered.last() == Some(&population) {
        let i = covered.iter().position(|&p| p == population).unwrap_or(last_index);
        let month = first.plus(i as u32);
        let label = format!("100 % atteint en {}", month.french());
        return Projection { outlook: Outlook::Reached, month: Some(month), label, ..base };
    }
    if window == 0 {
        return Projection { label: "historique trop court pour un rythme".into(), ..base };
    }
    let pace = (now - share(covered[last_index - window as usize])) * 12.0 / f64::from(window);
    let base = Projection { pace: Some(round(pace, 2)), ..base };
    let years = (100.0 - now) / pace;
    if pace <= 0.0 || !years.is_finite() || years > HORIZON_YEARS {
        return Projection { outlook: Outlook::Never, label: "jamais à ce rythme".into(), ..base };
    }
    let month = last.plus((years * 12.0).ceil() as u32);
    let label = format!("100 % en {} à ce rythme", month.french());
    Projection { outlook: Outlook::Projected, month: Some(month), label, ..base }
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn the_pace_is_measured_over_the_last_twelve_months() {
        // 1 point a month for 24 months, from 40 %: 64 % in the last month, 12 points a year.
        let covered: Vec<u64> = (0..=24).map(|i| 400 + 10 * i).collect();
        let p = project(Stage::AciSigne, month("2021-01"), &covered, 1000);
        assert_eq!(p.pace, Some(12.0));
        assert_eq!((p.since, p.window_months), (month("2022-01"), 12));
        // 36 points left at 12 a year: three years after 2023-01.
        assert_eq!((p.outlook, p.month), (Outlook::Projected, Some(month("2026-01"))));
        assert_eq!(p.label, "100 % en janvier 2026 à ce rythme");
    }

    #[test]
    fn a_flat_or_falling_share_never_reaches_the_goal() {
        let p = project(Stage::LettreIntention, month("2021-01"), &[500; 20], 1000);
        assert_eq!((p.outlook, p.pace, p.label.as_str()), (Outlook::Never, Some(0.0), "jamais à ce rythme"));
    }

    #[test]
    fn a_reached_goal_says_when() {
        let p = project(Stage::AciSigne, month("2021-01"), &[900, 1000, 1000], 1000);
        assert_eq!((p.outlook, p.month), (Outlook::Reached, Some(month("2021-02"))));
    }

    #[test]
    fn short_series_and_unknown_populations_say_nothing() {
        assert_eq!(project(Stage::AciSigne, month("2021-01"), &[10], 1000).outlook, Outlook::Unknown);
        assert_eq!(project(Stage::AciSigne, month("2021-01"), &[0, 0], 0).outlook, Outlook::Unknown);
        // Three months only: the pace of those.
        let p = project(Stage::AciSigne, month("2021-01"), &[0, 10, 20, 30], 1000);
        assert_eq!((p.window_months, p.pace), (3, Some(12.0)));
    }
}
