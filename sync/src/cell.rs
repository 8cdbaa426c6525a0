//! [`SharedCell`]: a plain, unsynchronised memory cell that the detectors can see.
//!
//! It behaves like [`std::cell::Cell`]: `load` and `store` are safe because the cell is
//! not `Sync`, so the compiler stops you from sharing it between threads. A type that
//! wraps one and claims `unsafe impl Sync` takes on the duty of making sure no two
//! threads touch it at the same time — which is exactly the promise a racy exercise
//! breaks.
//!
//! What each backend does with a `load` or a `store`:
//! - `std`: a volatile read or write of plain memory, so the compiler cannot merge the
//!   steps of a loop and ThreadSanitizer sees every access.
//! - `loom`: a scheduling point (so loom can run another thread between a load and the
//!   store after it), then an access tracked by `loom::cell::UnsafeCell`, whose
//!   happens-before checks report two unordered accesses as a causality violation.
//!   [`track_races`]`(false)` turns that check off, so that loom goes on to show what
//!   the race does to the values (a lost update, say).
//! - `shuttle`: a scheduling point, then the access.
//!
//! Under loom and shuttle every access is also recorded for the interleaving tables.

use std::fmt;

/// A plain memory cell shared by value; see the [module documentation](self).
pub struct SharedCell<T> {
    /// The value, in place: its size is `T`'s in every backend, and it is the field
    /// the compiler names when a cell is shared without a promise (the diagnostic the
    /// READMEs quote).
    value: std::cell::UnsafeCell<T>,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    modelled: Box<Modelled>,
    /// The model's place, so that every backend lays the cell out alike.
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    _modelled: crate::layout::Padding<1>,
}

/// What a cell needs under loom and shuttle: a scheduling point, loom's race tracking,
/// and a name for the traces.
#[cfg(any(feature = "loom", feature = "shuttle"))]
struct Modelled {
    #[cfg(feature = "loom")]
    switch_point: loom::sync::atomic::AtomicUsize,
    #[cfg(feature = "shuttle")]
    switch_point: shuttle::sync::atomic::AtomicUsize,
    #[cfg(feature = "loom")]
    tracker: loom::cell::UnsafeCell<()>,
    name: String,
}

#[cfg(feature = "loom")]
static TRACK_RACES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether loom reports unordered accesses to cells as causality violations (the
/// default). With `false`, loom explores on and checks only the scenario's invariant.
pub fn track_races(on: bool) {
    #[cfg(feature = "loom")]
    TRACK_RACES.store(on, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(feature = "loom"))]
    let _ = on;
}

impl<T: Copy + fmt::Debug> SharedCell<T> {
    /// Creates a cell holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Self {
            value: std::cell::UnsafeCell::new(value),
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _modelled: crate::layout::Padding::new(),
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            modelled: Box::new(Modelled {
                #[cfg(feature = "loom")]
                switch_point: loom::sync::atomic::AtomicUsize::new(0),
                #[cfg(feature = "shuttle")]
                switch_point: shuttle::sync::atomic::AtomicUsize::new(0),
                #[cfg(feature = "loom")]
                tracker: loom::cell::UnsafeCell::new(()),
                name: crate::trace::name_object(crate::trace::ObjectKind::Memory),
            }),
        }
    }

    /// Reads the value: one step, with nothing that orders it against other threads.
    // Never inlined on real threads: ThreadSanitizer drops the check of a read that is
    // followed by a write to the same place in the same block, which would hide the
    // racy load of a load-add-store from its reports.
    #[cfg_attr(not(any(feature = "loom", feature = "shuttle")), inline(never))]
    #[track_caller]
    pub fn load(&self) -> T {
        crate::exercised::record(crate::exercised::Access::Read);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        self.switch_point();
        // SAFETY: the pointer is valid and aligned. Whether another thread writes at
        // the same time is the caller's promise; breaking it is the bug under study
        // (under loom and shuttle all threads run on one OS thread, one at a time).
        let value = unsafe { std::ptr::read_volatile(self.value.get()) };
        // Recorded before loom's race check, so that a racy access is the last step
        // of the failing execution's table.
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        self.record(false, value);
        #[cfg(feature = "loom")]
        self.check_race(false);
        value
    }

    /// Writes the value: one step, with nothing that orders it against other threads.
    #[cfg_attr(not(any(feature = "loom", feature = "shuttle")), inline(never))]
    #[track_caller]
    pub fn store(&self, value: T) {
        crate::exercised::record(crate::exercised::Access::Write);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        self.switch_point();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        self.record(true, value);
        #[cfg(feature = "loom")]
        self.check_race(true);
        // SAFETY: as in `load`.
        unsafe { std::ptr::write_volatile(self.value.get(), value) };
    }

    /// A scheduling point before an access.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn switch_point(&self) {
        // Under loom, a read-modify-write: loom prunes interleavings of operations that
        // commute, and two loads would, so the point would never make it switch here.
        #[cfg(feature = "loom")]
        self.modelled
            .switch_point
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        #[cfg(feature = "shuttle")]
        self.modelled
            .switch_point
            .load(std::sync::atomic::Ordering::Relaxed);
    }

    /// loom's race check of this access (a causality violation panics here).
    #[cfg(feature = "loom")]
    #[track_caller]
    fn check_race(&self, writes: bool) {
        if TRACK_RACES.load(std::sync::atomic::Ordering::Relaxed) {
            if writes {
                self.modelled.tracker.with_mut(|_| ());
            } else {
                self.modelled.tracker.with(|_| ());
            }
        }
    }

    /// Records the access for the interleaving tables.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    #[track_caller]
    fn record(&self, writes: bool, value: T) {
        use crate::trace::{self, Event, ObjectKind};
        let object = trace::object(ObjectKind::Memory, &self.modelled.name);
        let value = trace::any_value(&value);
        let event = if writes {
            Event::Store {
                object,
                ordering: None,
                value,
            }
        } else {
            Event::Load {
                object,
                ordering: None,
                value,
            }
        };
        trace::record(event, Some(std::panic::Location::caller()));
    }
}

impl<T: Copy + Default + fmt::Debug> Default for SharedCell<T> {
    #[track_caller]
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> fmt::Debug for SharedCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Reading the value here could itself race, so the cell prints no value.
        f.write_str("SharedCell { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::SharedCell;

    #[test]
    fn store_then_load_returns_the_stored_value() {
        crate::model(|| {
            let cell = SharedCell::new(4_700_u64);
            cell.store(cell.load() + 100);
            assert_eq!(cell.load(), 4_800);
        });
    }
}
