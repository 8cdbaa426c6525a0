//! The game's state: the player's choices so far and where they lead, the rounds
//! played to their end without a break, and what to say next. Every move asks the
//! runner again from the start (`racelab_grader::play`), so undo and restart are
//! shorter lists of choices.

use racelab_grader::play::{Game, Move};

/// Rounds played to their end without a break before the game says whether any
/// interleaving breaks the crate.
pub(super) const ROUNDS_BEFORE_VERDICT: usize = 3;

/// How the round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// The player chooses the next thread.
    Playing,
    /// The choices broke the round: the invariant failed or the threads deadlocked.
    Won,
    /// The round ran to its end and the invariant held.
    Held,
}

/// One game.
pub(super) struct Session<'a> {
    pub(super) game: Game<'a>,
    /// The thread chosen at each decision that was the player's.
    pub(super) choices: Vec<usize>,
    /// Where they lead.
    pub(super) now: Move,
    /// Rounds played to their end without a break.
    pub(super) rounds_held: usize,
    /// A line for the player: a hint, a choice refused, the search's answer.
    pub(super) note: Option<String>,
}

impl<'a> Session<'a> {
    /// Starts a round after `choices`.
    pub(super) fn start(game: Game<'a>, choices: Vec<usize>) -> Result<Session<'a>, String> {
        let now = game.play(&choices, false)?;
        let mut session = Session {
            game,
            choices,
            now,
            rounds_held: 0,
            note: None,
        };
        session.count_round();
        Ok(session)
    }

    /// Where the round stands.
    pub(super) fn stage(&self) -> Stage {
        if self.now.failure.is_some() {
            Stage::Won
        } else if self.now.position.held {
            Stage::Held
        } else {
            Stage::Playing
        }
    }

    /// Runs `thread` one step, if it can run now.
    pub(super) fn run(&mut self, thread: usize) -> Result<(), String> {
        // Once the round is over, only undo, restart, hint and quit mean something; the
        // note (the verdict after a few rounds) stays.
        if self.stage() != Stage::Playing {
            return Ok(());
        }
        let choices = &self.now.position.choices;
        if !choices.iter().any(|c| c.thread == thread) {
            let can: Vec<String> = choices.iter().map(|c| format!("T{}", c.thread)).collect();
            self.note = Some(format!("T{thread} cannot run now; {} can.", can.join(", ")));
            return Ok(());
        }
        self.choices.push(thread);
        self.replay()?;
        self.count_round();
        Ok(())
    }

    /// Takes back the last choice.
    pub(super) fn undo(&mut self) -> Result<(), String> {
        if self.choices.pop().is_none() {
            self.note = Some("Nothing to undo: this is the start of the round.".into());
            return Ok(());
        }
        self.replay()
    }

    /// Starts the round again.
    pub(super) fn restart(&mut self) -> Result<(), String> {
        self.choices.clear();
        self.replay()
    }

    /// Where to switch, from the shortest breaking schedule the search finds: the
    /// thread to stop and the step to stop it before.
    pub(super) fn hint(&mut self) -> Result<(), String> {
        let searched = self.game.play(&[], true)?;
        let position = &searched.position;
        let Some(winning) = &position.fewest_choices else {
            self.note = Some(no_break(position.searched_switches));
            return Ok(());
        };
        // The first decision where the winning choices stop a thread that could go on.
        for at in 0..winning.len() {
            let before = self.game.play(&winning[..at], false)?;
            let running = before.position.choices.iter().find(|c| c.running);
            if let Some(stopped) = running.filter(|c| c.thread != winning[at]) {
                let step = stopped
                    .steps
                    .first()
                    .map(|s| {
                        let text = super::screen::step_text(s);
                        let words: Vec<&str> = text.split_whitespace().collect();
                        format!(" just before its {}", words.join(" "))
                    })
                    .unwrap_or_default();
                self.note = Some(format!(
                    "Hint: try stopping T{}{step}, and run T{} there.",
                    stopped.thread, winning[at]
                ));
                return Ok(());
            }
        }
        self.note = Some("Hint: no switch is needed: run the threads in any order.".into());
        Ok(())
    }

    fn replay(&mut self) -> Result<(), String> {
        self.now = self.game.play(&self.choices, false)?;
        self.note = None;
        Ok(())
    }

    /// After a round held to its end: counts it, and after a few, says whether any
    /// interleaving breaks the crate.
    fn count_round(&mut self) {
        if self.stage() != Stage::Held {
            return;
        }
        self.rounds_held += 1;
        self.note = Some(if self.rounds_held < ROUNDS_BEFORE_VERDICT {
            "The round ended and the invariant held. u undo, r try again.".into()
        } else {
            match self.game.play(&[], true) {
                Ok(searched) => match searched.position.fewest_switches {
                    Some(n) => format!(
                        "It can break: {} enough. h for a hint, r try again.",
                        switches(n)
                    ),
                    None => no_break(searched.position.searched_switches),
                },
                Err(problem) => format!("The search for a breaking interleaving failed: {problem}"),
            }
        });
    }
}

/// What the explorers' silence means, after the game's own search found nothing.
fn no_break(searched: Option<usize>) -> String {
    let within = match searched {
        Some(1) => "with up to 1 switch".into(),
        Some(n) => format!("with up to {n} switches"),
        None => "within the search's budget".into(),
    };
    format!(
        "No interleaving breaks this crate: every schedule of this round {within} \
         holds. That is what `pass` means: the explorers checked every interleaving \
         within their bounds and found none that breaks it."
    )
}

/// `1 switch is`, `2 switches are`.
fn switches(n: usize) -> String {
    if n == 1 {
        "1 switch is".into()
    } else {
        format!("{n} switches are")
    }
}
