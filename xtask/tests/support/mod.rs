//! Helpers for the tests that work on a temporary copy of the lab.
//!
//! A copy grades into the real workspace's `target/racelab/build/` (a symbolic link),
//! so loom and the other dependencies are not compiled again.

#![allow(dead_code)] // Each test file uses its own share of the helpers.

use std::ffi::OsString;
use std::path::Path;
use walkdir::WalkDir;

pub fn real_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The lab's sources (no `target/`, no git) in a temporary folder.
pub fn lab_copy() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let skipped =
        |name: &std::ffi::OsStr| [".git", "target", ".racelab"].iter().any(|s| name == *s);
    for entry in WalkDir::new(real_root())
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !skipped(e.file_name()))
    {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(real_root()).unwrap();
        let to = copy.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else if entry.file_type().is_file() && entry.path().file_name() != Some("target".as_ref())
        {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let shared_builds = real_root().join("target/racelab/build");
    std::fs::create_dir_all(&shared_builds).unwrap();
    let work = copy.path().join("target/racelab");
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(&shared_builds, work.join("build")).unwrap();
    copy
}

/// Runs `cargo xtask <args>` on the lab at `root`; returns (exit code, stdout, stderr).
pub fn xtask(root: &Path, args: &[&str]) -> (i32, String, String) {
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
