//! Symbolizing ThreadSanitizer's stacks in the grader.
//!
//! A runner may not start processes (its seccomp filter refuses `fork` and `execve`),
//! and TSan's own symbolization starts one (`llvm-symbolizer`, or `addr2line`). So
//! runners run with `symbolize=0`, and TSan writes each frame as a module and an
//! offset:
//!
//! ```text
//!     #2 <null> <null> (racelab-runner-ex01-62f889fc+0x110377) (BuildId: ad03…)
//! ```
//!
//! The grader then reads the runner's DWARF in-process (the `addr2line` crate, the
//! same code std's backtraces use) and writes each such frame as TSan would have,
//! one line per inlined function, innermost first:
//!
//! ```text
//!     #2 record /…/ex01-lost-update/src/lib.rs:67:45 (racelab-runner-ex01-62f889fc+0x110377)
//! ```
//!
//! In-process rather than a child process: no dependence on an installed LLVM whose
//! DWARF reader is older than the toolchain's, nothing to time out, and every grade
//! symbolizes alike. Frames in other modules (libc) are left as TSan wrote them.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

/// One function of a symbolized frame (a frame with inlined calls has several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The function, demangled.
    pub function: String,
    /// `file:line:column`, as far as known.
    pub location: Option<String>,
}

/// Symbolizes the frames of `logs` that TSan left unsymbolized in `executable`, the
/// runner that wrote them. Logs with nothing to symbolize, or a runner whose debug
/// information cannot be read, are returned as they are.
pub fn symbolize(logs: Vec<String>, executable: &Path) -> Vec<String> {
    let Some(module) = executable.file_name().map(|n| n.to_string_lossy()) else {
        return logs;
    };
    let marker = format!("({module}+0x");
    if !logs.iter().any(|log| log.contains(&marker)) {
        return logs;
    }
    let symbolized = panic::catch_unwind(AssertUnwindSafe(|| {
        let loader = addr2line::Loader::new(executable).ok()?;
        let mut known: HashMap<u64, Vec<Resolved>> = HashMap::new();
        let mut resolve = |offset: u64| {
            known
                .entry(offset)
                .or_insert_with(|| resolve_in(&loader, offset))
                .clone()
        };
        Some(
            logs.iter()
                .map(|log| rewrite(log, &module, &mut resolve))
                .collect::<Vec<_>>(),
        )
    }));
    match symbolized {
        Ok(Some(symbolized)) => symbolized,
        _ => logs,
    }
}

/// The functions at `offset` in the runner (a virtual address: runners are
/// position-independent executables whose first segment is at 0), innermost first;
/// empty when the debug information does not cover it.
fn resolve_in(loader: &addr2line::Loader, offset: u64) -> Vec<Resolved> {
    let Ok(mut frames) = loader.find_frames(offset) else {
        return Vec::new();
    };
    let mut resolved = Vec::new();
    while let Ok(Some(frame)) = frames.next() {
        let function = frame
            .function
            .as_ref()
            .and_then(|f| f.demangle().ok())
            .map(|name| name.replace(" (", "("))
            .unwrap_or_else(|| "<null>".to_owned());
        let location = frame.location.and_then(|l| {
            let file = l.file?;
            Some(match (l.line, l.column) {
                (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                (Some(line), None) => format!("{file}:{line}"),
                _ => file.to_owned(),
            })
        });
        resolved.push(Resolved { function, location });
    }
    if resolved.iter().all(|r| r.location.is_none()) {
        // No line information: the symbol table may still name the function.
        if let Some(name) = loader.find_symbol(offset) {
            let function = addr2line::demangle_auto(name.into(), None).into_owned();
            return vec![Resolved {
                function,
                location: None,
            }];
        }
    }
    resolved
}

/// `log` with every unsymbolized frame in `module` replaced by the frames `resolve`
/// gives for its offset, and the frames of each stack numbered again from `#0`.
pub fn rewrite(log: &str, module: &str, resolve: &mut dyn FnMut(u64) -> Vec<Resolved>) -> String {
    let mut out = String::with_capacity(log.len() * 2);
    let mut number = 0;
    for line in log.lines() {
        let trimmed = line.trim_start();
        let Some(frame) = trimmed
            .strip_prefix('#')
            .and_then(|rest| rest.split_once(' '))
            .filter(|(n, _)| n.parse::<u32>().is_ok())
        else {
            number = 0;
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let indent = &line[..line.len() - trimmed.len()];
        let (_, rest) = frame;
        let offset = unsymbolized_offset(rest, module);
        let resolved = offset.map(&mut *resolve).unwrap_or_default();
        let Some(offset) = offset.filter(|_| !resolved.is_empty()) else {
            out.push_str(&format!("{indent}#{number} {rest}\n"));
            number += 1;
            continue;
        };
        let place = format!("({module}+0x{offset:x})");
        for function in resolved {
            let location = function.location.as_deref().unwrap_or("<null>");
            out.push_str(&format!(
                "{indent}#{number} {} {location} {place}\n",
                function.function
            ));
            number += 1;
        }
    }
    out
}

/// The offset of a frame TSan printed without symbols in `module`:
/// `<null> <null> (module+0x110377) (BuildId: …)`.
fn unsymbolized_offset(frame: &str, module: &str) -> Option<u64> {
    let rest = frame.strip_prefix("<null>")?;
    let (_, after) = rest.split_once(&format!("({module}+0x"))?;
    let hex = after.split(')').next()?;
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::{Resolved, rewrite, symbolize, unsymbolized_offset};
    use crate::stages::tsan::log;
    use std::path::Path;

    const UNSYMBOLIZED: &str = include_str!("fixtures/data_race_unsymbolized.txt");
    const RUNNER: &str = "racelab-runner-ex01-62f889fc";

    /// What the runner's DWARF says at the offsets of the fixture's first stack.
    fn resolve(offset: u64) -> Vec<Resolved> {
        let at = |function: &str, location: &str| Resolved {
            function: function.into(),
            location: Some(location.into()),
        };
        match offset {
            0x1122e5 => vec![
                at(
                    "read_volatile<u64>",
                    "/r/library/core/src/ptr/mod.rs:2107:9",
                ),
                at(
                    "<racelab_sync::cell::SharedCell<u64>>::load",
                    "/work/main/sync/src/cell.rs:86:30",
                ),
                at(
                    "<subject::Recorder>::record",
                    "/work/main/exercises/ex01-lost-update/src/lib.rs:67:45",
                ),
            ],
            0x11231b => vec![at(
                "<subject::Recorder>::record",
                "/work/main/exercises/ex01-lost-update/src/lib.rs:69:33",
            )],
            _ => Vec::new(),
        }
    }

    #[test]
    fn offsets_are_read_only_from_unsymbolized_frames_of_the_runner() {
        let frame = format!("<null> <null> ({RUNNER}+0x1122e5) (BuildId: ad03)");
        assert_eq!(unsymbolized_offset(&frame, RUNNER), Some(0x1122e5));
        assert_eq!(
            unsymbolized_offset("<null> <null> (libc.so.6+0x27249) (BuildId: 93ac)", RUNNER),
            None
        );
        let symbolized = format!("record /x/src/lib.rs:69:33 ({RUNNER}+0x110282)");
        assert_eq!(unsymbolized_offset(&symbolized, RUNNER), None);
    }

    #[test]
    fn an_unsymbolized_log_names_the_subject_s_lines_once_symbolized() {
        assert!(
            log::parse(UNSYMBOLIZED)[0].sections[0].frames[0]
                .location
                .is_none()
        );
        let symbolized = rewrite(UNSYMBOLIZED, RUNNER, &mut resolve);
        let reports = log::parse(&symbolized);
        assert_eq!(reports.len(), 2);
        let read = &reports[0].sections[0];
        assert_eq!(read.header, "Read of size 8 at 0x720800000050 by thread T2");
        let places: Vec<_> = read
            .frames
            .iter()
            .take(4)
            .map(|f| f.location.as_deref())
            .collect();
        assert_eq!(
            places,
            [
                Some("/r/library/core/src/ptr/mod.rs:2107:9"),
                Some("/work/main/sync/src/cell.rs:86:30"),
                Some("/work/main/exercises/ex01-lost-update/src/lib.rs:67:45"),
                None,
            ]
        );
        assert_eq!(read.frames[2].function, "<subject::Recorder>::record");
        // Numbered again: the inlined frames pushed the others down.
        assert!(symbolized.contains(&format!("    #3 <null> <null> ({RUNNER}+0x1123bb)")));
        // libc's frames are left as they were.
        assert!(symbolized.contains("<null> <null> (libc.so.6+0x27249)"));
        let previous = &reports[0].sections[1];
        assert!(
            previous.header.starts_with("Previous write"),
            "{}",
            previous.header
        );
        assert_eq!(
            previous.frames[0].location.as_deref(),
            Some("/work/main/exercises/ex01-lost-update/src/lib.rs:69:33")
        );
    }

    #[inline(never)]
    fn a_function_to_find() -> u32 {
        std::hint::black_box(7)
    }

    /// Where this test binary is loaded: the start of its first mapping.
    fn load_address(executable: &Path) -> u64 {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let line = maps
            .lines()
            .find(|l| l.ends_with(&*executable.to_string_lossy()))
            .unwrap();
        u64::from_str_radix(line.split('-').next().unwrap(), 16).unwrap()
    }

    #[test]
    fn frames_are_read_from_the_executable_s_own_debug_information() {
        let executable = std::env::current_exe().unwrap();
        let module = executable
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let address = a_function_to_find as fn() -> u32 as usize as u64;
        let offset = address - load_address(&executable);
        let log = format!(
            "WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 8 at 0x1 by thread T1:\n    #0 <null> <null> ({module}+0x{offset:x}) (BuildId: 00)\n"
        );
        assert_eq!(a_function_to_find(), 7);
        let symbolized = symbolize(vec![log], &executable);
        let frame = &log::parse(&symbolized[0])[0].sections[0].frames[0];
        assert!(
            frame.function.ends_with("a_function_to_find"),
            "{}",
            symbolized[0]
        );
        let location = frame.location.as_deref().unwrap_or_default();
        assert!(
            location.contains("grader/src/stages/tsan/symbolize.rs:"),
            "{}",
            symbolized[0]
        );
    }

    #[test]
    fn a_runner_without_readable_debug_information_leaves_the_log_as_it_was() {
        let log = "    #0 <null> <null> (missing-runner+0x10)\n".to_owned();
        let unchanged = symbolize(vec![log.clone()], Path::new("/nonexistent/missing-runner"));
        assert_eq!(unchanged, [log]);
    }
}
