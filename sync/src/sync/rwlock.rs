//! A reader-writer lock, as [`std::sync::RwLock`]: many readers at once, or one writer.
//!
//! Under loom and shuttle it is the backend's modelled `RwLock`, and taking and
//! releasing it is recorded for the interleaving tables (`read-lock`, `write-lock`,
//! `unlock`; see [`crate::trace`]). With std nothing is recorded.

use crate::backend;
#[cfg(not(feature = "shuttle"))]
use crate::layout::Padding;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::marker::PhantomData, std::panic::Location};

/// A reader-writer lock, as [`std::sync::RwLock`].
pub struct RwLock<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<backend::sync::RwLock<T>>,
    /// `RwLock#1`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: String,
    /// Gives the lock std's auto traits in every backend (shuttle's, for one, is
    /// `Sync` for any `T: Send`, std's only for `T: Send + Sync`).
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    std_auto_traits: PhantomData<std::sync::RwLock<T>>,
    /// The name's place, so that every backend lays the lock out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _name: Padding<3>,
}

/// Shared access to a [`RwLock`]'s value, as [`std::sync::RwLockReadGuard`].
pub struct RwLockReadGuard<'a, T> {
    inner: backend::sync::RwLockReadGuard<'a, T>,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: &'a str,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    std_auto_traits: PhantomData<std::sync::RwLockReadGuard<'a, T>>,
    /// The place of the name and of larger backend guards: see [`GUARD_PADDING`].
    #[cfg(not(feature = "shuttle"))]
    _traced: Padding<GUARD_PADDING>,
}

/// Exclusive access to a [`RwLock`]'s value, as [`std::sync::RwLockWriteGuard`].
pub struct RwLockWriteGuard<'a, T> {
    inner: backend::sync::RwLockWriteGuard<'a, T>,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: &'a str,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    std_auto_traits: PhantomData<std::sync::RwLockWriteGuard<'a, T>>,
    /// The place of the name and of larger backend guards: see [`GUARD_PADDING`].
    #[cfg(not(feature = "shuttle"))]
    _traced: Padding<GUARD_PADDING>,
}

/// Words a guard pads itself with, so that every backend lays it out alike: shuttle's
/// guards are the largest (four words, and the name two more); loom's are one word
/// smaller, std's two words and no name.
#[cfg(feature = "loom")]
const GUARD_PADDING: usize = 1;
/// Words a guard pads itself with, so that every backend lays it out alike: shuttle's
/// guards are the largest (four words, and the name two more); loom's are one word
/// smaller, std's two words and no name.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
const GUARD_PADDING: usize = 4;

/// Wraps the backend's guard in a lock result, keeping its poisoning.
fn wrapped<B, G>(result: LockResult<B>, wrap: impl FnOnce(B) -> G) -> LockResult<G> {
    match result {
        Ok(inner) => Ok(wrap(inner)),
        Err(poisoned) => Err(PoisonError::new(wrap(poisoned.into_inner()))),
    }
}

/// Wraps the backend's guard in a try-lock result, keeping its poisoning.
fn try_wrapped<B, G>(result: TryLockResult<B>, wrap: impl FnOnce(B) -> G) -> TryLockResult<G> {
    match result {
        Ok(inner) => Ok(wrap(inner)),
        Err(TryLockError::Poisoned(poisoned)) => Err(TryLockError::Poisoned(PoisonError::new(
            wrap(poisoned.into_inner()),
        ))),
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
    }
}

impl<T> RwLock<T> {
    /// A new, unlocked lock holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock {
            inner: Box::new(backend::sync::RwLock::new(value)),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: trace::name_object(trace::ObjectKind::RwLock),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            std_auto_traits: PhantomData,
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _name: Padding::new(),
        }
    }

    /// Blocks until no writer holds the lock, then shares it, as
    /// [`std::sync::RwLock::read`].
    #[inline]
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Read);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = self.inner.read();
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = crate::blocked::take_or_wait(|| self.inner.try_read(), || self.inner.read());
        self.taken(crate::trace::LockMode::Read);
        wrapped(result, |inner| self.read_guard(inner))
    }

    /// Blocks until nobody holds the lock, then takes it alone, as
    /// [`std::sync::RwLock::write`].
    #[inline]
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Write);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = self.inner.write();
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = crate::blocked::take_or_wait(|| self.inner.try_write(), || self.inner.write());
        self.taken(crate::trace::LockMode::Write);
        wrapped(result, |inner| self.write_guard(inner))
    }

    /// Shares the lock if no writer holds it, without blocking, as
    /// [`std::sync::RwLock::try_read`].
    #[inline]
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Read);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = crate::latitude::without_blocking(|| self.inner.try_read());
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = self.inner.try_read();
        self.tried(&result);
        if !matches!(result, Err(TryLockError::WouldBlock)) {
            self.taken(crate::trace::LockMode::Read);
        }
        try_wrapped(result, |inner| self.read_guard(inner))
    }

    /// Takes the lock alone if nobody holds it, without blocking, as
    /// [`std::sync::RwLock::try_write`].
    #[inline]
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        crate::exercised::record(crate::exercised::Access::Write);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = crate::latitude::without_blocking(|| self.inner.try_write());
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = self.inner.try_write();
        self.tried(&result);
        if !matches!(result, Err(TryLockError::WouldBlock)) {
            self.taken(crate::trace::LockMode::Write);
        }
        try_wrapped(result, |inner| self.write_guard(inner))
    }

    /// The value, when nobody else can have the lock, as [`std::sync::RwLock::into_inner`].
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        (*self.inner).into_inner()
    }

    /// The value, mutably, as [`std::sync::RwLock::get_mut`].
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }

    /// Tells the explorers' spin detection whether a `try_read` or `try_write` found
    /// the lock busy, so that a thread finding it busy at the same line again yields
    /// (see `crate::latitude`). Both never block under loom and shuttle, as
    /// [`Mutex::try_lock`](super::Mutex::try_lock) does not.
    #[inline]
    #[track_caller]
    fn tried<G>(&self, result: &TryLockResult<G>) {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            let busy = matches!(result, Err(TryLockError::WouldBlock));
            let got = if busy { "busy" } else { "acquired" };
            crate::latitude::observed(&self.name, Location::caller(), got);
        }
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let _ = result;
    }

    /// Records that this thread took the lock (under loom and shuttle).
    #[inline]
    #[track_caller]
    fn taken(&self, mode: crate::trace::LockMode) {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::LockAcquired {
                object: trace::object(trace::ObjectKind::RwLock, &self.name),
                mode,
            },
            Some(Location::caller()),
        );
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let _ = mode;
    }

    fn read_guard<'a>(
        &'a self,
        inner: backend::sync::RwLockReadGuard<'a, T>,
    ) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            inner,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: &self.name,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            std_auto_traits: PhantomData,
            #[cfg(not(feature = "shuttle"))]
            _traced: Padding::new(),
        }
    }

    fn write_guard<'a>(
        &'a self,
        inner: backend::sync::RwLockWriteGuard<'a, T>,
    ) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            inner,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: &self.name,
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            std_auto_traits: PhantomData,
            #[cfg(not(feature = "shuttle"))]
            _traced: Padding::new(),
        }
    }
}

impl<T: Default> Default for RwLock<T> {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Locking here would be a step of the model (and could block), so no backend
        // prints the value.
        f.write_str("RwLock { .. }")
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        trace::record(
            trace::Event::LockReleased {
                object: trace::object(trace::ObjectKind::RwLock, self.name),
            },
            None,
        );
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        trace::record(
            trace::Event::LockReleased {
                object: trace::object(trace::ObjectKind::RwLock, self.name),
            },
            None,
        );
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

#[cfg(test)]
mod tests {
    use super::RwLock;
    use std::sync::TryLockError;

    #[test]
    fn rwlock_is_named_and_printed_alike_in_every_backend() {
        assert_eq!(
            std::any::type_name::<RwLock<u64>>(),
            "racelab_sync::sync::rwlock::RwLock<u64>"
        );
        crate::model(|| {
            let lock = RwLock::new(7_u64);
            assert_eq!(format!("{lock:?}"), "RwLock { .. }");
            assert_eq!(format!("{:?}", lock.read().unwrap()), "7");
            assert_eq!(format!("{:?}", lock.write().unwrap()), "7");
        });
    }

    #[test]
    fn a_reader_excludes_writers() {
        crate::model(|| {
            let mut lock = RwLock::new(1_u64);
            {
                // (loom and shuttle do not let one thread share a lock twice.)
                let reader = lock.read().unwrap();
                assert_eq!(*reader, 1);
                assert!(matches!(lock.try_write(), Err(TryLockError::WouldBlock)));
            }
            assert_eq!(*lock.try_read().unwrap(), 1);
            *lock.try_write().unwrap() += 1;
            *lock.write().unwrap() += 1;
            *lock.get_mut().unwrap() += 1;
            assert_eq!(lock.into_inner().unwrap(), 4);
        });
    }

    /// Under loom and shuttle taking and releasing the lock are steps of the trace;
    /// with std nothing is recorded.
    #[test]
    fn steps_are_recorded_under_the_explorers() {
        let _alone = crate::alone();
        use crate::trace::{Event, LockMode};
        crate::model(|| {
            crate::trace::begin_execution();
            let lock = RwLock::new(1_u64);
            let first = line!() + 1;
            drop(lock.read().unwrap());
            *lock.write().unwrap() += 1;
            let here = [first, first + 1].map(|line| format!("rwlock.rs:{line}"));
            let steps = crate::trace::snapshot();
            // Other tests may record steps meanwhile: keep this lock's own.
            let name = steps
                .iter()
                .find(|step| {
                    step.place
                        .as_ref()
                        .is_some_and(|place| place.to_string().ends_with(here[0].as_str()))
                })
                .and_then(|step| step.event.object().cloned());
            let events: Vec<Event> = steps
                .into_iter()
                .filter(|step| name.is_some() && step.event.object() == name.as_ref())
                .map(|step| step.event)
                .collect();
            if cfg!(any(feature = "loom", feature = "shuttle")) {
                let object = name.expect("the read lock was recorded");
                let released = Event::LockReleased {
                    object: object.clone(),
                };
                let acquired = |mode| Event::LockAcquired {
                    object: object.clone(),
                    mode,
                };
                assert_eq!(
                    events,
                    [
                        acquired(LockMode::Read),
                        released.clone(),
                        acquired(LockMode::Write),
                        released
                    ]
                );
            } else {
                assert!(events.is_empty());
            }
        });
    }
}
