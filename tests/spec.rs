//! The spec stage end to end: the two attempts only it catches fail with a shrunk
//! scenario of at most three calls per thread, and the same seeds find, shrink and
//! replay the same failure.

use racelab_grader::lab::Lab;
use racelab_grader::report::{StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, grade};
use racelab_harness::spec::Lane;
use racelab_harness::{CallOutcome, SpecScenario};
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

/// The spec stage's report on exercise `exNN` as shipped.
fn spec_of_shipped(lab: &Lab, exercise: &str) -> StageReport {
    let exercise = lab.manifest.find(exercise).unwrap();
    let subject = Subject::locate(lab, exercise, None).unwrap();
    let options = GradeOptions {
        stages: vec![StageId::Spec],
        ..GradeOptions::default()
    };
    let report = grade(lab, exercise, &subject, &options, &mut ());
    report.stage(StageId::Spec).unwrap().clone()
}

/// How many calls each worker made in a scenario.
fn calls_per_thread(scenario: &SpecScenario) -> Vec<usize> {
    (0..scenario.threads)
        .map(|t| {
            let lane = Lane::Thread(t);
            scenario.calls.iter().filter(|c| c.lane == lane).count()
        })
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
        let scenario = spec.evidence.scenario.clone().expect("the scenario");
        let explanation = scenario
            .explanation
            .as_ref()
            .expect("why no order explains");
        assert!(!explanation.impossible.is_empty(), "{scenario:?}");
        assert!(!explanation.shown.is_empty(), "{scenario:?}");
        let drawn = racelab_grader::render::spec::draw(&scenario, 60);
        assert!(drawn.contains("No order of these calls gives"), "{drawn}");
        assert!(drawn.lines().all(|l| l.chars().count() <= 60), "{drawn}");
        let calls = calls_per_thread(&scenario);
        assert!(
            (2..=3).contains(&calls.len()) && calls.iter().all(|&n| (1..=3).contains(&n)),
            "{attempt}: {calls:?} calls per thread in\n{drawn}"
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
        assert_eq!(replayed.evidence.scenario, spec.evidence.scenario);
        assert_eq!(replayed.evidence.steps, spec.evidence.steps);
    }
}

/// A deadlock is a failure like any other: the scenario that reached it is shown,
/// each call with what became of it (ex04's README promises "the smallest scenario
/// it found").
#[test]
fn a_shipped_deadlock_shows_its_scenario() {
    let lab = Lab::open(&root()).unwrap();
    let spec = spec_of_shipped(&lab, "ex04");
    assert_eq!(spec.status, Status::Fail, "{}", spec.summary);
    assert!(spec.summary.starts_with("deadlock"), "{}", spec.summary);
    let scenario = spec.evidence.scenario.expect("the scenario");
    assert!(scenario.start.starts_with("Ledger::new(&["), "{scenario:?}");
    let transfers = scenario
        .calls
        .iter()
        .filter(|c| c.op.starts_with("transfer("));
    assert!(
        transfers
            .filter(|c| c.outcome == CallOutcome::Unfinished)
            .count()
            >= 2,
        "two transfers at least deadlock and never return: {scenario:?}"
    );
    assert_eq!(scenario.explanation, None);
    let drawn = racelab_grader::render::spec::draw(&scenario, 60);
    assert!(drawn.contains("(did not return)"), "{drawn}");
    assert!(drawn.lines().all(|l| l.chars().count() <= 60), "{drawn}");
}
