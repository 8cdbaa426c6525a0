//! What a mutants run found: each mutant's outcome, the mutation score per exercise
//! and per stage, and the survivors nobody has explained. Written as TOML (the
//! record `dev check` reads) and as a markdown table (for people).
//!
//! About 500 lines, 130 of them tests: the markdown's three tables and two lists of
//! diffs are most of the rest, and they read best beside the scores they print.

use super::{Operator, Site};
use crate::manifest::Manifest;
use crate::report::{Report, Status};
use crate::stage_id::StageId;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// The results file's format version.
pub const SCHEMA: u32 = 1;

/// The results file's name in a run's output folder.
pub const RESULTS_FILE: &str = "results.toml";

/// The markdown table's name beside it.
pub const TABLE_FILE: &str = "results.md";

/// What became of a mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A stage failed it (or stopped it for what it did).
    Killed,
    /// Every stage that ran passed it.
    Survived,
    /// No stage failed it, but one ran out of time (a deadlock on real threads ends
    /// there): detected, though not explained.
    Timeout,
    /// It does not build: discarded, as the compiler is not the lab's detector here.
    DidNotCompile,
    /// The grader could not grade it: nothing is known.
    Error,
}

impl Outcome {
    /// The outcome of a mutant's grade, with the stages that killed it and those that
    /// timed out.
    pub fn of(report: &Report) -> (Outcome, Vec<StageId>, Vec<StageId>) {
        let stages_where = |pick: &dyn Fn(&crate::report::StageReport) -> bool| -> Vec<StageId> {
            report
                .stages
                .iter()
                .filter(|s| pick(s))
                .map(|s| s.name)
                .collect()
        };
        if report
            .stages
            .iter()
            .any(|s| !s.evidence.compile_errors.is_empty())
        {
            return (Outcome::DidNotCompile, Vec::new(), Vec::new());
        }
        let killed_by = stages_where(&|s| {
            s.status == Status::Fail || (s.status == Status::Error && s.evidence.fault.is_some())
        });
        let timed_out = stages_where(&|s| s.status == Status::Timeout);
        let outcome = if !killed_by.is_empty() {
            Outcome::Killed
        } else if !timed_out.is_empty() {
            Outcome::Timeout
        } else if report.stages.iter().any(|s| s.status == Status::Error) {
            Outcome::Error
        } else {
            Outcome::Survived
        };
        (outcome, killed_by, timed_out)
    }

    /// Its name in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Killed => "killed",
            Outcome::Survived => "survived",
            Outcome::Timeout => "timeout",
            Outcome::DidNotCompile => "did not compile",
            Outcome::Error => "error",
        }
    }
}

/// One mutant's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantResult {
    /// The exercise, `ex01`.
    pub exercise: String,
    /// The reference solution mutated, as the manifest lists it.
    pub solution: String,
    /// The operator.
    pub operator: Operator,
    /// Where in the solution's `src/lib.rs`.
    pub site: Site,
    /// The mutant's folder name, `<solution>-<operator>-<n>`.
    pub name: String,
    /// What became of it.
    pub outcome: Outcome,
    /// The stages that killed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub killed_by: Vec<StageId>,
    /// The stages that ran out of time on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timed_out: Vec<StageId>,
    /// The unified diff from the solution.
    pub diff: String,
}

/// A whole run's results (every exercise run so far: a run of one exercise replaces
/// that exercise's results and keeps the others').
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`SCHEMA`].
    pub schema: u32,
    /// Every mutant graded.
    #[serde(default)]
    pub mutants: Vec<MutantResult>,
}

/// Why a results file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// Not readable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not this format.
    #[error("{path} is not a mutants results file of format {SCHEMA}: {problem}")]
    Format {
        /// The file.
        path: String,
        /// Why.
        problem: String,
    },
}

/// One exercise's mutation score.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The exercise.
    pub exercise: String,
    /// Mutants made.
    pub mutants: usize,
    /// Killed by some stage.
    pub killed: usize,
    /// Only timed out.
    pub timeouts: usize,
    /// Survived, and recorded as equivalent in the manifest.
    pub equivalent: usize,
    /// Survived, unexplained.
    pub survived: usize,
    /// Discarded: did not compile.
    pub did_not_compile: usize,
    /// Not graded (the grader's error).
    pub errors: usize,
    /// Per stage, in [`StageId::ALL`]'s order: how many mutants it killed.
    pub by_stage: Vec<(StageId, usize)>,
}

impl Score {
    /// The mutants that count: neither discarded, nor ungraded, nor equivalent.
    pub fn counted(&self) -> usize {
        self.killed + self.timeouts + self.survived
    }

    /// Detected of counted, as a percentage (`None` with nothing counted).
    pub fn percent(&self, detected: usize) -> Option<f64> {
        (self.counted() > 0).then(|| 100.0 * detected as f64 / self.counted() as f64)
    }
}

impl Results {
    /// Reads a results file.
    pub fn read(path: &Path) -> Result<Results, ResultsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let format = |problem: String| ResultsError::Format {
            path: path.display().to_string(),
            problem,
        };
        let results: Results = toml::from_str(&text).map_err(|e| format(e.to_string()))?;
        if results.schema != SCHEMA {
            return Err(format(format!("schema = {}", results.schema)));
        }
        Ok(results)
    }

    /// Writes it, whole or not at all.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        crate::report::write_atomically(path, &text)
    }

    /// These results with `newer`'s exercises replaced by `newer`'s results.
    pub fn merged(mut self, newer: Results) -> Results {
        self.mutants
            .retain(|old| !newer.mutants.iter().any(|new| new.exercise == old.exercise));
        self.mutants.extend(newer.mutants);
        // In the manifest's order (exercise ids sort as it lists them), each
        // exercise's mutants as graded.
        self.mutants.sort_by(|a, b| a.exercise.cmp(&b.exercise));
        self.schema = SCHEMA;
        self
    }

    /// Whether the manifest records `mutant` as equivalent, and why.
    pub fn equivalence<'m>(manifest: &'m Manifest, mutant: &MutantResult) -> Option<&'m str> {
        let exercise = manifest.find(&mutant.exercise)?;
        exercise
            .mutants
            .explains(&mutant.solution, mutant.operator, mutant.site)
            .map(|e| e.reason.as_str())
    }

    /// The survivors the manifest does not record as equivalent: each a decision to
    /// make (a detector gap to fix, or an equivalence to record).
    pub fn unexplained<'r>(&'r self, manifest: &Manifest) -> Vec<&'r MutantResult> {
        self.mutants
            .iter()
            .filter(|m| m.outcome == Outcome::Survived)
            .filter(|m| Results::equivalence(manifest, m).is_none())
            .collect()
    }

    /// The exercises' scores, in the order they first appear.
    pub fn scores(&self, manifest: &Manifest) -> Vec<Score> {
        let mut exercises: Vec<&str> = Vec::new();
        for mutant in &self.mutants {
            if !exercises.contains(&mutant.exercise.as_str()) {
                exercises.push(&mutant.exercise);
            }
        }
        exercises
            .into_iter()
            .map(|exercise| {
                let mutants: Vec<&MutantResult> = self
                    .mutants
                    .iter()
                    .filter(|m| m.exercise == exercise)
                    .collect();
                let count =
                    |outcome: Outcome| mutants.iter().filter(|m| m.outcome == outcome).count();
                let equivalent = mutants
                    .iter()
                    .filter(|m| {
                        m.outcome == Outcome::Survived
                            && Results::equivalence(manifest, m).is_some()
                    })
                    .count();
                Score {
                    exercise: exercise.to_owned(),
                    mutants: mutants.len(),
                    killed: count(Outcome::Killed),
                    timeouts: count(Outcome::Timeout),
                    equivalent,
                    survived: count(Outcome::Survived) - equivalent,
                    did_not_compile: count(Outcome::DidNotCompile),
                    errors: count(Outcome::Error),
                    by_stage: StageId::ALL
                        .into_iter()
                        .map(|stage| {
                            let detected = mutants
                                .iter()
                                .filter(|m| m.killed_by.contains(&stage))
                                .count();
                            (stage, detected)
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The markdown report: the score table, what each operator made and how it
    /// ended, and every survivor with its diff and its decision.
    pub fn markdown(&self, manifest: &Manifest) -> String {
        let percent = |value: Option<f64>| value.map_or("—".to_owned(), |p| format!("{p:.0}%"));
        let mut text = String::from("# Concurrency mutants\n\n");
        text.push_str("Score = killed / (killed + timeout + unexplained survivors): a timeout with no stage failing is not counted as detected (under load it may be nothing but a slow stage; a real deadlock fails loom or shuttle). Mutants that do not compile are discarded; equivalent ones (recorded in the manifest) are left out. A stage's column: the mutants it killed, of the same total.\n\n");
        text.push_str("| exercise | mutants | killed | timeout | survived | equivalent | did not compile | error | score |");
        for stage in StageId::ALL {
            let _ = write!(text, " {stage} |");
        }
        text.push_str("\n|---|---|---|---|---|---|---|---|---|");
        text.push_str(&"---|".repeat(StageId::ALL.len()));
        text.push('\n');
        for score in self.scores(manifest) {
            let _ = write!(
                text,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                score.exercise,
                score.mutants,
                score.killed,
                score.timeouts,
                score.survived,
                score.equivalent,
                score.did_not_compile,
                score.errors,
                percent(score.percent(score.killed)),
            );
            for (_, detected) in &score.by_stage {
                let _ = write!(text, " {} |", percent(score.percent(*detected)));
            }
            text.push('\n');
        }
        text.push_str("\n## By operator\n\n| operator | mutants | killed | timeout | equivalent | unexplained | did not compile | killed by |\n|---|---|---|---|---|---|---|---|\n");
        for operator in Operator::ALL {
            let made: Vec<&MutantResult> = self
                .mutants
                .iter()
                .filter(|m| m.operator == operator)
                .collect();
            if made.is_empty() {
                continue;
            }
            let count = |outcome: Outcome| made.iter().filter(|m| m.outcome == outcome).count();
            let killers: Vec<String> = StageId::ALL
                .into_iter()
                .filter_map(|stage| {
                    let n = made.iter().filter(|m| m.killed_by.contains(&stage)).count();
                    (n > 0).then(|| format!("{stage} {n}"))
                })
                .collect();
            let equivalent = made
                .iter()
                .filter(|m| {
                    m.outcome == Outcome::Survived && Results::equivalence(manifest, m).is_some()
                })
                .count();
            let _ = writeln!(
                text,
                "| `{operator}` | {} | {} | {} | {equivalent} | {} | {} | {} |",
                made.len(),
                count(Outcome::Killed),
                count(Outcome::Timeout),
                count(Outcome::Survived) - equivalent,
                count(Outcome::DidNotCompile),
                killers.join(", "),
            );
        }
        text.push_str("\n## Timeouts\n\nNo stage failed these; one or more ran out of time. Grade again alone (`cargo xtask grade EX --path <out>/EX/submissions/NAME`) to tell a hang from a slow stage.\n");
        let timeouts: Vec<&MutantResult> = self
            .mutants
            .iter()
            .filter(|m| m.outcome == Outcome::Timeout)
            .collect();
        if timeouts.is_empty() {
            text.push_str("\nNone.\n");
        }
        for mutant in timeouts {
            let _ = write!(
                text,
                "\n### {} `{}` ({}, `{}` at {}): timeout in {}\n\n```diff\n{}```\n",
                mutant.exercise,
                mutant.name,
                mutant.solution,
                mutant.operator,
                mutant.site,
                StageId::list(&mutant.timed_out),
                mutant.diff
            );
        }
        text.push_str("\n## Survivors\n");
        let survivors: Vec<&MutantResult> = self
            .mutants
            .iter()
            .filter(|m| m.outcome == Outcome::Survived)
            .collect();
        if survivors.is_empty() {
            text.push_str("\nNone.\n");
        }
        for mutant in survivors {
            let decision = Results::equivalence(manifest, mutant).map_or_else(
                || {
                    "**unexplained**: a detector gap, or an equivalence to record in the manifest"
                        .to_owned()
                },
                |reason| format!("equivalent: {reason}"),
            );
            let _ = write!(
                text,
                "\n### {} `{}` ({}, `{}` at {})\n\n{decision}\n\n```diff\n{}```\n",
                mutant.exercise,
                mutant.name,
                mutant.solution,
                mutant.operator,
                mutant.site,
                mutant.diff
            );
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, Results};
    use crate::formats::tests::{caught, stage};
    use crate::manifest::Manifest;
    use crate::report::Status;
    use crate::stage_id::StageId;

    /// A results file with one survivor of ex01's atomic solution at `site`, and one
    /// killed mutant.
    pub(crate) fn fake(site: &str) -> Results {
        toml::from_str(&format!(
            r#"schema = 1
[[mutants]]
exercise = "ex01"
solution = "solutions/ex01-lost-update/atomic"
operator = "rmw-to-load-store"
site = "38:9"
name = "atomic-rmw-to-load-store-1"
outcome = "killed"
killed_by = ["loom", "spec"]
diff = "-a\n+b\n"

[[mutants]]
exercise = "ex01"
solution = "solutions/ex01-lost-update/atomic"
operator = "weaken-ordering"
site = "{site}"
name = "atomic-weaken-ordering-1"
outcome = "survived"
diff = "-c\n+d\n"
"#
        ))
        .unwrap()
    }

    fn manifest_with(equivalent: &str) -> Manifest {
        let text = crate::manifest::tests::edited(
            "fix = [\"solutions/ex01-lost-update/per-worker\"]\n",
            &format!("fix = [\"solutions/ex01-lost-update/per-worker\"]\n{equivalent}"),
        );
        Manifest::parse(&text).unwrap()
    }

    #[test]
    fn a_survivor_is_unexplained_until_the_manifest_records_it_at_its_site() {
        let results = fake("12:5");
        let none = manifest_with("");
        assert_eq!(results.unexplained(&none).len(), 1);
        let record = "[[exercises.mutants.equivalent]]\nsolution = \"solutions/ex01-lost-update/atomic\"\noperator = \"weaken-ordering\"\nsite = \"12:5\"\nreason = \"nothing reads through it\"\n";
        let recorded = manifest_with(record);
        assert!(results.unexplained(&recorded).is_empty());
        assert_eq!(
            fake("13:5").unexplained(&recorded).len(),
            1,
            "another site is another mutant"
        );
        let score = &results.scores(&recorded)[0];
        assert_eq!((score.killed, score.equivalent, score.survived), (1, 1, 0));
        assert_eq!(score.percent(score.killed), Some(100.0));
        assert!(
            results
                .markdown(&recorded)
                .contains("equivalent: nothing reads through it")
        );
        assert!(results.markdown(&none).contains("**unexplained**"));
    }

    #[test]
    fn a_run_of_one_exercise_replaces_only_its_results() {
        let mut other = fake("1:1");
        for mutant in &mut other.mutants {
            mutant.exercise = "ex03".into();
        }
        let merged = fake("1:1").merged(other.clone()).merged(fake("2:2"));
        assert_eq!(merged.mutants.len(), 4);
        assert_eq!(merged.mutants[2..], other.mutants[..]);
        assert_eq!(merged.mutants[1].site.to_string(), "2:2");
    }

    #[test]
    fn the_outcome_comes_from_the_stages() {
        let mut report = caught();
        assert_eq!(Outcome::of(&report).0, Outcome::Killed);
        report.stages = vec![
            stage("loom", Status::Pass, ""),
            stage("stress", Status::Timeout, "hung"),
        ];
        assert_eq!(
            Outcome::of(&report),
            (Outcome::Timeout, vec![], vec![StageId::Stress])
        );
        report.stages = vec![
            stage("loom", Status::Pass, ""),
            stage("tsan", Status::Skipped, ""),
        ];
        assert_eq!(Outcome::of(&report).0, Outcome::Survived);
        report.stages[0].status = Status::Error;
        assert_eq!(Outcome::of(&report).0, Outcome::Error);
        report.stages[0].evidence.compile_errors = vec!["E0382".into()];
        assert_eq!(Outcome::of(&report).0, Outcome::DidNotCompile);
    }

    #[test]
    fn results_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.toml");
        fake("3:4").write(&path).unwrap();
        assert_eq!(Results::read(&path).unwrap(), fake("3:4"));
    }
}
