//! `cargo xtask grade ex01`: grades one subject and writes its report; with
//! `--submissions DIR` or `--all`, a class ([`class`]).

mod class;
mod formats;

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::terminal::Terminal;
use anyhow::bail;
use racelab_grader::batch::{self, Event};
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::render::page;
use racelab_grader::report::Report;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::{GradeOptions, Observer, Regrade, grade};
use std::io::Write;
use std::path::PathBuf;

pub(crate) use class::summary_text;
pub(crate) use formats::{Audience, FormatArgs, write_formats};

/// `grade`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise: `ex01`, `1`, `ex01-lost-update` or `lost-update` (none with --all).
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
        regrade: Regrade::AfterEdits,
    };
    if class.is_batch() {
        return class::grade_class(lab, exercise.as_deref(), &class, &options, out, err);
    }
    if class.jobs.is_some() || class.out.is_some() || class.budget.is_some() {
        bail!("--jobs, --out and --budget are for a batch: add --submissions DIR or --all");
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
    let (name, graded, written) = match Subject::locate(lab, exercise, path.as_deref()) {
        Ok(subject) => {
            let mut console = Console::new(out, err).with_terminal(terminal);
            console.grade_started(exercise, &subject);
            let graded = grade(lab, exercise, &subject, &options, &mut console);
            let report_path = report.unwrap_or_else(|| lab.default_report_path(exercise, &subject));
            let roots = [subject.dir.as_path(), lab.root.as_path()];
            let written = page::write_with_report(&graded, &report_path, &roots);
            console.grade_finished(&graded, &report_path, written.as_ref().err());
            let name = batch::subject_name(lab, exercise, &subject);
            (name, graded, written.is_ok())
        }
        // The workspace's own crate is the student's: a deleted src/lib.rs is theirs to
        // fix, so it fails the grade instead of being a usage error.
        Err(_) if path.is_none() => {
            let (graded, written) = lost_crate(lab, exercise, report, &options, terminal, out, err);
            (batch::WORKSPACE.to_owned(), graded, written)
        }
        Err(e) => return Err(e.into()),
    };
    let graded_one = [racelab_grader::formats::Graded {
        name: &name,
        report: &graded,
    }];
    let formats_written = write_formats(lab, &class.formats, &graded_one, Audience::One, out, err);
    Ok(if written && formats_written {
        graded.verdict.exit_code()
    } else {
        crate::EXIT_USAGE
    })
}

/// Grades the workspace's crate of `exercise` when it has no `src/lib.rs`: every
/// selected stage is an `error` that says how to restore it, and the verdict `fail`
/// (as for a submission without a crate in a batch). Prints it, writes the report
/// where a grade would, and returns it with whether it was written.
fn lost_crate(
    lab: &Lab,
    exercise: &Exercise,
    report: Option<PathBuf>,
    options: &GradeOptions,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> (Report, bool) {
    let problem = format!(
        "{}/src/lib.rs is missing; `cargo xtask reset {}` restores the crate as shipped (your files are backed up first)",
        exercise.dir, exercise.id
    );
    let report_path = report.unwrap_or_else(|| {
        lab.work_dir()
            .join("reports")
            .join(format!("{}.toml", exercise.id))
    });
    let target = batch::Target {
        name: batch::WORKSPACE.into(),
        exercise,
        folder: lab.exercise_dir(exercise),
        subject: Err(problem),
        report_path: report_path.clone(),
        layout: None,
    };
    let mut write_error = None;
    let mut reports = batch::run(
        lab,
        std::slice::from_ref(&target),
        options,
        batch::Plan {
            jobs: 1,
            budget: None,
        },
        &mut |event| {
            if let Event::Finished {
                written: Err(e), ..
            } = event
            {
                write_error = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        },
    );
    let graded = reports.remove(0);
    let mut console = Console::new(out, err).with_terminal(terminal);
    console.print(&format!(
        "Grading {} ({}): {}\n",
        exercise.id, exercise.title, exercise.dir
    ));
    for stage in &graded.stages {
        console.stage_finished(stage);
    }
    console.grade_finished(&graded, &report_path, write_error.as_ref());
    let written = write_error.is_none();
    (graded, written)
}
