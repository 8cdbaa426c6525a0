//! Authoring an exercise end to end, on a temporary copy of the lab: `dev new` lays
//! one out, `dev check` accepts it (and names what goes missing), the workspace takes
//! it in by glob, and `grade` builds and judges it with loom.

use racelab_grader::lab::Lab;
use racelab_grader::report::{Report, Status};
use racelab_tests::{lab_copy, xtask_in as xtask};

#[test]
fn a_new_exercise_passes_dev_check_joins_the_workspace_and_grades() {
    let lab = lab_copy();
    let root = lab.path();

    let (code, out, err) = xtask(root, &["dev", "check"]);
    assert_eq!(code, 0, "the shipped lab is consistent:\n{out}{err}");

    let (code, out, err) = xtask(root, &["dev", "new", "ex99-demo"]);
    assert_eq!(code, 0, "{out}{err}");
    for path in [
        "exercises/ex99-demo/Cargo.toml",
        "exercises/ex99-demo/src/lib.rs",
        "exercises/ex99-demo/README.md",
        "grader/scenarios/ex99_demo.rs",
        "solutions/ex99-demo/fetch-add/src/lib.rs",
    ] {
        assert!(root.join(path).is_file(), "{path} missing; said:\n{out}");
    }
    let readme = std::fs::read_to_string(root.join("exercises/ex99-demo/README.md")).unwrap();
    for heading in ["## The story", "## What to fix", "## What fixed means"] {
        assert!(readme.contains(heading), "{heading}");
    }
    let opened = Lab::open(root).unwrap();
    let ex99 = opened.manifest.find("ex99").expect("the manifest has ex99");
    assert_eq!(ex99.dir, "exercises/ex99-demo");
    assert_eq!(ex99.solutions, ["solutions/ex99-demo/fetch-add"]);

    let (code, again, err) = xtask(root, &["dev", "new", "ex99-other"]);
    assert_eq!(code, 2, "a taken id is refused:\n{again}{err}");

    // Accepted, with the placeholders left to write listed as reminders.
    let (code, out, err) = xtask(root, &["dev", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("nothing missing"), "{out}");
    assert!(out.contains("ex99") && out.contains("hints"), "{out}");

    // Graded end to end: the placeholder bug fails loom; its solution passes loom.
    let report = root.join("ex99.toml");
    let report_arg = report.to_str().unwrap();
    let (code, out, err) = xtask(
        root,
        &["grade", "99", "--stage", "loom", "--report", report_arg],
    );
    assert_eq!(code, 1, "the shipped placeholder fails:\n{out}{err}");
    let graded = Report::read(&report).unwrap();
    assert_eq!(graded.stages[0].name.as_str(), "loom");
    assert_eq!(graded.stages[0].status, Status::Fail, "{out}");
    let solution = root.join("solutions/ex99-demo/fetch-add");
    let (code, out, err) = xtask(
        root,
        &[
            "grade",
            "ex99-demo",
            "--stage",
            "loom",
            "--path",
            solution.to_str().unwrap(),
            "--report",
            report_arg,
        ],
    );
    assert_eq!(
        code, 3,
        "the solution passes loom (the other stages skipped):\n{out}{err}"
    );

    // What dev check says when things go missing.
    std::fs::remove_dir_all(root.join("solutions/ex99-demo")).unwrap();
    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(&readme, text.replace("| [ex99 — Demo]", "| [ex99 — Old]")).unwrap();
    let (code, out, err) = xtask(root, &["dev", "check"]);
    assert_eq!(code, 1, "{out}{err}");
    for part in [
        "no reference solution",
        "matrix is out of date",
        "2 problem(s)",
    ] {
        assert!(err.contains(part), "{part} missing in:\n{err}");
    }
    let (code, out, err) = xtask(root, &["dev", "check", "--fix"]);
    assert_eq!(code, 1, "the solution is still missing:\n{out}{err}");
    assert!(
        out.contains("rewritten") && !err.contains("matrix"),
        "{out}{err}"
    );
}

#[test]
fn a_new_async_exercise_loses_an_update_across_an_await_and_its_solution_passes() {
    let lab = lab_copy();
    let root = lab.path();
    let (code, out, err) = xtask(root, &["dev", "new", "ex98-async-demo", "--async"]);
    assert_eq!(code, 0, "{out}{err}");
    let lib = std::fs::read_to_string(root.join("exercises/ex98-async-demo/src/lib.rs")).unwrap();
    assert!(lib.contains("pub async fn add"), "{lib}");
    let (code, out, err) = xtask(root, &["dev", "check"]);
    assert_eq!(code, 0, "{out}{err}");

    // The placeholder bug fails loom and shuttle; its solution passes both.
    let report = root.join("ex98.toml");
    let report_arg = report.to_str().unwrap();
    let (code, out, err) = xtask(
        root,
        &[
            "grade",
            "ex98",
            "--stage",
            "loom,shuttle",
            "--report",
            report_arg,
        ],
    );
    assert_eq!(code, 1, "the shipped placeholder fails:\n{out}{err}");
    let graded = Report::read(&report).unwrap();
    for stage in &graded.stages[..2] {
        assert_eq!(stage.status, Status::Fail, "{}: {out}", stage.name.as_str());
    }
    let solution = root.join("solutions/ex98-async-demo/add-after-the-await");
    let (code, out, err) = xtask(
        root,
        &[
            "grade",
            "ex98",
            "--stage",
            "loom,shuttle",
            "--path",
            solution.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code, 3,
        "the solution passes loom and shuttle (the other stages skipped):\n{out}{err}"
    );
}
