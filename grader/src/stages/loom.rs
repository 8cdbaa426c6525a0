//! The loom stage: every schedule of a tiny scenario, within a preemption bound,
//! under the C11 memory model (so weak orderings are explored too).
//!
//! A pass means "no failure within these bounds", not a proof; the summary says so.

use super::{Judgement, RunnerRun, first_line, is_subject_location};
use crate::manifest::LoomSize;
use crate::report::{Evidence, Status};
use racelab_harness::{Request, Size};

/// The runner request for these bounds.
pub fn request(size: &LoomSize) -> Request {
    Request::Loom {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        preemption_bound: size.preemption_bound,
        max_branches: size.max_branches,
    }
}

/// The bounds in words, e.g. "2 workers × 2 ops, preemption bound 3".
pub fn bounds(size: &LoomSize) -> String {
    let preemptions = size.preemption_bound.map_or_else(
        || "no preemption bound".to_owned(),
        |b| format!("preemption bound {b}"),
    );
    format!("{} workers × {} ops, {preemptions}", size.workers, size.ops)
}

/// Judges a loom run; `replay` is the command that explores the same schedules again.
pub fn judge(run: RunnerRun, size: &LoomSize, replay: String) -> Judgement {
    let findings = match run.findings_or_judgement() {
        Ok(findings) => findings,
        Err(mut judgement) => {
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
    let summary = format!(
        "{} (schedule {})",
        describe(&failure.message),
        findings.executions
    );
    evidence.location = failure.location.filter(|l| is_subject_location(l));
    evidence.failure = Some(super::tidy(&failure.message));
    evidence.replay = Some(replay);
    Judgement {
        status: Status::Fail,
        summary,
        evidence,
    }
}

/// loom's failure message, said plainly.
fn describe(message: &str) -> String {
    if message.contains("Causality violation") {
        "data race: a shared cell was read and written by two threads with nothing ordering them (causality violation)".into()
    } else if message.contains("deadlock") {
        format!("deadlock: {}", first_line(message))
    } else if message.contains("maximum number of branches") {
        "a schedule exceeded loom's branch limit: a spin loop without yield_now, or a livelock"
            .into()
    } else {
        first_line(message)
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn loom_messages_are_said_plainly() {
        assert!(
            describe("Causality violation: Concurrent read and write accesses.\n created: x")
                .starts_with("data race")
        );
        assert!(describe("deadlock; threads = [(0, Blocked)]").starts_with("deadlock"));
        assert_eq!(
            describe("total broken: expected 1 paise, got 0 paise"),
            "total broken: expected 1 paise, got 0 paise"
        );
    }
}
