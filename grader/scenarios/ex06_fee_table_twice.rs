//! ex06 — the fee table loaded twice.
//!
//! `size.ops` payment servers start, each with a fee table not loaded yet.
//! `size.workers` payment threads then walk the servers in the same order, each pricing
//! one payment on every server, so the first payments on a server arrive together and
//! all find its table not loaded. The pricing service counts its calls, and takes a
//! moment to answer (it works the table out one entry at a time).
//!
//! The invariant: each server calls the pricing service once, and every payment is
//! priced with the whole table it returned.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::sync::atomic::{AtomicUsize, Ordering};
use racelab_sync::thread;
use subject::{FeeTable, LazyFeeTable};

/// The fee table the pricing service returns to server `server`: every field nonzero
/// and different from server to server, so a table read before it is filled, or
/// filled from another server's, never equals it.
fn table_for(server: usize) -> FeeTable {
    let server = server as u64;
    FeeTable {
        card_bps: 150 + server % 50,
        upi_bps: 10 + server % 7,
        fixed_paise: 200 + server % 100,
        version: 1 + server,
    }
}

/// The pricing service's answer for `server`, worked out one basis point at a time
/// (under a microsecond on real threads, long enough for other payments to arrive).
fn priced_by_the_service(server: usize) -> FeeTable {
    let mut table = FeeTable {
        version: table_for(server).version,
        ..FeeTable::default()
    };
    for _ in 0..table_for(server).card_bps {
        table.card_bps += std::hint::black_box(1);
    }
    table.upi_bps = table_for(server).upi_bps;
    table.fixed_paise = table_for(server).fixed_paise;
    table
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let calls = Arc::new(AtomicUsize::new(0));
    let servers: Arc<Vec<LazyFeeTable>> = Arc::new(
        (0..size.ops)
            .map(|server| {
                let calls = Arc::clone(&calls);
                LazyFeeTable::new(move || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    priced_by_the_service(server)
                })
            })
            .collect(),
    );
    let gate = Arc::new(StartGate::new(size.workers));
    let payments: Vec<_> = (0..size.workers)
        .map(|_| {
            let servers = Arc::clone(&servers);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                servers
                    .iter()
                    .enumerate()
                    .filter(|(server, fees)| fees.get() == table_for(*server))
                    .count()
            })
        })
        .collect();
    let mut priced_right = 0;
    for payment in payments {
        match payment.join() {
            Ok(right) => priced_right += right,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let calls = calls.load(Ordering::Relaxed);
    if calls != size.ops {
        return Outcome::equal(
            "the pricing service is called once per server",
            size.ops as i64,
            calls as i64,
            "calls",
        );
    }
    Outcome::equal(
        "every payment is priced with the whole fee table",
        (size.ops * size.workers) as i64,
        priced_right as i64,
        "payments",
    )
}
