//! The student's commands besides `grade`, in-process on a throwaway copy of the lab
//! (manifest, exercise crates, solutions), so the real exercises, reports and hint
//! progress are never touched: `list` reflects the last reports, hint progress
//! survives a restart, `reset` keeps a backup, `solution` unlocks on a pass, and
//! `watch` refuses to run without a terminal.

use racelab_grader::lab::Lab;
use racelab_grader::manifest::Manifest;
use racelab_grader::report::{Evidence, Report, SCHEMA, StageReport, Status};
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_tests::{git, root as real_root};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use xtask::terminal::Terminal;

/// A copy of the lab's manifest, exercise crates and solutions in a temporary folder.
fn fake_lab() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest_path = real_root().join(racelab_grader::lab::MANIFEST_PATH);
    let copy = dir.path().join(racelab_grader::lab::MANIFEST_PATH);
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&manifest_path, &copy).unwrap();
    let manifest = Manifest::load(&manifest_path).unwrap();
    for exercise in &manifest.exercises {
        for crate_dir in std::iter::once(&exercise.dir).chain(&exercise.solutions) {
            copy_dir(&real_root().join(crate_dir), &dir.path().join(crate_dir));
        }
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            if path.file_name().unwrap() != "target" {
                copy_dir(&path, &target);
            }
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs `cargo xtask <args>` on the lab at `root`; returns (exit code, stdout, stderr).
fn xtask(root: &Path, args: &[&str]) -> (i32, String, String) {
    xtask_with(root, args, Terminal::default())
}

fn xtask_with(root: &Path, args: &[&str], terminal: Terminal) -> (i32, String, String) {
    let argv = std::iter::once("xtask")
        .chain(args.iter().copied())
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run_with(root, argv, &mut out, &mut err, terminal);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Writes a report for exercise number `index` where it is looked for, with the given
/// stage statuses (loom, shuttle, stress, tsan); returns its path.
fn write_report(root: &Path, index: usize, statuses: [Status; 4]) -> PathBuf {
    let lab = Lab::open(root).unwrap();
    let exercise = &lab.manifest.exercises[index];
    let subject = Subject::locate(&lab, exercise, None).unwrap();
    let stages: Vec<StageReport> = ["loom", "shuttle", "stress", "tsan"]
        .iter()
        .zip(statuses)
        .map(|(name, status)| StageReport {
            name: name.parse().expect("a stage name"),
            status,
            duration_ms: 10,
            summary: format!("{name} said {status}"),
            evidence: Evidence::default(),
        })
        .collect();
    let report = Report {
        schema: SCHEMA,
        grader_version: "test".into(),
        manifest_hash: String::new(),
        scenario_hash: String::new(),
        exercise: exercise.id.clone(),
        subject: subject.dir.display().to_string(),
        subject_hash: String::new(),
        verdict: Verdict::of(&stages),
        required: Vec::new(),
        duration_ms: 40,
        stages,
    };
    let path = lab.default_report_path(exercise, &subject);
    report.write(&path).unwrap();
    path
}

fn exercise_ids(root: &Path) -> Vec<String> {
    let lab = Lab::open(root).unwrap();
    lab.manifest
        .exercises
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

fn line_of<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(id))
        .unwrap_or_else(|| panic!("no line for {id} in\n{out}"))
}

const PASSING: [Status; 4] = [Status::Pass; 4];
const CAUGHT_BY_LOOM_AND_SHUTTLE: [Status; 4] =
    [Status::Fail, Status::Fail, Status::Pass, Status::Skipped];

#[test]
fn list_reflects_the_last_reports_with_a_progress_bar() {
    let lab = fake_lab();
    let root = lab.path();
    let ids = exercise_ids(root);
    assert!(ids.len() >= 2, "the lab should have at least two exercises");

    let (code, out, _) = xtask(root, &["list"]);
    assert_eq!(code, 0);
    for id in &ids {
        assert!(line_of(&out, id).contains("not tried"), "{out}");
    }
    let empty_bar = format!("[----------] 0/{} exercises passing", ids.len());
    assert!(out.contains(&empty_bar), "{out}");

    write_report(root, 0, CAUGHT_BY_LOOM_AND_SHUTTLE);
    write_report(root, 1, PASSING);
    let (code, out, _) = xtask(root, &["list"]);
    assert_eq!(code, 0);
    assert!(
        line_of(&out, &ids[0]).contains("failing — caught by loom, shuttle"),
        "{out}"
    );
    assert!(line_of(&out, &ids[1]).contains("passing"), "{out}");
    for id in &ids[2..] {
        assert!(line_of(&out, id).contains("not tried"), "{out}");
    }
    let filled = 10 / ids.len();
    let bar = format!(
        "[{}{}] 1/{} exercises passing",
        "#".repeat(filled),
        "-".repeat(10 - filled),
        ids.len()
    );
    assert!(out.contains(&bar), "{bar} missing in\n{out}");
    assert!(
        out.contains(&format!("Next: cargo xtask watch {}", ids[0])),
        "{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "plain output has no colour codes:\n{out}"
    );

    // Editing the crate after its grade marks the status as possibly stale.
    let lib = root
        .join(&Lab::open(root).unwrap().manifest.exercises[0].dir)
        .join("src/lib.rs");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&lib)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (_, out, _) = xtask(root, &["list"]);
    assert!(line_of(&out, &ids[0]).contains("(edited since)"), "{out}");
    assert!(!line_of(&out, &ids[1]).contains("edited since"), "{out}");
}

#[test]
fn colours_appear_only_when_the_terminal_allows_them() {
    let lab = fake_lab();
    write_report(lab.path(), 0, PASSING);
    let colour = Terminal {
        color: true,
        ..Terminal::default()
    };
    let (_, out, _) = xtask_with(lab.path(), &["list"], colour);
    assert!(out.contains('\x1b'), "{out}");
    let (_, out, _) = xtask(lab.path(), &["list"]);
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn hint_progress_survives_a_restart_and_all_shows_every_hint() {
    let lab = fake_lab();
    let root = lab.path();
    let ids = exercise_ids(root);
    let id = ids[0].as_str();

    let (code, out, _) = xtask(root, &["hint", id]);
    assert_eq!(code, 0);
    assert!(out.contains("Hint 1 of"), "{out}");
    assert!(!out.contains("Hint 2 of"), "{out}");
    assert!(
        out.contains(&format!("Run `cargo xtask hint {id}` again")),
        "{out}"
    );

    // A new run (the state is on disk, not in memory) shows the next one too.
    let (code, out, _) = xtask(root, &["hint", id]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Hint 1 of") && out.contains("Hint 2 of"),
        "{out}"
    );
    assert!(!out.contains("Hint 3 of"), "{out}");
    assert!(root.join("target/racelab/hints.toml").is_file());

    let (code, all, _) = xtask(root, &["hint", id, "--all"]);
    assert_eq!(code, 0);
    assert!(all.contains("That was the last hint"), "{all}");
    // `--all` counts every hint as seen (so `watch` says none is left); other
    // exercises keep their own count.
    let (_, out, _) = xtask(root, &["hint", id]);
    assert!(out.contains("That was the last hint"), "{out}");
    let (_, other, _) = xtask(root, &["hint", &ids[1]]);
    assert!(
        other.contains("Hint 1 of") && !other.contains("Hint 2 of"),
        "{other}"
    );
}

#[test]
fn reset_keeps_a_backup_then_restores_the_shipped_version() {
    let lab = fake_lab();
    let root = lab.path();
    git(root, &["init", "--quiet"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "--quiet", "-m", "as shipped"]);

    let manifest = Lab::open(root).unwrap().manifest;
    let exercise = &manifest.exercises[0];
    let dir = root.join(&exercise.dir);
    let shipped = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let mine = format!("{shipped}\n// my attempt, half done\n");
    std::fs::write(dir.join("src/lib.rs"), &mine).unwrap();
    std::fs::write(dir.join("src/notes.rs"), "// thoughts\n").unwrap();
    let report = write_report(root, 0, PASSING);

    let (code, out, err) = xtask(root, &["reset", &exercise.id]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
        shipped
    );
    assert!(!dir.join("src/notes.rs").exists(), "{out}");
    assert!(!report.exists(), "the report of the old version moves away");

    // The backup is named in the output and holds the student's work.
    let named = out
        .split_whitespace()
        .find(|w| w.starts_with(".racelab/backups/"))
        .unwrap_or_else(|| panic!("no backup path in\n{out}"));
    let backup = root.join(named.trim_end_matches('/'));
    assert_eq!(
        std::fs::read_to_string(backup.join("src/lib.rs")).unwrap(),
        mine
    );
    assert_eq!(
        std::fs::read_to_string(backup.join("src/notes.rs")).unwrap(),
        "// thoughts\n"
    );
    assert!(backup.parent().unwrap().join("last-report.toml").is_file());
    assert!(out.contains("restored") && out.contains("removed"), "{out}");

    let (_, list, _) = xtask(root, &["list"]);
    assert!(line_of(&list, &exercise.id).contains("not tried"), "{list}");
    // Starting again does not lock the reference fixes that the pass unlocked.
    let (code, out, _) = xtask(root, &["solution", &exercise.id]);
    assert_eq!(code, 0, "{out}");

    // Nothing to do the second time, and no empty backup either.
    let (code, out, _) = xtask(root, &["reset", &exercise.id]);
    assert_eq!(code, 0);
    assert!(out.contains("already as shipped"), "{out}");
    let backups = std::fs::read_dir(root.join(".racelab/backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 1);
}

#[test]
fn reset_outside_git_changes_nothing() {
    let lab = fake_lab();
    let root = lab.path();
    let manifest = Lab::open(root).unwrap().manifest;
    let exercise = &manifest.exercises[0];
    let lib = root.join(&exercise.dir).join("src/lib.rs");
    std::fs::write(&lib, "// my work\n").unwrap();

    let (code, out, err) = xtask(root, &["reset", &exercise.id]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), "// my work\n");
    assert!(!root.join(".racelab").exists());
}

#[test]
fn solutions_unlock_after_a_pass_or_with_force() {
    let lab = fake_lab();
    let root = lab.path();
    let manifest = Lab::open(root).unwrap().manifest;
    let exercise = manifest.find("ex01").expect("the lab has ex01");

    let (code, out, _) = xtask(root, &["solution", "ex01"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("unlock once your own fix passes"), "{out}");
    assert!(out.contains("cargo xtask solution ex01 --force"), "{out}");
    assert!(!out.contains("fn record"), "{out}");

    let index = manifest
        .exercises
        .iter()
        .position(|e| e.id == "ex01")
        .unwrap();
    write_report(root, index, CAUGHT_BY_LOOM_AND_SHUTTLE);
    let (code, out, _) = xtask(root, &["solution", "ex01"]);
    assert_eq!(code, 1);
    assert!(out.contains("caught by loom, shuttle"), "{out}");

    let (code, forced, _) = xtask(root, &["solution", "ex01", "--force"]);
    assert_eq!(code, 0);
    assert!(forced.contains("--force"), "{forced}");

    write_report(root, index, PASSING);
    let (code, out, _) = xtask(root, &["solution", "ex01"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("your fix passes too"), "{out}");
    for dir in &exercise.solutions {
        assert!(out.contains(dir.as_str()), "{dir} missing in\n{out}");
    }
    // One paragraph per fix on when it is right, as prose, then its code.
    for cost in ["contention", "cache line", "lag"] {
        assert!(out.contains(cost), "{cost} missing in\n{out}");
    }
    assert!(!out.contains("//! Fix"), "{out}");
    assert!(out.contains("fn record"), "{out}");

    // --diff: each fix against the student's own file, as a unified diff.
    let (code, out, _) = xtask(root, &["solution", "ex01", "--diff"]);
    assert_eq!(code, 0, "{out}");
    let mine = format!("--- {}/src/lib.rs", exercise.dir);
    assert_eq!(
        out.matches(&mine).count(),
        exercise.solutions.len(),
        "{out}"
    );
    assert!(
        out.contains("@@ ") && out.contains("\n+") && out.contains("\n-"),
        "{out}"
    );
}

#[test]
fn watch_without_a_terminal_says_so_and_grades_nothing() {
    let lab = fake_lab();
    let root = lab.path();
    let (code, out, err) = xtask(root, &["watch", "ex01"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("needs an interactive terminal"), "{err}");
    assert!(err.contains("cargo xtask grade ex01"), "{err}");
    assert!(!root.join("target/racelab/reports").exists());

    // Without an exercise it picks the first unsolved one.
    write_report(root, 0, PASSING);
    let second = &exercise_ids(root)[1];
    let (code, _, err) = xtask(root, &["watch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("cargo xtask grade {second}")),
        "{err}"
    );

    let (code, _, err) = xtask(root, &["watch", "--path", "somewhere"]);
    assert_eq!(code, 2, "--path needs the exercise: {err}");
}
