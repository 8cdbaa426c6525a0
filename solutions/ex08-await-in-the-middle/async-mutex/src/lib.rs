//! PaySetu's async payout service, fixed by holding an async lock from the check to
//! the debit, across the fraud desk's `.await`.
//!
//! `AsyncMutex`'s guard may be held across an `.await`: a second request for the same
//! account waits (without blocking the executor) until the first has been cleared and
//! debited. Payouts of one account are then served one at a time, fraud check
//! included: simple and obviously right, at the cost of the fraud desk's latency per
//! payout of a busy account.

use racelab_sync::sync::AsyncMutex;
use racelab_sync::task;

/// The fraud desk declines any payout above ₹7 (700 paise): new merchants have a low
/// limit until they are verified.
pub const FRAUD_LIMIT_PAISE: i64 = 700;

/// One merchant's payout account, served by async request handlers.
#[derive(Debug)]
pub struct PayoutService {
    available_paise: AsyncMutex<i64>,
}

impl PayoutService {
    /// Opens an account with `available_paise` ready to be paid out.
    pub fn new(available_paise: i64) -> Self {
        PayoutService {
            available_paise: AsyncMutex::new(available_paise),
        }
    }

    /// Pays out `amount_paise` if the available balance covers it and the fraud desk
    /// clears it. Returns whether the payout was approved (and the balance debited).
    pub async fn request_payout(&self, amount_paise: i64) -> bool {
        let mut balance = self.available_paise.lock().await;
        if *balance < amount_paise {
            return false;
        }
        // Still holding the guard: no other request can read this balance until this
        // one has been decided.
        if !fraud_desk_clears(amount_paise).await {
            return false;
        }
        *balance -= amount_paise;
        true
    }

    /// The balance still available for payouts.
    pub fn available_paise(&self) -> i64 {
        task::block_on(async { *self.available_paise.lock().await })
    }
}

/// Asks the fraud desk about a payout: a call to another service, so the task waits
/// for the answer (the `.await`) and the executor runs other tasks meanwhile.
async fn fraud_desk_clears(amount_paise: i64) -> bool {
    task::yield_now().await;
    amount_paise <= FRAUD_LIMIT_PAISE
}
