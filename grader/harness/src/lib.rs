//! The runner side of the grader.
//!
//! For every subject and stage, the grader generates a tiny binary whose `main` is
//! [`run`] applied to the exercise's scenario, compiles it with the stage's feature of
//! this crate (`loom`, `shuttle`, `tsan`, forwarded to the facade; none for stress), and
//! runs it as a child process. The child reads the run's token from stdin, a [`Request`]
//! from a file, drives the scenario with the backend it was built for, and writes its
//! [`Findings`], token included, to a file the grader names. The subject's stdout and
//! stderr are evidence only: results travel through the findings file, and the grader
//! accepts only findings that carry the token.
//!
//! Before the scenario runs, the runner contains itself (see `contain`): it can no
//! longer start processes, signal other processes or read their memory.
//!
//! Scenarios (in `grader/scenarios/`) use [`Size`] and return an [`Outcome`]; a
//! scenario file with a sequential model of its object ([`spec::Model`]) is run with
//! [`run_with_model`], which also serves the `spec` stage.

mod contain;
#[cfg(feature = "shuttle")]
mod play;
mod protocol;
mod run;
mod scenario;
pub mod spec;

pub use protocol::{
    CallOutcome, ExecutedAtomic, Failure, Findings, Instead, PlayChoice, Position, Request,
    SpecCall, SpecDifference, SpecExplanation, SpecOrder, SpecRun, SpecScenario, TouchedPlace,
};
/// The trace's vocabulary, which the findings carry and the grader reads.
pub use racelab_sync::trace;
pub use run::{DEADLOCK_SETTLE, run, run_with_model};
pub use scenario::{BROKEN, Outcome, Size};
