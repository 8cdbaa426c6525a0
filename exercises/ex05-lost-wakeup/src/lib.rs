//! TODO(author): the exercise's story in two lines, what the student sees go wrong,
//! and "Read `README.md` beside this file first: it says what you may change."
//!
//! The placeholder below is a counter that loses updates; replace it with the
//! exercise's own code, keeping the API the scenario in
//! `grader/scenarios/ex05_*.rs` uses.

use racelab_sync::sync::atomic::{AtomicU64, Ordering};

/// TODO(author): what the shared object is for.
#[derive(Debug)]
pub struct Counter {
    total: AtomicU64,
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter {
    /// A counter at zero.
    pub fn new() -> Self {
        Counter {
            total: AtomicU64::new(0),
        }
    }

    /// Adds `amount` to the total. The bug: a load, then a store, so two threads can
    /// both read the same total and one addition is lost.
    pub fn add(&self, amount: u64) {
        let seen = self.total.load(Ordering::SeqCst);
        self.total.store(seen + amount, Ordering::SeqCst);
    }

    /// The total, read after every thread has finished.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }
}
