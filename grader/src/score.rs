//! Scores: what a grade earns by what was learned, from its verdict and the
//! exercise's [`Points`].
//!
//! A `pass` earns the exercise's `total`; any other verdict earns the partial credit
//! of the stages that passed (none by default). Partial credit is only ever given to
//! stages that catch the exercise's bug as shipped (the manifest refuses any other),
//! so the crate as shipped scores 0 whichever detectors are blind to it; and only to a
//! pass that exercised the subject (two threads at its shared state, one writing:
//! [`crate::exercised`]), so a method emptied of its work earns nothing.

use crate::formats::Outcome;
use crate::manifest::{Manifest, Points};
use crate::report::Report;
use crate::stage_id::StageId;
use crate::verdict::Verdict;

/// What one grade earned.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Points earned.
    pub earned: f64,
    /// Points the exercise is worth.
    pub max: f64,
    /// Per stage with partial credit: what it earned, and what it could.
    pub stages: Vec<StagePoints>,
}

/// One stage's partial credit in a [`Score`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StagePoints {
    /// The stage.
    pub stage: StageId,
    /// What it earned: its partial credit when it passed having exercised the
    /// subject, else 0.
    pub earned: f64,
    /// Its partial credit.
    pub max: f64,
    /// Why a pass earned nothing: what its runs did not do to the subject.
    pub shortfall: Option<&'static str>,
}

impl Score {
    /// The score of `report` with `points`.
    pub fn of(report: &Report, points: &Points) -> Score {
        let stages: Vec<StagePoints> = StageId::ALL
            .into_iter()
            .filter(|&stage| points.partial(stage) > 0.0)
            .map(|stage| {
                let passed = report
                    .stage(stage)
                    .filter(|s| Outcome::of(report, s) == Outcome::Passed);
                // Reports written before the runs recorded it are taken at their word.
                let shortfall = passed
                    .and_then(|s| s.evidence.exercised)
                    .filter(|exercised| !exercised.enough())
                    .map(|exercised| exercised.shortfall());
                let earns = passed.is_some() && shortfall.is_none();
                StagePoints {
                    stage,
                    earned: if earns { points.partial(stage) } else { 0.0 },
                    max: points.partial(stage),
                    shortfall,
                }
            })
            .collect();
        let earned = if report.verdict == Verdict::Pass {
            points.total
        } else {
            total(stages.iter().map(|s| s.earned))
        };
        Score {
            earned,
            max: points.total,
            stages,
        }
    }

    /// The score of `report` with the points `manifest` gives its exercise (the
    /// default points when the manifest does not know it).
    pub fn in_manifest(report: &Report, manifest: &Manifest) -> Score {
        match manifest.find(&report.exercise) {
            Some(exercise) => Score::of(report, &exercise.points),
            None => Score::of(report, &Points::default()),
        }
    }

    /// What a pass earns beyond the stages' partial credit: the points for the
    /// verdict itself.
    pub fn for_the_verdict(&self) -> (f64, f64) {
        let partial = total(self.stages.iter().map(|s| s.max));
        let max = self.max - partial;
        let earned = self.earned - total(self.stages.iter().map(|s| s.earned));
        (earned.max(0.0), max)
    }
}

/// The sum of `points`, 0 (not `-0`, std's sum of no floats) when there are none.
fn total(points: impl Iterator<Item = f64>) -> f64 {
    points.fold(0.0, |sum, p| sum + p)
}

#[cfg(test)]
mod tests {
    use super::Score;
    use crate::exercised::Exercised;
    use crate::formats::tests::caught;
    use crate::manifest::Points;
    use crate::report::Status;
    use crate::stage_id::StageId;
    use crate::verdict::Verdict;

    fn partial(entries: &[(StageId, f64)]) -> Points {
        Points {
            total: 100.0,
            partial: entries.iter().copied().collect(),
        }
    }

    #[test]
    fn a_pass_earns_everything_and_anything_else_nothing_by_default() {
        let mut report = caught();
        let score = Score::of(&report, &Points::default());
        assert_eq!((score.earned, score.max), (0.0, 100.0));
        for stage in &mut report.stages {
            stage.status = Status::Pass;
        }
        report.verdict = Verdict::Pass;
        let score = Score::of(&report, &Points::default());
        assert_eq!((score.earned, score.max), (100.0, 100.0));
        assert_eq!(score.for_the_verdict(), (100.0, 100.0));
    }

    #[test]
    fn partial_credit_goes_to_the_stages_that_passed_a_grade_that_did_not() {
        // loom and stress caught the bug, shuttle passed, tsan was skipped.
        let report = caught();
        let points = partial(&[(StageId::Shuttle, 10.0), (StageId::Tsan, 5.0)]);
        let score = Score::of(&report, &points);
        assert_eq!(score.earned, 10.0);
        assert_eq!(score.stages.len(), 2);
        assert_eq!(score.stages[1].earned, 0.0, "a skipped stage earns nothing");
        assert_eq!(score.for_the_verdict(), (0.0, 85.0));
    }

    #[test]
    fn a_pass_that_did_not_exercise_the_subject_earns_nothing() {
        let mut report = caught();
        let points = partial(&[(StageId::Shuttle, 10.0)]);
        let stage = report
            .stages
            .iter_mut()
            .find(|s| s.name == StageId::Shuttle)
            .unwrap();
        stage.evidence.exercised = Some(Exercised {
            threads: 1,
            writers: 0,
        });
        let score = Score::of(&report, &points);
        assert_eq!(score.earned, 0.0, "{score:?}");
        assert_eq!(
            score.stages[0].shortfall,
            Some("no thread wrote the subject's shared state")
        );
        let stage = report
            .stages
            .iter_mut()
            .find(|s| s.name == StageId::Shuttle)
            .unwrap();
        stage.evidence.exercised = Some(Exercised {
            threads: 2,
            writers: 1,
        });
        let score = Score::of(&report, &points);
        assert_eq!((score.earned, score.stages[0].shortfall), (10.0, None));
    }
}
