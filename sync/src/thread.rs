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
    inner: backend::thread::JoinHandle<T>,
    /// `T1`, `T2`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    label: String,
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
        trace::record(&format!("joining {}", self.label), None, None, Some(caller));
        let result = self.inner.join();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(&format!("join {}", self.label), None, None, Some(caller));
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
    let inner = backend::thread::spawn(f);
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    {
        let id = format!("{:?}", inner.thread().id());
        let number: String = id.chars().filter(char::is_ascii_digit).collect();
        let label = format!("T{number}");
        trace::record(
            &format!("spawn {label}"),
            None,
            None,
            Some(Location::caller()),
        );
        JoinHandle { inner, label }
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    JoinHandle { inner }
}

/// Lets another thread run, as [`std::thread::yield_now`] (a scheduling point under
/// loom and shuttle).
#[inline]
pub fn yield_now() {
    backend::thread::yield_now();
}
