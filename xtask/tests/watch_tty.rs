//! `cargo xtask watch` in a real terminal: the binary runs in a pseudo-terminal
//! (`racelab_tests::terminal`, nothing to install), keys are typed into it and its
//! screen is read back from a VT100 parser.
//!
//! The watched crate is a temporary copy of ex01 (`--path`), so the real exercise is
//! never modified; only loom and shuttle run, to keep the test short (they catch the
//! shipped race every time), in a terminal of 80×40: their evidence is longer than the
//! screen, so the pinned header and summary are tested where they matter. The `h` key is
//! not pressed here: it would move the real workspace's hint progress on (hint
//! progress is tested in-process in `workflow.rs`).

use racelab_grader::lab::Lab;
use racelab_grader::subject::Subject;
use racelab_tests::root;
use racelab_tests::terminal::Terminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Quotes a word for `sh`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The `index`th row of `screen`.
fn row(screen: &str, index: usize) -> &str {
    screen.lines().nth(index).unwrap_or("")
}

#[test]
fn watch_regrades_on_save_lists_on_l_and_quits_on_q() {
    let copy = tempfile::tempdir().unwrap();
    let shipped = root().join("exercises/ex01-lost-update");
    std::fs::create_dir_all(copy.path().join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(shipped.join(file), copy.path().join(file)).unwrap();
    }
    let report = ReportOf::copy(copy.path());
    let page = racelab_grader::render::page::page_path(&report.0);
    let mut terminal = Terminal::spawn(
        &format!(
            "{} watch ex01 --path {} --stage loom,shuttle; echo \"watch exited with $?\"; sleep 600",
            quoted(env!("CARGO_BIN_EXE_xtask")),
            quoted(copy.path().to_str().unwrap())
        ),
        &root(),
        80,
        40,
    );

    // The first grade: the shipped race is caught. A cold build of the runner's
    // dependencies can take a few minutes on a small machine.
    let screen = terminal.wait_for("the first verdict", Duration::from_secs(600), |s| {
        s.contains("verdict:")
    });
    // The header and one line per stage stay on top, above the grade that scrolls
    // under them; the first grade has nothing to compare with.
    assert!(row(&screen, 0).contains("Racelab watch: ex01"), "{screen}");
    assert!(row(&screen, 2).contains("h hint · n next"), "{screen}");
    assert!(row(&screen, 3).starts_with("  loom     FAIL  "), "{screen}");
    assert!(row(&screen, 4).starts_with("  shuttle  FAIL  "), "{screen}");
    assert!(
        !screen.contains("FAIL→"),
        "nothing to compare with: {screen}"
    );
    assert!(screen.contains("verdict: fail"), "{screen}");
    assert!(screen.contains("Waiting for a save"), "{screen}");
    assert!(
        !screen.contains("Grading ex01"),
        "the evidence is longer than the screen, so the test sees the pinning: {screen}"
    );
    // The page beside the report shows the failing stage, with its interleaving.
    let first = std::fs::read_to_string(&page).unwrap();
    assert!(first.contains("id=\"stage-loom\""), "{first}");
    assert!(first.contains("class=\"swimlane\""), "{first}");

    // The list's advice names keys here, not a command to type in another shell.
    terminal.keys("l");
    let screen = terminal.wait_for("the list", Duration::from_secs(20), |s| {
        s.contains("exercises passing")
    });
    assert!(!screen.contains("Next: cargo xtask watch"), "{screen}");

    // Save a fix: the screen starts over and the verdict changes.
    let fix = root().join("solutions/ex01-lost-update/atomic/src/lib.rs");
    std::fs::copy(&fix, copy.path().join("src/lib.rs")).unwrap();
    let screen = terminal.wait_for("the verdict after the fix", Duration::from_secs(300), |s| {
        s.contains("Saved: src/lib.rs") && s.contains("verdict:")
    });
    // What changed since the last grade, pinned under the header.
    assert!(row(&screen, 3).starts_with("Saved: src/lib.rs"), "{screen}");
    assert!(
        row(&screen, 4).starts_with("  loom     FAIL→PASS"),
        "{screen}"
    );
    assert!(
        row(&screen, 5).starts_with("  shuttle  FAIL→PASS"),
        "{screen}"
    );
    assert!(!screen.contains("verdict: fail"), "{screen}");
    assert!(
        screen.contains("verdict: incomplete"),
        "only loom and shuttle ran: {screen}"
    );
    // Every grade rewrites the page: loom no longer has a failure to draw.
    let second = std::fs::read_to_string(&page).unwrap();
    assert!(!second.contains("id=\"stage-loom\""), "{second}");

    terminal.keys("q");
    let screen = terminal.wait_for("watch to end", Duration::from_secs(30), |s| {
        s.contains("watch exited with")
    });
    assert!(screen.contains("Stopped watching ex01."), "{screen}");
    assert!(screen.contains("watch exited with 0"), "{screen}");
}

/// The report (and page) a grade of a copy leaves in the real workspace's report folder; removed
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
        let _ = std::fs::remove_file(racelab_grader::render::page::page_path(&self.0));
    }
}

#[test]
fn colours_follow_the_terminal_and_no_color() {
    let xtask = quoted(env!("CARGO_BIN_EXE_xtask"));
    let terminal = Terminal::spawn(
        &format!(
            "{xtask} list; echo first-done; NO_COLOR=1 {xtask} list; echo second-done; sleep 600"
        ),
        &root(),
        120,
        300,
    );
    let screen = terminal.wait_for("both lists", Duration::from_secs(60), |s| {
        s.contains("second-done")
    });
    let rows = terminal.rows_styled();
    let first_done = rows
        .iter()
        .position(|(text, _)| text.contains("first-done"));
    let first_done = first_done.expect("the first list ends before the second");
    assert!(
        rows[..first_done].iter().any(|(_, coloured)| *coloured),
        "a terminal gets colours:\n{screen}"
    );
    assert!(
        !rows[first_done..].iter().any(|(_, coloured)| *coloured),
        "NO_COLOR turns them off:\n{screen}"
    );
}
