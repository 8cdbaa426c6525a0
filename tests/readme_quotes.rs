//! Every output the READMEs quote is output the current grader prints, word for word.
//!
//! A quote is a ```` ```text ```` block in README.md, an exercise's README.md or a page
//! under docs/, with the command that prints it on the line above:
//!
//! ```text
//! <!-- output: cargo xtask --width 80 grade ex04 --stage loom -->
//! ```
//!
//! The test runs that command in-process, a relative `--path` taken from the lab's
//! root as typed there, and finds the quote in its standard output. Commands that
//! grade run on the workspace itself, so they reuse the runners the other end-to-end
//! tests built for the same crates, with `--report` into a temporary folder so the
//! workspace's own reports stay as they were (a quote leaves out the `report:` line);
//! the others run on a fresh copy of the lab, which has no reports (so `list` says
//! "not tried"). How a quote may differ from the output:
//! - a line holding only `…` stands for lines left out: the quote is cut there into
//!   pieces, and each piece must appear as consecutive lines of the output, in any
//!   order of pieces (a grade prints its stages in the order they end);
//! - within a line, `…` stands for any text (a duration, a seed, a thread's number,
//!   the absolute path of a report): figures that change from run to run;
//! - trailing spaces are ignored; everything else, indentation included, is verbatim.
//!
//! Every text block must say what it is: `<!-- output: … -->` (checked here),
//! `<!-- compiler: … -->` (checked by `compiler.rs`), or `<!-- not output: why -->` for
//! a drawing that no command prints. Commands that grade nothing (`list`, `hint`,
//! `--help`) are checked in seconds; the ones that grade or replay run the detectors.

use racelab_tests::{lab_copy, root, xtask, xtask_in};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The marker of a quote of a command's output.
const OUTPUT: &str = "<!-- output: cargo xtask ";

/// The markers of text blocks that are checked elsewhere or are not output.
const OTHER_MARKERS: [&str; 2] = ["<!-- compiler: ", "<!-- not output: "];

/// The commands whose output takes a grade (the detectors run).
const GRADING: [&str; 3] = ["grade", "replay", "watch"];

/// A quoted output: where it is, the command's arguments after `cargo xtask`, and the
/// quoted lines.
struct Quote {
    place: String,
    args: Vec<String>,
    lines: Vec<String>,
}

impl Quote {
    /// Whether the command runs the detectors.
    fn grades(&self) -> bool {
        self.args
            .iter()
            .find(|a| !a.starts_with('-') && a.parse::<u32>().is_err())
            .is_some_and(|command| GRADING.contains(&command.as_str()))
    }
}

/// The documents that may quote output.
fn documents() -> Vec<PathBuf> {
    let mut found = vec![root().join("README.md")];
    for folder in ["exercises", "docs"] {
        let mut entries: Vec<PathBuf> = fs::read_dir(root().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                found.push(entry.join("README.md"));
            } else if entry.extension().is_some_and(|e| e == "md") {
                found.push(entry);
            }
        }
    }
    found.into_iter().filter(|p| p.exists()).collect()
}

/// Every quote in `text` (from `document`); panics on a text block that does not say
/// what it is.
fn quotes_in(document: &Path, text: &str) -> Vec<Quote> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut in_block = false;
    for (index, line) in lines.iter().enumerate() {
        if !line.starts_with("```") {
            continue;
        }
        if in_block {
            in_block = false;
            continue;
        }
        in_block = true;
        if line.trim() != "```text" {
            continue;
        }
        let place = format!("{}:{}", document.display(), index + 1);
        let above = index.checked_sub(1).map_or("", |i| lines[i].trim());
        if OTHER_MARKERS.iter().any(|m| above.starts_with(m)) {
            continue;
        }
        let command = above
            .strip_prefix(OUTPUT)
            .and_then(|rest| rest.strip_suffix("-->"))
            .unwrap_or_else(|| {
                panic!(
                    "{place}: a text block needs the command that prints it on the line \
                     above (`{OUTPUT}ARGS -->`), or one of {OTHER_MARKERS:?}"
                )
            });
        let quoted: Vec<String> = lines[index + 1..]
            .iter()
            .take_while(|l| !l.starts_with("```"))
            .map(|l| l.trim_end().to_owned())
            .collect();
        found.push(Quote {
            place,
            args: command.split_whitespace().map(str::to_owned).collect(),
            lines: quoted,
        });
    }
    found
}

/// Every quote of every document.
fn quotes() -> Vec<Quote> {
    documents()
        .iter()
        .flat_map(|d| quotes_in(d, &fs::read_to_string(d).unwrap()))
        .collect()
}

/// Whether `line` of the output reads as `quoted`, where `…` stands for any text.
fn reads_as(line: &str, quoted: &str) -> bool {
    let mut parts = quoted.split('…');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part) && rest.len() >= part.len();
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// The pieces of a quote: its runs of lines between lines of `…`.
fn pieces(lines: &[String]) -> Vec<&[String]> {
    lines
        .split(|l| l.trim() == "…")
        .filter(|piece| !piece.is_empty())
        .collect()
}

/// The quoted lines the output lacks: for each piece not found, its first line that
/// has no match where the piece's best start put it.
fn unmatched(quote: &Quote, output: &str) -> Vec<String> {
    let printed: Vec<&str> = output.lines().map(str::trim_end).collect();
    let mut missing = Vec::new();
    for piece in pieces(&quote.lines) {
        let found = (0..printed.len()).any(|start| {
            piece.len() <= printed.len() - start
                && piece
                    .iter()
                    .zip(&printed[start..])
                    .all(|(quoted, line)| reads_as(line, quoted))
        });
        if !found {
            // Name the first line of the piece that reads nowhere, or else the piece.
            let lost = piece
                .iter()
                .find(|q| !printed.iter().any(|l| reads_as(l, q)))
                .map_or_else(
                    || format!("{} (each line is printed, not in this order)", piece[0]),
                    |q| q.clone(),
                );
            missing.push(lost);
        }
    }
    missing
}

/// `args` with a relative `--path` taken from `root`, as typed at the lab's root (the
/// test runs elsewhere).
fn from_the_root(args: &[String], root: &Path) -> Vec<String> {
    let mut taken = Vec::new();
    for arg in args {
        let value_of_path = taken.last().is_some_and(|a: &String| a == "--path");
        if value_of_path && Path::new(arg).is_relative() {
            taken.push(root.join(arg).display().to_string());
        } else {
            taken.push(arg.clone());
        }
    }
    taken
}

/// Runs every quote's command (once per command) and checks the quotes of `grading`
/// commands (or of the others); returns how many were checked.
fn check(grading: bool) -> usize {
    let lab = lab_copy();
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("report.toml");
    let mut outputs: HashMap<Vec<String>, String> = HashMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for quote in quotes().into_iter().filter(|q| q.grades() == grading) {
        checked += 1;
        let output = outputs.entry(quote.args.clone()).or_insert_with(|| {
            if grading {
                let mut args = from_the_root(&quote.args, &root());
                args.extend(["--report".to_owned(), report.display().to_string()]);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                xtask(&args).1
            } else {
                let args = from_the_root(&quote.args, lab.path());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                xtask_in(lab.path(), &args).1
            }
        });
        let missing = unmatched(&quote, output);
        if !missing.is_empty() {
            failures.push(format!(
                "{}: `cargo xtask {}` does not print:\n  {}\nIt printed:\n{output}",
                quote.place,
                quote.args.join(" "),
                missing.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    checked
}

#[test]
fn every_quote_of_a_command_that_grades_nothing_is_what_it_prints() {
    let checked = check(false);
    assert!(checked > 0, "no quote of a command that grades nothing");
}

#[test]
fn every_quote_of_a_grade_is_what_the_grade_prints() {
    let checked = check(true);
    assert!(checked > 0, "no quote of a grade");
}

#[test]
fn a_quote_matches_only_what_it_says() {
    assert!(reads_as(
        "  loom     FAIL       0.3 s  data",
        "  loom     FAIL  … s  data"
    ));
    assert!(reads_as("report: /tmp/x/ex01.toml", "report: …/ex01.toml"));
    assert!(reads_as("by T3 against T6", "by T… against T…"));
    assert!(!reads_as("by T3 and T6", "by T… against T…"));
    assert!(!reads_as("x by T3 against T6", "by T… against T…"));
    assert!(!reads_as("  loom     PASS", "  loom     FAIL"));
    assert!(!reads_as("loom", "  loom"));
    let quote = Quote {
        place: "here".into(),
        args: vec!["list".into()],
        lines: ["a", "b", "…", "d"].map(String::from).to_vec(),
    };
    assert!(unmatched(&quote, "d\nx\na\nb\n").is_empty());
    assert_eq!(
        unmatched(&quote, "a\nx\nb\nd\n"),
        ["a (each line is printed, not in this order)"]
    );
    assert_eq!(unmatched(&quote, "a\nb\n"), ["d"]);
    assert!(!quote.grades());
    let marked = "x\n<!-- output: cargo xtask --width 80 grade ex01 -->\n```text\nline  \n```\n";
    let found = quotes_in(Path::new("R.md"), marked);
    assert_eq!(found[0].args, ["--width", "80", "grade", "ex01"]);
    assert_eq!(found[0].lines, ["line"]);
    assert!(found[0].grades());
}

#[test]
#[should_panic(expected = "a text block needs the command that prints it")]
fn an_unmarked_text_block_is_refused() {
    quotes_in(Path::new("R.md"), "```text\nsomething\n```\n");
}
