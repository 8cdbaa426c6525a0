//! Finding what a batch grades: the workspace's own crates, or every submission in a
//! folder, each resolved to the crate to grade for each exercise (or why there is none).
//!
//! About 490 lines, 200 of them the tests of every layout a submission can take.

use super::WORKSPACE;
use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::subject::Subject;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One thing a batch grades: a submission's crate for one exercise, or why there is
/// none.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The submission's folder name ([`WORKSPACE`] for the workspace's own crates).
    pub name: String,
    /// The exercise it is graded for.
    pub exercise: &'a Exercise,
    /// The submission's folder (the workspace root for [`WORKSPACE`]).
    pub folder: PathBuf,
    /// The crate to grade, or why the folder has none to grade.
    pub subject: Result<Subject, String>,
    /// Where its report goes.
    pub report_path: PathBuf,
    /// How the crate was found in the submission (`None` when there is none, or for
    /// the workspace's own crates).
    pub layout: Option<Layout>,
}

/// How a submission holds the crate graded for an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The folder is the crate.
    Crate,
    /// A copy of the Racelab workspace: the crate is its `exercises/exNN-*`.
    Workspace,
    /// The exercise crates placed directly in the folder (the contents of
    /// `exercises/`): the crate is its `exNN-*`.
    Crates,
    /// One of these inside the folder's only subfolder (an unpacked archive).
    Wrapped(WrappedLayout),
}

/// What an unpacked archive's only subfolder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrappedLayout {
    /// A crate.
    Crate,
    /// A copy of the workspace.
    Workspace,
    /// The exercise crates.
    Crates,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, wrapped) = match self {
            Layout::Crate => (WrappedLayout::Crate, false),
            Layout::Workspace => (WrappedLayout::Workspace, false),
            Layout::Crates => (WrappedLayout::Crates, false),
            Layout::Wrapped(what) => (*what, true),
        };
        f.write_str(match what {
            WrappedLayout::Crate => "a crate",
            WrappedLayout::Workspace => "a copy of the workspace",
            WrappedLayout::Crates => "the exercise crates, placed directly",
        })?;
        if wrapped {
            f.write_str(", in the folder's only subfolder")?;
        }
        Ok(())
    }
}

/// Whether a folder entry is one a submission does not hold on purpose: hidden
/// (`.git`, `.DS_Store`) or macOS's archive resource forks (`__MACOSX`).
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name == "__MACOSX"
}

/// What to grade in a batch.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One exercise: a submission that is a crate is taken to be this exercise's.
    One(&'a Exercise),
    /// Every exercise of the lab: a submission that is a crate is graded for the
    /// exercise its package name names (`ex01-…`); a workspace for every exercise.
    All,
}

/// Finds what to grade. Without `submissions`, the workspace's own crate of each
/// exercise in `scope`, reported where a single grade would report it (so `list` sees
/// them). With `submissions`, every visible subfolder of it, in name order: a crate
/// (`src/lib.rs`), a whole Racelab workspace (graded at its `exercises/exNN-*`), or a
/// folder holding just one of these; anything else is recorded as having nothing to
/// grade. Reports of submissions go to `out/<exercise>/<name>.toml`.
///
/// Errs (a usage error) only when `submissions` cannot be read or has no subfolders.
pub fn discover<'a>(
    lab: &'a Lab,
    scope: Scope<'a>,
    submissions: Option<&Path>,
    out: &Path,
) -> Result<Vec<Target<'a>>, DiscoverError> {
    let exercises: Vec<&Exercise> = match scope {
        Scope::One(exercise) => vec![exercise],
        Scope::All => lab.manifest.exercises.iter().collect(),
    };
    let Some(dir) = submissions else {
        return Ok(exercises
            .into_iter()
            .map(|exercise| {
                let subject = Subject::locate(lab, exercise, None).map_err(|e| e.to_string());
                let report_path = match &subject {
                    Ok(subject) => lab.default_report_path(exercise, subject),
                    Err(_) => out.join(&exercise.id).join(format!("{WORKSPACE}.toml")),
                };
                Target {
                    name: WORKSPACE.into(),
                    exercise,
                    folder: lab.root.clone(),
                    subject,
                    report_path,
                    layout: None,
                }
            })
            .collect());
    };
    let entries = std::fs::read_dir(dir).map_err(|source| DiscoverError::Unreadable {
        dir: dir.to_owned(),
        source,
    })?;
    let mut folders: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .filter(|(name, path)| !is_ignored(name) && path.is_dir())
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Err(DiscoverError::Empty(dir.to_owned()));
    }
    let mut stems = BTreeSet::new();
    let mut targets = Vec::new();
    for (name, folder) in folders {
        let stem = unique_stem(&name, &mut stems);
        for &exercise in &exercises {
            let (subject, layout) = match find_crate(lab, scope, exercise, &folder, 0) {
                Found::Crate(dir, layout) => (
                    Subject::locate(lab, exercise, Some(&dir)).map_err(|e| e.to_string()),
                    Some(layout),
                ),
                Found::Nothing(problem) => (Err(problem), None),
                Found::OtherExercise => continue,
            };
            targets.push(Target {
                name: name.clone(),
                exercise,
                folder: folder.clone(),
                subject,
                report_path: out.join(&exercise.id).join(format!("{stem}.toml")),
                layout,
            });
        }
    }
    Ok(targets)
}

/// A file stem for `name` that no other submission of the batch has (see
/// [`safe_stem`]).
fn unique_stem(name: &str, taken: &mut BTreeSet<String>) -> String {
    let safe = safe_stem(name);
    let mut stem = safe.clone();
    let mut n = 2;
    while !taken.insert(stem.clone()) {
        stem = format!("{safe}-{n}");
        n += 1;
    }
    stem
}

/// `name` as a file or folder name: its letters and digits kept in any script
/// (composed, NFC, as the roster matches names), anything else a file name could trip
/// on (spaces, separators, quotes) an underscore.
pub fn safe_stem(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfc()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Why a submissions folder cannot be graded at all (a usage error).
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The folder cannot be listed.
    #[error("cannot read the submissions folder {}: {source}", dir.display())]
    Unreadable {
        /// The submissions folder.
        dir: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The folder has no visible subfolders.
    #[error(
        "{} holds no submissions: give --submissions a folder with one subfolder per student (a crate, or a copy of the workspace)",
        .0.display()
    )]
    Empty(PathBuf),
}

/// What a submission folder holds for one exercise.
enum Found {
    /// The crate to grade, and how it was found.
    Crate(PathBuf, Layout),
    /// A crate of another exercise (with [`Scope::All`]): not this exercise's business.
    OtherExercise,
    /// Nothing to grade, and why.
    Nothing(String),
}

fn find_crate(lab: &Lab, scope: Scope, exercise: &Exercise, folder: &Path, depth: u8) -> Found {
    let id = &exercise.id;
    let visible: Vec<String> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !is_ignored(name))
            .collect(),
        Err(e) => return Found::Nothing(format!("cannot read {}: {e}", folder.display())),
    };
    if visible.is_empty() {
        return Found::Nothing("the submission's folder is empty".into());
    }
    let found = |dir: PathBuf, layout: Layout| {
        let layout = match (depth, layout) {
            (0, layout) => layout,
            (_, Layout::Crate) => Layout::Wrapped(WrappedLayout::Crate),
            (_, Layout::Workspace) => Layout::Wrapped(WrappedLayout::Workspace),
            (_, _) => Layout::Wrapped(WrappedLayout::Crates),
        };
        Found::Crate(dir, layout)
    };
    if folder.join("src").join("lib.rs").is_file() {
        if matches!(scope, Scope::One(_)) {
            return found(folder.to_owned(), Layout::Crate);
        }
        let package = package_name(folder);
        let names = |e: &Exercise| {
            package
                .as_deref()
                .is_some_and(|p| p == e.name || p.starts_with(&format!("{}-", e.id)))
        };
        return if names(exercise) {
            found(folder.to_owned(), Layout::Crate)
        } else if lab.manifest.exercises.iter().any(names) {
            Found::OtherExercise
        } else {
            Found::Nothing(format!(
                "a crate whose package name ({}) names no exercise of this lab; grade it with `cargo xtask grade <exercise> --submissions`",
                package.as_deref().unwrap_or("unreadable")
            ))
        };
    }
    let exercises_dir = folder.join("exercises");
    if exercises_dir.is_dir() {
        let shipped = folder.join(&exercise.dir);
        if shipped.is_dir() {
            return found(shipped, Layout::Workspace);
        }
        return match exercise_crate_in(&exercises_dir, id) {
            Some(dir) => found(dir, Layout::Workspace),
            None => Found::Nothing(format!(
                "a Racelab workspace without {} (nor any exercises/{id}-*)",
                exercise.dir
            )),
        };
    }
    // The exercise crates placed directly: `ex01-lost-update/`, `ex02-…/`.
    let crates_here = visible.iter().any(|name| {
        lab.manifest
            .exercises
            .iter()
            .any(|e| name.starts_with(&format!("{}-", e.id)))
            && folder.join(name).join("src/lib.rs").is_file()
    });
    if crates_here {
        return match exercise_crate_in(folder, id) {
            Some(dir) => found(dir, Layout::Crates),
            None => Found::Nothing(format!(
                "exercise crates without one for {id} (no {id}-*/src/lib.rs)"
            )),
        };
    }
    // An unpacked archive often wraps the crate in one more folder.
    if depth == 0 && visible.len() == 1 && folder.join(&visible[0]).is_dir() {
        return find_crate(lab, scope, exercise, &folder.join(&visible[0]), 1);
    }
    Found::Nothing(format!(
        "no crate for {id} here: neither src/lib.rs, nor the exercises/{id}-* of a Racelab workspace, nor a {id}-*/ crate"
    ))
}

/// The first folder `<id>-*` in `dir` (in name order) that is a crate.
fn exercise_crate_in(dir: &Path, id: &str) -> Option<PathBuf> {
    let prefix = format!("{id}-");
    let mut crates: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .filter(|p| p.join("src/lib.rs").is_file())
                .collect()
        })
        .unwrap_or_default();
    crates.sort();
    crates.into_iter().next()
}

/// The `[package] name` of the crate at `dir`, if its Cargo.toml says.
fn package_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    Some(manifest.get("package")?.get("name")?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{Scope, discover, unique_stem};
    use crate::lab::Lab;
    use std::collections::BTreeSet;
    use std::fs;
    use std::path::{Path, PathBuf};

    fn lab() -> Lab {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        Lab::open(root).unwrap()
    }

    fn write(path: PathBuf, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A submissions folder with every shape a submission can take.
    fn class() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d.join("alice/src/lib.rs"), "pub fn f() {}");
        write(
            d.join("alice/Cargo.toml"),
            "[package]\nname = \"ex01-lost-update\"\n",
        );
        write(d.join("bob/Cargo.toml"), "[workspace]\n");
        write(d.join("bob/exercises/ex01-lost-update/src/lib.rs"), "");
        write(d.join("bob/exercises/ex02-my-copy/src/lib.rs"), "");
        fs::create_dir_all(d.join("carol")).unwrap();
        write(d.join("dave/notes.txt"), "I ran out of time");
        write(d.join("erin/unpacked/src/lib.rs"), "");
        write(d.join("frank/ex01-lost-update/src/lib.rs"), "");
        write(d.join("frank/ex02-toctou-payout/src/lib.rs"), "");
        write(d.join("grace/__MACOSX/unpacked/._lib.rs"), "");
        write(d.join("grace/.DS_Store"), "");
        write(d.join("grace/unpacked/src/lib.rs"), "");
        write(d.join(".git/config"), "");
        write(d.join("__MACOSX/alice/._x"), "");
        write(d.join("README.txt"), "not a submission");
        dir
    }

    #[test]
    fn every_subfolder_is_a_target_in_name_order_with_its_crate_or_its_problem() {
        let lab = lab();
        let class = class();
        let ex01 = lab.manifest.find("ex01").unwrap();
        let out = class.path().join("out");
        let targets = discover(&lab, Scope::One(ex01), Some(class.path()), &out).unwrap();
        let names: Vec<_> = targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
        );
        let dir = |i: usize| targets[i].subject.as_ref().map(|s| s.dir.clone());
        let root = class.path().canonicalize().unwrap();
        assert_eq!(dir(0), Ok(root.join("alice")));
        assert_eq!(dir(1), Ok(root.join("bob/exercises/ex01-lost-update")));
        assert!(dir(2).unwrap_err().contains("empty"), "{:?}", dir(2));
        assert!(dir(3).unwrap_err().contains("no crate for ex01"));
        assert_eq!(dir(4), Ok(root.join("erin/unpacked")));
        assert_eq!(dir(5), Ok(root.join("frank/ex01-lost-update")));
        assert_eq!(dir(6), Ok(root.join("grace/unpacked")));
        assert_eq!(targets[0].report_path, out.join("ex01/alice.toml"));
        let layouts: Vec<String> = targets
            .iter()
            .map(|t| t.layout.map(|l| l.to_string()).unwrap_or_default())
            .collect();
        assert_eq!(layouts[0], "a crate");
        assert_eq!(layouts[1], "a copy of the workspace");
        assert_eq!(layouts[2], "");
        assert_eq!(layouts[5], "the exercise crates, placed directly");
        assert_eq!(layouts[6], "a crate, in the folder's only subfolder");
    }

    #[test]
    fn with_every_exercise_a_crate_goes_to_the_exercise_it_names() {
        let lab = lab();
        let class = class();
        let targets = discover(&lab, Scope::All, Some(class.path()), Path::new("out")).unwrap();
        let of = |name: &str| -> Vec<String> {
            targets
                .iter()
                .filter(|t| t.name == name)
                .map(|t| t.exercise.id.clone())
                .collect()
        };
        assert_eq!(of("alice"), ["ex01"]);
        let ids: Vec<String> = lab
            .manifest
            .exercises
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(of("bob"), ids);
        // bob's ex02 is in a renamed folder; his ex03 is missing.
        let bob = |id: &str| {
            targets
                .iter()
                .find(|t| t.name == "bob" && t.exercise.id == id)
                .unwrap()
        };
        assert!(
            bob("ex02")
                .subject
                .as_ref()
                .unwrap()
                .dir
                .ends_with("ex02-my-copy")
        );
        assert!(
            bob("ex03")
                .subject
                .as_ref()
                .unwrap_err()
                .contains("exercises/ex03-")
        );
    }

    #[test]
    fn an_unreadable_or_empty_submissions_folder_is_a_usage_error() {
        let lab = lab();
        let empty = tempfile::tempdir().unwrap();
        let ex01 = lab.manifest.find("ex01").unwrap();
        let problem =
            discover(&lab, Scope::One(ex01), Some(empty.path()), Path::new("o")).unwrap_err();
        assert!(problem.to_string().contains("no submissions"), "{problem}");
        let problem = discover(
            &lab,
            Scope::One(ex01),
            Some(Path::new("/nonexistent/racelab")),
            Path::new("o"),
        )
        .unwrap_err();
        assert!(problem.to_string().contains("cannot read"), "{problem}");
    }

    #[test]
    fn without_submissions_the_workspace_crates_report_where_a_grade_would() {
        let lab = lab();
        let targets = discover(&lab, Scope::All, None, Path::new("out")).unwrap();
        assert_eq!(targets.len(), lab.manifest.exercises.len());
        for target in &targets {
            assert_eq!(target.name, "workspace");
            let subject = target.subject.as_ref().unwrap();
            assert_eq!(
                target.report_path,
                lab.default_report_path(target.exercise, subject)
            );
        }
    }

    #[test]
    fn report_names_stay_distinct_after_making_them_safe() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_stem("a b", &mut taken), "a_b");
        assert_eq!(unique_stem("a_b", &mut taken), "a_b-2");
        assert_eq!(unique_stem("a?b", &mut taken), "a_b-3");
        assert_eq!(
            unique_stem("Zoe\u{308} Smith", &mut taken),
            "Zo\u{eb}_Smith"
        );
        assert_eq!(unique_stem("../x", &mut taken), ".._x");
    }
}
