//! The verdict: one word for the whole grade, and the exit status that goes with it.
//!
//! | verdict      | when                                                        | exit |
//! |--------------|-------------------------------------------------------------|------|
//! | `pass`       | every stage ran and passed                                  | 0    |
//! | `fail`       | a stage found a bug or timed out, or the subject does not build | 1 |
//! | `incomplete` | nothing failed, but a stage was skipped                      | 3    |
//! | `error`      | the grader could not do its job                              | 2    |
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
}

impl Verdict {
    /// The verdict of many grades (a class): the worst of them, in the order `fail`,
    /// `error`, `incomplete`, `pass`; `incomplete` when there are none.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let rank = |v: &Verdict| match v {
            Verdict::Pass => 0,
            Verdict::Incomplete => 1,
            Verdict::Error => 2,
            Verdict::Fail => 3,
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
            Verdict::Fail => 1,
            Verdict::Error => 2,
            Verdict::Incomplete => 3,
        }
    }

    /// Lowercase name, as in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::Error => "error",
        }
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

    #[test]
    fn a_class_takes_its_worst_verdict() {
        use Verdict::*;
        assert_eq!(Verdict::worst([Pass, Pass]), Pass);
        assert_eq!(Verdict::worst([Pass, Incomplete]), Incomplete);
        assert_eq!(Verdict::worst([Incomplete, Error, Pass]), Error);
        assert_eq!(Verdict::worst([Error, Fail, Incomplete]), Fail);
        assert_eq!(Verdict::worst([]), Incomplete);
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
