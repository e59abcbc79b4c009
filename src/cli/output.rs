//! Where `export` writes: standard output, or a file written whole or not
//! at all.
//!
//! A file is written to a hidden temporary file in the target's directory,
//! flushed to disk, then renamed over the target: readers never see half a
//! file, and a failure (full disk, Ctrl-C, SIGTERM) removes the temporary
//! file and leaves the target as it was. Only a regular file is replaced,
//! even with `--force`: a directory, a symbolic link or a device
//! (`/dev/stdout`…) is refused, since writing there is either impossible or
//! not what the user meant; `-o -` is standard output.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::Context as _;
use cptsmap::load::InputError;

/// Where the layer goes, checked before any work.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

/// Buffer between the writer and the file or pipe.
const BUFFER: usize = 1 << 20;

impl Target {
    /// `None` or `-` is standard output; a path must be new, or a regular file with `force`.
    pub fn check(path: Option<&Path>, force: bool) -> Result<Target, InputError> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else { return Ok(Target::Stdout) };
        let refuse = |message: String| InputError::File { path: path.to_path_buf(), message };
        match std::fs::symlink_metadata(path) {
            Ok(meta) if !meta.file_type().is_file() => Err(refuse(format!(
                "{} : refusé, même avec --force (seul un fichier ordinaire est remplacé ; -o - pour la sortie standard)",
                kind_of(&meta.file_type())
            ))),
            Ok(_) if !force => Err(refuse("le fichier existe déjà ; ajoutez --force pour le remplacer".into())),
            Ok(_) => Ok(Target::File(path.to_path_buf())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = directory_of(path);
                if dir.is_dir() {
                    Ok(Target::File(path.to_path_buf()))
                } else {
                    Err(refuse(format!("le dossier {} n'existe pas", dir.display())))
                }
            }
            Err(e) => Err(refuse(e.to_string())),
        }
    }

    /// Runs `write` into the target; a file is replaced only if `write` and
    /// every write to disk succeeded.
    pub fn write<T>(&self, force: bool, write: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> anyhow::Result<T> {
        match self {
            Target::Stdout => {
                let stdout = io::stdout();
                let mut out = BufWriter::with_capacity(BUFFER, stdout.lock());
                let value = write(&mut out).context("écriture sur la sortie standard")?;
                out.flush().context("écriture sur la sortie standard")?;
                Ok(value)
            }
            Target::File(path) => write_file(path, force, write),
        }
    }
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_dir() {
        "c'est un dossier"
    } else if t.is_symlink() {
        "c'est un lien symbolique"
    } else if t.is_block_device() || t.is_char_device() {
        "c'est un périphérique"
    } else if t.is_fifo() || t.is_socket() {
        "c'est un tube ou une socket"
    } else {
        "ce n'est pas un fichier ordinaire"
    }
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The temporary file being written, removed by the signal guard if the process is stopped.
static WRITING: Mutex<Option<PathBuf>> = Mutex::new(None);

fn write_file<T>(path: &Path, force: bool, write: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> anyhow::Result<T> {
    let name = path.file_name().map_or("export".into(), |n| n.to_string_lossy().into_owned());
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(directory_of(path))
        .with_context(|| format!("création d'un fichier temporaire à côté de {}", path.display()))?;
    guard_against_signals(temp.path());
    let written = (|| -> anyhow::Result<T> {
        let mut out = BufWriter::with_capacity(BUFFER, temp.as_file());
        let value = write(&mut out).with_context(|| format!("écriture de {}", path.display()))?;
        let file =
            out.into_inner().map_err(|e| e.into_error()).with_context(|| format!("écriture de {}", path.display()))?;
        file.sync_all().with_context(|| format!("écriture de {}", path.display()))?;
        Ok(value)
    })();
    let value = match written {
        Ok(value) => value,
        Err(e) => {
            forget_temp();
            return Err(e);
        }
    };
    // Checked again just before: the target may have changed while the layer was written.
    Target::check(Some(path), force)?;
    let persisted = if force { temp.persist(path) } else { temp.persist_noclobber(path) };
    forget_temp();
    persisted.map_err(|e| e.error).with_context(|| format!("écriture de {}", path.display()))?;
    Ok(value)
}

fn forget_temp() {
    *WRITING.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// On Ctrl-C or SIGTERM while a file is written, removes its temporary file
/// before exiting. A file-size limit (SIGXFSZ) becomes a write error instead
/// of killing the process, so that the temporary file is removed too.
fn guard_against_signals(temp: &Path) {
    *WRITING.lock().unwrap_or_else(PoisonError::into_inner) = Some(temp.to_path_buf());
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let (ready, listening) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new().name("cptsmap-signals".into()).spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
            runtime.block_on(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term), Ok(mut xfsz)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                    signal(SignalKind::from_raw(25)),
                ) else {
                    let _ = ready.send(());
                    return;
                };
                let _ = ready.send(());
                let code = loop {
                    tokio::select! {
                        _ = int.recv() => break 130,
                        _ = term.recv() => break 143,
                        _ = xfsz.recv() => continue,
                    }
                };
                if let Some(temp) = WRITING.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    let _ = std::fs::remove_file(temp);
                }
                std::process::exit(code);
            });
        });
        if spawned.is_ok() {
            let _ = listening.recv_timeout(std::time::Duration::from_secs(1));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn a_write_error_midway_leaves_the_target_as_it_was_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.geojson");
        std::fs::write(&path, "old").unwrap();
        let target = Target::check(Some(&path), true).unwrap();
        let failed = target.write(true, |out| {
            out.write_all(&[b'x'; 3 << 20])?;
            Err::<(), _>(io::Error::new(io::ErrorKind::StorageFull, "disque plein"))
        });
        let message = format!("{:#}", failed.unwrap_err());
        assert!(message.contains("disque plein"), "{message}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(leftovers(dir.path()), vec!["layer.geojson".to_string()]);
    }

    #[test]
    fn a_successful_write_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.geojson");
        let target = Target::check(Some(&path), false).unwrap();
        assert_eq!(target.write(false, |out| out.write_all(b"{}").map(|()| 7)).unwrap(), 7);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
        assert_eq!(leftovers(dir.path()), vec!["new.geojson".to_string()]);
    }

    #[test]
    fn only_regular_files_are_replaced_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.geojson");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("l.geojson");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        for (path, why) in [
            (dir.path().to_path_buf(), "dossier"),
            (link, "lien symbolique"),
            (PathBuf::from("/dev/null"), "périphérique"),
        ] {
            let refused = Target::check(Some(&path), true).unwrap_err().to_string();
            assert!(refused.contains(why) && refused.contains("--force"), "{refused}");
        }
        assert!(Target::check(Some(&file), false).unwrap_err().to_string().contains("--force"));
        assert_eq!(Target::check(Some(&file), true).unwrap(), Target::File(file));
        assert_eq!(Target::check(Some(Path::new("-")), false).unwrap(), Target::Stdout);
        assert!(Target::check(Some(&dir.path().join("nope/x.geojson")), false).is_err());
    }
}
