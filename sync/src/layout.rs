//! One layout in every backend: each facade type has the same size and alignment
//! whichever backend is compiled in (`sync/tests/layout.rs`), so no subject can tell
//! the explorers from real threads by measuring one (`size_of`, or the distance
//! between two neighbouring fields).
//!
//! Two means. A backend value whose size varies with its `T` (a `Mutex<T>`) or by
//! backend is boxed ([`Held`] where std's own is already pointer-sized, `Box`
//! otherwise): one allocation when the value is made, none per operation. The
//! trace fields the explorers keep (a name, a source line) are matched under std by
//! [`Padding`] of the same size, which costs a plain build nothing but the bytes.

/// A backend value that is one word under std already (an atomic, an `Arc`): inline
/// with std, boxed under the explorers, whose own are larger.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) type Held<T> = Box<T>;
/// A backend value that is one word under std already (an atomic, an `Arc`): inline
/// with std, boxed under the explorers, whose own are larger.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
pub(crate) type Held<T> = T;

/// The value a [`Held`] holds.
#[cfg(any(feature = "loom", feature = "shuttle"))]
#[expect(clippy::boxed_local, reason = "unboxing is what it is for")]
pub(crate) fn unheld<T>(held: Held<T>) -> T {
    *held
}

/// The value a [`Held`] holds.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
pub(crate) fn unheld<T>(held: Held<T>) -> T {
    held
}

/// `WORDS` machine words that stand, in one backend, for fields another keeps
/// (shuttle's types are the largest, and need none).
#[cfg(not(feature = "shuttle"))]
pub(crate) struct Padding<const WORDS: usize>([usize; WORDS]);

#[cfg(not(feature = "shuttle"))]
impl<const WORDS: usize> Padding<WORDS> {
    /// The padding (zeros).
    pub(crate) const fn new() -> Self {
        Padding([0; WORDS])
    }
}
