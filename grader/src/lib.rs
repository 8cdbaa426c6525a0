//! Racelab's grader: judges a subject (a crate implementing an exercise's API) with
//! four detectors running the same scenario.
//!
//! The pipeline, one module per step:
//!
//! ```text
//! lab + manifest ─▶ subject ─▶ build (one runner binary per backend)
//!                                 └─▶ stages (loom, shuttle, stress, tsan) ─▶ verdict ─▶ report
//! ```
//!
//! [`grade()`] runs it; a [`Observer`] hears about each step as it happens (the
//! console printer in `xtask` is one), and the [`report::Report`] it returns is
//! written as TOML by the caller.
//!
//! For a class, [`batch`] grades many subjects with a pool of workers and tallies a
//! summary, and [`formats`] derives what CI systems read (JUnit, Gradescope, GitHub
//! annotations) from the same reports.

pub mod api;
pub mod batch;
pub mod build;
pub mod clean;
pub mod cores;
pub mod divergence;
pub mod exercised;
pub mod formats;
mod grade;
pub mod integrity;
pub mod lab;
pub mod manifest;
pub mod matrix;
pub mod mutants;
pub mod options;
pub mod play;
pub mod policy;
pub mod process;
/// Report data drawn as text at a width (the console calls it).
pub mod render;
pub mod report;
pub mod score;
pub mod stage_id;
pub mod stages;
pub mod subject;
pub mod toolchain;
pub mod verdict;

pub use grade::{grade, grade_within, replay};
pub use options::{GradeOptions, Observer, Regrade};
pub use stage_id::StageId;
