//! Exploration drivers: run one scenario body under loom or shuttle.
//!
//! Only the builds with the facade's `loom` or `shuttle` feature have these functions;
//! the grader's runner calls the one that matches the build it is in.

/// Bounds for one loom exploration. loom explores every schedule within them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoomBounds {
    /// How many times a thread may be preempted in one schedule (`None`: unbounded).
    pub preemption_bound: Option<usize>,
    /// How many branch points one schedule may have before loom gives up on it.
    pub max_branches: usize,
}

/// Explores every schedule of `body` within `bounds`; panics with loom's message on
/// the first failing one (an assertion, a causality violation or a deadlock).
#[cfg(feature = "loom")]
pub fn loom<F>(bounds: LoomBounds, body: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = bounds.preemption_bound;
    builder.max_branches = bounds.max_branches;
    // The grader wants the creation, read and write sites of a racy cell.
    builder.location = true;
    builder.check(afresh(body));
}

/// `body`, starting each execution with nothing remembered of the last one (the
/// facade's spurious events and spin detection, `crate::latitude`): an execution
/// must not depend on the one before it, or loom and shuttle could not replay it.
#[cfg(any(feature = "loom", feature = "shuttle"))]
fn afresh<F>(body: F) -> impl Fn() + Send + Sync + 'static
where
    F: Fn() + Send + Sync + 'static,
{
    move || {
        crate::latitude::begin_execution();
        body();
    }
}

/// Where shuttle persists the failing schedule, and how far it explores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PctPlan {
    /// Seed of the PCT scheduler: the same seed explores the same schedules.
    pub seed: u64,
    /// How many executions to try.
    pub iterations: usize,
    /// PCT's bug depth: how many priority changes a schedule may have.
    pub depth: usize,
    /// Folder where shuttle writes `schedule000.txt` when an execution fails.
    pub schedule_dir: std::path::PathBuf,
}

/// Runs `body` under shuttle's PCT scheduler; returns how many executions ran, or
/// panics with the failure after writing its schedule to `plan.schedule_dir`.
#[cfg(feature = "shuttle")]
pub fn shuttle_pct<F>(plan: &PctPlan, body: F) -> usize
where
    F: Fn() + Send + Sync + 'static,
{
    let scheduler =
        shuttle::scheduler::PctScheduler::new_from_seed(plan.seed, plan.depth, plan.iterations);
    shuttle::Runner::new(scheduler, shuttle_config(Some(plan.schedule_dir.clone())))
        .run(afresh(body))
}

/// Runs `body` once, following the encoded shuttle `schedule` exactly.
/// Panics with "invalid schedule" when the string is not one shuttle wrote.
#[cfg(feature = "shuttle")]
pub fn shuttle_replay<F>(schedule: &str, body: F)
where
    F: Fn() + Send + Sync + 'static,
{
    let scheduler = shuttle::scheduler::ReplayScheduler::new_from_encoded(schedule);
    shuttle::Runner::new(scheduler, shuttle_config(None)).run(afresh(body));
}

#[cfg(feature = "shuttle")]
fn shuttle_config(schedule_dir: Option<std::path::PathBuf>) -> shuttle::Config {
    let mut config = shuttle::Config::new();
    config.failure_persistence = match schedule_dir {
        Some(dir) => shuttle::FailurePersistence::File(Some(dir)),
        None => shuttle::FailurePersistence::None,
    };
    // shuttle warns once that it treats every ordering as SeqCst; the grader's report
    // says so where it matters, so the warning would only be noise.
    config.silence_warnings = true;
    // An execution of a lab scenario takes hundreds of steps; one that takes this many
    // is a livelock (every thread retrying what only another could change, each
    // spinner yielding, as the facade makes it): fail it now, with its schedule,
    // rather than run into the stage's time limit after shuttle's own million.
    config.max_steps = shuttle::MaxSteps::FailAfter(MAX_STEPS);
    config.stack_size = THREAD_STACK_BYTES;
    config
}

/// A spawned thread's stack, as std gives one (2 MiB). loom's and shuttle's own
/// defaults (32 and 60 KiB) are for their tests, not for a subject's code: a correct
/// fix that keeps a table on its stack, unoptimised as the explorers build it, would
/// overflow them and fail a stage that real threads pass. The memory is mapped, not
/// touched: a thread pays for the pages it uses.
#[cfg(any(feature = "loom", feature = "shuttle"))]
const THREAD_STACK_BYTES: usize = 2 << 20;

/// [`THREAD_STACK_BYTES`] as loom's `Builder::stack_size` takes it: its coroutines
/// count their stacks in words, whatever loom's documentation says.
#[cfg(feature = "loom")]
pub(crate) const LOOM_STACK_WORDS: usize = THREAD_STACK_BYTES / std::mem::size_of::<usize>();

/// The steps after which a shuttle execution fails as a livelock.
#[cfg(feature = "shuttle")]
const MAX_STEPS: usize = 20_000;

/// A scheduling strategy that is not shuttle's own, asked at every scheduling point:
/// the player of `cargo xtask play` is one. Threads are numbered as the traces name
/// them: 0 is `main`, 1 is `T1`, ….
#[cfg(feature = "shuttle")]
pub trait Chooser {
    /// The thread to run next, out of `runnable` (in increasing order); `current` is
    /// the one that ran last, if it has not ended. `None` stops the execution where
    /// it stands, quietly (no failure, no schedule written).
    fn choose(&mut self, runnable: &[usize], current: Option<usize>) -> Option<usize>;
}

/// Runs `body` once under shuttle, each thread chosen by `chooser`. shuttle's own
/// random draws (the facade's spurious events) come from `seed`, and a failing
/// execution's schedule is written to `schedule_dir`, as PCT's would be: so
/// `shuttle_replay` follows a chosen execution exactly. Panics with the failure.
#[cfg(feature = "shuttle")]
pub fn shuttle_chosen<C, F>(
    chooser: C,
    seed: u64,
    schedule_dir: Option<std::path::PathBuf>,
    body: F,
) where
    C: Chooser + 'static,
    F: Fn() + Send + Sync + 'static,
{
    let scheduler = Chosen {
        chooser,
        data: <shuttle::scheduler::RandomDataSource as shuttle::scheduler::DataSource>::initialize(
            seed,
        ),
        started: false,
    };
    shuttle::Runner::new(scheduler, shuttle_config(schedule_dir)).run(afresh(body));
}

/// A [`Chooser`] as a shuttle scheduler of one execution.
#[cfg(feature = "shuttle")]
struct Chosen<C> {
    chooser: C,
    /// shuttle's source of random draws, as its `ReplayScheduler` rebuilds it from the
    /// schedule's seed.
    data: shuttle::scheduler::RandomDataSource,
    started: bool,
}

#[cfg(feature = "shuttle")]
impl<C> std::fmt::Debug for Chosen<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Chosen { .. }")
    }
}

#[cfg(feature = "shuttle")]
impl<C: Chooser> shuttle::scheduler::Scheduler for Chosen<C> {
    fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
        use shuttle::scheduler::DataSource;
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(shuttle::scheduler::Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable_tasks: &[&shuttle::scheduler::Task],
        current_task: Option<shuttle::scheduler::TaskId>,
        _is_yielding: bool,
    ) -> Option<shuttle::scheduler::TaskId> {
        // A blocked task that shuttle offers for a spurious wakeup is not offered: the
        // facade's own latitude draws those (`crate::latitude`).
        let mut runnable: Vec<usize> = runnable_tasks
            .iter()
            .filter(|task| task.runnable())
            .map(|task| usize::from(task.id()))
            .collect();
        runnable.sort_unstable();
        let current = current_task
            .map(usize::from)
            .filter(|id| runnable.contains(id));
        self.chooser
            .choose(&runnable, current)
            .filter(|id| runnable.contains(id))
            .map(shuttle::scheduler::TaskId::from)
    }

    fn next_u64(&mut self) -> u64 {
        use shuttle::scheduler::DataSource;
        self.data.next_u64()
    }
}

#[cfg(all(test, feature = "shuttle"))]
mod tests {
    use super::{Chooser, MAX_STEPS, PctPlan, shuttle_chosen, shuttle_pct};
    use crate::sync::Arc;
    use crate::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::panic::{self, AssertUnwindSafe};

    /// Two threads add 1 with a load and a store: an update is lost when both load
    /// before either stores.
    fn lost_update() {
        let total = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let total = Arc::clone(&total);
                crate::thread::spawn(move || {
                    let seen = total.load(Ordering::SeqCst);
                    total.store(seen + 1, Ordering::SeqCst);
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(total.load(Ordering::SeqCst), 2, "an update was lost");
    }

    /// Runs `main` whenever it can (it spawns both workers, then waits), and otherwise
    /// switches to another thread whenever it can: both workers load before either
    /// stores.
    struct Restless;

    impl Chooser for Restless {
        fn choose(&mut self, runnable: &[usize], current: Option<usize>) -> Option<usize> {
            if runnable.contains(&0) {
                return Some(0);
            }
            let mut others = runnable.iter().filter(|&&t| Some(t) != current);
            others.next().or(runnable.first()).copied()
        }
    }

    /// Stops at the first decision with a choice to make.
    struct Undecided;

    impl Chooser for Undecided {
        fn choose(&mut self, runnable: &[usize], _: Option<usize>) -> Option<usize> {
            match runnable {
                [only] => Some(*only),
                _ => None,
            }
        }
    }

    #[test]
    fn the_chosen_interleaving_runs_and_fails_as_chosen() {
        let _alone = crate::alone();
        let chosen = panic::catch_unwind(AssertUnwindSafe(|| {
            shuttle_chosen(Restless, 7, None, lost_update);
        }));
        let message = chosen.expect_err("switching at every step loses an update");
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains("an update was lost"), "{message}");
        // The same choices, the same execution: every time.
        let again = panic::catch_unwind(AssertUnwindSafe(|| {
            shuttle_chosen(Restless, 7, None, lost_update);
        }));
        assert!(again.is_err());
    }

    #[test]
    fn a_chooser_that_chooses_nothing_stops_the_execution_quietly() {
        static FINISHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let _alone = crate::alone();
        shuttle_chosen(Undecided, 7, None, || {
            lost_update();
            FINISHED.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        assert!(!FINISHED.load(std::sync::atomic::Ordering::SeqCst));
    }

    /// Two threads claim with one weak exchange each; a loser waits for the winner to
    /// publish. When both claims fail spuriously (std allows it), both wait for ever:
    /// the execution ends at the step bound as a livelock, its record kept short,
    /// rather than running into a stage's time limit.
    #[test]
    fn a_livelock_fails_at_the_step_bound_quickly() {
        let _alone = crate::alone();
        let folder = std::env::temp_dir().join(format!("racelab-livelock-{}", std::process::id()));
        let plan = PctPlan {
            seed: 1,
            iterations: 2_000,
            depth: 2,
            schedule_dir: folder.clone(),
        };
        let explored = panic::catch_unwind(AssertUnwindSafe(|| {
            shuttle_pct(&plan, || {
                let state = Arc::new(AtomicU64::new(0));
                let get = |state: &AtomicU64| {
                    if state
                        .compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Acquire)
                        .is_ok()
                    {
                        state.store(2, Ordering::Release);
                    } else {
                        while state.load(Ordering::Acquire) != 2 {
                            crate::thread::yield_now();
                        }
                    }
                };
                let other = {
                    let state = Arc::clone(&state);
                    crate::thread::spawn(move || get(&state))
                };
                get(&state);
                other.join().unwrap();
            });
        }));
        let _ = std::fs::remove_dir_all(&folder);
        let message = explored.expect_err("both claims fail in some execution");
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.starts_with(&format!("exceeded max_steps bound {MAX_STEPS}")),
            "{message}"
        );
        assert!(crate::trace::snapshot().len() <= crate::trace::MAX_RECORDED);
    }
}
