//! ex00, fixed with atomics: each figure is an `AtomicU64` behind an `Arc`, and
//! `record` adds to each with `fetch_add`, one indivisible step per figure. The two
//! figures are read only after every worker has joined (which orders everything the
//! workers did before the reads), so they agree; a reader during the night could see
//! a count one ahead of its amount — use the lock when that matters.

use racelab_sync::sync::Arc;
use racelab_sync::sync::atomic::{AtomicU64, Ordering};
use racelab_sync::thread;

/// The night's counter: how many transfers settled, and how many paise.
#[derive(Debug, Clone, Default)]
pub struct SettlementCounter {
    transfers: Arc<AtomicU64>,
    settled_paise: Arc<AtomicU64>,
}

impl SettlementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one settled transfer of `amount_paise`.
    pub fn record(&self, amount_paise: u64) {
        self.transfers.fetch_add(1, Ordering::Relaxed);
        self.settled_paise
            .fetch_add(amount_paise, Ordering::Relaxed);
    }

    /// How many transfers settled so far.
    pub fn transfers(&self) -> u64 {
        self.transfers.load(Ordering::Relaxed)
    }

    /// How many paise settled so far.
    pub fn settled_paise(&self) -> u64 {
        self.settled_paise.load(Ordering::Relaxed)
    }
}

/// Settles every batch on a worker thread of its own, counting each transfer into
/// `counter`, and returns once every batch is done.
pub fn settle_in_parallel(counter: &SettlementCounter, batches: Vec<Vec<u64>>) {
    let workers: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            let counter = counter.clone();
            thread::spawn(move || {
                for amount_paise in batch {
                    counter.record(amount_paise);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a settlement worker panicked");
    }
}
