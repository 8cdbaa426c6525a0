//! One watch session: the exercise being watched, the grade running for it, and what
//! each piece of news does to them.

use super::events::{FileWatcher, Forward, Key, News, Sources, changed_files, sources};
use super::summary::{Summary, screen_rows};
use crate::commands::list::ListedIn;
use crate::console::{Console, Tone};
use crate::{EXIT_USAGE, hints, progress};
use notify_debouncer_mini::notify::RecursiveMode;
use racelab_grader::Observer;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::render::page;
use racelab_grader::report::{Report, StageReport};
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_grader::{GradeOptions, grade, process};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The exit status after Ctrl-C, as for an interrupted grade.
const EXIT_INTERRUPTED: i32 = 130;

/// A grade running on its own thread.
struct Running {
    thread: JoinHandle<()>,
    /// Set when the grade is abandoned: its report must not be written.
    cancelled: Arc<AtomicBool>,
}

impl Running {
    /// Abandons the grade: kills its builds and runners until its thread has ended
    /// (at most a few seconds), so nothing it started outlives it.
    fn stop(self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.thread.is_finished() && Instant::now() < deadline {
            process::kill_all_children();
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether the session goes on after a piece of news.
enum Action {
    Continue,
    Quit(i32),
}

/// The state of watch mode between two pieces of news.
pub(super) struct Session<'l> {
    lab: &'l Lab,
    exercise: &'l Exercise,
    subject: Subject,
    /// `n` may move on to the next exercise (not when watching a `--path` folder).
    follow_next: bool,
    grade_options: GradeOptions,
    news: Sender<News>,
    files: FileWatcher,
    /// Counts grades, so news from an abandoned one is ignored.
    generation: u64,
    running: Option<Running>,
    /// The last finished grade passed.
    passed: bool,
    /// The sources as they were when the current grade started.
    graded_sources: Sources,
    /// One line per stage, pinned above the scrolling grade.
    summary: Summary,
    /// The screen row (1-based) of the summary's first line, while it is pinned (the
    /// terminal is tall enough for a scrolling region below it).
    summary_row: Option<usize>,
}

impl<'l> Session<'l> {
    /// A session on `subject`, with no grade started yet.
    pub(super) fn new(
        lab: &'l Lab,
        exercise: &'l Exercise,
        subject: Subject,
        follow_next: bool,
        grade_options: GradeOptions,
        news: Sender<News>,
        files: FileWatcher,
    ) -> Self {
        Session {
            lab,
            exercise,
            subject,
            follow_next,
            grade_options,
            news,
            files,
            generation: 0,
            running: None,
            passed: false,
            graded_sources: Sources::new(),
            summary: Summary::new(&[], []),
            summary_row: None,
        }
    }

    /// The exercise being watched.
    pub(super) fn exercise(&self) -> &'l Exercise {
        self.exercise
    }

    /// Abandons the running grade, if any.
    pub(super) fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
    }

    /// Clears the screen and starts a grade, abandoning the one running if any.
    pub(super) fn start(&mut self, console: &mut Console, changed: Option<&[PathBuf]>) {
        self.stop();
        console.stop_spinner();
        self.generation += 1;
        self.passed = false;
        self.graded_sources = sources(&self.subject.dir);
        let mut screen = Vec::new();
        let _ = crossterm::queue!(
            screen,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
            crossterm::cursor::MoveTo(0, 0)
        );
        let mut header = vec![
            format!(
                "{} {} — {}",
                console.paint("Racelab watch:", Tone::Good),
                self.exercise.id,
                self.exercise.title
            ),
            format!(
                "Watching {}: save a file there to grade it again.",
                self.subject.label
            ),
            console.paint(
                "Keys: b break it · h hint · n next · l list · r re-run · q quit",
                Tone::Quiet,
            ),
        ];
        if let Some(changed) = changed {
            let names: Vec<String> = changed
                .iter()
                .map(|p| {
                    p.strip_prefix(&self.subject.dir)
                        .unwrap_or(p)
                        .display()
                        .to_string()
                })
                .collect();
            header.push(format!("Saved: {}", names.join(", ")));
        }
        let before = Report::read(&self.lab.default_report_path(self.exercise, &self.subject))
            .map(|report| {
                report
                    .stages
                    .iter()
                    .map(|s| (s.name, s.status))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        self.summary = Summary::new(&self.grade_options.stages, before);
        let (columns, rows) = crossterm::terminal::size().map_or((0, 0), |(columns, rows)| {
            (usize::from(columns), usize::from(rows))
        });
        // The rows the header takes on screen (a long folder name wraps), so the summary's
        // lines can be redrawn where they are.
        let summary_row = header
            .iter()
            .map(|l| screen_rows(l, columns))
            .sum::<usize>()
            + 1;
        header.extend(self.summary.lines());
        header.push(String::new());
        let pinned_rows = header
            .iter()
            .map(|l| screen_rows(l, columns))
            .sum::<usize>();
        let mut text = String::from_utf8_lossy(&screen).into_owned();
        for line in &header {
            text.push_str(line);
            text.push('\n');
        }
        // Keep the header and the summary in view: the lines below them scroll in a
        // region of their own (DECSTBM), so a long grade never pushes the exercise, the
        // keys and the detectors' statuses off screen.
        self.summary_row = None;
        if rows > pinned_rows + 4 {
            self.summary_row = Some(summary_row);
            text.push_str(&format!(
                "\x1b[{};{rows}r\x1b[{};1H",
                pinned_rows + 1,
                pinned_rows + 1
            ));
        }
        console.print(&text);
        console.grade_started(self.exercise, &self.subject);

        let (lab, exercise, subject) = (
            self.lab.clone(),
            self.exercise.clone(),
            self.subject.clone(),
        );
        let options = self.grade_options.clone();
        let cancelled = Arc::new(AtomicBool::new(false));
        let mut observer = Forward {
            generation: self.generation,
            news: self.news.clone(),
        };
        let flag = Arc::clone(&cancelled);
        let spawned = thread::Builder::new()
            .name("racelab-grade".into())
            .spawn(move || {
                let generation = observer.generation;
                let news = observer.news.clone();
                let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    grade(&lab, &exercise, &subject, &options, &mut observer)
                }));
                let Ok(report) = graded else {
                    let _ = news.send(News::Crashed(generation));
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                let path = lab.default_report_path(&exercise, &subject);
                let roots = [subject.dir.as_path(), lab.root.as_path()];
                let write_error = page::write_with_report(&report, &path, &roots).err();
                let _ = news.send(News::Graded {
                    generation,
                    report: Box::new(report),
                    path,
                    write_error,
                });
            });
        match spawned {
            Ok(thread) => self.running = Some(Running { thread, cancelled }),
            Err(e) => {
                console.stop_spinner();
                console.print(&format!(
                    "The grade could not start: no thread for it ({e}). Press r to try again.\n"
                ));
            }
        }
    }

    /// Handles news until `q`; returns the exit status.
    pub(super) fn run(&mut self, console: &mut Console, news: &Receiver<News>) -> i32 {
        loop {
            let Ok(item) = news.recv() else {
                return EXIT_USAGE;
            };
            if let Action::Quit(code) = self.hear(console, item) {
                return code;
            }
        }
    }

    fn hear(&mut self, console: &mut Console, news: News) -> Action {
        let current = self.generation;
        match news {
            News::Activity(g, stage, what) if g == current => console.activity(stage, &what),
            News::Stage(g, report) if g == current => {
                console.stage_finished(&report);
                self.summarise(console, &report);
            }
            News::Graded {
                generation,
                report,
                path,
                write_error,
            } if generation == current => {
                self.running = None;
                console.grade_finished(&report, &path, write_error.as_ref());
                self.after_grade(console, &report);
            }
            News::Crashed(g) if g == current => {
                self.running = None;
                console.stop_spinner();
                console
                    .print("The grader stopped unexpectedly (see above). Press r to try again.\n");
            }
            News::Touched => {
                let changed = changed_files(&self.graded_sources, &sources(&self.subject.dir));
                if !changed.is_empty() {
                    self.start(console, Some(&changed));
                }
            }
            News::WatchFailed(e) => console.print(&format!("warning: watching files: {e}\n")),
            News::Key(key) => return self.key(console, key),
            News::KeyboardFailed(e) => {
                console.print(&format!("error: cannot read the keyboard: {e}\n"));
                return Action::Quit(EXIT_USAGE);
            }
            // News from an abandoned grade.
            _ => {}
        }
        Action::Continue
    }

    fn key(&mut self, console: &mut Console, key: Key) -> Action {
        match key {
            Key::Interrupt => return Action::Quit(EXIT_INTERRUPTED),
            Key::Quit => return Action::Quit(0),
            Key::Hint => self.hint(console),
            Key::List => {
                console.print("\n");
                let place = ListedIn::Watch {
                    watched: self.exercise,
                    passed: self.passed,
                    follows_next: self.follow_next,
                };
                console.list(&progress::all(self.lab), &place);
            }
            Key::Rerun => self.start(console, None),
            Key::Next => self.next_exercise(console),
            Key::Break => {
                crate::commands::play::from_watch(self.lab, self.exercise, &self.subject, console)
            }
        }
        Action::Continue
    }

    /// Redraws the pinned line of a stage that ended, leaving the cursor where the
    /// scrolling grade has it (DECSC / DECRC around the jump).
    fn summarise(&mut self, console: &mut Console, stage: &StageReport) {
        let Some(index) = self
            .summary
            .ended(stage.name, stage.status, stage.duration_ms)
        else {
            return;
        };
        if let Some(top) = self.summary_row {
            console.print(&format!(
                "\x1b7\x1b[{};1H\x1b[2K{}\x1b8",
                top + index,
                self.summary.line(index)
            ));
        }
    }

    /// What the verdict means for the student, and what to do next.
    fn after_grade(&mut self, console: &mut Console, report: &Report) {
        let id = &self.exercise.id;
        let mut text = String::from("\n");
        match report.verdict {
            Verdict::Pass => {
                self.passed = true;
                text.push_str(&format!(
                    "{} Compare it with the reference fixes: cargo xtask solution {id}\n",
                    console.paint("Fixed: every detector agrees.", Tone::Good)
                ));
                if self.follow_next
                    && let Some(next) = progress::next_unsolved(self.lab)
                {
                    text.push_str(&format!(
                        "Next: {} — {}. Press n to move on.\n",
                        next.id, next.title
                    ));
                }
            }
            Verdict::Incomplete => text.push_str(
                "Nothing failed in the stages that ran. Leave out --stage for the full verdict.\n",
            ),
            // A student's own crate is graded in full: never `unchanged` or `missing`
            // (a class's verdicts), which would read as "not fixed yet" anyway.
            Verdict::Fail | Verdict::Unchanged | Verdict::Missing => {
                let among = hints::answering(self.exercise, Some(report));
                let path = hints::HintState::path(self.lab);
                let seen = hints::revealed(&path, self.exercise, &among).len();
                let total = among.len();
                let hint = if seen < total {
                    format!("h reveals a hint ({seen} of {total} seen)")
                } else {
                    format!("you have seen every hint (h shows all {total} again)")
                };
                text.push_str(&format!(
                    "Not fixed yet. Save a change to grade again; {hint}.\n"
                ));
            }
            Verdict::Error => text.push_str("The grader could not finish. Press r to try again.\n"),
        }
        text.push_str(&format!(
            "{}\n",
            console.paint(
                "Waiting for a save… (h hint · n next · l list · r re-run · q quit)",
                Tone::Quiet
            )
        ));
        console.print(&text);
    }

    fn hint(&self, console: &mut Console) {
        console.print("\n");
        let last = progress::last_report(self.lab, self.exercise);
        let among = hints::answering(self.exercise, last.as_ref());
        match hints::reveal_next(&hints::HintState::path(self.lab), self.exercise, &among) {
            Ok(shown) => console.hints(self.exercise, &shown, &among, "Press h again"),
            Err(e) => console.print(&format!("error: {e}\n")),
        }
    }

    /// Moves on to the next unsolved exercise, once this one passes.
    fn next_exercise(&mut self, console: &mut Console) {
        if !self.follow_next {
            console.print("\nn does nothing here: this watch follows a --path folder.\n");
            return;
        }
        if !self.passed {
            console.print(&format!(
                "\nn moves on once {} passes: fix it first.\n",
                self.exercise.id
            ));
            return;
        }
        let Some(next) = progress::next_unsolved(self.lab) else {
            console.print("\nThat was the last exercise: every one passes. Press q to quit.\n");
            return;
        };
        let subject = match Subject::locate(self.lab, next, None) {
            Ok(subject) => subject,
            Err(e) => {
                console.print(&format!("error: {e}\n"));
                return;
            }
        };
        let watcher = self.files.watcher();
        let _ = watcher.unwatch(&self.subject.dir);
        if let Err(e) = watcher.watch(&subject.dir, RecursiveMode::Recursive) {
            console.print(&format!("error: cannot watch {}: {e}\n", subject.label));
            let _ = watcher.watch(&self.subject.dir, RecursiveMode::Recursive);
            return;
        }
        self.exercise = next;
        self.subject = subject;
        self.start(console, None);
    }
}
