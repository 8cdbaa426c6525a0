//! The trace's vocabulary: one recorded step of an execution, typed.
//!
//! The recorder in [`super`] writes these, the harness sends them to the grader in
//! its findings, and the grader stores them in its report and draws them: one
//! definition for all three, so nothing downstream reads a step back out of text.
//! With the crate's `serde` feature (which the harness enables) every type here
//! serialises; subjects build without it.

use std::fmt;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// One recorded step: which thread made it, what happened, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Step {
    /// The thread that made the step.
    pub thread: Thread,
    /// What happened.
    pub event: Event,
    /// The caller's place in the subject's (or the scenario's) code; absent for a
    /// step with no caller (a lock released as its guard is dropped).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub place: Option<Place>,
    /// The frames of the call stack that made the step, innermost first, without the
    /// standard library's, the dependencies' and the facade's own; empty unless call
    /// stacks are recorded (see [`super::record_call_stacks`]).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub callers: Vec<Place>,
}

/// A thread of the model: the scenario's own, or one it or the subject spawned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "String", try_from = "String"))]
pub enum Thread {
    /// The thread that runs the scenario: `main`.
    Main,
    /// The `n`th thread spawned: `T1`, `T2`, … (loom and shuttle number the model's
    /// threads in spawn order).
    Spawned(u32),
}

impl fmt::Display for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Thread::Main => f.write_str("main"),
            Thread::Spawned(n) => write!(f, "T{n}"),
        }
    }
}

impl From<Thread> for String {
    fn from(thread: Thread) -> String {
        thread.to_string()
    }
}

impl TryFrom<String> for Thread {
    type Error = String;

    /// `main`, or `T` and a number: the labels the traces print.
    fn try_from(label: String) -> Result<Thread, String> {
        if label == "main" {
            return Ok(Thread::Main);
        }
        label
            .strip_prefix('T')
            .and_then(|n| n.parse().ok())
            .map(Thread::Spawned)
            .ok_or_else(|| format!("`{label}` is not a thread (`main`, `T1`, `T2`, …)"))
    }
}

/// A memory ordering, as [`std::sync::atomic::Ordering`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[expect(missing_docs, reason = "the orderings std names, with its meanings")]
pub enum Ordering {
    Relaxed,
    Release,
    Acquire,
    AcqRel,
    SeqCst,
}

impl Ordering {
    /// Whether a store (or the write of a read-modify-write) with this ordering
    /// releases what its thread did before it.
    pub fn releases(self) -> bool {
        matches!(
            self,
            Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
        )
    }

    /// Whether a load (or the read of a read-modify-write) with this ordering
    /// acquires what the store it reads from released.
    pub fn acquires(self) -> bool {
        matches!(
            self,
            Ordering::Acquire | Ordering::AcqRel | Ordering::SeqCst
        )
    }
}

impl From<std::sync::atomic::Ordering> for Ordering {
    fn from(ordering: std::sync::atomic::Ordering) -> Ordering {
        use std::sync::atomic::Ordering as Std;
        match ordering {
            Std::Relaxed => Ordering::Relaxed,
            Std::Release => Ordering::Release,
            Std::Acquire => Ordering::Acquire,
            Std::AcqRel => Ordering::AcqRel,
            // `Ordering` is non-exhaustive; every other one is at least as strong.
            _ => Ordering::SeqCst,
        }
    }
}

impl fmt::Display for Ordering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A value read or written: integers, `bool` and `char` typed, anything else as its
/// `Debug` text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[expect(
    missing_docs,
    reason = "each variant holds a value of the type it names"
)]
pub enum Value {
    /// An integer of any primitive type that fits an `i64` (a wider one is `Other`).
    Integer(i64),
    Bool(bool),
    Char(char),
    /// Any other value, as `Debug` prints it.
    Other(String),
}

impl Value {
    /// The integer, if the value is one.
    pub fn integer(&self) -> Option<i64> {
        match self {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// As `Debug` prints the value itself: `300`, `true`, `'x'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Integer(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Char(c) => write!(f, "{c:?}"),
            Value::Other(text) => f.write_str(text),
        }
    }
}

macro_rules! integer_values {
    ($($ty:ty),*) => {
        $(
            impl From<$ty> for Value {
                fn from(n: $ty) -> Value {
                    i64::try_from(n).map_or_else(|_| Value::Other(n.to_string()), Value::Integer)
                }
            }
        )*
    };
}
integer_values!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<char> for Value {
    fn from(c: char) -> Value {
        Value::Char(c)
    }
}

/// What kind of object a step touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[expect(missing_docs, reason = "the facade's types of the same names")]
pub enum ObjectKind {
    /// A `SharedCell`: plain memory, unordered. (Not named `Cell`: a second item of
    /// that name in the facade makes rustc spell std's `Cell` out in full in the
    /// errors students read, `Rc<std::cell::Cell<u64>>`.)
    #[cfg_attr(feature = "serde", serde(rename = "cell"))]
    Memory,
    AtomicBool,
    AtomicU32,
    AtomicU64,
    AtomicI64,
    AtomicUsize,
    Mutex,
    RwLock,
    Condvar,
    OnceLock,
    /// An `AsyncMutex`: its steps are a mutex's (requested, acquired, released).
    AsyncMutex,
    /// A `oneshot` channel.
    #[cfg_attr(feature = "serde", serde(rename = "oneshot"))]
    Oneshot,
}

impl ObjectKind {
    /// Whether the object is one of the atomic types.
    pub fn is_atomic(self) -> bool {
        matches!(
            self,
            ObjectKind::AtomicBool
                | ObjectKind::AtomicU32
                | ObjectKind::AtomicU64
                | ObjectKind::AtomicI64
                | ObjectKind::AtomicUsize
        )
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectKind::Memory => f.write_str("cell"),
            ObjectKind::Oneshot => f.write_str("oneshot"),
            other => fmt::Debug::fmt(other, f),
        }
    }
}

/// An object of the execution: its kind, its number (in order of creation, from 1,
/// across kinds) and the name the scenario gave it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[expect(
    missing_docs,
    reason = "the type's documentation says what each field is"
)]
pub struct Object {
    pub kind: ObjectKind,
    pub number: u32,
    /// The scenario's name for it (`accounts[1]`), when it could name it.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub name: Option<String>,
}

impl fmt::Display for Object {
    /// The scenario's name, or the kind and number: `accounts[1]`, `Mutex#2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "{}#{}", self.kind, self.number),
        }
    }
}

/// A place in the source: the file as the compiler named it, line and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[expect(
    missing_docs,
    reason = "the type's documentation says what each field is"
)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Place {
    /// `file:line`, as the tables show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl From<&std::panic::Location<'_>> for Place {
    fn from(location: &std::panic::Location<'_>) -> Place {
        Place {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        }
    }
}

/// A read-modify-write operation of an atomic, other than the exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[expect(missing_docs, reason = "the atomics' methods of the same names")]
pub enum Modify {
    Swap,
    FetchAdd,
    FetchSub,
    FetchMax,
    FetchMin,
    FetchAnd,
    FetchOr,
    FetchXor,
}

impl Modify {
    /// The method's name: `fetch_add`.
    pub fn method(self) -> &'static str {
        match self {
            Modify::Swap => "swap",
            Modify::FetchAdd => "fetch_add",
            Modify::FetchSub => "fetch_sub",
            Modify::FetchMax => "fetch_max",
            Modify::FetchMin => "fetch_min",
            Modify::FetchAnd => "fetch_and",
            Modify::FetchOr => "fetch_or",
            Modify::FetchXor => "fetch_xor",
        }
    }

    /// The value the operation leaves, from the one it found and its operand, where
    /// both are integers or both `bool`s (and the result fits).
    pub fn result(self, previous: &Value, operand: &Value) -> Option<Value> {
        match (previous, operand) {
            (Value::Integer(a), Value::Integer(b)) => {
                let (a, b) = (*a, *b);
                let n = match self {
                    Modify::Swap => b,
                    Modify::FetchAdd => a.checked_add(b)?,
                    Modify::FetchSub => a.checked_sub(b)?,
                    Modify::FetchMax => a.max(b),
                    Modify::FetchMin => a.min(b),
                    Modify::FetchAnd => a & b,
                    Modify::FetchOr => a | b,
                    Modify::FetchXor => a ^ b,
                };
                Some(Value::Integer(n))
            }
            (Value::Bool(a), Value::Bool(b)) => {
                let (a, b) = (*a, *b);
                let v = match self {
                    Modify::Swap => b,
                    Modify::FetchAnd => a & b,
                    Modify::FetchOr => a | b,
                    Modify::FetchXor => a ^ b,
                    _ => return None,
                };
                Some(Value::Bool(v))
            }
            (_, operand) if self == Modify::Swap => Some(operand.clone()),
            _ => None,
        }
    }
}

/// How a compare-exchange (or `fetch_update`) ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[expect(
    missing_docs,
    reason = "each variant's value is the one the operation read"
)]
pub enum Exchange {
    /// It stored: `Ok(previous)`.
    Stored { previous: Value },
    /// It found another value and stored nothing: `Err(actual)`.
    Refused { actual: Value },
}

impl Exchange {
    /// The value the operation read.
    pub fn read(&self) -> &Value {
        match self {
            Exchange::Stored { previous } => previous,
            Exchange::Refused { actual } => actual,
        }
    }
}

impl<T: Into<Value>> From<Result<T, T>> for Exchange {
    fn from(result: Result<T, T>) -> Exchange {
        match result {
            Ok(previous) => Exchange::Stored {
                previous: previous.into(),
            },
            Err(actual) => Exchange::Refused {
                actual: actual.into(),
            },
        }
    }
}

/// How a lock is asked for: a mutex's, or a reader-writer lock's shared or
/// exclusive side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LockMode {
    /// `Mutex::lock`.
    Exclusive,
    /// `RwLock::read`.
    Read,
    /// `RwLock::write`.
    Write,
}

/// What a `OnceLock` step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Once {
    /// `get` found the cell set.
    GotSome,
    /// `get` found it empty.
    GotNone,
    /// `set` stored the value.
    SetStored,
    /// `set` found it already set.
    SetRefused,
    /// `get_or_init` found it set.
    AlreadySet,
    /// `get_or_init` returned after an initialisation (its own or another's).
    AfterInit,
    /// This thread ran the initialiser and set the cell.
    Initialised,
}

/// Which of a `select`'s two futures finished first (the other was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Branch {
    /// `Either::First`: the second future was cancelled.
    First,
    /// `Either::Second`: the first future was cancelled.
    Second,
}

impl Branch {
    /// The branch that was dropped.
    pub fn other(self) -> Branch {
        match self {
            Branch::First => Branch::Second,
            Branch::Second => Branch::First,
        }
    }
}

impl fmt::Display for Branch {
    /// `first`, `second`, as the tables say it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Branch::First => "first",
            Branch::Second => "second",
        })
    }
}

/// What happened at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[expect(
    missing_docs,
    reason = "each field holds what its name says: an operand, the ordering asked for, the value found"
)]
pub enum Event {
    /// A load of a cell (no ordering) or an atomic, and the value it returned.
    Load {
        object: Object,
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        ordering: Option<Ordering>,
        value: Value,
    },
    /// A store to a cell (no ordering) or an atomic.
    Store {
        object: Object,
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        ordering: Option<Ordering>,
        value: Value,
    },
    /// `swap` or a `fetch_*`: its operand, and the value it found.
    Modify {
        object: Object,
        operation: Modify,
        operand: Value,
        ordering: Ordering,
        previous: Value,
    },
    /// `compare_exchange(expected, new, success, failure)` (or its weak form) and
    /// how it ended.
    CompareExchange {
        object: Object,
        weak: bool,
        expected: Value,
        new: Value,
        success: Ordering,
        failure: Ordering,
        outcome: Exchange,
    },
    /// `fetch_update(set, fetch, f)` and how it ended.
    FetchUpdate {
        object: Object,
        set: Ordering,
        fetch: Ordering,
        outcome: Exchange,
    },
    /// `fence(ordering)`.
    Fence { ordering: Ordering },
    /// A read through a lock's guard, with the value where it is a primitive.
    GuardRead {
        object: Object,
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        value: Option<Value>,
    },
    /// A write through a lock's guard, with the value it left where it is a primitive.
    GuardWrite {
        object: Object,
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        value: Option<Value>,
    },
    /// The thread asks for a lock (the last step of a thread blocked there for ever).
    LockRequested { object: Object, mode: LockMode },
    /// The thread has the lock.
    LockAcquired { object: Object, mode: LockMode },
    /// The thread released the lock (its guard was dropped).
    LockReleased { object: Object },
    /// `try_lock` (`try_read`, `try_write`) and whether it took the lock.
    TryLock {
        object: Object,
        mode: LockMode,
        acquired: bool,
    },
    /// The thread releases `mutex` and waits on `condvar`.
    Wait { condvar: Object, mutex: Object },
    /// The wait returned with `mutex` locked again: notified, or (shuttle) spuriously.
    Woken {
        condvar: Object,
        mutex: Object,
        spurious: bool,
    },
    /// `notify_one` (`all` false) or `notify_all`.
    Notify { condvar: Object, all: bool },
    /// A step on a `OnceLock`.
    Once { object: Object, step: Once },
    /// The thread spawned `thread`.
    Spawn { thread: Thread },
    /// The thread asks to join `thread` (the last step of one that waits for ever).
    JoinRequested { thread: Thread },
    /// `thread` has ended and is joined.
    Joined { thread: Thread },
    /// An async task gives the other tasks a turn (`yield_now().await`).
    Yield,
    /// A `select` finished: `chosen` was ready first, the other branch was dropped.
    Select { chosen: Branch },
    /// `send` on a oneshot channel, and whether the receiver was still there to get it.
    Sent { channel: Object, delivered: bool },
    /// The receiver of a oneshot channel got the value.
    Received { channel: Object },
    /// The scenario calls one of the subject's functions with these arguments.
    Call {
        function: String,
        #[cfg_attr(feature = "serde", serde(default))]
        arguments: Vec<Value>,
    },
    /// That call returned (with its value, where the scenario gives it).
    Return {
        function: String,
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        value: Option<Value>,
    },
}

impl Event {
    /// The object the step touched, if one (a condition variable's wait and wakeup
    /// touch the condition variable).
    pub fn object(&self) -> Option<&Object> {
        match self {
            Event::Load { object, .. }
            | Event::Store { object, .. }
            | Event::Modify { object, .. }
            | Event::CompareExchange { object, .. }
            | Event::FetchUpdate { object, .. }
            | Event::GuardRead { object, .. }
            | Event::GuardWrite { object, .. }
            | Event::LockRequested { object, .. }
            | Event::LockAcquired { object, .. }
            | Event::LockReleased { object }
            | Event::TryLock { object, .. }
            | Event::Once { object, .. } => Some(object),
            Event::Sent { channel, .. } | Event::Received { channel } => Some(channel),
            Event::Wait { condvar, .. }
            | Event::Woken { condvar, .. }
            | Event::Notify { condvar, .. } => Some(condvar),
            Event::Fence { .. }
            | Event::Spawn { .. }
            | Event::JoinRequested { .. }
            | Event::Joined { .. }
            | Event::Yield
            | Event::Select { .. }
            | Event::Call { .. }
            | Event::Return { .. } => None,
        }
    }

    /// The memory ordering that applied, for an atomic step or a fence: an
    /// exchange's success or failure ordering by how it ended.
    pub fn ordering(&self) -> Option<Ordering> {
        match self {
            Event::Load { ordering, .. } | Event::Store { ordering, .. } => *ordering,
            Event::Modify { ordering, .. } | Event::Fence { ordering } => Some(*ordering),
            Event::CompareExchange {
                success,
                failure,
                outcome,
                ..
            } => Some(match outcome {
                Exchange::Stored { .. } => *success,
                Exchange::Refused { .. } => *failure,
            }),
            Event::FetchUpdate {
                set,
                fetch,
                outcome,
                ..
            } => Some(match outcome {
                Exchange::Stored { .. } => *set,
                Exchange::Refused { .. } => *fetch,
            }),
            _ => None,
        }
    }

    /// Whether the step asks for something it may have to wait for (a lock, a thread
    /// to join): the last step of a thread blocked there for ever.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Event::LockRequested { .. } | Event::JoinRequested { .. }
        )
    }

    /// The value the step read from shared memory, if it read one: a load, the value
    /// a read-modify-write or exchange found, a read through a guard.
    pub fn read(&self) -> Option<&Value> {
        match self {
            Event::Load { value, .. } => Some(value),
            Event::Modify { previous, .. } => Some(previous),
            Event::CompareExchange { outcome, .. } | Event::FetchUpdate { outcome, .. } => {
                Some(outcome.read())
            }
            Event::GuardRead { value, .. } => value.as_ref(),
            _ => None,
        }
    }

    /// Whether the step wrote its object: a store, a read-modify-write, an exchange
    /// that stored, a write through a guard.
    pub fn writes(&self) -> bool {
        match self {
            Event::Store { .. } | Event::Modify { .. } | Event::GuardWrite { .. } => true,
            Event::CompareExchange { outcome, .. } | Event::FetchUpdate { outcome, .. } => {
                matches!(outcome, Exchange::Stored { .. })
            }
            _ => false,
        }
    }

    /// The value the step left in its object, when it wrote one that can be told.
    pub fn written(&self) -> Option<Value> {
        match self {
            Event::Store { value, .. } => Some(value.clone()),
            Event::GuardWrite { value, .. } => value.clone(),
            Event::Modify {
                operation,
                operand,
                previous,
                ..
            } => operation.result(previous, operand),
            Event::CompareExchange {
                new,
                outcome: Exchange::Stored { .. },
                ..
            } => Some(new.clone()),
            _ => None,
        }
    }
}
