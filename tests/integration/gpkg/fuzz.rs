//! Whole GeoPackage and FlatGeobuf files, truncated or with bytes flipped:
//! the readers never panic, and answer with an error or with sound contours.
//!
//! SQLite keeps no checksum: a flipped digit of a population is a valid,
//! different population, and no reader can tell. So the exact intact figures
//! are required where a reader can promise them — a truncated file (always
//! refused), a flip inside a geometry blob (refused, or the same attributes
//! with sound contours) — and elsewhere only "no panic, sound contours".

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cptsmap::load::{UnitLayers, read_unit_layers};
use proptest::prelude::*;

use super::{COMMUNE_SQL, fixture_dir, layer, shapefile};

/// Five communes of Corse-du-Sud, with their blobs' places in the file.
struct Fixture {
    bytes: Vec<u8>,
    figures: Vec<Figure>,
    blobs: Vec<std::ops::Range<usize>>,
}

type Figure = (String, Option<u64>, String, Option<String>);

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = fixture_dir("fuzz").join("five.gpkg");
        let sql = format!("{COMMUNE_SQL} WHERE INSEE_COM IN ('2A001', '2A006', '2A008', '2A011', '2A017')");
        layer(&path, &shapefile("COMMUNE.shp"), "commune", &sql, &[], false);
        let bytes = std::fs::read(&path).unwrap();
        let db = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = db.prepare("SELECT geometrie FROM commune").unwrap();
        let blobs: Vec<Vec<u8>> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        // Blobs stored on one page appear whole in the file; those spilling onto overflow pages do not.
        let blobs: Vec<_> = blobs
            .iter()
            .filter_map(|b| bytes.windows(b.len()).position(|w| w == &b[..]).map(|at| at..at + b.len()))
            .collect();
        assert!(!blobs.is_empty(), "at least one blob found whole in the file");
        let figures = figures(&read(&path).expect("the intact fixture reads"));
        assert_eq!(figures.len(), 5);
        Fixture { bytes, figures, blobs }
    })
}

/// The same five communes as FlatGeobuf (with its spatial index).
fn flatgeobuf() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let path = fixture_dir("fuzz_fgb").join("five.fgb");
        let sql = format!("{COMMUNE_SQL} WHERE INSEE_COM IN ('2A001', '2A006', '2A008', '2A011', '2A017')");
        layer(&path, &shapefile("COMMUNE.shp"), "commune", &sql, &[], false);
        std::fs::read(&path).unwrap()
    })
}

fn read(path: &Path) -> Result<UnitLayers, cptsmap::load::InputError> {
    read_unit_layers(path, &Default::default(), &mut Vec::new())
}

fn figures(layers: &UnitLayers) -> Vec<Figure> {
    let r = &layers.communes.records;
    r.iter().map(|r| (r.code.to_string(), r.population, r.name.clone(), r.departement.clone())).collect()
}

fn sound(layers: &UnitLayers) -> bool {
    let area = |ring: &[geo::Coord<f64>]| -> f64 { ring.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum() };
    layers.communes.records.iter().flat_map(|r| r.contour.iter()).flat_map(|mp| &mp.0).all(|poly| {
        let ext = &poly.exterior().0;
        ext.len() >= 4
            && ext.first() == ext.last()
            && area(ext) > 0.0
            && poly.interiors().iter().all(|h| h.0.len() >= 4 && area(&h.0) < 0.0)
            && ext.iter().all(|c| (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y))
    })
}

/// Writes the mutated bytes to a fresh file of that extension and reads it.
fn read_as(bytes: &[u8], suffix: &str) -> Result<UnitLayers, cptsmap::load::InputError> {
    let file = tempfile::Builder::new().suffix(suffix).tempfile_in(scratch()).unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    read(file.path())
}

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| fixture_dir("fuzz_cases"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_truncated_geopackage_is_always_refused(cut in 0.0f64..1.0) {
        let f = fixture();
        let len = (cut * f.bytes.len() as f64) as usize;
        prop_assert!(read_as(&f.bytes[..len], ".gpkg").is_err(), "truncated at {len} of {}", f.bytes.len());
    }

    #[test]
    fn a_flipped_byte_anywhere_never_panics_nor_gives_unsound_contours(at in 0.0f64..1.0, bits in 1u8..=255) {
        let f = fixture();
        let mut bytes = f.bytes.clone();
        let at = ((at * bytes.len() as f64) as usize).min(bytes.len() - 1);
        bytes[at] ^= bits;
        if let Ok(layers) = read_as(&bytes, ".gpkg") {
            prop_assert!(sound(&layers), "byte {at}");
        }
    }

    #[test]
    fn a_flipped_byte_in_a_geometry_gives_an_error_or_the_intact_figures(
        blob in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), bits in 1u8..=255,
    ) {
        let f = fixture();
        let span = blob.get(&f.blobs).clone();
        let at = span.start + at.index(span.len());
        let mut bytes = f.bytes.clone();
        bytes[at] ^= bits;
        if let Ok(layers) = read_as(&bytes, ".gpkg") {
            prop_assert_eq!(figures(&layers), f.figures.clone(), "byte {}", at);
            prop_assert!(sound(&layers));
        }
    }

    #[test]
    fn a_truncated_flatgeobuf_is_always_refused(cut in 0.0f64..1.0) {
        let bytes = flatgeobuf();
        let len = (cut * bytes.len() as f64) as usize;
        prop_assert!(read_as(&bytes[..len], ".fgb").is_err(), "truncated at {len} of {}", bytes.len());
    }

    #[test]
    fn a_flipped_byte_in_a_flatgeobuf_never_panics_nor_gives_unsound_contours(at in 0.0f64..1.0, bits in 1u8..=255) {
        let mut bytes = flatgeobuf().clone();
        let at = ((at * bytes.len() as f64) as usize).min(bytes.len() - 1);
        bytes[at] ^= bits;
        if let Ok(layers) = read_as(&bytes, ".fgb") {
            prop_assert!(sound(&layers), "byte {at}");
        }
    }
}
