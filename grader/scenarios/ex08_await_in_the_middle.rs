//! ex08 — the await in the middle.
//!
//! `size.ops` merchant accounts are opened, each holding enough for half as many
//! payouts of `PAYOUT_PAISE` as there are tasks (at least one). Inside one
//! `task::block_on`, `size.workers` async tasks then walk the accounts in the same
//! order, each requesting one payout from every account, so every account gets more
//! requests than it can cover and they are in flight together.
//!
//! The invariant: the payouts approved never add up to more than the accounts held,
//! no account ends below zero, and every approved paisa left its account.
//!
//! Every stage runs this same code: with std (stress, ThreadSanitizer) the tasks share
//! one thread and take turns at their `.await`s; under shuttle its scheduler picks the
//! next task at each `.await` and lock; under loom each task is a thread of its own.
//! The grader compiles this file together with the subject (as the crate `subject`).

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::sync::Arc;
use racelab_sync::task;
use racelab_sync::trace;
use subject::PayoutService;

/// Every payout request in a round is for ₹5, below the fraud desk's limit.
const PAYOUT_PAISE: i64 = 500;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let payouts_covered = (size.workers / 2).max(1) as i64;
    let opening_paise = payouts_covered * PAYOUT_PAISE;
    let accounts: Arc<Vec<PayoutService>> =
        Arc::new(trace::naming(trace::ObjectKind::Mutex, "accounts", || {
            (0..size.ops)
                .map(|_| PayoutService::new(opening_paise))
                .collect()
        }));
    let approved_paise = task::block_on(async {
        let requests: Vec<_> = (0..size.workers)
            .map(|_| {
                let accounts = Arc::clone(&accounts);
                task::spawn(async move {
                    let mut approved_paise = 0_i64;
                    for account in accounts.iter() {
                        if account.request_payout(PAYOUT_PAISE).await {
                            approved_paise += PAYOUT_PAISE;
                        }
                    }
                    approved_paise
                })
            })
            .collect();
        let mut approved_paise = 0_i64;
        for request in requests {
            approved_paise += request.await;
        }
        approved_paise
    });
    let held_paise = opening_paise * size.ops as i64;
    let left_paise: i64 = accounts.iter().map(PayoutService::available_paise).sum();
    let none_overdrawn = accounts.iter().all(|a| a.available_paise() >= 0);
    Outcome {
        invariant: "approved payouts ≤ what the accounts held".into(),
        expected: held_paise,
        observed: approved_paise,
        unit: "paise".into(),
        holds: approved_paise <= held_paise
            && none_overdrawn
            && left_paise == held_paise - approved_paise,
    }
}

/// The sequential model for the `spec` stage: an account is its balance;
/// `request_payout(a)` approves and debits when the fraud desk's limit allows `a` and
/// the balance covers it, and declines (changing nothing) otherwise;
/// `available_paise()` reads the balance. Each worker thread awaits its calls with
/// `task::block_on`, so the workers' requests are in flight together.
pub struct Spec;

/// The fraud desk's limit, as the exercise's README states it (copied rather than read
/// from the subject, which a student may change).
const FRAUD_LIMIT_PAISE: i64 = 700;

/// How an account opens: its balance.
#[derive(Debug, Clone, Copy)]
pub struct Opening(i64);

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PayoutService::new({})", self.0)
    }
}

/// The operations of ex08.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `request_payout(amount_paise).await`.
    Payout(i64),
    /// `available_paise()`.
    Available,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Payout(paise) => write!(f, "request_payout({paise}).await"),
            Op::Available => f.write_str("available_paise()"),
        }
    }
}

/// What an ex08 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// Whether the payout was approved.
    Approved(bool),
    /// The balance.
    Paise(i64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Approved(approved) => write!(f, "{approved}"),
            Ret::Paise(paise) => write!(f, "{paise}"),
        }
    }
}

/// A payout of ₹1 to ₹8 (₹8 is above the fraud desk's limit).
fn payout() -> BoxedStrategy<Op> {
    (1..=8_i64).prop_map(|rupees| Op::Payout(100 * rupees)).boxed()
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<PayoutService>;
    type Handle = Arc<PayoutService>;
    type Op = Op;
    type Ret = Ret;
    type State = i64;

    fn init() -> BoxedStrategy<Opening> {
        (0..=10_i64).prop_map(|rupees| Opening(100 * rupees)).boxed()
    }

    fn initial_part() -> BoxedStrategy<Vec<Op>> {
        vec(payout(), 0..=1).boxed()
    }

    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        vec(prop_oneof![4 => payout(), 1 => Just(Op::Available)], 1..=3).boxed()
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Available]).boxed()
    }

    fn open(opening: &Opening) -> Arc<PayoutService> {
        Arc::new(trace::naming(trace::ObjectKind::Mutex, "accounts", || {
            PayoutService::new(opening.0)
        }))
    }

    fn handle(account: &Arc<PayoutService>) -> Arc<PayoutService> {
        Arc::clone(account)
    }

    fn apply(account: &mut Arc<PayoutService>, op: &Op) -> Ret {
        Self::apply_in_thread(account, op)
    }

    fn apply_in_thread(account: &mut Arc<PayoutService>, op: &Op) -> Ret {
        match op {
            Op::Payout(paise) => Ret::Approved(task::block_on(account.request_payout(*paise))),
            Op::Available => Ret::Paise(account.available_paise()),
        }
    }

    fn start(opening: &Opening) -> i64 {
        opening.0
    }

    fn step(balance: &i64, op: &Op) -> Option<(i64, Ret)> {
        Some(match op {
            Op::Payout(paise) if *paise <= FRAUD_LIMIT_PAISE && paise <= balance => {
                (balance - paise, Ret::Approved(true))
            }
            Op::Payout(_) => (*balance, Ret::Approved(false)),
            Op::Available => (*balance, Ret::Paise(*balance)),
        })
    }
}
