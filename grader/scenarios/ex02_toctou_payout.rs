//! ex02 — the check-then-act payout.
//!
//! `size.ops` merchant accounts are opened, each holding enough for half as many
//! payouts of `PAYOUT_PAISE` as there are workers (at least one). `size.workers`
//! threads then walk the accounts in the same order, each requesting one payout from
//! every account, so every account gets more requests than it can cover and the
//! requests for it arrive together.
//!
//! The invariant: the payouts approved never add up to more than the accounts held,
//! no account ends below zero, and every approved paisa left its account. A correct
//! subject approves exactly what the accounts held.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::PayoutAccount;

/// Every payout request is for ₹5.
const PAYOUT_PAISE: i64 = 500;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let payouts_covered = (size.workers / 2).max(1) as i64;
    let opening_paise = payouts_covered * PAYOUT_PAISE;
    let accounts: Arc<Vec<PayoutAccount>> = Arc::new(
        (0..size.ops)
            .map(|_| PayoutAccount::new(opening_paise))
            .collect(),
    );
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|_| {
            let accounts = Arc::clone(&accounts);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                let mut approved_paise = 0_i64;
                for account in accounts.iter() {
                    if account.request_payout(PAYOUT_PAISE) {
                        approved_paise += PAYOUT_PAISE;
                    }
                }
                approved_paise
            })
        })
        .collect();
    let mut approved_paise = 0_i64;
    for worker in workers {
        match worker.join() {
            Ok(approved) => approved_paise += approved,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let held_paise = opening_paise * size.ops as i64;
    let left_paise: i64 = accounts.iter().map(PayoutAccount::available_paise).sum();
    let none_overdrawn = accounts.iter().all(|a| a.available_paise() >= 0);
    Outcome {
        invariant: "approved payouts ≤ what the accounts held".into(),
        expected: held_paise,
        observed: approved_paise,
        unit: "paise".into(),
        holds: approved_paise <= held_paise
            && none_overdrawn
            && left_paise == held_paise - approved_paise,
    }
}
