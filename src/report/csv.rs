//! CSV report: one row per area (national, régions, départements, EPCI),
//! cumulative populations by stage. Keys in English like the JSON.

use std::io::{self, Write};

use crate::coverage::{AreaCoverage, Report};
use crate::territory::Stage;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = vec!["level", "code", "name", "units", "population", "covered_population", "percent"];
    header.extend(Stage::DESCENDING.map(Stage::key));
    w.write_record(&header)?;
    let national = AreaCoverage {
        code: "FR".into(),
        name: "France".into(),
        region: None,
        units: report.units,
        population: report.population,
        covered_population: report.covered.population,
        percent: report.covered.percent,
        by_stage: report.by_stage.clone(),
    };
    let levels = [
        ("national", std::slice::from_ref(&national)),
        ("region", &report.regions[..]),
        ("departement", &report.departements[..]),
        ("epci", &report.epcis[..]),
    ];
    for (level, areas) in levels {
        for a in areas {
            let mut row = vec![
                level.to_string(),
                a.code.clone(),
                a.name.clone(),
                a.units.to_string(),
                a.population.to_string(),
                a.covered_population.to_string(),
                a.percent.to_string(),
            ];
            row.extend(a.by_stage.iter().map(|s| s.population.to_string()));
            w.write_record(&row)?;
        }
    }
    w.flush()
}
