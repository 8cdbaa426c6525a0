//! The files `dev new` writes, as templates: the exercise's crate and README, its
//! scenario, a solution, and the manifest entry. Every spot the author must write is
//! marked [`PLACEHOLDER`].
//!
//! The placeholder bug is a lost update on a counter: with threads ([`Flavor::Threads`])
//! an atomic's load, then its store, fixed by `fetch_add`; with tasks
//! ([`Flavor::Async`]) a total read before an `.await` and written after it, fixed by
//! adding in one step once the await is over. loom and shuttle catch both.

use super::PLACEHOLDER;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

/// Whether the exercise's code runs on threads or as async tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    /// Threads (`racelab_sync::thread`), as ex01–ex07.
    Threads,
    /// Async tasks (`racelab_sync::task`), as ex08–ex10.
    Async,
}

impl Flavor {
    /// The placeholder solution's folder name.
    pub(super) fn solution(self) -> &'static str {
        match self {
            Flavor::Threads => "fetch-add",
            Flavor::Async => "add-after-the-await",
        }
    }
}

/// A crate's `Cargo.toml` as a document: the package, the lab's facade as its one
/// dependency (at `facade`, relative to the crate), and the `cfg` names the backends
/// use declared. `named_lib`: name the library, so that cargo still loads the
/// workspace when the student deletes the file.
fn crate_manifest(package: &str, description: &str, facade: &str, named_lib: bool) -> String {
    let mut document = DocumentMut::new();
    let mut package_table = Table::new();
    package_table.insert("name", value(package));
    package_table.insert("description", value(description));
    package_table.insert("version", value("0.1.0"));
    package_table.insert("edition", value("2024"));
    package_table.insert("publish", value(false));
    document.insert("package", Item::Table(package_table));
    if named_lib {
        let mut lib = Table::new();
        lib.insert("path", value("src/lib.rs"));
        lib.decor_mut().set_prefix(
            "\n# Named, so that cargo still loads the workspace when this file is deleted.\n",
        );
        document.insert("lib", Item::Table(lib));
    }
    let mut facade_dependency = InlineTable::new();
    facade_dependency.insert("path", facade.into());
    let mut dependencies = Table::new();
    dependencies.insert("racelab-sync", value(facade_dependency));
    if named_lib {
        dependencies.decor_mut().set_prefix(
            "\n# Threads, locks, atomics and shared cells come from the lab's facade, so the grader\n\
             # can run this crate under loom, shuttle and real threads without changes.\n",
        );
    } else {
        dependencies.decor_mut().set_prefix("\n");
    }
    document.insert("dependencies", Item::Table(dependencies));
    let mut check_cfg = Array::new();
    check_cfg.push("cfg(loom)");
    check_cfg.push("cfg(shuttle)");
    let mut unexpected_cfgs = InlineTable::new();
    unexpected_cfgs.insert("level", "warn".into());
    unexpected_cfgs.insert("check-cfg", check_cfg.into());
    let mut rust = Table::new();
    rust.insert("unexpected_cfgs", value(unexpected_cfgs));
    rust.decor_mut().set_prefix("\n");
    let mut lints = Table::new();
    lints.set_implicit(true);
    lints.insert("rust", Item::Table(rust));
    document.insert("lints", Item::Table(lints));
    document.to_string()
}

pub(super) fn exercise_manifest(name: &str, number: u32) -> String {
    crate_manifest(
        name,
        &format!("Exercise {number}: {PLACEHOLDER} one line on what goes wrong."),
        "../../sync",
        true,
    )
}

pub(super) fn solution_manifest(id: &str, number: u32, flavor: Flavor) -> String {
    let solution = flavor.solution();
    crate_manifest(
        &format!("{id}-solution-{solution}"),
        &format!("A reference fix for exercise {number}: {solution}."),
        "../../../sync",
        false,
    )
}

pub(super) fn exercise_lib(id: &str, flavor: Flavor) -> String {
    if flavor == Flavor::Async {
        return async_exercise_lib(id);
    }
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

pub(super) fn solution_lib(id: &str, flavor: Flavor) -> String {
    if flavor == Flavor::Async {
        return async_solution_lib(id);
    }
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

pub(super) fn scenario_file(id: &str, flavor: Flavor) -> String {
    if flavor == Flavor::Async {
        return async_scenario_file(id);
    }
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

/// [`exercise_lib`] for async tasks: the total read before an `.await`, written after.
fn async_exercise_lib(id: &str) -> String {
    format!(
        r#"//! {PLACEHOLDER}: the exercise's story in two lines, what the student sees go wrong,
//! and "Read `README.md` beside this file first: it says what you may change."
//!
//! The placeholder below is a counter that loses updates across an `.await`; replace
//! it with the exercise's own code, keeping the API the scenario in
//! `grader/scenarios/{id}_*.rs` uses.

use racelab_sync::sync::Mutex;
use racelab_sync::task;

/// {PLACEHOLDER}: what the shared object is for.
#[derive(Debug)]
pub struct Counter {{
    total: Mutex<u64>,
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
            total: Mutex::new(0),
        }}
    }}

    /// Adds `amount` to the total. The bug: the total is read before an `.await` and
    /// written after it, so another task that runs at the await reads the same total
    /// and one addition is lost, even on one thread.
    pub async fn add(&self, amount: u64) {{
        let seen = *self.total.lock().unwrap();
        // {PLACEHOLDER}: the call to another service the story awaits.
        task::yield_now().await;
        *self.total.lock().unwrap() = seen + amount;
    }}

    /// The total, read after every task has finished.
    pub fn total(&self) -> u64 {{
        *self.total.lock().unwrap()
    }}
}}
"#
    )
}

/// [`solution_lib`] for async tasks: the await first, then the addition in one step.
fn async_solution_lib(id: &str) -> String {
    format!(
        r#"//! Fix A for {id}: the `.await` first, then the total read and written under one
//! lock, with no `.await` between them.
//!
//! {PLACEHOLDER}: when this fix is the right choice, and what it costs.

use racelab_sync::sync::Mutex;
use racelab_sync::task;

/// A counter whose additions are never lost.
#[derive(Debug)]
pub struct Counter {{
    total: Mutex<u64>,
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
            total: Mutex::new(0),
        }}
    }}

    /// Adds `amount` to the total once the await is over, in one step no other task
    /// can come between.
    pub async fn add(&self, amount: u64) {{
        task::yield_now().await;
        *self.total.lock().unwrap() += amount;
    }}

    /// The total, read after every task has finished.
    pub fn total(&self) -> u64 {{
        *self.total.lock().unwrap()
    }}
}}
"#
    )
}

/// [`scenario_file`] for async tasks: the workers are tasks on one executor.
fn async_scenario_file(id: &str) -> String {
    format!(
        r#"//! {id} — {PLACEHOLDER}: the scenario in one line.
//!
//! `size.workers` tasks each add `size.ops` amounts to one shared counter; once all
//! have finished, the total must equal the sum of every amount added.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom (a thread per task), shuttle (its executor), ThreadSanitizer
//! and stress (the lab's one-thread executor) run this same code.

use racelab_harness::{{Outcome, Size}};
use racelab_sync::sync::Arc;
use racelab_sync::task;
use subject::Counter;

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {{
    let counter = Arc::new(Counter::new());
    task::block_on({{
        let counter = Arc::clone(&counter);
        async move {{
            let workers: Vec<_> = (0..size.workers)
                .map(|_| {{
                    let counter = Arc::clone(&counter);
                    task::spawn(async move {{
                        for _ in 0..size.ops {{
                            counter.add(1).await;
                        }}
                    }})
                }})
                .collect();
            for worker in workers {{
                worker.await;
            }}
        }}
    }});
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

pub(super) fn readme(id: &str, title: &str, flavor: Flavor) -> String {
    let (add, runs_on, facade) = match flavor {
        Flavor::Threads => (
            "Counter::add(&self, amount: u64)",
            "thread",
            "threads, locks, atomics and cells",
        ),
        Flavor::Async => (
            "Counter::add(&self, amount: u64).await",
            "task",
            "tasks, locks, atomics and cells",
        ),
    };
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
{add}
Counter::total(&self) -> u64        // read after every {runs_on} has finished
```

Use {facade} from `racelab_sync` (the lab's facade, which
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

/// A table of `key = value` pairs, in order.
fn table_of(pairs: &[(&str, Value)]) -> Table {
    let mut table = Table::new();
    for (key, item) in pairs {
        table.insert(key, Item::Value(item.clone()));
    }
    table
}

/// A comment line before the table `table` in the document.
fn commented(mut table: Table, comment: &str) -> Table {
    let prefix: String = comment.lines().map(|line| format!("# {line}\n")).collect();
    table.decor_mut().set_prefix(format!("\n{prefix}"));
    table
}

/// The new exercise's `[[exercises]]` entry for `grader/exercises.toml`: the
/// placeholder's hint, stage sizes, witness and claims, each spot the author must
/// write marked [`PLACEHOLDER`].
pub(super) fn manifest_entry(id: &str, name: &str, title: &str, flavor: Flavor) -> Table {
    let mut entry = table_of(&[
        ("id", id.into()),
        ("name", name.into()),
        ("title", title.into()),
    ]);
    entry.decor_mut().set_prefix("\n");
    let hint = table_of(&[
        (
            "text",
            format!(
                "{PLACEHOLDER}: a first hint that says where to look, without giving the fix away."
            )
            .into(),
        ),
        ("fix", "none".into()),
    ]);
    let mut hints = ArrayOfTables::new();
    hints.push(commented(
        hint,
        "`dir`, `scenario` and `solutions` are derived from `name`.",
    ));
    entry.insert("hints", Item::ArrayOfTables(hints));

    let number = |n: i64| Value::from(n);
    let loom = commented(
        table_of(&[
            ("workers", number(2)),
            ("ops", number(2)),
            ("preemption_bound", number(3)),
            ("max_branches", number(10_000)),
            ("reference_ms", number(100)),
        ]),
        &format!(
            "{PLACEHOLDER}: what the reference solutions take in each stage, measured (see\n\
             ARCHITECTURE.md, \"Adding an exercise\"); the default time limits are sized from it."
        ),
    );
    let shuttle = table_of(&[
        ("workers", number(3)),
        ("ops", number(2)),
        ("seed", number(20_261_126)),
        ("iterations", number(1000)),
        ("depth", number(3)),
        ("reference_ms", number(500)),
    ]);
    let stress = table_of(&[
        ("workers", number(4)),
        ("ops", number(10_000)),
        ("rounds", number(20)),
        ("reference_ms", number(1000)),
    ]);
    let tsan = table_of(&[
        ("workers", number(2)),
        ("ops", number(100)),
        ("rounds", number(1)),
        ("reference_ms", number(1000)),
    ]);
    let mut stages = Table::new();
    stages.set_implicit(true);
    for (stage, mut sizes) in [
        ("loom", loom),
        ("shuttle", shuttle),
        ("stress", stress),
        ("tsan", tsan),
    ] {
        if sizes.decor().prefix().is_none() {
            sizes.decor_mut().set_prefix("\n");
        }
        stages.insert(stage, Item::Table(sizes));
    }
    entry.insert("stages", Item::Table(stages));

    let mut covered_by = Array::new();
    covered_by.push("loom");
    covered_by.push("shuttle");
    let witness = commented(
        table_of(&[
            (
                "bug",
                match flavor {
                    Flavor::Threads => "the read and the write of the total in two steps",
                    Flavor::Async => "the total read before an await and written after it",
                }
                .into(),
            ),
            ("needs", "two workers, one update each".into()),
            ("workers", number(2)),
            ("ops", number(1)),
            ("covered_by", covered_by.clone().into()),
        ]),
        &format!(
            "{PLACEHOLDER}: the smallest input that shows the bug, one table per bug (the\n\
             shipped one and each tempting wrong fix), and the stages whose scenario holds it."
        ),
    );
    let mut witnesses = ArrayOfTables::new();
    witnesses.push(witness);
    entry.insert("witnesses", Item::ArrayOfTables(witnesses));

    let mut shipped = table_of(&[("caught_by", covered_by.into())]);
    shipped.decor_mut().set_prefix("\n");
    let mut blind = table_of(&[
        (
            "stress",
            format!(
                "{PLACEHOLDER}: measure it (docs/detection-rates.md) before claiming stress catches it."
            )
            .into(),
        ),
        (
            "tsan",
            match flavor {
                Flavor::Threads => {
                    "Atomic loads and stores are not data races, and ThreadSanitizer reports only data races."
                }
                Flavor::Async => {
                    "The tasks run on one thread under std, and every access holds the lock: there is no data race to report."
                }
            }
            .into(),
        ),
    ]);
    blind.decor_mut().set_prefix("\n");
    shipped.insert("blind", Item::Table(blind));
    entry.insert("shipped", Item::Table(shipped));
    entry
}
