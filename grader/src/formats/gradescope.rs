//! Gradescope's autograder results, `results.json`.
//!
//! Points come from what was learned ([`crate::score`]): per exercise, one test for
//! the verdict, worth the exercise's points (100 unless the manifest says otherwise)
//! and earned only by a `pass`, then one test per stage carrying its evidence. A
//! stage with partial credit in the manifest (`[exercises.points.partial]`) has that
//! many points of its own, earned when it passes, and the verdict's test is worth the
//! rest; a stage without any carries no points. A detector blind to the exercise's
//! bug never has partial credit, so the crate as shipped scores 0. The total is the
//! sum. The overall output is one line per exercise with its verdict and points.
//! Visibility is the instructor's choice ([`Visibility`]); the autograder's console
//! output stays hidden from students.
//!
//! Gradescope grades one submission at a time, so this is meant for one subject
//! (graded for one exercise, or for all with `--all`); with several subjects the test
//! names start with the subject's name.

use super::{Graded, Outcome, stage_text};
use crate::manifest::Manifest;
use crate::score::Score;
use serde_json::{Map, Value, json};
use std::fmt;
use std::str::FromStr;

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

/// Gradescope's `results.json` for `graded`, scored with the points `manifest`
/// gives each exercise, pretty-printed.
pub fn render(graded: &[Graded<'_>], visibility: Visibility, manifest: &Manifest) -> String {
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
        let score = Score::in_manifest(report, manifest);
        total += score.earned;
        let prefix = if several {
            format!("{} · {}", g.name, report.exercise)
        } else {
            report.exercise.clone()
        };
        overview.push(format!(
            "{prefix}: {}, {} of {} points ({} of the stages passed)",
            report.verdict,
            score.earned,
            score.max,
            report
                .stages
                .iter()
                .filter(|s| Outcome::of(report, s) == Outcome::Passed)
                .count()
        ));
        let passed = |yes: bool| if yes { "passed" } else { "failed" };
        let (earned, max) = score.for_the_verdict();
        tests.push(json!({
            "name": format!("{prefix} · verdict"),
            "number": format!("{}.0", n + 1),
            "score": earned,
            "max_score": max,
            "status": passed(report.verdict == crate::verdict::Verdict::Pass),
            "output": verdict_text(report, &score),
            "output_format": "text",
            "visibility": visibility.as_str(),
            "tags": [report.exercise.as_str()],
        }));
        for (m, stage) in report.stages.iter().enumerate() {
            let outcome = Outcome::of(report, stage);
            let mut test = Map::new();
            test.insert("name".into(), json!(format!("{prefix} · {}", stage.name)));
            test.insert("number".into(), json!(format!("{}.{}", n + 1, m + 1)));
            if let Some(points) = score.stages.iter().find(|s| s.stage == stage.name) {
                test.insert("score".into(), json!(points.earned));
                test.insert("max_score".into(), json!(points.max));
            }
            test.insert("status".into(), json!(passed(outcome == Outcome::Passed)));
            test.insert("output".into(), json!(stage_text(stage)));
            test.insert("output_format".into(), json!("text"));
            test.insert("visibility".into(), json!(visibility.as_str()));
            test.insert(
                "tags".into(),
                json!([report.exercise.as_str(), stage.name.as_str()]),
            );
            tests.push(Value::Object(test));
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

/// The verdict test's output: the verdict, the points, and how they are earned.
fn verdict_text(report: &crate::report::Report, score: &Score) -> String {
    let mut text = format!(
        "{}: {} of {} points\nA pass earns all {} points",
        report.verdict, score.earned, score.max, score.max
    );
    if score.stages.is_empty() {
        text.push_str("; any other verdict earns none.\n");
    } else {
        let partial: Vec<String> = score
            .stages
            .iter()
            .map(|s| format!("{} {}", s.stage, s.max))
            .collect();
        text.push_str(&format!(
            "; otherwise each stage that passed, having exercised the code, earns its partial credit ({}).\n",
            partial.join(", ")
        ));
    }
    for points in &score.stages {
        if let Some(shortfall) = points.shortfall {
            text.push_str(&format!(
                "{} passed but earns nothing: {shortfall}, so it had nothing to judge.\n",
                points.stage
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{Visibility, render};
    use crate::formats::Graded;
    use crate::formats::tests::caught;
    use crate::manifest::Manifest;
    use crate::report::Status;
    use crate::stage_id::StageId;
    use crate::verdict::Verdict;
    use serde_json::Value;

    fn manifest() -> Manifest {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml");
        Manifest::load(std::path::Path::new(path)).unwrap()
    }

    fn results(report: &crate::report::Report, manifest: &Manifest) -> Value {
        let graded = [Graded {
            name: "alice",
            report,
        }];
        serde_json::from_str(&render(&graded, Visibility::AfterDueDate, manifest)).unwrap()
    }

    #[test]
    fn the_verdict_earns_the_points_the_stages_carry_the_evidence_and_the_visibility() {
        let report = caught();
        let results = results(&report, &manifest());
        let tests = results["tests"].as_array().unwrap();
        let names: Vec<_> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "ex01 · verdict",
                "ex01 · loom",
                "ex01 · shuttle",
                "ex01 · stress",
                "ex01 · tsan"
            ]
        );
        // Shuttle passed, but the verdict is fail: nothing earned.
        assert_eq!(results["score"].as_f64(), Some(0.0));
        assert_eq!(tests[0]["max_score"].as_f64(), Some(100.0));
        assert_eq!(tests[0]["status"], "failed");
        assert!(
            tests[1..].iter().all(|t| t.get("max_score").is_none()),
            "without partial credit, stages carry no points"
        );
        assert_eq!(results["visibility"], "after_due_date");
        assert_eq!(tests[1]["visibility"], "after_due_date");
        assert_eq!(results["stdout_visibility"], "hidden");
        assert_eq!(tests[2]["status"], "passed");
        assert_eq!(tests[4]["status"], "failed");
        assert!(
            tests[1]["output"]
                .as_str()
                .unwrap()
                .contains("replay: cargo xtask replay ex01 --stage loom")
        );
        assert_eq!(
            results["extra_data"]["subjects"][0]["subject_hash"],
            "sha256:cc"
        );

        let mut fixed = caught();
        for stage in &mut fixed.stages {
            stage.status = Status::Pass;
        }
        fixed.verdict = Verdict::Pass;
        let results = self::results(&fixed, &manifest());
        assert_eq!(results["score"].as_f64(), Some(100.0));
        assert_eq!(results["tests"][0]["status"], "passed");
    }

    #[test]
    fn partial_credit_from_the_manifest_is_a_stage_test_of_its_own() {
        let mut manifest = manifest();
        let ex01 = manifest
            .exercises
            .iter_mut()
            .find(|e| e.id == "ex01")
            .unwrap();
        ex01.points.total = 50.0;
        ex01.points.partial = [(StageId::Shuttle, 10.0), (StageId::Loom, 5.0)].into();
        let results = results(&caught(), &manifest);
        let tests = results["tests"].as_array().unwrap();
        // loom failed, shuttle passed: 10 of 50.
        assert_eq!(results["score"].as_f64(), Some(10.0));
        assert_eq!(tests[0]["max_score"].as_f64(), Some(35.0));
        assert_eq!(tests[1]["max_score"].as_f64(), Some(5.0));
        assert_eq!(tests[1]["score"].as_f64(), Some(0.0));
        assert_eq!(tests[2]["score"].as_f64(), Some(10.0));
        let max: f64 = tests.iter().filter_map(|t| t["max_score"].as_f64()).sum();
        assert_eq!(max, 50.0);
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
        let results: Value =
            serde_json::from_str(&render(&graded, Visibility::Visible, &manifest())).unwrap();
        assert_eq!(results["tests"][6]["name"], "bob · ex01 · loom");
        assert_eq!(results["tests"].as_array().unwrap().len(), 10);
    }

    #[test]
    fn visibilities_parse_by_gradescope_names() {
        for name in ["visible", "hidden", "after_due_date", "after_published"] {
            assert_eq!(name.parse::<Visibility>().unwrap().as_str(), name);
        }
        assert!("public".parse::<Visibility>().is_err());
    }
}
