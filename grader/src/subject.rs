//! The subject: the crate being graded — the workspace's exercise crate, a reference
//! solution, or any folder given with `--path`.
//!
//! The grader compiles only the subject's `src/` (its own `Cargo.toml` is not used), so
//! a copy of an exercise anywhere on disk grades exactly like the original.

use crate::lab::Lab;
use crate::manifest::Exercise;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
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
    /// A short key that tells subjects apart in build folders and report names.
    pub key: String,
}

/// Why a folder cannot be graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectError {
    /// The folder does not exist or cannot be read.
    Missing(PathBuf),
    /// The folder has no `src/lib.rs`.
    NotACrate(PathBuf),
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
        }
    }
}

impl std::error::Error for SubjectError {}

/// What a line of code does to hide from a detector, if anything.
fn tampering_in(code: &str) -> Option<&'static str> {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let names_backend = compact.contains("loom") || compact.contains("shuttle");
    if compact.contains("cfg") && names_backend {
        Some(
            "code that depends on `cfg(loom)` or `cfg(shuttle)`: the detectors must see the code that ships",
        )
    } else if compact.contains("BACKEND") {
        Some("asks the facade which backend runs")
    } else if compact.contains("__tsan_") {
        Some("defines ThreadSanitizer's own options or suppressions")
    } else if ["env::var", "env::vars", "option_env!", "env!("]
        .iter()
        .any(|p| compact.contains(p))
    {
        Some("reads the environment, which could tell it which detector runs")
    } else if [
        "fs::",
        "File::",
        "OpenOptions",
        "process::exit",
        "process::abort",
    ]
    .iter()
    .any(|p| compact.contains(p))
    {
        Some("touches files or ends the process itself, which could forge the grader's findings")
    } else {
        None
    }
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

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
        let label = dir
            .strip_prefix(&lab.root)
            .map_or_else(|_| dir.display().to_string(), |p| p.display().to_string());
        let mut hasher = DefaultHasher::new();
        dir.hash(&mut hasher);
        let key = format!("{:08x}", hasher.finish() as u32);
        Ok(Subject {
            dir,
            lib,
            label,
            key,
        })
    }

    /// Looks through the subject's sources for ways to make a detector look away: code
    /// that only exists under `cfg(loom)` or `cfg(shuttle)` (so the explored code is not
    /// the code that ships), asking the facade which backend runs, reading the
    /// environment (to tell which stage runs), or defining ThreadSanitizer's default
    /// options or suppressions. Returns what was found, as `file:line: what`.
    pub fn tampering(&self) -> Vec<String> {
        let mut found = Vec::new();
        for file in rust_files(&self.dir.join("src")) {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let name = file
                .strip_prefix(&self.dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if let Some(what) = tampering_in(code) {
                    found.push(format!("{name}:{}: {what}", number + 1));
                }
            }
        }
        found
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

#[cfg(test)]
mod tests {
    use super::tampering_in;

    #[test]
    fn ways_to_hide_from_a_detector_are_recognised() {
        for line in [
            "#[cfg(loom)]",
            "#[cfg(not(shuttle))]",
            "if cfg!(loom) {",
            "if racelab_sync::BACKEND == \"std\" {",
            "pub extern \"C\" fn __tsan_default_suppressions() -> *const u8 {",
            "let stage = std::env::var(\"LOOM_MAX_PREEMPTIONS\");",
            "std::fs::write(\"findings.toml\", forged);",
            "std::process::exit(0);",
        ] {
            assert!(tampering_in(line).is_some(), "{line}");
        }
    }

    #[test]
    fn ordinary_code_is_left_alone() {
        for line in [
            "let total = self.total.load(Ordering::Relaxed);",
            "#[cfg(test)]",
            "use racelab_sync::sync::{Arc, Mutex};",
        ] {
            assert!(tampering_in(line).is_none(), "{line}");
        }
    }
}
