//! On real threads, how many facade threads wait for another thread without a
//! deadline, so that the stress driver's watchdog can tell a deadlock from a slow
//! round as soon as it happens, instead of at the round's time limit.
//!
//! A thread counts as blocked while it waits in [`waiting`]: for a lock another thread
//! holds, for a notification, or to join a thread. Waits with a deadline
//! (`wait_timeout`, `sleep`) and spinning never count: such a thread still runs. When
//! every running facade thread, and the thread running the round, is blocked, and no
//! wait has ended for a while, none of them can wake another: the round is
//! deadlocked for good (a spurious wakeup, which std allows, is no way out a correct
//! program may rely on).
//!
//! The counters are `Relaxed` atomics: they order nothing, so ThreadSanitizer sees no
//! happens-before edge between the threads they count, and they are touched only on
//! the paths that wait (an uncontended lock is taken without them).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{LockResult, TryLockError, TryLockResult};

/// The threads inside [`waiting`] now.
static BLOCKED: AtomicUsize = AtomicUsize::new(0);

/// How many waits have ended: it moves whenever a blocked thread wakes.
static WAKEUPS: AtomicU64 = AtomicU64::new(0);

/// What the counters say at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Facade threads spawned and not yet returned.
    pub running: usize,
    /// Threads (facade threads or the round's own) waiting without a deadline.
    pub blocked: usize,
    /// Waits ended so far.
    pub wakeups: u64,
}

impl Snapshot {
    /// Whether every facade thread and the `others` threads that also run the
    /// scenario (the round's own) are blocked.
    pub fn all_blocked(&self, others: usize) -> bool {
        self.blocked > 0 && self.blocked >= self.running + others
    }
}

/// The counters now (for the harness's watchdog).
#[doc(hidden)]
pub fn snapshot() -> Snapshot {
    Snapshot {
        running: crate::thread::running(),
        blocked: BLOCKED.load(Ordering::Relaxed),
        wakeups: WAKEUPS.load(Ordering::Relaxed),
    }
}

/// Runs `wait`, a call that blocks until another thread acts, counted as blocked.
pub(crate) fn waiting<R>(wait: impl FnOnce() -> R) -> R {
    BLOCKED.fetch_add(1, Ordering::Relaxed);
    let _woken = Woken;
    wait()
}

/// Takes a lock with `try_take` and, when another thread holds it, waits for it with
/// `take`, counted as blocked: the pattern of every facade lock on real threads.
pub(crate) fn take_or_wait<G>(
    try_take: impl FnOnce() -> TryLockResult<G>,
    take: impl FnOnce() -> LockResult<G>,
) -> LockResult<G> {
    match try_take() {
        Ok(guard) => Ok(guard),
        Err(TryLockError::Poisoned(poisoned)) => Err(poisoned),
        Err(TryLockError::WouldBlock) => waiting(take),
    }
}

/// Ends a wait, however it ends (a panic included).
struct Woken;

impl Drop for Woken {
    fn drop(&mut self) {
        WAKEUPS.fetch_add(1, Ordering::Relaxed);
        BLOCKED.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::snapshot;
    use std::time::{Duration, Instant};

    /// Polls `done` for up to ten seconds.
    fn eventually(mut done: impl FnMut() -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    #[test]
    fn a_thread_waiting_for_a_held_lock_is_blocked_until_it_gets_it() {
        let _alone = crate::alone();
        let lock = crate::sync::Arc::new(crate::sync::Mutex::new(0));
        let held = lock.lock().unwrap();
        let before = snapshot();
        let waiter = {
            let lock = crate::sync::Arc::clone(&lock);
            crate::thread::spawn(move || *lock.lock().unwrap() += 1)
        };
        // The waiter and this thread (the round's, here) are the whole scenario:
        // blocked is the waiter alone, so not all are.
        assert!(eventually(|| snapshot().blocked == before.blocked + 1));
        assert!(!snapshot().all_blocked(1));
        drop(held);
        waiter.join().unwrap();
        let after = snapshot();
        assert_eq!(after.blocked, before.blocked);
        assert!(after.wakeups >= before.wakeups + 2, "{before:?} {after:?}");
        assert_eq!(*lock.lock().unwrap(), 1);
    }

    #[test]
    fn two_threads_locking_crosswise_are_all_blocked() {
        let _alone = crate::alone();
        let (a, b) = (
            crate::sync::Arc::new(crate::sync::Mutex::new(())),
            crate::sync::Arc::new(crate::sync::Mutex::new(())),
        );
        let both = std::sync::Arc::new(std::sync::Barrier::new(2));
        let crosswise = |first: crate::sync::Arc<crate::sync::Mutex<()>>,
                         second: crate::sync::Arc<crate::sync::Mutex<()>>| {
            let both = std::sync::Arc::clone(&both);
            crate::thread::spawn(move || {
                let _first = first.lock().unwrap();
                both.wait();
                let _second = second.lock().unwrap();
            })
        };
        // Never joined: they stay blocked until the test process ends.
        let _one = crosswise(crate::sync::Arc::clone(&a), crate::sync::Arc::clone(&b));
        let _other = crosswise(b, a);
        assert!(eventually(|| snapshot().all_blocked(0)), "{:?}", snapshot());
        let stuck = snapshot();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(snapshot().wakeups, stuck.wakeups);
    }
}
