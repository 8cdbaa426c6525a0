//! The play driver (shuttle builds): where a round of `cargo xtask play` stands after
//! the player's choices, what each thread would do if chosen next, and, when asked,
//! the fewest context switches that break the round.
//!
//! Every answer replays the choices from the start under a [`PlayerScheduler`]:
//! shuttle's executions are deterministic given the choices, so a position needs no
//! process kept alive between moves, and a winning position's schedule is the one
//! shuttle writes for any failure, which `cargo xtask replay` follows.

mod scheduler;

use crate::run::{Scenario, last_panic, modelled::checked};
use crate::{Failure, Findings, PlayChoice, Position, Request, Size};
use racelab_sync::trace::{Step, Thread};
use scheduler::{PlayerScheduler, Waiting};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

/// The most executions one search for the fewest switches may run: a few seconds.
const SEARCH_EXECUTIONS: u64 = 20_000;

/// Serves a [`Request::Play`].
pub(crate) fn drive(
    request: Request,
    scenario: Scenario,
    findings_path: &Path,
) -> Result<Findings, String> {
    let Request::Play {
        size,
        seed,
        choices,
        search,
    } = request
    else {
        unreachable!("only play requests come here")
    };
    let round = Round {
        scenario,
        size,
        seed,
    };
    let schedule_dir = findings_path.with_extension("schedules");
    let _ = std::fs::remove_dir_all(&schedule_dir);
    std::fs::create_dir_all(&schedule_dir)
        .map_err(|e| format!("cannot create {}: {e}", schedule_dir.display()))?;
    let played = round.execute(&choices, Some(schedule_dir.clone()));
    let mut executions = 1;
    let mut findings = Findings {
        backend: "shuttle".into(),
        ..Findings::default()
    };
    let mut position = Position {
        switches: played.switches,
        ..Position::default()
    };
    match played.end {
        End::Refused(choice, runnable) => {
            return Err(format!(
                "T{choice} cannot run now; the threads that can: {}",
                names(&runnable)
            ));
        }
        End::Waiting(waiting) => {
            for &thread in &waiting.runnable {
                let mut next = choices.clone();
                next.push(thread);
                let ahead = round.execute(&next, None);
                executions += 1;
                position.choices.push(PlayChoice {
                    thread,
                    steps: steps_of(thread, &ahead.end.steps()[waiting.steps.len()..]),
                    running: waiting.current == Some(thread),
                });
            }
            position.steps = waiting.steps;
        }
        End::Broken(failure) => {
            position.steps = failure.trace.clone();
            findings.failure = Some(failure);
            findings.schedule = std::fs::read_to_string(schedule_dir.join("schedule000.txt"))
                .ok()
                .map(|s| s.trim().to_owned());
        }
        End::Held(steps) => {
            position.held = true;
            position.steps = steps;
        }
    }
    if let Some(most) = search {
        let mut search = Search {
            round: &round,
            left: SEARCH_EXECUTIONS,
        };
        let (searched, fewest) = search.fewest_switches(most);
        executions += SEARCH_EXECUTIONS - search.left;
        position.searched_switches = searched;
        position.fewest_switches = fewest.as_ref().map(|found| found.switches);
        position.fewest_choices = fewest.map(|found| found.choices);
    }
    findings.executions = executions;
    findings.play = Some(position);
    Ok(findings)
}

/// One round of the scenario, as every execution of a play request runs it.
struct Round {
    scenario: Scenario,
    size: Size,
    seed: u64,
}

/// What one execution came to.
struct Played {
    end: End,
    switches: usize,
}

enum End {
    /// Stopped at a decision that is the player's.
    Waiting(Waiting),
    /// The invariant broke, or the threads deadlocked (or a thread panicked).
    Broken(Failure),
    /// The round ran to its end and the invariant held: the steps.
    Held(Vec<Step>),
    /// A choice of a thread that could not run, and the threads that could.
    Refused(usize, Vec<usize>),
}

impl End {
    fn steps(&self) -> &[Step] {
        match self {
            End::Waiting(waiting) => &waiting.steps,
            End::Broken(failure) => &failure.trace,
            End::Held(steps) => steps,
            End::Refused(..) => &[],
        }
    }
}

impl Round {
    /// Runs the round once, following `choices`; a failure's schedule goes to
    /// `schedule_dir`.
    fn execute(&self, choices: &[usize], schedule_dir: Option<PathBuf>) -> Played {
        let (scheduler, decisions) = PlayerScheduler::new(choices);
        let body = checked(self.scenario, self.size);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            racelab_sync::explore::shuttle_chosen(scheduler, self.seed, schedule_dir, body);
        }));
        let mut decisions =
            std::mem::take(&mut *decisions.lock().unwrap_or_else(PoisonError::into_inner));
        let end = if let Some((choice, runnable)) = decisions.refused {
            End::Refused(choice, runnable)
        } else if let Some(waiting) = decisions.waiting.take() {
            End::Waiting(waiting)
        } else if let Err(payload) = result {
            // The runner's panic hook keeps the failure with its steps; without it (in
            // tests), the payload and the steps recorded are the same evidence.
            End::Broken(last_panic().unwrap_or_else(|| {
                Failure {
                    message: payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "the round panicked without a message".into()),
                    location: None,
                    trace: steps_now(),
                }
            }))
        } else {
            End::Held(steps_now())
        };
        Played {
            end,
            switches: decisions.switches,
        }
    }
}

/// The steps the facade has recorded in this execution.
fn steps_now() -> Vec<Step> {
    racelab_sync::trace::snapshot()
}

/// The first steps of `steps` that `thread` made, before any other thread's.
fn steps_of(thread: usize, steps: &[Step]) -> Vec<Step> {
    let thread = u32::try_from(thread).map_or(Thread::Main, Thread::Spawned);
    steps
        .iter()
        .take_while(|step| step.thread == thread)
        .cloned()
        .collect()
}

/// `T1, T2`.
fn names(threads: &[usize]) -> String {
    threads
        .iter()
        .map(|t| format!("T{t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A depth-first search over the player's choices, with a bound on switches: the
/// explorers' preemption bound, counted the way the game counts them.
struct Search<'a> {
    round: &'a Round,
    /// Executions it may still run.
    left: u64,
}

/// A breaking schedule with the fewest switches.
struct Found {
    switches: usize,
    /// The player's choices that make it.
    choices: Vec<usize>,
}

impl Search<'_> {
    /// The fewest switches that break the round, trying 0, 1, … up to `most`:
    /// `(the bound searched whole, the schedule found, if one breaks it)`.
    /// The bound searched is `None` when not even 0 switches could be searched whole.
    fn fewest_switches(&mut self, most: usize) -> (Option<usize>, Option<Found>) {
        let mut searched = None;
        for bound in 0..=most {
            let mut choices = Vec::new();
            match self.breaks(&mut choices, bound) {
                Some(true) => {
                    let found = Found {
                        switches: bound,
                        choices,
                    };
                    return (Some(bound), Some(found));
                }
                Some(false) => searched = Some(bound),
                None => break,
            }
        }
        (searched, None)
    }

    /// Whether some continuation of `choices` with at most `bound` switches in all
    /// breaks the round (then `choices` are the breaking ones); `None` when the search
    /// ran out of executions.
    fn breaks(&mut self, choices: &mut Vec<usize>, bound: usize) -> Option<bool> {
        self.left = self.left.checked_sub(1)?;
        let played = self.round.execute(choices, None);
        if played.switches > bound {
            return Some(false);
        }
        let waiting = match played.end {
            End::Broken(_) => return Some(true),
            End::Held(_) | End::Refused(..) => return Some(false),
            End::Waiting(waiting) => waiting,
        };
        for thread in waiting.runnable {
            let switches =
                played.switches + usize::from(waiting.current.is_some_and(|c| c != thread));
            if switches > bound {
                continue;
            }
            choices.push(thread);
            let found = self.breaks(choices, bound);
            if found == Some(true) {
                return found;
            }
            choices.pop();
            // Out of executions: the search stops here.
            found?;
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::drive;
    use crate::{Findings, Outcome, Request, Size};
    use racelab_sync::sync::Arc;
    use racelab_sync::sync::atomic::{AtomicI64, Ordering};

    /// Two workers add 1 each with a load and a store: a lost update when both load
    /// before either stores.
    fn lost_update(_: Size) -> Outcome {
        racelab_sync::trace::begin_execution();
        let total = Arc::new(AtomicI64::new(0));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let total = Arc::clone(&total);
                racelab_sync::thread::spawn(move || {
                    let seen = total.load(Ordering::SeqCst);
                    total.store(seen + 1, Ordering::SeqCst);
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        Outcome::equal("both updates", 2, total.load(Ordering::SeqCst), "adds")
    }

    /// The facade's record of steps and the last panic are the process's: one play at
    /// a time.
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn play(choices: &[usize], search: Option<usize>) -> Result<Findings, String> {
        let _alone = ALONE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let dir = std::env::temp_dir().join(format!("racelab-play-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let request = Request::Play {
            size: Size { workers: 2, ops: 1 },
            seed: 7,
            choices: choices.to_vec(),
            search,
        };
        // On a thread of its own, as in a runner process: shuttle writes no schedule for
        // a failure no longer than the last one its thread wrote.
        let findings_path = dir.join("findings.toml");
        let findings = std::thread::scope(|scope| {
            scope
                .spawn(|| drive(request, lost_update, &findings_path))
                .join()
                .unwrap()
        });
        let _ = std::fs::remove_dir_all(&dir);
        findings
    }

    #[test]
    fn the_player_chooses_among_the_workers_and_the_search_finds_the_fewest_switches() {
        let start = play(&[], Some(2)).unwrap();
        let position = start.play.unwrap();
        let threads: Vec<usize> = position.choices.iter().map(|c| c.thread).collect();
        assert_eq!(threads, [1, 2], "main spawns both workers alone");
        assert!(start.failure.is_none() && !position.held);
        assert_eq!(position.fewest_switches, Some(1));
        assert_eq!(position.searched_switches, Some(1));

        let winning = position.fewest_choices.unwrap();
        let won = play(&winning, None).unwrap();
        let failure = won.failure.expect("the search's choices break the round");
        assert!(
            failure.message.contains("both updates"),
            "{}",
            failure.message
        );
        assert!(won.schedule.is_some(), "a break comes with its schedule");
        let position = won.play.unwrap();
        assert!(position.choices.is_empty());
        assert_eq!(position.switches, 1);
    }

    #[test]
    fn a_round_without_switches_holds_and_a_thread_that_cannot_run_is_refused() {
        // T1 runs to its end (start, load, store), then T2 alone.
        let held = play(&[1, 1, 1], None).unwrap();
        assert!(held.failure.is_none());
        assert!(held.play.unwrap().held);
        let refused = play(&[3], None).unwrap_err();
        assert!(refused.contains("T3 cannot run now"), "{refused}");
    }
}
