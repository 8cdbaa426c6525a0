//! What an exercise is worth (`[exercises.points]` in the manifest): full marks for a
//! `pass`, and the partial credit an instructor may give per stage when the verdict
//! is not a pass.

use super::Shipped;
use crate::stage_id::StageId;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What an exercise is worth unless its manifest entry says otherwise.
pub const DEFAULT_TOTAL: f64 = 100.0;

/// `[exercises.points]`: `total` for a `pass`; otherwise the sum of `partial` over
/// the stages that passed (nothing by default), e.g.
///
/// ```toml
/// [exercises.points]
/// total = 100
/// [exercises.points.partial]
/// loom = 10
/// ```
///
/// [`Points::check`] holds partial credit to the stages of `shipped.caught_by`, so a
/// detector blind to the bug, which passes the crate as shipped, never earns points
/// on it, and to less than `total` together, so only a pass reaches full marks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// What a `pass` earns.
    #[serde(default = "default_total")]
    pub total: f64,
    /// What each stage that passed earns when the verdict is not a pass.
    #[serde(default)]
    pub partial: BTreeMap<StageId, f64>,
}

fn default_total() -> f64 {
    DEFAULT_TOTAL
}

impl Default for Points {
    fn default() -> Self {
        Points {
            total: DEFAULT_TOTAL,
            partial: BTreeMap::new(),
        }
    }
}

impl Points {
    /// What `stage` earns when it passes a grade that is not a pass.
    pub fn partial(&self, stage: StageId) -> f64 {
        self.partial.get(&stage).copied().unwrap_or(0.0)
    }

    /// The partial credit of every stage, together.
    pub fn partial_sum(&self) -> f64 {
        self.partial.values().fold(0.0, |sum, p| sum + p)
    }

    /// Checks the points against the exercise's claim `shipped`.
    pub(super) fn check(&self, shipped: &Shipped) -> Result<(), String> {
        if !self.total.is_finite() || self.total <= 0.0 {
            return Err(format!(
                "`points.total = {}`: an exercise is worth a positive number of points",
                self.total
            ));
        }
        for (&stage, &points) in &self.partial {
            if !points.is_finite() || points < 0.0 {
                return Err(format!(
                    "`points.partial.{stage} = {points}`: partial credit is zero or more"
                ));
            }
            if !shipped.is_caught_by(stage) {
                return Err(format!(
                    "`points.partial.{stage}`: {stage} is blind to this exercise's bug (it is not in `shipped.caught_by`), so it passes the crate as shipped and would give points for code nobody fixed; give partial credit only to stages that catch the bug"
                ));
            }
        }
        if self.partial_sum() >= self.total {
            return Err(format!(
                "`points.partial` adds up to {}, not less than `points.total = {}`: only a pass may earn full marks",
                self.partial_sum(),
                self.total
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Manifest;
    use super::super::tests::edited;
    use crate::stage_id::StageId;

    const EX02_CLAIM: &str =
        "[exercises.shipped]\ncaught_by = [\"loom\", \"shuttle\", \"stress\", \"spec\"]";

    fn with_points(table: &str) -> Result<Manifest, String> {
        Manifest::parse(&edited(
            EX02_CLAIM,
            &format!("[exercises.points]\n{table}\n\n{EX02_CLAIM}"),
        ))
        .map_err(|e| e.0)
    }

    #[test]
    fn an_exercise_is_worth_100_with_no_partial_credit_unless_told() {
        let manifest = with_points("").unwrap();
        for exercise in &manifest.exercises {
            assert_eq!(exercise.points.total, 100.0);
            assert!(exercise.points.partial.is_empty());
        }
        let manifest = with_points("total = 40\npartial = { loom = 5, stress = 2.5 }").unwrap();
        let ex02 = manifest.find("ex02").unwrap();
        assert_eq!(ex02.points.total, 40.0);
        assert_eq!(ex02.points.partial(StageId::Stress), 2.5);
        assert_eq!(ex02.points.partial(StageId::Tsan), 0.0);
    }

    #[test]
    fn a_blind_stage_gets_no_partial_credit_and_partial_credit_stays_below_a_pass() {
        let problem = with_points("partial = { tsan = 10 }").unwrap_err();
        assert!(
            problem.contains("ex02") && problem.contains("points.partial.tsan"),
            "{problem}"
        );
        let problem = with_points("total = 20\npartial = { loom = 10, shuttle = 10 }").unwrap_err();
        assert!(problem.contains("only a pass"), "{problem}");
        let problem = with_points("total = 0").unwrap_err();
        assert!(problem.contains("positive"), "{problem}");
        let problem = with_points("partial = { loom = -1 }").unwrap_err();
        assert!(problem.contains("zero or more"), "{problem}");
    }
}
