//! `cargo xtask dev …`: tools for people who write exercises.
//!
//! - `dev new exNN-name` lays out a new exercise ([`new`]): its crate, README,
//!   scenario, manifest entry and a reference solution, all placeholders that build,
//!   grade and pass `dev check`;
//! - `dev check` says in seconds what is missing or inconsistent in the lab
//!   ([`check`]), without grading anything;
//! - `dev template DIR` writes the repository students get, without the reference
//!   fixes ([`template`]);
//! - `dev mutants [EX]` breaks the reference solutions in small concurrent ways and
//!   grades each mutant, to see what the detectors miss ([`mutants`]).

mod changed;
mod check;
mod mutants;
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
        /// Lay it out with async tasks (`racelab_sync::task`) instead of threads: the
        /// placeholder bug a total read before an `.await` and written after it.
        #[arg(long = "async")]
        is_async: bool,
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
    /// Break every reference solution in each small concurrent way the grader knows
    /// (a weaker ordering, a split critical section, a lost notification, …), grade
    /// each mutant, and write the mutation score per exercise and per stage.
    ///
    /// Results go to OUT/results.toml (what `dev check` reads) and OUT/results.md.
    /// Exit status: 0 every survivor is recorded as equivalent in the manifest; 1 a
    /// survivor to decide.
    Mutants {
        /// One exercise (default: every exercise).
        exercise: Option<String>,
        /// Mutants graded at once (default: one per core, at most 8).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Where the mutant crates, their reports and the results go (default:
        /// target/racelab/mutants).
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
        /// Each stage's time limit in seconds, instead of its default (10 times what
        /// the reference solutions take): on a loaded machine a default limit can end
        /// a mutant's stage that is merely slow, which is no detection.
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
        time_limit: Option<u64>,
        /// List the mutants, grade nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only the exercises that changed since this git revision (their crate,
        /// solutions, scenario or manifest entry; every exercise when the facade, the
        /// harness, the stages or the operators changed): what a pull request's job runs.
        #[arg(long, value_name = "REV", conflicts_with = "exercise")]
        changed_since: Option<String>,
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
            Command::New { name, is_async } => {
                let flavor = if is_async {
                    templates::Flavor::Async
                } else {
                    templates::Flavor::Threads
                };
                new::run(lab, &name, flavor, out)
            }
            Command::Check { fix } => check::run(lab, fix, out, err),
            Command::Template { dir } => template::run(lab, &dir, out),
            Command::Mutants {
                exercise,
                jobs,
                out: out_dir,
                time_limit,
                dry_run,
                changed_since,
            } => mutants::run(
                lab,
                mutants::Request {
                    exercise,
                    changed_since,
                    jobs,
                    out: out_dir,
                    time_limit: time_limit.map(std::time::Duration::from_secs),
                    dry_run,
                },
                out,
                err,
            ),
        }
    }
}

/// The text `dev new` leaves where the author has to write; `dev check` reminds of it.
const PLACEHOLDER: &str = "TODO(author)";
