//! ex09 — cancelled half-way.
//!
//! `size.ops` wallets hold ₹10 each. Inside one `task::block_on`, `size.workers`
//! request tasks each transfer ₹1 from wallet `w` to wallet `w + 1` (modulo the
//! wallets), racing the request's deadline: `select(deadline, transfer)`, the deadline
//! first (a `select!` with `biased;`). Each deadline is a oneshot that its own task
//! fires as soon as it runs: spawned just after its request, on one thread it passes
//! while the transfer waits at its first `.await`; the explorers try it everywhere.
//!
//! Why a signal and not a timer: loom and shuttle have no clock they can model, so a
//! `sleep` would be real time under stress and nothing under the explorers. A deadline
//! the scenario fires is the same event, placed where every backend can see it.
//!
//! The invariant: money is never created or destroyed — the wallets' total after the
//! round is what they held before, however many transfers finished, failed or were
//! cancelled. The grader compiles this file together with the subject (as `subject`).

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::sync::{Arc, oneshot};
use racelab_sync::task::{self, Either};
use racelab_sync::trace;
use subject::Wallets;

/// What every wallet opens with: ₹10.
const OPENING_PAISE: i64 = 1_000;

/// Every transfer is for ₹1.
const TRANSFER_PAISE: i64 = 100;

/// `Wallets::new(balances)`, its lock named in the traces as the shipped crate names
/// it (`balances_paise.lock()` rather than `Mutex#1.lock()`).
fn new_wallets(balances_paise: Vec<i64>) -> Wallets {
    let names = [(trace::ObjectKind::Mutex, "balances_paise")];
    trace::naming_each(&names, || Wallets::new(balances_paise))
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let wallet_count = size.ops.max(2);
    let wallets = Arc::new(new_wallets(vec![OPENING_PAISE; wallet_count]));
    task::block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..size.workers {
            let (fire, deadline) = oneshot::channel::<()>();
            let wallets = Arc::clone(&wallets);
            let from = worker % wallet_count;
            let to = (worker + 1) % wallet_count;
            tasks.push(task::spawn(async move {
                // The deadline passing or the transfer ending: whichever comes first.
                let _ = task::select(deadline, wallets.transfer(from, to, TRANSFER_PAISE)).await;
            }));
            tasks.push(task::spawn(async move {
                let _ = fire.send(());
            }));
        }
        for task in tasks {
            task.await;
        }
    });
    let held_paise = OPENING_PAISE * wallet_count as i64;
    let total_paise: i64 = (0..wallet_count).map(|w| wallets.balance_paise(w)).sum();
    Outcome {
        invariant: "the wallets' total is what they held".into(),
        expected: held_paise,
        observed: total_paise,
        unit: "paise".into(),
        holds: total_paise == held_paise,
    }
}

/// The sequential model for the `spec` stage: the wallets are their balances; a
/// transfer moves the money whole when `from` covers it and changes nothing
/// otherwise; a transfer whose deadline passes while it waits at its first `.await`
/// changes nothing either (the client got no answer, and will retry). Workers only
/// transfer, and the main thread reads the balances after the joins: a transfer's
/// halves may be seen apart while it runs, as the README allows.
pub struct Spec;

/// How the wallets open.
#[derive(Debug, Clone)]
pub struct Opening(Vec<i64>);

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wallets::new(vec!{:?})", self.0)
    }
}

/// The operations of ex09.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `transfer(from, to, amount).await`, left to finish.
    Transfer(usize, usize, i64),
    /// `select(deadline, transfer(from, to, amount)).await`, the deadline passing at
    /// the transfer's first `.await`.
    TimedOut(usize, usize, i64),
    /// `balance_paise(wallet)`.
    Balance(usize),
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Transfer(from, to, paise) => write!(f, "transfer({from}, {to}, {paise}).await"),
            Op::TimedOut(from, to, paise) => {
                write!(f, "transfer({from}, {to}, {paise}) past its deadline")
            }
            Op::Balance(wallet) => write!(f, "balance_paise({wallet})"),
        }
    }
}

/// What an ex09 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// Whether the transfer moved the money.
    Moved(bool),
    /// A transfer past its deadline: the client got no answer (whether the deadline
    /// won or a declined transfer ended first, nothing may have moved).
    NoAnswer,
    /// A balance.
    Paise(i64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Moved(moved) => write!(f, "{moved}"),
            Ret::NoAnswer => f.write_str("no answer"),
            Ret::Paise(paise) => write!(f, "{paise}"),
        }
    }
}

/// The number of wallets in a spec scenario.
const WALLETS: usize = 2;

/// A read of one wallet's balance.
fn balance() -> BoxedStrategy<Op> {
    (0..WALLETS).prop_map(Op::Balance).boxed()
}

/// A transfer of ₹1 to ₹6 between the two wallets, finished or past its deadline.
fn transfer() -> BoxedStrategy<Op> {
    (0..WALLETS, 1..=6_i64, any::<bool>())
        .prop_map(|(from, rupees, timed_out)| {
            let to = (from + 1) % WALLETS;
            if timed_out {
                Op::TimedOut(from, to, 100 * rupees)
            } else {
                Op::Transfer(from, to, 100 * rupees)
            }
        })
        .boxed()
}

/// The transfer, raced by a deadline that passes once the transfer has waited once.
/// Whatever it returned, the client gets no answer (what moved shows in the balances).
async fn past_its_deadline(wallets: &Wallets, from: usize, to: usize, paise: i64) -> Ret {
    let deadline = task::yield_now();
    match task::select(deadline, wallets.transfer(from, to, paise)).await {
        Either::First(()) | Either::Second(_) => Ret::NoAnswer,
    }
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<Wallets>;
    type Handle = Arc<Wallets>;
    type Op = Op;
    type Ret = Ret;
    type State = Vec<i64>;

    fn init() -> BoxedStrategy<Opening> {
        vec(0..=10_i64, WALLETS)
            .prop_map(|rupees| Opening(rupees.into_iter().map(|r| 100 * r).collect()))
            .boxed()
    }

    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        // Mostly transfers; now and then a balance read, which awaits nothing, so it
        // can look between two steps of another thread's transfer (money in flight
        // that no order of whole transfers shows).
        vec(prop_oneof![3 => transfer(), 1 => balance()], 1..=3).boxed()
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just((0..WALLETS).map(Op::Balance).collect()).boxed()
    }

    fn open(opening: &Opening) -> Arc<Wallets> {
        Arc::new(new_wallets(opening.0.clone()))
    }

    fn handle(wallets: &Arc<Wallets>) -> Arc<Wallets> {
        Arc::clone(wallets)
    }

    fn apply(wallets: &mut Arc<Wallets>, op: &Op) -> Ret {
        Self::apply_in_thread(wallets, op)
    }

    fn apply_in_thread(wallets: &mut Arc<Wallets>, op: &Op) -> Ret {
        match *op {
            Op::Transfer(from, to, paise) => {
                Ret::Moved(task::block_on(wallets.transfer(from, to, paise)))
            }
            Op::TimedOut(from, to, paise) => {
                task::block_on(past_its_deadline(wallets, from, to, paise))
            }
            Op::Balance(wallet) => Ret::Paise(wallets.balance_paise(wallet)),
        }
    }

    fn start(opening: &Opening) -> Vec<i64> {
        opening.0.clone()
    }

    fn step(balances: &Vec<i64>, op: &Op) -> Option<(Vec<i64>, Ret)> {
        Some(match *op {
            Op::Transfer(from, to, paise) if balances[from] >= paise => {
                let mut after = balances.clone();
                after[from] -= paise;
                after[to] += paise;
                (after, Ret::Moved(true))
            }
            Op::Transfer(..) => (balances.clone(), Ret::Moved(false)),
            Op::TimedOut(..) => (balances.clone(), Ret::NoAnswer),
            Op::Balance(wallet) => (balances.clone(), Ret::Paise(balances[wallet])),
        })
    }
}
