//! The terminal report, in French: national figures by stage, régions, the
//! least covered départements, CPTS by size class, overlaps, zones blanches
//! and warnings.

use std::io::{self, Write};

use crate::coverage::{AreaCoverage, Report};
use crate::territory::Stage;
use crate::text::{of_place, percent, thousands};

const BAR_WIDTH: usize = 30;
const WORST_DEPARTEMENTS: usize = 10;
const LARGEST_ZONES: usize = 10;
const WARNINGS_SHOWN: usize = 10;

fn bar(p: f64) -> String {
    let filled = ((p / 100.0) * BAR_WIDTH as f64).round().clamp(0.0, BAR_WIDTH as f64) as usize;
    format!("[{}{}]", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled))
}

fn stage_line(stage: Stage) -> String {
    match stage {
        Stage::AciSigne => "ACI signé".to_string(),
        Stage::PreProjet => "tout stade (≥ pré-projet)".to_string(),
        s => format!("≥ {}", s.label().to_lowercase()),
    }
}

pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "cptsmap — couverture de la population par les CPTS")?;
    writeln!(out)?;
    if r.data.fictional {
        writeln!(out, "⚠ TERRITOIRES FICTIFS : données de démonstration, aucune CPTS réelle n'est représentée.")?;
    }
    if let Some(cpts) = &r.data.cpts {
        writeln!(out, "Territoires CPTS : {cpts} ({} CPTS)", r.cpts.len())?;
    }
    for added in &r.data.cpts_added {
        writeln!(out, "  + {added}")?;
    }
    for layer in &r.data.communes {
        writeln!(
            out,
            "Unités : {} ({} enregistrements, {}, {})",
            layer.path, layer.records, layer.crs, layer.encoding
        )?;
    }
    if let Some(date) = r.data.as_of {
        writeln!(out, "Situation au {date} : seules les CPTS à l'ACI signé à cette date sont comptées.")?;
    }
    writeln!(
        out,
        "Population municipale INSEE : {} habitants dans {} unités (communes, arrondissements à Paris, Lyon, Marseille)",
        thousands(r.population),
        thousands(r.units as u64)
    )?;
    writeln!(out)?;
    writeln!(out, "Couverture nationale (chaque habitant compté une fois, par stade cumulé)")?;
    for s in &r.by_stage {
        writeln!(
            out,
            "  {:<34} {:>14} hab.  {:>8}  {}",
            stage_line(s.stage),
            thousands(s.population),
            percent(s.percent),
            bar(s.percent)
        )?;
    }
    let missing = r.population - r.covered.population;
    writeln!(out, "  Reste à couvrir pour l'objectif de 100 % : {} habitants", thousands(missing))?;
    writeln!(out)?;
    area_table(out, "Régions", &r.regions)?;
    // Areas without any known population (Mayotte in the bundled data) have no percentage.
    let mut worst: Vec<&AreaCoverage> = r.departements.iter().filter(|d| d.population > 0).collect();
    worst.sort_by(|a, b| a.percent.total_cmp(&b.percent).then_with(|| a.code.cmp(&b.code)));
    worst.truncate(WORST_DEPARTEMENTS);
    let worst: Vec<AreaCoverage> = worst.into_iter().cloned().collect();
    area_table(out, &format!("Les {WORST_DEPARTEMENTS} départements les moins couverts"), &worst)?;

    let mut classes = [0usize; 4];
    let mut stages = [0usize; 4];
    for t in &r.cpts {
        classes[usize::from(t.size_class.clamp(1, 4)) - 1] += 1;
        stages[t.stage.level()] += 1;
    }
    writeln!(
        out,
        "CPTS : {} — taille 1 (< 40 000 hab.) : {}, taille 2 : {}, taille 3 : {}, taille 4 (> 175 000) : {}",
        r.cpts.len(),
        classes[0],
        classes[1],
        classes[2],
        classes[3]
    )?;
    let by_stage: Vec<String> =
        Stage::DESCENDING.iter().map(|s| format!("{} : {}", s.label(), stages[s.level()])).collect();
    writeln!(out, "  par stade — {}", by_stage.join(", "))?;
    writeln!(
        out,
        "Chevauchements : {} unités dans plusieurs CPTS, {} habitants (comptés une seule fois)",
        thousands(r.overlaps.units as u64),
        thousands(r.overlaps.population)
    )?;
    writeln!(out)?;
    let z = &r.uncovered_zones;
    writeln!(
        out,
        "Zones blanches (aucune CPTS{}) : {} zones, {} habitants",
        if r.data.as_of.is_some() { " à l'ACI signé" } else { ", à aucun stade" },
        thousands(z.count as u64),
        thousands(z.population)
    )?;
    for (i, zone) in z.zones.iter().take(LARGEST_ZONES).enumerate() {
        writeln!(
            out,
            "  {:>2}. zone {:<33} {:>10} hab. {:>5} unités  {:>8} km²  dép. {}",
            i + 1,
            of_place(&zone.main_unit),
            thousands(zone.population),
            zone.units,
            format!("{:.0}", zone.area_km2),
            zone.departements.join(", ")
        )?;
    }
    writeln!(out)?;
    if r.warnings.is_empty() {
        writeln!(out, "Aucun avertissement.")?;
    } else {
        writeln!(out, "Avertissements : {} (tous dans --format json)", r.warnings.len())?;
        for w in r.warnings.iter().take(WARNINGS_SHOWN) {
            writeln!(out, "  - {w}")?;
        }
    }
    if !r.notes.is_empty() {
        writeln!(out, "Notes (limites connues des données, comptées comme indiqué) :")?;
        for n in &r.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    Ok(())
}

fn area_table(out: &mut dyn Write, title: &str, areas: &[AreaCoverage]) -> io::Result<()> {
    writeln!(out, "{title}")?;
    writeln!(out, "  {:<32} {:>12} {:>12} {:>8} {:>10}", "", "population", "couverte", "%", "ACI signé")?;
    for a in areas {
        let aci = a.by_stage.iter().find(|s| s.stage == Stage::AciSigne).map_or(0.0, |s| s.percent);
        let label = format!("{} {}", a.code, a.name);
        // Without any known population (Mayotte in the bundled data) there is no percentage.
        let (pct, aci) = if a.population == 0 {
            ("n.c.".to_string(), "n.c.".to_string())
        } else {
            (percent(a.percent), percent(aci))
        };
        writeln!(
            out,
            "  {:<32} {:>12} {:>12} {:>8} {:>10}",
            truncate(&label, 32),
            thousands(a.population),
            thousands(a.covered_population),
            pct,
            aci
        )?;
    }
    writeln!(out)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}
