//! The lab: the workspace the grader belongs to, its manifest, and where the grader
//! keeps its builds, runs and reports (all under `target/racelab/`). Where a subject's
//! report goes ([`Lab::default_report_path`]) is in `subject.rs`, beside the subject's
//! key it is named after, so that this module knows nothing of subjects.

use crate::manifest::{Exercise, Manifest, ManifestError};
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
}
