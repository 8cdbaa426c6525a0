//! The source files a page quotes: read once each, from the first folder that holds
//! them (the report names them relative to the subject's folder, or the workspace).

use super::lanes::Place;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The files a page lists, in the order first named, each with its lines.
#[derive(Debug, Default)]
pub struct Sources {
    /// The folders a file name is looked for in, in order.
    roots: Vec<PathBuf>,
    /// Each file named so far: its place in the listing and its lines (empty when it
    /// could not be read).
    files: BTreeMap<String, (usize, Vec<String>)>,
}

impl Sources {
    /// Sources read from the first of `roots` that holds them (an absolute name is
    /// read as it is).
    pub fn under(roots: &[&Path]) -> Sources {
        Sources {
            roots: roots.iter().map(|r| r.to_path_buf()).collect(),
            files: BTreeMap::new(),
        }
    }

    /// Names `place`'s file, reading it the first time.
    pub fn add(&mut self, place: &Place) {
        if self.files.contains_key(&place.file) {
            return;
        }
        let lines = self
            .roots
            .iter()
            .map(|root| root.join(&place.file))
            .find_map(|path| std::fs::read_to_string(path).ok())
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        let index = self.files.len();
        self.files.insert(place.file.clone(), (index, lines));
    }

    /// The text of `place`'s line, trimmed, once its file was added.
    pub fn line(&self, place: &Place) -> Option<&str> {
        let (_, lines) = self.files.get(&place.file)?;
        lines
            .get(usize::try_from(place.line).ok()?.checked_sub(1)?)
            .map(|l| l.trim())
    }

    /// The anchor of `place`'s line in the listing, e.g. `src-0-L74`.
    pub fn anchor(&self, place: &Place) -> Option<String> {
        let (index, lines) = self.files.get(&place.file)?;
        (!lines.is_empty()).then(|| anchor(*index, place.line))
    }

    /// The files read, in the order first named: (index, name, lines).
    pub fn listing(&self) -> Vec<(usize, &str, &[String])> {
        let mut files: Vec<_> = self
            .files
            .iter()
            .filter(|(_, (_, lines))| !lines.is_empty())
            .map(|(name, (i, lines))| (*i, name.as_str(), lines.as_slice()))
            .collect();
        files.sort_by_key(|(i, _, _)| *i);
        files
    }
}

/// The anchor of line `line` of the `index`th file.
pub fn anchor(index: usize, line: u32) -> String {
    format!("src-{index}-L{line}")
}
