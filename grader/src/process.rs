//! Running child processes (cargo, runners) with a deadline and bounded output.
//!
//! Every child gets its own process group, so a timeout kills it and everything it
//! started (cargo's rustc processes, a runner's threads). Output is read as it comes
//! and capped: the grader's memory stays bounded whatever the subject prints.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
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

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGABRT => " (SIGABRT)",
        libc::SIGSEGV => " (SIGSEGV)",
        libc::SIGKILL => " (SIGKILL)",
        libc::SIGBUS => " (SIGBUS)",
        libc::SIGILL => " (SIGILL)",
        _ => "",
    }
}

/// Runs `command` to completion or until `timeout`, keeping at most `cap` bytes of
/// each output stream (the first and last halves, with a marker between).
pub fn run(mut command: Command, timeout: Duration, cap: usize) -> io::Result<Finished> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = command.spawn()?;
    let stdout = capture(child.stdout.take(), cap);
    let stderr = capture(child.stderr.take(), cap);
    let (status, timed_out) = match child.wait_timeout(timeout)? {
        Some(status) => (Some(status), false),
        None => {
            kill_group(&mut child);
            (child.wait().ok(), true)
        }
    };
    // The child is gone, but something it started may still hold the pipes open.
    kill_group(&mut child);
    Ok(Finished {
        status,
        timed_out,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    })
}

/// Kills the child's process group; harmless if it is already gone.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: killpg only sends a signal; the group id is the child's own pid,
        // because the child was started with `process_group(0)`.
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

/// Reads a stream to its end on a thread, keeping at most `cap` bytes.
fn capture(stream: Option<impl Read + Send + 'static>, cap: usize) -> thread::JoinHandle<String> {
    thread::spawn(move || {
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
    use super::{CappedBuffer, run};
    use std::process::Command;
    use std::time::Duration;

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
    fn huge_output_is_capped() {
        let mut command = Command::new("sh");
        command.args(["-c", "yes racelab | head -c 10000000"]);
        let finished = run(command, Duration::from_secs(30), 4096).unwrap();
        assert!(finished.succeeded());
        assert!(finished.stdout.len() < 5000, "{}", finished.stdout.len());
    }
}
