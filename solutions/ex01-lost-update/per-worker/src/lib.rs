//! Fix C for ex01: stop sharing. Each worker keeps its own total and hands it in once,
//! when it finishes; the report sums the handed-in totals.
//!
//! Right when the report may lag the workers: recording costs nothing shared, but the
//! total only counts workers that have finished.

use racelab_sync::sync::{Arc, Mutex};

/// The day's settlement: hands out recorders to workers and reports the total.
#[derive(Debug)]
pub struct Settlement {
    finished_totals: Arc<Mutex<Vec<u64>>>,
}

impl Settlement {
    /// Opens the day's settlement with no totals handed in.
    pub fn new() -> Self {
        Settlement {
            finished_totals: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A recorder for one worker thread, with a private running total.
    pub fn recorder(&self) -> Recorder {
        Recorder {
            own_total_paise: 0,
            finished_totals: Arc::clone(&self.finished_totals),
        }
    }

    /// The total for the daily report: the sum of every finished worker's total.
    pub fn total_settled(&self) -> u64 {
        self.finished_totals.lock().unwrap().iter().sum()
    }
}

impl Default for Settlement {
    fn default() -> Self {
        Self::new()
    }
}

/// One worker's handle: a private total, handed in by [`Recorder::finish`].
#[derive(Debug)]
pub struct Recorder {
    own_total_paise: u64,
    finished_totals: Arc<Mutex<Vec<u64>>>,
}

impl Recorder {
    /// Records one settled transfer into this worker's own total: nothing shared.
    pub fn record(&mut self, amount_paise: u64) {
        self.own_total_paise += amount_paise;
    }

    /// Hands this worker's total to the settlement: the one shared write per worker.
    pub fn finish(self) {
        self.finished_totals
            .lock()
            .unwrap()
            .push(self.own_total_paise);
    }
}
