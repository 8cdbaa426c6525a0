//! ex01 — the lost update.
//!
//! `size.workers` threads each take a recorder from one settlement and record
//! `size.ops` settled amounts; once all have finished, the reported total must equal
//! the sum of every amount recorded.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace;
use subject::Settlement;

/// The amount, in paise, that worker `worker` settles in its `op`-th transfer:
/// between ₹1 and ₹5, varied so that a lost update changes the total visibly.
fn amount_paise(worker: usize, op: usize) -> u64 {
    100 * (1 + ((worker * 7 + op * 3) % 5) as u64)
}

/// `Settlement::new()`, its total named in the traces as the shipped crate names it
/// (`total_paise.load()` rather than `cell#1.load()`).
fn new_settlement() -> Settlement {
    let names = [(trace::ObjectKind::Memory, "total_paise")];
    trace::naming_each(&names, Settlement::new)
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let settlement = new_settlement();
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|worker| {
            let mut recorder = settlement.recorder();
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                for op in 0..size.ops {
                    let amount = amount_paise(worker, op);
                    trace::call("record", &[amount.into()]);
                    recorder.record(amount);
                    trace::returned_unit("record");
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

/// The sequential model for the `spec` stage: a settlement is a running total;
/// `record(a)` adds `a`, `finish()` hands nothing back, and once every recorder has
/// finished, `total_settled()` is the sum of everything recorded.
pub struct Spec;

/// How a settlement starts: empty (shown as the scenario's start).
#[derive(Debug, Clone, Copy)]
pub struct NewSettlement;

impl std::fmt::Display for NewSettlement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Settlement::new()")
    }
}

/// The operations of ex01: each worker records through its own recorder and then
/// finishes it; the report reads the total once every worker has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `recorder.record(amount_paise)`.
    Record(u64),
    /// `recorder.finish()`.
    Finish,
    /// `settlement.total_settled()`.
    Total,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Record(paise) => write!(f, "record({paise})"),
            Op::Finish => f.write_str("finish()"),
            Op::Total => f.write_str("total_settled()"),
        }
    }
}

/// What an ex01 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `record` and `finish` return nothing.
    Done,
    /// `total_settled`'s paise.
    Paise(u64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Paise(paise) => write!(f, "{paise}"),
        }
    }
}

/// The settlement and the main thread's own recorder (for the initial part).
pub struct Settled {
    settlement: Settlement,
    recorder: Option<subject::Recorder>,
}

/// One recorder's operations: its records (₹1 to ₹5 each), then `finish()`.
fn recorder_part(most: usize) -> BoxedStrategy<Vec<Op>> {
    vec((1..=5_u64).prop_map(|rupees| Op::Record(100 * rupees)), 0..=most)
        .prop_map(|mut ops| {
            ops.push(Op::Finish);
            ops
        })
        .boxed()
}

impl Model for Spec {
    type Init = NewSettlement;
    type Object = Settled;
    type Handle = Option<subject::Recorder>;
    type Op = Op;
    type Ret = Ret;
    type State = u64;

    fn init() -> BoxedStrategy<NewSettlement> {
        Just(NewSettlement).boxed()
    }

    fn initial_part() -> BoxedStrategy<Vec<Op>> {
        prop_oneof![Just(Vec::new()), recorder_part(1)].boxed()
    }

    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        recorder_part(2)
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Total]).boxed()
    }

    fn open(_: &NewSettlement) -> Settled {
        let settlement = new_settlement();
        let recorder = Some(settlement.recorder());
        Settled {
            settlement,
            recorder,
        }
    }

    fn handle(object: &Settled) -> Option<subject::Recorder> {
        Some(object.settlement.recorder())
    }

    fn apply(object: &mut Settled, op: &Op) -> Ret {
        match op {
            Op::Total => Ret::Paise(object.settlement.total_settled()),
            op => Self::apply_in_thread(&mut object.recorder, op),
        }
    }

    fn apply_in_thread(recorder: &mut Option<subject::Recorder>, op: &Op) -> Ret {
        match (op, recorder.as_mut()) {
            (Op::Record(paise), Some(recorder)) => recorder.record(*paise),
            (Op::Finish, Some(_)) => recorder.take().into_iter().for_each(|r| r.finish()),
            (op, _) => panic!("the spec scenario cannot apply {op} here: a model error"),
        }
        Ret::Done
    }

    fn start(_: &NewSettlement) -> u64 {
        0
    }

    fn step(total: &u64, op: &Op) -> Option<(u64, Ret)> {
        Some(match op {
            Op::Record(paise) => (total + paise, Ret::Done),
            Op::Finish => (*total, Ret::Done),
            Op::Total => (*total, Ret::Paise(*total)),
        })
    }
}
