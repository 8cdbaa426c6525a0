//! A wrong result explained from the trace: the last place where a thread read a
//! value, another thread then wrote it, and the first thread went on to write it from
//! what it had read — a lost update, or a check-then-act acting on a check that no
//! longer holds. The text table says it under its `✗` line, and the page joins the two
//! steps; both find it here, and [`Conflict::holds`] checks the sentence against the
//! steps it speaks of.

use racelab_harness::trace::{Event, Step, Thread, Value};

/// Three steps on one object, as indexes into the steps they were found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    /// The first thread's read.
    pub read: usize,
    /// The other thread's write, after that read.
    pub between: usize,
    /// The first thread's own write, after the other's.
    pub rewrite: usize,
}

/// Whether `event` reads its object and writes nothing: a load, a read through a
/// guard.
fn reads_only(event: &Event) -> bool {
    matches!(event, Event::Load { .. } | Event::GuardRead { .. })
}

impl Conflict {
    /// The last conflict among the steps at `shown` (indexes into `steps`, in order).
    pub fn last(steps: &[Step], shown: &[usize]) -> Option<Conflict> {
        let step = |row: usize| &steps[shown[row]];
        (0..shown.len()).rev().find_map(|k| {
            let late = step(k);
            let object = late.event.object().filter(|_| late.event.writes())?;
            let read = (0..k).rev().find(|&i| {
                step(i).thread == late.thread
                    && step(i).event.object() == Some(object)
                    && reads_only(&step(i).event)
            })?;
            let between = (read + 1..k).find(|&j| {
                step(j).thread != late.thread
                    && step(j).event.object() == Some(object)
                    && step(j).event.writes()
            })?;
            Some(Conflict {
                read: shown[read],
                between: shown[between],
                rewrite: shown[k],
            })
        })
    }

    /// The thread that read, then wrote from what it read.
    pub fn reader(&self, steps: &[Step]) -> Thread {
        steps[self.read].thread
    }

    /// Whether what [`Conflict::sentence`] says holds in `steps`: one object; the
    /// read by one thread, then a write by another, then a write by the first; and the
    /// first thread does not read the object again between its read and its write.
    pub fn holds(&self, steps: &[Step]) -> bool {
        let Conflict {
            read,
            between,
            rewrite,
        } = *self;
        if !(read < between && between < rewrite && rewrite < steps.len()) {
            return false;
        }
        let (r, b, w) = (&steps[read], &steps[between], &steps[rewrite]);
        let object = r.event.object();
        object.is_some()
            && b.event.object() == object
            && w.event.object() == object
            && reads_only(&r.event)
            && b.event.writes()
            && w.event.writes()
            && r.thread == w.thread
            && b.thread != r.thread
            && !steps[read + 1..rewrite]
                .iter()
                .any(|s| s.thread == r.thread && s.event.object() == object && reads_only(&s.event))
    }

    /// What happened, in one sentence naming each step by `line` (how the table shows
    /// a step's place, e.g. `:43`) and the values the steps carry.
    pub fn sentence(&self, steps: &[Step], line: &dyn Fn(usize) -> String) -> String {
        let (r, b, w) = (
            &steps[self.read],
            &steps[self.between],
            &steps[self.rewrite],
        );
        let object = r
            .event
            .object()
            .map_or_else(|| "it".to_owned(), ToString::to_string);
        let value = |v: Option<Value>| v.map(|v| format!(" ({v})")).unwrap_or_default();
        format!(
            "{} read {object} at {}{}; {} then wrote it at {}{}; {}, acting on what it had read, wrote it at {}{}, though that value was out of date.",
            r.thread,
            line(self.read),
            value(r.event.read().cloned()),
            b.thread,
            line(self.between),
            value(b.event.written()),
            w.thread,
            line(self.rewrite),
            value(w.event.written()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Conflict;
    use proptest::prelude::*;
    use racelab_harness::trace::{Event, Object, ObjectKind, Ordering, Step, Thread, Value};

    fn cell(number: u32) -> Object {
        Object {
            kind: ObjectKind::AtomicU64,
            number,
            name: None,
        }
    }

    fn step(thread: u32, event: Event) -> Step {
        Step {
            thread: Thread::Spawned(thread),
            event,
            place: None,
            callers: Vec::new(),
        }
    }

    fn load(thread: u32, object: u32, value: i64) -> Step {
        step(
            thread,
            Event::Load {
                object: cell(object),
                ordering: Some(Ordering::SeqCst),
                value: Value::Integer(value),
            },
        )
    }

    fn store(thread: u32, object: u32, value: i64) -> Step {
        step(
            thread,
            Event::Store {
                object: cell(object),
                ordering: Some(Ordering::SeqCst),
                value: Value::Integer(value),
            },
        )
    }

    #[test]
    fn a_lost_update_is_found_and_said_from_its_steps() {
        let steps = [
            load(1, 1, 0),
            load(2, 1, 0),
            store(2, 1, 100),
            store(1, 1, 200),
        ];
        let all: Vec<usize> = (0..steps.len()).collect();
        let conflict = Conflict::last(&steps, &all).expect("T2 writes between T1's read and write");
        assert_eq!(
            (conflict.read, conflict.between, conflict.rewrite),
            (0, 2, 3)
        );
        assert!(conflict.holds(&steps));
        let said = conflict.sentence(&steps, &|i| format!(":{}", 40 + i));
        assert_eq!(
            said,
            "T1 read AtomicU64#1 at :40 (0); T2 then wrote it at :42 (100); T1, acting on what it had read, wrote it at :43 (200), though that value was out of date."
        );
    }

    #[test]
    fn updates_in_turn_are_no_conflict() {
        let steps = [
            load(1, 1, 0),
            store(1, 1, 100),
            load(2, 1, 100),
            store(2, 1, 200),
        ];
        let all: Vec<usize> = (0..steps.len()).collect();
        assert_eq!(Conflict::last(&steps, &all), None);
    }

    fn any_step() -> impl Strategy<Value = Step> {
        (1_u32..4, 1_u32..3, any::<bool>(), 0_i64..4).prop_map(|(thread, object, write, value)| {
            if write {
                store(thread, object, value)
            } else {
                load(thread, object, value)
            }
        })
    }

    proptest! {
        /// Whatever the trace, a conflict found is one the checker confirms: the
        /// sentence never claims what the steps do not show.
        #[test]
        fn every_conflict_found_holds(steps in prop::collection::vec(any_step(), 0..24)) {
            let all: Vec<usize> = (0..steps.len()).collect();
            if let Some(conflict) = Conflict::last(&steps, &all) {
                prop_assert!(conflict.holds(&steps), "{conflict:?}");
            }
        }
    }
}
