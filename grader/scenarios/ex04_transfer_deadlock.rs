//! ex04 — the transfer deadlock.
//!
//! Two merchant accounts, each opening with enough for every transfer of the round.
//! `size.workers` threads move money between them, `size.ops` transfers of
//! `TRANSFER_PAISE` each: even-numbered workers from account 0 to account 1, odd ones
//! back from 1 to 0, so transfers in both directions run at once. Every transfer is
//! covered, so a correct ledger approves every one.
//!
//! The invariant: each account ends with what it opened with, plus what it was sent,
//! minus what it sent (so every transfer moved its money, whole, exactly once). A
//! subject that deadlocks never gets there: loom and shuttle report the blocked
//! threads, and the real-thread stages' watchdogs end the round.
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
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let each_way = |parity: usize| {
        (0..size.workers).filter(|w| w % 2 == parity).count() as i64
            * size.ops as i64
            * TRANSFER_PAISE
    };
    let (sent_from_0, sent_from_1) = (each_way(0), each_way(1));
    let expected = [
        opening_paise - sent_from_0 + sent_from_1,
        opening_paise - sent_from_1 + sent_from_0,
    ];
    let balances = [ledger.balance_paise(0), ledger.balance_paise(1)];
    let wrong = usize::from(balances[0] == expected[0]);
    Outcome {
        invariant: "every transfer moved its money, whole, once".into(),
        expected: expected[wrong],
        observed: balances[wrong],
        unit: "paise in an account".into(),
        holds: balances == expected,
    }
}
