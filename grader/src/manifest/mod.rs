//! The exercise manifest, `grader/exercises.toml`: which exercises exist, where their
//! crates and scenarios are, their hints, how big each stage's scenario is, and which
//! stages catch the bug as shipped (and why the others cannot).

mod hints;
mod mutants;
mod points;
mod shipped;
mod witness;

pub use hints::{Fix, Hint, When, check_fixes};
pub use mutants::{Equivalent, Mutants};
pub use points::{DEFAULT_TOTAL, Points};
pub use shipped::Shipped;
pub use witness::Witness;

use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// The manifest format this grader reads.
pub const FORMAT: u32 = 1;

/// Every exercise of the lab, in teaching order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format version; must equal [`FORMAT`].
    pub format: u32,
    /// The exercises.
    pub exercises: Vec<Exercise>,
}

/// One exercise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Short id, e.g. `ex01`.
    pub id: String,
    /// Full name, e.g. `ex01-lost-update` (also the crate's package name).
    pub name: String,
    /// Title shown to students.
    pub title: String,
    /// The crate students edit, relative to the workspace root; when absent from the
    /// manifest, `exercises/<name>`.
    #[serde(default)]
    pub dir: String,
    /// The scenario file, relative to `grader/`; when absent from the manifest,
    /// `scenarios/<name with - as _>.rs`.
    #[serde(default)]
    pub scenario: String,
    /// Reference solutions, relative to the workspace root; when absent from the
    /// manifest, every folder under `solutions/<name>/`, in name order.
    #[serde(default)]
    pub solutions: Vec<String>,
    /// Hints, in the order they are revealed, each keyed by the evidence it answers
    /// and declaring the fix it suggests (`[[exercises.hints]]`).
    pub hints: Vec<Hint>,
    /// Scenario sizes and bounds for each stage.
    pub stages: StageSizes,
    /// Which stages catch the bug as shipped, and why the others cannot.
    pub shipped: Shipped,
    /// The smallest inputs that show the exercise's bugs, and the stages that hold
    /// them (`[[exercises.witnesses]]`).
    #[serde(default)]
    pub witnesses: Vec<Witness>,
    /// What this exercise allows beyond the lab's allow-list (optional).
    #[serde(default)]
    pub policy: Policy,
    /// What it is worth in a class: full marks for a pass, optional partial credit
    /// per stage (optional; 100 points, no partial credit by default).
    #[serde(default)]
    pub points: Points,
    /// Its reference solutions' mutants that are still correct, each with its reason
    /// (optional; see [`crate::mutants`]).
    #[serde(default)]
    pub mutants: Mutants,
}

/// `[exercises.policy]`: paths a subject of this exercise may use beyond the
/// allow-list of [`crate::policy`], each allowed with everything below it, e.g.
/// `allow = ["std::sync::atomic::Ordering"]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Paths (`std::sync::atomic::Ordering`), macro names (`dbg`) or attributes.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Refuses `unsafe impl Send`/`Sync` too, which the lab allows elsewhere (the
    /// exercises whose lesson is that the compiler refuses shared state).
    #[serde(default)]
    pub forbid_unsafe_impls: bool,
}

impl Policy {
    /// Checks that every entry is a path of identifiers: `a::b::c`.
    fn check(&self) -> Result<(), String> {
        for entry in &self.allow {
            let is_ident = |word: &str| {
                word.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && word.chars().all(|c| c.is_alphanumeric() || c == '_')
            };
            if !entry.split("::").all(is_ident) {
                return Err(format!(
                    "`policy.allow` entry \"{entry}\" is not a path such as `std::sync::atomic::Ordering`"
                ));
            }
        }
        Ok(())
    }
}

impl Exercise {
    /// Fills in the crate and scenario paths the manifest leaves out, from the name.
    fn derive_paths(&mut self) {
        if self.dir.is_empty() {
            self.dir = format!("exercises/{}", self.name);
        }
        if self.scenario.is_empty() {
            self.scenario = format!("scenarios/{}.rs", self.name.replace('-', "_"));
        }
    }

    /// Fills in the solutions the manifest leaves out: every folder under
    /// `solutions/<name>/` of the workspace at `root`, in name order.
    fn find_solutions(&mut self, root: &Path) {
        if !self.solutions.is_empty() {
            return;
        }
        let parent = format!("solutions/{}", self.name);
        let Ok(entries) = std::fs::read_dir(root.join(&parent)) else {
            return;
        };
        let mut found: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| format!("{parent}/{}", e.file_name().to_string_lossy()))
            .collect();
        found.sort();
        self.solutions = found;
    }
}

/// The scenario's size and bounds for every stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSizes {
    /// Exhaustive exploration: keep it tiny.
    pub loom: LoomSize,
    /// Randomized exploration.
    pub shuttle: ShuttleSize,
    /// Real threads, many rounds.
    pub stress: RoundsSize,
    /// Real threads under ThreadSanitizer: few rounds, it is slow.
    pub tsan: RoundsSize,
    /// Generated scenarios checked against the scenario file's sequential model;
    /// absent while the exercise has no model (the stage is then skipped).
    pub spec: Option<SpecSize>,
}

/// The spec stage's plan: proptest cases, each explored with PCT.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecSize {
    /// Seed of proptest's generator and of every case's PCT exploration.
    pub seed: u64,
    /// Scenarios to generate.
    pub cases: u32,
    /// PCT executions per scenario.
    pub iterations: usize,
    /// PCT depth.
    pub depth: usize,
    /// What the exercise's reference solutions take in this stage on the lab's
    /// machine, builds excluded (the slowest of them, measured as the manifest says):
    /// the stage's default time limit is sized from it.
    pub reference_ms: u64,
}

/// loom's bounds.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoomSize {
    /// Worker threads (loom allows at most 4).
    pub workers: usize,
    /// Operations per worker.
    pub ops: usize,
    /// Preemptions per schedule; absent for unbounded.
    pub preemption_bound: Option<usize>,
    /// Branch points per schedule.
    pub max_branches: usize,
    /// What the exercise's reference solutions take in this stage on the lab's
    /// machine, builds excluded (the slowest of them, measured as the manifest says):
    /// the stage's default time limit is sized from it.
    pub reference_ms: u64,
}

/// shuttle's plan.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShuttleSize {
    /// Worker threads.
    pub workers: usize,
    /// Operations per worker.
    pub ops: usize,
    /// Default PCT seed (`--seed` overrides it).
    pub seed: u64,
    /// Default number of executions (`--iterations` overrides it).
    pub iterations: usize,
    /// PCT depth.
    pub depth: usize,
    /// What the exercise's reference solutions take in this stage on the lab's
    /// machine, builds excluded (the slowest of them, measured as the manifest says):
    /// the stage's default time limit is sized from it.
    pub reference_ms: u64,
}

/// A real-thread stage's rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundsSize {
    /// Worker threads.
    pub workers: usize,
    /// Operations per worker and round.
    pub ops: usize,
    /// Rounds to run.
    pub rounds: u32,
    /// What the exercise's reference solutions take in this stage on the lab's
    /// machine, builds excluded (the slowest of them, measured as the manifest says):
    /// the stage's and each round's default time
    /// limits are sized from it.
    pub reference_ms: u64,
}

/// A manifest that could not be read, with the file it came from.
#[derive(Debug)]
pub struct ManifestError {
    /// The manifest's path.
    pub path: String,
    /// What is wrong, naming the field where the TOML parser could.
    pub problem: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the exercise manifest {} is not valid: {}",
            self.path, self.problem
        )
    }
}

impl std::error::Error for ManifestError {}

/// What is wrong with a manifest's text: the field where the TOML parser could name
/// it, or the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidManifest(pub String);

impl From<String> for InvalidManifest {
    fn from(problem: String) -> Self {
        InvalidManifest(problem)
    }
}

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let error = |problem: String| ManifestError {
            path: path.display().to_string(),
            problem,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let mut manifest = Manifest::parse(&text).map_err(|e| error(e.0))?;
        // The manifest sits at `<root>/grader/exercises.toml`.
        if let Some(root) = path.parent().and_then(Path::parent) {
            for exercise in &mut manifest.exercises {
                exercise.find_solutions(root);
            }
        }
        Ok(manifest)
    }

    /// Parses and checks manifest text.
    pub fn parse(text: &str) -> Result<Manifest, InvalidManifest> {
        Manifest::parse_text(text).map_err(InvalidManifest)
    }

    fn parse_text(text: &str) -> Result<Manifest, String> {
        let mut manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string())?;
        if manifest.format != FORMAT {
            return Err(format!(
                "`format = {}`, but this grader reads format {FORMAT}",
                manifest.format
            ));
        }
        for exercise in &mut manifest.exercises {
            exercise.derive_paths();
        }
        for exercise in &manifest.exercises {
            if exercise.stages.loom.workers > 4 {
                return Err(format!(
                    "exercise {}: `stages.loom.workers = {}`, but loom runs at most 4 threads",
                    exercise.id, exercise.stages.loom.workers
                ));
            }
            let sizes = &exercise.stages;
            let references = [
                ("loom", sizes.loom.reference_ms),
                ("shuttle", sizes.shuttle.reference_ms),
                ("stress", sizes.stress.reference_ms),
                ("tsan", sizes.tsan.reference_ms),
                ("spec", sizes.spec.map_or(1, |spec| spec.reference_ms)),
            ];
            if let Some((stage, _)) = references.iter().find(|(_, ms)| *ms == 0) {
                return Err(format!(
                    "exercise {}: `stages.{stage}.reference_ms = 0`: give what the reference solutions take in this stage, in milliseconds (at least 1)",
                    exercise.id
                ));
            }
            exercise
                .shipped
                .check(sizes.spec.is_some())
                .and_then(|()| exercise.policy.check())
                .and_then(|()| exercise.points.check(&exercise.shipped))
                .and_then(|()| {
                    exercise
                        .witnesses
                        .iter()
                        .try_for_each(|witness| witness.check(sizes, &exercise.shipped))
                })
                .and_then(|()| exercise.mutants.check(&exercise.solutions))
                .map_err(|problem| format!("exercise {}: {problem}", exercise.id))?;
        }
        Ok(manifest)
    }

    /// Finds an exercise by id (`ex01`), number (`1`) or full name (`ex01-lost-update`).
    pub fn find(&self, name: &str) -> Option<&Exercise> {
        let name = name.trim();
        let by_number = name.parse::<u32>().ok().map(|n| format!("ex{n:02}"));
        self.exercises
            .iter()
            .find(|e| e.id == name || e.name == name || by_number.as_deref() == Some(e.id.as_str()))
    }

    /// One line per exercise, `  ex01  The lost update`, for error messages.
    pub fn listing(&self) -> String {
        self.exercises
            .iter()
            .map(|e| format!("  {:<6}{}", e.id, e.title))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Manifest;

    pub(super) fn shipped() -> Manifest {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml");
        Manifest::load(std::path::Path::new(path)).expect("the shipped manifest loads")
    }

    #[test]
    fn finds_an_exercise_by_id_number_and_name() {
        let manifest = shipped();
        for name in ["ex01", "1", "01", "ex01-lost-update", " ex01 "] {
            assert_eq!(
                manifest.find(name).map(|e| e.id.as_str()),
                Some("ex01"),
                "{name}"
            );
        }
        for name in ["ex99", "99", "lost-update", ""] {
            assert!(manifest.find(name).is_none(), "{name}");
        }
    }

    #[test]
    fn paths_left_out_are_derived_from_the_name() {
        let shipped = shipped();
        let text = edited(
            "dir = \"exercises/ex01-lost-update\"\nscenario = \"scenarios/ex01_lost_update.rs\"\nsolutions = [\n    \"solutions/ex01-lost-update/mutex\",\n    \"solutions/ex01-lost-update/atomic\",\n    \"solutions/ex01-lost-update/per-worker\",\n]\n",
            "",
        );
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("grader/exercises.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        for solution in ["per-worker", "atomic", "mutex"] {
            std::fs::create_dir_all(
                root.path()
                    .join("solutions/ex01-lost-update")
                    .join(solution),
            )
            .unwrap();
        }
        std::fs::write(root.path().join("solutions/ex01-lost-update/notes.md"), "").unwrap();
        let derived = Manifest::load(&path).unwrap();
        let (ex01, shipped_ex01) = (derived.find("ex01").unwrap(), shipped.find("ex01").unwrap());
        assert_eq!(ex01.dir, shipped_ex01.dir);
        assert_eq!(ex01.scenario, shipped_ex01.scenario);
        assert_eq!(
            ex01.solutions,
            [
                "solutions/ex01-lost-update/atomic",
                "solutions/ex01-lost-update/mutex",
                "solutions/ex01-lost-update/per-worker",
            ]
        );
        assert_eq!(
            derived.find("ex02").unwrap().solutions,
            shipped.find("ex02").unwrap().solutions,
            "listed solutions are kept as listed"
        );
    }

    #[test]
    fn a_wrong_format_version_is_refused() {
        let problem = Manifest::parse("format = 2\nexercises = []").unwrap_err().0;
        assert!(problem.contains("format 1"), "{problem}");
    }

    #[test]
    fn an_unknown_field_is_named() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml"))
            .unwrap()
            .replace(
                "title = \"The lost update\"",
                "title = \"x\"\ntitel = \"typo\"",
            );
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(problem.contains("titel"), "{problem}");
    }

    /// `text` with every `[[exercises.witnesses]]` table left out, for tests of other
    /// rules that a witness would otherwise break.
    pub(super) fn without_witnesses(text: &str) -> String {
        text.split("\n\n")
            .filter(|block| !block.lines().any(|line| line == "[[exercises.witnesses]]"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The shipped manifest's text with `from` replaced by `to` (which must occur).
    pub(crate) fn edited(from: &str, to: &str) -> String {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml"))
            .unwrap();
        assert!(
            text.contains(from),
            "the manifest no longer contains {from:?}"
        );
        text.replacen(from, to, 1)
    }

    #[test]
    fn an_exercise_may_allow_more_and_each_entry_must_be_a_path() {
        let table = |allow: &str| {
            edited(
                "[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\", \"spec\"]",
                &format!(
                    "[exercises.policy]\nallow = [{allow}]\n\n[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\", \"spec\"]"
                ),
            )
        };
        let manifest = Manifest::parse(&table("\"std::sync::atomic::Ordering\"")).unwrap();
        assert_eq!(
            manifest.find("ex01").unwrap().policy.allow,
            ["std::sync::atomic::Ordering"]
        );
        assert!(manifest.find("ex02").unwrap().policy.allow.is_empty());
        let problem = Manifest::parse(&table("\"std::sync::\"")).unwrap_err().0;
        assert!(
            problem.contains("ex01") && problem.contains("policy.allow"),
            "{problem}"
        );
    }

    #[test]
    fn a_missing_claim_names_the_file_and_the_field() {
        let text = edited(
            "[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\", \"spec\"]",
            "",
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exercises.toml");
        std::fs::write(&path, text).unwrap();
        let error = Manifest::load(&path).unwrap_err().to_string();
        for part in [
            path.display().to_string().as_str(),
            "missing field `shipped`",
        ] {
            assert!(error.contains(part), "{part} missing in: {error}");
        }
    }

    #[test]
    fn every_stage_needs_a_reference_time() {
        let text = edited("reference_ms = ", "reference_ms = 0 # ");
        let problem = Manifest::parse(&text).unwrap_err().0;
        for part in ["ex00", "`stages.loom.reference_ms = 0`"] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
        let text = edited("reference_ms = ", "# reference_ms = ");
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(
            problem.contains("missing field `reference_ms`"),
            "{problem}"
        );
    }

    #[test]
    fn loom_bounds_above_its_thread_limit_are_refused() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml"))
            .unwrap()
            .replacen("workers = 2", "workers = 5", 1);
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(problem.contains("at most 4"), "{problem}");
    }
}
