//! What a subject may use: a policy on its parsed source, checked before anything is
//! built or run.
//!
//! Every `.rs` file under the subject's `src/` is parsed with `syn`. `use` trees are
//! resolved (aliases, groups, globs, `self`/`super`/`crate`, `extern crate … as …`,
//! leading `::`), so a renamed import is judged by what it names; every path in
//! expressions, types, patterns, attributes and macros is judged against an
//! allow-list ([`allow`]); the tokens inside macro invocations and `macro_rules!`
//! bodies are scanned too ([`tokens`]), so a macro cannot assemble what the source
//! may not write. What is not allowed is a [`Refusal`], naming its `file:line`, the
//! [`Rule`] it breaks, and what to use instead.
//!
//! A file `syn` cannot parse is not refused for that (the build reports the compile
//! error); its tokens are still scanned.

mod allow;
mod ast;
mod paths;
mod tells;
mod test_only;
mod tokens;

pub use crate::manifest::Policy;
use std::fmt;
use std::path::{Path, PathBuf};

/// A rule of the policy, by its kebab-case id (shown in refusals and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `std`/`core`/`alloc` `sync`, `thread`, `cell` or `rc`, which the explorers
    /// cannot see: the facade's `racelab_sync::…` is the way.
    FacadeBypass,
    /// Any other path outside the allow-list (files, processes, the environment, …).
    ForbiddenModule,
    /// `unsafe` anything, except `unsafe impl Send`/`Sync for …`.
    UnsafeCode,
    /// Raw pointer types and `&raw const`/`&raw mut`.
    RawPointer,
    /// `extern` blocks and functions, exported symbols, inline assembly.
    ForeignCode,
    /// `include!`-style macros, `env!`, `option_env!`, `#[path]`.
    BuildInput,
    /// Code that names `loom` or `shuttle`, such as `cfg(loom)`, or a backend's
    /// feature (`cfg(feature = "loom")`), however it is made.
    BackendCfg,
    /// Code that reads or compares addresses (`{:p}`, `as_ptr`, `addr`, `ptr_eq`,
    /// `std::ptr`, `fn` pointers), which differ between the explorers and real threads.
    AddressObservation,
    /// Code that reads a type's size or alignment (`size_of`, `align_of`): the
    /// facade's are the same in every backend, and no fix needs one.
    LayoutObservation,
    /// Parts of the facade a subject has no business with.
    FacadeInternals,
    /// A symlink, or a file that cannot be read, under `src/`.
    SourceLayout,
}

impl Rule {
    /// Every rule, in the order the README lists them.
    pub const ALL: [Rule; 11] = [
        Rule::FacadeBypass,
        Rule::ForbiddenModule,
        Rule::UnsafeCode,
        Rule::RawPointer,
        Rule::ForeignCode,
        Rule::BuildInput,
        Rule::BackendCfg,
        Rule::AddressObservation,
        Rule::LayoutObservation,
        Rule::FacadeInternals,
        Rule::SourceLayout,
    ];

    /// The rule's id, e.g. `facade-bypass`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::FacadeBypass => "facade-bypass",
            Rule::ForbiddenModule => "forbidden-module",
            Rule::UnsafeCode => "unsafe-code",
            Rule::RawPointer => "raw-pointer",
            Rule::ForeignCode => "foreign-code",
            Rule::BuildInput => "build-input",
            Rule::BackendCfg => "backend-cfg",
            Rule::AddressObservation => "address-observation",
            Rule::LayoutObservation => "layout-observation",
            Rule::FacadeInternals => "facade-internals",
            Rule::SourceLayout => "source-layout",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One thing the policy refuses, where it is, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    /// The file, relative to the subject's folder (`src/lib.rs`).
    pub file: PathBuf,
    /// The line, from 1 (0 when the refusal is about the file as a whole).
    pub line: usize,
    /// The rule it breaks.
    pub rule: Rule,
    /// What is wrong and why, e.g. "`std::fs::write` is not allowed here: it touches files, …".
    pub what: String,
    /// What to do instead, e.g. "use `racelab_sync::sync::Mutex` instead".
    pub instead: String,
}

impl fmt::Display for Refusal {
    /// `src/lib.rs:12: [forbidden-module] `std::fs::write` is not allowed here: …; use … instead`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file: Vec<_> = self
            .file
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        write!(
            f,
            "{}:{}: [{}] {}; {}",
            file.join("/"),
            self.line,
            self.rule,
            self.what,
            self.instead
        )
    }
}

/// A refusal before it is given its file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    line: usize,
    rule: Rule,
    what: String,
    instead: String,
}

impl Finding {
    fn new(line: usize, rule: Rule, what: impl Into<String>, instead: impl Into<String>) -> Self {
        Finding {
            line,
            rule,
            what: what.into(),
            instead: instead.into(),
        }
    }
}

/// Files larger than this are refused unread: no source of a fix comes near it, and
/// the parser's recursion grows with what a file nests.
const MAX_FILE_BYTES: u64 = 128 << 10;
/// Entries under `src/` past this many are refused.
const MAX_ENTRIES: usize = 1000;
/// Folders nested deeper than this under `src/` are refused.
const MAX_DEPTH: usize = 16;
/// The stack of the thread that parses: deep but bounded nesting fits in it.
const PARSER_STACK_BYTES: usize = 512 << 20;

/// Checks every `.rs` file under `src_dir` (a subject's `src/`) against the policy,
/// with the exercise's `[exercises.policy]` (paths such as
/// `std::sync::atomic::Ordering` allowed as well, `unsafe impl Send`/`Sync` refused
/// too) applied. Returns the refusals, by file and line; empty when the subject may
/// be graded.
pub fn check(src_dir: &Path, policy: &Policy) -> Vec<Refusal> {
    // Parsing recurses as deep as the source nests: give it a stack of its own, and
    // fall back to this thread if none can be had.
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("policy".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || check_here(src_dir, policy));
        match spawned {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => check_here(src_dir, policy),
        }
    })
}

fn check_here(src_dir: &Path, policy: &Policy) -> Vec<Refusal> {
    let base = src_dir.parent().unwrap_or(src_dir);
    let relative = |path: &Path| path.strip_prefix(base).unwrap_or(path).to_owned();
    let (sources, mut refusals) = read_sources(src_dir, &relative);
    let allow = allow::AllowList::of(policy);
    let crate_wide = ast::Crate::collect(&sources);
    for (index, source) in sources.iter().enumerate() {
        for finding in crate_wide.judge(index, &allow) {
            refusals.push(Refusal {
                file: source.path.clone(),
                line: finding.line,
                rule: finding.rule,
                what: finding.what,
                instead: finding.instead,
            });
        }
    }
    refusals.sort();
    refusals.dedup();
    refusals
}

/// One source file: its path relative to the subject, and its text.
struct Source {
    path: PathBuf,
    text: String,
}

/// Reads every `.rs` file under `src_dir`, without following symlinks; what cannot be
/// read (a symlink, an unreadable or oversized file) is a `source-layout` refusal.
fn read_sources(
    src_dir: &Path,
    relative: &dyn Fn(&Path) -> PathBuf,
) -> (Vec<Source>, Vec<Refusal>) {
    let mut sources = Vec::new();
    let mut refusals = Vec::new();
    let mut refuse = |path: &Path, what: String, instead: &str| {
        refusals.push(Refusal {
            file: relative(path),
            line: 0,
            rule: Rule::SourceLayout,
            what,
            instead: instead.into(),
        });
    };
    let walk = walkdir::WalkDir::new(src_dir)
        .follow_links(false)
        .follow_root_links(false)
        .max_depth(MAX_DEPTH + 1)
        .sort_by_file_name();
    for (count, entry) in walk.into_iter().enumerate() {
        if count > MAX_ENTRIES {
            refuse(
                src_dir,
                format!("`src/` holds more than {MAX_ENTRIES} files and folders"),
                "keep only the crate's sources in `src/`",
            );
            break;
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(src_dir).to_owned();
                refuse(
                    &path,
                    format!("cannot be read: {e}"),
                    "make every file and folder under `src/` readable",
                );
                continue;
            }
        };
        let path = entry.path();
        if entry.depth() > MAX_DEPTH {
            refuse(
                path,
                format!("is nested more than {MAX_DEPTH} folders deep under `src/`"),
                "keep the crate's modules fewer folders deep",
            );
        } else if entry.path_is_symlink() {
            refuse(
                path,
                "is a symlink: the grader reads and compiles only real files under `src/`, and never follows links".into(),
                "replace it with the file itself",
            );
        } else if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "rs") {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_FILE_BYTES {
                refuse(
                    path,
                    format!(
                        "is {size} bytes, more than a source file of the lab may be ({MAX_FILE_BYTES})"
                    ),
                    "split it, or remove what the fix does not need",
                );
                continue;
            }
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push(Source {
                    path: relative(path),
                    text,
                }),
                Err(e) => refuse(
                    path,
                    format!("cannot be read as UTF-8 text: {e}"),
                    "make it a readable UTF-8 file",
                ),
            }
        }
    }
    (sources, refusals)
}

#[cfg(test)]
mod tests;
