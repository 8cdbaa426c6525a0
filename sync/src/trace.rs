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

mod vocabulary;

pub use vocabulary::{
    Branch, Event, Exchange, LockMode, Modify, Object, ObjectKind, Once, Ordering, Place, Step,
    Thread, Value,
};

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
    use super::{Object, ObjectKind, Step, Thread};
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// The steps of the execution in progress, and the objects it has created.
    pub(super) struct Record {
        pub(super) steps: Vec<Step>,
        /// The call stack of each step, when they are recorded, resolved only when
        /// the steps are taken.
        pub(super) stacks: Vec<Option<std::backtrace::Backtrace>>,
        /// Every object created in this execution, by the key the facade keeps in it.
        pub(super) objects: Option<HashMap<String, Object>>,
        /// How many objects this execution has created.
        pub(super) created: u32,
        /// The names the scenario gives to the objects created now, if it is naming
        /// some (see [`super::naming`] and [`super::naming_each`]).
        pub(super) naming: Option<Naming>,
    }

    /// How the objects created now are named.
    pub(super) enum Naming {
        /// Those of one kind, in order: the kind, the stem, how many it has named.
        Indexed(ObjectKind, String, usize),
        /// The first of each kind listed, by the name beside it (taken once used).
        Each(Vec<(ObjectKind, String)>),
    }

    pub(super) static RECORD: Mutex<Record> = Mutex::new(Record {
        steps: Vec::new(),
        stacks: Vec::new(),
        objects: None,
        created: 0,
        naming: None,
    });

    /// The current thread: loom and shuttle number the model's threads in spawn
    /// order, 0 being the main one.
    pub(super) fn current_thread() -> Thread {
        #[cfg(feature = "loom")]
        let id = format!("{:?}", loom::thread::current().id());
        #[cfg(feature = "shuttle")]
        let id = format!("{:?}", shuttle::thread::current().id());
        super::thread_of(&id)
    }
}

/// The model thread (or task) running now.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn current_thread() -> Thread {
    recorder::current_thread()
}

/// The thread whose id `Debug` prints as `id` (`ThreadId(2)`): the number in it,
/// 0 being the main thread.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn thread_of(id: &str) -> Thread {
    let number: String = id.chars().filter(char::is_ascii_digit).collect();
    match number.parse() {
        Ok(0) | Err(_) => Thread::Main,
        Ok(n) => Thread::Spawned(n),
    }
}

/// Starts a new record: called by the runner when an execution begins.
pub fn begin_execution() {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.steps.clear();
        record.stacks.clear();
        record.objects = None;
        record.created = 0;
        record.naming = None;
    }
}

/// The steps recorded so far in this execution. Never blocks for long: if the record
/// stays busy (a panic in the middle of recording, on this very thread), it returns
/// nothing; a record busy for a moment (another thread recording a step) is waited
/// for.
pub fn snapshot() -> Vec<Step> {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    for _ in 0..SNAPSHOT_TRIES {
        if let Ok(record) = recorder::RECORD.try_lock() {
            let mut steps = record.steps.clone();
            for (step, stack) in steps.iter_mut().zip(&record.stacks) {
                if let Some(stack) = stack {
                    step.callers = frames(stack);
                }
            }
            return steps;
        }
        std::thread::yield_now();
    }
    Vec::new()
}

/// How many times [`snapshot`] tries a busy record before it gives up.
#[cfg(any(feature = "loom", feature = "shuttle"))]
const SNAPSHOT_TRIES: usize = 1_000;

/// Names the objects of `kind` that `make` creates, in order, `stem[0]`, `stem[1]`,
/// …: how a scenario tells the traces what the student calls them (`accounts[1]`
/// rather than `Mutex#2`). Under std it only runs `make`.
pub fn naming<R>(kind: ObjectKind, stem: &str, make: impl FnOnce() -> R) -> R {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.naming = Some(recorder::Naming::Indexed(kind, stem.to_owned(), 0));
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = (kind, stem);
    let made = make();
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.naming = None;
    }
    made
}

/// Names the first object of each kind in `names` that `make` creates by the name
/// beside it: how a scenario gives the traces the student's field names
/// (`pending.lock()` rather than `Mutex#1.lock()`). Under std it only runs `make`.
pub fn naming_each<R>(names: &[(ObjectKind, &str)], make: impl FnOnce() -> R) -> R {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        let names = names.iter().map(|&(kind, name)| (kind, name.to_owned()));
        record.naming = Some(recorder::Naming::Each(names.collect()));
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = names;
    let made = make();
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    if let Ok(mut record) = recorder::RECORD.lock() {
        record.naming = None;
    }
    made
}

/// Records that the scenario calls the subject's `function` with `arguments`: the
/// traces show the call (`▶ transfer(1, 0, 300)`) where the student's code begins.
#[track_caller]
pub fn call(function: &str, arguments: &[Value]) {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    record(
        Event::Call {
            function: function.to_owned(),
            arguments: arguments.to_vec(),
        },
        Some(Location::caller()),
    );
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = (function, arguments);
}

/// Records that the call to `function` returned `value`, and passes the value
/// through (a value of another type can be given as `Value::Other` text).
#[track_caller]
pub fn returned<T: Into<Value> + Clone>(function: &str, value: T) -> T {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    record(
        Event::Return {
            function: function.to_owned(),
            value: Some(value.clone().into()),
        },
        Some(Location::caller()),
    );
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = function;
    value
}

/// Records that the call to `function` returned (`()`, or nothing worth showing).
#[track_caller]
pub fn returned_unit(function: &str) {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    record(
        Event::Return {
            function: function.to_owned(),
            value: None,
        },
        Some(Location::caller()),
    );
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = function;
}

/// [`call`] for a call whose name or arguments cost something to spell (a `format!`,
/// a value's `Display`): `describe` runs only where steps are recorded (loom, shuttle),
/// so a scenario's hot loop on real threads pays nothing for its markers.
#[track_caller]
pub fn call_described(describe: impl FnOnce() -> (String, Vec<Value>)) {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    {
        let (function, arguments) = describe();
        record(
            Event::Call {
                function,
                arguments,
            },
            Some(Location::caller()),
        );
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = describe;
}

/// [`returned`] for such a call: `describe` gives the function's name and the value as
/// shown (`None` for nothing worth showing), and runs only where steps are recorded.
/// Passes `value` through.
#[track_caller]
pub fn returned_described<T>(value: T, describe: impl FnOnce(&T) -> (String, Option<Value>)) -> T {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    {
        let (function, shown) = describe(&value);
        record(
            Event::Return {
                function,
                value: shown,
            },
            Some(Location::caller()),
        );
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let _ = describe;
    value
}

/// The places of `stack`'s frames, innermost first, without the standard library's,
/// the dependencies' and the facade's own (column 0: a frame's is not known). std's
/// `Backtrace` offers its frames only as text: `{ fn: "…", file: "/…/src/lib.rs",
/// line: 32 }`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn frames(stack: &std::backtrace::Backtrace) -> Vec<Place> {
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
            let line = line.parse().ok()?;
            (!foreign).then(|| Place {
                file: file.to_owned(),
                line,
                column: 0,
            })
        })
        .collect()
}

/// A key for a new object of `kind`, unique in this execution (`Mutex#2`), which the
/// object keeps and passes to [`object`] when it records a step.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn name_object(kind: ObjectKind) -> String {
    let Ok(mut record) = recorder::RECORD.lock() else {
        return kind.to_string();
    };
    record.created += 1;
    let number = record.created;
    let name = match &mut record.naming {
        Some(recorder::Naming::Indexed(named_kind, stem, named)) if *named_kind == kind => {
            *named += 1;
            Some(format!("{stem}[{}]", *named - 1))
        }
        Some(recorder::Naming::Each(names)) => names
            .iter()
            .position(|(named_kind, _)| *named_kind == kind)
            .map(|at| names.remove(at).1),
        _ => None,
    };
    let object = Object { kind, number, name };
    let key = format!("{kind}#{number}");
    record
        .objects
        .get_or_insert_with(Default::default)
        .insert(key.clone(), object);
    key
}

/// The object of `kind` whose key is `key`, as the steps name it (one made before this
/// execution began keeps its kind, with number 0).
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn object(kind: ObjectKind, key: &str) -> Object {
    let known = recorder::RECORD.lock().ok().and_then(|record| {
        record
            .objects
            .as_ref()
            .and_then(|objects| objects.get(key).cloned())
    });
    known.unwrap_or(Object {
        kind,
        number: 0,
        name: None,
    })
}

/// `value` typed, when `T` is a primitive integer, `bool` or `char`; `None` for any
/// other type. The guard of a `Mutex<T>` has no `T: Debug` bound to print with
/// (std's has none), so the values read and written through a lock are shown for the
/// primitive types only — which is what the exercises lock.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn primitive_value<T: ?Sized>(value: &T) -> Option<Value> {
    macro_rules! primitives {
        ($($ty:ty),*) => {
            $(
                if std::any::type_name::<T>() == stringify!($ty) {
                    // SAFETY: `type_name` names `T` as this primitive, and a primitive's
                    // name is never a path, so `T` is exactly `$ty`.
                    let value = unsafe { &*std::ptr::from_ref(value).cast::<$ty>() };
                    return Some(Value::from(*value));
                }
            )*
        };
    }
    primitives!(
        i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char
    );
    None
}

/// `value` typed where it is a primitive, else as `Debug` prints it.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn any_value<T: std::fmt::Debug>(value: &T) -> Value {
    primitive_value(value).unwrap_or_else(|| Value::Other(format!("{value:?}")))
}

/// A write step recorded before its value was known: its place in the record.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending(std::num::NonZeroUsize);

/// Records a write through a guard of `object` at `location`, whose value
/// [`complete_write`] gives once the write is done.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn record_pending_write(
    object: Object,
    location: &'static Location<'static>,
) -> Option<Pending> {
    let event = Event::GuardWrite {
        object,
        value: None,
    };
    let recorded = push(event, Some(location))?;
    std::num::NonZeroUsize::new(recorded + 1).map(Pending)
}

/// Gives the write step `pending` the value it left (`None` for a type the traces do
/// not show).
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn complete_write(pending: Pending, written: Option<Value>) {
    if let Ok(mut record) = recorder::RECORD.lock()
        && let Some(step) = record.steps.get_mut(pending.0.get() - 1)
        && let Event::GuardWrite { value, .. } = &mut step.event
    {
        *value = written;
    }
}

/// The steps one execution records at most. A lab scenario's execution takes a few
/// hundred; only a livelock runs on (until shuttle's step bound), and its beginning
/// shows how it started. Past it, steps are not recorded (nor their call stacks
/// captured, which would take seconds).
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) const MAX_RECORDED: usize = 2_000;

/// Records one step made by the current thread at `location`.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) fn record(event: Event, location: Option<&'static Location<'static>>) {
    push(event, location);
}

/// Records one step, and returns its index in the record (if it could be recorded).
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn push(event: Event, location: Option<&'static Location<'static>>) -> Option<usize> {
    if recorder::RECORD
        .try_lock()
        .is_ok_and(|record| record.steps.len() >= MAX_RECORDED)
    {
        return None;
    }
    let step = Step {
        thread: recorder::current_thread(),
        event,
        place: location.map(Place::from),
        callers: Vec::new(),
    };
    let stack = CALL_STACKS
        .load(std::sync::atomic::Ordering::Relaxed)
        .then(std::backtrace::Backtrace::force_capture);
    let mut record = recorder::RECORD.lock().ok()?;
    record.steps.push(step);
    record.stacks.push(stack);
    Some(record.steps.len() - 1)
}

#[cfg(all(test, any(feature = "loom", feature = "shuttle")))]
mod tests {
    use super::{ObjectKind, naming, naming_each, snapshot};
    use crate::sync::Mutex;
    use crate::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_scenario_names_the_objects_the_subject_makes() {
        crate::model(|| {
            super::begin_execution();
            let names = [
                (ObjectKind::Mutex, "pending"),
                (ObjectKind::AtomicBool, "batch_ready"),
            ];
            let (pending, ready, unnamed) = naming_each(&names, || {
                (Mutex::new(0), AtomicBool::new(false), Mutex::new(1))
            });
            let accounts = naming(ObjectKind::Mutex, "accounts", || {
                [Mutex::new(0), Mutex::new(0)]
            });
            drop(pending.lock());
            ready.load(Ordering::SeqCst);
            drop(unnamed.lock());
            drop(accounts[1].lock());
            let touched: Vec<String> = snapshot()
                .iter()
                .filter_map(|step| step.event.object().map(ToString::to_string))
                .collect();
            for name in ["pending", "batch_ready", "Mutex#3", "accounts[1]"] {
                assert!(touched.iter().any(|t| t == name), "{name} in {touched:?}");
            }
        });
    }
}
