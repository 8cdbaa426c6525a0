//! ex03 — the flag flip.
//!
//! One closer thread closes `size.ops` business days in turn: it adds up each day's
//! transfers one by one, then publishes the summary. `size.workers` report readers
//! wait for every day in the same order and compare the summary they read with the
//! one the closer published. Adding up takes the closer longer than checking takes a
//! reader, so readers catch up with it and read most summaries moments after they are
//! published, which is when a reordered publication would show.
//!
//! The invariant: every reader reads every day's summary whole — the figures the
//! closer wrote, not zeros and not a mix of two states.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use racelab_sync::trace;
use subject::{DayClose, DaySummary};

/// Every transfer in the scenario settles ₹2.50.
const TRANSFER_PAISE: u64 = 250;

/// The summary of day `day`, worked out directly: what every reader must read. Every
/// field is nonzero and changes from day to day, so a stale or half-written summary
/// never equals it.
fn summary_of(day: usize) -> DaySummary {
    let day = day as u64;
    let transfers = 1_000 + day % 100;
    let settled_paise = TRANSFER_PAISE * transfers;
    DaySummary {
        transfers,
        settled_paise,
        fees_paise: settled_paise / 50,
        refunded_paise: 1_100 + 3 * day,
    }
}

/// A summary as the lab reads it: its four figures copied out, so every verdict
/// compares the lab's own values and never calls the subject's `PartialEq` for
/// `DaySummary`. Shown in brief: `[transfers, settled, fees, refunded]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures([u64; 4]);

impl Figures {
    /// What `summary` holds, field by field.
    fn of(summary: DaySummary) -> Figures {
        let DaySummary {
            transfers,
            settled_paise,
            fees_paise,
            refunded_paise,
        } = summary;
        Figures([transfers, settled_paise, fees_paise, refunded_paise])
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [transfers, settled, fees, refunded] = self.0;
        write!(f, "[{transfers}, {settled}, {fees}, {refunded}]")
    }
}

/// The closer's work for day `day`: adding up its transfers one at a time (under a
/// microsecond on real threads, longer than a reader's check), to the same figures as
/// [`summary_of`].
fn close_day(day: usize) -> DaySummary {
    let mut summary = DaySummary {
        transfers: 0,
        settled_paise: 0,
        fees_paise: 0,
        refunded_paise: summary_of(day).refunded_paise,
    };
    for _ in 0..summary_of(day).transfers {
        summary.transfers += 1;
        summary.settled_paise += std::hint::black_box(TRANSFER_PAISE);
    }
    summary.fees_paise = summary.settled_paise / 50;
    summary
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    // A day's published flag, as shipped an `AtomicBool`, is named `published[N]` in the
    // traces (a fix with other types keeps the facade's names).
    let days: Vec<DayClose> = trace::naming(trace::ObjectKind::AtomicBool, "published", || {
        (0..size.ops).map(|_| DayClose::new()).collect()
    });
    let days = Arc::new(days);
    let gate = Arc::new(StartGate::new(size.workers + 1));
    let readers: Vec<_> = (0..size.workers)
        .map(|_| {
            let days = Arc::clone(&days);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                days.iter()
                    .enumerate()
                    .filter(|(day, close)| {
                        // Markers spelled only where steps are recorded: on real
                        // threads a reader must keep up with the closer.
                        let called = || format!("days[{day}].wait_for_summary");
                        trace::call_described(|| (called(), Vec::new()));
                        let read = Figures::of(close.wait_for_summary());
                        let read = trace::returned_described(read, |read| {
                            (called(), Some(trace::Value::Other(read.to_string())))
                        });
                        read == Figures::of(summary_of(*day))
                    })
                    .count()
            })
        })
        .collect();
    let closer = {
        let days = Arc::clone(&days);
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            gate.wait();
            for (day, close) in days.iter().enumerate() {
                let summary = close_day(day);
                let called = || format!("days[{day}].publish");
                trace::call_described(|| {
                    let shown = trace::Value::Other(Figures::of(summary).to_string());
                    (called(), vec![shown])
                });
                close.publish(summary);
                trace::returned_described((), |()| (called(), None));
            }
        })
    };
    let mut whole = 0;
    for reader in readers {
        match reader.join() {
            Ok(read) => whole += read,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    if let Err(panic) = closer.join() {
        std::panic::resume_unwind(panic);
    }
    Outcome::equal(
        "every reader reads each published summary whole",
        (size.ops * size.workers) as i64,
        whole as i64,
        "summaries",
    )
}

/// How many days the `spec` stage's scenarios close.
const SPEC_DAYS: usize = 2;

/// The sequential model for the `spec` stage: each day is unpublished until the closer
/// publishes its summary; `wait_for_summary()` completes only once the day is
/// published and returns exactly the summary published.
pub struct Spec;

/// How the days start: none closed (shown as the scenario's start).
#[derive(Debug, Clone, Copy)]
pub struct OpenDays;

impl std::fmt::Display for OpenDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SPEC_DAYS} × DayClose::new()")
    }
}

/// The operations of ex03, on day 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `days[day].publish(summary)`, with the day's own figures.
    Publish(usize),
    /// `days[day].wait_for_summary()`.
    Read(usize),
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Publish(day) => write!(f, "day{day}.publish({})", Figures::of(spec_summary(*day))),
            Op::Read(day) => write!(f, "day{day}.wait_for_summary()"),
        }
    }
}

/// What an ex03 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `publish` returns nothing.
    Done,
    /// The summary read, copied into the lab's own type.
    Summary(Figures),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Done => f.write_str("()"),
            Ret::Summary(summary) => summary.fmt(f),
        }
    }
}

/// Day `day`'s summary in the spec scenarios: small, nonzero figures that differ
/// from day to day.
fn spec_summary(day: usize) -> DaySummary {
    let transfers = 3 + day as u64;
    DaySummary {
        transfers,
        settled_paise: TRANSFER_PAISE * transfers,
        fees_paise: TRANSFER_PAISE * transfers / 50,
        refunded_paise: 100 + day as u64,
    }
}

impl Model for Spec {
    type Init = OpenDays;
    type Object = Arc<Vec<DayClose>>;
    type Handle = Arc<Vec<DayClose>>;
    type Op = Op;
    type Ret = Ret;
    type State = [bool; SPEC_DAYS];

    fn init() -> BoxedStrategy<OpenDays> {
        Just(OpenDays).boxed()
    }

    /// Worker 0 is the closer: it publishes every day in turn. The others read days
    /// in any order; every day they wait for is published, so nobody waits forever.
    fn thread_part(thread: usize) -> BoxedStrategy<Vec<Op>> {
        if thread == 0 {
            Just((0..SPEC_DAYS).map(Op::Publish).collect()).boxed()
        } else {
            vec((0..SPEC_DAYS).prop_map(Op::Read), 1..=3).boxed()
        }
    }

    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just((0..SPEC_DAYS).map(Op::Read).collect()).boxed()
    }

    fn open(_: &OpenDays) -> Arc<Vec<DayClose>> {
        Arc::new((0..SPEC_DAYS).map(|_| DayClose::new()).collect())
    }

    fn handle(days: &Arc<Vec<DayClose>>) -> Arc<Vec<DayClose>> {
        Arc::clone(days)
    }

    fn apply(days: &mut Arc<Vec<DayClose>>, op: &Op) -> Ret {
        Self::apply_in_thread(days, op)
    }

    fn apply_in_thread(days: &mut Arc<Vec<DayClose>>, op: &Op) -> Ret {
        match op {
            Op::Publish(day) => {
                days[*day].publish(spec_summary(*day));
                Ret::Done
            }
            Op::Read(day) => Ret::Summary(Figures::of(days[*day].wait_for_summary())),
        }
    }

    fn start(_: &OpenDays) -> [bool; SPEC_DAYS] {
        [false; SPEC_DAYS]
    }

    fn step(published: &[bool; SPEC_DAYS], op: &Op) -> Option<([bool; SPEC_DAYS], Ret)> {
        match op {
            Op::Publish(day) => {
                let mut after = *published;
                after[*day] = true;
                Some((after, Ret::Done))
            }
            Op::Read(day) => published[*day].then(|| (*published, Ret::Summary(Figures::of(spec_summary(*day))))),
        }
    }
}
