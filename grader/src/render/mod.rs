//! Drawing the evidence: the one place that turns a report's typed evidence into the
//! text tables people read — spec's scenario, the interleaving of a failing
//! execution, a deadlock's table, ThreadSanitizer's conflicting accesses side by side.
//!
//! The grade stores steps, never tables, so that the report, JUnit and Gradescope
//! bytes do not depend on the terminal that ran it. Each reader draws at its own
//! width: the console at the terminal's, the formats at [`FORMAT_WIDTH`]; and the
//! report page and class page (`page`) draw them as pictures.

use crate::report::Evidence;
pub mod compile_errors;
pub mod conflict;
pub mod deadlock;
pub mod interleaving;
pub mod livelock;
pub mod page;
pub mod race;
#[cfg(test)]
mod sample;
pub mod spec;
pub mod table;
pub mod wrap;

/// The width the formats (JUnit, Gradescope, annotations) draw tables to: the
/// 80 columns every terminal and CI log shows whole, less the two of their indent.
pub const FORMAT_WIDTH: usize = 78;

/// The failing execution of `evidence` drawn at most `width` columns wide: spec's
/// scenario (and why no order explains its results) first, then the interleaving
/// ending in the failure, a deadlock's table, the values a data race broke (loom), or
/// ThreadSanitizer's conflicting accesses; `None` when the evidence holds none of
/// them.
pub fn trace(evidence: &Evidence, width: usize) -> Option<String> {
    // An old report holds spec's scenario drawn already, 76 columns wide.
    let scenario = match &evidence.scenario {
        Some(scenario) => Some(spec::draw(scenario, width)),
        None => evidence.results.clone(),
    };
    let execution = execution(evidence, width);
    match (scenario, execution) {
        (Some(scenario), Some(execution)) => Some(format!("{scenario}\n{execution}")),
        (scenario, execution) => scenario.or(execution),
    }
}

/// The failing execution alone, as [`trace`] draws it (the page draws spec's scenario
/// as a table of its own).
pub fn execution(evidence: &Evidence, width: usize) -> Option<String> {
    if let Some(tsan) = evidence.tsan.as_ref().filter(|t| !t.conflicts.is_empty()) {
        return Some(table::side_by_side(&tsan.conflicts));
    }
    if let Some(values) = &evidence.values {
        let heading = format!(
            "With its race check off, loom finds what the race does to the values ({}):",
            crate::stages::count(values.preemptions, "preemption")
        );
        let heading = interleaving::wrap(&heading, width).join("\n");
        let table = interleaving::render(&values.steps, &values.failure, &[], width)?;
        return Some(format!("{heading}\n{table}"));
    }
    let failure = evidence.failure.as_deref()?;
    let blocked = deadlock::is_deadlock(failure)
        .then(|| deadlock::Deadlock::from_steps(&evidence.steps))
        .flatten();
    match blocked {
        Some(blocked) => Some(
            interleaving::render_steps(&evidence.steps, &[], width)
                .map_or_else(String::new, |steps| steps + "\n")
                + &blocked.render(&[], width),
        ),
        None => interleaving::render(&evidence.steps, failure, &[], width),
    }
}
