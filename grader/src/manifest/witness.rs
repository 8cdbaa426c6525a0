//! The smallest inputs that show an exercise's bugs (`[[exercises.witnesses]]` in
//! the manifest), and which stages' scenarios are big enough to hold them.
//!
//! A scenario sized from one fixed round sees only the bugs that round can show: two
//! accounts hide a lock order that is wrong on three, one submitter hides a
//! wakeup sent by the wrong one. Each witness names the bug (the shipped one, or a
//! tempting wrong fix), the least it needs, and the stages that cover it; the
//! manifest's sizes are checked against it, so shrinking a stage below a witness it
//! claims fails the manifest, not a student.

use super::{StageSizes, shipped::Shipped};
use crate::stage_id::StageId;
use serde::Deserialize;

/// One bug of the exercise's class and the smallest input that shows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// The bug, in the words of the student who wrote it: "lock the even-numbered
    /// account first".
    pub bug: String,
    /// The smallest input that shows it: "two transfers the opposite ways between
    /// accounts 0 and 2".
    pub needs: String,
    /// The worker threads a round needs at least (in the scenario's own terms, as
    /// `stages.*.workers`).
    pub workers: usize,
    /// The operations per worker a round needs at least (as `stages.*.ops`).
    pub ops: usize,
    /// The stages whose scenario holds the witness: the round-sized stages by their
    /// sizes, `spec` by its model's generated scenarios.
    pub covered_by: Vec<StageId>,
}

impl Witness {
    /// Checks the witness against the exercise's stage sizes and its claim: every
    /// stage it names has a scenario at least as big, and at least one of them is
    /// claimed to catch the shipped bug (a witness no catching stage can hold is a
    /// bug the grader cannot see).
    pub(super) fn check(&self, sizes: &StageSizes, shipped: &Shipped) -> Result<(), String> {
        let name = &self.bug;
        if self.covered_by.is_empty() {
            return Err(format!(
                "witness \"{name}\": `covered_by` is empty: name the stages whose scenario holds it"
            ));
        }
        for &stage in &self.covered_by {
            let (workers, ops) = match stage {
                StageId::Loom => (sizes.loom.workers, sizes.loom.ops),
                StageId::Shuttle => (sizes.shuttle.workers, sizes.shuttle.ops),
                StageId::Stress => (sizes.stress.workers, sizes.stress.ops),
                StageId::Tsan => (sizes.tsan.workers, sizes.tsan.ops),
                StageId::Spec if sizes.spec.is_some() => continue,
                StageId::Spec => {
                    return Err(format!(
                        "witness \"{name}\": `covered_by` names `spec`, but the exercise has no `stages.spec`"
                    ));
                }
            };
            if workers < self.workers || ops < self.ops {
                return Err(format!(
                    "witness \"{name}\" needs {} workers × {} ops, but `stages.{stage}` runs {workers} × {ops}",
                    self.workers, self.ops
                ));
            }
        }
        if shipped.compiles && !self.covered_by.iter().any(|s| shipped.is_caught_by(*s)) {
            return Err(format!(
                "witness \"{name}\": none of the stages in `covered_by` is in `shipped.caught_by`"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::Manifest;

    /// The lab's manifest with the witness whose bug begins `bug` replaced by
    /// `witness`.
    fn with_witness(bug: &str, witness: &str) -> Result<Manifest, String> {
        let text = include_str!("../../exercises.toml");
        let start = text
            .find(&format!("[[exercises.witnesses]]\nbug = \"{bug}"))
            .expect("the manifest has that witness");
        let end = start
            + text[start..]
                .find("\n\n")
                .expect("the witness ends at a blank line");
        let text = format!("{}{witness}{}", &text[..start], &text[end..]);
        Manifest::parse(&text).map_err(|e| e.0)
    }

    #[test]
    fn the_lab_manifest_holds_every_witness_it_claims() {
        let manifest = Manifest::parse(include_str!("../../exercises.toml")).unwrap();
        for exercise in &manifest.exercises {
            assert!(
                !exercise.witnesses.is_empty(),
                "{} has no witness",
                exercise.id
            );
        }
    }

    #[test]
    fn a_stage_smaller_than_its_witness_is_refused() {
        let problem = with_witness(
            "lock the even-numbered",
            "[[exercises.witnesses]]\nbug = \"big\"\nneeds = \"five threads\"\n\
             workers = 5\nops = 1\ncovered_by = [\"loom\"]",
        )
        .unwrap_err();
        assert!(
            problem.contains("needs 5 workers × 1 ops, but `stages.loom` runs"),
            "{problem}"
        );
    }

    #[test]
    fn a_witness_no_catching_stage_holds_is_refused() {
        // ex05's stress stage is blind to its lost wakeup.
        let problem = with_witness(
            "a ticket taken before the lock",
            "[[exercises.witnesses]]\nbug = \"b\"\nneeds = \"n\"\nworkers = 1\nops = 1\ncovered_by = [\"stress\"]",
        )
        .unwrap_err();
        assert!(
            problem.contains("none of the stages in `covered_by` is in `shipped.caught_by`"),
            "{problem}"
        );
    }

    #[test]
    fn a_witness_needs_a_stage() {
        let problem = with_witness(
            "lock the even-numbered",
            "[[exercises.witnesses]]\nbug = \"b\"\nneeds = \"n\"\nworkers = 1\nops = 1\ncovered_by = []",
        )
        .unwrap_err();
        assert!(problem.contains("`covered_by` is empty"), "{problem}");
    }
}
