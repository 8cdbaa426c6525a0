//! The interleaving table: the steps of a failing execution, one column per thread,
//! time flowing down, each step with the value it read or wrote, its memory ordering
//! and its source line, and `switch` where the scheduler moved to another thread.
//!
//! ```text
//!  line  T1                                 T2
//!  ────  ─────────────────────────────────  ───────────────────────────────
//!   :43  AtomicU64#1.load(Relaxed) → 0
//!   :44  AtomicU64#1.store(100, Relaxed)
//!        switch
//!   :43                                     AtomicU64#1.load(Relaxed) → 0  stale
//! ✗ total broken: expected 400 paise, got 300 paise
//!   :N is src/lib.rs line N
//!   stale: a load that returned an older value than the latest store above …
//! ```
//!
//! The table fits a given width: a step starts in its thread's column and may run on
//! into the columns to its right (empty on its row); what still does not fit wraps
//! under itself. Lines of the subject's main file are shown as `:67`, said once below.
//! Steps made by the grader's scenario (spawning and joining workers) and by the
//! facade are folded away: the table shows the subject's own code.
//!
//! Longer than most files: the layout (columns that fit a width, wrapping) and the
//! reading of the steps (stale loads, call sites) are one table's two halves.

use crate::render::conflict::Conflict;
use crate::render::livelock::Spin;
use racelab_harness::trace::{Event, Exchange, LockMode, Object, Ordering, Step, Thread, Value};
use std::collections::HashMap;
use std::path::Path;

/// The longest table shown; a longer trace keeps its last steps.
const MAX_STEPS: usize = 40;

/// The longest livelock shown: its start, and its loop a few times.
const MAX_LIVELOCK_STEPS: usize = 12;

/// No table is drawn narrower than this, whatever the terminal says.
const MIN_WIDTH: usize = 40;

/// Why a load can return an older value than a later-looking store, said once under a
/// table that marks one `stale`.
pub const STALE: &str = "stale: this read returned a value that a store above had already replaced. Under the C11 memory model a load may read an older store unless an ordering (Acquire/Release, a lock, a read-modify-write) forces a newer one, so \"time flows down\" holds for each thread, not between them.";

/// Renders `steps` as a table ending in the failure, at most `width` columns wide, or
/// `None` when no step of the subject's own code was recorded. Paths are shown
/// relative to the first of `roots` that holds them (the subject's folder, then the
/// workspace).
pub fn render(steps: &[Step], failure: &str, roots: &[&Path], width: usize) -> Option<String> {
    table(steps, Some(failure), roots, width)
}

/// The table of `steps` alone, without a failure line (a deadlock's table follows it).
pub fn render_steps(steps: &[Step], roots: &[&Path], width: usize) -> Option<String> {
    table(steps, None, roots, width)
}

fn table(steps: &[Step], failure: Option<&str>, roots: &[&Path], width: usize) -> Option<String> {
    let width = width.max(MIN_WIDTH);
    let prefixes: Vec<String> = roots.iter().map(|r| format!("{}/", r.display())).collect();
    let stale = stale_reads(steps);
    let shown: Vec<(usize, &Step)> = shown(steps).into_iter().map(|i| (i, &steps[i])).collect();
    if shown.is_empty() {
        return None;
    }
    // A livelock repeats itself after its start, which is what explains it: keep the
    // first steps. Anything else ends in its failure: keep the last.
    let livelock = failure.and_then(crate::stages::livelock_summary);
    let longest = if livelock.is_some() {
        MAX_LIVELOCK_STEPS
    } else {
        MAX_STEPS
    };
    let folded = shown.len().saturating_sub(longest);
    let shown = if livelock.is_some() {
        &shown[..shown.len() - folded]
    } else {
        &shown[folded..]
    };

    let mut threads: Vec<Thread> = Vec::new();
    for (_, step) in shown {
        if !threads.contains(&step.thread) {
            threads.push(step.thread);
        }
    }
    threads.sort_by_key(|t| (*t == Thread::Main, *t));
    let labels: Vec<String> = threads.iter().map(ToString::to_string).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();

    // A call the scenario marked is shown without its place: it is the lab's code.
    let places: Vec<Option<String>> = shown
        .iter()
        .map(|(_, s)| match s.event {
            Event::Call { .. } | Event::Return { .. } | Event::Select { .. } => None,
            _ => s
                .place
                .as_ref()
                .map(|p| relative(&p.to_string(), &prefixes)),
        })
        .collect();
    let main_file = main_file(&places);
    let lines: Vec<String> = places
        .iter()
        .zip(shown)
        .map(|(place, (_, step))| match place {
            Some(place) => {
                let here = short_place(place, main_file.as_deref());
                match entry_line(step, place, &prefixes) {
                    Some(entry) => format!("{}›{}", entry, here.trim_start_matches(':')),
                    None => here,
                }
            }
            None => String::new(),
        })
        .collect();
    let called = lines.iter().any(|l| l.contains('›'));
    let cells: Vec<String> = shown
        .iter()
        .map(|(i, s)| {
            let text = describe(s);
            if stale.contains(i) {
                format!("{text}  stale")
            } else {
                text
            }
        })
        .collect();

    let placed: Vec<(&str, &str)> = shown
        .iter()
        .zip(&cells)
        .map(|((_, s), c)| (column_label(&labels, &threads, s.thread), c.as_str()))
        .collect();
    let layout = Layout::new(&labels, &placed, &lines, width);
    let mut out = vec![layout.header(&labels), layout.rule(&labels)];
    if folded > 0 && livelock.is_none() {
        out.push(format!("({folded} earlier steps folded)"));
    }
    let column = |thread: Thread| threads.iter().position(|t| *t == thread).unwrap_or(0);
    for (i, ((_, step), cell)) in shown.iter().zip(&cells).enumerate() {
        if i > 0 && shown[i - 1].1.thread != step.thread {
            out.extend(layout.row("", column(shown[i - 1].1.thread), "switch"));
        }
        out.extend(layout.row(&lines[i], column(step.thread), cell));
    }
    if livelock.is_some() && folded > 0 {
        out.push(format!(
            "({folded} more steps folded: the same loop, on and on)"
        ));
    }
    if let Some(failure) = failure {
        let said = livelock
            .clone()
            .unwrap_or_else(|| crate::stages::first_line(failure));
        for (i, piece) in wrap(&said, width - 2).into_iter().enumerate() {
            out.push(format!("{} {piece}", if i == 0 { "✗" } else { " " }));
        }
        // A broken invariant or a livelock, said from the steps above where they
        // show how.
        let rows: Vec<usize> = shown.iter().map(|(i, _)| *i).collect();
        let line = |index: usize| {
            rows.iter()
                .position(|&i| i == index)
                .map(|row| lines[row].clone())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "a line not shown".to_owned())
        };
        let sentence = if livelock.is_some() {
            Spin::find(steps, &rows).map(|spin| spin.sentence(&line))
        } else if said.contains(&format!(" {}: ", racelab_harness::BROKEN)) {
            Conflict::last(steps, &rows).map(|conflict| conflict.sentence(steps, &line))
        } else {
            None
        };
        if let Some(sentence) = sentence {
            out.extend(
                wrap(&sentence, width - 2)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
        }
    }
    if let Some(file) = &main_file {
        out.push(format!("  :N is {file} line N"));
        if called {
            out.push("  :A›B is line B, inside the call your code made at line A".to_owned());
        }
    }
    let stale_shown: Vec<&Step> = shown
        .iter()
        .filter(|(i, _)| stale.contains(i))
        .map(|(_, s)| *s)
        .collect();
    if !stale_shown.is_empty() {
        let mut why = STALE.to_owned();
        let loads_only = stale_shown
            .iter()
            .all(|s| matches!(s.event, Event::Load { .. }));
        if loads_only
            && stale_shown
                .iter()
                .any(|s| s.event.ordering() == Some(Ordering::SeqCst))
        {
            why.push_str(" (loom models SeqCst loads and stores as Acquire and Release, so it shows such reads even with SeqCst.)");
        }
        if !loads_only {
            why.push_str(" A read-modify-write always reads the newest value, so one marked stale shows that the writes above took effect in another order than the table's.");
        }
        out.extend(wrap(&why, width - 2).into_iter().map(|l| format!("  {l}")));
    }
    Some(out.join("\n"))
}

/// The indexes of the steps a drawing shows: the subject's own, and a request (a lock
/// or a join that blocks) only where its thread stays blocked. The page
/// (`crate::render::page`) draws the same steps as this table.
pub(crate) fn shown(steps: &[Step]) -> Vec<usize> {
    (0..steps.len())
        .filter(|&i| is_subjects(&steps[i]) && (!steps[i].event.is_request() || blocks(steps, i)))
        .collect()
}

/// Where each thread's column starts, and the width of the line column.
struct Layout {
    line_width: usize,
    starts: Vec<usize>,
    width: usize,
}

impl Layout {
    /// A layout for `threads`' columns, holding `cells` (each with its thread).
    fn new(threads: &[&str], cells: &[(&str, &str)], lines: &[String], width: usize) -> Layout {
        let line_width = lines
            .iter()
            .map(|l| l.chars().count())
            .chain([4])
            .max()
            .unwrap_or(4)
            .min(width / 4);
        let first = line_width + 2;
        let widest_of = |thread: Option<&str>| {
            cells
                .iter()
                .filter(|(t, _)| thread.is_none_or(|thread| *t == thread))
                .map(|(_, c)| c.chars().count())
                .chain(threads.iter().map(|t| t.len()))
                .max()
                .unwrap_or(0)
        };
        let widest = widest_of(None);
        let columns = threads.len().max(1);
        let share = (width - first) / columns;
        let mut step = share.min(widest + 2).max(1);
        // The last column has only the room left of the line: narrow the others (to
        // no less than a third of their share) so that its widest step fits whole.
        if columns > 1 {
            let last_widest = widest_of(Some(threads[columns - 1]));
            let fitting = (width - first).saturating_sub(last_widest) / (columns - 1);
            let narrowest = (share / 3).max(threads.iter().map(|t| t.len() + 2).max().unwrap_or(1));
            step = step.min(fitting.max(narrowest));
        }
        let starts = (0..threads.len()).map(|i| first + i * step).collect();
        Layout {
            line_width,
            starts,
            width,
        }
    }

    fn header(&self, threads: &[&str]) -> String {
        let mut line = format!("{:>w$}", "line", w = self.line_width);
        for (thread, start) in threads.iter().zip(&self.starts) {
            pad_to(&mut line, *start);
            line.push_str(thread);
        }
        line
    }

    fn rule(&self, threads: &[&str]) -> String {
        let mut line = "─".repeat(self.line_width);
        for (i, start) in self.starts.iter().enumerate() {
            pad_to(&mut line, *start);
            let end = self.starts.get(i + 1).map_or(self.width, |next| next - 2);
            let end = if i + 1 == threads.len() {
                end.min(start + threads[i].len().max(4))
            } else {
                end
            };
            line.push_str(&"─".repeat(end.saturating_sub(*start).max(1)));
        }
        line
    }

    /// A step of thread `column` at source line `place`, wrapped to the width.
    fn row(&self, place: &str, column: usize, text: &str) -> Vec<String> {
        let start = self.starts[column];
        let room = self.width.saturating_sub(start).max(8);
        wrap(text, room)
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let mut line = if i == 0 {
                    format!("{place:>w$}", w = self.line_width)
                } else {
                    String::new()
                };
                pad_to(&mut line, start);
                line.push_str(&piece);
                line
            })
            .collect()
    }
}

/// Pads `line` with spaces to `column` characters.
fn pad_to(line: &mut String, column: usize) {
    let have = line.chars().count();
    line.push_str(&" ".repeat(column.saturating_sub(have)));
}

/// `text` in lines of at most `room` characters, broken at spaces where it can be.
pub fn wrap(text: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let word_len = word.chars().count();
        let current_len = current.chars().count();
        if current_len > 0 && current_len + 1 + word_len > room {
            lines.push(std::mem::take(&mut current));
        } else if current_len > 0 {
            current.push(' ');
        }
        let mut rest: Vec<char> = word.chars().collect();
        while current.chars().count() + rest.len() > room {
            let take = room - current.chars().count();
            current.extend(rest.drain(..take));
            lines.push(std::mem::take(&mut current));
        }
        current.extend(rest);
    }
    lines.push(current);
    lines
}

/// The label of `thread`'s column.
fn column_label<'a>(labels: &[&'a str], threads: &[Thread], thread: Thread) -> &'a str {
    threads
        .iter()
        .position(|t| *t == thread)
        .map_or("", |i| labels[i])
}

/// Whether the thread of `steps[at]` makes no later step: it blocked there.
fn blocks(steps: &[Step], at: usize) -> bool {
    !steps[at + 1..].iter().any(|s| s.thread == steps[at].thread)
}

/// Whether a step belongs to the subject's code rather than the scenario or facade:
/// made there, or a call into it (or its return) that the scenario marked.
fn is_subjects(step: &Step) -> bool {
    match (&step.event, &step.place) {
        // The scenario's call markers, and its selects: where a future is dropped.
        (Event::Call { .. } | Event::Return { .. } | Event::Select { .. }, _) => true,
        (_, Some(place)) => is_subjects_location(&place.file),
        // Unlocks are recorded when a guard is dropped, with no caller to name.
        (event, None) => matches!(event, Event::LockReleased { .. }),
    }
}

/// Whether a recorded line is in the subject's code rather than the scenario, the
/// harness, the facade or the standard library (a `#[track_caller]` helper passed as a
/// function, `map(Account::lock)`, is called from inside `core`).
/// A report's places are relative to the workspace (`grader/scenarios/…`), findings'
/// absolute (`/…/grader/scenarios/…`): both are recognised.
pub fn is_subjects_location(location: &str) -> bool {
    let lab = ["grader/scenarios/", "grader/harness/", "sync/src/"];
    !(lab
        .iter()
        .any(|dir| location.starts_with(dir) || location.contains(&format!("/{dir}")))
        || location.starts_with("/rustc/"))
}

/// `location` relative to the first of `prefixes` that holds it.
fn relative(location: &str, prefixes: &[String]) -> String {
    prefixes
        .iter()
        .find_map(|p| location.strip_prefix(p.as_str()))
        .unwrap_or(location)
        .to_owned()
}

/// The file most steps are in (`src/lib.rs`), whose lines are shown as `:67`.
fn main_file(places: &[Option<String>]) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for place in places.iter().flatten() {
        let file = place.rsplit_once(':').map_or(place.as_str(), |(f, _)| f);
        match counts.iter_mut().find(|(f, _)| *f == file) {
            Some((_, n)) => *n += 1,
            None => counts.push((file, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(f, _)| f.to_owned())
}

/// `:32` when `step` (at `place`) was made inside functions of the subject's file
/// that were entered at line 32 of it: the outermost frame of the subject's own
/// calls, when it is another line of the same file (call stacks recorded only).
/// The outermost frame is a call only when the stack holds another of the subject's
/// frames inside it: a write through a guard is recorded when the guard is dropped,
/// and a lone frame there is the end of the scope (`}`), not a call.
fn entry_line(step: &Step, place: &str, prefixes: &[String]) -> Option<String> {
    let frames: Vec<String> = step.callers.iter().map(ToString::to_string).collect();
    let own: Vec<&String> = frames
        .iter()
        .take_while(|frame| is_subjects_location(frame))
        .collect();
    let [_, .., outermost] = own.as_slice() else {
        return None;
    };
    let entry = relative(outermost, prefixes);
    let (entry_file, entry_line) = entry.rsplit_once(':')?;
    let (file, line) = place.rsplit_once(':')?;
    (entry_file == file && entry_line != line).then(|| format!(":{entry_line}"))
}

/// `:67` for a line of the main file, `other.rs:12` for any other.
fn short_place(place: &str, main_file: Option<&str>) -> String {
    match place.rsplit_once(':') {
        Some((file, line)) if Some(file) == main_file => format!(":{line}"),
        Some((file, line)) => {
            let name = file.rsplit('/').next().unwrap_or(file);
            format!("{name}:{line}")
        }
        None => place.to_owned(),
    }
}

/// One step as a table cell, e.g. `cell#1.load() → 4700`,
/// `AtomicBool#5.store(true, Release)`, `*Mutex#1 → 500`, `▶ transfer(1, 0, 300)`;
/// also `cargo xtask play`'s words for a thread's next step.
pub fn describe(step: &Step) -> String {
    let ordered = |args: String, order: Option<Ordering>| match (args.is_empty(), order) {
        (_, None) => args,
        (true, Some(order)) => order.to_string(),
        (false, Some(order)) => format!("{args}, {order}"),
    };
    let method = |mode: LockMode| match mode {
        LockMode::Exclusive => "lock",
        LockMode::Read => "read",
        LockMode::Write => "write",
    };
    match &step.event {
        Event::Load {
            object,
            ordering,
            value,
        } => format!(
            "{object}.load({}) → {value}",
            ordered(String::new(), *ordering)
        ),
        Event::Store {
            object,
            ordering,
            value,
        } => format!("{object}.store({})", ordered(value.to_string(), *ordering)),
        Event::Modify {
            object,
            operation,
            operand,
            ordering,
            previous,
        } => format!(
            "{object}.{}({}) → {previous}",
            operation.method(),
            ordered(operand.to_string(), Some(*ordering))
        ),
        Event::CompareExchange {
            object,
            weak,
            expected,
            new,
            outcome,
            ..
        } => {
            let name = if *weak {
                "compare_exchange_weak"
            } else {
                "compare_exchange"
            };
            let args = ordered(format!("{expected} → {new}"), step.event.ordering());
            let spurious = match outcome {
                Exchange::Refused { actual } if *weak && actual == expected => {
                    " (failed spuriously: a weak exchange may)"
                }
                _ => "",
            };
            format!("{object}.{name}({args}) → {}{spurious}", exchanged(outcome))
        }
        Event::FetchUpdate {
            object, outcome, ..
        } => format!(
            "{object}.fetch_update({}) → {}",
            ordered(String::new(), step.event.ordering()),
            exchanged(outcome)
        ),
        Event::Fence { ordering } => format!("fence({ordering})"),
        Event::GuardRead {
            object,
            value: None,
        } => format!("*{object} (read)"),
        Event::GuardRead {
            object,
            value: Some(value),
        } => format!("*{object} → {value}"),
        Event::GuardWrite {
            object,
            value: None,
        } => format!("*{object} (written)"),
        Event::GuardWrite {
            object,
            value: Some(value),
        } => format!("*{object} = {value}"),
        Event::LockRequested { object, mode } => {
            format!("{object}.{}{} blocks", method(*mode), awaited(object))
        }
        Event::LockAcquired { object, mode } => {
            format!("{object}.{}{}", method(*mode), awaited(object))
        }
        Event::LockReleased { object } => format!("{object}.unlock()"),
        Event::TryLock {
            object, acquired, ..
        } => {
            let got = if *acquired { "acquired" } else { "busy" };
            format!("{object}.try_lock() → {got}")
        }
        Event::Wait { condvar, mutex } => format!("{condvar}.wait({mutex})"),
        Event::Woken {
            condvar,
            mutex,
            spurious: false,
        } => format!("{condvar}.wait() returns, {mutex} locked"),
        Event::Woken {
            condvar,
            mutex,
            spurious: true,
        } => format!("{condvar}.wait() returns with no notify (a spurious wakeup), {mutex} locked"),
        Event::Notify { condvar, all } => {
            let which = if *all { "notify_all" } else { "notify_one" };
            format!("{condvar}.{which}()")
        }
        Event::Once { object, step } => once(object, *step),
        Event::Spawn { thread } => format!("spawn {thread}"),
        Event::JoinRequested { thread } => format!("{thread}.join() blocks"),
        Event::Joined { thread } => format!("join {thread}"),
        Event::Yield => "yield_now().await".to_owned(),
        Event::Select { chosen } => format!("select: {chosen} ready, {} dropped", chosen.other()),
        Event::Sent {
            channel,
            delivered: true,
        } => format!("{channel}.send()"),
        Event::Sent {
            channel,
            delivered: false,
        } => format!("{channel}.send() → Err (the receiver is gone)"),
        Event::Received { channel } => format!("{channel}.await → received"),
        Event::Call {
            function,
            arguments,
        } => {
            let arguments: Vec<String> = arguments.iter().map(ToString::to_string).collect();
            format!("▶ {function}({})", arguments.join(", "))
        }
        Event::Return {
            value: Some(value), ..
        } => format!("◀ {value}"),
        Event::Return { function, .. } => format!("◀ {function} returns"),
    }
}

/// How a lock call ends: `()` for a thread's lock, `().await` for an `AsyncMutex`'s.
fn awaited(object: &Object) -> &'static str {
    match object.kind {
        racelab_harness::trace::ObjectKind::AsyncMutex => "().await",
        _ => "()",
    }
}

/// An exchange's result as Rust prints it: `Ok(0)`, `Err(3)`.
fn exchanged(outcome: &racelab_harness::trace::Exchange) -> String {
    match outcome {
        racelab_harness::trace::Exchange::Stored { previous } => format!("Ok({previous})"),
        racelab_harness::trace::Exchange::Refused { actual } => format!("Err({actual})"),
    }
}

/// A `OnceLock` step as a call and what it found.
fn once(object: &Object, step: racelab_harness::trace::Once) -> String {
    use racelab_harness::trace::Once;
    match step {
        Once::GotSome => format!("{object}.get() → Some(..)"),
        Once::GotNone => format!("{object}.get() → None"),
        Once::SetStored => format!("{object}.set() → Ok"),
        Once::SetRefused => format!("{object}.set() → Err"),
        Once::AlreadySet => format!("{object}.get_or_init() → was set"),
        Once::AfterInit => format!("{object}.get_or_init() → after init"),
        Once::Initialised => format!("{object}.init()"),
    }
}

/// The indexes of the reads in `steps` (atomic loads, and the values read-modify-
/// writes found) that certainly returned an older value than one already stored to
/// their object: the object's initial value after a store, or a value its writer had
/// already overwritten (a thread's own stores reach every thread in the order it made
/// them), or, for a read-modify-write, which always reads the latest value, anything
/// but the last value written above. A load of another thread's store may be the
/// newest even if the table shows it earlier, so such loads are never marked.
pub(crate) fn stale_reads(steps: &[Step]) -> Vec<usize> {
    // Per object, every write so far in the table: its thread and value (`None` when
    // the value cannot be told).
    let mut writes: HashMap<&Object, Vec<(Thread, Option<Value>)>> = HashMap::new();
    let mut stale = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Some(object) = step.event.object() else {
            continue;
        };
        let history = writes.entry(object).or_default();
        let (atomic_read, modifies) = match &step.event {
            Event::Load {
                ordering: Some(_),
                value,
                ..
            } => (Some(value), false),
            Event::Modify { .. } | Event::CompareExchange { .. } | Event::FetchUpdate { .. } => {
                (step.event.read(), true)
            }
            _ => (None, false),
        };
        if let Some(seen) = atomic_read
            && history.iter().all(|(_, v)| v.is_some())
        {
            let overwritten = match history.iter().rposition(|(_, v)| v.as_ref() == Some(seen)) {
                // Read the initial value, after some store.
                None => !history.is_empty(),
                // A read-modify-write reads the latest value: any other one is stale.
                Some(at) if modifies => at + 1 < history.len(),
                // Read a write its own writer had followed with another.
                Some(at) => history[at + 1..].iter().any(|(w, _)| *w == history[at].0),
            };
            if overwritten {
                stale.push(i);
            }
        }
        if step.event.writes() {
            history.push((step.thread, step.event.written()));
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::wrap;
    use crate::render::sample::{
        acquired, compare_exchange, modify, mutex, object, requested, step_in,
    };
    use racelab_harness::trace::{Event, Modify, ObjectKind, Ordering, Place, Step, Thread, Value};
    use std::path::Path;

    fn render(steps: &[Step], failure: &str, roots: &[&Path], width: usize) -> Option<String> {
        super::table(steps, Some(failure), roots, width)
    }

    fn render_steps(steps: &[Step], roots: &[&Path], width: usize) -> Option<String> {
        super::table(steps, None, roots, width)
    }

    fn at(thread: &str, event: Event, line: u32) -> Step {
        step_in("/lab/exercises/ex01/src/lib.rs", thread, event, line)
    }

    fn cell_load(value: i64) -> Event {
        crate::render::sample::load(object(ObjectKind::Memory, 1), None, value)
    }

    fn cell_store(value: i64) -> Event {
        crate::render::sample::store(object(ObjectKind::Memory, 1), None, value)
    }

    fn atomic_load(value: i64) -> Event {
        crate::render::sample::load(
            object(ObjectKind::AtomicU64, 1),
            Some(Ordering::Relaxed),
            value,
        )
    }

    fn atomic_store(value: i64) -> Event {
        crate::render::sample::store(
            object(ObjectKind::AtomicU64, 1),
            Some(Ordering::Relaxed),
            value,
        )
    }

    const ROOTS: [&str; 2] = ["/lab/exercises/ex01", "/lab"];

    fn roots() -> Vec<&'static Path> {
        ROOTS.iter().map(Path::new).collect()
    }

    #[test]
    fn a_request_for_a_lock_shows_only_where_the_thread_stays_blocked() {
        let steps = [
            at("T1", requested(mutex(1)), 58),
            at("T1", acquired(mutex(1)), 58),
            at("T2", requested(mutex(2)), 58),
            at("T2", acquired(mutex(2)), 58),
            at("T1", requested(mutex(2)), 62),
            at("T2", requested(mutex(1)), 62),
        ];
        let table = render_steps(&steps, &roots(), 80).unwrap();
        assert_eq!(table.matches(".lock()").count(), 4, "{table}");
        assert_eq!(table.matches(".lock() blocks").count(), 2, "{table}");
        assert!(!table.contains('✗'), "{table}");
    }

    #[test]
    fn a_lock_taken_before_an_access_is_a_step_of_its_own() {
        let guarded = || mutex(1);
        let steps = [
            at("T1", acquired(guarded()), 58),
            at(
                "T1",
                Event::GuardRead {
                    object: guarded(),
                    value: Some(Value::Integer(500)),
                },
                59,
            ),
        ];
        let table = render_steps(&steps, &roots(), 80).unwrap();
        assert!(table.contains(" :58  Mutex#1.lock()"), "{table}");
        assert!(table.contains(" :59  *Mutex#1 → 500"), "{table}");
    }

    #[test]
    fn a_lost_update_reads_as_two_loads_then_two_stores_with_switches() {
        let spawn = step_in(
            "/lab/grader/scenarios/ex01.rs",
            "main",
            Event::Spawn {
                thread: Thread::Spawned(1),
            },
            30,
        );
        let steps = [
            spawn,
            at("T1", cell_load(4700), 67),
            at("T2", cell_load(4700), 67),
            at("T1", cell_store(4800), 69),
            at("T2", cell_store(4800), 69),
        ];
        let table = render(
            &steps,
            "total broken: expected 4900 paise, got 4800 paise",
            &roots(),
            80,
        )
        .unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].trim_start().starts_with("line  T1") && lines[0].contains("T2"),
            "{table}"
        );
        assert!(
            lines[2].starts_with(" :67  cell#1.load() → 4700"),
            "{table}"
        );
        assert!(lines[3].trim_start().starts_with("switch"), "{table}");
        assert!(
            !table.contains("spawn"),
            "scenario steps are folded away:\n{table}"
        );
        assert_eq!(table.matches("switch").count(), 3, "{table}");
        assert!(table.contains("✗ total broken: expected 4900 paise, got 4800 paise"));
        assert!(table.contains(":N is src/lib.rs line N"), "{table}");
    }

    #[test]
    fn the_scenario_s_calls_into_the_subject_are_shown() {
        let call = step_in(
            "/lab/grader/scenarios/ex04.rs",
            "T1",
            Event::Call {
                function: "transfer".into(),
                arguments: vec![1.into(), 0.into(), 300.into()],
            },
            40,
        );
        let back = step_in(
            "/lab/grader/scenarios/ex04.rs",
            "T1",
            Event::Return {
                function: "transfer".into(),
                value: Some(true.into()),
            },
            40,
        );
        let steps = [call, at("T1", acquired(mutex(2)), 58), back];
        let table = render_steps(&steps, &roots(), 80).unwrap();
        assert!(table.contains("▶ transfer(1, 0, 300)"), "{table}");
        assert!(table.contains("◀ true"), "{table}");
    }

    #[test]
    fn a_load_older_than_the_latest_store_is_marked_stale_and_explained() {
        let steps = [
            at("T1", atomic_store(500), 44),
            at("T2", atomic_load(0), 43),
            at("T2", atomic_load(500), 43),
        ];
        let table = render(&steps, "x", &roots(), 80).unwrap();
        assert_eq!(table.matches("stale").count(), 2, "{table}");
        let marked: Vec<&str> = table.lines().filter(|l| l.ends_with("stale")).collect();
        assert_eq!(marked.len(), 1, "{table}");
        assert!(marked[0].contains("load(Relaxed) → 0"), "{table}");
        assert!(table.contains("C11"), "{table}");
    }

    #[test]
    fn a_read_modify_write_that_found_an_older_value_is_marked_stale_too() {
        let flag = || object(ObjectKind::AtomicBool, 2);
        let steps = [
            at(
                "T3",
                crate::render::sample::store(flag(), Some(Ordering::SeqCst), true),
                47,
            ),
            at(
                "T1",
                modify(flag(), Modify::Swap, false, Ordering::SeqCst, false),
                57,
            ),
        ];
        let table = render(&steps, "x", &roots(), 80).unwrap();
        let marked: Vec<&str> = table.lines().filter(|l| l.ends_with("stale")).collect();
        assert_eq!(marked.len(), 1, "{table}");
        assert!(marked[0].contains("swap(false, SeqCst) → false"), "{table}");
        let note: String = table.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(note.contains("always reads the newest value"), "{table}");
        assert!(!note.contains("loom models SeqCst loads"), "{table}");
    }

    /// Whether "step `i` read a value that a store above had already replaced" holds
    /// in `steps`, checked from the steps alone: an earlier step wrote the object,
    /// and the value read is either one nobody wrote before it (the initial one), one
    /// its writer had already written over, or (a read-modify-write) not the last one
    /// written.
    fn stale_claim_holds(steps: &[Step], i: usize) -> bool {
        let Some(object) = steps[i].event.object() else {
            return false;
        };
        let Some(seen) = steps[i].event.read() else {
            return false;
        };
        let writes: Vec<&Step> = steps[..i]
            .iter()
            .filter(|s| s.event.object() == Some(object) && s.event.writes())
            .collect();
        let from = writes
            .iter()
            .rposition(|s| s.event.written().as_ref() == Some(seen));
        let modifies = !matches!(steps[i].event, Event::Load { .. });
        match from {
            None => !writes.is_empty(),
            Some(at) if modifies => at + 1 < writes.len(),
            Some(at) => writes[at + 1..]
                .iter()
                .any(|later| later.thread == writes[at].thread),
        }
    }

    proptest::proptest! {
        /// Every read the table marks stale is stale by the steps' own account, on
        /// traces of loads, stores, swaps and fetch_adds by three threads.
        #[test]
        fn every_stale_mark_is_borne_out_by_the_steps(
            picks in proptest::collection::vec((0..3_u32, 0..4_u8, 0..3_i64), 1..12)
        ) {
            let counter = || object(ObjectKind::AtomicU64, 1);
            let steps: Vec<Step> = picks
                .iter()
                .map(|&(thread, kind, value)| {
                    let event = match kind {
                        0 => atomic_load(value),
                        1 => atomic_store(value),
                        2 => modify(counter(), Modify::Swap, value, Ordering::AcqRel, value + 1),
                        _ => modify(counter(), Modify::FetchAdd, 1, Ordering::Relaxed, value),
                    };
                    at(&format!("T{}", thread + 1), event, 40)
                })
                .collect();
            for i in super::stale_reads(&steps) {
                proptest::prop_assert!(stale_claim_holds(&steps, i), "step {i} of {steps:?}");
            }
        }
    }

    #[test]
    fn the_stale_checker_refuses_a_fresh_read() {
        let steps = [
            at("T1", atomic_store(500), 44),
            at("T2", atomic_load(500), 43),
        ];
        assert!(!stale_claim_holds(&steps, 1));
        assert!(super::stale_reads(&steps).is_empty());
        let stale = [
            at("T1", atomic_store(500), 44),
            at("T2", atomic_load(0), 43),
        ];
        assert!(stale_claim_holds(&stale, 1));
        assert_eq!(super::stale_reads(&stale), [1]);
    }

    #[test]
    fn read_modify_writes_are_followed_to_their_new_value() {
        let counter = || object(ObjectKind::AtomicU64, 1);
        let steps = [
            at(
                "T1",
                modify(counter(), Modify::FetchAdd, 100, Ordering::Relaxed, 0),
                44,
            ),
            at("T2", atomic_load(100), 43),
        ];
        let table = render(&steps, "x", &roots(), 80).unwrap();
        assert!(!table.contains("stale"), "{table}");
        assert!(table.contains("AtomicU64#1.fetch_add(100, Relaxed) → 0"));
    }

    #[test]
    fn every_line_fits_the_width() {
        let mut steps = Vec::new();
        for thread in ["T1", "T2", "T3", "main"] {
            let counter = object(ObjectKind::AtomicU64, 1);
            let exchange = compare_exchange(counter, 100, 200, Ordering::Relaxed, Err(300));
            steps.push(at(thread, exchange, 101));
        }
        for width in [40, 60, 80, 120] {
            let table = render(
                &steps,
                "a failure that is long enough to wrap",
                &roots(),
                width,
            )
            .unwrap();
            for line in table.lines() {
                assert!(line.chars().count() <= width, "{width}: `{line}`\n{table}");
            }
        }
    }

    /// `:A›B` says the step was made at B inside a call at A: never when the stack's
    /// only frame of the subject's is where a guard was dropped (a `}`).
    #[test]
    fn an_entry_line_is_shown_only_for_a_call() {
        let frame = |line| Place {
            file: "/lab/exercises/ex01/src/lib.rs".into(),
            line,
            column: 0,
        };
        let write = |callers: Vec<Place>| Step {
            callers,
            ..at(
                "T1",
                Event::GuardWrite {
                    object: mutex(1),
                    value: Some(Value::Integer(0)),
                },
                65,
            )
        };
        let dropped = render_steps(&[write(vec![frame(67)])], &roots(), 80).unwrap();
        assert!(dropped.contains(" :65  *Mutex#1 = 0"), "{dropped}");
        assert!(!dropped.contains('›'), "{dropped}");
        let called = render_steps(&[write(vec![frame(47), frame(35)])], &roots(), 80).unwrap();
        assert!(called.contains(":35›65  *Mutex#1 = 0"), "{called}");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn nothing_of_the_subject_renders_nothing() {
        assert!(render(&[], "x", &[Path::new("/lab")], 80).is_none());
    }

    #[test]
    fn the_scenario_and_facade_are_not_the_subjects_wherever_their_paths_start() {
        for place in [
            "/lab/grader/scenarios/ex01_lost_update.rs",
            "grader/scenarios/ex01_lost_update.rs",
            "grader/harness/src/run.rs",
            "sync/src/cell.rs",
        ] {
            assert!(!super::is_subjects_location(place), "{place}");
        }
        assert!(super::is_subjects_location("src/lib.rs"));
    }
}

/// Golden tests: the failures of ex01–ex03 (stored findings of real runs, in
/// `fixtures/`) drawn at 80 columns as the console shows them, compared with
/// `golden/`. `RACELAB_UPDATE_GOLDEN=1` rewrites the golden files.
#[cfg(test)]
mod golden {
    use super::render;
    use crate::render::race;
    use racelab_harness::Findings;
    use std::path::{Path, PathBuf};

    /// The console's width, and its indent before a table.
    const COLUMNS: usize = 80;
    const INDENT: usize = 2;

    fn drawn(fixture: &str) -> String {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render/interleaving");
        let text =
            std::fs::read_to_string(here.join("fixtures").join(format!("{fixture}.toml"))).unwrap();
        let findings: Findings = toml::from_str(&text).unwrap();
        let failure = findings.failure.unwrap();
        let subject: PathBuf = failure
            .trace
            .iter()
            .filter_map(|s| s.place.as_ref())
            .find(|l| !l.file.contains("/grader/") && !l.file.contains("/sync/"))
            .and_then(|l| l.file.split("/src/").next())
            .map(PathBuf::from)
            .unwrap();
        let mut out = String::new();
        if let Some(race) = race::explain(&failure.trace) {
            out.push_str(&format!(
                "{}\nnote: {}\n",
                race.summary,
                race.advice.unwrap_or_default()
            ));
        }
        let table = render(
            &failure.trace,
            &failure.message,
            &[&subject, Path::new("/lab")],
            COLUMNS - INDENT,
        )
        .unwrap();
        for line in table.lines() {
            assert!(
                INDENT + line.chars().count() <= COLUMNS,
                "{fixture}: wider than {COLUMNS} columns: `{line}`"
            );
            out.push_str(&format!("{:INDENT$}{line}\n", ""));
        }
        let golden = here.join("golden").join(format!("{fixture}.txt"));
        if std::env::var_os("RACELAB_UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &out).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(
            out,
            expected,
            "{fixture} differs from {}; if the change is meant, rerun with RACELAB_UPDATE_GOLDEN=1",
            golden.display()
        );
        out
    }

    #[test]
    fn ex01_stale_loads_under_loom() {
        let out = drawn("ex01-loom");
        assert!(out.contains("stale"), "{out}");
    }

    #[test]
    fn ex01_three_workers_under_shuttle() {
        let out = drawn("ex01-shuttle");
        assert!(out.contains("T3") && out.contains("main"), "{out}");
    }

    #[test]
    fn ex02_shows_the_values_read_and_written_through_the_lock() {
        let out = drawn("ex02-shuttle");
        // The check (line 32, through the `available_paise` helper at 41) and the
        // debit (line 46, called at 35), with the balances.
        assert!(out.contains(":32›41  *Mutex#1 → 500"), "{out}");
        assert!(out.contains(":35›46  *Mutex#1 = -500"), "{out}");
        assert!(
            out.contains("*Mutex#1 → 500") && out.contains("*Mutex#1 = 0"),
            "{out}"
        );
    }

    #[test]
    fn ex03_names_both_accesses_and_the_missing_orderings() {
        let relaxed = drawn("ex03-loom");
        let release = drawn("ex03-release-relaxed-loom");
        assert!(relaxed.contains("T2's write at :60"), "{relaxed}");
        assert!(relaxed.contains("store(true, Relaxed)"), "{relaxed}");
        assert!(release.contains("Make the load Acquire."), "{release}");
        assert!(!relaxed.contains("Make the load Acquire."), "{relaxed}");
    }
}
