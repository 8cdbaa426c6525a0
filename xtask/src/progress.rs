//! The student's progress, read from the last report of each exercise's own crate
//! (`target/racelab/reports/<id>.toml`): what `list` shows, which exercise `watch`
//! picks when none is named, and whether `solution` may show the reference fixes.

use racelab_grader::StageId;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::{Report, Status};
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use std::path::Path;
use std::time::SystemTime;
use walkdir::WalkDir;

/// Where an exercise stands, according to its last grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Never graded (or its report was moved away by `reset`).
    NotTried,
    /// The last grade ran every detector and none found anything.
    Passing,
    /// The last grade failed: `caught` names the detectors that caught the bug; it is
    /// empty when the crate did not build.
    Failing {
        /// The detectors that failed, timed out, or stopped the subject.
        caught: Vec<StageId>,
    },
    /// Nothing failed, but these stages did not run.
    Partial {
        /// The stages left out.
        skipped: Vec<StageId>,
    },
    /// The grader itself failed last time.
    GraderError,
}

/// One exercise and its standing.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    /// The exercise.
    pub exercise: &'a Exercise,
    /// Its standing after the last grade.
    pub standing: Standing,
    /// The crate's sources changed after that grade, so the standing may be stale.
    pub edited_since: bool,
}

/// The last report of the workspace's own crate of `exercise`, if it can be read.
pub fn last_report(lab: &Lab, exercise: &Exercise) -> Option<Report> {
    let subject = Subject::locate(lab, exercise, None).ok()?;
    Report::read(&lab.default_report_path(exercise, &subject)).ok()
}

/// What `report` says about its exercise.
pub fn standing(report: Option<&Report>) -> Standing {
    let Some(report) = report else {
        return Standing::NotTried;
    };
    let named = |keep: &dyn Fn(Status, bool) -> bool| {
        report
            .stages
            .iter()
            // A stage that could not build caught nothing: the compiler did.
            .filter(|s| s.evidence.compile_errors.is_empty())
            .filter(|s| keep(s.status, s.evidence.fault.is_some()))
            .map(|s| s.name)
            .collect::<Vec<_>>()
    };
    match report.verdict {
        Verdict::Pass => Standing::Passing,
        Verdict::Fail => Standing::Failing {
            caught: named(&|status, fault| {
                matches!(status, Status::Fail | Status::Timeout)
                    || (status == Status::Error && fault)
            }),
        },
        Verdict::Incomplete => Standing::Partial {
            skipped: named(&|status, _| status == Status::Skipped),
        },
        Verdict::Error => Standing::GraderError,
        // A class's verdicts: sent as shipped is unfixed; nothing sent, not tried.
        Verdict::Unchanged => Standing::Failing { caught: Vec::new() },
        Verdict::Missing => Standing::NotTried,
    }
}

/// Every exercise of the lab with its standing, in teaching order.
pub fn all(lab: &Lab) -> Vec<Progress<'_>> {
    lab.manifest
        .exercises
        .iter()
        .map(|exercise| {
            let subject = Subject::locate(lab, exercise, None).ok();
            let report_path = subject
                .as_ref()
                .map(|s| lab.default_report_path(exercise, s));
            let report = report_path.as_deref().and_then(|p| Report::read(p).ok());
            let edited_since = match (&subject, &report_path, &report) {
                (Some(subject), Some(path), Some(_)) => edited_after(&subject.dir, path),
                _ => false,
            };
            Progress {
                exercise,
                standing: standing(report.as_ref()),
                edited_since,
            }
        })
        .collect()
}

/// The first exercise, in teaching order, whose last grade is not a pass.
pub fn next_unsolved(lab: &Lab) -> Option<&Exercise> {
    all(lab)
        .into_iter()
        .find(|p| p.standing != Standing::Passing)
        .map(|p| p.exercise)
}

/// `[###-------]`: `done` out of `total`, `width` characters wide.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

/// Whether a Rust source or manifest below `dir` was modified after `report` was written.
fn edited_after(dir: &Path, report: &Path) -> bool {
    let Some(graded) = modified(report) else {
        return false;
    };
    WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir() && is_source(e.path()))
        .any(|e| modified(e.path()).is_some_and(|m| m > graded))
}

/// A file the grader reads: Rust code or the crate's manifest.
pub fn is_source(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
        || path.file_name().is_some_and(|n| n == "Cargo.toml")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn the_bar_fills_in_proportion_and_survives_an_empty_lab() {
        assert_eq!(bar(0, 3, 10), "[----------]");
        assert_eq!(bar(1, 3, 10), "[###-------]");
        assert_eq!(bar(3, 3, 10), "[##########]");
        assert_eq!(bar(0, 0, 4), "[----]");
    }
}
