//! What a grade is asked to do ([`GradeOptions`]), and who hears about it while it
//! runs ([`Observer`]).

use crate::report::StageReport;
use crate::stage_id::StageId;
use std::time::Duration;

/// The default address-space limit of a runner process.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 4096;

/// What to run, and with which overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeOptions {
    /// The stages to run; the others are reported `skipped`.
    pub stages: Vec<StageId>,
    /// shuttle's seed, instead of the manifest's.
    pub seed: Option<u64>,
    /// shuttle's iteration count, instead of the manifest's.
    pub iterations: Option<usize>,
    /// Each stage's time limit, instead of its default (sized from what the
    /// exercise's reference solutions take, see [`crate::stages::limits`]). It also
    /// caps a real-thread round.
    pub time_limit: Option<Duration>,
    /// The runners' address-space limit in MiB (default [`DEFAULT_MEMORY_LIMIT_MB`]).
    pub memory_limit_mb: Option<u64>,
    /// Whether the grader may install what a stage needs (ThreadSanitizer's toolchain).
    pub provision: bool,
    /// Stages that must run (`--require`): one of them `skipped` fails the grade
    /// instead of leaving it `incomplete`.
    pub required: Vec<StageId>,
    /// Whether the subject is graded again after an edit, which decides how its
    /// runners are compiled.
    pub regrade: Regrade,
}

/// Whether a subject is graded again after an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regrade {
    /// A crate a student edits and grades again (`grade`, `watch`): the scenario's
    /// binary is compiled incrementally, so the next grade recompiles only what the
    /// edit touched.
    AfterEdits,
    /// A crate graded once: a batch's submissions, whose builds are removed with the
    /// report written, and a test's fixtures. Nothing would read incremental data, and
    /// writing it makes a fresh build dearer (shuttle's runner: 2.4 s of CPU instead
    /// of 1.5 s, `docs/performance.md`).
    Once,
}

impl GradeOptions {
    /// The stages named with `--require`, in the order a grade runs them: what a
    /// report records as `required`.
    pub fn required_in_order(&self) -> Vec<StageId> {
        StageId::ALL
            .into_iter()
            .filter(|stage| self.required.contains(stage))
            .collect()
    }
}

impl Default for GradeOptions {
    fn default() -> Self {
        Self {
            stages: StageId::ALL.to_vec(),
            seed: None,
            iterations: None,
            time_limit: None,
            memory_limit_mb: None,
            provision: true,
            required: Vec::new(),
            regrade: Regrade::AfterEdits,
        }
    }
}

/// Hears about a grade while it runs (a console printer, a test's recorder).
pub trait Observer {
    /// `stage` has started doing `activity` (e.g. "building the loom runner").
    fn activity(&mut self, stage: StageId, activity: &str);
    /// `stage` is done. Why a passing stage was silent is not known yet (stages end in
    /// any order): the report's notes say it once every stage has ended.
    fn stage_finished(&mut self, stage: &StageReport);
}

/// The silent observer: the report says it all (tests, and callers that print nothing).
impl Observer for () {
    fn activity(&mut self, _: StageId, _: &str) {}
    fn stage_finished(&mut self, _: &StageReport) {}
}
