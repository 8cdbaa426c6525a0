//! What a grade was made of, as SHA-256 hashes written into its report: the manifest
//! and the scenario it was judged against (the grader's, from the instructor's
//! workspace), and the subject's own sources.
//!
//! The subject's hash covers every file under its `src/` — the only folder the grader
//! compiles — by relative path and content, so the same sources hash alike wherever
//! they sit on disk, and any change to them changes it.

use crate::lab::{Lab, MANIFEST_PATH};
use crate::manifest::Exercise;
use sha2::{Digest, Sha256};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use walkdir::WalkDir;

/// The hashes a report records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Of the lab's `grader/exercises.toml`.
    pub manifest_hash: String,
    /// Of the exercise's scenario file.
    pub scenario_hash: String,
    /// Of the subject's `src/`; empty when there is no subject or it cannot be read.
    pub subject_hash: String,
}

/// What a grade of `subject_dir` (if any) against `exercise` in `lab` is made of.
/// A file that cannot be read leaves its hash empty; the grade then says why.
pub fn record(lab: &Lab, exercise: &Exercise, subject_dir: Option<&Path>) -> Record {
    Record {
        manifest_hash: file_hash(&lab.root.join(MANIFEST_PATH)).unwrap_or_default(),
        scenario_hash: file_hash(&lab.scenario_path(exercise)).unwrap_or_default(),
        subject_hash: subject_dir
            .and_then(|dir| subject_hash(dir).ok())
            .unwrap_or_default(),
    }
}

/// How deep [`tree_hash`] goes into folders.
const MAX_DEPTH: usize = 32;

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `sha256:<hex>` of the file at `path`.
pub fn file_hash(path: &Path) -> io::Result<String> {
    Ok(sha256(&std::fs::read(path)?))
}

/// `sha256:<hex>` over every file below `dir`: for each, in order of its relative path
/// (with `/` separators), the path, a NUL, its length and its bytes. Symlinks are not
/// followed: a link counts as a file whose bytes are its target's path.
pub fn tree_hash(dir: &Path) -> io::Result<String> {
    let mut files = Vec::new();
    let walk = WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .max_depth(MAX_DEPTH);
    for entry in walk {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let words: Vec<_> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push((words.join("/"), entry));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (relative, entry) in files {
        let bytes = if entry.path_is_symlink() {
            std::fs::read_link(entry.path())?
                .as_os_str()
                .as_bytes()
                .to_vec()
        } else {
            std::fs::read(entry.path())?
        };
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()))
}

/// The hash of a subject's sources: [`tree_hash`] of `<dir>/src`.
pub fn subject_hash(subject_dir: &Path) -> io::Result<String> {
    tree_hash(&subject_dir.join("src"))
}

fn hex(digest: &[u8]) -> String {
    let mut text = String::with_capacity(7 + digest.len() * 2);
    text.push_str("sha256:");
    for byte in digest {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{sha256, tree_hash};
    use std::fs;

    #[test]
    fn a_known_digest() {
        assert_eq!(
            sha256(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_same_sources_hash_alike_anywhere_and_any_change_shows() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [a.path(), b.path()] {
            fs::create_dir_all(dir.join("inner")).unwrap();
            fs::write(dir.join("lib.rs"), "pub mod inner;").unwrap();
            fs::write(dir.join("inner/mod.rs"), "pub fn f() {}").unwrap();
        }
        let first = tree_hash(a.path()).unwrap();
        assert_eq!(first, tree_hash(b.path()).unwrap());
        assert_eq!(first, tree_hash(a.path()).unwrap());

        fs::write(b.path().join("inner/mod.rs"), "pub fn g() {}").unwrap();
        assert_ne!(first, tree_hash(b.path()).unwrap());
        // Moving content from one file to another is a change too.
        fs::write(b.path().join("inner/mod.rs"), "").unwrap();
        fs::write(b.path().join("lib.rs"), "pub mod inner;pub fn f() {}").unwrap();
        assert_ne!(first, tree_hash(b.path()).unwrap());
    }

    #[test]
    fn symlinks_are_hashed_as_links_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("lib.rs"), "pub fn f() {}").unwrap();
        // Two links back to the folder itself: following them would never end.
        std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("b")).unwrap();
        let looped = tree_hash(dir.path()).unwrap();
        fs::remove_file(dir.path().join("b")).unwrap();
        assert_ne!(looped, tree_hash(dir.path()).unwrap());
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        assert!(tree_hash(std::path::Path::new("/nonexistent/racelab/src")).is_err());
    }
}
