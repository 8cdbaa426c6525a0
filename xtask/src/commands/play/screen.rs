//! The game's screen, drawn from a position: each thread's state, its next step at
//! the subject's own line and the locks it holds; the shared values as the steps left
//! them; the steps so far, as the grader's interleaving table; the keys.

use super::session::{Session, Stage};
use racelab_grader::play::{Event, Object, Thread};
use racelab_grader::play::{PlayChoice, Step};
use racelab_grader::render::interleaving::{describe, is_subjects_location, render_steps, wrap};
use std::path::Path;

/// Lines the screen needs besides the table.
const CHROME: usize = 12;

/// The whole screen, `width` columns by at most `rows` lines (the table is cut to its
/// last lines to fit).
pub(super) fn draw(session: &Session<'_>, roots: &[&Path], width: usize, rows: usize) -> String {
    let position = &session.now.position;
    let mut lines = vec![
        format!(
            "Racelab play: {} — you are the scheduler. Break it!",
            session.game.exercise().id
        ),
        "Make the invariant fail or the threads deadlock.".to_owned(),
        String::new(),
    ];
    let threads = threads(&position.steps, &position.choices);
    // Wide enough for the longest next step and a gap before what it holds.
    let next_width = threads
        .iter()
        .map(|t| t.next.chars().count() + 2)
        .fold(40, usize::max);
    lines.push(format!(
        "  {:<8}{:<10}{:<next_width$}holds",
        "thread", "state", "next step"
    ));
    for thread in &threads {
        lines.push(fit(
            &format!(
                "  {:<8}{:<10}{:<next_width$}{}",
                thread.name,
                thread.state,
                thread.next,
                thread.holds.join(", ")
            ),
            width,
        ));
    }
    let values = values(&position.steps);
    if !values.is_empty() {
        lines.push(String::new());
        lines.push(fit(&format!("  values  {}", values.join(" · ")), width));
    }
    lines.push(String::new());
    lines.push(format!(
        "Steps so far ({} switch{} made):",
        position.switches,
        if position.switches == 1 { "" } else { "es" }
    ));
    let room = rows.saturating_sub(lines.len() + threads.len().min(4) + CHROME / 2);
    let steps = settled(&position.steps, &position.choices);
    if let Some(table) = render_steps(&steps, roots, width.saturating_sub(2)) {
        let table: Vec<&str> = table.lines().collect();
        let cut = table.len().saturating_sub(room.max(3));
        if cut > 0 {
            lines.push(format!("  … {cut} earlier lines"));
        }
        lines.extend(table[cut..].iter().map(|line| format!("  {line}")));
    } else {
        lines.push("  (none of the subject's code has run yet)".into());
    }
    lines.push(String::new());
    lines.push(match session.stage() {
        Stage::Playing => {
            let digits: Vec<String> = position
                .choices
                .iter()
                .map(|c| c.thread.to_string())
                .collect();
            format!(
                "{} run that thread one step · u undo · r restart · h hint · q quit",
                digits.join("/")
            )
        }
        Stage::Won => "You broke it!".into(),
        Stage::Held => "u undo · r play again · h hint · q quit".into(),
    });
    if let Some(note) = &session.note {
        lines.extend(wrap(note, width));
    }
    lines.join("\n")
}

/// The steps without the lock requests of threads that can run: such a thread is
/// paused where it asks, not blocked (the table draws a last request as blocking).
fn settled(steps: &[Step], choices: &[PlayChoice]) -> Vec<Step> {
    let paused = |i: usize, step: &Step| {
        matches!(step.event, Event::LockRequested { .. })
            && choices.iter().any(|c| thread_of(c) == step.thread)
            && !steps[i + 1..].iter().any(|s| s.thread == step.thread)
    };
    steps
        .iter()
        .enumerate()
        .filter(|(i, step)| !paused(*i, step))
        .map(|(_, step)| step.clone())
        .collect()
}

/// One thread's row.
struct ThreadRow {
    name: String,
    state: &'static str,
    next: String,
    holds: Vec<String>,
}

/// Every thread the steps or the choices name, `T1` first and `main` last.
fn threads(steps: &[Step], choices: &[PlayChoice]) -> Vec<ThreadRow> {
    let mut threads: Vec<Thread> = steps.iter().map(|s| s.thread).collect();
    threads.extend(choices.iter().map(thread_of));
    threads.sort_by_key(|thread| match thread {
        Thread::Spawned(n) => (false, *n),
        Thread::Main => (true, 0),
    });
    threads.dedup();
    threads
        .into_iter()
        .map(|thread| {
            let own: Vec<&Step> = steps.iter().filter(|s| s.thread == thread).collect();
            let choice = choices.iter().find(|c| thread_of(c) == thread);
            let (state, next) = match (choice, own.last()) {
                (Some(choice), _) => (
                    if choice.running { "running" } else { "can run" },
                    next_step(&choice.steps, own.last().copied()),
                ),
                (None, Some(last)) if blocks(last) => ("blocked", step_text(last)),
                (None, _) => ("done", String::new()),
            };
            let mut holds = holds(&own);
            // shuttle releases a lock at a scheduling point after the step is recorded:
            // a thread paused there holds it until it next runs.
            if let (Some(_), Some(last)) = (choice, own.last())
                && let Event::LockReleased { object } = &last.event
            {
                holds.push(format!("{object} (unlocking)"));
            }
            ThreadRow {
                holds,
                name: thread.to_string(),
                state,
                next,
            }
        })
        .collect()
}

/// The thread a choice runs.
fn thread_of(choice: &PlayChoice) -> Thread {
    u32::try_from(choice.thread).map_or(Thread::Main, Thread::Spawned)
}

/// What a thread does when chosen: its first step in the subject's code if it makes
/// one, else its first step.
/// A thread that records no step when chosen is starting (it has made none yet),
/// blocking on what it asked for last, or ending.
fn next_step(steps: &[Step], last: Option<&Step>) -> String {
    let nothing = match last {
        None => "(starts)".to_owned(),
        Some(last) if blocks(last) => step_text(last),
        Some(_) => "(ends)".to_owned(),
    };
    // A lock is asked for (`acquire`) before it is taken (`lock`), with a scheduling
    // point between: a thread about to ask is about to lock, not blocked.
    let asked = |step: &Step| matches!(step.event, Event::LockRequested { .. });
    let shown: Vec<Step> = steps
        .iter()
        .enumerate()
        .filter(|(i, step)| !asked(step) || i + 1 == steps.len())
        .map(|(_, step)| match &step.event {
            Event::LockRequested { object, mode } => Step {
                event: Event::LockAcquired {
                    object: object.clone(),
                    mode: *mode,
                },
                ..step.clone()
            },
            _ => step.clone(),
        })
        .collect();
    shown
        .iter()
        .find(|s| {
            s.place
                .as_ref()
                .is_some_and(|p| is_subjects_location(&p.file))
        })
        .or(shown.first())
        .map_or(nothing, step_text)
}

/// `:67  cell#1.load() → 4700`: the line in the subject's `src/lib.rs` (other files
/// by name), and the step in the interleaving table's words.
pub(super) fn step_text(step: &Step) -> String {
    let place = match &step.place {
        Some(p) if p.file.ends_with("src/lib.rs") && is_subjects_location(&p.file) => {
            format!(":{}", p.line)
        }
        Some(p) => format!(
            "{}:{}",
            p.file.rsplit('/').next().unwrap_or(&p.file),
            p.line
        ),
        None => String::new(),
    };
    format!("{place:<5} {}", describe(step)).trim().to_owned()
}

/// Whether a thread's last step is a call that blocked it.
fn blocks(step: &Step) -> bool {
    step.event.is_request() || matches!(step.event, Event::Wait { .. })
}

/// The locks a thread holds after its steps.
fn holds(steps: &[&Step]) -> Vec<String> {
    let mut held: Vec<&Object> = Vec::new();
    for step in steps {
        match &step.event {
            Event::LockAcquired { object, .. }
            | Event::TryLock {
                object,
                acquired: true,
                ..
            }
            | Event::Woken { mutex: object, .. } => held.push(object),
            Event::LockReleased { object } | Event::Wait { mutex: object, .. } => {
                held.retain(|h| *h != object)
            }
            _ => {}
        }
    }
    held.iter().map(ToString::to_string).collect()
}

/// The shared values as the steps left them: each object's last value read or
/// written, `cell#1 = 300`.
fn values(steps: &[Step]) -> Vec<String> {
    let mut last: Vec<(String, String)> = Vec::new();
    for step in steps {
        let Some(object) = step.event.object() else {
            continue;
        };
        let Some(value) = step.event.written().or_else(|| step.event.read().cloned()) else {
            continue;
        };
        let (object, value) = (object.to_string(), value.to_string());
        match last.iter_mut().find(|(o, _)| *o == object) {
            Some(entry) => entry.1 = value,
            None => last.push((object, value)),
        }
    }
    last.into_iter()
        .map(|(object, value)| format!("{object} = {value}"))
        .collect()
}

/// `line` cut to `width` characters.
fn fit(line: &str, width: usize) -> String {
    let line = line.trim_end();
    if line.chars().count() <= width {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::{holds, next_step, values};
    use racelab_grader::play::trace::{LockMode, Modify, ObjectKind, Ordering, Value};
    use racelab_grader::play::{Event, Object, Step, Thread};

    fn object(kind: ObjectKind, number: u32) -> Object {
        Object {
            kind,
            number,
            name: None,
        }
    }

    fn step(event: Event) -> Step {
        Step {
            thread: Thread::Spawned(1),
            event,
            place: None,
            callers: Vec::new(),
        }
    }

    #[test]
    fn a_thread_holds_the_locks_it_took_and_has_not_released() {
        let (first, second) = (object(ObjectKind::Mutex, 1), object(ObjectKind::Mutex, 2));
        let mode = LockMode::Exclusive;
        let steps = [
            step(Event::LockAcquired {
                object: first.clone(),
                mode,
            }),
            step(Event::LockAcquired {
                object: second,
                mode,
            }),
            step(Event::LockReleased { object: first }),
        ];
        let own: Vec<&Step> = steps.iter().collect();
        assert_eq!(holds(&own), ["Mutex#2"]);
    }

    #[test]
    fn values_are_what_the_last_step_on_each_object_left() {
        let cell = object(ObjectKind::Memory, 1);
        let steps = [
            step(Event::Store {
                object: cell.clone(),
                ordering: None,
                value: Value::Integer(5),
            }),
            step(Event::Modify {
                object: cell,
                operation: Modify::FetchAdd,
                operand: Value::Integer(3),
                ordering: Ordering::SeqCst,
                previous: Value::Integer(5),
            }),
        ];
        assert_eq!(values(&steps), ["cell#1 = 8"]);
    }

    #[test]
    fn a_thread_about_to_lock_locks_and_one_that_records_nothing_starts_or_blocks() {
        let request = step(Event::LockRequested {
            object: object(ObjectKind::Mutex, 1),
            mode: LockMode::Exclusive,
        });
        let next = next_step(std::slice::from_ref(&request), None);
        assert!(!next.contains("blocks"), "{next}");
        assert!(next.contains("Mutex#1.lock()"), "{next}");
        assert_eq!(next_step(&[], None), "(starts)");
        assert!(next_step(&[], Some(&request)).contains("blocks"));
    }
}
