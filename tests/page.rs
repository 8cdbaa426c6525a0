//! The report and class pages, in a real browser: golden reports (real grades, stored
//! in `fixtures/page/`, schema 2: with their steps) are drawn to pages, headless Chromium loads
//! each with axe-core and a check script (`page/check.js`) injected, and the DOM it
//! built is checked: a lane per thread, the highlighted steps, every step's line linked
//! to the source listing, no accessibility violation; and a screenshot is not blank.
//!
//! Needs Chromium (`apt-get install chromium`) and axe-core
//! (`npm install --prefix ~/.cache/racelab/npm axe-core@4`, or `RACELAB_AXE_CORE` naming
//! its `axe.min.js`). Without them the tests say how to install them and pass, except
//! under CI (`CI` set), where they fail: `.ci/run` installs both.
//!
//! `cargo test -p racelab-tests --test page -- --ignored record` grades the cases again
//! and rewrites their golden reports.

use racelab_grader::batch::{ExerciseTally, SubjectLine, Summary};
use racelab_grader::render::page::{self, Sources};
use racelab_grader::report::{Report, Status};
use racelab_grader::verdict::Verdict;
use racelab_tests::root;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a golden report's page must show.
#[derive(Debug, Clone, Copy)]
enum Shows {
    /// A data race: the two accesses marked and joined by the missing edge.
    Race,
    /// A broken invariant: the interleaving drawn, stale loads marked if any.
    Interleaving,
    /// A deadlock: blocked steps, lock bars, a wait-for edge per blocked thread.
    Deadlock,
    /// spec's results table.
    Results,
    /// A future dropped half-way by a `select`: the select marked.
    Cancellation,
    /// The compiler's errors (a crate that does not build reaches no detector).
    CompileErrors,
}

/// A case: the golden file's name, the exercise, its subject, the stages graded.
struct Case {
    name: &'static str,
    exercise: &'static str,
    subject: &'static str,
    stages: &'static [&'static str],
    shows: Shows,
    why: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "ex00-loom",
        exercise: "ex00",
        subject: "exercises/ex00-shared-counter",
        stages: &["loom"],
        shows: Shows::CompileErrors,
        why: "the shipped shared counter does not compile: the compiler is its first detector",
    },
    Case {
        name: "ex01-loom",
        exercise: "ex01",
        subject: "exercises/ex01-lost-update",
        stages: &["loom"],
        shows: Shows::Interleaving,
        why: "the shipped lost update: two threads load the same total before either stores",
    },
    Case {
        name: "ex02-loom",
        exercise: "ex02",
        subject: "exercises/ex02-toctou-payout",
        stages: &["loom"],
        shows: Shows::Interleaving,
        why: "the shipped overdraft: a check and a payout on either side of another payout",
    },
    Case {
        name: "ex03-loom",
        exercise: "ex03",
        subject: "exercises/ex03-flag-flip",
        stages: &["loom"],
        shows: Shows::Race,
        why: "the shipped flag flip: a Relaxed flag orders nothing, so the read races the write",
    },
    Case {
        name: "ex04-loom",
        exercise: "ex04",
        subject: "exercises/ex04-transfer-deadlock",
        stages: &["loom"],
        shows: Shows::Deadlock,
        why: "the shipped transfer deadlock: two transfers lock the accounts in opposite orders",
    },
    Case {
        name: "ex05-loom",
        exercise: "ex05",
        subject: "exercises/ex05-lost-wakeup",
        stages: &["loom"],
        shows: Shows::Deadlock,
        why: "the shipped lost wakeup: a waiter sleeps after the only notify",
    },
    Case {
        name: "ex06-loom",
        exercise: "ex06",
        subject: "exercises/ex06-fee-table-twice",
        stages: &["loom"],
        shows: Shows::Interleaving,
        why: "the shipped double load: two threads both see the table missing",
    },
    Case {
        name: "ex07-loom",
        exercise: "ex07",
        subject: "exercises/ex07-torn-snapshot",
        stages: &["loom"],
        shows: Shows::Interleaving,
        why: "the shipped torn snapshot: a reader between the writer's two stores",
    },
    Case {
        name: "ex08-loom",
        exercise: "ex08",
        subject: "exercises/ex08-await-in-the-middle",
        stages: &["loom"],
        shows: Shows::Interleaving,
        why: "the shipped await in the middle: two payout tasks check the balance, await the fraud desk, and both debit",
    },
    Case {
        name: "ex09-shuttle",
        exercise: "ex09",
        subject: "exercises/ex09-cancelled-half-way",
        stages: &["shuttle"],
        shows: Shows::Cancellation,
        why: "the shipped transfer cancelled half-way: the select drops it between the debit and the credit",
    },
    Case {
        name: "ex02-spec",
        exercise: "ex02",
        subject: "exercises/ex02-toctou-payout",
        stages: &["spec"],
        shows: Shows::Results,
        why: "spec's shrunk scenario: results no sequential order explains",
    },
];

fn golden_path(name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/page")
        .join(format!("{name}.toml"))
}

/// Grades every case again and rewrites its golden report (minutes: run it after a
/// change to what the stages record, and review the diff).
#[test]
#[ignore = "grades every case: `cargo test -p racelab-tests --test page -- --ignored record`"]
fn record_the_golden_reports() {
    // RACELAB_RECORD_CASE=ex00-loom records that case alone.
    let only = std::env::var("RACELAB_RECORD_CASE").ok();
    for case in CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
    {
        record(case, &golden_path(case.name));
    }
}

/// The golden report of `case`.
fn golden(case: &Case) -> Report {
    let path = golden_path(case.name);
    Report::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; record it with `cargo test -p racelab-tests --test page -- --ignored record`",
            path.display()
        )
    })
}

/// Grades `case` in-process and writes its report as the golden one: its steps name
/// files relative to the subject's folder or the workspace, its subject relative to
/// the workspace, so it reads the same in any checkout.
fn record(case: &Case, path: &Path) {
    let lab = racelab_grader::lab::Lab::open(&root()).unwrap();
    let exercise = lab.manifest.find(case.exercise).unwrap().clone();
    let subject =
        racelab_grader::subject::Subject::locate(&lab, &exercise, Some(&root().join(case.subject)))
            .unwrap();
    let options = racelab_grader::GradeOptions {
        stages: case.stages.iter().map(|s| s.parse().unwrap()).collect(),
        ..racelab_grader::GradeOptions::default()
    };
    let mut report = racelab_grader::grade(&lab, &exercise, &subject, &options, &mut ());
    report.subject = case.subject.to_owned();
    let text = toml::to_string(&report).unwrap();
    std::fs::write(path, format!("# {}\n{text}", case.why)).unwrap();
}

/// The page of a golden report, as the grader draws it.
fn draw(case: &Case, golden: &Report) -> String {
    let subject = root().join(case.subject);
    page::render(golden, &mut Sources::under(&[&subject, &root()]))
}

/// How to install what the browser tests need.
const HOW: &str = "the page tests need Chromium and axe-core: `apt-get install chromium` and \
`npm install --prefix ~/.cache/racelab/npm axe-core@4` (or set RACELAB_CHROMIUM / RACELAB_AXE_CORE)";

/// Chromium and axe-core's script, or `None` (and why, said once) outside CI; under CI
/// their absence fails the test.
fn browser() -> Option<(PathBuf, String)> {
    let chromium = std::env::var_os("RACELAB_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .find_map(racelab_grader::toolchain::which)
        });
    let axe = std::env::var_os("RACELAB_AXE_CORE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| {
                PathBuf::from(home).join(".cache/racelab/npm/node_modules/axe-core/axe.min.js")
            })
        })
        .and_then(|path| std::fs::read_to_string(path).ok());
    match (chromium, axe) {
        (Some(chromium), Some(axe)) => Some((chromium, axe)),
        _ if std::env::var_os("CI").is_some() => panic!("{HOW}"),
        _ => {
            eprintln!("skipped: {HOW}");
            None
        }
    }
}

/// Headless Chromium on `page` with `args`; its standard output.
fn chromium(binary: &Path, page: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What check.js found in the DOM.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checked {
    swimlanes: Vec<Lanes>,
    step_tables: Vec<StepTable>,
    wait_edges: Vec<(String, String)>,
    results: bool,
    compile_errors: usize,
    grid_cells: usize,
    grid_links: Vec<String>,
    #[serde(default)]
    violations: Vec<Violation>,
    axe_error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lanes {
    lanes: Vec<String>,
    step_threads: Vec<String>,
    steps: usize,
    racing: usize,
    stale: usize,
    blocked: usize,
    conflict: usize,
    cancelled: usize,
    missing_edges: usize,
    holds: usize,
    titled: bool,
    line_numbers: usize,
    linked_lines: usize,
    width: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StepTable {
    rows: usize,
    with_line: usize,
    linked: usize,
}

#[derive(Debug, Deserialize)]
struct Violation {
    id: String,
    help: String,
    nodes: Vec<String>,
}

/// Loads `html` in Chromium with axe and check.js injected; what they found.
fn check(chromium_binary: &Path, axe: &str, html: &str, dir: &Path, name: &str) -> Checked {
    let script = include_str!("page/check.js");
    let injected = html.replacen(
        "</body>",
        &format!("<script>{axe}</script><script>{script}</script></body>"),
        1,
    );
    let path = dir.join(format!("{name}.checked.html"));
    std::fs::write(&path, injected).unwrap();
    let dom = chromium(
        chromium_binary,
        &path,
        &["--virtual-time-budget=30000", "--dump-dom"],
    );
    // The last: the script's own comment names the element too.
    let start = dom
        .rfind("<pre id=\"racelab-check\">")
        .unwrap_or_else(|| panic!("check.js left no findings in {name}'s DOM"))
        + "<pre id=\"racelab-check\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let checked: Checked = serde_json::from_str(&json).unwrap();
    assert_eq!(checked.axe_error, None, "axe did not run on {name}");
    checked
}

/// The violations, one line each, for a failure message.
fn listed(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("{}: {} at {}", v.id, v.help, v.nodes.join(", ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Screenshots `page` and asserts it is not blank: many pixels are not the
/// background, in more than a few colours.
fn assert_not_blank(chromium_binary: &Path, page: &Path, dir: &Path) {
    let shot = dir.join(format!(
        "{}.png",
        page.file_stem().unwrap().to_string_lossy()
    ));
    chromium(
        chromium_binary,
        page,
        &[
            "--window-size=1400,1000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = pixels[..info.buffer_size()].chunks(channels).collect();
    let background = pixels[0];
    let inked = pixels.iter().filter(|p| **p != background).count();
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    assert!(
        inked * 50 > pixels.len() && colours.len() > 16,
        "{} looks blank: {inked} of {} pixels drawn, {} colours",
        shot.display(),
        pixels.len(),
        colours.len()
    );
}

/// A folder for the pages and screenshots: `RACELAB_PAGES_OUT`, kept for a look, or
/// a temporary one.
fn pages_folder() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("RACELAB_PAGES_OUT") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let temporary = tempfile::tempdir().unwrap();
            let path = temporary.path().to_owned();
            (Some(temporary), path)
        }
    }
}

#[test]
fn every_golden_report_draws_a_page_that_chromium_shows_and_axe_passes() {
    let Some((binary, axe)) = browser() else {
        return;
    };
    let (_temporary, dir) = pages_folder();
    let mut failures = Vec::new();
    for case in CASES {
        let golden = golden(case);
        let html = draw(case, &golden);
        let page = dir.join(format!("{}.html", case.name));
        std::fs::write(&page, &html).unwrap();
        assert_not_blank(&binary, &page, &dir);
        let checked = check(&binary, &axe, &html, &dir, case.name);
        if !checked.violations.is_empty() {
            failures.push(format!(
                "{}: accessibility:\n{}",
                case.name,
                listed(&checked.violations)
            ));
        }
        assert_eq!(
            golden.verdict,
            Verdict::Fail,
            "{}: the golden report is no failure",
            case.name
        );
        if let Err(e) = shows(case.shows, &checked) {
            failures.push(format!("{}: {e}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether the page checked shows what the case must.
fn shows(shows: Shows, checked: &Checked) -> Result<(), String> {
    if let Shows::Results = shows
        && !checked.results
    {
        return Err("no results table".into());
    }
    if let Shows::CompileErrors = shows {
        return match (checked.compile_errors, checked.swimlanes.len()) {
            (0, _) => Err("no compiler errors shown".into()),
            (_, 0) => Ok(()),
            (_, n) => Err(format!("{n} swimlanes for a crate that does not build")),
        };
    }
    // The failure's swimlane first; after a loom data race, the values' one too.
    let Some(lanes) = checked.swimlanes.first() else {
        return Err("no swimlane".into());
    };
    if checked.step_tables.len() != checked.swimlanes.len() {
        return Err(format!(
            "{} swimlanes but {} tables of their steps",
            checked.swimlanes.len(),
            checked.step_tables.len()
        ));
    }
    for (lanes, table) in checked.swimlanes.iter().zip(&checked.step_tables) {
        let mut threads = lanes.step_threads.clone();
        threads.sort();
        let mut drawn = lanes.lanes.clone();
        drawn.sort();
        if threads != drawn || drawn.is_empty() {
            return Err(format!(
                "lanes {:?} for threads {:?}",
                lanes.lanes, lanes.step_threads
            ));
        }
        if !lanes.titled || lanes.width < 100.0 {
            return Err("a swimlane has no title and desc, or no width".into());
        }
        if lanes.line_numbers == 0 || lanes.linked_lines != lanes.line_numbers {
            return Err(format!(
                "{} of {} line numbers link to the listing",
                lanes.linked_lines, lanes.line_numbers
            ));
        }
        if table.rows != lanes.steps || table.linked != table.with_line || table.with_line == 0 {
            return Err(format!("steps table {table:?} for {} steps", lanes.steps));
        }
    }
    match shows {
        Shows::Race if lanes.racing != 2 || lanes.missing_edges != 1 => Err(format!(
            "{} racing steps and {} missing edges, not 2 and 1",
            lanes.racing, lanes.missing_edges
        )),
        Shows::Interleaving | Shows::Results
            if lanes.stale + lanes.conflict + lanes.racing == 0 || lanes.missing_edges != 1 =>
        {
            Err(format!(
                "{} stale, {} conflicting, {} racing steps and {} missing edges: nothing highlighted",
                lanes.stale, lanes.conflict, lanes.racing, lanes.missing_edges
            ))
        }
        Shows::Cancellation if lanes.cancelled == 0 => {
            Err("no select marked as cancelling a future half-way".into())
        }
        Shows::Deadlock if lanes.blocked == 0 || checked.wait_edges.is_empty() => Err(format!(
            "{} blocked steps, wait-for edges {:?}",
            lanes.blocked, checked.wait_edges
        )),
        Shows::Deadlock if lanes.holds == 0 => Err("no lock held".into()),
        _ => Ok(()),
    }
}

#[test]
fn the_class_page_links_every_cell_to_its_students_page() {
    let Some((binary, axe)) = browser() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let students = ["alice", "bob"];
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.stages == ["loom"]).collect();
    let mut subjects = Vec::new();
    let mut exercises: Vec<ExerciseTally> = Vec::new();
    for case in &cases {
        let golden = golden(case);
        for (k, student) in students.iter().enumerate() {
            // Bob fixed every other exercise: a pass, for cells of both kinds.
            let mut report = golden.clone();
            if k == 1 && case.exercise.ends_with(['1', '3', '5', '7']) {
                report.verdict = Verdict::Pass;
                for stage in &mut report.stages {
                    if stage.status == Status::Fail {
                        stage.status = Status::Pass;
                        stage.evidence = Default::default();
                    }
                }
            }
            let report_path = out
                .path()
                .join(case.exercise)
                .join(format!("{student}.toml"));
            let subject = root().join(case.subject);
            page::write_with_report(&report, &report_path, &[&subject, &root()]).unwrap();
            let tally = match exercises.iter_mut().find(|e| e.id == case.exercise) {
                Some(tally) => tally,
                None => {
                    exercises.push(ExerciseTally {
                        id: case.exercise.into(),
                        ..ExerciseTally::default()
                    });
                    exercises.last_mut().unwrap()
                }
            };
            tally.subjects += 1;
            match report.verdict {
                Verdict::Pass => tally.passed += 1,
                _ => tally.failed += 1,
            }
            subjects.push(SubjectLine {
                name: (*student).into(),
                exercise: case.exercise.into(),
                subject: case.subject.into(),
                subject_hash: String::new(),
                verdict: report.verdict,
                points: 0.0,
                max_points: 0.0,
                duration_ms: report.duration_ms,
                report: report_path.display().to_string(),
                problem: None,
                fingerprint: String::new(),
                copy_of: None,
                same_as: Vec::new(),
                stages: report
                    .stages
                    .iter()
                    .map(|s| (s.name.as_str().to_owned(), s.status))
                    .collect(),
            });
        }
    }
    let summary = Summary {
        schema: 1,
        grader_version: "test".into(),
        manifest_hash: String::new(),
        submissions: Some("submissions".into()),
        selected: vec!["loom".into()],
        required: Vec::new(),
        jobs: 1,
        shard: None,
        only: None,
        duration_ms: 1000,
        verdict: Verdict::Fail,
        exercises,
        stages: Vec::new(),
        subjects,
    };
    let summary_path = out.path().join("summary.toml");
    summary.write(&summary_path).unwrap();
    let page = out.path().join("summary.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("loom: invariant broken") || html.contains("loom: data race"),
        "the class page names no wrong-fix kind"
    );
    assert_not_blank(&binary, &page, out.path());
    let checked = check(&binary, &axe, &html, out.path(), "summary");
    assert!(
        checked.violations.is_empty(),
        "{}",
        listed(&checked.violations)
    );
    assert_eq!(checked.grid_cells, students.len() * cases.len());
    assert_eq!(checked.grid_links.len(), students.len() * cases.len());
    for link in &checked.grid_links {
        assert!(
            out.path().join(link).is_file(),
            "the class page links to {link}, which is not there"
        );
    }
}

#[test]
fn the_checks_catch_a_page_without_links_or_text_alternatives() {
    let Some((binary, axe)) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let broken = r##"<!DOCTYPE html><html><head><title>broken</title></head><body>
<p style="color:#bbb;background:#fff">faint text</p>
<svg class="swimlane" width="300" height="100"><g class="lane" data-thread="T1"></g>
<g class="step read" data-thread="T1"><a class="line-link" href="#nowhere"><text class="lineno" x="4" y="20">7</text></a></g>
<g class="step write" data-thread="T2"></g></svg>
<table class="steps"><tbody><tr><td>1</td><td>T1</td><td>src/lib.rs:7</td></tr></tbody></table>
<img src="x.png"></body></html>"##;
    let checked = check(&binary, &axe, broken, dir.path(), "broken");
    let ids: Vec<&str> = checked.violations.iter().map(|v| v.id.as_str()).collect();
    for expected in ["color-contrast", "html-has-lang", "image-alt"] {
        assert!(ids.contains(&expected), "axe missed {expected}: {ids:?}");
    }
    assert!(shows(Shows::Race, &checked).is_err());
}
