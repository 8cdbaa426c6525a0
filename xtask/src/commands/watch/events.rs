//! What watch mode hears, all on one channel: the grade's progress (from its thread),
//! saved files (from the file watcher's thread) and keys (from the key reader's
//! thread). The session handles them one at a time, in the order they arrive.

use crate::progress;
use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use racelab_grader::Observer;
use racelab_grader::report::{Report, StageReport};
use racelab_grader::stages::StageId;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};
use std::time::Duration;
use walkdir::WalkDir;

/// How long after the last write a burst of saves is taken as one.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// How often the key reader looks whether it should stop.
const KEY_POLL: Duration = Duration::from_millis(30);

/// One thing for the session to handle.
pub(super) enum News {
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
    /// A key was pressed.
    Key(Key),
    /// The keyboard cannot be read any more.
    KeyboardFailed(String),
}

/// The keys watch mode acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    /// `h`: the next hint.
    Hint,
    /// `l`: the list of exercises.
    List,
    /// `r`: grade again.
    Rerun,
    /// `n`: the next exercise, once this one passes.
    Next,
    /// `b`: break it first, in `cargo xtask play`'s game.
    Break,
    /// `q` or Esc.
    Quit,
    /// Ctrl-C (raw mode turns it into a key).
    Interrupt,
}

impl Key {
    /// The key watch mode gives `event` a meaning, if any.
    fn of(event: &TermEvent) -> Option<Key> {
        let TermEvent::Key(key) = event else {
            return None;
        };
        if key.kind != KeyEventKind::Press {
            return None;
        }
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Key::Interrupt)
            }
            KeyCode::Char('q') | KeyCode::Esc => Some(Key::Quit),
            KeyCode::Char('h') => Some(Key::Hint),
            KeyCode::Char('l') => Some(Key::List),
            KeyCode::Char('r') => Some(Key::Rerun),
            KeyCode::Char('n') => Some(Key::Next),
            KeyCode::Char('b') => Some(Key::Break),
            _ => None,
        }
    }
}

/// Reads keys on its own thread and sends them as [`News::Key`] until stopped.
pub(super) struct KeyReader {
    thread: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl KeyReader {
    /// Starts reading keys (the terminal must be in raw mode).
    pub(super) fn spawn(news: Sender<News>) -> KeyReader {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                // The game of `b` reads the keys itself while it runs.
                if crate::commands::play::taken_from_watch() {
                    thread::sleep(KEY_POLL);
                    continue;
                }
                let ready = match event::poll(KEY_POLL) {
                    Ok(ready) => ready,
                    Err(e) => {
                        let _ = news.send(News::KeyboardFailed(e.to_string()));
                        return;
                    }
                };
                if !ready {
                    continue;
                }
                let Ok(event) = event::read() else {
                    continue;
                };
                if let Some(key) = Key::of(&event)
                    && news.send(News::Key(key)).is_err()
                {
                    return;
                }
            }
        });
        KeyReader {
            thread: Some(thread),
            stop,
        }
    }
}

impl Drop for KeyReader {
    /// Stops the reader and waits for it, so no key typed afterwards is swallowed.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The file watcher: sends [`News::Touched`] when a source file below a watched folder
/// is saved (bursts of writes merged into one).
pub(super) type FileWatcher = Debouncer<RecommendedWatcher>;

/// Starts watching `dir` for saved sources.
pub(super) fn watch_files(dir: &Path, news: Sender<News>) -> anyhow::Result<FileWatcher> {
    let watched = dir.to_owned();
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        let item = match result {
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
        let _ = news.send(item);
    })
    .map_err(|e| anyhow::anyhow!("cannot watch files: {e}"))?;
    debouncer
        .watcher()
        .watch(dir, RecursiveMode::Recursive)
        .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", dir.display()))?;
    Ok(debouncer)
}

/// Forwards a grade's progress to the session, tagged with the grade's generation.
pub(super) struct Forward {
    pub(super) generation: u64,
    pub(super) news: Sender<News>,
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

/// The Rust sources and manifest of a crate, by path. The watcher also reports files
/// merely opened (the grader reads them too), so only a change of content re-grades.
pub(super) type Sources = BTreeMap<PathBuf, Vec<u8>>;

/// Reads the sources below `dir`, skipping `target` folders.
pub(super) fn sources(dir: &Path) -> Sources {
    WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.depth() > 0 && e.file_name() == "target"))
        .flatten()
        .filter(|e| !e.file_type().is_dir() && progress::is_source(e.path()))
        .filter_map(|e| Some((e.path().to_owned(), std::fs::read(e.path()).ok()?)))
        .collect()
}

/// The files that differ between two readings (changed, added or removed).
pub(super) fn changed_files(before: &Sources, after: &Sources) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = after
        .iter()
        .filter(|(path, content)| before.get(*path) != Some(*content))
        .map(|(path, _)| path.clone())
        .chain(before.keys().filter(|p| !after.contains_key(*p)).cloned())
        .collect();
    changed.sort();
    changed
}

/// A path inside a `target` folder below `dir`: build output, never the student's code.
fn in_target(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .any(|c| c.as_os_str() == "target")
}

#[cfg(test)]
mod tests {
    use super::{changed_files, in_target, sources};
    use std::path::Path;

    #[test]
    fn sources_skip_target_folders_and_changes_name_every_file_that_differs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::create_dir_all(d.join("target/debug")).unwrap();
        std::fs::write(d.join("src/lib.rs"), "a").unwrap();
        std::fs::write(d.join("Cargo.toml"), "b").unwrap();
        std::fs::write(d.join("target/debug/x.rs"), "c").unwrap();
        let before = sources(d);
        assert_eq!(before.len(), 2, "{before:?}");
        std::fs::write(d.join("src/lib.rs"), "changed").unwrap();
        std::fs::write(d.join("src/new.rs"), "new").unwrap();
        std::fs::remove_file(d.join("Cargo.toml")).unwrap();
        let changed = changed_files(&before, &sources(d));
        assert_eq!(
            changed,
            [
                d.join("Cargo.toml"),
                d.join("src/lib.rs"),
                d.join("src/new.rs")
            ]
        );
        assert!(in_target(d, &d.join("target/debug/x.rs")));
        assert!(!in_target(
            Path::new("/a/target"),
            Path::new("/a/target/src/lib.rs")
        ));
    }
}
