//! `cargo xtask watch [ex01]`: grades the exercise, then grades it again each time one
//! of its files is saved, until `q`.
//!
//! The grade runs on its own thread, its stages side by side, and reports each stage
//! as it ends, fastest first, so the first detector to catch the bug is on screen
//! while the others still run. Meanwhile the terminal is in raw mode and single keys
//! act at once: `h` next hint, `l` list, `r` re-run, `n` next exercise (once this one
//! passes), `q` quit. A save during a grade stops it and starts a fresh one.
//!
//! Three threads feed one channel ([`events`]): the grade, the file watcher and the
//! key reader; the [`session`] handles what arrives, one item at a time.
//!
//! Watch needs a terminal on stdin and stdout. Anywhere else (a pipe, CI, a test's
//! buffer) it prints why and exits with status 2 without grading: `grade` is the
//! command for scripts.

mod events;
mod session;

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::progress;
use crate::terminal::{RawLines, RawMode, Terminal};
use anyhow::anyhow;
use events::{KeyReader, watch_files};
use racelab_grader::GradeOptions;
use racelab_grader::lab::Lab;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use session::Session;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;

/// `watch`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise (default: the first one whose last grade is not a pass).
    exercise: Option<String>,
    /// Watch and grade this crate folder instead of the workspace's exercise crate.
    #[arg(long, value_name = "DIR", requires = "exercise")]
    path: Option<PathBuf>,
    /// Run only these stages (comma-separated) on each grade.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    stage: Vec<StageId>,
}

/// Runs watch mode until the student quits; returns the exit status.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = match &args.exercise {
        Some(name) => find_exercise(lab, name)?,
        None => match progress::next_unsolved(lab) {
            Some(exercise) => exercise,
            None => {
                let _ = writeln!(
                    out,
                    "Every exercise passes. To work on one again, name it: cargo xtask watch <exercise>"
                );
                return Ok(0);
            }
        },
    };
    if !terminal.interactive() {
        let _ = writeln!(
            err,
            "error: `cargo xtask watch` needs an interactive terminal: it reads single keys \
             (h, l, r, q) and redraws the screen, but its standard input or output is not a \
             terminal here.\nTo grade once instead (the same detectors; exit status 0 when \
             it passes): cargo xtask grade {}",
            exercise.id
        );
        return Ok(crate::EXIT_USAGE);
    }
    let subject = Subject::locate(lab, exercise, args.path.as_deref())?;

    let (news, heard) = mpsc::channel();
    let files = watch_files(&subject.dir, news.clone())?;
    let raw = RawMode::enable().map_err(|e| anyhow!("cannot read single keys: {e}"))?;
    let keys = KeyReader::spawn(news.clone());
    let mut out = RawLines::new(out);
    let mut err = RawLines::new(err);
    let mut console = Console::new(&mut out, &mut err).with_terminal(terminal);
    let grade_options = GradeOptions {
        stages: if args.stage.is_empty() {
            StageId::ALL.to_vec()
        } else {
            args.stage
        },
        ..GradeOptions::default()
    };
    let mut session = Session::new(
        lab,
        exercise,
        subject,
        args.path.is_none(),
        grade_options,
        news,
        files,
    );
    session.start(&mut console, None);
    let code = session.run(&mut console, &heard);
    session.stop();
    console.stop_spinner();
    // The whole screen scrolls again (see `Session::start`; that moves the cursor
    // home), then the cursor goes back to the last line.
    let rows = crossterm::terminal::size().map_or(1, |(_, rows)| rows);
    console.print(&format!("\x1b[r\x1b[{rows};1H"));
    console.print(&format!("\nStopped watching {}.\n", session.exercise().id));
    drop(console);
    drop(keys);
    drop(raw);
    Ok(code)
}
