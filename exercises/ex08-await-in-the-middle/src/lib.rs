//! PaySetu's async payout service.
//!
//! The payout service moved to async Rust: each payout request is a task, and before
//! any money leaves, the fraud desk (another service, called over the network) must
//! clear the payout. While a task awaits the fraud desk's answer, the executor runs
//! the other requests: that is what async is for.
//!
//! Since the move, finance finds merchants whose balance is below zero again, and this
//! time on a runtime with a single thread: no two threads ever touch the balance at
//! once. Find out how it happens and fix it. Read `README.md` beside this file first:
//! it says what you may change.

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
        self.debit(amount_paise);
        true
    }

    /// The balance still available for payouts.
    pub fn available_paise(&self) -> i64 {
        *self.balance()
    }

    /// Takes `amount_paise` off the balance.
    fn debit(&self, amount_paise: i64) {
        *self.balance() -= amount_paise;
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

#[cfg(test)]
mod tests {
    use super::PayoutService;
    use racelab_sync::task;

    #[test]
    fn one_request_at_a_time_never_overdraws() {
        let account = PayoutService::new(1_000);
        task::block_on(async {
            assert!(!account.request_payout(800).await, "above the fraud limit");
            assert!(account.request_payout(600).await);
            assert!(
                !account.request_payout(600).await,
                "only 400 paise are left"
            );
            assert!(account.request_payout(400).await);
        });
        assert_eq!(account.available_paise(), 0);
    }
}
