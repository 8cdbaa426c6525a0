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

use super::step_text::{self, TraceStep};
use racelab_harness::trace::Step;
use std::collections::HashMap;
use std::path::Path;

/// The longest table shown; a longer trace keeps its last steps.
const MAX_STEPS: usize = 40;

/// No table is drawn narrower than this, whatever the terminal says.
const MIN_WIDTH: usize = 40;

/// Why a load can return an older value than a later-looking store, said once under a
/// table that marks one `stale`.
pub const STALE: &str = "stale: this load returned a value that a store above had already replaced. Under the C11 memory model a load may read an older store unless an ordering (Acquire/Release, a lock, a read-modify-write) forces a newer one, so \"time flows down\" holds for each thread, not between them.";

/// Renders `steps` as a table ending in the failure, at most `width` columns wide, or
/// `None` when no step of the subject's own code was recorded. Paths are shown
/// relative to the first of `roots` that holds them (the subject's folder, then the
/// workspace).
pub fn render(steps: &[Step], failure: &str, roots: &[&Path], width: usize) -> Option<String> {
    table(&step_text::texts(steps), Some(failure), roots, width)
}

/// The table of `steps` alone, without a failure line (a deadlock's table follows it).
pub fn render_steps(steps: &[Step], roots: &[&Path], width: usize) -> Option<String> {
    table(&step_text::texts(steps), None, roots, width)
}

fn table(
    steps: &[TraceStep],
    failure: Option<&str>,
    roots: &[&Path],
    width: usize,
) -> Option<String> {
    let width = width.max(MIN_WIDTH);
    let prefixes: Vec<String> = roots.iter().map(|r| format!("{}/", r.display())).collect();
    let stale = stale_loads(steps);
    let shown: Vec<(usize, &TraceStep)> = steps
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            is_subjects(s)
                && !is_lock_before_access(steps, *i)
                && (!is_request(s) || blocks(steps, *i))
        })
        .collect();
    if shown.is_empty() {
        return None;
    }
    let folded = shown.len().saturating_sub(MAX_STEPS);
    let shown = &shown[folded..];

    let mut threads: Vec<&str> = Vec::new();
    for (_, step) in shown {
        if !threads.contains(&step.thread.as_str()) {
            threads.push(&step.thread);
        }
    }
    threads.sort_by_key(|t| {
        (
            *t == "main",
            t.trim_start_matches('T').parse::<u32>().unwrap_or(0),
        )
    });

    let places: Vec<Option<String>> = shown
        .iter()
        .map(|(_, s)| s.location.as_deref().map(|l| relative(l, &prefixes)))
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
        .map(|((_, s), c)| (s.thread.as_str(), c.as_str()))
        .collect();
    let layout = Layout::new(&threads, &placed, &lines, width);
    let mut out = vec![layout.header(&threads), layout.rule(&threads)];
    if folded > 0 {
        out.push(format!("({folded} earlier steps folded)"));
    }
    let column = |thread: &str| threads.iter().position(|t| *t == thread).unwrap_or(0);
    for (i, ((_, step), cell)) in shown.iter().zip(&cells).enumerate() {
        if i > 0 && shown[i - 1].1.thread != step.thread {
            out.extend(layout.row("", column(&shown[i - 1].1.thread), "switch"));
        }
        out.extend(layout.row(&lines[i], column(&step.thread), cell));
    }
    if let Some(failure) = failure {
        let failure = crate::stages::first_line(failure);
        for (i, piece) in wrap(&failure, width - 2).into_iter().enumerate() {
            out.push(format!("{} {piece}", if i == 0 { "✗" } else { " " }));
        }
    }
    if let Some(file) = &main_file {
        out.push(format!("  :N is {file} line N"));
        if called {
            out.push("  :A›B is line B, inside the call your code made at line A".to_owned());
        }
    }
    let stale_shown: Vec<&TraceStep> = shown
        .iter()
        .filter(|(i, _)| stale.contains(i))
        .map(|(_, s)| *s)
        .collect();
    if !stale_shown.is_empty() {
        let mut why = STALE.to_owned();
        if stale_shown
            .iter()
            .any(|s| s.ordering.as_deref() == Some("SeqCst"))
        {
            why.push_str(" (loom models SeqCst loads and stores as Acquire and Release, so it shows such reads even with SeqCst.)");
        }
        out.extend(wrap(&why, width - 2).into_iter().map(|l| format!("  {l}")));
    }
    Some(out.join("\n"))
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

/// Whether step `i` takes a lock that its thread's next step reads or writes through:
/// the access shows the line that uses the guard, so the lock's own line (often in a
/// helper that every access calls) would only repeat itself.
fn is_lock_before_access(steps: &[TraceStep], i: usize) -> bool {
    let step = &steps[i];
    step.action == "lock"
        && steps.get(i + 1).is_some_and(|next| {
            next.thread == step.thread
                && next.object == step.object
                && matches!(next.action.as_str(), "read" | "write")
        })
}

/// Whether a step is the facade's note that a thread asks for something it may have
/// to wait for (a lock, a thread to join): shown only where the thread stays blocked.
fn is_request(step: &TraceStep) -> bool {
    step.action == "acquire" || step.action.starts_with("joining ")
}

/// Whether the thread of `steps[at]` makes no later step: it blocked there.
fn blocks(steps: &[TraceStep], at: usize) -> bool {
    !steps[at + 1..].iter().any(|s| s.thread == steps[at].thread)
}

/// Whether a step belongs to the subject's code rather than the scenario or facade.
fn is_subjects(step: &TraceStep) -> bool {
    match &step.location {
        Some(location) => is_subjects_location(location),
        // Unlocks are recorded when a guard is dropped, with no caller to name.
        None => step.action == "unlock",
    }
}

/// Whether a recorded line is in the subject's code rather than the scenario, the
/// harness, the facade or the standard library (a `#[track_caller]` helper passed as a
/// function, `map(Account::lock)`, is called from inside `core`).
pub fn is_subjects_location(location: &str) -> bool {
    !(location.contains("/grader/scenarios/")
        || location.contains("/grader/harness/")
        || location.contains("/sync/src/")
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
fn entry_line(step: &TraceStep, place: &str, prefixes: &[String]) -> Option<String> {
    let own = |frame: &&String| {
        !(frame.contains("/grader/scenarios/")
            || frame.contains("/grader/harness/")
            || frame.contains("/sync/src/"))
    };
    let entry = relative(step.callers.iter().take_while(own).last()?, prefixes);
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

/// One typed step in the table's words: `cargo xtask play`'s words for a thread's
/// next step.
pub fn describe_step(step: &Step) -> String {
    describe(&step_text::texts(std::slice::from_ref(step))[0])
}

/// One step as a table cell, e.g. `cell#1.load() → 4700`,
/// `AtomicBool#5.store(true, Release)`, `*Mutex#1 → 500`.
fn describe(step: &TraceStep) -> String {
    let object = step.object.as_deref().unwrap_or("");
    let value = step.value.as_deref().unwrap_or("");
    let order = step.ordering.as_deref();
    let with_order = |args: &str| match (args.is_empty(), order) {
        (_, None) => args.to_owned(),
        (true, Some(order)) => order.to_owned(),
        (false, Some(order)) => format!("{args}, {order}"),
    };
    match step.action.as_str() {
        "fence" => format!("fence({})", order.unwrap_or("")),
        // A step on no object, such as `spawn T1`.
        action if step.object.is_none() => action.to_owned(),
        "load" => format!("{object}.load({}) → {value}", with_order("")),
        "store" => format!("{object}.store({})", with_order(value)),
        "read" if value.is_empty() => format!("*{object} (read)"),
        "read" => format!("*{object} → {value}"),
        "write" if value.is_empty() => format!("*{object} (written)"),
        "write" => format!("*{object} = {value}"),
        "lock" | "unlock" => format!("{object}.{}()", step.action),
        "acquire" => format!("{object}.lock() blocks"),
        "wait" => format!("{object}.wait({value})"),
        "woken" => format!("{object}.wait() returns, {value} locked"),
        "woken spuriously" => {
            format!("{object}.wait() returns with no notify (a spurious wakeup), {value} locked")
        }
        action => {
            let (name, args) = match action.split_once('(') {
                Some((name, args)) => (name, args.trim_end_matches(')')),
                None => (action, ""),
            };
            let call = format!("{object}.{name}({})", with_order(args));
            if value.is_empty() {
                call
            } else {
                format!("{call} → {value}")
            }
        }
    }
}

/// The indexes of the atomic loads in `steps` that certainly returned an older value
/// than one already stored to their object: the object's initial value after a store,
/// or a value its writer had already overwritten (a thread's own stores reach every
/// thread in the order it made them). A value from another thread's store may be the
/// newest even if the table shows it earlier, so such loads are never marked.
fn stale_loads(steps: &[TraceStep]) -> Vec<usize> {
    // Per object, every write so far in the table: its thread and value (`None` when
    // the value cannot be told).
    let mut writes: HashMap<&str, Vec<(&str, Option<String>)>> = HashMap::new();
    let mut stale = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Some(object) = step.object.as_deref() else {
            continue;
        };
        let history = writes.entry(object).or_default();
        if step.action == "load" && step.ordering.is_some() {
            let Some(seen) = step.value.as_deref() else {
                continue;
            };
            if history.iter().any(|(_, v)| v.is_none()) {
                continue;
            }
            let overwritten = match history
                .iter()
                .rposition(|(_, v)| v.as_deref() == Some(seen))
            {
                // Read the initial value, after some store.
                None => !history.is_empty(),
                // Read a write its own writer had followed with another.
                Some(at) => history[at + 1..].iter().any(|(w, _)| *w == history[at].0),
            };
            if overwritten {
                stale.push(i);
            }
            continue;
        }
        // Every other atomic step writes (loads went on above; a failed exchange only
        // reads), and so do plain stores and the writes through a lock's guard.
        let failed = step.value.as_deref().is_some_and(|v| v.starts_with("Err("));
        if !failed && (step.ordering.is_some() || matches!(step.action.as_str(), "store" | "write"))
        {
            history.push((step.thread.as_str(), written(step)));
        }
    }
    stale
}

/// The value a step left in its object, when it can be told from the step.
fn written(step: &TraceStep) -> Option<String> {
    let value = step.value.as_deref()?;
    let action = step.action.as_str();
    if matches!(action, "store" | "write") {
        return Some(value.to_owned());
    }
    let (name, args) = action.split_once('(')?;
    let args = args.trim_end_matches(')');
    match name {
        "swap" => Some(args.to_owned()),
        "compare_exchange" | "compare_exchange_weak" => {
            let (_, new) = args.split_once(" → ")?;
            Some(if value.starts_with("Ok(") {
                new.to_owned()
            } else {
                value
                    .trim_start_matches("Err(")
                    .trim_end_matches(')')
                    .to_owned()
            })
        }
        "fetch_add" | "fetch_sub" => {
            let previous: i128 = value.parse().ok()?;
            let operand: i128 = args.parse().ok()?;
            let new = if name == "fetch_add" {
                previous + operand
            } else {
                previous - operand
            };
            Some(new.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;
    use crate::render::step_text::TraceStep;
    use std::path::Path;

    fn render(steps: &[TraceStep], failure: &str, roots: &[&Path], width: usize) -> Option<String> {
        super::table(steps, Some(failure), roots, width)
    }

    fn render_steps(steps: &[TraceStep], roots: &[&Path], width: usize) -> Option<String> {
        super::table(steps, None, roots, width)
    }

    fn step(thread: &str, action: &str, value: &str, line: u32) -> TraceStep {
        TraceStep {
            thread: thread.into(),
            action: action.into(),
            value: Some(value.into()),
            object: Some("cell#1".into()),
            location: Some(format!("/lab/exercises/ex01/src/lib.rs:{line}")),
            ordering: None,
            callers: Vec::new(),
        }
    }

    fn atomic(thread: &str, action: &str, value: &str, line: u32) -> TraceStep {
        TraceStep {
            object: Some("AtomicU64#1".into()),
            ordering: Some("Relaxed".into()),
            ..step(thread, action, value, line)
        }
    }

    const ROOTS: [&str; 2] = ["/lab/exercises/ex01", "/lab"];

    fn roots() -> Vec<&'static Path> {
        ROOTS.iter().map(Path::new).collect()
    }

    #[test]
    fn a_request_for_a_lock_shows_only_where_the_thread_stays_blocked() {
        let lock = |thread: &str, action: &str, object: &str, line: u32| TraceStep {
            value: None,
            object: Some(object.into()),
            ..step(thread, action, "", line)
        };
        let steps = [
            lock("T1", "acquire", "Mutex#1", 58),
            lock("T1", "lock", "Mutex#1", 58),
            lock("T2", "acquire", "Mutex#2", 58),
            lock("T2", "lock", "Mutex#2", 58),
            lock("T1", "acquire", "Mutex#2", 62),
            lock("T2", "acquire", "Mutex#1", 62),
        ];
        let table = render_steps(&steps, &roots(), 80).unwrap();
        assert_eq!(table.matches(".lock()").count(), 4, "{table}");
        assert_eq!(table.matches(".lock() blocks").count(), 2, "{table}");
        assert!(
            !table.contains("acquire") && !table.contains('✗'),
            "{table}"
        );
    }

    #[test]
    fn a_lost_update_reads_as_two_loads_then_two_stores_with_switches() {
        let spawn = TraceStep {
            thread: "main".into(),
            action: "spawn T1".into(),
            value: None,
            object: None,
            location: Some("/lab/grader/scenarios/ex01.rs:30".into()),
            ordering: None,
            callers: Vec::new(),
        };
        let steps = [
            spawn,
            step("T1", "load", "4700", 67),
            step("T2", "load", "4700", 67),
            step("T1", "store", "4800", 69),
            step("T2", "store", "4800", 69),
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
    fn a_load_older_than_the_latest_store_is_marked_stale_and_explained() {
        let steps = [
            atomic("T1", "store", "500", 44),
            atomic("T2", "load", "0", 43),
            atomic("T2", "load", "500", 43),
        ];
        let table = render(&steps, "x", &roots(), 80).unwrap();
        assert_eq!(table.matches("stale").count(), 2, "{table}");
        let marked: Vec<&str> = table.lines().filter(|l| l.ends_with("stale")).collect();
        assert_eq!(marked.len(), 1, "{table}");
        assert!(marked[0].contains("load(Relaxed) → 0"), "{table}");
        assert!(table.contains("C11"), "{table}");
    }

    #[test]
    fn read_modify_writes_are_followed_to_their_new_value() {
        let steps = [
            atomic("T1", "fetch_add(100)", "0", 44),
            atomic("T2", "load", "100", 43),
        ];
        let table = render(&steps, "x", &roots(), 80).unwrap();
        assert!(!table.contains("stale"), "{table}");
        assert!(table.contains("AtomicU64#1.fetch_add(100, Relaxed) → 0"));
    }

    #[test]
    fn every_line_fits_the_width() {
        let mut steps = Vec::new();
        for thread in ["T1", "T2", "T3", "main"] {
            steps.push(atomic(
                thread,
                "compare_exchange_weak(100 → 200)",
                "Err(300)",
                101,
            ));
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

    #[test]
    fn wrapping_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn nothing_of_the_subject_renders_nothing() {
        assert!(render(&[], "x", &[Path::new("/lab")], 80).is_none());
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
