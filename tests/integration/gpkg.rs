//! ADMIN EXPRESS 4.0 inputs: GeoPackage and FlatGeobuf files made at test
//! time with `ogr2ogr` from the bundled shapefiles (4.0 field names, geometry
//! column `geometrie`, MultiPolygon) must give exactly the figures of the
//! shapefiles; broken files must be refused with the file, the layer and
//! the feature named.

mod fuzz;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cptsmap::atlas::{Atlas, AtlasSources, Resolved};
use cptsmap::commune::MergeKind;
use serde_json::Value;

use crate::util::{cptsmap, json, national_report, repo, stage_populations, u};

/// The 4.0 names of the commune layer's fields, from the bundled 3.x ones.
const COMMUNE_SQL: &str = "SELECT INSEE_COM AS code_insee, NOM AS nom_officiel, POPULATION AS population, \
     INSEE_DEP AS code_insee_du_departement, INSEE_REG AS code_insee_de_la_region, \
     SIREN_EPCI AS codes_siren_des_epci, geometry FROM COMMUNE";
const ARRONDISSEMENT_SQL: &str = "SELECT INSEE_ARM AS code_insee, INSEE_COM AS code_insee_de_la_commune_de_rattach, \
     NOM AS nom_officiel, POPULATION AS population, geometry FROM ARRONDISSEMENT_MUNICIPAL";
const OVERSEAS: &str = "('01','02','03','04','06')";

fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr").args(args).output().expect("ogr2ogr (gdal-bin) is installed");
    assert!(out.status.success(), "ogr2ogr {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn shapefile(name: &str) -> String {
    repo().join("geodata").join(name).display().to_string()
}

/// Writes one layer of a GeoPackage (added to it when `update`) or a FlatGeobuf file.
fn layer(dst: &Path, src: &str, name: &str, sql: &str, extra: &[&str], update: bool) {
    let options: &[&str] = if dst.extension().is_some_and(|e| e == "fgb") {
        &["-f", "FlatGeobuf"]
    } else {
        &["-f", "GPKG", "-lco", "GEOMETRY_NAME=geometrie"]
    };
    let dst = dst.display().to_string();
    let mut args = vec![&dst[..], src, "-nln", name, "-nlt", "MULTIPOLYGON", "-dialect", "SQLite", "-sql", sql];
    args.extend(options);
    args.extend(extra);
    if update {
        args.push("-update");
    }
    ogr2ogr(&args);
}

/// A fresh directory for one fixture, under Cargo's temporary directory for tests.
fn fixture_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gpkg").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

/// All France in WGS84, communes and arrondissements in one GeoPackage.
fn national_gpkg() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = fixture_dir("national").join("ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA.gpkg");
        layer(&path, &shapefile("COMMUNE.shp"), "commune", COMMUNE_SQL, &[], false);
        layer(
            &path,
            &shapefile("ARRONDISSEMENT_MUNICIPAL.shp"),
            "arrondissement_municipal",
            ARRONDISSEMENT_SQL,
            &[],
            true,
        );
        path
    })
}

/// Metropole in Lambert-93 (communes and arrondissements), overseas left in WGS84.
fn lambert93_gpkgs() -> &'static (PathBuf, PathBuf) {
    static PATHS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PATHS.get_or_init(|| {
        let dir = fixture_dir("lambert93");
        let (fxx, dom) = (dir.join("ADMIN-EXPRESS_LAMB93_FXX.gpkg"), dir.join("ADMIN-EXPRESS_WGS84G_DOM.gpkg"));
        let communes = shapefile("COMMUNE.shp");
        let l93 = ["-t_srs", "EPSG:2154"];
        layer(&fxx, &communes, "commune", &format!("{COMMUNE_SQL} WHERE INSEE_REG NOT IN {OVERSEAS}"), &l93, false);
        layer(
            &fxx,
            &shapefile("ARRONDISSEMENT_MUNICIPAL.shp"),
            "arrondissement_municipal",
            ARRONDISSEMENT_SQL,
            &l93,
            true,
        );
        layer(&dom, &communes, "commune", &format!("{COMMUNE_SQL} WHERE INSEE_REG IN {OVERSEAS}"), &[], false);
        (fxx, dom)
    })
}

fn flatgeobufs() -> &'static (PathBuf, PathBuf) {
    static PATHS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PATHS.get_or_init(|| {
        let dir = fixture_dir("flatgeobuf");
        let (communes, arrs) = (dir.join("commune.fgb"), dir.join("arrondissement_municipal.fgb"));
        layer(&communes, &shapefile("COMMUNE.shp"), "commune", COMMUNE_SQL, &[], false);
        layer(
            &arrs,
            &shapefile("ARRONDISSEMENT_MUNICIPAL.shp"),
            "arrondissement_municipal",
            ARRONDISSEMENT_SQL,
            &[],
            false,
        );
        (communes, arrs)
    })
}

/// Corse-du-Sud only, with a second layer: small files for the error cases.
fn corse_gpkg() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = fixture_dir("corse").join("corse.gpkg");
        layer(
            &path,
            &shapefile("COMMUNE.shp"),
            "commune",
            &format!("{COMMUNE_SQL} WHERE INSEE_DEP = '2A'"),
            &[],
            false,
        );
        let dep = "SELECT '2A' AS code_insee, geometry FROM COMMUNE WHERE INSEE_COM = '2A004'";
        layer(&path, &shapefile("COMMUNE.shp"), "departement", dep, &[], true);
        path
    })
}

/// The same figures as the bundled shapefiles; areas within 0.01 %.
fn assert_same_figures(got: &Value, want: &Value) {
    for key in ["population", "units", "covered", "by_stage", "regions", "departements", "epcis", "overlaps"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    assert_eq!(stage_populations(got), stage_populations(want));
    for key in ["count", "population"] {
        assert_eq!(got["uncovered_zones"][key], want["uncovered_zones"][key], "uncovered zones: {key}");
    }
    let (a, b) = (want["cpts"].as_array().unwrap(), got["cpts"].as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!((&x["id"], &x["population"], &x["units"]), (&y["id"], &y["population"], &y["units"]));
        let (ax, ay) = (x["area_km2"].as_f64().unwrap(), y["area_km2"].as_f64().unwrap());
        assert!((ax - ay).abs() <= 1e-4 * ax, "{}: {ax} km² vs {ay} km²", x["id"]);
    }
}

#[test]
fn a_geopackage_of_admin_express_4_gives_the_figures_of_the_shapefiles() {
    let gpkg = national_gpkg().display().to_string();
    let report = json(&["report", "--format", "json", "--communes", &gpkg]);
    assert_same_figures(&report, national_report());
    let layers = report["data"]["communes"].as_array().unwrap();
    assert_eq!(layers.len(), 2, "communes and the arrondissements the file carries");
    assert!(layers[1]["path"].as_str().unwrap().ends_with("(couche arrondissement_municipal)"));
    assert_eq!(u(&layers[0]["records"]), 34_875);
}

#[test]
fn a_lambert93_geopackage_of_the_metropole_gives_the_same_figures() {
    let (fxx, dom) = lambert93_gpkgs();
    let (fxx, dom) = (fxx.display().to_string(), dom.display().to_string());
    let report = json(&["report", "--format", "json", "--communes", &fxx, "--communes", &dom]);
    assert!(report["data"]["communes"][0]["crs"].as_str().unwrap().contains("Lambert-93"));
    assert_same_figures(&report, national_report());
}

#[test]
fn flatgeobuf_layers_give_the_same_figures() {
    let (communes, arrs) = flatgeobufs();
    let (communes, arrs) = (communes.display().to_string(), arrs.display().to_string());
    let report = json(&["report", "--format", "json", "--communes", &communes, "--arrondissements", &arrs]);
    assert_eq!(report["data"]["communes"][0]["encoding"], "UTF-8 (FlatGeobuf)");
    // GDAL's FlatGeobuf writer leaves out the four communes without a contour:
    // the reference is the same shapefile without them.
    let reference = fixture_dir("flatgeobuf_reference").join("COMMUNE.shp");
    let with_contour = "SELECT * FROM COMMUNE WHERE geometry IS NOT NULL";
    let dst = reference.display().to_string();
    ogr2ogr(&[&dst, &shapefile("COMMUNE.shp"), "-lco", "ENCODING=UTF-8", "-dialect", "SQLite", "-sql", with_contour]);
    let arrs = shapefile("ARRONDISSEMENT_MUNICIPAL.shp");
    let want = json(&["report", "--format", "json", "--communes", &dst, "--arrondissements", &arrs]);
    assert_eq!(u(&national_report()["units"]) - u(&want["units"]), 4);
    assert_same_figures(&report, &want);
}

#[test]
fn a_flatgeobuf_with_its_spatial_index_reads_like_the_geopackage() {
    let path = fixture_dir("indexed").join("corse.fgb");
    ogr2ogr(&[&path.display().to_string(), &corse_gpkg().display().to_string(), "commune"]);
    // The index sorts the features along a Hilbert curve: compare them by code.
    let read = |p: &Path| {
        let layers = cptsmap::load::read_unit_layers(p, &Default::default(), &mut Vec::new()).unwrap();
        let mut records: Vec<_> =
            layers.communes.records.into_iter().map(|r| (r.code, r.population, r.contour)).collect();
        records.sort_by_key(|r| r.0);
        records
    };
    let (fgb, gpkg) = (read(&path), read(corse_gpkg()));
    assert_eq!(fgb.len(), 124);
    assert_eq!(fgb, gpkg);
}

#[test]
fn a_flatgeobuf_of_a_single_commune_finds_it_past_its_index() {
    let path = fixture_dir("single").join("ajaccio.fgb");
    let gpkg = corse_gpkg().display().to_string();
    ogr2ogr(&[&path.display().to_string(), &gpkg, "commune", "-where", "code_insee = '2A004'"]);
    let layers = cptsmap::load::read_unit_layers(&path, &Default::default(), &mut Vec::new()).unwrap();
    let records = &layers.communes.records;
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].code.as_str(), records[0].name.as_str()), ("2A004", "Ajaccio"));
    assert!(records[0].contour.is_some());
}

#[test]
fn merged_communes_of_the_geopackage_reach_the_atlas() {
    let path = fixture_dir("history").join("anjou.gpkg");
    let communes = shapefile("COMMUNE.shp");
    layer(&path, &communes, "commune", &format!("{COMMUNE_SQL} WHERE INSEE_DEP = '49'"), &[], false);
    let merged = "SELECT '49034' AS code_insee, 'Bocé' AS nom_officiel, 'COMD' AS nature, \
         INSEE_COM AS code_insee_de_la_commune_de_rattach, geometry FROM COMMUNE WHERE INSEE_COM = '49018' \
         UNION ALL SELECT '49094', 'Cheviré-le-Rouge', 'Commune déléguée', INSEE_COM, geometry FROM COMMUNE \
         WHERE INSEE_COM = '49018' UNION ALL SELECT '49381', 'Saint-Lézin', 'Commune associée', INSEE_COM, \
         geometry FROM COMMUNE WHERE INSEE_COM = '49092'";
    layer(&path, &communes, "commune_associee_ou_deleguee", merged, &[], true);
    let sources = AtlasSources {
        communes: vec![path],
        names: Some(repo().join("geodata")),
        carried_arrondissements: true,
        ..Default::default()
    };
    let atlas = Atlas::load(&sources).unwrap();
    // The bundled table adds the old codes the GeoPackage lacks, never a second entry for one it has.
    assert!(atlas.history.len() > 3);
    let mut codes: Vec<_> = atlas.history.iter().map(|m| m.old_code).collect();
    codes.dedup();
    assert_eq!(codes.len(), atlas.history.len(), "one entry per old code");
    let boce = atlas.history.iter().find(|m| m.old_code.as_str() == "49034").unwrap();
    assert_eq!((boce.old_name.as_str(), boce.kind, boce.current.as_str()), ("Bocé", MergeKind::Deleguee, "49018"));
    assert!(matches!(atlas.resolve(boce.current), Resolved::Unit(_)));
    let associee = atlas.history.iter().find(|m| m.old_code.as_str() == "49381").unwrap();
    assert_eq!((associee.kind, associee.current.as_str()), (MergeKind::Associee, "49092"));
    assert_eq!(atlas.resolve(boce.old_code), Resolved::Unknown, "an old code is not a unit");
}

/// Runs a report on broken input: exit 2, and the message.
fn refused(args: &[&str]) -> String {
    let mut all = vec!["report", "--format", "json"];
    all.extend(args);
    let out = cptsmap(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn a_missing_layer_lists_the_layers_present() {
    let gpkg = corse_gpkg().display().to_string();
    let err = refused(&["--communes", &gpkg, "--communes-layer", "communes"]);
    assert!(err.contains(&gpkg) && err.contains("couche « communes » introuvable"), "{err}");
    assert!(err.contains("couches présentes : commune, departement"), "{err}");
}

#[test]
fn a_missing_code_field_lists_the_fields_present() {
    let path = fixture_dir("no_code").join("renamed.gpkg");
    let sql = COMMUNE_SQL.replace("AS code_insee,", "AS code_commune,") + " WHERE INSEE_DEP = '2A'";
    layer(&path, &shapefile("COMMUNE.shp"), "commune", &sql, &[], false);
    let err = refused(&["--communes", &path.display().to_string()]);
    assert!(err.contains("couche commune") && err.contains("code_insee"), "{err}");
    assert!(err.contains("champs présents : code_commune, nom_officiel, population"), "{err}");
}

#[test]
fn an_unknown_crs_names_the_file_the_layer_and_the_crs() {
    let path = fixture_dir("laea").join("europe.gpkg");
    let sql = format!("{COMMUNE_SQL} WHERE INSEE_DEP = '2A'");
    layer(&path, &shapefile("COMMUNE.shp"), "commune", &sql, &["-t_srs", "EPSG:3035"], false);
    let gpkg = path.display().to_string();
    let err = refused(&["--communes", &gpkg]);
    assert!(err.contains(&gpkg) && err.contains("couche commune") && err.contains("EPSG:3035"), "{err}");
    assert!(err.contains("non pris en charge") && err.contains("Lambert-93"), "{err}");
}

#[test]
fn a_corrupted_geometry_names_the_file_the_layer_and_the_fid() {
    // Byte 41 (SQL counts from 1) is the first byte of the WKB, after the 8-byte header and the XY envelope.
    let cases = [
        (
            "substr(geometrie, 1, 41) || X'02000000' || substr(geometrie, 46)",
            "LineString ; Polygon ou MultiPolygon attendu",
        ),
        ("X'4751' || substr(geometrie, 3)", "« GP » attendu"),
        ("substr(geometrie, 1, 45) || X'FFFFFF7F' || substr(geometrie, 50)", "polygones annoncés"),
        ("substr(geometrie, 1, 80)", "points annoncés mais"),
        ("X''", "trop courte (0 octets"),
    ];
    let dir = fixture_dir("corrupted");
    for (i, (set, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("corrupted{i}.gpkg"));
        std::fs::copy(corse_gpkg(), &path).unwrap();
        let db = rusqlite::Connection::open(&path).unwrap();
        // GDAL's R-tree triggers call SpatiaLite functions this connection does not have.
        let triggers: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for trigger in triggers {
            db.execute(&format!("DROP TRIGGER \"{trigger}\""), []).unwrap();
        }
        db.execute(&format!("UPDATE commune SET geometrie = CAST({set} AS BLOB) WHERE fid = 7"), []).unwrap();
        drop(db);
        let gpkg = path.display().to_string();
        let err = refused(&["--communes", &gpkg]);
        assert!(err.contains(&format!("{gpkg}, couche commune, entité fid 7 : ")), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn an_unknown_nature_of_merged_commune_names_the_row() {
    let path = fixture_dir("bad_nature").join("corse.gpkg");
    std::fs::copy(corse_gpkg(), &path).unwrap();
    let sql = "SELECT '2A999' AS code_insee, 'Ancienne' AS nom_officiel, 'Fusion' AS nature, \
         INSEE_COM AS code_insee_de_la_commune_de_rattach, geometry FROM COMMUNE WHERE INSEE_COM = '2A004'";
    layer(&path, &shapefile("COMMUNE.shp"), "commune_associee_ou_deleguee", sql, &[], true);
    let err = refused(&["--communes", &path.display().to_string()]);
    assert!(err.contains("couche commune_associee_ou_deleguee, entité fid 1") && err.contains("« Fusion »"), "{err}");
}

#[test]
fn a_truncated_flatgeobuf_names_the_feature() {
    let dir = fixture_dir("truncated_fgb");
    let (full, cut) = (dir.join("full.fgb"), dir.join("cut.fgb"));
    ogr2ogr(&[&full.display().to_string(), &corse_gpkg().display().to_string(), "commune"]);
    let bytes = std::fs::read(&full).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let err = refused(&["--communes", &cut.display().to_string()]);
    assert!(err.contains("couche commune, entité fid 123") && err.contains("fichier tronqué"), "{err}");
}
