//! Grading a class: every submission in a folder (or every exercise of the
//! workspace), graded by a bounded pool of workers, with one report per subject and a
//! class summary.
//!
//! This is the runner only: it finds the subjects ([`discover`]), grades them
//! ([`run`]), writes each canonical TOML report as soon as its grade ends, and tallies
//! the class ([`Summary`]). What people and CI systems read (the console, JUnit,
//! Gradescope, GitHub annotations) is made from its results by the callers and
//! [`crate::formats`].
//!
//! Sharing. Each subject gets its own runner project, but every runner of a flavor
//! builds into the same target directory (`target/racelab/build/<flavor>/`), so the
//! dependencies — loom, shuttle, the facade, the instrumented std — are compiled once
//! for the whole class, and each further subject costs its own crate, its runner's
//! link, and its runs. cargo's lock on a target directory serialises builds into it,
//! every grade runs in a folder of its own, and real-thread stages take the cores lock
//! (see [`crate::cores`]), so parallel workers never corrupt what they share. Before
//! the pool starts, [`prepare()`] builds the shared dependencies (and provisions any
//! toolchain a stage needs) once, with a crate the lab knows compiles, so they are
//! made by one build rather than raced for by several, and no subject's grade (a
//! looping one, say) stands between the class and its workers.
//!
//! Nothing about one subject stops the batch: a folder with no crate, a crate that
//! does not build, a runner that crashes or times out, even a panic in the grader
//! itself, all end as that subject's report, and the batch goes on.

mod discover;
mod pool;
mod prepare;
mod shard;
mod similar;
mod student;
mod summary;

pub use discover::{
    DiscoverError, Layout, Scope, Target, WrappedLayout, discover, is_ignored, safe_stem,
};
pub use pool::{Event, MAX_DEFAULT_JOBS, Plan, default_jobs, run};
pub use prepare::{Prepared, prepare};
pub use shard::{Shard, ShardError, check_complete};
pub use similar::fingerprint;
pub use student::relative_to_repository;
pub use summary::{ExerciseTally, Settings, StageTally, SubjectLine, Summary, SummaryError};

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::subject::Subject;

/// The name a batch gives the workspace's own exercise crates.
pub const WORKSPACE: &str = "workspace";

/// The class summary's format version.
pub const SUMMARY_SCHEMA: u32 = 1;

/// The summary's file name in a batch's output folder.
pub const SUMMARY_FILE: &str = "summary.toml";

/// The name a subject goes by in reports and CI results when graded on its own:
/// [`WORKSPACE`] for the workspace's own crate, else its folder's name.
pub fn subject_name(lab: &Lab, exercise: &Exercise, subject: &Subject) -> String {
    if subject.dir == lab.exercise_dir(exercise) {
        WORKSPACE.into()
    } else {
        subject.folder_name()
    }
}
