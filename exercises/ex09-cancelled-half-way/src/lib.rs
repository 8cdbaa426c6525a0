//! PaySetu's wallet transfers.
//!
//! A merchant moves money between PaySetu wallets (their sales wallet, their payout
//! reserve, a supplier's wallet). A transfer debits one wallet, waits for the
//! settlement network to confirm it (a call to another service: an `.await`), then
//! credits the other. The API server gives every request a deadline: when it passes,
//! the server stops waiting, and the request's future is dropped where it stands.
//!
//! Since the deadline was shortened, the wallets' total no longer matches the bank's:
//! money vanishes, a few paise at a time, on busy days. Find out where it goes and fix
//! it. Read `README.md` beside this file first: it says what you may change.

use racelab_sync::sync::{Mutex, MutexGuard};
use racelab_sync::task;

/// PaySetu's wallets, each a balance in paise.
#[derive(Debug)]
pub struct Wallets {
    balances_paise: Mutex<Vec<i64>>,
}

impl Wallets {
    /// Opens wallets with these balances, numbered from 0.
    pub fn new(balances_paise: Vec<i64>) -> Self {
        Wallets {
            balances_paise: Mutex::new(balances_paise),
        }
    }

    /// Moves `amount_paise` from wallet `from` to wallet `to` if `from` covers it.
    /// Returns whether the money moved.
    pub async fn transfer(&self, from: usize, to: usize, amount_paise: i64) -> bool {
        if !self.debit(from, amount_paise) {
            return false;
        }
        settlement_confirms(from, to, amount_paise).await;
        self.credit(to, amount_paise);
        true
    }

    /// The balance of wallet `wallet`.
    pub fn balance_paise(&self, wallet: usize) -> i64 {
        self.balances()[wallet]
    }

    /// Takes `amount_paise` from `wallet` if it covers it; whether it did.
    fn debit(&self, wallet: usize, amount_paise: i64) -> bool {
        let mut balances = self.balances();
        if balances[wallet] < amount_paise {
            return false;
        }
        balances[wallet] -= amount_paise;
        true
    }

    /// Adds `amount_paise` to `wallet`.
    fn credit(&self, wallet: usize, amount_paise: i64) {
        self.balances()[wallet] += amount_paise;
    }

    fn balances(&self) -> MutexGuard<'_, Vec<i64>> {
        self.balances_paise
            .lock()
            .expect("a transfer panicked while holding the balances")
    }
}

/// Waits for the settlement network to confirm a transfer: a call to another
/// service, so the task waits (the `.await`) and the executor runs other tasks.
async fn settlement_confirms(_from: usize, _to: usize, _amount_paise: i64) {
    task::yield_now().await;
}

#[cfg(test)]
mod tests {
    use super::Wallets;
    use racelab_sync::task;

    #[test]
    fn a_transfer_left_to_finish_moves_the_money_whole() {
        let wallets = Wallets::new(vec![1_000, 0]);
        task::block_on(async {
            assert!(wallets.transfer(0, 1, 600).await);
            assert!(
                !wallets.transfer(0, 1, 600).await,
                "only 400 paise are left"
            );
        });
        assert_eq!(wallets.balance_paise(0), 400);
        assert_eq!(wallets.balance_paise(1), 600);
    }
}
