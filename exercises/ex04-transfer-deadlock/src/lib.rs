//! PaySetu's merchant ledger.
//!
//! Every merchant has an account, and money moves between accounts all day: a
//! marketplace pays its sellers, a seller refunds a buyer who is also a merchant, the
//! settlement engine nets two merchants' dues against each other. Each account has its
//! own lock, so transfers between unrelated accounts never wait for each other.
//!
//! Since the ledger went live, the payments service hangs a few times a week: every
//! transfer thread is stuck, nothing is lost, nothing moves, and only a restart helps.
//! Find out why and fix it. Read `README.md` beside this file first: it says what you
//! may change.

use racelab_sync::sync::{Mutex, MutexGuard};

/// One merchant's account: its balance, in paise, behind its own lock.
#[derive(Debug)]
struct Account {
    balance_paise: Mutex<i64>,
}

impl Account {
    /// Locks the balance. (`#[track_caller]`: the grader's tables show the line that
    /// called this helper, not the line inside it.)
    #[track_caller]
    fn lock(&self) -> MutexGuard<'_, i64> {
        self.balance_paise
            .lock()
            .expect("a transfer thread panicked while holding an account")
    }
}

/// Every merchant account, numbered from 0.
#[derive(Debug)]
pub struct Ledger {
    accounts: Vec<Account>,
}

impl Ledger {
    /// Opens one account per entry of `opening_paise`, holding that balance; account
    /// `i` opens with `opening_paise[i]`.
    pub fn new(opening_paise: &[i64]) -> Self {
        Ledger {
            accounts: opening_paise
                .iter()
                .map(|&paise| Account {
                    balance_paise: Mutex::new(paise),
                })
                .collect(),
        }
    }

    /// Moves `amount_paise` from account `from` to account `to`, if `from` holds
    /// enough. Returns whether the money moved; a transfer to the same account moves
    /// nothing and returns `false`.
    pub fn transfer(&self, from: usize, to: usize, amount_paise: i64) -> bool {
        if from == to {
            return false;
        }
        let mut source = self.accounts[from].lock();
        if *source < amount_paise {
            return false;
        }
        let mut destination = self.accounts[to].lock();
        *source -= amount_paise;
        *destination += amount_paise;
        true
    }

    /// The balance of account `account`.
    pub fn balance_paise(&self, account: usize) -> i64 {
        *self.accounts[account].lock()
    }
}

#[cfg(test)]
mod tests {
    use super::Ledger;

    #[test]
    fn one_thread_alone_moves_money_and_keeps_the_total() {
        let ledger = Ledger::new(&[1_000, 0]);
        assert!(ledger.transfer(0, 1, 600));
        assert!(!ledger.transfer(0, 1, 600), "only 400 paise are left");
        assert!(ledger.transfer(1, 0, 100));
        assert!(!ledger.transfer(1, 1, 1), "a transfer needs two accounts");
        assert_eq!(
            (ledger.balance_paise(0), ledger.balance_paise(1)),
            (500, 500)
        );
    }
}
