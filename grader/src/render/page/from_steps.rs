//! The adapter from the recorded steps (`racelab_harness::TraceStep`, today's strings)
//! to the swimlane's model. It shows the steps the interleaving table shows, and reads
//! the racing pair, the stale loads and the locks the way the stages do.

use super::lanes::{Hold, Mark, MissingEdge, Place, Step, StepKind, Swimlane, WaitFor};
use crate::stages::{deadlock, interleaving, race};
use racelab_harness::TraceStep;
use std::path::Path;

/// The most steps drawn; a longer trace keeps its last ones (the failure is at the end).
const MAX_STEPS: usize = 60;

/// The swimlane of `steps`, which ended in `failure`, with places shown relative to
/// the first of `roots` that holds them; `None` when no step of the subject's own
/// code was recorded.
pub fn swimlane(steps: &[TraceStep], failure: &str, roots: &[&Path]) -> Option<Swimlane> {
    let shown = interleaving::shown(steps);
    let folded = shown.len().saturating_sub(MAX_STEPS);
    let shown = &shown[folded..];
    if shown.is_empty() {
        return None;
    }
    let mut threads: Vec<String> = Vec::new();
    for &i in shown {
        if !threads.contains(&steps[i].thread) {
            threads.push(steps[i].thread.clone());
        }
    }
    threads.sort_by_key(|t| {
        (
            t == "main",
            t.trim_start_matches('T').parse::<u32>().unwrap_or(0),
        )
    });
    let lane = |thread: &str| threads.iter().position(|t| t == thread).unwrap_or(0);
    let row = |original: usize| shown.iter().position(|&i| i == original);

    let deadlocked = deadlock::is_deadlock(failure);
    let racing = if deadlocked {
        None
    } else {
        race::racing_pair(steps)
    };
    let stale = interleaving::stale_loads(steps);
    let blocked = |i: usize| {
        deadlocked
            && blocking_call(&steps[i]).is_some()
            && !steps[i + 1..].iter().any(|s| s.thread == steps[i].thread)
    };

    let mut drawn: Vec<Step> = shown
        .iter()
        .map(|&i| {
            let step = &steps[i];
            let mark = if racing.is_some_and(|(a, b)| i == a || i == b) {
                Some(Mark::Racing)
            } else if stale.contains(&i) {
                Some(Mark::Stale)
            } else if blocked(i) {
                Some(Mark::Blocked)
            } else {
                None
            };
            let kind = kind_of(step);
            let changes = matches!(kind, StepKind::Write | StepKind::ReadModifyWrite);
            Step {
                lane: lane(&step.thread),
                kind,
                text: interleaving::describe(step),
                shared: step
                    .object
                    .clone()
                    .zip(interleaving::written(step))
                    .filter(|_| changes),
                place: step.location.as_deref().and_then(|l| place(l, roots)),
                mark,
            }
        })
        .collect();

    let missing_edge = match racing {
        Some((a, b)) => row(a)
            .zip(row(b))
            .map(|(from, to)| MissingEdge { from, to }),
        None => stale.iter().find_map(|&load| {
            let to = row(load)?;
            let object = steps[load].object.as_ref()?;
            let store = (0..load).rev().find(|&j| {
                steps[j].object.as_ref() == Some(object)
                    && steps[j].thread != steps[load].thread
                    && interleaving::written(&steps[j]).is_some()
            })?;
            Some(MissingEdge {
                from: row(store)?,
                to,
            })
        }),
    };

    let missing_edge = match missing_edge {
        None if !drawn.iter().any(|s| s.mark.is_some()) => {
            conflict(steps, shown).map(|(read, write)| {
                drawn[read].mark = Some(Mark::Conflict);
                drawn[write].mark = Some(Mark::Conflict);
                MissingEdge {
                    from: write,
                    to: read,
                }
            })
        }
        edge => edge,
    };

    Some(Swimlane {
        holds: holds(steps, shown, &lane),
        wait_for: if deadlocked {
            wait_for(steps)
        } else {
            Vec::new()
        },
        threads,
        steps: drawn,
        folded,
        missing_edge,
    })
}

/// The last lost update or check-then-act among the `shown` steps, as rows: a read of
/// an object by one thread, then another thread's write to it, then the first
/// thread's own write to it (made from what it read, now out of date). Nothing
/// ordered the other write before the read: that is the missing edge.
fn conflict(steps: &[TraceStep], shown: &[usize]) -> Option<(usize, usize)> {
    let writes = |i: usize| {
        matches!(
            kind_of(&steps[shown[i]]),
            StepKind::Write | StepKind::ReadModifyWrite
        )
    };
    (0..shown.len()).rev().find_map(|k| {
        let late = &steps[shown[k]];
        if !writes(k) || late.object.is_none() {
            return None;
        }
        let read = (0..k).rev().find(|&i| {
            let s = &steps[shown[i]];
            s.thread == late.thread && s.object == late.object && kind_of(s) == StepKind::Read
        })?;
        let between = (read + 1..k).find(|&j| {
            let s = &steps[shown[j]];
            s.thread != late.thread && s.object == late.object && writes(j)
        })?;
        Some((read, between))
    })
}

/// What kind of step `step` is, from its action.
fn kind_of(step: &TraceStep) -> StepKind {
    let action = step.action.as_str();
    match action {
        "load" | "read" => StepKind::Read,
        "store" | "write" => StepKind::Write,
        "lock" | "woken" | "woken spuriously" => StepKind::Lock,
        "try_lock" if step.value.as_deref() == Some("acquired") => StepKind::Lock,
        "unlock" => StepKind::Unlock,
        "acquire" | "wait" => StepKind::Wait,
        _ if action.starts_with("joining ") => StepKind::Wait,
        _ if step.ordering.is_some() && step.object.is_some() && action.contains('(') => {
            StepKind::ReadModifyWrite
        }
        _ => StepKind::Other,
    }
}

/// What a blocking call waits for, if `step` is one: the lock, condition variable or
/// thread.
fn blocking_call(step: &TraceStep) -> Option<String> {
    match step.action.as_str() {
        "acquire" | "wait" => step.object.clone(),
        action => action.strip_prefix("joining ").map(str::to_owned),
    }
}

/// The lock each thread took, from the step that took it (or the first shown after)
/// to the step that released it (or the last shown before), or to the end.
fn holds(steps: &[TraceStep], shown: &[usize], lane: &dyn Fn(&str) -> usize) -> Vec<Hold> {
    let first_row_from = |i: usize| shown.iter().position(|&s| s >= i);
    let last_row_to = |i: usize| shown.iter().rposition(|&s| s <= i);
    let last = shown.len() - 1;
    let mut open: Vec<(String, String, usize)> = Vec::new();
    let mut holds = Vec::new();
    let mut close =
        |thread: &str, object: &str, at: usize, open: &mut Vec<(String, String, usize)>| {
            if let Some(k) = open.iter().position(|(t, o, _)| t == thread && o == object) {
                let (thread, object, start) = open.remove(k);
                if let (Some(from), Some(to)) = (first_row_from(start), last_row_to(at))
                    && from <= to
                {
                    holds.push(Hold {
                        lane: lane(&thread),
                        object,
                        from,
                        to,
                    });
                }
            }
        };
    for (i, step) in steps.iter().enumerate() {
        let object = step.object.clone().unwrap_or_default();
        let value = step.value.clone().unwrap_or_default();
        match kind_of(step) {
            StepKind::Lock if step.action.starts_with("woken") => {
                open.push((step.thread.clone(), value, i))
            }
            StepKind::Lock => open.push((step.thread.clone(), object, i)),
            StepKind::Unlock => close(&step.thread, &object, i, &mut open),
            StepKind::Wait if step.action == "wait" => close(&step.thread, &value, i, &mut open),
            _ => {}
        }
    }
    for (thread, object, start) in open {
        if let Some(from) = first_row_from(start) {
            holds.push(Hold {
                lane: lane(&thread),
                object,
                from,
                to: last,
            });
        }
    }
    holds.sort_by_key(|h| (h.lane, h.from));
    holds
}

/// Each blocked thread and who holds what it waits for, at the end of `steps`.
fn wait_for(steps: &[TraceStep]) -> Vec<WaitFor> {
    let mut threads: Vec<&str> = Vec::new();
    for step in steps {
        if !threads.contains(&step.thread.as_str()) {
            threads.push(&step.thread);
        }
    }
    let mut held: Vec<(String, String)> = Vec::new();
    for step in steps {
        let object = step.object.clone().unwrap_or_default();
        let value = step.value.clone().unwrap_or_default();
        match kind_of(step) {
            StepKind::Lock if step.action.starts_with("woken") => {
                held.push((step.thread.clone(), value))
            }
            StepKind::Lock => held.push((step.thread.clone(), object)),
            StepKind::Unlock => held.retain(|(t, o)| !(*t == step.thread && *o == object)),
            StepKind::Wait if step.action == "wait" => {
                held.retain(|(t, o)| !(*t == step.thread && *o == value))
            }
            _ => {}
        }
    }
    threads
        .into_iter()
        .filter_map(|thread| {
            let last = steps.iter().rfind(|s| s.thread == thread)?;
            let object = blocking_call(last)?;
            let holder = match last.action.strip_prefix("joining ") {
                Some(joined) => Some(joined.to_owned()),
                None => held
                    .iter()
                    .find(|(_, o)| *o == object)
                    .map(|(t, _)| t.clone()),
            };
            Some(WaitFor {
                thread: thread.to_owned(),
                object,
                holder,
            })
        })
        .collect()
}

/// `/lab/exercises/ex01/src/lib.rs:43` as a place, shown relative to a root.
fn place(location: &str, roots: &[&Path]) -> Option<Place> {
    let (path, line) = location.rsplit_once(':')?;
    let line = line.parse().ok()?;
    let shown = roots
        .iter()
        .find_map(|root| path.strip_prefix(&format!("{}/", root.display())))
        .unwrap_or(path)
        .to_owned();
    Some(Place {
        path: path.to_owned(),
        shown,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::swimlane;
    use crate::render::page::lanes::{Mark, StepKind};
    use racelab_harness::TraceStep;
    use std::path::Path;

    fn step(thread: &str, action: &str, object: &str, value: &str, line: u32) -> TraceStep {
        TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: (!value.is_empty()).then(|| value.into()),
            object: (!object.is_empty()).then(|| object.into()),
            location: Some(format!("/lab/src/lib.rs:{line}")),
            callers: Vec::new(),
            ordering: None,
        }
    }

    #[test]
    fn a_data_race_marks_both_accesses_and_joins_them() {
        let steps = [
            step("T2", "store", "cell#1", "1000", 60),
            step("T1", "load", "cell#1", "1000", 74),
        ];
        let lanes = swimlane(&steps, "Causality violation", &[Path::new("/lab")]).unwrap();
        assert_eq!(lanes.threads, ["T1", "T2"]);
        assert_eq!(lanes.steps[0].lane, 1);
        assert_eq!(lanes.steps[0].mark, Some(Mark::Racing));
        assert_eq!(lanes.steps[1].mark, Some(Mark::Racing));
        assert_eq!(
            lanes.steps[0].shared,
            Some(("cell#1".into(), "1000".into()))
        );
        let edge = lanes.missing_edge.unwrap();
        assert_eq!((edge.from, edge.to), (0, 1));
        assert_eq!(lanes.steps[1].place.as_ref().unwrap().shown, "src/lib.rs");
    }

    #[test]
    fn a_lock_cycle_has_bars_and_a_wait_for_edge_per_thread() {
        let steps = [
            step("T1", "lock", "Mutex#1", "", 58),
            step("T2", "lock", "Mutex#2", "", 58),
            step("T1", "acquire", "Mutex#2", "", 62),
            step("T2", "acquire", "Mutex#1", "", 62),
        ];
        let lanes = swimlane(&steps, "deadlock! every thread is blocked", &[]).unwrap();
        assert_eq!(lanes.holds.len(), 2);
        assert_eq!((lanes.holds[0].from, lanes.holds[0].to), (0, 3));
        assert_eq!(lanes.steps[2].kind, StepKind::Wait);
        assert_eq!(lanes.steps[2].mark, Some(Mark::Blocked));
        let edges: Vec<_> = lanes
            .wait_for
            .iter()
            .map(|w| (w.thread.as_str(), w.object.as_str(), w.holder.as_deref()))
            .collect();
        assert_eq!(
            edges,
            [("T1", "Mutex#2", Some("T2")), ("T2", "Mutex#1", Some("T1"))]
        );
    }
}
