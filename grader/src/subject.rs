//! The subject: the crate being graded — the workspace's exercise crate, a reference
//! solution, or any folder given with `--path`.
//!
//! The grader compiles only the subject's `src/` (its own `Cargo.toml` is not used), so
//! a copy of an exercise anywhere on disk grades exactly like the original.

use crate::lab::Lab;
use crate::manifest::Exercise;
use sha2::{Digest, Sha256};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A crate folder ready to be built against an exercise's scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The crate's folder, canonical.
    pub dir: PathBuf,
    /// Its library root, `src/lib.rs`.
    pub lib: PathBuf,
    /// How to show it: relative to the workspace root when inside it.
    pub label: String,
    /// A short key that tells subjects apart in build folders and report names: from
    /// the SHA-256 of the folder's path, so it is the same with every Rust release.
    pub key: String,
}

/// Why a folder cannot be graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectError {
    /// The folder does not exist or cannot be read.
    Missing(PathBuf),
    /// The folder has no `src/lib.rs`.
    NotACrate(PathBuf),
    /// The folder's path is not valid UTF-8, which cargo needs to build it.
    PathNotUtf8(PathBuf),
}

impl fmt::Display for SubjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectError::Missing(dir) => {
                write!(f, "{} does not exist or cannot be read", dir.display())
            }
            SubjectError::NotACrate(dir) => write!(
                f,
                "{} is not an exercise crate: it has no src/lib.rs (give --path the folder that holds Cargo.toml and src/)",
                dir.display()
            ),
            SubjectError::PathNotUtf8(dir) => write!(
                f,
                "{} has a name that is not valid UTF-8, and cargo cannot build from it: rename the folder (or unpack the zip again with UTF-8 names) and grade it again",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for SubjectError {}

impl Subject {
    /// The subject at `path`, or the workspace's own exercise crate when `path` is `None`.
    pub fn locate(
        lab: &Lab,
        exercise: &Exercise,
        path: Option<&Path>,
    ) -> Result<Subject, SubjectError> {
        let dir = path.map_or_else(|| lab.exercise_dir(exercise), Path::to_owned);
        let dir = dir
            .canonicalize()
            .map_err(|_| SubjectError::Missing(dir.clone()))?;
        let lib = dir.join("src").join("lib.rs");
        if !lib.is_file() {
            return Err(SubjectError::NotACrate(dir));
        }
        if dir.to_str().is_none() {
            return Err(SubjectError::PathNotUtf8(dir));
        }
        let label = dir
            .strip_prefix(&lab.root)
            .map_or_else(|_| dir.display().to_string(), |p| p.display().to_string());
        let key = key_of(&dir);
        Ok(Subject {
            dir,
            lib,
            label,
            key,
        })
    }

    /// The last component of the subject's folder, made safe for a file name.
    pub fn folder_name(&self) -> String {
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        name.unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

impl Lab {
    /// Where a grade writes its report unless told otherwise:
    /// `target/racelab/reports/ex01.toml` for the workspace's own exercise crate, and
    /// `target/racelab/reports/ex01--<folder>-<key>.toml` for any other subject.
    pub fn default_report_path(&self, exercise: &Exercise, subject: &Subject) -> PathBuf {
        let file = if subject.dir == self.exercise_dir(exercise) {
            format!("{}.toml", exercise.id)
        } else {
            format!(
                "{}--{}-{}.toml",
                exercise.id,
                subject.folder_name(),
                subject.key
            )
        };
        self.work_dir().join("reports").join(file)
    }
}

/// Eight hex digits of the SHA-256 of `dir`'s path.
fn key_of(dir: &Path) -> String {
    let digest = Sha256::digest(dir.as_os_str().as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::key_of;
    use std::path::Path;

    #[test]
    fn the_key_is_stable_and_tells_folders_apart() {
        // `printf %s /lab/exercises/ex01-lost-update | sha256sum`: the same key with
        // every toolchain.
        let key = key_of(Path::new("/lab/exercises/ex01-lost-update"));
        assert_eq!(key, key_of(Path::new("/lab/exercises/ex01-lost-update")));
        assert_eq!(key.len(), 8);
        assert_eq!(key, "09664cd5");
        assert_ne!(key, key_of(Path::new("/lab/exercises/ex02-toctou-payout")));
    }
}
