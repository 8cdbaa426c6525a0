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
    /// The run's token, given to the runner on stdin: its findings must carry it.
    pub token: String,
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

/// A fresh run token: 32 hex digits from the OS's random source, so no subject can
/// guess it. The runner's harness reads it from stdin before the subject's code runs.
fn run_token() -> std::io::Result<String> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| std::io::Error::other(format!("no random run token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs the runner `executable` on `request` in `run_dir`, within `limits`; the run's
/// token goes to its stdin.
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
    let token = run_token()?;
    let input = format!("{token}\n");
    let finished =
        process::run_with_input(command, Some(input.as_bytes()), limits.time, OUTPUT_CAP)?;
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
        token,
    })
}

impl RunnerRun {
    /// Judges the ways a run can end without findings (or with findings the harness
    /// did not write). `Ok` holds the findings when the runner completed normally;
    /// `Err` is already the stage's judgement, never a pass.
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
            if findings.token != self.token {
                return Err(Box::new(Judgement {
                    status: Status::Error,
                    summary:
                        "the findings were not written by the harness: they lack this run's token"
                            .into(),
                    evidence: Evidence {
                        fault: Some(
                            "findings without the run's token (forged by the subject?)".into(),
                        ),
                        output_tail: tail(),
                        ..Evidence::default()
                    },
                }));
            }
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
    use super::{RunnerRun, StageName, first_line, is_subject_location, run_token};
    use crate::process::Finished;
    use crate::report::Status;
    use racelab_harness::Findings;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;
    use std::time::Duration;

    /// A runner that exited 0, leaving `findings` for a run whose token is `token`.
    fn exited_cleanly(findings: Option<Findings>, token: &str) -> RunnerRun {
        RunnerRun {
            findings,
            first_panic: None,
            finished: Finished {
                status: Some(ExitStatus::from_raw(0)),
                timed_out: false,
                stdout: String::new(),
                stderr: String::new(),
                elapsed: Duration::from_secs(1),
            },
            sanitizer_logs: Vec::new(),
            token: token.into(),
        }
    }

    fn findings_with(token: &str) -> Findings {
        Findings {
            token: token.into(),
            backend: "std".into(),
            executions: 30,
            ..Findings::default()
        }
    }

    #[test]
    fn findings_with_the_run_token_are_accepted() {
        let token = run_token().unwrap();
        let run = exited_cleanly(Some(findings_with(&token)), &token);
        assert_eq!(run.findings_or_judgement().unwrap().executions, 30);
    }

    #[test]
    fn findings_without_the_run_token_are_an_error_of_the_subject() {
        let token = run_token().unwrap();
        for forged in ["", "00000000000000000000000000000000", &token[1..]] {
            let run = exited_cleanly(Some(findings_with(forged)), &token);
            let judgement = run.findings_or_judgement().unwrap_err();
            assert_eq!(judgement.status, Status::Error, "{forged:?}");
            assert!(
                judgement
                    .summary
                    .contains("the findings were not written by the harness"),
                "{}",
                judgement.summary
            );
            assert!(judgement.evidence.fault.is_some());
        }
    }

    #[test]
    fn a_runner_that_exits_0_without_findings_is_an_error() {
        let judgement = exited_cleanly(None, &run_token().unwrap())
            .findings_or_judgement()
            .unwrap_err();
        assert_eq!(judgement.status, Status::Error);
        assert!(
            judgement.summary.contains("left no findings"),
            "{}",
            judgement.summary
        );
    }

    /// Runs a shell script as the runner (`$1` the request, `$2` the findings file).
    fn run_script(script: &str) -> RunnerRun {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let runner = dir.path().join("runner");
        std::fs::write(&runner, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&runner, std::fs::Permissions::from_mode(0o755)).unwrap();
        let request = racelab_harness::Request::Stress {
            size: racelab_harness::Size { workers: 1, ops: 1 },
            rounds: 1,
            round_timeout_ms: 1000,
        };
        let limits = super::Limits {
            time: Duration::from_secs(30),
            memory_bytes: None,
            env: Vec::new(),
        };
        super::run_runner(&runner, &request, &dir.path().join("run"), &limits).unwrap()
    }

    #[test]
    fn a_runner_gets_the_token_on_stdin_and_only_findings_with_it_count() {
        let honest = run_script(
            r#"read token; printf 'token = "%s"\nbackend = "std"\nexecutions = 30\nrounds = []\n' "$token" > "$2""#,
        );
        assert_eq!(honest.findings_or_judgement().unwrap().executions, 30);
        let forged =
            run_script(r#"printf 'backend = "std"\nexecutions = 30\nrounds = []\n' > "$2""#);
        let judgement = forged.findings_or_judgement().unwrap_err();
        assert_eq!(judgement.status, Status::Error);
        assert!(
            judgement.summary.contains("not written by the harness"),
            "{}",
            judgement.summary
        );
    }

    #[test]
    fn run_tokens_are_32_hex_digits_and_differ() {
        let (one, two) = (run_token().unwrap(), run_token().unwrap());
        assert_eq!(one.len(), 32);
        assert!(one.chars().all(|c| c.is_ascii_hexdigit()), "{one}");
        assert_ne!(one, two);
    }

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
