//! Locks and shared ownership, as [`std::sync`]: `Arc`, `Mutex`, `MutexGuard`,
//! `RwLock` and its guards, `OnceLock`, and [`atomic`].
//!
//! Under loom and shuttle, taking and releasing a lock is recorded for the
//! interleaving tables (see [`crate::trace`]); with std nothing is recorded.

pub mod atomic;
mod once_lock;
mod rwlock;

pub use once_lock::OnceLock;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::backend;
use std::borrow::Borrow;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// A mutual-exclusion lock, as [`std::sync::Mutex`].
pub struct Mutex<T> {
    inner: backend::sync::Mutex<T>,
    /// `Mutex#1`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: String,
}

/// The guard of a locked [`Mutex`], as [`std::sync::MutexGuard`].
///
/// Under loom and shuttle, what is read and written through it is recorded for the
/// interleaving tables, at the line that reads or writes (`*guard`, `*guard -= x`):
/// a read when the guard is dereferenced, a write when a guard that was dereferenced
/// mutably is dropped, with the value it leaves.
pub struct MutexGuard<'a, T> {
    inner: backend::sync::MutexGuard<'a, T>,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: &'a str,
    /// Where the guard was last dereferenced mutably, if it was.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    written_at: Option<&'static Location<'static>>,
}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            inner: backend::sync::Mutex::new(value),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: trace::name_object("Mutex"),
        }
    }

    /// Blocks until the lock is free, then takes it, as [`std::sync::Mutex::lock`].
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let result = self.inner.lock();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record("lock", Some(&self.name), None, Some(Location::caller()));
        match result {
            Ok(inner) => Ok(self.guard(inner)),
            Err(poisoned) => Err(PoisonError::new(self.guard(poisoned.into_inner()))),
        }
    }

    /// The facade's guard over the backend's (every way of taking the lock makes its
    /// guard here, so that what is read and written through it is recorded).
    #[inline]
    fn guard<'a>(&'a self, inner: backend::sync::MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        MutexGuard {
            inner,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: self.name.as_str(),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            written_at: None,
        }
    }

    /// The value, when nobody else can have the lock, as [`std::sync::Mutex::into_inner`].
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Locking here would be a step of the model (and could block), so no backend
        // prints the value.
        f.write_str("Mutex { .. }")
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            "read",
            Some(self.name),
            trace::primitive_value(&*self.inner),
            Some(Location::caller()),
        );
        &self.inner
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    #[inline]
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            self.written_at = Some(Location::caller());
        }
        &mut self.inner
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(at) = self.written_at {
            let value = trace::primitive_value(&*self.inner);
            trace::record("write", Some(self.name), value, Some(at));
        }
        trace::record("unlock", Some(self.name), None, None);
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

/// A thread-safe reference-counted pointer, as [`std::sync::Arc`].
pub struct Arc<T: ?Sized> {
    inner: backend::sync::Arc<T>,
}

impl<T> Arc<T> {
    /// Puts `value` behind a new reference count of one.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Arc {
            inner: backend::sync::Arc::new(value),
        }
    }

    /// The value, if `this` is its only `Arc`; `this` back otherwise.
    #[inline]
    #[track_caller]
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        backend::sync::Arc::try_unwrap(this.inner).map_err(|inner| Arc { inner })
    }
}

impl<T: ?Sized> Arc<T> {
    /// How many `Arc`s point to the value.
    #[inline]
    #[track_caller]
    pub fn strong_count(this: &Self) -> usize {
        backend::sync::Arc::strong_count(&this.inner)
    }

    /// Whether both point to the same value (not just equal values).
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        backend::sync::Arc::ptr_eq(&this.inner, &other.inner)
    }

    /// The value, mutably, if `this` is its only `Arc`.
    #[inline]
    #[track_caller]
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        backend::sync::Arc::get_mut(&mut this.inner)
    }
}

impl<T: ?Sized> Clone for Arc<T> {
    #[inline]
    #[track_caller]
    fn clone(&self) -> Self {
        Arc {
            inner: backend::sync::Arc::clone(&self.inner),
        }
    }
}

impl<T: ?Sized> Deref for Arc<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> AsRef<T> for Arc<T> {
    #[inline]
    fn as_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> Borrow<T> for Arc<T> {
    #[inline]
    fn borrow(&self) -> &T {
        &self.inner
    }
}

impl<T: Default> Default for Arc<T> {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    #[inline]
    #[track_caller]
    fn from(value: T) -> Self {
        Arc::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::{Arc, Mutex};

    #[test]
    fn types_are_named_by_their_facade_path() {
        assert_eq!(
            std::any::type_name::<Mutex<u64>>(),
            "racelab_sync::sync::Mutex<u64>"
        );
        assert_eq!(
            std::any::type_name::<Arc<u64>>(),
            "racelab_sync::sync::Arc<u64>"
        );
        assert_eq!(
            std::any::type_name::<crate::thread::JoinHandle<()>>(),
            "racelab_sync::thread::JoinHandle<()>"
        );
    }

    #[test]
    fn debug_output_is_the_same_in_every_backend() {
        crate::model(|| {
            let lock = Mutex::new(7_u64);
            assert_eq!(format!("{lock:?}"), "Mutex { .. }");
            assert_eq!(format!("{:?}", lock.lock().unwrap()), "7");
            assert_eq!(format!("{:?}", Arc::new(7_u64)), "7");
            let handle = crate::thread::spawn(|| ());
            assert_eq!(format!("{handle:?}"), "JoinHandle { .. }");
            handle.join().unwrap();
        });
    }

    #[test]
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn values_through_a_guard_are_recorded_where_the_code_uses_it() {
        crate::model(|| {
            crate::trace::begin_execution();
            crate::trace::record_call_stacks(true);
            let lock = Mutex::new(500_i64);
            let (read, read_line) = (*lock.lock().unwrap(), line!());
            *lock.lock().unwrap() -= read;
            let write_line = line!() - 1;
            crate::trace::record_call_stacks(false);
            let steps = crate::trace::snapshot();
            let at = |action: &str| steps.iter().find(|s| s.action == action).unwrap();
            let here = |line: u32| format!("{}:{line}", file!());
            assert_eq!(at("read").value.as_deref(), Some("500"));
            assert!(
                at("read")
                    .location
                    .as_ref()
                    .unwrap()
                    .ends_with(&here(read_line))
            );
            assert_eq!(at("write").value.as_deref(), Some("0"));
            assert!(
                at("write")
                    .location
                    .as_ref()
                    .unwrap()
                    .ends_with(&here(write_line))
            );
            // The facade's own frames (this test's too) are left out of the stacks.
            assert!(at("read").callers.iter().all(|c| !c.contains("/sync/src/")));
        });
    }

    #[test]
    fn arc_counts_and_unwraps_like_std() {
        crate::model(|| {
            let mut one = Arc::new(Mutex::new(1_u64));
            *Arc::get_mut(&mut one).unwrap().lock().unwrap() += 1;
            let two = Arc::clone(&one);
            assert_eq!(Arc::strong_count(&one), 2);
            assert!(Arc::ptr_eq(&one, &two));
            let one = Arc::try_unwrap(one).unwrap_err();
            drop(two);
            let lock = Arc::try_unwrap(one).unwrap();
            assert_eq!(lock.into_inner().unwrap(), 2);
        });
    }
}
