//! `cargo xtask hint ex01`: reveals the exercise's next hint (or all of them), among
//! those that answer its last grade.

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::terminal::Terminal;
use crate::{hints, progress};
use racelab_grader::lab::Lab;
use std::io::Write;

/// `hint`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise.
    exercise: String,
    /// Show every hint.
    #[arg(long)]
    all: bool,
}

/// Shows the hints revealed so far, one more than last time.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = find_exercise(lab, &args.exercise)?;
    let state = hints::HintState::path(lab);
    // The hints that answer the last grade's evidence.
    let among = hints::answering(exercise, progress::last_report(lab, exercise).as_ref());
    let shown = if args.all {
        hints::reveal_all(&state, exercise, &among)?
    } else {
        hints::reveal_next(&state, exercise, &among)?
    };
    Console::new(out, err).with_terminal(terminal).hints(
        exercise,
        &shown,
        &among,
        &format!("Run `cargo xtask hint {}` again", exercise.id),
    );
    Ok(0)
}
