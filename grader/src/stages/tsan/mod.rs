//! The ThreadSanitizer stage: the scenario on real threads, compiled with
//! `-Zsanitizer=thread` against an instrumented std (see `crate::toolchain`), in
//! rounds like the stress stage but smaller (TSan slows code 5–15×).
//!
//! TSan judges memory accesses, not the invariant: any report fails the stage, a run
//! without reports passes it, whatever the totals came to. It cannot see a race
//! condition that is not a data race (every access locked, the logic still racy),
//! fences, or lock-order inversions on std's futex-based `Mutex`.

mod judge;
pub mod log;
mod silencer;
pub mod symbolize;
pub mod symbols;

use super::limits::Limits;
use super::stress::Rounds;
use super::{Context, Judgement, Stage, StageId};
use crate::build::Flavor;
use crate::cores;
use crate::manifest::StageSizes;
use crate::report::{Evidence, Status};
use crate::toolchain;
use std::path::Path;
use std::time::Duration;

/// The ThreadSanitizer stage.
pub struct Tsan;

impl Stage for Tsan {
    fn id(&self) -> StageId {
        StageId::Tsan
    }

    fn flavor(&self) -> Flavor {
        Flavor::Tsan
    }

    /// Like the stress stage's, its races show only when the workers truly overlap.
    fn cores(&self) -> cores::Use {
        cores::Use::Exclusive
    }

    fn reference(&self, sizes: &StageSizes) -> Duration {
        Duration::from_millis(sizes.tsan.reference_ms)
    }

    /// Finds (or provisions) the toolchain, builds the runner against its
    /// instrumented std, refuses a runner that silences TSan, and runs the rounds.
    fn run(&self, cx: &mut Context<'_>) -> Judgement {
        cx.say(self, "looking for a toolchain with an instrumented std");
        let provision = cx.options.provision;
        let toolchain = match toolchain::find_tsan(provision, &mut |what| cx.say(self, what)) {
            Ok(toolchain) => toolchain,
            Err(unavailable) => return Judgement::skipped(unavailable.0),
        };
        let std_dir = cx.lab.work_dir().join("build/tsan").join(&toolchain.target);
        if toolchain.build_std && !std_dir.exists() {
            cx.say(
                self,
                "building an instrumented std first (once, about a minute on 2 cores)",
            );
        }
        let executable = match cx.build(self, Some(&toolchain)) {
            Ok(executable) => executable,
            Err(judgement) => return *judgement,
        };
        match silencer::silencer(&executable, toolchain.runtime.as_deref()) {
            Ok(None) => {}
            Ok(Some(reason)) => return Judgement::refused(&[reason]),
            Err(problem) => {
                return Judgement {
                    status: Status::Error,
                    summary: format!("cannot check the runner before running it: {problem}"),
                    evidence: Evidence::default(),
                };
            }
        }
        let rounds = Rounds::plan(&cx.exercise.stages.tsan, cx.options.time_limit);
        // No memory limit: TSan reserves terabytes of shadow address space.
        let mut limits = rounds.limits(Limits {
            memory_bytes: None,
            ..cx.limits(self)
        });
        let run_dir = cx.run_dir(self);
        limits.env.push(("TSAN_OPTIONS".into(), options(&run_dir)));
        let (subject, lab) = (cx.subject, cx.lab);
        let roots = [subject.dir.as_path(), lab.root.as_path()];
        let request = rounds.request();
        cx.execute(self, &executable, &request, &run_dir, limits, |run| {
            judge::judge(run, &rounds, &toolchain.description, &roots)
        })
    }
}

/// The exit status TSan gives a process that it reported on (`exitcode=`).
pub const EXIT_CODE: i32 = 66;

/// The options the grader runs TSan with: reports go to `tsan.<pid>` files in
/// `log_dir` (an absolute path, so the subject's working folder does not matter; never
/// into the subject's output), all of them (no halt on the first), with a fixed exit
/// code, history deep enough to restore both stacks of a race, no thread leaks, no
/// wait at exit (the runner waits when a thread of the subject's still runs), and no
/// symbolization (it would start a process; the grader symbolizes, see
/// [`symbolize`]).
pub fn options(log_dir: &Path) -> String {
    let options = [
        flag("log_path", &log_dir.join("tsan").display().to_string()),
        format!("exitcode={EXIT_CODE}"),
        "halt_on_error=0".into(),
        "history_size=7".into(),
        "second_deadlock_stack=1".into(),
        // A round the watchdog ends leaves threads unjoined (it exits the process), and
        // a dropped `JoinHandle` detaches a thread in Rust: neither is a data race.
        "report_thread_leaks=0".into(),
        // Report every racing pair of places, not only the first race on an address.
        "suppress_equal_addresses=0".into(),
        "symbolize=0".into(),
        // The runner waits for threads still running at exit itself, and only then
        // (`racelab_harness`'s `exit`): TSan would wait a second on every run.
        "atexit_sleep_ms=0".into(),
    ];
    options.join(" ")
}

/// `name=value`, quoted when the value holds a character TSan's option parser would
/// take as the end of it.
fn flag(name: &str, value: &str) -> String {
    if value.contains([' ', '\t', ':', ',', '\n']) && !value.contains('"') {
        format!("{name}=\"{value}\"")
    } else {
        format!("{name}={value}")
    }
}

#[cfg(test)]
mod tests {
    use super::flag;

    #[test]
    fn option_values_that_tsan_would_cut_short_are_quoted() {
        assert_eq!(flag("log_path", "/w/runs/tsan"), "log_path=/w/runs/tsan");
        assert_eq!(
            flag("log_path", "/home/my lab/tsan"),
            "log_path=\"/home/my lab/tsan\""
        );
    }
}
