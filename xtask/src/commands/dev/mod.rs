//! `cargo xtask dev …`: tools for people who write exercises.
//!
//! - `dev new exNN-name` lays out a new exercise ([`new`]): its crate, README,
//!   scenario, manifest entry and a reference solution, all placeholders that build,
//!   grade and pass `dev check`;
//! - `dev check` says in seconds what is missing or inconsistent in the lab
//!   ([`check`]), without grading anything;
//! - `dev template DIR` writes the repository students get, without the reference
//!   fixes ([`template`]).

mod check;
mod new;
mod template;
mod templates;

use clap::Subcommand;
use racelab_grader::lab::Lab;
use std::io::Write;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Lay out a new exercise: crate, README, scenario, manifest entry and solution.
    New {
        /// The exercise's name, `exNN-name` (e.g. `ex04-double-checked-lock`).
        name: String,
    },
    /// Say what is missing or inconsistent in the lab's exercises, without grading.
    ///
    /// Exit status: 0 nothing wrong (reminders of placeholder text may remain); 1
    /// something to fix.
    Check {
        /// Rewrite README.md's detector matrix from the manifest when it is out of date.
        #[arg(long)]
        fix: bool,
    },
    /// Write the repository students get into DIR: the workspace without solutions/
    /// (it still builds; `solution` says the reference fixes come from you).
    Template {
        /// A new (or empty) folder.
        dir: std::path::PathBuf,
    },
}

impl Command {
    /// Runs the subcommand; returns the exit status.
    pub(crate) fn run(
        self,
        lab: &Lab,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> anyhow::Result<i32> {
        match self {
            Command::New { name } => new::run(lab, &name, out),
            Command::Check { fix } => check::run(lab, fix, out, err),
            Command::Template { dir } => template::run(lab, &dir, out),
        }
    }
}

/// The text `dev new` leaves where the author has to write; `dev check` reminds of it.
const PLACEHOLDER: &str = "TODO(author)";
