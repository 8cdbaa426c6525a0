//! ex04, fixed with one lock for the whole ledger: a transfer takes one lock, so it
//! can never hold one while waiting for another.
//!
//! With a single `Mutex` around every balance there is nothing to take in the wrong
//! order: the cycle a deadlock needs cannot form. Anything that reads several balances
//! (an audit of the total, say) sees them all at one moment, never a transfer
//! half-done.
//!
//! When to choose it: contention is low, or the operations are short, and simplicity
//! matters more than letting transfers between unrelated accounts run in parallel
//! (they now queue behind each other). It is the easiest fix to get right and to keep
//! right.

use racelab_sync::sync::{Mutex, MutexGuard};

/// Every merchant account, numbered from 0, behind one lock.
#[derive(Debug)]
pub struct Ledger {
    balances_paise: Mutex<Vec<i64>>,
}

impl Ledger {
    /// Opens one account per entry of `opening_paise`, holding that balance.
    pub fn new(opening_paise: &[i64]) -> Self {
        Ledger {
            balances_paise: Mutex::new(opening_paise.to_vec()),
        }
    }

    /// Moves `amount_paise` from `from` to `to` if `from` holds enough; returns
    /// whether the money moved (never for a transfer to the same account).
    pub fn transfer(&self, from: usize, to: usize, amount_paise: i64) -> bool {
        if from == to {
            return false;
        }
        let mut balances = self.balances();
        if balances[from] < amount_paise {
            return false;
        }
        balances[from] -= amount_paise;
        balances[to] += amount_paise;
        true
    }

    /// The balance of account `account`.
    pub fn balance_paise(&self, account: usize) -> i64 {
        self.balances()[account]
    }

    /// Locks every balance.
    fn balances(&self) -> MutexGuard<'_, Vec<i64>> {
        self.balances_paise
            .lock()
            .expect("a transfer thread panicked while holding the ledger")
    }
}
