//! The bundled data (`geodata/`), embedded in the binary at build time by
//! `build.rs`, each file LZ4-compressed: an installed `cptsmap` finds its
//! communes, names of areas, demo territories and history of communes from
//! any directory, offline. `--geodata DIR` reads a directory instead.
//!
//! The embedded files appear under the directory name [`DIR`]: readers take
//! paths as usual, and [`super::read_bytes`] and [`super::exists`] look here
//! first, so every message names the file as `(données intégrées)/COMMUNE.shp`.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The directory name under which the embedded files are addressed.
pub const DIR: &str = "(données intégrées)";

/// The path that names an embedded file.
pub fn path(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

fn entry(path: &Path) -> Option<&'static (&'static str, usize, &'static [u8])> {
    if path.parent()? != Path::new(DIR) {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    FILES.iter().find(|(n, _, _)| *n == name)
}

/// Whether `path` names an embedded file.
pub fn exists(path: &Path) -> bool {
    entry(path).is_some()
}

/// The bytes of an embedded file; `None` when `path` does not name one.
pub fn read(path: &Path) -> Option<std::io::Result<Vec<u8>>> {
    let &(_, size, packed) = entry(path)?;
    Some(
        lz4_flex::block::decompress(packed, size)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_file_comes_back_whole() {
        for &(name, size, _) in FILES {
            let bytes = read(&path(name)).unwrap().unwrap();
            assert_eq!(bytes.len(), size, "{name}");
            let on_disk = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata").join(name)).unwrap();
            assert!(bytes == on_disk, "{name} differs from geodata/");
        }
        assert!(exists(&path("COMMUNE.shp")) && !exists(Path::new("geodata/COMMUNE.shp")));
    }
}
