//! Damaged and foreign inputs must never become a wrong figure with exit 0:
//! each fault found by probing is kept here as a regression test, and a
//! fuzz-style property runs truncations and byte flips through the loaders.

use std::path::Path;

use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::coverage::{Options, compute};
use cptsmap::load::territories::read_territory_list;
use proptest::prelude::*;

use crate::util::{cptsmap, fixture, repo};

/// A copy of the bundled commune layer (and the names tables) in a temporary directory.
fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("geodata")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e != "md") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// Runs the report on a copy; returns the exit code and stderr.
fn report_on(dir: &Path) -> (Option<i32>, String) {
    let out = cptsmap(&["report", "--format", "json", "--geodata", &dir.display().to_string()]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Sets the length byte of the `field`-th field descriptor (0-based) of a DBF.
fn set_field_length(dbf: &Path, field: usize, length: u8) {
    let mut bytes = std::fs::read(dbf).unwrap();
    bytes[32 + 32 * field + 16] = length;
    std::fs::write(dbf, bytes).unwrap();
}

#[test]
fn a_dbf_field_of_length_zero_is_refused_instead_of_shifting_every_column() {
    for field in [1, 7] {
        let dir = bundled_copy();
        let dbf = dir.path().join("COMMUNE.dbf");
        set_field_length(&dbf, field, 0);
        let (code, err) = report_on(dir.path());
        assert_eq!(code, Some(2), "field {field}: {err}");
        assert!(err.contains("COMMUNE.dbf") && err.contains("longueur 0"), "{err}");
    }
}

#[test]
fn dbf_field_lengths_that_do_not_make_the_record_length_are_refused() {
    let dir = bundled_copy();
    let dbf = dir.path().join("COMMUNE.dbf");
    let length = std::fs::read(&dbf).unwrap()[32 + 32 + 16];
    set_field_length(&dbf, 1, length + 1);
    let (code, err) = report_on(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("en-tête .dbf incohérent"), "{err}");
}

/// The report on the mini communes with another `.prj`.
fn mini_with_prj(prj: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(fixture("mini").join(format!("COMMUNE.{ext}")), dir.path().join(format!("COMMUNE.{ext}")))
            .unwrap();
    }
    std::fs::write(dir.path().join("COMMUNE.prj"), prj).unwrap();
    let communes = dir.path().join("COMMUNE.shp").display().to_string();
    let cpts = fixture("mini/cpts.csv").display().to_string();
    let out = cptsmap(&["report", "--communes", &communes, "--no-arrondissements", "--cpts", &cpts]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn ntf_paris_in_grads_is_not_taken_for_wgs84() {
    let wkt = r#"GEOGCS["NTF (Paris)",DATUM["Nouvelle_Triangulation_Francaise_Paris",SPHEROID["Clarke 1880 (IGN)",6378249.2,293.466021293627]],PRIMEM["Paris",2.33722917],UNIT["grad",0.015707963267949],AUTHORITY["EPSG","4807"]]"#;
    let (code, err) = mini_with_prj(wkt.as_bytes());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("COMMUNE.prj") && err.contains("NTF"), "{err}");
}

#[test]
fn a_prj_of_random_bytes_is_an_error_not_a_missing_file() {
    let garbage: Vec<u8> = (0..200u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let (code, err) = mini_with_prj(&garbage);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("COMMUNE.prj") && !err.contains("pas de fichier .prj"), "{err}");
}

/// Runs the report on the mini communes with a CPTS list written from `text`.
fn mini_with_list(text: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("liste.csv");
    std::fs::write(&list, text).unwrap();
    let communes = fixture("mini/COMMUNE.shp").display().to_string();
    let out =
        cptsmap(&["report", "--communes", &communes, "--no-arrondissements", "--cpts", &list.display().to_string()]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_list_with_a_header_and_no_row_is_an_error() {
    let (code, err) = mini_with_list(b"cpts_id;cpts_nom;statut;code_commune\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("liste.csv") && err.contains("vide"), "{err}");
}

#[test]
fn a_list_whose_every_row_is_refused_is_an_error_saying_why() {
    let (code, err) = mini_with_list(b"cpts_id;cpts_nom;statut;code_commune\nT1;A;ACI;99999\nT1;A;ACI;98888\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("aucune CPTS retenue") && err.contains("99999"), "{err}");
}

#[test]
fn a_ten_megabyte_line_gives_a_short_message() {
    let mut text = "x;".repeat(5_000_000).into_bytes();
    text.extend_from_slice(b"y");
    let (code, err) = mini_with_list(&text);
    assert_eq!(code, Some(2));
    assert!(err.len() < 4_000, "{} bytes of message", err.len());
}

#[test]
fn an_unclosed_quote_is_named_as_such() {
    let (code, err) =
        mini_with_list(b"cpts_id;cpts_nom;statut;code_commune\nT1;A;\"ACI sign\xc3\xa9;01901\nT1;A;ACI;01902\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("liste.csv:2") && err.contains("guillemet"), "{err}");
}

#[test]
fn an_empty_drawing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cpts.geojson");
    std::fs::write(&path, br#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    let communes = fixture("mini/COMMUNE.shp").display().to_string();
    let out =
        cptsmap(&["report", "--communes", &communes, "--no-arrondissements", "--cpts", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("aucune entité"));
}

/// The mini files, as bytes, by name.
fn mini_files() -> Vec<(&'static str, Vec<u8>)> {
    ["COMMUNE.shp", "COMMUNE.shx", "COMMUNE.dbf", "COMMUNE.prj", "COMMUNE.cpg", "cpts.csv"]
        .into_iter()
        .map(|n| (n, std::fs::read(fixture("mini").join(n)).unwrap()))
        .collect()
}

/// Figures from the library on a set of files (no arrondissements): the
/// population and covered population by stage, or the error's text.
fn figures(files: &[(&str, Vec<u8>)]) -> Result<(u64, Vec<u64>, usize), String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let sources = AtlasSources { communes: vec![dir.path().join("COMMUNE.shp")], ..AtlasSources::default() };
    let atlas = Atlas::load(&sources).map_err(|e| e.to_string())?;
    let list = read_territory_list(&dir.path().join("cpts.csv"), &atlas).map_err(|e| e.to_string())?;
    let warnings = list.warnings.len() + atlas.warnings.len();
    let c = compute(&atlas, list.territories, &Options::default(), Vec::new());
    Ok((c.report.population, c.report.by_stage.iter().map(|s| s.population).collect(), warnings))
}

/// Byte ranges that describe the structure of each binary file: headers,
/// record headers and counts (not coordinates or attribute values, which a
/// flip may change into other valid values).
fn structural(name: &str, bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    match name {
        "COMMUNE.shx" => ranges.push(0..bytes.len()),
        "COMMUNE.dbf" => ranges.push(0..usize::from(u16::from_le_bytes([bytes[8], bytes[9]]))),
        "COMMUNE.shp" => {
            ranges.push(0..100);
            let mut at = 100;
            while at + 52 <= bytes.len() {
                // record header, shape type, box, part and point counts
                ranges.push(at..at + 52);
                let len = i32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize * 2;
                at += 8 + len;
            }
        }
        _ => {}
    }
    ranges
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Cut anywhere, a binary file is refused (its lengths say what is missing).
    #[test]
    fn a_truncated_binary_file_is_refused(file in 0usize..3, keep in 0.0f64..1.0) {
        let mut files = mini_files();
        let len = files[file].1.len();
        let cut = ((len as f64) * keep) as usize;
        files[file].1.truncate(cut.min(len - 1));
        prop_assert!(figures(&files).is_err(), "{} cut at {cut} was accepted", files[file].0);
    }

    /// A flipped bit in a structural byte gives an error, or exactly the intact
    /// figures, or other figures with a warning saying why (a field name
    /// garbled: its values are missing, and reported so).
    #[test]
    fn a_flipped_structural_byte_gives_an_error_or_the_intact_figures(file in 0usize..3, pick in 0.0f64..1.0, bit in 0u8..8) {
        let intact = figures(&mini_files()).unwrap();
        let mut files = mini_files();
        let ranges = structural(files[file].0, &files[file].1);
        let positions: Vec<usize> = ranges.into_iter().flatten().collect();
        let at = positions[((positions.len() as f64) * pick) as usize % positions.len()];
        files[file].1[at] ^= 1 << bit;
        if let Ok(got) = figures(&files) && (got.0, &got.1) != (intact.0, &intact.1) {
            prop_assert!(got.2 > intact.2, "{} byte {} bit {}: {:?} instead of {:?}, no warning", files[file].0, at, bit, got, intact);
        }
    }

    /// Any flip, anywhere, in any file (the list included) never makes a loader
    /// panic: values may change into other valid values, structure may not go unseen.
    #[test]
    fn no_flip_anywhere_makes_a_loader_panic(file in 0usize..6, pick in 0.0f64..1.0, bit in 0u8..8) {
        let mut files = mini_files();
        let len = files[file].1.len();
        let at = ((len as f64) * pick) as usize % len;
        files[file].1[at] ^= 1 << bit;
        let _ = figures(&files);
    }
}

/// `report` on the mini communes with one damaged file in place of `name`:
/// the exit code, and the JSON figures when it succeeded.
fn report_with(name: &str, bytes: &[u8], communes: &Path, list: &Path) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join(name);
    std::fs::write(&damaged, bytes).unwrap();
    let (communes, list) =
        if name.ends_with(".gpkg") { (damaged.as_path(), list) } else { (communes, damaged.as_path()) };
    let out = cptsmap(&[
        "report",
        "--format",
        "json",
        "--no-arrondissements",
        "--communes",
        &communes.display().to_string(),
        "--cpts",
        &list.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    let figures: String = match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(report) => format!("{} {}", report["population"], report["by_stage"]),
        Err(_) => String::new(),
    };
    (out.status.code(), figures)
}

/// The mini communes as a GeoPackage made by GDAL, made once for every case.
fn mini_gpkg() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mini.gpkg");
        let status = std::process::Command::new("ogr2ogr")
            .args(["-f", "GPKG", "-nln", "commune"])
            .arg(&path)
            .arg(fixture("mini/COMMUNE.shp"))
            .status()
            .expect("ogr2ogr (gdal-bin) is installed");
        assert!(status.success());
        std::fs::read(path).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A GeoJSON of drawn territories cut anywhere before its end is refused;
    /// a flip anywhere never makes the loader panic.
    #[test]
    fn a_damaged_geojson_is_refused_or_read_never_a_panic(keep in 0.0f64..1.0, pick in 0.0f64..1.0, bit in 0u8..8) {
        let intact = std::fs::read(fixture("mini/cpts_dessinees_3857.geojson")).unwrap();
        let communes = fixture("mini/COMMUNE.shp");
        let end = intact.iter().rposition(|b| !b.is_ascii_whitespace()).unwrap();
        let cut = &intact[..((end as f64) * keep) as usize];
        let (code, _) = report_with("cpts.geojson", cut, &communes, &communes);
        prop_assert_eq!(code, Some(2), "cut at {} accepted", cut.len());
        let mut flipped = intact.clone();
        let at = ((intact.len() as f64) * pick) as usize % intact.len();
        flipped[at] ^= 1 << bit;
        let (code, _) = report_with("cpts.geojson", &flipped, &communes, &communes);
        prop_assert!(matches!(code, Some(0 | 2)), "byte {} bit {}: exit {:?}", at, bit, code);
    }

    /// A GeoPackage cut or flipped anywhere is refused or gives figures, never
    /// a panic; cut, it never gives other figures than the intact file.
    #[test]
    fn a_damaged_geopackage_is_refused_or_read_never_a_panic(keep in 0.0f64..1.0, pick in 0.0f64..1.0, bit in 0u8..8) {
        let intact = mini_gpkg();
        let list = fixture("mini/cpts.csv");
        let (code, figures) = report_with("mini.gpkg", intact, &list, &list);
        prop_assert_eq!(code, Some(0));
        let cut = &intact[..((intact.len() as f64) * keep) as usize];
        let (code, got) = report_with("mini.gpkg", cut, &list, &list);
        prop_assert!(code == Some(2) || (code == Some(0) && got == figures), "cut at {}: exit {:?} {}", cut.len(), code, got);
        let mut flipped = intact.to_vec();
        let at = ((intact.len() as f64) * pick) as usize % intact.len();
        flipped[at] ^= 1 << bit;
        let (code, _) = report_with("mini.gpkg", &flipped, &list, &list);
        prop_assert!(matches!(code, Some(0 | 2)), "byte {} bit {}: exit {:?}", at, bit, code);
    }
}
