//! `cptsmap history` for people and spreadsheets: the French table and the
//! CSV (the JSON is the [`History`] itself).

use std::io::{self, Write};

use super::history::{AreaHistory, History};
use super::projection::Outlook;
use crate::territory::Stage;
use crate::text::{percent, thousands};

/// The stages the table shows: « tout stade » would repeat « ≥ lettre
/// d'intention », pré-projets having no date.
const SHOWN: [Stage; 3] = [Stage::AciSigne, Stage::ProjetSanteValide, Stage::LettreIntention];

fn heading(stage: Stage) -> &'static str {
    match stage {
        Stage::AciSigne => "ACI signé",
        Stage::ProjetSanteValide => "≥ projet de santé",
        Stage::LettreIntention => "≥ lettre d'intention",
        Stage::PreProjet => "tout stade",
    }
}

/// The French table: per area, month by month, then its projection.
pub fn table(h: &History, fictional: bool, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "cptsmap — la couverture mois par mois, et le rythme des 12 derniers mois")?;
    writeln!(out)?;
    if fictional {
        writeln!(out, "⚠ TERRITOIRES FICTIFS : données de démonstration, aucune CPTS réelle n'est représentée.")?;
    }
    writeln!(
        out,
        "De {} à {}. La valeur d'un mois est la situation au 1er du mois (celle de report --at AAAA-MM-01) :",
        h.from.french(),
        h.to.french()
    )?;
    writeln!(out, "chaque CPTS y compte au stade le plus avancé atteint à cette date, d'après les dates de la liste.")?;
    writeln!(out, "« tout stade » y vaut « ≥ lettre d'intention » : les pré-projets n'ont pas de date.")?;
    let u = &h.undated;
    if u.territories > 0 {
        writeln!(
            out,
            "Au 1er {} : {} CPTS sans date pour un stade atteint (dont {} pré-projets) ; {} habitants peut-être \
             sous-comptés à un stade.",
            h.to.french(),
            u.territories,
            u.pre_projets,
            thousands(u.population)
        )?;
    }
    for area in &h.areas {
        writeln!(out)?;
        area_table(h, area, out)?;
    }
    Ok(())
}

fn area_table(h: &History, area: &AreaHistory, out: &mut impl Write) -> io::Result<()> {
    let code = area.code.as_deref().map_or(String::new(), |c| format!("{c} "));
    writeln!(out, "{code}{} — {} habitants", area.name, thousands(area.population))?;
    write!(out, "  {:<8}", "mois")?;
    for s in SHOWN {
        write!(out, "  {:>24}", heading(s))?;
    }
    writeln!(out, "   CPTS : ACI   PS   LI")?;
    for (i, month) in h.months.iter().enumerate() {
        write!(out, "  {month:<8}")?;
        for s in SHOWN {
            let Some(series) = area.stage(s) else { continue };
            let pct = if area.population == 0 { "n.c.".to_string() } else { percent(series.percent[i]) };
            write!(out, "  {:>14} {:>9}", thousands(series.population[i]), pct)?;
        }
        let count = |s: Stage| area.stage(s).map_or(0, |x| x.territories[i]);
        writeln!(
            out,
            "         {:>4} {:>4} {:>4}",
            count(Stage::AciSigne),
            count(Stage::ProjetSanteValide),
            count(Stage::LettreIntention)
        )?;
    }
    let Some(first) = area.projection.first() else { return Ok(()) };
    writeln!(
        out,
        "  Rythme sur {} mois ({} → {}), en points de pourcentage par an :",
        first.window_months, first.since, h.to
    )?;
    for p in area.projection.iter().filter(|p| SHOWN.contains(&p.stage)) {
        let pace = p.pace.map_or("—".to_string(), |v| format!("{} pts/an", signed(v)));
        writeln!(out, "    {:<22} {:>9}  {:>14}  → {}", heading(p.stage), percent(p.percent), pace, p.label)?;
    }
    Ok(())
}

/// `+5,2`, `-0,3`, `0,0`.
fn signed(v: f64) -> String {
    let text = format!("{v:.1}").replace('.', ",");
    if v > 0.0 { format!("+{text}") } else { text }
}

/// One row per area and month; the projection in the last month's row.
pub fn csv(h: &History, out: &mut impl Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let keys: Vec<&str> = Stage::DESCENDING.iter().map(|s| s.key()).collect();
    let mut header: Vec<String> =
        ["level", "code", "name", "month", "date", "population"].iter().map(|s| s.to_string()).collect();
    header.extend(keys.iter().flat_map(|k| [k.to_string(), format!("pct_{k}")]));
    for prefix in ["cpts_", "pace_", "reached_"] {
        header.extend(keys.iter().map(|k| format!("{prefix}{k}")));
    }
    w.write_record(&header)?;
    for area in &h.areas {
        for (i, month) in h.months.iter().enumerate() {
            let mut row = vec![
                area.level.to_string(),
                area.code.clone().unwrap_or_default(),
                area.name.clone(),
                month.to_string(),
                month.first_day().to_string(),
                area.population.to_string(),
            ];
            for s in &area.stages {
                row.push(s.population[i].to_string());
                row.push(format!("{:.4}", s.percent[i]));
            }
            row.extend(area.stages.iter().map(|s| s.territories[i].to_string()));
            let last = i + 1 == h.months.len();
            for p in &area.projection {
                row.push(if last { p.pace.map_or(String::new(), |v| format!("{v:.2}")) } else { String::new() });
            }
            for p in &area.projection {
                row.push(match (last, p.outlook) {
                    (false, _) | (true, Outlook::Unknown) => String::new(),
                    (true, Outlook::Never) => "jamais".into(),
                    (true, _) => p.month.map_or(String::new(), |m| m.to_string()),
                });
            }
            w.write_record(&row)?;
        }
    }
    w.flush()
}
