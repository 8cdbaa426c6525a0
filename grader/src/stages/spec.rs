//! The spec stage: does the subject behave like a correct sequential object?
//!
//! proptest generates small scenarios from the scenario file's sequential model (how
//! the object starts, operations on the main thread, 2–3 threads × 1–3 operations
//! with generated arguments, a final part); each runs under shuttle's PCT scheduler,
//! and every execution's results are checked for linearizability against the model.
//! A failing scenario is shrunk to the smallest that still fails and stored as data
//! (`Evidence::scenario`), drawn as Lincheck shows it — one column per thread, each
//! call with its result — then the interleaving that produced it. Everything is seeded, so a replay finds, shrinks
//! and shows the same scenario and schedule.

use super::{Context, Judgement, ReplayError, RunnerRun, Stage, StageId};
use crate::build::Flavor;
use crate::cores;
use crate::manifest::{SpecSize, StageSizes};
use crate::report::{Evidence, Status};
use racelab_harness::Request;
use std::time::Duration;

/// The spec stage.
pub struct Spec;

impl Stage for Spec {
    fn id(&self) -> StageId {
        StageId::Spec
    }

    fn flavor(&self) -> Flavor {
        Flavor::Shuttle
    }

    fn cores(&self) -> cores::Use {
        cores::Use::Shared
    }

    fn reference(&self, sizes: &StageSizes) -> Duration {
        Duration::from_millis(sizes.spec.map_or(1, |spec| spec.reference_ms))
    }

    fn run(&self, cx: &mut Context<'_>) -> Judgement {
        let Some(size) = cx.exercise.stages.spec else {
            return no_model();
        };
        let seed = cx.options.seed.unwrap_or(size.seed);
        let limits = cx.limits(self);
        let mut judgement = cx.run(self, &request(&size, seed, None), limits, |run| {
            judge(run, &size, seed)
        });
        with_replay(cx, &mut judgement);
        judgement
    }

    /// Generates and shrinks again from the same seeds; with `schedule`, follows it
    /// on the shrunk scenario instead of exploring.
    fn replay(
        &self,
        cx: &mut Context<'_>,
        schedule: Option<&str>,
    ) -> Result<Judgement, ReplayError> {
        let Some(size) = cx.exercise.stages.spec else {
            return Ok(no_model());
        };
        let seed = cx.options.seed.unwrap_or(size.seed);
        let limits = cx.limits(self);
        let request = request(&size, seed, schedule.map(str::to_owned));
        let mut judgement = cx.run(self, &request, limits, |run| judge(run, &size, seed));
        with_replay(cx, &mut judgement);
        Ok(judgement)
    }
}

/// An exercise whose scenario file has no sequential model yet.
fn no_model() -> Judgement {
    Judgement::skipped(
        "this exercise has no sequential model yet (`[exercises.stages.spec]` and `Spec` in its scenario file)"
            .into(),
    )
}

/// Adds the command that replays the failure: the same seeds, and the schedule.
fn with_replay(cx: &Context<'_>, judgement: &mut Judgement) {
    if let Some(schedule) = &judgement.evidence.schedule {
        let seed = cx.options.seed.map(|seed| seed.to_string());
        let schedule = super::schedule_file::argument(cx.lab, schedule);
        let mut args = vec!["--stage", "spec", "--schedule", &schedule];
        if let Some(seed) = &seed {
            args.extend(["--seed", seed]);
        }
        judgement.evidence.replay = Some(cx.command("replay", &args));
    }
}

/// The runner request.
fn request(size: &SpecSize, seed: u64, replay: Option<String>) -> Request {
    Request::Spec {
        seed,
        cases: size.cases,
        iterations: size.iterations,
        depth: size.depth,
        replay,
    }
}

/// Judges a spec run.
fn judge(run: RunnerRun, size: &SpecSize, seed: u64) -> Judgement {
    let bounds = format!(
        "{} scenarios of 2–3 threads × 1–3 operations, each explored in {} PCT iterations at depth {}",
        size.cases, size.iterations, size.depth
    );
    let findings = match run.findings_or_judgement() {
        Ok(findings) => findings,
        Err(mut judgement) => {
            judgement.evidence.bounds = Some(bounds);
            judgement.evidence.seed = Some(seed);
            return *judgement;
        }
    };
    let spec = findings.spec.unwrap_or_default();
    let mut evidence = Evidence {
        backend: Some("proptest 1 + shuttle 0.9 (PCT), checked for linearizability".into()),
        bounds: Some(bounds),
        executions: Some(findings.executions),
        seed: Some(seed),
        ..Evidence::default()
    };
    let Some(failure) = findings.failure else {
        return Judgement {
            status: Status::Pass,
            summary: format!(
                "every result matched the sequential model in {} scenarios ({} executions, seed {seed})",
                spec.cases, findings.executions
            ),
            evidence,
        };
    };
    let shrunk = match &spec.original {
        Some(original) if spec.shrunk.as_ref() != Some(original) => {
            format!("shrunk from {original}; ")
        }
        _ => String::new(),
    };
    let summary = format!(
        "{} ({shrunk}scenario {} of {}, seed {seed})",
        super::explorer_summary(&failure.message, &failure.trace),
        spec.cases,
        size.cases
    );
    evidence.scenario = spec.scenario;
    evidence.schedule = findings.schedule;
    super::record_failure(&mut evidence, failure);
    Judgement {
        status: Status::Fail,
        summary,
        evidence,
    }
}

/// How the harness's report of results no order explains begins
/// (`racelab_harness::spec::Violation`).
pub(super) const NOT_LINEARIZABLE: &str = "results no sequential order explains";

#[cfg(test)]
mod tests {
    use super::judge;
    use crate::manifest::SpecSize;
    use crate::report::{FailureKind, Status};
    use crate::stages::RunnerRun;
    use racelab_harness::{Failure, Findings};

    const SIZE: SpecSize = SpecSize {
        seed: 7,
        cases: 10,
        iterations: 20,
        depth: 2,
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
    fn each_failure_spec_reports_carries_its_kind() {
        let kind = |message: &str| {
            let judgement = judge(RunnerRun::found(failure(message)), &SIZE, 7);
            assert_eq!(judgement.status, Status::Fail);
            judgement.evidence.kind
        };
        assert_eq!(
            kind("results no sequential order explains: 2 threads, 2 operations\nstart: 0"),
            Some(FailureKind::NotLinearizable)
        );
        assert_eq!(
            kind("deadlock! threads [1, 2] are blocked"),
            Some(FailureKind::Deadlock)
        );
        assert_eq!(
            kind("called `Option::unwrap()` on a `None` value"),
            Some(FailureKind::WrongResult)
        );
        let clean = judge(RunnerRun::found(Findings::default()), &SIZE, 7);
        assert_eq!((clean.status, clean.evidence.kind), (Status::Pass, None));
    }
}
