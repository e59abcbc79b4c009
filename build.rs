//! Embeds the bundled data of `geodata/` in the binary, each file
//! compressed with LZ4, so that an installed `cptsmap` runs from any
//! directory, offline (see `src/load/bundled.rs`).
//!
//! LZ4 rather than a stronger codec: the files are decompressed at every
//! start, and LZ4 gives them back at several GB/s (≈ 10 ms for the 30 MB),
//! for a binary about 12 MB larger.

#[path = "src/calendar.rs"]
mod calendar;

use std::fmt::Write as _;
use std::path::Path;

/// Extensions of the files that make the bundled data.
const EMBEDDED: [&str; 6] = ["shp", "shx", "dbf", "prj", "cpg", "csv"];

fn main() {
    let dir = Path::new("geodata");
    println!("cargo:rerun-if-changed=geodata");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=src/calendar.rs");
    println!("cargo:rustc-env=CPTSMAP_BUILD_DATE={}", build_date());
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("geodata/ is part of the source tree")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| EMBEDDED.iter().any(|ext| n.ends_with(&format!(".{ext}"))))
        .collect();
    names.sort();
    let mut index =
        String::from("/// Bundled files: name, size, LZ4 block.\npub static FILES: &[(&str, usize, &[u8])] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("readable bundled file");
        let packed = lz4_flex::block::compress(&bytes);
        let target = Path::new(&out).join(format!("{name}.lz4"));
        std::fs::write(&target, packed).expect("OUT_DIR is writable");
        let _ = writeln!(
            index,
            "    ({name:?}, {}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{name}.lz4\"))),",
            bytes.len()
        );
    }
    index.push_str("];\n");
    std::fs::write(Path::new(&out).join("bundled.rs"), index).expect("OUT_DIR is writable");
}

/// The day of the build (`SOURCE_DATE_EPOCH` when set, for reproducible
/// builds): the date of the embedded data, which have no file date.
fn build_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    });
    calendar::iso_day(secs)
}
