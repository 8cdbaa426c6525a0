//! The files `dev new` writes, as templates: the exercise's crate and README, its
//! scenario, a solution, and the manifest entry. Every spot the author must write is
//! marked [`PLACEHOLDER`].
//!
//! The placeholder bug is a lost update on an atomic counter (a load, then a store),
//! which loom and shuttle catch; its solution is `fetch_add`.

use super::PLACEHOLDER;

/// The placeholder solution's folder name.
pub(super) const SOLUTION: &str = "fetch-add";

pub(super) fn exercise_manifest(name: &str, number: u32) -> String {
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

pub(super) fn solution_manifest(id: &str, number: u32) -> String {
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

pub(super) fn exercise_lib(id: &str) -> String {
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

pub(super) fn solution_lib(id: &str) -> String {
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

pub(super) fn scenario_file(id: &str) -> String {
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

pub(super) fn readme(id: &str, title: &str) -> String {
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
cargo xtask grade {id}           # all five detectors, once
cargo xtask hint {id}            # one more hint each time
cargo xtask solution {id}        # the reference fixes, once you pass
```
"#
    )
}

pub(super) fn manifest_entry(id: &str, name: &str, title: &str) -> String {
    format!(
        r#"
[[exercises]]
id = "{id}"
name = "{name}"
title = "{title}"
# `dir`, `scenario` and `solutions` are derived from `name`.

[[exercises.hints]]
text = "{PLACEHOLDER}: a first hint that says where to look, without giving the fix away."
fix = "none"

[exercises.stages.loom]
workers = 2
ops = 2
preemption_bound = 3
max_branches = 10000
# {PLACEHOLDER}: what the reference solutions take in each stage, measured (see
# ARCHITECTURE.md, "Adding an exercise"); the default time limits are sized from it.
reference_ms = 100

[exercises.stages.shuttle]
workers = 3
ops = 2
seed = 20261126
iterations = 1000
depth = 3
reference_ms = 500

[exercises.stages.stress]
workers = 4
ops = 10000
rounds = 20
reference_ms = 1000

[exercises.stages.tsan]
workers = 2
ops = 100
rounds = 1
reference_ms = 1000

# {PLACEHOLDER}: the smallest input that shows the bug, one table per bug (the
# shipped one and each tempting wrong fix), and the stages whose scenario holds it.
[[exercises.witnesses]]
bug = "the read and the write of the total in two steps"
needs = "two workers, one update each"
workers = 2
ops = 1
covered_by = ["loom", "shuttle"]

[exercises.shipped]
caught_by = ["loom", "shuttle"]

[exercises.shipped.blind]
stress = "{PLACEHOLDER}: measure it (docs/detection-rates.md) before claiming stress catches it."
tsan = "Atomic loads and stores are not data races, and ThreadSanitizer reports only data races."
"#
    )
}
