//! The sync facade: the one place in Racelab that names `std`, `loom` or `shuttle`.
//!
//! Exercises, solutions and the grader's scenarios import threads, locks, atomics and
//! shared cells from here. The same source is then compiled three ways:
//!
//! | build            | backend   | who uses it                                        |
//! |------------------|-----------|----------------------------------------------------|
//! | plain            | `std`     | real OS threads: the stress and ThreadSanitizer stages |
//! | `--cfg loom`     | `loom`    | exhaustive, bounded exploration under the C11 model |
//! | `--cfg shuttle`  | `shuttle` | randomized (PCT) exploration, replayable           |
//!
//! The module layout mirrors `std` (`thread`, `sync`, `sync::atomic`), so a fix written
//! for real code reads like real code.

#[cfg(all(loom, shuttle))]
compile_error!("choose one of `--cfg loom` and `--cfg shuttle`, not both");

pub mod cell;
pub mod explore;
pub mod gate;
#[cfg(any(loom, shuttle))]
mod modelled;
pub mod trace;

/// Which backend this build uses: `"std"`, `"loom"` or `"shuttle"`.
pub const BACKEND: &str = if cfg!(loom) {
    "loom"
} else if cfg!(shuttle) {
    "shuttle"
} else {
    "std"
};

/// Threads: `spawn`, `JoinHandle` and `yield_now`, from the selected backend.
pub mod thread {
    #[cfg(any(loom, shuttle))]
    pub use crate::modelled::thread::{JoinHandle, spawn, yield_now};
    #[cfg(not(any(loom, shuttle)))]
    pub use std::thread::{JoinHandle, spawn, yield_now};
}

/// Locks and shared ownership: `Arc`, `Mutex`, `MutexGuard`, plus `atomic`.
pub mod sync {
    #[cfg(any(loom, shuttle))]
    pub use crate::modelled::{Mutex, MutexGuard};
    #[cfg(loom)]
    pub use loom::sync::Arc;
    #[cfg(shuttle)]
    pub use shuttle::sync::Arc;
    #[cfg(not(any(loom, shuttle)))]
    pub use std::sync::{Arc, Mutex, MutexGuard};

    /// Atomic integers and flags, with `Ordering` and `fence`.
    pub mod atomic {
        #[cfg(any(loom, shuttle))]
        pub use crate::modelled::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize};
        #[cfg(loom)]
        pub use loom::sync::atomic::fence;
        #[cfg(shuttle)]
        pub use shuttle::sync::atomic::fence;
        pub use std::sync::atomic::Ordering;
        #[cfg(not(any(loom, shuttle)))]
        pub use std::sync::atomic::{
            AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, fence,
        };
    }
}
