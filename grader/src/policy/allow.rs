//! The allow-list: which paths, macros and attributes a subject may name, and for
//! everything else the rule it breaks, why, and what to use instead.
//!
//! Paths come here resolved (see [`super::paths`]): rooted at a crate, `std`, `core`,
//! `alloc` or `racelab_sync`.
//!
//! Longer than most files here, on purpose: it is the list itself, one entry per
//! module, macro or attribute with its wording, kept in one place so that what a
//! student may use can be read top to bottom (README's table is written from it).

use super::Rule;

/// Why a path, macro or attribute is refused: the rule, what is wrong, what instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Objection {
    pub rule: Rule,
    pub what: String,
    pub instead: String,
}

impl Objection {
    fn new(rule: Rule, what: String, instead: impl Into<String>) -> Self {
        Objection {
            rule,
            what,
            instead: instead.into(),
        }
    }
}

/// The crates a subject can name: the standard library's three and the facade.
pub(super) const ROOTS: [&str; 4] = ["std", "core", "alloc", "racelab_sync"];
/// The standard library's crates.
const STD: [&str; 3] = ["std", "core", "alloc"];

/// Modules of `std`/`core`/`alloc` a fix may use whole.
const STD_MODULES: [&str; 38] = [
    "collections",
    "cmp",
    "ops",
    "iter",
    "fmt",
    "hint",
    "num",
    "option",
    "result",
    "string",
    "vec",
    "boxed",
    "borrow",
    "convert",
    "default",
    "hash",
    "marker",
    "clone",
    "array",
    "slice",
    "str",
    "char",
    "error",
    "primitive",
    // The primitive types' old modules, for their constants (`std::f64::consts::PI`).
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
];
/// Items of modules a fix may use only in part.
const STD_ITEMS: [(&str, &[&str]); 3] = [
    ("mem", &["swap", "replace", "take", "drop"]),
    ("time", &["Duration"]),
    ("prelude", &[]),
];
/// The errors of std's locking API, which the facade's `Mutex::lock` returns too.
const SYNC_ERRORS: [&str; 4] = ["LockResult", "PoisonError", "TryLockError", "TryLockResult"];
/// Macros for formatting, printing, asserting and building values.
pub(super) const MACROS: [&str; 28] = [
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "write",
    "writeln",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "vec",
    "matches",
    "unreachable",
    "todo",
    "unimplemented",
    "concat",
    "stringify",
    "line",
    "column",
    "file",
    "module_path",
    "compile_error",
    "cfg",
];

/// What the facade exports to subjects, by module (`racelab_sync::sync::atomic` as `sync::atomic`).
pub(super) const FACADE: [(&str, &[&str]); 6] = [
    ("thread", &["spawn", "JoinHandle", "yield_now"]),
    // The async tasks of ex08-ex10.
    (
        "task",
        &[
            "block_on",
            "spawn",
            "JoinHandle",
            "yield_now",
            "YieldNow",
            "select",
            "Select",
            "Either",
        ],
    ),
    (
        "sync",
        &[
            "Arc",
            "Mutex",
            "MutexGuard",
            "Condvar",
            "LockResult",
            "PoisonError",
            "TryLockError",
            "TryLockResult",
            "OnceLock",
            "RwLock",
            "RwLockReadGuard",
            "RwLockWriteGuard",
            "AsyncMutex",
            "AsyncMutexGuard",
            "Lock",
        ],
    ),
    (
        "sync::atomic",
        &[
            "AtomicBool",
            "AtomicI64",
            "AtomicU32",
            "AtomicU64",
            "AtomicUsize",
            "Ordering",
            "fence",
        ],
    ),
    (
        "sync::oneshot",
        &["channel", "Sender", "Receiver", "RecvError"],
    ),
    ("cell", &["SharedCell"]),
];
/// Facade items that are the grader's own switches, though their module is allowed.
const FACADE_SWITCHES: [&str; 1] = ["racelab_sync::cell::track_races"];

/// Attributes a subject may write (by their path).
const ATTRIBUTES: [&str; 23] = [
    "derive",
    "default",
    "doc",
    "test",
    "cfg",
    "cfg_attr",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "must_use",
    "inline",
    "cold",
    "track_caller",
    "non_exhaustive",
    "repr",
    "deprecated",
    "should_panic",
    "ignore",
    "automatically_derived",
    "macro_export",
    "macro_use",
];
/// Tools whose attributes (`#[clippy::…]`) are only lints and hints.
const ATTRIBUTE_TOOLS: [&str; 3] = ["rustfmt", "clippy", "diagnostic"];
/// Attributes that export symbols, link, or replace the runtime's own.
const FOREIGN_ATTRIBUTES: [&str; 10] = [
    "no_mangle",
    "export_name",
    "link_section",
    "used",
    "link",
    "link_name",
    "link_ordinal",
    "linkage",
    "global_allocator",
    "panic_handler",
];

const INSTEAD_SAFE: &str = "write the fix in safe Rust with the facade's `Mutex`, atomics or `SharedCell` instead (`unsafe impl Send`/`Sync for …` is the one `unsafe` allowed)";
const INSTEAD_FOREIGN: &str = "write the fix in Rust with the facade's types instead";
const INSTEAD_BUILD: &str =
    "write the code in the crate's `src/` files instead (a `mod name;` without `#[path]`)";
const INSTEAD_LISTED: &str = "remove it: README's \"What a subject may use\" lists what a fix may name, and an instructor can allow more for an exercise";
const WHY_FOREIGN: &str = "foreign and exported code runs outside the detectors' view, and can replace ThreadSanitizer's or the runner's own symbols";
const WHY_BUILD: &str = "the grader compiles only the sources under `src/`, and a build that reads other files or the environment is not the code that was graded";

/// The allow-list, with an exercise's additions.
#[derive(Debug, Clone, Default)]
pub(super) struct AllowList {
    extra: Vec<Vec<String>>,
    /// Whether `unsafe impl Send`/`Sync` is refused too.
    forbid_unsafe_impls: bool,
}

/// `a::b::c` as its segments.
pub(super) fn segments(path: &str) -> Vec<String> {
    path.split("::").map(|s| s.trim().to_owned()).collect()
}

fn starts_with(path: &[String], prefix: &[String]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

impl AllowList {
    /// The built-in list, plus `extra` (paths allowed with everything below them).
    pub fn new(extra: &[String]) -> Self {
        AllowList {
            extra: extra.iter().map(|p| segments(p)).collect(),
            forbid_unsafe_impls: false,
        }
    }

    /// The list an exercise's `[exercises.policy]` makes.
    pub fn of(policy: &crate::manifest::Policy) -> Self {
        AllowList {
            forbid_unsafe_impls: policy.forbid_unsafe_impls,
            ..AllowList::new(&policy.allow)
        }
    }

    /// Whether `unsafe impl Send`/`Sync` is allowed (everywhere but where an exercise
    /// forbids it).
    pub fn allows_unsafe_marker_impls(&self) -> bool {
        !self.forbid_unsafe_impls
    }

    /// Whether an exercise allows `path`, or something below it (a module one of its
    /// items is imported through).
    fn extra_allows(&self, path: &[String]) -> bool {
        self.extra
            .iter()
            .any(|entry| starts_with(path, entry) || starts_with(entry, path))
    }

    /// Judges a resolved path, as written `written` (for the message).
    pub fn judge_path(&self, path: &[String], written: &str) -> Option<Objection> {
        if self.extra_allows(path) {
            return None;
        }
        let shown = shown(path, written, "");
        let root = path.first()?.as_str();
        let Some(module) = path.get(1).map(String::as_str) else {
            // A crate itself (`use std;`): what is reached through it is judged.
            return (!ROOTS.contains(&root)).then(|| foreign_crate(&shown, root));
        };
        if root == "racelab_sync" {
            return facade_path(path, &shown);
        }
        if !STD.contains(&root) {
            return Some(foreign_crate(&shown, root));
        }
        let item = path.get(2).map(String::as_str);
        if module == "sync" && item.is_some_and(|item| SYNC_ERRORS.contains(&item)) {
            return None;
        }
        if matches!(module, "sync" | "thread" | "cell" | "rc") {
            return Some(bypass(path, &shown));
        }
        if STD_MODULES.contains(&module) || MACROS.contains(&module) {
            return None;
        }
        if let Some((_, items)) = STD_ITEMS.iter().find(|(m, _)| *m == module) {
            // The module itself, or an allowed item of it (`prelude` is allowed whole).
            if item.is_none_or(|item| items.is_empty() || items.contains(&item)) {
                return None;
            }
        }
        match (module, item) {
            ("include" | "include_str" | "include_bytes" | "option_env", _) => {
                Some(Objection::new(
                    Rule::BuildInput,
                    format!("{shown} is not allowed here: {WHY_BUILD}"),
                    INSTEAD_BUILD,
                ))
            }
            ("ptr", _) => Some(address_observation(&shown)),
            (
                "mem",
                Some("size_of" | "size_of_val" | "align_of" | "align_of_val" | "needs_drop"),
            ) => Some(layout_observation(&shown)),
            ("arch", Some("asm" | "global_asm" | "naked_asm")) => Some(Objection::new(
                Rule::ForeignCode,
                format!("{shown} is not allowed here: {WHY_FOREIGN}"),
                INSTEAD_FOREIGN,
            )),
            _ => Some(forbidden(module, &shown)),
        }
    }

    /// Judges a glob import of a resolved module path (`use std::collections::*`).
    pub fn judge_glob(&self, module: &[String], written: &str) -> Option<Objection> {
        if self.extra.iter().any(|entry| starts_with(module, entry)) {
            return None;
        }
        let shown = shown(module, written, "::*");
        let whole = match module.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["racelab_sync", "thread" | "sync" | "task", ..] => true,
            [root, m, ..] if STD.contains(&root) => STD_MODULES.contains(&m) || (m == "prelude"),
            _ => false,
        };
        if whole {
            return None;
        }
        if let Some(objection) = self.judge_path(module, written) {
            return Some(objection);
        }
        let (rule, instead) = if module.first().is_some_and(|r| r == "racelab_sync") {
            (
                Rule::FacadeInternals,
                "import what you need by name, e.g. `use racelab_sync::cell::SharedCell;`",
            )
        } else {
            (
                Rule::ForbiddenModule,
                "import what you need by name, e.g. `use std::mem::swap;`",
            )
        };
        Some(Objection::new(
            rule,
            format!(
                "{shown} is not allowed here: it imports items a subject may not use along with the ones it may"
            ),
            instead,
        ))
    }

    /// Judges a macro named by one word (`println!`) that the subject does not define.
    pub fn judge_macro(&self, name: &str) -> Option<Objection> {
        if MACROS.contains(&name) || name == "macro_rules" || self.extra_allows(&[name.into()]) {
            return None;
        }
        Some(match name {
            "include" | "include_str" | "include_bytes" | "env" | "option_env" => Objection::new(
                Rule::BuildInput,
                format!("`{name}!` is not allowed here: {WHY_BUILD}"),
                INSTEAD_BUILD,
            ),
            "asm" | "global_asm" | "naked_asm" => Objection::new(
                Rule::ForeignCode,
                format!("`{name}!` is not allowed here: {WHY_FOREIGN}"),
                INSTEAD_FOREIGN,
            ),
            "addr_of" | "addr_of_mut" => raw_pointer(&format!("`{name}!`")),
            "thread_local" => Objection::new(
                Rule::FacadeBypass,
                format!("`{name}!` is not allowed here: {WHY_BYPASS}"),
                "keep per-thread state in the values each thread owns instead",
            ),
            _ => Objection::new(
                Rule::ForbiddenModule,
                format!("`{name}!` is not a macro a subject may use"),
                INSTEAD_LISTED,
            ),
        })
    }

    /// Judges an attribute by its path (`no_mangle`, `clippy::needless_range_loop`).
    pub fn judge_attribute(&self, path: &[String]) -> Option<Objection> {
        let name = path.join("::");
        let first = path.first().map(String::as_str).unwrap_or_default();
        let shown = format!("`#[{name}]`");
        if (path.len() == 1 && ATTRIBUTES.contains(&first))
            || (path.len() > 1 && ATTRIBUTE_TOOLS.contains(&first))
            || self.extra.iter().any(|entry| entry.as_slice() == path)
        {
            None
        } else if path.len() == 1 && FOREIGN_ATTRIBUTES.contains(&first) {
            Some(Objection::new(
                Rule::ForeignCode,
                format!("{shown} is not allowed here: {WHY_FOREIGN}"),
                INSTEAD_FOREIGN,
            ))
        } else if name == "path" {
            Some(Objection::new(
                Rule::BuildInput,
                format!("{shown} is not allowed here: {WHY_BUILD}"),
                INSTEAD_BUILD,
            ))
        } else {
            Some(Objection::new(
                Rule::ForbiddenModule,
                format!("{shown} is not an attribute a subject may use"),
                INSTEAD_LISTED,
            ))
        }
    }
}

/// A path quoted for a message: "`e::var` (`std::env::var`)" when it was written
/// under another name, else "`std::env::var`"; `suffix` follows both (`::*`).
fn shown(path: &[String], written: &str, suffix: &str) -> String {
    let full = path.join("::");
    if full == written || written.is_empty() {
        format!("`{full}{suffix}`")
    } else {
        format!("`{written}{suffix}` (`{full}{suffix}`)")
    }
}

const WHY_BYPASS: &str = "loom and shuttle cannot see std's threads, locks, atomics and cells, so their verdicts on this code would mean nothing";

/// `std::sync::…` and friends: the facade's equivalent, when it has one.
fn bypass(path: &[String], shown: &str) -> Objection {
    let words: Vec<&str> = path.iter().map(String::as_str).collect();
    let suggestion = match words[1..] {
        ["rc", ..] => "`racelab_sync::sync::Arc`".to_owned(),
        ["cell", ..] => {
            "`racelab_sync::cell::SharedCell`, or a `racelab_sync::sync::Mutex`".to_owned()
        }
        ["sync", "atomic", ref rest @ ..] => facade_item("sync::atomic", rest.first().copied()),
        [module, ref rest @ ..] => facade_item(module, rest.first().copied()),
        [] => "`racelab_sync`".to_owned(),
    };
    Objection::new(
        Rule::FacadeBypass,
        format!("{shown} bypasses the lab's facade: {WHY_BYPASS}"),
        format!("use {suggestion} instead"),
    )
}

/// `racelab_sync::<module>::<item>` when the facade has it, else the module and what it has.
fn facade_item(module: &str, item: Option<&str>) -> String {
    let Some((_, items)) = FACADE.iter().find(|(m, _)| *m == module) else {
        return "`racelab_sync::sync`".to_owned();
    };
    match item {
        None => format!("`racelab_sync::{module}`"),
        Some(item) if items.contains(&item) => format!("`racelab_sync::{module}::{item}`"),
        Some(_) => format!("`racelab_sync::{module}` (it has {})", items.join(", ")),
    }
}

/// A path into the facade: only `thread`, `sync` and `cell`, without the grader's switches.
fn facade_path(path: &[String], shown: &str) -> Option<Objection> {
    let full = path.join("::");
    let switch = FACADE_SWITCHES
        .iter()
        .any(|s| starts_with(path, &segments(s)));
    if matches!(path[1].as_str(), "thread" | "sync" | "task" | "cell") && !switch {
        return None;
    }
    let why = if switch {
        "it is the grader's own switch for its detectors".to_owned()
    } else {
        format!(
            "`{full}` is the facade's own machinery (backends, drivers, traces), not for a subject"
        )
    };
    Some(Objection::new(
        Rule::FacadeInternals,
        format!("{shown} is not allowed here: {why}"),
        "use only the facade's `racelab_sync::thread`, `racelab_sync::task`, `racelab_sync::sync` and `racelab_sync::cell` (`SharedCell`)",
    ))
}

fn foreign_crate(shown: &str, root: &str) -> Objection {
    Objection::new(
        Rule::ForbiddenModule,
        format!(
            "{shown} is not allowed here: the crate `{root}` is outside what a subject may use"
        ),
        INSTEAD_LISTED,
    )
}

fn forbidden(module: &str, shown: &str) -> Objection {
    let why = match module {
        "fs" => "it touches files, which could forge the grader's findings",
        "io" => "it reads or writes streams and files, which could forge the grader's findings",
        "process" => {
            "it starts processes or ends this one, which could forge the grader's findings or outlive the grade"
        }
        "env" => "it reads the environment, which could tell it which detector runs",
        "net" => "it opens network connections",
        "os" | "ffi" => "it reaches the operating system outside the detectors' view",
        "time" => "it reads the clock, which could tell a detector's run from a real one",
        "any" => "it inspects types at run time, which could tell the facade's backends apart",
        "alloc" => "it manages memory by hand",
        "panic" => "it catches or hooks panics, which is how the grader sees a failure",
        "mem" => "only `swap`, `replace`, `take` and `drop` of `mem` are allowed",
        _ => "it is outside what a fix needs",
    };
    let instead = match module {
        "io" => "print with `println!` or `eprintln!` instead",
        "mem" => "use `std::mem::{swap, replace, take}` or `drop` instead",
        _ => INSTEAD_LISTED,
    };
    Objection::new(
        Rule::ForbiddenModule,
        format!("{shown} is not allowed here: {why}"),
        instead,
    )
}

/// A raw pointer, written as `what`.
pub(super) fn raw_pointer(what: &str) -> Objection {
    Objection::new(
        Rule::RawPointer,
        format!(
            "{what} is not allowed here: raw pointers share memory behind the detectors' backs"
        ),
        "share through the facade's `Arc`, `Mutex`, atomics or `SharedCell` instead",
    )
}

/// `unsafe` code, described as `what` ("an `unsafe` block").
pub(super) fn unsafe_code(what: &str) -> Objection {
    Objection::new(
        Rule::UnsafeCode,
        format!(
            "{what} is not allowed here: the detectors judge safe code, and `unsafe` can break what they rely on"
        ),
        INSTEAD_SAFE,
    )
}

/// Foreign or exported code, described as `what` ("an `extern` block").
pub(super) fn foreign_code(what: &str) -> Objection {
    Objection::new(
        Rule::ForeignCode,
        format!("{what} is not allowed here: {WHY_FOREIGN}"),
        INSTEAD_FOREIGN,
    )
}

/// `loom` or `shuttle` named in the subject's code.
pub(super) fn backend_cfg(name: &str) -> Objection {
    Objection::new(
        Rule::BackendCfg,
        format!(
            "`{name}` names a detector's backend: code that depends on `cfg(loom)` or `cfg(shuttle)`, however it is written (even by a macro), shows the detectors other code than the code that ships"
        ),
        "write one version of the code for every detector: the detectors must see the code that ships",
    )
}

/// What reads or compares an address, written as `what`.
pub(super) fn address_observation(what: &str) -> Objection {
    Objection::new(
        Rule::AddressObservation,
        format!(
            "{what} is not allowed here: it reads or compares addresses, which differ between the explorers (every thread on a stack of their own, more state per object) and real threads, so code could tell them apart and show each detector a different program"
        ),
        "compare values, not where they live: give the objects an id of your own (a field, or a counter) if you need to tell them apart, and print values with `{}` or `{:?}`",
    )
}

/// What reads a type's or value's layout, written as `what`.
pub(super) fn layout_observation(what: &str) -> Objection {
    Objection::new(
        Rule::LayoutObservation,
        format!(
            "{what} is not allowed here: reading a layout is a way to look for the detectors' backends, and no fix needs one"
        ),
        "remove it: a fix depends on the values it shares, not on how they are laid out",
    )
}

/// A cfg on one of the facade's cargo features or on the sanitizer, written as `what`.
pub(super) fn backend_feature(what: &str) -> Objection {
    Objection::new(
        Rule::BackendCfg,
        format!(
            "`{what}` names a detector's backend: the facade's features `loom`, `shuttle` and `tsan` (and the sanitizer) pick which detector runs, so code that depends on them shows each detector other code than the code that ships"
        ),
        "write one version of the code for every detector: the detectors must see the code that ships",
    )
}

/// A path that goes through more aliases than can be followed.
pub(super) fn tangled(written: &str) -> Objection {
    Objection::new(
        Rule::ForbiddenModule,
        format!("`{written}` goes through too many renamed imports to judge what it names"),
        "import what you need under its own name",
    )
}

/// A path assembled from a macro's argument, which cannot be judged where it is written.
pub(super) fn assembled_path(written: &str) -> Objection {
    Objection::new(
        Rule::ForbiddenModule,
        format!(
            "`{written}` builds a path from a macro argument, so what it names cannot be judged"
        ),
        "write the path out in full",
    )
}

#[cfg(test)]
mod tests {
    use super::{AllowList, segments};
    use crate::policy::Rule;

    fn rule(list: &AllowList, path: &str) -> Option<Rule> {
        list.judge_path(&segments(path), path).map(|o| o.rule)
    }

    #[test]
    fn the_allow_list_and_each_rule_of_a_path() {
        let list = AllowList::default();
        for allowed in [
            "std",
            "std::collections::HashMap",
            "core::cmp::Ordering",
            "alloc::vec::Vec",
            "std::mem::swap",
            "std::mem",
            "std::sync::PoisonError",
            "std::time::Duration",
            "std::marker::PhantomData",
            "std::println",
            "std::prelude::rust_2024",
            "racelab_sync::sync::atomic::AtomicU64",
            "racelab_sync::thread::spawn",
            "racelab_sync::cell::SharedCell",
        ] {
            assert_eq!(rule(&list, allowed), None, "{allowed}");
        }
        for (refused, expected) in [
            ("std::sync::atomic::AtomicU64", Rule::FacadeBypass),
            ("core::cell::UnsafeCell", Rule::FacadeBypass),
            ("std::rc::Rc", Rule::FacadeBypass),
            ("std::thread::sleep", Rule::FacadeBypass),
            ("std::fs::write", Rule::ForbiddenModule),
            ("std::process::exit", Rule::ForbiddenModule),
            ("std::env::var", Rule::ForbiddenModule),
            ("std::time::Instant", Rule::ForbiddenModule),
            ("std::mem::transmute", Rule::ForbiddenModule),
            ("std::io::stdout", Rule::ForbiddenModule),
            ("std::ptr::null", Rule::AddressObservation),
            ("core::ptr::eq", Rule::AddressObservation),
            ("std::mem::size_of", Rule::LayoutObservation),
            ("proc_macro::TokenStream", Rule::ForbiddenModule),
            ("std::include_str", Rule::BuildInput),
            ("core::arch::asm", Rule::ForeignCode),
            ("racelab_sync::BACKEND", Rule::FacadeInternals),
            ("racelab_sync::trace::snapshot", Rule::FacadeInternals),
            ("racelab_sync::cell::track_races", Rule::FacadeInternals),
        ] {
            assert_eq!(rule(&list, refused), Some(expected), "{refused}");
        }
    }

    #[test]
    fn a_bypass_names_the_facade_s_own_item() {
        let list = AllowList::default();
        let instead = |path: &str| list.judge_path(&segments(path), path).unwrap().instead;
        assert_eq!(
            instead("std::sync::atomic::AtomicU64"),
            "use `racelab_sync::sync::atomic::AtomicU64` instead"
        );
        assert_eq!(
            instead("std::thread::spawn"),
            "use `racelab_sync::thread::spawn` instead"
        );
        assert_eq!(
            instead("std::sync::RwLock"),
            "use `racelab_sync::sync::RwLock` instead"
        );
        assert!(instead("std::sync::Barrier").contains("Arc, Mutex, MutexGuard"));
    }

    #[test]
    fn an_exercise_can_allow_more() {
        let list = AllowList::new(&["std::sync::atomic::Ordering".into()]);
        assert_eq!(rule(&list, "std::sync::atomic::Ordering"), None);
        assert_eq!(rule(&list, "std::sync::atomic::Ordering::Relaxed"), None);
        assert_eq!(
            rule(&list, "std::sync::atomic::AtomicU64"),
            Some(Rule::FacadeBypass)
        );
    }

    #[test]
    fn globs_are_allowed_only_over_whole_modules() {
        let list = AllowList::default();
        let glob = |path: &str| list.judge_glob(&segments(path), path).map(|o| o.rule);
        assert_eq!(glob("std::collections"), None);
        assert_eq!(glob("racelab_sync::sync::atomic"), None);
        assert_eq!(glob("std"), Some(Rule::ForbiddenModule));
        assert_eq!(glob("std::mem"), Some(Rule::ForbiddenModule));
        assert_eq!(glob("std::sync"), Some(Rule::FacadeBypass));
        assert_eq!(glob("racelab_sync"), Some(Rule::FacadeInternals));
        assert_eq!(glob("racelab_sync::cell"), Some(Rule::FacadeInternals));
    }

    #[test]
    fn attributes_and_macros() {
        let list = AllowList::default();
        let attr = |path: &str| list.judge_attribute(&segments(path)).map(|o| o.rule);
        for allowed in ["derive", "cfg", "clippy::needless_range_loop", "doc"] {
            assert_eq!(attr(allowed), None, "{allowed}");
        }
        assert_eq!(attr("no_mangle"), Some(Rule::ForeignCode));
        assert_eq!(attr("export_name"), Some(Rule::ForeignCode));
        assert_eq!(attr("path"), Some(Rule::BuildInput));
        assert_eq!(attr("feature"), Some(Rule::ForbiddenModule));
        let mac = |name: &str| list.judge_macro(name).map(|o| o.rule);
        assert_eq!(mac("println"), None);
        assert_eq!(mac("include_str"), Some(Rule::BuildInput));
        assert_eq!(mac("env"), Some(Rule::BuildInput));
        assert_eq!(mac("global_asm"), Some(Rule::ForeignCode));
        assert_eq!(mac("addr_of"), Some(Rule::RawPointer));
        assert_eq!(mac("thread_local"), Some(Rule::FacadeBypass));
        assert_eq!(mac("dbg"), Some(Rule::ForbiddenModule));
    }
}
