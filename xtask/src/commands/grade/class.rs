//! Grading for instructors and CI: `cargo xtask grade EX --submissions DIR` and
//! `cargo xtask grade --all` (a class), and the formats CI systems read (`--junit`,
//! `--gradescope`, GitHub annotations, `--require`), for a batch or a single grade.
//!
//! The grader's `batch` module does the work; this prints one line per subject as
//! its grade ends (progress to `err`, results to `out`), then the class summary, and
//! writes the formats from the same reports.

use super::formats::{Audience, FormatArgs, write_formats};
use crate::exercise_name::find_exercise;
use anyhow::{anyhow, bail};
use racelab_grader::GradeOptions;
use racelab_grader::batch::{self, Event, Plan, Scope, Settings, Shard, Summary};
use racelab_grader::formats::Graded;
use racelab_grader::lab::Lab;
use racelab_grader::render::page;
use racelab_grader::report::{Report, Status};
use racelab_grader::stages::StageId;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A subject's time budget per exercise in a batch unless `--budget` says otherwise:
/// far above what a correct fix takes, so it only ends a grade that keeps running into
/// its stages' limits.
const DEFAULT_BUDGET_SECS: u64 = 600;

/// The `grade` options for classes and CI.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ClassArgs {
    /// Grade every exercise of the workspace (with --submissions: of every submission).
    #[arg(long, conflicts_with_all = ["exercise", "path", "report"])]
    pub all: bool,
    /// Grade every submission in DIR: each subfolder is a crate for the exercise, or a
    /// whole copy of the workspace (graded at its exercises/exNN-*).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["path", "report"])]
    pub submissions: Option<PathBuf>,
    /// With --submissions or --all: subjects graded at once (default: one per core,
    /// at most 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// With --submissions or --all: list what would be graded, and why (how each
    /// crate was found, or why a folder has none), then stop.
    #[arg(long)]
    pub dry_run: bool,
    /// With --submissions or --all: each subject's time budget per exercise, in
    /// seconds; a stage that would start past it is a timeout (default 600).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub budget: Option<u64>,
    /// With --submissions or --all: where the reports and summary.toml go (default:
    /// target/racelab/batch).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --submissions: grade only shard K of N (K/N) of the students, chosen by
    /// their folder's name; `cargo xtask merge` joins the shards' --out folders.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// With --submissions: grade only the student whose folder is NAME (to regrade
    /// one, then `cargo xtask merge --replace` it into the class).
    #[arg(long, value_name = "NAME", conflicts_with = "shard")]
    pub only: Option<String>,
    #[command(flatten)]
    pub formats: FormatArgs,
    /// Stages that must run (comma-separated): if one is skipped, the grade fails
    /// instead of being incomplete, so it cannot look green in CI.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub require: Vec<StageId>,
}

impl ClassArgs {
    /// Whether these options ask for a batch rather than one grade.
    pub fn is_batch(&self) -> bool {
        self.all || self.submissions.is_some()
    }
}

/// Grades a class: every submission (or every exercise) with `options`; prints, writes
/// the summary and the formats, and returns the batch's exit status.
pub(crate) fn grade_class(
    lab: &Lab,
    exercise: Option<&str>,
    class: &ClassArgs,
    options: &GradeOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let scope = match exercise {
        Some(name) => Scope::One(find_exercise(lab, name)?),
        None => Scope::All,
    };
    let out_dir = class
        .out
        .clone()
        .unwrap_or_else(|| lab.work_dir().join("batch"));
    let mut targets = batch::discover(lab, scope, class.submissions.as_deref(), &out_dir)?;
    if let Some(shard) = class.shard {
        if class.submissions.is_none() {
            bail!("--shard is for a class: add --submissions DIR");
        }
        targets.retain(|t| shard.holds(&t.name));
    }
    if let Some(only) = &class.only {
        if class.submissions.is_none() {
            bail!("--only is for a class: add --submissions DIR");
        }
        targets.retain(|t| t.name == *only);
        if targets.is_empty() {
            bail!("no submission folder is called `{only}`");
        }
    }
    if class.dry_run {
        let _ = write!(out, "{}", dry_run(&targets, class.submissions.as_deref()));
        return Ok(0);
    }
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| anyhow!("cannot create the output folder {}: {e}", out_dir.display()))?;
    let jobs = class.jobs.map_or_else(batch::default_jobs, usize::from);
    let stages: Vec<&str> = options.stages.iter().map(|s| s.as_str()).collect();
    let source = class
        .submissions
        .as_ref()
        .map_or_else(|| "the workspace".to_owned(), |d| d.display().to_string());
    let _ = writeln!(
        out,
        "Grading {} subject(s) from {source}, {jobs} at a time; stages: {}",
        targets.len(),
        stages.join(", ")
    );
    let total = targets.len();
    let width = targets
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut done = 0;
    let started = Instant::now();
    let plan = Plan {
        jobs,
        budget: Some(Duration::from_secs(
            class.budget.unwrap_or(DEFAULT_BUDGET_SECS),
        )),
    };
    let reports = batch::run(lab, &targets, options, plan, &mut |event| match event {
        Event::Preparing { stage, activity } => {
            let _ = writeln!(err, "  preparing {stage:<8} {activity}…");
        }
        Event::Started { target, .. } => {
            let _ = writeln!(err, "  grading {} ({})…", target.name, target.exercise.id);
        }
        Event::Finished {
            target,
            report,
            written,
            ..
        } => {
            done += 1;
            let _ = write!(
                out,
                "{}",
                subject_line(done, total, width, &target.name, report)
            );
            if let Err(e) = written {
                let _ = writeln!(
                    err,
                    "error: cannot write the report to {}: {e}",
                    target.report_path.display()
                );
            }
        }
    });
    if class.submissions.is_some() {
        let stale = remove_stale_reports(lab, &out_dir, &targets);
        if !stale.is_empty() {
            let _ = writeln!(
                out,
                "removed {} report(s) of an earlier run, for subjects not graded in this one: {}",
                stale.len(),
                stale.join(", ")
            );
        }
    }
    let settings = Settings {
        submissions: class.submissions.as_deref(),
        options,
        jobs,
        duration: started.elapsed(),
        shard: class.shard,
        only: class.only.as_deref(),
    };
    let summary = Summary::of(lab, &targets, &reports, &settings);
    let summary_path = out_dir.join(batch::SUMMARY_FILE);
    let mut healthy = match summary.write(&summary_path) {
        Ok(()) => true,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot write the summary to {}: {e}",
                summary_path.display()
            );
            false
        }
    };
    let _ = write!(out, "{}", summary_text(&summary, &summary_path));
    let graded: Vec<Graded<'_>> = targets
        .iter()
        .zip(&reports)
        .map(|(target, report)| Graded {
            name: &target.name,
            report,
        })
        .collect();
    let audience = match class.submissions {
        Some(_) => Audience::Class,
        None => Audience::One,
    };
    healthy &= write_formats(lab, &class.formats, &graded, audience, out, err);
    Ok(if healthy {
        summary.exit_code()
    } else {
        crate::EXIT_USAGE
    })
}

/// Removes the reports in `out/<exercise>/` that this batch did not write (a student
/// removed from the submissions since), so `--out` holds this run's class only. Only
/// files that read as reports are removed. Returns their paths relative to `out`.
fn remove_stale_reports(lab: &Lab, out: &Path, targets: &[batch::Target<'_>]) -> Vec<String> {
    let written: Vec<&Path> = targets.iter().map(|t| t.report_path.as_path()).collect();
    let mut removed = Vec::new();
    for exercise in &lab.manifest.exercises {
        let Ok(entries) = std::fs::read_dir(out.join(&exercise.id)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let stale = path.extension().is_some_and(|e| e == "toml")
                && !written.contains(&path.as_path())
                && Report::read(&path).is_ok();
            if stale && std::fs::remove_file(&path).is_ok() {
                let _ = std::fs::remove_file(page::page_path(&path));
                let shown = path.strip_prefix(out).unwrap_or(&path);
                removed.push(shown.display().to_string());
            }
        }
    }
    removed
}

/// What `--dry-run` prints: each target with the crate it would grade and how it was
/// found (or why there is none), then what in the submissions folder is ignored.
fn dry_run(targets: &[batch::Target<'_>], submissions: Option<&Path>) -> String {
    let mut text = format!("Would grade {} subject(s):\n", targets.len());
    let width = targets
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    for target in targets {
        let what = match (&target.subject, target.layout) {
            (Ok(subject), Some(layout)) => {
                let shown = subject
                    .dir
                    .strip_prefix(&target.folder)
                    .ok()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| ".".to_owned(), |p| p.display().to_string());
                format!("{shown}  ({layout})")
            }
            (Ok(subject), None) => subject.label.clone(),
            (Err(problem), _) if target.name == batch::WORKSPACE => {
                format!("nothing to grade (fail): {problem}")
            }
            (Err(problem), _) => format!("not submitted (missing): {problem}"),
        };
        text.push_str(&format!(
            "  {:<width$}  {:<5} {what}\n",
            target.name, target.exercise.id
        ));
    }
    let Some(dir) = submissions else {
        return text;
    };
    let mut ignored: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let why = if batch::is_ignored(&name) {
                        "hidden, or archive metadata"
                    } else if !entry.path().is_dir() {
                        "not a folder"
                    } else {
                        return None;
                    };
                    Some(format!("  {name}  ({why})\n"))
                })
                .collect()
        })
        .unwrap_or_default();
    ignored.sort();
    if !ignored.is_empty() {
        text.push_str("Ignored:\n");
        text.extend(ignored);
    }
    text
}

/// One subject's result: `[ 3/20] alice   ex01  fail        loom FAIL · … (1.2 s)`,
/// and under a verdict that is not a pass, the first stage that explains it.
fn subject_line(done: usize, total: usize, width: usize, name: &str, report: &Report) -> String {
    let digits = total.to_string().len();
    let stages: Vec<String> = report
        .stages
        .iter()
        .map(|s| match s.status {
            Status::Skipped => format!("{} -", s.name),
            other => format!("{} {}", s.name, other.as_str().to_uppercase()),
        })
        .collect();
    let mut line = format!(
        "  [{done:>digits$}/{total}] {name:<width$}  {:<5} {:<11} {}  ({:.1} s)\n",
        report.exercise,
        report.verdict.as_str(),
        stages.join(" · "),
        report.duration_ms as f64 / 1000.0,
    );
    let reason = report
        .stages
        .iter()
        .find(|s| matches!(s.status, Status::Fail | Status::Timeout | Status::Error))
        .or_else(|| {
            let missing = report.required_but_skipped();
            report
                .stages
                .iter()
                .find(|s| missing.contains(&s.name.as_str()))
        });
    let indent = digits * 2 + 7;
    if !report.verdict.judged() {
        // `missing` and `unchanged` ran no stage: each says why, once is enough.
        if let Some(stage) = report.stages.first() {
            let why = shorten(stage.summary.lines().next().unwrap_or_default(), 160);
            line.push_str(&format!("{:>indent$}{why}\n", ""));
        }
    } else if let Some(stage) = reason {
        let summary = shorten(stage.summary.lines().next().unwrap_or_default(), 160);
        line.push_str(&format!("{:>indent$}{}: {summary}\n", "", stage.name));
    }
    line
}

/// `text` cut to about `width` characters with `…`, but never inside a `file.rs:line`
/// (or `file.rs:line:column`) it names: a reason keeps the place it points at.
fn shorten(text: &str, width: usize) -> String {
    let Some((mut cut, _)) = text.char_indices().nth(width.saturating_sub(1)) else {
        return text.to_owned();
    };
    let mut from = 0;
    while let Some(at) = text[from..].find(".rs:") {
        let start = from + at;
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let mut end = start + 4 + digits(&text[start + 4..]);
        if text[end..].starts_with(':') && digits(&text[end + 1..]) > 0 {
            end += 1 + digits(&text[end + 1..]);
        }
        let path_start = text[..start]
            .rfind(|c: char| !(c.is_alphanumeric() || "-_./".contains(c)))
            .map_or(0, |i| i + 1);
        if path_start < cut && end > cut {
            cut = end;
        }
        from = start + 4;
    }
    if cut >= text.len() {
        text.to_owned()
    } else {
        format!("{}…", &text[..cut])
    }
}

/// The class summary for people: per exercise its verdicts, per stage what it caught,
/// the class verdict with its exit status, and where the summary file is.
pub(crate) fn summary_text(summary: &Summary, path: &Path) -> String {
    let mut text = String::from("Class summary\n");
    for e in &summary.exercises {
        text.push_str(&format!(
            "  {:<6}{} subject(s): {} passed, {} failed, {} incomplete, {} errored, {} unchanged, {} missing; {:.1} of {} points on average\n",
            e.id, e.subjects, e.passed, e.failed, e.incomplete, e.errored, e.unchanged, e.missing, e.mean_points, e.max_points
        ));
    }
    for s in &summary.stages {
        text.push_str(&format!(
            "  {:<8} caught {} ({} that no other stage caught), passed {}, could not judge {}, skipped {}\n",
            s.name, s.caught, s.caught_alone, s.passed, s.errored, s.skipped
        ));
    }
    for (exercise, names) in summary.identical() {
        text.push_str(&format!(
            "  the same sources for {exercise}: {} (up to layout, comments and names)\n",
            names.join(", ")
        ));
    }
    for (name, exercise, solution) in summary.copies() {
        text.push_str(&format!(
            "  {name}'s {exercise} is the reference solution {solution} (up to layout, comments and names)\n"
        ));
    }
    let subjects = summary.subjects.len();
    let verdict = summary.verdict;
    let worst = summary
        .subjects
        .iter()
        .filter(|s| s.verdict == verdict)
        .count();
    let meaning = match verdict {
        racelab_grader::verdict::Verdict::Pass => format!("all {subjects} subject(s) passed"),
        _ => format!("{worst} of {subjects} subject(s): {verdict}"),
    };
    text.push_str(&format!(
        "verdict: {verdict} — {meaning} (exit {}, {:.1} s)\nsummary: {}\npage:    {}\n",
        verdict.exit_code(),
        summary.duration_ms as f64 / 1000.0,
        path.display(),
        page::page_path(path).display()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn a_shortened_reason_keeps_the_line_it_names() {
        let reason = format!(
            "data race: thread 2 reads at {}/src/lib.rs:67:5 while",
            "x".repeat(40)
        );
        let short = shorten(&reason, 60);
        assert!(short.ends_with("src/lib.rs:67:5…"), "{short}");
        assert_eq!(shorten("short", 60), "short");
        let plain = "y".repeat(100);
        assert_eq!(shorten(&plain, 10).chars().count(), 10);
    }
}
