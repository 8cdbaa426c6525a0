//! Which atomic operations the code executed, by source location, operation and
//! ordering: the grader's cross-check that a subject runs the same program under
//! every detector.
//!
//! Every backend records, the plain one too: the grader compares what a line did
//! under the explorers (loom, shuttle) with what it did on real threads (stress,
//! ThreadSanitizer), and a line that never once did the same thing in both is code
//! that told the detectors apart. The orderings recorded are the ones the call asked
//! for (both of a `compare_exchange`), never the one its outcome applied, so a
//! compare-exchange that succeeds under one detector and fails under another records
//! the same.
//!
//! Recording must neither slow a stress round nor synchronise its threads (a lock
//! shared by the workers would order their accesses and hide the races the stage
//! looks for). So each OS thread keeps its own set, behind a small direct-mapped
//! cache of the operations it has already recorded: a repeated operation costs a
//! thread-local read and a comparison. A thread's set joins the process's when the
//! thread ends, after its last operation, and [`snapshot`] adds the calling thread's.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::panic::Location;
use std::sync::atomic::Ordering;
use std::sync::{LazyLock, Mutex};

/// An atomic operation, by the facade method (or function) that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AtomicOp {
    /// `load`.
    Load,
    /// `store`.
    Store,
    /// `swap`.
    Swap,
    /// `compare_exchange`.
    CompareExchange,
    /// `compare_exchange_weak`.
    CompareExchangeWeak,
    /// `fetch_update`.
    FetchUpdate,
    /// `fetch_add`.
    FetchAdd,
    /// `fetch_sub`.
    FetchSub,
    /// `fetch_max`.
    FetchMax,
    /// `fetch_min`.
    FetchMin,
    /// `fetch_and`.
    FetchAnd,
    /// `fetch_or`.
    FetchOr,
    /// `fetch_xor`.
    FetchXor,
    /// `fence`.
    Fence,
}

impl AtomicOp {
    /// The method's name, as the subject wrote it: `fetch_add`.
    pub fn name(self) -> &'static str {
        match self {
            AtomicOp::Load => "load",
            AtomicOp::Store => "store",
            AtomicOp::Swap => "swap",
            AtomicOp::CompareExchange => "compare_exchange",
            AtomicOp::CompareExchangeWeak => "compare_exchange_weak",
            AtomicOp::FetchUpdate => "fetch_update",
            AtomicOp::FetchAdd => "fetch_add",
            AtomicOp::FetchSub => "fetch_sub",
            AtomicOp::FetchMax => "fetch_max",
            AtomicOp::FetchMin => "fetch_min",
            AtomicOp::FetchAnd => "fetch_and",
            AtomicOp::FetchOr => "fetch_or",
            AtomicOp::FetchXor => "fetch_xor",
            AtomicOp::Fence => "fence",
        }
    }
}

/// One operation as executed: where, what, and with which orderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Executed {
    /// The caller's source location (`#[track_caller]`).
    pub location: &'static Location<'static>,
    /// The operation.
    pub op: AtomicOp,
    /// The ordering asked for (a compare-exchange's on success).
    pub ordering: Ordering,
    /// A compare-exchange's (or `fetch_update`'s) ordering on failure.
    pub failure: Option<Ordering>,
}

impl Executed {
    /// `file:line:column` of the operation.
    pub fn place(&self) -> String {
        let at = self.location;
        format!("{}:{}:{}", at.file(), at.line(), at.column())
    }
}

impl fmt::Display for Executed {
    /// `store(Release)`, `compare_exchange(AcqRel, Acquire)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failure {
            Some(failure) => write!(f, "{}({:?}, {failure:?})", self.op.name(), self.ordering),
            None => write!(f, "{}({:?})", self.op.name(), self.ordering),
        }
    }
}

/// Slots of the per-thread cache: more than the atomic call sites of any exercise.
const CACHE_SLOTS: usize = 64;

/// One thread's record: the cache in front (each slot an operation's [`key`]), the
/// set behind it.
struct ThreadRecord {
    cache: [Cell<u64>; CACHE_SLOTS],
    set: RefCell<HashSet<Executed>>,
}

impl Drop for ThreadRecord {
    /// The thread ends: its set joins the process's.
    fn drop(&mut self) {
        let mine = std::mem::take(self.set.get_mut());
        let mut all = ENDED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        all.extend(mine);
    }
}

/// The sets of the threads that have ended, merged.
static ENDED: LazyLock<Mutex<HashSet<Executed>>> = LazyLock::new(Mutex::default);

thread_local! {
    static RECORD: ThreadRecord = ThreadRecord {
        cache: [const { Cell::new(0) }; CACHE_SLOTS],
        set: RefCell::new(HashSet::new()),
    };
}

/// Records that the caller executed `op` with `ordering` (and `failure`).
#[inline]
#[track_caller]
pub(crate) fn record(op: AtomicOp, ordering: Ordering, failure: Option<Ordering>) {
    let location = Location::caller();
    match op {
        AtomicOp::Fence => {}
        AtomicOp::Load => crate::exercised::record(crate::exercised::Access::Read),
        _ => crate::exercised::record(crate::exercised::Access::Write),
    }
    let key = key(location, op, ordering, failure);
    // A thread past its thread-locals' destruction records nothing more.
    let _ = RECORD.try_with(|record| {
        let slot = &record.cache[(key >> 16) as usize % CACHE_SLOTS];
        if slot.get() != key {
            slot.set(key);
            record.set.borrow_mut().insert(Executed {
                location,
                op,
                ordering,
                failure,
            });
        }
    });
}

/// An operation as one number, compared in one instruction on the hot path: the
/// call site's address (one static `Location` per site), the operation and both
/// orderings, 4 bits each. Never 0, the empty slot.
fn key(
    location: &'static Location<'static>,
    op: AtomicOp,
    ordering: Ordering,
    failure: Option<Ordering>,
) -> u64 {
    let site = std::ptr::from_ref(location).addr() as u64;
    let code = |ordering: Option<Ordering>| -> u64 {
        match ordering {
            None => 0,
            Some(Ordering::Relaxed) => 1,
            Some(Ordering::Release) => 2,
            Some(Ordering::Acquire) => 3,
            Some(Ordering::AcqRel) => 4,
            Some(Ordering::SeqCst) => 5,
            Some(_) => 6,
        }
    };
    (site << 16) ^ ((op as u64) << 8) ^ (code(Some(ordering)) << 4) ^ code(failure) | 1 << 63
}

/// Every distinct operation executed so far: by the threads that have ended, and by
/// the calling one. Sorted by place and operation, so the same run gives the same list.
pub fn snapshot() -> Vec<Executed> {
    let mut all = ENDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let _ = RECORD.try_with(|record| all.extend(record.set.borrow().iter().copied()));
    let mut sorted: Vec<Executed> = all.into_iter().collect();
    sorted.sort_by_key(|e| (e.place(), e.op, e.to_string()));
    sorted
}

#[cfg(test)]
mod tests {
    use super::{AtomicOp, snapshot};
    use crate::sync::atomic::{AtomicU64, Ordering, fence};

    /// Run in one execution of the backend; the record outlives it.
    #[test]
    fn each_distinct_operation_is_recorded_once_with_the_orderings_asked_for() {
        crate::model(|| {
            let value = AtomicU64::new(0);
            for _ in 0..3 {
                value.store(1, Ordering::Release);
            }
            let _ = value.compare_exchange(5, 6, Ordering::AcqRel, Ordering::Acquire);
            fence(Ordering::SeqCst);
            let spawned = crate::thread::spawn(|| {
                let local = AtomicU64::new(0);
                local.fetch_add(1, Ordering::Relaxed)
            });
            let _ = spawned.join();
        });
        let ours: Vec<String> = snapshot()
            .iter()
            .filter(|e| e.location.file().ends_with("executed.rs"))
            .map(|e| e.to_string())
            .collect();
        for expected in [
            "store(Release)",
            "compare_exchange(AcqRel, Acquire)",
            "fence(SeqCst)",
            "fetch_add(Relaxed)",
        ] {
            let count = ours.iter().filter(|o| *o == expected).count();
            assert_eq!(count, 1, "{expected} in {ours:?}");
        }
        assert_eq!(
            AtomicOp::CompareExchangeWeak.name(),
            "compare_exchange_weak"
        );
    }
}
