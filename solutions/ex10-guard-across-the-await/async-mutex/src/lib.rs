//! PaySetu's payout sender, fixed with an async lock: `AsyncMutex`'s guard may be held
//! across the bank's `.await`, and is `Send`.
//!
//! A second sender waits at `lock().await` (without blocking the thread) until the
//! first has emptied the queue: the senders take turns rather than interleave, which
//! costs parallelism but keeps the sending loop as it was written.

use racelab_sync::sync::{Arc, AsyncMutex, Mutex};
use racelab_sync::task::{self, JoinHandle};

/// The payouts waiting to be sent, and what the bank has accepted so far.
#[derive(Debug, Default)]
pub struct PayoutQueue {
    pending_paise: AsyncMutex<Vec<i64>>,
    sent_paise: Mutex<i64>,
}

impl PayoutQueue {
    /// An empty queue.
    pub fn new() -> Self {
        PayoutQueue::default()
    }

    /// Queues a payout of `amount_paise`.
    pub fn submit(&self, amount_paise: i64) {
        task::block_on(async { self.pending_paise.lock().await.push(amount_paise) });
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
        let mut pending = self.pending_paise.lock().await;
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
