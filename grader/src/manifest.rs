//! The exercise manifest, `grader/exercises.toml`: which exercises exist, where their
//! crates and scenarios are, their hints, how big each stage's scenario is, and which
//! stages catch the bug as shipped (and why the others cannot).

use crate::stages::StageName;
use serde::Deserialize;
use std::collections::BTreeMap;
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
    /// The crate students edit, relative to the workspace root.
    pub dir: String,
    /// The scenario file, relative to `grader/`.
    pub scenario: String,
    /// Reference solutions, relative to the workspace root.
    pub solutions: Vec<String>,
    /// Hints, in the order they are revealed.
    pub hints: Vec<String>,
    /// Scenario sizes and bounds for each stage.
    pub stages: StageSizes,
    /// Which stages catch the bug as shipped, and why the others cannot.
    pub shipped: Shipped,
    /// What this exercise allows beyond the lab's allow-list (optional).
    #[serde(default)]
    pub policy: Policy,
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

/// The lab's claim about the exercise as shipped: the stages that catch its bug, and
/// for every other stage one line on why it cannot see this kind of bug.
///
/// [`Manifest::parse`] checks that every stage is in exactly one of the two.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipped {
    /// The stages that fail on the crate as shipped, by name (`loom`, `tsan`, …).
    pub caught_by: Vec<String>,
    /// Every other stage, by name, with the reason it passes the shipped crate.
    #[serde(default)]
    pub blind: BTreeMap<String, String>,
}

impl Shipped {
    /// Whether `stage` is claimed to catch the shipped bug.
    pub fn is_caught_by(&self, stage: StageName) -> bool {
        self.caught_by.iter().any(|name| name == stage.as_str())
    }

    /// Why `stage` cannot see the shipped bug, if it is claimed blind to it.
    pub fn why_blind(&self, stage: StageName) -> Option<&str> {
        self.blind.get(stage.as_str()).map(String::as_str)
    }

    /// Checks the claim: known stage names, each stage in exactly one of the two
    /// fields, and a one-line reason for every blind stage.
    fn check(&self) -> Result<(), String> {
        if self.caught_by.is_empty() {
            return Err(
                "`shipped.caught_by` is empty: name at least one stage that catches the shipped bug"
                    .into(),
            );
        }
        for (i, name) in self.caught_by.iter().enumerate() {
            name.parse::<StageName>()
                .map_err(|e| format!("`shipped.caught_by`: {e}"))?;
            if self.caught_by[..i].contains(name) {
                return Err(format!("`shipped.caught_by` names `{name}` twice"));
            }
        }
        for (name, reason) in &self.blind {
            name.parse::<StageName>()
                .map_err(|e| format!("`shipped.blind.{name}`: {e}"))?;
            if self.caught_by.contains(name) {
                return Err(format!(
                    "`{name}` is in both `shipped.caught_by` and `shipped.blind`: a stage either catches the shipped bug or is blind to it"
                ));
            }
            if reason.trim().is_empty() || reason.contains('\n') {
                return Err(format!(
                    "`shipped.blind.{name}` must be one non-empty line saying why {name} cannot see this bug"
                ));
            }
        }
        for stage in StageName::ALL {
            if !self.is_caught_by(stage) && self.why_blind(stage).is_none() {
                return Err(format!(
                    "stage `{stage}` is in neither `shipped.caught_by` nor `shipped.blind`: list it as a catcher, or give `shipped.blind.{stage}` a line on why it cannot see the bug"
                ));
            }
        }
        Ok(())
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
}

/// A real-thread stage's rounds.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundsSize {
    /// Worker threads.
    pub workers: usize,
    /// Operations per worker and round.
    pub ops: usize,
    /// Rounds to run.
    pub rounds: u32,
    /// A round running longer than this is hung.
    pub round_timeout_ms: u64,
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

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let error = |problem: String| ManifestError {
            path: path.display().to_string(),
            problem,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        Manifest::parse(&text).map_err(error)
    }

    /// Parses and checks manifest text.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string())?;
        if manifest.format != FORMAT {
            return Err(format!(
                "`format = {}`, but this grader reads format {FORMAT}",
                manifest.format
            ));
        }
        for exercise in &manifest.exercises {
            if exercise.stages.loom.workers > 4 {
                return Err(format!(
                    "exercise {}: `stages.loom.workers = {}`, but loom runs at most 4 threads",
                    exercise.id, exercise.stages.loom.workers
                ));
            }
            exercise
                .shipped
                .check()
                .and_then(|()| exercise.policy.check())
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
mod tests {
    use super::Manifest;

    fn shipped() -> Manifest {
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
    fn a_wrong_format_version_is_refused() {
        let problem = Manifest::parse("format = 2\nexercises = []").unwrap_err();
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
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(problem.contains("titel"), "{problem}");
    }

    /// The shipped manifest's text with `from` replaced by `to` (which must occur).
    fn edited(from: &str, to: &str) -> String {
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
                "[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\"]",
                &format!(
                    "[exercises.policy]\nallow = [{allow}]\n\n[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\"]"
                ),
            )
        };
        let manifest = Manifest::parse(&table("\"std::sync::atomic::Ordering\"")).unwrap();
        assert_eq!(
            manifest.exercises[0].policy.allow,
            ["std::sync::atomic::Ordering"]
        );
        assert!(manifest.exercises[1].policy.allow.is_empty());
        let problem = Manifest::parse(&table("\"std::sync::\"")).unwrap_err();
        assert!(
            problem.contains("ex01") && problem.contains("policy.allow"),
            "{problem}"
        );
    }

    const EX02_CAUGHT_BY: &str = r#"caught_by = ["loom", "shuttle", "stress"]"#;
    const EX02_BLIND_TSAN: &str = "tsan = \"ThreadSanitizer reports data races";

    #[test]
    fn every_exercise_claims_each_stage_exactly_once() {
        use crate::stages::StageName;
        for exercise in &shipped().exercises {
            for stage in StageName::ALL {
                let caught = exercise.shipped.is_caught_by(stage);
                let blind = exercise.shipped.why_blind(stage).is_some();
                assert!(caught != blind, "{} {stage}", exercise.id);
            }
        }
    }

    #[test]
    fn an_unknown_stage_in_the_shipped_claim_is_named_with_its_field() {
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "shutle", "stress"]"#,
        );
        let problem = Manifest::parse(&text).unwrap_err();
        for part in [
            "ex02",
            "`shipped.caught_by`",
            "`shutle`",
            "loom, shuttle, stress, tsan",
        ] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
        let text = edited(
            EX02_BLIND_TSAN,
            "tsna = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err();
        for part in ["ex02", "`shipped.blind.tsna`"] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_stage_both_catching_and_blind_is_refused() {
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "shuttle", "stress", "tsan"]"#,
        );
        let problem = Manifest::parse(&text).unwrap_err();
        for part in [
            "ex02",
            "`tsan`",
            "both",
            "`shipped.caught_by`",
            "`shipped.blind`",
        ] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_stage_missing_from_the_claim_is_refused() {
        let text = edited(
            EX02_BLIND_TSAN,
            "# tsan = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err();
        for part in ["ex02", "`tsan`", "neither", "`shipped.blind.tsan`"] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_blind_stage_needs_a_one_line_reason_and_a_claim_needs_a_catcher() {
        let text = edited(
            EX02_BLIND_TSAN,
            "tsan = \"\"\ndummy = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(problem.contains("`shipped.blind.dummy`"), "{problem}");
        let text = edited(
            EX02_BLIND_TSAN,
            "tsan = \" \"\n# \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(
            problem.contains("ex02") && problem.contains("one non-empty line"),
            "{problem}"
        );
        let text = edited(EX02_CAUGHT_BY, "caught_by = []");
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(
            problem.contains("`shipped.caught_by` is empty"),
            "{problem}"
        );
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "loom", "shuttle", "stress"]"#,
        );
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(problem.contains("twice"), "{problem}");
    }

    #[test]
    fn a_missing_claim_names_the_file_and_the_field() {
        let text = edited(
            "[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"tsan\"]",
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
    fn loom_bounds_above_its_thread_limit_are_refused() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml"))
            .unwrap()
            .replacen("workers = 2", "workers = 5", 1);
        let problem = Manifest::parse(&text).unwrap_err();
        assert!(problem.contains("at most 4"), "{problem}");
    }
}
