//! ex03 — the flag flip.
//!
//! One closer thread closes `size.ops` business days in turn: it adds up each day's
//! transfers one by one, then publishes the summary. `size.workers` report readers
//! wait for every day in the same order and compare the summary they read with the
//! one the closer published. Adding up takes the closer longer than checking takes a
//! reader, so readers catch up with it and read most summaries moments after they are
//! published, which is when a reordered publication would show.
//!
//! The invariant: every reader reads every day's summary whole — the figures the
//! closer wrote, not zeros and not a mix of two states.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::{DayClose, DaySummary};

/// Every transfer in the scenario settles ₹2.50.
const TRANSFER_PAISE: u64 = 250;

/// The summary of day `day`, worked out directly: what every reader must read. Every
/// field is nonzero and changes from day to day, so a stale or half-written summary
/// never equals it.
fn summary_of(day: usize) -> DaySummary {
    let day = day as u64;
    let transfers = 1_000 + day % 100;
    let settled_paise = TRANSFER_PAISE * transfers;
    DaySummary {
        transfers,
        settled_paise,
        fees_paise: settled_paise / 50,
        refunded_paise: 1_100 + 3 * day,
    }
}

/// The closer's work for day `day`: adding up its transfers one at a time (under a
/// microsecond on real threads, longer than a reader's check), to the same figures as
/// [`summary_of`].
fn close_day(day: usize) -> DaySummary {
    let mut summary = DaySummary {
        refunded_paise: summary_of(day).refunded_paise,
        ..DaySummary::default()
    };
    for _ in 0..summary_of(day).transfers {
        summary.transfers += 1;
        summary.settled_paise += std::hint::black_box(TRANSFER_PAISE);
    }
    summary.fees_paise = summary.settled_paise / 50;
    summary
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let days: Arc<Vec<DayClose>> = Arc::new((0..size.ops).map(|_| DayClose::new()).collect());
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let readers: Vec<_> = (0..size.workers)
        .map(|_| {
            let days = Arc::clone(&days);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                days.iter()
                    .enumerate()
                    .filter(|(day, close)| close.wait_for_summary() == summary_of(*day))
                    .count()
            })
        })
        .collect();
    let closer = {
        let days = Arc::clone(&days);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            for (day, close) in days.iter().enumerate() {
                close.publish(close_day(day));
            }
        })
    };
    let mut whole = 0;
    for reader in readers {
        match reader.join() {
            Ok(read) => whole += read,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    if let Err(panic) = closer.join() {
        std::panic::resume_unwind(panic);
    }
    Outcome::equal(
        "every reader reads each published summary whole",
        (size.ops * size.workers) as i64,
        whole as i64,
        "summaries",
    )
}
