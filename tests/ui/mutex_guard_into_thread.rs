// Taking the lock, then handing the guard to another thread to finish the work.
use racelab_sync::sync::Mutex;
use racelab_sync::thread;

fn main() {
    let balance: &'static Mutex<i64> = Box::leak(Box::new(Mutex::new(500)));
    let mut guard = balance.lock().unwrap();
    thread::spawn(move || *guard -= 100);
}
