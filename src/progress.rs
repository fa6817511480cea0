//! The progress line on stderr: shown only when stderr is a terminal, only once a run has taken
//! longer than about a second, refreshed a few times a second, and erased at the end.
//!
//! `KCHECK_PROGRESS_AFTER_MS` sets the delay before the first line (default 1000), so the line
//! can be seen, and tested, on runs of any length.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::engine::Progress;

/// How often the line is redrawn at most.
const REFRESH: Duration = Duration::from_millis(250);

pub struct Meter {
    on: bool,
    start: Instant,
    after: Duration,
    last: Mutex<Option<Instant>>,
}

impl Meter {
    /// A meter that shows progress if `wanted` (no `--quiet`) and stderr is a terminal.
    pub fn new(wanted: bool) -> Self {
        let after = std::env::var("KCHECK_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis);
        Meter {
            on: wanted && std::io::stderr().is_terminal(),
            start: Instant::now(),
            after,
            last: Mutex::new(None),
        }
    }

    /// The engine's progress: stage, states, depth, states/s and the time so far.
    pub fn tick(&self, p: Progress) {
        self.show(|| {
            let secs = p.elapsed.as_secs_f64();
            format!(
                "{}: {} states, depth {}, {:.0} states/s, {:.1} s in all",
                p.stage,
                p.states,
                p.depth,
                p.states as f64 / secs.max(1e-9),
                self.start.elapsed().as_secs_f64()
            )
        });
    }

    /// Draws `line()` if the meter is on, the run has lasted long enough and the last line is
    /// not too recent.
    pub fn show(&self, line: impl FnOnce() -> String) {
        // After Ctrl-C the line stays erased while the searches wind down.
        if !self.on || self.start.elapsed() < self.after || crate::engine::interrupted() {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < REFRESH) {
            return;
        }
        *last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", line());
        let _ = err.flush();
    }

    /// Erases the line, if one was drawn.
    pub fn clear(&self) {
        if self.on && self.last.lock().is_ok_and(|l| l.is_some()) {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Erases a progress line, if stderr is a terminal (on Ctrl-C, before the report).
pub fn erase_line() {
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}
