//! Fix A for ex01: a mutex makes load, add and store one indivisible step.
//!
//! Right when the total must be exact at every moment and updates are not the hot
//! path: under contention every worker queues at the lock.

use racelab_sync::sync::{Arc, Mutex};

/// The day's settlement: hands out recorders to workers and reports the total.
#[derive(Debug)]
pub struct Settlement {
    total_paise: Arc<Mutex<u64>>,
}

impl Settlement {
    /// Opens the day's settlement with a total of zero.
    pub fn new() -> Self {
        Settlement {
            total_paise: Arc::new(Mutex::new(0)),
        }
    }

    /// A recorder for one worker thread.
    pub fn recorder(&self) -> Recorder {
        Recorder {
            total_paise: Arc::clone(&self.total_paise),
        }
    }

    /// The total for the daily report.
    pub fn total_settled(&self) -> u64 {
        *self.total_paise.lock().unwrap()
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
    total_paise: Arc<Mutex<u64>>,
}

impl Recorder {
    /// Records one settled transfer: the whole read-modify-write happens under the lock.
    pub fn record(&mut self, amount_paise: u64) {
        *self.total_paise.lock().unwrap() += amount_paise;
    }

    /// Nothing to hand over: every amount is already in the total.
    pub fn finish(self) {}
}
