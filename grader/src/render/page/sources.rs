//! The source files a page quotes: read once each, by the path the steps recorded.

use super::lanes::Place;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The files a page lists, in the order first named, each with its lines.
#[derive(Debug, Default)]
pub struct Sources {
    /// Recorded path prefixes read from another folder: a report recorded under
    /// `/lab` and read in a checkout elsewhere (the tests' stored findings).
    moved: Vec<(String, PathBuf)>,
    /// Each file named so far: its place in the listing, how it is shown, its lines
    /// (empty when it could not be read).
    files: BTreeMap<String, (usize, String, Vec<String>)>,
}

impl Sources {
    /// Sources read where the steps say they are.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Sources whose recorded paths under `recorded` are read under `actual` instead.
    pub fn moved(mut self, recorded: &str, actual: PathBuf) -> Sources {
        self.moved.push((format!("{recorded}/"), actual));
        self
    }

    /// Names `place`'s file, reading it the first time.
    pub fn add(&mut self, place: &Place) {
        if self.files.contains_key(&place.path) {
            return;
        }
        let path = self
            .moved
            .iter()
            .find_map(|(prefix, actual)| Some(actual.join(place.path.strip_prefix(prefix)?)))
            .unwrap_or_else(|| PathBuf::from(&place.path));
        let lines = std::fs::read_to_string(path)
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        let index = self.files.len();
        self.files
            .insert(place.path.clone(), (index, place.shown.clone(), lines));
    }

    /// The text of `place`'s line, trimmed, once its file was added.
    pub fn line(&self, place: &Place) -> Option<&str> {
        let (_, _, lines) = self.files.get(&place.path)?;
        lines
            .get(usize::try_from(place.line).ok()?.checked_sub(1)?)
            .map(|l| l.trim())
    }

    /// The anchor of `place`'s line in the listing, e.g. `src-0-L74`.
    pub fn anchor(&self, place: &Place) -> Option<String> {
        let (index, _, lines) = self.files.get(&place.path)?;
        (!lines.is_empty()).then(|| anchor(*index, place.line))
    }

    /// The files read, in the order first named: (index, shown name, lines).
    pub fn listing(&self) -> Vec<(usize, &str, &[String])> {
        let mut files: Vec<_> = self
            .files
            .values()
            .filter(|(_, _, lines)| !lines.is_empty())
            .map(|(i, shown, lines)| (*i, shown.as_str(), lines.as_slice()))
            .collect();
        files.sort_by_key(|(i, _, _)| *i);
        files
    }
}

/// The anchor of line `line` of the `index`th file.
pub fn anchor(index: usize, line: u32) -> String {
    format!("src-{index}-L{line}")
}
