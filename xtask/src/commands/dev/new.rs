//! `cargo xtask dev new exNN-name`: lays out a new exercise that builds, grades and
//! passes `dev check` from the first minute, with placeholders marked
//! [`PLACEHOLDER`] where the author writes the real story, bug and hints.
//!
//! The placeholder bug is a lost update on an atomic counter (a load, then a store),
//! which loom and shuttle catch; its solution is `fetch_add`.

use super::PLACEHOLDER;
use anyhow::{Context, bail};
use racelab_grader::lab::{Lab, MANIFEST_PATH};
use racelab_grader::manifest::Manifest;
use racelab_grader::matrix;
use std::io::Write;
use std::path::Path;

/// The placeholder solution's folder name.
const SOLUTION: &str = "fetch-add";

/// Creates the exercise `name`; returns the exit status.
pub(super) fn run(lab: &Lab, name: &str, out: &mut dyn Write) -> anyhow::Result<i32> {
    let Some((id, topic)) = split_name(name) else {
        bail!(
            "`{name}` is not an exercise name: use `exNN-name`, lowercase words joined by `-` (e.g. `ex04-double-checked-lock`)"
        );
    };
    if let Some(taken) = lab
        .manifest
        .exercises
        .iter()
        .find(|e| e.id == id || e.name == name)
    {
        bail!(
            "{} ({}) is already in {MANIFEST_PATH}: pick another number or name",
            taken.id,
            taken.name
        );
    }
    let title = title_of(topic);
    let number: u32 = id[2..].parse().unwrap_or_default();
    let dir = format!("exercises/{name}");
    let scenario = format!("grader/scenarios/{}.rs", name.replace('-', "_"));
    let solution = format!("solutions/{name}/{SOLUTION}");
    for path in [&dir, &scenario, &format!("solutions/{name}")] {
        if lab.root.join(path).exists() {
            bail!("{path} already exists: nothing was created");
        }
    }

    let files = [
        (format!("{dir}/Cargo.toml"), exercise_manifest(name, number)),
        (format!("{dir}/src/lib.rs"), exercise_lib(id)),
        (format!("{dir}/README.md"), readme(id, &title)),
        (scenario.clone(), scenario_file(id)),
        (
            format!("{solution}/Cargo.toml"),
            solution_manifest(id, number),
        ),
        (format!("{solution}/src/lib.rs"), solution_lib(id)),
    ];
    for (path, text) in &files {
        write_new(&lab.root.join(path), text)?;
    }

    let manifest_path = lab.root.join(MANIFEST_PATH);
    let mut manifest_text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    if !manifest_text.ends_with('\n') {
        manifest_text.push('\n');
    }
    manifest_text.push_str(&manifest_entry(id, name, &title));
    Manifest::parse(&manifest_text)
        .map_err(anyhow::Error::msg)
        .context("the new manifest entry does not parse; nothing was appended")?;
    std::fs::write(&manifest_path, &manifest_text)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;

    let readme_updated = update_matrix(&lab.root)?;

    let mut text = format!("Created {id} — {title}:\n");
    for (path, _) in &files {
        text.push_str(&format!("  {path}\n"));
    }
    text.push_str(&format!(
        "  {MANIFEST_PATH} (an [[exercises]] entry appended)\n"
    ));
    if readme_updated {
        text.push_str("  README.md (the detector matrix, regenerated)\n");
    }
    text.push_str(&format!(
        "Every placeholder reads `{PLACEHOLDER}`. Next:\n\
         \x20 cargo xtask dev check         # what is missing or inconsistent\n\
         \x20 cargo xtask grade {id}        # the placeholder bug fails loom and shuttle\n\
         \x20 cargo xtask grade {id} --path {solution}\n"
    ));
    out.write_all(text.as_bytes())?;
    Ok(0)
}

/// `("ex04", "double-checked-lock")` for `ex04-double-checked-lock`.
fn split_name(name: &str) -> Option<(&str, &str)> {
    let (id, topic) = name.split_once('-')?;
    let digits = id.strip_prefix("ex")?;
    let words_ok = topic.split('-').all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    (digits.len() == 2 && digits.chars().all(|c| c.is_ascii_digit()) && words_ok)
        .then_some((id, topic))
}

/// `Double checked lock` for `double-checked-lock`.
fn title_of(topic: &str) -> String {
    let words = topic.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Writes a file that must not exist yet, creating its folders.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Regenerates README.md's detector matrix from the manifest at `root`; returns
/// whether README.md changed.
pub(super) fn update_matrix(root: &Path) -> anyhow::Result<bool> {
    let manifest = Manifest::load(&root.join(MANIFEST_PATH))?;
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let Some(updated) = matrix::with_section(&readme, &matrix::table(&manifest)) else {
        bail!(
            "README.md lacks the lines `{}` and `{}` around the detector matrix",
            matrix::START_MARKER,
            matrix::END_MARKER
        );
    };
    if updated == readme {
        return Ok(false);
    }
    std::fs::write(&path, updated).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

fn exercise_manifest(name: &str, number: u32) -> String {
    format!(
        r#"[package]
name = "{name}"
description = "Exercise {number}: {PLACEHOLDER} one line on what goes wrong."
version = "0.1.0"
edition = "2024"
publish = false

# Named, so that cargo still loads the workspace when this file is deleted.
[lib]
path = "src/lib.rs"

[dependencies]
# Threads, locks, atomics and shared cells come from the lab's facade, so the grader
# can run this crate under loom, shuttle and real threads without changes.
racelab-sync = {{ path = "../../sync" }}

[lints.rust]
unexpected_cfgs = {{ level = "warn", check-cfg = ["cfg(loom)", "cfg(shuttle)"] }}
"#
    )
}

fn solution_manifest(id: &str, number: u32) -> String {
    format!(
        r#"[package]
name = "{id}-solution-{SOLUTION}"
description = "A reference fix for exercise {number}: {SOLUTION}."
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
racelab-sync = {{ path = "../../../sync" }}

[lints.rust]
unexpected_cfgs = {{ level = "warn", check-cfg = ["cfg(loom)", "cfg(shuttle)"] }}
"#
    )
}

fn exercise_lib(id: &str) -> String {
    format!(
        r#"//! {PLACEHOLDER}: the exercise's story in two lines, what the student sees go wrong,
//! and "Read `README.md` beside this file first: it says what you may change."
//!
//! The placeholder below is a counter that loses updates; replace it with the
//! exercise's own code, keeping the API the scenario in
//! `grader/scenarios/{id}_*.rs` uses.

use racelab_sync::sync::atomic::{{AtomicU64, Ordering}};

/// {PLACEHOLDER}: what the shared object is for.
#[derive(Debug)]
pub struct Counter {{
    total: AtomicU64,
}}

impl Default for Counter {{
    fn default() -> Self {{
        Self::new()
    }}
}}

impl Counter {{
    /// A counter at zero.
    pub fn new() -> Self {{
        Counter {{
            total: AtomicU64::new(0),
        }}
    }}

    /// Adds `amount` to the total. The bug: a load, then a store, so two threads can
    /// both read the same total and one addition is lost.
    pub fn add(&self, amount: u64) {{
        let seen = self.total.load(Ordering::SeqCst);
        self.total.store(seen + amount, Ordering::SeqCst);
    }}

    /// The total, read after every thread has finished.
    pub fn total(&self) -> u64 {{
        self.total.load(Ordering::SeqCst)
    }}
}}
"#
    )
}

fn solution_lib(id: &str) -> String {
    format!(
        r#"//! Fix A for {id}: one atomic read-modify-write (`fetch_add`) per addition.
//!
//! {PLACEHOLDER}: when this fix is the right choice, and what it costs.

use racelab_sync::sync::atomic::{{AtomicU64, Ordering}};

/// A counter whose additions are never lost.
#[derive(Debug)]
pub struct Counter {{
    total: AtomicU64,
}}

impl Default for Counter {{
    fn default() -> Self {{
        Self::new()
    }}
}}

impl Counter {{
    /// A counter at zero.
    pub fn new() -> Self {{
        Counter {{
            total: AtomicU64::new(0),
        }}
    }}

    /// Adds `amount` to the total in one indivisible step.
    pub fn add(&self, amount: u64) {{
        self.total.fetch_add(amount, Ordering::SeqCst);
    }}

    /// The total, read after every thread has finished.
    pub fn total(&self) -> u64 {{
        self.total.load(Ordering::SeqCst)
    }}
}}
"#
    )
}

fn scenario_file(id: &str) -> String {
    format!(
        r#"//! {id} — {PLACEHOLDER}: the scenario in one line.
//!
//! `size.workers` threads each add `size.ops` amounts to one shared counter; once all
//! have finished, the total must equal the sum of every amount added.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::{{Outcome, Size}};
use racelab_sync::sync::Arc;
use racelab_sync::thread;
use subject::Counter;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {{
    let counter = Arc::new(Counter::new());
    let workers: Vec<_> = (0..size.workers)
        .map(|_| {{
            let counter = Arc::clone(&counter);
            thread::spawn(move || {{
                for _ in 0..size.ops {{
                    counter.add(1);
                }}
            }})
        }})
        .collect();
    for worker in workers {{
        if let Err(panic) = worker.join() {{
            std::panic::resume_unwind(panic);
        }}
    }}
    Outcome::equal(
        "total = sum of amounts added",
        (size.workers * size.ops) as i64,
        counter.total() as i64,
        "units",
    )
}}
"#
    )
}

fn readme(id: &str, title: &str) -> String {
    format!(
        r#"# {id} — {title}

## The story

{PLACEHOLDER}: who runs this code, what it does for them, and what they saw go
wrong — in their words, not the bug's.

## What to fix

{PLACEHOLDER}: the invariant that breaks, what the student may change (which file,
which items) and the public API the grader's scenario uses, which must stay:

```rust
Counter::new() -> Counter
Counter::add(&self, amount: u64)
Counter::total(&self) -> u64        // read after every thread has finished
```

Use threads, locks, atomics and cells from `racelab_sync` (the lab's facade, which
mirrors `std`).

## What fixed means

`cargo xtask grade {id}` prints `verdict: pass`: every detector ran and none found a
problem. After you pass, `cargo xtask solution {id}` shows the reference fixes.

## Commands

```sh
cargo xtask watch {id}           # grade now and on every save
cargo xtask grade {id}           # all four detectors, once
cargo xtask hint {id}            # one more hint each time
cargo xtask solution {id}        # the reference fixes, once you pass
```
"#
    )
}

fn manifest_entry(id: &str, name: &str, title: &str) -> String {
    format!(
        r#"
[[exercises]]
id = "{id}"
name = "{name}"
title = "{title}"
# `dir`, `scenario` and `solutions` are derived from `name`.
hints = [
    "{PLACEHOLDER}: a first hint that says where to look, without giving the fix away.",
]

[exercises.stages.loom]
workers = 2
ops = 2
preemption_bound = 3
max_branches = 10000

[exercises.stages.shuttle]
workers = 3
ops = 2
seed = 20261126
iterations = 1000
depth = 3

[exercises.stages.stress]
workers = 4
ops = 10000
rounds = 20
round_timeout_ms = 20000

[exercises.stages.tsan]
workers = 2
ops = 100
rounds = 1
round_timeout_ms = 60000

[exercises.shipped]
caught_by = ["loom", "shuttle"]

[exercises.shipped.blind]
stress = "{PLACEHOLDER}: measure it (docs/detection-rates.md) before claiming stress catches it."
tsan = "Atomic loads and stores are not data races, and ThreadSanitizer reports only data races."
"#
    )
}

#[cfg(test)]
mod tests {
    use super::{split_name, title_of};

    #[test]
    fn names_are_exnn_then_lowercase_words() {
        assert_eq!(
            split_name("ex04-double-checked-lock"),
            Some(("ex04", "double-checked-lock"))
        );
        assert_eq!(split_name("ex99-demo"), Some(("ex99", "demo")));
        for bad in [
            "ex4-demo",
            "ex04",
            "ex04-",
            "ex04-Demo",
            "demo-ex04",
            "ex04--demo",
            "exab-demo",
        ] {
            assert_eq!(split_name(bad), None, "{bad}");
        }
        assert_eq!(title_of("double-checked-lock"), "Double checked lock");
    }
}
