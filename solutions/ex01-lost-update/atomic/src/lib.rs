//! Fix B for ex01: one atomic read-modify-write (`fetch_add`) per amount.
//!
//! Right when the total must be exact at every moment and updates are frequent: no
//! lock, but every worker still writes the same cache line, which bounces between cores.

use racelab_sync::sync::Arc;
use racelab_sync::sync::atomic::{AtomicU64, Ordering};

/// The day's settlement: hands out recorders to workers and reports the total.
#[derive(Debug)]
pub struct Settlement {
    total_paise: Arc<AtomicU64>,
}

impl Settlement {
    /// Opens the day's settlement with a total of zero.
    pub fn new() -> Self {
        Settlement {
            total_paise: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A recorder for one worker thread.
    pub fn recorder(&self) -> Recorder {
        Recorder {
            total_paise: Arc::clone(&self.total_paise),
        }
    }

    /// The total for the daily report. Workers have been joined, which orders all their
    /// additions before this load, so `Relaxed` suffices.
    pub fn total_settled(&self) -> u64 {
        self.total_paise.load(Ordering::Relaxed)
    }
}

impl Default for Settlement {
    fn default() -> Self {
        Self::new()
    }
}

/// One worker's handle for recording settled amounts.
#[derive(Debug)]
pub struct Recorder {
    total_paise: Arc<AtomicU64>,
}

impl Recorder {
    /// Records one settled transfer: load, add and store fused into one atomic step.
    /// Only the sum matters, not its order against other memory, hence `Relaxed`.
    pub fn record(&mut self, amount_paise: u64) {
        self.total_paise.fetch_add(amount_paise, Ordering::Relaxed);
    }

    /// Nothing to hand over: every amount is already in the total.
    pub fn finish(self) {}
}
