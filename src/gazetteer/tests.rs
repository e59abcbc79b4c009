//! The gazetteer on a hand-made atlas holding the hard cases of real lists.

use super::*;
use crate::commune::MergeKind;
use crate::load::fields::LayerRecord;
use crate::load::names::AreaNames;

fn record(code: &str, name: &str, population: u64, city: Option<&str>) -> LayerRecord {
    LayerRecord::bare(code, name, population, city)
}

fn code(text: &str) -> InseeCode {
    text.parse().unwrap()
}

fn atlas() -> Atlas {
    let communes = [
        ("76351", "Le Havre", 170_147),
        ("17300", "La Rochelle", 75_735),
        ("97101", "Les Abymes", 53_491),
        ("94038", "L'Haÿ-les-Roses", 31_204),
        ("42218", "Saint-Étienne", 171_924),
        ("69202", "Sainte-Foy-lès-Lyon", 22_070),
        ("93066", "Saint-Denis", 113_942),
        ("97411", "Saint-Denis", 153_001),
        ("83062", "La Garde", 25_000),
        ("04092", "La Garde", 80),
        ("01015", "Arboys en Bugey", 650),
        ("14581", "Aurseulles", 1_900),
        ("13055", "Marseille", 873_076),
        ("75056", "Paris", 2_113_705),
        ("69123", "Lyon", 520_774),
    ]
    .iter()
    .map(|(c, n, p)| record(c, n, *p, None))
    .collect();
    let arrondissements = vec![
        record("13201", "Marseille 1er Arrondissement", 40_000, Some("13055")),
        record("13214", "Marseille 14e Arrondissement", 60_000, Some("13055")),
        record("75115", "Paris 15e Arrondissement", 230_000, Some("75056")),
        record("69383", "Lyon 3e Arrondissement", 100_000, Some("69123")),
    ];
    let mut names = AreaNames::default();
    for (c, n) in [("93", "Seine-Saint-Denis"), ("974", "La Réunion"), ("83", "Var"), ("04", "Alpes-de-Haute-Provence")]
    {
        names.departements.insert(c.to_string(), (n.to_string(), String::new()));
    }
    names.postcodes.insert("75015".into(), vec![code("75115")]);
    names.postcodes.insert("13001".into(), vec![code("13201")]);
    names.postcodes.insert("01300".into(), vec![code("01015"), code("93066")]);
    let mut atlas = Atlas::assemble(vec![("c.shp".into(), communes)], Some(arrondissements), names, Vec::new());
    atlas.history = vec![
        merged("01015", "Arbignieu", MergeKind::Deleguee, "01015"),
        merged("01340", "Saint-Bois", MergeKind::Deleguee, "01015"),
        merged("14011", "Les Loges", MergeKind::Associee, "14581"),
        merged("14999", "Saint-Denis", MergeKind::Deleguee, "14581"),
    ];
    atlas
}

fn merged(old: &str, name: &str, kind: MergeKind, current: &str) -> MergedCommune {
    MergedCommune { old_code: code(old), old_name: name.to_string(), kind, current: code(current) }
}

/// The single code a text leads to, or a description of what was found instead.
fn one(g: &Gazetteer, text: &str, dep: Option<&str>) -> String {
    match g.find(text, dep) {
        Found::One(m) => m.code.to_string(),
        other => format!("{other:?}"),
    }
}

fn candidates(found: Found) -> Vec<String> {
    match found {
        Found::Several(ms) => ms.iter().map(|m| m.code.to_string()).collect(),
        other => panic!("expected candidates, got {other:?}"),
    }
}

#[test]
fn a_name_is_found_with_or_without_its_article() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    for text in ["Le Havre", "Havre", "le havre"] {
        assert_eq!(one(&g, text, None), "76351", "{text}");
    }
    assert_eq!(one(&g, "Rochelle", None), "17300");
    assert_eq!(one(&g, "Abymes", None), "97101");
    assert_eq!(one(&g, "Haÿ-les-Roses", None), "94038");
}

#[test]
fn the_article_may_follow_the_name_in_brackets() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "Havre (Le)", None), "76351");
    assert_eq!(one(&g, "Rochelle (La)", None), "17300");
    assert_eq!(one(&g, "ABYMES (LES)", None), "97101");
    assert_eq!(one(&g, "Haÿ-les-Roses (L')", None), "94038");
}

#[test]
fn upper_case_without_accents_finds_the_name() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "SAINT-ETIENNE", None), "42218");
    assert_eq!(one(&g, "L'HAY-LES-ROSES", None), "94038");
    assert_eq!(one(&g, "SAINTE FOY LES LYON", None), "69202");
}

#[test]
fn saint_abbreviations_are_read_in_full() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "St-Étienne", None), "42218");
    assert_eq!(one(&g, "St Etienne", None), "42218");
    assert_eq!(one(&g, "Ste-Foy-lès-Lyon", None), "69202");
}

#[test]
fn hyphens_spaces_and_apostrophes_are_ignored() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "Saint Etienne", None), "42218");
    assert_eq!(one(&g, "L Hay les Roses", None), "94038");
    assert_eq!(one(&g, "Lhay-les-Roses", None), "94038");
    assert_eq!(one(&g, "Arboys-en-Bugey", None), "01015");
}

#[test]
fn arrondissements_are_found_by_city_and_number() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    for text in ["Marseille 14e Arrondissement", "Marseille 14", "MARSEILLE 14EME", "Marseille 14ème arrondissement"] {
        assert_eq!(one(&g, text, None), "13214", "{text}");
    }
    assert_eq!(one(&g, "Marseille 1er", None), "13201");
    assert_eq!(one(&g, "Lyon 3e", None), "69383");
    assert_eq!(one(&g, "Paris 15e Arrondissement", None), "75115");
}

#[test]
fn a_city_name_or_code_means_the_whole_city() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "Marseille", None), "13055");
    assert_eq!(one(&g, "13055", None), "13055");
    assert_eq!(one(&g, "PARIS", Some("75")), "75056");
    assert!(matches!(atlas.resolve(code("13055")), Resolved::City(arrs) if arrs.len() == 2));
}

#[test]
fn homonyms_are_candidates_unless_a_departement_decides() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(candidates(g.find("Saint-Denis", None)), ["93066", "97411"]);
    assert_eq!(one(&g, "Saint-Denis", Some("974")), "97411");
    assert_eq!(one(&g, "Garde", Some("83")), "83062");
    assert_eq!(candidates(g.find("La Garde", None)), ["04092", "83062"]);
}

#[test]
fn a_departement_in_brackets_after_the_name_decides() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(one(&g, "Saint-Denis (93)", None), "93066");
    assert_eq!(one(&g, "Saint-Denis (La Réunion)", None), "97411");
}

#[test]
fn old_names_and_codes_lead_to_the_current_commune() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(g.find("01340", None), Found::One(Match { code: code("01015"), via: Via::OldCode(1) }));
    assert_eq!(g.find("Saint-Bois", None), Found::One(Match { code: code("01015"), via: Via::OldName(1) }));
    assert_eq!(g.find("Loges (Les)", None), Found::One(Match { code: code("14581"), via: Via::OldName(2) }));
    assert_eq!(g.find("Arbignieu", None), Found::One(Match { code: code("01015"), via: Via::OldName(0) }));
}

#[test]
fn a_code_kept_by_a_commune_nouvelle_is_the_current_commune() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(g.find("01015", None), Found::One(Match { code: code("01015"), via: Via::Code }));
}

#[test]
fn a_current_name_wins_over_an_old_name() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    // An old commune of Calvados was also called Saint-Denis.
    assert_eq!(candidates(g.find("Saint-Denis", None)), ["93066", "97411"]);
    assert_eq!(g.find("Saint-Denis", Some("14")), Found::One(Match { code: code("14581"), via: Via::OldName(3) }));
}

#[test]
fn postcodes_find_their_units() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(g.find("75015", None), Found::One(Match { code: code("75115"), via: Via::Postcode }));
    assert_eq!(one(&g, "13001", None), "13201");
    assert_eq!(candidates(g.find("01300", None)), ["01015", "93066"]);
    assert_eq!(one(&g, "01300", Some("01")), "01015");
}

#[test]
fn departements_are_read_from_codes_and_names() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    for text in ["93", "93.0", "93 - Seine-Saint-Denis", "SEINE SAINT DENIS", "Seine-Saint-Denis"] {
        assert_eq!(g.departement(text).as_deref(), Some("93"), "{text}");
    }
    assert_eq!(g.departement("4").as_deref(), Some("04"));
    assert_eq!(g.departement("La Réunion").as_deref(), Some("974"));
    assert_eq!(g.departement("99"), None, "not a loaded département");
    assert_eq!(g.departement("Atlantide"), None);
}

#[test]
fn an_unknown_or_empty_name_finds_nothing() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(g.find("Xyzzy", None), Found::Nothing);
    assert_eq!(g.find(" - ", None), Found::Nothing);
    assert_eq!(g.find("99999", None), Found::Nothing);
    assert_eq!(g.find("Le Havre", Some("13")), Found::Nothing);
}

#[test]
fn candidates_are_labelled_with_code_and_departement() {
    let atlas = atlas();
    let g = Gazetteer::build(&atlas);
    assert_eq!(g.label(code("93066")), "Saint-Denis (93066, Seine-Saint-Denis)");
    assert_eq!(g.label(code("13055")), "Marseille (13055, 13)");
}
