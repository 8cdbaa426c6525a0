//! A subject that does not compile, through the command line: every stage fails (the
//! subject's fault, not the grader's `error`) in one line, and the compiler's errors
//! are printed once, as the student's own `cargo build` gives them — no path into
//! loom's or shuttle's sources, std's types suggested as the facade's — within 80
//! columns.

use racelab_grader::report::{Report, Status};
use racelab_tests::{root, xtask};
use std::path::Path;

/// A copy of `crate_dir` in a temporary folder, its `src/lib.rs` edited by `edit`.
fn broken_copy(crate_dir: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let source = std::fs::read_to_string(root().join(crate_dir).join("src/lib.rs")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), edit(source)).unwrap();
    dir
}

/// Grades `subject` as `exercise` with `stages`: the exit code, the console's output
/// and the report.
fn grade(exercise: &str, subject: &Path, stages: &str) -> (i32, String, Report) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.toml");
    let (code, out, err) = xtask(&[
        "grade",
        exercise,
        "--path",
        subject.to_str().unwrap(),
        "--stage",
        stages,
        "--report",
        report.to_str().unwrap(),
    ]);
    let report = Report::read(&report)
        .unwrap_or_else(|e| panic!("no report ({e}); stdout:\n{out}\nstderr:\n{err}"));
    (code, out, report)
}

#[test]
fn a_subject_that_does_not_compile_fails_every_stage_and_its_errors_print_once() {
    // ex00 "fixed" with an Arc of Cells: not Sync. Under loom the facade's Arc is
    // loom's, whose source rustc would point into.
    let subject = broken_copy("exercises/ex00-shared-counter", |source| {
        source
            .replace("use std::rc::Rc;", "use racelab_sync::sync::Arc;")
            .replace("Rc<Cell<u64>>", "Arc<Cell<u64>>")
    });
    let (code, out, report) = grade("ex00", subject.path(), "loom,shuttle,stress,spec");
    assert_eq!((code, report.verdict.as_str()), (1, "fail"), "{out}");
    let graded: Vec<_> = report
        .stages
        .iter()
        .filter(|s| s.status != Status::Skipped)
        .collect();
    assert_eq!(graded.len(), 4, "{out}");
    for stage in &graded {
        assert_eq!(stage.status, Status::Fail, "{}: {out}", stage.name);
        assert!(
            stage
                .summary
                .starts_with("does not compile: the compiler stops at src/lib.rs:"),
            "{}",
            stage.summary
        );
        assert_eq!(
            stage.evidence.compile_errors,
            graded[0].evidence.compile_errors
        );
    }
    let errors = graded[0].evidence.compile_errors.join("\n");
    assert!(
        errors.contains("cannot be shared between threads safely"),
        "{errors}"
    );
    for internal in [
        ".cargo/registry",
        "loom-0",
        "shuttle-0",
        "loom::",
        "shuttle::",
    ] {
        assert!(!errors.contains(internal), "{internal} in\n{errors}");
    }
    // Once, under the stage lines, not once per stage; no ERROR, no "the same errors".
    let headline = errors.lines().next().unwrap();
    assert_eq!(out.matches(headline).count(), 1, "{out}");
    assert!(
        !out.contains("ERROR") && !out.contains("the same compiler errors"),
        "{out}"
    );
    assert!(out.contains("caught by the compiler"), "{out}");
    // The first and last lines name paths, which are never wrapped.
    let paths = |l: &&str| l.starts_with("Grading ") || l.starts_with("report: ");
    for line in out.lines().filter(|l| !paths(l)) {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}\n{out}",
            line.chars().count()
        );
    }
}

#[test]
fn rustc_s_suggestions_of_std_types_name_the_facade_s() {
    // ex01's atomic solution without its import: rustc suggests std's AtomicU64.
    let subject = broken_copy("solutions/ex01-lost-update/atomic", |source| {
        source.replace("use racelab_sync::sync::atomic::{AtomicU64, Ordering};", "")
    });
    let (_, out, report) = grade("ex01", subject.path(), "loom");
    let loom = report
        .stages
        .iter()
        .find(|s| s.status == Status::Fail)
        .expect(&out);
    let errors = loom.evidence.compile_errors.join("\n");
    assert!(
        errors.contains("+ use racelab_sync::sync::atomic::AtomicU64;"),
        "{errors}"
    );
    assert!(
        !errors.contains("use std::sync::atomic::AtomicU64"),
        "{errors}"
    );
    assert!(
        out.contains("+ use racelab_sync::sync::atomic::AtomicU64;"),
        "{out}"
    );
}
