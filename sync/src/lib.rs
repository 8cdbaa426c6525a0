//! The sync facade: the one place in Racelab that names `std`, `loom` or `shuttle`.
//!
//! Exercises, solutions and the grader's scenarios import threads, locks, atomics and
//! shared cells from here. The same source is then compiled three ways, the backend
//! chosen by a cargo feature of this crate:
//!
//! | feature          | backend   | who uses it                                        |
//! |------------------|-----------|----------------------------------------------------|
//! | none, or `tsan`  | `std`     | real OS threads: the stress and ThreadSanitizer stages |
//! | `loom`           | `loom`    | exhaustive, bounded exploration under the C11 model |
//! | `shuttle`        | `shuttle` | randomized (PCT) exploration, replayable           |
//!
//! Only the grader's generated runner manifest enables a feature, so no cfg reaches
//! the code that uses the facade: it compiles identically for every stage, and
//! `cfg(loom)` or `cfg(shuttle)` in it is always false. Every backend has the same
//! public types, under the same paths (`std::any::type_name` names them alike), with
//! the same `Debug` output, size and alignment (`layout.rs`): with the `std` backend
//! they are thin, inlined wrappers over std's types that record nothing (boxed where
//! the explorers' own would be larger).
//!
//! The module layout mirrors `std` (`thread`, `sync`, `sync::atomic`), so a fix written
//! for real code reads like real code.

#[cfg(any(
    all(feature = "loom", feature = "shuttle"),
    all(feature = "loom", feature = "tsan"),
    all(feature = "shuttle", feature = "tsan"),
))]
compile_error!("enable at most one of the features `loom`, `shuttle` and `tsan`");

#[cfg(feature = "loom")]
use loom as backend;
#[cfg(feature = "shuttle")]
use shuttle as backend;
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
use std as backend;

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
pub mod blocked;
pub mod cell;
pub mod executed;
pub mod exercised;
pub mod explore;
pub mod gate;
#[cfg(any(feature = "loom", feature = "shuttle"))]
mod latitude;
mod layout;
pub mod sync;
pub mod task;
pub mod thread;
pub mod trace;
#[cfg(feature = "tsan")]
mod tsan;

/// Runs a unit test's `body` as one execution of the enabled backend (loom and
/// shuttle objects exist only inside one), so the tests hold for every backend.
#[cfg(test)]
fn model(body: impl Fn() + Send + Sync + 'static) {
    let _alone = alone();
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    let body = move || {
        latitude::begin_execution();
        body();
    };
    #[cfg(feature = "loom")]
    loom::model(body);
    #[cfg(feature = "shuttle")]
    shuttle::check_random(body, 1);
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    body();
}

/// Held while a unit test records steps: every test that runs the explorers shares the
/// one global record, and one that reads it must not see another's steps.
#[cfg(test)]
static TRACE_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
thread_local! {
    /// Whether this thread holds [`TRACE_TESTS`] already (a test that takes it, then
    /// runs [`model`], which takes it too).
    static HOLDS_TRACE_TESTS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`TRACE_TESTS`], held until dropped; taken once per thread however often asked.
#[cfg(test)]
struct Alone(Option<std::sync::MutexGuard<'static, ()>>);

#[cfg(test)]
impl Drop for Alone {
    fn drop(&mut self) {
        if self.0.is_some() {
            HOLDS_TRACE_TESTS.set(false);
        }
    }
}

/// Takes [`TRACE_TESTS`] for the calling test, unless it holds it already.
#[cfg(test)]
fn alone() -> Alone {
    if HOLDS_TRACE_TESTS.get() {
        return Alone(None);
    }
    let guard = TRACE_TESTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    HOLDS_TRACE_TESTS.set(true);
    Alone(Some(guard))
}

#[cfg(test)]
mod tests {
    use crate::cell::SharedCell;
    use crate::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize};
    use crate::sync::{
        Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard,
    };
    use crate::thread::JoinHandle;
    use std::panic::{RefUnwindSafe, UnwindSafe};

    fn shareable<T: Send + Sync + Unpin + UnwindSafe + RefUnwindSafe>() {}
    fn sendable<T: Send + Unpin + UnwindSafe>() {}
    fn local<T: Sync + Unpin + UnwindSafe + RefUnwindSafe>() {}

    /// The auto traits a subject could observe are the same in every backend (this
    /// test compiles under each backend's feature). The ones they lack are lacked
    /// alike: a `MutexGuard` is not `Send`, a `SharedCell` is neither `Sync` nor
    /// `RefUnwindSafe`, in every backend.
    #[test]
    fn auto_traits_are_the_same_in_every_backend() {
        shareable::<AtomicBool>();
        shareable::<AtomicI64>();
        shareable::<AtomicU32>();
        shareable::<AtomicU64>();
        shareable::<AtomicUsize>();
        shareable::<Mutex<u64>>();
        shareable::<RwLock<u64>>();
        shareable::<OnceLock<u64>>();
        shareable::<Condvar>();
        shareable::<Arc<u64>>();
        shareable::<JoinHandle<u64>>();
        sendable::<SharedCell<u64>>();
        local::<MutexGuard<'static, u64>>();
        local::<RwLockReadGuard<'static, u64>>();
        local::<RwLockWriteGuard<'static, u64>>();
    }
}
