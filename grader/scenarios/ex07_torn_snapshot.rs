//! ex07 — the torn snapshot.
//!
//! One feed thread publishes `size.ops` quotes in turn, quote `i` quoted at second `i`
//! with a rate that is different for every second. `size.workers` payment threads take
//! snapshots of the board from the start until they see the last quote, yielding only
//! when the board has not changed since their last look, so their snapshots fall while
//! the feed is writing.
//!
//! The invariant: every snapshot is one quote the feed published (its rate is the rate
//! quoted at its time), and no payment thread sees the board go back in time.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace;
use subject::{Quote, RateBoard};

/// The quote the feed publishes at second `second`: ₹83.0000 per dollar at the
/// opening, a ten-thousandth more each second, so no two seconds share a rate.
fn quote_at(second: u32) -> Quote {
    Quote {
        rate: 830_000 + second,
        quoted_at: second,
    }
}

/// A quote as the lab reads it: its two fields copied out, so every verdict compares
/// the lab's own values and never calls the subject's `PartialEq` for `Quote`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    rate: u32,
    quoted_at: u32,
}

impl Seen {
    /// What `quote` holds, field by field.
    fn of(quote: Quote) -> Seen {
        Seen {
            rate: quote.rate,
            quoted_at: quote.quoted_at,
        }
    }

    /// Whether this is one quote the feed published: its rate is its second's.
    fn is_published(self) -> bool {
        self == Seen::of(quote_at(self.quoted_at))
    }
}

/// A payment thread's looks at the board: how many snapshots were torn or went back
/// in time, until the last quote showed.
fn watch(board: &RateBoard, last: u32) -> usize {
    let mut wrong = 0;
    let mut seen = Seen::of(quote_at(0));
    loop {
        trace::call("snapshot", &[]);
        // Shown only where steps are recorded: this loop spins on real threads.
        let quote = trace::returned_described(Seen::of(board.snapshot()), |quote| {
            ("snapshot".into(), Some(trace::Value::Other(quote.to_string())))
        });
        if !quote.is_published() || quote.quoted_at < seen.quoted_at {
            wrong += 1;
        }
        if quote.quoted_at >= last {
            return wrong;
        }
        if quote == seen {
            // Nothing new: let the feed run (loom and shuttle need this to move on).
            thread::yield_now();
        }
        seen = quote;
    }
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let last = u32::try_from(size.ops).expect("fewer than 2^32 quotes");
    let board = Arc::new(RateBoard::new(quote_at(0)));
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let payments: Vec<_> = (0..size.workers)
        .map(|_| {
            let board = Arc::clone(&board);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                watch(&board, last)
            })
        })
        .collect();
    let feed = {
        let board = Arc::clone(&board);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            for second in 1..=last {
                let quote = quote_at(second);
                trace::call_described(|| {
                    let shown = trace::Value::Other(Seen::of(quote).to_string());
                    ("publish".into(), vec![shown])
                });
                board.publish(quote);
                trace::returned_unit("publish");
            }
        })
    };
    let mut wrong = 0;
    for payment in payments {
        match payment.join() {
            Ok(seen) => wrong += seen,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    if let Err(panic) = feed.join() {
        std::panic::resume_unwind(panic);
    }
    Outcome::equal(
        "every snapshot is one published quote, never older than the last",
        0,
        wrong as i64,
        "wrong snapshots",
    )
}

/// The sequential model for the `spec` stage: the board shows one quote, `first` at
/// the start; `publish(q)` replaces it whole, and `snapshot()` returns the quote shown,
/// never part of one and part of another. Only worker 0 (the feed) publishes, as only
/// the feed thread does in PaySetu.
///
/// Every quote of the spec scenarios is the quote of one second (`quote_at`), whose
/// rate no other second shares, so a snapshot mixing two quotes is none of them.
pub struct Spec;

/// How the board starts: showing the quote of this second.
#[derive(Debug, Clone, Copy)]
pub struct First(u32);

impl std::fmt::Display for First {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RateBoard::new({})", Seen::of(quote_at(self.0)))
    }
}

/// The operations of ex07.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `publish(quote_at(second))`.
    Publish(u32),
    /// `snapshot()`.
    Snapshot,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Publish(second) => write!(f, "publish({})", Seen::of(quote_at(*second))),
            Op::Snapshot => f.write_str("snapshot()"),
        }
    }
}

/// What an ex07 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `publish` returns nothing.
    Done,
    /// The quote a snapshot showed, copied into the lab's own type.
    Quote(Seen),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Quote(quote) => quote.fmt(f),
        }
    }
}

/// A quote in brief: `830003 @ 3s`.
impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} @ {}s", self.rate, self.quoted_at)
    }
}

impl Model for Spec {
    type Init = First;
    type Object = Arc<RateBoard>;
    type Handle = Arc<RateBoard>;
    type Op = Op;
    type Ret = Ret;
    /// The second whose quote the board shows.
    type State = u32;

    fn init() -> BoxedStrategy<First> {
        (0..=3_u32).prop_map(First).boxed()
    }

    /// Worker 0 is the feed: it publishes quotes (and may look at the board between
    /// them). The others only take snapshots.
    fn thread_part(thread: usize) -> BoxedStrategy<Vec<Op>> {
        if thread == 0 {
            let publish = (1..=9_u32).prop_map(Op::Publish);
            vec(prop_oneof![3 => publish, 1 => Just(Op::Snapshot)], 1..=3).boxed()
        } else {
            vec(Just(Op::Snapshot), 1..=3).boxed()
        }
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Snapshot]).boxed()
    }

    fn open(first: &First) -> Arc<RateBoard> {
        Arc::new(RateBoard::new(quote_at(first.0)))
    }

    fn handle(board: &Arc<RateBoard>) -> Arc<RateBoard> {
        Arc::clone(board)
    }

    fn apply(board: &mut Arc<RateBoard>, op: &Op) -> Ret {
        Self::apply_in_thread(board, op)
    }

    fn apply_in_thread(board: &mut Arc<RateBoard>, op: &Op) -> Ret {
        match op {
            Op::Publish(second) => {
                board.publish(quote_at(*second));
                Ret::Done
            }
            Op::Snapshot => Ret::Quote(Seen::of(board.snapshot())),
        }
    }

    fn start(first: &First) -> u32 {
        first.0
    }

    fn step(shown: &u32, op: &Op) -> Option<(u32, Ret)> {
        Some(match op {
            Op::Publish(second) => (*second, Ret::Done),
            Op::Snapshot => (*shown, Ret::Quote(Seen::of(quote_at(*shown)))),
        })
    }
}
