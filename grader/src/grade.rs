//! One grade, start to finish: run each stage in turn through a [`Context`], and
//! collect the stage reports into a [`Report`] with its verdict.

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::{GradeOptions, Observer};
use crate::report::{Report, SCHEMA, StageReport, Status};
use crate::stage_id::StageId;
use crate::stages::{self, Context, Judgement, ReplayError, Runners};
use crate::subject::Subject;
use crate::verdict::Verdict;
use std::time::{Duration, Instant};

/// Grades `subject` against `exercise`: every stage, in order; never panics on a bad
/// subject, and returns a report whose verdict says what happened.
pub fn grade(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    options: &GradeOptions,
    observer: &mut dyn Observer,
) -> Report {
    grade_within(lab, exercise, subject, options, None, observer)
}

/// [`grade`], with a time budget for the whole grade: a stage that would start once
/// `budget` is spent does not run and is a `timeout` (every stage is also bounded by
/// its own limit, so a grade overruns its budget by one stage at most).
pub fn grade_within(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    options: &GradeOptions,
    budget: Option<Duration>,
    observer: &mut dyn Observer,
) -> Report {
    let started = Instant::now();
    // Hashed first: the record is of the sources as they were when the grade began.
    let record = crate::integrity::record(lab, exercise, Some(&subject.dir));
    // The policy on what a subject may use, before anything is built or run.
    let refusals = crate::policy::check(&subject.dir.join("src"), &exercise.policy);
    let mut runners = Runners::default();
    let mut reports = Vec::new();
    for stage in stages::ALL {
        let id = stage.id();
        let stage_started = Instant::now();
        let judgement = if !options.stages.contains(&id) {
            Judgement::skipped("not selected with --stage".into())
        } else if !refusals.is_empty() {
            refused_by_policy(&refusals)
        } else if let Some(budget) = budget.filter(|b| started.elapsed() >= *b) {
            Judgement {
                status: Status::Timeout,
                summary: format!(
                    "did not run: the grade used up its time budget of {} (--budget) before this stage",
                    crate::stages::limits::seconds(budget)
                ),
                evidence: crate::report::Evidence::default(),
            }
        } else {
            let mut cx = Context::new(lab, exercise, subject, options, &mut runners, observer);
            stage.run(&mut cx)
        };
        let mut judgement =
            judgement.with_paths_relative_to(&lab.root, &subject.dir, options.table_width);
        if judgement.status == Status::Skipped && options.required.contains(&id) {
            judgement.summary = format!("required, but did not run: {}", judgement.summary);
        }
        let mut report = StageReport {
            name: id,
            status: judgement.status,
            duration_ms: millis(stage_started.elapsed()),
            summary: judgement.summary,
            evidence: judgement.evidence,
        };
        // A program that tells the detectors apart fails whatever each one saw.
        crate::divergence::check(&mut report, &reports);
        reports.push(report);
        // A stage that passes while another fails says why it could not see the bug.
        crate::matrix::explain_silences(&exercise.shipped, &mut reports);
        observer.stage_finished(&reports[reports.len() - 1]);
    }
    let required = options.required_in_order();
    Report {
        schema: SCHEMA,
        grader_version: env!("CARGO_PKG_VERSION").into(),
        manifest_hash: record.manifest_hash,
        scenario_hash: record.scenario_hash,
        exercise: exercise.id.clone(),
        subject: subject.dir.display().to_string(),
        subject_hash: record.subject_hash,
        verdict: Verdict::of_required(&reports, &required),
        required,
        duration_ms: millis(started.elapsed()),
        stages: reports,
    }
}

/// Reproduces a failure found by an exploring stage, deterministically: loom's
/// exploration order is fixed, so running it again meets the same failure first;
/// shuttle follows the given `schedule` step by step. Returns the stage's judgement,
/// with its interleaving table, or why the replay cannot be done.
pub fn replay(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    stage: StageId,
    schedule: Option<&str>,
    seed: Option<u64>,
    observer: &mut dyn Observer,
) -> Result<Judgement, ReplayError> {
    let options = GradeOptions {
        seed,
        ..GradeOptions::default()
    };
    let mut runners = Runners::default();
    let mut cx = Context::new(lab, exercise, subject, &options, &mut runners, observer);
    let judgement = stages::of(stage).replay(&mut cx, schedule)?;
    Ok(judgement.with_paths_relative_to(&lab.root, &subject.dir, options.table_width))
}

/// Every stage's judgement when the policy refuses the subject: the first refusal
/// in the summary, the others (up to 50) and where to read the rules in the evidence.
fn refused_by_policy(refusals: &[crate::policy::Refusal]) -> Judgement {
    /// Refusals listed in the evidence; the rest are counted.
    const SHOWN: usize = 50;
    let mut lines: Vec<String> = refusals
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if refusals.len() > SHOWN {
        lines.push(format!("… and {} more", refusals.len() - SHOWN));
    }
    let mut judgement = Judgement::refused(&lines);
    if refusals.len() > 1 {
        judgement.summary = format!(
            "refused to grade ({} refusals, the first shown): {}",
            refusals.len(),
            lines[0]
        );
    }
    lines.push(
        "The grader refuses what it cannot judge: the detectors must see the code that ships. README.md, \"What a subject may use\", lists what a fix may use.".into(),
    );
    judgement.evidence.fault = Some(lines.join("\n"));
    judgement
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::grade_within;
    use crate::lab::Lab;
    use crate::options::{GradeOptions, Observer};
    use crate::report::{StageReport, Status};
    use crate::stage_id::StageId;
    use crate::subject::Subject;
    use std::time::Duration;

    struct Silent;

    impl Observer for Silent {
        fn activity(&mut self, _: StageId, _: &str) {}
        fn stage_finished(&mut self, _: &StageReport) {}
    }

    #[test]
    fn past_its_budget_a_grade_runs_no_more_stages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let lab = Lab::open(root).unwrap();
        let exercise = lab.manifest.find("ex01").unwrap();
        let subject = Subject::locate(&lab, exercise, None).unwrap();
        let options = GradeOptions {
            stages: vec![StageId::Loom, StageId::Stress],
            ..GradeOptions::default()
        };
        let report = grade_within(
            &lab,
            exercise,
            &subject,
            &options,
            Some(Duration::ZERO),
            &mut Silent,
        );
        let statuses: Vec<Status> = report.stages.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Timeout,
                Status::Skipped,
                Status::Timeout,
                Status::Skipped,
                Status::Skipped
            ]
        );
        assert!(report.stages[0].summary.contains("time budget"));
    }
}
