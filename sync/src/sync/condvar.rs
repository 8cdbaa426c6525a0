//! [`Condvar`]: a condition variable, as [`std::sync::Condvar`].
//!
//! Under loom and shuttle a wait and a notification are recorded for the interleaving
//! tables and the deadlock reports (see [`crate::trace`]):
//!
//! | step        | object      | value     | when                                             |
//! |-------------|-------------|-----------|--------------------------------------------------|
//! | `wait`      | `Condvar#2` | `Mutex#1` | the thread releases `Mutex#1` and goes to sleep   |
//! | `woken`     | `Condvar#2` | `Mutex#1` | it woke up and holds `Mutex#1` again              |
//! | `woken spuriously` | `Condvar#2` | `Mutex#1` | it returned with no notification (see below) |
//! | `notify_one`, `notify_all` | `Condvar#2` | | a notification, whether or not anyone waits |
//!
//! A thread whose last step is a `wait` waits for ever if no notification follows.
//!
//! std allows a wait to return without any notification (a spurious wakeup), and
//! neither loom nor shuttle would ever do it. Under shuttle the facade does: at most
//! once per execution, a wait may return at once, the lock still held, as a wakeup
//! that won the race for the lock before any other thread took it; the draw is
//! shuttle's, so the schedule replays it. A wait that is right only without spurious
//! wakeups (`if` where `while` belongs) fails shuttle and spec. loom offers no choice
//! the facade could draw it from, so loom models none (`docs/explorers.md`).
//! `wait_timeout` is not offered: loom's and shuttle's never time out.

use super::MutexGuard;
use crate::backend;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{LockResult, PoisonError};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// A condition variable, as [`std::sync::Condvar`]: threads sleep in [`Condvar::wait`]
/// until another thread notifies them.
pub struct Condvar {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<backend::sync::Condvar>,
    /// `Condvar#2`, … in the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    name: String,
    /// The name's place, so that every backend lays the condition variable out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _name: crate::layout::Padding<3>,
}

impl Condvar {
    /// A condition variable with no thread waiting on it.
    #[inline]
    #[track_caller]
    pub fn new() -> Self {
        Condvar {
            inner: Box::new(backend::sync::Condvar::new()),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: trace::name_object(trace::ObjectKind::Condvar),
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _name: crate::layout::Padding::new(),
        }
    }

    /// Releases the guard's lock and sleeps until notified, then takes the lock again,
    /// as [`std::sync::Condvar::wait`]. A notification sent before the wait began is
    /// not remembered, and the wait may return without any (a spurious wakeup, which
    /// shuttle produces: see the [module documentation](self)).
    #[inline]
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        crate::exercised::record(crate::exercised::Access::Write);
        let (inner, mutex) = guard.into_parts();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            trace::record(
                trace::Event::Wait {
                    condvar: self.object(),
                    mutex: trace::object(trace::ObjectKind::Mutex, mutex),
                },
                Some(Location::caller()),
            );
            if crate::latitude::spurious(crate::latitude::Spurious::Wakeup) {
                trace::record(
                    trace::Event::Woken {
                        condvar: self.object(),
                        mutex: trace::object(trace::ObjectKind::Mutex, mutex),
                        spurious: true,
                    },
                    Some(Location::caller()),
                );
                return Ok(MutexGuard::new(inner, mutex));
            }
        }
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        let result = self.inner.wait(inner);
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let result = crate::blocked::waiting(|| self.inner.wait(inner));
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::Woken {
                condvar: self.object(),
                mutex: trace::object(trace::ObjectKind::Mutex, mutex),
                spurious: false,
            },
            Some(Location::caller()),
        );
        match result {
            Ok(inner) => Ok(MutexGuard::new(inner, mutex)),
            Err(poisoned) => Err(PoisonError::new(MutexGuard::new(
                poisoned.into_inner(),
                mutex,
            ))),
        }
    }

    /// Waits while `condition` holds for the guarded value, as
    /// [`std::sync::Condvar::wait_while`]: checks it first, under the lock, and again
    /// after every wakeup, so neither an early notification nor a wakeup for another
    /// reason lets the caller through too soon.
    #[inline]
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// The condition variable as the traces name it.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn object(&self) -> trace::Object {
        trace::object(trace::ObjectKind::Condvar, &self.name)
    }

    /// Wakes one waiting thread, if any, as [`std::sync::Condvar::notify_one`].
    #[inline]
    #[track_caller]
    pub fn notify_one(&self) {
        crate::exercised::record(crate::exercised::Access::Write);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::Notify {
                condvar: self.object(),
                all: false,
            },
            Some(Location::caller()),
        );
        self.inner.notify_one();
    }

    /// Wakes every waiting thread, as [`std::sync::Condvar::notify_all`].
    #[inline]
    #[track_caller]
    pub fn notify_all(&self) {
        crate::exercised::record(crate::exercised::Access::Write);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::Notify {
                condvar: self.object(),
                all: true,
            },
            Some(Location::caller()),
        );
        self.inner.notify_all();
    }
}

// std's condition variable is unwind-safe, loom's and shuttle's are not: a subject
// must not be able to tell the backends apart by their traits.
impl UnwindSafe for Condvar {}
impl RefUnwindSafe for Condvar {}

impl Default for Condvar {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Condvar { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::Condvar;
    use crate::sync::{Arc, Mutex};
    use crate::thread;

    #[test]
    fn is_named_and_printed_alike_in_every_backend() {
        assert_eq!(
            std::any::type_name::<Condvar>(),
            "racelab_sync::sync::condvar::Condvar"
        );
        crate::model(|| assert_eq!(format!("{:?}", Condvar::new()), "Condvar { .. }"));
    }

    #[test]
    fn a_waiter_sees_what_was_set_under_the_lock_before_the_notification() {
        crate::model(|| {
            let shared = Arc::new((Mutex::new(false), Condvar::new()));
            let setter = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    let (ready, wakeup) = &*shared;
                    *ready.lock().unwrap() = true;
                    wakeup.notify_all();
                })
            };
            let (ready, wakeup) = &*shared;
            let guard = wakeup
                .wait_while(ready.lock().unwrap(), |ready| !*ready)
                .unwrap();
            assert!(*guard);
            drop(guard);
            setter.join().unwrap();
        });
    }

    #[test]
    fn wait_and_notify_one_hand_over_a_value() {
        crate::model(|| {
            let shared = Arc::new((Mutex::new(None::<u64>), Condvar::new()));
            let sender = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    let (slot, wakeup) = &*shared;
                    *slot.lock().unwrap() = Some(7);
                    wakeup.notify_one();
                })
            };
            let (slot, wakeup) = &*shared;
            let mut guard = slot.lock().unwrap();
            while guard.is_none() {
                guard = wakeup.wait(guard).unwrap();
            }
            assert_eq!(*guard, Some(7));
            drop(guard);
            sender.join().unwrap();
        });
    }
}
