//! A cell written once, as [`std::sync::OnceLock`]: the first initialiser wins, every
//! other caller waits for it and then shares its value.
//!
//! With std it is std's `OnceLock`. Under loom and shuttle it is built from what those
//! explorers model: a `ready` flag stored with `Release` and loaded with `Acquire`, and
//! a mutex that lets one initialiser run at a time, so the explorers see every edge the
//! cell creates (the value itself sits in a std `OnceLock` that is only ever set under
//! that mutex and read after the flag). Each look at the cell is recorded for the
//! interleaving tables (`get`, `set`, `get_or_init`, and `init` where the initialiser
//! ran; see [`crate::trace`]).

use std::fmt;
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
use std::sync::OnceLock as Inner;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::backend, crate::trace, std::panic::Location, std::sync::PoisonError};

/// A cell written once, as [`std::sync::OnceLock`].
pub struct OnceLock<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<Inner<T>>,
}

/// The modelled cell (loom and shuttle).
#[cfg(any(feature = "loom", feature = "shuttle"))]
struct Inner<T> {
    /// The value, once set. Set only by a thread holding `init`; read only after an
    /// `Acquire` load of `ready` saw `true`.
    value: std::sync::OnceLock<T>,
    /// Stored `true` with `Release` right after `value` is set.
    ready: backend::sync::atomic::AtomicBool,
    /// Held by the thread that initialises or sets the cell.
    init: backend::sync::Mutex<()>,
    /// `OnceLock#1`, … in the traces.
    name: String,
}

impl<T> OnceLock<T> {
    /// An empty cell, as [`std::sync::OnceLock::new`].
    #[inline]
    #[track_caller]
    pub fn new() -> Self {
        OnceLock {
            inner: Box::new(Inner::new()),
        }
    }

    /// The value, if the cell is set; never blocks, as [`std::sync::OnceLock::get`].
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        crate::exercised::record(crate::exercised::Access::Read);
        self.inner.get()
    }

    /// Sets the cell to `value` if it is empty; returns `Err(value)` if it was set
    /// already (blocking while another thread initialises it), as
    /// [`std::sync::OnceLock::set`].
    #[inline]
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        crate::exercised::record(crate::exercised::Access::Write);
        self.inner.set(value)
    }

    /// The value, initialised with `init` if the cell is empty, as
    /// [`std::sync::OnceLock::get_or_init`]. Of several threads that find the cell
    /// empty, exactly one runs its `init`; the others block until it is done and
    /// return its value.
    #[inline]
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, init: F) -> &T {
        crate::exercised::record(crate::exercised::Access::Write);
        self.inner.get_or_init(init)
    }
}

#[cfg(any(feature = "loom", feature = "shuttle"))]
impl<T> Inner<T> {
    #[track_caller]
    fn new() -> Self {
        Inner {
            value: std::sync::OnceLock::new(),
            ready: backend::sync::atomic::AtomicBool::new(false),
            init: backend::sync::Mutex::new(()),
            name: trace::name_object(trace::ObjectKind::OnceLock),
        }
    }

    #[track_caller]
    fn get(&self) -> Option<&T> {
        let value = self.ready_value();
        self.record(if value.is_some() {
            trace::Once::GotSome
        } else {
            trace::Once::GotNone
        });
        value
    }

    #[track_caller]
    fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.initialise(|| value.take().expect("taken once"));
        let result = value.map_or(Ok(()), Err);
        self.record(if result.is_ok() {
            trace::Once::SetStored
        } else {
            trace::Once::SetRefused
        });
        result
    }

    #[track_caller]
    fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.ready_value() {
            self.record(trace::Once::AlreadySet);
            return value;
        }
        self.initialise(init);
        self.record(trace::Once::AfterInit);
        self.ready_value().expect("set by `initialise`")
    }

    /// The value, if the cell is set (an `Acquire` load of `ready`, then the value).
    fn ready_value(&self) -> Option<&T> {
        if self.ready.load(std::sync::atomic::Ordering::Acquire) {
            self.value.get()
        } else {
            None
        }
    }

    /// Runs `init` and sets the cell to its value, unless the cell is set by the time
    /// this thread holds the initialisers' lock.
    #[track_caller]
    fn initialise(&self, init: impl FnOnce() -> T) {
        // A panicking initialiser leaves the cell empty, as std's does: the next one
        // may try again.
        let _turn = self.init.lock().unwrap_or_else(PoisonError::into_inner);
        if self.ready_value().is_some() {
            return;
        }
        if self.value.set(init()).is_err() {
            unreachable!("the value is set only under the initialisers' lock");
        }
        self.ready.store(true, std::sync::atomic::Ordering::Release);
        self.record(trace::Once::Initialised);
    }

    /// Records one step on this cell, made by the caller.
    #[track_caller]
    fn record(&self, step: trace::Once) {
        trace::record(
            trace::Event::Once {
                object: trace::object(trace::ObjectKind::OnceLock, &self.name),
                step,
            },
            Some(Location::caller()),
        );
    }
}

impl<T> Default for OnceLock<T> {
    #[inline]
    #[track_caller]
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Looking at the cell here would be a step of the model, so no backend prints
        // the value.
        f.write_str("OnceLock { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::OnceLock;
    use crate::sync::Arc;
    use crate::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn once_lock_is_named_and_printed_alike_in_every_backend() {
        assert_eq!(
            std::any::type_name::<OnceLock<u64>>(),
            "racelab_sync::sync::once_lock::OnceLock<u64>"
        );
        crate::model(|| assert_eq!(format!("{:?}", OnceLock::<u64>::new()), "OnceLock { .. }"));
    }

    #[test]
    fn the_first_value_wins() {
        crate::model(|| {
            let cell = OnceLock::default();
            assert_eq!(cell.get(), None);
            assert_eq!(cell.set(3_u64), Ok(()));
            assert_eq!(cell.set(4), Err(4));
            assert_eq!(cell.get_or_init(|| 5), &3);
            assert_eq!(cell.get(), Some(&3));
        });
    }

    /// Two threads racing to initialise: one initialiser runs, both see its value.
    #[test]
    fn racing_initialisers_run_once() {
        crate::model(|| {
            let cell = Arc::new(OnceLock::new());
            let runs = Arc::new(AtomicUsize::new(0));
            let racer = |cell: Arc<OnceLock<usize>>, runs: Arc<AtomicUsize>| {
                move || *cell.get_or_init(|| runs.fetch_add(1, Ordering::Relaxed) + 10)
            };
            let other = crate::thread::spawn(racer(Arc::clone(&cell), Arc::clone(&runs)));
            let mine = racer(Arc::clone(&cell), Arc::clone(&runs))();
            assert_eq!(other.join().unwrap(), mine);
            assert_eq!(runs.load(Ordering::Relaxed), 1);
        });
    }

    /// Under loom and shuttle each look at the cell is a step of the trace, at the
    /// caller's line; with std nothing is recorded.
    #[test]
    fn steps_are_recorded_under_the_explorers() {
        use crate::trace::{Event, Once};
        let _alone = crate::alone();
        crate::model(|| {
            crate::trace::begin_execution();
            let cell = OnceLock::new();
            let first = line!() + 1;
            cell.get_or_init(|| 1_u64);
            assert_eq!(cell.get(), Some(&1));
            let here = [first, first + 1].map(|line| format!("once_lock.rs:{line}"));
            // Other tests may record steps meanwhile: keep this test's own.
            let steps: Vec<Event> = crate::trace::snapshot()
                .into_iter()
                .filter(|step| {
                    let place = step.place.as_ref().map(ToString::to_string);
                    here.iter().any(|line| {
                        place
                            .as_deref()
                            .unwrap_or_default()
                            .ends_with(line.as_str())
                    })
                })
                .map(|step| step.event)
                .collect();
            if cfg!(any(feature = "loom", feature = "shuttle")) {
                let once: Vec<Once> = steps
                    .iter()
                    .filter_map(|event| match event {
                        Event::Once { step, .. } => Some(*step),
                        _ => None,
                    })
                    .collect();
                assert_eq!(
                    once,
                    [Once::Initialised, Once::AfterInit, Once::GotSome],
                    "{steps:?}"
                );
            } else {
                assert!(steps.is_empty());
            }
        });
    }
}
