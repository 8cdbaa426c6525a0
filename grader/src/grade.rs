//! One grade, start to finish: build each stage's runner, run it, judge it, and
//! collect the stage reports into a [`Report`] with its verdict.

use crate::build::{self, BuildFailure, Flavor};
use crate::cores;
use crate::lab::Lab;
use crate::manifest::{Exercise, ShuttleSize};
use crate::report::{Evidence, Report, SCHEMA, StageReport, Status};
use crate::stages::{self, Judgement, StageName};
use crate::subject::Subject;
use crate::toolchain::{self, TsanToolchain};
use crate::verdict::Verdict;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long loom or shuttle may explore before the stage is a timeout.
const EXPLORATION_TIME_LIMIT: Duration = Duration::from_secs(300);

/// The default address-space limit of a runner process.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 4096;

/// What to run, and with which overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeOptions {
    /// The stages to run; the others are reported `skipped`.
    pub stages: Vec<StageName>,
    /// shuttle's seed, instead of the manifest's.
    pub seed: Option<u64>,
    /// shuttle's iteration count, instead of the manifest's.
    pub iterations: Option<usize>,
    /// Each stage's time limit, instead of its default (300 s for loom and shuttle;
    /// every round at its limit for stress). It also caps a stress round.
    pub time_limit: Option<Duration>,
    /// The runners' address-space limit in MiB (default [`DEFAULT_MEMORY_LIMIT_MB`]).
    pub memory_limit_mb: Option<u64>,
    /// Whether the grader may install what a stage needs (ThreadSanitizer's toolchain).
    pub provision: bool,
    /// Stages that must run (`--require`): one of them `skipped` fails the grade
    /// instead of leaving it `incomplete`.
    pub required: Vec<StageName>,
}

impl Default for GradeOptions {
    fn default() -> Self {
        Self {
            stages: StageName::ALL.to_vec(),
            seed: None,
            iterations: None,
            time_limit: None,
            memory_limit_mb: None,
            provision: true,
            required: Vec::new(),
        }
    }
}

/// Hears about a grade while it runs (a console printer, a test's recorder).
pub trait Observer {
    /// `stage` has started doing `activity` (e.g. "building the loom runner").
    fn activity(&mut self, stage: StageName, activity: &str);
    /// `stage` is done.
    fn stage_finished(&mut self, stage: &StageReport);
}

/// Grades `subject` against `exercise`: every stage, in order; never panics on a bad
/// subject, and returns a report whose verdict says what happened.
pub fn grade(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    options: &GradeOptions,
    observer: &mut dyn Observer,
) -> Report {
    let started = Instant::now();
    let mut grader = Grader {
        lab,
        exercise,
        subject,
        options,
        runners: HashMap::new(),
        tsan: None,
    };
    // Hashed first: the record is of the sources as they were when the grade began.
    let record = crate::integrity::record(lab, exercise, Some(&subject.dir));
    // The policy on what a subject may use, before anything is built or run.
    let refusals = crate::policy::check(&subject.dir.join("src"), &exercise.policy.allow);
    let mut reports = Vec::new();
    for stage in StageName::ALL {
        let stage_started = Instant::now();
        let judgement = if !options.stages.contains(&stage) {
            skipped("not selected with --stage".into())
        } else if !refusals.is_empty() {
            refused_by_policy(&refusals)
        } else {
            grader.run_stage(stage, observer)
        };
        let mut judgement = judgement.with_paths_relative_to(&lab.root, &subject.dir);
        if judgement.status == Status::Skipped && options.required.contains(&stage) {
            judgement.summary = format!("required, but did not run: {}", judgement.summary);
        }
        let report = StageReport {
            name: stage.as_str().into(),
            status: judgement.status,
            duration_ms: millis(stage_started.elapsed()),
            summary: judgement.summary,
            evidence: judgement.evidence,
        };
        reports.push(report);
        // A stage that passes while another fails says why it could not see the bug.
        crate::matrix::explain_silences(&exercise.shipped, &mut reports);
        observer.stage_finished(&reports[reports.len() - 1]);
    }
    let required: Vec<String> = StageName::ALL
        .into_iter()
        .filter(|stage| options.required.contains(stage))
        .map(|stage| stage.as_str().to_owned())
        .collect();
    Report {
        schema: SCHEMA,
        grader_version: env!("CARGO_PKG_VERSION").into(),
        manifest_hash: record.manifest_hash,
        scenario_hash: record.scenario_hash,
        exercise: exercise.id.clone(),
        subject: subject.dir.display().to_string(),
        subject_hash: record.subject_hash,
        verdict: Verdict::of_required(&reports, &required),
        required,
        duration_ms: millis(started.elapsed()),
        stages: reports,
    }
}

/// Reproduces a failure found by an exploring stage, deterministically: loom's
/// exploration order is fixed, so running it again meets the same failure first;
/// shuttle follows the given `schedule` step by step. Returns the stage's judgement,
/// with its interleaving table, or why the replay cannot be done.
pub fn replay(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    stage: StageName,
    schedule: Option<&str>,
    observer: &mut dyn Observer,
) -> Result<Judgement, String> {
    let options = GradeOptions::default();
    let mut grader = Grader {
        lab,
        exercise,
        subject,
        options: &options,
        runners: HashMap::new(),
        tsan: None,
    };
    let judgement = match (stage, schedule) {
        (StageName::Loom, None) => grader.run_stage(StageName::Loom, observer),
        (StageName::Shuttle, Some(schedule)) => {
            let size = &exercise.stages.shuttle;
            let request = stages::shuttle::request(size, size.seed, 1, Some(schedule.to_owned()));
            let limits = grader.limits(EXPLORATION_TIME_LIMIT);
            grader.run_request(StageName::Shuttle, request, limits, observer, |run| {
                stages::shuttle::judge(run, size, size.seed, 1, |s| {
                    grader_replay_command(exercise, subject, lab, s)
                })
            })
        }
        (StageName::Loom, Some(_)) => {
            return Err("loom replays need no --schedule: its exploration order is fixed".into());
        }
        (StageName::Shuttle, None) => {
            return Err(
                "a shuttle replay needs --schedule, from the grade's output or report".into(),
            );
        }
        (other, _) => {
            return Err(format!(
                "only loom and shuttle failures replay deterministically; `{other}` runs real threads, so grade again instead"
            ));
        }
    };
    Ok(judgement.with_paths_relative_to(&lab.root, &subject.dir))
}

/// The state of one grade: its inputs, and which runners are already built.
struct Grader<'a> {
    lab: &'a Lab,
    exercise: &'a Exercise,
    subject: &'a Subject,
    options: &'a GradeOptions,
    runners: HashMap<Flavor, Result<PathBuf, BuildFailure>>,
    tsan: Option<Result<TsanToolchain, String>>,
}

impl Grader<'_> {
    fn run_stage(&mut self, stage: StageName, observer: &mut dyn Observer) -> Judgement {
        let options = self.options;
        let sizes = &self.exercise.stages;
        let (exercise, subject, lab) = (self.exercise, self.subject, self.lab);
        match stage {
            StageName::Loom => {
                let replay = command(exercise, subject, lab, "replay", &["--stage", "loom"]);
                let mut judgement = self.run_request(
                    stage,
                    stages::loom::request(&sizes.loom),
                    self.limits(EXPLORATION_TIME_LIMIT),
                    observer,
                    |run| stages::loom::judge(run, &sizes.loom, replay.clone()),
                );
                let raced = judgement
                    .evidence
                    .failure
                    .as_deref()
                    .is_some_and(|f| f.contains("Causality violation"));
                if judgement.status == Status::Fail && raced {
                    observer.activity(stage, "exploring again without race checks, to show what the race does to the values");
                    judgement.evidence.trace = self.loom_value_trace(replay);
                }
                judgement
            }
            StageName::Shuttle => {
                let seed = options.seed.unwrap_or(sizes.shuttle.seed);
                let iterations = options.iterations.unwrap_or(sizes.shuttle.iterations);
                // PCT at depth 1 first, then deeper: the first failure found is one with
                // the fewest priority changes, so its interleaving is the simplest.
                let mut explored = 0;
                for depth in 1..=sizes.shuttle.depth.max(1) {
                    let size = ShuttleSize {
                        depth,
                        ..sizes.shuttle
                    };
                    let request = stages::shuttle::request(&size, seed, iterations, None);
                    let limits = self.limits(EXPLORATION_TIME_LIMIT);
                    // The first depth reports its building and running; deeper ones say
                    // only that the search goes on.
                    let mut quiet = Quiet;
                    let hears: &mut dyn Observer = if depth == 1 {
                        &mut *observer
                    } else {
                        observer.activity(
                            stage,
                            &format!("nothing at PCT depth {}; trying depth {depth}", depth - 1),
                        );
                        &mut quiet
                    };
                    let mut judgement = self.run_request(stage, request, limits, hears, |run| {
                        stages::shuttle::judge(run, &size, seed, iterations, |s| {
                            grader_replay_command(exercise, subject, lab, s)
                        })
                    });
                    explored += judgement.evidence.executions.unwrap_or(0);
                    if judgement.status != Status::Pass || depth >= sizes.shuttle.depth {
                        if judgement.status == Status::Pass {
                            judgement.evidence.executions = Some(explored);
                            judgement.summary = format!(
                                "no failure in {explored} PCT iterations (depths 1 to {depth}, seed {seed})"
                            );
                        }
                        return judgement;
                    }
                }
                unreachable!("the loop returns at its last depth")
            }
            StageName::Stress => {
                let (size, backstop) = stages::stress::limited(&sizes.stress, options.time_limit);
                let limits = stages::Limits {
                    time: backstop,
                    ..self.limits(backstop)
                };
                self.run_request(
                    stage,
                    stages::stress::request(&size),
                    limits,
                    observer,
                    |run| stages::stress::judge(run, &size),
                )
            }
            StageName::Tsan => {
                let toolchain = match self.tsan_toolchain(observer) {
                    Ok(toolchain) => toolchain,
                    Err(reason) => return skipped(reason),
                };
                let (size, backstop) = stages::stress::limited(&sizes.tsan, options.time_limit);
                // No memory limit: TSan reserves terabytes of shadow address space.
                // TSAN_OPTIONS is added once the run folder is known.
                let limits = stages::Limits {
                    time: backstop,
                    memory_bytes: None,
                    env: Vec::new(),
                };
                let roots = [subject.dir.as_path(), lab.root.as_path()];
                let description = toolchain.description.clone();
                self.run_request(
                    stage,
                    stages::stress::request(&size),
                    limits,
                    observer,
                    |run| stages::tsan::judge(run, &size, &description, &roots),
                )
            }
        }
    }

    /// After loom found a data race: explores again with its race checks off, with
    /// one preemption, then two, …, and renders the first execution that breaks the
    /// invariant — the fewest preemptions that show what the race does to the values.
    fn loom_value_trace(&mut self, replay: String) -> Option<String> {
        let size = self.exercise.stages.loom;
        for preemptions in 1..=size.preemption_bound.unwrap_or(3).max(1) {
            let request = stages::loom::values_request(&size, preemptions);
            let limits = self.limits(EXPLORATION_TIME_LIMIT);
            let found = self.run_request(StageName::Loom, request, limits, &mut Quiet, |run| {
                stages::loom::judge(run, &size, replay.clone())
            });
            let Some(failure) = found.evidence.failure.as_deref() else {
                continue;
            };
            if found.status != Status::Fail || failure.contains("Causality violation") {
                continue;
            }
            let table = stages::interleaving::render(
                &found.evidence.steps,
                failure,
                &[&self.subject.dir, &self.lab.root],
            )?;
            let plural = if preemptions == 1 { "" } else { "s" };
            return Some(format!(
                "With its race check off, loom finds what the race does to the values ({preemptions} preemption{plural}):\n{table}"
            ));
        }
        None
    }

    /// The ThreadSanitizer toolchain, found (or provisioned) once per grade; `Err` is
    /// why the stage is skipped.
    fn tsan_toolchain(&mut self, observer: &mut dyn Observer) -> Result<TsanToolchain, String> {
        if self.tsan.is_none() {
            observer.activity(
                StageName::Tsan,
                "looking for a toolchain with an instrumented std",
            );
            let provision = self.options.provision;
            let found = toolchain::find_tsan(provision, &mut |what| {
                observer.activity(StageName::Tsan, what)
            });
            self.tsan = Some(found);
        }
        self.tsan
            .clone()
            .unwrap_or_else(|| Err("no toolchain was looked for".into()))
    }

    /// The limits of a runner whose stage would by default get `default_time`.
    fn limits(&self, default_time: Duration) -> stages::Limits {
        let megabytes = self
            .options
            .memory_limit_mb
            .unwrap_or(DEFAULT_MEMORY_LIMIT_MB);
        stages::Limits {
            time: self.options.time_limit.unwrap_or(default_time),
            memory_bytes: (megabytes > 0).then_some(megabytes << 20),
            env: Vec::new(),
        }
    }

    /// Builds (once per flavor) and runs the runner for `request`, then judges it.
    fn run_request(
        &mut self,
        stage: StageName,
        request: racelab_harness::Request,
        mut limits: stages::Limits,
        observer: &mut dyn Observer,
        judge: impl FnOnce(stages::RunnerRun) -> Judgement,
    ) -> Judgement {
        let flavor = stage.flavor();
        let tsan = match &self.tsan {
            Some(Ok(toolchain)) => Some(toolchain),
            _ => None,
        };
        if !self.runners.contains_key(&flavor) {
            observer.activity(stage, &format!("building the {} runner", flavor.name()));
            let std_built = |t: &TsanToolchain| {
                self.lab
                    .work_dir()
                    .join("build/tsan")
                    .join(&t.target)
                    .exists()
            };
            if flavor == Flavor::Tsan && tsan.is_some_and(|t| t.build_std && !std_built(t)) {
                observer.activity(
                    stage,
                    "building an instrumented std first (once, about a minute on 2 cores)",
                );
            }
            let built = {
                let _cores = cores::hold(self.lab, cores::Use::Shared);
                build::build_runner(self.lab, self.exercise, self.subject, flavor, tsan)
            };
            self.runners.insert(flavor, built);
        }
        let executable = match &self.runners[&flavor] {
            Ok(executable) => executable.clone(),
            Err(failure) => return build_failed(failure),
        };
        if flavor == Flavor::Tsan {
            let runtime = tsan.and_then(|t| t.runtime.as_deref());
            match stages::tsan::silencer(&executable, runtime) {
                Ok(None) => {}
                Ok(Some(reason)) => return refused(&[reason]),
                Err(problem) => {
                    return Judgement {
                        status: Status::Error,
                        summary: format!("cannot check the runner before running it: {problem}"),
                        evidence: Evidence::default(),
                    };
                }
            }
        }
        observer.activity(stage, "running");
        let run_dir = self.lab.work_dir().join("runs").join(unique_run_name(
            self.exercise,
            self.subject,
            stage,
        ));
        if flavor == Flavor::Tsan {
            let options = stages::tsan::options(&run_dir);
            limits.env.push(("TSAN_OPTIONS".into(), options));
        }
        let cores_use = match stage {
            StageName::Stress | StageName::Tsan => cores::Use::Exclusive,
            StageName::Loom | StageName::Shuttle => cores::Use::Shared,
        };
        let cores = cores::hold(self.lab, cores_use);
        let run = stages::run_runner(&executable, &request, &run_dir, &limits);
        drop(cores);
        let judgement = match run {
            Ok(run) => judge(run),
            Err(e) => Judgement {
                status: Status::Error,
                summary: format!("cannot run {}: {e}", executable.display()),
                evidence: Evidence::default(),
            },
        };
        let _ = std::fs::remove_dir_all(&run_dir);
        judgement
    }
}

/// An observer that hears nothing: for runs the user need not follow.
struct Quiet;

impl Observer for Quiet {
    fn activity(&mut self, _: StageName, _: &str) {}
    fn stage_finished(&mut self, _: &StageReport) {}
}

/// A run folder no other grade uses, even of the same subject at the same time.
fn unique_run_name(exercise: &Exercise, subject: &Subject, stage: StageName) -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{}-{}-{}-{n}-{}",
        exercise.id,
        subject.key,
        std::process::id(),
        stage.as_str()
    )
}

fn build_failed(failure: &BuildFailure) -> Judgement {
    let (compile_errors, output_tail) = match failure {
        BuildFailure::Compile { errors } | BuildFailure::ApiChanged { errors } => {
            (errors.clone(), None)
        }
        BuildFailure::Tool { message } => (Vec::new(), Some(message.clone())),
    };
    Judgement {
        status: Status::Error,
        summary: failure.to_string(),
        evidence: Evidence {
            compile_errors,
            output_tail,
            ..Evidence::default()
        },
    }
}

/// Every stage's judgement when the subject uses what the policy refuses: the first
/// refusal and their count in the summary, all of them in the evidence, with why.
fn refused_by_policy(refusals: &[crate::policy::Refusal]) -> Judgement {
    /// Refusals listed in the evidence; the rest are counted.
    const SHOWN: usize = 50;
    let mut lines: Vec<String> = refusals
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if refusals.len() > SHOWN {
        lines.push(format!("… and {} more", refusals.len() - SHOWN));
    }
    let mut judgement = refused(&lines);
    if refusals.len() > 1 {
        judgement.summary = format!(
            "refused to grade ({} refusals, the first shown): {}",
            refusals.len(),
            lines[0]
        );
    }
    lines.push(
        "The grader refuses what it cannot judge: the detectors must see the code that ships. README.md, \"What a subject may use\", lists what a fix may use.".into(),
    );
    judgement.evidence.fault = Some(lines.join("\n"));
    judgement
}

/// Every stage's judgement when the subject tries to hide from the detectors.
fn refused(tampering: &[String]) -> Judgement {
    Judgement {
        status: Status::Error,
        summary: format!("refused to grade: {}", tampering[0]),
        evidence: Evidence {
            fault: Some(tampering.join("\n")),
            ..Evidence::default()
        },
    }
}

fn skipped(reason: String) -> Judgement {
    Judgement {
        status: Status::Skipped,
        summary: reason,
        evidence: Evidence::default(),
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The command that replays a shuttle schedule against this subject.
fn grader_replay_command(
    exercise: &Exercise,
    subject: &Subject,
    lab: &Lab,
    schedule: &str,
) -> String {
    command(exercise, subject, lab, "replay", &["--schedule", schedule])
}

/// `cargo xtask <verb> <exercise> <args…>`, with `--path` when the subject is not the
/// workspace's own exercise crate.
fn command(exercise: &Exercise, subject: &Subject, lab: &Lab, verb: &str, args: &[&str]) -> String {
    let mut words = vec![
        "cargo".to_owned(),
        "xtask".into(),
        verb.into(),
        exercise.id.clone(),
    ];
    words.extend(args.iter().map(|a| a.to_string()));
    if subject.dir != lab.exercise_dir(exercise) {
        words.push("--path".into());
        words.push(subject.label.clone());
    }
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
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
    use super::shell_quote;

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
