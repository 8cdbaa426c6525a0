//! The verdict: one word for the whole grade, and the exit status that goes with it.
//!
//! | verdict      | when                                                        | exit |
//! |--------------|-------------------------------------------------------------|------|
//! | `pass`       | every stage ran and passed                                  | 0    |
//! | `fail`       | a stage found a bug or timed out, or the subject does not build | 1 |
//! | `incomplete` | nothing failed, but a stage was skipped                      | 3    |
//! | `error`      | the grader could not do its job                              | 2    |
//! | `unchanged`  | (a class only) the subject's `src/` is the shipped crate's    | 1    |
//! | `missing`    | (a class only) the student sent nothing for the exercise      | 1    |
//!
//! The last two are answered without a build: a batch knows them from the
//! submission folder and the hash of `src/` ([`crate::integrity`]). Neither is a
//! failure of a fix (there is none to judge), so class outputs count them apart and
//! JUnit marks them `skipped`; both earn nothing and exit 1, the students' status.
//!
//! How a grade's stage reports combine into its verdict ([`Verdict::of`]) is in
//! [`crate::report`], beside the reports it reads, so that this module depends on
//! nothing.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The overall verdict of a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every stage ran and passed.
    Pass,
    /// A stage found a bug, timed out, or the subject does not build.
    Fail,
    /// Nothing failed, but at least one stage did not run.
    Incomplete,
    /// The grader itself failed.
    Error,
    /// In a class: the subject's sources are the shipped crate's, byte for byte, so
    /// it was not built (the shipped crate fails by design).
    Unchanged,
    /// In a class: the student sent nothing to grade for the exercise, whatever the
    /// layout of their upload.
    Missing,
}

impl Verdict {
    /// The verdict of many grades (a class): the worst of them, in the order `fail`,
    /// `error`, `incomplete`, `unchanged`, `missing`, `pass`; `incomplete` when there
    /// are none.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let rank = |v: &Verdict| match v {
            Verdict::Pass => 0,
            Verdict::Missing => 1,
            Verdict::Unchanged => 2,
            Verdict::Incomplete => 3,
            Verdict::Error => 4,
            Verdict::Fail => 5,
        };
        verdicts
            .into_iter()
            .max_by_key(rank)
            .unwrap_or(Verdict::Incomplete)
    }

    /// The process exit status for this verdict.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail | Verdict::Unchanged | Verdict::Missing => 1,
            Verdict::Error => 2,
            Verdict::Incomplete => 3,
        }
    }

    /// Lowercase name, as in the report.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::Error => "error",
            Verdict::Unchanged => "unchanged",
            Verdict::Missing => "missing",
        }
    }

    /// Whether the grade judged a fix: `unchanged` and `missing` had none to judge,
    /// so class outputs count them apart from failures.
    pub fn judged(self) -> bool {
        !matches!(self, Verdict::Unchanged | Verdict::Missing)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;
    use crate::report::{Evidence, StageReport, Status};
    use crate::stage_id::StageId;

    fn stage(status: Status) -> StageReport {
        StageReport {
            name: StageId::Loom,
            status,
            duration_ms: 0,
            summary: String::new(),
            evidence: Evidence::default(),
        }
    }

    fn verdict(statuses: &[Status]) -> Verdict {
        Verdict::of(&statuses.iter().copied().map(stage).collect::<Vec<_>>())
    }

    #[test]
    fn the_verdict_follows_the_documented_table() {
        use Status::*;
        assert_eq!(verdict(&[Pass, Pass, Pass, Pass]), Verdict::Pass);
        assert_eq!(verdict(&[Pass, Fail, Pass, Skipped]), Verdict::Fail);
        assert_eq!(verdict(&[Pass, Timeout, Pass, Pass]), Verdict::Fail);
        assert_eq!(verdict(&[Pass, Pass, Pass, Skipped]), Verdict::Incomplete);
        assert_eq!(verdict(&[Pass, Error, Pass, Skipped]), Verdict::Error);
        assert_eq!(verdict(&[]), Verdict::Incomplete);
        assert_ne!(verdict(&[Skipped]), Verdict::Pass);
    }

    #[test]
    fn a_subject_that_does_not_compile_fails_rather_than_errors() {
        let mut broken = stage(Status::Error);
        broken.evidence.compile_errors = vec!["error[E0425]".into()];
        assert_eq!(
            Verdict::of(&[broken, stage(Status::Skipped)]),
            Verdict::Fail
        );
    }

    #[test]
    fn a_fault_of_the_subject_fails_rather_than_errors() {
        let mut tampering = stage(Status::Error);
        tampering.evidence.fault = Some("reads cfg(loom)".into());
        assert_eq!(
            Verdict::of(&[tampering, stage(Status::Pass)]),
            Verdict::Fail
        );
    }

    #[test]
    fn a_skipped_required_stage_fails_the_grade() {
        use Status::*;
        let stages: Vec<_> = [Pass, Pass, Skipped, Skipped]
            .into_iter()
            .zip(StageId::ALL)
            .map(|(status, name)| StageReport {
                name,
                ..stage(status)
            })
            .collect();
        assert_eq!(Verdict::of_required(&stages, &[]), Verdict::Incomplete);
        assert_eq!(
            Verdict::of_required(&stages, &[StageId::Loom, StageId::Shuttle]),
            Verdict::Incomplete
        );
        assert_eq!(
            Verdict::of_required(&stages, &[StageId::Loom, StageId::Tsan]),
            Verdict::Fail
        );
    }

    #[test]
    fn a_class_takes_its_worst_verdict() {
        use Verdict::*;
        assert_eq!(Verdict::worst([Pass, Pass]), Pass);
        assert_eq!(Verdict::worst([Pass, Incomplete]), Incomplete);
        assert_eq!(Verdict::worst([Incomplete, Error, Pass]), Error);
        assert_eq!(Verdict::worst([Error, Fail, Incomplete]), Fail);
        assert_eq!(Verdict::worst([]), Incomplete);
        assert_eq!(Verdict::worst([Pass, Missing, Unchanged]), Unchanged);
        assert_eq!(Verdict::worst([Missing, Incomplete]), Incomplete);
        assert_eq!(Verdict::worst([Pass, Missing]).exit_code(), 1);
    }

    #[test]
    fn a_skipped_stage_is_never_a_pass_and_exit_codes_are_distinct() {
        let codes: Vec<i32> = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Error,
            Verdict::Incomplete,
        ]
        .map(Verdict::exit_code)
        .to_vec();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
