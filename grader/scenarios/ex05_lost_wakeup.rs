//! ex05 — the lost wakeup.
//!
//! `size.workers` payout threads submit `size.ops` payouts each, all different
//! amounts, in batches of `size.workers`: `size.ops` whole batches. A batcher thread
//! asks for every batch in turn from the moment the round starts, so it asks early
//! (and sleeps) or late (a batch, or two, already in), however the threads interleave.
//! The batcher must wake up once the last payout of each batch is in.
//!
//! Two submitters and two batches, not one of each: with two submitters the payout
//! that completes a batch can land after another submitter has already said the batch
//! is complete (a ticket taken before the lock, a notification sent for it), and with
//! two batches a flag that holds one batch, or a wakeup sent only for the first, is
//! lost on the second. The payouts are exactly the batches, so no later payout sends a
//! wakeup that hides a lost one.
//!
//! The invariant: every batch the batcher takes holds `size.workers` payouts, and the
//! batches together hold exactly the payouts submitted, each once. A subject that
//! loses the wakeup never gets there: the batcher sleeps for ever, loom and shuttle
//! report it blocked on its condition variable, and the real-thread stages' watchdogs
//! end the round.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace::{self, ObjectKind, Value};
use subject::PayoutBatcher;

/// The amount of payout `number`, in paise: every payout of a round is different.
fn amount_paise(number: usize) -> i64 {
    100 * (number as i64 + 1)
}

/// `batcher.submit(amount_paise)`, marked in the traces as a call.
fn submit(batcher: &PayoutBatcher, amount_paise: i64) {
    trace::call("submit", &[amount_paise.into()]);
    batcher.submit(amount_paise);
    trace::returned_unit("submit");
}

/// `batcher.next_batch()`, marked in the traces as a call.
fn next_batch(batcher: &PayoutBatcher) -> Vec<i64> {
    trace::call("next_batch", &[]);
    let batch = batcher.next_batch();
    trace::returned("next_batch", Value::Other(format!("{batch:?}")));
    batch
}

/// `PayoutBatcher::new(batch_size)`, its lock, flag and condition variable named in
/// the traces as the shipped crate names them (`pending.lock()`, `wakeup.wait(…)`).
fn new_batcher(batch_size: usize) -> PayoutBatcher {
    let names = [
        (ObjectKind::Mutex, "pending"),
        (ObjectKind::AtomicBool, "batch_ready"),
        (ObjectKind::Condvar, "wakeup"),
    ];
    trace::naming_each(&names, || PayoutBatcher::new(batch_size))
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let batch_size = size.workers.max(1);
    let batches = size.ops.max(1);
    let batcher = Arc::new(new_batcher(batch_size));
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let taker = {
        let batcher = Arc::clone(&batcher);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            (0..batches)
                .map(|_| next_batch(&batcher))
                .collect::<Vec<Vec<i64>>>()
        })
    };
    let submitters: Vec<_> = (0..size.workers)
        .map(|worker| {
            let batcher = Arc::clone(&batcher);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                for op in 0..size.ops {
                    submit(&batcher, amount_paise(worker * size.ops + op));
                }
            })
        })
        .collect();
    for submitter in submitters {
        if let Err(panic) = submitter.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let taken = match taker.join() {
        Ok(taken) => taken,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let whole = taken.iter().all(|batch| batch.len() == batch_size);
    let mut paid: Vec<i64> = taken.into_iter().flatten().collect();
    paid.sort_unstable();
    let submitted: Vec<i64> = (0..size.workers * size.ops).map(amount_paise).collect();
    Outcome {
        invariant: "the batches hold every payout submitted, once, a whole batch each".into(),
        expected: submitted.iter().sum(),
        observed: paid.iter().sum(),
        unit: "paise".into(),
        holds: whole && paid == submitted,
    }
}

/// The sequential model for the `spec` stage: `submit(amount)` appends a payout;
/// `next_batch()` completes only once at least `batch_size` payouts are pending, and
/// then removes and returns the oldest `batch_size` of them, in order.
///
/// Worker 0 is the batcher and takes one batch or two. The openings vary: none, part
/// of a batch, or a whole batch already pending (so the batcher's first ask may come
/// early or late). Worker 1 submits four payouts, enough alone for two batches of two,
/// so a correct batcher never waits for ever; worker 2, when there is one, submits one
/// or two more, racing worker 1 for the payout that completes a batch. The main
/// thread takes nothing after the joins: a batch it asked for might never fill.
pub struct Spec;

/// How a spec batcher opens: its batch size (1 or 2), and the payouts submitted
/// before the workers start (none, part of a batch, or a whole one).
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
                let amount = (1..=3i64).prop_map(|rupees| rupees * 100);
                vec(amount, 0..=batch_size)
                    .prop_map(move |queued| Opening { batch_size, queued })
            })
            .boxed()
    }

    /// Worker 0 takes one batch or two; worker 1 submits four payouts, worker 2 one
    /// or two.
    fn thread_part(thread: usize) -> BoxedStrategy<Vec<Op>> {
        match thread {
            0 => vec(Just(Op::NextBatch), 1..=2).boxed(),
            1 => vec(spec_payout(), 4).boxed(),
            _ => vec(spec_payout(), 1..=2).boxed(),
        }
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(Vec::new()).boxed()
    }

    fn open(opening: &Opening) -> Arc<PayoutBatcher> {
        let batcher = new_batcher(opening.batch_size);
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
                submit(batcher, amount);
                Ret::Done
            }
            Op::NextBatch => Ret::Batch(next_batch(batcher)),
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
