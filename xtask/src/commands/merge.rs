//! `cargo xtask merge DIR…`: joins the output folders of a class graded in shards
//! (`grade --submissions … --shard K/N --out DIR`) into one: the reports, the class
//! summary, and the files CI reads (JUnit, Gradescope, the gradebook).

use super::grade::{FormatArgs, summary_text, write_formats};
use anyhow::{Context, bail};
use racelab_grader::batch::{self, Summary};
use racelab_grader::formats::Graded;
use racelab_grader::lab::Lab;
use racelab_grader::report::Report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `merge`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shards' output folders (each holds a summary.toml and its reports).
    #[arg(value_name = "DIR", required = true)]
    shards: Vec<PathBuf>,
    /// Where the joined reports and summary.toml go (default: target/racelab/batch).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    formats: FormatArgs,
}

/// Joins the shards; returns the class's exit status, as a single batch's.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let out_dir = args.out.unwrap_or_else(|| lab.work_dir().join("batch"));
    let mut parts = Vec::new();
    for dir in &args.shards {
        let path = dir.join(batch::SUMMARY_FILE);
        let summary = Summary::read(&path)
            .with_context(|| format!("cannot read the shard's summary {}", path.display()))?;
        let mut reports = Vec::new();
        let mut lines = summary.subjects.clone();
        for line in &mut lines {
            let from = shard_report(dir, &line.exercise, &line.report);
            let report = Report::read(&from)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from.display()))?;
            let to = out_dir.join(&line.exercise).join(file_name(&from));
            if from != to {
                report
                    .write(&to)
                    .with_context(|| format!("cannot write {}", to.display()))?;
            }
            line.report = to.display().to_string();
            reports.push(report);
        }
        parts.push((
            Summary {
                subjects: lines,
                ..summary
            },
            reports,
        ));
    }
    let shards = parts.len();
    let Some(summary) = Summary::merge(lab, parts.clone()) else {
        bail!("no shards to merge");
    };
    let reports: Vec<(String, Report)> = {
        let mut all: Vec<(String, Report)> = parts
            .into_iter()
            .flat_map(|(s, r)| s.subjects.into_iter().map(|l| l.name).zip(r))
            .collect();
        let order = |name: &str, exercise: &str| {
            summary
                .subjects
                .iter()
                .position(|l| l.name == name && l.exercise == exercise)
        };
        all.sort_by_key(|(name, report)| order(name, &report.exercise));
        all
    };
    let path = out_dir.join(batch::SUMMARY_FILE);
    summary
        .write(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(
        out,
        "Merged {shards} shard(s): {} subject(s)",
        summary.subjects.len()
    )?;
    write!(out, "{}", summary_text(&summary, &path))?;
    let graded: Vec<Graded<'_>> = reports
        .iter()
        .map(|(name, report)| Graded { name, report })
        .collect();
    let written = write_formats(lab, &args.formats, &graded, out, err);
    Ok(if written {
        summary.exit_code()
    } else {
        crate::EXIT_USAGE
    })
}

/// Where a shard's report is: `<shard>/<exercise>/<file>`, wherever the shard ran.
fn shard_report(shard: &Path, exercise: &str, recorded: &str) -> PathBuf {
    shard.join(exercise).join(file_name(Path::new(recorded)))
}

fn file_name(path: &Path) -> &std::ffi::OsStr {
    path.file_name().unwrap_or_default()
}
