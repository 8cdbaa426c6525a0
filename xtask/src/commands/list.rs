//! `cargo xtask list`: every exercise with its standing after the last grade.

use crate::console::Console;
use crate::progress;
use crate::terminal::Terminal;
use racelab_grader::lab::Lab;
use std::io::Write;

/// Prints the list; always succeeds.
pub(crate) fn run(lab: &Lab, terminal: Terminal, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    Console::new(out, err)
        .with_terminal(terminal)
        .list(&progress::all(lab));
    0
}
