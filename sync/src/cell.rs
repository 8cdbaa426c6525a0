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
//! - `loom`: an access to `loom::cell::UnsafeCell`, whose happens-before tracking reports
//!   two unordered accesses as a causality violation.
//! - `shuttle`: a scheduling point, then the access, so the scheduler may switch threads
//!   between a load and the store that follows it.

use std::fmt;

/// A plain memory cell shared by value; see the [module documentation](self).
pub struct SharedCell<T> {
    #[cfg(loom)]
    value: loom::cell::UnsafeCell<T>,
    #[cfg(not(loom))]
    value: std::cell::UnsafeCell<T>,
    #[cfg(shuttle)]
    switch_point: shuttle::sync::atomic::AtomicBool,
}

impl<T: Copy> SharedCell<T> {
    /// Creates a cell holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Self {
            #[cfg(loom)]
            value: loom::cell::UnsafeCell::new(value),
            #[cfg(not(loom))]
            value: std::cell::UnsafeCell::new(value),
            #[cfg(shuttle)]
            switch_point: shuttle::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Reads the value: one step, with nothing that orders it against other threads.
    #[track_caller]
    pub fn load(&self) -> T {
        #[cfg(loom)]
        {
            // SAFETY: the pointer is valid for the cell's lifetime; loom checks that no
            // write runs concurrently and fails the model if one does.
            self.value.with(|ptr| unsafe { *ptr })
        }
        #[cfg(not(loom))]
        {
            self.scheduling_point();
            // SAFETY: the pointer is valid and aligned. Whether another thread writes at
            // the same time is the caller's promise; breaking it is the bug under study.
            unsafe { std::ptr::read_volatile(self.value.get()) }
        }
    }

    /// Writes the value: one step, with nothing that orders it against other threads.
    #[track_caller]
    pub fn store(&self, value: T) {
        #[cfg(loom)]
        {
            // SAFETY: as in `load`; loom reports concurrent accesses.
            self.value.with_mut(|ptr| unsafe { *ptr = value })
        }
        #[cfg(not(loom))]
        {
            self.scheduling_point();
            // SAFETY: as in `load`.
            unsafe { std::ptr::write_volatile(self.value.get(), value) }
        }
    }

    /// Under shuttle, gives the scheduler a chance to run another thread first.
    #[cfg(not(loom))]
    #[inline(always)]
    fn scheduling_point(&self) {
        #[cfg(shuttle)]
        self.switch_point.load(std::sync::atomic::Ordering::Relaxed);
    }
}

impl<T: Copy + Default> Default for SharedCell<T> {
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
        let cell = SharedCell::new(4_700_u64);
        cell.store(cell.load() + 100);
        assert_eq!(cell.load(), 4_800);
    }
}
