//! An exercise's hints (`[[exercises.hints]]`): each one's words, the evidence it
//! answers, and the fix it suggests.
//!
//! A hint is keyed by evidence, so that a student whose last grade failed only in
//! `spec` is not sent to "the table under loom's line": `when` names the stages that
//! failed, those that passed, and the kind of failure, and `cargo xtask hint` picks
//! the hints whose `when` the last report bears out. A hint that suggests a fix
//! declares it: `fix` lists crates implementing exactly the suggestion, each of which
//! must pass every stage (a hint must never recommend what a stage rejects;
//! `tests/matrix.rs` grades those that are reference solutions, `tests/hint_fixes.rs`
//! the others); a hint that suggests none says `fix = "none"`.

use crate::report::FailureKind;
use crate::stage_id::StageId;
use serde::Deserialize;
use std::path::Path;

/// One hint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    /// What the student reads.
    pub text: String,
    /// The evidence it answers; always, when left out.
    #[serde(default)]
    pub when: When,
    /// The fix it suggests, if any.
    pub fix: Fix,
}

/// The evidence a hint answers: every condition given must hold in the last report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Stages that failed (or timed out), every one of them.
    #[serde(default)]
    pub failed: Vec<StageId>,
    /// Stages that passed, every one of them.
    #[serde(default)]
    pub passed: Vec<StageId>,
    /// The kind of failure some failing stage reported (its report's
    /// `evidence.kind`, spelled as there: `deadlock`, `not-linearizable`, …).
    #[serde(default)]
    pub kind: Option<FailureKind>,
}

/// The fix a hint suggests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "FixSpelling")]
pub enum Fix {
    /// It suggests no fix: it explains, or asks a question.
    None,
    /// Crates (paths from the workspace root) each implementing exactly the
    /// suggestion, or one of its alternatives.
    Crates(Vec<String>),
}

/// How `fix` is written: `"none"`, or a list of crate paths.
#[derive(Deserialize)]
#[serde(untagged)]
enum FixSpelling {
    Word(String),
    Paths(Vec<String>),
}

impl TryFrom<FixSpelling> for Fix {
    type Error = String;

    fn try_from(spelling: FixSpelling) -> Result<Fix, String> {
        match spelling {
            FixSpelling::Word(word) if word == "none" => Ok(Fix::None),
            FixSpelling::Paths(paths) if !paths.is_empty() => Ok(Fix::Crates(paths)),
            _ => Err(
                "`fix` is \"none\" (the hint suggests no fix) or a list of crates implementing the suggestion"
                    .into(),
            ),
        }
    }
}

impl Hint {
    /// The crates of the fix it suggests (none for a hint that suggests none).
    pub fn fix_crates(&self) -> &[String] {
        match &self.fix {
            Fix::None => &[],
            Fix::Crates(paths) => paths,
        }
    }
}

/// Checks that every fix the hints declare is a crate in the workspace at `root`
/// (`cargo xtask dev check` runs it; loading the manifest does not, as a student's
/// copy of the lab need not hold the test fixtures).
pub fn check_fixes(hints: &[Hint], root: &Path) -> Result<(), String> {
    for (n, hint) in hints.iter().enumerate() {
        for path in hint.fix_crates() {
            if !root.join(path).join("src/lib.rs").is_file() {
                return Err(format!(
                    "hint {}: `fix` names {path}, which is not a crate (no src/lib.rs there)",
                    n + 1
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Fix, Hint, When, check_fixes};
    use crate::report::FailureKind;
    use crate::stage_id::StageId;

    #[derive(serde::Deserialize)]
    struct Hints {
        hints: Vec<Hint>,
    }

    fn parse(text: &str) -> Result<Vec<Hint>, String> {
        toml::from_str::<Hints>(text)
            .map(|h| h.hints)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_hint_names_its_evidence_and_its_fix_or_says_it_has_none() {
        let hints = parse(
            r#"
            [[hints]]
            text = "Read the table under loom's line."
            when = { failed = ["loom"], kind = "deadlock" }
            fix = "none"

            [[hints]]
            text = "Take the locks in one order."
            fix = ["solutions/ex04-transfer-deadlock/lock-order"]
            "#,
        )
        .unwrap();
        assert_eq!(
            hints[0].when,
            When {
                failed: vec![StageId::Loom],
                passed: Vec::new(),
                kind: Some(FailureKind::Deadlock),
            }
        );
        assert_eq!(hints[0].fix, Fix::None);
        assert_eq!(hints[1].when, When::default());
        assert_eq!(
            hints[1].fix_crates(),
            ["solutions/ex04-transfer-deadlock/lock-order"]
        );
    }

    #[test]
    fn a_hint_must_say_whether_it_suggests_a_fix() {
        let missing = parse("[[hints]]\ntext = \"Lock it.\"\n").unwrap_err();
        assert!(missing.contains("fix"), "{missing}");
        let vague = parse("[[hints]]\ntext = \"Lock it.\"\nfix = \"maybe\"\n").unwrap_err();
        assert!(vague.contains("\"none\""), "{vague}");
        let empty = parse("[[hints]]\ntext = \"Lock it.\"\nfix = []\n").unwrap_err();
        assert!(empty.contains("\"none\""), "{empty}");
    }

    #[test]
    fn a_fix_that_is_not_a_crate_is_refused() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let hints = parse(
            "[[hints]]\ntext = \"a\"\nfix = [\"solutions/ex04-transfer-deadlock/lock-order\"]\n\
             [[hints]]\ntext = \"b\"\nfix = [\"tests/fixtures/hint-fixes/ex04/nowhere\"]\n",
        )
        .unwrap();
        assert_eq!(check_fixes(&hints[..1], &root), Ok(()));
        let refused = check_fixes(&hints, &root).unwrap_err();
        assert_eq!(
            refused,
            "hint 2: `fix` names tests/fixtures/hint-fixes/ex04/nowhere, which is not a crate (no src/lib.rs there)"
        );
    }
}
