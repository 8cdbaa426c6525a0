//! The adapter from the recorded steps (`racelab_harness::trace::Step`, typed events)
//! to the swimlane's model. Kinds, values, places, locks and waits come from the
//! events; the steps shown, their text, the racing pair and the stale reads are
//! chosen by the functions the text tables use (`render/interleaving`, `render/race`),
//! so the picture and the console's table show the same steps.

use super::lanes::{Hold, Mark, MissingEdge, Place, Step, StepKind, Swimlane, WaitFor};
use crate::render::conflict::Conflict;
use crate::render::{deadlock, interleaving, race};
use racelab_harness::trace::{self, Event, Object, Thread};

/// The most steps drawn; a longer trace keeps its last ones (the failure is at the end).
const MAX_STEPS: usize = 60;

/// The swimlane of `steps`, which ended in `failure`; `None` when no step of the
/// subject's own code was recorded.
pub fn swimlane(steps: &[trace::Step], failure: &str) -> Option<Swimlane> {
    let shown = interleaving::shown(steps);
    let folded = shown.len().saturating_sub(MAX_STEPS);
    let shown = &shown[folded..];
    if shown.is_empty() {
        return None;
    }
    let mut threads: Vec<Thread> = Vec::new();
    for &i in shown {
        if !threads.contains(&steps[i].thread) {
            threads.push(steps[i].thread);
        }
    }
    threads.sort_by_key(|t| match t {
        Thread::Spawned(n) => (false, *n),
        Thread::Main => (true, 0),
    });
    let lane = |thread: Thread| threads.iter().position(|t| *t == thread).unwrap_or(0);
    let row = |original: usize| shown.iter().position(|&i| i == original);

    let deadlocked = deadlock::is_deadlock(failure);
    let racing = if deadlocked {
        None
    } else {
        race::racing_pair(steps)
    };
    let stale = interleaving::stale_reads(steps);
    let blocked = |i: usize| {
        deadlocked
            && waits_for(&steps[i].event).is_some()
            && !steps[i + 1..].iter().any(|s| s.thread == steps[i].thread)
    };

    // A select that drops a branch after the task wrote something: what the dropped
    // future had done stays done, what it had still to do never happens.
    let cancelled = |i: usize| {
        matches!(steps[i].event, Event::Select { .. })
            && steps[..i]
                .iter()
                .any(|s| s.thread == steps[i].thread && s.event.writes())
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
            } else if cancelled(i) {
                Some(Mark::Cancelled)
            } else {
                None
            };
            let shared = match (step.event.object(), step.event.written()) {
                (Some(object), Some(value)) if step.event.writes() => {
                    Some((object.to_string(), value.to_string()))
                }
                _ => None,
            };
            Step {
                lane: lane(step.thread),
                kind: kind_of(&step.event),
                text: interleaving::describe(step),
                shared,
                place: step.place.as_ref().map(|place| Place {
                    file: place.file.clone(),
                    line: place.line,
                }),
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
            let object = steps[load].event.object()?;
            let store = (0..load).rev().find(|&j| {
                steps[j].event.object() == Some(object)
                    && steps[j].thread != steps[load].thread
                    && steps[j].event.writes()
            })?;
            Some(MissingEdge {
                from: row(store)?,
                to,
            })
        }),
    };
    let missing_edge = match missing_edge {
        None if !drawn.iter().any(|s| s.mark.is_some()) => Conflict::last(steps, shown)
            .and_then(|c| Some((row(c.read)?, row(c.between)?)))
            .map(|(read, write)| {
                drawn[read].mark = Some(Mark::Conflict);
                drawn[write].mark = Some(Mark::Conflict);
                MissingEdge {
                    from: write,
                    to: read,
                }
            }),
        edge => edge,
    };

    Some(Swimlane {
        holds: holds(steps, shown, &lane),
        wait_for: if deadlocked {
            wait_for(steps)
        } else {
            Vec::new()
        },
        threads: threads.iter().map(ToString::to_string).collect(),
        steps: drawn,
        folded,
        missing_edge,
    })
}

/// What kind of step an event is.
fn kind_of(event: &Event) -> StepKind {
    match event {
        // A oneshot's value passes from `send` to the receiver: a write and a read
        // of the channel, drawn as any other.
        Event::Load { .. } | Event::GuardRead { .. } | Event::Received { .. } => StepKind::Read,
        Event::Store { .. } | Event::GuardWrite { .. } | Event::Sent { .. } => StepKind::Write,
        Event::Modify { .. } | Event::CompareExchange { .. } | Event::FetchUpdate { .. } => {
            StepKind::ReadModifyWrite
        }
        Event::LockAcquired { .. } | Event::Woken { .. } => StepKind::Lock,
        Event::TryLock { acquired, .. } if *acquired => StepKind::Lock,
        Event::LockReleased { .. } => StepKind::Unlock,
        Event::LockRequested { .. } | Event::Wait { .. } | Event::JoinRequested { .. } => {
            StepKind::Wait
        }
        // Named one by one, so that a new event has to be given its kind here.
        Event::TryLock { .. }
        | Event::Fence { .. }
        | Event::Notify { .. }
        | Event::Once { .. }
        | Event::Spawn { .. }
        | Event::Joined { .. }
        | Event::Yield
        | Event::Select { .. }
        | Event::Call { .. }
        | Event::Return { .. } => StepKind::Other,
    }
}

/// What a blocking call waits for, if the event is one: the lock, the condition
/// variable, or the thread to join.
fn waits_for(event: &Event) -> Option<String> {
    match event {
        Event::LockRequested { object, .. } => Some(object.to_string()),
        Event::Wait { condvar, .. } => Some(condvar.to_string()),
        Event::JoinRequested { thread } => Some(thread.to_string()),
        _ => None,
    }
}

/// The lock an event takes, if it takes one.
fn takes(event: &Event) -> Option<&Object> {
    match event {
        Event::LockAcquired { object, .. } => Some(object),
        Event::TryLock {
            object,
            acquired: true,
            ..
        } => Some(object),
        Event::Woken { mutex, .. } => Some(mutex),
        _ => None,
    }
}

/// The lock an event gives up, if it gives one up (a wait releases its mutex).
fn releases(event: &Event) -> Option<&Object> {
    match event {
        Event::LockReleased { object } => Some(object),
        Event::Wait { mutex, .. } => Some(mutex),
        _ => None,
    }
}

/// The lock each thread took, from the step that took it (or the first shown after)
/// to the step that released it (or the last shown before), or to the end.
fn holds(steps: &[trace::Step], shown: &[usize], lane: &dyn Fn(Thread) -> usize) -> Vec<Hold> {
    let first_row_from = |i: usize| shown.iter().position(|&s| s >= i);
    let last_row_to = |i: usize| shown.iter().rposition(|&s| s <= i);
    let last = shown.len() - 1;
    let mut open: Vec<(Thread, &Object, usize)> = Vec::new();
    let mut holds = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if let Some(object) = takes(&step.event) {
            open.push((step.thread, object, i));
        } else if let Some(object) = releases(&step.event)
            && let Some(k) = open
                .iter()
                .position(|(t, o, _)| *t == step.thread && *o == object)
        {
            let (thread, object, start) = open.remove(k);
            if let (Some(from), Some(to)) = (first_row_from(start), last_row_to(i))
                && from <= to
            {
                holds.push(Hold {
                    lane: lane(thread),
                    object: object.to_string(),
                    from,
                    to,
                });
            }
        }
    }
    for (thread, object, start) in open {
        if let Some(from) = first_row_from(start) {
            holds.push(Hold {
                lane: lane(thread),
                object: object.to_string(),
                from,
                to: last,
            });
        }
    }
    holds.sort_by_key(|h| (h.lane, h.from));
    holds
}

/// Each blocked thread and who holds what it waits for, at the end of `steps`.
fn wait_for(steps: &[trace::Step]) -> Vec<WaitFor> {
    let mut threads: Vec<Thread> = Vec::new();
    let mut held: Vec<(Thread, &Object)> = Vec::new();
    for step in steps {
        if !threads.contains(&step.thread) {
            threads.push(step.thread);
        }
        if let Some(object) = takes(&step.event) {
            held.push((step.thread, object));
        } else if let Some(object) = releases(&step.event) {
            held.retain(|(t, o)| !(*t == step.thread && *o == object));
        }
    }
    threads
        .into_iter()
        .filter_map(|thread| {
            let last = steps.iter().rfind(|s| s.thread == thread)?;
            let object = waits_for(&last.event)?;
            let holder = match &last.event {
                Event::JoinRequested { thread } => Some(thread.to_string()),
                Event::LockRequested { object, .. } => held
                    .iter()
                    .find(|(_, o)| *o == object)
                    .map(|(t, _)| t.to_string()),
                _ => None,
            };
            Some(WaitFor {
                thread: thread.to_string(),
                object,
                holder,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::swimlane;
    use crate::render::page::lanes::{Mark, StepKind};
    use racelab_harness::trace::{Event, LockMode, Object, ObjectKind, Place, Step, Thread, Value};

    fn at(thread: u32, event: Event, line: u32) -> Step {
        Step {
            thread: Thread::Spawned(thread),
            event,
            place: Some(Place {
                file: "src/lib.rs".into(),
                line,
                column: 9,
            }),
            callers: Vec::new(),
        }
    }

    fn object(kind: ObjectKind, number: u32) -> Object {
        Object {
            kind,
            number,
            name: None,
        }
    }

    #[test]
    fn a_data_race_marks_both_accesses_and_joins_them() {
        let cell = object(ObjectKind::Memory, 1);
        let steps = [
            at(
                2,
                Event::Store {
                    object: cell.clone(),
                    ordering: None,
                    value: Value::Integer(1000),
                },
                60,
            ),
            at(
                1,
                Event::Load {
                    object: cell,
                    ordering: None,
                    value: Value::Integer(1000),
                },
                74,
            ),
        ];
        let lanes = swimlane(&steps, "Causality violation").unwrap();
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
        assert_eq!(lanes.steps[1].place.as_ref().unwrap().line, 74);
    }

    #[test]
    fn a_lock_cycle_has_bars_and_a_wait_for_edge_per_thread() {
        let (first, second) = (object(ObjectKind::Mutex, 1), object(ObjectKind::Mutex, 2));
        let lock = |object: &Object| Event::LockAcquired {
            object: object.clone(),
            mode: LockMode::Exclusive,
        };
        let request = |object: &Object| Event::LockRequested {
            object: object.clone(),
            mode: LockMode::Exclusive,
        };
        let steps = [
            at(1, lock(&first), 58),
            at(2, lock(&second), 58),
            at(1, request(&second), 62),
            at(2, request(&first), 62),
        ];
        let lanes = swimlane(&steps, "deadlock! every thread is blocked").unwrap();
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

    #[test]
    fn a_lost_update_marks_the_read_and_the_write_that_overwrote_it() {
        let total = object(ObjectKind::Mutex, 1);
        let read = |value| Event::GuardRead {
            object: total.clone(),
            value: Some(Value::Integer(value)),
        };
        let write = |value| Event::GuardWrite {
            object: total.clone(),
            value: Some(Value::Integer(value)),
        };
        let steps = [
            at(1, read(500), 41),
            at(2, read(500), 41),
            at(2, write(0), 46),
            at(1, write(-500), 46),
        ];
        let lanes = swimlane(&steps, "approved payouts broken").unwrap();
        let marks: Vec<_> = lanes.steps.iter().map(|s| s.mark).collect();
        assert_eq!(
            marks,
            [Some(Mark::Conflict), None, Some(Mark::Conflict), None]
        );
        let edge = lanes.missing_edge.unwrap();
        assert_eq!((edge.from, edge.to), (2, 0));
    }
}
