//! The lab's own documents (README.md, ARCHITECTURE.md, docs/*.md) name only what is
//! there: every path from the workspace root they name exists, every relative link
//! leads to a file, and to a heading of it when it names one, and every `cargo xtask`
//! command they or the exercises' READMEs name is one the command line accepts. Files get moved and
//! sections split; a map that points nowhere misleads more than no map. (The exercise
//! READMEs' paths are checked against the students' template by xtask's
//! `template.rs`.)

use racelab_tests::root;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level folders a path named from the root starts with.
const ROOTED: [&str; 9] = [
    "sync/",
    "grader/",
    "xtask/",
    "tests/",
    "exercises/",
    "solutions/",
    "scripts/",
    "docs/",
    ".ci/",
];

/// What marks a path as a pattern rather than a file: `exNN-name`, `<id>`, `*.rs`, …
const PLACEHOLDERS: [&str; 7] = ["NN", "NAME", "<", "*", "{", "…", "$"];

/// The documents checked: README.md, ARCHITECTURE.md and every page under docs/.
fn documents() -> Vec<PathBuf> {
    let mut found = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    found.extend(pages);
    found
}

/// The words of `text` that name a path from the root, without a trailing `:LINE`.
fn rooted_paths(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "`()[],;\"'|".contains(c))
        .map(|word| word.trim_end_matches(['.', ':']))
        .filter(|word| ROOTED.iter().any(|root| word.starts_with(root)))
        .filter(|word| !PLACEHOLDERS.iter().any(|p| word.contains(p)))
        .map(|word| {
            let word = word.split('#').next().unwrap_or(word);
            match word.split_once(':') {
                Some((path, line)) if line.chars().all(|c| c.is_ascii_digit()) => path,
                _ => word,
            }
            .to_owned()
        })
        .collect()
}

#[test]
fn every_path_the_docs_name_from_the_root_exists() {
    let mut missing = Vec::new();
    let mut named = 0;
    for document in documents() {
        let text = fs::read_to_string(&document).unwrap();
        for path in rooted_paths(&text) {
            named += 1;
            if !root().join(&path).exists() {
                missing.push(format!("{}: {path}", document.display()));
            }
        }
    }
    assert!(
        named > 50,
        "only {named} paths found: is the search broken?"
    );
    assert!(
        missing.is_empty(),
        "paths that do not exist:\n{}",
        missing.join("\n")
    );
}

/// The Markdown links of `text` that point into the repository: (target, anchor).
fn relative_links(text: &str) -> Vec<(String, Option<String>)> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(link, _)| link))
        .filter(|link| !link.contains("://") && !link.starts_with("mailto:"))
        .map(|link| match link.split_once('#') {
            Some((file, anchor)) => (file.to_owned(), Some(anchor.to_owned())),
            None => (link.to_owned(), None),
        })
        .collect()
}

/// The anchors GitHub gives a Markdown file's headings: lowercase, punctuation
/// dropped, spaces as hyphens.
fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#').trim();
        let slug: String = heading
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        found.push(slug);
    }
    found
}

#[test]
fn every_link_in_the_docs_leads_to_a_file_and_heading() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for document in documents() {
        let text = fs::read_to_string(&document).unwrap();
        let folder = document.parent().unwrap();
        for (file, anchor) in relative_links(&text) {
            checked += 1;
            let target: &Path = if file.is_empty() {
                &document
            } else {
                &folder.join(&file)
            };
            if !target.exists() {
                broken.push(format!("{}: {file} does not exist", document.display()));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            let headings = fs::read_to_string(target)
                .map(|t| anchors(&t))
                .unwrap_or_default();
            if !headings.contains(&anchor) {
                broken.push(format!(
                    "{}: {file} has no heading for #{anchor}",
                    document.display()
                ));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the search broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn a_heading_gets_the_anchor_github_gives_it() {
    assert_eq!(
        anchors("# Racelab\n## Limits, and what a subject cannot do\n```\n# no\n```\n"),
        ["racelab", "limits-and-what-a-subject-cannot-do"]
    );
    assert_eq!(
        rooted_paths("see `grader/src/lab.rs`, exercises/ex01-lost-update/src/lib.rs:67."),
        ["grader/src/lab.rs", "exercises/ex01-lost-update/src/lib.rs"]
    );
}

/// The placeholders of the command tables, and a value each stands for.
const STAND_INS: [(&str, &str); 13] = [
    ("exNN-name", "ex99-demo"),
    ("exNN", "ex01"),
    ("EX", "ex01"),
    ("COMMAND", "grade"),
    ("DIR", "."),
    ("FILE", "f"),
    ("LIST", "loom"),
    ("MOVES", "1,2"),
    ("SECS", "1"),
    ("MIB", "1"),
    ("K/N", "1/2"),
    ("N", "80"),
    ("S", "0"),
];

/// Every `cargo xtask …` in backticks in `text`: the words after `cargo xtask`, with
/// the placeholders given values, `[optional]` brackets dropped and `…` left out.
fn xtask_commands(text: &str) -> Vec<Vec<String>> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| code.strip_prefix("cargo xtask"))
        .map(|rest| {
            rest.replace(['[', ']', '…'], " ")
                .split_whitespace()
                .map(|word| {
                    STAND_INS
                        .iter()
                        .find(|(placeholder, _)| *placeholder == word)
                        .map_or(word, |(_, value)| value)
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_cargo_xtask_command_the_docs_name_is_accepted() {
    let mut documents = documents();
    for entry in fs::read_dir(root().join("exercises")).unwrap() {
        documents.push(entry.unwrap().path().join("README.md"));
    }
    let mut refused = Vec::new();
    let mut checked = 0;
    for document in documents.iter().filter(|d| d.exists()) {
        let text = fs::read_to_string(document).unwrap();
        for words in xtask_commands(&text) {
            checked += 1;
            // `--help` last: clap reads every word before it, and grades nothing.
            let argv = std::iter::once("xtask".to_owned())
                .chain(words.iter().cloned())
                .chain(["--help".to_owned()])
                .map(OsString::from);
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = xtask::run_in(&root(), argv, &mut out, &mut err);
            if code != 0 {
                refused.push(format!(
                    "{}: `cargo xtask {}`: {}",
                    document.display(),
                    words.join(" "),
                    String::from_utf8_lossy(&err).lines().next().unwrap_or("")
                ));
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} commands found: is the search broken?"
    );
    assert!(
        refused.is_empty(),
        "commands the command line refuses:\n{}",
        refused.join("\n")
    );
}

#[test]
fn a_command_table_row_becomes_a_command_line() {
    assert_eq!(
        xtask_commands("run `cargo xtask grade EX [--jobs N] --path DIR…` then `ls`"),
        [["grade", "ex01", "--jobs", "80", "--path", "."]]
    );
}
