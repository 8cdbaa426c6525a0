//! Threads, as [`std::thread`]: `spawn`, `JoinHandle` and `yield_now`.
//!
//! Under loom and shuttle, spawning, waiting to join and joining are recorded for the interleaving
//! tables (see [`crate::trace`]).

use crate::backend;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// An owned permission to join a spawned thread, as [`std::thread::JoinHandle`].
pub struct JoinHandle<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<backend::thread::JoinHandle<T>>,
    /// `T1`, `T2`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    label: trace::Thread,
    /// The label's place, so that every backend lays the handle out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _label: crate::layout::Padding<1>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish, as [`std::thread::JoinHandle::join`].
    #[inline]
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let caller = Location::caller();
        // The last step of a thread that waits here for ever.
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::JoinRequested { thread: self.label },
            Some(caller),
        );
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = (*self.inner).join();
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = crate::blocked::waiting(|| (*self.inner).join());
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(trace::Event::Joined { thread: self.label }, Some(caller));
        result
    }
}

// Whatever the backend's handle is: loom's and shuttle's are unwind-safe, std's is
// not, and a subject must not be able to tell the backends apart by their traits.
impl<T> UnwindSafe for JoinHandle<T> {}
impl<T> RefUnwindSafe for JoinHandle<T> {}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JoinHandle { .. }")
    }
}

/// Spawns a thread, as [`std::thread::spawn`].
#[inline]
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let f = live::counted(f);
    #[cfg(feature = "loom")]
    let inner = loom::thread::Builder::new()
        .stack_size(crate::explore::LOOM_STACK_WORDS)
        .spawn(f)
        .expect("loom's Builder::spawn does not fail");
    #[cfg(not(feature = "loom"))]
    let inner = backend::thread::spawn(f);
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    {
        let label = trace::thread_of(&format!("{:?}", inner.thread().id()));
        trace::record(
            trace::Event::Spawn { thread: label },
            Some(Location::caller()),
        );
        JoinHandle {
            inner: Box::new(inner),
            label,
        }
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    JoinHandle {
        inner: Box::new(inner),
        _label: crate::layout::Padding::new(),
    }
}

/// Lets another thread run, as [`std::thread::yield_now`] (a scheduling point under
/// loom and shuttle).
#[inline]
pub fn yield_now() {
    backend::thread::yield_now();
}

/// How many threads spawned through the facade have not returned yet (on real
/// threads; see [`crate::blocked`]).
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
pub(crate) fn running() -> usize {
    live::running()
}

/// On real threads, a count of the threads spawned through the facade that are still
/// running, so that code which starts threads without end is stopped at a fixed
/// number, deterministically, before it exhausts the machine's process ids. (loom
/// and shuttle bound their threads themselves.)
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
mod live {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// How many facade threads may run at once.
    pub const MAX_THREADS: usize = 256;

    static RUNNING: AtomicUsize = AtomicUsize::new(0);

    /// The threads running now.
    pub fn running() -> usize {
        RUNNING.load(Ordering::Relaxed)
    }

    /// Counts one more running thread, or panics past [`MAX_THREADS`]; returns `f`
    /// wrapped so that the count drops when it returns or unwinds.
    #[track_caller]
    pub fn counted<F, T>(f: F) -> impl FnOnce() -> T + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        counted_in(&RUNNING, MAX_THREADS, f)
    }

    #[track_caller]
    fn counted_in<F, T>(
        running: &'static AtomicUsize,
        max: usize,
        f: F,
    ) -> impl FnOnce() -> T + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if running.fetch_add(1, Ordering::SeqCst) >= max {
            running.fetch_sub(1, Ordering::SeqCst);
            panic!("the subject started more than {max} threads at once");
        }
        let ended = Ended(running);
        move || {
            let _ended = ended;
            f()
        }
    }

    /// Drops the count when the thread's closure is done (or was never run).
    struct Ended(&'static AtomicUsize);

    impl Drop for Ended {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::counted_in;
        use std::sync::atomic::{AtomicUsize, Ordering};

        #[test]
        fn threads_past_the_limit_are_refused_and_ended_ones_free_their_place() {
            static RUNNING: AtomicUsize = AtomicUsize::new(0);
            let first = counted_in(&RUNNING, 2, || 1);
            let second = counted_in(&RUNNING, 2, || 2);
            let refused = std::panic::catch_unwind(|| drop(counted_in(&RUNNING, 2, || 3)));
            let message = *refused.err().unwrap().downcast::<String>().unwrap();
            assert!(message.contains("more than 2 threads"), "{message}");
            assert_eq!(RUNNING.load(Ordering::SeqCst), 2);
            assert_eq!(std::thread::spawn(first).join().unwrap(), 1);
            assert_eq!(RUNNING.load(Ordering::SeqCst), 1);
            drop(second);
            let third = counted_in(&RUNNING, 2, || 3);
            assert_eq!(third(), 3);
            assert_eq!(RUNNING.load(Ordering::SeqCst), 0);
        }
    }
}
