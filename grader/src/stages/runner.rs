//! Running one runner process: its request file in a fresh run folder, its limits,
//! and what it left behind — and the ways it can end badly (a timeout, a crash, an
//! abort that left only its first panic), judged here once for all stages.

use super::limits::{self, Limits};
use super::{Judgement, first_line, is_subject_location, tidy};
use crate::process::{self, Finished};
use crate::report::{Evidence, FailureKind, Status};
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
    /// The run's token, given to the runner on stdin: its findings must carry it.
    pub token: String,
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
    let sanitizer_logs = super::tsan::symbolize::symbolize(sanitizer_logs, executable);
    Ok(RunnerRun {
        findings: read(&findings_path).and_then(|t| toml::from_str(&t).ok()),
        first_panic: read(&findings_path.with_extension("panic"))
            .and_then(|t| toml::from_str(&t).ok()),
        finished,
        sanitizer_logs,
        time_limit: limits.time,
        reference: limits.reference,
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
                    "did not finish in {}: possible deadlock or livelock; {}",
                    limits::seconds(self.time_limit),
                    limits::reference_note(self.reference)
                ),
                evidence: Evidence {
                    kind: Some(FailureKind::Timeout),
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
                        kind: Some(FailureKind::Refused),
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
                    kind: Some(FailureKind::MemoryLimit),
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
                    kind: Some(super::failure_kind(&failure.message)),
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
                kind: crashed.then_some(FailureKind::Crash),
                output_tail: tail(),
                ..Evidence::default()
            },
        }))
    }
}

#[cfg(test)]
impl RunnerRun {
    /// A runner that exited with `code`, leaving `findings` for a run whose token is
    /// `token`: what the stages' tests judge.
    pub(crate) fn exited(code: i32, findings: Option<Findings>, token: &str) -> RunnerRun {
        use std::os::unix::process::ExitStatusExt;
        RunnerRun {
            findings,
            first_panic: None,
            finished: Finished {
                status: Some(std::process::ExitStatus::from_raw(code << 8)),
                timed_out: false,
                stdout: String::new(),
                stderr: String::new(),
                elapsed: Duration::from_secs(1),
            },
            sanitizer_logs: Vec::new(),
            time_limit: Duration::from_secs(5),
            reference: Duration::from_millis(20),
            token: token.into(),
        }
    }

    /// A runner that exited 0 after writing `findings` with the run's token.
    pub(crate) fn found(findings: Findings) -> RunnerRun {
        let token = "0123456789abcdef0123456789abcdef";
        let findings = Findings {
            token: token.into(),
            ..findings
        };
        RunnerRun::exited(0, Some(findings), token)
    }
}

#[cfg(test)]
mod tests {
    use super::{RunnerRun, run_token};
    use crate::report::{FailureKind, Status};
    use racelab_harness::{Failure, Findings};
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;
    use std::time::Duration;

    /// A runner that exited 0, leaving `findings` for a run whose token is `token`.
    fn exited_cleanly(findings: Option<Findings>, token: &str) -> RunnerRun {
        RunnerRun::exited(0, findings, token)
    }

    /// Every way a run ends badly that is the subject's doing carries its kind; the
    /// grader's own failures carry none.
    #[test]
    fn a_run_that_ended_badly_is_given_its_kind() {
        let kind = |run: RunnerRun| run.findings_or_judgement().unwrap_err().evidence.kind;
        let mut timed_out = exited_cleanly(None, "t");
        timed_out.finished.timed_out = true;
        assert_eq!(kind(timed_out), Some(FailureKind::Timeout));
        let mut out_of_memory = exited_cleanly(None, "t");
        out_of_memory.finished.stderr = "memory allocation of 4096 bytes failed\n".into();
        assert_eq!(kind(out_of_memory), Some(FailureKind::MemoryLimit));
        let forged = exited_cleanly(Some(Findings::default()), "t");
        assert_eq!(kind(forged), Some(FailureKind::Refused));
        let mut deadlocked = RunnerRun::exited(134, None, "t");
        deadlocked.first_panic = Some(Failure {
            message: "deadlock; threads = [(Id(0), Blocked(Location(None)))]".into(),
            location: None,
            trace: Vec::new(),
        });
        assert_eq!(kind(deadlocked), Some(FailureKind::Deadlock));
        let mut killed = exited_cleanly(None, "t");
        killed.finished.status = Some(ExitStatus::from_raw(11));
        assert_eq!(kind(killed), Some(FailureKind::Crash));
        assert_eq!(kind(exited_cleanly(None, "t")), None);
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
            reference: Duration::from_millis(20),
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
}
