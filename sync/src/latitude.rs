//! What std's documentation allows and loom and shuttle would never do on their own,
//! made to happen under them (`docs/explorers.md` lists each latitude and who models it).
//!
//! - **Spurious events** ([`spurious`]): a `Condvar::wait` that returns without a
//!   notification, a `compare_exchange_weak` that fails although the value matched.
//!   Under shuttle each is a draw from shuttle's scheduler-controlled randomness, so
//!   it is part of the schedule that replays a failure. At most one spurious wakeup
//!   happens per execution, so a waiting loop always gets to its real wait (a
//!   spurious wakeup in every wait would hide every lost wakeup); at most one weak
//!   exchange fails spuriously per thread, so a retrying loop always ends, and every
//!   thread's claim may fail at once (code that assumes some thread's claim succeeds
//!   is caught). loom offers a
//!   program no choice it can observe other than schedules and the values of loads,
//!   which both need another thread: under loom no spurious event happens.
//! - **Spinning** ([`observed`], [`released`]): a thread that gets the same result
//!   from the same operation on the same object at the same line as the last time it
//!   was there has learned nothing: it waits for another thread, however it spells
//!   the pause (`std::hint::spin_loop()` is invisible to the explorers). It yields to
//!   the explorer (always a legal schedule) when it next releases a lock, or when it
//!   finds something unchanged once more, so a correct busy-wait ends instead of
//!   exhausting loom's branches or shuttle's steps.
//! - **A try that never blocks** ([`without_blocking`], loom): loom holds a thread
//!   that is about to `try_lock` a mutex until the mutex is free again if another
//!   thread takes it at that moment (tokio-rs/loom#376), as if it had called `lock`;
//!   the facade gives the attempt a scheduling point of its own and makes the
//!   attempt itself a step no other thread can come between.
//!
//! The state lives per OS thread: loom and shuttle run every model thread of one
//! exploration on the thread that started it, and the exploration drivers
//! ([`crate::explore`]) start each execution afresh with [`begin_execution`].

use crate::backend;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::Location;

/// The spurious events std allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spurious {
    /// `Condvar::wait` returns without a notification.
    Wakeup,
    /// `compare_exchange_weak` fails although the value was the one expected.
    WeakExchangeFailure,
}

/// How many spurious wakeups one execution may have.
const WAKEUPS_PER_EXECUTION: u8 = 1;

/// The chance of a spurious event where one may happen, one in this many: often
/// enough that thousands of executions show it, rarely enough that most waits are
/// real ones, which the lost-wakeup bugs need.
#[cfg(feature = "shuttle")]
const ONE_IN: u32 = 4;

/// What the facade remembers of the execution in progress.
struct Execution {
    wakeups_left: u8,
    /// The threads whose weak exchange has failed spuriously once already.
    failed_weakly: HashSet<backend::thread::ThreadId>,
    /// The result each thread last got from each object at each line.
    last_results: HashMap<Site, String>,
    /// The threads that found something unchanged since they last released a lock.
    owe_a_yield: HashSet<backend::thread::ThreadId>,
}

/// One thread's operations on one object at one line of code.
#[derive(PartialEq, Eq, Hash)]
struct Site {
    thread: backend::thread::ThreadId,
    /// The address of the object's name in the traces: unique among live objects.
    object: usize,
    at: &'static Location<'static>,
}

impl Execution {
    fn new() -> Self {
        Execution {
            wakeups_left: WAKEUPS_PER_EXECUTION,
            failed_weakly: HashSet::new(),
            last_results: HashMap::new(),
            owe_a_yield: HashSet::new(),
        }
    }

    /// Whether the spurious event `kind` may still happen on the current thread.
    fn may(&self, kind: Spurious) -> bool {
        match kind {
            Spurious::Wakeup => self.wakeups_left > 0,
            Spurious::WeakExchangeFailure => !self
                .failed_weakly
                .contains(&backend::thread::current().id()),
        }
    }

    /// Counts the spurious event `kind`, which has just happened on the current thread.
    fn happened(&mut self, kind: Spurious) {
        match kind {
            Spurious::Wakeup => self.wakeups_left -= 1,
            Spurious::WeakExchangeFailure => {
                self.failed_weakly.insert(backend::thread::current().id());
            }
        }
    }
}

thread_local! {
    static EXECUTION: RefCell<Execution> = RefCell::new(Execution::new());
}

/// Forgets the last execution: called when an execution starts.
pub(crate) fn begin_execution() {
    EXECUTION.with_borrow_mut(|execution| *execution = Execution::new());
}

/// Whether the spurious event `kind` happens here, in this execution.
pub(crate) fn spurious(kind: Spurious) -> bool {
    if !EXECUTION.with_borrow(|execution| execution.may(kind)) {
        return false;
    }
    #[cfg(feature = "shuttle")]
    let happens = {
        use shuttle::rand::Rng;
        shuttle::rand::thread_rng().gen_ratio(1, ONE_IN)
    };
    #[cfg(feature = "loom")]
    let happens = false;
    if happens {
        EXECUTION.with_borrow_mut(|execution| execution.happened(kind));
    }
    happens
}

/// Notes that the current thread got `result` from the object named `object` at
/// `at`: if that is what it got there the last time, it is waiting for another
/// thread, and owes the explorer a yield.
///
/// It pays when it next releases a lock ([`released`]), or at once if it finds
/// something unchanged again before that. A thread that finds a lock busy usually
/// holds one of its own, which the thread it waits for needs: a yield while holding
/// it would only make that thread fail too (two threads backing off from each other
/// would then be kept in lockstep for ever), and shuttle's PCT ignores a yield when
/// nobody else can run.
pub(crate) fn observed(object: &str, at: &'static Location<'static>, result: &str) {
    let thread = backend::thread::current().id();
    let site = Site {
        thread,
        object: object.as_ptr() as usize,
        at,
    };
    let yields_now = EXECUTION.with_borrow_mut(|execution| {
        let unchanged = match execution.last_results.get_mut(&site) {
            Some(last) if last == result => true,
            Some(last) => {
                result.clone_into(last);
                false
            }
            None => {
                execution.last_results.insert(site, result.to_owned());
                false
            }
        };
        // A debt already owed is paid now.
        unchanged && !execution.owe_a_yield.insert(thread)
    });
    if yields_now {
        backend::thread::yield_now();
    }
}

/// Called when the current thread has released a lock: yields if it owes a yield
/// (see [`observed`]).
pub(crate) fn released() {
    let thread = backend::thread::current().id();
    if EXECUTION.with_borrow_mut(|execution| execution.owe_a_yield.remove(&thread)) {
        backend::thread::yield_now();
    }
}

/// Runs `attempt`, a `try_lock` (or `try_read`, `try_write`) of the backend, so that
/// it never blocks: a scheduling point first, where any other thread may go (take the
/// lock, say), then the attempt as one step with the thread before it, so no thread
/// can take the lock while this one is about to try it.
#[cfg(feature = "loom")]
pub(crate) fn without_blocking<R>(attempt: impl FnOnce() -> R) -> R {
    // A fresh object no other thread touches: a scheduling point and nothing else.
    loom::sync::Notify::new().notify();
    loom::stop_exploring();
    let result = attempt();
    loom::explore();
    result
}

/// Runs `attempt` (shuttle's `try_lock` never holds a thread back).
#[cfg(feature = "shuttle")]
pub(crate) fn without_blocking<R>(attempt: impl FnOnce() -> R) -> R {
    attempt()
}

#[cfg(test)]
mod tests {
    use super::begin_execution;
    use crate::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use crate::sync::{Arc, Condvar, Mutex};
    use crate::thread;
    use std::sync::atomic::AtomicUsize;

    /// Runs `body` in many executions of the backend, each started afresh, under
    /// the schedulers the grader uses (loom's DPOR with a preemption bound, without
    /// which a livelock is always one more preemption away; shuttle's PCT).
    fn explore(body: impl Fn() + Send + Sync + 'static) {
        // These executions record steps too: not while a test reads the record.
        let _alone = crate::alone();
        let body = move || {
            begin_execution();
            body();
        };
        #[cfg(feature = "loom")]
        {
            let mut builder = loom::model::Builder::new();
            builder.preemption_bound = Some(3);
            builder.check(body);
        }
        #[cfg(feature = "shuttle")]
        shuttle::check_pct(body, 400, 3);
    }

    #[test]
    fn a_wait_may_return_without_a_notification_under_shuttle_only() {
        static UNNOTIFIED: AtomicUsize = AtomicUsize::new(0);
        explore(|| {
            let shared = Arc::new((Mutex::new(false), Condvar::new()));
            let setter = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    let (ready, wakeup) = &*shared;
                    *ready.lock().unwrap() = true;
                    wakeup.notify_one();
                })
            };
            let (ready, wakeup) = &*shared;
            let mut guard = ready.lock().unwrap();
            if !*guard {
                guard = wakeup.wait(guard).unwrap();
                if !*guard {
                    UNNOTIFIED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            // `wait_while` stays right whatever the wakeups.
            let guard = wakeup.wait_while(guard, |ready| !*ready).unwrap();
            assert!(*guard);
            drop(guard);
            setter.join().unwrap();
        });
        let unnotified = UNNOTIFIED.load(std::sync::atomic::Ordering::Relaxed);
        if cfg!(feature = "shuttle") {
            assert!(unnotified > 0, "no spurious wakeup in 400 executions");
        } else {
            assert_eq!(unnotified, 0);
        }
    }

    #[test]
    fn a_weak_exchange_may_fail_with_the_expected_value_under_shuttle_only() {
        static SPURIOUS: AtomicUsize = AtomicUsize::new(0);
        explore(|| {
            // (PCT wants a second thread to schedule.)
            let other = thread::spawn(thread::yield_now);
            let value = AtomicU64::new(5);
            let mut tries = 0;
            while let Err(seen) =
                value.compare_exchange_weak(5, 6, Ordering::AcqRel, Ordering::Acquire)
            {
                assert_eq!(seen, 5, "only this thread writes");
                tries += 1;
            }
            assert!(tries <= 1, "at most one spurious failure per thread");
            SPURIOUS.fetch_add(tries, std::sync::atomic::Ordering::Relaxed);
            assert_eq!(value.load(Ordering::Relaxed), 6);
            other.join().unwrap();
        });
        let spurious = SPURIOUS.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(spurious > 0, cfg!(feature = "shuttle"), "{spurious}");
    }

    /// Two threads claim with one weak exchange each and no retry: under shuttle some
    /// execution has both claims fail, so code that assumes one of them wins is caught.
    #[test]
    fn every_threads_weak_claim_may_fail_in_one_execution_under_shuttle_only() {
        static BOTH_FAILED: AtomicUsize = AtomicUsize::new(0);
        explore(|| {
            let state = Arc::new(AtomicU64::new(0));
            let claim = |state: &AtomicU64| {
                state
                    .compare_exchange_weak(0, 1, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            };
            let other = {
                let state = Arc::clone(&state);
                thread::spawn(move || claim(&state))
            };
            let mine = claim(&state);
            let theirs = other.join().unwrap();
            assert!(!(mine && theirs), "one value, one claim");
            if !mine && !theirs {
                assert_eq!(state.load(Ordering::Relaxed), 0);
                BOTH_FAILED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        let both_failed = BOTH_FAILED.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(both_failed > 0, cfg!(feature = "shuttle"), "{both_failed}");
    }

    /// `std::hint::spin_loop` does nothing the explorers see; the thread reading the
    /// same value at the same line yields instead, so the exploration ends.
    #[test]
    fn a_busy_wait_with_a_spin_hint_ends() {
        explore(|| {
            let ready = Arc::new(AtomicBool::new(false));
            let setter = {
                let ready = Arc::clone(&ready);
                thread::spawn(move || ready.store(true, Ordering::Release))
            };
            while !ready.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
            setter.join().unwrap();
        });
    }

    /// Two threads take two locks in opposite orders, both with `try_lock` only, and
    /// let go of everything when either is busy: the explorers must not keep them in
    /// lockstep for ever by making each yield while it holds what the other needs.
    #[test]
    fn two_threads_backing_off_from_each_other_both_finish() {
        explore(|| {
            let locks = Arc::new((Mutex::new(0_u64), Mutex::new(0_u64)));
            let take_both = |locks: &(Mutex<u64>, Mutex<u64>), flipped: bool| {
                let (a, b) = if flipped {
                    (&locks.1, &locks.0)
                } else {
                    (&locks.0, &locks.1)
                };
                loop {
                    let Ok(mut first) = a.try_lock() else {
                        continue;
                    };
                    let Ok(mut second) = b.try_lock() else {
                        continue;
                    };
                    *first += 1;
                    *second += 1;
                    return;
                }
            };
            let other = {
                let locks = Arc::clone(&locks);
                thread::spawn(move || take_both(&locks, true))
            };
            take_both(&locks, false);
            other.join().unwrap();
        });
    }

    /// One thread locks in order, the other takes its second lock with `try_lock` and
    /// backs off: no deadlock is possible, and none is reported (tokio-rs/loom#376).
    #[test]
    fn a_try_lock_that_would_fail_never_blocks() {
        explore(|| {
            let locks = Arc::new((Mutex::new(0_u64), Mutex::new(0_u64)));
            let ascending = {
                let locks = Arc::clone(&locks);
                thread::spawn(move || {
                    let (first, second) = &*locks;
                    for _ in 0..2 {
                        let _first = first.lock().unwrap();
                        *second.lock().unwrap() += 1;
                    }
                })
            };
            let (first, second) = &*locks;
            for _ in 0..2 {
                loop {
                    let _second = second.lock().unwrap();
                    if let Ok(mut first) = first.try_lock() {
                        *first += 1;
                        break;
                    }
                }
            }
            ascending.join().unwrap();
        });
    }
}
