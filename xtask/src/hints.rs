//! Hints picked by evidence, and the progress through them: which hints each exercise
//! has revealed, kept between runs in `target/racelab/hints.toml`.
//!
//! A hint answers the evidence its `when` names (`grader/src/manifest/hints.rs`): the
//! hints shown are those the exercise's last report bears out, so a grade that failed
//! only in `spec` is not sent to loom's table. Without a failing report, every hint
//! is in play, in order.

use anyhow::anyhow;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::{Exercise, When};
use racelab_grader::report::{Report, Status};
use racelab_grader::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The saved hint progress.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HintState {
    /// The hints revealed so far (their places in the manifest, from 0), per exercise
    /// id.
    revealed: BTreeMap<String, Revealed>,
}

/// What a state file holds for one exercise: the hints revealed, or (as files before
/// hints were picked by evidence have it) how many of the first were.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Revealed {
    Hints(BTreeSet<usize>),
    Count(usize),
}

impl Revealed {
    fn hints(&self) -> BTreeSet<usize> {
        match self {
            Revealed::Hints(hints) => hints.clone(),
            Revealed::Count(n) => (0..*n).collect(),
        }
    }
}

impl HintState {
    /// Where the progress is kept.
    pub fn path(lab: &Lab) -> PathBuf {
        lab.work_dir().join("hints.toml")
    }

    fn of(&self, exercise: &Exercise) -> BTreeSet<usize> {
        self.revealed
            .get(&exercise.id)
            .map(Revealed::hints)
            .unwrap_or_default()
    }
}

/// The hints of `exercise` (places in its manifest entry) that answer `report`, its
/// last grade: every hint when there is none, or it did not fail.
pub fn answering(exercise: &Exercise, report: Option<&Report>) -> Vec<usize> {
    let failing = report.filter(|r| r.verdict == Verdict::Fail);
    (0..exercise.hints.len())
        .filter(|&i| failing.is_none_or(|report| applies(&exercise.hints[i].when, report)))
        .collect()
}

/// Whether `report` bears out `when`: every stage it names as failed failed, every
/// one it names as passed passed, and some stage's failure is of its kind, as the
/// stage recorded it (a report written before stages recorded one has none, and
/// answers no `when.kind`).
fn applies(when: &When, report: &Report) -> bool {
    let status = |stage| report.stage(stage).map(|s| s.status);
    let failed = |s: Option<Status>| matches!(s, Some(Status::Fail | Status::Timeout));
    when.failed.iter().all(|&stage| failed(status(stage)))
        && when
            .passed
            .iter()
            .all(|&stage| status(stage) == Some(Status::Pass))
        && when
            .kind
            .is_none_or(|kind| report.stages.iter().any(|s| s.evidence.kind == Some(kind)))
}

/// The hints among `among` revealed so far, in order.
pub fn revealed(path: &Path, exercise: &Exercise, among: &[usize]) -> Vec<usize> {
    let seen = load(path).of(exercise);
    among.iter().copied().filter(|i| seen.contains(i)).collect()
}

fn load(path: &Path) -> HintState {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

/// Reveals the first hint among `among` not yet revealed, if any, and returns those
/// of `among` now revealed. A missing or unreadable state file starts from none.
pub fn reveal_next(
    path: &Path,
    exercise: &Exercise,
    among: &[usize],
) -> anyhow::Result<Vec<usize>> {
    reveal(path, exercise, among, |seen| {
        if let Some(&next) = among.iter().find(|i| !seen.contains(i)) {
            seen.insert(next);
        }
    })
}

/// Reveals every hint among `among` (`hint --all`), so that `watch` counts them seen.
pub fn reveal_all(path: &Path, exercise: &Exercise, among: &[usize]) -> anyhow::Result<Vec<usize>> {
    reveal(path, exercise, among, |seen| seen.extend(among))
}

/// Applies `more` to the hints of `exercise` revealed, saves them, and returns those
/// of `among` now revealed.
fn reveal(
    path: &Path,
    exercise: &Exercise,
    among: &[usize],
    more: impl FnOnce(&mut BTreeSet<usize>),
) -> anyhow::Result<Vec<usize>> {
    let mut state = load(path);
    let mut seen = state.of(exercise);
    more(&mut seen);
    state
        .revealed
        .insert(exercise.id.clone(), Revealed::Hints(seen.clone()));
    let text = toml::to_string(&state)?;
    save(path, &text)
        .map_err(|e| anyhow!("cannot save hint progress to {}: {e}", path.display()))?;
    Ok(among.iter().copied().filter(|i| seen.contains(i)).collect())
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then
/// renamed over it, so an interrupted write never leaves a truncated state file.
fn save(path: &Path, text: &str) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let mut file = tempfile::NamedTempFile::new_in(parent)?;
    file.write_all(text.as_bytes())?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{answering, reveal_next, revealed, save};
    use racelab_grader::lab::Lab;
    use racelab_grader::report::{Evidence, FailureKind, Report, SCHEMA, StageReport, Status};
    use racelab_grader::stages::StageId;
    use racelab_grader::verdict::Verdict;

    fn lab() -> Lab {
        Lab::open(&racelab_tests::root()).unwrap()
    }

    /// A report of `exercise` whose stages have these statuses, summaries and kinds
    /// of failure (the others pass).
    fn report(exercise: &str, stages: &[(StageId, Status, &str, Option<FailureKind>)]) -> Report {
        let stages: Vec<StageReport> = StageId::ALL
            .iter()
            .map(|&name| {
                let (status, summary, kind) =
                    stages.iter().find(|(stage, ..)| *stage == name).map_or(
                        (Status::Pass, "no failure", None),
                        |(_, status, summary, kind)| (*status, *summary, *kind),
                    );
                StageReport {
                    name,
                    status,
                    duration_ms: 0,
                    summary: summary.to_owned(),
                    evidence: Evidence {
                        kind,
                        ..Evidence::default()
                    },
                }
            })
            .collect();
        Report {
            schema: SCHEMA,
            grader_version: "0.1.0".into(),
            manifest_hash: String::new(),
            scenario_hash: String::new(),
            exercise: exercise.into(),
            subject: String::new(),
            subject_hash: String::new(),
            verdict: Verdict::of(&stages),
            required: Vec::new(),
            duration_ms: 0,
            stages,
        }
    }

    #[test]
    fn ex04_with_only_spec_failing_is_not_sent_to_loom_s_table() {
        let lab = lab();
        let ex04 = lab.manifest.find("ex04").unwrap();
        let only_spec = report(
            "ex04",
            &[(
                StageId::Spec,
                Status::Fail,
                "results no sequential order explains: 2 threads, 3 operations",
                Some(FailureKind::NotLinearizable),
            )],
        );
        let picked = answering(ex04, Some(&only_spec));
        assert!(!picked.is_empty());
        for &i in &picked {
            assert!(
                !ex04.hints[i].text.contains("loom's line"),
                "{}",
                ex04.hints[i].text
            );
        }
        assert!(
            picked
                .iter()
                .any(|&i| ex04.hints[i].text.contains("spec's line"))
        );

        let deadlocked = report(
            "ex04",
            &[
                (
                    StageId::Loom,
                    Status::Fail,
                    "deadlock: T1 and T2 each hold a lock",
                    Some(FailureKind::Deadlock),
                ),
                (
                    StageId::Spec,
                    Status::Fail,
                    "deadlock: T1 and T2 each hold a lock",
                    Some(FailureKind::Deadlock),
                ),
            ],
        );
        let picked = answering(ex04, Some(&deadlocked));
        assert!(ex04.hints[picked[0]].text.contains("loom's line"));
        assert!(
            picked
                .iter()
                .all(|&i| !ex04.hints[i].text.contains("spec's line"))
        );
        // No failing grade: every hint, in order.
        assert_eq!(
            answering(ex04, None),
            (0..ex04.hints.len()).collect::<Vec<_>>()
        );
    }

    /// The kind is the stage's record, never read from its words: a summary that says
    /// "deadlock" under a recorded `not-linearizable` answers the latter, and a report
    /// written before stages recorded a kind answers no hint keyed by one.
    #[test]
    fn hints_follow_the_recorded_kind_not_the_summary() {
        let lab = lab();
        let ex04 = lab.manifest.find("ex04").unwrap();
        let keyed_by = |picked: &[usize], kind| {
            picked
                .iter()
                .any(|&i| ex04.hints[i].when.kind == Some(kind))
        };
        let misleading = report(
            "ex04",
            &[(
                StageId::Spec,
                Status::Fail,
                "deadlock: T1 and T2 each hold a lock",
                Some(FailureKind::NotLinearizable),
            )],
        );
        let picked = answering(ex04, Some(&misleading));
        assert!(
            keyed_by(&picked, FailureKind::NotLinearizable),
            "{picked:?}"
        );
        assert!(!keyed_by(&picked, FailureKind::Deadlock), "{picked:?}");

        let before_kinds = report(
            "ex04",
            &[
                (
                    StageId::Loom,
                    Status::Fail,
                    "deadlock: T1 and T2 each hold a lock",
                    None,
                ),
                (
                    StageId::Spec,
                    Status::Fail,
                    "results no sequential order explains: 2 threads, 3 operations",
                    None,
                ),
            ],
        );
        let picked = answering(ex04, Some(&before_kinds));
        assert!(!picked.is_empty());
        assert!(
            picked.iter().all(|&i| ex04.hints[i].when.kind.is_none()),
            "{picked:?}"
        );
    }

    #[test]
    fn hints_are_revealed_one_at_a_time_among_those_that_answer() {
        let lab = lab();
        let ex04 = lab.manifest.find("ex04").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hints.toml");
        let among = [1, 3];
        assert_eq!(reveal_next(&path, ex04, &among).unwrap(), [1]);
        assert_eq!(reveal_next(&path, ex04, &among).unwrap(), [1, 3]);
        assert_eq!(reveal_next(&path, ex04, &among).unwrap(), [1, 3]);
        assert_eq!(revealed(&path, ex04, &[0, 1, 2, 3]), [1, 3]);
        // A state file from before: a count of the first hints revealed.
        std::fs::write(&path, "[revealed]\nex04 = 2\n").unwrap();
        assert_eq!(revealed(&path, ex04, &[0, 1, 2, 3]), [0, 1]);
    }

    #[test]
    fn saving_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("racelab").join("hints.toml");
        save(&path, "[revealed]\nex01 = 1\n").unwrap();
        save(&path, "[revealed]\nex01 = 2\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[revealed]\nex01 = 2\n"
        );
        let files = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(files, 1, "only hints.toml remains");
    }
}
