//! The `spec` stage's runner side: sequential models, generated scenarios, and the
//! linearizability check of what a concurrent run returned.
//!
//! An exercise's scenario file declares a [`Model`] of its object: the operations (an
//! enum), how to apply one to the real object, and what a correct *sequential* object
//! returns for it. The stage generates [`Scenario`]s with proptest — how the object
//! starts, a few operations on the main thread, a parallel part of 2–3 threads × 1–3
//! operations with generated arguments, and a final part on the main thread — runs
//! each under shuttle's PCT scheduler, and checks every execution's results against
//! the model ([`check`]): some order of the same operations that keeps each thread's
//! order and the real-time order of calls that did not overlap must give the same
//! results from the model (linearizability, as Lincheck and Porcupine judge it).
//! proptest shrinks a failing scenario to the smallest that still fails.

mod check;
#[cfg(feature = "shuttle")]
pub(crate) mod drive;
mod explain;

pub use check::{Call, Lane, Violation, linearizable};
pub use explain::Explanation;

use proptest::prelude::*;
use std::fmt::{Debug, Display};
use std::hash::Hash;

/// The proptest items a model's strategies need (`prop_oneof!`, `vec`, `Just`, …).
pub mod prelude {
    pub use super::Model;
    pub use proptest::collection::vec;
    pub use proptest::prelude::*;
}

/// How many threads a scenario's parallel part has, at least and at most.
pub const THREADS: std::ops::RangeInclusive<usize> = 2..=3;

/// A sequential model of an exercise's object, and how to drive the real one.
///
/// The real object lives on the main thread ([`Model::open`]); each worker thread
/// gets a [`Model::Handle`] made from it before the threads start (an `Arc` of the
/// object, or a per-worker handle such as a recorder). The model is a plain value,
/// [`Model::State`], and [`Model::step`] says what a correct object returns for an
/// operation applied alone in that state.
pub trait Model: 'static {
    /// How the object starts (an opening balance, say), generated.
    type Init: Clone + Debug + Display + Send + Sync + 'static;
    /// The real object, held by the main thread.
    type Object;
    /// What one worker thread holds to reach the object.
    type Handle: Send + 'static;
    /// One operation with its arguments; `Display` as a call: `payout(500)`.
    type Op: Clone + Debug + Display + Send + Sync + 'static;
    /// What an operation returns; `Display` as a value: `true`, `500`.
    type Ret: Clone + Debug + Display + PartialEq + Send + 'static;
    /// The sequential object's state.
    type State: Clone + Eq + Hash;

    /// How objects start.
    fn init() -> BoxedStrategy<Self::Init>;

    /// The operations the main thread applies before the threads start (none by
    /// default).
    fn initial_part() -> BoxedStrategy<Vec<Self::Op>> {
        Just(Vec::new()).boxed()
    }

    /// The operations of worker `thread` (0, 1, 2): one to three of them.
    fn thread_part(thread: usize) -> BoxedStrategy<Vec<Self::Op>>;

    /// The operations the main thread applies once the workers have joined.
    fn final_part() -> BoxedStrategy<Vec<Self::Op>>;

    /// Opens the real object.
    fn open(init: &Self::Init) -> Self::Object;

    /// A worker's handle on the object.
    fn handle(object: &Self::Object) -> Self::Handle;

    /// Applies `op` to the real object on the main thread.
    fn apply(object: &mut Self::Object, op: &Self::Op) -> Self::Ret;

    /// Applies `op` to the real object through a worker's handle.
    fn apply_in_thread(handle: &mut Self::Handle, op: &Self::Op) -> Self::Ret;

    /// The sequential object as it starts.
    fn start(init: &Self::Init) -> Self::State;

    /// What a correct sequential object returns for `op` in `state`, and its state
    /// after; `None` when `op` cannot complete in `state` (it would wait, as reading a
    /// summary not yet published does).
    fn step(state: &Self::State, op: &Self::Op) -> Option<(Self::State, Self::Ret)>;
}

/// One generated scenario of model `M`.
pub struct Scenario<M: Model> {
    /// How the object starts.
    pub init: M::Init,
    /// The main thread's operations before the workers start.
    pub initial: Vec<M::Op>,
    /// Each worker's operations, in order.
    pub threads: Vec<Vec<M::Op>>,
    /// The main thread's operations after the workers joined.
    pub last: Vec<M::Op>,
}

impl<M: Model> Clone for Scenario<M> {
    fn clone(&self) -> Self {
        Scenario {
            init: self.init.clone(),
            initial: self.initial.clone(),
            threads: self.threads.clone(),
            last: self.last.clone(),
        }
    }
}

impl<M: Model> Debug for Scenario<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("init", &self.init)
            .field("initial", &self.initial)
            .field("threads", &self.threads)
            .field("last", &self.last)
            .finish()
    }
}

impl<M: Model> Scenario<M> {
    /// How many operations the scenario has in all.
    pub fn operations(&self) -> usize {
        self.initial.len() + self.last.len() + self.threads.iter().map(Vec::len).sum::<usize>()
    }

    /// `2 threads, 5 operations`.
    pub fn describe(&self) -> String {
        format!(
            "{} threads, {} operations",
            self.threads.len(),
            self.operations()
        )
    }
}

/// Every scenario of `M`: its start, initial part, 2–3 threads and final part.
/// proptest shrinks each part (fewer threads, fewer and smaller operations).
pub fn scenarios<M: Model>() -> impl Strategy<Value = Scenario<M>> {
    let threads = THREADS.prop_flat_map(|n| (0..n).map(M::thread_part).collect::<Vec<_>>());
    (M::init(), M::initial_part(), threads, M::final_part()).prop_map(
        |(init, initial, threads, last)| Scenario {
            init,
            initial,
            threads,
            last,
        },
    )
}
