//! `cargo xtask watch` in a real terminal: the binary runs in a tmux pane (its own
//! tmux server, so the environment is this test's), keys are typed with `send-keys`
//! and the screen is read with `capture-pane`.
//!
//! The watched crate is a temporary copy of ex01 (`--path`), so the real exercise is
//! never modified; only the loom stage runs, to keep the test short (and loom, unlike
//! stress, catches the shipped race every time). The `h` key is
//! not pressed here: it would move the real workspace's hint progress on (hint
//! progress is tested in-process in `workflow.rs`).
//!
//! tmux must be installed (`.ci/run` installs it).

use racelab_grader::lab::Lab;
use racelab_grader::subject::Subject;
use racelab_tests::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of its own; killed (with everything in it) when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str) -> Tmux {
        let probe = Command::new("tmux").arg("-V").output();
        assert!(
            probe.is_ok_and(|o| o.status.success()),
            "this test drives a terminal with tmux: install it (apt-get install -y tmux)"
        );
        Tmux {
            socket: format!("racelab-{name}-{}", std::process::id()),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Starts `command` (a shell command line) in a 120×300 pane (tall enough for
    /// loom's trace), with cwd at the workspace root.
    fn spawn(&self, command: &str) {
        let root = root();
        let root = root.to_str().unwrap();
        let output = self.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "300",
            "-c",
            root,
            command,
        ]);
        assert!(output.status.success(), "tmux new-session: {output:?}");
    }

    fn keys(&self, keys: &str) {
        let output = self.run(&["send-keys", "-t", "t", keys]);
        assert!(output.status.success(), "tmux send-keys: {output:?}");
    }

    /// The visible screen; with `escapes`, colour codes included.
    fn screen(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-J", "-t", "t"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    /// Waits until the screen satisfies `ready`; panics with the screen after `limit`.
    fn wait_for(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen(false);
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Quotes a word for `sh`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[test]
fn watch_regrades_on_save_lists_on_l_and_quits_on_q() {
    let copy = tempfile::tempdir().unwrap();
    let shipped = root().join("exercises/ex01-lost-update");
    std::fs::create_dir_all(copy.path().join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(shipped.join(file), copy.path().join(file)).unwrap();
    }
    let _report = ReportOf::copy(copy.path());
    let tmux = Tmux::start("watch");
    tmux.spawn(&format!(
        "{} watch ex01 --path {} --stage loom; echo \"watch exited with $?\"; sleep 600",
        quoted(env!("CARGO_BIN_EXE_xtask")),
        quoted(copy.path().to_str().unwrap())
    ));

    // The first grade: the shipped race is caught. A cold build of the runner's
    // dependencies can take a few minutes on a small machine.
    let screen = tmux.wait_for("the first verdict", Duration::from_secs(600), |s| {
        s.contains("verdict:")
    });
    // The header stays on the first line, above the grade that scrolls under it.
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or("")
            .contains("Racelab watch: ex01"),
        "{screen}"
    );
    assert!(screen.contains("h hint · n next"), "{screen}");
    assert!(screen.contains("loom     FAIL"), "{screen}");
    assert!(screen.contains("verdict: fail"), "{screen}");
    assert!(screen.contains("Waiting for a save"), "{screen}");

    tmux.keys("l");
    tmux.wait_for("the list", Duration::from_secs(20), |s| {
        s.contains("exercises passing")
    });

    // Save a fix: the screen starts over and the verdict changes.
    let fix = root().join("solutions/ex01-lost-update/atomic/src/lib.rs");
    std::fs::copy(&fix, copy.path().join("src/lib.rs")).unwrap();
    let screen = tmux.wait_for("the verdict after the fix", Duration::from_secs(300), |s| {
        s.contains("Saved: src/lib.rs") && s.contains("verdict:")
    });
    assert!(screen.contains("loom     PASS"), "{screen}");
    assert!(!screen.contains("verdict: fail"), "{screen}");
    assert!(
        screen.contains("verdict: incomplete"),
        "only loom ran: {screen}"
    );

    tmux.keys("q");
    let screen = tmux.wait_for("watch to end", Duration::from_secs(30), |s| {
        s.contains("watch exited with")
    });
    assert!(screen.contains("Stopped watching ex01."), "{screen}");
    assert!(screen.contains("watch exited with 0"), "{screen}");
}

/// The report a grade of a copy leaves in the real workspace's report folder; removed
/// when dropped, even if the test fails.
struct ReportOf(PathBuf);

impl ReportOf {
    fn copy(dir: &Path) -> ReportOf {
        let lab = Lab::open(&root()).unwrap();
        let exercise = lab.manifest.find("ex01").unwrap();
        let subject = Subject::locate(&lab, exercise, Some(dir)).unwrap();
        ReportOf(lab.default_report_path(exercise, &subject))
    }
}

impl Drop for ReportOf {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn colours_follow_the_terminal_and_no_color() {
    let tmux = Tmux::start("colour");
    let xtask = quoted(env!("CARGO_BIN_EXE_xtask"));
    tmux.spawn(&format!(
        "{xtask} list; echo first-done; NO_COLOR=1 {xtask} list; echo second-done; sleep 600"
    ));
    tmux.wait_for("both lists", Duration::from_secs(60), |s| {
        s.contains("second-done")
    });
    let screen = tmux.screen(true);
    let (coloured, plain) = screen
        .split_once("first-done")
        .expect("the first list ends before the second");
    assert!(
        coloured.contains('\x1b'),
        "a terminal gets colours:\n{screen}"
    );
    assert!(
        !plain.contains('\x1b'),
        "NO_COLOR turns them off:\n{screen}"
    );
}
