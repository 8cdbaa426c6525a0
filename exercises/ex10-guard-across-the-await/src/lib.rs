//! PaySetu's payout sender.
//!
//! Approved payouts wait in a queue until a sender task hands them to the bank, one at
//! a time: a call to the bank's API, so an `.await`. Busy days start more sender tasks
//! on the same queue, and each must send every payout exactly once between them.
//!
//! This crate does not compile: `start_sending` cannot spawn the sender. Read the
//! compiler's error, then `README.md` beside this file: it says what you may change.

use racelab_sync::sync::{Arc, Mutex};
use racelab_sync::task::{self, JoinHandle};

/// The payouts waiting to be sent, and what the bank has accepted so far.
#[derive(Debug, Default)]
pub struct PayoutQueue {
    pending_paise: Mutex<Vec<i64>>,
    sent_paise: Mutex<i64>,
}

impl PayoutQueue {
    /// An empty queue.
    pub fn new() -> Self {
        PayoutQueue::default()
    }

    /// Queues a payout of `amount_paise`.
    pub fn submit(&self, amount_paise: i64) {
        self.pending_paise.lock().unwrap().push(amount_paise);
    }

    /// Starts a sender task: it sends payouts until the queue is empty.
    pub fn start_sending(queue: &Arc<PayoutQueue>) -> JoinHandle<()> {
        let queue = Arc::clone(queue);
        task::spawn(async move { queue.send_pending().await })
    }

    /// What the bank has accepted so far, in paise.
    pub fn sent_paise(&self) -> i64 {
        *self.sent_paise.lock().unwrap()
    }

    /// Sends the queued payouts one at a time.
    async fn send_pending(&self) {
        let mut pending = self.pending_paise.lock().unwrap();
        while let Some(amount_paise) = pending.pop() {
            bank_accepts(amount_paise).await;
            *self.sent_paise.lock().unwrap() += amount_paise;
        }
    }
}

/// Hands one payout to the bank: a call to its API, so the task waits (the
/// `.await`) and the executor runs other tasks meanwhile.
async fn bank_accepts(_amount_paise: i64) {
    task::yield_now().await;
}
