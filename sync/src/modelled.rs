//! The facade's own threads, locks and atomics for the loom and shuttle builds: thin
//! wrappers over the backend's types that record every step for the interleaving
//! tables (see [`crate::trace`]). Their API is `std`'s, so code written against the
//! facade reads like ordinary Rust. Plain builds use `std`'s types directly.

#[cfg(loom)]
use loom as backend;
#[cfg(shuttle)]
use shuttle as backend;

use crate::trace;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::Ordering;
use std::sync::{LockResult, PoisonError};

/// Threads, as [`std::thread`].
pub mod thread {
    use super::{Location, backend, trace};

    pub use super::backend::thread::yield_now;

    /// An owned permission to join a spawned thread, as [`std::thread::JoinHandle`].
    pub struct JoinHandle<T> {
        inner: backend::thread::JoinHandle<T>,
        label: String,
    }

    impl<T> JoinHandle<T> {
        /// Waits for the thread to finish, as [`std::thread::JoinHandle::join`].
        #[track_caller]
        pub fn join(self) -> std::thread::Result<T> {
            let caller = Location::caller();
            let result = self.inner.join();
            trace::record(&format!("join {}", self.label), None, None, Some(caller));
            result
        }
    }

    impl<T> std::fmt::Debug for JoinHandle<T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "JoinHandle({})", self.label)
        }
    }

    /// Spawns a thread, as [`std::thread::spawn`].
    #[track_caller]
    pub fn spawn<F, T>(f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let caller = Location::caller();
        let inner = backend::thread::spawn(f);
        let id = format!("{:?}", inner.thread().id());
        let number: String = id.chars().filter(char::is_ascii_digit).collect();
        let label = format!("T{number}");
        trace::record(&format!("spawn {label}"), None, None, Some(caller));
        JoinHandle { inner, label }
    }
}

/// A mutual-exclusion lock, as [`std::sync::Mutex`].
pub struct Mutex<T> {
    inner: backend::sync::Mutex<T>,
    name: String,
}

/// The guard of a locked [`Mutex`], as [`std::sync::MutexGuard`].
pub struct MutexGuard<'a, T> {
    inner: backend::sync::MutexGuard<'a, T>,
    name: &'a str,
}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            inner: backend::sync::Mutex::new(value),
            name: trace::name_object("Mutex"),
        }
    }

    /// Blocks until the lock is free, then takes it, as [`std::sync::Mutex::lock`].
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let caller = Location::caller();
        let name = self.name.as_str();
        let result = self.inner.lock();
        trace::record("lock", Some(name), None, Some(caller));
        match result {
            Ok(inner) => Ok(MutexGuard { inner, name }),
            Err(poisoned) => Err(PoisonError::new(MutexGuard {
                inner: poisoned.into_inner(),
                name,
            })),
        }
    }

    /// The value, when nobody else can have the lock, as [`std::sync::Mutex::into_inner`].
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Locking here would be a step of the model; the name is enough.
        write!(f, "Mutex({})", self.name)
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        trace::record("unlock", Some(self.name), None, None);
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

/// Defines a recording wrapper over one backend atomic type; the methods listed take
/// the same arguments as `std`'s and record the value they return or store.
macro_rules! recorded_atomic {
    ($name:ident, $value:ty, { $($extra:tt)* }) => {
        #[doc = concat!("An atomic `", stringify!($value), "`, as [`std::sync::atomic::", stringify!($name), "`].")]
        pub struct $name {
            inner: backend::sync::atomic::$name,
            name: String,
        }

        impl $name {
            /// A new atomic holding `value`.
            #[track_caller]
            pub fn new(value: $value) -> Self {
                $name { inner: backend::sync::atomic::$name::new(value), name: trace::name_object(stringify!($name)) }
            }

            fn step<R: fmt::Debug>(&self, action: &str, result: R, caller: &'static Location<'static>) -> R {
                trace::record(action, Some(&self.name), Some(format!("{result:?}")), Some(caller));
                result
            }

            /// Loads the value.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $value {
                self.step("load", self.inner.load(order), Location::caller())
            }

            /// Stores `value`.
            #[track_caller]
            pub fn store(&self, value: $value, order: Ordering) {
                self.inner.store(value, order);
                self.step("store", value, Location::caller());
            }

            /// Stores `value`, returning the previous value.
            #[track_caller]
            pub fn swap(&self, value: $value, order: Ordering) -> $value {
                self.step(&format!("swap({value:?})"), self.inner.swap(value, order), Location::caller())
            }

            /// Stores `new` if the value is `current`; returns the previous value.
            #[track_caller]
            pub fn compare_exchange(&self, current: $value, new: $value, success: Ordering, failure: Ordering) -> Result<$value, $value> {
                let result = self.inner.compare_exchange(current, new, success, failure);
                self.step(&format!("compare_exchange({current:?} → {new:?})"), result, Location::caller())
            }

            /// Like `compare_exchange`, but may fail spuriously.
            #[track_caller]
            pub fn compare_exchange_weak(&self, current: $value, new: $value, success: Ordering, failure: Ordering) -> Result<$value, $value> {
                let result = self.inner.compare_exchange_weak(current, new, success, failure);
                self.step(&format!("compare_exchange_weak({current:?} → {new:?})"), result, Location::caller())
            }

            /// Applies `f` until it returns `None` or its result is stored; returns the
            /// previous value.
            #[track_caller]
            pub fn fetch_update<F>(&self, set_order: Ordering, fetch_order: Ordering, f: F) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                let result = self.inner.fetch_update(set_order, fetch_order, f);
                self.step("fetch_update", result, Location::caller())
            }

            /// The value, when nobody else can touch the atomic.
            pub fn into_inner(self) -> $value {
                self.inner.into_inner()
            }

            $($extra)*
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Loading here would be a step of the model; the name is enough.
                write!(f, "{}", self.name)
            }
        }
    };
}

/// The read-modify-write operations of an atomic; each records the previous value.
macro_rules! fetch_ops {
    ($value:ty: $($op:ident),*) => {
        $(
            #[doc = concat!("`", stringify!($op), "`: returns the previous value.")]
            #[track_caller]
            pub fn $op(&self, value: $value, order: Ordering) -> $value {
                self.step(&format!("{}({value:?})", stringify!($op)), self.inner.$op(value, order), Location::caller())
            }
        )*
    };
}

recorded_atomic!(AtomicBool, bool, {
    fetch_ops!(bool: fetch_and, fetch_or, fetch_xor);
});
recorded_atomic!(AtomicU32, u32, {
    fetch_ops!(u32: fetch_add, fetch_sub, fetch_max, fetch_min, fetch_and, fetch_or);
});
recorded_atomic!(AtomicU64, u64, {
    fetch_ops!(u64: fetch_add, fetch_sub, fetch_max, fetch_min, fetch_and, fetch_or);
});
recorded_atomic!(AtomicI64, i64, {
    fetch_ops!(i64: fetch_add, fetch_sub, fetch_max, fetch_min, fetch_and, fetch_or);
});
recorded_atomic!(AtomicUsize, usize, {
    fetch_ops!(usize: fetch_add, fetch_sub, fetch_max, fetch_min, fetch_and, fetch_or);
});
