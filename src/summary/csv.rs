//! The figures table as CSV for spreadsheets: an area and its parts
//! (France: régions then départements; a région: its départements; a
//! département: its EPCI; an EPCI or a CPTS: its communes), at one stage.
//!
//! Made for French spreadsheets: UTF-8 with a byte-order mark (Excel reads
//! the accents), `;` between fields and a decimal comma in percentages
//! (what Excel expects under a French locale). Column keys are stable and
//! documented in the README.

use std::collections::BTreeMap;

use super::{Figures, zones_of};
use crate::area::{Area, Level};
use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::coverage::Coverage;
use crate::territory::Stage;

pub const HEADER: [&str; 15] = [
    "level",
    "code",
    "name",
    "stage",
    "units",
    "population",
    "covered_population",
    "percent",
    "uncovered_population",
    "uncovered_zones",
    "aci_signe",
    "projet_sante_valide",
    "lettre_intention",
    "pre_projet",
    "units_without_population",
];

/// The CSV bytes (BOM included).
pub fn figures_csv(atlas: &Atlas, coverage: &Coverage, area: &Area, stage: Stage) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        let _ = w.write_record(HEADER);
        let units = area.units(atlas, coverage);
        let own = area.code().unwrap_or("FR").to_string();
        for (level, code, name, members) in
            std::iter::once((area.level(), own, area.name(atlas, coverage), units.clone()))
                .chain(parts(atlas, coverage, area, &units))
        {
            let f = Figures::of(atlas, coverage, &members, stage);
            let zones = zones_of(atlas, coverage, &members, stage).len();
            let mut row = vec![
                level.key().to_string(),
                code,
                name,
                stage.key().to_string(),
                f.units.to_string(),
                f.population.to_string(),
                f.covered_population.to_string(),
                decimal_comma(f.percent),
                f.uncovered_population.to_string(),
                zones.to_string(),
            ];
            row.extend(f.by_stage.iter().map(|s| s.population.to_string()));
            row.push(f.units_without_population.to_string());
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
}

fn decimal_comma(x: f64) -> String {
    format!("{x:.2}").replace('.', ",")
}

type Part = (Level, String, String, Vec<UnitId>);

/// The rows under the area's own row.
fn parts(atlas: &Atlas, coverage: &Coverage, area: &Area, units: &[UnitId]) -> Vec<Part> {
    let group = |level: Level, key: &dyn Fn(UnitId) -> Vec<String>, name: &dyn Fn(&str) -> String| -> Vec<Part> {
        let mut groups: BTreeMap<String, Vec<UnitId>> = BTreeMap::new();
        for &u in units {
            for k in key(u) {
                groups.entry(k).or_default().push(u);
            }
        }
        groups.into_iter().map(|(code, members)| (level, code.clone(), name(&code), members)).collect()
    };
    let names = &atlas.names;
    match area {
        Area::France => {
            let mut rows = group(Level::Region, &|u| vec![atlas.unit(u).region.clone()], &|c| names.region(c).into());
            rows.extend(group(Level::Departement, &|u| vec![atlas.unit(u).departement.clone()], &|c| {
                names.departement(c).into()
            }));
            rows
        }
        Area::Region(_) => {
            group(Level::Departement, &|u| vec![atlas.unit(u).departement.clone()], &|c| names.departement(c).into())
        }
        Area::Departement(_) => {
            // Whole EPCI (an EPCI may reach over the département's border), as in the report.
            let sirens = group(Level::Epci, &|u| atlas.unit(u).epcis.clone(), &|c| names.epci(c).into());
            sirens
                .into_iter()
                .map(|(l, c, n, _)| {
                    let all = Area::Epci(c.clone()).units(atlas, coverage);
                    (l, c, n, all)
                })
                .collect()
        }
        Area::Epci(_) | Area::Cpts { .. } => units
            .iter()
            .map(|&u| {
                let unit = atlas.unit(u);
                (Level::Commune, unit.code.to_string(), unit.name.clone(), vec![u])
            })
            .collect(),
    }
}
