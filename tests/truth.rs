//! The truth suite: the grader judged on student-like attempts at every exercise.
//!
//! `tests/fixtures/attempts/<exNN>/<name>/` is a crate (`Cargo.toml`, `src/lib.rs`
//! with the exercise's public API) written the way a student writes one, and an
//! `expect.toml` that says how it must be graded and, in `why`, what the student did:
//!
//! - **buggy** (`verdict = "fail"`, `caught_by = [...]`): a wrong fix; every stage in
//!   `caught_by` must fail it (or time out, where a deadlock stops real threads). The list holds the stages measured to catch it every
//!   time (stress only where it caught the bug in a large share of its rounds), so
//!   other stages may fail it too.
//! - **correct** (`verdict = "pass"`): a right fix in a less common style; every stage
//!   runs and passes.
//! - **hostile** (`verdict = "fail"`, `refused = "<rule>"`): an attempt to get a pass
//!   without the fix; the source policy refuses it before anything runs, so every
//!   stage is `error` and the report names `[<rule>]`. These are dangerous only in
//!   intent: the worst of them, run, would leave a `sleep 600` behind.
//!
//! Each exercise's attempts are graded in one batch (`cargo xtask grade exNN
//! --submissions DIR --jobs 2`, DIR holding a symlink to each attempt), so their
//! runners share one build of the dependencies per backend, and the batch's reports
//! are checked attempt by attempt: a failure prints every mismatch in one table. The
//! batches run one after another, never at once.
//!
//! Wall time, measured on 2 cores (x86_64) shared with other builds (load 4–9) and
//! with one job instead of two, before the source policy refused anything: ex01 142 s
//! (19 attempts), ex02 105 s (14; `detached-sleep` left out), ex03 99 s (16, and 5 s
//! for `race-tracking-off` graded alone), about 6 minutes in all. Later, with two jobs
//! and the policy in place: ex04 32 s (8 attempts, two of them deadlocking until the
//! real-thread watchdogs end them), ex05 38 s (8), ex06 17–51 s (9) and ex07 72 s (9),
//! at load 3–9. That is under the 8
//! minutes this suite may take, so every attempt runs every stage; a refused attempt
//! builds nothing and costs almost nothing.
//!
//! `RACELAB_TRUTH_SKIP=ex02/detached-sleep,…` leaves attempts out, and
//! `RACELAB_TRUTH_JOBS` sets the batches' jobs (default 2), for running part of the
//! suite by hand.

use racelab_grader::report::{Report, StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::verdict::Verdict;
use racelab_tests::{root, xtask};
use serde::Deserialize;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Serialises the batches: each measures real threads on the machine's cores.
static ONE_BATCH_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Leaves the named attempts (`exNN/name`, comma-separated) out of the batches.
const SKIP: &str = "RACELAB_TRUTH_SKIP";

/// How many subjects a batch grades at once.
const JOBS: &str = "RACELAB_TRUTH_JOBS";

/// The verdict an attempt must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expected {
    Pass,
    Fail,
}

/// The source policy's rules, by the ids a refusal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Rule {
    FacadeBypass,
    ForbiddenModule,
    UnsafeCode,
    RawPointer,
    ForeignCode,
    BuildInput,
    BackendCfg,
    AddressObservation,
    LayoutObservation,
    FacadeInternals,
    SourceLayout,
}

impl Rule {
    const ALL: [Rule; 11] = [
        Rule::FacadeBypass,
        Rule::ForbiddenModule,
        Rule::UnsafeCode,
        Rule::RawPointer,
        Rule::ForeignCode,
        Rule::BuildInput,
        Rule::BackendCfg,
        Rule::AddressObservation,
        Rule::LayoutObservation,
        Rule::FacadeInternals,
        Rule::SourceLayout,
    ];

    fn id(self) -> &'static str {
        match self {
            Rule::FacadeBypass => "facade-bypass",
            Rule::ForbiddenModule => "forbidden-module",
            Rule::UnsafeCode => "unsafe-code",
            Rule::RawPointer => "raw-pointer",
            Rule::ForeignCode => "foreign-code",
            Rule::BuildInput => "build-input",
            Rule::BackendCfg => "backend-cfg",
            Rule::AddressObservation => "address-observation",
            Rule::LayoutObservation => "layout-observation",
            Rule::FacadeInternals => "facade-internals",
            Rule::SourceLayout => "source-layout",
        }
    }
}

/// An attempt's `expect.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFile {
    verdict: Expected,
    #[serde(default)]
    caught_by: Vec<String>,
    refused: Option<Rule>,
    /// Stages that pass a wrong fix without having exercised it (it shares nothing
    /// they could judge), so earn it no partial credit.
    #[serde(default)]
    unexercised: Vec<String>,
    why: String,
}

/// What an attempt is, and so how it must be graded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A wrong fix: each of these stages must fail it.
    Buggy(Vec<StageId>),
    /// A right fix: every stage runs and passes.
    Correct,
    /// Refused by this rule before anything runs.
    Hostile(Rule),
}

impl Kind {
    fn expected(&self) -> String {
        match self {
            Kind::Buggy(stages) => {
                let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
                format!("fail, caught by {}", names.join(", "))
            }
            Kind::Correct => "pass, every stage".into(),
            Kind::Hostile(rule) => format!("refused [{}]", rule.id()),
        }
    }
}

/// One attempt from the fixtures.
#[derive(Debug)]
struct Attempt {
    /// `exNN/name`.
    label: String,
    name: String,
    /// The attempt's folder, canonical.
    dir: PathBuf,
    kind: Kind,
    /// Stages that pass it without having exercised it.
    unexercised: Vec<StageId>,
}

fn attempts_dir() -> PathBuf {
    root().join("tests/fixtures/attempts")
}

/// Every attempt at `exercise`, in name order; panics on a malformed fixture.
fn attempts(exercise: &str) -> Vec<Attempt> {
    let dir = attempts_dir().join(exercise);
    let mut folders: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|folder| attempt(exercise, &folder))
        .collect()
}

fn attempt(exercise: &str, folder: &Path) -> Attempt {
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    let label = format!("{exercise}/{name}");
    for file in ["Cargo.toml", "src/lib.rs"] {
        assert!(folder.join(file).is_file(), "{label}: no {file}");
    }
    let path = folder.join("expect.toml");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{label}: expect.toml: {e}"));
    let expect: ExpectFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{label}: expect.toml: {e}"));
    assert!(
        !expect.why.trim().is_empty() && !expect.why.contains('\n'),
        "{label}: `why` must be one line"
    );
    let caught_by: Vec<StageId> = expect
        .caught_by
        .iter()
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| panic!("{label}: caught_by names no stage: {s}"))
        })
        .collect();
    let unexercised: Vec<StageId> = expect
        .unexercised
        .iter()
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| panic!("{label}: unexercised names no stage: {s}"))
        })
        .collect();
    let kind = match (expect.verdict, caught_by.is_empty(), expect.refused) {
        (Expected::Pass, true, None) => Kind::Correct,
        (Expected::Fail, false, None) => Kind::Buggy(caught_by),
        (Expected::Fail, true, Some(rule)) => Kind::Hostile(rule),
        _ => panic!(
            "{label}: expect.toml must be `pass`, `fail` with `caught_by`, or `fail` with `refused`"
        ),
    };
    assert!(
        unexercised.is_empty() || matches!(kind, Kind::Buggy(_)),
        "{label}: only a wrong fix names `unexercised` stages"
    );
    Attempt {
        label,
        name,
        dir: folder.canonicalize().unwrap(),
        kind,
        unexercised,
    }
}

/// What was wrong with one attempt's grade.
struct Mismatch {
    label: String,
    expected: String,
    got: String,
    stages: Vec<String>,
}

/// Checks `report` against what `attempt` expects; `text` is the report file.
fn judge(attempt: &Attempt, report: &Report, text: &str) -> Result<(), String> {
    let status = |stage: StageId| report.stage(stage).map(|s| s.status);
    if Path::new(&report.subject) != attempt.dir {
        return Err(format!("graded {}, not the attempt", report.subject));
    }
    let every = |wanted: Status| {
        StageId::ALL
            .into_iter()
            .all(|stage| status(stage) == Some(wanted))
    };
    let exercised = |stage: StageId| {
        report
            .stage(stage)
            .and_then(|s| s.evidence.exercised)
            .is_some_and(|e| e.enough())
    };
    if let Some(&stage) = attempt
        .unexercised
        .iter()
        .find(|&&stage| status(stage) != Some(Status::Pass) || exercised(stage))
    {
        return Err(format!(
            "{stage} should pass without exercising the subject; {}",
            got(report)
        ));
    }
    let right = match &attempt.kind {
        // The explorers run every right fix's shared state from two threads; real
        // threads may not (ex09's lab executor lets every deadline win before a fix
        // that settles first touches anything).
        Kind::Correct => {
            report.verdict == Verdict::Pass
                && every(Status::Pass)
                && [StageId::Loom, StageId::Shuttle, StageId::Spec]
                    .into_iter()
                    .all(exercised)
        }
        Kind::Buggy(stages) => {
            // A deadlock on real threads ends at the stage's watchdog: `timeout`.
            report.verdict == Verdict::Fail
                && stages
                    .iter()
                    .all(|&stage| matches!(status(stage), Some(Status::Fail | Status::Timeout)))
        }
        Kind::Hostile(rule) => {
            report.verdict == Verdict::Fail
                && every(Status::Error)
                && text.contains(&format!("[{}]", rule.id()))
        }
    };
    if right { Ok(()) } else { Err(got(report)) }
}

/// A grade in one line: the verdict and each stage's status.
fn got(report: &Report) -> String {
    let stages: Vec<String> = report
        .stages
        .iter()
        .map(|s| format!("{} {}", s.name, s.status))
        .collect();
    format!("{}: {}", report.verdict.as_str(), stages.join(" · "))
}

/// A stage in one line: its status, its summary, and the first line of what stopped
/// it, if anything did (a refusal, a fault, a compiler error).
fn described(stage: &StageReport) -> String {
    let evidence = &stage.evidence;
    let why = evidence
        .fault
        .as_deref()
        .or(evidence.compile_errors.first().map(String::as_str))
        .and_then(|text| text.lines().map(str::trim).find(|line| !line.is_empty()))
        .filter(|why| !stage.summary.contains(why));
    let mut line = format!("{}: {} — {}", stage.name, stage.status, stage.summary);
    if let Some(why) = why {
        let _ = write!(line, " | {why}");
    }
    line
}

/// Renders `rows` as a table: attempt, expected, got, then each stage's summary.
fn table(rows: &[Mismatch]) -> String {
    let width = |f: fn(&Mismatch) -> &str| rows.iter().map(|r| f(r).len()).max().unwrap_or(0);
    let (w1, w2) = (width(|r| &r.label).max(7), width(|r| &r.expected).max(8));
    let mut out = format!("{:w1$}  {:w2$}  got\n", "attempt", "expected");
    for row in rows {
        let _ = writeln!(out, "{:w1$}  {:w2$}  {}", row.label, row.expected, row.got);
        for stage in &row.stages {
            let _ = writeln!(out, "{:w1$}    {stage}", "");
        }
    }
    out
}

/// Grades every attempt at `exercise` in one batch and checks each report; panics
/// with a table of every mismatch.
fn grade_attempts(exercise: &str) {
    let skipped: Vec<String> = std::env::var(SKIP)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let jobs = std::env::var(JOBS).unwrap_or_else(|_| "2".into());
    let attempts: Vec<Attempt> = attempts(exercise)
        .into_iter()
        .filter(|a| !skipped.contains(&a.label))
        .collect();
    assert!(!attempts.is_empty(), "no attempts at {exercise}");
    let class = tempfile::tempdir().unwrap();
    for attempt in &attempts {
        std::os::unix::fs::symlink(&attempt.dir, class.path().join(&attempt.name)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let _turn = ONE_BATCH_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let started = Instant::now();
    let (code, stdout, stderr) = xtask(&[
        "grade",
        exercise,
        "--submissions",
        class.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        &jobs,
    ]);
    let took = started.elapsed();
    assert_ne!(code, 2, "usage error\n{stdout}\n{stderr}");
    let mut all = Vec::new();
    let mut wrong = Vec::new();
    for attempt in &attempts {
        let path = out
            .path()
            .join(exercise)
            .join(format!("{}.toml", attempt.name));
        let (result, stages) = match fs::read_to_string(&path) {
            Err(e) => (Err(format!("no report: {e}")), Vec::new()),
            Ok(text) => match toml::from_str::<Report>(&text) {
                Err(e) => (Err(format!("unreadable report: {e}")), Vec::new()),
                Ok(report) => {
                    let stages = report.stages.iter().map(described).collect();
                    (
                        judge(attempt, &report, &text).map(|()| got(&report)),
                        stages,
                    )
                }
            },
        };
        let row = |got: String| Mismatch {
            label: attempt.label.clone(),
            expected: attempt.kind.expected(),
            got,
            stages: stages.clone(),
        };
        match result {
            Ok(got) => all.push(row(got)),
            Err(got) => {
                all.push(row(format!("WRONG {got}")));
                wrong.push(row(got));
            }
        }
    }
    println!(
        "{exercise}: {} attempt(s) graded in {:.1} s\n{}",
        attempts.len(),
        took.as_secs_f64(),
        table(&all)
    );
    assert!(
        wrong.is_empty(),
        "{exercise}: {} of {} attempt(s) graded wrong:\n{}\n--- batch output ---\n{stdout}\n{stderr}",
        wrong.len(),
        attempts.len(),
        table(&wrong)
    );
}

/// The exercise folders under `fixtures/attempts/`, sorted: each is one test.
fn exercise_folders() -> Vec<String> {
    let mut exercises: Vec<String> = fs::read_dir(attempts_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    exercises.sort();
    exercises
}

/// The suite's tests: the attempts' shape, then one test per exercise folder, found
/// on disk (libtest-mimic's harness), so a new exercise's attempts run without a test
/// written for them; `cargo test --test truth ex04` runs one exercise's.
fn main() {
    let arguments = libtest_mimic::Arguments::from_args();
    let mut trials = vec![libtest_mimic::Trial::test(
        "the_attempts_are_well_formed_and_cover_every_kind",
        || {
            the_attempts_are_well_formed_and_cover_every_kind();
            Ok(())
        },
    )];
    for exercise in exercise_folders() {
        trials.push(libtest_mimic::Trial::test(
            format!("{exercise}_attempts_are_graded_as_expected"),
            move || {
                grade_attempts(&exercise);
                Ok(())
            },
        ));
    }
    libtest_mimic::run(&arguments, trials).exit();
}

fn the_attempts_are_well_formed_and_cover_every_kind() {
    let exercises = exercise_folders();
    // Every exercise of the lab has its attempts (and every folder is graded: `main`).
    let lab = racelab_grader::lab::Lab::open(&root()).unwrap();
    let ids: Vec<&str> = lab
        .manifest
        .exercises
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(exercises, ids);
    let (mut buggy, mut correct, mut hostile) = (0, 0, 0);
    let mut rules = Vec::new();
    for exercise in &exercises {
        let attempts = attempts(exercise);
        rules.extend(attempts.iter().filter_map(|a| match a.kind {
            Kind::Hostile(rule) => Some(rule),
            _ => None,
        }));
        let count = |f: fn(&Kind) -> bool| attempts.iter().filter(|a| f(&a.kind)).count();
        let kinds = (
            count(|k| matches!(k, Kind::Buggy(_))),
            count(|k| matches!(k, Kind::Correct)),
            count(|k| matches!(k, Kind::Hostile(_))),
        );
        assert!(
            kinds.0 >= 3 && kinds.1 >= 3 && kinds.2 >= 2,
            "{exercise}: (buggy, correct, hostile) = {kinds:?}"
        );
        buggy += kinds.0;
        correct += kinds.1;
        hostile += kinds.2;
    }
    assert!(
        buggy >= 15 && correct >= 12 && hostile >= 9,
        "(buggy, correct, hostile) = {:?}",
        (buggy, correct, hostile)
    );
    let untried: Vec<&str> = Rule::ALL
        .into_iter()
        .filter(|rule| !rules.contains(rule))
        .map(Rule::id)
        .collect();
    assert!(untried.is_empty(), "no hostile attempt breaks {untried:?}");
    // The attempts are graded, never built as part of the workspace.
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("tests/"),
        "a workspace member under tests/"
    );
}
