//! The stages: one implementation of [`Stage`] per detector, one file (or folder)
//! each — `loom.rs`, `shuttle.rs`, `stress.rs`, `tsan/`, `spec.rs`. A stage turns the
//! manifest's sizes into [`racelab_harness::Request`]s, runs its runners through the
//! grade's [`Context`] (which builds each flavor once, holds the cores lock and runs
//! the process within its [`Limits`]), follows up on what it found, and judges the
//! [`racelab_harness::Findings`] into a status, a one-line summary and evidence.
//!
//! Adding a stage is one new file here, a size table in the manifest, a `Request`
//! variant in the harness, and its entry in [`ALL`] (see ARCHITECTURE.md).

mod context;
pub mod limits;
pub mod loom;
mod runner;
pub mod schedule_file;
pub mod shuttle;
pub mod spec;
pub mod stress;
pub mod tsan;
mod turns;

pub use crate::stage_id::StageId;
pub use context::{Context, Runners};
pub use limits::Limits;
pub use runner::{RunnerRun, run_runner};

use crate::build::Flavor;
use crate::cores;
use crate::manifest::StageSizes;
use crate::report::{Evidence, FailureKind, Status};
use racelab_harness::Failure;
use std::path::Path;
use std::time::Duration;

/// One detector: what it builds, how it shares the machine, what the reference
/// solutions take in it, and how it runs and judges a subject. (`Sync`: the stages
/// are shared constants, used by a batch's grading threads at once.)
pub trait Stage: Sync {
    /// Its name in reports, the manifest and on the command line.
    fn id(&self) -> StageId;

    /// The build its runner needs.
    fn flavor(&self) -> Flavor;

    /// How its runs share the machine's cores: real-thread measurements need them
    /// alone, exploring runs do not.
    fn cores(&self) -> cores::Use;

    /// What the exercise's reference solutions take in this stage (its runs, builds
    /// excluded), from the manifest; its default time limit is sized from it.
    fn reference(&self, sizes: &StageSizes) -> Duration;

    /// Runs the stage on the context's subject, follow-up runs included, and judges
    /// what its runners found.
    fn run(&self, cx: &mut Context<'_>) -> Judgement;

    /// Reproduces a failure of this stage deterministically (`schedule` is shuttle's
    /// failing schedule), or says why it cannot.
    fn replay(
        &self,
        _cx: &mut Context<'_>,
        _schedule: Option<&str>,
    ) -> Result<Judgement, ReplayError> {
        Err(ReplayError::RealThreads(self.id()))
    }
}

/// Why a failure cannot be replayed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The stage runs real threads, whose schedule no one chooses.
    #[error(
        "only the explorers' failures replay deterministically; `{0}` runs real threads, so grade again instead"
    )]
    RealThreads(StageId),
    /// loom's exploration order is fixed: a schedule would mean nothing.
    #[error("loom replays need no --schedule: its exploration order is fixed")]
    ScheduleNotNeeded,
    /// The stage follows a schedule, and none was given.
    #[error("a {0} replay needs --schedule, from the grade's output or report")]
    ScheduleNeeded(StageId),
    /// `--schedule @FILE` names a file that cannot be read.
    #[error("{0}")]
    ScheduleFile(String),
}

/// Every stage, in the order a grade runs them (fastest verdict first).
pub const ALL: [&dyn Stage; 5] = [
    &loom::Loom,
    &shuttle::Shuttle,
    &stress::Stress,
    &tsan::Tsan,
    &spec::Spec,
];

/// The stage named `id`.
pub fn of(id: StageId) -> &'static dyn Stage {
    ALL.into_iter()
        .find(|stage| stage.id() == id)
        .expect("every stage id has its stage")
}

/// A stage's judgement, before timing is added.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The status.
    pub status: Status,
    /// One line for humans.
    pub summary: String,
    /// The evidence.
    pub evidence: Evidence,
}

impl Judgement {
    /// A run that did not start: the grade had used up its `--budget`.
    pub fn over_budget(budget: Duration) -> Judgement {
        Judgement {
            status: Status::Timeout,
            summary: format!(
                "did not run: the grade used up its time budget of {} (--budget) before this stage",
                limits::seconds(budget)
            ),
            evidence: Evidence {
                kind: Some(FailureKind::Timeout),
                ..Evidence::default()
            },
        }
    }

    /// A stage that did not run, and why.
    pub fn skipped(reason: String) -> Judgement {
        Judgement {
            status: Status::Skipped,
            summary: reason,
            evidence: Evidence::default(),
        }
    }

    /// A stage that refused the subject, which tries to hide from the detectors.
    pub fn refused(reasons: &[String]) -> Judgement {
        Judgement {
            status: Status::Error,
            summary: format!("refused to grade: {}", reasons[0]),
            evidence: Evidence {
                kind: Some(FailureKind::Refused),
                fault: Some(reasons.join("\n")),
                ..Evidence::default()
            },
        }
    }

    /// Rewrites absolute paths under `root` (the workspace) as relative ones, so that
    /// `exercises/ex01-lost-update/src/lib.rs:69` can be clicked from the workspace;
    /// the places of the steps are made relative to `subject` (`src/lib.rs`), as the
    /// tables show them, or else to `root`.
    pub fn with_paths_relative_to(mut self, root: &Path, subject: &Path) -> Judgement {
        let prefix = format!("{}/", root.display());
        let relative = |text: &mut String| {
            if text.contains(&prefix) {
                *text = text.replace(&prefix, "");
            }
        };
        relative(&mut self.summary);
        let evidence = &mut self.evidence;
        let prefixes = [format!("{}/", subject.display()), prefix.clone()];
        let steps = evidence.steps.iter_mut().chain(
            evidence
                .values
                .iter_mut()
                .flat_map(|values| values.steps.iter_mut()),
        );
        for step in steps {
            for place in step.place.iter_mut().chain(step.callers.iter_mut()) {
                if let Some(rest) = prefixes.iter().find_map(|p| place.file.strip_prefix(p)) {
                    place.file = rest.to_owned();
                }
            }
        }
        if let Some(values) = &mut evidence.values {
            relative(&mut values.failure);
        }
        for text in [
            &mut evidence.failure,
            &mut evidence.location,
            &mut evidence.output_tail,
            &mut evidence.fault,
        ]
        .into_iter()
        .flatten()
        {
            relative(text);
        }
        evidence.compile_errors.iter_mut().for_each(relative);
        self
    }
}

/// A failure message as the report shows it: without surrounding blank lines.
pub fn tidy(message: &str) -> String {
    message
        .trim_matches(|c: char| c == '\n' || c == '\r')
        .to_owned()
}

/// Puts a failure into `evidence`: its kind, its message, its location when it is in
/// the subject's code, and the steps of the execution that failed.
pub fn record_failure(evidence: &mut Evidence, failure: Failure) {
    evidence.kind = Some(failure_kind(&failure.message));
    evidence.location = failure.location.filter(|l| is_subject_location(l));
    evidence.failure = Some(tidy(&failure.message));
    evidence.steps = failure.trace;
}

/// Takes the steps of `detailed` (the same failure replayed with call stacks) into
/// `judgement`, if it is the same failure.
pub fn take_call_stacks(judgement: &mut Judgement, detailed: Judgement) {
    if detailed.status == Status::Fail
        && detailed.evidence.failure == judgement.evidence.failure
        && detailed.evidence.steps.len() == judgement.evidence.steps.len()
    {
        judgement.evidence.steps = detailed.evidence.steps;
    }
}

/// A deadlock's summary, naming the blocked threads and what they wait for, when
/// `message` is loom's or shuttle's report of one and the `steps` show who is blocked.
pub fn deadlock_summary(message: &str, steps: &[racelab_harness::trace::Step]) -> Option<String> {
    use crate::render::deadlock::{self, Deadlock};
    deadlock::is_deadlock(message)
        .then(|| Deadlock::from_steps(steps))
        .flatten()
        .map(|blocked| blocked.summary())
}

/// An explorer's failure said plainly in one line: a deadlock by who waits for whom, a
/// livelock (shuttle's step bound) for what it is, anything else by its first line.
pub fn explorer_summary(message: &str, steps: &[racelab_harness::trace::Step]) -> String {
    if let Some(deadlock) = deadlock_summary(message, steps) {
        return deadlock;
    }
    livelock_summary(message).unwrap_or_else(|| first_line(message))
}

/// shuttle's message for an execution past its step bound, said plainly; `None` for
/// any other message.
pub fn livelock_summary(message: &str) -> Option<String> {
    let rest = message.strip_prefix(STEP_BOUND)?;
    let steps: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(format!(
        "livelock: the execution ran {steps} steps and never ended, every thread \
         retrying what only another could change"
    ))
}

/// How shuttle's message for an execution past its step bound begins.
const STEP_BOUND: &str = "exceeded max_steps bound";

/// The kind of failure a runner's failure message reports: the detectors' own
/// reports of a deadlock, a livelock (shuttle's step bound, loom's branch limit) or a
/// data race (loom's causality violation), and spec's results no sequential order
/// explains; any other message (the scenario's broken invariant, a panic) is a wrong
/// result. Decided here, from the message the detector wrote, once for every stage.
pub fn failure_kind(message: &str) -> FailureKind {
    if crate::render::deadlock::is_deadlock(message) {
        FailureKind::Deadlock
    } else if message.starts_with(STEP_BOUND) || message.contains(loom::BRANCH_LIMIT) {
        FailureKind::Livelock
    } else if message.contains(loom::DATA_RACE) {
        FailureKind::DataRace
    } else if message.starts_with(spec::NOT_LINEARIZABLE) {
        FailureKind::NotLinearizable
    } else {
        FailureKind::WrongResult
    }
}

/// `1 round`, `2 rounds`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first line of a message, for summaries.
pub fn first_line(message: &str) -> String {
    message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// Whether a panic location points into the subject or the scenario, rather than
/// into the harness or a dependency's source (which would only confuse a student).
pub fn is_subject_location(location: &str) -> bool {
    !(location.contains("/grader/harness/")
        || location.contains("/.cargo/registry/")
        || location.contains("/rustc/")
        || location.starts_with("/rustc"))
}

#[cfg(test)]
mod tests {
    use super::{
        ALL, StageId, explorer_summary, failure_kind, first_line, is_subject_location, of,
    };
    use crate::report::FailureKind;

    /// The detectors' messages, as their runners write them.
    #[test]
    fn each_detector_s_message_is_given_its_kind() {
        let said = [
            (
                r#"deadlock; threads = [(Id(0), Blocked(Location(None)))]"#,
                FailureKind::Deadlock,
            ),
            (
                "deadlock! threads [1, 2] are blocked",
                FailureKind::Deadlock,
            ),
            (
                "exceeded max_steps bound 20000. this might be caused by an unfair schedule",
                FailureKind::Livelock,
            ),
            (
                "Model exceeded maximum number of branches. This is often caused by an algorithm requiring the processor to make progress, e.g. spin locks.",
                FailureKind::Livelock,
            ),
            (
                "Causality violation: Concurrent read and write accesses.\n created: x",
                FailureKind::DataRace,
            ),
            (
                "results no sequential order explains: 2 threads, 3 operations\nstart: 0",
                FailureKind::NotLinearizable,
            ),
            (
                "reported total = sum of recorded amounts broken: expected 900 paise, got 600 paise",
                FailureKind::WrongResult,
            ),
            (
                "called `Option::unwrap()` on a `None` value",
                FailureKind::WrongResult,
            ),
        ];
        for (message, kind) in said {
            assert_eq!(failure_kind(message), kind, "{message}");
        }
    }

    #[test]
    fn a_budget_timeout_and_a_refusal_carry_their_kinds() {
        use super::Judgement;
        let late = Judgement::over_budget(std::time::Duration::from_secs(60));
        assert_eq!(late.evidence.kind, Some(FailureKind::Timeout));
        let refused = Judgement::refused(&["reads cfg(loom)".into()]);
        assert_eq!(refused.evidence.kind, Some(FailureKind::Refused));
        let skipped = Judgement::skipped("not selected".into());
        assert_eq!(skipped.evidence.kind, None);
    }

    #[test]
    fn shuttles_step_bound_is_said_as_a_livelock() {
        let said = explorer_summary(
            "exceeded max_steps bound 20000. this might be caused by an unfair schedule \
             (e.g., a spin loop)?",
            &[],
        );
        assert!(
            said.starts_with("livelock: the execution ran 20000 steps"),
            "{said}"
        );
        assert_eq!(
            explorer_summary("\nassertion failed\nmore", &[]),
            "assertion failed"
        );
    }

    #[test]
    fn summaries_take_the_first_non_empty_line() {
        assert_eq!(
            first_line("\n  Causality violation: x\n created: y"),
            "Causality violation: x"
        );
    }

    #[test]
    fn locations_in_the_harness_or_dependencies_are_not_shown_to_students() {
        assert!(is_subject_location("/home/s/ex01/src/lib.rs:31:9"));
        assert!(!is_subject_location(
            "/work/main/grader/harness/src/run.rs:12:5"
        ));
        assert!(!is_subject_location(
            "/root/.cargo/registry/src/x/loom-0.7.3/src/rt/mod.rs:1:1"
        ));
    }

    #[test]
    fn every_stage_id_has_one_stage_in_run_order() {
        let ids: Vec<StageId> = ALL.iter().map(|stage| stage.id()).collect();
        assert_eq!(ids, StageId::ALL);
        for id in StageId::ALL {
            assert_eq!(of(id).id(), id);
        }
    }
}
