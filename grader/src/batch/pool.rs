//! The pool: grades a batch's targets a few at a time, each in isolation, and turns
//! whatever goes wrong with one subject into that subject's report.

use super::discover::Target;
use crate::lab::Lab;
use crate::report::{Evidence, Report, SCHEMA, StageReport, Status};
use crate::stage_id::StageId;
use crate::verdict::Verdict;
use crate::{GradeOptions, Observer, Regrade, grade_within};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How many subjects a batch grades at once unless told: one per core, at most
/// [`MAX_DEFAULT_JOBS`].
///
/// Parallel grades cannot skew each other's measurements: stress and ThreadSanitizer
/// runs take the cores lock alone, and builds and explorations wait for them. What
/// overlaps is what leaves cores idle in a lone grade — loom and shuttle explore on
/// one thread, and a build ends in a single-threaded link — so on 2 cores two jobs
/// graded a warm class of 20 in 3.2 s a subject against 4.7 s for one
/// (`scripts/bench-batch.sh`). Builds of a flavor queue on its target directory's
/// lock, so many more workers than that would mostly wait.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, MAX_DEFAULT_JOBS))
}

/// The most subjects a batch grades at once unless told (see [`default_jobs`]).
pub const MAX_DEFAULT_JOBS: usize = 8;

/// How a batch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Subjects graded at once.
    pub jobs: usize,
    /// Each subject's time budget for one exercise (`--budget`): stages that would
    /// start past it are `timeout`s.
    pub budget: Option<Duration>,
}

/// What a batch tells its caller while it runs, on the caller's thread.
#[derive(Debug)]
pub enum Event<'e, 'a> {
    /// Before any subject: `stage`'s shared dependencies are being built.
    Preparing {
        /// The stage.
        stage: StageId,
        /// What is being done.
        activity: &'e str,
    },
    /// The grade of `targets[index]` has begun.
    Started {
        /// Its place in the batch.
        index: usize,
        /// What is graded.
        target: &'e Target<'a>,
    },
    /// The grade of `targets[index]` is over and its report written (or not).
    Finished {
        /// Its place in the batch.
        index: usize,
        /// What was graded.
        target: &'e Target<'a>,
        /// The report.
        report: &'e Report,
        /// Whether the report file could be written.
        written: &'e std::io::Result<()>,
    },
}

/// Grades every target with `options`, `plan.jobs` at a time, writing each report to
/// its `report_path` as soon as it is done, and telling `on_event` (always on the
/// calling thread). With more than one subject to grade, the dependencies every
/// subject shares are built first ([`super::prepare`]), then every worker starts.
/// Returns the reports in the order of `targets`.
pub fn run(
    lab: &Lab,
    targets: &[Target<'_>],
    options: &GradeOptions,
    plan: Plan,
    on_event: &mut dyn FnMut(Event<'_, '_>),
) -> Vec<Report> {
    let mut reports: Vec<Option<Report>> = vec![None; targets.len()];
    let mut finish = |index: usize, report: Report, on_event: &mut dyn FnMut(Event<'_, '_>)| {
        let target = &targets[index];
        let subject = target.subject.as_ref().map(|s| s.dir.as_path());
        let roots: Vec<&Path> = subject.into_iter().chain([lab.root.as_path()]).collect();
        let written = crate::render::page::write_with_report(&report, &target.report_path, &roots);
        if let (Ok(subject), Regrade::Once) = (&target.subject, regrade(target)) {
            crate::clean::remove_subject(lab, target.exercise, subject);
        }
        on_event(Event::Finished {
            index,
            target,
            report: &report,
            written: &written,
        });
        reports[index] = Some(report);
    };
    let shipped = &shipped_hashes(lab, targets);
    // Only subjects that will be built need the shared dependencies.
    let graded: Vec<&Target<'_>> = targets
        .iter()
        .filter(|t| t.subject.is_ok() && !is_unchanged(t, shipped))
        .collect();
    if let [first, _, ..] = graded[..] {
        super::prepare(lab, first.exercise, options, &mut |stage, activity| {
            on_event(Event::Preparing { stage, activity });
        });
    }
    let budget = plan.budget;
    let next = AtomicUsize::new(0);
    // Why no worker could be started, if none could: the machine is out of threads.
    let mut no_worker = None;
    std::thread::scope(|scope| {
        let (sender, received) = mpsc::channel::<(usize, Option<Report>)>();
        let mut started = 0;
        for _ in 0..plan.jobs.clamp(1, targets.len().max(1)) {
            let sender = sender.clone();
            let next = &next;
            let worker = std::thread::Builder::new()
                .name("racelab-batch".into())
                .spawn_scoped(scope, move || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= targets.len() {
                            break;
                        }
                        let _ = sender.send((index, None));
                        let report = grade_target(lab, &targets[index], options, budget, shipped);
                        if sender.send((index, Some(report))).is_err() {
                            break;
                        }
                    }
                });
            match worker {
                Ok(_) => started += 1,
                Err(e) => {
                    if started == 0 {
                        no_worker = Some(e);
                    }
                    break;
                }
            }
        }
        drop(sender);
        for (index, report) in received {
            match report {
                None => on_event(Event::Started {
                    index,
                    target: &targets[index],
                }),
                Some(report) => finish(index, report, on_event),
            }
        }
    });
    if let Some(e) = no_worker {
        for (index, target) in targets.iter().enumerate() {
            on_event(Event::Started { index, target });
            let summary = format!("the grader could not start a thread to grade it: {e}");
            let report = ungraded(lab, target, options, summary, None);
            finish(index, report, on_event);
        }
    }
    reports
        .into_iter()
        .map(|r| r.expect("every target is graded once"))
        .collect()
}

/// Whether `target` is graded again after an edit. A student's crate in a batch is
/// not: its builds are removed as its report is written, which keeps the batch's
/// disk use flat as the class grows. The workspace's own crates (a student's `grade
/// --all`) are, and keep theirs for the next grade.
fn regrade(target: &Target<'_>) -> Regrade {
    if target.name == super::WORKSPACE {
        Regrade::AfterEdits
    } else {
        Regrade::Once
    }
}

/// Grades one target within `budget`; whatever happens, returns its report. When the
/// grader itself fails, the stages that had finished keep their results. A target
/// with nothing to grade is `missing`, and a student's crate whose `src/` hashes as
/// the shipped crate's (`shipped`, by exercise id) is `unchanged`: both at once,
/// without a build.
fn grade_target(
    lab: &Lab,
    target: &Target<'_>,
    options: &GradeOptions,
    budget: Option<Duration>,
    shipped: &ShippedHashes,
) -> Report {
    let subject = match &target.subject {
        Ok(subject) => subject,
        Err(problem) if target.name == super::WORKSPACE => {
            // The workspace's own crate is always there to grade: one that cannot be
            // read is the student's to mend, as in a single grade.
            let summary = format!("nothing to grade: {problem}");
            return ungraded(lab, target, options, summary, Some(problem.clone()));
        }
        Err(problem) => {
            let summary = format!("not submitted: {problem}");
            return answered(lab, target, options, Verdict::Missing, summary);
        }
    };
    let started = std::time::Instant::now();
    if is_unchanged(target, shipped) {
        let summary = "unchanged: the sources are the shipped crate's, not built".into();
        let mut report = answered(lab, target, options, Verdict::Unchanged, summary);
        super::relative_to_repository(&mut report, target);
        // What answering took (hashing `src/`), so that the summary shows it.
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        return report;
    }
    let options = &GradeOptions {
        regrade: regrade(target),
        ..options.clone()
    };
    let mut finished = Finished::default();
    let graded = catch_unwind(AssertUnwindSafe(|| {
        grade_within(
            lab,
            target.exercise,
            subject,
            options,
            budget,
            &mut finished,
        )
    }));
    let mut report = graded.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        let report = ungraded(
            lab,
            target,
            options,
            format!("the grader itself failed on this subject: {message}"),
            None,
        );
        keep_finished(report, finished.0)
    });
    if target.name != super::WORKSPACE {
        super::relative_to_repository(&mut report, target);
    }
    report
}

/// `report` (of a grade the grader failed) with the stages that had finished put back
/// in, and its duration and verdict made from them.
fn keep_finished(mut report: Report, finished: Vec<StageReport>) -> Report {
    for stage in finished {
        if let Some(slot) = report.stages.iter_mut().find(|s| s.name == stage.name) {
            *slot = stage;
        }
    }
    report.duration_ms = report.stages.iter().map(|s| s.duration_ms).sum();
    report.verdict = Verdict::of_required(&report.stages, &report.required);
    report
}

/// The SHA-256 of each exercise's shipped `src/`, by exercise id.
type ShippedHashes = std::collections::BTreeMap<String, String>;

/// Whether `target` is a student's crate whose `src/` hashes as its exercise's
/// shipped crate's (the workspace's own crates are always graded in full).
fn is_unchanged(target: &Target<'_>, shipped: &ShippedHashes) -> bool {
    let Ok(subject) = &target.subject else {
        return false;
    };
    if target.name == super::WORKSPACE {
        return false;
    }
    let hash = crate::integrity::subject_hash(&subject.dir).ok();
    hash.is_some() && hash.as_ref() == shipped.get(&target.exercise.id)
}

/// The hash of the shipped crate of every exercise `targets` grade.
fn shipped_hashes(lab: &Lab, targets: &[Target<'_>]) -> ShippedHashes {
    let mut hashes = ShippedHashes::new();
    for target in targets {
        let id = &target.exercise.id;
        if !hashes.contains_key(id) {
            let shipped = lab.exercise_dir(target.exercise);
            if let Ok(hash) = crate::integrity::subject_hash(&shipped) {
                hashes.insert(id.clone(), hash);
            }
        }
    }
    hashes
}

/// The report of a target answered without a grade (`missing`, `unchanged`): every
/// stage `skipped` with `summary` as its reason, and `verdict`.
fn answered(
    lab: &Lab,
    target: &Target<'_>,
    options: &GradeOptions,
    verdict: Verdict,
    summary: String,
) -> Report {
    let mut report = ungraded(lab, target, options, summary.clone(), None);
    for stage in &mut report.stages {
        stage.status = Status::Skipped;
        // Selected or not, no stage had anything to judge, and this is why.
        stage.summary.clone_from(&summary);
    }
    report.verdict = verdict;
    report
}

/// The report of a target that could not be graded: every selected stage an `error`
/// with `summary` (the others `skipped`, as in any grade). With a `fault` (the
/// workspace's crate cannot be read) the verdict is `fail`, the student's doing;
/// without one it is `error`, the grader's.
fn ungraded(
    lab: &Lab,
    target: &Target<'_>,
    options: &GradeOptions,
    summary: String,
    fault: Option<String>,
) -> Report {
    let subject_dir = target.subject.as_ref().ok().map(|s| s.dir.as_path());
    let record = crate::integrity::record(lab, target.exercise, subject_dir);
    let stages: Vec<StageReport> = StageId::ALL
        .into_iter()
        .map(|stage| {
            let selected = options.stages.contains(&stage);
            let required = options.required.contains(&stage);
            StageReport {
                name: stage,
                status: if selected {
                    Status::Error
                } else {
                    Status::Skipped
                },
                duration_ms: 0,
                summary: match (selected, required) {
                    (true, _) => summary.clone(),
                    (false, false) => "not selected with --stage".into(),
                    (false, true) => "required, but did not run: not selected with --stage".into(),
                },
                evidence: Evidence {
                    fault: fault.clone().filter(|_| selected),
                    ..Evidence::default()
                },
            }
        })
        .collect();
    let required = options.required_in_order();
    Report {
        schema: SCHEMA,
        grader_version: env!("CARGO_PKG_VERSION").into(),
        manifest_hash: record.manifest_hash,
        scenario_hash: record.scenario_hash,
        exercise: target.exercise.id.clone(),
        subject: subject_dir.unwrap_or(&target.folder).display().to_string(),
        subject_hash: record.subject_hash,
        verdict: Verdict::of_required(&stages, &required),
        required,
        duration_ms: 0,
        stages,
    }
}

/// An observer that keeps the stages that finished, so a grade the grader fails
/// part-way keeps what it had; a batch reports whole grades, not their steps.
#[derive(Default)]
struct Finished(Vec<StageReport>);

impl Observer for Finished {
    fn activity(&mut self, _: StageId, _: &str) {}
    fn stage_finished(&mut self, stage: &StageReport) {
        self.0.push(stage.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::keep_finished;
    use crate::formats::tests::{caught, stage};
    use crate::report::Status;
    use crate::verdict::Verdict;

    #[test]
    fn a_grade_the_grader_failed_keeps_the_stages_it_had() {
        let mut failed = caught();
        for stage in &mut failed.stages {
            stage.status = Status::Error;
            stage.duration_ms = 0;
        }
        let mut loom = stage("loom", Status::Fail, "data race");
        loom.duration_ms = 600_000;
        let kept = keep_finished(failed, vec![loom.clone()]);
        assert_eq!(kept.stages[0], loom);
        assert_eq!(kept.stages[1].status, Status::Error);
        assert_eq!(kept.duration_ms, 600_000);
        assert_eq!(kept.verdict, Verdict::Fail);
    }
}
