//! A student cannot break the lab: with an exercise crate's `src/lib.rs` deleted or
//! its `Cargo.toml` unreadable, `list` works, `grade` fails with a way out, and
//! `reset` restores it. `cargo xtask` itself is built from `xtask/launcher/`, a
//! workspace of its own that never loads the exercise crates.

use racelab_grader::report::Report;
use racelab_grader::verdict::Verdict;
use racelab_tests::{git, lab_copy, root as real_root, xtask_in as xtask};
use std::path::Path;
use std::process::Command;

/// `cargo metadata` of the workspace members at `manifest`, offline and without
/// resolving dependencies (which would need every platform's crates in the cache, and
/// a newcomer's cache holds only this platform's); returns (success, stderr).
fn metadata(manifest: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_deleted_lib_and_a_broken_manifest_leave_every_command_working() {
    let lab = lab_copy();
    let root = lab.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "shipped"]);
    let crate_dir = root.join("exercises/ex01-lost-update");
    std::fs::remove_file(crate_dir.join("src/lib.rs")).unwrap();

    // Only the lib is gone: the workspace still loads (the crate names its lib path),
    // and `cargo xtask`'s own workspace loads whatever the exercises hold.
    assert!(metadata(&root.join("Cargo.toml")).0);
    std::fs::write(crate_dir.join("Cargo.toml"), "[package\nname = ").unwrap();
    let (loaded, why) = metadata(&root.join("Cargo.toml"));
    assert!(!loaded, "a broken member stops the root workspace");
    assert!(why.contains("ex01-lost-update"), "{why}");
    let (loaded, why) = metadata(&root.join("xtask/launcher/Cargo.toml"));
    assert!(
        loaded,
        "the launcher's workspace does not load exercises:\n{why}"
    );

    let (code, out, err) = xtask(root, &["list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ex01"), "{out}");

    let (code, out, err) = xtask(root, &["grade", "ex01", "--stage", "loom"]);
    assert_eq!(code, 1, "a clear fail:\n{out}{err}");
    assert!(
        out.contains("src/lib.rs is missing") && out.contains("cargo xtask reset ex01"),
        "{out}"
    );
    let report = Report::read(&root.join("target/racelab/reports/ex01.toml")).unwrap();
    assert_eq!(report.verdict, Verdict::Fail);

    let (code, out, err) = xtask(root, &["reset", "ex01"]);
    assert_eq!(code, 0, "{out}{err}");
    let shipped = real_root().join("exercises/ex01-lost-update");
    for file in ["Cargo.toml", "src/lib.rs"] {
        assert_eq!(
            std::fs::read(crate_dir.join(file)).unwrap(),
            std::fs::read(shipped.join(file)).unwrap(),
            "{file} restored"
        );
    }
    assert!(
        metadata(&root.join("Cargo.toml")).0,
        "the workspace loads again"
    );
}

/// `name = "…"` and `version = "…"` of every package in a Cargo.lock.
fn locked(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let lock: toml::Table = toml::from_str(&text).unwrap();
    lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_launcher_locks_the_same_versions_as_the_workspace() {
    let workspace = locked(&real_root().join("Cargo.lock"));
    let stray: Vec<_> = locked(&real_root().join("xtask/launcher/Cargo.lock"))
        .into_iter()
        .filter(|(name, _)| name != "racelab-launcher")
        .filter(|package| !workspace.contains(package))
        .collect();
    assert!(
        stray.is_empty(),
        "xtask/launcher/Cargo.lock has versions the workspace's Cargo.lock does not: {stray:?}. \
         Copy Cargo.lock over it and run `cargo xtask list` to prune it."
    );
}
