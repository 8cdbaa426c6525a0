//! Judging a ThreadSanitizer run: its reports (parsed from the logs by [`super::log`]),
//! the subject's own places in them, and its exit status.

use super::EXIT_CODE;
use super::log::{self, TsanReport};
use crate::report::{Conflict, Evidence, FailureKind, Status, TsanEvidence};
use crate::stages::stress::{self, Rounds};
use crate::stages::{Judgement, RunnerRun};
use std::path::Path;

/// How many reports the evidence details.
const REPORTS_DETAILED: usize = 3;

/// Judges a TSan run from its logs and its exit status. `roots` are the subject's
/// folder, then the workspace's: the places reported are the innermost frames in the
/// subject (shown relative to it) or in the scenario (relative to the workspace).
pub fn judge(run: RunnerRun, rounds: &Rounds, toolchain: &str, roots: &[&Path]) -> Judgement {
    let size = &rounds.size;
    let bounds = format!(
        "{} × {}, {}",
        crate::stages::count(size.workers as u64, "worker"),
        crate::stages::count(size.ops as u64, "op"),
        crate::stages::count(u64::from(size.rounds), "round")
    );
    let reports: Vec<TsanReport> = run
        .sanitizer_logs
        .iter()
        .flat_map(|l| log::parse(l))
        .collect();
    let logs_seen = !run.sanitizer_logs.is_empty();
    let tsan_exit = run.finished.status.and_then(|s| s.code()) == Some(EXIT_CODE);
    let log_tail = run
        .sanitizer_logs
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| crate::process::last_lines(l, 15));
    // What TSan said when it stopped on an error of its own (`FATAL: ThreadSanitizer: …`).
    let tsan_said = run
        .sanitizer_logs
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .find(|l| l.contains("ThreadSanitizer") || l.starts_with("ERROR") || l.starts_with("FATAL"))
        .map(str::to_owned);
    let findings = run.findings_or_judgement();
    let mut evidence = Evidence {
        backend: Some(format!("ThreadSanitizer; {toolchain}")),
        bounds: Some(bounds),
        ..Evidence::default()
    };
    if !reports.is_empty() {
        let tsan = summarise(&reports, roots);
        let summary = describe(&tsan);
        evidence.kind = Some(kind_of(&tsan.kinds));
        evidence.tsan = Some(tsan);
        return Judgement {
            status: Status::Fail,
            summary,
            evidence,
        };
    }
    if tsan_exit {
        // TSan ended the process with its own exit code, yet no report was read: it
        // stopped on an error of its own, or its log went missing. Never a pass.
        return Judgement {
            status: Status::Error,
            summary: match tsan_said {
                Some(line) => format!("ThreadSanitizer stopped the runner: {line}"),
                None => format!(
                    "the runner ended with ThreadSanitizer's exit status ({EXIT_CODE}), but no ThreadSanitizer log could be read"
                ),
            },
            evidence: Evidence {
                output_tail: log_tail,
                ..evidence
            },
        };
    }
    let findings = match findings {
        Ok(findings) => findings,
        Err(mut judgement) => {
            judgement.evidence.backend = evidence.backend;
            judgement.evidence.bounds = evidence.bounds;
            return *judgement;
        }
    };
    if let Some(round) = findings.hung_round {
        return stress::hung(round, findings.deadlocked, rounds, evidence);
    }
    if let Some(failure) = findings.failure {
        let summary = format!(
            "a worker panicked: {}",
            crate::stages::first_line(&failure.message)
        );
        crate::stages::record_failure(&mut evidence, failure);
        return Judgement {
            status: Status::Fail,
            summary,
            evidence,
        };
    }
    evidence.executions = Some(findings.executions);
    evidence.tsan = Some(TsanEvidence::default());
    let note = if logs_seen {
        " (a log was written, with no report in it)"
    } else {
        ""
    };
    Judgement {
        status: Status::Pass,
        summary: format!(
            "no data race reported in {} on real threads, instrumented std{note}",
            crate::stages::count(findings.executions, "round")
        ),
        evidence,
    }
}

/// The kind of failure ThreadSanitizer's reports (their kinds, `data race`,
/// `lock-order-inversion (potential deadlock)`, …) show: a race if any report is one,
/// else a deadlock if any report is a lock-order inversion or a mutex locked twice by
/// its own thread; anything else it reports the run went wrong.
fn kind_of(kinds: &[String]) -> FailureKind {
    let any = |word: &str| kinds.iter().any(|kind| kind.contains(word));
    if any("data race") {
        FailureKind::DataRace
    } else if any("lock-order-inversion") || any("double lock") {
        FailureKind::Deadlock
    } else {
        FailureKind::WrongResult
    }
}

/// The counts, the kinds, and the conflicting operations of the first reports.
fn summarise(reports: &[TsanReport], roots: &[&Path]) -> TsanEvidence {
    let mut kinds: Vec<String> = reports.iter().map(|r| r.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let conflicts = reports
        .iter()
        .take(REPORTS_DETAILED)
        .enumerate()
        .flat_map(|(number, report)| {
            report
                .sections
                .iter()
                .filter(|s| s.is_operation())
                .map(move |section| Conflict {
                    report: number as u64 + 1,
                    kind: report.kind.clone(),
                    operation: section.operation(),
                    thread: section.thread().unwrap_or_else(|| "?".into()),
                    location: if section.stack_lost {
                        Some("(TSan could not restore this stack)".into())
                    } else {
                        subject_frame(section, roots)
                    },
                })
        })
        .collect();
    TsanEvidence {
        reports: reports.len() as u64,
        kinds,
        conflicts,
    }
}

/// The innermost frame in the subject's code (shown relative to `roots[0]`, the
/// subject's folder) or the scenario's (under `grader/scenarios/`, shown relative to
/// the workspace, `roots[1]`). Every other frame — std, the facade, the harness, the
/// runner's `main`, dependencies, the sanitizer's runtime — is skipped.
fn subject_frame(section: &log::Section, roots: &[&Path]) -> Option<String> {
    let under = |root: &Path, location: &str| {
        location
            .strip_prefix(&format!("{}/", root.display()))
            .map(str::to_owned)
    };
    section
        .frames
        .iter()
        .filter_map(|f| f.location.as_deref())
        .find_map(|location| {
            let in_subject = roots.first().and_then(|subject| under(subject, location));
            let shown = in_subject.or_else(|| {
                location.contains("/grader/scenarios/").then(|| {
                    roots
                        .iter()
                        .skip(1)
                        .find_map(|root| under(root, location))
                        .unwrap_or_else(|| location.to_owned())
                })
            })?;
            // file:line is enough; drop the column.
            Some(match shown.rsplit_once(':') {
                Some((file_line, column))
                    if file_line.contains(':') && column.parse::<u32>().is_ok() =>
                {
                    file_line.to_owned()
                }
                _ => shown,
            })
        })
}

/// "1 ThreadSanitizer report (data race): write of 8 bytes at src/lib.rs:69 by T2
/// against an earlier write of 8 bytes at src/lib.rs:69 by T5".
fn describe(tsan: &TsanEvidence) -> String {
    let plural = if tsan.reports == 1 { "" } else { "s" };
    let first: Vec<&Conflict> = tsan.conflicts.iter().filter(|c| c.report == 1).collect();
    let access = |c: &Conflict| {
        format!(
            "{} at {} by {}",
            c.operation,
            c.location.as_deref().unwrap_or("an unknown place"),
            c.thread
        )
    };
    let detail = match first.as_slice() {
        [now, before, ..] => format!(": {} against an earlier {}", access(now), access(before)),
        [only] => format!(": {}", access(only)),
        [] => String::new(),
    };
    format!(
        "{} ThreadSanitizer report{plural} ({}){detail}",
        tsan.reports,
        tsan.kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::{EXIT_CODE, describe, judge, log, subject_frame, summarise};
    use crate::manifest::RoundsSize;
    use crate::process::Finished;
    use crate::render::table::side_by_side;
    use crate::report::{FailureKind, Status};
    use crate::stages::RunnerRun;
    use crate::stages::stress::Rounds;
    use std::os::unix::process::ExitStatusExt;
    use std::path::Path;
    use std::process::ExitStatus;
    use std::time::Duration;

    fn run(code: i32, logs: &[&str]) -> RunnerRun {
        RunnerRun {
            findings: Some(racelab_harness::Findings::default()),
            first_panic: None,
            finished: Finished {
                status: Some(ExitStatus::from_raw(code << 8)),
                timed_out: false,
                stdout: String::new(),
                stderr: String::new(),
                elapsed: Duration::from_secs(1),
            },
            sanitizer_logs: logs.iter().map(|l| l.to_string()).collect(),
            time_limit: Duration::from_secs(10),
            reference: Duration::from_secs(1),
            token: String::new(),
        }
    }

    const ROUNDS: Rounds = Rounds {
        size: RoundsSize {
            workers: 4,
            ops: 200,
            rounds: 2,
            reference_ms: 1_000,
        },
        round_timeout: Duration::from_secs(5),
    };

    #[test]
    fn any_report_fails_the_stage_whatever_the_findings_say() {
        let log = include_str!("fixtures/data_race.txt");
        let roots = [Path::new("/work/main/exercises/ex01-lost-update")];
        let judgement = judge(run(EXIT_CODE, &[log]), &ROUNDS, "nightly", &roots);
        assert_eq!(judgement.status, Status::Fail, "{}", judgement.summary);
        assert_eq!(judgement.evidence.kind, Some(FailureKind::DataRace));
        assert_eq!(judgement.evidence.tsan.unwrap().reports, 1);
        let log = include_str!("fixtures/lock_order_inversion.txt");
        let judgement = judge(run(EXIT_CODE, &[log]), &ROUNDS, "nightly", &[]);
        assert_eq!(judgement.status, Status::Fail, "{}", judgement.summary);
        assert_eq!(judgement.evidence.kind, Some(FailureKind::Deadlock));
        let log = include_str!("fixtures/heap_use_after_free.txt");
        let judgement = judge(run(EXIT_CODE, &[log]), &ROUNDS, "nightly", &[]);
        assert_eq!(judgement.evidence.kind, Some(FailureKind::WrongResult));
    }

    #[test]
    fn tsan_s_exit_status_without_a_readable_report_is_never_a_pass() {
        let lost = judge(run(EXIT_CODE, &[]), &ROUNDS, "nightly", &[]);
        assert_eq!(lost.status, Status::Error);
        assert!(
            lost.summary.contains("no ThreadSanitizer log"),
            "{}",
            lost.summary
        );
        let fatal =
            "FATAL: ThreadSanitizer: unexpected memory mapping 0x7b1c00000000-0x7b1c00200000\n";
        let stopped = judge(run(EXIT_CODE, &[fatal]), &ROUNDS, "nightly", &[]);
        assert_eq!(stopped.status, Status::Error);
        assert!(
            stopped.summary.contains("unexpected memory mapping"),
            "{}",
            stopped.summary
        );
        assert_eq!(
            stopped.evidence.kind, None,
            "the grader's error, not the subject's"
        );
        let clean = judge(run(0, &[]), &ROUNDS, "nightly", &[]);
        assert_eq!(clean.status, Status::Pass, "{}", clean.summary);
        assert_eq!(clean.evidence.kind, None);
        assert_eq!(clean.evidence.tsan.map(|t| t.reports), Some(0));
    }

    #[test]
    fn the_places_shown_are_the_subject_s_and_the_scenario_s_only() {
        let section = |locations: &[&str]| log::Section {
            header: "Write of size 8 at 0x1 by thread T1".into(),
            frames: locations
                .iter()
                .map(|l| log::Frame {
                    function: "f".into(),
                    location: Some(l.to_string()),
                })
                .collect(),
            stack_lost: false,
        };
        // A subject whose own path has `library` in it is still the subject.
        let subject = Path::new("/home/s/library/ex01");
        let roots = [subject, Path::new("/lab")];
        let racy = section(&[
            "/r/lib/rustlib/src/rust/library/core/src/ptr/mod.rs:2194:9",
            "/lab/sync/src/cell.rs:94:18",
            "/home/s/library/ex01/src/lib.rs:69:33",
        ]);
        assert_eq!(
            subject_frame(&racy, &roots).as_deref(),
            Some("src/lib.rs:69")
        );
        let in_scenario = section(&[
            "/lab/grader/harness/src/run.rs:261:66",
            "/lab/grader/scenarios/ex01_lost_update.rs:33:30",
        ]);
        assert_eq!(
            subject_frame(&in_scenario, &roots).as_deref(),
            Some("grader/scenarios/ex01_lost_update.rs:33")
        );
        let elsewhere = section(&["/lab/target/racelab/runners/ex01-1/main.rs:6:5"]);
        assert_eq!(subject_frame(&elsewhere, &roots), None);
        assert_eq!(subject_frame(&racy, &[]), None);
    }

    #[test]
    fn the_ex01_race_is_told_in_the_subject_s_lines() {
        let reports = log::parse(include_str!("fixtures/data_race.txt"));
        let roots = [
            Path::new("/work/main/exercises/ex01-lost-update"),
            Path::new("/work/main"),
        ];
        let tsan = summarise(&reports, &roots);
        assert_eq!(tsan.reports, 1);
        assert_eq!(tsan.kinds, ["data race"]);
        assert_eq!(tsan.conflicts[0].location.as_deref(), Some("src/lib.rs:69"));
        assert_eq!(tsan.conflicts[0].thread, "T2");
        assert_eq!(
            describe(&tsan),
            "1 ThreadSanitizer report (data race): write of 8 bytes at src/lib.rs:69 by T2 against an earlier write of 8 bytes at src/lib.rs:69 by T5"
        );
        let table = side_by_side(&tsan.conflicts);
        assert!(
            table.lines().next().unwrap().contains("T2") && table.contains("T5"),
            "{table}"
        );
    }

    #[test]
    fn a_lost_stack_is_said_not_guessed() {
        let reports = log::parse(include_str!("fixtures/stack_not_restored.txt"));
        let tsan = summarise(&reports, &[Path::new("/tmp/tsanfx")]);
        assert_eq!(
            tsan.conflicts[0].location.as_deref(),
            Some("lost_stack.c:5")
        );
        assert!(
            tsan.conflicts[1]
                .location
                .as_deref()
                .unwrap()
                .contains("could not restore")
        );
    }

    #[test]
    fn frames_of_the_sanitizer_runtime_are_skipped() {
        let reports = log::parse(include_str!("fixtures/lock_order_inversion.txt"));
        let tsan = summarise(&reports, &[Path::new("/tmp/tsanfx")]);
        let places: Vec<_> = tsan
            .conflicts
            .iter()
            .map(|c| c.location.clone().unwrap())
            .collect();
        assert_eq!(places, ["lock_order.c:4", "lock_order.c:5"]);
    }
}
