//! The shuttle stage: randomized schedules with PCT (probabilistic concurrency
//! testing), a fixed seed by default, and a failing schedule that replays exactly.
//!
//! shuttle explores sequentially consistent executions only, and switches threads
//! only at its own synchronisation points (the facade's cells are such points).

use super::{Judgement, RunnerRun};
use crate::manifest::ShuttleSize;
use crate::report::{Evidence, Status};
use racelab_harness::{Request, Size};

/// The runner request: explore `iterations` schedules from `seed`, or replay `schedule`.
pub fn request(
    size: &ShuttleSize,
    seed: u64,
    iterations: usize,
    schedule: Option<String>,
) -> Request {
    Request::Shuttle {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        seed,
        iterations,
        depth: size.depth,
        replay: schedule,
    }
}

/// Judges a shuttle run. `replay` turns a failing schedule into the command that
/// replays it.
pub fn judge(
    run: RunnerRun,
    size: &ShuttleSize,
    seed: u64,
    iterations: usize,
    replay: impl Fn(&str) -> String,
) -> Judgement {
    let bounds = format!(
        "{} workers × {} ops, PCT depth {}, up to {iterations} iterations",
        size.workers, size.ops, size.depth
    );
    let findings = match run.findings_or_judgement() {
        Ok(findings) => findings,
        Err(mut judgement) => {
            judgement.evidence.bounds = Some(bounds);
            judgement.evidence.seed = Some(seed);
            return *judgement;
        }
    };
    let mut evidence = Evidence {
        backend: Some("shuttle 0.9 (PCT)".into()),
        bounds: Some(bounds),
        executions: Some(findings.executions),
        seed: Some(seed),
        ..Evidence::default()
    };
    let Some(failure) = findings.failure else {
        return Judgement {
            status: Status::Pass,
            summary: format!(
                "no failure in {} PCT iterations (seed {seed})",
                findings.executions
            ),
            evidence,
        };
    };
    let summary = format!(
        "{} (iteration {}, seed {seed})",
        super::first_line(&failure.message),
        findings.executions
    );
    evidence.replay = findings.schedule.as_deref().map(&replay);
    evidence.schedule = findings.schedule;
    super::record_failure(&mut evidence, failure);
    Judgement {
        status: Status::Fail,
        summary,
        evidence,
    }
}
