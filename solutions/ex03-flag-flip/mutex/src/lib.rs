//! Fix B for ex03: publish the whole summary through a `Mutex`.
//!
//! The summary and the fact that it is published become one value, `Option<DaySummary>`,
//! behind one lock. Unlocking orders the closer's write before the next lock, so a
//! reader sees either no summary or the whole of it, and there is no `unsafe` left.
//! Right when simplicity beats the cost of a lock on every look at the flag.

use racelab_sync::sync::{Mutex, MutexGuard};
use racelab_sync::thread;

/// The figures of one business day, as the closer computes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaySummary {
    /// How many transfers settled.
    pub transfers: u64,
    /// The amount settled, in paise.
    pub settled_paise: u64,
    /// PaySetu's fees on those transfers, in paise.
    pub fees_paise: u64,
    /// The amount refunded to customers, in paise.
    pub refunded_paise: u64,
}

/// One business day's close: the summary, written once by the closer and read by
/// any number of report readers.
#[derive(Debug)]
pub struct DayClose {
    summary: Mutex<Option<DaySummary>>,
}

impl DayClose {
    /// A day that is not closed yet: nothing published.
    pub fn new() -> Self {
        DayClose {
            summary: Mutex::new(None),
        }
    }

    /// The closer publishes the day's summary. Called once per day, by one thread.
    pub fn publish(&self, summary: DaySummary) {
        *self.summary() = Some(summary);
    }

    /// A report reader waits until the day is published, then reads its summary.
    pub fn wait_for_summary(&self) -> DaySummary {
        loop {
            if let Some(summary) = *self.summary() {
                return summary;
            }
            // The guard is gone here: let the closer take the lock and publish.
            thread::yield_now();
        }
    }

    /// Locks the summary.
    fn summary(&self) -> MutexGuard<'_, Option<DaySummary>> {
        self.summary
            .lock()
            .expect("the closer panicked while publishing")
    }
}

impl Default for DayClose {
    fn default() -> Self {
        Self::new()
    }
}
