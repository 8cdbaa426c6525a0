//! ex05 — the lost wakeup.
//!
//! One batch of `size.workers × size.ops` payouts: a batcher thread asks for the next
//! batch as soon as the round starts, while `size.workers` payout threads submit
//! `size.ops` payouts each, all different amounts. The batcher must wake up once the
//! last payout of the batch is in, however the threads interleave.
//!
//! The invariant: the batch the batcher takes holds exactly the payouts submitted,
//! each once. A subject that loses the wakeup never gets there: the batcher sleeps for
//! ever, loom and shuttle report it blocked on its condition variable, and the
//! real-thread stages' watchdogs end the round.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::PayoutBatcher;

/// The amount of payout `number`, in paise: every payout of a round is different.
fn amount_paise(number: usize) -> i64 {
    100 * (number as i64 + 1)
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let batch_size = (size.workers * size.ops).max(1);
    let batcher = Arc::new(PayoutBatcher::new(batch_size));
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let taker = {
        let batcher = Arc::clone(&batcher);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            batcher.next_batch()
        })
    };
    let submitters: Vec<_> = (0..size.workers)
        .map(|worker| {
            let batcher = Arc::clone(&batcher);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                for op in 0..size.ops {
                    batcher.submit(amount_paise(worker * size.ops + op));
                }
            })
        })
        .collect();
    for submitter in submitters {
        if let Err(panic) = submitter.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let mut batch = match taker.join() {
        Ok(batch) => batch,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    batch.sort_unstable();
    let submitted: Vec<i64> = (0..batch_size).map(amount_paise).collect();
    Outcome {
        invariant: "the batch holds every payout submitted, once".into(),
        expected: submitted.iter().sum(),
        observed: batch.iter().sum(),
        unit: "paise".into(),
        holds: batch == submitted,
    }
}
