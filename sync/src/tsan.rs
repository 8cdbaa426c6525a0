//! Telling ThreadSanitizer about fences, which it does not model (build with the `tsan`
//! feature only: the TSan runtime must be linked).
//!
//! TSan orders threads through the atomic variable an operation touches: a release
//! store to `x` and an acquire load of `x` that reads it. A standalone fence touches
//! no variable, so TSan ignores it, and a correct C11 publication through fences (a
//! `Release` fence before a `Relaxed` store of a flag, an `Acquire` fence after the
//! `Relaxed` load that saw it) is reported as a data race. Here each fence, and each
//! ordered atomic operation that may pair with a fence, releases into or acquires from
//! one of two facade-wide sync objects:
//!
//! | step                                      | tells TSan                         |
//! |-------------------------------------------|------------------------------------|
//! | `fence(Release)`                          | release into `FENCES`              |
//! | `fence(Acquire)`                          | acquire from `FENCES` and `RELEASES` |
//! | an operation whose ordering releases      | release into `RELEASES`, before it |
//! | an operation whose ordering acquires      | acquire from `FENCES`, after it    |
//!
//! (`AcqRel` and `SeqCst` do both.) So fence–fence, fence–acquire-load and
//! release-store–fence pairs synchronize, while release–acquire pairs of operations
//! stay exactly as TSan models them (nothing ever acquires `RELEASES` but a fence).
//! This over-approximates: a fence here synchronizes with every matching step of any
//! thread, not only through the variable C11 names, so a misplaced fence can go
//! unseen by TSan. loom, which models fences exactly, still catches it.

use std::ffi::c_void;
use std::sync::atomic::Ordering;

unsafe extern "C" {
    // ThreadSanitizer's public interface (`sanitizer/tsan_interface.h`): a happens-before
    // edge from every `__tsan_release(addr)` to each later `__tsan_acquire(addr)`.
    fn __tsan_acquire(addr: *mut c_void);
    fn __tsan_release(addr: *mut c_void);
}

/// The sync object of release fences. Only its address matters: TSan keys its sync
/// objects by address, and never reads or writes this memory.
static FENCES: u8 = 0;

/// The sync object of operations that release.
static RELEASES: u8 = 0;

fn key(object: &'static u8) -> *mut c_void {
    std::ptr::from_ref(object).cast_mut().cast()
}

fn releases(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
    )
}

fn acquires(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Acquire | Ordering::AcqRel | Ordering::SeqCst
    )
}

/// A fence with `order`, after the real one.
pub(crate) fn fence(order: Ordering) {
    // SAFETY: both functions only record a happens-before edge keyed by the address.
    unsafe {
        if releases(order) {
            __tsan_release(key(&FENCES));
        }
        if acquires(order) {
            __tsan_acquire(key(&FENCES));
            __tsan_acquire(key(&RELEASES));
        }
    }
}

/// Before an atomic operation with `order`: a release that a later fence may acquire.
#[inline]
pub(crate) fn before_operation(order: Ordering) {
    if releases(order) {
        // SAFETY: as in `fence`.
        unsafe { __tsan_release(key(&RELEASES)) }
    }
}

/// After an atomic operation with `order`: an acquire of what fences released.
#[inline]
pub(crate) fn after_operation(order: Ordering) {
    if acquires(order) {
        // SAFETY: as in `fence`.
        unsafe { __tsan_acquire(key(&FENCES)) }
    }
}
