//! The interleaving table: the steps of a failing execution, one column per thread,
//! time flowing down, each step with the value it read or wrote and its source line,
//! and `switch` where the scheduler moved to another thread.
//!
//! ```text
//! | T1                                           | T2                                           |
//! | cell#1.load() → 0     src/lib.rs:67          |                                              |
//! | switch                                       |                                              |
//! |                                              | cell#1.load() → 0     src/lib.rs:67          |
//! ```
//!
//! Steps made by the grader's scenario (spawning and joining workers) and by the
//! facade are folded away: the table shows the subject's own code.

use super::table::Table;
use racelab_harness::TraceStep;
use std::path::Path;

/// The longest table shown; a longer trace keeps its last steps.
const MAX_STEPS: usize = 40;

/// Renders `steps` as a table ending in the failure, or `None` when no step of the
/// subject's own code was recorded. Paths are shown relative to the first of `roots`
/// that holds them (the subject's folder, then the workspace).
pub fn render(steps: &[TraceStep], failure: &str, roots: &[&Path]) -> Option<String> {
    let mut lines = rows(steps, roots)?;
    lines.push(format!("✗ {}", super::first_line(failure)));
    Some(lines.join("\n"))
}

/// The table of `steps` alone, without a failure line (a deadlock report follows it).
pub fn render_steps(steps: &[TraceStep], roots: &[&Path]) -> Option<String> {
    rows(steps, roots).map(|lines| lines.join("\n"))
}

/// The table's lines: a header, then one line per step or switch.
fn rows(steps: &[TraceStep], roots: &[&Path]) -> Option<Vec<String>> {
    let prefixes: Vec<String> = roots.iter().map(|r| format!("{}/", r.display())).collect();
    let shown: Vec<&TraceStep> = steps
        .iter()
        .enumerate()
        .filter(|(i, s)| is_subjects(s) && (!is_request(s) || blocks(steps, *i)))
        .map(|(_, s)| s)
        .collect();
    if shown.is_empty() {
        return None;
    }
    let folded = shown.len().saturating_sub(MAX_STEPS);
    let shown = &shown[folded..];
    let mut threads: Vec<&str> = Vec::new();
    for step in shown {
        if !threads.contains(&step.thread.as_str()) {
            threads.push(&step.thread);
        }
    }
    threads.sort_by_key(|t| {
        (
            *t == "main",
            t.trim_start_matches('T').parse::<u32>().unwrap_or(0),
        )
    });
    let cells: Vec<String> = shown.iter().map(|s| describe(s, &prefixes)).collect();
    let table = Table::new(
        threads.len(),
        cells
            .iter()
            .map(String::as_str)
            .chain(threads.iter().copied()),
    );
    let column = |thread: &str| threads.iter().position(|t| *t == thread).unwrap_or(0);
    let mut lines = vec![table.row(threads.iter().copied())];
    if folded > 0 {
        lines.push(format!("({folded} earlier steps folded)"));
    }
    for (i, (step, cell)) in shown.iter().zip(&cells).enumerate() {
        if i > 0 && shown[i - 1].thread != step.thread {
            lines.push(table.cell(column(&shown[i - 1].thread), "switch"));
        }
        lines.push(table.cell(column(&step.thread), cell));
    }
    Some(lines)
}

/// Whether a step is the facade's note that a thread asks for something it may have
/// to wait for (a lock, a thread to join): shown only where the thread stays blocked.
fn is_request(step: &TraceStep) -> bool {
    step.action == "acquire" || step.action.starts_with("joining ")
}

/// Whether the thread of `steps[at]` makes no later step: it blocked there.
fn blocks(steps: &[TraceStep], at: usize) -> bool {
    !steps[at + 1..].iter().any(|s| s.thread == steps[at].thread)
}

/// Whether a step belongs to the subject's code rather than the scenario or facade.
fn is_subjects(step: &TraceStep) -> bool {
    match &step.location {
        Some(location) => is_subjects_location(location),
        // Unlocks are recorded when a guard is dropped, with no caller to name.
        None => step.action == "unlock",
    }
}

/// Whether a recorded line is in the subject's code rather than the scenario, the
/// harness, the facade or the standard library (a `#[track_caller]` helper passed as a
/// function, `map(Account::lock)`, is called from inside `core`).
pub fn is_subjects_location(location: &str) -> bool {
    !(location.contains("/grader/scenarios/")
        || location.contains("/grader/harness/")
        || location.contains("/sync/src/")
        || location.starts_with("/rustc/"))
}

/// One step as a table cell, e.g. `cell#1.load() → 4700   src/lib.rs:67`.
fn describe(step: &TraceStep, prefixes: &[String]) -> String {
    let object = step.object.as_deref().unwrap_or("");
    let value = step.value.as_deref().unwrap_or("");
    let call = match step.action.as_str() {
        // A step on no object, such as `fence(Release)` or `spawn T1`.
        action if step.object.is_none() => action.to_owned(),
        "load" => format!("{object}.load() → {value}"),
        "store" => format!("{object}.store({value})"),
        "lock" | "unlock" => format!("{object}.{}()", step.action),
        "acquire" => format!("{object}.lock() blocks"),
        "wait" => format!("{object}.wait({value})"),
        "woken" => format!("{object}.wait() returns, {value} locked"),
        action if action.contains('(') && !value.is_empty() => {
            format!("{object}.{action} → {value}")
        }
        action if !value.is_empty() => format!("{object}.{action}() → {value}"),
        action => format!("{object}.{action}()"),
    };
    match &step.location {
        Some(location) => {
            let shown = prefixes
                .iter()
                .find_map(|p| location.strip_prefix(p.as_str()));
            format!("{call}   {}", shown.unwrap_or(location))
        }
        None => call,
    }
}

#[cfg(test)]
mod tests {
    use super::{render, render_steps};
    use racelab_harness::TraceStep;
    use std::path::Path;

    fn step(thread: &str, action: &str, value: &str, line: u32) -> TraceStep {
        TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: Some(value.into()),
            object: Some("cell#1".into()),
            location: Some(format!("/lab/exercises/ex01/src/lib.rs:{line}")),
        }
    }

    #[test]
    fn a_lost_update_reads_as_two_loads_then_two_stores_with_switches() {
        let spawn = TraceStep {
            thread: "main".into(),
            action: "spawn T1".into(),
            value: None,
            object: None,
            location: Some("/lab/grader/scenarios/ex01.rs:30".into()),
        };
        let steps = [
            spawn,
            step("T1", "load", "4700", 67),
            step("T2", "load", "4700", 67),
            step("T1", "store", "4800", 69),
            step("T2", "store", "4800", 69),
        ];
        let table = render(
            &steps,
            "total broken: expected 4900 paise, got 4800 paise",
            &[Path::new("/lab/exercises/ex01"), Path::new("/lab")],
        )
        .unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("| T1") && lines[0].contains("| T2"),
            "{table}"
        );
        assert!(
            lines[1].starts_with("| cell#1.load() → 4700   src/lib.rs:67"),
            "{table}"
        );
        assert!(lines[2].starts_with("| switch"), "{table}");
        assert!(
            !table.contains("spawn"),
            "scenario steps are folded away:\n{table}"
        );
        assert_eq!(table.matches("switch").count(), 3, "{table}");
        assert_eq!(
            *lines.last().unwrap(),
            "✗ total broken: expected 4900 paise, got 4800 paise"
        );
    }

    #[test]
    fn a_request_for_a_lock_shows_only_where_the_thread_stays_blocked() {
        let lock = |thread: &str, action: &str, object: &str, line: u32| TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: None,
            object: Some(object.into()),
            location: Some(format!("/lab/ex/src/lib.rs:{line}")),
        };
        let steps = [
            lock("T1", "acquire", "Mutex#1", 58),
            lock("T1", "lock", "Mutex#1", 58),
            lock("T2", "acquire", "Mutex#2", 58),
            lock("T2", "lock", "Mutex#2", 58),
            lock("T1", "acquire", "Mutex#2", 62),
            lock("T2", "acquire", "Mutex#1", 62),
        ];
        let table = render_steps(&steps, &[Path::new("/lab/ex")]).unwrap();
        assert_eq!(
            table.matches(".lock()   src/lib.rs:58").count(),
            2,
            "{table}"
        );
        assert_eq!(
            table.matches(".lock() blocks   src/lib.rs:62").count(),
            2,
            "{table}"
        );
        assert!(
            !table.contains("acquire") && !table.contains("✗"),
            "{table}"
        );
    }

    #[test]
    fn nothing_of_the_subject_renders_nothing() {
        assert!(render(&[], "x", &[Path::new("/lab")]).is_none());
    }
}
