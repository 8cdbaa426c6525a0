//! The spec driver (shuttle builds): generate scenarios with proptest from a fixed
//! seed, run each under shuttle's PCT scheduler from a fixed seed, check every
//! execution's results against the model, and shrink a failing scenario.
//!
//! Everything is seeded — proptest's ChaCha generator from the request's seed, each
//! case's PCT exploration from the same shuttle seed — so a run finds, shrinks and
//! reports the same scenario and schedule every time: replaying is running it again
//! (and, with a schedule, following that schedule on the shrunk scenario).

use super::check::{Call, Lane, Violation, linearizable};
use super::explain::Explanation;
use super::{Model, Scenario, scenarios};
use crate::protocol::{CallOutcome as Outcome, SpecCall, SpecExplanation, SpecScenario};
use crate::{Findings, Request, SpecRun};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many simplifications proptest may try on a failing scenario.
const MAX_SHRINK_ITERS: u32 = 1_000;

/// Shuttle executions run, across every case.
static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

/// Every call of the latest execution and what became of it so far: what is left of
/// it when a deadlock or a panic ends the execution is the scenario shown. (A plain
/// `std` lock: never held across a point where shuttle switches threads.)
static PROGRESS: std::sync::Mutex<Vec<SpecCall>> = std::sync::Mutex::new(Vec::new());

/// Why no order explains the results of the latest recorded execution, when that is
/// how it failed.
static EXPLANATION: std::sync::Mutex<Option<SpecExplanation>> = std::sync::Mutex::new(None);

/// Sets what became of call `index` of the latest execution, when it is `recorded`
/// (only the runs of the failure reported are: the search and the shrinking run
/// thousands of executions, and pay nothing for it).
fn progress(recorded: bool, index: usize, outcome: impl FnOnce() -> Outcome) {
    if !recorded {
        return;
    }
    let mut calls = PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(call) = calls.get_mut(index) {
        call.outcome = outcome();
    }
}

/// Runs a `Request::Spec` against model `M`.
pub(crate) fn drive<M: Model>(request: Request, findings_path: &Path) -> Result<Findings, String> {
    let Request::Spec {
        seed,
        cases,
        iterations,
        depth,
        replay,
    } = request
    else {
        unreachable!("checked against the backend before")
    };
    let schedule_dir = findings_path.with_extension("schedules");
    let plan = racelab_sync::explore::PctPlan {
        seed,
        iterations,
        depth,
        schedule_dir,
    };
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: MAX_SHRINK_ITERS,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed));
    let mut runner = TestRunner::new_with_rng(config, rng);
    let tried = AtomicU64::new(0);
    let first_failure = AtomicU64::new(0);
    let original = std::sync::Mutex::new(None);
    let result = runner.run(&scenarios::<M>(), |scenario| {
        let n = tried.fetch_add(1, Ordering::Relaxed) + 1;
        if !fails(&plan, &scenario, false) {
            return Ok(());
        }
        if first_failure
            .compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            *original.lock().unwrap_or_else(|e| e.into_inner()) = Some(scenario.describe());
        }
        Err(TestCaseError::fail("results not linearizable"))
    });
    let tried = tried.load(Ordering::Relaxed);
    let first_failure = first_failure.load(Ordering::Relaxed);
    let mut findings = Findings {
        backend: "shuttle".to_owned(),
        ..Findings::default()
    };
    match result {
        Ok(()) => {
            findings.spec = Some(SpecRun {
                cases: tried,
                ..SpecRun::default()
            });
        }
        Err(TestError::Fail(_, minimal)) => {
            // Run the smallest failing scenario once more (or follow the given
            // schedule on it), so that the last panic and the schedule are its own.
            let failed = match &replay {
                Some(schedule) => {
                    let body = body::<M>(minimal.clone(), true);
                    panic::catch_unwind(AssertUnwindSafe(|| {
                        racelab_sync::explore::shuttle_replay(schedule, body)
                    }))
                    .is_err()
                }
                None => fails(&plan, &minimal, true),
            };
            let scenario = failed.then(|| SpecScenario {
                start: minimal.init.to_string(),
                threads: minimal.threads.len(),
                calls: PROGRESS.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                explanation: EXPLANATION.lock().unwrap_or_else(|e| e.into_inner()).take(),
            });
            if failed {
                findings.failure = crate::run::last_panic();
                findings.schedule = match replay {
                    Some(schedule) => Some(schedule),
                    None => std::fs::read_to_string(plan.schedule_dir.join("schedule000.txt"))
                        .ok()
                        .map(|s| s.trim().to_owned()),
                };
            }
            findings.spec = Some(SpecRun {
                cases: first_failure,
                shrink_runs: tried - first_failure,
                original: original.into_inner().unwrap_or_else(|e| e.into_inner()),
                shrunk: Some(minimal.describe()),
                scenario,
            });
        }
        Err(TestError::Abort(reason)) => {
            return Err(format!("the scenario generator gave up: {reason}"));
        }
    }
    findings.executions = EXECUTIONS.load(Ordering::Relaxed);
    Ok(findings)
}

/// proptest's 32-byte ChaCha seed, from the request's number.
fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    bytes
}

/// Whether some PCT schedule of `plan` makes `scenario` fail (results no order
/// explains, a panic, a deadlock). The failing schedule is left in a fresh
/// `plan.schedule_dir`. `reported`: this is the run of the failure reported, whose
/// executions are recorded and whose failure says why no order explains it.
fn fails<M: Model>(
    plan: &racelab_sync::explore::PctPlan,
    scenario: &Scenario<M>,
    reported: bool,
) -> bool {
    let _ = std::fs::remove_dir_all(&plan.schedule_dir);
    let _ = std::fs::create_dir_all(&plan.schedule_dir);
    let body = body::<M>(scenario.clone(), reported);
    // On a thread of its own: shuttle skips writing a failing schedule as long as the
    // one its thread last wrote was as long, which a shrunk scenario's often is.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                panic::catch_unwind(AssertUnwindSafe(|| {
                    racelab_sync::explore::shuttle_pct(plan, body);
                }))
                .is_err()
            })
            .join()
            .unwrap_or(true)
    })
}

/// One execution of `scenario`, checked: panics when no sequential order explains its
/// results (`reported`: recording the calls as they go, and why no order explains
/// them, for the findings).
fn body<M: Model>(scenario: Scenario<M>, reported: bool) -> impl Fn() + Send + Sync + 'static {
    move || {
        EXECUTIONS.fetch_add(1, Ordering::Relaxed);
        racelab_sync::trace::begin_execution();
        let calls = execute(&scenario, reported);
        let start = M::start(&scenario.init);
        if !linearizable::<M>(&start, &calls) {
            if reported {
                let explanation = Explanation::<M>::of(&start, &calls).data();
                *EXPLANATION.lock().unwrap_or_else(|e| e.into_inner()) = Some(explanation);
            }
            let violation = Violation {
                threads: scenario.threads.len(),
                calls: calls.len(),
            };
            panic!("{violation}");
        }
    }
}

/// Runs `scenario` on the real object and records every call with its result and
/// its ticks on a clock all threads share. (Under shuttle one thread runs at a time
/// and switches only at synchronisation points, so the ticks order the events as
/// they happened.)
fn execute<M: Model>(scenario: &Scenario<M>, recorded: bool) -> Vec<Call<M>> {
    let clock = Arc::new(AtomicU64::new(0));
    let tick = |clock: &AtomicU64| clock.fetch_add(1, Ordering::SeqCst);
    let lanes = lanes(scenario);
    if recorded {
        *EXPLANATION.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) = lanes
            .iter()
            .map(|&(lane, op)| SpecCall {
                lane,
                op: op.to_string(),
                outcome: Outcome::NotRun,
            })
            .collect();
    }
    // Call `j` of worker `t` is `first_of[t] + j` in `PROGRESS`.
    let first_of: Vec<usize> = (0..scenario.threads.len())
        .map(|t| {
            lanes
                .iter()
                .position(|&(lane, _)| lane == Lane::Thread(t))
                .unwrap_or(lanes.len())
        })
        .collect();
    let last_from = lanes.len() - scenario.last.len();
    let mut object = M::open(&scenario.init);
    let mut calls = Vec::new();
    for (index, op) in scenario.initial.iter().enumerate() {
        let called = tick(&clock);
        progress(recorded, index, || Outcome::Unfinished);
        let ret = M::apply(&mut object, op);
        progress(recorded, index, || Outcome::Returned(ret.to_string()));
        calls.push(Call {
            lane: Lane::Initial,
            op: op.clone(),
            ret,
            called,
            returned: tick(&clock),
        });
    }
    let workers: Vec<_> = scenario
        .threads
        .iter()
        .enumerate()
        .map(|(thread, ops)| {
            let mut handle = M::handle(&object);
            let ops = ops.clone();
            let clock = Arc::clone(&clock);
            let first = first_of[thread];
            racelab_sync::thread::spawn(move || {
                ops.into_iter()
                    .enumerate()
                    .map(|(j, op)| {
                        let called = tick(&clock);
                        progress(recorded, first + j, || Outcome::Unfinished);
                        let ret = M::apply_in_thread(&mut handle, &op);
                        progress(recorded, first + j, || Outcome::Returned(ret.to_string()));
                        Call::<M> {
                            lane: Lane::Thread(thread),
                            op,
                            ret,
                            called,
                            returned: tick(&clock),
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for worker in workers {
        match worker.join() {
            Ok(done) => calls.extend(done),
            Err(panic) => panic::resume_unwind(panic),
        }
    }
    for (k, op) in scenario.last.iter().enumerate() {
        let called = tick(&clock);
        progress(recorded, last_from + k, || Outcome::Unfinished);
        let ret = M::apply(&mut object, op);
        progress(recorded, last_from + k, || {
            Outcome::Returned(ret.to_string())
        });
        calls.push(Call {
            lane: Lane::Final,
            op: op.clone(),
            ret,
            called,
            returned: tick(&clock),
        });
    }
    calls
}

/// Every call of `scenario` with its lane, in the order the scenario lists them.
fn lanes<M: Model>(scenario: &Scenario<M>) -> Vec<(Lane, &M::Op)> {
    let initial = scenario.initial.iter().map(|op| (Lane::Initial, op));
    let workers = scenario
        .threads
        .iter()
        .enumerate()
        .flat_map(|(t, ops)| ops.iter().map(move |op| (Lane::Thread(t), op)));
    let last = scenario.last.iter().map(|op| (Lane::Final, op));
    initial.chain(workers).chain(last).collect()
}
