//! ex00 — the shared counter.
//!
//! `size.workers` batches of `size.ops` transfers are settled in parallel by the
//! subject's own `settle_in_parallel` (one worker thread per batch); then the counter
//! must hold every transfer and every paisa.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::sync::Arc;
use racelab_sync::trace;
use subject::SettlementCounter;

/// The amount, in paise, of transfer `op` of batch `batch`: ₹1 to ₹5.
fn amount_paise(batch: usize, op: usize) -> u64 {
    100 * (1 + ((batch * 7 + op * 3) % 5) as u64)
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let counter = SettlementCounter::new();
    let batches: Vec<Vec<u64>> = (0..size.workers)
        .map(|batch| (0..size.ops).map(|op| amount_paise(batch, op)).collect())
        .collect();
    let expected_paise: u64 = batches.iter().flatten().sum();
    let expected_transfers = (size.workers * size.ops) as u64;
    // Described only where steps are recorded: stress runs this round many times.
    trace::call_described(|| {
        let arguments = vec![
            trace::Value::Other("&counter".into()),
            trace::Value::Other(format!("{batches:?}")),
        ];
        ("settle_in_parallel".into(), arguments)
    });
    subject::settle_in_parallel(&counter, batches);
    trace::returned_unit("settle_in_parallel");
    let transfers = counter.transfers();
    let mut outcome = Outcome::equal(
        "counted paise = sum of settled transfers",
        expected_paise as i64,
        counter.settled_paise() as i64,
        "paise",
    );
    outcome.holds &= transfers == expected_transfers;
    outcome
}

/// The sequential model for the `spec` stage: a counter of transfers and paise;
/// `record(a)` adds one transfer of `a`; `transfers()` and `settled_paise()`, read
/// once the workers are done, are the two figures.
pub struct Spec;

/// How a counter starts: at zero (shown as the scenario's start).
#[derive(Debug, Clone, Copy)]
pub struct NewCounter;

impl std::fmt::Display for NewCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SettlementCounter::new()")
    }
}

/// The operations of ex00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `record(amount_paise)`.
    Record(u64),
    /// `transfers()`.
    Transfers,
    /// `settled_paise()`.
    SettledPaise,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Record(paise) => write!(f, "record({paise})"),
            Op::Transfers => f.write_str("transfers()"),
            Op::SettledPaise => f.write_str("settled_paise()"),
        }
    }
}

/// What an ex00 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `record` returns nothing.
    Done,
    /// A figure.
    Figure(u64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Figure(n) => write!(f, "{n}"),
        }
    }
}

impl Model for Spec {
    type Init = NewCounter;
    type Object = Arc<SettlementCounter>;
    type Handle = Arc<SettlementCounter>;
    type Op = Op;
    type Ret = Ret;
    /// (transfers, paise).
    type State = (u64, u64);

    fn init() -> BoxedStrategy<NewCounter> {
        Just(NewCounter).boxed()
    }

    /// Workers only record: the figures are read once they are done, as the night's
    /// report reads them (two figures updated one after the other, as the atomics
    /// solution does, may be seen half-updated in between).
    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        vec((1..=5_u64).prop_map(|rupees| Op::Record(100 * rupees)), 1..=3).boxed()
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Transfers, Op::SettledPaise]).boxed()
    }

    fn open(_: &NewCounter) -> Arc<SettlementCounter> {
        Arc::new(SettlementCounter::new())
    }

    fn handle(counter: &Arc<SettlementCounter>) -> Arc<SettlementCounter> {
        Arc::clone(counter)
    }

    fn apply(counter: &mut Arc<SettlementCounter>, op: &Op) -> Ret {
        Self::apply_in_thread(counter, op)
    }

    fn apply_in_thread(counter: &mut Arc<SettlementCounter>, op: &Op) -> Ret {
        match op {
            Op::Record(paise) => {
                counter.record(*paise);
                Ret::Done
            }
            Op::Transfers => Ret::Figure(counter.transfers()),
            Op::SettledPaise => Ret::Figure(counter.settled_paise()),
        }
    }

    fn start(_: &NewCounter) -> (u64, u64) {
        (0, 0)
    }

    fn step(&(transfers, paise): &(u64, u64), op: &Op) -> Option<((u64, u64), Ret)> {
        Some(match op {
            Op::Record(amount) => ((transfers + 1, paise + amount), Ret::Done),
            Op::Transfers => ((transfers, paise), Ret::Figure(transfers)),
            Op::SettledPaise => ((transfers, paise), Ret::Figure(paise)),
        })
    }
}
