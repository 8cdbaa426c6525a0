//! [`PlayerScheduler`]: the player of `cargo xtask play` as a scheduling strategy.
//!
//! It follows the player's choices, one per decision that is theirs, and stops the
//! execution at the first decision it has no choice for: that is the position the
//! player sees. Decisions that are nobody's to make are taken alone: `main` runs
//! whenever it can (it only spawns and joins the workers), and a lone runnable
//! thread runs. The same choices always lead to the same position, so a position is
//! replayed from the start rather than kept alive: undo is a shorter list.

use racelab_sync::explore::Chooser;
use racelab_sync::trace::Step;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// The scenario's own thread, which the player never has to schedule.
const MAIN: usize = 0;

/// What an execution under a [`PlayerScheduler`] came to, shared with the driver
/// (shuttle owns the scheduler while it runs).
#[derive(Debug, Default)]
pub(crate) struct Decisions {
    /// Where it stopped for want of a choice: the threads that could run, the one
    /// that ran last if it could go on, and the steps so far.
    pub(crate) waiting: Option<Waiting>,
    /// A choice of a thread that could not run then, and the threads that could.
    pub(crate) refused: Option<(usize, Vec<usize>)>,
    /// Context switches made: a thread that could go on was stopped for another.
    pub(crate) switches: usize,
    /// Choices the player made (the others were taken alone).
    pub(crate) chosen: usize,
}

/// A decision that is the player's.
#[derive(Debug, Clone)]
pub(crate) struct Waiting {
    pub(crate) runnable: Vec<usize>,
    pub(crate) current: Option<usize>,
    pub(crate) steps: Vec<Step>,
}

/// Follows `choices`; see the module's documentation.
pub(crate) struct PlayerScheduler {
    choices: VecDeque<usize>,
    decisions: Arc<Mutex<Decisions>>,
}

impl PlayerScheduler {
    /// A scheduler that follows `choices`, and the record it keeps of the execution.
    pub(crate) fn new(choices: &[usize]) -> (Self, Arc<Mutex<Decisions>>) {
        let decisions = Arc::new(Mutex::new(Decisions::default()));
        let scheduler = PlayerScheduler {
            choices: choices.iter().copied().collect(),
            decisions: Arc::clone(&decisions),
        };
        (scheduler, decisions)
    }
}

impl Chooser for PlayerScheduler {
    fn choose(&mut self, runnable: &[usize], current: Option<usize>) -> Option<usize> {
        let mut decisions = self
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let chosen = match runnable {
            _ if runnable.contains(&MAIN) => MAIN,
            [only] => *only,
            _ => {
                let Some(choice) = self.choices.pop_front() else {
                    decisions.waiting = Some(Waiting {
                        runnable: runnable.to_vec(),
                        current,
                        steps: racelab_sync::trace::snapshot(),
                    });
                    return None;
                };
                if !runnable.contains(&choice) {
                    decisions.refused = Some((choice, runnable.to_vec()));
                    return None;
                }
                decisions.chosen += 1;
                choice
            }
        };
        if current.is_some_and(|running| running != chosen) {
            decisions.switches += 1;
        }
        Some(chosen)
    }
}
