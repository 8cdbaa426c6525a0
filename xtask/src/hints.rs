//! Hint progress: how many hints each exercise has revealed, kept between runs in
//! `target/racelab/hints.toml`.

use anyhow::anyhow;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
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
pub fn reveal_next(path: &Path, exercise: &Exercise) -> anyhow::Result<usize> {
    reveal(path, exercise, |revealed| revealed + 1)
}

/// Reveals every hint of `exercise` (`hint --all`), so that `watch` counts them seen.
pub fn reveal_all(path: &Path, exercise: &Exercise) -> anyhow::Result<usize> {
    reveal(path, exercise, |_| exercise.hints.len())
}

/// Sets how many hints of `exercise` are revealed to `more(revealed)`, at most all.
fn reveal(
    path: &Path,
    exercise: &Exercise,
    more: impl FnOnce(usize) -> usize,
) -> anyhow::Result<usize> {
    let mut state = load(path);
    let revealed = state.revealed.entry(exercise.id.clone()).or_default();
    *revealed = more(*revealed).min(exercise.hints.len());
    let shown = *revealed;
    let text = toml::to_string(&state)?;
    save(path, &text)
        .map_err(|e| anyhow!("cannot save hint progress to {}: {e}", path.display()))?;
    Ok(shown)
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then
/// renamed over it, so an interrupted write never leaves a truncated state file.
fn save(path: &Path, text: &str) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let mut file = tempfile::NamedTempFile::new_in(parent)?;
    file.write_all(text.as_bytes())?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::save;

    #[test]
    fn saving_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("racelab").join("hints.toml");
        save(&path, "[revealed]\nex01 = 1\n").unwrap();
        save(&path, "[revealed]\nex01 = 2\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[revealed]\nex01 = 2\n"
        );
        let files = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(files, 1, "only hints.toml remains");
    }
}
