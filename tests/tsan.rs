//! The ThreadSanitizer stage on real subjects: the race in ex01 as shipped is reported
//! at its load and store lines, no reference solution draws a report (the Mutex one
//! included: std is instrumented), and a subject that silences TSan is refused.
//!
//! These tests fail, rather than skip, when no TSan toolchain can be found or
//! provisioned: CI must really run the stage.

use racelab_grader::lab::Lab;
use racelab_grader::report::{StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, Observer, grade};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

struct Silent;

impl Observer for Silent {
    fn activity(&mut self, _: StageId, _: &str) {}
    fn stage_finished(&mut self, _: &StageReport) {}
}

/// The tsan stage's report for the ex01 subject at `path` (the shipped crate if `None`).
fn tsan_stage(path: Option<&Path>) -> StageReport {
    let lab = Lab::open(&root()).unwrap();
    let exercise = lab.manifest.find("ex01").unwrap();
    let subject = Subject::locate(&lab, exercise, path).unwrap();
    let options = GradeOptions {
        stages: vec![StageId::Tsan],
        ..GradeOptions::default()
    };
    let report = grade(&lab, exercise, &subject, &options, &mut Silent);
    let stage = report.stage(StageId::Tsan).unwrap().clone();
    assert_ne!(
        stage.status,
        Status::Skipped,
        "the tsan stage did not run: {}",
        stage.summary
    );
    stage
}

#[test]
fn the_shipped_race_is_reported_at_its_load_and_store_lines() {
    let stage = tsan_stage(None);
    assert_eq!(stage.status, Status::Fail, "{}", stage.summary);
    let tsan = stage.evidence.tsan.expect("tsan evidence");
    assert!(tsan.reports >= 1);
    assert_eq!(tsan.kinds, ["data race"]);
    let source =
        std::fs::read_to_string(root().join("exercises/ex01-lost-update/src/lib.rs")).unwrap();
    let line_of = |needle: &str| {
        let number = source.lines().position(|l| l.contains(needle)).unwrap() + 1;
        format!("src/lib.rs:{number}")
    };
    let (load, store) = (
        line_of("let total = self.ledger.total_paise.load()"),
        line_of("total_paise.store(total)"),
    );
    let places: Vec<&str> = tsan
        .conflicts
        .iter()
        .filter_map(|c| c.location.as_deref())
        .collect();
    assert!(
        places.contains(&load.as_str()),
        "no report names the load at {load}: {places:?}"
    );
    assert!(
        places.contains(&store.as_str()),
        "no report names the store at {store}: {places:?}"
    );
    assert!(
        tsan.conflicts
            .iter()
            .all(|c| c.thread.starts_with('T') || c.thread == "main thread")
    );
    let table = stage
        .evidence
        .trace
        .expect("the conflicting accesses side by side");
    assert!(table.contains(&store), "{table}");
}

#[test]
fn no_reference_solution_draws_a_report() {
    for fix in ["mutex", "atomic", "per-worker"] {
        let stage = tsan_stage(Some(&root().join("solutions/ex01-lost-update").join(fix)));
        assert_eq!(stage.status, Status::Pass, "{fix}: {}", stage.summary);
        assert_eq!(stage.evidence.tsan.map(|t| t.reports), Some(0), "{fix}");
    }
}

/// Refused three ways: a suppressions function named in the source (found before
/// building), the same under a name spelt so that no source search finds it, and a
/// replacement for TSan's C++ `OnReport` hook, which would drop every report (both
/// found in the built runner).
#[test]
fn a_subject_that_silences_tsan_is_refused_even_when_the_name_is_hidden() {
    for fixture in ["tsan-silencer", "tsan-silencer-hidden", "tsan-on-report"] {
        let stage = tsan_stage(Some(&root().join("tests/fixtures").join(fixture)));
        assert_eq!(stage.status, Status::Error, "{fixture}: {}", stage.summary);
        let fault = stage.evidence.fault.unwrap_or_default();
        assert!(fault.contains("ThreadSanitizer"), "{fixture}: {fault}");
    }
}
