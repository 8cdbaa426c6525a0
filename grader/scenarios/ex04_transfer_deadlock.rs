//! ex04 — the transfer deadlock.
//!
//! Two merchant accounts, each opening with enough for every transfer of the round.
//! `size.workers` threads move money between them, `size.ops` transfers of
//! `TRANSFER_PAISE` each: even-numbered workers from account 0 to account 1, odd ones
//! back from 1 to 0, so transfers in both directions run at once. Meanwhile the
//! scenario's own thread audits the ledger `size.ops` times: the total it reads must
//! always be the money the accounts opened with, never a figure with a transfer
//! half-done.
//!
//! The invariant: every audit, and the balances at the end, add up to the money the
//! accounts opened with, and no balance is below zero. A subject that deadlocks never
//! gets here: loom and shuttle report the blocked threads, and the real-thread stages'
//! watchdogs end the round.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::Ledger;

/// Every transfer moves ₹1.
const TRANSFER_PAISE: i64 = 100;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let opening_paise = TRANSFER_PAISE * (size.workers * size.ops).max(1) as i64;
    let ledger = Arc::new(Ledger::new(&[opening_paise, opening_paise]));
    let held_paise = 2 * opening_paise;
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|worker| {
            let ledger = Arc::clone(&ledger);
            let gate = Arc::clone(&gate);
            let (from, to) = if worker % 2 == 0 { (0, 1) } else { (1, 0) };
            thread::spawn(move || {
                gate.wait();
                for _ in 0..size.ops {
                    ledger.transfer(from, to, TRANSFER_PAISE);
                }
            })
        })
        .collect();
    let audits: Vec<i64> = (0..size.ops).map(|_| ledger.total_paise()).collect();
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let balances = [ledger.balance_paise(0), ledger.balance_paise(1)];
    let observed = audits
        .iter()
        .copied()
        .find(|&audited| audited != held_paise)
        .unwrap_or(balances[0] + balances[1]);
    Outcome {
        invariant: "every audit adds up to the money the accounts opened with".into(),
        expected: held_paise,
        observed,
        unit: "paise".into(),
        holds: observed == held_paise && balances.iter().all(|&b| b >= 0),
    }
}
