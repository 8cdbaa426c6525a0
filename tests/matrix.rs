//! The detector matrix, held to the letter.
//!
//! `grader/exercises.toml` claims, for every exercise, which stages catch the bug as
//! shipped (`shipped.caught_by`) and why the others cannot (`shipped.blind`). These
//! tests grade every shipped crate and every reference solution with every stage,
//! in-process, and fail on any claim the code does not bear out:
//!
//! - as shipped, every stage in `caught_by` fails (or times out: a deadlock on real
//!   threads ends at the stage's watchdog) and every other stage passes, with
//!   the manifest's reason attached as its note and printed under its line;
//! - every reference solution passes every stage;
//! - every exercise names the smallest inputs that show its bugs (its witnesses), and
//!   each is held by at least one stage claimed to catch the shipped bug, sized to
//!   hold it;
//! - the matrix in `README.md` is the one generated from the manifest.
//!
//! Grades run one at a time: the stress stage measures real threads, and two grades
//! sharing the two cores would change each other's odds.

use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::matrix;
use racelab_grader::report::{Report, StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, Observer, Regrade, grade};
use racelab_tests::root;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use xtask::console::Console;

/// Set to rewrite README.md's matrix from the manifest instead of comparing them.
const UPDATE_README: &str = "RACELAB_UPDATE_README";

/// Serialises the grades of this test binary.
static ONE_GRADE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn lab() -> Lab {
    Lab::open(&root()).unwrap_or_else(|e| panic!("{e}"))
}

/// Grades `path` (the shipped crate when `None`) with every stage, telling `observer`.
fn graded_for(
    lab: &Lab,
    exercise: &Exercise,
    path: Option<&Path>,
    observer: &mut dyn Observer,
) -> Report {
    let _turn = ONE_GRADE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let subject = Subject::locate(lab, exercise, path).unwrap_or_else(|e| panic!("{e}"));
    // Graded once: the runners compile without incremental data, as a batch's do.
    let options = GradeOptions {
        regrade: Regrade::Once,
        ..GradeOptions::default()
    };
    grade(lab, exercise, &subject, &options, observer)
}

/// Grades `path` (the shipped crate when `None`) with every stage.
fn graded(lab: &Lab, exercise: &Exercise, path: Option<&Path>) -> Report {
    graded_for(lab, exercise, path, &mut ())
}

/// Grades the shipped crate with every stage; returns the report and what the
/// console printer wrote for it.
fn graded_shipped_with_console(lab: &Lab, exercise: &Exercise) -> (Report, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let report = {
        let mut console = Console::new(&mut out, &mut err);
        let report = graded_for(lab, exercise, None, &mut console);
        console.grade_finished(&report, Path::new("report.toml"), None);
        report
    };
    (report, String::from_utf8_lossy(&out).into_owned())
}

/// A stage's result in one line, for failure messages.
fn described(stage: &StageReport) -> String {
    format!("{} — {}", stage.status, stage.summary)
}

#[test]
fn every_shipped_bug_is_caught_by_exactly_the_stages_the_manifest_claims() {
    let lab = lab();
    let mut wrong = Vec::new();
    for exercise in &lab.manifest.exercises {
        let (report, printed) = graded_shipped_with_console(&lab, exercise);
        if !exercise.shipped.compiles {
            // The compiler catches it: every stage reports its errors, none runs.
            for stage in &report.stages {
                if stage.status != Status::Fail || stage.evidence.compile_errors.is_empty() {
                    wrong.push(format!(
                        "{} {}: the manifest claims the compiler refuses the crate, the grade says {}",
                        exercise.id,
                        stage.name,
                        described(stage)
                    ));
                }
            }
            if !printed.contains("caught by the compiler") {
                wrong.push(format!(
                    "{}: the grade's output does not name the compiler:\n{printed}",
                    exercise.id
                ));
            }
            continue;
        }
        for stage in StageId::ALL {
            let Some(found) = report.stage(stage) else {
                wrong.push(format!("{} {stage}: missing from the report", exercise.id));
                continue;
            };
            // An exercise without a sequential model yet has no spec stage to run.
            let claimed = if stage == StageId::Spec && exercise.stages.spec.is_none() {
                Status::Skipped
            } else if exercise.shipped.is_caught_by(stage) {
                Status::Fail
            } else {
                Status::Pass
            };
            // A deadlock stops real threads for good: the stage ends at its watchdog.
            let caught_by_timeout = claimed == Status::Fail && found.status == Status::Timeout;
            if found.status != claimed && !caught_by_timeout {
                wrong.push(format!(
                    "{} {stage}: the manifest claims `{claimed}`, the grade says {}",
                    exercise.id,
                    described(found)
                ));
                continue;
            }
            let Some(why) = exercise.shipped.why_blind(stage) else {
                continue;
            };
            if found.evidence.note.as_deref() != Some(why) {
                wrong.push(format!(
                    "{} {stage}: the note should be {why:?}, the report has {:?}",
                    exercise.id, found.evidence.note
                ));
            }
            // The console wraps long lines to the terminal's width: compare words.
            let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !words(&printed).contains(&words(&format!("why silent: {why}"))) {
                wrong.push(format!(
                    "{} {stage}: the grade's output does not say why it is silent:\n{printed}",
                    exercise.id
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the detector matrix in grader/exercises.toml is not what the detectors do:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_reference_solution_passes_every_stage() {
    let lab = lab();
    let mut wrong = Vec::new();
    let mut graded_solutions = 0;
    for exercise in &lab.manifest.exercises {
        assert!(
            !exercise.solutions.is_empty(),
            "{} lists no reference solution",
            exercise.id
        );
        for solution in &exercise.solutions {
            let report = graded(&lab, exercise, Some(&lab.root.join(solution)));
            graded_solutions += 1;
            let no_model = exercise.stages.spec.is_none();
            for stage in &report.stages {
                let modelless = no_model && stage.name == StageId::Spec;
                if stage.status != Status::Pass && !(modelless && stage.status == Status::Skipped) {
                    wrong.push(format!(
                        "{} {solution} {}: {}",
                        exercise.id,
                        stage.name,
                        described(stage)
                    ));
                }
                let tsan_reports = stage.evidence.tsan.as_ref().map(|t| t.reports);
                if stage.name == StageId::Tsan && tsan_reports != Some(0) {
                    wrong.push(format!(
                        "{} {solution} tsan: {tsan_reports:?} reports, not Some(0)",
                        exercise.id
                    ));
                }
            }
            let verdict = if no_model { "incomplete" } else { "pass" };
            if report.verdict.as_str() != verdict {
                wrong.push(format!(
                    "{} {solution}: verdict {}",
                    exercise.id, report.verdict
                ));
            }
        }
    }
    assert!(graded_solutions > 0);
    assert!(
        wrong.is_empty(),
        "reference solutions that do not pass:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_witness_is_held_by_a_stage_that_catches_the_bug() {
    let lab = lab();
    let mut wrong = Vec::new();
    for exercise in &lab.manifest.exercises {
        if exercise.witnesses.is_empty() {
            wrong.push(format!("{}: no `[[exercises.witnesses]]`", exercise.id));
        }
        let sizes = &exercise.stages;
        for witness in &exercise.witnesses {
            let holds = |stage: StageId| {
                let (workers, ops) = match stage {
                    StageId::Loom => (sizes.loom.workers, sizes.loom.ops),
                    StageId::Shuttle => (sizes.shuttle.workers, sizes.shuttle.ops),
                    StageId::Stress => (sizes.stress.workers, sizes.stress.ops),
                    StageId::Tsan => (sizes.tsan.workers, sizes.tsan.ops),
                    StageId::Spec => return sizes.spec.is_some(),
                };
                workers >= witness.workers && ops >= witness.ops
            };
            let catchers: Vec<StageId> = witness
                .covered_by
                .iter()
                .copied()
                .filter(|&stage| holds(stage))
                .filter(|&stage| !exercise.shipped.compiles || exercise.shipped.is_caught_by(stage))
                .collect();
            if catchers.is_empty() {
                wrong.push(format!(
                    "{} \"{}\": no stage that catches the bug runs a scenario that holds it",
                    exercise.id, witness.bug
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "witnesses no detector holds:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_readme_matrix_is_the_one_in_the_manifest() {
    let lab = lab();
    let path = lab.root.join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let table = matrix::table(&lab.manifest);
    if std::env::var_os(UPDATE_README).is_some() {
        let updated = matrix::with_section(&readme, &table).expect("README.md has the markers");
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    let Some(section) = matrix::section(&readme) else {
        panic!(
            "README.md lacks the lines `{}` and `{}` around the detector matrix",
            matrix::START_MARKER,
            matrix::END_MARKER
        );
    };
    assert!(
        section == table.trim_matches('\n'),
        "README.md's detector matrix differs from grader/exercises.toml. \
         Run `{UPDATE_README}=1 cargo test -p racelab-tests --test matrix \
         the_readme_matrix` to rewrite it. It should read:\n{table}"
    );
}
