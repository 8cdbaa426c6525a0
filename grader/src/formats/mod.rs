//! What CI systems and course platforms read, made from a grade's reports: JUnit XML
//! ([`junit`]), Gradescope's `results.json` ([`gradescope`]), a gradebook CSV
//! ([`gradebook`]) and GitHub Actions annotations ([`annotations`]).
//!
//! The TOML report stays canonical: every format here is derived from the same
//! [`Report`]s, never from a second run, so they cannot disagree with it.

pub mod annotations;
pub mod gradebook;
pub mod gradescope;
pub mod junit;

use crate::render::{self, FORMAT_WIDTH};
use crate::report::{Report, StageReport, Status};

/// One graded subject, as the formats see it.
#[derive(Debug, Clone, Copy)]
pub struct Graded<'a> {
    /// The subject's name in the batch (its submission folder, or `workspace`).
    pub name: &'a str,
    /// Its report.
    pub report: &'a Report,
}

/// How a stage's status reads in CI, where a skipped required stage must not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Ran and found nothing.
    Passed,
    /// Found a bug, timed out, or the subject is at fault (does not build, refused,
    /// nothing to grade), or a required stage did not run.
    Failed,
    /// The grader could not judge the stage.
    Errored,
    /// Did not run, and was not required; or the grade had no fix to judge
    /// (`missing`, `unchanged`).
    Skipped,
}

impl Outcome {
    /// The outcome of `stage` in `report`.
    pub fn of(report: &Report, stage: &StageReport) -> Outcome {
        if !report.verdict.judged() {
            // `missing` or `unchanged`: there was no fix to judge, so no stage ran,
            // required or not.
            return Outcome::Skipped;
        }
        match stage.status {
            Status::Pass => Outcome::Passed,
            Status::Fail | Status::Timeout => Outcome::Failed,
            Status::Error if subject_at_fault(stage) => Outcome::Failed,
            Status::Error => Outcome::Errored,
            Status::Skipped if report.required.contains(&stage.name) => Outcome::Failed,
            Status::Skipped => Outcome::Skipped,
        }
    }

    /// A short word for why it failed: `fail`, `timeout`, `compile-error`, `fault`,
    /// `required-stage-skipped` or `error`.
    pub fn kind(stage: &StageReport) -> &'static str {
        match stage.status {
            Status::Fail | Status::Error if !stage.evidence.compile_errors.is_empty() => {
                "compile-error"
            }
            Status::Fail => "fail",
            Status::Timeout => "timeout",
            Status::Error if stage.evidence.fault.is_some() => "fault",
            Status::Error => "error",
            Status::Skipped => "required-stage-skipped",
            Status::Pass => "pass",
        }
    }
}

/// Whether a stage's `error` is the subject's doing (as [`crate::verdict::Verdict::of`]
/// counts it): it does not build, or it was stopped or refused.
fn subject_at_fault(stage: &StageReport) -> bool {
    !stage.evidence.compile_errors.is_empty() || stage.evidence.fault.is_some()
}

/// A stage's status, summary and evidence as plain text, one item a line (multi-line
/// items indented below their name): the same fields as the report, in its words,
/// with the failing execution drawn as a table at [`FORMAT_WIDTH`] (under `trace`)
/// rather than its steps listed.
pub fn stage_text(stage: &StageReport) -> String {
    let mut text = format!("{}: {}\n{}\n", stage.name, stage.status, stage.summary);
    let mut evidence = toml::Value::try_from(&stage.evidence)
        .ok()
        .and_then(|v| v.as_table().cloned())
        .unwrap_or_default();
    evidence.remove("steps");
    evidence.remove("values");
    // Drawn under `trace`.
    evidence.remove("scenario");
    evidence.remove("results");
    if let Some(trace) = render::trace(&stage.evidence, FORMAT_WIDTH) {
        evidence.insert("trace".into(), toml::Value::String(trace));
    }
    // The most useful first, then the rest in the report's names.
    let first = ["location", "replay", "failure", "trace"];
    let rest = evidence.keys().filter(|k| !first.contains(&k.as_str()));
    for key in first.iter().copied().chain(rest.map(String::as_str)) {
        let Some(value) = evidence.get(key) else {
            continue;
        };
        match value {
            toml::Value::String(s) if s.contains('\n') => {
                text.push_str(&format!("{key}:\n{}\n", indent(s)));
            }
            toml::Value::String(s) => text.push_str(&format!("{key}: {s}\n")),
            toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => {
                text.push_str(&format!("{key}:\n"));
                for item in items.iter().filter_map(toml::Value::as_str) {
                    text.push_str(&format!("{}\n", indent(item)));
                }
            }
            other => text.push_str(&format!("{key}: {other}\n")),
        }
    }
    text
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Outcome, stage_text};
    use crate::report::{Anomalies, Evidence, Report, SCHEMA, StageReport, Status};
    use crate::verdict::Verdict;
    use racelab_harness::trace::{Event, Object, ObjectKind, Place, Step, Thread, Value};

    pub(crate) fn stage(name: &str, status: Status, summary: &str) -> StageReport {
        StageReport {
            name: name.parse().expect("a stage name"),
            status,
            duration_ms: 1500,
            summary: summary.into(),
            evidence: Evidence::default(),
        }
    }

    /// A report of a subject that loom and stress caught, shuttle passed, tsan skipped.
    pub(crate) fn caught() -> Report {
        let mut loom = stage(
            "loom",
            Status::Fail,
            "data race: thread 2 reads at exercises/ex01-lost-update/src/lib.rs:67 while thread 1 writes at exercises/ex01-lost-update/src/lib.rs:69",
        );
        loom.evidence.replay = Some("cargo xtask replay ex01 --stage loom".into());
        loom.evidence.failure = Some("Causality violation\n  at src/lib.rs:67".into());
        let mut stress = stage("stress", Status::Fail, "lost 140 paise in 3 of 30 rounds");
        stress.evidence.anomalies = Some(Anomalies {
            invariant: "total = sum".into(),
            unit: "paise".into(),
            rounds: 30,
            broken_rounds: 3,
            expected_per_round: 900,
            worst_observed: 800,
            total_shortfall: 140,
            per_round: vec![],
        });
        let stages = vec![
            loom,
            stage("shuttle", Status::Pass, "no failure in 6000 PCT iterations"),
            stress,
            stage("tsan", Status::Skipped, "not selected with --stage"),
        ];
        Report {
            schema: SCHEMA,
            grader_version: "0.1.0".into(),
            manifest_hash: "sha256:aa".into(),
            scenario_hash: "sha256:bb".into(),
            exercise: "ex01".into(),
            subject: "/lab/exercises/ex01-lost-update".into(),
            subject_hash: "sha256:cc".into(),
            verdict: Verdict::of(&stages),
            required: vec![],
            duration_ms: 4000,
            stages,
        }
    }

    /// The report of [`caught`] with every kind of evidence filled in, and `tsan`
    /// required: what the golden files are written from.
    fn golden() -> Report {
        let mut report = caught();
        report.required = vec!["tsan".parse().unwrap()];
        let loom = &mut report.stages[0].evidence;
        loom.backend = Some("loom 0.7".into());
        loom.bounds = Some("2 workers × 2 ops, preemption bound 3".into());
        loom.executions = Some(1);
        loom.location = Some("exercises/ex01-lost-update/src/lib.rs:69:33".into());
        loom.steps = lost_update();
        let shuttle = &mut report.stages[1].evidence;
        shuttle.seed = Some(20261126);
        shuttle.executions = Some(6000);
        shuttle.note = Some("shuttle explores sequentially consistent executions only".into());
        let tsan = &mut report.stages[3];
        tsan.summary = "required, but did not run: not selected with --stage".into();
        tsan.evidence.tsan = Some(crate::report::TsanEvidence {
            reports: 1,
            kinds: vec!["data race".into()],
            conflicts: vec![crate::report::Conflict {
                report: 1,
                kind: "data race".into(),
                operation: "write of 8 bytes".into(),
                thread: "T2".into(),
                location: Some("src/lib.rs:69".into()),
            }],
        });
        tsan.evidence.compile_errors = vec!["error[E0425]: cannot find value `x`".into()];
        tsan.evidence.fault = Some("exceeded the memory limit".into());
        tsan.evidence.output_tail = Some("thread 'main' panicked\n<\u{1b}[31m>".into());
        report
    }

    /// Two workers that both read 0 from the total, then both store 100: the steps of
    /// a lost update, as a report stores them.
    pub(crate) fn lost_update() -> Vec<Step> {
        let total = Object {
            kind: ObjectKind::Memory,
            number: 1,
            name: None,
        };
        let at = |thread: u32, write: bool| Step {
            thread: Thread::Spawned(thread),
            event: if write {
                Event::Store {
                    object: total.clone(),
                    ordering: None,
                    value: Value::Integer(100),
                }
            } else {
                Event::Load {
                    object: total.clone(),
                    ordering: None,
                    value: Value::Integer(0),
                }
            },
            place: Some(Place {
                file: "src/lib.rs".into(),
                line: if write { 69 } else { 67 },
                column: 9,
            }),
            callers: Vec::new(),
        };
        vec![at(1, false), at(2, false), at(1, true), at(2, true)]
    }

    /// The report, JUnit and Gradescope files are byte for byte what they were when
    /// the golden files were written; `RACELAB_UPDATE_GOLDEN=1` writes them anew.
    #[test]
    fn the_files_ci_reads_match_the_committed_golden_files() {
        let report = golden();
        let graded = [crate::formats::Graded {
            name: "alice",
            report: &report,
        }];
        let files = [
            ("report.toml", toml::to_string(&report).unwrap()),
            ("junit.xml", crate::formats::junit::render(&graded)),
            (
                "gradescope.json",
                crate::formats::gradescope::render(
                    &graded,
                    crate::formats::gradescope::Visibility::AfterDueDate,
                    &crate::manifest::Manifest::load(std::path::Path::new(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/exercises.toml"
                    )))
                    .unwrap(),
                ),
            ),
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/formats/golden");
        for (name, text) in files {
            let path = dir.join(name);
            if std::env::var_os("RACELAB_UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let golden = std::fs::read_to_string(&path).unwrap();
            assert_eq!(text, golden, "{name} differs from its golden file");
        }
        assert_eq!(toml::from_str::<Report>(&golden_text()).unwrap(), report);
    }

    fn golden_text() -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/formats/golden/report.toml"),
        )
        .unwrap()
    }

    #[test]
    fn a_skipped_stage_fails_only_when_required_and_a_subject_fault_is_a_failure() {
        let mut report = caught();
        let tsan = report.stages[3].clone();
        assert_eq!(Outcome::of(&report, &tsan), Outcome::Skipped);
        report.required = vec![crate::StageId::Tsan];
        assert_eq!(Outcome::of(&report, &tsan), Outcome::Failed);
        assert_eq!(Outcome::kind(&tsan), "required-stage-skipped");

        let mut broken = stage("loom", Status::Error, "does not compile");
        broken.evidence.compile_errors = vec!["error[E0308]".into()];
        assert_eq!(Outcome::of(&report, &broken), Outcome::Failed);
        assert_eq!(Outcome::kind(&broken), "compile-error");
        let grader = stage("loom", Status::Error, "cannot start cargo");
        assert_eq!(Outcome::of(&report, &grader), Outcome::Errored);
    }

    #[test]
    fn stage_text_leads_with_the_replay_and_keeps_every_evidence_field() {
        let report = caught();
        let text = stage_text(&report.stages[0]);
        assert!(text.starts_with("loom: fail\ndata race"), "{text}");
        let replay = text.find("replay: cargo xtask replay ex01").unwrap();
        let failure = text.find("failure:\n  Causality violation").unwrap();
        assert!(replay < failure, "{text}");
        let text = stage_text(&report.stages[2]);
        assert!(text.contains("broken_rounds = 3"), "{text}");
    }

    /// spec's scenario is data in the report: the formats draw it under `trace`, at
    /// their width, rather than list its fields.
    #[test]
    fn stage_text_draws_spec_s_scenario_under_the_trace() {
        use racelab_harness::spec::Lane;
        use racelab_harness::{CallOutcome, SpecCall, SpecScenario};
        let mut spec = stage("spec", Status::Fail, "deadlock");
        let transfer = |thread| SpecCall {
            lane: Lane::Thread(thread),
            op: "transfer(0, 1, 100)".into(),
            outcome: CallOutcome::Unfinished,
        };
        spec.evidence.scenario = Some(SpecScenario {
            start: "Ledger::new(&[100, 100, 100])".into(),
            threads: 2,
            calls: vec![transfer(0), transfer(1)],
            explanation: None,
        });
        let text = stage_text(&spec);
        assert!(
            text.contains(
                "trace:\n  start: Ledger::new(&[100, 100, 100])\n  T1: transfer(0, 1, 100): (did not return)\n"
            ),
            "{text}"
        );
        assert!(!text.contains("scenario"), "{text}");
        assert!(!text.contains("outcome"), "{text}");
    }
}
