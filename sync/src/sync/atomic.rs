//! Atomic integers and flags, as [`std::sync::atomic`], with `Ordering` and `fence`.
//!
//! Under loom and shuttle every operation is recorded for the interleaving tables (see
//! [`crate::trace`]). In the ThreadSanitizer build, fences are made visible to TSan,
//! which does not model them (see `docs/tsan.md`).

use crate::backend;
use crate::executed::{self, AtomicOp};
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
use crate::layout::Padding;
use crate::layout::{Held, unheld};
use std::fmt;
pub use std::sync::atomic::Ordering;
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// Records one step of an atomic under loom and shuttle, and evaluates to `$result`:
/// `step!(self, result, |object, result| event)` builds the step's [`trace::Event`]
/// from the atomic's object and the result (built only when recording).
macro_rules! step {
    ($atomic:ident, $result:expr, |$object:ident, $value:ident| $event:expr) => {{
        let result = $result;
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            let $object = $atomic.object();
            let $value = result;
            trace::record($event, Some(Location::caller()));
        }
        result
    }};
}

/// [`step!`] for an operation that reads the atomic: also tells the explorers' spin
/// detection what it read (see `crate::latitude`), so that a thread which reads the
/// same thing at the same line again, waiting for another thread, yields to it.
macro_rules! observing_step {
    ($atomic:ident, $result:expr, |$object:ident, $value:ident| $event:expr) => {{
        let result = step!($atomic, $result, |$object, $value| $event);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        crate::latitude::observed(&$atomic.name, Location::caller(), &format!("{result:?}"));
        result
    }};
}

/// What an operation with `order` tells ThreadSanitizer before it runs (tsan build only).
#[inline(always)]
fn before(order: Ordering) {
    #[cfg(feature = "tsan")]
    crate::tsan::before_operation(order);
    #[cfg(not(feature = "tsan"))]
    let _ = order;
}

/// What an operation with `order` tells ThreadSanitizer after it ran (tsan build only).
#[inline(always)]
fn after(order: Ordering) {
    #[cfg(feature = "tsan")]
    crate::tsan::after_operation(order);
    #[cfg(not(feature = "tsan"))]
    let _ = order;
}

/// A memory fence, as [`std::sync::atomic::fence`].
#[inline]
#[track_caller]
pub fn fence(order: Ordering) {
    executed::record(AtomicOp::Fence, order, None);
    backend::sync::atomic::fence(order);
    #[cfg(feature = "tsan")]
    crate::tsan::fence(order);
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    trace::record(
        trace::Event::Fence {
            ordering: order.into(),
        },
        Some(Location::caller()),
    );
}

/// Defines the facade's atomic type `$name` over the backend's; the methods listed take
/// the same arguments as `std`'s.
macro_rules! atomic {
    ($name:ident, $value:ty, { $($extra:tt)* }) => {
        #[doc = concat!("An atomic `", stringify!($value), "`, as [`std::sync::atomic::", stringify!($name), "`].")]
        pub struct $name {
            inner: Held<backend::sync::atomic::$name>,
            /// Its name in the traces, e.g. `AtomicU64#2`.
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            name: String,
            /// The name's place, so that every backend lays the atomic out alike.
            #[cfg(not(any(feature = "loom", feature = "shuttle")))]
            _name: Padding<3>,
        }

        impl $name {
            /// A new atomic holding `value`.
            #[inline]
            #[track_caller]
            pub fn new(value: $value) -> Self {
                $name {
                    inner: Held::from(backend::sync::atomic::$name::new(value)),
                    #[cfg(any(feature = "loom", feature = "shuttle"))]
                    name: trace::name_object(trace::ObjectKind::$name),
                    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
                    _name: Padding::new(),
                }
            }

            /// Loads the value.
            #[inline]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $value {
                executed::record(AtomicOp::Load, order, None);
                let value = self.inner.load(order);
                after(order);
                observing_step!(self, value, |object, value| trace::Event::Load {
                    object,
                    ordering: Some(order.into()),
                    value: value.into(),
                })
            }

            /// Stores `value`.
            #[inline]
            #[track_caller]
            pub fn store(&self, value: $value, order: Ordering) {
                executed::record(AtomicOp::Store, order, None);
                before(order);
                self.inner.store(value, order);
                step!(self, value, |object, value| trace::Event::Store {
                    object,
                    ordering: Some(order.into()),
                    value: value.into(),
                });
            }

            /// Stores `value`, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn swap(&self, value: $value, order: Ordering) -> $value {
                executed::record(AtomicOp::Swap, order, None);
                before(order);
                let previous = self.inner.swap(value, order);
                after(order);
                observing_step!(self, previous, |object, previous| trace::Event::Modify {
                    object,
                    operation: trace::Modify::Swap,
                    operand: value.into(),
                    ordering: order.into(),
                    previous: previous.into(),
                })
            }

            /// Stores `new` if the value is `current`; returns the previous value.
            #[inline]
            #[track_caller]
            pub fn compare_exchange(&self, current: $value, new: $value, success: Ordering, failure: Ordering) -> Result<$value, $value> {
                executed::record(AtomicOp::CompareExchange, success, Some(failure));
                before(success);
                let result = self.inner.compare_exchange(current, new, success, failure);
                let applied = if result.is_ok() { success } else { failure };
                after(applied);
                observing_step!(self, result, |object, result| trace::Event::CompareExchange {
                    object,
                    weak: false,
                    expected: current.into(),
                    new: new.into(),
                    success: success.into(),
                    failure: failure.into(),
                    outcome: result.into(),
                })
            }

            /// Like `compare_exchange`, but may fail spuriously: return `Err` with the
            /// value it read, even when that was `current`. Under shuttle it does, at
            /// most once per execution (see `crate::latitude`): a failure is a load
            /// with the `failure` ordering.
            #[inline]
            #[track_caller]
            pub fn compare_exchange_weak(&self, current: $value, new: $value, success: Ordering, failure: Ordering) -> Result<$value, $value> {
                executed::record(AtomicOp::CompareExchangeWeak, success, Some(failure));
                #[cfg(any(feature = "loom", feature = "shuttle"))]
                if crate::latitude::spurious(crate::latitude::Spurious::WeakExchangeFailure) {
                    let result = Err(self.inner.load(failure));
                    return observing_step!(self, result, |object, result| trace::Event::CompareExchange {
                        object,
                        weak: true,
                        expected: current.into(),
                        new: new.into(),
                        success: success.into(),
                        failure: failure.into(),
                        outcome: result.into(),
                    });
                }
                before(success);
                let result = self.inner.compare_exchange_weak(current, new, success, failure);
                let applied = if result.is_ok() { success } else { failure };
                after(applied);
                observing_step!(self, result, |object, result| trace::Event::CompareExchange {
                    object,
                    weak: true,
                    expected: current.into(),
                    new: new.into(),
                    success: success.into(),
                    failure: failure.into(),
                    outcome: result.into(),
                })
            }

            /// Applies `f` until it returns `None` or its result is stored; returns the
            /// previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_update<F>(&self, set_order: Ordering, fetch_order: Ordering, f: F) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                executed::record(AtomicOp::FetchUpdate, set_order, Some(fetch_order));
                before(set_order);
                let result = self.inner.fetch_update(set_order, fetch_order, f);
                let applied = if result.is_ok() { set_order } else { fetch_order };
                after(applied);
                observing_step!(self, result, |object, result| trace::Event::FetchUpdate {
                    object,
                    set: set_order.into(),
                    fetch: fetch_order.into(),
                    outcome: result.into(),
                })
            }

            /// The atomic as the traces name it.
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            fn object(&self) -> trace::Object {
                trace::object(trace::ObjectKind::$name, &self.name)
            }

            /// The value, when nobody else can touch the atomic.
            #[inline]
            pub fn into_inner(self) -> $value {
                unheld(self.inner).into_inner()
            }

            $($extra)*
        }

        impl Default for $name {
            #[inline]
            #[track_caller]
            fn default() -> Self {
                Self::new(<$value>::default())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Loading here would be a step of the model, so no backend prints the
                // value.
                f.write_str(concat!(stringify!($name), " { .. }"))
            }
        }
    };
}

/// The read-modify-write operations of an atomic, each returning the previous value.
macro_rules! fetch_ops {
    ($value:ty: $($op:ident => $kind:ident),*) => {
        $(
            #[doc = concat!("`", stringify!($op), "`: returns the previous value.")]
            #[inline]
            #[track_caller]
            pub fn $op(&self, value: $value, order: Ordering) -> $value {
                executed::record(AtomicOp::$kind, order, None);
                before(order);
                let previous = self.inner.$op(value, order);
                after(order);
                observing_step!(self, previous, |object, previous| trace::Event::Modify {
                    object,
                    operation: trace::Modify::$kind,
                    operand: value.into(),
                    ordering: order.into(),
                    previous: previous.into(),
                })
            }
        )*
    };
}

atomic!(AtomicBool, bool, {
    fetch_ops!(bool: fetch_and => FetchAnd, fetch_or => FetchOr, fetch_xor => FetchXor);
});
atomic!(AtomicU32, u32, {
    fetch_ops!(u32: fetch_add => FetchAdd, fetch_sub => FetchSub, fetch_max => FetchMax, fetch_min => FetchMin, fetch_and => FetchAnd, fetch_or => FetchOr);
});
atomic!(AtomicU64, u64, {
    fetch_ops!(u64: fetch_add => FetchAdd, fetch_sub => FetchSub, fetch_max => FetchMax, fetch_min => FetchMin, fetch_and => FetchAnd, fetch_or => FetchOr);
});
atomic!(AtomicI64, i64, {
    fetch_ops!(i64: fetch_add => FetchAdd, fetch_sub => FetchSub, fetch_max => FetchMax, fetch_min => FetchMin, fetch_and => FetchAnd, fetch_or => FetchOr);
});
atomic!(AtomicUsize, usize, {
    fetch_ops!(usize: fetch_add => FetchAdd, fetch_sub => FetchSub, fetch_max => FetchMax, fetch_min => FetchMin, fetch_and => FetchAnd, fetch_or => FetchOr);
});

#[cfg(test)]
mod tests {
    use super::{AtomicU64, Ordering, fence};

    #[test]
    fn atomics_are_named_by_their_facade_path_and_print_alike() {
        assert_eq!(
            std::any::type_name::<AtomicU64>(),
            "racelab_sync::sync::atomic::AtomicU64"
        );
        assert_eq!(
            std::any::type_name_of_val(&fence),
            "racelab_sync::sync::atomic::fence"
        );
        crate::model(|| assert_eq!(format!("{:?}", AtomicU64::new(3)), "AtomicU64 { .. }"));
    }

    #[test]
    fn operations_forward_to_the_backend() {
        crate::model(|| {
            let total = AtomicU64::default();
            assert_eq!(total.fetch_add(5, Ordering::Relaxed), 0);
            fence(Ordering::SeqCst);
            assert_eq!(total.swap(7, Ordering::AcqRel), 5);
            assert_eq!(
                total.compare_exchange(7, 9, Ordering::AcqRel, Ordering::Acquire),
                Ok(7)
            );
            assert_eq!(
                total.fetch_update(Ordering::Release, Ordering::Relaxed, |v| Some(v + 1)),
                Ok(9)
            );
            assert_eq!(total.load(Ordering::Acquire), 10);
            assert_eq!(total.into_inner(), 10);
        });
    }
}
