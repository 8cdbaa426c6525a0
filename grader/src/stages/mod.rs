//! The four stages. Each turns the manifest's sizes into a [`Request`] for a runner,
//! and the runner's [`Findings`] into a status, a one-line summary and evidence.
//!
//! Running a runner, and the ways it can end badly (a timeout, a crash, an abort
//! that left only its first panic behind), are handled here, once for all stages.

pub mod interleaving;
pub mod loom;
pub mod shuttle;
pub mod stress;
pub mod tsan;

use crate::build::Flavor;
use crate::process::{self, Finished};
use crate::report::{Evidence, Status};
use racelab_harness::{Failure, Findings, Request};
use std::fmt;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

/// How a runner starts the line that says why it could not do its job.
const RUNNER_ERROR: &str = "racelab runner: ";

/// How much of one sanitizer log the grader reads.
const LOG_CAP: usize = 4 << 20;

/// How much of a runner's output the grader keeps in memory.
const OUTPUT_CAP: usize = 256 << 10;

/// The detectors, in the order a grade runs them (fastest verdict first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageName {
    /// Exhaustive, bounded schedule exploration under the C11 memory model.
    Loom,
    /// Randomized (PCT) schedule exploration, replayable.
    Shuttle,
    /// Real OS threads, many workers, many rounds.
    Stress,
    /// ThreadSanitizer on real threads with an instrumented std.
    Tsan,
}

impl StageName {
    /// Every stage, in run order.
    pub const ALL: [StageName; 4] = [
        StageName::Loom,
        StageName::Shuttle,
        StageName::Stress,
        StageName::Tsan,
    ];

    /// The stage's name in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Loom => "loom",
            StageName::Shuttle => "shuttle",
            StageName::Stress => "stress",
            StageName::Tsan => "tsan",
        }
    }

    /// The build its runner needs.
    pub fn flavor(self) -> Flavor {
        match self {
            StageName::Loom => Flavor::Loom,
            StageName::Shuttle => Flavor::Shuttle,
            StageName::Stress => Flavor::Std,
            StageName::Tsan => Flavor::Tsan,
        }
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StageName {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        StageName::ALL
            .into_iter()
            .find(|stage| stage.as_str() == name.trim())
            .ok_or_else(|| {
                format!("unknown stage `{name}`: the stages are loom, shuttle, stress, tsan")
            })
    }
}

/// A stage's judgement, before timing is added.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The status.
    pub status: Status,
    /// One line for humans.
    pub summary: String,
    /// The evidence.
    pub evidence: Evidence,
}

impl Judgement {
    /// Rewrites absolute paths under `root` (the workspace) as relative ones, so that
    /// `exercises/ex01-lost-update/src/lib.rs:69` can be clicked from the workspace,
    /// and draws the interleaving table, whose lines are relative to `subject`.
    pub fn with_paths_relative_to(mut self, root: &Path, subject: &Path) -> Judgement {
        let prefix = format!("{}/", root.display());
        let relative = |text: &mut String| {
            if text.contains(&prefix) {
                *text = text.replace(&prefix, "");
            }
        };
        relative(&mut self.summary);
        let evidence = &mut self.evidence;
        if let Some(failure) = &evidence.failure {
            evidence.trace = evidence
                .trace
                .take()
                .or_else(|| interleaving::render(&evidence.steps, failure, &[subject, root]));
        }
        for text in [
            &mut evidence.failure,
            &mut evidence.location,
            &mut evidence.output_tail,
            &mut evidence.fault,
        ]
        .into_iter()
        .flatten()
        {
            relative(text);
        }
        evidence.compile_errors.iter_mut().for_each(relative);
        self
    }
}

/// What a runner process left: its findings if it wrote them, its first panic, and
/// how it ended.
#[derive(Debug)]
pub struct RunnerRun {
    /// The findings file, if the runner got that far.
    pub findings: Option<Findings>,
    /// The first panic, saved by the runner's hook even if the process then aborted.
    pub first_panic: Option<Failure>,
    /// Exit status, output and timing.
    pub finished: Finished,
    /// ThreadSanitizer's logs (`tsan.<pid>` files in the run folder), capped.
    pub sanitizer_logs: Vec<String>,
}

/// The limits a runner process runs under, and the settings it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Past this, the runner and everything it started are killed: `timeout`.
    pub time: Duration,
    /// Address-space limit; `None` for none (ThreadSanitizer reserves terabytes of
    /// shadow memory, so its runs are bounded by time only).
    pub memory_bytes: Option<u64>,
    /// Extra environment (ThreadSanitizer's `TSAN_OPTIONS`).
    pub env: Vec<(String, String)>,
}

/// Runs the runner `executable` on `request` in `run_dir`, within `limits`.
pub fn run_runner(
    executable: &Path,
    request: &Request,
    run_dir: &Path,
    limits: &Limits,
) -> std::io::Result<RunnerRun> {
    let _ = std::fs::remove_dir_all(run_dir);
    std::fs::create_dir_all(run_dir)?;
    let request_path = run_dir.join("request.toml");
    let findings_path = run_dir.join("findings.toml");
    std::fs::write(
        &request_path,
        toml::to_string(request).map_err(std::io::Error::other)?,
    )?;
    let mut command = Command::new(executable);
    command
        .arg(&request_path)
        .arg(&findings_path)
        .current_dir(run_dir);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("LOOM_") || key.starts_with("SHUTTLE_") || key == "RUST_BACKTRACE" {
            command.env_remove(key.as_ref());
        }
    }
    if let Some(bytes) = limits.memory_bytes {
        process::limit_memory(&mut command, bytes);
    }
    command.envs(limits.env.iter().map(|(k, v)| (k, v)));
    let finished = process::run(command, limits.time, OUTPUT_CAP)?;
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let mut sanitizer_logs: Vec<String> = std::fs::read_dir(run_dir)?
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("tsan."))
        .filter_map(|entry| read(&entry.path()))
        .map(|mut log| {
            log.truncate(log.floor_char_boundary(LOG_CAP));
            log
        })
        .collect();
    sanitizer_logs.sort();
    let sanitizer_logs = tsan::symbolize::symbolize(sanitizer_logs, executable);
    Ok(RunnerRun {
        findings: read(&findings_path).and_then(|t| toml::from_str(&t).ok()),
        first_panic: read(&findings_path.with_extension("panic"))
            .and_then(|t| toml::from_str(&t).ok()),
        finished,
        sanitizer_logs,
    })
}

impl RunnerRun {
    /// Judges the ways a run can end without findings. `Ok` holds the findings when
    /// the runner completed normally; `Err` is already the stage's judgement.
    pub fn findings_or_judgement(self) -> Result<Findings, Box<Judgement>> {
        let tail = || Some(process::last_lines(&self.finished.stderr, 25));
        if self.finished.timed_out {
            return Err(Box::new(Judgement {
                status: Status::Timeout,
                summary: format!(
                    "did not finish within {} s: possible deadlock or livelock",
                    self.finished.elapsed.as_secs()
                ),
                evidence: Evidence {
                    output_tail: tail(),
                    ..Evidence::default()
                },
            }));
        }
        if let Some(findings) = self.findings {
            return Ok(findings);
        }
        if self.finished.stderr.contains("memory allocation of") {
            return Err(Box::new(Judgement {
                status: Status::Error,
                summary:
                    "the subject ran out of memory: it allocated past the runner's memory limit"
                        .into(),
                evidence: Evidence {
                    fault: Some("exceeded the memory limit (see --memory-limit)".into()),
                    output_tail: tail(),
                    ..Evidence::default()
                },
            }));
        }
        let runner_refused = self.finished.status.and_then(|s| s.code()) == Some(2);
        let refusal = self
            .finished
            .stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(RUNNER_ERROR));
        if let Some(problem) = refusal.filter(|_| runner_refused) {
            return Err(Box::new(Judgement {
                status: Status::Error,
                summary: problem.to_owned(),
                evidence: Evidence::default(),
            }));
        }
        if let Some(failure) = self.first_panic {
            // The runner died after a panic (loom aborts on a deadlock, for one).
            return Err(Box::new(Judgement {
                status: Status::Fail,
                summary: first_line(&failure.message),
                evidence: Evidence {
                    failure: Some(tidy(&failure.message)),
                    location: failure.location.filter(|l| is_subject_location(l)),
                    steps: failure.trace,
                    output_tail: tail(),
                    ..Evidence::default()
                },
            }));
        }
        let crashed = self.finished.status.is_some_and(|s| s.code().is_none());
        Err(Box::new(Judgement {
            status: if crashed { Status::Fail } else { Status::Error },
            summary: format!(
                "the runner ended with {} and left no findings",
                self.finished.describe_status()
            ),
            evidence: Evidence {
                output_tail: tail(),
                ..Evidence::default()
            },
        }))
    }
}

/// A failure message as the report shows it: without surrounding blank lines.
pub fn tidy(message: &str) -> String {
    message
        .trim_matches(|c: char| c == '\n' || c == '\r')
        .to_owned()
}

/// Puts a failure into `evidence`: its message, its location when it is in the
/// subject's code, and the steps of the execution that failed.
pub fn record_failure(evidence: &mut Evidence, failure: Failure) {
    evidence.location = failure.location.filter(|l| is_subject_location(l));
    evidence.failure = Some(tidy(&failure.message));
    evidence.steps = failure.trace;
}

/// `1 round`, `2 rounds`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first line of a message, for summaries.
pub fn first_line(message: &str) -> String {
    message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// Whether a panic location points into the subject or the scenario, rather than
/// into the harness or a dependency's source (which would only confuse a student).
pub fn is_subject_location(location: &str) -> bool {
    !(location.contains("/grader/harness/")
        || location.contains("/.cargo/registry/")
        || location.contains("/rustc/")
        || location.starts_with("/rustc"))
}

#[cfg(test)]
mod tests {
    use super::{StageName, first_line, is_subject_location};

    #[test]
    fn stage_names_parse_and_print_alike() {
        for stage in StageName::ALL {
            assert_eq!(stage.as_str().parse::<StageName>(), Ok(stage));
        }
        let problem = "helgrind".parse::<StageName>().unwrap_err();
        assert!(problem.contains("loom, shuttle, stress, tsan"), "{problem}");
    }

    #[test]
    fn summaries_take_the_first_non_empty_line() {
        assert_eq!(
            first_line("\n  Causality violation: x\n created: y"),
            "Causality violation: x"
        );
    }

    #[test]
    fn locations_in_the_harness_or_dependencies_are_not_shown_to_students() {
        assert!(is_subject_location("/home/s/ex01/src/lib.rs:31:9"));
        assert!(!is_subject_location(
            "/work/main/grader/harness/src/run.rs:12:5"
        ));
        assert!(!is_subject_location(
            "/root/.cargo/registry/src/x/loom-0.7.3/src/rt/mod.rs:1:1"
        ));
    }
}
