//! `cargo xtask replay ex01 --schedule …`: reruns one failing schedule.

use crate::console::Console;
use crate::exercise_name::find_exercise;
use racelab_grader::lab::Lab;
use racelab_grader::report::Status;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use std::io::Write;
use std::path::PathBuf;

/// `replay`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise.
    exercise: String,
    /// The stage whose failure to reproduce: `loom`, `shuttle` or `spec`.
    #[arg(long, default_value = "shuttle")]
    stage: StageId,
    /// shuttle's failing schedule, from the grade's output or report: the schedule, or
    /// `@FILE` for one written to a file (a livelock's, too long to paste).
    #[arg(long)]
    schedule: Option<String>,
    /// The seed the grade was given with `--seed`, for a spec replay (its scenarios are
    /// generated from it).
    #[arg(long)]
    seed: Option<u64>,
    /// The crate folder that failed, if not the workspace's exercise crate.
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
}

/// Replays the schedule; exits like a grade of that one stage.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = find_exercise(lab, &args.exercise)?;
    let subject = Subject::locate(lab, exercise, args.path.as_deref())?;
    let mut console = Console::new(out, err);
    let judgement = racelab_grader::replay(
        lab,
        exercise,
        &subject,
        args.stage,
        args.schedule.as_deref(),
        args.seed,
        &mut console,
    )
    .map_err(anyhow::Error::msg)?;
    console.replayed(args.stage, &judgement);
    Ok(match judgement.status {
        Status::Fail => Verdict::Fail.exit_code(),
        Status::Pass => Verdict::Pass.exit_code(),
        _ => crate::EXIT_USAGE,
    })
}
