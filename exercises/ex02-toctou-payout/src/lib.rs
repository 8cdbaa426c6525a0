//! PaySetu's merchant payouts.
//!
//! A merchant's available balance, in paise, funds payouts to the merchant's bank
//! account. Payout requests arrive on several threads at once — the dashboard's
//! "withdraw" button, the nightly auto-payout, the merchant's own API calls — and a
//! payout is approved only if the available balance covers it.
//!
//! Finance keeps finding merchants whose balance is below zero: PaySetu paid out money
//! the merchant never had. Every access to the balance holds the lock, so this is not
//! a data race. Find out what it is and fix it. Read `README.md` beside this file
//! first: it says what you may change.

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
    /// the payout was approved (and the balance debited).
    pub fn request_payout(&self, amount_paise: i64) -> bool {
        if self.available_paise() < amount_paise {
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
            .expect("a payout thread panicked while holding the balance")
    }
}

#[cfg(test)]
mod tests {
    use super::PayoutAccount;

    #[test]
    fn one_thread_alone_never_overdraws() {
        let account = PayoutAccount::new(1_000);
        assert!(account.request_payout(600));
        assert!(!account.request_payout(600), "only 400 paise are left");
        assert!(account.request_payout(400));
        assert_eq!(account.available_paise(), 0);
    }
}
