// Sharing a `SharedCell` between threads without the `unsafe impl Sync` promise.
use racelab_sync::cell::SharedCell;
use racelab_sync::sync::Arc;
use racelab_sync::thread;

fn main() {
    let total = Arc::new(SharedCell::new(0_u64));
    let worker = Arc::clone(&total);
    thread::spawn(move || worker.store(100));
}
