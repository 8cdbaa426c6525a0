//! Waiting for the first of two futures, as `tokio::select! { biased; … }`: the other
//! one is dropped where it stands, which is how a timeout cancels a request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// Which of [`select`]'s two futures finished first, with its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future finished first.
    First(A),
    /// The second future finished first.
    Second(B),
}

/// Polls `first`, then `second`, each time the task is woken, until one is done; the
/// other is then dropped at its last `.await` (cancelled). Always in that order, as
/// `select!` with `biased;`: tokio's default picks a branch at random, which the
/// explorers could not replay and which would make a one-thread run depend on luck.
#[inline]
#[track_caller]
pub fn select<A: Future, B: Future>(first: A, second: B) -> Select<A, B> {
    Select {
        first: Box::pin(first),
        second: Box::pin(second),
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        at: Location::caller(),
    }
}

/// The future of [`select`].
#[must_use = "a select does nothing unless awaited"]
pub struct Select<A, B> {
    first: Pin<Box<A>>,
    second: Pin<Box<B>>,
    /// Where it was called, for the traces.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    at: &'static Location<'static>,
}

impl<A, B> std::fmt::Debug for Select<A, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Select { .. }")
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(output) = self.first.as_mut().poll(cx) {
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            trace::record(
                trace::Event::Select {
                    chosen: trace::Branch::First,
                },
                Some(self.at),
            );
            return Poll::Ready(Either::First(output));
        }
        if let Poll::Ready(output) = self.second.as_mut().poll(cx) {
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            trace::record(
                trace::Event::Select {
                    chosen: trace::Branch::Second,
                },
                Some(self.at),
            );
            return Poll::Ready(Either::Second(output));
        }
        Poll::Pending
    }
}
