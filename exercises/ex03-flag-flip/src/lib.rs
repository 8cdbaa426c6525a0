//! PaySetu's end-of-day close.
//!
//! When a business day ends, the batch closer adds up the day's settlements and writes
//! the summary — transfers, settled amount, fees, refunds — then sets a `published`
//! flag. Report readers (the merchant dashboard, the reconciliation job, the finance
//! e-mail) wait for the flag and then read the summary.
//!
//! The tests are green on every developer laptop and in CI. Since the service moved to
//! ARM servers, a reconciliation report sometimes shows a day with zero fees, or with a
//! settled amount that does not match its transfers. Find out why and fix it. Read
//! `README.md` beside this file first: it says what you may change.

use racelab_sync::cell::SharedCell;
use racelab_sync::sync::atomic::{AtomicBool, Ordering};
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
    transfers: SharedCell<u64>,
    settled_paise: SharedCell<u64>,
    fees_paise: SharedCell<u64>,
    refunded_paise: SharedCell<u64>,
    published: AtomicBool,
}

// SAFETY (claimed): the closer writes the summary before it sets `published`, and
// readers read the summary only after they see `published` set, so no reader ever
// reads a field while the closer writes it.
unsafe impl Sync for DayClose {}

impl DayClose {
    /// A day that is not closed yet: nothing published.
    pub fn new() -> Self {
        DayClose {
            transfers: SharedCell::new(0),
            settled_paise: SharedCell::new(0),
            fees_paise: SharedCell::new(0),
            refunded_paise: SharedCell::new(0),
            published: AtomicBool::new(false),
        }
    }

    /// The closer publishes the day's summary. Called once per day, by one thread.
    pub fn publish(&self, summary: DaySummary) {
        self.transfers.store(summary.transfers);
        self.settled_paise.store(summary.settled_paise);
        self.fees_paise.store(summary.fees_paise);
        self.refunded_paise.store(summary.refunded_paise);
        self.published.store(true, Ordering::Relaxed);
    }

    /// A report reader waits until the day is published, then reads its summary.
    pub fn wait_for_summary(&self) -> DaySummary {
        while !self.published.load(Ordering::Relaxed) {
            // Let the closer run: on a busy machine it may be waiting for this core.
            thread::yield_now();
        }
        DaySummary {
            transfers: self.transfers.load(),
            settled_paise: self.settled_paise.load(),
            fees_paise: self.fees_paise.load(),
            refunded_paise: self.refunded_paise.load(),
        }
    }
}

impl Default for DayClose {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{DayClose, DaySummary};

    #[test]
    fn one_thread_reads_back_what_it_published() {
        let day = DayClose::new();
        let summary = DaySummary {
            transfers: 3,
            settled_paise: 4_800,
            fees_paise: 96,
            refunded_paise: 100,
        };
        day.publish(summary);
        assert_eq!(day.wait_for_summary(), summary);
    }
}
