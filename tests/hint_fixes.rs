//! No hint recommends a fix that a stage rejects: every fix a hint declares in
//! `grader/exercises.toml` (`fix = [crates…]`, each implementing exactly what the
//! hint suggests) is graded with every stage and must pass. ex05's old hint 3 ("set
//! the flag under the lock, and notify there too") told students to do what spec
//! rejects, in the same words as the bug it was meant to fix.
//!
//! A fix that is one of the exercise's reference solutions is graded with every
//! stage by `matrix.rs` (`every_reference_solution_passes_every_stage`); the others,
//! the crates under `tests/fixtures/hint-fixes/`, are graded here: a full grade each
//! (about a minute), so they are kept few.

use racelab_grader::lab::Lab;
use racelab_grader::manifest::{Fix, check_fixes};
use racelab_grader::report::Status;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, grade};
use racelab_tests::root;

#[test]
fn every_fix_a_hint_suggests_passes_every_stage() {
    let lab = Lab::open(&root()).unwrap();
    let mut wrong = Vec::new();
    let mut graded = 0;
    for exercise in &lab.manifest.exercises {
        check_fixes(&exercise.hints, &lab.root).unwrap_or_else(|e| panic!("{}: {e}", exercise.id));
        let fixes = exercise.hints.iter().flat_map(|hint| hint.fix_crates());
        let mut seen: Vec<&String> = Vec::new();
        for fix in fixes {
            if seen.contains(&fix) {
                continue;
            }
            seen.push(fix);
            if exercise.solutions.contains(fix) {
                continue;
            }
            let subject = Subject::locate(&lab, exercise, Some(&lab.root.join(fix))).unwrap();
            let report = grade(&lab, exercise, &subject, &GradeOptions::default(), &mut ());
            graded += 1;
            for stage in &report.stages {
                let modelless = exercise.stages.spec.is_none() && stage.name == StageId::Spec;
                if stage.status != Status::Pass && !modelless {
                    wrong.push(format!(
                        "{} {fix} {}: {} — {}",
                        exercise.id, stage.name, stage.status, stage.summary
                    ));
                }
            }
        }
    }
    assert!(graded > 0, "no hint declares a fix of its own");
    assert!(
        wrong.is_empty(),
        "fixes the hints suggest that a stage rejects:\n{}",
        wrong.join("\n")
    );
}

/// Every exercise has at least one hint that suggests a fix, and it is declared: a
/// manifest that marked every hint `fix = "none"` would leave the test above nothing
/// to grade.
#[test]
fn each_exercise_has_a_hint_with_a_fix() {
    let lab = Lab::open(&root()).unwrap();
    for exercise in &lab.manifest.exercises {
        assert!(
            exercise
                .hints
                .iter()
                .any(|hint| matches!(hint.fix, Fix::Crates(_))),
            "{}: no hint declares the fix it suggests",
            exercise.id
        );
    }
}
