//! A livelock explained from its first steps: the threads that read one object at
//! one line again and again, finding the same value each time, while no step shown
//! writes it — each waiting for a change only another thread would make. The table
//! says it under its `✗` line; [`Spin::holds`] checks the sentence against the steps.

use racelab_harness::trace::{Object, Place, Step, Thread, Value};

/// One repeated read: its object, place and value, and the threads that repeat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spin {
    /// The object read.
    pub object: Object,
    /// Where each thread reads it.
    pub place: Place,
    /// What each read found.
    pub value: Value,
    /// The threads that read it there at least twice, in the table's order.
    pub threads: Vec<Thread>,
    /// The first of those reads, whose line the sentence names (an index into the
    /// steps).
    pub first: usize,
}

/// The object, place and value a step reads without writing, if it does.
fn read_without_writing(step: &Step) -> Option<(&Object, &Place, &Value)> {
    let read = step.event.read().filter(|_| !step.event.writes())?;
    Some((step.event.object()?, step.place.as_ref()?, read))
}

impl Spin {
    /// The repeated read among the steps at `shown` (indexes into `steps`, in order)
    /// that most threads repeat, when no shown step writes its object after it began.
    pub fn find(steps: &[Step], shown: &[usize]) -> Option<Spin> {
        let mut best: Option<Spin> = None;
        for &at in shown {
            let Some((object, place, value)) = read_without_writing(&steps[at]) else {
                continue;
            };
            let same = |i: usize| read_without_writing(&steps[i]) == Some((object, place, value));
            let mut threads = Vec::new();
            for &i in shown.iter().filter(|&&i| i >= at && same(i)) {
                let thread = steps[i].thread;
                let reads = shown
                    .iter()
                    .filter(|&&j| j >= at && same(j) && steps[j].thread == thread);
                if reads.count() >= 2 && !threads.contains(&thread) {
                    threads.push(thread);
                }
            }
            let written = shown.iter().any(|&i| {
                i > at && steps[i].event.writes() && steps[i].event.object() == Some(object)
            });
            if threads.is_empty() || written {
                continue;
            }
            threads.sort_by_key(|t| (*t == Thread::Main, *t));
            if best
                .as_ref()
                .is_none_or(|b| threads.len() > b.threads.len())
            {
                best = Some(Spin {
                    object: object.clone(),
                    place: place.clone(),
                    value: value.clone(),
                    threads,
                    first: at,
                });
            }
        }
        best
    }

    /// Whether what [`Spin::sentence`] says holds in `steps`: each thread named reads
    /// the object at the place at least twice from `first` on, finding the value each
    /// time, and no step from `first` on writes the object.
    pub fn holds(&self, steps: &[Step]) -> bool {
        let Some(after) = steps.get(self.first..) else {
            return false;
        };
        let reads = |thread: Thread| {
            after
                .iter()
                .filter(|s| {
                    s.thread == thread
                        && read_without_writing(s) == Some((&self.object, &self.place, &self.value))
                })
                .count()
        };
        !self.threads.is_empty()
            && self.threads.iter().all(|&t| reads(t) >= 2)
            && !after
                .iter()
                .any(|s| s.event.writes() && s.event.object() == Some(&self.object))
    }

    /// What the threads do, in one sentence naming the read by `line` (how the table
    /// shows a step's place, e.g. `:91`).
    pub fn sentence(&self, line: &dyn Fn(usize) -> String) -> String {
        let names: Vec<String> = self.threads.iter().map(ToString::to_string).collect();
        let who = match names.as_slice() {
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            [] => "no thread".to_owned(),
        };
        let (verb, each) = if self.threads.len() == 1 {
            ("keeps", "it waits")
        } else {
            ("keep", "each waits")
        };
        format!(
            "{who} {verb} reading {} at {} and finding {}; no step above writes it, so {each} for a change that only another thread could make, and none makes it.",
            self.object,
            line(self.first),
            self.value,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Spin;
    use racelab_harness::trace::{Event, Object, ObjectKind, Ordering, Place, Step, Thread, Value};

    fn flag() -> Object {
        Object {
            kind: ObjectKind::AtomicU32,
            number: 6,
            name: None,
        }
    }

    fn at(line: u32, thread: u32, event: Event) -> Step {
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

    fn load(thread: u32, value: i64) -> Step {
        at(
            91,
            thread,
            Event::Load {
                object: flag(),
                ordering: Some(Ordering::Acquire),
                value: Value::Integer(value),
            },
        )
    }

    fn store(thread: u32, value: i64) -> Step {
        at(
            70,
            thread,
            Event::Store {
                object: flag(),
                ordering: Some(Ordering::Release),
                value: Value::Integer(value),
            },
        )
    }

    #[test]
    fn threads_reading_the_same_thing_again_are_found_and_said() {
        let steps = [load(1, 0), load(2, 0), load(1, 0), load(3, 0), load(2, 0)];
        let all: Vec<usize> = (0..steps.len()).collect();
        let spin = Spin::find(&steps, &all).expect("T1 and T2 read 0 twice each");
        assert_eq!(spin.threads, [Thread::Spawned(1), Thread::Spawned(2)]);
        assert!(spin.holds(&steps));
        assert_eq!(
            spin.sentence(&|_| ":91".to_owned()),
            "T1 and T2 keep reading AtomicU32#6 at :91 and finding 0; no step above writes it, so each waits for a change that only another thread could make, and none makes it."
        );
    }

    #[test]
    fn a_read_written_meanwhile_is_no_spin() {
        let steps = [load(1, 0), store(2, 1), load(1, 0)];
        let all: Vec<usize> = (0..steps.len()).collect();
        assert_eq!(Spin::find(&steps, &all), None);
        let steps = [load(1, 0), load(1, 1)];
        assert_eq!(Spin::find(&steps, &[0, 1]), None, "two different values");
    }

    #[test]
    fn a_claim_that_does_not_hold_is_caught() {
        let steps = [load(1, 0), load(1, 0), store(2, 1)];
        let spin = Spin {
            object: flag(),
            place: steps[0].place.clone().unwrap(),
            value: Value::Integer(0),
            threads: vec![Thread::Spawned(1)],
            first: 0,
        };
        assert!(!spin.holds(&steps), "T2 writes it after all");
        assert!(spin.holds(&steps[..2]));
    }

    proptest::proptest! {
        /// Whatever the steps, a spin found is one its sentence may claim.
        #[test]
        fn every_spin_found_holds(
            made in proptest::collection::vec((1_u32..4, proptest::bool::ANY, 0_i64..2), 0..14)
        ) {
            let steps: Vec<Step> = made
                .iter()
                .map(|&(thread, write, value)| if write { store(thread, value) } else { load(thread, value) })
                .collect();
            let all: Vec<usize> = (0..steps.len()).collect();
            if let Some(spin) = Spin::find(&steps, &all) {
                proptest::prop_assert!(spin.holds(&steps), "{spin:?}");
            }
        }
    }
}
