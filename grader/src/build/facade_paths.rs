//! rustc's suggestions in the facade's terms. A subject that forgets an import is told
//! "consider importing this struct: `use std::sync::atomic::AtomicU64;`", which would
//! compile, but with a type the explorers cannot see: the facade has the same item at
//! `racelab_sync::sync::atomic::AtomicU64`, the path the exercises import. Only
//! suggestion lines are rewritten, and only items the facade has; the error's own
//! words stay rustc's.

/// The std modules the facade mirrors, where it mirrors them, and the items it has.
const MIRRORED: &[(&[&str], &str, &[&str])] = &[
    (
        &["std::sync::atomic::", "core::sync::atomic::"],
        "racelab_sync::sync::atomic::",
        &[
            "AtomicBool",
            "AtomicU32",
            "AtomicU64",
            "AtomicI64",
            "AtomicUsize",
            "Ordering",
            "fence",
        ],
    ),
    (
        &["std::sync::", "alloc::sync::"],
        "racelab_sync::sync::",
        &[
            "Arc",
            "Mutex",
            "MutexGuard",
            "Condvar",
            "RwLock",
            "RwLockReadGuard",
            "RwLockWriteGuard",
            "OnceLock",
            "LockResult",
            "PoisonError",
            "TryLockError",
            "TryLockResult",
        ],
    ),
    (
        &["std::thread::"],
        "racelab_sync::thread::",
        &["spawn", "JoinHandle", "yield_now"],
    ),
    // `use std::thread;` itself, but not a path into it the facade lacks
    // (`std::thread::Builder`).
    (&["std::"], "racelab_sync::", &["thread"]),
];

/// `rendered` (one compiler error) with its suggestions' std paths rewritten to the
/// facade's, and a suggestion made twice by the rewriting left out.
pub fn in_facade_terms(rendered: &str) -> String {
    let mut kept: Vec<String> = Vec::new();
    let mut skip_gutter = false;
    for line in rendered.lines() {
        if skip_gutter && line.trim() == "|" {
            skip_gutter = false;
            continue;
        }
        skip_gutter = false;
        if !is_suggestion(line) {
            kept.push(line.to_owned());
            continue;
        }
        let rewritten = rewrite(line);
        // `1 + use racelab_sync::sync::Arc;` twice (rustc offered std's and
        // alloc's): once is enough, with the gutter line after it.
        if rewritten.contains("+ use ") && kept.contains(&rewritten) {
            skip_gutter = true;
            continue;
        }
        kept.push(rewritten);
    }
    kept.join("\n")
}

/// A line where rustc suggests a change: `help: …`, `= help: …`, a note that says
/// what to use (`= note: … use `std::sync::RwLock` or …`), or a line of the suggested
/// code (`1 + use std::sync::Mutex;`). A note that names a type as it is (`required
/// for `std::sync::Arc<…>``) is no suggestion.
fn is_suggestion(line: &str) -> bool {
    let trimmed = line.trim_start();
    let trimmed = trimmed.strip_prefix("= ").unwrap_or(trimmed);
    trimmed.starts_with("help:")
        || (trimmed.starts_with("note:") && line.contains("use `"))
        || line.contains("+ use ")
}

/// Every mirrored std path in `line`, rewritten.
fn rewrite(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    'scan: while !rest.is_empty() {
        for (prefixes, facade, items) in MIRRORED {
            for prefix in *prefixes {
                let Some(after) = rest.strip_prefix(prefix) else {
                    continue;
                };
                let item_end = after
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                let (item, beyond) = after.split_at(item_end);
                let into_module = *facade == "racelab_sync::" && beyond.starts_with("::");
                if items.contains(&item) && !into_module && starts_a_path(&out) {
                    out.push_str(facade);
                    out.push_str(item);
                    rest = beyond;
                    continue 'scan;
                }
            }
        }
        let next = rest.chars().next().expect("not empty");
        out.push(next);
        rest = &rest[next.len_utf8()..];
    }
    out
}

/// Whether a path may start here: not in the middle of another (`my_std::sync::…`).
fn starts_a_path(before: &str) -> bool {
    !before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::in_facade_terms;

    #[test]
    fn std_imports_rustc_suggests_become_the_facade_s() {
        let rendered = "error[E0425]: cannot find type `AtomicU64` in this scope\n \
                        --> src/lib.rs:2:19\n  |\n\
                        2 | pub struct C { n: AtomicU64 }\n  |                   ^^^^^^^^^ not found in this scope\n  |\n\
                        help: consider importing this struct\n  |\n\
                        1 + use std::sync::atomic::AtomicU64;\n  |";
        let rewritten = in_facade_terms(rendered);
        assert!(
            rewritten.contains("1 + use racelab_sync::sync::atomic::AtomicU64;"),
            "{rewritten}"
        );
        assert!(!rewritten.contains("std::sync"), "{rewritten}");
        // The error's own words are rustc's.
        assert!(rewritten.starts_with("error[E0425]: cannot find type `AtomicU64`"));
    }

    #[test]
    fn a_note_that_recommends_std_types_recommends_the_facade_s() {
        let rendered = "   = help: the trait `Sync` is not implemented for `Cell<u64>`\n   \
                        = note: if you want to do aliasing and mutation between multiple threads, use `std::sync::RwLock` or `std::sync::atomic::AtomicU64` instead\n   \
                        = note: required for `std::sync::Arc<Cell<u64>>` to implement `Send`";
        let rewritten = in_facade_terms(rendered);
        assert!(
            rewritten.contains(
                "use `racelab_sync::sync::RwLock` or `racelab_sync::sync::atomic::AtomicU64` instead"
            ),
            "{rewritten}"
        );
        assert!(
            rewritten.ends_with("required for `std::sync::Arc<Cell<u64>>` to implement `Send`")
        );
    }

    #[test]
    fn items_the_facade_lacks_and_other_paths_are_left_alone_and_thread_is_the_facade_s() {
        let rendered = "help: consider importing one of these enums\n  |\n\
                        1 + use std::cmp::Ordering;\n  |\n\
                        1 + use std::sync::atomic::Ordering;\n  |\n\
                        1 + use std::sync::mpsc::channel;\n  |\n\
                        1 + use my_std::sync::Arc;\n  |\n\
                        1 + use std::thread::Builder;\n  |\n\
                        1 + use std::thread;";
        let rewritten = in_facade_terms(rendered);
        assert!(rewritten.contains("1 + use std::cmp::Ordering;"));
        assert!(rewritten.contains("1 + use racelab_sync::sync::atomic::Ordering;"));
        assert!(rewritten.contains("1 + use std::sync::mpsc::channel;"));
        assert!(rewritten.contains("1 + use my_std::sync::Arc;"));
        assert!(rewritten.contains("1 + use std::thread::Builder;"));
        assert!(
            rewritten.contains("1 + use racelab_sync::thread;"),
            "{rewritten}"
        );
    }

    #[test]
    fn a_suggestion_made_twice_by_the_rewriting_is_shown_once() {
        let rendered = "help: consider importing one of these structs\n  |\n\
                        1 + use std::sync::Arc;\n  |\n\
                        1 + use alloc::sync::Arc;\n  |";
        assert_eq!(
            in_facade_terms(rendered),
            "help: consider importing one of these structs\n  |\n\
             1 + use racelab_sync::sync::Arc;\n  |"
        );
    }
}
