//! A channel for one value, as `tokio::sync::oneshot`: `channel()`, `Sender::send`, and
//! a `Receiver` to await. The exercises fire cancellations (a timeout that elapsed)
//! through it.
//!
//! Built on the backend's mutex and a waker, so every backend runs the same code;
//! under loom and shuttle, `send` and the receiver's `recv` are recorded for the
//! interleaving tables.

use crate::backend;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, Waker};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::panic::Location};

/// What both ends share: the value once sent, whether the sender is gone, who waits.
struct State<T> {
    value: Option<T>,
    sender_dropped: bool,
    receiver_dropped: bool,
    waiting: Option<Waker>,
}

/// The state, and the channel's name in the traces (`oneshot#1`; empty with std).
struct Shared<T> {
    state: backend::sync::Mutex<State<T>>,
    #[cfg_attr(
        not(any(feature = "loom", feature = "shuttle")),
        expect(dead_code, reason = "only the explorers record it")
    )]
    name: String,
}

impl<T> Shared<T> {
    fn state(&self) -> backend::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The channel as the traces name it.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    fn object(&self) -> trace::Object {
        trace::object(trace::ObjectKind::Oneshot, &self.name)
    }
}

/// A new channel for one value: its sending and its receiving end.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    let name = trace::name_object(trace::ObjectKind::Oneshot);
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    let name = String::new();
    let shared = Arc::new(Shared {
        state: backend::sync::Mutex::new(State {
            value: None,
            sender_dropped: false,
            receiver_dropped: false,
            waiting: None,
        }),
        name,
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

/// The sending end of a [`channel`].
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver; `Err(value)` when the receiver is gone.
    #[track_caller]
    pub fn send(self, value: T) -> Result<(), T> {
        crate::exercised::record(crate::exercised::Access::Write);
        let mut state = self.shared.state();
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(
            trace::Event::Sent {
                channel: self.shared.object(),
                delivered: !state.receiver_dropped,
            },
            Some(Location::caller()),
        );
        if state.receiver_dropped {
            return Err(value);
        }
        state.value = Some(value);
        let waiting = state.waiting.take();
        drop(state);
        if let Some(waker) = waiting {
            waker.wake();
        }
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    /// Tells a waiting receiver that no value will come.
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.sender_dropped = true;
        let waiting = state.waiting.take();
        drop(state);
        if let Some(waker) = waiting {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sender { .. }")
    }
}

/// The receiving end of a [`channel`]: `receiver.await` is the value, or
/// [`RecvError`] when the sender was dropped without sending.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// The sender of a [`channel`] was dropped without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending")
    }
}

impl std::error::Error for RecvError {}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.shared.state();
        if let Some(value) = state.value.take() {
            #[cfg(any(feature = "loom", feature = "shuttle"))]
            trace::record(
                trace::Event::Received {
                    channel: self.shared.object(),
                },
                None,
            );
            return Poll::Ready(Ok(value));
        }
        if state.sender_dropped {
            return Poll::Ready(Err(RecvError));
        }
        state.waiting = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.state().receiver_dropped = true;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receiver { .. }")
    }
}
