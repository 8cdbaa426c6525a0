//! ex01 — the lost update.
//!
//! `size.workers` threads each take a recorder from one settlement and record
//! `size.ops` settled amounts; once all have finished, the reported total must equal
//! the sum of every amount recorded.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::Settlement;

/// The amount, in paise, that worker `worker` settles in its `op`-th transfer:
/// between ₹1 and ₹5, varied so that a lost update changes the total visibly.
fn amount_paise(worker: usize, op: usize) -> u64 {
    100 * (1 + ((worker * 7 + op * 3) % 5) as u64)
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let settlement = Settlement::new();
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|worker| {
            let mut recorder = settlement.recorder();
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                for op in 0..size.ops {
                    recorder.record(amount_paise(worker, op));
                }
                recorder.finish();
            })
        })
        .collect();
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let expected: u64 = (0..size.workers)
        .flat_map(|worker| (0..size.ops).map(move |op| amount_paise(worker, op)))
        .sum();
    Outcome::equal(
        "reported total = sum of recorded amounts",
        expected as i64,
        settlement.total_settled() as i64,
        "paise",
    )
}
