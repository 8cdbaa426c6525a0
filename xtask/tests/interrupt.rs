//! Ctrl-C, SIGTERM (what CI systems and Gradescope send at their timeouts) or SIGHUP
//! during a grade: every process the grade started is killed, the exit status is 130,
//! no report (torn or whole) is written, and the next grade works.

use racelab_tests::root;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Processes whose command line mentions a run folder of the grade `pid`.
fn runners_of(pid: u32) -> Vec<String> {
    let marker = format!("-{pid}-");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .filter(|cmdline| cmdline.contains("racelab/runs/") && cmdline.contains(&marker))
        .collect()
}

#[test]
fn an_interrupted_grade_leaves_no_process_and_no_report() {
    interrupted_by("INT");
}

#[test]
fn sigterm_leaves_no_process_and_no_report() {
    interrupted_by("TERM");
}

#[test]
fn sighup_leaves_no_process_and_no_report() {
    interrupted_by("HUP");
}

/// Sends `signal` to a grade whose runner loops, and checks what it leaves.
fn interrupted_by(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.toml");
    let subject = root().join("tests/fixtures/faults/spin-forever");
    let mut grade = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "grade",
            "ex01",
            "--stage",
            "stress",
            "--time-limit",
            "120",
            "--path",
        ])
        .arg(&subject)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = grade.id();

    // Wait until the runner is up (the stage says "running"), then interrupt.
    let mut progress = BufReader::new(grade.stderr.take().unwrap()).lines();
    let running = progress
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("running"));
    assert!(running, "the grade never started its runner");
    let deadline = Instant::now() + Duration::from_secs(30);
    while runners_of(pid).is_empty() {
        assert!(Instant::now() < deadline, "no runner process appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());

    let status = grade.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let rest: Vec<String> = progress.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("interrupted")), "{rest:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !runners_of(pid).is_empty() {
        assert!(
            Instant::now() < deadline,
            "left running: {:?}",
            runners_of(pid)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!report.exists(), "an interrupted grade wrote a report");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The next grade works.
    let next = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["grade", "ex01", "--stage", "loom", "--path"])
        .arg(root().join("solutions/ex01-lost-update/atomic"))
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        next.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&next.stdout)
    );
    assert!(report.exists());
}
