//! The cross-check behind the source policy: the same program under every detector.
//!
//! Each runner returns the distinct atomic operations the subject executed, by place,
//! operation and the orderings asked for (`racelab_sync::executed`). A place that
//! ran under an explorer (loom, shuttle, spec) and on real threads (stress, tsan),
//! and never once did the same there as here, is code that told the detectors apart:
//! `Release` where loom looks, `Relaxed` where nobody does. Such a stage fails, "behaves
//! differently under the detectors", naming both.
//!
//! Only places both kinds ran are compared, and only for having nothing in common:
//! a place that asks for an ordering chosen at run time (an argument, a branch on the
//! data) may ask for more under one detector than under another, since the stages
//! run scenarios of different sizes; it passes as long as one of its operations was
//! asked for the same way under both. What that lets through is written in
//! `docs/security.md`.

use crate::report::{FailureKind, StageReport, Status};
use crate::stage_id::StageId;
use racelab_harness::ExecutedAtomic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One place that did one thing under an explorer and another on real threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// `src/lib.rs:63:9`.
    pub place: String,
    /// The explorer (loom, shuttle or spec).
    pub explorer: StageId,
    /// What the place did under it: `store(Release)`.
    pub explored: Vec<String>,
    /// The real-thread stage (stress or tsan).
    pub real: StageId,
    /// What the place did there: `store(Relaxed)`.
    pub ran: Vec<String>,
}

impl Divergence {
    /// One line for a summary: `src/lib.rs:63:9 ran store(Release) under loom but
    /// store(Relaxed) under stress`.
    pub fn describe(&self) -> String {
        format!(
            "{} ran {} under {} but {} under {}",
            self.place,
            self.explored.join(", "),
            self.explorer,
            self.ran.join(", "),
            self.real
        )
    }
}

/// Whether a stage explores schedules (loom, shuttle, spec), rather than running
/// real threads (stress, tsan).
fn explores(stage: StageId) -> bool {
    match stage {
        StageId::Loom | StageId::Shuttle | StageId::Spec => true,
        StageId::Stress | StageId::Tsan => false,
    }
}

/// What each place did in one stage.
fn by_place(executed: &[ExecutedAtomic]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut places: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for op in executed {
        places
            .entry(op.place.as_str())
            .or_default()
            .insert(op.operation.as_str());
    }
    places
}

/// The divergences between the stage just run (`latest`) and the stages of the
/// other kind that ran before it (`earlier`).
pub fn between(latest: &StageReport, earlier: &[StageReport]) -> Vec<Divergence> {
    let mine = by_place(&latest.evidence.executed);
    let mut found = Vec::new();
    for other in earlier
        .iter()
        .filter(|other| explores(other.name) != explores(latest.name))
    {
        let theirs = by_place(&other.evidence.executed);
        for (place, ops) in &mine {
            let Some(their_ops) = theirs.get(place) else {
                continue;
            };
            if ops.is_disjoint(their_ops) {
                let listed = |set: &BTreeSet<&str>| set.iter().map(|s| s.to_string()).collect();
                let (explorer, explored, real, ran) = if explores(latest.name) {
                    (latest.name, listed(ops), other.name, listed(their_ops))
                } else {
                    (other.name, listed(their_ops), latest.name, listed(ops))
                };
                found.push(Divergence {
                    place: place.to_string(),
                    explorer,
                    explored,
                    real,
                    ran,
                });
            }
        }
    }
    found
}

/// Fails `latest` when it ran a program other than the one `earlier` stages of the
/// other kind ran: a pass of another program is no pass. A stage that failed, timed
/// out or erred keeps what it found, with the divergences added to its evidence.
pub fn check(latest: &mut StageReport, earlier: &[StageReport]) {
    let found = between(latest, earlier);
    let Some(first) = found.first() else {
        return;
    };
    if latest.status == Status::Pass {
        latest.status = Status::Fail;
        latest.evidence.kind = Some(FailureKind::Divergence);
        latest.summary = format!(
            "behaves differently under the detectors: {}; code that tells the explorers from real threads shows each detector another program, so no verdict on it holds",
            first.describe()
        );
    }
    latest.evidence.divergences = found;
}

/// `place` relative to the subject (`src/lib.rs:63:9`) or to the lab, when it is
/// under either.
pub fn relative_place(place: &str, subject: &Path, lab: &Path) -> String {
    for root in [subject, lab] {
        let prefix = format!("{}/", root.display());
        if let Some(rest) = place.strip_prefix(&prefix) {
            return rest.to_owned();
        }
    }
    place.to_owned()
}

/// The operations a runner returned, their places made relative.
pub fn executed_in(findings: &[ExecutedAtomic], subject: &Path, lab: &Path) -> Vec<ExecutedAtomic> {
    findings
        .iter()
        .map(|op| ExecutedAtomic {
            place: relative_place(&op.place, subject, lab),
            operation: op.operation.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{between, check};
    use crate::report::{Evidence, FailureKind, StageReport, Status};
    use crate::stage_id::StageId;
    use racelab_harness::ExecutedAtomic;

    fn stage(name: StageId, ops: &[(&str, &str)]) -> StageReport {
        StageReport {
            name,
            status: Status::Pass,
            duration_ms: 1,
            summary: "no failure".into(),
            evidence: Evidence {
                executed: ops
                    .iter()
                    .map(|(place, operation)| ExecutedAtomic {
                        place: (*place).into(),
                        operation: (*operation).into(),
                    })
                    .collect(),
                ..Evidence::default()
            },
        }
    }

    #[test]
    fn an_ordering_chosen_by_detector_fails_the_real_thread_stage_naming_both() {
        let loom = stage(
            StageId::Loom,
            &[
                ("src/lib.rs:60:9", "store(Release)"),
                ("src/lib.rs:70:15", "load(Acquire)"),
            ],
        );
        let mut stress = stage(
            StageId::Stress,
            &[
                ("src/lib.rs:60:9", "store(Relaxed)"),
                ("src/lib.rs:70:15", "load(Acquire)"),
            ],
        );
        check(&mut stress, &[loom]);
        assert_eq!(stress.status, Status::Fail);
        assert_eq!(stress.evidence.kind, Some(FailureKind::Divergence));
        assert_eq!(
            stress.summary,
            "behaves differently under the detectors: src/lib.rs:60:9 ran store(Release) under loom but store(Relaxed) under stress; code that tells the explorers from real threads shows each detector another program, so no verdict on it holds"
        );
        assert_eq!(stress.evidence.divergences.len(), 1);
    }

    #[test]
    fn a_stage_that_found_a_bug_keeps_its_summary() {
        let loom = stage(StageId::Loom, &[("src/lib.rs:60:9", "store(Release)")]);
        let mut stress = stage(StageId::Stress, &[("src/lib.rs:60:9", "store(Relaxed)")]);
        stress.status = Status::Fail;
        stress.summary = "lost 300 paise in 2 of 30 rounds".into();
        stress.evidence.kind = Some(FailureKind::WrongResult);
        check(&mut stress, &[loom]);
        assert_eq!(stress.summary, "lost 300 paise in 2 of 30 rounds");
        assert_eq!(stress.evidence.kind, Some(FailureKind::WrongResult));
        assert_eq!(stress.evidence.divergences.len(), 1);
    }

    #[test]
    fn an_explorer_after_real_threads_is_judged_too_and_an_operation_swapped_counts() {
        let tsan = stage(StageId::Tsan, &[("src/lib.rs:9:5", "fetch_add(Relaxed)")]);
        let spec = stage(StageId::Spec, &[("src/lib.rs:9:5", "swap(Relaxed)")]);
        let found = between(&spec, &[tsan]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].describe(),
            "src/lib.rs:9:5 ran swap(Relaxed) under spec but fetch_add(Relaxed) under tsan"
        );
    }

    /// Right code: places one stage never reached, orderings chosen at run time that
    /// overlap, and stages of the same kind, which may differ as they like.
    #[test]
    fn correct_code_never_trips_it() {
        let loom = stage(
            StageId::Loom,
            &[
                ("src/lib.rs:5:9", "store(Release)"),
                ("src/lib.rs:8:9", "load(Acquire)"),
            ],
        );
        let shuttle = stage(StageId::Shuttle, &[("src/lib.rs:5:9", "store(SeqCst)")]);
        let stress = stage(
            StageId::Stress,
            &[
                ("src/lib.rs:5:9", "store(Release)"),
                ("src/lib.rs:5:9", "store(SeqCst)"),
                ("grader/scenarios/ex03.rs:40:5", "load(Relaxed)"),
            ],
        );
        assert_eq!(between(&stress, &[loom.clone(), shuttle.clone()]), []);
        assert_eq!(between(&shuttle, &[loom]), []);
    }
}
