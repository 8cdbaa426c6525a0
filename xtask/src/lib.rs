//! Racelab's command line, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`).
//!
//! The commands parse their arguments, open the lab, call the grader, and hand the
//! results to a printer ([`console`]); the grader itself prints nothing. Everything
//! is written to the `out` and `err` streams given to [`run`], so the tests drive the
//! command line in-process.

pub mod console;
mod hints;

use clap::{Parser, Subcommand};
use console::Console;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::Report;
use racelab_grader::stages::StageName;
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_grader::{GradeOptions, grade, replay_shuttle};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit status for usage errors and the grader's own failures.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Racelab: fix the race, then prove it with four detectors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Grade an exercise with loom, shuttle, stress and ThreadSanitizer.
    ///
    /// Exit status: 0 every stage ran and passed; 1 a stage found a bug or the subject
    /// does not build; 3 nothing failed but a stage was skipped; 2 usage or grader error.
    Grade {
        /// The exercise: `ex01`, `1` or `ex01-lost-update`.
        exercise: String,
        /// Grade this crate folder instead of the workspace's exercise crate.
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
        /// Run only these stages (comma-separated); the others are reported skipped.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        stage: Vec<StageName>,
        /// shuttle's PCT seed (default: the manifest's).
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// shuttle's iteration count (default: the manifest's).
        #[arg(long, value_name = "N")]
        iterations: Option<usize>,
        /// Write the report here (default: target/racelab/reports/<exercise>.toml).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Each stage's time limit in seconds (default: 300 for loom and shuttle; the
        /// manifest's round limits for stress). Past it the stage is a `timeout`.
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
        time_limit: Option<u64>,
        /// Address-space limit of each runner process, in MiB (default 4096; 0: none).
        #[arg(long, value_name = "MIB")]
        memory_limit: Option<u64>,
    },
    /// Replay a failing shuttle schedule printed by `grade`.
    Replay {
        /// The exercise.
        exercise: String,
        /// The schedule string from the grade's output or report.
        #[arg(long)]
        schedule: String,
        /// The crate folder that failed, if not the workspace's exercise crate.
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
    },
    /// List the exercises with the verdict of their last grade.
    List,
    /// Show the next hint for an exercise (they are revealed one at a time).
    Hint {
        /// The exercise.
        exercise: String,
        /// Show every hint.
        #[arg(long)]
        all: bool,
    },
}

/// Runs the command line `args` (program name first) and returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    run_in(&default_root(), args, out, err)
}

/// Like [`run`], on the workspace at `root`.
pub fn run_in(
    root: &Path,
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                let _ = write!(err, "{}", e.render());
                return EXIT_USAGE;
            }
            let _ = write!(out, "{}", e.render());
            return 0;
        }
    };
    let lab = match Lab::open(root) {
        Ok(lab) => lab,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {e}\nFix the manifest (see ARCHITECTURE.md) and run again."
            );
            return EXIT_USAGE;
        }
    };
    match execute(&lab, cli.command, out, err) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            EXIT_USAGE
        }
    }
}

/// The workspace this binary was built in.
fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

fn execute(
    lab: &Lab,
    command: Command,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, String> {
    match command {
        Command::Grade {
            exercise,
            path,
            stage,
            seed,
            iterations,
            report,
            time_limit,
            memory_limit,
        } => {
            let exercise = find_exercise(lab, &exercise)?;
            let subject =
                Subject::locate(lab, exercise, path.as_deref()).map_err(|e| e.to_string())?;
            let stages = if stage.is_empty() {
                StageName::ALL.to_vec()
            } else {
                stage
            };
            let options = GradeOptions {
                stages,
                seed,
                iterations,
                time_limit: time_limit.map(std::time::Duration::from_secs),
                memory_limit_mb: memory_limit,
            };
            let mut console = Console::new(out, err);
            console.grade_started(exercise, &subject);
            let graded = grade(lab, exercise, &subject, &options, &mut console);
            let report_path = report.unwrap_or_else(|| lab.default_report_path(exercise, &subject));
            let written = graded.write(&report_path);
            console.grade_finished(&graded, &report_path, written.as_ref().err());
            match written {
                Ok(()) => Ok(graded.verdict.exit_code()),
                Err(_) => Ok(EXIT_USAGE),
            }
        }
        Command::Replay {
            exercise,
            schedule,
            path,
        } => {
            let exercise = find_exercise(lab, &exercise)?;
            let subject =
                Subject::locate(lab, exercise, path.as_deref()).map_err(|e| e.to_string())?;
            let mut console = Console::new(out, err);
            let judgement = replay_shuttle(lab, exercise, &subject, &schedule, &mut console);
            console.replayed(&judgement);
            Ok(match judgement.status {
                racelab_grader::report::Status::Fail => Verdict::Fail.exit_code(),
                racelab_grader::report::Status::Pass => Verdict::Pass.exit_code(),
                _ => EXIT_USAGE,
            })
        }
        Command::List => {
            let mut console = Console::new(out, err);
            for exercise in &lab.manifest.exercises {
                let last = Subject::locate(lab, exercise, None)
                    .ok()
                    .and_then(|s| Report::read(&lab.default_report_path(exercise, &s)).ok());
                console.list_entry(exercise, last.as_ref());
            }
            Ok(0)
        }
        Command::Hint { exercise, all } => {
            let exercise = find_exercise(lab, &exercise)?;
            let state = hints::HintState::path(lab);
            let shown = if all {
                exercise.hints.len()
            } else {
                hints::reveal_next(&state, exercise)?
            };
            Console::new(out, err).hints(exercise, shown);
            Ok(0)
        }
    }
}

fn find_exercise<'a>(lab: &'a Lab, name: &str) -> Result<&'a Exercise, String> {
    lab.manifest.find(name).ok_or_else(|| {
        format!(
            "there is no exercise `{name}`. The exercises are:\n{}\nName one by id (ex01), number (1) or full name.",
            lab.manifest.listing()
        )
    })
}
