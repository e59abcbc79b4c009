//! Coverage over time: dated lists (CSV and spreadsheets), `report --at` on
//! every stage at several dates against coverage computed here by hand,
//! missing and inconsistent dates, `history` against `report --at` on every
//! month of the bundled data, and the `?at=` and `/api/timeline` routes.

use std::collections::BTreeSet;
use std::path::Path;

use axum::http::StatusCode;
use cptsmap::coverage::{Options, compute};
use cptsmap::timeline::dates::today;
use cptsmap::timeline::history::{Grouping, compute as history, default_range};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::http::{get, get_json, national};
use crate::util::{cptsmap, fixture, json, national_report, u};

/// Populations of the mini grid (tests/fixtures/make_fixtures.py); Lyon is its two arrondissements.
fn population(code: &str) -> u64 {
    match code {
        "01901" => 1_000,
        "01902" => 2_000,
        "01903" => 3_000,
        "01904" => 4_000,
        "01905" => 5_000,
        "01906" => 6_000,
        "01907" => 7_000,
        "01908" => 8_000,
        "01909" => 9_000,
        "01910" => 10_000,
        "69381" => 100_000,
        "69382" => 50_000,
        other => panic!("{other} is not in the mini grid"),
    }
}

/// A dated territory of the test list: stage today, the dates of LI, PS and ACI, its units.
struct Dated {
    id: &'static str,
    stage: &'static str,
    level: usize,
    dates: [&'static str; 3],
    units: &'static [&'static str],
}

/// Every case of the rule: complete dates, a stage without dates, dates missing before a
/// dated stage, a pré-projet, dates out of order, an overlap (01902), a city code (Lyon).
const LIST: [Dated; 7] = [
    Dated {
        id: "A",
        stage: "ACI signé",
        level: 3,
        dates: ["2019-01-10", "2020-02-01", "2021-03-01"],
        units: &["01901", "01902"],
    },
    Dated {
        id: "B",
        stage: "Projet de santé validé",
        level: 2,
        dates: ["2019-06-01", "2021-01-15", ""],
        units: &["01902", "01903", "01904"],
    },
    Dated { id: "C", stage: "Lettre d'intention validée", level: 1, dates: ["2020-05-01", "", ""], units: &["01905"] },
    Dated { id: "D", stage: "ACI signé", level: 3, dates: ["", "", "2022-01-01"], units: &["01906"] },
    Dated { id: "E", stage: "Pré-projet", level: 0, dates: ["", "", ""], units: &["01907"] },
    Dated {
        id: "F",
        stage: "en fonctionnement",
        level: 3,
        dates: ["2021-06-01", "", "2021-09-01"],
        units: &["69381", "69382"],
    },
    Dated {
        id: "G",
        stage: "ACI signé",
        level: 3,
        dates: ["2022-06-01", "2022-03-01", "2022-09-01"],
        units: &["01908"],
    },
];

/// The rule, written again here: the highest stage (1 LI, 2 PS, 3 ACI) up to today's whose date is on or before `day`.
fn stage_on(t: &Dated, day: &str) -> Option<usize> {
    (1..=3).rev().filter(|&l| l <= t.level).find(|&l| !t.dates[l - 1].is_empty() && t.dates[l - 1] <= day)
}

/// Covered population at each stage level on `day`, most advanced first (the report's order).
fn expected(day: &str) -> Vec<u64> {
    (0..4)
        .rev()
        .map(|level| {
            let units: BTreeSet<&str> = LIST
                .iter()
                .filter(|t| stage_on(t, day).is_some_and(|s| s >= level))
                .flat_map(|t| t.units.iter().copied())
                .collect();
            units.iter().map(|c| population(c)).sum()
        })
        .collect()
}

/// The communes of a territory as its list writes them: Lyon by its city code.
fn written(t: &Dated) -> Vec<&'static str> {
    let mut codes: Vec<&str> = t.units.iter().map(|&c| if c.starts_with("6938") { "69123" } else { c }).collect();
    codes.dedup();
    codes
}

fn list_csv() -> String {
    let mut text = String::from(
        "cpts_id;cpts_nom;statut;date_lettre_intention;date_projet_sante;date_signature_aci;code_commune\n",
    );
    for t in &LIST {
        let [li, ps, aci] = t.dates;
        for unit in written(t) {
            text.push_str(&format!("{};CPTS {};{};{li};{ps};{aci};{unit}\n", t.id, t.id, t.stage));
        }
    }
    text
}

/// `cptsmap SUBCOMMAND` on the mini grid with this list, JSON out; `extra[0]` is the subcommand.
fn mini_args(cpts: &Path, extra: &[&str]) -> Vec<String> {
    let dir = fixture("mini");
    let communes = dir.join("COMMUNE.shp").display().to_string();
    let arrondissements = dir.join("ARRONDISSEMENT_MUNICIPAL.shp").display().to_string();
    let cpts = cpts.display().to_string();
    let base = ["--communes", &communes, "--arrondissements", &arrondissements, "--cpts", &cpts, "--format", "json"];
    [&extra[..1], &base[..], &extra[1..]].concat().into_iter().map(String::from).collect()
}

fn mini(cpts: &Path, extra: &[&str]) -> Value {
    json(&mini_args(cpts, extra).iter().map(String::as_str).collect::<Vec<_>>())
}

fn by_stage(r: &Value) -> Vec<u64> {
    r["by_stage"].as_array().unwrap().iter().map(|s| u(&s["population"])).collect()
}

const DAYS: [&str; 12] = [
    "2019-01-09",
    "2019-01-10",
    "2020-02-01",
    "2020-05-01",
    "2021-01-15",
    "2021-03-01",
    "2021-06-01",
    "2021-09-01",
    "2022-01-01",
    "2022-03-01",
    "2022-06-01",
    "2023-01-01",
];

#[test]
fn every_stage_at_every_date_is_the_union_of_the_territories_dated_by_then() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liste_datee.csv");
    std::fs::write(&path, list_csv()).unwrap();
    for day in DAYS {
        let r = mini(&path, &["report", "--at", day]);
        assert_eq!(by_stage(&r), expected(day), "on {day}");
        assert_eq!(r["data"]["as_of"], day);
        let counted = LIST.iter().filter(|t| stage_on(t, day).is_some()).count();
        assert_eq!(r["cpts"].as_array().unwrap().len(), counted, "territories counted on {day}");
    }
    // Today's figures are not those of a date after every date: undated stages count only today.
    let today = mini(&path, &["report"]);
    assert_eq!(by_stage(&today), [167_000, 174_000, 179_000, 186_000]);
    assert_eq!(expected("2099-01-01"), [167_000, 174_000, 179_000, 179_000], "the pré-projet never counts");
    assert_eq!(by_stage(&mini(&path, &["report", "--at", "2099-01-01"])), expected("2099-01-01"));
}

#[test]
fn territories_and_residents_without_a_usable_date_are_counted_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liste_datee.csv");
    std::fs::write(&path, list_csv()).unwrap();
    // On 2021-06-01: D (ACI in 2022, earlier stages undated: may have been at PS), E (pré-projet) and F
    // (LI dated, PS undated, ACI later: may have been at PS) are uncertain; G's first date is later.
    let r = mini(&path, &["report", "--at", "2021-06-01"]);
    assert_eq!(r["undated"]["territories"], 3);
    assert_eq!(r["undated"]["pre_projets"], 1);
    assert_eq!(u(&r["undated"]["population"]), 6_000 + 7_000 + 150_000, "01906, 01907 and Lyon");
    let warning = r["warnings"].as_array().unwrap().iter().find(|w| w["kind"] == "undated_stage").unwrap();
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("--at 2021-06-01") && message.contains("D, E, F"), "{message}");
    assert_eq!(mini(&path, &["report"])["undated"], Value::Null, "no date, nothing uncertain");
}

#[test]
fn out_of_order_future_and_premature_dates_are_warned_with_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liste.csv");
    let text = "cpts_id;cpts_nom;statut;date_li;date_ps;date_aci;code_commune\n\
                G;CPTS G;ACI signé;2022-06-01;2022-03-01;2022-09-01;01908\n\
                H;CPTS H;Lettre d'intention validée;2021-01-01;2021-06-01;;01909\n\
                K;CPTS K;ACI signé;2021-01-01;2022-01-01;2099-12-31;01910\n";
    std::fs::write(&path, text).unwrap();
    let r = mini(&path, &["report"]);
    let warnings: Vec<(String, String)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["kind"].as_str().unwrap().to_string(), w["location"].as_str().unwrap_or("").to_string()))
        .collect();
    let has = |kind: &str, line: &str| warnings.iter().any(|(k, l)| k == kind && l.ends_with(line));
    assert!(has("dates_out_of_order", "liste.csv:2"), "{warnings:?}");
    assert!(has("date_beyond_stage", "liste.csv:3"), "{warnings:?}");
    assert!(has("future_date", "liste.csv:4"), "{warnings:?}");
    // The PS date of H is dropped: on 2021-07-01 H is at its lettre d'intention only.
    let r = mini(&path, &["report", "--at", "2021-07-01"]);
    let h = r["cpts"].as_array().unwrap().iter().find(|t| t["id"] == "H").unwrap();
    assert_eq!((h["stage"].as_str(), h["projet_sante_date"].as_str()), (Some("lettre_intention"), None));
    // Out of order: G counts at its PS from 2022-03-01, which implies its lettre d'intention.
    let r = mini(&path, &["report", "--at", "2022-03-01"]);
    let g = r["cpts"].as_array().unwrap().iter().find(|t| t["id"] == "G").unwrap();
    assert_eq!(g["stage"], "projet_sante_valide");
    assert_eq!(g["lettre_intention_date"], "2022-06-01", "dates are kept as given");
    let strict = cptsmap(&mini_args(&path, &["report", "--strict"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(strict.status.code(), Some(2));
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(err.contains("mode strict") && err.contains("postérieure") && err.contains("dans le futur"), "{err}");
}

#[test]
fn a_spreadsheet_with_dates_as_dates_serials_and_french_text_counts_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("liste.csv");
    std::fs::write(&csv, list_csv()).unwrap();
    let xlsx = dir.path().join("liste.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Suivi des CPTS (test)").unwrap();
    let header = [
        "Identifiant",
        "Nom de la CPTS",
        "Statut",
        "Date de validation de la lettre d'intention",
        "Date PS",
        "Date de signature de l'ACI",
        "Code INSEE",
    ];
    for (col, h) in header.iter().enumerate() {
        sheet.write_string(2, col as u16, *h).unwrap();
    }
    let format = Format::new().set_num_format("dd/mm/yyyy");
    let mut row = 3;
    let date =
        |d: &str| ExcelDateTime::from_ymd(d[..4].parse().unwrap(), d[5..7].parse().unwrap(), d[8..].parse().unwrap());
    for t in &LIST {
        for unit in written(t) {
            sheet.write_string(row, 0, t.id).unwrap();
            sheet.write_string(row, 1, format!("CPTS {}", t.id)).unwrap();
            sheet.write_string(row, 2, t.stage).unwrap();
            let [li, ps, aci] = t.dates;
            if !li.is_empty() {
                // A real date cell.
                sheet.write_date_with_format(row, 3, date(li).unwrap(), &format).unwrap();
            }
            if !ps.is_empty() {
                // A date cell that lost its format: its serial number.
                sheet.write_number(row, 4, date(ps).unwrap().to_excel()).unwrap();
            }
            if !aci.is_empty() {
                // French text.
                sheet.write_string(row, 5, format!("{}/{}/{}", &aci[8..], &aci[5..7], &aci[..4])).unwrap();
            }
            sheet.write_number(row, 6, unit.parse::<f64>().unwrap()).unwrap();
            row += 1;
        }
    }
    book.save(&xlsx).unwrap();
    for day in ["2020-05-01", "2021-06-01", "2022-06-01"] {
        let (a, b) = (mini(&csv, &["report", "--at", day]), mini(&xlsx, &["report", "--at", day]));
        assert_eq!(by_stage(&b), expected(day), "{day}");
        assert_eq!(a["cpts"], b["cpts"], "{day}");
    }
}

#[test]
fn history_of_every_month_is_what_report_at_counts_on_the_first_of_that_month() {
    let s = national();
    let territories = &s.coverage.territories;
    // The binary's JSON, over its default months (the list's first date to the last).
    let cli = json(&["history", "--format", "json"]);
    let h = &cli["history"];
    let months: Vec<&str> = h["months"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let (from, to) = default_range(territories, today()).expect("the demo list is dated");
    assert_eq!((months[0], months[months.len() - 1]), (from.to_string().as_str(), to.to_string().as_str()));
    assert!(months.len() > 96, "{from} → {to}");
    let france = &h["areas"][0];
    assert_eq!(france["level"], "france");
    // Every month: what `report --at` counts on its first day (the same counting, in the library).
    for (i, month) in months.iter().enumerate() {
        let day = format!("{month}-01");
        let c = compute(&s.atlas, territories.clone(), &Options { as_of: Some(day.parse().unwrap()) }, Vec::new());
        let report = serde_json::to_value(&c.report.by_stage).unwrap();
        for (k, stage) in report.as_array().unwrap().iter().enumerate() {
            let series = &france["stages"][k];
            assert_eq!(series["stage"], stage["stage"]);
            assert_eq!(series["population"][i], stage["population"], "{month}, {}", stage["stage"]);
            assert_eq!(series["percent"][i], stage["percent"], "{month}, {}", stage["stage"]);
            let counted = c.territories.iter().filter(|t| t.stage.key() == stage["stage"]).count();
            assert_eq!(u(&series["territories"][i]), counted as u64, "{month}, {}", stage["stage"]);
        }
        if i + 1 == months.len() {
            assert_eq!(h["undated"], serde_json::to_value(&c.report.undated).unwrap(), "uncertain on the last month");
        }
    }
    // And `report --at` itself through the binary, on three months.
    for month in [months[0], "2023-03", months[months.len() - 1]] {
        let i = months.iter().position(|m| *m == month).unwrap();
        let r = json(&["report", "--format", "json", "--at", &format!("{month}-01")]);
        for (k, stage) in r["by_stage"].as_array().unwrap().iter().enumerate() {
            assert_eq!(france["stages"][k]["population"][i], stage["population"], "{month}");
            assert_eq!(france["stages"][k]["percent"][i], stage["percent"], "{month}");
        }
    }
    // The library's history is the binary's.
    let lib = history(&s.atlas, territories, &Grouping::national(&s.atlas), from, to);
    assert_eq!(serde_json::to_value(&lib.areas[0].stages).unwrap(), france["stages"]);
}

#[test]
fn the_demo_curve_passes_through_the_published_milestones() {
    let on = |day: &str| json(&["report", "--format", "json", "--at", day]);
    let march = on("2023-03-01");
    let aci = march["by_stage"][0]["percent"].as_f64().unwrap();
    assert!((aci - 48.5).abs() < 0.05, "ACI signé on 2023-03-01: {aci}");
    let july = on("2023-07-01");
    let any = july["covered"]["percent"].as_f64().unwrap();
    assert!((any - 75.0).abs() < 0.05, "any stage on 2023-07-01: {any}");
    // Today's figures are those of the list: every stage dated but the pré-projets'.
    let r = national_report();
    let last = on("2099-01-01");
    assert_eq!(last["by_stage"][0], r["by_stage"][0], "every ACI signed has its date");
    assert_eq!(last["by_stage"][2]["population"], r["by_stage"][2]["population"], "every lettre d'intention dated");
    assert_eq!(u(&last["undated"]["territories"]), u(&last["undated"]["pre_projets"]), "only pré-projets undated");
}

#[test]
fn history_follows_regions_and_departements_and_refuses_bad_months() {
    let h = json(&["history", "--level", "departement", "--from", "2022-01", "--to", "2022-12", "--format", "json"]);
    let areas = h["history"]["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 101);
    assert_eq!(h["history"]["months"].as_array().unwrap().len(), 12);
    let drome = areas.iter().find(|a| a["code"] == "26").unwrap();
    assert_eq!(drome["name"], "Drôme");
    assert_eq!(drome["projection"].as_array().unwrap().len(), 4);
    let table = crate::util::ok(&["history", "--level", "region", "--from", "2022-01", "--to", "2022-03"]);
    assert!(table.contains("Auvergne-Rhône-Alpes") && table.contains("points de pourcentage par an"), "{table}");
    let csv = crate::util::ok(&["history", "--format", "csv", "--from", "2022-01", "--to", "2022-03"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("level,code,name,month,date,population,aci_signe,pct_aci_signe,"));
    assert!(lines[3].starts_with("france,,France,2022-03,2022-03-01,"));
    for bad in [&["--from", "2023-13"][..], &["--from", "2024-01", "--to", "2023-01"]] {
        let out = cptsmap(&[&["history"], bad].concat());
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn the_api_at_a_date_answers_what_report_at_counts() {
    let day = "2023-03-01";
    let r = json(&["report", "--format", "json", "--at", day]);
    let (status, summary) = get_json(&format!("/api/summary?at={day}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["by_stage"], r["by_stage"]);
    assert_eq!(summary["as_of"], day);
    assert_eq!(summary["undated"], r["undated"]);
    assert_eq!(get_json(&format!("/api/departements?at={day}")).1, r["departements"]);
    assert_eq!(get_json(&format!("/api/regions?at={day}")).1, r["regions"]);
    let (_, area) = get_json(&format!("/api/area?stage=aci_signe&departement=26&at={day}"));
    let dep = r["departements"].as_array().unwrap().iter().find(|d| d["code"] == "26").unwrap();
    assert_eq!(area["covered_population"], dep["by_stage"][0]["population"]);
    assert_eq!(area["as_of"], day);
    // The territories layer colours each territory by its stage on that date.
    let (_, _, body) = get(&format!("/api/layers/cpts.geojson?zoom=6&at={day}"), &[]);
    let layer: Value = serde_json::from_slice(&body).unwrap();
    let features = layer["features"].as_array().unwrap();
    assert_eq!(features.len(), r["cpts"].as_array().unwrap().len());
    let aci = features.iter().filter(|f| f["properties"]["stage"] == "aci_signe").count();
    let expected = r["cpts"].as_array().unwrap().iter().filter(|t| t["stage"] == "aci_signe").count();
    assert_eq!(aci, expected);
    // Zones blanches of that date.
    let (_, _, body) = get(&format!("/api/layers/uncovered.geojson?zoom=6&stage=aci_signe&at={day}"), &[]);
    let zones: Value = serde_json::from_slice(&body).unwrap();
    let population: u64 = zones["features"].as_array().unwrap().iter().map(|f| u(&f["properties"]["population"])).sum();
    assert_eq!(population, u(&r["population"]) - u(&r["by_stage"][0]["population"]));
    // A commune's card on that date, by code and by point: its territories at their stage of that date.
    let (_, card) = get_json(&format!("/api/communes/26362?at={day}"));
    let (_, by_point) = get_json(&format!("/api/communes?lon=4.8924&lat=44.9334&at={day}"));
    assert_eq!((card["as_of"].as_str(), by_point["as_of"].as_str()), (Some(day), Some(day)));
    assert_eq!(card["cpts"], by_point["cpts"]);
    let stage_then =
        |id: &Value| r["cpts"].as_array().unwrap().iter().find(|t| &t["id"] == id).map(|t| t["stage"].clone());
    for t in card["cpts"].as_array().unwrap() {
        assert_eq!(Some(t["stage"].clone()), stage_then(&t["id"]), "{t}");
    }
    // Downloads say the date in their name.
    let (_, headers, _) = get(&format!("/api/export/figures.csv?stage=aci_signe&departement=26&at={day}"), &[]);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("cptsmap_chiffres_aci-signe_dep-26_au-2023-03-01_"), "{disposition}");
}

#[test]
fn a_date_is_computed_once_then_kept_and_bad_dates_are_refused() {
    let s = national();
    let day = "2021-07-01";
    assert_eq!(get(&format!("/api/summary?at={day}"), &[]).0, StatusCode::OK);
    assert!(s.dated.ready(day.parse().unwrap()).is_some(), "kept after the first request");
    let (status, e) = get_json("/api/summary?at=2023-02-30");
    assert_eq!((status, e["parameter"].as_str()), (StatusCode::BAD_REQUEST, Some("at")));
    // A CPTS before its first dated stage is not an area of that date: a 404 that says when it starts.
    let late = s.coverage.territories.iter().filter_map(|t| Some((t.lettre_intention_date?, t))).max_by_key(|p| p.0);
    let (first, t) = late.unwrap();
    let (status, e) = get_json(&format!("/api/area?cpts={}&at=2018-01-01", t.id));
    assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
    assert!(e["detail"].as_str().unwrap().contains(&first.to_string()), "{e}");
    assert_eq!(get(&format!("/api/area?cpts={}&at={first}", t.id), &[]).0, StatusCode::OK);
}

#[test]
fn the_timeline_route_gives_an_area_its_series_projection_and_milestones() {
    let (status, t) = get_json("/api/timeline");
    assert_eq!(status, StatusCode::OK);
    let months = t["months"].as_array().unwrap();
    assert_eq!(t["day_of_month"], 1);
    let stages = t["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    assert_eq!(stages[0]["stage"], "aci_signe");
    for s in stages {
        assert_eq!(s["population"].as_array().unwrap().len(), months.len());
        let p: Vec<u64> = s["population"].as_array().unwrap().iter().map(u).collect();
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "stages only move forward");
    }
    assert_eq!(t["milestones"].as_array().unwrap().len(), 2);
    let r = national_report();
    assert_eq!(stages[0]["population"].as_array().unwrap().last().unwrap(), &r["by_stage"][0]["population"]);
    let march = months.iter().position(|m| m == "2023-03").unwrap();
    let pct = stages[0]["percent"][march].as_f64().unwrap();
    assert!((pct - 48.5).abs() < 0.05, "{pct}");
    let (_, d) = get_json("/api/timeline?level=departement&code=26");
    assert_eq!((d["name"].as_str(), d["milestones"].as_array().unwrap().len()), (Some("Drôme"), 0));
    assert_eq!(d["projection"][0]["stage"], "aci_signe");
    let (status, e) = get_json("/api/timeline?level=departement&code=00");
    assert_eq!((status, e["parameter"].as_str()), (StatusCode::BAD_REQUEST, Some("code")));
    assert_eq!(get_json("/api/timeline?level=canton").0, StatusCode::BAD_REQUEST);
}
