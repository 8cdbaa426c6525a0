//! `dev template DIR`: the students' repository, without the reference fixes, the
//! grader's tests and attempts, or the instructor's CI. Its workspace loads and
//! builds, `solution` says the fixes come from the instructor, ex01 grades in it, the
//! exercise READMEs point only to files it has, and no file in it holds a reference
//! fix or a passing attempt.

use racelab_grader::report::{Report, Status};
use racelab_tests::{root as real_root, xtask_in as xtask};
use std::path::Path;
use std::process::Command;

#[test]
fn the_student_template_has_no_solutions_builds_and_grades_ex01() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("racelab-student");
    let (code, out, err) = xtask(&real_root(), &["dev", "template", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for left_out in [
        "solutions",
        "target",
        "tests",
        "xtask/tests",
        ".ci",
        "docs/ci",
    ] {
        assert!(
            !dir.join(left_out).exists(),
            "{left_out} is in the template"
        );
    }
    assert!(dir.join("exercises/ex01-lost-update/src/lib.rs").is_file());
    assert!(dir.join(".github/workflows/racelab.yml").is_file());
    readmes_name_only_what_is_there(&dir);
    no_file_holds_a_fix(&dir);

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

/// Every path an exercise README names (a backticked `a/b` or a Markdown link that is
/// not a web address) exists in the template, from the README's folder or the root.
fn readmes_name_only_what_is_there(dir: &Path) {
    let mut missing = Vec::new();
    let mut named = 0;
    for entry in std::fs::read_dir(dir.join("exercises")).unwrap() {
        let exercise = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(exercise.join("README.md")) else {
            continue;
        };
        let ticked = text.split('`').skip(1).step_by(2);
        let linked = text.split("](").skip(1).filter_map(|s| s.split(')').next());
        for path in ticked.chain(linked) {
            let path = path.trim_end_matches('/');
            let looks_like_a_path = path.contains('/')
                && !path.contains("://")
                && !path.contains(' ')
                && path
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
            if !looks_like_a_path {
                continue;
            }
            named += 1;
            if !exercise.join(path).exists() && !dir.join(path).exists() {
                missing.push(format!("{}: {path}", exercise.display()));
            }
        }
        assert!(!text.contains("solutions/"), "{}", exercise.display());
    }
    assert!(named > 10, "only {named} paths found in the READMEs");
    assert!(
        missing.is_empty(),
        "README paths the template lacks:\n{}",
        missing.join("\n")
    );
}

/// No file of the template holds the body of a reference fix or of a passing
/// attempt (their `src/lib.rs`, compared without blank lines).
fn no_file_holds_a_fix(dir: &Path) {
    let squeeze = |text: &str| -> String {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut fixes = Vec::new();
    for source in walkdir::WalkDir::new(real_root().join("solutions"))
        .into_iter()
        .chain(walkdir::WalkDir::new(
            real_root().join("tests/fixtures/attempts"),
        ))
    {
        let source = source.unwrap();
        if source.file_name() != "lib.rs" {
            continue;
        }
        let expect = source
            .path()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("expect.toml");
        let passing =
            std::fs::read_to_string(&expect).map_or(true, |e| e.contains("verdict = \"pass\""));
        if passing {
            fixes.push((
                source.path().to_owned(),
                squeeze(&std::fs::read_to_string(source.path()).unwrap()),
            ));
        }
    }
    assert!(fixes.len() > 20, "{} fixes", fixes.len());
    for file in walkdir::WalkDir::new(dir) {
        let file = file.unwrap();
        let Ok(text) = std::fs::read_to_string(file.path()) else {
            continue;
        };
        let text = squeeze(&text);
        for (fix, body) in &fixes {
            assert!(
                !text.contains(body.as_str()),
                "{} holds {}",
                file.path().display(),
                fix.display()
            );
        }
    }
}
