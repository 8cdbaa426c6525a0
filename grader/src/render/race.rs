//! A data race loom caught, said from both sides, with the half of a release/acquire
//! pair that is missing.
//!
//! loom's causality violation names the access that found the race (the one in
//! progress) and often not the one it races with. The facade's trace holds both: the
//! racing access is the execution's last step (cells record before loom checks them),
//! and the access it races with is the last one to the same cell by another thread.
//! The atomic steps between them say how the program meant to order the two: a flag
//! stored by the writer after its write and loaded by the reader before its read. If
//! one side of that flag is `Relaxed`, the explanation says which.

use super::step_text::{self, TraceStep};
use racelab_harness::trace::Step;

/// A data race, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// One line: both accesses, with their threads and lines.
    pub summary: String,
    /// What orders the two, or fails to, and what to change; `None` when the trace
    /// shows no flag between them.
    pub advice: Option<String>,
}

/// Explains the race that ended the execution traced by `steps`, or `None` when the
/// trace does not show both accesses.
pub fn explain(steps: &[Step]) -> Option<Explained> {
    explain_texts(&step_text::texts(steps))
}

/// [`explain`], from the steps as text.
pub(crate) fn explain_texts(steps: &[TraceStep]) -> Option<Explained> {
    let racing_at = steps.iter().rposition(is_cell_access)?;
    let racing = &steps[racing_at];
    let writes = |s: &TraceStep| s.action == "store";
    let other_at = steps[..racing_at].iter().rposition(|s| {
        is_cell_access(s)
            && s.object == racing.object
            && s.thread != racing.thread
            && (writes(s) || writes(racing))
    })?;
    let other = &steps[other_at];
    let object = racing.object.as_deref().unwrap_or("a cell");
    let summary = format!(
        "data race: {} {} {object} at {} while {}'s {} at {} is not ordered before it (causality violation)",
        racing.thread,
        verb(racing),
        place(racing),
        other.thread,
        noun(other),
        short(other, racing),
    );
    Some(Explained {
        summary,
        advice: advice(steps, other_at, racing_at),
    })
}

/// What the atomics between the earlier access (`first`) and the racing one (`last`)
/// do to order them.
fn advice(steps: &[TraceStep], first: usize, last: usize) -> Option<String> {
    let writer = &steps[first].thread;
    let reader = &steps[last].thread;
    // The flag: the reader's last atomic load before its access of an object the
    // writer stores to after its own access.
    let (load_at, load) = steps[..last].iter().enumerate().rev().find(|(_, s)| {
        &s.thread == reader
            && is_atomic_read(s)
            && steps[first..last]
                .iter()
                .any(|w| &w.thread == writer && w.object == s.object && is_atomic_write(w))
    })?;
    let (store_at, store) = steps[first..last]
        .iter()
        .enumerate()
        .find(|(_, w)| &w.thread == writer && w.object == load.object && is_atomic_write(w))
        .map(|(i, w)| (first + i, w))?;
    let released = releases(store.ordering.as_deref())
        || steps[first..store_at]
            .iter()
            .any(|s| &s.thread == writer && s.action == "fence" && releases(s.ordering.as_deref()));
    let acquired = acquires(load.ordering.as_deref())
        || steps[load_at..last]
            .iter()
            .any(|s| &s.thread == reader && s.action == "fence" && acquires(s.ordering.as_deref()));
    let flag = load.object.as_deref().unwrap_or("the flag");
    let store_order = store.ordering.as_deref().unwrap_or("?");
    let load_order = load.ordering.as_deref().unwrap_or("?");
    let (store_line, load_line) = (short(store, &steps[last]), short(load, &steps[last]));
    Some(match (released, acquired) {
        (false, false) => format!(
            "{flag} is stored {store_order} ({store_line}) and loaded {load_order} ({load_line}): Relaxed makes the flag itself atomic but orders nothing around it. Store it with Release and load it with Acquire: a reader that sees the flag then sees every write made before it."
        ),
        (true, false) => format!(
            "the flag's store is {store_order} ({store_line}) but its load is {load_order} ({load_line}): a Release store publishes only to a load that acquires it. Make the load Acquire."
        ),
        (false, true) => format!(
            "the flag's load is {load_order} ({load_line}) but its store is {store_order} ({store_line}): an Acquire load sees earlier writes only through a store that releases them. Make the store Release."
        ),
        (true, true) => format!(
            "{flag} is stored {store_order} ({store_line}) and loaded {load_order} ({load_line}), yet the race remains: something between them is not covered by the pair."
        ),
    })
}

fn is_cell_access(step: &TraceStep) -> bool {
    step.ordering.is_none()
        && matches!(step.action.as_str(), "load" | "store")
        && step
            .object
            .as_deref()
            .is_some_and(|o| o.starts_with("cell#"))
}

fn is_atomic_read(step: &TraceStep) -> bool {
    step.ordering.is_some() && step.object.is_some() && step.action != "store"
}

fn is_atomic_write(step: &TraceStep) -> bool {
    step.ordering.is_some() && step.object.is_some() && step.action != "load"
}

fn releases(order: Option<&str>) -> bool {
    matches!(order, Some("Release" | "AcqRel" | "SeqCst"))
}

fn acquires(order: Option<&str>) -> bool {
    matches!(order, Some("Acquire" | "AcqRel" | "SeqCst"))
}

fn verb(step: &TraceStep) -> &'static str {
    if step.action == "store" {
        "writes"
    } else {
        "reads"
    }
}

fn noun(step: &TraceStep) -> &'static str {
    if step.action == "store" {
        "write"
    } else {
        "read"
    }
}

/// Where a step is, in full.
fn place(step: &TraceStep) -> String {
    step.location.clone().unwrap_or_else(|| "?".into())
}

/// Where `step` is, as `:60` when it is in the same file as `reference`.
fn short(step: &TraceStep, reference: &TraceStep) -> String {
    let split = |s: &TraceStep| {
        s.location
            .as_deref()
            .and_then(|l| l.rsplit_once(':'))
            .map(|(f, l)| (f.to_owned(), l.to_owned()))
    };
    match (split(step), split(reference)) {
        (Some((file, line)), Some((same, _))) if file == same => format!(":{line}"),
        _ => place(step),
    }
}

#[cfg(test)]
mod tests {
    use super::explain_texts;
    use crate::render::step_text::TraceStep;

    fn at(thread: &str, action: &str, object: &str, order: Option<&str>, line: u32) -> TraceStep {
        TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: Some("1".into()),
            object: Some(object.into()),
            location: Some(format!("/e/src/lib.rs:{line}")),
            ordering: order.map(Into::into),
            callers: Vec::new(),
        }
    }

    fn flag_flip(store: &str, load: &str) -> Vec<TraceStep> {
        vec![
            at("T1", "load", "AtomicBool#5", Some(load), 69),
            at("T2", "store", "cell#1", None, 60),
            at("T2", "store", "AtomicBool#5", Some(store), 64),
            at("T1", "load", "AtomicBool#5", Some(load), 69),
            at("T1", "load", "cell#1", None, 74),
        ]
    }

    #[test]
    fn both_accesses_are_named() {
        let race = explain_texts(&flag_flip("Relaxed", "Relaxed")).unwrap();
        assert_eq!(
            race.summary,
            "data race: T1 reads cell#1 at /e/src/lib.rs:74 while T2's write at :60 is not ordered before it (causality violation)"
        );
    }

    #[test]
    fn each_missing_half_of_the_pair_gets_its_own_words() {
        let advice = |store, load| {
            explain_texts(&flag_flip(store, load))
                .unwrap()
                .advice
                .unwrap()
        };
        let neither = advice("Relaxed", "Relaxed");
        let no_acquire = advice("Release", "Relaxed");
        let no_release = advice("Relaxed", "Acquire");
        assert!(neither.contains("Store it with Release and load it with Acquire"));
        assert!(
            no_acquire
                .starts_with("the flag's store is Release (:64) but its load is Relaxed (:69)")
        );
        assert!(no_acquire.ends_with("Make the load Acquire."));
        assert!(no_release.ends_with("Make the store Release."));
        assert!(neither != no_acquire && no_acquire != no_release);
    }

    #[test]
    fn a_release_fence_before_a_relaxed_store_counts_as_the_release_half() {
        let mut steps = flag_flip("Relaxed", "Relaxed");
        let mut fence = at("T2", "fence", "", Some("Release"), 63);
        fence.object = None;
        steps.insert(2, fence);
        let advice = explain_texts(&steps).unwrap().advice.unwrap();
        assert!(advice.ends_with("Make the load Acquire."), "{advice}");
    }

    #[test]
    fn no_race_in_the_trace_explains_nothing() {
        assert!(explain_texts(&[at("T1", "load", "cell#1", None, 74)]).is_none());
    }
}
