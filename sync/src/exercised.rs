//! Which threads ran the code's shared-state operations, and which of them wrote:
//! the grader's evidence that a stage's scenario exercised the subject at all.
//!
//! A detector that passes a subject whose methods touch nothing shared has judged
//! nothing: `record` emptied to `let _ = amount;` has no data race for
//! ThreadSanitizer to find. The grader gives a stage partial credit only when its runs
//! show, at the subject's own lines, operations from two threads or tasks, one of them
//! a write (`grader/src/exercised.rs`).
//!
//! Every facade operation on shared state records its caller's place, whether it
//! writes, and who made it (an *actor*): under loom and shuttle the model's thread,
//! tasks included; on real threads the OS thread, and within it the task the lab's
//! executor is polling. As [`crate::executed`], each OS thread records into its own
//! set behind a small cache, so recording neither slows nor synchronises a stress
//! round; a thread's set joins the process's when the thread ends. At most
//! [`ACTORS_KEPT`] actors are kept per place and access: the grader asks only "two or
//! more", and a stress run's thousands of threads stay a few lines.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::panic::Location;
use std::sync::{LazyLock, Mutex};

/// Whether an operation changes shared state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    /// A load, a `get`, a shared read lock taken.
    Read,
    /// A store, a read-modify-write, a lock taken, a notification, a send.
    Write,
}

/// Who made an operation: a model thread or task under the explorers; an OS thread
/// and the task it was polling on real threads. Numbers mean nothing across runs.
pub type Actor = u64;

/// One place's operations of one access, and some of the actors that made them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    /// The caller's source location (`#[track_caller]`).
    pub location: &'static Location<'static>,
    /// Whether it wrote.
    pub access: Access,
    /// Up to [`ACTORS_KEPT`] of the actors that made it, sorted.
    pub actors: Vec<Actor>,
}

impl Touched {
    /// `file:line:column` of the operation.
    pub fn place(&self) -> String {
        let at = self.location;
        format!("{}:{}:{}", at.file(), at.line(), at.column())
    }
}

/// The most actors kept per place and access.
pub const ACTORS_KEPT: usize = 4;

/// Slots of the per-thread cache, as in [`crate::executed`].
const CACHE_SLOTS: usize = 64;

type Key = (&'static Location<'static>, Access);
type Sets = HashMap<Key, HashSet<Actor>>;

/// One OS thread's record: the cache in front (each slot a place, access and actor),
/// the sets behind it.
struct ThreadRecord {
    cache: [Cell<(usize, Actor)>; CACHE_SLOTS],
    sets: RefCell<Sets>,
}

impl Drop for ThreadRecord {
    /// The thread ends: its sets join the process's.
    fn drop(&mut self) {
        let mine = std::mem::take(self.sets.get_mut());
        let mut all = ENDED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        merge(&mut all, mine);
    }
}

/// Adds `from` to `into`, keeping at most [`ACTORS_KEPT`] actors per key.
fn merge(into: &mut Sets, from: Sets) {
    for (key, actors) in from {
        let kept = into.entry(key).or_default();
        for actor in actors {
            if kept.len() >= ACTORS_KEPT {
                break;
            }
            kept.insert(actor);
        }
    }
}

/// The sets of the threads that have ended, merged.
static ENDED: LazyLock<Mutex<Sets>> = LazyLock::new(Mutex::default);

thread_local! {
    static RECORD: ThreadRecord = ThreadRecord {
        cache: [const { Cell::new((0, 0)) }; CACHE_SLOTS],
        sets: RefCell::new(HashMap::new()),
    };
}

/// Records that the current actor made an operation of `access` at the caller's place.
#[inline]
#[track_caller]
pub(crate) fn record(access: Access) {
    let location = Location::caller();
    let actor = current_actor();
    let site = std::ptr::from_ref(location).addr() ^ access as usize;
    // A thread past its thread-locals' destruction records nothing more.
    let _ = RECORD.try_with(|record| {
        let slot = &record.cache[(site >> 3) % CACHE_SLOTS];
        if slot.get() != (site, actor) {
            slot.set((site, actor));
            let mut sets = record.sets.borrow_mut();
            let actors = sets.entry((location, access)).or_default();
            if actors.len() < ACTORS_KEPT {
                actors.insert(actor);
            }
        }
    });
}

/// The actor making the current operation.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn current_actor() -> Actor {
    match crate::trace::current_thread() {
        crate::trace::Thread::Main => 0,
        crate::trace::Thread::Spawned(n) => n.into(),
    }
}

/// The actor making the current operation: this OS thread's number, and the task the
/// lab's executor is polling on it.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
fn current_actor() -> Actor {
    use std::sync::atomic::{AtomicU32, Ordering};
    static THREADS: AtomicU32 = AtomicU32::new(1);
    thread_local! {
        static THREAD: u32 = THREADS.fetch_add(1, Ordering::Relaxed);
    }
    let thread = THREAD.try_with(|n| *n).unwrap_or(0);
    (u64::from(thread) << 32) | crate::task::polling() as u64
}

/// Every place's operations so far, by access: those of the threads that have ended,
/// and the calling one's. Sorted by place, so the same run gives the same list.
pub fn snapshot() -> Vec<Touched> {
    let mut all = ENDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let _ = RECORD.try_with(|record| merge(&mut all, record.sets.borrow().clone()));
    let mut touched: Vec<Touched> = all
        .into_iter()
        .map(|((location, access), actors)| {
            let mut actors: Vec<Actor> = actors.into_iter().collect();
            actors.sort_unstable();
            Touched {
                location,
                access,
                actors,
            }
        })
        .collect();
    touched.sort_by_key(|t| (t.place(), t.access));
    touched
}

#[cfg(test)]
mod tests {
    use super::{ACTORS_KEPT, Access, snapshot};
    use crate::cell::SharedCell;
    use crate::sync::atomic::{AtomicU64, Ordering};
    use crate::sync::{Arc, Mutex};

    /// The places of this file's operations: line, access and how many actors.
    fn ours() -> Vec<(u32, Access, usize)> {
        snapshot()
            .iter()
            .filter(|t| t.location.file().ends_with("exercised.rs"))
            .map(|t| (t.location.line(), t.access, t.actors.len()))
            .collect()
    }

    #[test]
    fn each_place_keeps_who_touched_it_and_whether_it_wrote() {
        crate::model(|| {
            let shared = Arc::new((AtomicU64::new(0), Mutex::new(0u64)));
            let local = SharedCell::new(0u64);
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let shared = Arc::clone(&shared);
                    crate::thread::spawn(move || {
                        shared.0.fetch_add(1, Ordering::Relaxed);
                        *shared.1.lock().unwrap() += 1;
                    })
                })
                .collect();
            for worker in workers {
                worker.join().unwrap();
            }
            let _ = shared.0.load(Ordering::Relaxed);
            local.store(1);
        });
        let touched = ours();
        let writes_by_two = touched
            .iter()
            .filter(|(_, access, actors)| *access == Access::Write && *actors == 2)
            .count();
        assert_eq!(
            writes_by_two, 2,
            "the workers' fetch_add and lock: {touched:?}"
        );
        let by_main_alone = touched
            .iter()
            .filter(|(_, _, actors)| *actors == 1)
            .map(|(_, access, _)| *access)
            .collect::<Vec<_>>();
        assert_eq!(by_main_alone, [Access::Read, Access::Write], "{touched:?}");
        assert!(touched.iter().all(|(_, _, actors)| *actors <= ACTORS_KEPT));
    }
}
