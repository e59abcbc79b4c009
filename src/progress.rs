//! How far a long load has come, for a progress bar: readers add the bytes
//! they will read and advance as they go; the command line draws it (on a
//! terminal only). Counting costs two atomic additions per megabyte.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Work announced and done, in bytes, and the stage under way (French, for people).
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicU64,
    done: AtomicU64,
    stage: Mutex<String>,
}

impl Progress {
    /// Starts a stage; its work is added to what is announced.
    pub fn stage(&self, label: &str, bytes: u64) {
        if let Ok(mut s) = self.stage.lock() {
            label.clone_into(&mut s);
        }
        self.total.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn advance(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// `(done, total, stage)`.
    pub fn read(&self) -> (u64, u64, String) {
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed), stage)
    }
}
