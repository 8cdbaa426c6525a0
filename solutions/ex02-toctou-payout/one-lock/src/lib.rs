//! Fix A for ex02: one lock held from the check to the debit.
//!
//! The check and the act become one critical section, so no other payout can change
//! the balance between "it covers this" and "take it off". Right when payouts are not
//! the hot path, or when more than the balance must change together.

use racelab_sync::sync::{Mutex, MutexGuard};

/// One merchant's payout account: the balance that payouts are drawn from.
#[derive(Debug)]
pub struct PayoutAccount {
    available_paise: Mutex<i64>,
}

impl PayoutAccount {
    /// Opens an account with `available_paise` ready to be paid out.
    pub fn new(available_paise: i64) -> Self {
        PayoutAccount {
            available_paise: Mutex::new(available_paise),
        }
    }

    /// Pays out `amount_paise` if the available balance covers it. Returns whether
    /// the payout was approved. The balance stays locked from the check to the debit.
    pub fn request_payout(&self, amount_paise: i64) -> bool {
        let mut available = self.balance();
        if *available < amount_paise {
            return false;
        }
        *available -= amount_paise;
        true
    }

    /// The balance still available for payouts.
    pub fn available_paise(&self) -> i64 {
        *self.balance()
    }

    /// Locks the balance.
    fn balance(&self) -> MutexGuard<'_, i64> {
        self.available_paise
            .lock()
            .expect("a payout thread panicked while holding the balance")
    }
}
