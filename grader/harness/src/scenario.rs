//! What a scenario takes and gives back.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How big one execution of a scenario is: each stage picks its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// Worker threads spawned by the scenario.
    pub workers: usize,
    /// Operations each worker performs.
    pub ops: usize,
}

/// Whether the exercise's invariant held in one execution, with the figures that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The invariant, in the exercise's words (e.g. "reported total = sum of recorded amounts").
    pub invariant: String,
    /// What the invariant demands.
    pub expected: i64,
    /// What the subject produced.
    pub observed: i64,
    /// Unit of both figures (e.g. "paise").
    pub unit: String,
    /// Whether the invariant held.
    pub holds: bool,
}

impl Outcome {
    /// An invariant that demands `observed == expected`.
    pub fn equal(invariant: &str, expected: i64, observed: i64, unit: &str) -> Self {
        Self {
            invariant: invariant.to_owned(),
            expected,
            observed,
            unit: unit.to_owned(),
            holds: expected == observed,
        }
    }

    /// How far the subject fell short: `expected - observed`.
    pub fn shortfall(&self) -> i64 {
        self.expected - self.observed
    }
}

/// The word an invariant's message uses when it does not hold: `total = sum broken:
/// expected …`. The grader reads it to tell a wrong result from other failures.
pub const BROKEN: &str = "broken";

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            invariant,
            expected,
            observed,
            unit,
            holds,
        } = self;
        let verdict = if *holds { "holds" } else { BROKEN };
        // An invariant written as a bound (`approved ≤ held`) expects a limit, not a
        // figure: say which.
        let bound = if invariant.contains('≤') {
            "at most "
        } else if invariant.contains('≥') {
            "at least "
        } else {
            ""
        };
        write!(
            f,
            "{invariant} {verdict}: expected {bound}{expected} {unit}, got {observed} {unit}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn an_equal_outcome_holds_only_when_the_figures_match() {
        let lost = Outcome::equal("total = sum", 4_900, 4_800, "paise");
        assert!(!lost.holds);
        assert_eq!(lost.shortfall(), 100);
        assert_eq!(
            lost.to_string(),
            "total = sum broken: expected 4900 paise, got 4800 paise"
        );
        let over = Outcome {
            holds: false,
            ..Outcome::equal("approved ≤ held", 500, 1_000, "paise")
        };
        assert_eq!(
            over.to_string(),
            "approved ≤ held broken: expected at most 500 paise, got 1000 paise"
        );
        assert!(Outcome::equal("total = sum", 7, 7, "paise").holds);
    }
}
