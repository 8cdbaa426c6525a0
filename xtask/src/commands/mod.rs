//! One module per command. Each defines its arguments (`Args`) and a `run` that
//! returns the exit status, or an error that [`crate::run_with`] prints as a usage
//! error (exit status 2).

mod clean;
mod dev;
mod doctor;
mod grade;
mod hint;
pub(crate) mod list;
mod merge;
mod open;
mod play;
mod prepare;
mod replay;
mod reset;
mod solution;
mod watch;

use crate::terminal::Terminal;
use clap::Subcommand;
use racelab_grader::lab::Lab;
use std::io::Write;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Grade an exercise with loom, shuttle, stress and ThreadSanitizer; or a class
    /// (--submissions DIR), or every exercise (--all).
    ///
    /// Exit status: 0 every stage ran and passed; 1 a stage found a bug or the subject
    /// does not build; 3 nothing failed but a stage was skipped; 2 usage or grader error.
    /// A batch exits like its worst subject: 1 if any failed, else 2 if the grader
    /// failed on any, else 3 if any is incomplete, else 0.
    Grade(grade::Args),
    /// Show which toolchain each stage will use, and what is missing.
    Doctor,
    /// Build, once, what every grade shares: each stage's dependencies and
    /// ThreadSanitizer's toolchain and instrumented std (installed if missing), for
    /// CI caches and a room before class. Exit status: 0 ready; 3 a stage is not.
    Prepare(prepare::Args),
    /// Replay a failing shuttle schedule printed by `grade`.
    Replay(replay::Args),
    /// Be the scheduler: run the exercise's threads one step at a time, by key, until
    /// the invariant breaks or they deadlock; the win is a schedule `replay` follows.
    ///
    /// Keys: 1–9 run that thread one step, u undo, r restart, h hint, q quit. Without
    /// a terminal it plays `--moves` and prints the screen once.
    Play(play::Args),
    /// List the exercises with their status after the last grade, and a progress bar.
    List,
    /// Show the next hint for an exercise (they are revealed one at a time, and the
    /// count is remembered between runs).
    Hint(hint::Args),
    /// Grade an exercise, then again each time one of its files is saved.
    ///
    /// Each stage's line appears as soon as the stage ends, fastest first. Keys: h next
    /// hint, l list, r re-run, n next exercise (after a pass), q quit.
    ///
    /// Needs an interactive terminal (stdin and stdout); elsewhere it grades nothing,
    /// says so, and exits with status 2: use `grade` in scripts.
    Watch(watch::Args),
    /// Open the latest report page (of an exercise, or of any) in the browser:
    /// $BROWSER, else xdg-open; with neither, print the page's path.
    Open(open::Args),
    /// Put an exercise back as shipped (its version in git), after backing up yours.
    ///
    /// Your current files are copied to `.racelab/backups/<exercise>-<time>/` first,
    /// and the command prints that folder. Outside a git checkout it changes nothing.
    Reset(reset::Args),
    /// Show the reference fixes and when each is the right choice.
    ///
    /// They unlock once the exercise's last grade passes. Exit status: 0 shown; 1
    /// still locked; 2 usage error.
    Solution(solution::Args),
    /// Join the output folders of a class graded in shards (`grade --shard K/N
    /// --out DIR`) into one summary, with JUnit, Gradescope and gradebook files.
    Merge(merge::Args),
    /// Remove the build folders of all but the N most recently graded subjects
    /// (`--keep N`); the dependencies every grade shares stay built.
    Clean(clean::Args),
    /// Tools for writing exercises: `dev new exNN-name` lays one out, `dev check`
    /// says what is missing or inconsistent.
    #[command(subcommand)]
    Dev(dev::Command),
}

impl Command {
    /// Runs the command on `lab`; returns the exit status.
    pub(crate) fn execute(
        self,
        lab: &Lab,
        terminal: Terminal,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> anyhow::Result<i32> {
        match self {
            Command::Grade(args) => grade::run(lab, args, terminal, out, err),
            Command::Doctor => Ok(doctor::run(out, err)),
            Command::Prepare(args) => prepare::run(lab, args, out, err),
            Command::Replay(args) => replay::run(lab, args, out, err),
            Command::Play(args) => play::run(lab, args, terminal, out, err),
            Command::List => Ok(list::run(lab, terminal, out, err)),
            Command::Hint(args) => hint::run(lab, args, terminal, out, err),
            Command::Watch(args) => watch::run(lab, args, terminal, out, err),
            Command::Open(args) => open::run(lab, args, out),
            Command::Reset(args) => reset::run(lab, args, terminal, out, err),
            Command::Solution(args) => solution::run(lab, args, terminal, out, err),
            Command::Clean(args) => clean::run(lab, args, out),
            Command::Merge(args) => merge::run(lab, args, out, err),
            Command::Dev(command) => command.run(lab, out, err),
        }
    }
}
