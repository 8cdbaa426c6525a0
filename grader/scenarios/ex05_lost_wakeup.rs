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

use racelab_harness::spec::prelude::*;
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

/// The sequential model for the `spec` stage: `submit(amount)` appends a payout;
/// `next_batch()` completes only once at least `batch_size` payouts are pending, and
/// then removes and returns the oldest `batch_size` of them, in order.
///
/// Worker 0 is the batcher and takes one batch; the main thread takes a second once
/// the workers have joined. Worker 1 submits three payouts and the batcher opens with
/// `batch_size − 1` already pending, so two whole batches are always submitted and a
/// correct batcher never waits for ever; worker 1 may complete both batches before
/// the batcher takes the first.
pub struct Spec;

/// How a spec batcher opens: its batch size (1 or 2), and the payouts submitted
/// before the workers start (one fewer than a batch: the batcher waits for the rest).
#[derive(Debug, Clone)]
pub struct Opening {
    batch_size: usize,
    queued: Vec<i64>,
}

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PayoutBatcher::new({})", self.batch_size)?;
        for amount in &self.queued {
            write!(f, ", submit({amount})")?;
        }
        Ok(())
    }
}

/// The operations of ex05.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `submit(amount_paise)`.
    Submit(i64),
    /// `next_batch()`.
    NextBatch,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Submit(amount) => write!(f, "submit({amount})"),
            Op::NextBatch => f.write_str("next_batch()"),
        }
    }
}

/// What an ex05 operation returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ret {
    /// `submit` returns nothing.
    Done,
    /// The batch taken, oldest payout first.
    Batch(Vec<i64>),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Batch(batch) => write!(f, "{batch:?}"),
        }
    }
}

/// The sequential batcher: its batch size and the pending payouts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pending {
    batch_size: usize,
    payouts: Vec<i64>,
}

/// A payout of ₹1 to ₹3, in paise: small, and shrinking toward ₹1.
fn spec_payout() -> BoxedStrategy<Op> {
    (1..=3i64)
        .prop_map(|rupees| Op::Submit(rupees * 100))
        .boxed()
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<PayoutBatcher>;
    type Handle = Arc<PayoutBatcher>;
    type Op = Op;
    type Ret = Ret;
    type State = Pending;

    fn init() -> BoxedStrategy<Opening> {
        (1..=2usize)
            .prop_flat_map(|batch_size| {
                vec((1..=3i64).prop_map(|rupees| rupees * 100), batch_size - 1)
                    .prop_map(move |queued| Opening { batch_size, queued })
            })
            .boxed()
    }

    /// Worker 0 takes a batch; worker 1 submits three payouts, worker 2 one to three.
    fn thread_part(thread: usize) -> BoxedStrategy<Vec<Op>> {
        match thread {
            0 => Just(vec![Op::NextBatch]).boxed(),
            1 => vec(spec_payout(), 3).boxed(),
            _ => vec(spec_payout(), 1..=3).boxed(),
        }
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::NextBatch]).boxed()
    }

    fn open(opening: &Opening) -> Arc<PayoutBatcher> {
        let batcher = PayoutBatcher::new(opening.batch_size);
        for &amount in &opening.queued {
            batcher.submit(amount);
        }
        Arc::new(batcher)
    }

    fn handle(batcher: &Arc<PayoutBatcher>) -> Arc<PayoutBatcher> {
        Arc::clone(batcher)
    }

    fn apply(batcher: &mut Arc<PayoutBatcher>, op: &Op) -> Ret {
        Self::apply_in_thread(batcher, op)
    }

    fn apply_in_thread(batcher: &mut Arc<PayoutBatcher>, op: &Op) -> Ret {
        match *op {
            Op::Submit(amount) => {
                batcher.submit(amount);
                Ret::Done
            }
            Op::NextBatch => Ret::Batch(batcher.next_batch()),
        }
    }

    fn start(opening: &Opening) -> Pending {
        Pending {
            batch_size: opening.batch_size,
            payouts: opening.queued.clone(),
        }
    }

    fn step(pending: &Pending, op: &Op) -> Option<(Pending, Ret)> {
        let mut after = pending.clone();
        match *op {
            Op::Submit(amount) => {
                after.payouts.push(amount);
                Some((after, Ret::Done))
            }
            Op::NextBatch => (pending.payouts.len() >= pending.batch_size).then(|| {
                let batch = after.payouts.drain(..pending.batch_size).collect();
                (after, Ret::Batch(batch))
            }),
        }
    }
}
