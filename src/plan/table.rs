//! The terminal view of a plan, in French: a draft's figures, or the drafts
//! suggested for a zone blanche.

use std::io::{self, Write};
use std::time::Duration;

use super::figures::PlanFigures;
use super::suggest::Suggestion;
use crate::text::{percent, thousands};

/// How many zones, overlaps and drafts are listed before counting the rest.
const SHOWN: usize = 15;

fn size_label(class: u8) -> &'static str {
    match class {
        1 => "moins de 40 000 hab.",
        2 => "40 000 à 80 000 hab.",
        3 => "80 000 à 175 000 hab.",
        _ => "plus de 175 000 hab.",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n as u64), if n > 1 { many } else { one })
}

pub fn write_figures(f: &PlanFigures, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Projet : {} ({})", f.name, plural(f.units, "commune", "communes"))?;
    writeln!(
        out,
        "  Population            {} hab. — taille {} ({})",
        thousands(f.population),
        f.size_class,
        size_label(f.size_class)
    )?;
    if f.units_without_population > 0 {
        writeln!(
            out,
            "                        dont {} sans population connue (comptées 0)",
            f.units_without_population
        )?;
    }
    writeln!(out, "  Superficie            {} km²", format!("{:.1}", f.area_km2).replace('.', ","))?;
    writeln!(out, "  Départements          {}", f.departements.join(", "))?;
    let tenant =
        if f.contiguous { "oui".to_string() } else { format!("non : {} morceaux sans frontière commune", f.parts) };
    writeln!(out, "  D'un seul tenant      {tenant}")?;
    writeln!(
        out,
        "  Nouvellement couverts {} hab. dans {} (couvertes aujourd'hui par aucune CPTS, à aucun stade)",
        thousands(f.newly_covered.population),
        plural(f.newly_covered.units, "commune", "communes")
    )?;
    writeln!(out)?;
    writeln!(out, "Couverture nationale (tout stade, chaque habitant compté une fois)")?;
    writeln!(
        out,
        "  {} hab. ({}) → {} hab. ({})",
        thousands(f.coverage_before.population),
        percent(f.coverage_before.percent),
        thousands(f.coverage_after.population),
        percent(f.coverage_after.percent)
    )?;
    writeln!(out)?;
    writeln!(out, "Départements touchés (tout stade)")?;
    for d in &f.departements_after {
        writeln!(
            out,
            "  {:<4}{:<28} {:>8} → {:>8}  (+{} hab.)",
            d.code,
            d.name,
            percent(d.percent_before),
            percent(d.percent_after),
            thousands(d.covered_population_after - d.covered_population_before)
        )?;
    }
    writeln!(out)?;
    if f.overlaps.is_empty() {
        writeln!(out, "Chevauchements : aucun (le projet ne partage aucune commune avec une CPTS)")?;
    } else {
        writeln!(out, "Chevauchements avec les CPTS existantes ({})", f.overlaps.len())?;
        for o in f.overlaps.iter().take(SHOWN) {
            writeln!(
                out,
                "  {} — {} ({}) : {}, {} hab.",
                o.id,
                o.name,
                o.stage_label,
                plural(o.units, "commune", "communes"),
                thousands(o.population)
            )?;
        }
        more(out, f.overlaps.len())?;
    }
    writeln!(out)?;
    if f.zones.is_empty() {
        writeln!(out, "Zones blanches atteintes : aucune")?;
    } else {
        writeln!(out, "Zones blanches atteintes ({})", f.zones.len())?;
        for z in f.zones.iter().take(SHOWN) {
            writeln!(
                out,
                "  zone {} de {} ({}, {} hab.) : {} hab. couverts par le projet ({})",
                z.zone,
                z.main_unit,
                plural(z.units, "commune", "communes"),
                thousands(z.population),
                thousands(z.covered_by_draft),
                percent(crate::coverage::percent(z.covered_by_draft, z.population))
            )?;
        }
        more(out, f.zones.len())?;
    }
    if !f.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Remarques")?;
        for n in &f.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    Ok(())
}

fn more(out: &mut dyn Write, n: usize) -> io::Result<()> {
    if n > SHOWN {
        writeln!(out, "  … et {} autres (toutes dans --format json)", n - SHOWN)?;
    }
    Ok(())
}

pub fn write_suggestion(s: &Suggestion, elapsed: Duration, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Zone blanche {} de {} : {}, {} hab.",
        s.zone,
        s.main_unit,
        plural(s.units, "commune", "communes"),
        thousands(s.population)
    )?;
    writeln!(
        out,
        "Découpage proposé en {} (calculé en {} ms)",
        plural(s.candidates.len(), "projet", "projets"),
        format!("{:.1}", elapsed.as_secs_f64() * 1e3).replace('.', ",")
    )?;
    for (i, c) in s.candidates.iter().enumerate().take(SHOWN) {
        let mark = if c.within_bounds { "✓" } else { "⚠" };
        writeln!(
            out,
            "  {mark} {:>2}. {} : {}, {} hab., taille {}",
            i + 1,
            c.name,
            plural(c.codes.len(), "commune", "communes"),
            thousands(c.population),
            c.size_class
        )?;
        if let Some(issue) = &c.issue {
            writeln!(out, "         {issue}")?;
        }
    }
    more(out, s.candidates.len())?;
    for n in &s.notes {
        writeln!(out, "  Remarque : {n}")?;
    }
    writeln!(out, "Les codes de chaque projet : --format json.")?;
    Ok(())
}
