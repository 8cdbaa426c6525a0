// The facade's types have std's Send/Sync shape, under whichever backend is built.
use racelab_sync::cell::SharedCell;
use racelab_sync::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize};
use racelab_sync::sync::{Arc, Mutex, MutexGuard};
use racelab_sync::thread::JoinHandle;
use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::cell::Cell;

// What threads share is Send + Sync, as in std.
assert_impl_all!(Arc<Mutex<u64>>: Send, Sync);
assert_impl_all!(Mutex<u64>: Send, Sync);
assert_impl_all!(Mutex<Cell<u64>>: Send, Sync);
assert_impl_all!(AtomicBool: Send, Sync);
assert_impl_all!(AtomicI64: Send, Sync);
assert_impl_all!(AtomicU64: Send, Sync);
assert_impl_all!(AtomicUsize: Send, Sync);
assert_impl_all!(JoinHandle<u64>: Send, Sync);

// A guard stays on the thread that locked: not Send.
assert_not_impl_any!(MutexGuard<'static, u64>: Send);

// A plain cell may move to another thread, but not be shared without a promise.
assert_impl_all!(SharedCell<u64>: Send);
assert_not_impl_any!(SharedCell<u64>: Sync);
assert_not_impl_any!(Arc<SharedCell<u64>>: Send, Sync);

// An Arc of what is not Sync is neither Send nor Sync, as in std.
assert_not_impl_any!(Arc<Cell<u64>>: Send, Sync);

fn main() {}
