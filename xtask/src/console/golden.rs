//! Golden whole-grade outputs: each stored schema-2 report in
//! `xtask/tests/console/reports/` (every exercise's shipped failure, a compile error,
//! a refusal) printed as the console prints a grade, at 80 and at 60 columns, and
//! compared with `xtask/tests/console/golden/<report>-<width>.txt`.
//! `RACELAB_UPDATE_GOLDEN=1` writes the golden files anew.
//!
//! Whatever the golden files say, every output must fit its width and break no word:
//! each word of it is a word of the same report printed without a width to wrap at
//! (a table's rule, `────`, is no word, nor the `T1:` that heads a worker's calls when
//! spec's scenario lists the workers one after another). A command (`replay: cargo xtask …`) is never
//! broken; a line that holds one alone may be longer than the width (a terminal wraps
//! it, and it still pastes whole).

use super::Console;
use racelab_grader::Observer;
use racelab_grader::report::Report;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const WIDTHS: [usize; 2] = [80, 60];

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console")
}

/// `report` as the console prints its grade at `width` columns: each stage's lines in
/// the order the stages are stored, then the verdict.
fn printed(report: &Report, width: usize) -> String {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    {
        let mut console = Console::new(&mut out, &mut err);
        console.width = width;
        for stage in &report.stages {
            console.stage_finished(stage);
        }
        let path = format!("target/racelab/reports/{}.toml", report.exercise);
        console.grade_finished(report, Path::new(&path), None);
    }
    String::from_utf8(out).expect("the console writes UTF-8")
}

fn words(text: &str) -> HashSet<&str> {
    text.split_whitespace()
        .filter(|word| !word.chars().all(|c| c == '─'))
        .filter(|word| !is_worker_label(word))
        // A code line too long for the width is cut, never wrapped: its last word
        // ends in the ellipsis that says so.
        .filter(|word| !word.ends_with('…'))
        .collect()
}

/// `T1:`: the label of a worker's calls in spec's scenario, listed one worker after
/// another where side by side would not fit (and so absent at an unbounded width).
fn is_worker_label(word: &str) -> bool {
    word.strip_prefix('T')
        .and_then(|w| w.strip_suffix(':'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Whether `line` is a command alone (after its label), which is never wrapped.
fn is_command(line: &str) -> bool {
    let line = line.trim_start();
    line.strip_prefix("replay: ")
        .unwrap_or(line)
        .starts_with("cargo xtask ")
}

#[test]
fn whole_grades_fit_80_and_60_columns_and_match_their_golden_files() {
    let mut reports: Vec<PathBuf> = std::fs::read_dir(here().join("reports"))
        .expect("the stored reports")
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    reports.sort();
    assert!(reports.len() >= 3, "{reports:?}");
    let update = std::env::var_os("RACELAB_UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    let mut faults = Vec::new();
    for path in reports {
        let report = Report::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let unwrapped = printed(&report, 10_000);
        let whole = words(&unwrapped);
        for width in WIDTHS {
            let out = printed(&report, width);
            for line in out.lines() {
                if line.chars().count() > width && !is_command(line) {
                    faults.push(format!("{name} at {width}: {line}"));
                }
            }
            let broken: Vec<&str> = words(&out).difference(&whole).copied().collect();
            if !broken.is_empty() {
                faults.push(format!("{name} at {width} breaks words: {broken:?}"));
            }
            let golden = here().join("golden").join(format!("{name}-{width}.txt"));
            if update {
                std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
                std::fs::write(&golden, &out).unwrap();
            }
            if std::fs::read_to_string(&golden).ok().as_deref() != Some(out.as_str()) {
                differ.push(golden.display().to_string());
            }
        }
    }
    assert!(
        faults.is_empty(),
        "lines wider than their width, or words broken:\n{}",
        faults.join("\n")
    );
    assert!(
        differ.is_empty(),
        "differ from their golden files (rerun with RACELAB_UPDATE_GOLDEN=1 if meant): {differ:?}"
    );
}
