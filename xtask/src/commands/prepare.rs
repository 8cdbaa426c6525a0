//! `cargo xtask prepare`: builds, once, what every grade shares — each stage's
//! dependencies (loom, shuttle, the facade) and ThreadSanitizer's toolchain and
//! instrumented std, provisioned if missing — so that a CI cache or a workshop room
//! starts warm.

use racelab_grader::GradeOptions;
use racelab_grader::batch;
use racelab_grader::lab::Lab;
use racelab_grader::stages::StageId;
use std::io::Write;

/// `prepare`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Prepare only these stages (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    stage: Vec<StageId>,
    /// Install nothing: a stage whose toolchain is missing is reported instead.
    #[arg(long)]
    no_provision: bool,
}

/// Prepares every selected stage; exits 0 when all are ready, else 3 (as `doctor`).
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let options = GradeOptions {
        stages: if args.stage.is_empty() {
            StageId::ALL.to_vec()
        } else {
            args.stage
        },
        provision: !args.no_provision,
        ..GradeOptions::default()
    };
    let Some(exercise) = lab.manifest.exercises.first() else {
        anyhow::bail!("the manifest has no exercise to prepare for");
    };
    let prepared = batch::prepare(lab, exercise, &options, &mut |stage, activity| {
        let _ = writeln!(err, "  {stage:<8} {activity}…");
    });
    let mut ready = true;
    for done in &prepared {
        match &done.outcome {
            Ok(()) => writeln!(out, "{:<8} ready", done.stage)?,
            Err(reason) => {
                ready = false;
                let reason = reason.replace('\n', "\n         ");
                writeln!(out, "{:<8} NOT READY  {reason}", done.stage)?;
            }
        }
    }
    Ok(if ready { 0 } else { 3 })
}
