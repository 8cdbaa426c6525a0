//! Running one runner process: its request file in a fresh run folder, its limits,
//! and what it left behind — and the ways it can end badly (a timeout, a crash, an
//! abort that left only its first panic), judged here once for all stages.

use super::limits::{self, Limits};
use super::{Judgement, first_line, is_subject_location, tidy};
use crate::process::{self, Finished};
use crate::report::{Evidence, Status};
use racelab_harness::{Failure, Findings, Request};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// How a runner starts the line that says why it could not do its job.
const RUNNER_ERROR: &str = "racelab runner: ";

/// How much of one sanitizer log the grader reads.
const LOG_CAP: usize = 4 << 20;

/// How much of a runner's output the grader keeps in memory.
const OUTPUT_CAP: usize = 256 << 10;

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
    /// The time limit it ran under.
    pub time_limit: Duration,
    /// What the reference solutions take in this stage.
    pub reference: Duration,
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
    Ok(RunnerRun {
        findings: read(&findings_path).and_then(|t| toml::from_str(&t).ok()),
        first_panic: read(&findings_path.with_extension("panic"))
            .and_then(|t| toml::from_str(&t).ok()),
        finished,
        sanitizer_logs,
        time_limit: limits.time,
        reference: limits.reference,
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
                    "did not finish in {}: possible deadlock or livelock; {}",
                    limits::seconds(self.time_limit),
                    limits::reference_note(self.reference)
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
