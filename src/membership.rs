//! Stage 3b: territories drawn as polygons become sets of units.
//!
//! A unit belongs to a drawn territory when at least `min_share` (one half
//! by default) of its area lies inside. Units only partly inside are
//! reported, whichever way they fall.
//!
//! Every territory is first checked and repaired once ([`crate::drawn`]);
//! a unit's share is then computed from the territory's edges near the unit,
//! so that a territory costs time linear in its vertices.

use std::sync::atomic::{AtomicUsize, Ordering};

use geo::CoordsIter;

use crate::atlas::{Atlas, sample};
use crate::commune::UnitId;
use crate::diagnostics::Warning;
use crate::drawn::{DrawnError, Repair, Scratch, check, share};
use crate::index::UnitIndex;
use crate::load::polygons::DrawnTerritory;
use crate::territory::Territory;

/// Default share of a unit's area that must lie inside a drawn territory.
pub const DEFAULT_MIN_SHARE: f64 = 0.5;
/// Shares within this margin of 0 or 1 are digitisation noise, not "partly inside".
const PARTIAL_MARGIN: f64 = 0.02;

/// A unit only partly inside a territory.
struct Partial {
    unit: UnitId,
    share: f64,
}

/// What a drawn territory holds.
struct Members {
    units: Vec<UnitId>,
    partial: Vec<Partial>,
    /// How the polygon had to be repaired.
    repaired: Option<Repair>,
}

fn members(atlas: &Atlas, index: &UnitIndex, drawn: &DrawnTerritory, min_share: f64) -> Result<Members, DrawnError> {
    let checked = check(&drawn.area)?;
    let region = &checked.region;
    let mut scratch = Scratch::default();
    let mut units = Vec::new();
    let mut partial = Vec::new();
    for id in index.candidates(region.bbox()) {
        let unit = atlas.unit(id);
        let (Some(contour), Some(ubox)) = (&unit.contour, unit.bbox) else { continue };
        let share = share(region, contour, ubox, &mut scratch);
        if share >= min_share {
            units.push(id);
        }
        if share > PARTIAL_MARGIN && share < 1.0 - PARTIAL_MARGIN {
            partial.push(Partial { unit: id, share });
        }
    }
    units.sort_unstable();
    Ok(Members { units, partial, repaired: checked.repaired })
}

/// Resolves drawn territories to units, on two cores.
pub fn assign(
    atlas: &Atlas,
    index: &UnitIndex,
    drawn: Vec<DrawnTerritory>,
    min_share: f64,
    warnings: &mut Vec<Warning>,
) -> Vec<Territory> {
    // Largest territories first, each taken by whichever core is free: one
    // large territory left for the end would keep the other core idle.
    let mut order: Vec<usize> = (0..drawn.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(drawn[i].area.coords_count()));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.push((i, members(atlas, index, &drawn[i], min_share)));
        }
        done
    };
    let mut results: Vec<(usize, Result<Members, DrawnError>)> = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mut all = work();
        all.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        all
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    let results = results.into_iter().map(|(_, r)| r);
    let mut territories = Vec::with_capacity(drawn.len());
    let mut partial_total = 0;
    for (d, result) in drawn.into_iter().zip(results) {
        let Members { units, partial, repaired } = match result {
            Ok(m) => m,
            Err(e) => {
                warnings.push(Warning::at(
                    "invalid_polygon",
                    d.location,
                    format!("CPTS {} : {e} ; CPTS ignorée", d.id),
                ));
                continue;
            }
        };
        if let Some(Repair { change, at }) = repaired {
            warnings.push(Warning::at(
                "repaired_polygon",
                d.location.clone(),
                format!(
                    "CPTS {} : polygone invalide (bords qui se croisent ou se touchent, parties qui se chevauchent), d'abord vu près de {:.6}, {:.6} (longitude, latitude) ; réparé : surface {:+.2} % par rapport au dessin",
                    d.id,
                    at.x,
                    at.y,
                    change * 100.0
                ),
            ));
        }
        partial_total += partial.len();
        if !partial.is_empty() {
            let listed: Vec<String> = partial
                .iter()
                .map(|p| {
                    let u = atlas.unit(p.unit);
                    let verdict = if p.share >= min_share { "retenue" } else { "écartée" };
                    format!("{} {} ({:.0} %, {verdict})", u.code, u.name, p.share * 100.0)
                })
                .collect();
            warnings.push(Warning::at(
                "partial_unit",
                d.location.clone(),
                format!("CPTS {} : {} unités en partie dans le polygone : {}", d.id, partial.len(), sample(&listed)),
            ));
        }
        if units.is_empty() {
            warnings.push(Warning::at(
                "empty_territory",
                d.location,
                format!(
                    "CPTS {} : aucune unité n'a {:.0} % de sa surface dans le polygone ; CPTS ignorée",
                    d.id,
                    min_share * 100.0
                ),
            ));
            continue;
        }
        territories.push(Territory {
            id: d.id,
            name: d.name,
            stage: d.stage,
            aci_date: d.aci_date,
            lettre_intention_date: None,
            projet_sante_date: None,
            units,
        });
    }
    if partial_total > 0 {
        tracing::debug!(partial_total, "units partly inside drawn territories");
    }
    territories.sort_by(|a, b| a.id.cmp(&b.id));
    territories
}
