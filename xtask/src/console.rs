//! The human-readable printer: one line per stage with its status, time and key
//! evidence, then the verdict and the report's path. Progress goes to `err`, results
//! to `out`.
//!
//! On a terminal (see [`Terminal`]) progress is a spinner saying what the grade is
//! doing and for how long, and statuses are coloured; anywhere else both are plain
//! lines, so captured output stays deterministic.
//!
//! Longer than most files: it is every line a grade prints, kept together so the
//! wording and the layout can be read and changed in one place.

use crate::commands::list::{ListedIn, next_step};
use crate::progress::{Progress, Standing};
use crate::terminal::Terminal;
use crossterm::style::Stylize;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use racelab_grader::Observer;
use racelab_grader::manifest::Exercise;
use racelab_grader::render::{self, wrap};
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
    /// The spinners drawn together on stderr, one line per stage at work (the stages
    /// of a grade run side by side).
    spinners: MultiProgress,
    /// Each working stage's spinner, so its clock shows how long the stage has taken.
    working: Vec<(StageId, ProgressBar)>,
    /// The columns lines are fitted to.
    width: usize,
    /// The refusal printed already, and under which stage: a subject the source
    /// policy refuses is refused by every stage in the same words.
    printed_refusal: Option<(StageId, String)>,
}

/// How far the interleaving tables are indented.
const TABLE_INDENT: usize = 2;

/// How far a stage's evidence is indented: under its summary.
const EVIDENCE_INDENT: usize = 21;

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
            spinners: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            working: Vec::new(),
            width: crate::terminal::DEFAULT_WIDTH,
            printed_refusal: None,
        }
    }

    /// Uses what `terminal` allows: colours, and a spinner when stderr is a terminal.
    pub fn with_terminal(mut self, terminal: Terminal) -> Self {
        self.color = terminal.color;
        self.animate = terminal.stderr;
        self.width = terminal.columns();
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

    /// Removes every spinner drawn (when a grade ends or is abandoned).
    pub fn stop_spinner(&mut self) {
        for (_, spinner) in self.working.drain(..) {
            spinner.finish_and_clear();
        }
    }

    /// Removes `stage`'s spinner, if one is drawn.
    fn stop_spinner_of(&mut self, stage: StageId) {
        if let Some(at) = self.working.iter().position(|(s, _)| *s == stage) {
            let (_, spinner) = self.working.remove(at);
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
        if self.working.is_empty() {
            write();
        } else {
            self.spinners.suspend(write);
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

    /// Why each passing stage was silent, in one block, when the report says: decided
    /// once every stage has ended, so no stage line is amended after it was printed.
    fn silences(&mut self, report: &Report) {
        for stage in report.stages.iter().filter(|s| s.status == Status::Pass) {
            if let Some(note) = &stage.evidence.note {
                let text = fit(&format!("{} why silent: {note}", stage.name), 2, self.width);
                let _ = writeln!(self.out, "  {text}");
            }
        }
    }

    /// The verdict, what it means, and where the report went.
    pub fn grade_finished(
        &mut self,
        report: &Report,
        path: &Path,
        write_error: Option<&std::io::Error>,
    ) {
        self.stop_spinner();
        self.silences(report);
        self.compile_errors(report);
        // A stage that could not build caught nothing: the compiler did.
        let with = |status: Status| -> Vec<&str> {
            report
                .stages
                .iter()
                .filter(|s| s.status == status && s.evidence.compile_errors.is_empty())
                .map(|s| s.name.as_str())
                .collect()
        };
        let (failed, timed_out) = (with(Status::Fail), with(Status::Timeout));
        let caught: Vec<&str> = failed.iter().chain(&timed_out).copied().collect();
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
                    None => "caught by the compiler: fix the errors above".to_owned(),
                }
            }
            // A timeout is no detector's finding: the subject hung or ran too long.
            Verdict::Fail => match (failed.is_empty(), timed_out.is_empty()) {
                (false, true) => format!("caught by {}", failed.join(", ")),
                (true, _) => format!("timed out in {}", timed_out.join(", ")),
                (false, false) => format!(
                    "caught by {}; timed out in {}",
                    failed.join(", "),
                    timed_out.join(", ")
                ),
            },
            Verdict::Incomplete => {
                "nothing failed, but not every stage ran, so this is not a pass".to_owned()
            }
            Verdict::Error => "the grader could not finish; see the stages above".to_owned(),
            Verdict::Unchanged => {
                "the sources are the shipped crate's: not built, no points".to_owned()
            }
            Verdict::Missing => "nothing was sent for this exercise".to_owned(),
        };
        let verdict = self.paint(report.verdict.as_str(), verdict_tone(report.verdict));
        let start = format!("verdict: {} — ", report.verdict.as_str())
            .chars()
            .count();
        let meaning = format!("{meaning} ({:.1} s)", report.duration_ms as f64 / 1000.0);
        let meaning = fit(&meaning, start, self.width);
        let _ = writeln!(self.out, "verdict: {verdict} — {meaning}");
        match write_error {
            None => {
                let _ = writeln!(self.out, "report: {}", path.display());
                let page = racelab_grader::render::page::page_path(path);
                let _ = writeln!(self.out, "page:   {}", page.display());
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

    /// The compiler errors of the grade's stages, each set once, drawn at the width.
    fn compile_errors(&mut self, report: &Report) {
        let mut drawn: Vec<&Vec<String>> = Vec::new();
        for stage in &report.stages {
            let errors = &stage.evidence.compile_errors;
            if !errors.is_empty() && !drawn.contains(&errors) {
                drawn.push(errors);
            }
        }
        for errors in drawn {
            let text =
                racelab_grader::render::compile_errors::draw(errors, TABLE_INDENT, self.width);
            let _ = writeln!(self.out, "{text}");
        }
    }

    /// A line of evidence under a stage: `label` then `text`, wrapped to the width.
    fn labelled(&mut self, label: &str, text: &str) {
        let text = fit(&format!("{label}{text}"), EVIDENCE_INDENT, self.width);
        let _ = writeln!(self.out, "{:>EVIDENCE_INDENT$}{text}", "");
    }

    /// The failing execution of `evidence`, drawn to the terminal's width less the
    /// tables' indent.
    fn trace(&self, evidence: &racelab_grader::report::Evidence) -> Option<String> {
        render::trace(evidence, self.width.saturating_sub(TABLE_INDENT))
    }

    /// The result of `cargo xtask replay`: the failure again, with its interleaving.
    pub fn replayed(&mut self, stage: StageId, judgement: &Judgement) {
        let _ = writeln!(
            self.out,
            "{stage} replay: {} — {}",
            judgement.status, judgement.summary
        );
        let evidence = &judgement.evidence;
        if let Some(trace) = self.trace(evidence) {
            let _ = writeln!(self.out, "{}", indent(&trace, TABLE_INDENT));
        } else if let Some(failure) = &evidence.failure {
            let _ = writeln!(self.out, "{}", indent(failure, EVIDENCE_INDENT));
        }
        if judgement.status == Status::Pass {
            let _ = writeln!(
                self.out,
                "The replay ran to the end without failing: the subject has changed since it failed."
            );
        }
    }

    /// `cargo xtask list`: each exercise's standing after its last grade, then a
    /// progress bar and what to do next, put as `place` needs it.
    pub(crate) fn list(&mut self, progress: &[Progress<'_>], place: &ListedIn<'_>) {
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
            Some(next) => text.push_str(&format!("Next: {}\n", next_step(next.exercise, place))),
            None if !progress.is_empty() => text.push_str(&format!(
                "{} Compare your fixes with the reference ones: cargo xtask solution <exercise>\n",
                self.paint("Every exercise passes.", Tone::Good)
            )),
            None => {}
        }
        self.print(&text);
    }

    /// The hints `shown` of `exercise`, numbered among the `among` that answer its
    /// last grade; `again` says how to reveal the next one (e.g. "Run `cargo xtask
    /// hint ex01` again").
    pub fn hints(&mut self, exercise: &Exercise, shown: &[usize], among: &[usize], again: &str) {
        let total = among.len();
        let mut text = String::new();
        for (n, &i) in among.iter().enumerate().filter(|(_, i)| shown.contains(i)) {
            let hint = format!("Hint {} of {total}: {}", n + 1, exercise.hints[i].text);
            text.push_str(&wrap::words(&hint, self.width).join("\n"));
            text.push('\n');
        }
        if exercise.hints.is_empty() {
            text.push_str(&format!("{} has no hints.\n", exercise.id));
        } else if total == 0 {
            text.push_str(&format!("{} has no hints for this failure.\n", exercise.id));
        } else if shown.len() >= total {
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
        if let Some((_, spinner)) = self.working.iter().find(|(s, _)| *s == stage) {
            spinner.set_message(message);
            return;
        }
        let template = if self.color {
            "  {spinner:.cyan} {msg} {elapsed:.dim}"
        } else {
            "  {spinner} {msg} {elapsed}"
        };
        let spinner = self.spinners.add(
            ProgressBar::new_spinner()
                .with_style(
                    ProgressStyle::with_template(template)
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                )
                .with_message(message),
        );
        spinner.enable_steady_tick(Duration::from_millis(120));
        self.working.push((stage, spinner));
    }

    fn stage_finished(&mut self, stage: &StageReport) {
        self.stop_spinner_of(stage.name);
        // The other stages' spinners are lifted while the lines are written, then
        // drawn again below them.
        let spinners = self.spinners.clone();
        spinners.suspend(|| self.print_stage(stage));
    }
}

impl Console<'_> {
    /// A finished stage's line and its evidence.
    fn print_stage(&mut self, stage: &StageReport) {
        let time = match stage.status {
            Status::Skipped => String::new(),
            _ => format!("{:.1} s", stage.duration_ms as f64 / 1000.0),
        };
        // Padded before it is painted: colour codes would upset the column widths.
        let status = self.paint(
            &format!("{:<8}", stage.status.as_str().to_uppercase()),
            status_tone(stage.status),
        );
        let head = format!("  {:<8} {:<8} {time:>7}  ", stage.name, "");
        let refused = stage.status == Status::Error && stage.summary.starts_with("refused");
        let summary = match &self.printed_refusal {
            Some((first, summary)) if refused && *summary == stage.summary => {
                format!("refused, as under {first} above")
            }
            _ => {
                if refused {
                    self.printed_refusal = Some((stage.name, stage.summary.clone()));
                }
                fit(&stage.summary, head.chars().count(), self.width)
            }
        };
        let _ = writeln!(
            self.out,
            "  {:<8} {status} {time:>7}  {summary}",
            stage.name
        );
        // Compiler errors are the same for every stage: printed once, under them all
        // (`grade_finished`).
        let evidence = &stage.evidence;
        if let Some(location) = &evidence.location {
            self.labelled("at ", location);
        }
        if let Some(trace) = self.trace(evidence) {
            let _ = writeln!(self.out, "{}", indent(&trace, TABLE_INDENT));
        }
        if let Some(replay) = &evidence.replay {
            // Never wrapped: a command broken over lines cannot be pasted.
            let _ = writeln!(self.out, "{:>EVIDENCE_INDENT$}replay: {replay}", "");
        }
        // A passing stage's note says why it was silent: printed with the others
        // once every stage has ended (`grade_finished`), never added to a stage line
        // already shown.
        if let Some(note) = evidence
            .note
            .as_ref()
            .filter(|_| stage.status != Status::Pass)
        {
            self.labelled("note: ", note);
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
        Verdict::Incomplete | Verdict::Unchanged => Tone::Unsure,
        Verdict::Missing => Tone::Quiet,
    }
}

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| format!("{:>by$}{l}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text`, which follows `start` columns of a line, wrapped to `width` columns with
/// its further lines indented to `start` as well (words longer than a line are split).
/// A word longer than the room is never split: it gets a line of its own, indented
/// less where that lets it fit the width.
fn fit(text: &str, start: usize, width: usize) -> String {
    let room = width.saturating_sub(start).max(20);
    let lines = wrap::words(text, room);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let long = line.chars().count();
            let indent = if long > room {
                start.min(width.saturating_sub(long))
            } else {
                start
            };
            out.push_str(&format!("\n{:indent$}", ""));
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod golden;

#[cfg(test)]
mod tests {
    use super::Console;
    use racelab_grader::Observer;
    use racelab_grader::report::{Evidence, StageReport, Status};
    use racelab_grader::stages::StageId;

    #[test]
    fn a_refusal_is_printed_once_and_the_other_stages_point_to_it() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        {
            let mut console = Console::new(&mut out, &mut err);
            for name in StageId::ALL {
                console.stage_finished(&StageReport {
                    name,
                    status: Status::Error,
                    duration_ms: 0,
                    summary: "refused to grade: src/lib.rs:4: [facade-bypass] …".into(),
                    evidence: Evidence::default(),
                });
            }
        }
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("[facade-bypass]").count(), 1, "{out}");
        assert_eq!(
            out.matches("refused, as under loom above").count(),
            StageId::ALL.len() - 1,
            "{out}"
        );
    }
}
