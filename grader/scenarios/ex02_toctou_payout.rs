//! ex02 — the check-then-act payout.
//!
//! `size.ops` merchant accounts are opened, each holding enough for half as many
//! payouts of `PAYOUT_PAISE` as there are workers (at least one). `size.workers`
//! threads then walk the accounts in the same order, each requesting one payout from
//! every account, so every account gets more requests than it can cover and the
//! requests for it arrive together.
//!
//! The invariant: the payouts approved never add up to more than the accounts held,
//! no account ends below zero, and every approved paisa left its account. A correct
//! subject approves exactly what the accounts held.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace;
use subject::PayoutAccount;

/// Every payout request is for ₹5.
const PAYOUT_PAISE: i64 = 500;

/// `account.request_payout(amount_paise)`, marked in the traces as a call.
fn request_payout(account: &PayoutAccount, amount_paise: i64) -> bool {
    trace::call("request_payout", &[amount_paise.into()]);
    trace::returned("request_payout", account.request_payout(amount_paise))
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let payouts_covered = (size.workers / 2).max(1) as i64;
    let opening_paise = payouts_covered * PAYOUT_PAISE;
    // Named `accounts[0]`, … in the traces.
    let accounts: Arc<Vec<PayoutAccount>> =
        Arc::new(trace::naming(trace::ObjectKind::Mutex, "accounts", || {
            (0..size.ops)
                .map(|_| PayoutAccount::new(opening_paise))
                .collect()
        }));
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|_| {
            let accounts = Arc::clone(&accounts);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                let mut approved_paise = 0_i64;
                for account in accounts.iter() {
                    if request_payout(&account, PAYOUT_PAISE) {
                        approved_paise += PAYOUT_PAISE;
                    }
                }
                approved_paise
            })
        })
        .collect();
    let mut approved_paise = 0_i64;
    for worker in workers {
        match worker.join() {
            Ok(approved) => approved_paise += approved,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let held_paise = opening_paise * size.ops as i64;
    let left_paise: i64 = accounts.iter().map(PayoutAccount::available_paise).sum();
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
/// `request_payout(a)` approves and debits when the balance covers `a`, and declines
/// (changing nothing) otherwise; `available_paise()` reads the balance.
pub struct Spec;

/// How an account opens: its balance.
#[derive(Debug, Clone, Copy)]
pub struct Opening(i64);

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PayoutAccount::new({})", self.0)
    }
}

/// The operations of ex02.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `request_payout(amount_paise)`.
    Payout(i64),
    /// `available_paise()`.
    Available,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Payout(paise) => write!(f, "request_payout({paise})"),
            Op::Available => f.write_str("available_paise()"),
        }
    }
}

/// What an ex02 operation returns.
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

/// A payout of ₹1 to ₹8.
fn payout() -> BoxedStrategy<Op> {
    (1..=8_i64).prop_map(|rupees| Op::Payout(100 * rupees)).boxed()
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<PayoutAccount>;
    type Handle = Arc<PayoutAccount>;
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

    fn open(opening: &Opening) -> Arc<PayoutAccount> {
        Arc::new(PayoutAccount::new(opening.0))
    }

    fn handle(account: &Arc<PayoutAccount>) -> Arc<PayoutAccount> {
        Arc::clone(account)
    }

    fn apply(account: &mut Arc<PayoutAccount>, op: &Op) -> Ret {
        Self::apply_in_thread(account, op)
    }

    fn apply_in_thread(account: &mut Arc<PayoutAccount>, op: &Op) -> Ret {
        match op {
            Op::Payout(paise) => Ret::Approved(request_payout(account, *paise)),
            Op::Available => Ret::Paise(account.available_paise()),
        }
    }

    fn start(opening: &Opening) -> i64 {
        opening.0
    }

    fn step(balance: &i64, op: &Op) -> Option<(i64, Ret)> {
        Some(match op {
            Op::Payout(paise) if paise <= balance => (balance - paise, Ret::Approved(true)),
            Op::Payout(_) => (*balance, Ret::Approved(false)),
            Op::Available => (*balance, Ret::Paise(*balance)),
        })
    }
}
