//! ex07 — the torn snapshot.
//!
//! One feed thread publishes `size.ops` quotes in turn, quote `i` quoted at second `i`
//! with a rate that is different for every second. `size.workers` payment threads take
//! snapshots of the board from the start until they see the last quote, yielding only
//! when the board has not changed since their last look, so their snapshots fall while
//! the feed is writing.
//!
//! The invariant: every snapshot is one quote the feed published (its rate is the rate
//! quoted at its time), and no payment thread sees the board go back in time.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::{Quote, RateBoard};

/// The quote the feed publishes at second `second`: ₹83.0000 per dollar at the
/// opening, a ten-thousandth more each second, so no two seconds share a rate.
fn quote_at(second: u32) -> Quote {
    Quote {
        rate: 830_000 + second,
        quoted_at: second,
    }
}

/// A payment thread's looks at the board: how many snapshots were torn or went back
/// in time, until the last quote showed.
fn watch(board: &RateBoard, last: u32) -> usize {
    let mut wrong = 0;
    let mut seen = quote_at(0);
    loop {
        let quote = board.snapshot();
        if quote != quote_at(quote.quoted_at) || quote.quoted_at < seen.quoted_at {
            wrong += 1;
        }
        if quote.quoted_at >= last {
            return wrong;
        }
        if quote == seen {
            // Nothing new: let the feed run (loom and shuttle need this to move on).
            thread::yield_now();
        }
        seen = quote;
    }
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let last = u32::try_from(size.ops).expect("fewer than 2^32 quotes");
    let board = Arc::new(RateBoard::new(quote_at(0)));
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let payments: Vec<_> = (0..size.workers)
        .map(|_| {
            let board = Arc::clone(&board);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                watch(&board, last)
            })
        })
        .collect();
    let feed = {
        let board = Arc::clone(&board);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            for second in 1..=last {
                board.publish(quote_at(second));
            }
        })
    };
    let mut wrong = 0;
    for payment in payments {
        match payment.join() {
            Ok(seen) => wrong += seen,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    if let Err(panic) = feed.join() {
        std::panic::resume_unwind(panic);
    }
    Outcome::equal(
        "every snapshot is one published quote, never older than the last",
        0,
        wrong as i64,
        "wrong snapshots",
    )
}
