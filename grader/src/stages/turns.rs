//! The turns a grade's builds take: two at once on the machine's two cores, and when
//! several wait, the flavor that answers first goes first ([`Flavor::build_order`]).
//!
//! A changed subject's build is mostly one crate and a link, a second of one core's
//! work. Two at once keep both cores busy while the explorers run; the real-thread
//! runs, which hold the cores alone, wait for every build and explorer run, so the
//! sooner those end, the sooner the grade does.

use crate::build::Flavor;
use std::sync::{Condvar, Mutex, PoisonError};

/// How many of a grade's builds run at once.
const AT_ONCE: usize = 2;

/// The builds of one grade waiting for a turn, and those running.
#[derive(Debug, Default)]
pub struct Turns {
    state: Mutex<Waiting>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Waiting {
    /// The flavors waiting for a turn.
    queued: Vec<Flavor>,
    /// How many builds hold a turn.
    running: usize,
}

/// A turn; dropping it ends the turn.
#[must_use]
pub struct Turn<'a>(&'a Turns);

impl Turns {
    /// Waits until `flavor` may build: fewer than [`AT_ONCE`] builds run, and no
    /// flavor waiting goes before it.
    pub fn take(&self, flavor: Flavor) -> Turn<'_> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.queued.push(flavor);
        loop {
            let next = state.queued.iter().map(|f| f.build_order()).min();
            if state.running < AT_ONCE && next == Some(flavor.build_order()) {
                state.queued.retain(|f| *f != flavor);
                state.running += 1;
                // A turn may still be free for the next flavor in order.
                self.changed.notify_all();
                return Turn(self);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.running -= 1;
        self.0.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::Turns;
    use crate::build::Flavor;
    use std::sync::mpsc;

    impl Turns {
        fn queued(&self) -> usize {
            self.state.lock().unwrap().queued.len()
        }
    }

    #[test]
    fn two_build_at_once_and_the_waiting_flavors_go_in_build_order() {
        let turns = Turns::default();
        let first = turns.take(Flavor::Std);
        let second = turns.take(Flavor::Tsan);
        let (took, took_rx) = mpsc::channel();
        std::thread::scope(|scope| {
            let mut release = Vec::new();
            for flavor in [Flavor::Tsan, Flavor::Std, Flavor::Shuttle, Flavor::Loom] {
                let (done, done_rx) = mpsc::channel::<()>();
                release.push((flavor, done));
                let (turns, took) = (&turns, took.clone());
                scope.spawn(move || {
                    let _turn = turns.take(flavor);
                    took.send(flavor).unwrap();
                    let _ = done_rx.recv();
                });
            }
            while turns.queued() < 4 {
                std::thread::yield_now();
            }
            let mut end = |flavor: Flavor| {
                let at = release.iter().position(|(f, _)| *f == flavor).unwrap();
                drop(release.remove(at));
            };
            // Each turn that ends lets exactly one waiting build start: the first in
            // build order.
            drop(first);
            assert_eq!(took_rx.recv().unwrap(), Flavor::Loom);
            drop(second);
            assert_eq!(took_rx.recv().unwrap(), Flavor::Shuttle);
            end(Flavor::Loom);
            assert_eq!(took_rx.recv().unwrap(), Flavor::Std);
            end(Flavor::Shuttle);
            assert_eq!(took_rx.recv().unwrap(), Flavor::Tsan);
            end(Flavor::Std);
            end(Flavor::Tsan);
        });
        assert_eq!(turns.queued(), 0);
    }
}
