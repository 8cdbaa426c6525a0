//! The report: what a grade found, as TOML.
//!
//! `schema = 2` (`docs/report-schema.md`). One `[[stages]]` table per stage, always all
//! five, in the order they run; a stage that did not run is `skipped` with its reason
//! in `summary`. A failing execution is stored as its typed steps, never as a drawn
//! table, so the report is the same whatever terminal ran the grade; the tables are
//! drawn where they are shown (`crate::render`). The file is written whole or not at
//! all (a temporary file, then a rename).
//!
//! Schema 1 reports (which stored a drawn `trace` instead of the steps) are still
//! read: the table they drew is lost, everything else is as it was.

use crate::stage_id::StageId;
use crate::verdict::Verdict;
use racelab_harness::SpecScenario;
use racelab_harness::trace::Step;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// The report format written by this grader.
pub const SCHEMA: u32 = 2;

/// A whole grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Report format version, [`SCHEMA`].
    pub schema: u32,
    /// Version of the grader that wrote it.
    pub grader_version: String,
    /// SHA-256 of the exercise manifest the grade was judged against, `sha256:<hex>`
    /// (the grader's own, never the subject's); empty in older reports.
    #[serde(default)]
    pub manifest_hash: String,
    /// SHA-256 of the exercise's scenario file the grade ran; empty in older reports.
    #[serde(default)]
    pub scenario_hash: String,
    /// Exercise id, e.g. `ex01`.
    pub exercise: String,
    /// The subject's folder, as graded.
    pub subject: String,
    /// SHA-256 over the subject's `src/` (relative paths and contents): the same
    /// sources hash alike wherever they are; empty when there was nothing to read.
    #[serde(default)]
    pub subject_hash: String,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Stages that had to run (`--require`): one of them `skipped` fails the grade.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<StageId>,
    /// Wall-clock time of the whole grade.
    pub duration_ms: u64,
    /// One entry per stage, in the order they ran.
    pub stages: Vec<StageReport>,
}

/// What one stage found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// `loom`, `shuttle`, `stress` or `tsan`.
    pub name: StageId,
    /// What happened.
    pub status: Status,
    /// Time spent, build included.
    pub duration_ms: u64,
    /// One line for humans.
    pub summary: String,
    /// The evidence behind the status.
    pub evidence: Evidence,
}

/// A stage's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Ran and found nothing.
    Pass,
    /// Ran and found a bug.
    Fail,
    /// Did not run; `summary` says why.
    Skipped,
    /// Could not run: the subject does not build, or the grader failed.
    Error,
    /// Ran past its time limit (possible deadlock or livelock).
    Timeout,
}

impl Status {
    /// Lowercase name, as in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
            Status::Error => "error",
            Status::Timeout => "timeout",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of failure a stage found, decided by the stage where it judges the
/// failure, so that a reader (a hint's `when.kind`, in the manifest) never has to
/// guess it from the summary's words. Set on every `fail` and `timeout` a stage
/// returns, and on the `error`s where a stage finds the subject at fault (a memory
/// limit, a refusal); never on the grader's own errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The subject's own code does not compile.
    CompileError,
    /// The subject compiles, but changed the exercise's API: the scenario does not
    /// compile against it (a hint about reading rustc's errors would mislead).
    ApiChanged,
    /// Threads blocked for ever on one another (an explorer's deadlock, or
    /// ThreadSanitizer's lock-order inversion).
    Deadlock,
    /// An execution that never ends while every thread still runs: shuttle's step
    /// bound, loom's branch limit (a spin loop, a retry that only another thread can
    /// end).
    Livelock,
    /// spec: results no sequential order explains.
    NotLinearizable,
    /// Two unsynchronised accesses to the same memory.
    DataRace,
    /// The scenario's invariant broke (a wrong total, a lost payout), a thread
    /// panicked, or ThreadSanitizer reported something other than a race or a lock
    /// order (rare: the policy forbids `unsafe`).
    WrongResult,
    /// The stage ran out of time: a run past its limit, a round that hung on real
    /// threads, or a grade past its `--budget`.
    Timeout,
    /// The runner was killed by a signal and left no findings (a stack overflow, an
    /// abort).
    Crash,
    /// A stage that found nothing, failed because the subject ran other atomic
    /// operations under the explorers than on real threads (`crate::divergence`).
    Divergence,
    /// The subject allocated past the runner's memory limit.
    MemoryLimit,
    /// The grader refused to judge: code it cannot judge (the source policy, a
    /// runner that silences ThreadSanitizer) or findings the harness did not write.
    Refused,
}

impl FailureKind {
    /// The kind in a few words, as the class page counts them.
    pub fn words(self) -> &'static str {
        match self {
            FailureKind::CompileError => "does not compile",
            FailureKind::ApiChanged => "changed the exercise's API",
            FailureKind::Deadlock => "deadlock",
            FailureKind::Livelock => "livelock",
            FailureKind::NotLinearizable => "results no sequential order explains",
            FailureKind::DataRace => "data race",
            FailureKind::WrongResult => "invariant broken",
            FailureKind::Timeout => "timed out (a deadlock or livelock)",
            FailureKind::Crash => "crashed",
            FailureKind::Divergence => "behaves differently under the detectors",
            FailureKind::MemoryLimit => "past the memory limit",
            FailureKind::Refused => "refused",
        }
    }
}

/// Stage evidence. Each stage fills the fields that apply to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What kind of failure the stage found; absent when it found none, and in
    /// reports written before the kind was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FailureKind>,
    /// The toolchain or backend that ran the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The scenario's size and the exploration's bounds, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<String>,
    /// Schedules (loom) or iterations (shuttle) explored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executions: Option<u64>,
    /// shuttle's PCT seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// shuttle's failing schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// A command that reproduces the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
    /// The failure's message (an assertion, loom's diagnostic, a panic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Where the failure was raised, `file:line:column`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// spec: the shrunk scenario, every call with what became of it, and why no
    /// sequential order explains the results when that is the failure; drawn by
    /// `crate::render::spec` at the reader's width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<SpecScenario>,
    /// spec, in reports written before `scenario`: the same drawn as text 76
    /// columns wide. Read so that old reports still show it; never written now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<String>,
    /// The failing execution's steps (loom, shuttle, spec), in the order they ran,
    /// with places relative to the subject's folder (`src/lib.rs`) or else to the
    /// workspace; drawn by `crate::render`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// loom, after a data race: the first execution with the race checks off that
    /// breaks the invariant, which shows what the race does to the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<ValueTrace>,
    /// ThreadSanitizer: what it reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsan: Option<TsanEvidence>,
    /// Stress: the measured anomalies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anomalies: Option<Anomalies>,
    /// What the subject did that stopped the stage: it exceeded a limit, or tries to
    /// silence a detector. Such an `error` is the subject's failure, not the grader's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// The first compiler errors, when the subject does not build.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub compile_errors: Vec<String>,
    /// The end of the runner's output, when it ended in an unexpected way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tail: Option<String>,
    /// Why this kind of detector can or cannot see the bug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the stage's runs did at the subject's lines: a pass earns partial credit
    /// only when two threads operated on its shared state there, one writing
    /// ([`crate::exercised`]). Absent when no run reported it, and in older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercised: Option<crate::exercised::Exercised>,
    /// Every distinct atomic operation the stage's runs executed, for the
    /// cross-check of [`crate::divergence`] (not written).
    #[serde(skip)]
    pub executed: Vec<racelab_harness::ExecutedAtomic>,
    /// The places that ran differently here than under the other kind of detector.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub divergences: Vec<crate::divergence::Divergence>,
}

/// What ThreadSanitizer reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TsanEvidence {
    /// How many reports.
    pub reports: u64,
    /// Their kinds (`data race`, `heap-use-after-free`, …), each once.
    pub kinds: Vec<String>,
    /// The conflicting operations of the first reports.
    pub conflicts: Vec<Conflict>,
}

/// One of the operations a TSan report says conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Which report (1 for the first).
    pub report: u64,
    /// The report's kind.
    pub kind: String,
    /// `write of 8 bytes`, `read of 8 bytes`, `lock`, …
    pub operation: String,
    /// The thread that made it: `T2`, `main thread`.
    pub thread: String,
    /// The innermost `file:line` in the subject's or scenario's code.
    pub location: Option<String>,
}

/// An execution that shows what a data race does to the values (see
/// [`Evidence::values`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueTrace {
    /// The preemptions loom needed to find it.
    pub preemptions: u64,
    /// Its failure (the broken invariant).
    pub failure: String,
    /// Its steps, as [`Evidence::steps`].
    pub steps: Vec<Step>,
}

/// Figures of a stress run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomalies {
    /// The invariant checked after every round.
    pub invariant: String,
    /// Unit of the figures.
    pub unit: String,
    /// Rounds completed.
    pub rounds: u64,
    /// Rounds in which the invariant broke.
    pub broken_rounds: u64,
    /// The expected figure of one round.
    pub expected_per_round: i64,
    /// The worst round's figure.
    pub worst_observed: i64,
    /// The sum of every round's shortfall (`expected - observed`).
    pub total_shortfall: i64,
    /// Every round's shortfall, in order (0 where the invariant held).
    #[serde(default)]
    pub per_round: Vec<i64>,
}

impl Report {
    /// The report of stage `id`, if the report has it.
    pub fn stage(&self, id: StageId) -> Option<&StageReport> {
        self.stages.iter().find(|s| s.name == id)
    }

    /// The stages named in `required` that did not run.
    pub fn required_but_skipped(&self) -> Vec<&'static str> {
        self.stages
            .iter()
            .filter(|s| s.status == Status::Skipped && self.required.contains(&s.name))
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Writes the report to `path` atomically: whole, or not at all.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        write_atomically(path, &text)
    }

    /// Reads a report written by [`Report::write`].
    pub fn read(path: &Path) -> Result<Report, ReadError> {
        let text = std::fs::read_to_string(path)?;
        Ok(toml::from_str(&text)?)
    }
}

impl Verdict {
    /// Combines the stages' statuses. A stage `error` caused by the subject (compile
    /// errors, a changed API, an exceeded limit, tampering) counts as a failure of the
    /// subject; any other `error` is the grader's.
    pub fn of(stages: &[StageReport]) -> Verdict {
        let subject_failed = stages.iter().any(|s| match s.status {
            Status::Fail | Status::Timeout => true,
            Status::Error => !s.evidence.compile_errors.is_empty() || s.evidence.fault.is_some(),
            Status::Pass | Status::Skipped => false,
        });
        if subject_failed {
            Verdict::Fail
        } else if stages.iter().any(|s| s.status == Status::Error) {
            Verdict::Error
        } else if stages.is_empty() || stages.iter().any(|s| s.status == Status::Skipped) {
            Verdict::Incomplete
        } else {
            Verdict::Pass
        }
    }

    /// Like [`Verdict::of`], where the stages named in `required` must run: a grade
    /// that is only `incomplete` because one of them was skipped is a `fail`, so an
    /// incomplete grade cannot look green in CI.
    pub fn of_required(stages: &[StageReport], required: &[StageId]) -> Verdict {
        let verdict = Verdict::of(stages);
        let missing = stages
            .iter()
            .any(|s| s.status == Status::Skipped && required.contains(&s.name));
        if missing && verdict == Verdict::Incomplete {
            Verdict::Fail
        } else {
            verdict
        }
    }
}

/// Why a report could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error("cannot read the report: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a report of this grader's format.
    #[error("not a report of this format: {0}")]
    Format(#[from] toml::de::Error),
}

/// Writes `text` to `path` whole or not at all: a temporary file beside it (a fresh
/// name, so parallel writers never share one), then a rename. Creates the parent
/// folder.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent,
        None => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    let mut partial = tempfile::Builder::new()
        .prefix(".racelab-")
        .suffix(".partial")
        .tempfile_in(parent)?;
    std::io::Write::write_all(&mut partial, text.as_bytes())?;
    partial.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::{Anomalies, Evidence, FailureKind, Report, SCHEMA, StageReport, Status};
    use crate::stage_id::StageId;
    use crate::verdict::Verdict;

    fn sample() -> Report {
        Report {
            schema: SCHEMA,
            grader_version: "0.1.0".into(),
            manifest_hash: "sha256:00".into(),
            scenario_hash: "sha256:01".into(),
            exercise: "ex01".into(),
            subject: "exercises/ex01-lost-update".into(),
            subject_hash: "sha256:02".into(),
            verdict: Verdict::Fail,
            required: vec![StageId::Stress],
            duration_ms: 1234,
            stages: vec![
                StageReport {
                    name: StageId::Stress,
                    status: Status::Fail,
                    duration_ms: 900,
                    summary: "expected 8000000 paise, got 7412290 (lost 587710) in 37 of 50 rounds"
                        .into(),
                    evidence: Evidence {
                        kind: Some(FailureKind::WrongResult),
                        anomalies: Some(Anomalies {
                            invariant: "total = sum".into(),
                            unit: "paise".into(),
                            rounds: 50,
                            broken_rounds: 37,
                            expected_per_round: 8_000_000,
                            worst_observed: 7_412_290,
                            total_shortfall: 9_000_000,
                            per_round: vec![587_710, 0],
                        }),
                        ..Evidence::default()
                    },
                },
                StageReport {
                    name: StageId::Tsan,
                    status: Status::Skipped,
                    duration_ms: 0,
                    summary: "not selected".into(),
                    evidence: Evidence::default(),
                },
            ],
        }
    }

    #[test]
    fn a_report_round_trips_through_toml_with_the_documented_keys() {
        let report = sample();
        let text = toml::to_string(&report).unwrap();
        for key in [
            "schema = 2",
            "verdict = \"fail\"",
            "[[stages]]",
            "status = \"skipped\"",
            "broken_rounds = 37",
            "manifest_hash = \"sha256:00\"",
            "subject_hash = \"sha256:02\"",
            "required = [\"stress\"]",
            "kind = \"wrong-result\"",
        ] {
            assert!(text.contains(key), "{key} missing in\n{text}");
        }
        assert_eq!(toml::from_str::<Report>(&text).unwrap(), report);
    }

    /// The kinds are spelled as the manifest's `when.kind` spells them, and a stage
    /// that found no failure writes none.
    #[test]
    fn failure_kinds_are_written_in_kebab_case_and_only_when_there_is_one() {
        let spellings = [
            (FailureKind::CompileError, "compile-error"),
            (FailureKind::ApiChanged, "api-changed"),
            (FailureKind::Deadlock, "deadlock"),
            (FailureKind::Livelock, "livelock"),
            (FailureKind::NotLinearizable, "not-linearizable"),
            (FailureKind::DataRace, "data-race"),
            (FailureKind::WrongResult, "wrong-result"),
            (FailureKind::Timeout, "timeout"),
            (FailureKind::Crash, "crash"),
            (FailureKind::Divergence, "divergence"),
            (FailureKind::MemoryLimit, "memory-limit"),
            (FailureKind::Refused, "refused"),
        ];
        for (kind, spelled) in spellings {
            let evidence = Evidence {
                kind: Some(kind),
                ..Evidence::default()
            };
            let text = toml::to_string(&evidence).unwrap();
            assert_eq!(text, format!("kind = \"{spelled}\"\n"));
            assert_eq!(toml::from_str::<Evidence>(&text).unwrap(), evidence);
        }
        let skipped = &sample().stages[1];
        let text = toml::to_string(skipped).unwrap();
        assert!(!text.contains("kind"), "{text}");
    }

    /// A report written before stages recorded their kind of failure reads with none.
    #[test]
    fn a_report_from_before_the_kind_reads_without_one() {
        let text = toml::to_string(&sample())
            .unwrap()
            .replace("kind = \"wrong-result\"\n", "");
        assert!(!text.contains("kind"), "{text}");
        let read = toml::from_str::<Report>(&text).unwrap();
        assert_eq!(read.stages[0].evidence.kind, None);
        assert_eq!(
            read.stages[0].evidence.anomalies,
            sample().stages[0].evidence.anomalies
        );
    }

    #[test]
    fn a_report_from_before_the_integrity_fields_still_reads() {
        let mut report = sample();
        report.manifest_hash.clear();
        report.scenario_hash.clear();
        report.subject_hash.clear();
        report.required.clear();
        let text = toml::to_string(&report)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("_hash"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(toml::from_str::<Report>(&text).unwrap(), report);
    }

    /// A schema-1 report stored the table drawn at the grading terminal's width; it
    /// reads still, without it (`list`, `solution` and `merge` read old reports).
    #[test]
    fn a_schema_1_report_with_a_drawn_trace_still_reads() {
        let report = sample();
        let text = toml::to_string(&report)
            .unwrap()
            .replace("schema = 2", "schema = 1")
            .replace(
                "[stages.evidence]\n",
                "[stages.evidence]\ntrace = \"line  T1\\n:43  cell#1.load() → 0\"\n",
            );
        assert!(text.contains("trace = "), "{text}");
        let read = toml::from_str::<Report>(&text).unwrap();
        assert_eq!(read.schema, 1);
        assert_eq!(read.stages, report.stages);
    }

    /// A report from before spec's scenario was data holds it drawn as `results`
    /// text: it still reads, and shows that text (`render::trace`).
    #[test]
    fn a_report_with_spec_results_drawn_as_text_still_reads() {
        let text = toml::to_string(&sample()).unwrap().replacen(
            "[stages.evidence]\n",
            "[stages.evidence]\nresults = \"start: 0\\n| T1 | T2 |\"\n",
            1,
        );
        let read = toml::from_str::<Report>(&text).unwrap();
        // The text went to the first stage whose evidence is a `[stages.evidence]`
        // table of its own.
        let evidence = &read
            .stages
            .iter()
            .find(|stage| stage.evidence.results.is_some())
            .expect("a stage holds the text")
            .evidence;
        assert_eq!(evidence.results.as_deref(), Some("start: 0\n| T1 | T2 |"));
        assert_eq!(evidence.scenario, None);
        assert_eq!(
            crate::render::trace(evidence, 60).as_deref(),
            Some("start: 0\n| T1 | T2 |")
        );
    }

    #[test]
    fn a_skipped_required_stage_is_named() {
        let report = sample();
        assert_eq!(report.required_but_skipped(), Vec::<&str>::new());
        let mut report = report;
        report.required = vec![StageId::Tsan, StageId::Stress];
        assert_eq!(report.required_but_skipped(), ["tsan"]);
    }

    #[test]
    fn writing_replaces_the_file_whole_and_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports").join("ex01.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "old, torn content").unwrap();
        sample().write(&path).unwrap();
        assert_eq!(Report::read(&path).unwrap(), sample());
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["ex01.toml"]);
    }

    #[test]
    fn an_unwritable_location_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        assert!(sample().write(&blocker.join("report.toml")).is_err());
    }

    mod properties {
        use super::super::{
            Anomalies, Evidence, FailureKind, Report, SCHEMA, StageReport, Status, ValueTrace,
        };
        use crate::stage_id::StageId;
        use crate::verdict::Verdict;
        use proptest::option::of;
        use proptest::prelude::*;
        use racelab_harness::spec::Lane;
        use racelab_harness::trace::{Event, Object, ObjectKind, Place, Step, Thread, Value};
        use racelab_harness::{
            CallOutcome, Instead, SpecCall, SpecDifference, SpecExplanation, SpecOrder,
            SpecScenario,
        };

        /// The counts a report holds, up to `u64::MAX` (`--seed` takes any).
        fn count() -> impl Strategy<Value = u64> {
            prop_oneof![any::<u64>(), Just(u64::MAX)]
        }

        fn kind() -> impl Strategy<Value = FailureKind> {
            prop::sample::select(vec![
                FailureKind::CompileError,
                FailureKind::ApiChanged,
                FailureKind::Deadlock,
                FailureKind::Livelock,
                FailureKind::NotLinearizable,
                FailureKind::DataRace,
                FailureKind::WrongResult,
                FailureKind::Timeout,
                FailureKind::Crash,
                FailureKind::Divergence,
                FailureKind::MemoryLimit,
                FailureKind::Refused,
            ])
        }

        fn evidence() -> impl Strategy<Value = Evidence> {
            (
                (
                    of(any::<String>()),
                    of(any::<String>()),
                    of(count()),
                    of(count()),
                ),
                (
                    of("[0-9a-f]{2,64}"),
                    of(any::<String>()),
                    of(any::<String>()),
                ),
                (
                    of(any::<String>()),
                    of(any::<String>()),
                    of(any::<String>()),
                ),
                (
                    prop::collection::vec(any::<String>(), 0..3),
                    of(any::<String>()),
                    of(kind()),
                ),
                of((
                    any::<String>(),
                    any::<i64>(),
                    prop::collection::vec(any::<i64>(), 0..5),
                )),
            )
                .prop_map(
                    |(
                        (backend, bounds, executions, seed),
                        (schedule, replay, failure),
                        (results, values, note),
                        (compile_errors, fault, kind),
                        anomalies,
                    )| Evidence {
                        kind,
                        backend,
                        bounds,
                        executions,
                        seed,
                        schedule,
                        replay,
                        failure,
                        scenario: results.map(|start| SpecScenario {
                            start,
                            threads: 2,
                            calls: vec![SpecCall {
                                lane: Lane::Thread(1),
                                op: "transfer(0, 1, 100)".into(),
                                outcome: CallOutcome::Returned("true".into()),
                            }],
                            explanation: Some(SpecExplanation {
                                impossible: vec![0],
                                orders: 1,
                                complete: true,
                                shown: vec![SpecOrder {
                                    sequence: vec![0],
                                    differences: vec![SpecDifference {
                                        call: 0,
                                        instead: Instead::Waits,
                                    }],
                                }],
                            }),
                        }),
                        values: values.map(|failure| ValueTrace {
                            preemptions: 1,
                            failure,
                            steps: vec![Step {
                                thread: Thread::Spawned(1),
                                event: Event::Load {
                                    object: Object {
                                        kind: ObjectKind::Memory,
                                        number: 1,
                                        name: Some("total".into()),
                                    },
                                    ordering: None,
                                    value: Value::Integer(-3),
                                },
                                place: Some(Place {
                                    file: "src/lib.rs".into(),
                                    line: 43,
                                    column: 9,
                                }),
                                callers: Vec::new(),
                            }],
                        }),
                        note,
                        compile_errors,
                        fault,
                        anomalies: anomalies.map(|(invariant, expected, per_round)| Anomalies {
                            invariant,
                            unit: "paise".into(),
                            rounds: per_round.len() as u64,
                            broken_rounds: per_round.iter().filter(|s| **s != 0).count() as u64,
                            expected_per_round: expected,
                            worst_observed: expected,
                            total_shortfall: 0,
                            per_round,
                        }),
                        ..Evidence::default()
                    },
                )
        }

        fn stage() -> impl Strategy<Value = StageReport> {
            let status = prop_oneof![
                Just(Status::Pass),
                Just(Status::Fail),
                Just(Status::Skipped),
                Just(Status::Error),
                Just(Status::Timeout),
            ];
            (
                prop::sample::select(StageId::ALL.to_vec()),
                status,
                count(),
                any::<String>(),
                evidence(),
            )
                .prop_map(|(name, status, duration_ms, summary, evidence)| {
                    StageReport {
                        name,
                        status,
                        duration_ms,
                        summary,
                        evidence,
                    }
                })
        }

        fn report() -> impl Strategy<Value = Report> {
            let verdict = prop_oneof![
                Just(Verdict::Pass),
                Just(Verdict::Fail),
                Just(Verdict::Incomplete),
                Just(Verdict::Error),
            ];
            (
                (any::<String>(), any::<String>(), any::<String>()),
                verdict,
                prop::collection::vec(prop::sample::select(StageId::ALL.to_vec()), 0..3),
                count(),
                prop::collection::vec(stage(), 0..6),
            )
                .prop_map(
                    |(
                        (exercise, subject, subject_hash),
                        verdict,
                        required,
                        duration_ms,
                        stages,
                    )| {
                        Report {
                            schema: SCHEMA,
                            grader_version: "0.1.0".into(),
                            manifest_hash: "sha256:00".into(),
                            scenario_hash: String::new(),
                            exercise,
                            subject,
                            subject_hash,
                            verdict,
                            required,
                            duration_ms,
                            stages,
                        }
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

            /// Whatever a report holds (any text in any field: quotes, newlines,
            /// control characters, the longest schedules), it reads back as written.
            #[test]
            fn reports_round_trip(report in report()) {
                // Removed when dropped: the suite leaves nothing behind in /tmp.
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("report.toml");
                report.write(&path).unwrap();
                prop_assert_eq!(Report::read(&path).unwrap(), report);
            }
        }
    }
}
