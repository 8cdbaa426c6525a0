//! Containment of a runner: before the scenario runs, a seccomp filter takes away, on
//! every thread and for the rest of the process's life, what a subject has no use
//! for. A refused call fails with an error code; nothing is killed, so the subject's
//! own error handling (a failed `Command::spawn`) runs as on any other refusal.
//!
//! | calls | answer |
//! |---|---|
//! | `execve`, `execveat`, `fork`, `vfork`, `clone` without `CLONE_THREAD` | `EPERM` |
//! | `clone3` (its flags are in memory, where a filter cannot look) | `ENOSYS`: glibc's `pthread_create` then falls back to `clone` with thread flags |
//! | `kill`, `tgkill`, `rt_sigqueueinfo`, `rt_tgsigqueueinfo` aimed at another process; `tkill`, `pidfd_send_signal` | `EPERM`; signalling itself still works (`abort` is `tgkill(getpid(), …)`) |
//! | `ptrace`, `process_vm_readv`, `process_vm_writev`, `pidfd_getfd` | `EPERM` |
//! | `setsid`, `setpgid` (leaving the process group the grader kills) | `EPERM` |
//! | `prctl(PR_SET_PDEATHSIG, …)` (undoing the grader's parent-death signal) | `EPERM` |
//!
//! Threads stay allowed (the scenario needs them), but not without end: a guard
//! thread ends the runner once it has more than [`MAX_THREADS`] (every thread takes
//! one of the machine's process ids, and ThreadSanitizer's runs have no memory limit
//! to stop a thread bomb first).

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Duration;

/// The most threads a runner may have at once: the scenarios use a handful of workers.
pub const MAX_THREADS: usize = 256;

/// How often the guard counts the runner's threads.
const THREAD_COUNT_PERIOD: Duration = Duration::from_millis(10);

/// Starts the guard that ends the runner (exit status 2, with the reason on stderr)
/// when it has more than `max` threads. `Err` when the guard cannot be started.
pub fn limit_threads(max: usize) -> Result<(), String> {
    std::thread::Builder::new()
        .name("racelab-thread-guard".into())
        .spawn(move || {
            loop {
                if thread_count().is_some_and(|count| count > max) {
                    // One write, so that no other thread ending the process meanwhile
                    // (a round's watchdog, a panic) can leave half the line behind.
                    let line = format!(
                        "racelab runner: the subject started more than {max} threads at once; a scenario needs a handful\n"
                    );
                    let _ = std::io::stderr().write_all(line.as_bytes());
                    // SAFETY: `_exit` ends the process at once; nothing runs after it,
                    // so no thread of the subject's can run on while exit handlers do.
                    unsafe { libc::_exit(2) }
                }
                std::thread::sleep(THREAD_COUNT_PERIOD);
            }
        })
        .map(drop)
        .map_err(|e| format!("cannot start the thread guard: {e}"))
}

/// How many threads this process has now (`Threads:` in `/proc/self/status`).
fn thread_count() -> Option<usize> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// Installs the runner's seccomp filters on every thread of this process. `Err` says
/// why they could not be installed; the runner must then not run the scenario.
pub fn forbid_other_processes() -> Result<(), String> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| format!("no seccomp filter for this architecture: {e}"))?;
    let refused = program(refused_calls(std::process::id())?, libc::EPERM, arch)?;
    let absent = program(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        libc::ENOSYS,
        arch,
    )?;
    for filter in [&refused, &absent] {
        seccompiler::apply_filter_all_threads(filter)
            .map_err(|e| format!("cannot install the seccomp filter: {e}"))?;
    }
    Ok(())
}

/// The calls answered with `EPERM`, with the conditions under which they are (no
/// condition: always). `me` is this process's id.
fn refused_calls(me: u32) -> Result<BTreeMap<i64, Vec<SeccompRule>>, String> {
    let rule = |condition: Result<SeccompCondition, seccompiler::BackendError>| {
        condition
            .and_then(|c| SeccompRule::new(vec![c]))
            .map(|rule| vec![rule])
            .map_err(|e| format!("cannot build the seccomp filter: {e}"))
    };
    let first_arg = |op: SeccompCmpOp, value: u64| {
        rule(SeccompCondition::new(0, SeccompCmpArgLen::Dword, op, value))
    };
    let other_process = || first_arg(SeccompCmpOp::Ne, u64::from(me));
    let clone_thread = u64::try_from(libc::CLONE_THREAD).unwrap_or_default();
    let death_signal = u64::try_from(libc::PR_SET_PDEATHSIG).unwrap_or_default();
    let mut calls = BTreeMap::new();
    for always in [
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_fork,
        libc::SYS_vfork,
        libc::SYS_tkill,
        libc::SYS_pidfd_send_signal,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_pidfd_getfd,
        libc::SYS_setsid,
        libc::SYS_setpgid,
    ] {
        calls.insert(always, Vec::new());
    }
    for signal in [
        libc::SYS_kill,
        libc::SYS_tgkill,
        libc::SYS_rt_sigqueueinfo,
        libc::SYS_rt_tgsigqueueinfo,
    ] {
        calls.insert(signal, other_process()?);
    }
    calls.insert(
        libc::SYS_clone,
        rule(SeccompCondition::new(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(clone_thread),
            0,
        ))?,
    );
    calls.insert(libc::SYS_prctl, first_arg(SeccompCmpOp::Eq, death_signal)?);
    Ok(calls)
}

/// A BPF program answering `calls` with `errno` and allowing everything else.
fn program(
    calls: BTreeMap<i64, Vec<SeccompRule>>,
    errno: i32,
    arch: TargetArch,
) -> Result<BpfProgram, String> {
    let errno = u32::try_from(errno).unwrap_or_default();
    SeccompFilter::new(
        calls,
        SeccompAction::Allow,
        SeccompAction::Errno(errno),
        arch,
    )
    .and_then(BpfProgram::try_from)
    .map_err(|e| format!("cannot build the seccomp filter: {e}"))
}

#[cfg(test)]
mod tests {
    //! The filter cannot be taken off again, so each check runs in a child process:
    //! this test binary again, running one test, with `CONTAINED_CHECK` naming the check.
    use super::forbid_other_processes;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Output};
    use std::time::Duration;

    const CHECK: &str = "RACELAB_CONTAINED_CHECK";

    /// Runs `test` of this binary in a child with `CHECK=check`.
    fn in_a_contained_child(test: &str, check: &str) -> Output {
        Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHECK, check)
            .output()
            .unwrap()
    }

    fn contained_check() -> Option<String> {
        std::env::var(CHECK).ok()
    }

    #[test]
    fn a_contained_process_cannot_start_processes_or_signal_others_but_can_make_threads() {
        const TEST: &str = "contain::tests::a_contained_process_cannot_start_processes_or_signal_others_but_can_make_threads";
        if contained_check().is_some() {
            let parent = rustix::process::getppid().expect("a parent");
            // Before: both work.
            assert!(rustix::process::test_kill_process(parent).is_ok());
            forbid_other_processes().unwrap();
            let spawned = Command::new("sh").args(["-c", "true"]).spawn();
            assert_eq!(
                spawned.map(|_| ()).map_err(|e| e.raw_os_error()),
                Err(Some(libc::EPERM)),
                "a process was started"
            );
            assert_eq!(
                rustix::process::test_kill_process(parent),
                Err(rustix::io::Errno::PERM),
                "the parent could be signalled"
            );
            let me = rustix::process::getpid();
            assert!(rustix::process::test_kill_process(me).is_ok());
            // SAFETY: clone3 with no arguments only returns an error code.
            let clone3 = unsafe { libc::syscall(libc::SYS_clone3, 0, 0) };
            assert_eq!(
                (clone3, std::io::Error::last_os_error().raw_os_error()),
                (-1, Some(libc::ENOSYS))
            );
            let workers: Vec<_> = (0..8_u64)
                .map(|n| std::thread::spawn(move || n * 2))
                .collect();
            let sum: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
            assert_eq!(sum, 56);
            println!("contained checks passed");
            return;
        }
        let child = in_a_contained_child(TEST, "processes");
        let out = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && out.contains("contained checks passed"),
            "{:?}\n{out}\n{}",
            child.status,
            String::from_utf8_lossy(&child.stderr)
        );
    }

    #[test]
    fn a_process_past_its_thread_limit_is_ended_with_the_reason() {
        const TEST: &str =
            "contain::tests::a_process_past_its_thread_limit_is_ended_with_the_reason";
        if contained_check().is_some() {
            super::limit_threads(16).unwrap();
            let _sleepers: Vec<_> = (0..64)
                .map(|_| std::thread::spawn(|| std::thread::sleep(Duration::from_secs(30))))
                .collect();
            std::thread::sleep(Duration::from_secs(10));
            println!("still running");
            return;
        }
        let child = in_a_contained_child(TEST, "threads");
        let err = String::from_utf8_lossy(&child.stderr);
        assert_eq!(child.status.code(), Some(2), "{err}");
        assert!(err.contains("more than 16 threads"), "{err}");
        assert!(super::thread_count().is_some_and(|n| n >= 1));
    }

    #[test]
    fn a_contained_process_can_still_abort() {
        const TEST: &str = "contain::tests::a_contained_process_can_still_abort";
        if contained_check().is_some() {
            forbid_other_processes().unwrap();
            std::process::abort();
        }
        let child = in_a_contained_child(TEST, "abort");
        assert_eq!(
            child.status.signal(),
            Some(libc::SIGABRT),
            "{:?}\n{}",
            child.status,
            String::from_utf8_lossy(&child.stderr)
        );
    }
}
