//! The std backend's executor: one thread, tasks polled in the order they were woken,
//! as a current-thread tokio runtime polls them.
//!
//! The lab's own, rather than tokio's, so that real-thread stages run the code the
//! explorers run and nothing else: no worker pool whose timing would hide or show a
//! bug by luck (a bug between two `.await`s needs no second thread, and one thread
//! shows it the same way every round), and no runtime internals for ThreadSanitizer to
//! report on.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// A spawned task, its output already sent to its [`JoinHandle`].
type Task = Pin<Box<dyn Future<Output = ()>>>;

/// The id of the future given to `block_on`; spawned tasks are numbered from 1.
const MAIN: usize = 0;

thread_local! {
    /// The tasks spawned on this thread's running `block_on` and not yet taken by it.
    static SPAWNED: RefCell<Option<Rc<RefCell<Vec<Task>>>>> = const { RefCell::new(None) };
    /// The id of the task this thread is polling, `MAIN` outside a poll.
    static POLLING: Cell<usize> = const { Cell::new(MAIN) };
}

/// The id of the task the executor is polling on this thread (`MAIN` when none is).
pub(crate) fn polling() -> usize {
    POLLING.try_with(Cell::get).unwrap_or(MAIN)
}

/// Polls `task` as the task `id`, which [`polling`] says meanwhile.
fn poll_as<F: Future + ?Sized>(id: usize, task: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    let outer = POLLING.replace(id);
    let polled = task.poll(&mut Context::from_waker(waker));
    POLLING.set(outer);
    polled
}

/// The ids of the tasks woken and not yet polled, in the order they were woken.
struct ReadyQueue {
    ids: Mutex<VecDeque<usize>>,
    /// The thread running `block_on`, parked when nothing is ready.
    thread: Thread,
}

impl ReadyQueue {
    fn push(&self, id: usize) {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(id);
        self.thread.unpark();
    }

    fn pop(&self) -> Option<usize> {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }
}

/// Wakes one task: puts its id in the ready queue.
struct TaskWaker {
    id: usize,
    ready: Arc<ReadyQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.push(self.id);
    }
}

/// Puts back the spawn list of an outer `block_on` when an inner one ends.
struct Restore(Option<Rc<RefCell<Vec<Task>>>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let outer = self.0.take();
        SPAWNED.with(|spawned| *spawned.borrow_mut() = outer);
    }
}

/// Runs `future` and the tasks spawned meanwhile on this thread until `future` is
/// done; the tasks still unfinished then are dropped, as a runtime drops them when it
/// shuts down. With nothing ready, the thread sleeps until a waker wakes it: if none
/// ever does (every task waits for another), it sleeps for ever, which the stress
/// stage's watchdog reports as a hung round.
pub(super) fn block_on<F: Future>(future: F) -> F::Output {
    let ready = Arc::new(ReadyQueue {
        ids: Mutex::new(VecDeque::from([MAIN])),
        thread: thread::current(),
    });
    let spawned: Rc<RefCell<Vec<Task>>> = Rc::default();
    let outer = SPAWNED.with(|slot| slot.borrow_mut().replace(Rc::clone(&spawned)));
    let _restore = Restore(outer);
    let mut main = pin!(future);
    let main_waker = Waker::from(Arc::new(TaskWaker {
        id: MAIN,
        ready: Arc::clone(&ready),
    }));
    // Index `id - 1`: a task, or `None` once it is done.
    let mut tasks: Vec<Option<(Task, Waker)>> = Vec::new();
    loop {
        match ready.pop() {
            None => thread::park(),
            Some(MAIN) => {
                if let Poll::Ready(output) = poll_as(MAIN, main.as_mut(), &main_waker) {
                    return output;
                }
            }
            Some(id) => {
                if let Some(Some((task, waker))) = tasks.get_mut(id - 1)
                    && poll_as(id, task.as_mut(), waker).is_ready()
                {
                    tasks[id - 1] = None;
                }
            }
        }
        for task in spawned.borrow_mut().drain(..) {
            let id = tasks.len() + 1;
            let waker = Waker::from(Arc::new(TaskWaker {
                id,
                ready: Arc::clone(&ready),
            }));
            tasks.push(Some((task, waker)));
            ready.push(id);
        }
    }
}

/// What a task left for its [`JoinHandle`]: its output, or the waker of whoever
/// awaits it.
struct Joined<T> {
    output: Option<T>,
    waiting: Option<Waker>,
}

/// Awaits a task spawned with [`spawn`]: its output.
pub(super) struct JoinHandle<T> {
    joined: Arc<Mutex<Joined<T>>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut joined = self.joined.lock().unwrap_or_else(PoisonError::into_inner);
        match joined.output.take() {
            Some(output) => Poll::Ready(output),
            None => {
                joined.waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Adds `future` to the tasks of the `block_on` running on this thread.
///
/// # Panics
/// Outside `block_on`, as tokio's `spawn` panics outside a runtime.
pub(super) fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let joined = Arc::new(Mutex::new(Joined {
        output: None,
        waiting: None,
    }));
    let sent = Arc::clone(&joined);
    let task: Task = Box::pin(async move {
        let output = future.await;
        let waiting = {
            let mut joined = sent.lock().unwrap_or_else(PoisonError::into_inner);
            joined.output = Some(output);
            joined.waiting.take()
        };
        if let Some(waker) = waiting {
            waker.wake();
        }
    });
    SPAWNED.with(|spawned| {
        spawned
            .borrow()
            .as_ref()
            .expect("`task::spawn` called outside `task::block_on`: there is no executor to run the task")
            .borrow_mut()
            .push(task);
    });
    JoinHandle { joined }
}

#[cfg(test)]
mod tests {
    use super::{block_on, spawn};
    use std::sync::{Arc, Mutex};

    /// A future that is pending once, like an `.await` on I/O that is not ready yet.
    async fn pause() {
        let mut paused = false;
        std::future::poll_fn(|cx| {
            if paused {
                std::task::Poll::Ready(())
            } else {
                paused = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await;
    }

    #[test]
    fn tasks_take_turns_at_their_awaits_in_the_order_they_were_woken() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let names = block_on({
            let log = Arc::clone(&log);
            async move {
                let handles: Vec<_> = ["a", "b"]
                    .into_iter()
                    .map(|name| {
                        let log = Arc::clone(&log);
                        spawn(async move {
                            log.lock().unwrap().push(format!("{name} before"));
                            pause().await;
                            log.lock().unwrap().push(format!("{name} after"));
                            name
                        })
                    })
                    .collect();
                let mut names = Vec::new();
                for handle in handles {
                    names.push(handle.await);
                }
                names
            }
        });
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            *log.lock().unwrap(),
            ["a before", "b before", "a after", "b after"]
        );
    }

    #[test]
    #[should_panic(expected = "outside `task::block_on`")]
    fn spawning_outside_block_on_panics() {
        drop(spawn(async {}));
    }
}
