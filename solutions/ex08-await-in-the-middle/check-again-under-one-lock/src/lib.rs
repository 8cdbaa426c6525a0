//! PaySetu's async payout service, fixed by deciding again after the `.await`, with the
//! check and the debit under one guard.
//!
//! The first check only saves the fraud desk a call for a payout the balance cannot
//! cover; what the task saw before the `.await` may be stale after it, so the balance
//! is checked again and debited under one `MutexGuard`, with no `.await` between the
//! two. The lock is never held across an `.await`, so requests for one account still
//! wait for the fraud desk side by side.

use racelab_sync::sync::{Mutex, MutexGuard};
use racelab_sync::task;

/// The fraud desk declines any payout above ₹7 (700 paise): new merchants have a low
/// limit until they are verified.
pub const FRAUD_LIMIT_PAISE: i64 = 700;

/// One merchant's payout account, served by async request handlers.
#[derive(Debug)]
pub struct PayoutService {
    available_paise: Mutex<i64>,
}

impl PayoutService {
    /// Opens an account with `available_paise` ready to be paid out.
    pub fn new(available_paise: i64) -> Self {
        PayoutService {
            available_paise: Mutex::new(available_paise),
        }
    }

    /// Pays out `amount_paise` if the available balance covers it and the fraud desk
    /// clears it. Returns whether the payout was approved (and the balance debited).
    pub async fn request_payout(&self, amount_paise: i64) -> bool {
        if self.available_paise() < amount_paise {
            return false;
        }
        if !fraud_desk_clears(amount_paise).await {
            return false;
        }
        let mut balance = self.balance();
        if *balance < amount_paise {
            return false;
        }
        *balance -= amount_paise;
        true
    }

    /// The balance still available for payouts.
    pub fn available_paise(&self) -> i64 {
        *self.balance()
    }

    /// Locks the balance: every read and every write of it goes through here.
    fn balance(&self) -> MutexGuard<'_, i64> {
        self.available_paise
            .lock()
            .expect("a payout task panicked while holding the balance")
    }
}

/// Asks the fraud desk about a payout: a call to another service, so the task waits
/// for the answer (the `.await`) and the executor runs other tasks meanwhile.
async fn fraud_desk_clears(amount_paise: i64) -> bool {
    task::yield_now().await;
    amount_paise <= FRAUD_LIMIT_PAISE
}
