//! `cargo xtask merge DIR…`: joins the output folders of a class graded in shards
//! (`grade --submissions … --shard K/N --out DIR`) into one: the reports, the class
//! summary, and the files CI reads (JUnit, Gradescope, the gradebook).
//!
//! It refuses what one run would not have written: a shard missing or given twice
//! (named), a student in two shards, and reports graded against another manifest
//! than this workspace's (each report records its hash). `--replace DIR` puts in the
//! results of a student regraded alone (`grade --only NAME --out DIR`), in place of
//! that student's.

use super::grade::{Audience, FormatArgs, summary_text, write_formats};
use anyhow::{Context, bail};
use racelab_grader::batch::{self, Summary};
use racelab_grader::formats::Graded;
use racelab_grader::integrity;
use racelab_grader::lab::Lab;
use racelab_grader::lab::MANIFEST_PATH;
use racelab_grader::render::page;
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
    /// The output folder of one student regraded alone (`grade --only NAME --out
    /// DIR`): its results replace that student's in the shards. Repeatable.
    #[arg(long, value_name = "DIR")]
    replace: Vec<PathBuf>,
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
    let manifest_hash = integrity::file_hash(&lab.root.join(MANIFEST_PATH))
        .context("cannot read this workspace's manifest")?;
    let mut parts = Vec::new();
    let mut shards = Vec::new();
    for dir in &args.shards {
        let part = read_part(dir, &manifest_hash)?;
        shards.push((dir.display().to_string(), part.0.shard));
        parts.push(part);
    }
    batch::check_complete(&shards)?;
    refuse_students_twice(&args.shards, &parts)?;
    for dir in &args.replace {
        let (summary, reports) = read_part(dir, &manifest_hash)?;
        let Some(student) = summary.only.clone() else {
            bail!(
                "{} is not a regrade of one student (grade it with --only NAME)",
                dir.display()
            );
        };
        let mut found = false;
        for (shard, shard_reports) in &mut parts {
            let (kept, kept_reports): (Vec<_>, Vec<_>) = std::mem::take(&mut shard.subjects)
                .into_iter()
                .zip(std::mem::take(shard_reports))
                .filter(|(line, _)| {
                    let theirs = line.name == student;
                    found |= theirs;
                    !theirs
                })
                .unzip();
            shard.subjects = kept;
            *shard_reports = kept_reports;
        }
        if !found {
            bail!("{student} (regraded in {}) is in no shard", dir.display());
        }
        parts.push((summary, reports));
    }
    for (summary, reports) in &mut parts {
        for (line, report) in summary.subjects.iter_mut().zip(reports.iter()) {
            let from = PathBuf::from(&line.report);
            let to = out_dir.join(&line.exercise).join(file_name(&from));
            if from != to {
                report
                    .write(&to)
                    .with_context(|| format!("cannot write {}", to.display()))?;
                // The page is copied, not drawn again: a report read back has no steps.
                let (page_from, page_to) = (page::page_path(&from), page::page_path(&to));
                if page_from.is_file() {
                    std::fs::copy(&page_from, &page_to)
                        .with_context(|| format!("cannot write {}", page_to.display()))?;
                }
            }
            line.report = to.display().to_string();
        }
    }
    let (shards, replaced) = (args.shards.len(), args.replace.len());
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
        "Merged {shards} shard(s), {replaced} regrade(s) in place: {} subject(s)",
        summary.subjects.len()
    )?;
    write!(out, "{}", summary_text(&summary, &path))?;
    let graded: Vec<Graded<'_>> = reports
        .iter()
        .map(|(name, report)| Graded { name, report })
        .collect();
    let written = write_formats(lab, &args.formats, &graded, Audience::Class, out, err);
    Ok(if written {
        summary.exit_code()
    } else {
        crate::EXIT_USAGE
    })
}

/// A shard's (or a regrade's) summary and its reports, each line's `report` set to
/// where it was read, refusing anything graded against another manifest.
fn read_part(dir: &Path, manifest_hash: &str) -> anyhow::Result<(Summary, Vec<Report>)> {
    let path = dir.join(batch::SUMMARY_FILE);
    let mut summary = Summary::read(&path)
        .with_context(|| format!("cannot read the shard's summary {}", path.display()))?;
    let mut reports = Vec::new();
    for line in &mut summary.subjects {
        let from = shard_report(dir, &line.exercise, &line.report);
        let report = Report::read(&from)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from.display()))?;
        if report.manifest_hash != manifest_hash {
            bail!(
                "{} was graded against another manifest ({}) than this workspace's ({manifest_hash}): grade the class again with one manifest",
                from.display(),
                report.manifest_hash
            );
        }
        line.report = from.display().to_string();
        reports.push(report);
    }
    Ok((summary, reports))
}

/// Refuses a student graded in two of the shards (a folder renamed between runs, or
/// shards of different submissions): their grades would count twice.
fn refuse_students_twice(dirs: &[PathBuf], parts: &[(Summary, Vec<Report>)]) -> anyhow::Result<()> {
    let mut seen: Vec<(&str, &Path)> = Vec::new();
    for (dir, (summary, _)) in dirs.iter().zip(parts) {
        let mut names: Vec<&str> = summary.subjects.iter().map(|l| l.name.as_str()).collect();
        names.dedup();
        for name in names {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                bail!(
                    "{name} was graded in two shards, {} and {}",
                    first.display(),
                    dir.display()
                );
            }
            seen.push((name, dir));
        }
    }
    Ok(())
}

/// Where a shard's report is: `<shard>/<exercise>/<file>`, wherever the shard ran.
fn shard_report(shard: &Path, exercise: &str, recorded: &str) -> PathBuf {
    shard.join(exercise).join(file_name(Path::new(recorded)))
}

fn file_name(path: &Path) -> &std::ffi::OsStr {
    path.file_name().unwrap_or_default()
}
