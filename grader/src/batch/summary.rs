//! The class summary: tallies per exercise, per stage and per subject, written as
//! `summary.toml` beside a batch's reports, and the join of a class graded in shards.
//!
//! About 460 lines, 110 of them tests: the tallies, the merge and the similarity flags
//! read the same subject lines.

use super::SUMMARY_SCHEMA;
use super::discover::Target;
use super::shard::Shard;
use super::similar;
use crate::GradeOptions;
use crate::lab::Lab;
use crate::report::{self, Report, StageReport, Status};
use crate::score::Score;
use crate::stage_id::StageId;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Why a summary file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// The file cannot be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not a summary.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
}

/// The class summary: per exercise how many subjects passed, failed, were incomplete
/// or errored; per stage how many bugs it caught; per subject its verdict and each
/// stage's status. Written as TOML beside the reports (`summary.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The summary's format version, [`SUMMARY_SCHEMA`].
    pub schema: u32,
    /// Version of the grader.
    pub grader_version: String,
    /// SHA-256 of the exercise manifest every subject was judged against.
    pub manifest_hash: String,
    /// The submissions folder, absent when the workspace's own crates were graded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submissions: Option<String>,
    /// The stages that were run (`--stage`); the others are `skipped` everywhere.
    pub selected: Vec<String>,
    /// The stages that had to run (`--require`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Subjects graded at once.
    pub jobs: usize,
    /// The shard graded (`--shard K/N`), which `merge` checks: every shard of N
    /// once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The one student graded (`--only`), which `merge --replace` puts in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<String>,
    /// Wall-clock time of the whole batch.
    pub duration_ms: u64,
    /// The worst verdict of the class; its exit status is the batch's.
    pub verdict: Verdict,
    /// Per exercise, the verdicts counted.
    pub exercises: Vec<ExerciseTally>,
    /// Per stage, what it found across the class.
    pub stages: Vec<StageTally>,
    /// Every subject, in the order graded.
    pub subjects: Vec<SubjectLine>,
}

/// One exercise's verdicts across the class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExerciseTally {
    /// The exercise's id.
    pub id: String,
    /// Subjects graded for it.
    pub subjects: usize,
    /// Verdict `pass`.
    pub passed: usize,
    /// Verdict `fail` (a bug found, a build that failed).
    pub failed: usize,
    /// Verdict `incomplete` (nothing failed, but a stage did not run).
    pub incomplete: usize,
    /// Verdict `error` (the grader could not do its job).
    pub errored: usize,
    /// Verdict `unchanged`: sent as shipped, not built (not counted as failed).
    #[serde(default)]
    pub unchanged: usize,
    /// Verdict `missing`: nothing sent for the exercise (not counted as failed).
    #[serde(default)]
    pub missing: usize,
    /// What the exercise is worth (`[exercises.points]`).
    #[serde(default)]
    pub max_points: f64,
    /// The subjects' mean score.
    #[serde(default)]
    pub mean_points: f64,
}

/// One stage across the class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTally {
    /// The stage's name.
    pub name: String,
    /// Subjects it judged (pass, fail or timeout).
    pub ran: usize,
    /// Bugs it caught: subjects it failed or timed out on.
    pub caught: usize,
    /// Of those, the subjects no other stage caught.
    pub caught_alone: usize,
    /// Subjects it passed.
    pub passed: usize,
    /// Subjects it could not judge (`error`: no build, refused, nothing to grade…).
    pub errored: usize,
    /// Subjects it did not run on.
    pub skipped: usize,
    /// Bugs caught, per exercise id.
    #[serde(default)]
    pub caught_by_exercise: BTreeMap<String, usize>,
}

/// One subject's line in the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectLine {
    /// The submission's folder name (`workspace` for the workspace's own crates).
    pub name: String,
    /// The exercise.
    pub exercise: String,
    /// The folder graded (or the submission's, when it had no crate).
    pub subject: String,
    /// SHA-256 of its `src/`; empty when there was nothing to read.
    pub subject_hash: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// What it earned ([`crate::score`]).
    #[serde(default)]
    pub points: f64,
    /// What the exercise is worth.
    #[serde(default)]
    pub max_points: f64,
    /// Wall-clock time of its grade.
    pub duration_ms: u64,
    /// Its report.
    pub report: String,
    /// Why there was nothing to grade, when there was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Its sources' fingerprint up to layout, comments and renamed identifiers
    /// ([`super::similar`]); empty when there was nothing to judge or nothing to lex,
    /// and for the shipped crate merely reformatted, which is no one's copy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// The reference solution its sources are a copy of, up to layout, comments and
    /// names (`solutions/…`): worth a look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    /// The other subjects of the same exercise whose sources are this one's, byte
    /// for byte or up to layout, comments and names (the same fingerprint): worth a
    /// look.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
    /// Each stage's status, by stage name.
    pub stages: BTreeMap<String, Status>,
}

/// How a batch was asked to run, for its summary.
#[derive(Debug, Clone)]
pub struct Settings<'s> {
    /// The submissions folder, if any.
    pub submissions: Option<&'s Path>,
    /// The options every grade ran with.
    pub options: &'s GradeOptions,
    /// Subjects graded at once.
    pub jobs: usize,
    /// Wall-clock time of the batch.
    pub duration: Duration,
    /// The shard graded, if any.
    pub shard: Option<Shard>,
    /// The one student graded, if any.
    pub only: Option<&'s str>,
}

impl Summary {
    /// Tallies the class from the targets and their reports (in the same order).
    pub fn of(lab: &Lab, targets: &[Target<'_>], reports: &[Report], settings: &Settings) -> Self {
        let names = |stages: &[StageId]| -> Vec<String> {
            StageId::ALL
                .into_iter()
                .filter(|s| stages.contains(s))
                .map(|s| s.as_str().to_owned())
                .collect()
        };
        let exercises = exercise_tallies(lab, reports);
        let references = References::of(lab, targets);
        let stages = stage_tallies(reports);
        let mut subjects: Vec<SubjectLine> = targets
            .iter()
            .zip(reports)
            .map(|(target, report)| {
                let score = Score::in_manifest(report, &lab.manifest);
                let fingerprint = match (&target.subject, report.verdict.judged()) {
                    (Ok(subject), true) => similar::fingerprint(&subject.dir)
                        .filter(|f| !references.is_shipped(&report.exercise, f))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                SubjectLine {
                    copy_of: references.solution(&report.exercise, &fingerprint),
                    fingerprint,
                    name: target.name.clone(),
                    exercise: report.exercise.clone(),
                    subject: report.subject.clone(),
                    subject_hash: report.subject_hash.clone(),
                    verdict: report.verdict,
                    points: score.earned,
                    max_points: score.max,
                    duration_ms: report.duration_ms,
                    report: target.report_path.display().to_string(),
                    problem: target.subject.as_ref().err().cloned(),
                    same_as: Vec::new(),
                    stages: report
                        .stages
                        .iter()
                        .map(|s| (s.name.as_str().to_owned(), s.status))
                        .collect(),
                }
            })
            .collect();
        flag_identical(&mut subjects);
        Summary {
            schema: SUMMARY_SCHEMA,
            grader_version: env!("CARGO_PKG_VERSION").into(),
            manifest_hash: crate::integrity::file_hash(&lab.root.join(crate::lab::MANIFEST_PATH))
                .unwrap_or_default(),
            submissions: settings.submissions.map(|p| p.display().to_string()),
            selected: names(&settings.options.stages),
            required: names(&settings.options.required),
            jobs: settings.jobs,
            shard: settings.shard,
            only: settings.only.map(str::to_owned),
            duration_ms: u64::try_from(settings.duration.as_millis()).unwrap_or(u64::MAX),
            verdict: Verdict::worst(reports.iter().map(|r| r.verdict)),
            exercises,
            stages,
            subjects,
        }
    }

    /// Joins the summaries of a class graded in shards (`--shard K/N`), each with its
    /// subjects' reports in its order, into the summary one run would have written:
    /// subjects in submission-folder order (each folder's exercises in the lab's
    /// order), every tally made again from the reports. The wall-clock time is the
    /// longest shard's, the jobs all shards' together. `None` without parts.
    pub fn merge(lab: &Lab, parts: Vec<(Summary, Vec<Report>)>) -> Option<Summary> {
        let first = parts.first()?.0.clone();
        let order = |id: &str| {
            lab.manifest
                .exercises
                .iter()
                .position(|e| e.id == id)
                .unwrap_or(usize::MAX)
        };
        let mut entries: Vec<(SubjectLine, Report)> = Vec::new();
        let (mut jobs, mut duration_ms) = (0, 0);
        for (summary, reports) in parts {
            jobs += summary.jobs;
            duration_ms = duration_ms.max(summary.duration_ms);
            entries.extend(summary.subjects.into_iter().zip(reports));
        }
        entries.sort_by(|(a, _), (b, _)| {
            (&a.name, order(&a.exercise)).cmp(&(&b.name, order(&b.exercise)))
        });
        let (mut subjects, reports): (Vec<SubjectLine>, Vec<Report>) = entries.into_iter().unzip();
        flag_identical(&mut subjects);
        Some(Summary {
            jobs,
            duration_ms,
            verdict: Verdict::worst(reports.iter().map(|r| r.verdict)),
            exercises: exercise_tallies(lab, &reports),
            stages: stage_tallies(&reports),
            subjects,
            shard: None,
            only: None,
            ..first
        })
    }

    /// Groups of subjects of one exercise with the same sources (up to layout,
    /// comments and names), each group in the order graded: what
    /// [`SubjectLine::same_as`] says, once per group.
    pub fn identical(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for line in self.subjects.iter().filter(|s| !s.same_as.is_empty()) {
            let known = groups
                .iter()
                .any(|(exercise, names)| *exercise == line.exercise && names.contains(&line.name));
            if !known {
                let mut names = vec![line.name.clone()];
                names.extend(line.same_as.iter().cloned());
                groups.push((line.exercise.clone(), names));
            }
        }
        groups
    }

    /// The subjects whose sources are a reference solution's up to layout, comments
    /// and names: (name, exercise, the solution).
    pub fn copies(&self) -> Vec<(&str, &str, &str)> {
        self.subjects
            .iter()
            .filter_map(|s| Some((s.name.as_str(), s.exercise.as_str(), s.copy_of.as_deref()?)))
            .collect()
    }

    /// The batch's exit status: that of its worst verdict (see [`Verdict::worst`]).
    pub fn exit_code(&self) -> i32 {
        self.verdict.exit_code()
    }

    /// Writes the summary to `path`, whole or not at all, and the class page beside it
    /// (`summary.html`, from the subjects' reports as written).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        report::write_atomically(path, &text)?;
        let reports: Vec<Option<Report>> = self
            .subjects
            .iter()
            .map(|line| Report::read(Path::new(&line.report)).ok())
            .collect();
        let page = crate::render::page::page_path(path);
        let html = crate::render::page::class::render(self, &reports, &page);
        report::write_atomically(&page, &html)
    }

    /// Reads a summary written by [`Summary::write`].
    pub fn read(path: &Path) -> Result<Summary, SummaryError> {
        let text = std::fs::read_to_string(path)?;
        Ok(toml::from_str(&text)?)
    }
}

/// Per exercise of the lab that has reports, their verdicts and mean points.
fn exercise_tallies(lab: &Lab, reports: &[Report]) -> Vec<ExerciseTally> {
    let mut exercises: Vec<ExerciseTally> = Vec::new();
    for exercise in &lab.manifest.exercises {
        let mine = reports.iter().filter(|r| r.exercise == exercise.id);
        let mut tally = ExerciseTally {
            id: exercise.id.clone(),
            max_points: exercise.points.total,
            ..ExerciseTally::default()
        };
        let mut points = 0.0;
        for report in mine {
            tally.subjects += 1;
            points += Score::of(report, &exercise.points).earned;
            match report.verdict {
                Verdict::Pass => tally.passed += 1,
                Verdict::Fail => tally.failed += 1,
                Verdict::Incomplete => tally.incomplete += 1,
                Verdict::Error => tally.errored += 1,
                Verdict::Unchanged => tally.unchanged += 1,
                Verdict::Missing => tally.missing += 1,
            }
        }
        if tally.subjects > 0 {
            tally.mean_points = points / tally.subjects as f64;
            exercises.push(tally);
        }
    }
    exercises
}

/// Per stage, what it found across `reports`.
fn stage_tallies(reports: &[Report]) -> Vec<StageTally> {
    // A stage that could not build the subject caught nothing (the compiler did): it
    // could not judge it.
    let caught = |s: &StageReport| {
        matches!(s.status, Status::Fail | Status::Timeout) && s.evidence.compile_errors.is_empty()
    };
    StageId::ALL
        .into_iter()
        .map(|stage| {
            let mut tally = StageTally {
                name: stage.as_str().into(),
                ..StageTally::default()
            };
            for report in reports {
                let Some(mine) = report.stage(stage) else {
                    continue;
                };
                match mine.status {
                    _ if !mine.evidence.compile_errors.is_empty() => tally.errored += 1,
                    Status::Pass => tally.passed += 1,
                    Status::Fail | Status::Timeout => {
                        tally.caught += 1;
                        *tally
                            .caught_by_exercise
                            .entry(report.exercise.clone())
                            .or_default() += 1;
                        let others = report
                            .stages
                            .iter()
                            .filter(|s| s.name != mine.name)
                            .any(caught);
                        if !others {
                            tally.caught_alone += 1;
                        }
                    }
                    Status::Error => tally.errored += 1,
                    Status::Skipped => tally.skipped += 1,
                }
            }
            tally.ran = tally.passed + tally.caught;
            tally
        })
        .collect()
}

/// The fingerprints of each graded exercise's shipped crate and reference solutions.
struct References {
    /// Per exercise id.
    by_exercise: BTreeMap<String, Known>,
}

/// One exercise's known sources: the shipped crate's fingerprint, and each
/// solution's (its path in the workspace, its fingerprint).
type Known = (Option<String>, Vec<(String, String)>);

impl References {
    fn of(lab: &Lab, targets: &[Target<'_>]) -> References {
        let mut by_exercise = BTreeMap::new();
        for target in targets {
            let exercise = target.exercise;
            if by_exercise.contains_key(&exercise.id) {
                continue;
            }
            let shipped = similar::fingerprint(&lab.exercise_dir(exercise));
            let solutions = exercise
                .solutions
                .iter()
                .filter_map(|path| {
                    Some((path.clone(), similar::fingerprint(&lab.root.join(path))?))
                })
                .collect();
            by_exercise.insert(exercise.id.clone(), (shipped, solutions));
        }
        References { by_exercise }
    }

    fn is_shipped(&self, exercise: &str, fingerprint: &str) -> bool {
        self.by_exercise
            .get(exercise)
            .and_then(|(shipped, _)| shipped.as_deref())
            == Some(fingerprint)
    }

    fn solution(&self, exercise: &str, fingerprint: &str) -> Option<String> {
        if fingerprint.is_empty() {
            return None;
        }
        let (_, solutions) = self.by_exercise.get(exercise)?;
        solutions
            .iter()
            .find(|(_, f)| f == fingerprint)
            .map(|(path, _)| path.clone())
    }
}

/// Fills each subject's `same_as` with the other subjects of its exercise whose
/// sources are alike: the same fingerprint, or without one the same `subject_hash`
/// (subjects with nothing to hash, `unchanged` or `missing`, are never alike).
fn flag_identical(subjects: &mut [SubjectLine]) {
    // Untouched shipped code and empty submissions are alike by nature, not copies.
    let key = |s: &SubjectLine| {
        if s.fingerprint.is_empty() {
            s.subject_hash.clone()
        } else {
            s.fingerprint.clone()
        }
    };
    let keys: Vec<(String, String, String)> = subjects
        .iter()
        .filter(|s| s.verdict.judged())
        .map(|s| (s.exercise.clone(), key(s), s.name.clone()))
        .collect();
    for line in subjects.iter_mut() {
        let mine = key(line);
        if mine.is_empty() || !line.verdict.judged() {
            continue;
        }
        line.same_as = keys
            .iter()
            .filter(|(exercise, hash, name)| {
                *exercise == line.exercise && *hash == mine && *name != line.name
            })
            .map(|(_, _, name)| name.clone())
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::{Summary, flag_identical};

    #[test]
    fn a_summary_round_trips_through_toml() {
        let text = r#"
schema = 1
grader_version = "0.1.0"
manifest_hash = "sha256:00"
selected = ["loom"]
jobs = 1
duration_ms = 5
verdict = "fail"

[[exercises]]
id = "ex01"
subjects = 1
passed = 0
failed = 1
incomplete = 0
errored = 0

[[stages]]
name = "loom"
ran = 1
caught = 1
caught_alone = 1
passed = 0
errored = 0
skipped = 0

[stages.caught_by_exercise]
ex01 = 1

[[subjects]]
name = "alice"
exercise = "ex01"
subject = "/s/alice"
subject_hash = "sha256:01"
verdict = "fail"
duration_ms = 5
report = "out/ex01/alice.toml"

[subjects.stages]
loom = "fail"
"#;
        let summary: Summary = toml::from_str(text).unwrap();
        let again: Summary = toml::from_str(&toml::to_string(&summary).unwrap()).unwrap();
        assert_eq!(summary, again);
        assert_eq!(summary.exit_code(), 1);
    }

    #[test]
    fn identical_sources_are_flagged_within_an_exercise() {
        let text = r#"
schema = 1
grader_version = "0.1.0"
manifest_hash = "sha256:00"
selected = ["loom"]
jobs = 1
duration_ms = 5
verdict = "fail"
exercises = []
stages = []
subjects = [
  { name = "alice", exercise = "ex01", subject = "a", subject_hash = "sha256:01", verdict = "fail", duration_ms = 1, report = "a", stages = {} },
  { name = "bob", exercise = "ex01", subject = "b", subject_hash = "sha256:02", verdict = "fail", duration_ms = 1, report = "b", stages = {} },
  { name = "carol", exercise = "ex01", subject = "c", subject_hash = "sha256:01", verdict = "fail", duration_ms = 1, report = "c", stages = {} },
  { name = "alice", exercise = "ex02", subject = "d", subject_hash = "sha256:01", verdict = "fail", duration_ms = 1, report = "d", stages = {} },
  { name = "dave", exercise = "ex01", subject = "e", subject_hash = "", verdict = "fail", duration_ms = 1, report = "e", stages = {} },
  { name = "erin", exercise = "ex01", subject = "f", subject_hash = "", verdict = "fail", duration_ms = 1, report = "f", stages = {} },
  { name = "frank", exercise = "ex01", subject = "g", subject_hash = "sha256:0f", verdict = "unchanged", duration_ms = 1, report = "g", stages = {} },
  { name = "grace", exercise = "ex01", subject = "h", subject_hash = "sha256:0f", verdict = "unchanged", duration_ms = 1, report = "h", stages = {} },
]
"#;
        let mut summary: Summary = toml::from_str(text).unwrap();
        flag_identical(&mut summary.subjects);
        let same: Vec<&[String]> = summary.subjects.iter().map(|s| &s.same_as[..]).collect();
        assert_eq!(same[0], ["carol"]);
        assert!(same[1].is_empty());
        assert_eq!(same[2], ["alice"]);
        assert!(same[3].is_empty() && same[4].is_empty() && same[5].is_empty());
        // Two untouched crates are not copies of each other.
        assert!(same[6].is_empty() && same[7].is_empty());
        assert_eq!(
            summary.identical(),
            [(
                "ex01".to_owned(),
                vec!["alice".to_owned(), "carol".to_owned()]
            )]
        );
    }
}
