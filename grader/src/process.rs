//! Running child processes (cargo, runners, toolchain probes) with a deadline and
//! bounded output.
//!
//! Every child gets its own process group, so a timeout kills it and everything it
//! started (cargo's rustc processes, a runner's threads), and `SIGKILL` as its
//! parent-death signal, so it does not outlive the grader. Output is read as it comes
//! and capped: the grader's memory stays bounded whatever the subject prints.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// What a finished (or killed) child left behind.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status; `None` only if it could not be collected.
    pub status: Option<ExitStatus>,
    /// Whether the deadline passed and the child was killed.
    pub timed_out: bool,
    /// Its standard output, capped.
    pub stdout: String,
    /// Its standard error, capped.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Finished {
    /// Whether it exited with status 0.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// "exit status 3", "killed by signal 6 (SIGABRT)" and the like.
    pub fn describe_status(&self) -> String {
        use std::os::unix::process::ExitStatusExt;
        match self.status {
            None => "unknown exit status".into(),
            Some(status) => match (status.code(), status.signal()) {
                (Some(code), _) => format!("exit status {code}"),
                (None, Some(signal)) => format!("killed by signal {signal}{}", signal_name(signal)),
                (None, None) => "unknown exit status".into(),
            },
        }
    }
}

/// The name of the signals a crashed runner usually dies of.
fn signal_name(signal: i32) -> &'static str {
    use rustix::process::Signal;
    [
        (Signal::ABORT, " (SIGABRT)"),
        (Signal::SEGV, " (SIGSEGV)"),
        (Signal::KILL, " (SIGKILL)"),
        (Signal::BUS, " (SIGBUS)"),
        (Signal::ILL, " (SIGILL)"),
    ]
    .into_iter()
    .find(|(known, _)| known.as_raw() == signal)
    .map_or("", |(_, name)| name)
}

/// Runs `command` to completion or until `timeout`, keeping at most `cap` bytes of
/// each output stream (the first and last halves, with a marker between).
pub fn run(command: Command, timeout: Duration, cap: usize) -> io::Result<Finished> {
    run_with_input(command, None, timeout, cap)
}

/// [`run`], with `input` written to the child's stdin, which is then closed (without
/// `input`, stdin is empty). `input` must fit in a pipe's buffer (a few KiB): it is
/// written before the child is waited for.
pub fn run_with_input(
    command: Command,
    input: Option<&[u8]>,
    timeout: Duration,
    cap: usize,
) -> io::Result<Finished> {
    run_reporting(command, input, timeout, cap, &mut |_| {})
}

/// How often [`run_with_progress`] says the child is still running.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// [`run`], telling `still_running` how long the child has run every
/// [`PROGRESS_EVERY`] while it runs (a long install, say).
pub fn run_with_progress(
    command: Command,
    timeout: Duration,
    cap: usize,
    still_running: &mut dyn FnMut(Duration),
) -> io::Result<Finished> {
    run_reporting(command, None, timeout, cap, still_running)
}

fn run_reporting(
    mut command: Command,
    input: Option<&[u8]>,
    timeout: Duration,
    cap: usize,
    still_running: &mut dyn FnMut(Duration),
) -> io::Result<Finished> {
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    die_with_grader(&mut command);
    let started = Instant::now();
    let mut child = command.spawn()?;
    let group = Registered::new(&child);
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A child that exits without reading is no error of ours: it is judged by how
        // it ended. Dropping `stdin` closes it.
        let _ = stdin.write_all(input);
    }
    let readers = capture(child.stdout.take(), cap)
        .and_then(|stdout| Ok((stdout, capture(child.stderr.take(), cap)?)));
    let (stdout, stderr) = match readers {
        Ok(readers) => readers,
        Err(e) => {
            kill_group(&mut child);
            let _ = child.wait();
            return Err(io::Error::new(
                e.kind(),
                format!("cannot start a thread to read the child's output: {e}"),
            ));
        }
    };
    let (status, timed_out) = loop {
        let left = timeout.saturating_sub(started.elapsed());
        match child.wait_timeout(left.min(PROGRESS_EVERY))? {
            Some(status) => break (Some(status), false),
            None if left <= PROGRESS_EVERY => {
                kill_group(&mut child);
                break (child.wait().ok(), true);
            }
            None => still_running(started.elapsed()),
        }
    };
    // The child is gone, but something it started may still hold the pipes open.
    kill_group(&mut child);
    drop(group);
    Ok(Finished {
        status,
        timed_out,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    })
}

/// Arms the process `command` starts with `SIGKILL` as its parent-death signal: it is
/// killed when the grader's thread that started it ends (the grader exits, crashes or
/// is killed). It does not start at all if the grader is already gone. The signal
/// survives `exec`; a runner's seccomp filter stops it from being changed.
fn die_with_grader(command: &mut Command) {
    let grader = std::process::id();
    // SAFETY: the closure runs in the child between fork and exec and makes only
    // system calls (prctl, getppid), which are async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
            if std::os::unix::process::parent_id() == grader {
                Ok(())
            } else {
                Err(rustix::io::Errno::SRCH.into())
            }
        });
    }
}

/// Lowers the scheduling priority of the process `command` starts by `increment`.
pub fn lower_priority(command: &mut Command, increment: i32) {
    // SAFETY: the closure runs in the child between fork and exec and only calls
    // setpriority, which is async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            rustix::process::nice(increment)?;
            Ok(())
        });
    }
}

/// Limits the address space of the process `command` starts (and what it starts) to
/// `bytes`: an allocation past it fails, and Rust aborts with "memory allocation of
/// … failed".
pub fn limit_memory(command: &mut Command, bytes: u64) {
    // SAFETY: the closure runs in the child between fork and exec and only calls
    // setrlimit, which is async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let limit = rustix::process::Rlimit {
                current: Some(bytes),
                maximum: Some(bytes),
            };
            Ok(rustix::process::setrlimit(
                rustix::process::Resource::As,
                limit,
            )?)
        });
    }
}

/// Process groups of the children running now, so an interrupted grade can end them.
static LIVE_GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// A child's process group, registered while the child runs.
struct Registered(Option<i32>);

impl Registered {
    fn new(child: &Child) -> Self {
        let group = i32::try_from(child.id()).ok();
        if let Some(group) = group {
            live_groups().insert(group);
        }
        Registered(group)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(group) = self.0 {
            live_groups().remove(&group);
        }
    }
}

fn live_groups() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kills every child process group still running (cargo builds, runners). Called when
/// the user interrupts a grade, so nothing is left behind.
pub fn kill_all_children() {
    for &group in live_groups().iter() {
        kill_process_group(group);
    }
}

/// Kills the child's process group; harmless if it is already gone.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // The group id is the child's own pid: it was started with `process_group(0)`.
        kill_process_group(pid);
    }
    let _ = child.kill();
}

/// Sends `SIGKILL` to process group `group`; a group already gone is no error.
fn kill_process_group(group: i32) {
    if let Some(group) = rustix::process::Pid::from_raw(group) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

/// Reads a stream to its end on a thread, keeping at most `cap` bytes. `Err` when no
/// thread can be started (the machine is out of threads or memory).
fn capture(
    stream: Option<impl Read + Send + 'static>,
    cap: usize,
) -> io::Result<thread::JoinHandle<String>> {
    thread::Builder::new()
        .name("racelab-output".into())
        .spawn(move || {
            let Some(mut stream) = stream else {
                return String::new();
            };
            let mut kept = CappedBuffer::new(cap);
            let mut chunk = [0_u8; 8192];
            while let Ok(n) = stream.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                kept.push(&chunk[..n]);
            }
            kept.into_string()
        })
}

/// Keeps the first and the last `cap / 2` bytes of a stream, and counts the rest.
#[derive(Debug)]
struct CappedBuffer {
    half: usize,
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
}

impl CappedBuffer {
    fn new(cap: usize) -> Self {
        let half = (cap / 2).max(1);
        Self {
            half,
            head: Vec::new(),
            tail: Default::default(),
            dropped: 0,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        let room = self.half - self.head.len();
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        for &byte in bytes {
            if self.tail.len() == self.half {
                self.tail.pop_front();
                self.dropped += 1;
            }
            self.tail.push_back(byte);
        }
    }

    fn into_string(self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!("\n[… {} bytes of output cut …]\n", self.dropped));
        }
        let tail: Vec<u8> = self.tail.into();
        text.push_str(&String::from_utf8_lossy(&tail));
        text
    }
}

/// The last `lines` lines of `text`.
pub fn last_lines(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::{CappedBuffer, lower_priority, run};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;
    use std::time::Duration;
    use wait_timeout::ChildExt;

    #[test]
    fn a_lowered_process_runs_at_a_higher_niceness_than_the_grader() {
        let niceness = |command: &mut Command| -> i32 {
            let output = command.output().unwrap();
            String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .unwrap()
        };
        let ours = niceness(&mut Command::new("nice"));
        let mut lowered = Command::new("nice");
        lower_priority(&mut lowered, 10);
        assert_eq!(niceness(&mut lowered), (ours + 10).min(19));
    }

    #[test]
    fn a_capped_buffer_keeps_head_and_tail_and_counts_the_rest() {
        let mut buffer = CappedBuffer::new(8);
        buffer.push(b"abcdefghijklmnop");
        let text = buffer.into_string();
        assert!(text.starts_with("abcd"), "{text}");
        assert!(text.ends_with("mnop"), "{text}");
        assert!(text.contains("8 bytes of output cut"), "{text}");
    }

    #[test]
    fn a_child_past_its_deadline_is_killed() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; sleep 30"]);
        let finished = run(command, Duration::from_millis(300), 1024).unwrap();
        assert!(finished.timed_out);
        assert!(finished.elapsed < Duration::from_secs(10));
        assert_eq!(finished.stdout.trim(), "started");
    }

    #[test]
    fn a_memory_limit_stops_a_child_that_allocates_past_it() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo done",
        ]);
        super::limit_memory(&mut command, 64 << 20);
        let finished = run(command, Duration::from_secs(30), 4096).unwrap();
        assert!(!finished.stdout.contains("done"), "{finished:?}");
    }

    #[test]
    fn input_reaches_the_child_and_its_stdin_is_closed() {
        let mut command = Command::new("sh");
        command.args(["-c", "cat; echo end"]);
        let finished =
            super::run_with_input(command, Some(b"token\n"), Duration::from_secs(30), 4096)
                .unwrap();
        assert_eq!(finished.stdout, "token\nend\n");
    }

    #[test]
    fn a_child_is_killed_when_the_thread_that_started_it_ends() {
        let (sent, got) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut command = Command::new("sleep");
            command.arg("30");
            super::die_with_grader(&mut command);
            sent.send(command.spawn().unwrap()).unwrap();
        })
        .join()
        .unwrap();
        let mut child = got.recv().unwrap();
        let status = child.wait_timeout(Duration::from_secs(10)).unwrap();
        let _ = child.kill();
        assert_eq!(
            status.and_then(|s| s.signal()),
            Some(rustix::process::Signal::KILL.as_raw())
        );
    }

    #[test]
    fn huge_output_is_capped() {
        let mut command = Command::new("sh");
        command.args(["-c", "yes racelab | head -c 10000000"]);
        let finished = run(command, Duration::from_secs(30), 4096).unwrap();
        assert!(finished.succeeded());
        assert!(finished.stdout.len() < 5000, "{}", finished.stdout.len());
    }
}
