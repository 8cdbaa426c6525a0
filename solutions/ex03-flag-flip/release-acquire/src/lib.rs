//! Fix A for ex03: publish with a `Release` store, wait with an `Acquire` load.
//!
//! A `Release` store of the flag carries every write the closer made before it; an
//! `Acquire` load that sees the flag set receives them all. So a reader that sees
//! `published` also sees the whole summary, on any CPU and under any compiler. Right
//! when readers must not block: publishing costs one ordered store, waiting one
//! ordered load.

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

// SAFETY: the fields are written only by `publish`, called once, before its Release
// store of `published`; they are read only after an Acquire load has seen that store.
// The store happens-before every such load, so every write happens-before every read
// and no access overlaps another.
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
        // Release: the four writes above become visible to whoever acquires this store.
        self.published.store(true, Ordering::Release);
    }

    /// A report reader waits until the day is published, then reads its summary.
    pub fn wait_for_summary(&self) -> DaySummary {
        // Acquire: once this load sees `true`, the closer's writes are visible here.
        while !self.published.load(Ordering::Acquire) {
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
