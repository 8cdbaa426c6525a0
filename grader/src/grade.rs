//! One grade, start to finish: run the stages side by side, each through a
//! [`Context`], and collect their reports into a [`Report`] with its verdict.

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::{GradeOptions, Observer};
use crate::report::{Report, SCHEMA, StageReport, Status};
use crate::stage_id::StageId;
use crate::stages::{self, Context, Judgement, ReplayError, Runners};
use crate::subject::Subject;
use crate::verdict::Verdict;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Grades `subject` against `exercise`: every stage, side by side; never panics on a
/// bad subject, and returns a report whose verdict says what happened.
pub fn grade(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    options: &GradeOptions,
    observer: &mut dyn Observer,
) -> Report {
    grade_within(lab, exercise, subject, options, None, observer)
}

/// [`grade`], with a time budget for the whole grade: a stage run that would start once
/// `budget` is spent (a real-thread run waits for the cores, say) does not run and is
/// a `timeout` (every run is also bounded by its own limit, so a grade overruns its
/// budget by one run at most).
///
/// The stages run side by side, one thread each: every flavor builds at once (the
/// explorers' runs start while ThreadSanitizer's std still compiles), and the cores
/// lock keeps real-thread runs alone on the machine. The observer hears each stage's
/// activity and each stage's end as they happen, fastest first; the report lists the
/// stages in [`stages::ALL`]'s order.
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
    let grade = OneGrade {
        lab,
        exercise,
        subject,
        options,
        refusals: &refusals,
        runners: Runners::default(),
        deadline: budget.map(|b| (started + b, b)),
    };
    let mut reports = grade.run_stages(observer);
    reports.sort_by_key(|report| StageId::ALL.iter().position(|id| *id == report.name));
    crate::matrix::explain_silences(&exercise.shipped, &mut reports);
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

/// What every stage of one grade shares.
struct OneGrade<'a> {
    lab: &'a Lab,
    exercise: &'a Exercise,
    subject: &'a Subject,
    options: &'a GradeOptions,
    refusals: &'a [crate::policy::Refusal],
    runners: Runners,
    /// When the budget runs out, and the budget.
    deadline: Option<(Instant, Duration)>,
}

/// What a stage's thread tells the grade's.
enum Event {
    /// The stage is doing something (the observer's `activity`).
    Activity(StageId, String),
    /// The stage ended.
    Finished(Box<StageReport>),
}

/// The observer of a stage's thread: forwards what it hears to the grade's thread,
/// where the real observer (a console, which is not `Send`) listens.
struct Forward(mpsc::Sender<Event>);

impl Observer for Forward {
    fn activity(&mut self, stage: StageId, activity: &str) {
        let _ = self.0.send(Event::Activity(stage, activity.to_owned()));
    }

    fn stage_finished(&mut self, report: &StageReport) {
        let _ = self.0.send(Event::Finished(Box::new(report.clone())));
    }
}

impl OneGrade<'_> {
    /// Runs every stage on a thread of its own, passing what they say to `observer` as
    /// it comes; returns the stage reports in the order they ended. A stage whose
    /// thread cannot start, or that panics, is that stage's `error`, never the grade's
    /// end.
    fn run_stages(&self, observer: &mut dyn Observer) -> Vec<StageReport> {
        let (events, heard) = mpsc::channel();
        let mut reports: Vec<StageReport> = Vec::new();
        let mut failed_threads = Vec::new();
        std::thread::scope(|scope| {
            let mut threads = Vec::new();
            for stage in stages::ALL {
                let mut forward = Forward(events.clone());
                let spawned = std::thread::Builder::new()
                    .name(format!("racelab-{}", stage.id()))
                    .spawn_scoped(scope, move || {
                        let report = self.run_stage(stage, &mut forward);
                        forward.stage_finished(&report);
                    });
                match spawned {
                    Ok(thread) => threads.push((stage.id(), thread)),
                    Err(e) => failed_threads.push((stage.id(), format!("cannot start: {e}"))),
                }
            }
            drop(events);
            for event in heard {
                match event {
                    Event::Activity(stage, activity) => observer.activity(stage, &activity),
                    Event::Finished(report) => {
                        let mut report = *report;
                        // A program that tells the detectors apart fails whatever each
                        // one saw: checked against the stages that ended before it.
                        crate::divergence::check(&mut report, &reports);
                        // Heard as it ends; why a passing stage was silent is decided
                        // once every stage has ended (`grade`), and printed then.
                        observer.stage_finished(&report);
                        reports.push(report);
                    }
                }
            }
            for (id, thread) in threads {
                if thread.join().is_err() {
                    failed_threads.push((id, "panicked".to_owned()));
                }
            }
        });
        for (id, why) in failed_threads {
            let report = StageReport {
                name: id,
                status: Status::Error,
                duration_ms: 0,
                summary: format!("the grader failed in this stage (its thread {why})"),
                evidence: crate::report::Evidence::default(),
            };
            observer.stage_finished(&report);
            reports.push(report);
        }
        reports
    }

    /// One stage, start to report.
    fn run_stage(&self, stage: &dyn stages::Stage, observer: &mut dyn Observer) -> StageReport {
        let id = stage.id();
        let stage_started = Instant::now();
        let judgement = if !self.options.stages.contains(&id) {
            Judgement::skipped("not selected with --stage".into())
        } else if !self.refusals.is_empty() {
            refused_by_policy(self.refusals)
        } else if let Some((_, budget)) = self.deadline.filter(|(at, _)| Instant::now() >= *at) {
            Judgement::over_budget(budget)
        } else {
            let mut cx = Context::new(
                self.lab,
                self.exercise,
                self.subject,
                self.options,
                &self.runners,
                observer,
            );
            cx.deadline = self.deadline;
            stage.run(&mut cx)
        };
        let mut judgement = judgement.with_paths_relative_to(&self.lab.root, &self.subject.dir);
        if judgement.status == Status::Skipped && self.options.required.contains(&id) {
            judgement.summary = format!("required, but did not run: {}", judgement.summary);
        }
        StageReport {
            name: id,
            status: judgement.status,
            duration_ms: millis(stage_started.elapsed()),
            summary: judgement.summary,
            evidence: judgement.evidence,
        }
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
    let runners = Runners::default();
    let schedule = schedule
        .map(|argument| stages::schedule_file::resolve(lab, argument))
        .transpose()
        .map_err(ReplayError::ScheduleFile)?;
    let mut cx = Context::new(lab, exercise, subject, &options, &runners, observer);
    let judgement = stages::of(stage).replay(&mut cx, schedule.as_deref())?;
    Ok(judgement.with_paths_relative_to(&lab.root, &subject.dir))
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
    use crate::options::GradeOptions;
    use crate::report::Status;
    use crate::stage_id::StageId;
    use crate::subject::Subject;
    use std::time::Duration;

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
            &mut (),
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
        assert_eq!(
            report.stages[0].evidence.kind,
            Some(crate::report::FailureKind::Timeout)
        );
    }
}
