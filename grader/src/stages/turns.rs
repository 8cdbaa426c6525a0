//! The turns a grade's builds take: two at once on the machine's two cores, and when
//! several wait, the flavor that answers first goes first ([`Flavor::build_order`]).
//!
//! A changed subject's build is mostly one crate and a link, a second of one core's
//! work. Two at once keep both cores busy while the explorers run; the real-thread
//! runs, which hold the cores alone, wait for every build and explorer run, so the
//! sooner those end, the sooner the grade does. A flavor's first build (its
//! dependencies too, a minute of both cores) goes alone: two of them at once would
//! end no sooner, and the first verdict would come later.

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
    /// How many of the [`AT_ONCE`] places the builds holding a turn take.
    taken: usize,
}

/// How a build uses the cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// The flavor's first: its dependencies too, alone.
    First,
    /// After a change: the subject and the runner, beside another.
    Again,
}

impl Build {
    /// How many of the [`AT_ONCE`] places it takes.
    fn places(self) -> usize {
        match self {
            Build::First => AT_ONCE,
            Build::Again => 1,
        }
    }
}

/// A turn; dropping it ends the turn.
#[must_use]
pub struct Turn<'a> {
    turns: &'a Turns,
    places: usize,
}

impl Turns {
    /// Waits until `flavor`'s `build` may start: its places are free, and no flavor
    /// waiting goes before it.
    pub fn take(&self, flavor: Flavor, build: Build) -> Turn<'_> {
        let places = build.places();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.queued.push(flavor);
        loop {
            let next = state.queued.iter().map(|f| f.build_order()).min();
            if state.taken + places <= AT_ONCE && next == Some(flavor.build_order()) {
                state.queued.retain(|f| *f != flavor);
                state.taken += places;
                // A place may still be free for the next flavor in order.
                self.changed.notify_all();
                return Turn {
                    turns: self,
                    places,
                };
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
        let mut state = self
            .turns
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.taken -= self.places;
        self.turns.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::{Build, Turns};
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
        let first = turns.take(Flavor::Std, Build::Again);
        let second = turns.take(Flavor::Tsan, Build::Again);
        let (took, took_rx) = mpsc::channel();
        std::thread::scope(|scope| {
            let mut release = Vec::new();
            for flavor in [Flavor::Tsan, Flavor::Std, Flavor::Shuttle, Flavor::Loom] {
                let (done, done_rx) = mpsc::channel::<()>();
                release.push((flavor, done));
                let (turns, took) = (&turns, took.clone());
                scope.spawn(move || {
                    let _turn = turns.take(flavor, Build::Again);
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

    #[test]
    fn a_flavor_s_first_build_goes_alone() {
        let turns = Turns::default();
        let again = turns.take(Flavor::Loom, Build::Again);
        let (took, took_rx) = mpsc::channel();
        std::thread::scope(|scope| {
            let (turns, took) = (&turns, took.clone());
            scope.spawn(move || {
                let _first = turns.take(Flavor::Shuttle, Build::First);
                took.send(Flavor::Shuttle).unwrap();
            });
            while turns.queued() < 1 {
                std::thread::yield_now();
            }
            // One place is free, but a first build needs both.
            assert!(took_rx.try_recv().is_err());
            drop(again);
            assert_eq!(took_rx.recv().unwrap(), Flavor::Shuttle);
        });
    }
}
