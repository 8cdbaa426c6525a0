//! Async tasks, as tokio's `task` module: [`block_on`], [`spawn`], [`JoinHandle`],
//! [`yield_now`] and [`select`].
//!
//! Each backend runs them on its own executor: with std, the lab's current-thread
//! executor (`task/executor.rs`: one thread, tasks polled in the order they were
//! woken); under shuttle, `shuttle::future`, whose tasks its scheduler interleaves at
//! every `.await` that is pending (and every lock); under loom, each spawned task on a
//! thread of its own driven by `loom::future::block_on`, since loom has no executor
//! that runs several tasks: loom then explores every interleaving of the tasks, a
//! superset of a one-thread executor's, at each step of the facade's locks.
//!
//! Under loom and shuttle, spawning, awaiting a task and yielding are recorded for the
//! interleaving tables as the typed events a thread's would be (`Spawn`,
//! `JoinRequested`, `Joined`) and `Yield` (see [`crate::trace`]).

#[cfg(not(any(feature = "loom", feature = "shuttle")))]
mod executor;
mod select;

pub use select::{Either, Select, select};

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
#[cfg(any(feature = "loom", feature = "shuttle"))]
use {crate::trace, std::sync::PoisonError};

/// Runs `future` to completion on the current thread, and the tasks it spawns
/// meanwhile, as a current-thread tokio runtime's `block_on`.
#[inline]
pub fn block_on<F: Future>(future: F) -> F::Output {
    #[cfg(feature = "loom")]
    return loom::future::block_on(future);
    #[cfg(feature = "shuttle")]
    return shuttle::future::block_on(future);
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    executor::block_on(future)
}

/// The id of the task the lab's executor is polling on this thread: 0 for the future
/// given to `block_on` (or outside one), spawned tasks from 1.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
pub(crate) fn polling() -> usize {
    executor::polling()
}

/// The backend's handle of a spawned task.
#[cfg(feature = "loom")]
type BackendHandle<T> = (loom::thread::JoinHandle<()>, std::sync::Arc<OutputSlot<T>>);
#[cfg(feature = "shuttle")]
type BackendHandle<T> = (
    shuttle::future::JoinHandle<()>,
    std::sync::Arc<OutputSlot<T>>,
);
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
type BackendHandle<T> = executor::JoinHandle<T>;

/// Where an explorer's task leaves its output for its [`JoinHandle`]: the task itself
/// returns `()`, whose handle shuttle can print, and so name the task.
#[cfg(any(feature = "loom", feature = "shuttle"))]
type OutputSlot<T> = std::sync::Mutex<Option<T>>;

/// The backend's handle and, under the explorers, the task's label.
struct Handle<T> {
    backend: Option<BackendHandle<T>>,
    /// The task's thread in the traces: `T1`, `T2`, …
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    thread: trace::Thread,
    /// Whether the awaiting task has recorded `joining` yet.
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    joining: bool,
}

/// Awaits a task spawned with [`spawn`]: `handle.await` is the task's output (a panic
/// in the task ends the whole execution, so there is no error to return).
pub struct JoinHandle<T> {
    /// Boxed, so that its size is the same in every backend (see [`crate::layout`]).
    inner: Box<Handle<T>>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JoinHandle { .. }")
    }
}

// The handle is polled in place, never moved out of.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, #[allow(unused)] cx: &mut Context<'_>) -> Poll<T> {
        let handle = &mut *self.inner;
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        if !handle.joining {
            handle.joining = true;
            trace::record(
                trace::Event::JoinRequested {
                    thread: handle.thread,
                },
                None,
            );
        }
        #[cfg(feature = "loom")]
        {
            // The task is a thread of its own: waiting for it here blocks only this
            // task's thread.
            let (thread, slot) = handle.backend.take().expect("a task is joined once");
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
            trace::record(
                trace::Event::Joined {
                    thread: handle.thread,
                },
                None,
            );
            let output = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            Poll::Ready(output.expect("a joined task left its output"))
        }
        #[cfg(feature = "shuttle")]
        {
            let (task, _) = handle.backend.as_mut().expect("a task is joined once");
            match Pin::new(task).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(result) => {
                    result.expect("a spawned task is never aborted");
                    let (_, slot) = handle.backend.take().expect("a task is joined once");
                    trace::record(
                        trace::Event::Joined {
                            thread: handle.thread,
                        },
                        None,
                    );
                    let output = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                    Poll::Ready(output.expect("a finished task left its output"))
                }
            }
        }
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        Pin::new(handle.backend.as_mut().expect("a task is joined once")).poll(cx)
    }
}

/// Spawns `future` as a task of the executor running [`block_on`] on this thread, as
/// `tokio::spawn`.
///
/// # Panics
/// With std, outside [`block_on`]: there is no executor to run the task.
#[inline]
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    {
        let slot = std::sync::Arc::new(OutputSlot::new(None));
        let sent = std::sync::Arc::clone(&slot);
        let task = async move {
            let output = future.await;
            *sent.lock().unwrap_or_else(PoisonError::into_inner) = Some(output);
        };
        #[cfg(feature = "loom")]
        let (backend, id) = {
            let thread = loom::thread::spawn(move || loom::future::block_on(task));
            let id = format!("{:?}", thread.thread().id());
            ((thread, slot), id)
        };
        #[cfg(feature = "shuttle")]
        let (backend, id) = {
            let task = shuttle::future::spawn(task);
            // `JoinHandle { task_id: TaskId(3), .. }`: the only place shuttle names it.
            let printed = format!("{task:?}");
            let id = printed
                .split_once("TaskId(")
                .map_or(String::new(), |(_, rest)| rest.to_owned());
            ((task, slot), id)
        };
        let number: String = id
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        let thread = trace::thread_of(&number);
        trace::record(trace::Event::Spawn { thread }, Some(Location::caller()));
        JoinHandle {
            inner: Box::new(Handle {
                backend: Some(backend),
                thread,
                joining: false,
            }),
        }
    }
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    JoinHandle {
        inner: Box::new(Handle {
            backend: Some(executor::spawn(future)),
        }),
    }
}

/// Gives the other tasks a turn, as `tokio::task::yield_now`: the task is pending
/// once, woken at once, and runs again when the executor comes back to it (an `.await`
/// on I/O that is not ready yet, in the exercises' stories).
#[inline]
#[track_caller]
pub fn yield_now() -> YieldNow {
    YieldNow {
        yielded: false,
        at: Location::caller(),
    }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "a yield does nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
    /// Where it was called, for the traces.
    #[cfg_attr(
        not(any(feature = "loom", feature = "shuttle")),
        expect(dead_code, reason = "only the explorers record it")
    )]
    at: &'static Location<'static>,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        trace::record(trace::Event::Yield, Some(self.at));
        cx.waker().wake_by_ref();
        // Tell the explorers this task wants to give way: loom then switches without
        // spending a preemption, shuttle's scheduler takes its turn.
        #[cfg(feature = "loom")]
        loom::thread::yield_now();
        #[cfg(feature = "shuttle")]
        shuttle::thread::yield_now();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::{block_on, spawn, yield_now};
    use crate::sync::{Arc, AsyncMutex};

    /// Two tasks that each add one to a balance read before an `.await`.
    fn two_increments(held_across_the_await: bool) -> u64 {
        let counter = Arc::new(AsyncMutex::new(0_u64));
        block_on(async {
            let tasks: Vec<_> = (0..2)
                .map(|_| {
                    let counter = Arc::clone(&counter);
                    spawn(async move {
                        if held_across_the_await {
                            let mut guard = counter.lock().await;
                            let seen = *guard;
                            yield_now().await;
                            *guard = seen + 1;
                        } else {
                            let seen = *counter.lock().await;
                            yield_now().await;
                            *counter.lock().await = seen + 1;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await;
            }
            *counter.lock().await
        })
    }

    /// Three tasks (two under loom, whose exploration of four threads does not end in
    /// minutes), each holding the lock across an `.await`, in turn: every waiter is
    /// woken when the lock comes free (a lost wakeup would be a deadlock).
    #[test]
    fn every_waiter_gets_the_lock_in_the_end() {
        // The steps are recorded in one record for the whole process: not while another
        // test reads it.
        let _alone = crate::alone();
        const TASKS: u64 = if cfg!(feature = "loom") { 2 } else { 3 };
        let body = || {
            let counter = Arc::new(AsyncMutex::new(0_u64));
            let total = block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let counter = Arc::clone(&counter);
                        spawn(async move {
                            let mut guard = counter.lock().await;
                            yield_now().await;
                            *guard += 1;
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await;
                }
                *counter.lock().await
            });
            assert_eq!(total, TASKS);
        };
        #[cfg(feature = "shuttle")]
        shuttle::check_pct(body, 500, 3);
        #[cfg(not(feature = "shuttle"))]
        crate::model(body);
    }

    /// The async steps reach the trace as typed events: the task spawned and joined,
    /// its yield, its send on a oneshot, and the select that received it first.
    #[cfg(feature = "shuttle")]
    #[test]
    fn async_steps_are_recorded_as_typed_events() {
        // The steps are recorded in one record for the whole process: not while another
        // test reads it.
        let _alone = crate::alone();
        use crate::sync::oneshot;
        use crate::trace::{self, Branch, Event};
        shuttle::check_random(
            || {
                trace::begin_execution();
                block_on(async {
                    let (sender, receiver) = oneshot::channel::<u8>();
                    let task = spawn(async move {
                        yield_now().await;
                        assert!(sender.send(1).is_ok(), "the receiver waits");
                    });
                    let chosen = super::select(receiver, std::future::pending::<()>()).await;
                    assert!(matches!(chosen, super::Either::First(Ok(1))));
                    task.await;
                });
                let events: Vec<Event> = trace::snapshot().into_iter().map(|s| s.event).collect();
                let has = |wanted: fn(&Event) -> bool| events.iter().any(wanted);
                assert!(has(|e| matches!(e, Event::Spawn { .. })), "{events:?}");
                assert!(has(|e| matches!(e, Event::Yield)), "{events:?}");
                assert!(
                    has(|e| matches!(
                        e,
                        Event::Sent {
                            delivered: true,
                            ..
                        }
                    )),
                    "{events:?}"
                );
                assert!(has(|e| matches!(e, Event::Received { .. })), "{events:?}");
                assert!(
                    has(|e| matches!(
                        e,
                        Event::Select {
                            chosen: Branch::First
                        }
                    )),
                    "{events:?}"
                );
                assert!(has(|e| matches!(e, Event::Joined { .. })), "{events:?}");
            },
            20,
        );
    }

    #[test]
    fn a_guard_held_across_an_await_keeps_the_other_task_out() {
        // The steps are recorded in one record for the whole process: not while another
        // test reads it.
        let _alone = crate::alone();
        crate::model(|| assert_eq!(two_increments(true), 2));
    }

    /// With std, the one-thread executor runs the tasks in turn at their `.await`s, so
    /// the update is lost every time; the explorers find that order among others.
    #[test]
    fn a_balance_read_before_an_await_is_stale_after_it() {
        // The steps are recorded in one record for the whole process: not while another
        // test reads it.
        let _alone = crate::alone();
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        assert_eq!(two_increments(false), 1);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        {
            let body = || assert_eq!(two_increments(false), 2);
            #[cfg(feature = "loom")]
            let lost = std::panic::catch_unwind(|| loom::model(body));
            // Random schedules: one in a few hundred misses the order that loses it.
            #[cfg(feature = "shuttle")]
            let lost = std::panic::catch_unwind(|| shuttle::check_random(body, 300));
            assert!(lost.is_err(), "the explorer found no lost update");
        }
    }
}
