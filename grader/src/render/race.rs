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

use racelab_harness::trace::{Event, ObjectKind, Ordering, Step};

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
    let (other_at, racing_at) = racing_pair(steps)?;
    let (other, racing) = (&steps[other_at], &steps[racing_at]);
    let object = racing
        .event
        .object()
        .map_or_else(|| "a cell".to_owned(), ToString::to_string);
    let summary = format!(
        "data race: {} {} {object} at {} while {}'s {} at {} is not ordered before it (causality violation)",
        racing.thread,
        if writes(racing) { "writes" } else { "reads" },
        place(racing),
        other.thread,
        if writes(other) { "write" } else { "read" },
        short(other, racing),
    );
    Some(Explained {
        summary,
        advice: advice(steps, other_at, racing_at),
    })
}

/// The indexes of a data race's two accesses, earlier first: the last cell access
/// and the latest access to the same cell by another thread, one of them a write.
pub(crate) fn racing_pair(steps: &[Step]) -> Option<(usize, usize)> {
    let racing_at = steps.iter().rposition(is_cell_access)?;
    let racing = &steps[racing_at];
    let other_at = steps[..racing_at].iter().rposition(|s| {
        is_cell_access(s)
            && s.event.object() == racing.event.object()
            && s.thread != racing.thread
            && (writes(s) || writes(racing))
    })?;
    Some((other_at, racing_at))
}

/// What the atomics between the earlier access (`first`) and the racing one (`last`)
/// do to order them.
fn advice(steps: &[Step], first: usize, last: usize) -> Option<String> {
    let writer = steps[first].thread;
    let reader = steps[last].thread;
    // The flag: the reader's last atomic load before its access of an object the
    // writer stores to after its own access.
    let (load_at, load) = steps[..last].iter().enumerate().rev().find(|(_, s)| {
        s.thread == reader
            && is_atomic_read(s)
            && steps[first..last].iter().any(|w| {
                w.thread == writer && w.event.object() == s.event.object() && is_atomic_write(w)
            })
    })?;
    let (store_at, store) = steps[first..last]
        .iter()
        .enumerate()
        .find(|(_, w)| {
            w.thread == writer && w.event.object() == load.event.object() && is_atomic_write(w)
        })
        .map(|(i, w)| (first + i, w))?;
    let store_order = store.event.ordering()?;
    let load_order = load.event.ordering()?;
    let fence = |s: &Step, thread, wanted: fn(Ordering) -> bool| {
        s.thread == thread && matches!(s.event, Event::Fence { ordering } if wanted(ordering))
    };
    let released = store_order.releases()
        || steps[first..store_at]
            .iter()
            .any(|s| fence(s, writer, Ordering::releases));
    let acquired = load_order.acquires()
        || steps[load_at..last]
            .iter()
            .any(|s| fence(s, reader, Ordering::acquires));
    let flag = load
        .event
        .object()
        .map_or_else(|| "the flag".to_owned(), ToString::to_string);
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

/// A load or store of a `SharedCell`.
fn is_cell_access(step: &Step) -> bool {
    matches!(
        &step.event,
        Event::Load { object, .. } | Event::Store { object, .. } if object.kind == ObjectKind::Memory
    )
}

/// Whether a cell access writes.
fn writes(step: &Step) -> bool {
    matches!(step.event, Event::Store { .. })
}

/// An atomic step that reads (a load, a read-modify-write, an exchange).
fn is_atomic_read(step: &Step) -> bool {
    is_atomic(step) && !matches!(step.event, Event::Store { .. })
}

/// An atomic step that writes (a store, a read-modify-write, an exchange).
fn is_atomic_write(step: &Step) -> bool {
    is_atomic(step) && !matches!(step.event, Event::Load { .. })
}

fn is_atomic(step: &Step) -> bool {
    step.event.object().is_some_and(|o| o.kind.is_atomic())
}

/// Where a step is, in full.
fn place(step: &Step) -> String {
    step.place
        .as_ref()
        .map_or_else(|| "?".into(), ToString::to_string)
}

/// Where `step` is, as `:60` when it is in the same file as `reference`.
fn short(step: &Step, reference: &Step) -> String {
    match (&step.place, &reference.place) {
        (Some(here), Some(there)) if here.file == there.file => format!(":{}", here.line),
        _ => place(step),
    }
}

#[cfg(test)]
mod tests {
    use super::explain;
    use crate::render::sample::{load, object, step_in, store};
    use racelab_harness::trace::{Event, ObjectKind, Ordering, Step};

    fn at(thread: &str, event: Event, line: u32) -> Step {
        step_in("/e/src/lib.rs", thread, event, line)
    }

    fn flag_flip(store_order: Ordering, load_order: Ordering) -> Vec<Step> {
        let flag = || object(ObjectKind::AtomicBool, 5);
        let cell = || object(ObjectKind::Memory, 1);
        vec![
            at("T1", load(flag(), Some(load_order), false), 69),
            at("T2", store(cell(), None, 1), 60),
            at("T2", store(flag(), Some(store_order), true), 64),
            at("T1", load(flag(), Some(load_order), true), 69),
            at("T1", load(cell(), None, 1), 74),
        ]
    }

    /// Whether "`reader`'s access at step `last` is not ordered after `writer`'s write
    /// at step `first`" holds in `steps`: no atomic that the writer stores to with
    /// Release (or after a Release fence) after its write is then loaded by the
    /// reader with Acquire (or before an Acquire fence), reading that store's value,
    /// before its access. (A lock handed over would order them too: the flag traces
    /// have none.)
    fn unordered(steps: &[Step], first: usize, last: usize) -> bool {
        let (writer, reader) = (steps[first].thread, steps[last].thread);
        let fenced = |range: &[Step], thread, wanted: fn(Ordering) -> bool| {
            range.iter().any(|s| {
                s.thread == thread
                    && matches!(s.event, Event::Fence { ordering } if wanted(ordering))
            })
        };
        !(first..last).any(|w| {
            let store = &steps[w];
            let released = store.event.ordering().is_some_and(Ordering::releases)
                || fenced(&steps[first..w], writer, Ordering::releases);
            store.thread == writer
                && store.event.writes()
                && released
                && (w + 1..last).any(|r| {
                    let load = &steps[r];
                    let acquired = load.event.ordering().is_some_and(Ordering::acquires)
                        || fenced(&steps[r..last], reader, Ordering::acquires);
                    load.thread == reader
                        && load.event.object() == store.event.object()
                        && load.event.read() == store.event.written().as_ref()
                        && acquired
                })
        })
    }

    /// The summary's claim, that the two accesses it names are not ordered, holds in
    /// the steps; with a Release store and an Acquire load the checker finds them
    /// ordered (and then no race would be claimed).
    #[test]
    fn the_race_named_is_unordered_in_the_steps() {
        let steps = flag_flip(Ordering::Relaxed, Ordering::Relaxed);
        let race = explain(&steps).unwrap();
        assert!(race.summary.starts_with("data race: T1 reads cell#1 at "));
        assert!(race.summary.contains("T2's write at :60"));
        assert!(unordered(&steps, 1, 4));
        for (store, load) in [
            (Ordering::Release, Ordering::Relaxed),
            (Ordering::Relaxed, Ordering::Acquire),
        ] {
            assert!(unordered(&flag_flip(store, load), 1, 4));
        }
        assert!(!unordered(
            &flag_flip(Ordering::Release, Ordering::Acquire),
            1,
            4
        ));
    }

    #[test]
    fn both_accesses_are_named() {
        let race = explain(&flag_flip(Ordering::Relaxed, Ordering::Relaxed)).unwrap();
        assert_eq!(
            race.summary,
            "data race: T1 reads cell#1 at /e/src/lib.rs:74 while T2's write at :60 is not ordered before it (causality violation)"
        );
    }

    #[test]
    fn each_missing_half_of_the_pair_gets_its_own_words() {
        let advice = |store, load| explain(&flag_flip(store, load)).unwrap().advice.unwrap();
        let neither = advice(Ordering::Relaxed, Ordering::Relaxed);
        let no_acquire = advice(Ordering::Release, Ordering::Relaxed);
        let no_release = advice(Ordering::Relaxed, Ordering::Acquire);
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
        let mut steps = flag_flip(Ordering::Relaxed, Ordering::Relaxed);
        let fence = Event::Fence {
            ordering: Ordering::Release,
        };
        steps.insert(2, at("T2", fence, 63));
        let advice = explain(&steps).unwrap().advice.unwrap();
        assert!(advice.ends_with("Make the load Acquire."), "{advice}");
    }

    #[test]
    fn no_race_in_the_trace_explains_nothing() {
        let alone = at("T1", load(object(ObjectKind::Memory, 1), None, 1), 74);
        assert!(explain(&[alone]).is_none());
    }
}
