//! Running an exercise's mutants: every mutant of every reference solution written
//! as a crate in a submissions folder, graded as one batch (the class machinery:
//! shared builds, a pool of workers, a report per subject), and classified.

use super::results::{MutantResult, Outcome, Results, SCHEMA};
use super::{Mutant, mutants};
use crate::batch::{self, Event, Plan, Scope};
use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::GradeOptions;
use std::path::{Path, PathBuf};

/// One mutant made for grading.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The reference solution it breaks, as the manifest lists it.
    pub solution: String,
    /// Its folder's name: `<solution folder>-<operator>-<n>`, n counting that
    /// operator's sites in that solution from 1.
    pub name: String,
    /// The mutant.
    pub mutant: Mutant,
    /// Its unified diff from the solution.
    pub diff: String,
}

/// Why an exercise's mutants could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A solution or the submissions folder could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A reference solution does not parse.
    #[error("{solution}/src/lib.rs does not parse: {problem}")]
    Unparsable {
        /// The solution.
        solution: String,
        /// syn's message.
        problem: String,
    },
}

/// The folder under `out` that holds `exercise`'s mutant crates.
pub fn submissions_dir(out: &Path, exercise: &Exercise) -> PathBuf {
    out.join(&exercise.id).join("submissions")
}

/// Makes every mutant of `exercise`'s reference solutions and writes each as a crate
/// (the solution's `Cargo.toml` and `src/`, with the mutated `src/lib.rs`) into
/// [`submissions_dir`], emptied first.
pub fn plan(lab: &Lab, exercise: &Exercise, out: &Path) -> Result<Vec<Planned>, PlanError> {
    let io = |what: String| move |source| PlanError::Io { what, source };
    let submissions = submissions_dir(out, exercise);
    if submissions.exists() {
        std::fs::remove_dir_all(&submissions)
            .map_err(io(format!("cannot empty {}", submissions.display())))?;
    }
    let mut planned = Vec::new();
    for solution in &exercise.solutions {
        let dir = lab.root.join(solution);
        let lib = dir.join("src").join("lib.rs");
        let source =
            std::fs::read_to_string(&lib).map_err(io(format!("cannot read {}", lib.display())))?;
        let made = mutants(&source).map_err(|e| PlanError::Unparsable {
            solution: solution.clone(),
            problem: e.to_string(),
        })?;
        let folder = Path::new(solution)
            .file_name()
            .map_or_else(|| solution.clone(), |n| n.to_string_lossy().into_owned());
        let mut counts: Vec<(super::Operator, usize)> = Vec::new();
        for mutant in made {
            let n = match counts.iter_mut().find(|(op, _)| *op == mutant.operator) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((mutant.operator, 1));
                    1
                }
            };
            let name = format!("{folder}-{}-{n}", mutant.operator);
            let crate_dir = submissions.join(&name);
            copy_crate(&dir, &crate_dir)
                .map_err(io(format!("cannot write {}", crate_dir.display())))?;
            std::fs::write(crate_dir.join("src").join("lib.rs"), &mutant.source)
                .map_err(io(format!("cannot write {}", crate_dir.display())))?;
            let diff = similar::TextDiff::from_lines(&source, &mutant.source)
                .unified_diff()
                .context_radius(2)
                .header("src/lib.rs", &format!("{name}/src/lib.rs"))
                .to_string();
            planned.push(Planned {
                solution: solution.clone(),
                name,
                mutant,
                diff,
            });
        }
    }
    Ok(planned)
}

/// Copies a crate's `Cargo.toml` and `src/` (what a subject is made of).
fn copy_crate(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    std::fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml"))?;
    for entry in walkdir::WalkDir::new(from.join("src")) {
        let entry = entry.map_err(std::io::Error::other)?;
        let relative = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(to.join(relative))?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), to.join(relative))?;
        }
    }
    Ok(())
}

/// Grades `planned` (made by [`plan`] into `out`) as a batch of `exercise`, each
/// report written under `out/<exercise>/reports/`, and classifies each mutant.
/// `on_event` hears the batch as it goes.
pub fn grade(
    lab: &Lab,
    exercise: &Exercise,
    planned: &[Planned],
    out: &Path,
    options: &GradeOptions,
    batch_plan: Plan,
    on_event: &mut dyn FnMut(Event<'_, '_>),
) -> Result<Results, batch::DiscoverError> {
    let reports_dir = out.join(&exercise.id).join("reports");
    let targets = batch::discover(
        lab,
        Scope::One(exercise),
        Some(&submissions_dir(out, exercise)),
        &reports_dir,
    )?;
    let reports = batch::run(lab, &targets, options, batch_plan, on_event);
    let mutants = planned
        .iter()
        .map(|planned| {
            let report = targets
                .iter()
                .zip(&reports)
                .find(|(target, _)| target.name == planned.name)
                .map(|(_, report)| report);
            let (outcome, killed_by, timed_out) =
                report.map_or((Outcome::Error, Vec::new(), Vec::new()), Outcome::of);
            MutantResult {
                exercise: exercise.id.clone(),
                solution: planned.solution.clone(),
                operator: planned.mutant.operator,
                site: planned.mutant.site,
                name: planned.name.clone(),
                outcome,
                killed_by,
                timed_out,
                diff: planned.diff.clone(),
            }
        })
        .collect();
    Ok(Results {
        schema: SCHEMA,
        mutants,
    })
}

#[cfg(test)]
mod tests {
    use super::plan;
    use crate::lab::Lab;
    use std::path::Path;

    #[test]
    fn every_mutant_is_a_crate_named_by_solution_operator_and_count() {
        let lab = Lab::open(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap();
        let ex03 = lab.manifest.find("ex03").unwrap();
        let out = tempfile::tempdir().unwrap();
        let planned = plan(&lab, ex03, out.path()).unwrap();
        let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
        for name in [
            "release-acquire-weaken-ordering-1",
            "release-acquire-weaken-ordering-2",
            "release-acquire-publish-early-1",
        ] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
        for planned in &planned {
            let crate_dir = out.path().join("ex03/submissions").join(&planned.name);
            let written = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
            assert_eq!(written, planned.mutant.source);
            assert!(crate_dir.join("Cargo.toml").is_file());
            let changed = planned
                .diff
                .lines()
                .filter(|l| l.starts_with(['+', '-']))
                .count();
            assert!(changed >= 3, "a header and a change:\n{}", planned.diff);
        }
        // Planning again starts from an empty folder.
        std::fs::create_dir_all(out.path().join("ex03/submissions/stale")).unwrap();
        plan(&lab, ex03, out.path()).unwrap();
        assert!(!out.path().join("ex03/submissions/stale").exists());
    }
}
