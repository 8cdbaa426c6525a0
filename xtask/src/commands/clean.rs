//! `cargo xtask clean --keep N`: removes the builds of all but the N most recently
//! graded subjects, keeping the dependencies every grade shares.

use racelab_grader::clean;
use racelab_grader::lab::Lab;
use std::io::Write;

/// `clean`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep the builds of the N most recently graded subjects.
    #[arg(long, value_name = "N", default_value_t = 0)]
    keep: usize,
}

/// Prunes and says what went; returns the exit status.
pub(crate) fn run(lab: &Lab, args: Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let pruned = clean::prune(lab, args.keep)?;
    writeln!(
        out,
        "removed the builds of {} subject(s) ({:.1} MiB), kept {}; the shared dependencies stay",
        pruned.subjects.len(),
        pruned.bytes as f64 / f64::from(1 << 20),
        pruned.kept
    )?;
    Ok(0)
}
