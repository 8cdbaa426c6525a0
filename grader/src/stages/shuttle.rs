//! The shuttle stage: randomized schedules with PCT (probabilistic concurrency
//! testing), a fixed seed by default, and a failing schedule that replays exactly.
//!
//! shuttle explores sequentially consistent executions only, and switches threads
//! only at its own synchronisation points (the facade's cells are such points).

use super::{Context, Judgement, ReplayError, RunnerRun, Stage, StageId};
use crate::build::Flavor;
use crate::cores;
use crate::manifest::{ShuttleSize, StageSizes};
use crate::report::{Evidence, Status};
use racelab_harness::{Request, Size};
use std::time::Duration;

/// The shuttle stage.
pub struct Shuttle;

impl Stage for Shuttle {
    fn id(&self) -> StageId {
        StageId::Shuttle
    }

    fn flavor(&self) -> Flavor {
        Flavor::Shuttle
    }

    fn cores(&self) -> cores::Use {
        cores::Use::Shared
    }

    fn reference(&self, sizes: &StageSizes) -> Duration {
        Duration::from_millis(sizes.shuttle.reference_ms)
    }

    /// PCT at depth 1 first, then deeper: the first failure found is one with the
    /// fewest priority changes, so its interleaving is the simplest.
    fn run(&self, cx: &mut Context<'_>) -> Judgement {
        let planned = cx.exercise.stages.shuttle;
        let seed = cx.options.seed.unwrap_or(planned.seed);
        let iterations = cx.options.iterations.unwrap_or(planned.iterations);
        let deepest = planned.depth.max(1);
        let mut explored = 0;
        for depth in 1..=deepest {
            let size = ShuttleSize { depth, ..planned };
            let limits = cx.limits(self);
            let request = request(&size, seed, iterations, None);
            let judge = |run| judge(run, &size, seed, iterations);
            // The first depth reports its building and running; deeper ones say only
            // that the search goes on.
            let mut judgement = if depth == 1 {
                cx.run(self, &request, limits, judge)
            } else {
                cx.say(
                    self,
                    &format!("nothing at PCT depth {}; trying depth {depth}", depth - 1),
                );
                cx.quietly(|cx| cx.run(self, &request, limits, judge))
            };
            with_replay(cx, &mut judgement);
            explored += judgement.evidence.executions.unwrap_or(0);
            if judgement.status == Status::Fail
                && let Some(schedule) = judgement.evidence.schedule.clone()
            {
                // The failing schedule again, each step with its call stack, so the
                // table can show the lines that called helpers.
                let again = self::request(&size, seed, 1, Some(schedule));
                let limits = cx.limits(self);
                let detailed = cx.quietly(|cx| {
                    cx.run(self, &again, limits, |run| self::judge(run, &size, seed, 1))
                });
                super::take_call_stacks(&mut judgement, detailed);
            }
            if judgement.status != Status::Pass {
                return judgement;
            }
            if depth == deepest {
                judgement.evidence.executions = Some(explored);
                judgement.summary = format!(
                    "no failure in {explored} PCT iterations (depths 1 to {depth}, seed {seed})"
                );
                return judgement;
            }
        }
        unreachable!("the loop returns at its last depth")
    }

    /// Follows `schedule` step by step.
    fn replay(
        &self,
        cx: &mut Context<'_>,
        schedule: Option<&str>,
    ) -> Result<Judgement, ReplayError> {
        let Some(schedule) = schedule else {
            return Err(ReplayError::ScheduleNeeded(StageId::Shuttle));
        };
        let size = cx.exercise.stages.shuttle;
        let limits = cx.limits(self);
        let request = request(&size, size.seed, 1, Some(schedule.to_owned()));
        let mut judgement = cx.run(self, &request, limits, |run| {
            judge(run, &size, size.seed, 1)
        });
        with_replay(cx, &mut judgement);
        Ok(judgement)
    }
}

/// Adds the command that replays the failing schedule, if one was found.
fn with_replay(cx: &Context<'_>, judgement: &mut Judgement) {
    if let Some(schedule) = &judgement.evidence.schedule {
        let schedule = super::schedule_file::argument(cx.lab, schedule);
        judgement.evidence.replay = Some(cx.command("replay", &["--schedule", &schedule]));
    }
}

/// The runner request: explore `iterations` schedules from `seed`, or replay `schedule`.
fn request(size: &ShuttleSize, seed: u64, iterations: usize, schedule: Option<String>) -> Request {
    let call_stacks = schedule.is_some();
    Request::Shuttle {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        seed,
        iterations,
        depth: size.depth,
        replay: schedule,
        call_stacks,
    }
}

/// Judges a shuttle run.
fn judge(run: RunnerRun, size: &ShuttleSize, seed: u64, iterations: usize) -> Judgement {
    let bounds = format!(
        "{} × {}, PCT depth {}, up to {}",
        super::count(size.workers as u64, "worker"),
        super::count(size.ops as u64, "op"),
        size.depth,
        super::count(iterations as u64, "iteration")
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
        super::explorer_summary(&failure.message, &failure.trace),
        findings.executions
    );
    evidence.schedule = findings.schedule;
    super::record_failure(&mut evidence, failure);
    Judgement {
        status: Status::Fail,
        summary,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::judge;
    use crate::manifest::ShuttleSize;
    use crate::report::{FailureKind, Status};
    use crate::stages::RunnerRun;
    use racelab_harness::{Failure, Findings};

    const SIZE: ShuttleSize = ShuttleSize {
        workers: 2,
        ops: 1,
        seed: 7,
        iterations: 100,
        depth: 1,
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
    fn each_failure_shuttle_reports_carries_its_kind() {
        let kind = |message: &str| {
            let judgement = judge(RunnerRun::found(failure(message)), &SIZE, 7, 100);
            assert_eq!(judgement.status, Status::Fail);
            judgement.evidence.kind
        };
        assert_eq!(
            kind("exceeded max_steps bound 20000. this might be caused by an unfair schedule"),
            Some(FailureKind::Livelock)
        );
        assert_eq!(
            kind("deadlock! threads [1, 2] are blocked"),
            Some(FailureKind::Deadlock)
        );
        assert_eq!(
            kind("total broken: expected 1 paise, got 0 paise"),
            Some(FailureKind::WrongResult)
        );
        let clean = judge(RunnerRun::found(Findings::default()), &SIZE, 7, 100);
        assert_eq!((clean.status, clean.evidence.kind), (Status::Pass, None));
    }
}
