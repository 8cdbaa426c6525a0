//! The facade's promise that a subject cannot tell the backends apart by layout:
//! every public type has the same size and alignment whichever backend feature is
//! on. This test writes the table for the backend it is built with and compares it
//! with `layout.txt`, the one table every backend must match; run it once per
//! backend: `cargo test -p racelab-sync --test layout`, and again with
//! `--features loom`, `--features shuttle`, `--features tsan`.
//! `RACELAB_UPDATE_LAYOUT=1` rewrites the table (from the plain backend only).

use racelab_sync::cell::SharedCell;
use racelab_sync::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize};
use racelab_sync::sync::{
    Arc, AsyncMutex, AsyncMutexGuard, Condvar, Mutex, MutexGuard, OnceLock, RwLock,
    RwLockReadGuard, RwLockWriteGuard,
};
use racelab_sync::thread::JoinHandle;
use std::mem::{align_of, size_of};

/// One line per type: `name size align`.
fn table() -> String {
    let mut lines = Vec::new();
    macro_rules! row {
        ($($ty:ty),* $(,)?) => {
            $(lines.push(format!("{} {} {}", stringify!($ty), size_of::<$ty>(), align_of::<$ty>()));)*
        };
    }
    row!(
        AtomicBool,
        AtomicU32,
        AtomicU64,
        AtomicI64,
        AtomicUsize,
        Mutex<u64>,
        Mutex<[u8; 3]>,
        MutexGuard<'static, u64>,
        RwLock<u64>,
        RwLockReadGuard<'static, u64>,
        RwLockWriteGuard<'static, u64>,
        Condvar,
        OnceLock<u64>,
        OnceLock<[u8; 3]>,
        Arc<u64>,
        SharedCell<u64>,
        SharedCell<u8>,
        JoinHandle<u64>,
        AsyncMutex<u64>,
        AsyncMutexGuard<'static, u64>,
        racelab_sync::task::JoinHandle<u64>,
    );
    lines.join("\n") + "\n"
}

#[test]
fn every_backend_lays_the_facade_out_alike() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/layout.txt");
    let mine = table();
    let plain = !cfg!(any(feature = "loom", feature = "shuttle", feature = "tsan"));
    if plain && std::env::var_os("RACELAB_UPDATE_LAYOUT").is_some() {
        std::fs::write(path, &mine).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        mine, expected,
        "this backend's layout differs from layout.txt"
    );
}
