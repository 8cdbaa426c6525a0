//! The spec stage end to end: the two attempts only it catches fail with a shrunk
//! scenario of at most three calls per thread, and the same seeds find, shrink and
//! replay the same failure.

use racelab_grader::lab::Lab;
use racelab_grader::report::{StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, grade};
use racelab_tests::root;

/// The spec stage's report on attempt `exNN/name`.
fn spec_of(lab: &Lab, exercise: &str, attempt: &str) -> StageReport {
    let exercise = lab.manifest.find(exercise).unwrap();
    let dir = root()
        .join("tests/fixtures/attempts")
        .join(exercise.id.as_str())
        .join(attempt);
    let subject = Subject::locate(lab, exercise, Some(&dir)).unwrap();
    let options = GradeOptions {
        stages: vec![StageId::Spec],
        ..GradeOptions::default()
    };
    let report = grade(lab, exercise, &subject, &options, &mut ());
    report.stage(StageId::Spec).unwrap().clone()
}

/// The calls of each worker column in a results table.
fn calls_per_thread(results: &str) -> Vec<usize> {
    let rows: Vec<Vec<&str>> = results
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let (header, calls) = rows.split_first().expect("a table with a header");
    (0..header.len())
        .map(|t| calls.iter().filter(|row| !row[t].is_empty()).count())
        .collect()
}

#[test]
fn attempts_only_spec_catches_shrink_to_three_calls_a_thread_and_replay() {
    let lab = Lab::open(&root()).unwrap();
    for (exercise, attempt) in [
        ("ex01", "flush-every-1000"),
        ("ex02", "refund-after-overdraw"),
    ] {
        let spec = spec_of(&lab, exercise, attempt);
        assert_eq!(spec.status, Status::Fail, "{attempt}: {}", spec.summary);
        let results = spec.evidence.results.clone().expect("the results table");
        assert!(results.contains("No sequential order"), "{results}");
        let calls = calls_per_thread(&results);
        assert!(
            (2..=3).contains(&calls.len()) && calls.iter().all(|&n| (1..=3).contains(&n)),
            "{attempt}: {calls:?} calls per thread in\n{results}"
        );
        assert!(
            racelab_grader::render::trace(&spec.evidence, racelab_grader::render::FORMAT_WIDTH)
                .is_some(),
            "{attempt}: no interleaving"
        );

        // The same seeds: the same scenario, the same schedule.
        let again = spec_of(&lab, exercise, attempt);
        assert_eq!(again.summary, spec.summary);
        assert_eq!(again.evidence.schedule, spec.evidence.schedule);

        let exercise = lab.manifest.find(exercise).unwrap();
        let dir = root()
            .join("tests/fixtures/attempts")
            .join(exercise.id.as_str())
            .join(attempt);
        let subject = Subject::locate(&lab, exercise, Some(&dir)).unwrap();
        let schedule = spec.evidence.schedule.as_deref().expect("a schedule");
        let replayed = racelab_grader::replay(
            &lab,
            exercise,
            &subject,
            StageId::Spec,
            Some(schedule),
            None,
            &mut (),
        )
        .unwrap();
        assert_eq!(replayed.status, Status::Fail);
        assert_eq!(replayed.evidence.results, spec.evidence.results);
        assert_eq!(replayed.evidence.steps, spec.evidence.steps);
    }
}
