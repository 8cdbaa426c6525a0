//! The runner process: read the request, drive the scenario, write the findings.
//!
//! A little over 400 lines: the three drivers (loom, shuttle, real threads) share the
//! request, the panic capture and the findings, and each is short.

use crate::{Failure, Findings, Outcome, Request, Size};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::{env, fs, panic};

/// The backend this runner was built for: the one its feature selects in the facade.
const BACKEND: &str = if cfg!(feature = "loom") {
    "loom"
} else if cfg!(feature = "shuttle") {
    "shuttle"
} else {
    "std"
};

/// The longest run token read from stdin.
const TOKEN_CAP: u64 = 256;

/// A scenario: builds the subject, runs one execution of `size`, checks the invariant.
pub type Scenario = fn(Size) -> Outcome;

/// The spec driver of a scenario file's model, when it has one (shuttle builds only).
type SpecDriver = fn(Request, &Path) -> Result<Findings, String>;

/// The `main` of a generated runner: `runner REQUEST.toml FINDINGS.toml`, with the
/// run's token on stdin.
///
/// The token is read first, before any of the subject's code runs, and written into
/// the findings: the grader accepts only findings that carry it. Exits 0 once the
/// findings are written (whatever they say), 2 when it could not do its job; a crash
/// (loom aborts on a deadlock) leaves the first panic in `FINDINGS.panic` for the
/// grader.
pub fn run(scenario: Scenario) -> ! {
    run_serving(scenario, None)
}

/// [`run`] for a scenario file with a sequential model `M` of its object: the same,
/// and a shuttle build also serves the `spec` stage's requests with it.
pub fn run_with_model<M: crate::spec::Model>(scenario: Scenario) -> ! {
    #[cfg(feature = "shuttle")]
    let spec: Option<SpecDriver> = Some(crate::spec::drive::drive::<M>);
    #[cfg(not(feature = "shuttle"))]
    let spec: Option<SpecDriver> = None;
    run_serving(scenario, spec)
}

fn run_serving(scenario: Scenario, spec: Option<SpecDriver>) -> ! {
    let code = match run_request(scenario, spec) {
        Ok(()) => 0,
        Err(problem) => {
            eprintln!("racelab runner: {problem}");
            2
        }
    };
    exit(code)
}

/// How long ThreadSanitizer lets the other threads run when the process exits, to see
/// the races they still make (its `atexit_sleep_ms`, 1 s by default).
#[cfg(feature = "tsan")]
const TSAN_AT_EXIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Ends the runner with `code`. Under ThreadSanitizer it first gives the subject's
/// threads still running (a thread it never joined, a round the watchdog ended) the
/// second TSan's exit would give them: the grader turns TSan's own wait off
/// (`atexit_sleep_ms=0`), as it waits also when only the runner's own watchdog is
/// left, which races with nothing, and it costs every run a second with the cores
/// held alone.
fn exit(code: i32) -> ! {
    #[cfg(feature = "tsan")]
    if racelab_sync::blocked::snapshot().running > 0 {
        std::thread::sleep(TSAN_AT_EXIT);
    }
    std::process::exit(code)
}

fn run_request(scenario: Scenario, spec: Option<SpecDriver>) -> Result<(), String> {
    let token = read_token(std::io::stdin())?;
    let args: Vec<PathBuf> = env::args_os().skip(1).map(PathBuf::from).collect();
    let [request_path, findings_path] = args.as_slice() else {
        return Err("usage: runner REQUEST.toml FINDINGS.toml".into());
    };
    let text = fs::read_to_string(request_path)
        .map_err(|e| format!("cannot read {}: {e}", request_path.display()))?;
    let request: Request = toml::from_str(&text)
        .map_err(|e| format!("bad request {}: {e}", request_path.display()))?;
    if request.backend() != BACKEND {
        return Err(format!(
            "this runner was built for {BACKEND}, but the request needs {}",
            request.backend()
        ));
    }
    crate::contain::forbid_other_processes()?;
    crate::contain::limit_threads(crate::contain::MAX_THREADS)?;
    capture_panics(findings_path.with_extension("panic"));
    let findings = match request {
        Request::Spec { .. } => {
            let Some(spec) = spec else {
                return Err(
                    "this exercise's scenario has no sequential model, so the spec stage cannot run"
                        .into(),
                );
            };
            spec(request, findings_path)?
        }
        #[cfg(feature = "shuttle")]
        request @ Request::Play { .. } => crate::play::drive(request, scenario, findings_path)?,
        request => drive(request, scenario, findings_path, &token)?,
    };
    write_findings(findings_path, &findings, &token)
}

/// Reads the run's token from `input` (stdin), to its end: the grader closes it after
/// the token.
fn read_token(input: impl Read) -> Result<String, String> {
    let mut token = String::new();
    input
        .take(TOKEN_CAP)
        .read_to_string(&mut token)
        .map_err(|e| format!("cannot read the run token from stdin: {e}"))?;
    let token = token.trim();
    if token.is_empty() {
        return Err("no run token on stdin: runners are started by the grader".into());
    }
    Ok(token.to_owned())
}

/// Runs `request` with the backend this runner was compiled for.
fn drive(
    request: Request,
    scenario: Scenario,
    findings_path: &Path,
    token: &str,
) -> Result<Findings, String> {
    // Only the stress driver writes findings itself (when a round hangs).
    #[cfg(feature = "loom")]
    let _ = (findings_path, token);
    #[cfg(feature = "shuttle")]
    let _ = token;
    #[cfg(feature = "loom")]
    return Ok(modelled::loom(request, scenario));
    #[cfg(feature = "shuttle")]
    return modelled::shuttle(request, scenario, findings_path);
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    return Ok(stress::run(request, scenario, findings_path, token));
}

/// Writes the findings whole, with the run's `token`: to a temporary file first, then
/// renamed into place.
fn write_findings(path: &Path, findings: &Findings, token: &str) -> Result<(), String> {
    let findings = Findings {
        token: token.to_owned(),
        executed: racelab_sync::executed::snapshot()
            .into_iter()
            .map(Into::into)
            .collect(),
        touched: racelab_sync::exercised::snapshot()
            .into_iter()
            .map(Into::into)
            .collect(),
        ..findings.clone()
    };
    let text = toml::to_string(&findings).map_err(|e| format!("cannot encode findings: {e}"))?;
    let partial = path.with_extension("partial");
    fs::write(&partial, text)
        .and_then(|()| fs::rename(&partial, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

static FIRST_PANIC: OnceLock<Failure> = OnceLock::new();

/// The latest panic of the process: the spec driver's last run is its failure.
static LAST_PANIC: Mutex<Option<Failure>> = Mutex::new(None);

/// Records the first panic of the process, and writes it to `path` at once, so that it
/// survives even when the panic ends in an abort.
fn capture_panics(path: PathBuf) {
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let message = match info.payload() {
            p if p.is::<&str>() => p.downcast_ref::<&str>().map(|s| s.to_string()),
            p => p.downcast_ref::<String>().cloned(),
        }
        .unwrap_or_else(|| "a panic with a non-text payload".to_owned());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        let trace = racelab_sync::trace::snapshot();
        let failure = Failure {
            message,
            location,
            trace,
        };
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure.clone());
        if FIRST_PANIC.set(failure.clone()).is_ok()
            && let Ok(text) = toml::to_string(&failure)
        {
            let _ = fs::write(&path, text);
        }
        default_hook(info);
    }));
}

/// The first panic of the process, if one happened.
fn first_panic() -> Option<Failure> {
    FIRST_PANIC.get().cloned()
}

/// The latest panic of the process, if one happened.
#[cfg(feature = "shuttle")]
pub(crate) fn last_panic() -> Option<Failure> {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The loom and shuttle drivers: every execution asserts the invariant, so the first
/// broken one panics and stops the exploration.
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) mod modelled {
    use super::{Scenario, first_panic};
    use crate::{Findings, Request, Size};
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicU64, Ordering};

    static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

    /// One execution of the scenario, counted, its trace begun, its invariant asserted.
    pub(crate) fn checked(scenario: Scenario, size: Size) -> impl Fn() + Send + Sync + 'static {
        move || {
            EXECUTIONS.fetch_add(1, Ordering::Relaxed);
            racelab_sync::trace::begin_execution();
            let outcome = scenario(size);
            assert!(outcome.holds, "{outcome}");
        }
    }

    fn findings_after(result: std::thread::Result<()>) -> Findings {
        Findings {
            backend: super::BACKEND.to_owned(),
            executions: EXECUTIONS.load(Ordering::Relaxed),
            failure: result.err().map(|_| {
                first_panic().unwrap_or_else(|| crate::Failure {
                    message: "the exploration panicked without a message".into(),
                    location: None,
                    trace: Vec::new(),
                })
            }),
            ..Findings::default()
        }
    }

    #[cfg(feature = "loom")]
    pub(super) fn loom(request: Request, scenario: Scenario) -> Findings {
        let Request::Loom {
            size,
            preemption_bound,
            max_branches,
            track_races,
            call_stacks,
        } = request
        else {
            unreachable!("checked against the backend before")
        };
        racelab_sync::cell::track_races(track_races);
        racelab_sync::trace::record_call_stacks(call_stacks);
        let bounds = racelab_sync::explore::LoomBounds {
            preemption_bound,
            max_branches,
        };
        let body = checked(scenario, size);
        findings_after(panic::catch_unwind(AssertUnwindSafe(|| {
            racelab_sync::explore::loom(bounds, body)
        })))
    }

    #[cfg(feature = "shuttle")]
    pub(super) fn shuttle(
        request: Request,
        scenario: Scenario,
        findings_path: &std::path::Path,
    ) -> Result<Findings, String> {
        let Request::Shuttle {
            size,
            seed,
            iterations,
            depth,
            replay,
            call_stacks,
        } = request
        else {
            unreachable!("checked against the backend before")
        };
        racelab_sync::trace::record_call_stacks(call_stacks);
        let body = checked(scenario, size);
        if let Some(schedule) = replay {
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                racelab_sync::explore::shuttle_replay(&schedule, body)
            }));
            let mut findings = findings_after(result);
            let unreadable = findings.executions == 0
                && findings
                    .failure
                    .as_ref()
                    .is_some_and(|f| f.message.contains("invalid schedule"));
            if unreadable {
                return Err(format!(
                    "`{schedule}` is not a schedule shuttle wrote: copy the whole string from the grade's output or report"
                ));
            }
            if findings.failure.is_some() {
                findings.schedule = Some(schedule);
            }
            return Ok(findings);
        }
        let schedule_dir = findings_path.with_extension("schedules");
        let _ = std::fs::remove_dir_all(&schedule_dir);
        if let Err(e) = std::fs::create_dir_all(&schedule_dir) {
            eprintln!("cannot create {}: {e}", schedule_dir.display());
        }
        let plan = racelab_sync::explore::PctPlan {
            seed,
            iterations,
            depth,
            schedule_dir,
        };
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            racelab_sync::explore::shuttle_pct(&plan, body);
        }));
        let mut findings = findings_after(result);
        findings.schedule = std::fs::read_to_string(plan.schedule_dir.join("schedule000.txt"))
            .ok()
            .map(|s| s.trim().to_owned());
        Ok(findings)
    }
}

/// How long every thread of a real-thread round must stay blocked, no wait ending,
/// before the watchdog calls it a deadlock: far above how long a woken thread waits
/// for a core while the round has the machine to itself, far below a round's limit.
pub const DEADLOCK_SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// The stress driver: real threads, round after round, under a watchdog.
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
mod stress {
    use super::{DEADLOCK_SETTLE, Scenario, first_panic, write_findings};
    use crate::{Findings, Request};
    use std::panic::{self, AssertUnwindSafe};
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};

    /// What the watchdog needs to see: the findings so far and the round in flight.
    struct Progress {
        findings: Findings,
        round: Option<(u32, Instant)>,
    }

    pub(super) fn run(
        request: Request,
        scenario: Scenario,
        findings_path: &Path,
        token: &str,
    ) -> Findings {
        let Request::Stress {
            size,
            rounds,
            round_timeout_ms,
        } = request
        else {
            unreachable!("checked against the backend before")
        };
        let progress = Arc::new(Mutex::new(Progress {
            findings: Findings {
                backend: super::BACKEND.to_owned(),
                ..Findings::default()
            },
            round: None,
        }));
        watch(
            Arc::clone(&progress),
            Duration::from_millis(round_timeout_ms),
            findings_path.to_owned(),
            token.to_owned(),
        );
        for round in 0..rounds {
            lock(&progress).round = Some((round, Instant::now()));
            let result = panic::catch_unwind(AssertUnwindSafe(|| scenario(size)));
            let mut progress = lock(&progress);
            progress.round = None;
            match result {
                Ok(outcome) => {
                    progress.findings.rounds.push(outcome);
                    progress.findings.executions += 1;
                }
                Err(_) => {
                    progress.findings.failure = first_panic();
                    break;
                }
            }
        }
        lock(&progress).findings.clone()
    }

    /// Starts the watchdog: if a round outlives `limit`, or all its threads stay
    /// blocked for [`DEADLOCK_SETTLE`] (see `racelab_sync::blocked`), it writes the findings
    /// with the hung round and ends the process (a hung thread cannot be stopped
    /// otherwise).
    fn watch(
        progress: Arc<Mutex<Progress>>,
        limit: Duration,
        findings_path: PathBuf,
        token: String,
    ) {
        thread::spawn(move || {
            // Since when, and at which count of ended waits, all have been blocked.
            let mut stuck: Option<(u32, u64, Instant)> = None;
            loop {
                thread::sleep(Duration::from_millis(25));
                let mut progress = lock(&progress);
                let Some((round, started)) = progress.round else {
                    stuck = None;
                    continue;
                };
                // The round's own thread runs the scenario too.
                let now = racelab_sync::blocked::snapshot();
                stuck = match stuck {
                    _ if !now.all_blocked(1) => None,
                    Some((r, wakeups, since)) if r == round && wakeups == now.wakeups => {
                        Some((r, wakeups, since))
                    }
                    _ => Some((round, now.wakeups, Instant::now())),
                };
                let deadlocked =
                    stuck.is_some_and(|(_, _, since)| since.elapsed() >= DEADLOCK_SETTLE);
                if deadlocked || started.elapsed() > limit {
                    progress.findings.hung_round = Some(round);
                    progress.findings.deadlocked =
                        deadlocked.then(|| u32::try_from(now.blocked).unwrap_or(u32::MAX));
                    let code = match write_findings(&findings_path, &progress.findings, &token) {
                        Ok(()) => 0,
                        Err(_) => 2,
                    };
                    super::exit(code);
                }
            }
        });
    }

    fn lock(progress: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
        progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::read_token;

    #[test]
    fn the_token_is_read_whole_and_trimmed() {
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            read_token(format!("{token}\n").as_bytes()).as_deref(),
            Ok(token)
        );
    }

    #[test]
    fn a_runner_without_a_token_refuses_to_run() {
        let problem = read_token(&b""[..]).unwrap_err();
        assert!(problem.contains("no run token"), "{problem}");
        assert!(read_token(&b" \n"[..]).is_err());
    }
}
