//! ex10 — the guard across the await.
//!
//! A queue gets `size.ops` payouts of ₹1, ₹2, … (distinct, so that a payout sent twice
//! and one never sent cannot cancel out), then `size.workers` sender tasks are started
//! on it together (`PayoutQueue::start_sending`) inside one `task::block_on`.
//!
//! The invariant: once every sender has ended, the bank accepted each payout exactly
//! once: what it accepted is what was queued. As shipped, the crate does not compile
//! (the sender's future is not `Send`), so no stage runs until that is fixed.
//! The grader compiles this file together with the subject (as the crate `subject`).

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::sync::Arc;
use racelab_sync::task;
use subject::PayoutQueue;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let queue = Arc::new(PayoutQueue::new());
    let queued_paise: i64 = (1..=size.ops as i64)
        .map(|rupees| {
            queue.submit(100 * rupees);
            100 * rupees
        })
        .sum();
    task::block_on(async {
        let senders: Vec<_> = (0..size.workers)
            .map(|_| PayoutQueue::start_sending(&queue))
            .collect();
        for sender in senders {
            sender.await;
        }
    });
    let sent_paise = queue.sent_paise();
    Outcome {
        invariant: "the bank accepted what was queued, each payout once".into(),
        expected: queued_paise,
        observed: sent_paise,
        unit: "paise".into(),
        holds: sent_paise == queued_paise,
    }
}

/// The sequential model for the `spec` stage: the queue is what is pending and what
/// was sent; `submit(a)` queues `a`; a sender started and awaited sends everything
/// pending; `sent_paise()` reads the total sent. The main thread queues first, the
/// workers queue and send, and the main thread reads the total after the joins.
pub struct Spec;

/// How the queue opens: empty.
#[derive(Debug, Clone, Copy)]
pub struct Opening;

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PayoutQueue::new()")
    }
}

/// The operations of ex10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `submit(amount_paise)`.
    Submit(i64),
    /// `PayoutQueue::start_sending(&queue).await`: a sender, awaited to its end.
    Send,
    /// `sent_paise()`.
    Sent,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Submit(paise) => write!(f, "submit({paise})"),
            Op::Send => f.write_str("start_sending(&queue).await"),
            Op::Sent => f.write_str("sent_paise()"),
        }
    }
}

/// What an ex10 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `submit` and a sender return nothing.
    Done,
    /// The total sent.
    Paise(i64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Paise(paise) => write!(f, "{paise}"),
        }
    }
}

/// A payout of ₹1 to ₹8.
fn submit() -> BoxedStrategy<Op> {
    (1..=8_i64).prop_map(|rupees| Op::Submit(100 * rupees)).boxed()
}

/// The model's queue: the sum pending and the sum sent (a sender sends all that is
/// pending, so the order within the queue does not matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Totals {
    pending: i64,
    sent: i64,
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<PayoutQueue>;
    type Handle = Arc<PayoutQueue>;
    type Op = Op;
    type Ret = Ret;
    type State = Totals;

    fn init() -> BoxedStrategy<Opening> {
        Just(Opening).boxed()
    }

    fn initial_part() -> BoxedStrategy<Vec<Op>> {
        vec(submit(), 1..=3).boxed()
    }

    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        vec(prop_oneof![1 => submit(), 2 => Just(Op::Send)], 1..=3).boxed()
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Send, Op::Sent]).boxed()
    }

    fn open(_opening: &Opening) -> Arc<PayoutQueue> {
        Arc::new(PayoutQueue::new())
    }

    fn handle(queue: &Arc<PayoutQueue>) -> Arc<PayoutQueue> {
        Arc::clone(queue)
    }

    fn apply(queue: &mut Arc<PayoutQueue>, op: &Op) -> Ret {
        Self::apply_in_thread(queue, op)
    }

    fn apply_in_thread(queue: &mut Arc<PayoutQueue>, op: &Op) -> Ret {
        match *op {
            Op::Submit(paise) => {
                queue.submit(paise);
                Ret::Done
            }
            Op::Send => {
                task::block_on(PayoutQueue::start_sending(queue));
                Ret::Done
            }
            Op::Sent => Ret::Paise(queue.sent_paise()),
        }
    }

    fn start(_opening: &Opening) -> Totals {
        Totals {
            pending: 0,
            sent: 0,
        }
    }

    fn step(totals: &Totals, op: &Op) -> Option<(Totals, Ret)> {
        Some(match *op {
            Op::Submit(paise) => (
                Totals {
                    pending: totals.pending + paise,
                    ..*totals
                },
                Ret::Done,
            ),
            Op::Send => (
                Totals {
                    pending: 0,
                    sent: totals.sent + totals.pending,
                },
                Ret::Done,
            ),
            Op::Sent => (*totals, Ret::Paise(totals.sent)),
        })
    }
}
