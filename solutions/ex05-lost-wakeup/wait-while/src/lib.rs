//! ex05, fixed by waiting on the state itself: the batcher checks "is a batch ready?"
//! and goes to sleep under one lock, in a loop, with `Condvar::wait_while`.
//!
//! A condition variable remembers nothing: a notification sent while no thread waits
//! is gone. So the state a waiter checks must live under the mutex it waits with, and
//! must be changed under that mutex: then a submitter cannot complete a batch (and
//! notify) between the batcher's check and its sleep, because `wait` releases the
//! lock and goes to sleep in one step. Here the state is the pending payouts
//! themselves; the separate flag, which could disagree with them, is gone.
//! `wait_while` checks the condition before the first wait and after every wakeup,
//! so an early notification, a wakeup meant for something else, or a spurious one
//! (std allows them) never lets the batcher through too soon.
//!
//! When to choose it: almost always. State under the mutex, a loop around the wait.

use racelab_sync::sync::{Condvar, Mutex, MutexGuard};

/// Collects payouts, in paise, into batches of a fixed size.
#[derive(Debug)]
pub struct PayoutBatcher {
    batch_size: usize,
    /// Payouts submitted and not yet taken, oldest first.
    pending: Mutex<Vec<i64>>,
    /// Where the batcher sleeps until a batch is ready.
    wakeup: Condvar,
}

impl PayoutBatcher {
    /// A batcher that hands out payouts `batch_size` at a time.
    pub fn new(batch_size: usize) -> Self {
        PayoutBatcher {
            batch_size,
            pending: Mutex::new(Vec::new()),
            wakeup: Condvar::new(),
        }
    }

    /// Adds one payout; called by many payout threads at once.
    pub fn submit(&self, amount_paise: i64) {
        let mut pending = self.pending();
        pending.push(amount_paise);
        if pending.len() >= self.batch_size {
            self.wakeup.notify_one();
        }
    }

    /// Sleeps until a whole batch has been submitted, then takes the oldest
    /// `batch_size` payouts.
    pub fn next_batch(&self) -> Vec<i64> {
        let mut pending = self
            .wakeup
            .wait_while(self.pending(), |pending| pending.len() < self.batch_size)
            .expect("a payout thread panicked while holding the payouts");
        pending.drain(..self.batch_size).collect()
    }

    /// Locks the pending payouts (the grader's tables show the caller's line).
    #[track_caller]
    fn pending(&self) -> MutexGuard<'_, Vec<i64>> {
        self.pending
            .lock()
            .expect("a payout thread panicked while holding the payouts")
    }
}
