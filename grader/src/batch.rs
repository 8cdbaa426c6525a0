//! Grading a class: every submission in a folder (or every exercise of the
//! workspace), graded by a bounded pool of workers, with one report per subject and a
//! class summary.
//!
//! This is the runner only: it finds the subjects ([`discover`]), grades them
//! ([`run`]), writes each canonical TOML report as soon as its grade ends, and tallies
//! the class ([`Summary`]). What people and CI systems read (the console, JUnit,
//! Gradescope, GitHub annotations) is made from its results by the callers and
//! [`crate::formats`].
//!
//! Sharing. Each subject gets its own runner project, but every runner of a flavor
//! builds into the same target directory (`target/racelab/build/<flavor>/`), so the
//! dependencies — loom, shuttle, the facade, the instrumented std — are compiled once
//! for the whole class, and each further subject costs its own crate, its runner's
//! link, and its runs. cargo's lock on a target directory serialises builds into it,
//! every grade runs in a folder of its own, and real-thread stages take the cores lock
//! (see [`crate::cores`]), so parallel workers never corrupt what they share. The
//! first subject that has a crate is graded alone, before the pool starts, so the
//! shared dependencies (and any toolchain a stage provisions) are made by one grade
//! rather than raced for by several.
//!
//! Nothing about one subject stops the batch: a folder with no crate, a crate that
//! does not build, a runner that crashes or times out, even a panic in the grader
//! itself, all end as that subject's report, and the batch goes on.

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::report::{self, Evidence, Report, SCHEMA, StageReport, Status};
use crate::stage_id::StageId;
use crate::subject::Subject;
use crate::verdict::Verdict;
use crate::{GradeOptions, Observer, grade};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The name a batch gives the workspace's own exercise crates.
pub const WORKSPACE: &str = "workspace";

/// The class summary's format version.
pub const SUMMARY_SCHEMA: u32 = 1;

/// The summary's file name in a batch's output folder.
pub const SUMMARY_FILE: &str = "summary.toml";

/// One thing a batch grades: a submission's crate for one exercise, or why there is
/// none.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The submission's folder name ([`WORKSPACE`] for the workspace's own crates).
    pub name: String,
    /// The exercise it is graded for.
    pub exercise: &'a Exercise,
    /// The submission's folder (the workspace root for [`WORKSPACE`]).
    pub folder: PathBuf,
    /// The crate to grade, or why the folder has none to grade.
    pub subject: Result<Subject, String>,
    /// Where its report goes.
    pub report_path: PathBuf,
}

/// What to grade in a batch.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One exercise: a submission that is a crate is taken to be this exercise's.
    One(&'a Exercise),
    /// Every exercise of the lab: a submission that is a crate is graded for the
    /// exercise its package name names (`ex01-…`); a workspace for every exercise.
    All,
}

/// Finds what to grade. Without `submissions`, the workspace's own crate of each
/// exercise in `scope`, reported where a single grade would report it (so `list` sees
/// them). With `submissions`, every visible subfolder of it, in name order: a crate
/// (`src/lib.rs`), a whole Racelab workspace (graded at its `exercises/exNN-*`), or a
/// folder holding just one of these; anything else is recorded as having nothing to
/// grade. Reports of submissions go to `out/<exercise>/<name>.toml`.
///
/// Errs (a usage error) only when `submissions` cannot be read or has no subfolders.
pub fn discover<'a>(
    lab: &'a Lab,
    scope: Scope<'a>,
    submissions: Option<&Path>,
    out: &Path,
) -> Result<Vec<Target<'a>>, String> {
    let exercises: Vec<&Exercise> = match scope {
        Scope::One(exercise) => vec![exercise],
        Scope::All => lab.manifest.exercises.iter().collect(),
    };
    let Some(dir) = submissions else {
        return Ok(exercises
            .into_iter()
            .map(|exercise| {
                let subject = Subject::locate(lab, exercise, None).map_err(|e| e.to_string());
                let report_path = match &subject {
                    Ok(subject) => lab.default_report_path(exercise, subject),
                    Err(_) => out.join(&exercise.id).join(format!("{WORKSPACE}.toml")),
                };
                Target {
                    name: WORKSPACE.into(),
                    exercise,
                    folder: lab.root.clone(),
                    subject,
                    report_path,
                }
            })
            .collect());
    };
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the submissions folder {}: {e}", dir.display()))?;
    let mut folders: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .filter(|(name, path)| !name.starts_with('.') && path.is_dir())
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Err(format!(
            "{} holds no submissions: give --submissions a folder with one subfolder per student (a crate, or a copy of the workspace)",
            dir.display()
        ));
    }
    let mut stems = BTreeSet::new();
    let mut targets = Vec::new();
    for (name, folder) in folders {
        let stem = unique_stem(&name, &mut stems);
        for &exercise in &exercises {
            let subject = match find_crate(lab, scope, exercise, &folder, 0) {
                Found::Crate(dir) => {
                    Subject::locate(lab, exercise, Some(&dir)).map_err(|e| e.to_string())
                }
                Found::Nothing(problem) => Err(problem),
                Found::OtherExercise => continue,
            };
            targets.push(Target {
                name: name.clone(),
                exercise,
                folder: folder.clone(),
                subject,
                report_path: out.join(&exercise.id).join(format!("{stem}.toml")),
            });
        }
    }
    Ok(targets)
}

/// A file stem for `name` that no other submission of the batch has.
fn unique_stem(name: &str, taken: &mut BTreeSet<String>) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut stem = safe.clone();
    let mut n = 2;
    while !taken.insert(stem.clone()) {
        stem = format!("{safe}-{n}");
        n += 1;
    }
    stem
}

/// What a submission folder holds for one exercise.
enum Found {
    /// The crate to grade.
    Crate(PathBuf),
    /// A crate of another exercise (with [`Scope::All`]): not this exercise's business.
    OtherExercise,
    /// Nothing to grade, and why.
    Nothing(String),
}

fn find_crate(lab: &Lab, scope: Scope, exercise: &Exercise, folder: &Path, depth: u8) -> Found {
    let id = &exercise.id;
    let visible: Vec<String> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect(),
        Err(e) => return Found::Nothing(format!("cannot read {}: {e}", folder.display())),
    };
    if visible.is_empty() {
        return Found::Nothing("the submission's folder is empty".into());
    }
    if folder.join("src").join("lib.rs").is_file() {
        if matches!(scope, Scope::One(_)) {
            return Found::Crate(folder.to_owned());
        }
        let package = package_name(folder);
        let names = |e: &Exercise| {
            package
                .as_deref()
                .is_some_and(|p| p == e.name || p.starts_with(&format!("{}-", e.id)))
        };
        return if names(exercise) {
            Found::Crate(folder.to_owned())
        } else if lab.manifest.exercises.iter().any(names) {
            Found::OtherExercise
        } else {
            Found::Nothing(format!(
                "a crate whose package name ({}) names no exercise of this lab; grade it with `cargo xtask grade <exercise> --submissions`",
                package.as_deref().unwrap_or("unreadable")
            ))
        };
    }
    let exercises_dir = folder.join("exercises");
    if exercises_dir.is_dir() {
        let shipped = folder.join(&exercise.dir);
        if shipped.is_dir() {
            return Found::Crate(shipped);
        }
        let prefix = format!("{id}-");
        let mut renamed: Vec<PathBuf> = std::fs::read_dir(&exercises_dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        renamed.sort();
        return match renamed.into_iter().next() {
            Some(dir) => Found::Crate(dir),
            None => Found::Nothing(format!(
                "a Racelab workspace without {} (nor any exercises/{id}-*)",
                exercise.dir
            )),
        };
    }
    // An unpacked archive often wraps the crate in one more folder.
    if depth == 0 && visible.len() == 1 && folder.join(&visible[0]).is_dir() {
        return find_crate(lab, scope, exercise, &folder.join(&visible[0]), 1);
    }
    Found::Nothing(format!(
        "no crate for {id} here: neither src/lib.rs nor the exercises/{id}-* of a Racelab workspace"
    ))
}

/// The `[package] name` of the crate at `dir`, if its Cargo.toml says.
fn package_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    Some(manifest.get("package")?.get("name")?.as_str()?.to_owned())
}

/// How many subjects a batch grades at once unless told: one per core, at most
/// [`MAX_DEFAULT_JOBS`].
///
/// Parallel grades cannot skew each other's measurements: stress and ThreadSanitizer
/// runs take the cores lock alone, and builds and explorations wait for them. What
/// overlaps is what leaves cores idle in a lone grade — loom and shuttle explore on
/// one thread, and a build ends in a single-threaded link — so on 2 cores two jobs
/// graded a warm class of 20 in 3.2 s a subject against 4.7 s for one
/// (`scripts/bench-batch.sh`). Builds of a flavor queue on its target directory's
/// lock, so many more workers than that would mostly wait.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, MAX_DEFAULT_JOBS))
}

/// The most subjects a batch grades at once unless told (see [`default_jobs`]).
pub const MAX_DEFAULT_JOBS: usize = 8;

/// What a batch tells its caller while it runs, on the caller's thread.
#[derive(Debug)]
pub enum Event<'e, 'a> {
    /// The grade of `targets[index]` has begun.
    Started {
        /// Its place in the batch.
        index: usize,
        /// What is graded.
        target: &'e Target<'a>,
    },
    /// The grade of `targets[index]` is over and its report written (or not).
    Finished {
        /// Its place in the batch.
        index: usize,
        /// What was graded.
        target: &'e Target<'a>,
        /// The report.
        report: &'e Report,
        /// Whether the report file could be written.
        written: &'e std::io::Result<()>,
    },
}

/// Grades every target with `options`, `jobs` at a time, writing each report to its
/// `report_path` as soon as it is done, and telling `on_event` (always on the calling
/// thread). Returns the reports in the order of `targets`.
pub fn run(
    lab: &Lab,
    targets: &[Target<'_>],
    options: &GradeOptions,
    jobs: usize,
    on_event: &mut dyn FnMut(Event<'_, '_>),
) -> Vec<Report> {
    let mut reports: Vec<Option<Report>> = vec![None; targets.len()];
    let mut finish = |index: usize, report: Report, on_event: &mut dyn FnMut(Event<'_, '_>)| {
        let written = report.write(&targets[index].report_path);
        on_event(Event::Finished {
            index,
            target: &targets[index],
            report: &report,
            written: &written,
        });
        reports[index] = Some(report);
    };
    // The first subject with a crate builds the shared dependencies, alone.
    let first = targets.iter().position(|t| t.subject.is_ok());
    if let Some(index) = first {
        on_event(Event::Started {
            index,
            target: &targets[index],
        });
        finish(index, grade_target(lab, &targets[index], options), on_event);
    }
    let rest: Vec<usize> = (0..targets.len()).filter(|i| Some(*i) != first).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, received) = mpsc::channel::<(usize, Option<Report>)>();
        for _ in 0..jobs.clamp(1, rest.len().max(1)) {
            let sender = sender.clone();
            let (next, rest) = (&next, &rest);
            scope.spawn(move || {
                while let Some(&index) = rest.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let _ = sender.send((index, None));
                    let report = grade_target(lab, &targets[index], options);
                    if sender.send((index, Some(report))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (index, report) in received {
            match report {
                None => on_event(Event::Started {
                    index,
                    target: &targets[index],
                }),
                Some(report) => finish(index, report, on_event),
            }
        }
    });
    reports
        .into_iter()
        .map(|r| r.expect("every target is graded once"))
        .collect()
}

/// Grades one target; whatever happens, returns its report.
fn grade_target(lab: &Lab, target: &Target<'_>, options: &GradeOptions) -> Report {
    let subject = match &target.subject {
        Ok(subject) => subject,
        Err(problem) => {
            return ungraded(
                lab,
                target,
                options,
                format!("nothing to grade: {problem}"),
                Some(problem.clone()),
            );
        }
    };
    let graded = catch_unwind(AssertUnwindSafe(|| {
        grade(lab, target.exercise, subject, options, &mut Quiet)
    }));
    graded.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        ungraded(
            lab,
            target,
            options,
            format!("the grader itself failed on this subject: {message}"),
            None,
        )
    })
}

/// The report of a target that could not be graded: every selected stage an `error`
/// with `summary` (the others `skipped`, as in any grade). With a `fault` (the
/// submission has no crate) the verdict is `fail`, the submission's doing; without one
/// it is `error`, the grader's.
fn ungraded(
    lab: &Lab,
    target: &Target<'_>,
    options: &GradeOptions,
    summary: String,
    fault: Option<String>,
) -> Report {
    let subject_dir = target.subject.as_ref().ok().map(|s| s.dir.as_path());
    let record = crate::integrity::record(lab, target.exercise, subject_dir);
    let stages: Vec<StageReport> = StageId::ALL
        .into_iter()
        .map(|stage| {
            let selected = options.stages.contains(&stage);
            let required = options.required.contains(&stage);
            StageReport {
                name: stage,
                status: if selected {
                    Status::Error
                } else {
                    Status::Skipped
                },
                duration_ms: 0,
                summary: match (selected, required) {
                    (true, _) => summary.clone(),
                    (false, false) => "not selected with --stage".into(),
                    (false, true) => "required, but did not run: not selected with --stage".into(),
                },
                evidence: Evidence {
                    fault: fault.clone().filter(|_| selected),
                    ..Evidence::default()
                },
            }
        })
        .collect();
    let required: Vec<StageId> = StageId::ALL
        .into_iter()
        .filter(|s| options.required.contains(s))
        .collect();
    Report {
        schema: SCHEMA,
        grader_version: env!("CARGO_PKG_VERSION").into(),
        manifest_hash: record.manifest_hash,
        scenario_hash: record.scenario_hash,
        exercise: target.exercise.id.clone(),
        subject: subject_dir.unwrap_or(&target.folder).display().to_string(),
        subject_hash: record.subject_hash,
        verdict: Verdict::of_required(&stages, &required),
        required,
        duration_ms: 0,
        stages,
    }
}

/// An observer that hears nothing: a batch reports whole grades, not their steps.
struct Quiet;

impl Observer for Quiet {
    fn activity(&mut self, _: StageId, _: &str) {}
    fn stage_finished(&mut self, _: &StageReport) {}
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseTally {
    /// The exercise's id.
    pub id: String,
    /// Subjects graded for it.
    pub subjects: usize,
    /// Verdict `pass`.
    pub passed: usize,
    /// Verdict `fail` (a bug found, a build that failed, nothing to grade).
    pub failed: usize,
    /// Verdict `incomplete` (nothing failed, but a stage did not run).
    pub incomplete: usize,
    /// Verdict `error` (the grader could not do its job).
    pub errored: usize,
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
    /// Wall-clock time of its grade.
    pub duration_ms: u64,
    /// Its report.
    pub report: String,
    /// Why there was nothing to grade, when there was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
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
        let mut exercises: Vec<ExerciseTally> = Vec::new();
        for exercise in &lab.manifest.exercises {
            let mine = reports.iter().filter(|r| r.exercise == exercise.id);
            let mut tally = ExerciseTally {
                id: exercise.id.clone(),
                ..ExerciseTally::default()
            };
            for report in mine {
                tally.subjects += 1;
                match report.verdict {
                    Verdict::Pass => tally.passed += 1,
                    Verdict::Fail => tally.failed += 1,
                    Verdict::Incomplete => tally.incomplete += 1,
                    Verdict::Error => tally.errored += 1,
                }
            }
            if tally.subjects > 0 {
                exercises.push(tally);
            }
        }
        let caught = |s: &StageReport| matches!(s.status, Status::Fail | Status::Timeout);
        let stages = StageId::ALL
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
            .collect();
        let subjects = targets
            .iter()
            .zip(reports)
            .map(|(target, report)| SubjectLine {
                name: target.name.clone(),
                exercise: report.exercise.clone(),
                subject: report.subject.clone(),
                subject_hash: report.subject_hash.clone(),
                verdict: report.verdict,
                duration_ms: report.duration_ms,
                report: target.report_path.display().to_string(),
                problem: target.subject.as_ref().err().cloned(),
                stages: report
                    .stages
                    .iter()
                    .map(|s| (s.name.as_str().to_owned(), s.status))
                    .collect(),
            })
            .collect();
        Summary {
            schema: SUMMARY_SCHEMA,
            grader_version: env!("CARGO_PKG_VERSION").into(),
            manifest_hash: crate::integrity::file_hash(&lab.root.join(crate::lab::MANIFEST_PATH))
                .unwrap_or_default(),
            submissions: settings.submissions.map(|p| p.display().to_string()),
            selected: names(&settings.options.stages),
            required: names(&settings.options.required),
            jobs: settings.jobs,
            duration_ms: u64::try_from(settings.duration.as_millis()).unwrap_or(u64::MAX),
            verdict: Verdict::worst(reports.iter().map(|r| r.verdict)),
            exercises,
            stages,
            subjects,
        }
    }

    /// The batch's exit status: that of its worst verdict (see [`Verdict::worst`]).
    pub fn exit_code(&self) -> i32 {
        self.verdict.exit_code()
    }

    /// Writes the summary to `path`, whole or not at all.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        report::write_atomically(path, &text)
    }

    /// Reads a summary written by [`Summary::write`].
    pub fn read(path: &Path) -> Result<Summary, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        toml::from_str(&text).map_err(|e| e.to_string())
    }
}

/// The name a subject goes by in reports and CI results when graded on its own:
/// [`WORKSPACE`] for the workspace's own crate, else its folder's name.
pub fn subject_name(lab: &Lab, exercise: &Exercise, subject: &Subject) -> String {
    if subject.dir == lab.exercise_dir(exercise) {
        WORKSPACE.into()
    } else {
        subject.folder_name()
    }
}

#[cfg(test)]
mod tests {
    use super::{Scope, Summary, discover, unique_stem};
    use crate::lab::Lab;
    use std::collections::BTreeSet;
    use std::fs;
    use std::path::{Path, PathBuf};

    fn lab() -> Lab {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        Lab::open(root).unwrap()
    }

    fn write(path: PathBuf, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A submissions folder with every shape a submission can take.
    fn class() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d.join("alice/src/lib.rs"), "pub fn f() {}");
        write(
            d.join("alice/Cargo.toml"),
            "[package]\nname = \"ex01-lost-update\"\n",
        );
        write(d.join("bob/Cargo.toml"), "[workspace]\n");
        write(d.join("bob/exercises/ex01-lost-update/src/lib.rs"), "");
        write(d.join("bob/exercises/ex02-my-copy/src/lib.rs"), "");
        fs::create_dir_all(d.join("carol")).unwrap();
        write(d.join("dave/notes.txt"), "I ran out of time");
        write(d.join("erin/unpacked/src/lib.rs"), "");
        write(d.join(".git/config"), "");
        write(d.join("README.txt"), "not a submission");
        dir
    }

    #[test]
    fn every_subfolder_is_a_target_in_name_order_with_its_crate_or_its_problem() {
        let lab = lab();
        let class = class();
        let ex01 = lab.manifest.find("ex01").unwrap();
        let out = class.path().join("out");
        let targets = discover(&lab, Scope::One(ex01), Some(class.path()), &out).unwrap();
        let names: Vec<_> = targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave", "erin"]);
        let dir = |i: usize| targets[i].subject.as_ref().map(|s| s.dir.clone());
        let root = class.path().canonicalize().unwrap();
        assert_eq!(dir(0), Ok(root.join("alice")));
        assert_eq!(dir(1), Ok(root.join("bob/exercises/ex01-lost-update")));
        assert!(dir(2).unwrap_err().contains("empty"), "{:?}", dir(2));
        assert!(dir(3).unwrap_err().contains("no crate for ex01"));
        assert_eq!(dir(4), Ok(root.join("erin/unpacked")));
        assert_eq!(targets[0].report_path, out.join("ex01/alice.toml"));
    }

    #[test]
    fn with_every_exercise_a_crate_goes_to_the_exercise_it_names() {
        let lab = lab();
        let class = class();
        let targets = discover(&lab, Scope::All, Some(class.path()), Path::new("out")).unwrap();
        let of = |name: &str| -> Vec<String> {
            targets
                .iter()
                .filter(|t| t.name == name)
                .map(|t| t.exercise.id.clone())
                .collect()
        };
        assert_eq!(of("alice"), ["ex01"]);
        let ids: Vec<String> = lab
            .manifest
            .exercises
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(of("bob"), ids);
        // bob's ex02 is in a renamed folder; his ex03 is missing.
        let bob = |id: &str| {
            targets
                .iter()
                .find(|t| t.name == "bob" && t.exercise.id == id)
                .unwrap()
        };
        assert!(
            bob("ex02")
                .subject
                .as_ref()
                .unwrap()
                .dir
                .ends_with("ex02-my-copy")
        );
        assert!(
            bob("ex03")
                .subject
                .as_ref()
                .unwrap_err()
                .contains("exercises/ex03-")
        );
    }

    #[test]
    fn an_unreadable_or_empty_submissions_folder_is_a_usage_error() {
        let lab = lab();
        let empty = tempfile::tempdir().unwrap();
        let ex01 = lab.manifest.find("ex01").unwrap();
        let problem =
            discover(&lab, Scope::One(ex01), Some(empty.path()), Path::new("o")).unwrap_err();
        assert!(problem.contains("no submissions"), "{problem}");
        let problem = discover(
            &lab,
            Scope::One(ex01),
            Some(Path::new("/nonexistent/racelab")),
            Path::new("o"),
        )
        .unwrap_err();
        assert!(problem.contains("cannot read"), "{problem}");
    }

    #[test]
    fn without_submissions_the_workspace_crates_report_where_a_grade_would() {
        let lab = lab();
        let targets = discover(&lab, Scope::All, None, Path::new("out")).unwrap();
        assert_eq!(targets.len(), lab.manifest.exercises.len());
        for target in &targets {
            assert_eq!(target.name, "workspace");
            let subject = target.subject.as_ref().unwrap();
            assert_eq!(
                target.report_path,
                lab.default_report_path(target.exercise, subject)
            );
        }
    }

    #[test]
    fn report_names_stay_distinct_after_making_them_safe() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_stem("a b", &mut taken), "a_b");
        assert_eq!(unique_stem("a_b", &mut taken), "a_b-2");
        assert_eq!(unique_stem("a?b", &mut taken), "a_b-3");
        assert_eq!(unique_stem("zoë", &mut taken), "zo_");
    }

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
}
