//! Recording the steps of one execution, for the interleaving tables the grader shows.
//!
//! Under loom and shuttle every shared-memory step that goes through the facade — a
//! cell's load or store, an atomic operation, a lock taken or released, a thread
//! spawned or joined — is recorded with the thread that made it, the value read or
//! written, the object it touched and the caller's source line (`#[track_caller]`).
//! The runner clears the record when an execution starts and takes it when the
//! execution fails. Plain builds (stress, ThreadSanitizer) record nothing.

#[cfg(any(feature = "loom", feature = "shuttle"))]
use std::panic::Location;

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `main` for the scenario's own thread, `T1`, `T2`, … for spawned ones.
    pub thread: String,
    /// What happened: `load`, `store`, `fetch_add`, `lock`, `spawn T1`, …; a blocking
    /// call records a step before it blocks too (`acquire` before `lock`, `wait`
    /// before `woken`, `joining T1` before `join T1`), so the last step of a thread
    /// that never returns says what it waits for.
    pub action: String,
    /// The value read or written, if any, as `Debug` prints it.
    pub value: Option<String>,
    /// The object touched, e.g. `cell#1`, `AtomicU64#2`, `Mutex#1`.
    pub object: Option<String>,
    /// `file:line` of the caller in the subject's (or the scenario's) code.
    pub location: Option<String>,
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod recorder {
    use super::Step;
    use std::sync::Mutex;

    /// The steps of the execution in progress, and how many objects it has created.
    pub(super) struct Record {
        pub(super) steps: Vec<Step>,
        pub(super) objects: usize,
    }

    pub(super) static RECORD: Mutex<Record> = Mutex::new(Record {
        steps: Vec::new(),
        objects: 0,
    });

    /// The current thread's label: loom and shuttle number the model's threads in
    /// spawn order, 0 being the main one.
    pub(super) fn current_thread() -> String {
        #[cfg(feature = "loom")]
        let id = format!("{:?}", loom::thread::current().id());
        #[cfg(feature = "shuttle")]
        let id = format!("{:?}", shuttle::thread::current().id());
        let number: String = id.chars().filter(char::is_ascii_digit).collect();
        match number.as_str() {
            "0" | "" => "main".to_owned(),
            n => format!("T{n}"),
        }
    }
}

/// Starts a new record: called by the runner when an execution begins.
pub fn begin_execution() {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.steps.clear();
        record.objects = 0;
    }
}

/// The steps recorded so far in this execution. Never blocks: if the record is busy
/// (a panic in the middle of recording), it returns what it can, possibly nothing.
pub fn snapshot() -> Vec<Step> {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(record) = recorder::RECORD.try_lock() {
        return record.steps.clone();
    }
    Vec::new()
}

/// A name for a new object of `kind` (`cell`, `Mutex`, …), numbered per execution.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn name_object(kind: &str) -> String {
    match recorder::RECORD.lock() {
        Ok(mut record) => {
            record.objects += 1;
            format!("{kind}#{}", record.objects)
        }
        Err(_) => kind.to_owned(),
    }
}

/// Records one step made by the current thread.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn record(
    action: &str,
    object: Option<&str>,
    value: Option<String>,
    location: Option<&'static Location<'static>>,
) {
    let step = Step {
        thread: recorder::current_thread(),
        action: action.to_owned(),
        value,
        object: object.map(str::to_owned),
        location: location.map(|l| format!("{}:{}", l.file(), l.line())),
    };
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.steps.push(step);
    }
}
