//! Gradescope's autograder results, `results.json`.
//!
//! One test per stage and exercise, each worth [`POINTS_PER_STAGE`] (so an exercise is
//! worth 100), earned only when the stage ran and passed: a stage that was skipped
//! scores 0 of its points, so an incomplete grade can never reach full marks. The
//! total is the sum. Each test's output is the stage's evidence; the overall output
//! is one line per exercise with its verdict. Visibility is the instructor's choice
//! ([`Visibility`]); the autograder's console output stays hidden from students.
//!
//! Gradescope grades one submission at a time, so this is meant for one subject
//! (graded for one exercise, or for all with `--all`); with several subjects the test
//! names start with the subject's name.

use super::{Graded, Outcome, stage_text};
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;

/// What a stage is worth: an exercise's 100 points shared by its stages.
pub const POINTS_PER_STAGE: f64 = 100.0 / crate::stage_id::StageId::ALL.len() as f64;

/// When students see the results, in Gradescope's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// At once.
    #[default]
    Visible,
    /// Never.
    Hidden,
    /// After the due date.
    AfterDueDate,
    /// After the grades are published.
    AfterPublished,
}

impl Visibility {
    /// Gradescope's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            Visibility::Visible,
            Visibility::Hidden,
            Visibility::AfterDueDate,
            Visibility::AfterPublished,
        ]
        .into_iter()
        .find(|v| v.as_str() == text.trim())
        .ok_or_else(|| {
            format!(
                "unknown visibility `{text}`: use visible, hidden, after_due_date or after_published"
            )
        })
    }
}

/// Gradescope's `results.json` for `graded`, pretty-printed.
pub fn render(graded: &[Graded<'_>], visibility: Visibility) -> String {
    let several = {
        let mut names: Vec<&str> = graded.iter().map(|g| g.name).collect();
        names.dedup();
        names.len() > 1
    };
    let mut tests = Vec::new();
    let mut total = 0.0;
    let mut overview = Vec::new();
    for (n, g) in graded.iter().enumerate() {
        let report = g.report;
        let prefix = if several {
            format!("{} · {}", g.name, report.exercise)
        } else {
            report.exercise.clone()
        };
        overview.push(format!(
            "{prefix}: {} ({} of the stages passed)",
            report.verdict,
            report
                .stages
                .iter()
                .filter(|s| Outcome::of(report, s) == Outcome::Passed)
                .count()
        ));
        for (m, stage) in report.stages.iter().enumerate() {
            let outcome = Outcome::of(report, stage);
            let score = if outcome == Outcome::Passed {
                POINTS_PER_STAGE
            } else {
                0.0
            };
            total += score;
            tests.push(json!({
                "name": format!("{prefix} · {}", stage.name),
                "number": format!("{}.{}", n + 1, m + 1),
                "score": score,
                "max_score": POINTS_PER_STAGE,
                "status": if outcome == Outcome::Passed { "passed" } else { "failed" },
                "output": stage_text(stage),
                "output_format": "text",
                "visibility": visibility.as_str(),
                "tags": [report.exercise.as_str(), stage.name.as_str()],
            }));
        }
    }
    let subjects: Vec<Value> = graded
        .iter()
        .map(|g| {
            json!({
                "name": g.name,
                "exercise": g.report.exercise,
                "verdict": g.report.verdict.as_str(),
                "subject_hash": g.report.subject_hash,
                "manifest_hash": g.report.manifest_hash,
                "scenario_hash": g.report.scenario_hash,
            })
        })
        .collect();
    let seconds: u64 = graded.iter().map(|g| g.report.duration_ms).sum::<u64>() / 1000;
    let results = json!({
        "score": total,
        "execution_time": seconds,
        "output": overview.join("\n"),
        "output_format": "text",
        "visibility": visibility.as_str(),
        "stdout_visibility": "hidden",
        "extra_data": {
            "grader_version": graded.first().map(|g| g.report.grader_version.as_str()).unwrap_or(env!("CARGO_PKG_VERSION")),
            "subjects": subjects,
        },
        "tests": tests,
    });
    let mut text = serde_json::to_string_pretty(&results)
        .unwrap_or_else(|e| unreachable!("a JSON value always serialises: {e}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::{POINTS_PER_STAGE, Visibility, render};
    use crate::formats::Graded;
    use crate::formats::tests::caught;
    use serde_json::Value;

    #[test]
    fn a_score_per_stage_the_total_and_the_visibility() {
        let report = caught();
        let text = render(
            &[Graded {
                name: "alice",
                report: &report,
            }],
            Visibility::AfterDueDate,
        );
        let results: Value = serde_json::from_str(&text).unwrap();
        let tests = results["tests"].as_array().unwrap();
        let names: Vec<_> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "ex01 · loom",
                "ex01 · shuttle",
                "ex01 · stress",
                "ex01 · tsan"
            ]
        );
        let scores: Vec<_> = tests.iter().map(|t| t["score"].as_f64().unwrap()).collect();
        // Only shuttle passed; the skipped tsan earns nothing.
        assert_eq!(scores, [0.0, POINTS_PER_STAGE, 0.0, 0.0]);
        assert_eq!(results["score"].as_f64(), Some(POINTS_PER_STAGE));
        assert!(tests.iter().all(|t| t["max_score"] == POINTS_PER_STAGE));
        assert_eq!(results["visibility"], "after_due_date");
        assert_eq!(tests[0]["visibility"], "after_due_date");
        assert_eq!(results["stdout_visibility"], "hidden");
        assert_eq!(tests[1]["status"], "passed");
        assert_eq!(tests[3]["status"], "failed");
        assert!(
            tests[0]["output"]
                .as_str()
                .unwrap()
                .contains("replay: cargo xtask replay ex01 --stage loom")
        );
        assert_eq!(
            results["extra_data"]["subjects"][0]["subject_hash"],
            "sha256:cc"
        );
    }

    #[test]
    fn with_several_subjects_test_names_say_whose() {
        let report = caught();
        let graded = [
            Graded {
                name: "alice",
                report: &report,
            },
            Graded {
                name: "bob",
                report: &report,
            },
        ];
        let results: Value = serde_json::from_str(&render(&graded, Visibility::Visible)).unwrap();
        assert_eq!(results["tests"][4]["name"], "bob · ex01 · loom");
        assert_eq!(results["tests"].as_array().unwrap().len(), 8);
    }

    #[test]
    fn visibilities_parse_by_gradescope_names() {
        for name in ["visible", "hidden", "after_due_date", "after_published"] {
            assert_eq!(name.parse::<Visibility>().unwrap().as_str(), name);
        }
        assert!("public".parse::<Visibility>().is_err());
    }
}
