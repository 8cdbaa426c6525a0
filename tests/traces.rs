//! Failures that teach: the interleaving that broke the invariant, shown as a table
//! (one column per thread, time flowing down), and replays that reproduce it.

use racelab_grader::report::{Report, Status};
use racelab_tests::{root, xtask};

/// One step of a rendered table: its column (thread), what it did, the value, where.
#[derive(Debug)]
struct Step {
    column: usize,
    call: String,
    location: String,
}

/// Reads the rows of an interleaving table back into steps: the header names the
/// threads at the column where each one's steps start; a row's line is on its left.
fn steps(table: &str) -> Vec<Step> {
    let lines: Vec<Vec<char>> = table.lines().map(|l| l.chars().collect()).collect();
    let Some(header) = lines.iter().position(|l| {
        l.iter()
            .collect::<String>()
            .trim_start()
            .starts_with("line ")
    }) else {
        return Vec::new();
    };
    let head = &lines[header];
    let line_width = head.iter().position(|&c| c != ' ').unwrap_or(0) + "line".len();
    let starts: Vec<usize> = (line_width + 1..head.len())
        .filter(|&i| head[i] != ' ' && head[i - 1] == ' ')
        .collect();
    lines[header + 2..]
        .iter()
        .take_while(|l| l.first() != Some(&'✗'))
        .filter_map(|row| {
            let location: String = row.iter().take(line_width).collect();
            let at = (line_width..row.len()).find(|&i| row[i] != ' ')?;
            let column = starts.iter().position(|&s| s == at)?;
            let call: String = row[at..].iter().collect();
            (call != "switch" && !location.trim().is_empty()).then(|| Step {
                column,
                call: call.trim_end().trim_end_matches("stale").trim_end().into(),
                location: location.trim().into(),
            })
        })
        .collect()
}

/// Whether two threads load the same value before both of them store: a lost update.
fn shows_a_lost_update(steps: &[Step]) -> bool {
    let loaded = |s: &Step| s.call.split_once(".load() → ").map(|(_, v)| v.to_owned());
    steps.iter().enumerate().any(|(i, first)| {
        steps[i + 1..].iter().enumerate().any(|(j, second)| {
            let (Some(a), Some(b)) = (loaded(first), loaded(second)) else {
                return false;
            };
            let later = &steps[i + 1 + j + 1..];
            let stores = |column| {
                later
                    .iter()
                    .any(|s| s.column == column && s.call.contains(".store("))
            };
            a == b && first.column != second.column && stores(first.column) && stores(second.column)
        })
    })
}

fn graded_ex01() -> Report {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.toml");
    let (code, out, _) = xtask(&[
        "grade",
        "ex01",
        "--stage",
        "loom,shuttle",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    Report::read(&report).unwrap()
}

#[test]
fn loom_and_shuttle_show_the_lost_update_in_the_exercise_s_own_lines() {
    let report = graded_ex01();
    for stage in ["loom", "shuttle"] {
        let stage = report.stage(stage.parse().unwrap()).unwrap();
        assert_eq!(stage.status, Status::Fail);
        let table =
            racelab_grader::render::trace(&stage.evidence, racelab_grader::render::FORMAT_WIDTH)
                .unwrap_or_else(|| panic!("{}: no trace", stage.name));
        let table = table.as_str();
        let steps = steps(table);
        assert!(
            shows_a_lost_update(&steps),
            "{}: no lost update in\n{table}",
            stage.name
        );
        assert!(
            steps.iter().all(|s| s.location.starts_with(':')),
            "{}: steps outside the exercise's code:\n{table}",
            stage.name
        );
        assert!(table.contains(":N is src/lib.rs line N"), "{table}");
        // Drawn for an 80-column console (no terminal: the default), less its indent.
        assert!(
            table.lines().all(|l| l.chars().count() <= 78),
            "{}: wider than 78 columns:\n{table}",
            stage.name
        );
        for hidden in ["grader/", "sync/src", "scenarios", "harness"] {
            assert!(
                !table.contains(hidden),
                "{}: the table shows {hidden}:\n{table}",
                stage.name
            );
        }
        assert!(
            table
                .lines()
                .any(|l| l.starts_with('✗') && l.contains("expected")),
            "{table}"
        );
    }
}

#[test]
fn a_loom_replay_prints_the_same_interleaving_every_time() {
    let first = xtask(&["replay", "ex01", "--stage", "loom"]);
    let second = xtask(&["replay", "ex01", "--stage", "loom"]);
    assert_eq!(first.0, 1, "{}{}", first.1, first.2);
    assert_eq!(first.1, second.1);
    assert!(first.1.contains("switch"), "{}", first.1);
}

#[test]
fn a_replay_of_a_real_thread_stage_is_refused_with_what_to_do() {
    let (code, _, err) = xtask(&["replay", "ex01", "--stage", "stress"]);
    assert_eq!(code, 2);
    assert!(err.contains("grade again"), "{err}");
}

#[test]
fn a_livelock_s_long_schedule_replays_from_the_file_its_command_names() {
    let attempt = root().join("tests/fixtures/attempts/ex06/mutant-compare-exchange-weak-1");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.toml");
    let (code, out, _) = xtask(&[
        "grade",
        "ex06",
        "--stage",
        "shuttle",
        "--path",
        attempt.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let report = Report::read(&report).unwrap();
    let shuttle = report.stage("shuttle".parse().unwrap()).unwrap();
    let schedule = shuttle.evidence.schedule.as_deref().unwrap();
    let replay = shuttle.evidence.replay.as_deref().unwrap();
    assert!(schedule.len() > 1_000, "a livelock's schedule is long");
    assert!(replay.len() < 200, "the command names a file: {replay}");
    let mut args: Vec<String> = replay.split(' ').skip(2).map(str::to_owned).collect();
    assert!(args.iter().any(|a| a.starts_with('@')), "{replay}");
    // The command is typed at the lab's root; this test runs elsewhere.
    if let Some(at) = args.iter().position(|a| a == "--path") {
        args[at + 1] = root().join(&args[at + 1]).display().to_string();
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = xtask(&args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("livelock"), "{out}");
}

#[test]
fn loom_shows_a_deadlock_with_the_fewest_preemptions_that_fail() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.toml");
    let (code, out, _) = xtask(&[
        "grade",
        "ex04",
        "--stage",
        "loom",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let report = Report::read(&report).unwrap();
    let loom = report.stage("loom".parse().unwrap()).unwrap();
    // The full bound is 3; one preemption is enough to lock two accounts crosswise.
    assert!(
        loom.summary
            .ends_with("(1 preemption: the fewest that fail)"),
        "{}",
        loom.summary
    );
    assert_eq!(
        loom.evidence.bounds.as_deref(),
        Some("2 workers × 3 ops, preemption bound 1")
    );
}
