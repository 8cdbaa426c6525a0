//! Hint progress: how many hints each exercise has revealed, kept between runs in
//! `target/racelab/hints.toml`.

use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The saved hint progress.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HintState {
    /// Hints revealed so far, per exercise id.
    revealed: BTreeMap<String, usize>,
}

impl HintState {
    /// Where the progress is kept.
    pub fn path(lab: &Lab) -> PathBuf {
        lab.work_dir().join("hints.toml")
    }
}

/// How many hints of `exercise` have been revealed so far.
pub fn revealed(path: &Path, exercise: &Exercise) -> usize {
    load(path)
        .revealed
        .get(&exercise.id)
        .copied()
        .unwrap_or(0)
        .min(exercise.hints.len())
}

fn load(path: &Path) -> HintState {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

/// Reveals one more hint of `exercise` (up to all of them) and returns how many are
/// now revealed. A missing or unreadable state file starts from zero.
pub fn reveal_next(path: &Path, exercise: &Exercise) -> Result<usize, String> {
    let mut state = load(path);
    let revealed = state.revealed.entry(exercise.id.clone()).or_default();
    *revealed = (*revealed + 1).min(exercise.hints.len());
    let shown = *revealed;
    let text = toml::to_string(&state).map_err(|e| e.to_string())?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text)
        .map_err(|e| format!("cannot save hint progress to {}: {e}", path.display()))?;
    Ok(shown)
}
