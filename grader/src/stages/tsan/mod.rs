//! The ThreadSanitizer stage: the scenario on real threads, compiled with
//! `-Zsanitizer=thread` against an instrumented std (see `crate::toolchain`), in
//! rounds like the stress stage but smaller (TSan slows code 5–15×).
//!
//! TSan judges memory accesses, not the invariant: any report fails the stage, a run
//! without reports passes it, whatever the totals came to. It cannot see a race
//! condition that is not a data race (every access locked, the logic still racy),
//! fences, or lock-order inversions on std's futex-based `Mutex`.

pub mod log;

use super::{Judgement, RunnerRun};
use crate::manifest::RoundsSize;
use crate::report::{Conflict, Evidence, Status, TsanEvidence};
use log::TsanReport;
use std::path::Path;
use std::process::Command;

/// How many reports the evidence details.
const REPORTS_DETAILED: usize = 3;

/// The options the grader runs TSan with: reports go to `tsan.<pid>` files in the run
/// folder (not into the subject's output), all of them (no halt on the first), with a
/// fixed exit code, and history deep enough to restore both stacks of a race.
pub fn options() -> String {
    let mut options = vec![
        "log_path=tsan".to_owned(),
        "exitcode=66".into(),
        "halt_on_error=0".into(),
        "history_size=7".into(),
        "second_deadlock_stack=1".into(),
        // Report every racing pair of places, not only the first race on an address.
        "suppress_equal_addresses=0".into(),
    ];
    if let Some(symbolizer) = crate::toolchain::which("llvm-symbolizer") {
        options.push(format!("external_symbolizer_path={}", symbolizer.display()));
    }
    options.join(" ")
}

/// Why the runner must not be trusted: it defines TSan's default options or
/// suppressions itself (a strong symbol in the executable; TSan's own are weak), which
/// would silence reports. `None` when it does not, or when `nm` is not available.
pub fn silencer(executable: &Path) -> Option<String> {
    let output = Command::new("nm")
        .arg("--defined-only")
        .arg(executable)
        .output()
        .ok()?;
    let symbols = String::from_utf8_lossy(&output.stdout);
    symbols.lines().find_map(|line| {
        let mut fields = line.split_whitespace().rev();
        let (name, kind) = (fields.next()?, fields.next()?);
        let silencing = name == "__tsan_default_options" || name == "__tsan_default_suppressions";
        (silencing && kind != "W" && kind != "w" && kind != "V" && kind != "v").then(|| {
            format!("the subject defines `{name}`, which would change what ThreadSanitizer reports")
        })
    })
}

/// Judges a TSan run from its logs. `roots` are the folders paths are shown relative
/// to (the subject's, then the workspace).
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
    let findings = match findings {
        Ok(findings) => findings,
        Err(mut judgement) => {
            judgement.evidence.backend = evidence.backend;
            judgement.evidence.bounds = evidence.bounds;
            return *judgement;
        }
    };
    if let Some(round) = findings.hung_round {
        return Judgement {
            status: Status::Timeout,
            summary: format!(
                "round {} of {} did not finish within {} ms: possible deadlock or livelock",
                round + 1,
                size.rounds,
                size.round_timeout_ms
            ),
            evidence,
        };
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

/// The innermost frame in the subject's or the scenario's code, shown relative to
/// `roots`: frames of std, the facade, the harness and dependencies are skipped.
fn subject_frame(section: &log::Section, roots: &[&Path]) -> Option<String> {
    section
        .frames
        .iter()
        .filter_map(|f| f.location.as_deref())
        .find_map(|location| {
            let ours = !(location.contains("/library/")
                || location.contains("/rustc/")
                || location.contains("/sync/src/")
                || location.contains("/grader/harness/")
                || location.contains("/.cargo/registry/")
                || location.contains("/src/libsanitizer/")
                || location.starts_with("../"));
            ours.then(|| {
                let shown = roots
                    .iter()
                    .find_map(|root| location.strip_prefix(&format!("{}/", root.display())));
                let shown = shown.unwrap_or(location);
                // file:line is enough; drop the column.
                match shown.rsplit_once(':') {
                    Some((file_line, column))
                        if file_line.contains(':') && column.parse::<u32>().is_ok() =>
                    {
                        file_line.to_owned()
                    }
                    _ => shown.to_owned(),
                }
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
    use super::{describe, log, side_by_side, summarise};
    use std::path::Path;

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
