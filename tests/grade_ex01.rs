//! End to end, through the command line: `cargo xtask grade ex01` on the exercise as
//! shipped, on a reference solution and its copy elsewhere, and on bad input (every
//! reference solution of every exercise is graded by `matrix.rs`).
//!
//! These grades run the real detectors (loom, shuttle, real threads). The
//! ThreadSanitizer stage has its own end-to-end test (`tsan.rs`); here it is left out
//! with `--stage`, which the report must then show as `skipped`, never `pass`.

use racelab_grader::StageId;
use racelab_grader::report::{Report, Status};
use racelab_tests::{root, xtask};

const EXPLORING_STAGES: &str = "loom,shuttle,stress";

/// Grades with the exploring stages, reporting to a temporary file; returns the exit
/// code, the console output and the parsed report.
fn grade(extra: &[&str]) -> (i32, String, Report) {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.toml");
    let report_arg = report_path.to_str().unwrap();
    let mut args = vec![
        "grade",
        "ex01",
        "--stage",
        EXPLORING_STAGES,
        "--report",
        report_arg,
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = xtask(&args);
    let report = Report::read(&report_path)
        .unwrap_or_else(|e| panic!("no report ({e}); stdout:\n{out}\nstderr:\n{err}"));
    (code, out, report)
}

fn status(report: &Report, stage: &str) -> Status {
    report
        .stage(stage.parse().unwrap())
        .unwrap_or_else(|| panic!("no stage {stage}"))
        .status
}

#[test]
fn the_shipped_exercise_is_caught_by_loom_shuttle_and_stress() {
    let (code, out, report) = grade(&[]);
    assert_eq!(code, 1, "{out}");
    for stage in ["loom", "shuttle", "stress"] {
        assert_eq!(status(&report, stage), Status::Fail, "{stage}\n{out}");
    }
    assert_eq!(status(&report, "tsan"), Status::Skipped);
    assert_eq!(report.verdict.as_str(), "fail");

    let loom = report.stage(StageId::Loom).unwrap();
    let diagnostic = loom.evidence.failure.as_deref().unwrap_or_default();
    assert!(diagnostic.contains("Causality violation"), "{diagnostic}");
    assert!(
        diagnostic.contains("exercises/ex01-lost-update/src/lib.rs:"),
        "loom should point at the exercise's own lines, not the facade:\n{diagnostic}"
    );

    let shuttle = report.stage(StageId::Shuttle).unwrap();
    assert!(shuttle.summary.contains("expected"), "{}", shuttle.summary);
    let replay = shuttle
        .evidence
        .replay
        .as_deref()
        .expect("a replay command");
    assert!(
        replay.starts_with("cargo xtask replay ex01 --schedule "),
        "{replay}"
    );

    let anomalies = report
        .stage(StageId::Stress)
        .unwrap()
        .evidence
        .anomalies
        .clone()
        .expect("figures");
    assert!(
        anomalies.broken_rounds > 0 && anomalies.total_shortfall > 0,
        "{anomalies:?}"
    );
    assert!(out.contains("lost"), "{out}");
    assert!(out.contains("report: "), "{out}");
}

#[test]
fn a_shuttle_failure_replays_deterministically_and_a_corrupt_schedule_is_refused() {
    let (_, _, report) = grade(&["--stage", "shuttle"]);
    let shuttle = report.stage(StageId::Shuttle).unwrap();
    let schedule = shuttle
        .evidence
        .schedule
        .clone()
        .expect("a failing schedule");
    let first = xtask(&["replay", "ex01", "--schedule", &schedule]);
    let second = xtask(&["replay", "ex01", "--schedule", &schedule]);
    assert_eq!(first.0, 1, "{}\n{}", first.1, first.2);
    assert_eq!(
        first.1, second.1,
        "replaying twice must print the same thing"
    );
    assert!(
        first
            .1
            .contains(shuttle.evidence.failure.as_deref().unwrap()),
        "{}",
        first.1
    );

    let (code, out, err) = xtask(&["replay", "ex01", "--schedule", "not-a-schedule"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("not a schedule"),
        "{out}{err}"
    );
}

/// A solution copied under a folder whose name a student's zip can produce (an `é`
/// written decomposed, as macOS does, a zero-width space, DEL, spaces, quotes and a
/// backslash) grades as it does in the workspace: the runner manifests quote it right.
#[test]
fn a_copy_of_a_solution_under_an_awkward_folder_name_grades_the_same() {
    let outer = tempfile::tempdir().unwrap();
    let copy = outer
        .path()
        .join("Jose\u{301} Zo\u{200b}e\u{7f} \"q\" 'x' back\\slash");
    let source = root().join("solutions/ex01-lost-update/atomic");
    std::fs::create_dir_all(copy.join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(source.join(file), copy.join(file)).unwrap();
    }
    let (code, out, report) = grade(&["--path", copy.to_str().unwrap()]);
    let (plain_code, plain_out, plain) = grade(&["--path", source.to_str().unwrap()]);
    assert_eq!((code, plain_code), (3, 3), "{out}\n{plain_out}");
    assert_eq!(report.verdict, plain.verdict);
    for stage in ["loom", "shuttle", "stress"] {
        assert_eq!(status(&report, stage), Status::Pass, "{stage}\n{out}");
    }
    assert!(out.contains(&copy.display().to_string()), "{out}");
}

#[test]
fn a_subject_that_does_not_compile_fails_with_the_compiler_errors() {
    let broken = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(broken.path().join("src")).unwrap();
    let source =
        std::fs::read_to_string(root().join("exercises/ex01-lost-update/src/lib.rs")).unwrap();
    let source = source.replace(
        "let total = total + amount_paise;",
        "let total = total + amount_paise",
    );
    std::fs::write(broken.path().join("src/lib.rs"), source).unwrap();
    let (code, out, report) = grade(&[
        "--path",
        broken.path().to_str().unwrap(),
        "--stage",
        "loom,shuttle",
    ]);
    assert_eq!((code, report.verdict.as_str()), (1, "fail"), "{out}");
    let loom = report.stage(StageId::Loom).unwrap();
    assert_eq!(loom.status, Status::Fail);
    let first_error = loom
        .evidence
        .compile_errors
        .first()
        .expect("compiler errors in the report");
    assert!(first_error.contains("src/lib.rs:"), "{first_error}");
    assert!(out.contains("does not compile"), "{out}");
    // Every stage builds the same subject: its errors are printed once, under them all.
    let headline = first_error.lines().next().unwrap();
    assert_eq!(out.matches(headline).count(), 1, "{out}");
}

#[test]
fn an_unknown_exercise_exits_2_and_lists_the_exercises() {
    let (code, out, err) = xtask(&["grade", "ex99"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("no exercise `ex99`"), "{err}");
    assert!(
        err.contains("ex01") && err.contains("The lost update"),
        "{err}"
    );
}

#[test]
fn a_path_that_is_not_a_crate_exits_2_with_what_to_do() {
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = xtask(&["grade", "ex01", "--path", empty.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no src/lib.rs"), "{err}");
    let (code, _, err) = xtask(&["grade", "ex01", "--path", "/nonexistent/racelab"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn an_unknown_stage_is_a_usage_error() {
    let (code, _, err) = xtask(&["grade", "ex01", "--stage", "helgrind"]);
    assert_eq!(code, 2);
    assert!(err.contains("loom, shuttle, stress, tsan"), "{err}");
}

#[test]
fn an_unwritable_report_location_exits_2_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let target = blocker.join("report.toml");
    let (code, _, err) = xtask(&[
        "grade",
        "ex01",
        "--stage",
        "loom",
        "--report",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot write the report") && err.contains("--report"),
        "{err}"
    );
}
