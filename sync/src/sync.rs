//! Locks and shared ownership, as [`std::sync`]: `Arc`, `Mutex`, `MutexGuard`,
//! `Condvar`, `RwLock` and its guards, `OnceLock`, and [`atomic`].
//!
//! Under loom and shuttle, asking for a lock, taking it and releasing it is recorded
//! for the interleaving tables and the deadlock reports (see [`crate::trace`]); with
//! std nothing is recorded.

mod async_mutex;
pub mod atomic;
mod condvar;
mod once_lock;
pub mod oneshot;
mod rwlock;

pub use async_mutex::{AsyncMutex, AsyncMutexGuard, Lock};
pub use condvar::Condvar;
pub use once_lock::OnceLock;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
// The results and errors of locking are std's own in every backend.
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use crate::backend;
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
use crate::layout::Padding;
use crate::layout::{Held, unheld};
use std::borrow::Borrow;
use std::fmt;
use std::ops::{Deref, DerefMut};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// A mutual-exclusion lock, as [`std::sync::Mutex`].
pub struct Mutex<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<backend::sync::Mutex<T>>,
    /// `Mutex#1`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: String,
    /// The name's place, so that every backend lays the mutex out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _name: Padding<3>,
}

/// The guard of a locked [`Mutex`], as [`std::sync::MutexGuard`].
///
/// Under loom and shuttle, what is read and written through it is recorded for the
/// interleaving tables, at the line that reads or writes (`*guard`, `*guard -= x`):
/// a read when the guard is dereferenced, a write when a guard that was dereferenced
/// mutably is dropped, with the value it leaves; then the unlock, before the backend's
/// guard releases the lock and another thread can take it.
pub struct MutexGuard<'a, T> {
    /// The backend's guard: always there, but for the moment a [`Condvar`] takes the
    /// guard apart (see [`MutexGuard::into_parts`]).
    inner: Option<backend::sync::MutexGuard<'a, T>>,
    /// The mutex's name in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: &'a str,
    /// Where the guard was last dereferenced mutably, if it was.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    written: Option<trace::Pending>,
    /// The place of the name and the line, and of the explorers' larger guards, so
    /// that every backend lays the guard out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _traced: Padding<4>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// Wraps a backend guard of the mutex named `name` (in the traces).
    #[inline]
    fn new(inner: backend::sync::MutexGuard<'a, T>, #[allow(unused)] name: &'a str) -> Self {
        MutexGuard {
            inner: Some(inner),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            written: None,
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _traced: Padding::new(),
        }
    }

    /// The backend guard and the mutex's name, recording no unlock: for a condition
    /// variable's wait, which records the release itself. A write through the guard is
    /// recorded first.
    #[inline]
    fn into_parts(mut self) -> (backend::sync::MutexGuard<'a, T>, &'a str) {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        self.record_write();
        let inner = self.backend_guard_taken();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        return (inner, self.name);
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        (inner, "")
    }

    /// Takes the backend's guard out, leaving nothing to record on drop.
    #[inline]
    fn backend_guard_taken(&mut self) -> backend::sync::MutexGuard<'a, T> {
        self.inner.take().expect("a guard is taken apart once")
    }

    #[inline]
    fn backend(&self) -> &backend::sync::MutexGuard<'a, T> {
        self.inner.as_ref().expect("a guard is used whole")
    }

    /// Completes the write step of the last mutable use of the guard with the value it
    /// left: the step was recorded at that use, in program order, without its value.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn record_write(&mut self) {
        if let (Some(pending), Some(inner)) = (self.written.take(), &self.inner) {
            trace::complete_write(pending, trace::primitive_value(&**inner));
        }
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            self.record_write();
            let object = trace::object(trace::ObjectKind::Mutex, self.name);
            trace::record(trace::Event::LockReleased { object }, None);
            // Released here rather than after this body, so that a spinning thread
            // yields with the lock free (`crate::latitude::released`).
            drop(self.inner.take());
            crate::latitude::released();
        }
    }
}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            inner: Box::new(backend::sync::Mutex::new(value)),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: trace::name_object(trace::ObjectKind::Mutex),
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _name: Padding::new(),
        }
    }

    /// Blocks until the lock is free, then takes it, as [`std::sync::Mutex::lock`].
    ///
    /// Under loom and shuttle two steps are recorded: the request when the thread asks
    /// for the lock (the last step of a thread that blocks here for ever), and the
    /// acquisition once it has it.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Write);
        let name = self.name();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let object = trace::object(trace::ObjectKind::Mutex, name);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::LockRequested {
                object: object.clone(),
                mode: trace::LockMode::Exclusive,
            },
            Some(Location::caller()),
        );
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = self.inner.lock();
        // On real threads, a lock that is held is waited for as a blocked thread.
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = crate::blocked::take_or_wait(|| self.inner.try_lock(), || self.inner.lock());
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::LockAcquired {
                object,
                mode: trace::LockMode::Exclusive,
            },
            Some(Location::caller()),
        );
        match result {
            Ok(inner) => Ok(MutexGuard::new(inner, name)),
            Err(poisoned) => Err(PoisonError::new(MutexGuard::new(
                poisoned.into_inner(),
                name,
            ))),
        }
    }

    /// Takes the lock if it is free, without blocking, as [`std::sync::Mutex::try_lock`]:
    /// `Err(TryLockError::WouldBlock)` when another thread holds it.
    ///
    /// Under loom and shuttle it is a scheduling point, recorded as `try_lock` with
    /// `acquired` or `busy`, and it never blocks, whatever the other threads do: loom
    /// 0.7 would hold a thread that is about to `try_lock` a mutex until the mutex is
    /// free again if another thread took it at that moment (tokio-rs/loom#376), and
    /// report a deadlock where that thread would have failed and backed off; the
    /// facade gives the attempt its own scheduling point and makes the attempt itself
    /// one step (`crate::latitude::without_blocking`). A thread that finds the lock
    /// busy at the same line again is waiting for another thread: it yields to it
    /// once it has released a lock of its own (`crate::latitude::observed`).
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Write);
        let name = self.name();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = crate::latitude::without_blocking(|| self.inner.try_lock());
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = self.inner.try_lock();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            let busy = matches!(result, Err(TryLockError::WouldBlock));
            let got = if busy { "busy" } else { "acquired" };
            trace::record(
                trace::Event::TryLock {
                    object: trace::object(trace::ObjectKind::Mutex, name),
                    mode: trace::LockMode::Exclusive,
                    acquired: !busy,
                },
                Some(Location::caller()),
            );
            crate::latitude::observed(name, Location::caller(), got);
        }
        match result {
            Ok(inner) => Ok(MutexGuard::new(inner, name)),
            Err(TryLockError::Poisoned(poisoned)) => Err(TryLockError::Poisoned(PoisonError::new(
                MutexGuard::new(poisoned.into_inner(), name),
            ))),
            Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
        }
    }

    /// The value, when nobody else can have the lock, as [`std::sync::Mutex::into_inner`].
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        (*self.inner).into_inner()
    }

    /// Its name in the traces (`Mutex#1`); empty with std, which records nothing.
    #[inline]
    fn name(&self) -> &str {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        return &self.name;
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        ""
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
            trace::Event::GuardRead {
                object: trace::object(trace::ObjectKind::Mutex, self.name),
                value: trace::primitive_value(&**self.backend()),
            },
            Some(Location::caller()),
        );
        self.backend()
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    #[inline]
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        // A write step where the code writes, in program order; its value is known
        // once the write is done: at the next mutable use, or when the guard goes.
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            self.record_write();
            let object = trace::object(trace::ObjectKind::Mutex, self.name);
            self.written = trace::record_pending_write(object, Location::caller());
        }
        self.inner.as_mut().expect("a guard is used whole")
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self.backend(), f)
    }
}

/// A thread-safe reference-counted pointer, as [`std::sync::Arc`].
pub struct Arc<T: ?Sized> {
    /// Boxed under the explorers, whose `Arc`s are larger than std's (see
    /// [`crate::layout`]).
    inner: Held<backend::sync::Arc<T>>,
}

impl<T> Arc<T> {
    /// Puts `value` behind a new reference count of one.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Arc {
            inner: Held::from(backend::sync::Arc::new(value)),
        }
    }

    /// The value, if `this` is its only `Arc`; `this` back otherwise.
    #[inline]
    #[track_caller]
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        backend::sync::Arc::try_unwrap(unheld(this.inner)).map_err(|inner| Arc {
            inner: Held::from(inner),
        })
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
            inner: Held::from(backend::sync::Arc::clone(&self.inner)),
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

    /// Writes through two guards, the second dropped first (as a transfer's two
    /// accounts are): the steps keep the order the code wrote in, each with the value
    /// it left.
    #[test]
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn writes_are_recorded_in_program_order_whatever_order_the_guards_drop_in() {
        use crate::trace::{Event, Value};
        let _alone = crate::alone();
        crate::model(|| {
            crate::trace::begin_execution();
            let (source, target) = (Mutex::new(500_i64), Mutex::new(0_i64));
            let mut from = source.lock().unwrap();
            let mut to = target.lock().unwrap();
            let first = line!() + 1;
            *from -= 300;
            *to += 300;
            *to += 1;
            drop(to);
            drop(from);
            let here = file!();
            let writes: Vec<(u32, Option<Value>)> = crate::trace::snapshot()
                .into_iter()
                .filter(|s| s.place.as_ref().is_some_and(|p| p.file == here))
                .filter_map(|s| match s.event {
                    Event::GuardWrite { value, .. } => Some((s.place?.line, value)),
                    _ => None,
                })
                .collect();
            assert_eq!(
                writes,
                [
                    (first, Some(Value::Integer(200))),
                    (first + 1, Some(Value::Integer(300))),
                    (first + 2, Some(Value::Integer(301))),
                ]
            );
        });
    }

    #[test]
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn values_through_a_guard_are_recorded_where_the_code_uses_it() {
        use crate::trace::{Event, Value};
        let _alone = crate::alone();
        crate::model(|| {
            crate::trace::begin_execution();
            crate::trace::record_call_stacks(true);
            let lock = Mutex::new(500_i64);
            let (read, read_line) = (*lock.lock().unwrap(), line!());
            *lock.lock().unwrap() -= read;
            let write_line = line!() - 1;
            crate::trace::record_call_stacks(false);
            let steps = crate::trace::snapshot();
            let at = |write: bool| {
                steps
                    .iter()
                    .find(|s| match s.event {
                        Event::GuardRead { .. } => !write,
                        Event::GuardWrite { .. } => write,
                        _ => false,
                    })
                    .unwrap()
            };
            let (read_step, write_step) = (at(false), at(true));
            let here = |line: u32| format!("{}:{line}", file!());
            assert_eq!(read_step.event.read(), Some(&Value::Integer(500)));
            assert!(
                read_step
                    .place
                    .as_ref()
                    .unwrap()
                    .to_string()
                    .ends_with(&here(read_line))
            );
            assert_eq!(write_step.event.written(), Some(Value::Integer(0)));
            assert!(
                write_step
                    .place
                    .as_ref()
                    .unwrap()
                    .to_string()
                    .ends_with(&here(write_line))
            );
            assert!(
                read_step
                    .callers
                    .iter()
                    .all(|c| !c.file.contains("/sync/src/"))
            );
        });
    }

    #[test]
    fn try_lock_takes_a_free_lock_and_refuses_a_held_one() {
        crate::model(|| {
            let lock = Mutex::new(1_u64);
            let guard = lock.try_lock().unwrap();
            assert!(matches!(
                lock.try_lock(),
                Err(std::sync::TryLockError::WouldBlock)
            ));
            drop(guard);
            *lock.try_lock().unwrap() += 1;
            assert_eq!(*lock.lock().unwrap(), 2);
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
