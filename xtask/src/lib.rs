//! Racelab's command line, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`).
//!
//! The commands parse their arguments, open the lab, call the grader, and hand the
//! results to a printer ([`console`]); the grader itself prints nothing. Everything
//! is written to the `out` and `err` streams given to [`run`], so the tests drive the
//! command line in-process.

mod batch;
pub mod console;
mod doctor;
mod hints;
pub mod progress;
pub mod reset;
pub mod solution;
pub mod terminal;
pub mod watch;

use clap::{Parser, Subcommand};
use console::Console;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_grader::{GradeOptions, grade, replay};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use terminal::Terminal;

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
    /// Grade an exercise with loom, shuttle, stress and ThreadSanitizer; or a class
    /// (--submissions DIR), or every exercise (--all).
    ///
    /// Exit status: 0 every stage ran and passed; 1 a stage found a bug or the subject
    /// does not build; 3 nothing failed but a stage was skipped; 2 usage or grader error.
    /// A batch exits like its worst subject: 1 if any failed, else 2 if the grader
    /// failed on any, else 3 if any is incomplete, else 0.
    Grade {
        /// The exercise: `ex01`, `1` or `ex01-lost-update` (none with --all).
        #[arg(required_unless_present = "all")]
        exercise: Option<String>,
        /// Grade this crate folder instead of the workspace's exercise crate.
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
        /// Run only these stages (comma-separated); the others are reported skipped.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        stage: Vec<StageId>,
        /// shuttle's PCT seed (default: the manifest's).
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// shuttle's iteration count (default: the manifest's).
        #[arg(long, value_name = "N")]
        iterations: Option<usize>,
        /// Write the report here (default: target/racelab/reports/<exercise>.toml).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Each stage's time limit in seconds, and a real-thread round's (default: 10×
        /// what the reference solutions take, at least 5). Past it: `timeout`.
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
        time_limit: Option<u64>,
        /// Address-space limit of each runner process, in MiB (default 4096; 0: none).
        #[arg(long, value_name = "MIB")]
        memory_limit: Option<u64>,
        /// Install nothing: a stage whose toolchain is missing is skipped instead.
        #[arg(long)]
        no_provision: bool,
        #[command(flatten)]
        class: Box<batch::ClassArgs>,
    },
    /// Show which toolchain each stage will use, and what is missing.
    Doctor,
    /// Replay a failing shuttle schedule printed by `grade`.
    Replay {
        /// The exercise.
        exercise: String,
        /// The stage whose failure to reproduce: `loom` or `shuttle`.
        #[arg(long, default_value = "shuttle")]
        stage: StageId,
        /// shuttle's failing schedule, from the grade's output or report.
        #[arg(long)]
        schedule: Option<String>,
        /// The crate folder that failed, if not the workspace's exercise crate.
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
    },
    /// List the exercises with their status after the last grade, and a progress bar.
    List,
    /// Show the next hint for an exercise (they are revealed one at a time, and the
    /// count is remembered between runs).
    Hint {
        /// The exercise.
        exercise: String,
        /// Show every hint.
        #[arg(long)]
        all: bool,
    },
    /// Grade an exercise, then again each time one of its files is saved.
    ///
    /// Each stage's line appears as soon as the stage ends, fastest first. Keys: h next
    /// hint, l list, r re-run, n next exercise (after a pass), q quit.
    ///
    /// Needs an interactive terminal (stdin and stdout); elsewhere it grades nothing,
    /// says so, and exits with status 2: use `grade` in scripts.
    Watch {
        /// The exercise (default: the first one whose last grade is not a pass).
        exercise: Option<String>,
        /// Watch and grade this crate folder instead of the workspace's exercise crate.
        #[arg(long, value_name = "DIR", requires = "exercise")]
        path: Option<PathBuf>,
        /// Run only these stages (comma-separated) on each grade.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        stage: Vec<StageId>,
    },
    /// Put an exercise back as shipped (its version in git), after backing up yours.
    ///
    /// Your current files are copied to `.racelab/backups/<exercise>-<time>/` first,
    /// and the command prints that folder. Outside a git checkout it changes nothing.
    Reset {
        /// The exercise.
        exercise: String,
    },
    /// Show the reference fixes and when each is the right choice.
    ///
    /// They unlock once the exercise's last grade passes. Exit status: 0 shown; 1
    /// still locked; 2 usage error.
    Solution {
        /// The exercise.
        exercise: String,
        /// Show them even though your fix does not pass yet.
        #[arg(long)]
        force: bool,
    },
}

/// Runs the command line `args` (program name first) and returns the exit status.
/// `out` and `err` are taken to be this process's stdout and stderr: colours, spinners
/// and `watch` are used where they are terminals.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    run_with(&default_root(), args, out, err, Terminal::detect())
}

/// Like [`run`], on the workspace at `root`, with plain output and no terminal (so
/// `watch` refuses to start).
pub fn run_in(
    root: &Path,
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    run_with(root, args, out, err, Terminal::default())
}

/// Like [`run_in`], with `terminal` saying what `out`, `err` and stdin are connected to.
pub fn run_with(
    root: &Path,
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
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
    match execute(&lab, cli.command, terminal, out, err) {
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
    terminal: Terminal,
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
            no_provision,
            class,
        } => {
            let stages = if stage.is_empty() {
                StageId::ALL.to_vec()
            } else {
                stage
            };
            let options = GradeOptions {
                stages,
                seed,
                iterations,
                time_limit: time_limit.map(std::time::Duration::from_secs),
                memory_limit_mb: memory_limit,
                provision: !no_provision,
                required: class.require.clone(),
            };
            if class.is_batch() {
                return batch::grade_class(lab, exercise.as_deref(), &class, &options, out, err);
            }
            if class.jobs.is_some() || class.out.is_some() {
                return Err(
                    "--jobs and --out are for a batch: add --submissions DIR or --all".into(),
                );
            }
            let exercise = find_exercise(lab, exercise.as_deref().unwrap_or_default())?;
            let subject =
                Subject::locate(lab, exercise, path.as_deref()).map_err(|e| e.to_string())?;
            let mut console = Console::new(out, err).with_terminal(terminal);
            console.grade_started(exercise, &subject);
            let graded = grade(lab, exercise, &subject, &options, &mut console);
            let report_path = report.unwrap_or_else(|| lab.default_report_path(exercise, &subject));
            let written = graded.write(&report_path);
            console.grade_finished(&graded, &report_path, written.as_ref().err());
            drop(console);
            let name = racelab_grader::batch::subject_name(lab, exercise, &subject);
            let graded_one = [racelab_grader::formats::Graded {
                name: &name,
                report: &graded,
            }];
            let formats_written = batch::write_formats(lab, &class, &graded_one, out, err);
            match written {
                Ok(()) if formats_written => Ok(graded.verdict.exit_code()),
                _ => Ok(EXIT_USAGE),
            }
        }
        Command::Replay {
            exercise,
            stage,
            schedule,
            path,
        } => {
            let exercise = find_exercise(lab, &exercise)?;
            let subject =
                Subject::locate(lab, exercise, path.as_deref()).map_err(|e| e.to_string())?;
            let mut console = Console::new(out, err);
            let judgement = replay(
                lab,
                exercise,
                &subject,
                stage,
                schedule.as_deref(),
                &mut console,
            )?;
            console.replayed(stage, &judgement);
            Ok(match judgement.status {
                racelab_grader::report::Status::Fail => Verdict::Fail.exit_code(),
                racelab_grader::report::Status::Pass => Verdict::Pass.exit_code(),
                _ => EXIT_USAGE,
            })
        }
        Command::Doctor => {
            let mut console = Console::new(out, err);
            let healthy = doctor::check(&mut console);
            Ok(if healthy { 0 } else { 3 })
        }
        Command::List => {
            Console::new(out, err)
                .with_terminal(terminal)
                .list(&progress::all(lab));
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
            Console::new(out, err).with_terminal(terminal).hints(
                exercise,
                shown,
                &format!("Run `cargo xtask hint {}` again", exercise.id),
            );
            Ok(0)
        }
        Command::Watch {
            exercise,
            path,
            stage,
        } => {
            let options = watch::WatchOptions {
                exercise,
                path,
                stages: stage,
            };
            watch::watch(lab, options, terminal, out, err)
        }
        Command::Reset { exercise } => {
            let exercise = find_exercise(lab, &exercise)?;
            reset::reset(
                lab,
                exercise,
                &mut Console::new(out, err).with_terminal(terminal),
            )
        }
        Command::Solution { exercise, force } => {
            let exercise = find_exercise(lab, &exercise)?;
            let mut console = Console::new(out, err).with_terminal(terminal);
            Ok(solution::show(lab, exercise, force, &mut console))
        }
    }
}

/// The exercise called `name` (id, number or full name), or an error listing them all.
pub(crate) fn find_exercise<'a>(lab: &'a Lab, name: &str) -> Result<&'a Exercise, String> {
    lab.manifest.find(name).ok_or_else(|| {
        format!(
            "there is no exercise `{name}`. The exercises are:\n{}\nName one by id (ex01), number (1) or full name.",
            lab.manifest.listing()
        )
    })
}
