//! Concurrency mutants: a reference solution broken in one small way a programmer
//! could break it, to measure which detectors notice (`cargo xtask dev mutants`).
//!
//! Each [`Operator`] finds its sites on the parsed source (syn) and writes each
//! mutant as the original text with one edit at the span's byte range, so the
//! mutant's diff is one small hunk and the rest of the file keeps its layout. The
//! operators follow ConMAn's bug patterns for concurrent Java (Bradbury, Cordy and
//! Dingel, 2006), translated to Rust's atomics, guards and condition variables, and
//! one file holds each. [`run`] grades an exercise's mutants as a batch and
//! [`results`] classifies, scores and records them.

mod compare_exchange_weak;
mod get_then_set;
mod notify_all_to_one;
mod notify_early;
mod publish_early;
mod remove_fence;
mod remove_join;
mod remove_recheck;

mod rmw_to_load_store;

mod records;
pub mod results;
pub mod run;
mod split_across_await;
mod split_critical_section;
mod split_locked_update;
mod swap_lock_order;
mod syntax;
mod wait_while_to_wait;
mod weaken_ordering;
mod while_to_if;

pub use records::stale_records;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use syntax::Nodes;

/// A way to break concurrent code, by its id on the wire (`weaken-ordering`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operator {
    /// One step weaker memory ordering at one site.
    WeakenOrdering,
    /// A fence removed.
    RemoveFence,
    /// An atomic read-modify-write done as a load, then a store.
    RmwToLoadStore,
    /// A strong compare-exchange made weak (it may fail spuriously).
    CompareExchangeWeak,
    /// A guard dropped and the lock taken again between two statements.
    SplitCriticalSection,
    /// `*lock() += x` as a read under one acquisition and a write under another.
    SplitLockedUpdate,
    /// The second of two locks taken first.
    SwapLockOrder,
    /// The loop around a condition variable's wait made a single check.
    WhileToIf,
    /// `wait_while` made one `wait`, with no check of the condition.
    WaitWhileToWait,
    /// A notification moved before the state change it announces.
    NotifyEarly,
    /// `notify_all` made `notify_one`.
    NotifyAllToOne,
    /// A thread's `join` removed.
    RemoveJoin,
    /// `OnceLock::get_or_init` as a `get`, then an initialisation and a `set`.
    GetThenSet,
    /// A releasing store moved before the write it publishes.
    PublishEarly,
    /// In an `async fn`, a guard dropped, an `.await`, and the lock taken again.
    SplitAcrossAwait,
    /// In an `async fn`, an early-return check after an `.await` removed.
    RemoveRecheck,
}

impl Operator {
    /// Every operator, in the order their mutants are made.
    pub const ALL: [Operator; 16] = [
        Operator::WeakenOrdering,
        Operator::RemoveFence,
        Operator::RmwToLoadStore,
        Operator::CompareExchangeWeak,
        Operator::SplitCriticalSection,
        Operator::SplitLockedUpdate,
        Operator::SwapLockOrder,
        Operator::WhileToIf,
        Operator::WaitWhileToWait,
        Operator::NotifyEarly,
        Operator::NotifyAllToOne,
        Operator::RemoveJoin,
        Operator::GetThenSet,
        Operator::PublishEarly,
        Operator::SplitAcrossAwait,
        Operator::RemoveRecheck,
    ];

    /// Its id in the manifest, the results and mutant names.
    pub fn id(self) -> &'static str {
        match self {
            Operator::WeakenOrdering => "weaken-ordering",
            Operator::RemoveFence => "remove-fence",
            Operator::RmwToLoadStore => "rmw-to-load-store",
            Operator::CompareExchangeWeak => "compare-exchange-weak",
            Operator::SplitCriticalSection => "split-critical-section",
            Operator::SplitLockedUpdate => "split-locked-update",
            Operator::SwapLockOrder => "swap-lock-order",
            Operator::WhileToIf => "while-to-if",
            Operator::WaitWhileToWait => "wait-while-to-wait",
            Operator::NotifyEarly => "notify-early",
            Operator::NotifyAllToOne => "notify-all-to-one",
            Operator::RemoveJoin => "remove-join",
            Operator::GetThenSet => "get-then-set",
            Operator::PublishEarly => "publish-early",
            Operator::SplitAcrossAwait => "split-across-await",
            Operator::RemoveRecheck => "remove-recheck",
        }
    }

    /// What it does, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Operator::WeakenOrdering => {
                "an atomic's ordering one step weaker (SeqCst → AcqRel/Release/Acquire as the operation allows → Relaxed)"
            }
            Operator::RemoveFence => "a `fence(…)` statement removed",
            Operator::RmwToLoadStore => {
                "`fetch_*`, `swap`, `compare_exchange` or `fetch_update` done as a load, then a store"
            }
            Operator::CompareExchangeWeak => {
                "`compare_exchange` → `compare_exchange_weak`, which may fail spuriously"
            }
            Operator::SplitCriticalSection => {
                "after a statement under a guard: `drop(guard)`, then the lock taken again"
            }
            Operator::SplitLockedUpdate => {
                "`*m.lock() op= x` → read under one acquisition, write under another"
            }
            Operator::SwapLockOrder => {
                "of two locks taken one after the other, the second taken first"
            }
            Operator::WhileToIf => "`while` → `if` around a condition variable's `wait`",
            Operator::WaitWhileToWait => "`wait_while(guard, condition)` → one `wait(guard)`",
            Operator::NotifyEarly => "`notify_*` moved before the statement that changes the state",
            Operator::NotifyAllToOne => "`notify_all` → `notify_one`",
            Operator::RemoveJoin => "a statement that joins a thread removed",
            Operator::GetThenSet => {
                "`OnceLock::get_or_init(f)` → `get`, else `set(f())`, then `get`"
            }
            Operator::PublishEarly => {
                "a `store(…, Release | SeqCst)` moved before the statement it publishes"
            }
            Operator::SplitAcrossAwait => {
                "in an `async fn`, after a statement under a guard: `drop(guard)`, an `.await`, then the lock taken again"
            }
            Operator::RemoveRecheck => {
                "in an `async fn`, an `if … { return …; }` check after an `.await` removed"
            }
        }
    }

    /// Each of its mutants of `source` (parsed as `nodes`): the edits that make it.
    fn sites(self, nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
        match self {
            Operator::WeakenOrdering => weaken_ordering::sites(nodes),
            Operator::RemoveFence => remove_fence::sites(nodes),
            Operator::RmwToLoadStore => rmw_to_load_store::sites(nodes),
            Operator::CompareExchangeWeak => compare_exchange_weak::sites(nodes),
            Operator::SplitCriticalSection => split_critical_section::sites(nodes),
            Operator::SplitLockedUpdate => split_locked_update::sites(nodes),
            Operator::SwapLockOrder => swap_lock_order::sites(nodes),
            Operator::WhileToIf => while_to_if::sites(nodes),
            Operator::WaitWhileToWait => wait_while_to_wait::sites(nodes),
            Operator::NotifyEarly => notify_early::sites(nodes),
            Operator::NotifyAllToOne => notify_all_to_one::sites(nodes),
            Operator::RemoveJoin => remove_join::sites(nodes),
            Operator::GetThenSet => get_then_set::sites(nodes),
            Operator::PublishEarly => publish_early::sites(nodes),
            Operator::SplitAcrossAwait => split_across_await::sites(nodes),
            Operator::RemoveRecheck => remove_recheck::sites(nodes),
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

impl FromStr for Operator {
    type Err = String;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        Operator::ALL
            .into_iter()
            .find(|op| op.id() == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = Operator::ALL.iter().map(|op| op.id()).collect();
                format!("no mutation operator `{id}`: one of {}", ids.join(", "))
            })
    }
}

/// Where a mutant's first edit is in the original source: 1-based line and column
/// (in characters), written `12:9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Site {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
}

impl Site {
    /// The site of byte `offset` in `source`.
    fn of(source: &str, offset: usize) -> Site {
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Site {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}:{}", self.line, self.column))
    }
}

impl FromStr for Site {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("site \"{text}\" is not `line:column`, e.g. `42:9`");
        let (line, column) = text.split_once(':').ok_or_else(bad)?;
        let number = |n: &str| n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(bad);
        Ok(Site {
            line: number(line)?,
            column: number(column)?,
        })
    }
}

impl TryFrom<String> for Site {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Site> for String {
    fn from(site: Site) -> String {
        site.to_string()
    }
}

/// One replacement in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    /// The bytes replaced.
    range: Range<usize>,
    /// What replaces them.
    text: String,
}

impl Edit {
    fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

/// One mutant of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// What broke it.
    pub operator: Operator,
    /// Where (its first edit).
    pub site: Site,
    /// The mutated source.
    pub source: String,
}

/// Every mutant of `source` by every operator, in [`Operator::ALL`]'s order, then in
/// the order of their sites. Errs when `source` does not parse.
pub fn mutants(source: &str) -> Result<Vec<Mutant>, syn::Error> {
    let file = syn::parse_file(source)?;
    let nodes = Nodes::of(&file, source);
    let mut found = Vec::new();
    for operator in Operator::ALL {
        let mut sites = operator.sites(&nodes);
        for edits in &mut sites {
            edits.sort_by_key(|edit| edit.range.start);
        }
        sites.sort_by_key(|edits| edits.first().map(|edit| edit.range.start));
        for edits in sites {
            let Some(first) = edits.first() else { continue };
            // A removed line's site is its statement, not its indentation.
            let replaced = &source[first.range.clone()];
            let site = Site::of(
                source,
                first.range.start + replaced.len() - replaced.trim_start().len(),
            );
            let mut mutated = source.to_owned();
            for edit in edits.iter().rev() {
                mutated.replace_range(edit.range.clone(), &edit.text);
            }
            if mutated != source {
                found.push(Mutant {
                    operator,
                    site,
                    source: mutated,
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{Operator, Site, mutants};

    /// The mutants `operator` makes of `source`: each as its site and text, checked
    /// to parse.
    pub(super) fn made(operator: Operator, source: &str) -> Vec<(String, String)> {
        mutants(source)
            .expect("the test's source parses")
            .into_iter()
            .filter(|m| m.operator == operator)
            .map(|m| {
                if let Err(e) = syn::parse_file(&m.source) {
                    panic!(
                        "{operator} wrote a mutant that does not parse ({e}):\n{}",
                        m.source
                    );
                }
                (m.site.to_string(), m.source)
            })
            .collect()
    }

    #[test]
    fn every_id_reads_back_and_matches_serde() {
        for operator in Operator::ALL {
            assert_eq!(operator.id().parse::<Operator>(), Ok(operator));
            let wire = toml::Value::try_from(operator).unwrap();
            assert_eq!(wire.as_str(), Some(operator.id()));
            assert!(!operator.description().contains('\n'));
        }
        assert!(
            "weaken"
                .parse::<Operator>()
                .unwrap_err()
                .contains("weaken-ordering")
        );
    }

    #[test]
    fn a_site_is_line_and_column_in_characters() {
        assert_eq!(Site::of("ab\n€x", 6), Site { line: 2, column: 2 });
        assert_eq!("12:9".parse::<Site>().unwrap().to_string(), "12:9");
        for bad in ["12", "0:1", "a:b", "1:"] {
            assert!(bad.parse::<Site>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_source_that_does_not_parse_is_an_error() {
        assert!(mutants("fn f( {").is_err());
    }
}
