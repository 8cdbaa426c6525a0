//! The deadlock report: when loom or shuttle finds every thread blocked, which thread
//! holds which lock and waits for what, derived from the recorded steps.
//!
//! ```text
//! | thread | holds                   | waits for               |
//! | T1     | Mutex#1   src/lib.rs:58 | Mutex#2   src/lib.rs:62 |
//! | T2     | Mutex#2   src/lib.rs:58 | Mutex#1   src/lib.rs:62 |
//! ✗ T1 waits for Mutex#2, which T2 holds; T2 waits for Mutex#1, which T1 holds: none of them can ever go on
//! ```
//!
//! The facade records a step before each call that can block (a lock requested, a
//! `wait` on a condition variable, a join requested) and one when it returns (the
//! lock acquired, `woken`, joined), so a thread whose last step is the first of such a
//! pair is blocked there. What it holds is every lock it took (acquired, a `try_lock`
//! that took it, `woken`) and has not released (released, or `wait`, which releases
//! the mutex it names).
//!
//! The last line (`✗ …`) is derived from the steps, and says only what they show: a
//! lost wakeup's sentence is a [`Wakeup`], whose claims [`Wakeup::holds`] checks
//! against the steps again (the tests do, for every kind). A `try_lock` never blocks (the facade
//! sees to it under loom too), so a thread that holds a lock and waits for nothing
//! can still move: then the steps show no deadlock, and no table claims one.

use racelab_harness::trace::{Event, Object, Place, Step, Thread};
use std::path::Path;

/// The threads blocked at the end of a deadlocked execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// Every thread of the execution, in table order, with what it holds and waits for.
    threads: Vec<ThreadState>,
    /// The notifications sent, in order.
    notifications: Vec<Notification>,
}

/// One thread at the end of the execution.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ThreadState {
    name: Thread,
    /// The locks it holds, each with the place that took it.
    holds: Vec<(Object, Option<Place>)>,
    /// What it is blocked on, if anything.
    waits: Option<Wait>,
}

/// A `notify_one` or `notify_all`: who sent it, on what, where, and its step's index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Notification {
    thread: Thread,
    condvar: Object,
    place: Option<Place>,
    at: usize,
}

/// What a blocked thread waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wait {
    /// A mutex another thread holds (or one it holds itself).
    Lock { mutex: Object, place: Option<Place> },
    /// A notification on a condition variable, since the step at index `since`.
    Notify {
        condvar: Object,
        place: Option<Place>,
        since: usize,
    },
    /// Another thread to finish.
    Join { thread: Thread },
}

/// Why a thread waiting on a condition variable is never woken: what the steps show
/// of the notifications on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    missing_docs,
    reason = "the waiter, its condition variable, and the indexes of the steps that notified and waited"
)]
pub enum Wakeup {
    /// No thread notified the condition variable at all.
    NeverNotified { waiter: Thread, condvar: Object },
    /// The last notification came before the waiter's last wait began (step indexes).
    NotifiedBeforeTheWait {
        waiter: Thread,
        condvar: Object,
        notified: usize,
        waited: usize,
    },
    /// The last notification came after the wait began, and woke another thread.
    WokeAnother {
        waiter: Thread,
        condvar: Object,
        notified: usize,
        waited: usize,
    },
}

impl Wakeup {
    /// Whether what this says holds in `steps`: the checker of the sentence.
    pub fn holds(&self, steps: &[Step]) -> bool {
        let notified_on = |condvar: &Object, at: usize| {
            matches!(&steps.get(at).map(|s| &s.event),
                Some(Event::Notify { condvar: on, .. }) if on == condvar)
        };
        let last_notify = |condvar: &Object| {
            steps.iter().rposition(
                |s| matches!(&s.event, Event::Notify { condvar: on, .. } if on == condvar),
            )
        };
        let last_step_waits = |waiter: Thread, condvar: &Object, waited: usize| {
            steps.iter().rposition(|s| s.thread == waiter) == Some(waited)
                && matches!(&steps[waited].event, Event::Wait { condvar: on, .. } if on == condvar)
        };
        match self {
            Wakeup::NeverNotified { condvar, .. } => last_notify(condvar).is_none(),
            Wakeup::NotifiedBeforeTheWait {
                waiter,
                condvar,
                notified,
                waited,
            } => {
                notified < waited
                    && notified_on(condvar, *notified)
                    && last_notify(condvar) == Some(*notified)
                    && last_step_waits(*waiter, condvar, *waited)
            }
            Wakeup::WokeAnother {
                waiter,
                condvar,
                notified,
                waited,
            } => {
                notified > waited
                    && last_notify(condvar) == Some(*notified)
                    && last_step_waits(*waiter, condvar, *waited)
                    && steps[*notified..].iter().any(|s| {
                        s.thread != *waiter
                            && matches!(&s.event, Event::Woken { condvar: on, .. } if on == condvar)
                    })
            }
        }
    }
}

impl Deadlock {
    /// What `steps` say about the blocked threads, or `None` when no thread's last
    /// step is a blocking call (the facade's steps were not recorded).
    pub fn from_steps(steps: &[Step]) -> Option<Deadlock> {
        let mut threads: Vec<ThreadState> = Vec::new();
        let mut notifications = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let at = match threads.iter().position(|t| t.name == step.thread) {
                Some(at) => at,
                None => {
                    threads.push(ThreadState {
                        name: step.thread,
                        holds: Vec::new(),
                        waits: None,
                    });
                    threads.len() - 1
                }
            };
            let thread = &mut threads[at];
            let place = step.place.clone();
            thread.waits = None;
            match &step.event {
                Event::LockRequested { object, .. } => {
                    thread.waits = Some(Wait::Lock {
                        mutex: object.clone(),
                        place,
                    });
                }
                Event::LockAcquired { object, .. }
                | Event::TryLock {
                    object,
                    acquired: true,
                    ..
                } => thread.holds.push((object.clone(), place)),
                Event::LockReleased { object } => thread.holds.retain(|(held, _)| held != object),
                Event::Wait { condvar, mutex } => {
                    thread.holds.retain(|(held, _)| held != mutex);
                    thread.waits = Some(Wait::Notify {
                        condvar: condvar.clone(),
                        place,
                        since: index,
                    });
                }
                Event::Woken { mutex, .. } => thread.holds.push((mutex.clone(), place)),
                Event::Notify { condvar, .. } => notifications.push(Notification {
                    thread: step.thread,
                    condvar: condvar.clone(),
                    place,
                    at: index,
                }),
                Event::JoinRequested { thread: joined } => {
                    thread.waits = Some(Wait::Join { thread: *joined });
                }
                _ => {}
            }
        }
        if threads.iter().all(|t| t.waits.is_none()) {
            return None;
        }
        // A thread that holds a lock and waits for nothing (its last step a `try_lock`,
        // say) can still move, so the steps show no deadlock, whatever the explorer
        // said: the facade's `try_lock` never blocks.
        if threads
            .iter()
            .any(|t| t.waits.is_none() && !t.holds.is_empty())
        {
            return None;
        }
        threads.retain(|t| t.waits.is_some() || !t.holds.is_empty());
        threads.sort_by_key(|t| (t.name == Thread::Main, t.name));
        Some(Deadlock {
            threads,
            notifications,
        })
    }

    /// One line for the stage's summary.
    pub fn summary(&self) -> String {
        if let Some(cycle) = self.lock_cycle() {
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| self.threads[i].name.to_string())
                .collect();
            if let [alone] = names.as_slice() {
                return format!("deadlock: {alone} waits for a lock it holds itself");
            }
            let whom = if names.len() == 2 {
                "the other"
            } else {
                "the next one"
            };
            return format!(
                "deadlock: {} each hold a lock {whom} waits for, so none can go on",
                and_list(&names)
            );
        }
        if let Some(wakeup) = self.lost_wakeup() {
            let (Wakeup::NeverNotified { waiter, condvar }
            | Wakeup::NotifiedBeforeTheWait {
                waiter, condvar, ..
            }
            | Wakeup::WokeAnother {
                waiter, condvar, ..
            }) = wakeup;
            return format!(
                "deadlock: {waiter} waits on {condvar} for a notification that never comes (a lost wakeup)"
            );
        }
        let blocked: Vec<String> = self
            .threads
            .iter()
            .filter_map(|t| Some(format!("{} waits for {}", t.name, t.waits.as_ref()?.what())))
            .collect();
        format!("deadlock: every thread is blocked — {}", blocked.join(", "))
    }

    /// The table (each thread, what it holds, what it waits for, with their places
    /// relative to the first of `roots` that holds them) and a last line saying why
    /// no thread can go on, wrapped at spaces to `width`. A table too wide for
    /// `width` with its places leaves them out (the interleaving above shows them).
    pub fn render(&self, roots: &[&Path], width: usize) -> String {
        let table = self.table(roots, true);
        let table = if table.lines().any(|l| l.chars().count() > width) {
            self.table(roots, false)
        } else {
            table
        };
        let why = super::wrap::words(&self.explanation(roots), width.saturating_sub(2));
        let why: Vec<String> = why
            .iter()
            .enumerate()
            .map(|(i, line)| format!("{} {line}", if i == 0 { "✗" } else { " " }))
            .collect();
        format!("{table}\n{}", why.join("\n"))
    }

    /// The table's lines, with or without the places of what is held and waited for.
    fn table(&self, roots: &[&Path], with_places: bool) -> String {
        let shown = |place: &Option<Place>| -> String {
            match place {
                Some(place)
                    if with_places && super::interleaving::is_subjects_location(&place.file) =>
                {
                    format!("   {}", relative(place, roots))
                }
                _ => String::new(),
            }
        };
        let rows: Vec<[String; 3]> = self
            .threads
            .iter()
            .map(|t| {
                let holds: Vec<String> = t
                    .holds
                    .iter()
                    .map(|(lock, at)| format!("{lock}{}", shown(at)))
                    .collect();
                let waits = match &t.waits {
                    None => String::new(),
                    Some(Wait::Lock { mutex, place }) => format!("{mutex}{}", shown(place)),
                    Some(Wait::Notify { condvar, place, .. }) => {
                        format!("a notify on {condvar}{}", shown(place))
                    }
                    Some(Wait::Join { thread }) => format!("{thread} to finish"),
                };
                [t.name.to_string(), holds.join(", "), waits]
            })
            .collect();
        let header = ["thread", "holds", "waits for"].map(str::to_owned);
        // Each column as wide as its own widest cell: thread names are short.
        let widths: Vec<usize> = (0..3)
            .map(|column| {
                rows.iter()
                    .chain([&header])
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |row: &[String; 3]| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, &width)| format!(" {cell:<width$} "))
                .collect();
            format!("|{}|", cells.join("|"))
        };
        let mut lines = vec![line(&header)];
        lines.extend(rows.iter().map(line));
        lines.join("\n")
    }

    /// Why no thread can go on, in a sentence.
    fn explanation(&self, roots: &[&Path]) -> String {
        if let Some(cycle) = self.lock_cycle() {
            let links: Vec<String> = cycle
                .iter()
                .filter_map(|&i| {
                    let thread = &self.threads[i];
                    let Some(Wait::Lock { mutex, .. }) = &thread.waits else {
                        return None;
                    };
                    let holder = self.holder_of(mutex)?;
                    Some(format!(
                        "{} waits for {mutex}, which {} holds",
                        thread.name, self.threads[holder].name
                    ))
                })
                .collect();
            if cycle.len() == 1 {
                return format!(
                    "{}: a thread that asks again for a lock it holds waits for ever",
                    links.join("; ")
                );
            }
            return format!("{}: none of them can ever go on", links.join("; "));
        }
        if let Some(wakeup) = self.lost_wakeup() {
            let sent = |at: usize| {
                let note = self.notifications.iter().find(|n| n.at == at);
                match note.and_then(|n| Some((n, n.place.as_ref()?))) {
                    Some((n, place)) => format!("{} at {}", n.thread, relative(place, roots)),
                    None => note.map_or_else(String::new, |n| n.thread.to_string()),
                }
            };
            return match wakeup {
                Wakeup::NeverNotified { waiter, condvar } => format!(
                    "{waiter} waits on {condvar} for ever: no thread notified it, and none is left that could"
                ),
                Wakeup::NotifiedBeforeTheWait {
                    waiter,
                    condvar,
                    notified,
                    ..
                } => format!(
                    "{waiter} waits on {condvar} for ever: the last notification ({}) came before this wait began, and a condition variable does not remember one",
                    sent(notified)
                ),
                Wakeup::WokeAnother {
                    waiter,
                    condvar,
                    notified,
                    ..
                } => format!(
                    "{waiter} waits on {condvar} for ever: the last notification ({}) woke another thread, and none is left to notify again",
                    sent(notified)
                ),
            };
        }
        "every thread is blocked, and none can wake another".into()
    }

    /// The threads of a cycle of lock waits (each waits for a lock the next holds),
    /// if there is one.
    fn lock_cycle(&self) -> Option<Vec<usize>> {
        let next = |i: usize| -> Option<usize> {
            match &self.threads[i].waits {
                Some(Wait::Lock { mutex, .. }) => self.holder_of(mutex),
                _ => None,
            }
        };
        for start in 0..self.threads.len() {
            let mut path = vec![start];
            let mut at = start;
            while let Some(following) = next(at) {
                if let Some(begin) = path.iter().position(|&p| p == following) {
                    let mut cycle = path[begin..].to_vec();
                    let first = cycle.iter().enumerate().min_by_key(|(_, i)| **i)?.0;
                    cycle.rotate_left(first);
                    return Some(cycle);
                }
                path.push(following);
                at = following;
            }
        }
        None
    }

    /// The thread holding `mutex`, if one does.
    fn holder_of(&self, mutex: &Object) -> Option<usize> {
        self.threads
            .iter()
            .position(|t| t.holds.iter().any(|(held, _)| held == mutex))
    }

    /// A thread waiting on a condition variable, and what the steps show of the
    /// notifications it missed, when no lock cycle explains the deadlock.
    pub fn lost_wakeup(&self) -> Option<Wakeup> {
        self.threads.iter().find_map(|t| {
            let Some(Wait::Notify { condvar, since, .. }) = &t.waits else {
                return None;
            };
            let (waiter, condvar, waited) = (t.name, condvar.clone(), *since);
            let last = self
                .notifications
                .iter()
                .rfind(|n| n.condvar == condvar)
                .map(|n| n.at);
            Some(match last {
                None => Wakeup::NeverNotified { waiter, condvar },
                Some(notified) if notified < waited => Wakeup::NotifiedBeforeTheWait {
                    waiter,
                    condvar,
                    notified,
                    waited,
                },
                Some(notified) => Wakeup::WokeAnother {
                    waiter,
                    condvar,
                    notified,
                    waited,
                },
            })
        })
    }
}

impl Wait {
    /// What is waited for, in words.
    fn what(&self) -> String {
        match self {
            Wait::Lock { mutex, .. } => mutex.to_string(),
            Wait::Notify { condvar, .. } => format!("a notify on {condvar}"),
            Wait::Join { thread } => format!("{thread} to finish"),
        }
    }
}

/// `place` as `file:line`, its file relative to the first of `roots` that holds it.
fn relative(place: &Place, roots: &[&Path]) -> String {
    let file = roots
        .iter()
        .find_map(|root| place.file.strip_prefix(&format!("{}/", root.display())))
        .unwrap_or(&place.file);
    format!("{file}:{}", place.line)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether a failure message is loom's or shuttle's report of a deadlock.
pub fn is_deadlock(message: &str) -> bool {
    message.starts_with("deadlock")
}

#[cfg(test)]
mod tests {
    use super::{Deadlock, Wakeup};
    use crate::render::sample::{
        acquired, condvar, join_requested, mutex, notify, released, requested, step, try_lock,
        wait, woken,
    };
    use racelab_harness::trace::Step;
    use std::path::Path;

    /// T1 moves money from account 1 to 2, T2 from 2 to 1; each locks its source first.
    fn crossed_transfers() -> Vec<Step> {
        vec![
            step("T1", requested(mutex(1)), 58),
            step("T1", acquired(mutex(1)), 58),
            step("T2", requested(mutex(2)), 58),
            step("T2", acquired(mutex(2)), 58),
            step("T1", requested(mutex(2)), 62),
            step("T2", requested(mutex(1)), 62),
            step("main", join_requested("T1"), 40),
        ]
    }

    /// Whether "`waiter` waits for `lock`, which `holder` holds" holds in `steps`:
    /// the waiter's last step asks for the lock, and the holder took it last without
    /// releasing it.
    fn waits_for_held(steps: &[Step], waiter: &str, lock: u32, holder: &str) -> bool {
        let last_of = |label: &str| steps.iter().rfind(|s| s.thread.to_string() == label);
        let asks = last_of(waiter).is_some_and(|s| s.event == requested(mutex(lock)));
        let took = steps
            .iter()
            .rposition(|s| s.thread.to_string() == holder && s.event == acquired(mutex(lock)));
        let gave_back = steps
            .iter()
            .rposition(|s| s.thread.to_string() == holder && s.event == released(mutex(lock)));
        asks && took.is_some() && gave_back.is_none_or(|r| Some(r) < took)
    }

    #[test]
    fn crossed_locks_are_named_with_who_holds_and_who_waits() {
        let steps = crossed_transfers();
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        assert_eq!(
            deadlock.summary(),
            "deadlock: T1 and T2 each hold a lock the other waits for, so none can go on"
        );
        let table = deadlock.render(&[Path::new("/lab/ex")], 1000);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("| thread ") && lines[0].contains("| waits for"),
            "{table}"
        );
        assert!(
            lines[1].contains("| Mutex#1   src/lib.rs:58 | Mutex#2   src/lib.rs:62"),
            "{table}"
        );
        assert!(
            lines[2].contains("| Mutex#2   src/lib.rs:58 | Mutex#1   src/lib.rs:62"),
            "{table}"
        );
        assert!(
            lines[3].starts_with("| main") && lines[3].contains("T1 to finish"),
            "{table}"
        );
        assert!(
            lines[4].starts_with(
                "✗ T1 waits for Mutex#2, which T2 holds; T2 waits for Mutex#1, which T1 holds"
            ),
            "{table}"
        );
        // The sentence's claims, checked against the steps.
        assert!(waits_for_held(&steps, "T1", 2, "T2"));
        assert!(waits_for_held(&steps, "T2", 1, "T1"));
    }

    #[test]
    fn a_narrow_table_leaves_the_places_out_and_wraps_its_sentence() {
        let deadlock = Deadlock::from_steps(&crossed_transfers()).unwrap();
        let table = deadlock.render(&[Path::new("/lab/ex")], 50);
        assert!(table.lines().all(|l| l.chars().count() <= 50), "{table}");
        assert!(!table.contains("src/lib.rs"), "{table}");
        assert!(table.lines().last().unwrap().starts_with("  "), "{table}");
    }

    #[test]
    fn a_released_lock_is_not_held_and_a_try_lock_that_failed_takes_nothing() {
        let steps = [
            step("T1", requested(mutex(1)), 10),
            step("T1", acquired(mutex(1)), 10),
            step("T1", released(mutex(1)), 11),
            step("T1", try_lock(mutex(2), false), 12),
            step("T1", requested(mutex(3)), 13),
        ];
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        let table = deadlock.render(&[Path::new("/lab/ex")], 1000);
        assert!(
            !table.contains("Mutex#1") && !table.contains("Mutex#2"),
            "{table}"
        );
        assert!(table.contains("Mutex#3   src/lib.rs:13"), "{table}");
    }

    #[test]
    fn a_lost_wakeup_names_the_waiter_and_the_notification_it_missed() {
        let steps = [
            step("T2", notify(condvar(2)), 48),
            step("T1", requested(mutex(1)), 60),
            step("T1", acquired(mutex(1)), 60),
            step("T1", wait(condvar(2), mutex(1)), 62),
            step("main", join_requested("T1"), 30),
        ];
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        assert_eq!(
            deadlock.summary(),
            "deadlock: T1 waits on Condvar#2 for a notification that never comes (a lost wakeup)"
        );
        let table = deadlock.render(&[Path::new("/lab/ex")], 1000);
        assert!(
            table.contains("a notify on Condvar#2   src/lib.rs:62"),
            "{table}"
        );
        assert!(
            !table.lines().nth(1).unwrap().contains("Mutex#1"),
            "a waiter releases its mutex:\n{table}"
        );
        assert!(
            table.ends_with(
                "✗ T1 waits on Condvar#2 for ever: the last notification (T2 at src/lib.rs:48) came before this wait began, and a condition variable does not remember one"
            ),
            "{table}"
        );
        let wakeup = deadlock.lost_wakeup().unwrap();
        assert!(
            matches!(wakeup, Wakeup::NotifiedBeforeTheWait { .. }),
            "{wakeup:?}"
        );
        assert!(wakeup.holds(&steps));
    }

    /// ex05 under loom: T1 waits, T2 notifies and T1 wakes, then T1 waits again and
    /// nobody notifies after that. The notification did find a thread waiting, so the
    /// sentence must not say it found none (it once did).
    #[test]
    fn a_second_wait_after_the_last_notification_is_told_as_such() {
        let steps = [
            step("T1", acquired(mutex(1)), 55),
            step("T1", wait(condvar(3), mutex(1)), 60),
            step("T2", notify(condvar(3)), 48),
            step("T1", woken(condvar(3), mutex(1), false), 60),
            step("T1", wait(condvar(3), mutex(1)), 60),
            step("main", join_requested("T1"), 30),
        ];
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        let table = deadlock.render(&[Path::new("/lab/ex")], 1000);
        assert!(!table.contains("found no thread waiting"), "{table}");
        assert!(table.contains("came before this wait began"), "{table}");
        let wakeup = deadlock.lost_wakeup().unwrap();
        assert!(wakeup.holds(&steps), "{wakeup:?}");
        // The checker can fail: the same claim about the first wait is false.
        let first_wait = Wakeup::NotifiedBeforeTheWait {
            waiter: steps[1].thread,
            condvar: condvar(3),
            notified: 2,
            waited: 1,
        };
        assert!(!first_wait.holds(&steps));
    }

    #[test]
    fn a_condition_variable_nobody_notifies_is_said_so() {
        let steps = [
            step("T1", acquired(mutex(1)), 55),
            step("T1", wait(condvar(3), mutex(1)), 60),
        ];
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        let wakeup = deadlock.lost_wakeup().unwrap();
        assert!(matches!(wakeup, Wakeup::NeverNotified { .. }));
        assert!(wakeup.holds(&steps));
        assert!(deadlock.render(&[], 1000).contains("no thread notified it"));
        let mut notified = steps.to_vec();
        notified.insert(0, step("T2", notify(condvar(3)), 48));
        assert!(!wakeup.holds(&notified));
    }

    #[test]
    fn a_notification_that_woke_another_waiter_is_said_so() {
        let steps = [
            step("T1", wait(condvar(3), mutex(1)), 60),
            step("T2", wait(condvar(3), mutex(1)), 60),
            step("T3", notify(condvar(3)), 48),
            step("T2", woken(condvar(3), mutex(1), false), 60),
            step("T2", released(mutex(1)), 61),
        ];
        let deadlock = Deadlock::from_steps(&steps).unwrap();
        let wakeup = deadlock.lost_wakeup().unwrap();
        assert!(matches!(wakeup, Wakeup::WokeAnother { .. }), "{wakeup:?}");
        assert!(wakeup.holds(&steps));
        assert!(deadlock.render(&[], 1000).contains("woke another thread"));
    }

    #[test]
    fn a_thread_whose_last_step_is_a_try_lock_can_move_so_no_deadlock_is_claimed() {
        let steps = [
            step("T1", requested(mutex(1)), 10),
            step("T1", acquired(mutex(1)), 10),
            step("T2", requested(mutex(2)), 20),
            step("T2", acquired(mutex(2)), 20),
            step("T1", requested(mutex(2)), 11),
            step("T2", try_lock(mutex(1), false), 21),
        ];
        assert_eq!(Deadlock::from_steps(&steps), None);
    }

    #[test]
    fn a_spurious_wakeup_takes_the_mutex_back() {
        let steps = [
            step("T1", requested(mutex(1)), 60),
            step("T1", acquired(mutex(1)), 60),
            step("T1", wait(condvar(2), mutex(1)), 62),
            step("T1", woken(condvar(2), mutex(1), true), 62),
            step("T2", requested(mutex(1)), 40),
        ];
        let deadlock = Deadlock::from_steps(&steps);
        assert_eq!(
            deadlock.map(|d| d.summary()),
            None,
            "T1 holds Mutex#1 again and can go on"
        );
    }

    #[test]
    fn an_execution_where_nothing_blocks_is_no_deadlock() {
        let steps = [
            step("T1", requested(mutex(1)), 10),
            step("T1", acquired(mutex(1)), 10),
        ];
        assert_eq!(Deadlock::from_steps(&steps), None);
    }
}
