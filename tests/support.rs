//! Helpers shared by the end-to-end tests in this folder: the workspace they test,
//! and the command line run in-process on it.

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
    let argv = std::iter::once("xtask")
        .chain(args.iter().copied())
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run_in(&root(), argv, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}
