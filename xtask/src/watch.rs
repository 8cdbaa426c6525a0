//! `cargo xtask watch [ex01]`: grades the exercise, then grades it again each time one
//! of its files is saved, until `q`.
//!
//! The grade runs on its own thread and reports each stage as it ends, in the order
//! loom → shuttle → stress → tsan, so the first detector to catch the bug is on screen
//! while the others still run. Meanwhile the terminal is in raw mode and single keys
//! act at once: `h` next hint, `l` list, `r` re-run, `n` next exercise (once this one
//! passes), `q` quit. A save during a grade stops it and starts a fresh one.
//!
//! Watch needs a terminal on stdin and stdout. Anywhere else (a pipe, CI, a test's
//! buffer) it prints why and exits with status 2 without grading: `grade` is the
//! command for scripts.

use crate::console::{Console, Tone};
use crate::terminal::{RawLines, RawMode, Terminal};
use crate::{EXIT_USAGE, hints, progress};
use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, new_debouncer};
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::{Report, StageReport};
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use racelab_grader::verdict::Verdict;
use racelab_grader::{GradeOptions, Observer, grade, process};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long after the last write a burst of saves is taken as one.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// How long the loop waits for news before it looks at the keyboard again.
const TICK: Duration = Duration::from_millis(30);

/// The exit status after Ctrl-C, as for an interrupted grade.
const EXIT_INTERRUPTED: i32 = 130;

/// What `watch` was asked to do.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The exercise to watch; the next unsolved one when `None`.
    pub exercise: Option<String>,
    /// A crate folder to watch instead of the workspace's exercise crate.
    pub path: Option<PathBuf>,
    /// The stages to run on each grade.
    pub stages: Vec<StageId>,
}

/// Runs watch mode until the student quits; returns the exit status.
pub fn watch(
    lab: &Lab,
    options: WatchOptions,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, String> {
    let exercise = match &options.exercise {
        Some(name) => crate::find_exercise(lab, name)?,
        None => match progress::next_unsolved(lab) {
            Some(exercise) => exercise,
            None => {
                let _ = writeln!(
                    out,
                    "Every exercise passes. To work on one again, name it: cargo xtask watch <exercise>"
                );
                return Ok(0);
            }
        },
    };
    if !terminal.interactive() {
        let _ = writeln!(
            err,
            "error: `cargo xtask watch` needs an interactive terminal: it reads single keys \
             (h, l, r, q) and redraws the screen, but its standard input or output is not a \
             terminal here.\nTo grade once instead (the same detectors; exit status 0 when \
             it passes): cargo xtask grade {}",
            exercise.id
        );
        return Ok(EXIT_USAGE);
    }
    let subject =
        Subject::locate(lab, exercise, options.path.as_deref()).map_err(|e| e.to_string())?;

    let (tx, rx) = mpsc::channel();
    let saves = tx.clone();
    let watched = subject.dir.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        let news = match result {
            Ok(events) => {
                let relevant = events
                    .iter()
                    .any(|e| progress::is_source(&e.path) && !in_target(&watched, &e.path));
                if !relevant {
                    return;
                }
                News::Touched
            }
            Err(e) => News::WatchFailed(e.to_string()),
        };
        let _ = saves.send(news);
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    debouncer
        .watcher()
        .watch(&subject.dir, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", subject.dir.display()))?;

    let raw = RawMode::enable().map_err(|e| format!("cannot read single keys: {e}"))?;
    let mut out = RawLines::new(out);
    let mut err = RawLines::new(err);
    let mut console = Console::new(&mut out, &mut err).with_terminal(terminal);
    let mut session = Session {
        lab,
        exercise,
        subject,
        follow_next: options.path.is_none(),
        grade_options: GradeOptions {
            stages: if options.stages.is_empty() {
                StageId::ALL.to_vec()
            } else {
                options.stages
            },
            ..GradeOptions::default()
        },
        news: tx,
        generation: 0,
        running: None,
        passed: false,
        graded_sources: Sources::new(),
    };
    session.start(&mut console, None);
    let code = session.run(&mut console, &rx, &mut debouncer);
    if let Some(running) = session.running.take() {
        running.stop();
    }
    console.stop_spinner();
    console.print(&format!("\nStopped watching {}.\n", session.exercise.id));
    drop(console);
    drop(raw);
    Ok(code)
}

/// What the loop hears about, from the grade's thread and the file watcher.
enum News {
    /// A stage of grade `generation` started doing something.
    Activity(u64, StageId, String),
    /// A stage of grade `generation` ended.
    Stage(u64, Box<StageReport>),
    /// Grade `generation` ended and its report was written (or not).
    Graded {
        generation: u64,
        report: Box<Report>,
        path: PathBuf,
        write_error: Option<std::io::Error>,
    },
    /// Grade `generation` panicked.
    Crashed(u64),
    /// A source file was written, or perhaps only opened: compare contents to know.
    Touched,
    /// The file watcher failed.
    WatchFailed(String),
}

/// Forwards a grade's progress to the loop, tagged with the grade's generation.
struct Forward {
    generation: u64,
    news: Sender<News>,
}

impl Observer for Forward {
    fn activity(&mut self, stage: StageId, activity: &str) {
        let _ = self
            .news
            .send(News::Activity(self.generation, stage, activity.to_owned()));
    }

    fn stage_finished(&mut self, stage: &StageReport) {
        let _ = self
            .news
            .send(News::Stage(self.generation, Box::new(stage.clone())));
    }
}

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

/// What the keyboard asked for.
enum Action {
    Continue,
    Quit(i32),
}

struct Session<'l> {
    lab: &'l Lab,
    exercise: &'l Exercise,
    subject: Subject,
    /// `n` may move on to the next exercise (not when watching a `--path` folder).
    follow_next: bool,
    grade_options: GradeOptions,
    news: Sender<News>,
    /// Counts grades, so news from an abandoned one is ignored.
    generation: u64,
    running: Option<Running>,
    /// The last finished grade passed.
    passed: bool,
    /// The sources as they were when the current grade started.
    graded_sources: Sources,
}

/// The Rust sources and manifest of a crate, by path. The watcher also reports files
/// merely opened (the grader reads them too), so only a change of content re-grades.
type Sources = BTreeMap<PathBuf, Vec<u8>>;

/// Reads the sources below `dir`, skipping `target` folders.
fn sources(dir: &Path) -> Sources {
    let mut found = Sources::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    pending.push(path);
                }
            } else if progress::is_source(&path)
                && let Ok(content) = std::fs::read(&path)
            {
                found.insert(path, content);
            }
        }
    }
    found
}

/// The files that differ between two readings (changed, added or removed).
fn changed_files(before: &Sources, after: &Sources) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = after
        .iter()
        .filter(|(path, content)| before.get(*path) != Some(*content))
        .map(|(path, _)| path.clone())
        .chain(before.keys().filter(|p| !after.contains_key(*p)).cloned())
        .collect();
    changed.sort();
    changed
}

impl Session<'_> {
    /// Clears the screen and starts a grade, abandoning the one running if any.
    fn start(&mut self, console: &mut Console, changed: Option<&[PathBuf]>) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
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
        let mut text = String::from_utf8_lossy(&screen).into_owned();
        text.push_str(&format!(
            "{} {} — {}\nWatching {}: save a file there to grade it again.\n{}\n",
            console.paint("Racelab watch:", Tone::Good),
            self.exercise.id,
            self.exercise.title,
            self.subject.label,
            console.paint("Keys: h hint · l list · r re-run · q quit", Tone::Quiet),
        ));
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
            text.push_str(&format!("Saved: {}\n", names.join(", ")));
        }
        text.push('\n');
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
        let thread = thread::spawn(move || {
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
            let write_error = report.write(&path).err();
            let _ = news.send(News::Graded {
                generation,
                report: Box::new(report),
                path,
                write_error,
            });
        });
        self.running = Some(Running { thread, cancelled });
    }

    /// The loop: news from the grade and the watcher, and keys, until `q`.
    fn run(
        &mut self,
        console: &mut Console,
        news: &Receiver<News>,
        debouncer: &mut notify_debouncer_mini::Debouncer<
            notify_debouncer_mini::notify::RecommendedWatcher,
        >,
    ) -> i32 {
        loop {
            match news.recv_timeout(TICK) {
                Ok(item) => self.hear(console, item),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return EXIT_USAGE,
            }
            loop {
                match event::poll(Duration::ZERO) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        console.print(&format!("error: cannot read the keyboard: {e}\n"));
                        return EXIT_USAGE;
                    }
                }
                let Ok(TermEvent::Key(key)) = event::read() else {
                    continue;
                };
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                let action = match key.code {
                    KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        Action::Quit(EXIT_INTERRUPTED)
                    }
                    KeyCode::Char('q') | KeyCode::Esc => Action::Quit(0),
                    KeyCode::Char('h') => self.hint(console),
                    KeyCode::Char('l') => {
                        console.print("\n");
                        console.list(&progress::all(self.lab));
                        Action::Continue
                    }
                    KeyCode::Char('r') => {
                        self.start(console, None);
                        Action::Continue
                    }
                    KeyCode::Char('n') => self.next_exercise(console, debouncer),
                    _ => Action::Continue,
                };
                if let Action::Quit(code) = action {
                    return code;
                }
            }
        }
    }

    fn hear(&mut self, console: &mut Console, news: News) {
        let current = self.generation;
        match news {
            News::Activity(g, stage, what) if g == current => console.activity(stage, &what),
            News::Stage(g, report) if g == current => console.stage_finished(&report),
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
            // News from an abandoned grade.
            _ => {}
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
            Verdict::Fail => {
                let seen = hints::revealed(&hints::HintState::path(self.lab), self.exercise);
                let total = self.exercise.hints.len();
                text.push_str(&format!(
                    "Not fixed yet. Save a change to grade again; h reveals a hint ({seen} of {total} seen).\n"
                ));
            }
            Verdict::Error => text.push_str("The grader could not finish. Press r to try again.\n"),
        }
        text.push_str(&format!(
            "{}\n",
            console.paint(
                "Waiting for a save… (h hint · l list · r re-run · q quit)",
                Tone::Quiet
            )
        ));
        console.print(&text);
    }

    fn hint(&self, console: &mut Console) -> Action {
        console.print("\n");
        match hints::reveal_next(&hints::HintState::path(self.lab), self.exercise) {
            Ok(shown) => console.hints(self.exercise, shown, "Press h again"),
            Err(e) => console.print(&format!("error: {e}\n")),
        }
        Action::Continue
    }

    /// Moves on to the next unsolved exercise, once this one passes.
    fn next_exercise(
        &mut self,
        console: &mut Console,
        debouncer: &mut notify_debouncer_mini::Debouncer<
            notify_debouncer_mini::notify::RecommendedWatcher,
        >,
    ) -> Action {
        if !self.passed || !self.follow_next {
            return Action::Continue;
        }
        let Some(next) = progress::next_unsolved(self.lab) else {
            return Action::Continue;
        };
        let subject = match Subject::locate(self.lab, next, None) {
            Ok(subject) => subject,
            Err(e) => {
                console.print(&format!("error: {e}\n"));
                return Action::Continue;
            }
        };
        let _ = debouncer.watcher().unwatch(&self.subject.dir);
        if let Err(e) = debouncer
            .watcher()
            .watch(&subject.dir, RecursiveMode::Recursive)
        {
            console.print(&format!("error: cannot watch {}: {e}\n", subject.label));
            let _ = debouncer
                .watcher()
                .watch(&self.subject.dir, RecursiveMode::Recursive);
            return Action::Continue;
        }
        self.exercise = next;
        self.subject = subject;
        self.start(console, None);
        Action::Continue
    }
}

/// A path inside a `target` folder below `dir`: build output, never the student's code.
fn in_target(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .any(|c| c.as_os_str() == "target")
}
