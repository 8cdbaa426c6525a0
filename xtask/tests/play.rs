//! `cargo xtask play` in a real terminal (`racelab_tests::terminal`, 80 columns): a
//! known winning sequence of keys breaks ex01 (a lost update), ex02 (a check gone
//! stale before the payout), ex04 (a deadlock), ex05 (a lost wakeup) and ex08 (an
//! async task's check gone stale across an `.await`),
//! the screen says so in the grader's words, and the schedule it saves is one
//! `cargo xtask replay` follows to the same failure; the same keys on a reference
//! solution win nothing, and after a few rounds the game says why.
//!
//! The played crates are temporary copies (`--path`), so the schedules saved are keyed
//! by the copies and the real exercises are never touched.

use racelab_grader::lab::Lab;
use racelab_grader::subject::Subject;
use racelab_tests::terminal::Terminal;
use racelab_tests::{root, xtask};
use std::path::Path;
use std::time::Duration;

/// ex01's lost update: T1 and T2 both load 0, both store, then everyone finishes.
const EX01_WIN: &str = "112212112233333";

/// ex02's check-then-act: T1 and T2 both check that account 0 holds 500 paise (lock,
/// read, unlock), then T1 pays out from account 0 and account 1 and ends, and T2's
/// payout from account 0 overdraws it.
const EX02_WIN: &str = "1112221111112222";

/// ex04's deadlock: T1 locks account 0, T2 account 1, each asks for the other's.
const EX04_WIN: &str = "121213";

/// ex05's lost wakeup: T2 and T3 push the payouts of both batches but stop before
/// setting the flag for the last; T1 takes the first batch and, for the second,
/// reads the flag (false) and is about to wait; T2 and T3 set the flag and notify
/// nobody; then T1 waits, for ever.
const EX05_WIN: &str = "2222233333331111112223331";

/// ex08's await in the middle (tasks, not threads): T1 and T2 each check the
/// balance and await the fraud desk before either debits, so both payouts go through;
/// then the tasks run to their end.
const EX08_WIN: &str = "1112221111222211111122";

/// A build of the runner's dependencies can take minutes on a cold machine.
const FIRST_SCREEN: Duration = Duration::from_secs(600);

/// Quotes a word for `sh`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A copy of `crate_dir` (its manifest and sources) in a temporary folder.
fn copy_of(crate_dir: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let from = root().join(crate_dir);
    std::fs::create_dir_all(copy.path().join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(from.join(file), copy.path().join(file)).unwrap();
    }
    copy
}

/// `cargo xtask play EX --path DIR` in an 80-column terminal, at its first screen.
fn play(exercise: &str, dir: &Path) -> Terminal {
    let terminal = Terminal::spawn(
        &format!(
            "{} play {exercise} --path {}; echo \"play exited with $?\"; sleep 600",
            quoted(env!("CARGO_BIN_EXE_xtask")),
            quoted(dir.to_str().unwrap())
        ),
        &root(),
        80,
        // Tall enough to keep a long win's first line on screen (ex08's tasks).
        120,
    );
    terminal.wait_for("the game's first screen", FIRST_SCREEN, |s| {
        s.contains("run that thread one step")
    });
    terminal
}

/// Plays `keys` on the shipped `exercise` and checks the win: the grader's words on
/// screen, the score, and a saved schedule that `replay` follows to the same failure.
fn a_known_sequence_wins(exercise: &str, crate_dir: &str, keys: &str, broken: &str, enough: &str) {
    let copy = copy_of(crate_dir);
    let mut terminal = play(exercise, copy.path());
    terminal.keys(keys);
    let screen = terminal.wait_for("the win", Duration::from_secs(180), |s| {
        s.contains("play exited with")
    });
    assert!(
        screen.contains(&format!("You broke {exercise}")),
        "{screen}"
    );
    assert!(screen.contains("shuttle replay: fail"), "{screen}");
    assert!(screen.contains(broken), "{screen}");
    assert!(screen.contains("Score: you used"), "{screen}");
    assert!(screen.contains(enough), "{screen}");
    assert!(screen.contains("play exited with 0"), "{screen}");

    let lab = Lab::open(&root()).unwrap();
    let subject = Subject::locate(
        &lab,
        lab.manifest.find(exercise).unwrap(),
        Some(copy.path()),
    )
    .unwrap();
    let saved = lab
        .work_dir()
        .join("play")
        .join(format!("{exercise}-{}.schedule", subject.key));
    let schedule = std::fs::read_to_string(&saved).unwrap();
    let _ = std::fs::remove_file(&saved);
    let schedule = schedule.trim();
    assert!(
        screen.contains(&format!("--schedule {}", &schedule[..16])),
        "the screen shows the saved schedule {schedule}:\n{screen}"
    );

    let path = copy.path().to_str().unwrap();
    let (code, out, err) = xtask(&["replay", exercise, "--schedule", schedule, "--path", path]);
    assert_eq!(code, 1, "the replay fails as the game did:\n{out}\n{err}");
    assert!(out.contains("shuttle replay: fail"), "{out}\n{err}");
    assert!(out.contains(broken), "{out}\n{err}");
}

#[test]
fn a_known_sequence_breaks_ex01_and_replays() {
    a_known_sequence_wins(
        "ex01",
        "exercises/ex01-lost-update",
        EX01_WIN,
        "reported total = sum of recorded amounts broken",
        "1 is enough",
    );
}

#[test]
fn a_known_sequence_deadlocks_ex04_and_replays() {
    a_known_sequence_wins(
        "ex04",
        "exercises/ex04-transfer-deadlock",
        EX04_WIN,
        "T1 and T2 each hold a lock the other waits for",
        "1 is enough",
    );
}

#[test]
fn a_known_sequence_overdraws_ex08_across_an_await_and_replays() {
    a_known_sequence_wins(
        "ex08",
        "exercises/ex08-await-in-the-middle",
        EX08_WIN,
        "approved payouts ≤ what the accounts held broken",
        "1 is enough",
    );
}

#[test]
fn a_known_sequence_overdraws_ex02_and_replays() {
    a_known_sequence_wins(
        "ex02",
        "exercises/ex02-toctou-payout",
        EX02_WIN,
        "approved payouts ≤ what the accounts held broken",
        "1 is enough",
    );
}

#[test]
fn a_known_sequence_loses_ex05_s_wakeup_and_replays() {
    a_known_sequence_wins(
        "ex05",
        "exercises/ex05-lost-wakeup",
        EX05_WIN,
        "a notification that",
        "0 are enough",
    );
}

/// The winning keys of `exercise` on a reference solution win nothing.
fn the_same_keys_do_not_win(exercise: &str, solution: &str, keys: &str) {
    let mut terminal = play(exercise, &root().join(solution));
    terminal.keys(keys);
    terminal.keys("q");
    let screen = terminal.wait_for("the game to end", Duration::from_secs(180), |s| {
        s.contains("play exited with")
    });
    assert!(!screen.contains("You broke"), "{screen}");
    assert!(screen.contains("play exited with 0"), "{screen}");
}

#[test]
fn reference_solutions_cannot_be_won_by_the_same_keys() {
    the_same_keys_do_not_win("ex01", "solutions/ex01-lost-update/atomic", EX01_WIN);
    the_same_keys_do_not_win(
        "ex04",
        "solutions/ex04-transfer-deadlock/lock-order",
        EX04_WIN,
    );
    the_same_keys_do_not_win(
        "ex02",
        "solutions/ex02-toctou-payout/compare-and-swap",
        EX02_WIN,
    );
    the_same_keys_do_not_win(
        "ex05",
        "solutions/ex05-lost-wakeup/flag-under-lock",
        EX05_WIN,
    );
}

#[test]
fn after_a_few_rounds_on_a_fixed_crate_the_game_says_none_breaks_it() {
    let mut terminal = play("ex01", &root().join("solutions/ex01-lost-update/atomic"));
    // Enough keys to run every thread to its end, whatever the order; keys that name
    // a thread that cannot run are ignored.
    let round = "123".repeat(30);
    for _ in 0..2 {
        terminal.keys(&round);
        terminal.wait_for("a round to end", Duration::from_secs(180), |s| {
            s.contains("u undo · r play again")
        });
        terminal.keys("r");
        terminal.wait_for("a new round", Duration::from_secs(60), |s| {
            s.contains("run that thread one step")
        });
    }
    terminal.keys(&round);
    // The verdict is the screen's last line: once it is there, the screen is whole.
    let screen = terminal.wait_for("the verdict", Duration::from_secs(180), |s| {
        s.contains("found none that breaks it.")
    });
    assert!(
        screen.contains("No interleaving breaks this crate"),
        "{screen}"
    );
    // Wrapped at 80 columns: "… with up to 3 / switches holds."
    let verdict = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(verdict.contains("with up to 3 switches holds"), "{screen}");
    assert!(
        screen.contains("AtomicU64#1.fetch_add"),
        "the steps: {screen}"
    );
    terminal.keys("q");
    terminal.wait_for("the game to end", Duration::from_secs(60), |s| {
        s.contains("play exited with 0")
    });
}
