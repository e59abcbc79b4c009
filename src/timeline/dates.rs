//! The rule of the past: the stage of a territory on a date, what its dates
//! leave uncertain, and the consistency of the dates a list gives.
//!
//! A territory counts on a date at the **highest stage, up to its current
//! one, whose date is on or before that date**; a later stage reached
//! implies the earlier ones (an ACI signed in 2021 means a lettre
//! d'intention validated by then, whatever its own date says). Without any
//! such date it does not count. Stages only move forward in time under this
//! rule, whatever order the dates are in, which is what lets the history
//! replay them as events.
//!
//! What the rule cannot know is counted rather than guessed: a territory is
//! **uncertain** on a date when a stage it has reached since has no date and
//! may therefore have been reached by then (every pré-projet, whose stage
//! has no date column, is uncertain on every date).

use serde::Serialize;

use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::territory::{IsoDate, Stage, Territory};

/// The stages whose dates lists carry, in the order they are reached.
pub const DATED: [Stage; 3] = [Stage::LettreIntention, Stage::ProjetSanteValide, Stage::AciSigne];

/// The stage a territory had reached on `date` (see the module's rule).
pub fn stage_on(t: &Territory, date: IsoDate) -> Option<Stage> {
    DATED.into_iter().rev().filter(|&s| s <= t.stage).find(|&s| t.date_of(s).is_some_and(|d| d <= date))
}

/// The highest stage a territory may have had on `date`, given the dates it
/// lacks: climbing from the lettre d'intention, a stage dated after `date`
/// stops the climb (the next ones came later still), an undated one may
/// have been reached. A pré-projet may have been one already.
pub fn possible_stage_on(t: &Territory, date: IsoDate) -> Option<Stage> {
    if t.stage == Stage::PreProjet {
        return Some(Stage::PreProjet);
    }
    let mut possible = None;
    for s in DATED.into_iter().filter(|&s| s <= t.stage) {
        match t.date_of(s) {
            Some(d) if d > date => break,
            _ => possible = Some(s),
        }
    }
    // A dated later stage counts even when an earlier date is out of order.
    possible.max(stage_on(t, date))
}

/// A territory whose stage on a date the dates cannot settle.
#[derive(Debug, Clone)]
pub struct Uncertain {
    pub id: String,
    /// Its stage today is pré-projet (a stage without date).
    pub pre_projet: bool,
    /// The highest stage it may have had.
    pub possible: Stage,
    pub units: Vec<UnitId>,
}

/// The territories as they stood on `date`: each at its stage of that date
/// (dates kept), those without any dated stage by then left out; and the
/// territories whose stage on that date is uncertain.
pub fn territories_on(territories: Vec<Territory>, date: IsoDate) -> (Vec<Territory>, Vec<Uncertain>) {
    let uncertain = uncertain_on(&territories, date);
    let counted = territories
        .into_iter()
        .filter_map(|mut t| {
            t.stage = stage_on(&t, date)?;
            Some(t)
        })
        .collect();
    (counted, uncertain)
}

/// The territories whose stage on `date` the dates cannot settle.
pub fn uncertain_on(territories: &[Territory], date: IsoDate) -> Vec<Uncertain> {
    territories
        .iter()
        .filter_map(|t| {
            let possible = possible_stage_on(t, date)?;
            (Some(possible) > stage_on(t, date)).then(|| Uncertain {
                id: t.id.clone(),
                pre_projet: t.stage == Stage::PreProjet,
                possible,
                units: t.units.clone(),
            })
        })
        .collect()
}

/// How much the dates leave uncertain on a date: territories whose stage
/// may have been higher than counted, and the residents whose coverage may
/// be under-stated at some stage because of them (each counted once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Undated {
    pub territories: usize,
    /// Of which pré-projets (a stage without date).
    pub pre_projets: usize,
    pub population: u64,
    /// Their ids, for messages (not serialised).
    #[serde(skip)]
    pub ids: Vec<String>,
}

/// Sums what is uncertain, given the best stage counted for each unit.
pub fn undated(atlas: &Atlas, uncertain: &[Uncertain], best: &[Option<Stage>]) -> Undated {
    let mut possible: Vec<Option<Stage>> = vec![None; best.len()];
    for t in uncertain {
        for &u in &t.units {
            let p = &mut possible[u as usize];
            *p = (*p).max(Some(t.possible));
        }
    }
    let population =
        (0..best.len()).filter(|&u| possible[u] > best[u]).map(|u| atlas.unit(u as UnitId).counted_population()).sum();
    Undated {
        territories: uncertain.len(),
        pre_projets: uncertain.iter().filter(|t| t.pre_projet).count(),
        population,
        ids: uncertain.iter().map(|t| t.id.clone()).collect(),
    }
}

/// Today, by the system clock (UTC): what "in the future" means for a list.
pub fn today() -> IsoDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = crate::calendar::civil_from_unix(secs);
    IsoDate { year: u16::try_from(y).unwrap_or(u16::MAX), month: m as u8, day: d as u8 }
}

/// "de la lettre d'intention", for messages.
pub fn stage_event(stage: Stage) -> &'static str {
    match stage {
        Stage::PreProjet => "du pré-projet",
        Stage::LettreIntention => "de validation de la lettre d'intention",
        Stage::ProjetSanteValide => "de validation du projet de santé",
        Stage::AciSigne => "de signature de l'ACI",
    }
}

/// What is doubtful in one territory's dates, as `(kind, message)`:
/// dates out of order (`dates_out_of_order`) and dates in the future
/// (`future_date`). Both are kept: the rule above reads them as they are.
/// Dates beyond the current stage are the reader's business (they are
/// dropped there, with their row).
pub fn check(t: &Territory, today: IsoDate) -> Vec<(&'static str, String)> {
    let mut notes = Vec::new();
    let dated: Vec<(Stage, IsoDate)> = DATED.into_iter().filter_map(|s| Some((s, t.date_of(s)?))).collect();
    for (i, &(earlier, a)) in dated.iter().enumerate() {
        for &(later, b) in &dated[i + 1..] {
            if a > b {
                notes.push((
                    "dates_out_of_order",
                    format!(
                        "CPTS {} : date {} ({a}) postérieure à la date {} ({b}) ; à chaque date, le stade le plus \
                         avancé atteint est compté (un stade atteint vaut les précédents)",
                        t.id,
                        stage_event(earlier),
                        stage_event(later)
                    ),
                ));
            }
        }
    }
    for &(stage, d) in &dated {
        if d > today {
            notes.push((
                "future_date",
                format!(
                    "CPTS {} : date {} dans le futur ({d}, nous sommes le {today}) ; comptée à partir de cette date",
                    t.id,
                    stage_event(stage)
                ),
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> IsoDate {
        text.parse().unwrap()
    }

    fn territory(stage: Stage, li: Option<&str>, ps: Option<&str>, aci: Option<&str>) -> Territory {
        Territory {
            id: "T".into(),
            name: "T".into(),
            stage,
            aci_date: aci.map(date),
            lettre_intention_date: li.map(date),
            projet_sante_date: ps.map(date),
            units: vec![0],
        }
    }

    #[test]
    fn a_territory_counts_at_the_highest_stage_dated_on_or_before_the_day() {
        let t = territory(Stage::AciSigne, Some("2020-01-10"), Some("2021-02-01"), Some("2022-03-01"));
        assert_eq!(stage_on(&t, date("2020-01-09")), None);
        assert_eq!(stage_on(&t, date("2020-01-10")), Some(Stage::LettreIntention));
        assert_eq!(stage_on(&t, date("2022-02-28")), Some(Stage::ProjetSanteValide));
        assert_eq!(stage_on(&t, date("2022-03-01")), Some(Stage::AciSigne));
    }

    #[test]
    fn a_later_stage_implies_the_earlier_ones_whatever_their_dates() {
        // Lettre d'intention dated after the ACI (a typing error): the ACI still counts from its date.
        let t = territory(Stage::AciSigne, Some("2023-01-01"), None, Some("2021-06-01"));
        assert_eq!(stage_on(&t, date("2021-06-01")), Some(Stage::AciSigne));
        assert_eq!(possible_stage_on(&t, date("2021-06-01")), Some(Stage::AciSigne));
        assert_eq!(check(&t, date("2026-01-01"))[0].0, "dates_out_of_order");
    }

    #[test]
    fn dates_beyond_the_current_stage_never_count() {
        let t = territory(Stage::LettreIntention, Some("2020-01-01"), None, Some("2021-01-01"));
        assert_eq!(stage_on(&t, date("2022-01-01")), Some(Stage::LettreIntention));
    }

    #[test]
    fn missing_dates_leave_the_stage_uncertain_until_a_later_date_settles_it() {
        // ACI dated, lettre d'intention and projet de santé not: before the ACI, it may have been anything.
        let t = territory(Stage::AciSigne, None, None, Some("2022-01-01"));
        assert_eq!(stage_on(&t, date("2021-01-01")), None);
        assert_eq!(possible_stage_on(&t, date("2021-01-01")), Some(Stage::ProjetSanteValide));
        assert_eq!(possible_stage_on(&t, date("2022-01-01")), Some(Stage::AciSigne));
        // A lettre d'intention dated after the day: nothing later can have happened before it.
        let t = territory(Stage::AciSigne, Some("2021-06-01"), None, None);
        assert_eq!(possible_stage_on(&t, date("2021-01-01")), None);
        assert_eq!(possible_stage_on(&t, date("2021-07-01")), Some(Stage::AciSigne));
        assert_eq!(stage_on(&t, date("2021-07-01")), Some(Stage::LettreIntention));
        // A pré-projet has no date at all.
        let t = territory(Stage::PreProjet, None, None, None);
        assert_eq!(
            (stage_on(&t, date("2030-01-01")), possible_stage_on(&t, date("1990-01-01"))),
            (None, Some(Stage::PreProjet))
        );
    }

    #[test]
    fn territories_on_a_day_keep_their_dates_and_name_the_uncertain_ones() {
        let list = vec![
            territory(Stage::AciSigne, Some("2020-01-01"), Some("2020-06-01"), Some("2021-01-01")),
            territory(Stage::ProjetSanteValide, Some("2020-03-01"), None, None),
            territory(Stage::PreProjet, None, None, None),
            territory(Stage::LettreIntention, Some("2024-01-01"), None, None),
        ];
        let (counted, uncertain) = territories_on(list, date("2020-07-01"));
        let stages: Vec<Stage> = counted.iter().map(|t| t.stage).collect();
        assert_eq!(stages, [Stage::ProjetSanteValide, Stage::LettreIntention]);
        assert_eq!(counted[0].aci_date, Some(date("2021-01-01")));
        let doubtful: Vec<(bool, Stage)> = uncertain.iter().map(|u| (u.pre_projet, u.possible)).collect();
        assert_eq!(doubtful, [(false, Stage::ProjetSanteValide), (true, Stage::PreProjet)]);
    }

    #[test]
    fn future_dates_are_noted_and_ordered_dates_are_not() {
        let t = territory(Stage::AciSigne, Some("2020-01-01"), Some("2020-06-01"), Some("2027-01-01"));
        let notes = check(&t, date("2026-11-22"));
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, "future_date");
        assert!(notes[0].1.contains("signature de l'ACI"), "{}", notes[0].1);
    }
}
