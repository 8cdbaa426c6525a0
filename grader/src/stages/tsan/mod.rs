//! The ThreadSanitizer stage: the scenario on real threads, compiled with
//! `-Zsanitizer=thread` against an instrumented std (see `crate::toolchain`), in
//! rounds like the stress stage but smaller (TSan slows code 5–15×).
//!
//! TSan judges memory accesses, not the invariant: any report fails the stage, a run
//! without reports passes it, whatever the totals came to. It cannot see a race
//! condition that is not a data race (every access locked, the logic still racy),
//! fences, or lock-order inversions on std's futex-based `Mutex`.

pub mod log;
pub mod symbolize;
pub mod symbols;

use super::{Judgement, RunnerRun};
use crate::manifest::RoundsSize;
use crate::report::{Conflict, Evidence, Status, TsanEvidence};
use log::TsanReport;
use std::path::Path;
use symbols::Binding;

/// How many reports the evidence details.
const REPORTS_DETAILED: usize = 3;

/// The exit status TSan gives a process that it reported on (`exitcode=`).
pub const EXIT_CODE: i32 = 66;

/// The hooks TSan's runtime defines weakly so that a program may replace them: its
/// default options and suppressions, its report callbacks (`OnReport` can drop any
/// report), its symbolizer. Whatever else the linked runtime defines weakly under a
/// sanitizer's name is added to these (see [`silencer`]).
const HOOKS: &[&str] = &[
    "__tsan_default_options",
    "__tsan_default_suppressions",
    "__tsan_on_report",
    "__tsan_on_initialize",
    "__tsan_on_finalize",
    "__tsan_symbolize_external",
    "__tsan_symbolize_external_ex",
    "__sanitizer_report_error_summary",
    "__sanitizer_on_print",
    "_ZN6__tsan8OnReportEPKNS_10ReportDescEb",
    "_ZN6__tsan10OnFinalizeEb",
    "_ZN6__tsan12OnInitializeEv",
];

/// The options the grader runs TSan with: reports go to `tsan.<pid>` files in
/// `log_dir` (an absolute path, so the subject's working folder does not matter; never
/// into the subject's output), all of them (no halt on the first), with a fixed exit
/// code, history deep enough to restore both stacks of a race, and no symbolization
/// (it would start a process; the grader symbolizes, see [`symbolize`]).
pub fn options(log_dir: &Path) -> String {
    let options = [
        flag("log_path", &log_dir.join("tsan").display().to_string()),
        format!("exitcode={EXIT_CODE}"),
        "halt_on_error=0".into(),
        "history_size=7".into(),
        "second_deadlock_stack=1".into(),
        // Report every racing pair of places, not only the first race on an address.
        "suppress_equal_addresses=0".into(),
        "symbolize=0".into(),
    ];
    options.join(" ")
}

/// `name=value`, quoted when the value holds a character TSan's option parser would
/// take as the end of it.
fn flag(name: &str, value: &str) -> String {
    if value.contains([' ', '\t', ':', ',', '\n']) && !value.contains('"') {
        format!("{name}=\"{value}\"")
    } else {
        format!("{name}={value}")
    }
}

/// Checks the runner for a subject that replaces one of TSan's hooks (its default
/// options or suppressions, its report callback…), which would silence reports: the
/// runtime defines them weakly, so a strong global definition in the executable is
/// someone else's. `runtime` is the TSan archive the runner linked, whose weak hooks
/// are checked too. `Ok(Some(reason))` refuses the subject; `Err` says why the check
/// could not be made (the grader's problem).
pub fn silencer(executable: &Path, runtime: Option<&Path>) -> Result<Option<String>, String> {
    let mut hooks: Vec<String> = HOOKS.iter().map(|h| h.to_string()).collect();
    if let Some(runtime) = runtime {
        hooks.extend(
            symbols::defined(runtime)?
                .into_iter()
                .filter(|s| s.binding == Binding::Weak && is_sanitizer_hook(&s.name))
                .map(|s| s.name),
        );
    }
    let overridden = symbols::defined(executable)?
        .into_iter()
        .find(|s| s.binding == Binding::Strong && hooks.contains(&s.name));
    Ok(overridden.map(|symbol| {
        format!(
            "the subject defines `{}`, one of ThreadSanitizer's hooks, which would change what ThreadSanitizer reports",
            symbol.name
        )
    }))
}

/// A weak symbol of the runtime under a sanitizer's name (its hooks, C or C++),
/// rather than an interceptor of a libc function (those are weak too).
fn is_sanitizer_hook(name: &str) -> bool {
    [
        "__tsan_",
        "__sanitizer_",
        "__sancov_",
        "__ubsan_",
        "_ZN6__tsan",
        "_ZN11__sanitizer",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

/// Judges a TSan run from its logs and its exit status. `roots` are the subject's
/// folder, then the workspace's: the places reported are the innermost frames in the
/// subject (shown relative to it) or in the scenario (relative to the workspace).
pub fn judge(run: RunnerRun, size: &RoundsSize, toolchain: &str, roots: &[&Path]) -> Judgement {
    let bounds = format!(
        "{} workers × {} ops, {}",
        size.workers,
        size.ops,
        super::count(u64::from(size.rounds), "round")
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
        evidence.trace = Some(side_by_side(&tsan.conflicts));
        let summary = describe(&tsan);
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
        return super::stress::hung(round, size, evidence);
    }
    if let Some(failure) = findings.failure {
        let summary = format!("a worker panicked: {}", super::first_line(&failure.message));
        super::record_failure(&mut evidence, failure);
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
            super::count(findings.executions, "round")
        ),
        evidence,
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

/// The first report's conflicting operations side by side, one column per thread.
fn side_by_side(conflicts: &[Conflict]) -> String {
    let first: Vec<&Conflict> = conflicts.iter().filter(|c| c.report == 1).collect();
    let cells: Vec<(String, String)> = first
        .iter()
        .map(|c| {
            let place = c.location.as_deref().unwrap_or("?");
            (c.thread.clone(), format!("{} at {place}", c.operation))
        })
        .collect();
    let width = cells
        .iter()
        .flat_map(|(t, c)| [t.chars().count(), c.chars().count()])
        .max()
        .unwrap_or(0);
    let row = |texts: Vec<&str>| {
        let mut line = String::from("|");
        for text in texts {
            line.push_str(&format!(" {text:<width$} |"));
        }
        line
    };
    let mut lines = vec![row(cells.iter().map(|(t, _)| t.as_str()).collect())];
    lines.push(row(cells.iter().map(|(_, c)| c.as_str()).collect()));
    if let Some(kind) = first.first().map(|c| &c.kind) {
        lines.push(format!("✗ ThreadSanitizer: {kind}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::{
        EXIT_CODE, describe, flag, is_sanitizer_hook, judge, log, side_by_side, subject_frame,
        summarise,
    };
    use crate::manifest::RoundsSize;
    use crate::process::Finished;
    use crate::report::Status;
    use crate::stages::RunnerRun;
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
            token: String::new(),
        }
    }

    const SIZE: RoundsSize = RoundsSize {
        workers: 4,
        ops: 200,
        rounds: 2,
        round_timeout_ms: 60_000,
    };

    #[test]
    fn any_report_fails_the_stage_whatever_the_findings_say() {
        let log = include_str!("fixtures/data_race.txt");
        let roots = [Path::new("/work/main/exercises/ex01-lost-update")];
        let judgement = judge(run(EXIT_CODE, &[log]), &SIZE, "nightly", &roots);
        assert_eq!(judgement.status, Status::Fail, "{}", judgement.summary);
        assert_eq!(judgement.evidence.tsan.unwrap().reports, 1);
    }

    #[test]
    fn tsan_s_exit_status_without_a_readable_report_is_never_a_pass() {
        let lost = judge(run(EXIT_CODE, &[]), &SIZE, "nightly", &[]);
        assert_eq!(lost.status, Status::Error);
        assert!(
            lost.summary.contains("no ThreadSanitizer log"),
            "{}",
            lost.summary
        );
        let fatal =
            "FATAL: ThreadSanitizer: unexpected memory mapping 0x7b1c00000000-0x7b1c00200000\n";
        let stopped = judge(run(EXIT_CODE, &[fatal]), &SIZE, "nightly", &[]);
        assert_eq!(stopped.status, Status::Error);
        assert!(
            stopped.summary.contains("unexpected memory mapping"),
            "{}",
            stopped.summary
        );
        let clean = judge(run(0, &[]), &SIZE, "nightly", &[]);
        assert_eq!(clean.status, Status::Pass, "{}", clean.summary);
        assert_eq!(clean.evidence.tsan.map(|t| t.reports), Some(0));
    }

    #[test]
    fn only_the_sanitizer_s_own_names_count_as_hooks() {
        assert!(is_sanitizer_hook("_ZN6__tsan8OnReportEPKNS_10ReportDescEb"));
        assert!(!is_sanitizer_hook("pthread_mutex_lock"));
    }

    #[test]
    fn option_values_that_tsan_would_cut_short_are_quoted() {
        assert_eq!(flag("log_path", "/w/runs/tsan"), "log_path=/w/runs/tsan");
        assert_eq!(
            flag("log_path", "/home/my lab/tsan"),
            "log_path=\"/home/my lab/tsan\""
        );
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
