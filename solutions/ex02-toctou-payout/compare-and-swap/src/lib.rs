//! Fix B for ex02: a compare-and-swap loop on an atomic balance.
//!
//! `fetch_update` reads the balance, decides, and writes the new balance only if
//! nobody changed it in between; if somebody did, it decides again with the fresh
//! value. The check is therefore always made against the balance that gets debited.
//! Right when one number is all that must change: no lock, no waiting, but under
//! heavy contention threads may retry.

use racelab_sync::sync::atomic::{AtomicI64, Ordering};

/// One merchant's payout account: the balance that payouts are drawn from.
#[derive(Debug)]
pub struct PayoutAccount {
    available_paise: AtomicI64,
}

impl PayoutAccount {
    /// Opens an account with `available_paise` ready to be paid out.
    pub fn new(available_paise: i64) -> Self {
        PayoutAccount {
            available_paise: AtomicI64::new(available_paise),
        }
    }

    /// Pays out `amount_paise` if the available balance covers it. Returns whether
    /// the payout was approved.
    ///
    /// The closure may run more than once: each time another payout won the race to
    /// the balance, it is asked again with the balance as it now is. `Relaxed` is
    /// enough because the decision depends on this one number only; the atomic
    /// read-modify-write, not the ordering, is what rules out two approvals of the
    /// same paise.
    pub fn request_payout(&self, amount_paise: i64) -> bool {
        self.available_paise
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |available| {
                (available >= amount_paise).then_some(available - amount_paise)
            })
            .is_ok()
    }

    /// The balance still available for payouts.
    pub fn available_paise(&self) -> i64 {
        self.available_paise.load(Ordering::Relaxed)
    }
}
