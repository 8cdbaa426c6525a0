//! The compiler, the lab's first detector: safe Rust refuses data races.
//!
//! `ui/*.rs` are the moves the READMEs warn about — ex00 as shipped, ex01 with its
//! `unsafe impl Sync` deleted, a `MutexGuard` moved into a thread, a `SharedCell`
//! shared without the promise, ex10 as shipped (a guard held across an `.await`) —
//! and trybuild pins each one's diagnostics in its `.stderr` snapshot
//! (`TRYBUILD=overwrite cargo test -p racelab-tests --test compiler` rewrites them
//! after a toolchain changes its words). Every README quote
//! of a compiler error, marked `<!-- compiler: tests/ui/NAME.stderr -->` above its
//! block, must read as in its snapshot.

use racelab_tests::root;
use std::fs;
use std::path::Path;

/// The marker above a README's quote of a snapshot.
const MARKER: &str = "<!-- compiler: ";

#[test]
fn the_compiler_refuses_each_move_in_the_words_the_readmes_quote() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}

/// Every quote: the README, the snapshot it names, and the quoted lines.
fn quotes() -> Vec<(String, String, Vec<String>)> {
    let mut readmes = vec![root().join("README.md")];
    for entry in fs::read_dir(root().join("exercises")).unwrap().flatten() {
        readmes.push(entry.path().join("README.md"));
    }
    let mut found = Vec::new();
    for readme in readmes.into_iter().filter(|p| p.exists()) {
        let text = fs::read_to_string(&readme).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(rest) = line.trim().strip_prefix(MARKER) else {
                continue;
            };
            let snapshot = rest.trim_end_matches("-->").trim().to_owned();
            let fence = lines.next().unwrap_or_default();
            assert!(
                fence.starts_with("```"),
                "{}: a code block must follow `{line}`",
                readme.display()
            );
            let quoted = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .map(str::to_owned)
                .collect();
            found.push((readme.display().to_string(), snapshot, quoted));
        }
    }
    found
}

#[test]
fn every_readme_quote_of_the_compiler_reads_as_in_its_snapshot() {
    let quotes = quotes();
    for snapshot in [
        "ex00_shipped",
        "ex01_without_sync_promise",
        "mutex_guard_into_thread",
        "shared_cell_without_promise",
        "ex10_shipped",
    ] {
        let path = format!("tests/ui/{snapshot}.stderr");
        assert!(
            quotes.iter().any(|(_, quoted, _)| *quoted == path),
            "no README quotes {path}"
        );
    }
    for (readme, snapshot, quoted) in quotes {
        let stderr = fs::read_to_string(root().join(&snapshot))
            .unwrap_or_else(|e| panic!("{readme} quotes {snapshot}, which cannot be read: {e}"));
        // Compared without the indentation, which follows the width of line numbers.
        let snapshot_lines: Vec<&str> = stderr.lines().map(str::trim).collect();
        assert!(
            !quoted.is_empty(),
            "{readme}: the quote of {snapshot} is empty"
        );
        for line in &quoted {
            assert!(
                snapshot_lines.contains(&line.trim()),
                "{readme} quotes a line that {snapshot} does not have:\n  {line}\nThe snapshot reads:\n{stderr}"
            );
        }
    }
}

/// ex01's source with its `unsafe impl Sync` (and the comment that claims it) gone.
fn ex01_without_the_promise() -> String {
    let source = fs::read_to_string(root().join("exercises/ex01-lost-update/src/lib.rs")).unwrap();
    let promise = source
        .find("// SAFETY (claimed)")
        .expect("ex01 claims its promise in a SAFETY comment");
    let end = promise
        + source[promise..]
            .find("unsafe impl Sync for Ledger {}\n")
            .expect("ex01 makes its promise")
        + "unsafe impl Sync for Ledger {}\n".len();
    format!("{}{}", &source[..promise], &source[end..])
}

#[test]
fn the_ex01_case_is_the_exercise_without_its_promise() {
    let case = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/ex01_without_sync_promise.rs"),
    )
    .unwrap();
    let indented: String = ex01_without_the_promise()
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("    {l}\n")
            }
        })
        .collect();
    assert!(
        case.contains(&format!("mod ex01 {{\n{indented}}}")),
        "tests/ui/ex01_without_sync_promise.rs is no longer ex01 without `unsafe impl Sync`: copy exercises/ex01-lost-update/src/lib.rs into its `mod ex01` again, less the SAFETY comment and the impl"
    );
}
