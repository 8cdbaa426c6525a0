//! Fault injection: subjects that panic, deadlock, spin, hog memory, flood their
//! output, imitate the grader, or try to hide from a detector. Whatever a subject
//! does, the grade finishes with the right verdict, a clear reason and a whole report.
//!
//! Each fixture in `tests/fixtures/faults/<case>/src/lib.rs` implements ex01's API
//! with one fault. Grades select only the stages a case needs, to keep the suite fast.

use racelab_grader::StageId;
use racelab_grader::report::{Report, StageReport, Status};
use racelab_tests::root;
use std::ffi::OsString;
use std::path::Path;

fn fixture(case: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/faults")
        .join(case);
    path.to_str().unwrap().to_owned()
}

/// A finished grade: exit code, console output, the report and its size in bytes.
struct Graded {
    code: i32,
    out: String,
    report: Report,
    report_bytes: u64,
}

impl Graded {
    fn stage(&self, name: &str) -> &StageReport {
        self.report.stage(name.parse().unwrap()).unwrap()
    }

    fn expect(&self, name: &str, status: Status) -> &StageReport {
        let stage = self.stage(name);
        assert_eq!(
            stage.status, status,
            "{name}: {}\n{}",
            stage.summary, self.out
        );
        stage
    }
}

fn grade(case: &str, extra: &[&str]) -> Graded {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.toml");
    let path = fixture(case);
    let mut args = vec![
        "xtask",
        "grade",
        "ex01",
        "--path",
        &path,
        "--report",
        report_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run_in(
        &root(),
        args.into_iter().map(OsString::from),
        &mut out,
        &mut err,
    );
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    );
    let report =
        Report::read(&report_path).unwrap_or_else(|e| panic!("{case}: no report ({e})\n{out}"));
    let report_bytes = std::fs::metadata(&report_path).unwrap().len();
    Graded {
        code,
        out,
        report,
        report_bytes,
    }
}

#[test]
fn a_panicking_worker_fails_with_the_message_and_where_it_happened() {
    let graded = grade("worker-panic", &["--stage", "loom,shuttle,stress"]);
    assert_eq!(graded.code, 1);
    for name in ["loom", "shuttle", "stress"] {
        let stage = graded.expect(name, Status::Fail);
        let failure = stage.evidence.failure.as_deref().unwrap_or_default();
        assert!(failure.contains("no merchant account"), "{name}: {failure}");
    }
    let location = graded
        .stage("stress")
        .evidence
        .location
        .clone()
        .unwrap_or_default();
    assert!(location.contains("src/lib.rs:"), "{location}");
}

#[test]
fn a_panic_in_the_setup_fails_with_its_message() {
    let graded = grade("setup-panic", &["--stage", "loom,stress"]);
    assert_eq!(graded.code, 1);
    for name in ["loom", "stress"] {
        let summary = &graded.expect(name, Status::Fail).summary;
        assert!(
            summary.contains("ledger database is unreachable"),
            "{name}: {summary}"
        );
    }
}

#[test]
fn a_deadlock_is_named_by_the_explorers_and_seen_blocked_on_real_threads() {
    let graded = grade(
        "deadlock",
        &["--stage", "loom,shuttle,stress", "--time-limit", "3"],
    );
    assert_eq!(graded.code, 1);
    for name in ["loom", "shuttle"] {
        let stage = graded.expect(name, Status::Fail);
        let text = format!(
            "{} {}",
            stage.summary,
            stage.evidence.failure.as_deref().unwrap_or_default()
        );
        assert!(text.to_lowercase().contains("deadlock"), "{name}: {text}");
    }
    // Every thread blocked, none waking: the watchdog ends the round after a second
    // (`racelab_sync::blocked`), not at its limit, and says why.
    let stress = graded.expect("stress", Status::Timeout);
    assert!(
        stress.summary.contains("round 1 of ")
            && stress.summary.contains("deadlocked: the ")
            && stress.summary.contains("were all blocked"),
        "{}",
        stress.summary
    );
}

#[test]
fn a_subject_that_never_returns_times_out_in_every_stage_within_a_minute() {
    // No --time-limit: each stage's default is sized from the reference solutions.
    let started = std::time::Instant::now();
    let graded = grade("spin-forever", &[]);
    let took = started.elapsed();
    assert_eq!(graded.code, 1, "{}", graded.out);
    for name in ["loom", "shuttle", "stress", "tsan"] {
        let stage = graded.stage(name);
        if name == "tsan" && stage.status == Status::Skipped {
            continue; // no ThreadSanitizer toolchain on this machine
        }
        let stage = graded.expect(name, Status::Timeout);
        assert!(
            stage.summary.contains("did not finish in")
                && stage.summary.contains("the reference solutions finish in"),
            "{name}: {}",
            stage.summary
        );
    }
    assert!(
        took.as_secs() < 60,
        "the whole grade took {took:?}\n{}",
        graded.out
    );
    let lab = racelab_grader::lab::Lab::open(&root()).unwrap();
    let exercise = lab.manifest.find("ex01").unwrap();
    let path = fixture("spin-forever");
    let subject =
        racelab_grader::subject::Subject::locate(&lab, exercise, Some(Path::new(&path))).unwrap();
    let left = runners_alive(&subject.key);
    assert!(left.is_empty(), "runners left behind: {left:?}");
}

/// The command lines of live processes that run a runner built for subject `key`.
fn runners_alive(key: &str) -> Vec<String> {
    let runner = format!("racelab-runner-ex01-{key}");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(&runner))
        .collect()
}

#[test]
fn a_subject_that_allocates_without_bound_hits_the_memory_limit() {
    let graded = grade(
        "memory-hog",
        &["--stage", "loom,stress", "--memory-limit", "256"],
    );
    assert_eq!(
        (graded.code, graded.report.verdict.as_str()),
        (1, "fail"),
        "{}",
        graded.out
    );
    for name in ["loom", "stress"] {
        let stage = graded.expect(name, Status::Error);
        assert!(
            stage
                .evidence
                .fault
                .as_deref()
                .unwrap_or_default()
                .contains("memory limit"),
            "{name}"
        );
    }
}

#[test]
fn huge_output_is_capped_in_the_report() {
    let graded = grade("loud-panic", &["--stage", "stress"]);
    graded.expect("stress", Status::Fail);
    assert!(
        graded.report_bytes < 64 << 10,
        "report of {} bytes",
        graded.report_bytes
    );
}

#[test]
fn printing_the_grader_s_words_changes_nothing() {
    let graded = grade("imitator", &["--stage", "shuttle,stress"]);
    assert_eq!(graded.code, 1);
    graded.expect("shuttle", Status::Fail);
    graded.expect("stress", Status::Fail);
    assert_eq!(graded.report.verdict.as_str(), "fail");
}

#[test]
fn subjects_that_try_to_hide_from_a_detector_are_refused_with_the_reason() {
    for (case, reason) in [
        ("cfg-cheat", "cfg(loom)"),
        ("env-cheat", "environment"),
        ("report-forger", "forge"),
    ] {
        let graded = grade(case, &[]);
        assert_eq!(
            (graded.code, graded.report.verdict.as_str()),
            (1, "fail"),
            "{case}\n{}",
            graded.out
        );
        for stage in &graded.report.stages {
            assert_eq!(stage.status, Status::Error, "{case} {}", stage.name);
            let fault = stage.evidence.fault.as_deref().unwrap_or_default();
            assert!(
                fault.contains(reason) && fault.contains("src/lib.rs:"),
                "{case}: {fault}"
            );
        }
    }
}

#[test]
fn a_changed_api_is_named_before_any_detector_runs() {
    let graded = grade("api-changed", &["--stage", "loom"]);
    assert_eq!(graded.code, 1);
    let loom = graded.expect("loom", Status::Fail);
    assert!(loom.summary.starts_with("API changed"), "{}", loom.summary);
    let errors = loom.evidence.compile_errors.join("\n");
    assert!(errors.contains("mismatched types"), "{errors}");
}

#[test]
fn two_grades_of_the_same_subject_at_once_both_finish_correctly() {
    let solution = root().join("solutions/ex01-lost-update/per-worker");
    let path = solution.to_str().unwrap().to_owned();
    let grades: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                let report = dir.path().join("r.toml");
                let args = [
                    "xtask",
                    "grade",
                    "ex01",
                    "--path",
                    &path,
                    "--stage",
                    "loom,shuttle",
                    "--report",
                    report.to_str().unwrap(),
                ];
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let code = xtask::run_in(
                    &root(),
                    args.into_iter().map(OsString::from),
                    &mut out,
                    &mut err,
                );
                (code, Report::read(&report).unwrap())
            })
        })
        .collect();
    for grade in grades {
        let (code, report) = grade.join().unwrap();
        assert_eq!(code, 3);
        assert_eq!(report.stage(StageId::Loom).unwrap().status, Status::Pass);
        assert_eq!(report.stage(StageId::Shuttle).unwrap().status, Status::Pass);
    }
}

#[test]
fn a_missing_or_malformed_manifest_exits_2_naming_the_file_and_the_field() {
    let run = |root: &Path| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = ["xtask", "list"].into_iter().map(OsString::from);
        let code = xtask::run_in(root, args, &mut out, &mut err);
        (code, String::from_utf8_lossy(&err).into_owned())
    };
    let lab = tempfile::tempdir().unwrap();
    let (code, err) = run(lab.path());
    assert_eq!(code, 2);
    assert!(err.contains("grader/exercises.toml"), "{err}");

    let manifest = std::fs::read_to_string(root().join("grader/exercises.toml")).unwrap();
    std::fs::create_dir_all(lab.path().join("grader")).unwrap();
    let broken = manifest.replacen("title = \"The lost update\"", "title = 7", 1);
    std::fs::write(lab.path().join("grader/exercises.toml"), broken).unwrap();
    let (code, err) = run(lab.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("grader/exercises.toml") && err.contains("title"),
        "{err}"
    );
}

/// Processes whose command line contains `needle`, as `pid: command line`.
fn processes_with(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|entry| {
            let line = std::fs::read(entry.path().join("cmdline")).ok()?;
            let line = String::from_utf8_lossy(&line).replace('\0', " ");
            line.contains(needle)
                .then(|| format!("{}: {line}", entry.file_name().to_string_lossy()))
        })
        .collect()
}

/// The runners of fixture `case` that this test process started: their run folders
/// are `racelab/runs/ex01-<subject key>-<grader pid>-…`.
fn runners_of(case: &str) -> Vec<String> {
    let lab = racelab_grader::lab::Lab::open(&root()).unwrap();
    let exercise = lab.manifest.find("ex01").unwrap();
    let subject =
        racelab_grader::subject::Subject::locate(&lab, exercise, Some(Path::new(&fixture(case))))
            .unwrap();
    processes_with(&format!(
        "racelab/runs/ex01-{}-{}-",
        subject.key,
        std::process::id()
    ))
}

/// A stage of a hostile subject that did not pass: refused by the source policy
/// (`error`, naming the rule), or stopped when it ran (`fail`, `error` or `timeout`,
/// whose text contains one of `stopped_by`).
fn assert_stopped(graded: &Graded, name: &str, stopped_by: &[&str]) {
    let stage = graded.stage(name);
    let text = format!(
        "{} {} {}",
        stage.summary,
        stage.evidence.failure.as_deref().unwrap_or_default(),
        stage.evidence.fault.as_deref().unwrap_or_default()
    );
    let refused = stage.status == Status::Error && text.contains("forbidden-module");
    let stopped = stage.status != Status::Pass && stopped_by.iter().any(|s| text.contains(s));
    assert!(
        refused || stopped,
        "{name}: {:?} {text}\n{}",
        stage.status,
        graded.out
    );
}

/// The next grade on the machine, of a correct fix, passes every stage.
fn a_correct_fix_then_passes() {
    let path = root().join("solutions/ex01-lost-update/mutex");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.toml");
    let (code, out, err) = racelab_tests::xtask(&[
        "grade",
        "ex01",
        "--path",
        path.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_subject_that_starts_detached_processes_leaves_nothing_behind() {
    let graded = grade("detached-spawner", &[]);
    assert_eq!(graded.report.verdict.as_str(), "fail", "{}", graded.out);
    for name in ["loom", "shuttle", "stress", "tsan"] {
        assert_stopped(&graded, name, &["Operation not permitted"]);
    }
    let left = processes_with("sleep 607.25");
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(runners_of("detached-spawner"), Vec::<String>::new());
    a_correct_fix_then_passes();
}

#[test]
fn a_subject_that_starts_threads_without_end_is_stopped_and_leaves_nothing_behind() {
    let started = std::time::Instant::now();
    let graded = grade("thread-bomb", &["--time-limit", "20"]);
    assert_eq!(graded.report.verdict.as_str(), "fail", "{}", graded.out);
    assert_stopped(&graded, "stress", &["more than 256 threads"]);
    // Under ThreadSanitizer the threads stopped at the limit may be reported as
    // leaked, or its runtime may run out of memory first: stopped either way.
    assert_stopped(
        &graded,
        "tsan",
        &["more than 256 threads", "ThreadSanitizer"],
    );
    for name in ["loom", "shuttle"] {
        assert_ne!(graded.stage(name).status, Status::Pass, "{}", graded.out);
    }
    assert!(
        started.elapsed().as_secs() < 240,
        "the grade took {:?}",
        started.elapsed()
    );
    assert_eq!(runners_of("thread-bomb"), Vec::<String>::new());
    a_correct_fix_then_passes();
}
