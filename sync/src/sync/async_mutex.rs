//! A lock for async code, as `tokio::sync::Mutex`: `lock().await` waits without
//! blocking the thread, and its guard may be held across an `.await`.
//!
//! Built on the facade's own [`Mutex`] and wakers, so every backend runs the same
//! code: the value lives in the state while the lock is free and in the guard while
//! it is held, so no `unsafe` is needed, and the guard is `Send` when `T` is.
//! Under loom and shuttle, asking for it, taking it, what is read and written through
//! the guard and releasing it are recorded with the same events as a [`Mutex`]'s
//! (`LockRequested`, `LockAcquired`, `GuardRead`, `GuardWrite`, `LockReleased`); the short-lived steps of the state's own lock are the facade's
//! and fold away in the tables.

use crate::backend;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use crate::trace;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

/// A mutual-exclusion lock for async code, as `tokio::sync::Mutex`.
pub struct AsyncMutex<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    state: Box<backend::sync::Mutex<State<T>>>,
    /// The lock's key in the traces (`AsyncMutex#1`, …), for [`trace::object`].
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: String,
    /// The name's place, so that every backend lays the lock out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _name: crate::layout::Padding<3>,
}

/// The lock's state: the value while nobody holds it, and who waits for it.
struct State<T> {
    free: Option<T>,
    waiting: VecDeque<Waker>,
}

impl<T> AsyncMutex<T> {
    /// A new, unlocked lock holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        AsyncMutex {
            state: Box::new(backend::sync::Mutex::new(State {
                free: Some(value),
                waiting: VecDeque::new(),
            })),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: trace::name_object(trace::ObjectKind::AsyncMutex),
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _name: crate::layout::Padding::new(),
        }
    }

    /// Waits until the lock is free, then takes it: `mutex.lock().await`.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        crate::exercised::record(crate::exercised::Access::Write);
        Lock {
            mutex: self,
            asked: false,
            at: Location::caller(),
        }
    }

    /// The value, as [`Mutex::into_inner`](super::Mutex::into_inner): nobody can hold the
    /// lock any more.
    pub fn into_inner(self) -> T {
        (*self.state)
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .free
            .expect("a guard borrows the lock, so none is alive")
    }

    fn state(&self) -> backend::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lock as the traces name it.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn object(&self) -> trace::Object {
        trace::object(trace::ObjectKind::AsyncMutex, &self.name)
    }
}

impl<T: Default> Default for AsyncMutex<T> {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        AsyncMutex::new(T::default())
    }
}

impl<T> fmt::Debug for AsyncMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AsyncMutex { .. }")
    }
}

/// The future of [`AsyncMutex::lock`].
#[must_use = "a lock is taken only when awaited"]
pub struct Lock<'a, T> {
    mutex: &'a AsyncMutex<T>,
    /// Whether `acquire` was recorded.
    asked: bool,
    /// The line that asked, for the traces.
    #[cfg_attr(
        not(any(feature = "loom", feature = "shuttle")),
        expect(dead_code, reason = "only the explorers record it")
    )]
    at: &'static Location<'static>,
}

impl<T> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lock { .. }")
    }
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = AsyncMutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AsyncMutexGuard<'a, T>> {
        let mutex = self.mutex;
        let mut state = mutex.state();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        if !self.asked {
            trace::record(
                trace::Event::LockRequested {
                    object: mutex.object(),
                    mode: trace::LockMode::Exclusive,
                },
                Some(self.at),
            );
        }
        self.asked = true;
        match state.free.take() {
            Some(value) => {
                #[cfg(any(feature = "loom", feature = "shuttle"))]
                trace::record(
                    trace::Event::LockAcquired {
                        object: mutex.object(),
                        mode: trace::LockMode::Exclusive,
                    },
                    Some(self.at),
                );
                Poll::Ready(AsyncMutexGuard {
                    mutex,
                    value: Some(value),
                    written_at: None,
                })
            }
            None => {
                state.waiting.push_back(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The guard of a locked [`AsyncMutex`], as `tokio::sync::MutexGuard`: it may be held
/// across an `.await`.
pub struct AsyncMutexGuard<'a, T> {
    mutex: &'a AsyncMutex<T>,
    /// The value, taken out of the lock's state until the guard is dropped.
    value: Option<T>,
    /// Where the guard was last dereferenced mutably, if it was.
    #[cfg_attr(
        not(any(feature = "loom", feature = "shuttle")),
        expect(dead_code, reason = "only the explorers record it")
    )]
    written_at: Option<&'static Location<'static>>,
}

impl<T> AsyncMutexGuard<'_, T> {
    fn value(&self) -> &T {
        self.value
            .as_ref()
            .expect("a guard holds the value until dropped")
    }
}

impl<T> Deref for AsyncMutexGuard<'_, T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::GuardRead {
                object: self.mutex.object(),
                value: trace::primitive_value(self.value()),
            },
            Some(Location::caller()),
        );
        self.value()
    }
}

impl<T> DerefMut for AsyncMutexGuard<'_, T> {
    #[inline]
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            self.written_at = Some(Location::caller());
        }
        self.value
            .as_mut()
            .expect("a guard holds the value until dropped")
    }
}

impl<T> Drop for AsyncMutexGuard<'_, T> {
    /// Puts the value back and wakes every waiting task: the first to run takes the
    /// lock, the others wait again. Waking one would lose the wakeup whenever that
    /// waker is stale: a task that was polled twice while waiting (so registered
    /// twice), or whose `lock()` future was dropped (cancelled) while it waited.
    fn drop(&mut self) {
        let mut state = self.mutex.state();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            if let Some(at) = self.written_at.take() {
                let value = self.value.as_ref().and_then(trace::primitive_value);
                trace::record(
                    trace::Event::GuardWrite {
                        object: self.mutex.object(),
                        value,
                    },
                    Some(at),
                );
            }
            trace::record(
                trace::Event::LockReleased {
                    object: self.mutex.object(),
                },
                None,
            );
        }
        state.free = self.value.take();
        let waiting = std::mem::take(&mut state.waiting);
        drop(state);
        waiting.into_iter().for_each(Waker::wake);
    }
}

impl<T: fmt::Debug> fmt::Debug for AsyncMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}
