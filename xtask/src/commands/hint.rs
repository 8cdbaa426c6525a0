//! `cargo xtask hint ex01`: reveals the exercise's next hint (or all of them).

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::hints;
use crate::terminal::Terminal;
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
    let shown = if args.all {
        hints::reveal_all(&state, exercise)?
    } else {
        hints::reveal_next(&state, exercise)?
    };
    Console::new(out, err).with_terminal(terminal).hints(
        exercise,
        shown,
        &format!("Run `cargo xtask hint {}` again", exercise.id),
    );
    Ok(0)
}
