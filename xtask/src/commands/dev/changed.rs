//! `dev mutants --changed-since REF`: the exercises whose mutants could grade
//! differently than at `REF`, from what git says changed since then. An exercise's
//! own files (its crate, its reference solutions, its scenario, its entry in the
//! manifest, hints and equivalence records aside) pick it; a change to what judges
//! every exercise (the facade, the runner's harness, the stages, the operators, the
//! locked dependencies) picks them all.

use crate::git::git;
use anyhow::{Context, anyhow};
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use std::collections::BTreeSet;

/// Where the manifest is, relative to the workspace root.
const MANIFEST: &str = "grader/exercises.toml";

/// Folders and files every exercise's verdicts depend on.
const SHARED: [&str; 5] = [
    "sync/",
    "grader/harness/",
    "grader/src/stages/",
    "grader/src/mutants/",
    "Cargo.lock",
];

/// The manifest keys that change no verdict of a mutant.
const NOT_JUDGED: [&str; 2] = ["hints", "mutants"];

/// The exercises of `lab` that changed since the git revision `reference`.
pub(super) fn since<'l>(lab: &'l Lab, reference: &str) -> anyhow::Result<Vec<&'l Exercise>> {
    let root = &lab.root;
    let listed = |args: &[&str]| -> anyhow::Result<Vec<String>> {
        let bytes = git(root, args).map_err(|e| {
            anyhow!("cannot list what changed since {reference}: {e}. Give a revision git knows (a branch, a tag, a commit), or leave --changed-since out to take every exercise.")
        })?;
        Ok(String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect())
    };
    let mut paths = listed(&["diff", "--name-only", reference, "--"])?;
    paths.extend(listed(&["ls-files", "--others", "--exclude-standard"])?);
    let then = git(root, &["show", &format!("{reference}:{MANIFEST}")])
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let now = std::fs::read_to_string(root.join(MANIFEST))
        .with_context(|| format!("cannot read {MANIFEST}"))?;
    let ids = affected(lab.manifest.exercises.iter(), &paths, then.as_deref(), &now);
    Ok(lab
        .manifest
        .exercises
        .iter()
        .filter(|e| ids.contains(e.id.as_str()))
        .collect())
}

/// The ids of the exercises among `exercises` that `paths` (changed files, relative
/// to the root) or the manifest's change from `then` (absent: every entry is new) to
/// `now` touch.
fn affected<'e>(
    exercises: impl Iterator<Item = &'e Exercise> + Clone,
    paths: &[String],
    then: Option<&str>,
    now: &str,
) -> BTreeSet<&'e str> {
    let everything = paths
        .iter()
        .any(|path| SHARED.iter().any(|shared| path.starts_with(shared)));
    let entries_then = entries(then.unwrap_or_default());
    let entries_now = entries(now);
    exercises
        .filter(|exercise| {
            let under = |folder: &str| {
                let folder = folder.trim_end_matches('/');
                paths.iter().any(|p| {
                    p.strip_prefix(folder)
                        .is_some_and(|rest| rest.starts_with('/'))
                })
            };
            everything
                || under(&exercise.dir)
                || exercise.solutions.iter().any(|s| under(s))
                || paths.contains(&format!("grader/{}", exercise.scenario))
                || entries_then.iter().find(|(id, _)| *id == exercise.id)
                    != entries_now.iter().find(|(id, _)| *id == exercise.id)
        })
        .map(|exercise| exercise.id.as_str())
        .collect()
}

/// Each `[[exercises]]` entry of a manifest's text by id, without the keys that judge
/// nothing. A text that does not parse has no entries.
fn entries(text: &str) -> Vec<(String, toml::Table)> {
    let Ok(manifest) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(toml::Value::Array(exercises)) = manifest.get("exercises") else {
        return Vec::new();
    };
    exercises
        .iter()
        .filter_map(|entry| {
            let mut entry = entry.as_table()?.clone();
            let id = entry.get("id")?.as_str()?.to_owned();
            for key in NOT_JUDGED {
                entry.remove(key);
            }
            Some((id, entry))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::affected;
    use racelab_grader::lab::Lab;

    fn lab() -> Lab {
        Lab::open(&racelab_tests::root()).expect("the lab's manifest")
    }

    fn changed(paths: &[&str], then: Option<&str>, now: &str) -> Vec<String> {
        let lab = lab();
        let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        affected(lab.manifest.exercises.iter(), &paths, then, now)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    const MANIFEST: &str =
        "[[exercises]]\nid = \"ex01\"\nsolutions = [\"a\"]\n\n[[exercises]]\nid = \"ex04\"\n";

    #[test]
    fn an_exercises_own_files_pick_it_alone() {
        let lab = lab();
        let ex04 = lab
            .manifest
            .exercises
            .iter()
            .find(|e| e.id == "ex04")
            .unwrap();
        let solution = format!("{}/src/lib.rs", ex04.solutions[0]);
        let scenario = format!("grader/{}", ex04.scenario);
        let crate_file = format!("{}/src/lib.rs", ex04.dir);
        for path in [&solution, &scenario, &crate_file] {
            assert_eq!(
                changed(&[path], Some(MANIFEST), MANIFEST),
                ["ex04"],
                "{path}"
            );
        }
        assert!(changed(&["README.md", "docs/play.md"], Some(MANIFEST), MANIFEST).is_empty());
    }

    #[test]
    fn what_judges_every_exercise_picks_them_all() {
        let all = lab().manifest.exercises.len();
        assert_eq!(
            changed(&["sync/src/latitude.rs"], Some(MANIFEST), MANIFEST).len(),
            all
        );
        assert_eq!(
            changed(&["Cargo.lock"], Some(MANIFEST), MANIFEST).len(),
            all
        );
    }

    #[test]
    fn a_manifest_entry_counts_unless_only_its_hints_or_records_changed() {
        let records = MANIFEST.replace(
            "id = \"ex04\"\n",
            "id = \"ex04\"\n\n[[exercises.mutants.equivalent]]\nreason = \"r\"\n",
        );
        assert!(changed(&[], Some(MANIFEST), &records).is_empty());
        let sizes = MANIFEST.replace("solutions = [\"a\"]", "solutions = [\"b\"]");
        assert_eq!(changed(&[], Some(MANIFEST), &sizes), ["ex01"]);
        assert_eq!(changed(&[], None, MANIFEST), ["ex01", "ex04"]);
    }
}
