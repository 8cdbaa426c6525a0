//! The one set of helpers shared by the end-to-end tests (`tests/*.rs`) and xtask's
//! own (`xtask/tests/*.rs`): the workspace they test, copies of it, the command line
//! run in-process on either, and git as a fresh machine has it.

pub mod terminal;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The workspace root (this crate's parent folder).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_owned)
}

/// Runs `cargo xtask <args>` in-process on the workspace; returns the exit code, the
/// standard output and the standard error.
pub fn xtask(args: &[&str]) -> (i32, String, String) {
    xtask_in(&root(), args)
}

/// Runs `cargo xtask <args>` in-process on the lab at `root` (a copy, say); returns the
/// exit code, the standard output and the standard error.
pub fn xtask_in(root: &Path, args: &[&str]) -> (i32, String, String) {
    let argv = std::iter::once("xtask")
        .chain(args.iter().copied())
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run_in(root, argv, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// The lab's sources (no `target/`, no git) in a temporary folder. The copy grades into
/// the real workspace's `target/racelab/build/` (a symbolic link), so loom and the
/// other dependencies are not compiled again.
pub fn lab_copy() -> tempfile::TempDir {
    let real = root();
    let copy = tempfile::tempdir().expect("a temporary folder");
    let skipped =
        |name: &std::ffi::OsStr| [".git", "target", ".racelab"].iter().any(|s| name == *s);
    for entry in walkdir::WalkDir::new(&real)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !skipped(e.file_name()))
    {
        let entry = entry.expect("the lab's sources are readable");
        let relative = entry.path().strip_prefix(&real).expect("inside the lab");
        let to = copy.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("a folder in the copy");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &to).expect("a file in the copy");
        }
    }
    let shared_builds = real.join("target/racelab/build");
    std::fs::create_dir_all(&shared_builds).expect("the shared build folder");
    let work = copy.path().join("target/racelab");
    std::fs::create_dir_all(&work).expect("the copy's work folder");
    std::os::unix::fs::symlink(&shared_builds, work.join("build")).expect("a link");
    copy
}

/// Runs `git <args>` in `dir` as a fresh machine would: a fixed identity, and neither
/// the user's nor the system's git configuration (no signing, no hooks, no default
/// branch from elsewhere). Panics with git's output when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "racelab")
        .env("GIT_AUTHOR_EMAIL", "racelab@example.invalid")
        .env("GIT_COMMITTER_NAME", "racelab")
        .env("GIT_COMMITTER_EMAIL", "racelab@example.invalid")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
}
