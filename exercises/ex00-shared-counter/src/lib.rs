//! PaySetu's settlement counter.
//!
//! The nightly batch counts the transfers it settles and adds up their amounts, in
//! paise. It was written for one thread; to finish before the banks open, it now
//! settles each batch of transfers on a worker thread of its own. The port does not
//! compile. Make it compile — without `unsafe` — and keep the counts right. Read
//! `README.md` beside this file first: it says what you may change.

use racelab_sync::thread;
use std::cell::Cell;
use std::rc::Rc;

/// The night's counter: how many transfers settled, and how many paise.
#[derive(Debug, Clone, Default)]
pub struct SettlementCounter {
    transfers: Rc<Cell<u64>>,
    settled_paise: Rc<Cell<u64>>,
}

impl SettlementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one settled transfer of `amount_paise`.
    pub fn record(&self, amount_paise: u64) {
        self.transfers.set(self.transfers.get() + 1);
        self.settled_paise
            .set(self.settled_paise.get() + amount_paise);
    }

    /// How many transfers settled so far.
    pub fn transfers(&self) -> u64 {
        self.transfers.get()
    }

    /// How many paise settled so far.
    pub fn settled_paise(&self) -> u64 {
        self.settled_paise.get()
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
