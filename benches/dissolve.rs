//! Benchmark of the dissolve on shared borders, on the bundled national data
//! (or on other layers given by `CPTSMAP_BENCH_COMMUNES`, e.g. the densified
//! stand-in of `benches/densify.py`). Run by `python3 benches/dissolve.py`,
//! which times GEOS, mapshaper and GDAL on the same groups in the same run.
//!
//!     cargo bench --bench dissolve -- [RUNS]
//!
//! Prints one line per measure: `name seconds` (medians), and the vertex counts.

use std::path::PathBuf;
use std::time::Instant;

use cptsmap::arcs::Topology;
use cptsmap::atlas::{Atlas, AtlasSources};
use cptsmap::commune::UnitId;
use cptsmap::coverage::{Options, compute, uncovered_zones};
use cptsmap::dissolve::dissolve_groups;
use cptsmap::export::layers::{Context, ExportOptions, Layer, write_layer};
use cptsmap::load::territories::read_territory_list;
use cptsmap::territory::Stage;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let geodata = root.join("geodata");
    let communes = std::env::var_os("CPTSMAP_BENCH_COMMUNES").map(PathBuf::from).unwrap_or(geodata.join("COMMUNE.shp"));
    let arrondissements = std::env::var_os("CPTSMAP_BENCH_ARRONDISSEMENTS")
        .map(PathBuf::from)
        .unwrap_or(geodata.join("ARRONDISSEMENT_MUNICIPAL.shp"));
    let sources = AtlasSources {
        communes: vec![communes],
        arrondissements: Some(arrondissements),
        population: None,
        names: Some(geodata.clone()),
        ..AtlasSources::default()
    };
    let mut atlas = Atlas::load(&sources).expect("communes load");
    let list = read_territory_list(&geodata.join("cpts_demo_fictif.csv"), &atlas).expect("demo list loads");
    let coverage = compute(&atlas, list.territories, &Options::default(), Vec::new());
    let mut warnings = Vec::new();
    let started = Instant::now();
    let topology = Topology::build(&mut atlas, &mut warnings);
    let topology_s = started.elapsed().as_secs_f64();

    // The groups: every territory, the covered area at each stage, every uncovered zone.
    let mut groups: Vec<Vec<UnitId>> = coverage.territories.iter().map(|t| t.units.clone()).collect();
    for stage in Stage::DESCENDING {
        groups.push((0..atlas.units.len() as UnitId).filter(|&u| coverage.covered_at(u, stage)).collect());
    }
    let (zones, _) = uncovered_zones(&atlas, &coverage.uncovered_at(Stage::PreProjet));
    groups.extend(zones.zones.iter().map(|z| z.members.clone()));
    let mut times = Vec::new();
    let mut out_vertices = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let dissolved = dissolve_groups(&topology, &topology.exact(&atlas), &groups, atlas.units.len());
        times.push(started.elapsed().as_secs_f64());
        out_vertices = dissolved.iter().flat_map(|d| &d.shape.0).map(|p| p.exterior().0.len()).sum::<usize>();
    }
    let ctx = Context { atlas: &atlas, coverage: &coverage, topology: &topology, simplified: None };
    let mut write_times = Vec::new();
    let path = std::env::temp_dir().join("cptsmap_bench_communes.geojson");
    for _ in 0..runs.min(3) {
        let started = Instant::now();
        let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("temp file"));
        write_layer(&ctx, Layer::Communes, &ExportOptions::default(), file).expect("export");
        write_times.push(started.elapsed().as_secs_f64());
    }
    let input_vertices: usize = atlas
        .units
        .iter()
        .filter_map(|u| u.contour.as_ref())
        .map(|mp| {
            mp.0.iter()
                .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
                .sum::<usize>()
        })
        .sum();
    println!("vertices {input_vertices}");
    println!("groups {}", groups.len());
    println!("topology_build {topology_s:.4}");
    println!("dissolve_all {:.4}", median(times));
    println!("dissolved_exterior_vertices {out_vertices}");
    println!("write_communes_geojson {:.4}", median(write_times));
    println!("communes_geojson_path {}", path.display());
}
