//! ex05 — TODO(author): the scenario in one line.
//!
//! `size.workers` threads each add `size.ops` amounts to one shared counter; once all
//! have finished, the total must equal the sum of every amount added.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::Counter;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let counter = Arc::new(Counter::new());
    let workers: Vec<_> = (0..size.workers)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..size.ops {
                    counter.add(1);
                }
            })
        })
        .collect();
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    Outcome::equal(
        "total = sum of amounts added",
        (size.workers * size.ops) as i64,
        counter.total() as i64,
        "units",
    )
}
