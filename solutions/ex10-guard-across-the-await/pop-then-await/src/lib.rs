//! PaySetu's payout sender, fixed by holding the queue's lock only to take the next
//! payout: the guard is dropped before the bank's `.await`.
//!
//! Taking a payout off the queue is the one step that must be indivisible, and it has
//! no `.await` in it; the bank call does not need the lock. The sender's future then
//! holds no guard at its `.await`s, so it is `Send`, and the senders on one queue
//! interleave freely, each payout taken by exactly one of them.

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
        loop {
            // A statement of its own: the guard is dropped at its `;`. (In the
            // condition of a `while let` it would live through the loop's body.)
            let next = self.pending_paise.lock().unwrap().pop();
            let Some(amount_paise) = next else {
                return;
            };
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
