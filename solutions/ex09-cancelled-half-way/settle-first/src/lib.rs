//! PaySetu's wallet transfers, made cancellation-safe by changing nothing before the
//! `.await`: the settlement network confirms first, then the money moves in one step,
//! with no `.await` in it.
//!
//! A future can be dropped at any `.await`. If all the transfer's writes come after the
//! last one, dropping it there leaves the wallets as they were: the request failed
//! whole, and the client's retry is safe.

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
        settlement_confirms(from, to, amount_paise).await;
        // From here to the end there is no `.await`: nothing can stop it half-way.
        let mut balances = self.balances();
        if balances[from] < amount_paise {
            return false;
        }
        balances[from] -= amount_paise;
        balances[to] += amount_paise;
        true
    }

    /// The balance of wallet `wallet`.
    pub fn balance_paise(&self, wallet: usize) -> i64 {
        self.balances()[wallet]
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
