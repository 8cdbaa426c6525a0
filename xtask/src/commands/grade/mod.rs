//! `cargo xtask grade ex01`: grades one subject and writes its report; with
//! `--submissions DIR` or `--all`, a class ([`class`]).

mod class;

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::terminal::Terminal;
use anyhow::bail;
use racelab_grader::lab::Lab;
use racelab_grader::stages::StageName;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, grade};
use std::io::Write;
use std::path::PathBuf;

pub(crate) use class::write_formats;

/// `grade`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise: `ex01`, `1` or `ex01-lost-update` (none with --all).
    exercise: Option<String>,
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
    /// Install nothing: a stage whose toolchain is missing is skipped instead.
    #[arg(long)]
    no_provision: bool,
    #[command(flatten)]
    class: Box<class::ClassArgs>,
}

/// Grades what `args` name; returns the exit status.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let Args {
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
    } = args;
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
        provision: !no_provision,
        required: class.require.clone(),
    };
    if class.is_batch() {
        return class::grade_class(lab, exercise.as_deref(), &class, &options, out, err);
    }
    if class.jobs.is_some() || class.out.is_some() {
        bail!("--jobs and --out are for a batch: add --submissions DIR or --all");
    }
    let Some(exercise) = exercise else {
        bail!(
            "name the exercise to grade, e.g. `cargo xtask grade {}` (or grade them all with --all). The exercises are:\n{}",
            lab.manifest
                .exercises
                .first()
                .map_or("ex01", |e| e.id.as_str()),
            lab.manifest.listing()
        );
    };
    let exercise = find_exercise(lab, &exercise)?;
    let subject = Subject::locate(lab, exercise, path.as_deref())?;
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
    let formats_written = write_formats(lab, &class, &graded_one, out, err);
    match written {
        Ok(()) if formats_written => Ok(graded.verdict.exit_code()),
        _ => Ok(crate::EXIT_USAGE),
    }
}
