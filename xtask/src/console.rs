//! The human-readable printer: one line per stage with its status, time and key
//! evidence, then the verdict and the report's path. Progress goes to `err`, results
//! to `out`.
//!
//! On a terminal (see [`Terminal`]) progress is a spinner saying what the grade is
//! doing and for how long, and statuses are coloured; anywhere else both are plain
//! lines, so captured output stays deterministic.

use crate::progress::{Progress, Standing};
use crate::terminal::Terminal;
use crossterm::style::Stylize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use racelab_grader::Observer;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::{Report, StageReport, Status};
use racelab_grader::stages::{Judgement, StageId};
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Prints a grade as it happens.
pub struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// Colour the statuses and verdicts.
    color: bool,
    /// Draw a spinner on stderr instead of writing progress lines to `err`.
    animate: bool,
    /// The spinner of the stage at work, if one is drawn.
    spinner: Option<(StageId, ProgressBar)>,
}

/// How a word is coloured: by what it means for the student.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tone {
    Good,
    Bad,
    Unsure,
    Quiet,
}

impl<'a> Console<'a> {
    /// A printer writing plain results to `out` and progress lines to `err`.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Self {
        Self {
            out,
            err,
            color: false,
            animate: false,
            spinner: None,
        }
    }

    /// Uses what `terminal` allows: colours, and a spinner when stderr is a terminal.
    pub fn with_terminal(mut self, terminal: Terminal) -> Self {
        self.color = terminal.color;
        self.animate = terminal.stderr;
        self
    }

    /// `text` in the colour of `tone`, when colours are on.
    pub(crate) fn paint(&self, text: &str, tone: Tone) -> String {
        if !self.color {
            return text.to_owned();
        }
        match tone {
            Tone::Good => text.green().bold().to_string(),
            Tone::Bad => text.red().bold().to_string(),
            Tone::Unsure => text.yellow().bold().to_string(),
            Tone::Quiet => text.dim().to_string(),
        }
    }

    /// Removes the spinner, if one is drawn (before a line is printed, or when a grade
    /// is abandoned).
    pub fn stop_spinner(&mut self) {
        if let Some((_, spinner)) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }

    /// Writes `text` to `out` whole, with the spinner (if any) lifted while it prints.
    pub fn print(&mut self, text: &str) {
        let out = &mut self.out;
        let mut write = || {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match &self.spinner {
            Some((_, spinner)) => spinner.suspend(write),
            None => write(),
        }
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
        self.stop_spinner();
        let caught: Vec<&str> = report
            .stages
            .iter()
            .filter(|s| matches!(s.status, Status::Fail | Status::Timeout))
            .map(|s| s.name.as_str())
            .collect();
        let meaning = match report.verdict {
            Verdict::Pass => "every detector ran and found nothing".to_owned(),
            Verdict::Fail if caught.is_empty() && !report.required_but_skipped().is_empty() => {
                format!(
                    "nothing failed, but {} did not run, and --require needs it",
                    report.required_but_skipped().join(", ")
                )
            }
            Verdict::Fail if caught.is_empty() => {
                let fault = report
                    .stages
                    .iter()
                    .find_map(|s| s.evidence.fault.as_deref());
                match fault {
                    Some(_) => {
                        "the subject was stopped or refused; see the reason above".to_owned()
                    }
                    None => {
                        "caught by the compiler: the subject does not build; fix the errors above"
                            .to_owned()
                    }
                }
            }
            Verdict::Fail => format!("caught by {}", caught.join(", ")),
            Verdict::Incomplete => {
                "nothing failed, but not every stage ran, so this is not a pass".to_owned()
            }
            Verdict::Error => "the grader could not finish; see the stages above".to_owned(),
        };
        let verdict = self.paint(report.verdict.as_str(), verdict_tone(report.verdict));
        let _ = writeln!(
            self.out,
            "verdict: {verdict} — {meaning} ({:.1} s)",
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

    /// The result of `cargo xtask replay`: the failure again, with its interleaving.
    pub fn replayed(&mut self, stage: StageId, judgement: &Judgement) {
        let _ = writeln!(
            self.out,
            "{stage} replay: {} — {}",
            judgement.status, judgement.summary
        );
        let evidence = &judgement.evidence;
        if let Some(results) = &evidence.results {
            let _ = writeln!(self.out, "{}", indent(results));
        }
        if let Some(trace) = &evidence.trace {
            let _ = writeln!(self.out, "{}", indent(trace));
        } else if let Some(failure) = &evidence.failure {
            let _ = writeln!(self.out, "{}", indent(failure));
        }
        if judgement.status == Status::Pass {
            let _ = writeln!(
                self.out,
                "The replay ran to the end without failing: the subject has changed since it failed."
            );
        }
    }

    /// `cargo xtask list`: each exercise's standing after its last grade, then a
    /// progress bar and what to do next.
    pub fn list(&mut self, progress: &[Progress<'_>]) {
        let mut text = String::new();
        for entry in progress {
            let (word, tone, detail) = match &entry.standing {
                Standing::NotTried => ("not tried", Tone::Quiet, String::new()),
                Standing::Passing => ("passing", Tone::Good, String::new()),
                Standing::Failing { caught } if caught.is_empty() => (
                    "failing",
                    Tone::Bad,
                    " — caught by the compiler (does not build)".to_owned(),
                ),
                Standing::Failing { caught } => (
                    "failing",
                    Tone::Bad,
                    format!(" — caught by {}", StageId::list(caught)),
                ),
                Standing::Partial { skipped } => (
                    "partly graded",
                    Tone::Unsure,
                    format!(
                        " — nothing failed, but {} did not run",
                        StageId::list(skipped)
                    ),
                ),
                Standing::GraderError => {
                    ("grader error", Tone::Unsure, " — grade it again".to_owned())
                }
            };
            let stale = if entry.edited_since {
                " (edited since)"
            } else {
                ""
            };
            text.push_str(&format!(
                "  {:<6}{:<32}{}{detail}{stale}\n",
                entry.exercise.id,
                entry.exercise.title,
                self.paint(word, tone)
            ));
        }
        let passing = progress
            .iter()
            .filter(|p| p.standing == Standing::Passing)
            .count();
        text.push_str(&format!(
            "{} {passing}/{} exercises passing\n",
            crate::progress::bar(passing, progress.len(), 10),
            progress.len()
        ));
        match progress.iter().find(|p| p.standing != Standing::Passing) {
            Some(next) => text.push_str(&format!("Next: cargo xtask watch {}\n", next.exercise.id)),
            None if !progress.is_empty() => text.push_str(&format!(
                "{} Compare your fixes with the reference ones: cargo xtask solution <exercise>\n",
                self.paint("Every exercise passes.", Tone::Good)
            )),
            None => {}
        }
        self.print(&text);
    }

    /// The first `shown` hints of `exercise`; `again` says how to reveal the next one
    /// (e.g. "Run `cargo xtask hint ex01` again").
    pub fn hints(&mut self, exercise: &Exercise, shown: usize, again: &str) {
        let total = exercise.hints.len();
        let mut text = String::new();
        for (i, hint) in exercise.hints.iter().enumerate().take(shown) {
            text.push_str(&format!("Hint {} of {total}: {hint}\n", i + 1));
        }
        if total == 0 {
            text.push_str(&format!("{} has no hints.\n", exercise.id));
        } else if shown >= total {
            text.push_str(&format!("That was the last hint for {}.\n", exercise.id));
        } else {
            text.push_str(&format!("{again} for the next one.\n"));
        }
        self.print(&text);
    }
}

impl Observer for Console<'_> {
    fn activity(&mut self, stage: StageId, activity: &str) {
        if !self.animate {
            let _ = writeln!(self.err, "  {:<8} {activity}…", stage.as_str());
            return;
        }
        // One spinner per stage, so its clock shows how long the stage has taken.
        let message = format!(
            "[{}/{}] {}: {activity}…",
            stage_number(stage),
            StageId::ALL.len(),
            stage.as_str()
        );
        match &self.spinner {
            Some((current, spinner)) if *current == stage => spinner.set_message(message),
            _ => {
                self.stop_spinner();
                let template = if self.color {
                    "  {spinner:.cyan} {msg} {elapsed:.dim}"
                } else {
                    "  {spinner} {msg} {elapsed}"
                };
                let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(
                        ProgressStyle::with_template(template)
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    )
                    .with_message(message);
                spinner.enable_steady_tick(Duration::from_millis(120));
                self.spinner = Some((stage, spinner));
            }
        }
    }

    fn stage_finished(&mut self, stage: &StageReport) {
        self.stop_spinner();
        let time = match stage.status {
            Status::Skipped => String::new(),
            _ => format!("{:.1} s", stage.duration_ms as f64 / 1000.0),
        };
        // Padded before it is painted: colour codes would upset the column widths.
        let status = self.paint(
            &format!("{:<8}", stage.status.as_str().to_uppercase()),
            status_tone(stage.status),
        );
        let _ = writeln!(
            self.out,
            "  {:<8} {status} {time:>7}  {}",
            stage.name, stage.summary
        );
        let evidence = &stage.evidence;
        for error in &evidence.compile_errors {
            let _ = writeln!(self.out, "{}", indent(error));
        }
        if let Some(location) = &evidence.location {
            let _ = writeln!(self.out, "{:>21}at {location}", "");
        }
        if let Some(results) = &evidence.results {
            let _ = writeln!(self.out, "{}", indent(results));
        }
        if let Some(trace) = &evidence.trace {
            let _ = writeln!(self.out, "{}", indent(trace));
        }
        if let Some(replay) = &evidence.replay {
            let _ = writeln!(self.out, "{:>21}replay: {replay}", "");
        }
        if let Some(note) = &evidence.note {
            let label = match stage.status {
                Status::Pass => "why silent",
                _ => "note",
            };
            let _ = writeln!(self.out, "{:>21}{label}: {note}", "");
        }
    }
}

impl Drop for Console<'_> {
    fn drop(&mut self) {
        self.stop_spinner();
    }
}

/// The stage's place in the pipeline, from 1.
fn stage_number(stage: StageId) -> usize {
    StageId::ALL.iter().position(|s| *s == stage).unwrap_or(0) + 1
}

fn status_tone(status: Status) -> Tone {
    match status {
        Status::Pass => Tone::Good,
        Status::Fail | Status::Timeout | Status::Error => Tone::Bad,
        Status::Skipped => Tone::Quiet,
    }
}

fn verdict_tone(verdict: Verdict) -> Tone {
    match verdict {
        Verdict::Pass => Tone::Good,
        Verdict::Fail | Verdict::Error => Tone::Bad,
        Verdict::Incomplete => Tone::Unsure,
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("{:>21}{l}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}
