//! Starting `cargo xtask play`'s runner: the exercise's shuttle runner, built as a
//! grade builds it, asked where a round stands after the player's choices.
//!
//! Each move is one runner process like any other (the same token, containment and
//! limits): the runner replays the choices from the start, so nothing is kept alive
//! between moves, and undo is a shorter list of choices.

use crate::build::{self, BuildFailure, Flavor};
use crate::cores;
use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::{DEFAULT_MEMORY_LIMIT_MB, Regrade};
use crate::stages::{Limits, RunnerRun};
use crate::subject::Subject;
/// The runner's answer, as the game's screen reads it.
pub use racelab_harness::trace::{self, Event, Object, Step, Thread};
use racelab_harness::{Failure, Request, Size};
pub use racelab_harness::{PlayChoice, Position};
use std::path::PathBuf;
use std::time::Duration;

/// How long one move may take: a round is small, but a search for the fewest
/// switches runs thousands of them.
const MOVE_TIME: Duration = Duration::from_secs(120);

/// The most switches the search for the fewest tries: the loom stage's bound.
pub const SEARCHED_SWITCHES: usize = 3;

/// A game on one subject: its shuttle runner, built.
pub struct Game<'a> {
    lab: &'a Lab,
    exercise: &'a Exercise,
    subject: &'a Subject,
    runner: PathBuf,
}

/// Where the round stands after some choices.
#[derive(Debug, Clone)]
pub struct Move {
    /// The position: the steps, the threads that can run and what each would do.
    pub position: Position,
    /// The failure, when the choices broke the round.
    pub failure: Option<Failure>,
    /// The schedule that replays the failure (`cargo xtask replay --schedule`).
    pub schedule: Option<String>,
}

/// Why a game cannot start.
#[derive(Debug)]
pub enum CannotPlay {
    /// The source policy refuses the subject: the refusals, one per line.
    Refused(Vec<String>),
    /// The runner does not build.
    Build(BuildFailure),
}

impl std::fmt::Display for CannotPlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CannotPlay::Refused(lines) => write!(f, "refused to run it:\n{}", lines.join("\n")),
            CannotPlay::Build(BuildFailure::Compile { errors }) => {
                write!(f, "it does not compile:\n{}", errors.join("\n"))
            }
            CannotPlay::Build(failure) => write!(f, "{failure}"),
        }
    }
}

impl<'a> Game<'a> {
    /// Checks the subject against the source policy and builds its shuttle runner,
    /// as a grade would.
    pub fn open(
        lab: &'a Lab,
        exercise: &'a Exercise,
        subject: &'a Subject,
    ) -> Result<Game<'a>, CannotPlay> {
        let refusals = crate::policy::check(&subject.dir.join("src"), &exercise.policy);
        if !refusals.is_empty() {
            return Err(CannotPlay::Refused(
                refusals.iter().map(ToString::to_string).collect(),
            ));
        }
        let runner = {
            let _cores = cores::hold(lab, cores::Use::Shared);
            build::build_runner(
                lab,
                exercise,
                subject,
                Flavor::Shuttle,
                None,
                Regrade::AfterEdits,
            )
        }
        .map_err(CannotPlay::Build)?;
        Ok(Game {
            lab,
            exercise,
            subject,
            runner,
        })
    }

    /// The exercise played.
    pub fn exercise(&self) -> &'a Exercise {
        self.exercise
    }

    /// The size of the round: the shuttle stage's, so that `replay` (which runs that
    /// size) follows a won round exactly.
    pub fn size(&self) -> Size {
        let shuttle = self.exercise.stages.shuttle;
        Size {
            workers: shuttle.workers,
            ops: shuttle.ops,
        }
    }

    /// Where the round stands after `choices` (the thread of each decision that is
    /// the player's); with `search`, also the fewest switches that break it (up to
    /// [`SEARCHED_SWITCHES`]).
    pub fn play(&self, choices: &[usize], search: bool) -> Result<Move, String> {
        let request = Request::Play {
            size: self.size(),
            seed: self.exercise.stages.shuttle.seed,
            choices: choices.to_vec(),
            search: search.then_some(SEARCHED_SWITCHES),
        };
        let run = self.run(&request)?;
        let findings = run
            .findings_or_judgement()
            .map_err(|judgement| judgement.summary)?;
        let position = findings
            .play
            .ok_or("the runner did not answer the move (is it a play build?)")?;
        Ok(Move {
            position,
            failure: findings.failure,
            schedule: findings.schedule,
        })
    }

    fn run(&self, request: &Request) -> Result<RunnerRun, String> {
        static MOVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = MOVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let run_dir = self.lab.work_dir().join("runs").join(format!(
            "{}-{}-{}-{n}-play",
            self.exercise.id,
            self.subject.key,
            std::process::id()
        ));
        let limits = Limits {
            time: MOVE_TIME,
            reference: Duration::from_millis(self.exercise.stages.shuttle.reference_ms),
            memory_bytes: Some(DEFAULT_MEMORY_LIMIT_MB << 20),
            env: Vec::new(),
        };
        let run = {
            let _cores = cores::hold(self.lab, cores::Use::Shared);
            crate::stages::run_runner(&self.runner, request, &run_dir, &limits)
        };
        let _ = std::fs::remove_dir_all(&run_dir);
        run.map_err(|e| format!("cannot run {}: {e}", self.runner.display()))
    }
}
