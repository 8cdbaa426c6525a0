//! ex00, fixed with one lock: the counter's two figures live together in an
//! `Arc<Mutex<…>>`, so every worker shares the same pair, and each `record` updates
//! both under one lock (no reader ever sees a count without its amount).

use racelab_sync::sync::{Arc, Mutex, MutexGuard};
use racelab_sync::thread;

/// The night's counter: how many transfers settled, and how many paise.
#[derive(Debug, Clone, Default)]
pub struct SettlementCounter {
    figures: Arc<Mutex<Figures>>,
}

/// The two figures, always updated together.
#[derive(Debug, Default)]
struct Figures {
    transfers: u64,
    settled_paise: u64,
}

impl SettlementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one settled transfer of `amount_paise`.
    pub fn record(&self, amount_paise: u64) {
        let mut figures = self.figures();
        figures.transfers += 1;
        figures.settled_paise += amount_paise;
    }

    /// How many transfers settled so far.
    pub fn transfers(&self) -> u64 {
        self.figures().transfers
    }

    /// How many paise settled so far.
    pub fn settled_paise(&self) -> u64 {
        self.figures().settled_paise
    }

    fn figures(&self) -> MutexGuard<'_, Figures> {
        self.figures
            .lock()
            .expect("a settlement worker panicked while counting")
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
