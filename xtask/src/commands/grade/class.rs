//! Grading for instructors and CI: `cargo xtask grade EX --submissions DIR` and
//! `cargo xtask grade --all` (a class), and the formats CI systems read (`--junit`,
//! `--gradescope`, GitHub annotations, `--require`), for a batch or a single grade.
//!
//! The grader's `batch` module does the work; this prints one line per subject as
//! its grade ends (progress to `err`, results to `out`), then the class summary, and
//! writes the formats from the same reports.

use crate::exercise_name::find_exercise;
use anyhow::anyhow;
use racelab_grader::GradeOptions;
use racelab_grader::batch::{self, Event, Plan, Scope, Settings, Summary};
use racelab_grader::formats::gradescope::{self, Visibility};
use racelab_grader::formats::{Graded, annotations, junit};
use racelab_grader::lab::Lab;
use racelab_grader::report::{Report, Status, write_atomically};
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
    /// With --submissions or --all: each subject's time budget per exercise, in
    /// seconds; a stage that would start past it is a timeout (default 600).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub budget: Option<u64>,
    /// With --submissions or --all: where the reports and summary.toml go (default:
    /// target/racelab/batch).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the results as JUnit XML: a test suite per subject, a test case per
    /// stage.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write Gradescope's results.json: an exercise's points for a pass (100
    /// unless the manifest says otherwise), and its partial credit per stage if any.
    #[arg(long, value_name = "FILE")]
    pub gradescope: Option<PathBuf>,
    /// When students see the Gradescope results: visible, hidden, after_due_date or
    /// after_published.
    #[arg(long, value_name = "WHEN", default_value = "visible")]
    pub gradescope_visibility: Visibility,
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
    let targets = batch::discover(lab, scope, class.submissions.as_deref(), &out_dir)?;
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
    let width = targets.iter().map(|t| t.name.len()).max().unwrap_or(0);
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
    let settings = Settings {
        submissions: class.submissions.as_deref(),
        options,
        jobs,
        duration: started.elapsed(),
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
    healthy &= write_formats(lab, class, &graded, out, err);
    Ok(if healthy {
        summary.exit_code()
    } else {
        crate::EXIT_USAGE
    })
}

/// Writes what `class` asks for beyond the TOML reports — JUnit, Gradescope, and
/// GitHub annotations when running under GitHub Actions — from `graded`. Returns
/// whether every file could be written.
pub(crate) fn write_formats(
    lab: &Lab,
    class: &ClassArgs,
    graded: &[Graded<'_>],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    let mut healthy = true;
    let mut save =
        |what: &str, path: &Path, text: String, out: &mut dyn Write| match write_atomically(
            path, &text,
        ) {
            Ok(()) => {
                let _ = writeln!(out, "{what}: {}", path.display());
            }
            Err(e) => {
                let _ = writeln!(
                    err,
                    "error: cannot write the {what} file {}: {e}",
                    path.display()
                );
                healthy = false;
            }
        };
    if let Some(path) = &class.junit {
        save("junit", path, junit::render(graded), out);
    }
    if let Some(path) = &class.gradescope {
        let text = gradescope::render(graded, class.gradescope_visibility, &lab.manifest);
        save("gradescope", path, text, out);
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        let base = std::env::var_os("GITHUB_WORKSPACE")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let base = base.canonicalize().unwrap_or(base);
        for line in annotations::github(graded, &lab.root, &base) {
            let _ = writeln!(out, "{line}");
        }
    }
    healthy
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
    if let Some(stage) = reason {
        let mut summary = stage.summary.lines().next().unwrap_or_default().to_owned();
        if summary.chars().count() > 160 {
            summary = summary.chars().take(159).collect::<String>() + "…";
        }
        line.push_str(&format!(
            "{:>w$}{}: {summary}\n",
            "",
            stage.name,
            w = digits * 2 + 7
        ));
    }
    line
}

/// The class summary for people: per exercise its verdicts, per stage what it caught,
/// the class verdict with its exit status, and where the summary file is.
fn summary_text(summary: &Summary, path: &Path) -> String {
    let mut text = String::from("Class summary\n");
    for e in &summary.exercises {
        text.push_str(&format!(
            "  {:<6}{} subject(s): {} passed, {} failed, {} incomplete, {} errored; {:.1} of {} points on average\n",
            e.id, e.subjects, e.passed, e.failed, e.incomplete, e.errored, e.mean_points, e.max_points
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
            "  identical sources for {exercise}: {} (the same subject_hash)\n",
            names.join(", ")
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
        "verdict: {verdict} — {meaning} (exit {}, {:.1} s)\nsummary: {}\n",
        verdict.exit_code(),
        summary.duration_ms as f64 / 1000.0,
        path.display()
    ));
    text
}
