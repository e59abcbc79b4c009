//! The progress bar of long loads: nothing for a second (most runs end
//! before), then, on a terminal only, a bar of the bytes read and the stage
//! under way. On a pipe or in a file, nothing is ever drawn.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cptsmap::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Loads shorter than this show nothing.
const QUIET_FOR: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);

pub struct Feedback {
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Feedback {
    pub fn start() -> Feedback {
        let progress = Arc::new(Progress::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let (progress, stop) = (Arc::clone(&progress), Arc::clone(&stop));
            std::thread::spawn(move || draw(&progress, &stop))
        });
        Feedback { progress, stop, thread }
    }

    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// A stage whose length is not counted in bytes (computing, drawing…).
    pub fn stage(&self, label: &str) {
        self.progress.stage(label, 0);
    }
}

impl Drop for Feedback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn draw(progress: &Progress, stop: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < QUIET_FOR {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:40!} [{bar:30}] {bytes}/{total_bytes} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▉ "),
    );
    while !stop.load(Ordering::Relaxed) {
        let (done, total, stage) = progress.read();
        bar.set_length(total.max(done));
        bar.set_position(done);
        bar.set_message(stage);
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
