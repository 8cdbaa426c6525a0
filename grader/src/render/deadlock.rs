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
//! The facade records a step before each call that can block (`acquire` before a
//! lock, `wait` on a condition variable, `joining T1`) and one when it returns (`lock`,
//! `woken`, `join T1`), so a thread whose last step is the first of such a pair is
//! blocked there. What it holds is every lock it took (`lock`, a `try_lock` that
//! `acquired`, `woken`, `woken spuriously`) and has not released (`unlock`, or
//! `wait`, which releases the mutex it names). A `try_lock` never blocks (the facade
//! sees to it under loom too), so a thread that holds a lock and waits for nothing
//! can still move: then the steps show no deadlock, and no table claims one.

use super::step_text::{self, TraceStep};
use racelab_harness::trace::Step;
use std::path::Path;

/// The threads blocked at the end of a deadlocked execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// Every thread of the execution, in table order, with what it holds and waits for.
    threads: Vec<ThreadState>,
    /// The notifications sent, in order: (thread, condition variable, line).
    notifications: Vec<(String, String, Option<String>)>,
}

/// One thread at the end of the execution.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ThreadState {
    name: String,
    /// The locks it holds, each with the line that took it.
    holds: Vec<(String, Option<String>)>,
    /// What it is blocked on, if anything.
    waits: Option<Wait>,
}

/// What a blocked thread waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wait {
    /// A mutex another thread holds (or one it holds itself).
    Lock {
        mutex: String,
        location: Option<String>,
    },
    /// A notification on a condition variable.
    Notify {
        condvar: String,
        location: Option<String>,
    },
    /// Another thread to finish.
    Join { thread: String },
}

impl Deadlock {
    /// What `steps` say about the blocked threads, or `None` when no thread's last
    /// step is a blocking call (the facade's steps were not recorded).
    pub fn from_steps(steps: &[Step]) -> Option<Deadlock> {
        Deadlock::from_texts(&step_text::texts(steps))
    }

    /// [`Deadlock::from_steps`], from the steps as text.
    pub(crate) fn from_texts(steps: &[TraceStep]) -> Option<Deadlock> {
        let mut threads: Vec<ThreadState> = Vec::new();
        let mut notifications = Vec::new();
        for step in steps {
            let at = match threads.iter().position(|t| t.name == step.thread) {
                Some(at) => at,
                None => {
                    threads.push(ThreadState {
                        name: step.thread.clone(),
                        holds: Vec::new(),
                        waits: None,
                    });
                    threads.len() - 1
                }
            };
            let thread = &mut threads[at];
            let object = step.object.clone().unwrap_or_default();
            let location = step.location.clone();
            let value = step.value.as_deref().unwrap_or("");
            thread.waits = None;
            match step.action.as_str() {
                "acquire" => {
                    thread.waits = Some(Wait::Lock {
                        mutex: object,
                        location,
                    })
                }
                "lock" => thread.holds.push((object, location)),
                "try_lock" if value == "acquired" => thread.holds.push((object, location)),
                "unlock" => thread.holds.retain(|(held, _)| *held != object),
                "wait" => {
                    thread.holds.retain(|(held, _)| held != value);
                    thread.waits = Some(Wait::Notify {
                        condvar: object,
                        location,
                    });
                }
                "woken" | "woken spuriously" => thread.holds.push((value.to_owned(), location)),
                "notify_one" | "notify_all" => {
                    notifications.push((step.thread.clone(), object, location));
                }
                action => {
                    if let Some(joined) = action.strip_prefix("joining ") {
                        thread.waits = Some(Wait::Join {
                            thread: joined.to_owned(),
                        });
                    }
                }
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
        threads.sort_by_key(|t| {
            (
                t.name == "main",
                t.name.trim_start_matches('T').parse::<u32>().unwrap_or(0),
            )
        });
        Some(Deadlock {
            threads,
            notifications,
        })
    }

    /// One line for the stage's summary.
    pub fn summary(&self) -> String {
        if let Some(cycle) = self.lock_cycle() {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&i| self.threads[i].name.as_str())
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
        if let Some((waiter, condvar)) = self.lost_wakeup() {
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

    /// The table (each thread, what it holds, what it waits for, with their lines
    /// relative to the first of `roots` that holds them) and a last line saying why
    /// no thread can go on.
    pub fn render(&self, roots: &[&Path]) -> String {
        let shown = |location: &Option<String>| -> String {
            let Some(location) = location else {
                return String::new();
            };
            if !super::interleaving::is_subjects_location(location) {
                return String::new();
            }
            let relative = roots
                .iter()
                .find_map(|root| location.strip_prefix(&format!("{}/", root.display())));
            format!("   {}", relative.unwrap_or(location))
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
                    Some(Wait::Lock { mutex, location }) => format!("{mutex}{}", shown(location)),
                    Some(Wait::Notify { condvar, location }) => {
                        format!("a notify on {condvar}{}", shown(location))
                    }
                    Some(Wait::Join { thread }) => format!("{thread} to finish"),
                };
                [t.name.clone(), holds.join(", "), waits]
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
        lines.push(format!("✗ {}", self.explanation(roots)));
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
        if let Some((waiter, condvar)) = self.lost_wakeup() {
            let sent: Vec<String> = self
                .notifications
                .iter()
                .filter(|(_, on, _)| *on == condvar)
                .map(|(thread, _, at)| {
                    let at = at.as_deref().map(|at| {
                        roots
                            .iter()
                            .find_map(|root| at.strip_prefix(&format!("{}/", root.display())))
                            .unwrap_or(at)
                            .to_owned()
                    });
                    match at {
                        Some(at) => format!("{thread} at {at}"),
                        None => thread.clone(),
                    }
                })
                .collect();
            return match sent.last() {
                None => format!(
                    "{waiter} waits on {condvar} for ever: no thread notified it, and none is left that could"
                ),
                Some(last) => format!(
                    "{waiter} waits on {condvar} for ever: the last notification ({last}) found no thread waiting yet, and a condition variable does not remember one"
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
    fn holder_of(&self, mutex: &str) -> Option<usize> {
        self.threads
            .iter()
            .position(|t| t.holds.iter().any(|(held, _)| held == mutex))
    }

    /// A thread waiting on a condition variable (and which one), when no lock cycle
    /// explains the deadlock: it waits for a notification nobody will send.
    fn lost_wakeup(&self) -> Option<(String, String)> {
        self.threads.iter().find_map(|t| match &t.waits {
            Some(Wait::Notify { condvar, .. }) => Some((t.name.clone(), condvar.clone())),
            _ => None,
        })
    }
}

impl Wait {
    /// What is waited for, in words.
    fn what(&self) -> String {
        match self {
            Wait::Lock { mutex, .. } => mutex.clone(),
            Wait::Notify { condvar, .. } => format!("a notify on {condvar}"),
            Wait::Join { thread } => format!("{thread} to finish"),
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether a failure message is loom's or shuttle's report of a deadlock.
pub fn is_deadlock(message: &str) -> bool {
    message.starts_with("deadlock")
}

#[cfg(test)]
mod tests {
    use super::Deadlock;
    use crate::render::step_text::TraceStep;
    use std::path::Path;

    fn step(thread: &str, action: &str, object: &str, value: Option<&str>, line: u32) -> TraceStep {
        TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: value.map(Into::into),
            object: (!object.is_empty()).then(|| object.into()),
            location: Some(format!("/lab/ex/src/lib.rs:{line}")),
            ordering: None,
            callers: Vec::new(),
        }
    }

    /// T1 moves money from account 1 to 2, T2 from 2 to 1; each locks its source first.
    fn crossed_transfers() -> Vec<TraceStep> {
        vec![
            step("T1", "acquire", "Mutex#1", None, 58),
            step("T1", "lock", "Mutex#1", None, 58),
            step("T2", "acquire", "Mutex#2", None, 58),
            step("T2", "lock", "Mutex#2", None, 58),
            step("T1", "acquire", "Mutex#2", None, 62),
            step("T2", "acquire", "Mutex#1", None, 62),
            step("main", "joining T1", "", None, 40),
        ]
    }

    #[test]
    fn crossed_locks_are_named_with_who_holds_and_who_waits() {
        let deadlock = Deadlock::from_texts(&crossed_transfers()).unwrap();
        assert_eq!(
            deadlock.summary(),
            "deadlock: T1 and T2 each hold a lock the other waits for, so none can go on"
        );
        let table = deadlock.render(&[Path::new("/lab/ex")]);
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
    }

    #[test]
    fn a_released_lock_is_not_held_and_a_try_lock_that_failed_takes_nothing() {
        let steps = [
            step("T1", "acquire", "Mutex#1", None, 10),
            step("T1", "lock", "Mutex#1", None, 10),
            step("T1", "unlock", "Mutex#1", None, 11),
            step("T1", "try_lock", "Mutex#2", Some("busy"), 12),
            step("T1", "acquire", "Mutex#3", None, 13),
        ];
        let deadlock = Deadlock::from_texts(&steps).unwrap();
        let table = deadlock.render(&[Path::new("/lab/ex")]);
        assert!(
            !table.contains("Mutex#1") && !table.contains("Mutex#2"),
            "{table}"
        );
        assert!(table.contains("Mutex#3   src/lib.rs:13"), "{table}");
    }

    #[test]
    fn a_lost_wakeup_names_the_waiter_and_the_notification_it_missed() {
        let steps = [
            step("T2", "notify_one", "Condvar#2", None, 48),
            step("T1", "acquire", "Mutex#1", None, 60),
            step("T1", "lock", "Mutex#1", None, 60),
            step("T1", "wait", "Condvar#2", Some("Mutex#1"), 62),
            step("main", "joining T1", "", None, 30),
        ];
        let deadlock = Deadlock::from_texts(&steps).unwrap();
        assert_eq!(
            deadlock.summary(),
            "deadlock: T1 waits on Condvar#2 for a notification that never comes (a lost wakeup)"
        );
        let table = deadlock.render(&[Path::new("/lab/ex")]);
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
                "✗ T1 waits on Condvar#2 for ever: the last notification (T2 at src/lib.rs:48) found no thread waiting yet, and a condition variable does not remember one"
            ),
            "{table}"
        );
    }

    #[test]
    fn a_thread_whose_last_step_is_a_try_lock_can_move_so_no_deadlock_is_claimed() {
        let steps = [
            step("T1", "acquire", "Mutex#1", None, 10),
            step("T1", "lock", "Mutex#1", None, 10),
            step("T2", "acquire", "Mutex#2", None, 20),
            step("T2", "lock", "Mutex#2", None, 20),
            step("T1", "acquire", "Mutex#2", None, 11),
            step("T2", "try_lock", "Mutex#1", Some("busy"), 21),
        ];
        assert_eq!(Deadlock::from_texts(&steps), None);
    }

    #[test]
    fn a_spurious_wakeup_takes_the_mutex_back() {
        let steps = [
            step("T1", "acquire", "Mutex#1", None, 60),
            step("T1", "lock", "Mutex#1", None, 60),
            step("T1", "wait", "Condvar#2", Some("Mutex#1"), 62),
            step("T1", "woken spuriously", "Condvar#2", Some("Mutex#1"), 62),
            step("T2", "acquire", "Mutex#1", None, 40),
        ];
        let deadlock = Deadlock::from_texts(&steps);
        assert_eq!(
            deadlock.map(|d| d.summary()),
            None,
            "T1 holds Mutex#1 again and can go on"
        );
    }

    #[test]
    fn an_execution_where_nothing_blocks_is_no_deadlock() {
        let steps = [
            step("T1", "acquire", "Mutex#1", None, 10),
            step("T1", "lock", "Mutex#1", None, 10),
        ];
        assert_eq!(Deadlock::from_texts(&steps), None);
    }
}
