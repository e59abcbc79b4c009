//! Benchmark of the projections of `cptsmap::load::crs` against PROJ (pyproj
//! on numpy arrays, `benches/projection.py`, same points, same run) and
//! against `proj4rs` as cptsmap used it before (one `transform_vertex_2d`
//! per vertex, GRS80 + `towgs84=0` to WGS84 longitude/latitude).
//!
//!     python3 -m pip install -r tools/requirements.txt   # numpy, pyproj
//!     cargo bench --bench projection -- [RUNS]
//!
//! Two grids of 2 000 000 points: the metropole in Lambert-93 (EPSG:2154,
//! the inverse is what loading a commune layer spends its time on) and La
//! Réunion in UTM 40S (EPSG:2975). Prints, per grid and direction, the
//! median ns/point of cptsmap, PROJ and proj4rs, the ratios, and the largest
//! difference from PROJ over all points.
//!
//! Measured on 2026-11-22 on the 2-core development machine while other jobs
//! ran (load average ≈ 9), `cargo bench --bench projection -- 7`; ns/point,
//! fastest batch (median whole pass); PROJ 9.5.1 through pyproj 3.7.2:
//!
//! | grid, direction     | cptsmap      | PROJ        | proj4rs 0.3 (before) |
//! |---------------------|-------------:|------------:|---------------------:|
//! | Lambert-93, inverse |  36.6 (104)  |  402 (699)  |            641 (945) |
//! | Lambert-93, forward |  47.0 (130)  |  119 (250)  |           89.7 (226) |
//! | UTM 40S, inverse    |  83.7 (173)  |  201 (354)  |            300 (438) |
//! | UTM 40S, forward    |   182 (306)  |  199 (352)  |            241 (446) |
//!
//! Largest difference from PROJ over the 2 000 000 points: 4.3e-14° (inverse)
//! and 4.7e-9 m (forward) for Lambert-93, 2.8e-14° and 3.7e-9 m for UTM 40S.
//! Batches are timed apart because the machine is shared: the fastest batch is
//! the cost of the code, the median pass includes the other jobs.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cptsmap::load::crs::{Crs, Projection};
use proj4rs::Proj;

const COLUMNS: usize = 2_000;
const ROWS: usize = 1_000;

/// A benchmarked grid: its CRS, a box in its coordinates, and the proj4rs
/// definition cptsmap used for it before.
struct Grid {
    name: &'static str,
    epsg: u32,
    min: (f64, f64),
    max: (f64, f64),
    proj4: &'static str,
}

const GRIDS: [Grid; 2] = [
    Grid {
        name: "Lambert-93 (metropole)",
        epsg: 2154,
        min: (100_000.0, 6_050_000.0),
        max: (1_250_000.0, 7_120_000.0),
        proj4: "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 \
                +towgs84=0,0,0,0,0,0,0 +units=m",
    },
    Grid {
        name: "UTM 40S (La Réunion)",
        epsg: 2975,
        min: (310_000.0, 7_630_000.0),
        max: (380_000.0, 7_695_000.0),
        proj4: "+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m",
    },
];

fn points(grid: &Grid) -> Vec<(f64, f64)> {
    let step_x = (grid.max.0 - grid.min.0) / (COLUMNS - 1) as f64;
    let step_y = (grid.max.1 - grid.min.1) / (ROWS - 1) as f64;
    (0..ROWS)
        .flat_map(|r| (0..COLUMNS).map(move |c| (grid.min.0 + c as f64 * step_x, grid.min.1 + r as f64 * step_y)))
        .collect()
}

/// Points per timed batch: a few milliseconds of work, short enough to run
/// undisturbed on a shared machine most of the time.
const BATCH: usize = 65_536;

/// Nanoseconds per point of `convert` (which converts the points of a range):
/// the fastest batch over `runs` passes (the CPU cost, robust to other
/// processes on a shared machine) and the median of whole passes.
#[derive(Debug, Clone, Copy)]
struct Timing {
    best_batch: f64,
    median_pass: f64,
}

fn measure(runs: usize, count: usize, mut convert: impl FnMut(std::ops::Range<usize>)) -> Timing {
    let mut best_batch = f64::INFINITY;
    let mut passes = Vec::with_capacity(runs);
    for _ in 0..runs {
        let pass = Instant::now();
        for start in (0..count).step_by(BATCH) {
            let end = (start + BATCH).min(count);
            let started = Instant::now();
            convert(start..end);
            best_batch = best_batch.min(started.elapsed().as_secs_f64() * 1e9 / (end - start) as f64);
        }
        passes.push(pass.elapsed().as_secs_f64() * 1e9 / count as f64);
    }
    passes.sort_by(f64::total_cmp);
    Timing { best_batch, median_pass: passes[passes.len() / 2] }
}

fn inverse(projection: Projection, input: &[(f64, f64)], output: &mut [(f64, f64)]) {
    for (out, &(x, y)) in output.iter_mut().zip(input) {
        let c = projection.to_wgs84(x, y).expect("inside the domain");
        *out = (c.x, c.y);
    }
}

fn forward(projection: Projection, input: &[(f64, f64)], output: &mut [(f64, f64)]) {
    for (out, &(lon, lat)) in output.iter_mut().zip(input) {
        let c = projection.from_wgs84(lon, lat).expect("inside the domain");
        *out = (c.x, c.y);
    }
}

/// proj4rs works in radians for longitude/latitude: converting to and from
/// degrees was part of what cptsmap paid per vertex.
fn proj4rs_to_wgs84(src: &Proj, wgs84: &Proj, input: &[(f64, f64)], output: &mut [(f64, f64)]) {
    for (out, &p) in output.iter_mut().zip(input) {
        let (lon, lat) = proj4rs::adaptors::transform_vertex_2d(src, wgs84, p).expect("proj4rs converts");
        *out = (lon.to_degrees(), lat.to_degrees());
    }
}

fn proj4rs_from_wgs84(dst: &Proj, wgs84: &Proj, input: &[(f64, f64)], output: &mut [(f64, f64)]) {
    for (out, &(lon, lat)) in output.iter_mut().zip(input) {
        *out = proj4rs::adaptors::transform_vertex_2d(wgs84, dst, (lon.to_radians(), lat.to_radians()))
            .expect("proj4rs converts");
    }
}

/// PROJ's timings and results, from `benches/projection.py`.
struct ProjRun {
    inverse: Timing,
    forward: Timing,
    /// Per point: longitude, latitude, and PROJ's forward of them.
    results: Vec<[f64; 4]>,
}

fn run_proj(grid: &Grid, input: &[(f64, f64)], runs: usize) -> Result<ProjRun, String> {
    let dir = std::env::temp_dir();
    let (grid_path, out_path) =
        (dir.join(format!("cptsmap_bench_{}.grid", grid.epsg)), dir.join(format!("cptsmap_bench_{}.proj", grid.epsg)));
    let bytes: Vec<u8> = input.iter().flat_map(|&(x, y)| [x.to_le_bytes(), y.to_le_bytes()]).flatten().collect();
    std::fs::write(&grid_path, bytes).map_err(|e| e.to_string())?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/projection.py");
    let output = Command::new("python3")
        .arg(script)
        .args([&grid_path, &out_path])
        .args([grid.epsg.to_string(), runs.to_string(), BATCH.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("").to_string());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let timing = |name: &str| -> Result<Timing, String> {
        let line = stdout.lines().find_map(|l| l.strip_prefix(name)).ok_or("no timing from PROJ")?;
        let mut numbers = line.split_whitespace().filter_map(|n| n.parse::<f64>().ok());
        match (numbers.next(), numbers.next()) {
            (Some(best_batch), Some(median_pass)) => Ok(Timing { best_batch, median_pass }),
            _ => Err(format!("unreadable timing from PROJ: {line}")),
        }
    };
    let raw = std::fs::read(&out_path).map_err(|e| e.to_string())?;
    let values: Vec<f64> = raw.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))).collect();
    let results = values.chunks_exact(4).map(|v| [v[0], v[1], v[2], v[3]]).collect();
    let _ = (std::fs::remove_file(grid_path), std::fs::remove_file(out_path));
    Ok(ProjRun { inverse: timing("inverse ")?, forward: timing("forward ")?, results })
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let wgs84 = Proj::from_proj_string("+proj=longlat +ellps=WGS84").expect("proj4rs WGS84");
    println!(
        "{} points per grid, {runs} passes; ns/point as fastest batch of {BATCH} points (median whole pass)",
        COLUMNS * ROWS
    );
    for grid in &GRIDS {
        let projection = Crs::from_epsg(grid.epsg).expect("known CRS").projection();
        let proj4rs = Proj::from_proj_string(grid.proj4).expect("proj4rs definition");
        let input = points(grid);
        let count = input.len();
        let mut lonlat = vec![(0.0, 0.0); count];
        let mut xy = vec![(0.0, 0.0); count];
        let ours_inverse = measure(runs, count, |r| inverse(projection, black_box(&input[r.clone()]), &mut lonlat[r]));
        let ours_forward = measure(runs, count, |r| forward(projection, black_box(&lonlat[r.clone()]), &mut xy[r]));
        black_box((&lonlat, &xy));
        let mut scratch = vec![(0.0, 0.0); count];
        let proj4rs_inverse =
            measure(runs, count, |r| proj4rs_to_wgs84(&proj4rs, &wgs84, black_box(&input[r.clone()]), &mut scratch[r]));
        let proj4rs_forward = measure(runs, count, |r| {
            proj4rs_from_wgs84(&proj4rs, &wgs84, black_box(&lonlat[r.clone()]), &mut scratch[r])
        });
        println!("\n== {} (EPSG:{})", grid.name, grid.epsg);
        let proj = run_proj(grid, &input, runs);
        for (direction, ours, theirs, proj_timing) in [
            ("inverse", ours_inverse, proj4rs_inverse, proj.as_ref().ok().map(|p| p.inverse)),
            ("forward", ours_forward, proj4rs_forward, proj.as_ref().ok().map(|p| p.forward)),
        ] {
            let proj_text = proj_timing.map_or("not measured".to_string(), |t| compared(t, ours));
            println!("{direction}: cptsmap {}  PROJ {proj_text}  proj4rs {}", shown(ours), compared(theirs, ours));
        }
        match &proj {
            Ok(proj) => print_deviation(projection, &input, proj),
            Err(e) => println!("PROJ not measured: {e} (python3 with numpy and pyproj: tools/requirements.txt)"),
        }
        if grid.epsg == 2154 {
            let met = ours_inverse.best_batch <= 40.0 && proj4rs_inverse.best_batch >= 5.0 * ours_inverse.best_batch;
            println!("targets (inverse ≤ 40 ns/point, ≥ 5× proj4rs): {}", if met { "met" } else { "MISSED" });
        }
    }
}

fn shown(t: Timing) -> String {
    format!("{:.1} ({:.1})", t.best_batch, t.median_pass)
}

/// A timing and how many times slower than ours it is.
fn compared(t: Timing, ours: Timing) -> String {
    format!("{} = {:.1}×", shown(t), t.best_batch / ours.best_batch)
}

/// Largest difference from PROJ: our inverse of the grid against PROJ's, in
/// degrees; our forward of PROJ's longitudes and latitudes against PROJ's, in metres.
fn print_deviation(projection: Projection, input: &[(f64, f64)], proj: &ProjRun) {
    let (mut degrees, mut metres) = (0.0_f64, 0.0_f64);
    for (&(x, y), &[lon, lat, x2, y2]) in input.iter().zip(&proj.results) {
        let ours = projection.to_wgs84(x, y).expect("inside the domain");
        degrees = degrees.max((ours.x - lon).abs()).max((ours.y - lat).abs());
        let ours = projection.from_wgs84(lon, lat).expect("inside the domain");
        metres = metres.max((ours.x - x2).abs()).max((ours.y - y2).abs());
    }
    println!("largest difference from PROJ: {degrees:.1e}° (inverse), {metres:.1e} m (forward)");
}
