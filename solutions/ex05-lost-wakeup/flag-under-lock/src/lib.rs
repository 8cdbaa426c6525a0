//! ex05, fixed the smallest way: the flag is still there, but it is set and cleared
//! only while holding the mutex the batcher waits with.
//!
//! The lost wakeup needed a submitter to set the flag and notify in the gap between
//! the batcher's check of the flag and its sleep. The batcher holds the lock through
//! that gap (`wait` releases it and sleeps in one step), so a submitter that must
//! hold the same lock to set the flag can only do it before the check (which then
//! sees it) or after the batcher sleeps (and the notification wakes it). The flag no
//! longer needs to be atomic for this; it stays one only to keep the diff small.
//! Clearing it, the batcher also looks whether a second batch is already waiting.
//!
//! When to choose it: when the condition is a separate piece of state. The rule is
//! the same as for the queue itself: change what a waiter checks only under its
//! mutex, and wait in a loop.

use racelab_sync::sync::atomic::{AtomicBool, Ordering};
use racelab_sync::sync::{Condvar, Mutex, MutexGuard};

/// Collects payouts, in paise, into batches of a fixed size.
#[derive(Debug)]
pub struct PayoutBatcher {
    batch_size: usize,
    /// Payouts submitted and not yet taken, oldest first.
    pending: Mutex<Vec<i64>>,
    /// Whether a whole batch is pending; changed only under `pending`'s lock.
    batch_ready: AtomicBool,
    /// Where the batcher sleeps until a batch is ready.
    wakeup: Condvar,
}

impl PayoutBatcher {
    /// A batcher that hands out payouts `batch_size` at a time.
    pub fn new(batch_size: usize) -> Self {
        PayoutBatcher {
            batch_size,
            pending: Mutex::new(Vec::new()),
            batch_ready: AtomicBool::new(false),
            wakeup: Condvar::new(),
        }
    }

    /// Adds one payout; called by many payout threads at once.
    pub fn submit(&self, amount_paise: i64) {
        let mut pending = self.pending();
        pending.push(amount_paise);
        if pending.len() >= self.batch_size {
            // Under the lock: the batcher is either before its check or asleep.
            self.batch_ready.store(true, Ordering::SeqCst);
            self.wakeup.notify_one();
        }
    }

    /// Sleeps until a whole batch has been submitted, then takes the oldest
    /// `batch_size` payouts.
    pub fn next_batch(&self) -> Vec<i64> {
        let mut pending = self.pending();
        while !self.batch_ready.load(Ordering::SeqCst) {
            pending = self
                .wakeup
                .wait(pending)
                .expect("a payout thread panicked while holding the payouts");
        }
        let batch: Vec<i64> = pending.drain(..self.batch_size).collect();
        self.batch_ready
            .store(pending.len() >= self.batch_size, Ordering::SeqCst);
        batch
    }

    /// Locks the pending payouts (the grader's tables show the caller's line).
    #[track_caller]
    fn pending(&self) -> MutexGuard<'_, Vec<i64>> {
        self.pending
            .lock()
            .expect("a payout thread panicked while holding the payouts")
    }
}
