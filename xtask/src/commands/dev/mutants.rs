//! `cargo xtask dev mutants [EX]`: every reference solution broken in each small
//! concurrent way the grader's operators know ([`racelab_grader::mutants`]), each
//! mutant graded as a class, and the results: the mutation score per exercise and
//! per stage, and each survivor with its diff, in `<out>/results.toml` (what
//! `dev check` reads) and `<out>/results.md`.
//!
//! The engine is the grader's; this prints and writes files.

use crate::exercise_name::find_exercise;
use anyhow::Context;
use racelab_grader::GradeOptions;
use racelab_grader::batch::{self, Event, Plan};
use racelab_grader::lab::Lab;
use racelab_grader::manifest::{Exercise, Manifest};
use racelab_grader::mutants::results::{MutantResult, Outcome, RESULTS_FILE, Results, TABLE_FILE};
use racelab_grader::mutants::run;
use racelab_grader::stages::StageId;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A mutant's time budget: a mutant that deadlocks runs every stage into its limit,
/// and this ends it well before the class's default of 600 s.
const BUDGET: Duration = Duration::from_secs(300);

/// What `dev mutants` was asked.
pub(super) struct Request {
    /// One exercise, or every exercise.
    pub exercise: Option<String>,
    /// Only the exercises changed since this git revision.
    pub changed_since: Option<String>,
    /// Mutants graded at once.
    pub jobs: Option<u16>,
    /// The output folder (default `target/racelab/mutants`).
    pub out: Option<PathBuf>,
    /// Each stage's time limit, instead of its default.
    pub time_limit: Option<Duration>,
    /// List the mutants, grade nothing.
    pub dry_run: bool,
}

/// The default output folder, whose results file `dev check` reads.
pub(super) fn default_out(lab: &Lab) -> PathBuf {
    lab.work_dir().join("mutants")
}

/// Runs `dev mutants`; returns the exit status: 0 when every survivor graded is
/// recorded as equivalent, 1 otherwise.
pub(super) fn run(
    lab: &Lab,
    request: Request,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercises: Vec<&Exercise> = match (&request.exercise, &request.changed_since) {
        (Some(name), _) => vec![find_exercise(lab, name)?],
        (None, Some(reference)) => {
            let changed = super::changed::since(lab, reference)?;
            let ids: Vec<&str> = changed.iter().map(|e| e.id.as_str()).collect();
            writeln!(
                out,
                "changed since {reference}: {}",
                if ids.is_empty() {
                    "no exercise".to_owned()
                } else {
                    ids.join(", ")
                }
            )?;
            changed
        }
        (None, None) => lab.manifest.exercises.iter().collect(),
    };
    let out_dir = request.out.clone().unwrap_or_else(|| default_out(lab));
    let jobs = request.jobs.map_or_else(batch::default_jobs, usize::from);
    let options = GradeOptions {
        time_limit: request.time_limit,
        ..GradeOptions::default()
    };
    let mut graded = Results::default();
    for exercise in exercises {
        let planned = run::plan(lab, exercise, &out_dir)?;
        writeln!(
            out,
            "{}: {} mutant(s) of {} reference solution(s)",
            exercise.id,
            planned.len(),
            exercise.solutions.len()
        )?;
        if request.dry_run {
            for mutant in &planned {
                writeln!(
                    out,
                    "  {:<48} {:<24} {}",
                    mutant.name, mutant.mutant.operator, mutant.mutant.site
                )?;
            }
            continue;
        }
        if planned.is_empty() {
            continue;
        }
        let total = planned.len();
        let mut done = 0;
        let results = run::grade(
            lab,
            exercise,
            &planned,
            &out_dir,
            &options,
            Plan {
                jobs,
                budget: Some(BUDGET),
            },
            &mut |event| match event {
                Event::Preparing { stage, activity } => {
                    let _ = writeln!(err, "  preparing {stage:<8} {activity}…");
                }
                Event::Started { target, .. } => {
                    let _ = writeln!(err, "  grading {}…", target.name);
                }
                Event::Finished { target, report, .. } => {
                    done += 1;
                    let (outcome, killed_by, timed_out) = Outcome::of(report);
                    let _ = writeln!(
                        out,
                        "  [{done}/{total}] {:<48} {}",
                        target.name,
                        outcome_text(outcome, &killed_by, &timed_out)
                    );
                }
            },
        )?;
        graded = graded.merged(results);
    }
    if request.dry_run {
        return Ok(0);
    }
    let results_path = out_dir.join(RESULTS_FILE);
    let earlier = if results_path.exists() {
        Results::read(&results_path).unwrap_or_else(|e| {
            let _ = writeln!(err, "warning: {e}; starting a new results file");
            Results::default()
        })
    } else {
        Results::default()
    };
    let unexplained: Vec<MutantResult> = graded
        .unexplained(&lab.manifest)
        .into_iter()
        .cloned()
        .collect();
    let all = earlier.merged(graded);
    all.write(&results_path)
        .with_context(|| format!("cannot write {}", results_path.display()))?;
    let table_path = out_dir.join(TABLE_FILE);
    racelab_grader::report::write_atomically(&table_path, &all.markdown(&lab.manifest))
        .with_context(|| format!("cannot write {}", table_path.display()))?;
    write!(out, "{}", summary(&all, &lab.manifest))?;
    writeln!(
        out,
        "results: {}\ntable:   {}",
        shown(lab, &results_path),
        shown(lab, &table_path)
    )?;
    if unexplained.is_empty() {
        return Ok(0);
    }
    writeln!(
        err,
        "{} survivor(s) to decide: fix the detector that misses it, or record it in grader/exercises.toml as [[exercises.mutants.equivalent]] (solution, operator, site, reason):",
        unexplained.len()
    )?;
    for mutant in &unexplained {
        writeln!(
            err,
            "  {} {} ({} `{}` at {})\n{}",
            mutant.exercise,
            mutant.name,
            mutant.solution,
            mutant.operator,
            mutant.site,
            indent(&mutant.diff)
        )?;
    }
    Ok(1)
}

/// How one mutant ended, in a few words.
fn outcome_text(outcome: Outcome, killed_by: &[StageId], timed_out: &[StageId]) -> String {
    match outcome {
        Outcome::Killed => format!("killed by {}", StageId::list(killed_by)),
        Outcome::Timeout => format!("timeout in {}", StageId::list(timed_out)),
        other => other.as_str().to_owned(),
    }
}

/// The score per exercise and per stage, as console lines.
fn summary(results: &Results, manifest: &Manifest) -> String {
    let percent = |p: Option<f64>| p.map_or("—".to_owned(), |p| format!("{p:.0}%"));
    let mut text =
        String::from("\nexercise  score  killed timeout survived equivalent discarded error");
    for stage in StageId::ALL {
        text.push_str(&format!(" {stage:>7}"));
    }
    text.push('\n');
    for score in results.scores(manifest) {
        text.push_str(&format!(
            "{:<9} {:>5}  {:>6} {:>7} {:>8} {:>10} {:>9} {:>5}",
            score.exercise,
            percent(score.percent(score.killed)),
            score.killed,
            score.timeouts,
            score.survived,
            score.equivalent,
            score.did_not_compile,
            score.errors
        ));
        for (_, detected) in &score.by_stage {
            text.push_str(&format!(" {:>7}", percent(score.percent(*detected))));
        }
        text.push('\n');
    }
    text
}

/// Every line of `text`, indented by four spaces.
fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// A path relative to the workspace root when inside it.
fn shown(lab: &Lab, path: &Path) -> String {
    path.strip_prefix(&lab.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `dev check`'s part: each survivor in the last results file at `path` that the
/// manifest does not record as equivalent, as (exercise, what to do). No file, no
/// findings (nothing has been run); an unreadable one is a finding.
pub(super) fn unexplained_survivors(lab: &Lab, path: &Path) -> Vec<(String, String)> {
    if !path.exists() {
        return Vec::new();
    }
    let results = match Results::read(path) {
        Ok(results) => results,
        Err(e) => return vec![("lab".into(), e.to_string())],
    };
    results
        .unexplained(&lab.manifest)
        .into_iter()
        .map(|mutant| {
            (
                mutant.exercise.clone(),
                format!(
                    "mutant {} ({} `{}` at {}) survived every stage ({}): fix the detector that misses it, or record it as [[exercises.mutants.equivalent]] with its reason",
                    mutant.name,
                    mutant.solution,
                    mutant.operator,
                    mutant.site,
                    shown(lab, path)
                ),
            )
        })
        .collect()
}
