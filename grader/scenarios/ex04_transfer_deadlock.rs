//! ex04 — the transfer deadlock.
//!
//! Three merchant accounts, each opening with enough for every transfer of the round.
//! `size.workers` threads move money round them, `size.ops` transfers of
//! `TRANSFER_PAISE` each, one step round the ring per transfer (`transfer_of`): even
//! workers forward (0→1, 1→2, 2→0), odd ones backward on the same pairs (1→0, 2→1,
//! 0→2). Workers 0 and 1 start on the same pair, the opposite ways; workers 0, 2 and
//! 4 start a step apart, so all three pairs can be busy at once. Every transfer is
//! covered, so a correct ledger approves every one.
//!
//! Three accounts, not two: a lock order can be total on two accounts and not on
//! three ("the even-numbered account first" crosses on 0 and 2; "account 0 first" on
//! 1 and 2), and an order that is not transitive (0 before 1, 1 before 2, 2 before 0)
//! only deadlocks with three threads round three accounts. Three ring transfers give
//! two workers every pair in both directions.
//!
//! The invariant: each account ends with what it opened with, plus what it was sent,
//! minus what it sent (so every transfer moved its money, whole, exactly once). A
//! subject that deadlocks never gets there: loom and shuttle report the blocked
//! threads, and the real-thread stages' watchdogs end the round.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace::{self, ObjectKind};
use subject::Ledger;

/// Every transfer moves ₹1.
const TRANSFER_PAISE: i64 = 100;

/// How many accounts a round opens: the fewest on which a wrong lock order shows
/// (see the top of this file).
const ACCOUNTS: usize = 3;

/// Transfer `op` of worker `worker`, `(from, to)`: one step round the ring of
/// accounts, forward for even workers and backward for odd ones; worker `w` starts
/// `w / 2` steps in.
fn transfer_of(worker: usize, op: usize) -> (usize, usize) {
    let here = (op + worker / 2) % ACCOUNTS;
    let next = (here + 1) % ACCOUNTS;
    if worker % 2 == 0 {
        (here, next)
    } else {
        (next, here)
    }
}

/// A ledger opened with `opening_paise`, its locks named `accounts[0]`, … in the
/// traces (in the order the subject makes them: one per account, as shipped).
fn opened(opening_paise: &[i64]) -> Ledger {
    trace::naming(ObjectKind::Mutex, "accounts", || Ledger::new(opening_paise))
}

/// `ledger.transfer(from, to, amount_paise)`, marked in the traces as a call.
fn transfer(ledger: &Ledger, from: usize, to: usize, amount_paise: i64) -> bool {
    trace::call("transfer", &[from.into(), to.into(), amount_paise.into()]);
    trace::returned("transfer", ledger.transfer(from, to, amount_paise))
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let opening_paise = TRANSFER_PAISE * (size.workers * size.ops).max(1) as i64;
    let ledger = Arc::new(opened(&[opening_paise; ACCOUNTS]));
    let gate = Arc::new(StartGate::new(size.workers));
    let workers: Vec<_> = (0..size.workers)
        .map(|worker| {
            let ledger = Arc::clone(&ledger);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                for op in 0..size.ops {
                    let (from, to) = transfer_of(worker, op);
                    transfer(&ledger, from, to, TRANSFER_PAISE);
                }
            })
        })
        .collect();
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let mut expected = [opening_paise; ACCOUNTS];
    for worker in 0..size.workers {
        for op in 0..size.ops {
            let (from, to) = transfer_of(worker, op);
            expected[from] -= TRANSFER_PAISE;
            expected[to] += TRANSFER_PAISE;
        }
    }
    let balances: [i64; ACCOUNTS] = std::array::from_fn(|account| ledger.balance_paise(account));
    let wrong = (0..ACCOUNTS)
        .find(|&account| balances[account] != expected[account])
        .unwrap_or(0);
    Outcome {
        invariant: "every transfer moved its money, whole, once".into(),
        expected: expected[wrong],
        observed: balances[wrong],
        unit: "paise in an account".into(),
        holds: balances == expected,
    }
}

/// How many accounts the `spec` stage's ledgers open: as many as a round's, for the
/// same reason.
const SPEC_ACCOUNTS: usize = ACCOUNTS;

/// The sequential model for the `spec` stage: `transfer(from, to, amount)` moves the
/// amount and returns `true` when the accounts differ and `from` holds enough, and
/// otherwise returns `false` and changes nothing; `balance_paise(i)` returns account
/// `i`'s balance. A ledger that deadlocks fails the stage: shuttle reports the
/// blocked threads.
pub struct Spec;

/// How a spec ledger opens: each account's balance, in paise.
#[derive(Debug, Clone, Copy)]
pub struct Opening([i64; SPEC_ACCOUNTS]);

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "Ledger::new(&[{a}, {b}, {c}])")
    }
}

/// The operations of ex04.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `transfer(from, to, amount_paise)`.
    Transfer(usize, usize, i64),
    /// `balance_paise(account)`.
    Balance(usize),
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Transfer(from, to, amount) => write!(f, "transfer({from}, {to}, {amount})"),
            Op::Balance(account) => write!(f, "balance_paise({account})"),
        }
    }
}

/// What an ex04 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// Whether a transfer moved the money.
    Moved(bool),
    /// A balance, in paise.
    Paise(i64),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Moved(moved) => moved.fmt(f),
            Ret::Paise(paise) => paise.fmt(f),
        }
    }
}

/// An amount of whole rupees, 1 to 3, in paise: small, and shrinking toward ₹1.
fn spec_paise() -> BoxedStrategy<i64> {
    (1..=3i64)
        .prop_map(|rupees| rupees * TRANSFER_PAISE)
        .boxed()
}

impl Model for Spec {
    type Init = Opening;
    type Object = Arc<Ledger>;
    type Handle = Arc<Ledger>;
    type Op = Op;
    type Ret = Ret;
    type State = [i64; SPEC_ACCOUNTS];

    fn init() -> BoxedStrategy<Opening> {
        [spec_paise(), spec_paise(), spec_paise()]
            .prop_map(Opening)
            .boxed()
    }

    /// Transfers either way between any two of the three accounts (now and then to
    /// the same account), and a balance read now and then.
    fn thread_part(_: usize) -> BoxedStrategy<Vec<Op>> {
        let account = || 0..SPEC_ACCOUNTS;
        let op = prop_oneof![
            4 => (account(), account(), spec_paise())
                .prop_map(|(from, to, amount)| Op::Transfer(from, to, amount)),
            1 => account().prop_map(Op::Balance),
        ];
        vec(op, 1..=3).boxed()
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just((0..SPEC_ACCOUNTS).map(Op::Balance).collect()).boxed()
    }

    fn open(opening: &Opening) -> Arc<Ledger> {
        Arc::new(opened(&opening.0))
    }

    fn handle(ledger: &Arc<Ledger>) -> Arc<Ledger> {
        Arc::clone(ledger)
    }

    fn apply(ledger: &mut Arc<Ledger>, op: &Op) -> Ret {
        Self::apply_in_thread(ledger, op)
    }

    fn apply_in_thread(ledger: &mut Arc<Ledger>, op: &Op) -> Ret {
        match *op {
            Op::Transfer(from, to, amount) => Ret::Moved(transfer(ledger, from, to, amount)),
            Op::Balance(account) => Ret::Paise(ledger.balance_paise(account)),
        }
    }

    fn start(opening: &Opening) -> [i64; SPEC_ACCOUNTS] {
        opening.0
    }

    fn step(balances: &[i64; SPEC_ACCOUNTS], op: &Op) -> Option<([i64; SPEC_ACCOUNTS], Ret)> {
        Some(match *op {
            Op::Transfer(from, to, amount) if from == to || balances[from] < amount => {
                (*balances, Ret::Moved(false))
            }
            Op::Transfer(from, to, amount) => {
                let mut after = *balances;
                after[from] -= amount;
                after[to] += amount;
                (after, Ret::Moved(true))
            }
            Op::Balance(account) => (*balances, Ret::Paise(balances[account])),
        })
    }
}
