//! The lab: the workspace the grader belongs to, its manifest, and where the grader
//! keeps its builds, runs and reports (all under `target/racelab/`).

use crate::manifest::{Exercise, Manifest, ManifestError};
use crate::subject::Subject;
use std::path::{Path, PathBuf};

/// Where the manifest sits, relative to the workspace root.
pub const MANIFEST_PATH: &str = "grader/exercises.toml";

/// An open Racelab workspace.
#[derive(Debug, Clone)]
pub struct Lab {
    /// The workspace root (holds `Cargo.toml`, `grader/`, `exercises/`).
    pub root: PathBuf,
    /// The exercise manifest.
    pub manifest: Manifest,
}

impl Lab {
    /// Opens the workspace at `root` and reads its manifest.
    pub fn open(root: &Path) -> Result<Lab, ManifestError> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        let manifest = Manifest::load(&root.join(MANIFEST_PATH))?;
        Ok(Lab { root, manifest })
    }

    /// Everything the grader writes lives below this folder.
    pub fn work_dir(&self) -> PathBuf {
        self.root.join("target").join("racelab")
    }

    /// The exercise's crate as shipped in the workspace.
    pub fn exercise_dir(&self, exercise: &Exercise) -> PathBuf {
        self.root.join(&exercise.dir)
    }

    /// The exercise's scenario file.
    pub fn scenario_path(&self, exercise: &Exercise) -> PathBuf {
        self.root.join("grader").join(&exercise.scenario)
    }

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
