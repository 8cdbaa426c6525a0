//! What a stage gets from the grade it is part of: the lab, the exercise, the
//! subject, the options, the runners already built, and the observer — and the one
//! way to run a runner (build its flavor once, hold the cores lock, run it in a run
//! folder of its own within its limits, judge what it left).

use super::limits::{self, Limits};
use super::runner::run_runner;
use super::turns::{Build, Turns};
use super::{Judgement, RunnerRun, Stage};
use crate::build::{self, BuildFailure, Flavor};
use crate::cores;
use crate::divergence;
use crate::exercised::Exercised;
use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::{DEFAULT_MEMORY_LIMIT_MB, GradeOptions, Observer};
use crate::report::{Evidence, FailureKind, Status};
use crate::subject::Subject;
use crate::toolchain::TsanToolchain;
use racelab_harness::Request;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The runners of one grade, built once per flavor (or why they could not be), shared
/// by the grade's stages as they run side by side: the first stage to need a flavor
/// builds it, and any other that needs it meanwhile (spec shares shuttle's) waits for
/// that build rather than starting its own.
///
/// Builds take turns (`building`, see [`Turns`]): two at once (a flavor's first build
/// alone), the explorers' first, so that their runs go on while the real-thread
/// flavors build and the real-thread runs, which hold the cores alone, start as early
/// as they can (measured in `docs/performance.md`).
#[derive(Debug, Default)]
pub struct Runners {
    slots: Mutex<HashMap<Flavor, Arc<OnceLock<Built>>>>,
    building: Turns,
}

/// A flavor's runner, or why it could not be built.
type Built = Result<PathBuf, BuildFailure>;

impl Runners {
    /// The slot of `flavor`'s runner, empty until its build ends.
    fn slot(&self, flavor: Flavor) -> Arc<OnceLock<Built>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(flavor).or_default())
    }
}

/// One grade, as the stages see it.
pub struct Context<'a> {
    /// The workspace.
    pub lab: &'a Lab,
    /// The exercise graded.
    pub exercise: &'a Exercise,
    /// The crate graded.
    pub subject: &'a Subject,
    /// What the grade was asked to do.
    pub options: &'a GradeOptions,
    /// The runners built so far.
    runners: &'a Runners,
    /// Hears what the stage is doing.
    observer: &'a mut dyn Observer,
    /// Set while a follow-up runs that the user need not follow.
    quiet: bool,
    /// When the grade's `--budget` runs out, and the budget: a run that would start
    /// later is a `timeout` instead.
    pub deadline: Option<(std::time::Instant, std::time::Duration)>,
}

impl<'a> Context<'a> {
    /// The context of one grade of `subject`.
    pub fn new(
        lab: &'a Lab,
        exercise: &'a Exercise,
        subject: &'a Subject,
        options: &'a GradeOptions,
        runners: &'a Runners,
        observer: &'a mut dyn Observer,
    ) -> Self {
        Context {
            lab,
            exercise,
            subject,
            options,
            runners,
            observer,
            quiet: false,
            deadline: None,
        }
    }

    /// Tells the observer that `stage` is doing `activity`, unless quiet.
    pub fn say(&mut self, stage: &dyn Stage, activity: &str) {
        if !self.quiet {
            self.observer.activity(stage.id(), activity);
        }
    }

    /// Runs `follow_up` with the observer hearing nothing of it.
    pub fn quietly<T>(&mut self, follow_up: impl FnOnce(&mut Self) -> T) -> T {
        let was = std::mem::replace(&mut self.quiet, true);
        let result = follow_up(self);
        self.quiet = was;
        result
    }

    /// The limits of one of `stage`'s runs: `--time-limit`, or the stage's default
    /// sized from the reference solutions; `--memory-limit` or the default.
    pub fn limits(&self, stage: &dyn Stage) -> Limits {
        let reference = stage.reference(&self.exercise.stages);
        let megabytes = self
            .options
            .memory_limit_mb
            .unwrap_or(DEFAULT_MEMORY_LIMIT_MB);
        Limits {
            time: self
                .options
                .time_limit
                .unwrap_or_else(|| limits::default_time(reference)),
            reference,
            memory_bytes: (megabytes > 0).then_some(megabytes << 20),
            env: Vec::new(),
        }
    }

    /// Builds `stage`'s runner and runs it on `request`, then judges the run.
    pub fn run(
        &mut self,
        stage: &dyn Stage,
        request: &Request,
        limits: Limits,
        judge: impl FnOnce(RunnerRun) -> Judgement,
    ) -> Judgement {
        match self.build(stage, None) {
            Ok(executable) => {
                let run_dir = self.run_dir(stage);
                self.execute(stage, &executable, request, &run_dir, limits, judge)
            }
            Err(judgement) => *judgement,
        }
    }

    /// `stage`'s runner, built once per grade and flavor (with `tsan`'s toolchain
    /// for the ThreadSanitizer flavor); `Err` is the stage's judgement.
    pub fn build(
        &mut self,
        stage: &dyn Stage,
        tsan: Option<&TsanToolchain>,
    ) -> Result<PathBuf, Box<Judgement>> {
        let flavor = stage.flavor();
        let slot = self.runners.slot(flavor);
        if slot.get().is_none() {
            self.say(stage, &format!("building the {} runner", flavor.name()));
        }
        let built = slot.get_or_init(|| {
            let build = if build::built_before(self.lab, flavor) {
                Build::Again
            } else {
                Build::First
            };
            let _turn = self.runners.building.take(flavor, build);
            let _cores = cores::hold(self.lab, cores::Use::Shared);
            build::build_runner(
                self.lab,
                self.exercise,
                self.subject,
                flavor,
                tsan,
                self.options.regrade,
            )
        });
        match built {
            Ok(executable) => Ok(executable.clone()),
            Err(failure) => Err(Box::new(build_failed(failure))),
        }
    }

    /// A run folder no other run uses, even of the same subject at the same time.
    pub fn run_dir(&self, stage: &dyn Stage) -> PathBuf {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!(
            "{}-{}-{}-{n}-{}",
            self.exercise.id,
            self.subject.key,
            std::process::id(),
            stage.id()
        );
        self.lab.work_dir().join("runs").join(name)
    }

    /// Runs `executable` on `request` in `run_dir`, holding the cores as `stage`
    /// needs them, judges the run, and removes the folder.
    pub fn execute(
        &mut self,
        stage: &dyn Stage,
        executable: &Path,
        request: &Request,
        run_dir: &Path,
        limits: Limits,
        judge: impl FnOnce(RunnerRun) -> Judgement,
    ) -> Judgement {
        self.say(stage, "running");
        let cores = cores::hold(self.lab, stage.cores());
        // A real-thread run may have waited for the cores past the grade's budget.
        if let Some((_, budget)) = self
            .deadline
            .filter(|(at, _)| std::time::Instant::now() >= *at)
        {
            return Judgement::over_budget(budget);
        }
        let run = run_runner(executable, request, run_dir, &limits);
        drop(cores);
        let judgement = match run {
            Ok(run) => {
                let executed = run.findings.as_ref().map_or_else(Vec::new, |findings| {
                    divergence::executed_in(&findings.executed, &self.subject.dir, &self.lab.root)
                });
                let exercised = run
                    .findings
                    .as_ref()
                    .filter(|findings| !findings.touched.is_empty())
                    .map(|findings| Exercised::of_run(&findings.touched, &self.subject.dir));
                let mut judgement = judge(run);
                judgement.evidence.exercised = exercised;
                judgement.evidence.executed.extend(executed);
                judgement.evidence.executed.sort();
                judgement.evidence.executed.dedup();
                judgement
            }
            Err(e) => Judgement {
                status: Status::Error,
                summary: format!("cannot run {}: {e}", executable.display()),
                evidence: Evidence::default(),
            },
        };
        let _ = std::fs::remove_dir_all(run_dir);
        judgement
    }

    /// `cargo xtask <verb> <exercise> <args…>`, with `--path` when the subject is not
    /// the workspace's own exercise crate: the command that replays a failure.
    pub fn command(&self, verb: &str, args: &[&str]) -> String {
        let mut words = vec![
            "cargo".to_owned(),
            "xtask".into(),
            verb.into(),
            self.exercise.id.clone(),
        ];
        words.extend(args.iter().map(|a| a.to_string()));
        if self.subject.dir != self.lab.exercise_dir(self.exercise) {
            words.push("--path".into());
            words.push(self.subject.label.clone());
        }
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A build that failed: the subject's failure when its code does not compile (or no
/// longer fits the scenario), every stage `fail` with the same errors; the grader's
/// `error` when cargo itself failed.
fn build_failed(failure: &BuildFailure) -> Judgement {
    let (status, kind, compile_errors, output_tail) = match failure {
        BuildFailure::Compile { errors } => (
            Status::Fail,
            Some(FailureKind::CompileError),
            errors.clone(),
            None,
        ),
        BuildFailure::ApiChanged { errors, .. } => (
            Status::Fail,
            Some(FailureKind::ApiChanged),
            errors.clone(),
            None,
        ),
        BuildFailure::Tool { message } => (Status::Error, None, Vec::new(), Some(message.clone())),
    };
    Judgement {
        status,
        summary: failure.to_string(),
        evidence: Evidence {
            kind,
            compile_errors,
            output_tail,
            ..Evidence::default()
        },
    }
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{build_failed, shell_quote};
    use crate::build::BuildFailure;
    use crate::report::{FailureKind, Status};

    #[test]
    fn a_build_that_fails_is_the_subject_s_compile_error_or_api_change_or_the_grader_s_error() {
        let judged = |failure: BuildFailure| {
            let judgement = build_failed(&failure);
            (judgement.status, judgement.evidence.kind)
        };
        let errors =
            vec!["error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely".into()];
        assert_eq!(
            judged(BuildFailure::Compile {
                errors: errors.clone()
            }),
            (Status::Fail, Some(FailureKind::CompileError))
        );
        assert_eq!(
            judged(BuildFailure::ApiChanged {
                errors,
                expected: vec!["fn record(&self, amount: u64)".into()],
            }),
            (Status::Fail, Some(FailureKind::ApiChanged))
        );
        assert_eq!(
            judged(BuildFailure::Tool {
                message: "cargo could not be started".into()
            }),
            (Status::Error, None)
        );
    }

    #[test]
    fn words_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(
            shell_quote("solutions/ex01-lost-update/mutex"),
            "solutions/ex01-lost-update/mutex"
        );
        assert_eq!(shell_quote("/tmp/my copy"), "'/tmp/my copy'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
