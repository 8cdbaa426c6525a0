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
    /// The memory ordering of an atomic operation or fence (`Relaxed`, `Release`, …).
    pub ordering: Option<String>,
    /// `file:line` of each frame of the call stack that made the step, innermost
    /// first, without the standard library's, the dependencies' and the facade's own
    /// frames; empty unless call stacks are recorded (see [`record_call_stacks`]).
    pub callers: Vec<String>,
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
static CALL_STACKS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether each step also records its call stack, so that a step made inside a small
/// helper can be shown at the line that called the helper. Off by default: capturing
/// a stack costs microseconds per step, so the grader turns it on only to replay an
/// execution that already failed.
pub fn record_call_stacks(on: bool) {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    CALL_STACKS.store(on, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = on;
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
mod recorder {
    use super::Step;
    use std::sync::Mutex;

    /// The steps of the execution in progress, and how many objects it has created.
    pub(super) struct Record {
        pub(super) steps: Vec<Step>,
        /// The call stack of each step, when they are recorded, resolved only when
        /// the steps are taken.
        pub(super) stacks: Vec<Option<std::backtrace::Backtrace>>,
        pub(super) objects: usize,
    }

    pub(super) static RECORD: Mutex<Record> = Mutex::new(Record {
        steps: Vec::new(),
        stacks: Vec::new(),
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
        record.stacks.clear();
        record.objects = 0;
    }
}

/// The steps recorded so far in this execution. Never blocks: if the record is busy
/// (a panic in the middle of recording), it returns what it can, possibly nothing.
pub fn snapshot() -> Vec<Step> {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(record) = recorder::RECORD.try_lock() {
        let mut steps = record.steps.clone();
        for (step, stack) in steps.iter_mut().zip(&record.stacks) {
            if let Some(stack) = stack {
                step.callers = frames(stack);
            }
        }
        return steps;
    }
    Vec::new()
}

/// The `file:line` of `stack`'s frames, innermost first, without the standard
/// library's, the dependencies' and the facade's own. std's `Backtrace` offers its
/// frames only as text: `{ fn: "…", file: "/…/src/lib.rs", line: 32 }`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn frames(stack: &std::backtrace::Backtrace) -> Vec<String> {
    let facade = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let text = format!("{stack:?}");
    text.split("file: \"")
        .skip(1)
        .filter_map(|frame| {
            let (file, rest) = frame.split_once('"')?;
            let line: String = rest
                .split_once("line: ")?
                .1
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let foreign = file.starts_with("/rustc/")
                || file.contains("/.cargo/registry/")
                || file.starts_with(facade);
            (!foreign && !line.is_empty()).then(|| format!("{file}:{line}"))
        })
        .collect()
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

/// `value` as `Debug` prints it, when `T` is a primitive integer, `bool` or `char`;
/// `None` for any other type. The guard of a `Mutex<T>` has no `T: Debug` bound to
/// print with (std's has none), so the values read and written through a lock are
/// shown for the primitive types only — which is what the exercises lock.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn primitive_value<T: ?Sized>(value: &T) -> Option<String> {
    macro_rules! primitives {
        ($($ty:ty),*) => {
            $(
                if std::any::type_name::<T>() == stringify!($ty) {
                    // SAFETY: `type_name` names `T` as this primitive, and a primitive's
                    // name is never a path, so `T` is exactly `$ty`.
                    let value = unsafe { &*std::ptr::from_ref(value).cast::<$ty>() };
                    return Some(format!("{value:?}"));
                }
            )*
        };
    }
    primitives!(
        i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char
    );
    None
}

/// Records one step made by the current thread.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn record(
    action: &str,
    object: Option<&str>,
    value: Option<String>,
    location: Option<&'static Location<'static>>,
) {
    push(action, object, value, location, None);
}

/// Records one atomic step (or fence) made by the current thread with `ordering`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn record_ordered(
    action: &str,
    object: Option<&str>,
    value: Option<String>,
    location: Option<&'static Location<'static>>,
    ordering: std::sync::atomic::Ordering,
) {
    push(
        action,
        object,
        value,
        location,
        Some(format!("{ordering:?}")),
    );
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
fn push(
    action: &str,
    object: Option<&str>,
    value: Option<String>,
    location: Option<&'static Location<'static>>,
    ordering: Option<String>,
) {
    let step = Step {
        thread: recorder::current_thread(),
        action: action.to_owned(),
        value,
        object: object.map(str::to_owned),
        location: location.map(|l| format!("{}:{}", l.file(), l.line())),
        ordering,
        callers: Vec::new(),
    };
    let stack = CALL_STACKS
        .load(std::sync::atomic::Ordering::Relaxed)
        .then(std::backtrace::Backtrace::force_capture);
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.steps.push(step);
        record.stacks.push(stack);
    }
}
