//! `dev template DIR`: the students' repository, without the reference fixes. Its
//! workspace loads and builds, `solution` says the fixes come from the instructor,
//! and ex01 grades in it.

use racelab_grader::report::{Report, Status};
use racelab_tests::{root as real_root, xtask_in as xtask};
use std::process::Command;

#[test]
fn the_student_template_has_no_solutions_builds_and_grades_ex01() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("racelab-student");
    let (code, out, err) = xtask(&real_root(), &["dev", "template", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!dir.join("solutions").exists());
    assert!(!dir.join("target").exists());
    assert!(dir.join("exercises/ex01-lost-update/src/lib.rs").is_file());

    // The workspace loads without solutions/ and its exercise crate builds.
    let target = real_root().join("target");
    let check = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "-p", "ex01-lost-update"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let (code, out, _) = xtask(&dir, &["solution", "ex01", "--force"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("come from your instructor"), "{out}");

    // Graded in the template, sharing the real workspace's builds of loom.
    let work = dir.join("target/racelab");
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(real_root().join("target/racelab/build"), work.join("build"))
        .unwrap();
    let report = parent.path().join("ex01.toml");
    let (code, out, err) = xtask(
        &dir,
        &[
            "grade",
            "ex01",
            "--stage",
            "loom",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "the shipped ex01 fails loom:\n{out}{err}");
    let graded = Report::read(&report).unwrap();
    assert_eq!(graded.stages[0].status, Status::Fail);

    let (code, _, err) = xtask(&real_root(), &["dev", "template", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "a folder that is not empty is refused");
    assert!(err.contains("not empty"), "{err}");
}
