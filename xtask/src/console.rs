//! The human-readable printer: one line per stage with its status, time and key
//! evidence, then the verdict and the report's path. Progress goes to `err`, results
//! to `out`.

use racelab_grader::Observer;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::{Report, StageReport, Status};
use racelab_grader::stages::{Judgement, StageName};
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use std::io::Write;
use std::path::Path;

/// Prints a grade as it happens.
pub struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

impl<'a> Console<'a> {
    /// A printer writing results to `out` and progress to `err`.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Self {
        Self { out, err }
    }

    /// The grade's first line.
    pub fn grade_started(&mut self, exercise: &Exercise, subject: &Subject) {
        let _ = writeln!(
            self.out,
            "Grading {} ({}): {}",
            exercise.id, exercise.title, subject.label
        );
    }

    /// The verdict, what it means, and where the report went.
    pub fn grade_finished(
        &mut self,
        report: &Report,
        path: &Path,
        write_error: Option<&std::io::Error>,
    ) {
        let caught: Vec<&str> = report
            .stages
            .iter()
            .filter(|s| matches!(s.status, Status::Fail | Status::Timeout))
            .map(|s| s.name.as_str())
            .collect();
        let meaning = match report.verdict {
            Verdict::Pass => "every detector ran and found nothing".to_owned(),
            Verdict::Fail if caught.is_empty() => {
                "the subject does not build; fix the errors above".to_owned()
            }
            Verdict::Fail => format!("caught by {}", caught.join(", ")),
            Verdict::Incomplete => {
                "nothing failed, but not every stage ran, so this is not a pass".to_owned()
            }
            Verdict::Error => "the grader could not finish; see the stages above".to_owned(),
        };
        let _ = writeln!(
            self.out,
            "verdict: {} — {meaning} ({:.1} s)",
            report.verdict,
            report.duration_ms as f64 / 1000.0
        );
        match write_error {
            None => {
                let _ = writeln!(self.out, "report: {}", path.display());
            }
            Some(e) => {
                let _ = writeln!(
                    self.err,
                    "error: cannot write the report to {}: {e}\nChoose a writable file with --report FILE.",
                    path.display()
                );
            }
        }
    }

    /// The result of `cargo xtask replay`.
    pub fn replayed(&mut self, judgement: &Judgement) {
        let _ = writeln!(
            self.out,
            "shuttle replay: {} — {}",
            judgement.status, judgement.summary
        );
        if let Some(failure) = &judgement.evidence.failure {
            let _ = writeln!(self.out, "{}", indent(failure));
        }
        if judgement.status == Status::Pass {
            let _ = writeln!(
                self.out,
                "The schedule ran to the end without failing: the subject has changed since it failed."
            );
        }
    }

    /// One line of `cargo xtask list`.
    pub fn list_entry(&mut self, exercise: &Exercise, last: Option<&Report>) {
        let status = match last {
            None => "not graded yet".to_owned(),
            Some(report) => {
                let caught: Vec<&str> = report
                    .stages
                    .iter()
                    .filter(|s| s.status != Status::Pass && s.status != Status::Skipped)
                    .map(|s| s.name.as_str())
                    .collect();
                if caught.is_empty() {
                    report.verdict.to_string()
                } else {
                    format!("{} ({})", report.verdict, caught.join(", "))
                }
            }
        };
        let _ = writeln!(self.out, "{:<6}{:<28}{status}", exercise.id, exercise.title);
    }

    /// The first `shown` hints of `exercise`.
    pub fn hints(&mut self, exercise: &Exercise, shown: usize) {
        let total = exercise.hints.len();
        for (i, hint) in exercise.hints.iter().enumerate().take(shown) {
            let _ = writeln!(self.out, "Hint {} of {total}: {hint}", i + 1);
        }
        if shown >= total {
            let _ = writeln!(self.out, "That was the last hint for {}.", exercise.id);
        } else {
            let _ = writeln!(
                self.out,
                "Run `cargo xtask hint {}` again for the next one.",
                exercise.id
            );
        }
    }
}

impl Observer for Console<'_> {
    fn activity(&mut self, stage: StageName, activity: &str) {
        let _ = writeln!(self.err, "  {:<8} {activity}…", stage.as_str());
    }

    fn stage_finished(&mut self, stage: &StageReport) {
        let time = match stage.status {
            Status::Skipped => String::new(),
            _ => format!("{:.1} s", stage.duration_ms as f64 / 1000.0),
        };
        let _ = writeln!(
            self.out,
            "  {:<8} {:<8} {time:>7}  {}",
            stage.name,
            stage.status.as_str().to_uppercase(),
            stage.summary
        );
        let evidence = &stage.evidence;
        for error in &evidence.compile_errors {
            let _ = writeln!(self.out, "{}", indent(error));
        }
        if let Some(location) = &evidence.location {
            let _ = writeln!(self.out, "{:>21}at {location}", "");
        }
        if let Some(replay) = &evidence.replay {
            let _ = writeln!(self.out, "{:>21}replay: {replay}", "");
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("{:>21}{l}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}
