//! The loom stage: every schedule of a tiny scenario, within a preemption bound,
//! under the C11 memory model (so weak orderings are explored too).
//!
//! A pass means "no failure within these bounds", not a proof; the summary says so.

use super::{Context, Judgement, ReplayError, RunnerRun, Stage, StageId, first_line};
use crate::build::Flavor;
use crate::cores;
use crate::manifest::{LoomSize, StageSizes};
use crate::render::race;
use crate::report::{Evidence, Status, ValueTrace};
use racelab_harness::{Request, Size};
use std::time::Duration;

/// How loom's failure message starts when it caught a data race.
pub(super) const DATA_RACE: &str = "Causality violation";

/// What loom's failure message says when a schedule ran past its branch limit.
pub(super) const BRANCH_LIMIT: &str = "maximum number of branches";

/// What loom's coroutines write to standard error when one runs out of stack.
const STACK_OVERFLOW: &str = "coroutine has overflowed its stack";

/// The loom stage.
pub struct Loom;

impl Stage for Loom {
    fn id(&self) -> StageId {
        StageId::Loom
    }

    fn flavor(&self) -> Flavor {
        Flavor::Loom
    }

    fn cores(&self) -> cores::Use {
        cores::Use::Shared
    }

    fn reference(&self, sizes: &StageSizes) -> Duration {
        Duration::from_millis(sizes.loom.reference_ms)
    }

    /// Explores; after a data race, explores again without race checks to show what
    /// the race does to the values.
    fn run(&self, cx: &mut Context<'_>) -> Judgement {
        let size = cx.exercise.stages.loom;
        let replay = cx.command("replay", &["--stage", "loom"]);
        let limits = cx.limits(self);
        let mut judgement = cx.run(self, &request(&size, false), limits, |run| {
            judge(run, &size, replay.clone())
        });
        let raced = judgement
            .evidence
            .failure
            .as_deref()
            .is_some_and(|f| f.contains(DATA_RACE));
        if judgement.status == Status::Fail && raced {
            cx.say(
                self,
                "exploring again without race checks, to show what the race does to the values",
            );
            judgement.evidence.values = cx.quietly(|cx| self.value_trace(cx, &size, &replay));
        } else if judgement.status == Status::Fail {
            let (size, simplest) =
                cx.quietly(|cx| self.fewest_preemptions(cx, &size, &replay, &judgement));
            if let Some(simplest) = simplest {
                judgement = simplest;
            }
            // loom's exploration order is fixed: the same failure again, each step with
            // its call stack, so the table can show the lines that called helpers.
            let limits = cx.limits(self);
            let detailed = cx.quietly(|cx| {
                cx.run(self, &request(&size, true), limits, |run| {
                    judge(run, &size, replay.clone())
                })
            });
            super::take_call_stacks(&mut judgement, detailed);
        }
        judgement
    }

    /// loom's exploration order is fixed: running it again meets the same failure.
    fn replay(
        &self,
        cx: &mut Context<'_>,
        schedule: Option<&str>,
    ) -> Result<Judgement, ReplayError> {
        match schedule {
            None => Ok(self.run(cx)),
            Some(_) => Err(ReplayError::ScheduleNotNeeded),
        }
    }
}

impl Loom {
    /// After a failure within the full bound: the same exploration with no
    /// preemption, then one, …, below that bound, and the first failure of the same
    /// kind, whose interleaving is the simplest that fails (the sizes it was found with,
    /// and it; `None` when only the full bound fails).
    fn fewest_preemptions(
        &self,
        cx: &mut Context<'_>,
        size: &LoomSize,
        replay: &str,
        failed: &Judgement,
    ) -> (LoomSize, Option<Judgement>) {
        let full = size.preemption_bound.unwrap_or(FEWEST_TRIED + 1);
        for preemptions in 0..full.min(FEWEST_TRIED + 1) {
            let fewer = LoomSize {
                preemption_bound: Some(preemptions),
                ..*size
            };
            let limits = cx.limits(self);
            let mut found = cx.run(self, &request(&fewer, false), limits, |run| {
                judge(run, &fewer, replay.to_owned())
            });
            if found.status == Status::Fail && found.evidence.kind == failed.evidence.kind {
                let fewest = format!(
                    "{}: the fewest that fail",
                    super::count(preemptions as u64, "preemption")
                );
                found.summary = match found.summary.strip_suffix(')') {
                    Some(open) if open.contains("(schedule ") => format!("{open}, {fewest})"),
                    _ => format!("{} ({fewest})", found.summary),
                };
                return (fewer, Some(found));
            }
        }
        (*size, None)
    }

    /// After a data race: explores again with the race checks off, with one
    /// preemption, then two, …, and renders the first execution that breaks the
    /// invariant — the fewest preemptions that show what the race does to the values.
    fn value_trace(
        &self,
        cx: &mut Context<'_>,
        size: &LoomSize,
        replay: &str,
    ) -> Option<ValueTrace> {
        for preemptions in 1..=size.preemption_bound.unwrap_or(3).max(1) {
            let limits = cx.limits(self);
            let found = cx.run(self, &values_request(size, preemptions), limits, |run| {
                judge(run, size, replay.to_owned())
            });
            let Some(failure) = found.evidence.failure.as_deref() else {
                continue;
            };
            if found.status != Status::Fail || failure.contains(DATA_RACE) {
                continue;
            }
            return Some(ValueTrace {
                preemptions: preemptions as u64,
                failure: failure.to_owned(),
                steps: found.evidence.steps,
            });
        }
        None
    }
}

/// The most preemptions [`Loom::fewest_preemptions`] tries below the full bound.
const FEWEST_TRIED: usize = 2;

/// The runner request for these bounds; `call_stacks` records each step's stack.
fn request(size: &LoomSize, call_stacks: bool) -> Request {
    Request::Loom {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        preemption_bound: size.preemption_bound,
        max_branches: size.max_branches,
        track_races: true,
        call_stacks,
    }
}

/// A request for the follow-up exploration after a data race: race checks off, so
/// loom shows what the race does to the values, with at most `preemptions`.
fn values_request(size: &LoomSize, preemptions: usize) -> Request {
    Request::Loom {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        preemption_bound: Some(preemptions),
        max_branches: size.max_branches,
        track_races: false,
        // Every schedule until the failure would pay for the stacks, within the
        // stage's time limit: the value-level table goes without them.
        call_stacks: false,
    }
}

/// The bounds in words, e.g. "2 workers × 2 ops, preemption bound 3".
fn bounds(size: &LoomSize) -> String {
    let preemptions = size.preemption_bound.map_or_else(
        || "no preemption bound".to_owned(),
        |b| format!("preemption bound {b}"),
    );
    format!(
        "{} × {}, {preemptions}",
        super::count(size.workers as u64, "worker"),
        super::count(size.ops as u64, "op")
    )
}

/// Judges a loom run; `replay` is the command that explores the same schedules again.
fn judge(run: RunnerRun, size: &LoomSize, replay: String) -> Judgement {
    // The facade gives every spawned thread std's 2 MiB, but loom runs the scenario's
    // own thread on 32 KiB and cannot be told otherwise (a real main thread has
    // 8 MiB): running out of it says nothing about the subject's concurrency.
    if run.finished.stderr.contains(STACK_OVERFLOW) {
        return Judgement {
            status: Status::Error,
            summary: "could not judge: a loom thread ran out of stack (loom gives the \
                      scenario's main thread 32 KiB, where a real one has 8 MiB); the \
                      other stages judge this code"
                .into(),
            evidence: Evidence {
                backend: Some("loom 0.7".into()),
                bounds: Some(bounds(size)),
                ..Evidence::default()
            },
        };
    }
    let findings = match run.findings_or_judgement() {
        Ok(findings) => findings,
        Err(mut judgement) => {
            if let Some(failure) = &judgement.evidence.failure {
                judgement.summary = super::deadlock_summary(failure, &judgement.evidence.steps)
                    .unwrap_or_else(|| describe(failure));
            }
            judgement.evidence.bounds = Some(bounds(size));
            return *judgement;
        }
    };
    let mut evidence = Evidence {
        backend: Some("loom 0.7".into()),
        bounds: Some(bounds(size)),
        executions: Some(findings.executions),
        ..Evidence::default()
    };
    let Some(failure) = findings.failure else {
        return Judgement {
            status: Status::Pass,
            summary: format!(
                "no failure in {} schedules ({}); bounded search, not a proof",
                findings.executions,
                bounds(size)
            ),
            evidence,
        };
    };
    let race = failure
        .message
        .contains(DATA_RACE)
        .then(|| race::explain(&failure.trace))
        .flatten();
    let said = match &race {
        Some(race) => race.summary.clone(),
        None => super::deadlock_summary(&failure.message, &failure.trace)
            .unwrap_or_else(|| describe(&failure.message)),
    };
    let summary = format!("{said} (schedule {})", findings.executions);
    evidence.note = race.and_then(|r| r.advice);
    super::record_failure(&mut evidence, failure);
    evidence.replay = Some(replay);
    Judgement {
        status: Status::Fail,
        summary,
        evidence,
    }
}

/// loom's failure message, said plainly.
fn describe(message: &str) -> String {
    if message.contains(DATA_RACE) {
        describe_causality_violation(message)
    } else if message.contains("deadlock") {
        describe_deadlock(message)
    } else if message.contains(BRANCH_LIMIT) {
        "a schedule exceeded loom's branch limit: a spin loop without yield_now, or a livelock"
            .into()
    } else {
        first_line(message)
    }
}

/// loom's causality violation, with the accesses it lists (`read: thread #2 @ file:line:col`),
/// as "data race: thread 2 reads at file:line while thread 1 writes at file:line, and
/// nothing orders them (causality violation)".
fn describe_causality_violation(message: &str) -> String {
    let access = |kind: &str| {
        let line = message
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{kind}:")))?;
        let (_, rest) = line.split_once("thread #")?;
        let (thread, place) = rest.split_once(" @ ")?;
        let place = place
            .trim()
            .rsplit_once(':')
            .map_or(place.trim(), |(file_line, _column)| file_line);
        Some(format!("thread {thread} {kind}s at {place}"))
    };
    let accesses: Vec<String> = ["read", "write"].into_iter().filter_map(access).collect();
    if accesses.is_empty() {
        "data race: a shared cell was accessed by two threads with nothing ordering them (causality violation)".into()
    } else {
        format!(
            "data race: {}, and nothing orders them (causality violation)",
            accesses.join(" while ")
        )
    }
}

/// loom's `deadlock; threads = [(Id(0), Blocked(Location(Some(Location { file: "…",
/// line: 40, … })))), …]`, as "deadlock: every thread is blocked — thread 0 at
/// file:40, thread 1 at file:49": when no steps were recorded to say more (see
/// [`super::deadlock`]).
fn describe_deadlock(message: &str) -> String {
    let blocked: Vec<String> = message
        .split("(Id(")
        .skip(1)
        .filter_map(|entry| {
            let thread = entry.split(')').next()?;
            let file = entry.split("file: \"").nth(1)?.split('"').next()?;
            let line = entry
                .split("line: ")
                .nth(1)?
                .split(|c: char| !c.is_ascii_digit())
                .next()?;
            Some(format!("thread {thread} at {file}:{line}"))
        })
        .collect();
    if blocked.is_empty() {
        format!("deadlock: {}", first_line(message))
    } else {
        format!("deadlock: every thread is blocked — {}", blocked.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, judge};
    use crate::manifest::LoomSize;
    use crate::report::{FailureKind, Status};
    use crate::stages::RunnerRun;
    use racelab_harness::{Failure, Findings};

    const SIZE: LoomSize = LoomSize {
        workers: 2,
        ops: 1,
        preemption_bound: Some(2),
        max_branches: 1_000,
        reference_ms: 100,
    };

    fn failure(message: &str) -> Findings {
        Findings {
            executions: 3,
            failure: Some(Failure {
                message: message.into(),
                location: None,
                trace: Vec::new(),
            }),
            ..Findings::default()
        }
    }

    #[test]
    fn a_coroutine_out_of_stack_is_not_a_verdict() {
        // What loom's main thread leaves when a subject's frames outgrow its 32 KiB:
        // a panic with no message, and the coroutine's line on standard error.
        let mut run = RunnerRun::found(failure("the exploration panicked without a message"));
        run.finished.stderr = "\ncoroutine has overflowed its stack\n".into();
        let judgement = judge(run, &SIZE, "replay".into());
        assert_eq!(judgement.status, Status::Error);
        assert!(
            judgement.summary.contains("ran out of stack"),
            "{}",
            judgement.summary
        );
        // The same panic without that line is loom's finding.
        let run = RunnerRun::found(failure("the exploration panicked without a message"));
        assert_eq!(judge(run, &SIZE, "replay".into()).status, Status::Fail);
    }

    #[test]
    fn each_failure_loom_reports_carries_its_kind() {
        let kind = |message: &str| {
            let judgement = judge(RunnerRun::found(failure(message)), &SIZE, "replay".into());
            assert_eq!(judgement.status, Status::Fail);
            judgement.evidence.kind
        };
        assert_eq!(
            kind("Causality violation: Concurrent read and write accesses."),
            Some(FailureKind::DataRace)
        );
        assert_eq!(
            kind("deadlock; threads = [(Id(0), Blocked(Location(None)))]"),
            Some(FailureKind::Deadlock)
        );
        assert_eq!(
            kind("Model exceeded maximum number of branches."),
            Some(FailureKind::Livelock)
        );
        assert_eq!(
            kind("total broken: expected 1 paise, got 0 paise"),
            Some(FailureKind::WrongResult)
        );
        let clean = judge(
            RunnerRun::found(Findings::default()),
            &SIZE,
            "replay".into(),
        );
        assert_eq!((clean.status, clean.evidence.kind), (Status::Pass, None));
    }

    #[test]
    fn a_deadlock_names_each_blocked_thread_and_where() {
        let message = r#"deadlock; threads = [(Id(0), Blocked(Location(Some(Location { file: "/w/grader/scenarios/ex01.rs", line: 40, column: 36 })))), (Id(1), Blocked(Location(Some(Location { file: "/w/ex/src/lib.rs", line: 49, column: 39 }))))]"#;
        assert_eq!(
            describe(message),
            "deadlock: every thread is blocked — thread 0 at /w/grader/scenarios/ex01.rs:40, thread 1 at /w/ex/src/lib.rs:49"
        );
    }

    #[test]
    fn loom_messages_are_said_plainly() {
        assert!(
            describe("Causality violation: Concurrent read and write accesses.\n created: x")
                .starts_with("data race")
        );
        assert!(describe("deadlock; threads = [(0, Blocked)]").starts_with("deadlock"));
        let listed = "Causality violation: Concurrent read and write accesses.\n    created: /e/src/lib.rs:34:30\n       read: thread #2 @ /e/src/lib.rs:67:45\n      write: thread #1 @ /e/src/lib.rs:69:33";
        assert_eq!(
            describe(listed),
            "data race: thread 2 reads at /e/src/lib.rs:67 while thread 1 writes at /e/src/lib.rs:69, and nothing orders them (causality violation)"
        );
        assert_eq!(
            describe("total broken: expected 1 paise, got 0 paise"),
            "total broken: expected 1 paise, got 0 paise"
        );
    }
}
