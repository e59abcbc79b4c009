//! Consistency of the figures on the bundled national data.

use std::collections::HashSet;

use crate::util::{json, national_report, ok, stage_populations, u};

#[test]
fn departements_and_regions_add_up_to_the_national_figures() {
    let r = national_report();
    for level in ["departements", "regions"] {
        let areas = r[level].as_array().unwrap();
        let sum = |key: &str| areas.iter().map(|a| u(&a[key])).sum::<u64>();
        assert_eq!(sum("population"), u(&r["population"]), "{level}");
        assert_eq!(sum("covered_population"), u(&r["covered"]["population"]), "{level}");
        assert_eq!(sum("units"), u(&r["units"]), "{level}");
        for (i, national) in stage_populations(r).into_iter().enumerate() {
            let by_area: u64 = areas.iter().map(|a| stage_populations(a)[i]).sum();
            assert_eq!(by_area, national, "{level}, stage {i}");
        }
    }
    assert_eq!(r["departements"].as_array().unwrap().len(), 101);
    assert_eq!(r["regions"].as_array().unwrap().len(), 18);
}

#[test]
fn arrondissements_replace_their_city() {
    let r = national_report();
    // 34 875 communes, less 3 cities, plus 45 arrondissements.
    assert_eq!(u(&r["units"]), 34_875 - 3 + 45);
    let paris = json(&["locate", "--commune", "75056", "--format", "json"]);
    let arrs = paris.as_array().expect("a city code gives its arrondissements");
    assert_eq!(arrs.len(), 20);
    let codes: HashSet<&str> = arrs.iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert!(codes.contains("75101") && codes.contains("75120") && !codes.contains("75056"));
    let paris_pop: u64 = arrs.iter().map(|a| u(&a["population"])).sum();
    let dep75 = r["departements"].as_array().unwrap().iter().find(|d| d["code"] == "75").unwrap();
    assert_eq!(u(&dep75["population"]), paris_pop, "Paris counted once, through its arrondissements");
}

#[test]
fn stage_levels_are_nested_everywhere() {
    let r = national_report();
    let mut areas = vec![r];
    for level in ["regions", "departements", "epcis"] {
        areas.extend(r[level].as_array().unwrap());
    }
    for a in areas {
        let s = stage_populations(a);
        assert_eq!(s.len(), 4);
        assert!(s.windows(2).all(|w| w[0] <= w[1]), "not nested: {s:?} in {}", a["code"]);
        let covered = a.get("covered_population").or(a.get("covered").map(|c| &c["population"])).unwrap();
        assert_eq!(s[3], u(covered), "any stage = covered");
    }
}

#[test]
fn uncovered_zones_hold_exactly_the_uncovered_population() {
    let r = national_report();
    let zones = &r["uncovered_zones"];
    let uncovered = u(&r["population"]) - u(&r["covered"]["population"]);
    assert_eq!(u(&zones["population"]), uncovered);
    let listed: u64 = zones["zones"].as_array().unwrap().iter().map(|z| u(&z["population"])).sum();
    assert_eq!(listed, uncovered);
    assert_eq!(u(&zones["count"]), zones["zones"].as_array().unwrap().len() as u64);
}

#[test]
fn a_resident_in_two_territories_is_counted_once() {
    let r = national_report();
    let cpts = r["cpts"].as_array().unwrap();
    let sum_over_territories: u64 = cpts.iter().map(|t| u(&t["population"])).sum();
    let overlap = u(&r["overlaps"]["population"]);
    assert!(overlap > 0, "the demo has overlapping territories");
    // Each overlapping unit is in exactly two territories in the demo data, so the
    // plain sum over territories exceeds the covered population by the overlap.
    let extra: u64 = r["overlaps"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| u(&o["population"]) * (o["cpts"].as_array().unwrap().len() as u64 - 1))
        .sum();
    assert_eq!(sum_over_territories, u(&r["covered"]["population"]) + extra);
}

#[test]
fn the_demo_looks_like_the_real_country() {
    let r = national_report();
    assert_eq!(r["data"]["fictional"], true);
    let percent = r["covered"]["percent"].as_f64().unwrap();
    assert!((80.0..90.0).contains(&percent), "≈ 84 % covered, got {percent}");
    let mut pops: Vec<u64> = r["cpts"].as_array().unwrap().iter().map(|t| u(&t["population"])).collect();
    pops.sort_unstable();
    let median = pops[pops.len() / 2];
    assert!((60_000..100_000).contains(&median), "median {median}");
    let classes: HashSet<u64> = r["cpts"].as_array().unwrap().iter().map(|t| u(&t["size_class"])).collect();
    assert_eq!(classes.len(), 4, "all four ACI size classes");
    let low =
        r["departements"].as_array().unwrap().iter().filter(|d| d["percent"].as_f64().unwrap() < 100.0 / 3.0).count();
    assert!(low >= 2, "a few départements under a third");
}

#[test]
fn coverage_at_a_date_grows_with_the_date() {
    let at = |date: &str| {
        let r = json(&["report", "--format", "json", "--at", date]);
        assert_eq!(r["data"]["as_of"], date);
        u(&r["covered"]["population"])
    };
    let (early, later) = (at("2021-01-01"), at("2024-01-01"));
    let today = stage_populations(national_report())[0];
    assert!(early < later && later <= today, "{early} {later} {today}");
    assert_eq!(at("2099-01-01"), today, "every ACI is signed by then");
}

#[test]
fn the_terminal_report_is_in_french_and_says_the_territories_are_fictional() {
    let text = ok(&["report"]);
    for expected in
        ["TERRITOIRES FICTIFS", "Couverture nationale", "ACI signé", "Zones blanches", "Départements", "habitants"]
    {
        assert!(
            text.contains(expected) || text.to_lowercase().contains(&expected.to_lowercase()),
            "missing « {expected} »:\n{text}"
        );
    }
}

#[test]
fn csv_report_has_one_row_per_area() {
    let text = ok(&["report", "--format", "csv"]);
    let r = national_report();
    let areas = 1
        + r["regions"].as_array().unwrap().len()
        + r["departements"].as_array().unwrap().len()
        + r["epcis"].as_array().unwrap().len();
    assert_eq!(text.lines().count(), 1 + areas);
    assert!(text.starts_with("level,code,name,units,population,covered_population,percent,aci_signe,"));
}

#[test]
fn locate_by_point_finds_the_commune_and_its_territories() {
    // Place de la Comédie, Montpellier.
    let here = json(&["locate", "--lon", "3.8799", "--lat", "43.6086", "--format", "json"]);
    assert_eq!(here["code"], "34172");
    assert_eq!(here["name"], "Montpellier");
    let r = national_report();
    let listed: Vec<&str> = r["cpts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"].as_str().unwrap().starts_with("DEMO-34"))
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for c in here["cpts"].as_array().unwrap() {
        assert!(listed.contains(&c["id"].as_str().unwrap()));
    }
    let sea = crate::util::cptsmap(&["locate", "--lon", "-5.5", "--lat", "46.0"]);
    assert_eq!(sea.status.code(), Some(1), "the Atlantic is no commune");
}

#[test]
fn strict_mode_passes_on_the_bundled_data_whose_known_gaps_are_notes() {
    let out = crate::util::cptsmap(&["report", "--strict", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["warnings"].as_array().unwrap().len(), 0);
    let notes: Vec<&str> = r["notes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(notes, ["no_contour", "no_population"]);
}
