//! The ThreadSanitizer stage on real subjects: the race in ex01 as shipped is reported
//! at its load and store lines, no reference solution draws a report (the Mutex one
//! included: std is instrumented), a subject that silences TSan is refused, and
//! correct C11 fences, which TSan does not model, draw no report (while loom still
//! catches a misplaced one), and a race made after the rounds, by a thread still
//! running at exit, is reported.
//!
//! These tests fail, rather than skip, when no TSan toolchain can be found or
//! provisioned: CI must really run the stage.

use racelab_grader::lab::Lab;
use racelab_grader::report::{Report, StageReport, Status};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_grader::{GradeOptions, grade};
use racelab_tests::root;
use std::path::{Path, PathBuf};

/// The report of grading exercise `id`'s subject at `path` (the shipped crate if
/// `None`) with `stages`.
fn graded(id: &str, path: Option<&Path>, stages: Vec<StageId>) -> Report {
    let lab = Lab::open(&root()).unwrap();
    let exercise = lab.manifest.find(id).unwrap();
    let subject = Subject::locate(&lab, exercise, path).unwrap();
    let options = GradeOptions {
        stages,
        ..GradeOptions::default()
    };
    grade(&lab, exercise, &subject, &options, &mut ())
}

/// The tsan stage's report for the ex01 subject at `path` (the shipped crate if `None`).
fn tsan_stage(path: Option<&Path>) -> StageReport {
    tsan_stage_of("ex01", path)
}

/// The tsan stage's report for exercise `id`'s subject at `path`; it must have run.
fn tsan_stage_of(id: &str, path: Option<&Path>) -> StageReport {
    let report = graded(id, path, vec![StageId::Tsan]);
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
    let tsan = stage.evidence.tsan.clone().expect("tsan evidence");
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
    let table =
        racelab_grader::render::trace(&stage.evidence, racelab_grader::render::FORMAT_WIDTH)
            .expect("the conflicting accesses side by side");
    assert!(table.contains(&store), "{table}");
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

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// ex03 fixed with a `Release` fence before a `Relaxed` store of the flag and an
/// `Acquire` fence after the `Relaxed` load that sees it: correct C11, so every stage
/// passes it, ThreadSanitizer (which does not model fences) included.
#[test]
fn a_fix_with_correct_fences_passes_every_stage() {
    let report = graded("ex03", Some(&fixture("ex03-fences")), StageId::ALL.to_vec());
    for stage in &report.stages {
        assert_eq!(
            stage.status,
            Status::Pass,
            "{}: {}",
            stage.name,
            stage.summary
        );
    }
    assert_eq!(report.verdict, Verdict::Pass);
}

/// A fence pairs with an ordered operation on the other side, too: neither pairing is
/// a data race, so TSan must not report one.
#[test]
fn a_fence_paired_with_an_ordered_load_or_store_draws_no_report() {
    for fix in [
        "ex03-fence-then-acquire-load",
        "ex03-release-store-then-fence",
    ] {
        let stage = tsan_stage_of("ex03", Some(&fixture(fix)));
        assert_eq!(stage.status, Status::Pass, "{fix}: {}", stage.summary);
    }
}

/// The other direction: what the facade tells TSan about fences must not hide a
/// misplaced one from loom, which models fences exactly. A Release fence after the
/// flag's store orders nothing before it.
#[test]
fn a_release_fence_after_the_flag_store_fails_loom() {
    let report = graded(
        "ex03",
        Some(&fixture("ex03-fence-after-store")),
        vec![StageId::Loom],
    );
    let loom = report.stage(StageId::Loom).unwrap();
    assert_eq!(loom.status, Status::Fail, "{}", loom.summary);
    let trace = racelab_grader::render::trace(&loom.evidence, racelab_grader::render::FORMAT_WIDTH)
        .unwrap_or_default();
    assert!(trace.contains("fence(Release)"), "{trace}");
    assert_eq!(report.verdict, Verdict::Fail);
}

/// TSan's own wait at exit is off (it cost every run a second); the runner waits
/// instead when a thread of the subject's still runs. A thread the subject never
/// joins, writing a cell the report read once the rounds are over, is still caught.
#[test]
fn a_race_made_by_a_thread_still_running_at_exit_is_reported() {
    let stage = tsan_stage(Some(&fixture("ex01-late-writer")));
    assert_eq!(stage.status, Status::Fail, "{}", stage.summary);
    let tsan = stage.evidence.tsan.expect("tsan evidence");
    assert_eq!(tsan.kinds, ["data race"]);
    let source = std::fs::read_to_string(fixture("ex01-late-writer").join("src/lib.rs")).unwrap();
    let write = source
        .lines()
        .position(|l| l.contains("auditor.audited.store(1)"))
        .unwrap()
        + 1;
    let places: Vec<String> = tsan
        .conflicts
        .iter()
        .filter_map(|c| c.location.clone())
        .collect();
    assert!(
        places.contains(&format!("src/lib.rs:{write}")),
        "no report names the auditor's write: {places:?}"
    );
}
