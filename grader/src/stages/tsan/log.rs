//! Reading ThreadSanitizer's log: every report, its kind, and its sections (each
//! access or lock acquisition, with its thread and its stack).
//!
//! ```text
//! WARNING: ThreadSanitizer: data race (pid=22490)
//!   Write of size 8 at 0x7208… by thread T2:
//!     #0 write_volatile<u64> /…/library/core/src/ptr/mod.rs:2194:9 (runner+0x110282)
//!     #2 record /…/exercises/ex01-lost-update/src/lib.rs:69:33 (runner+0x110282)
//!   Previous write of size 8 at 0x7208… by thread T5:
//!     …
//! SUMMARY: ThreadSanitizer: data race /…/ptr/mod.rs:2194:9 in write_volatile<u64>
//! ```

/// One `WARNING: ThreadSanitizer: …` report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsanReport {
    /// `data race`, `lock-order-inversion (potential deadlock)`, `heap-use-after-free`, …
    pub kind: String,
    /// The report's sections, in order.
    pub sections: Vec<Section>,
    /// The `SUMMARY:` line, without its prefix.
    pub summary: Option<String>,
}

/// A section of a report: a header line and the stack under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// E.g. `Write of size 8 at 0x7208… by thread T2`.
    pub header: String,
    /// The stack, innermost first; empty when TSan could not restore it.
    pub frames: Vec<Frame>,
    /// Whether TSan said `[failed to restore the stack]`.
    pub stack_lost: bool,
}

/// One stack frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function, as the symbolizer named it.
    pub function: String,
    /// `file:line[:column]`, when known.
    pub location: Option<String>,
}

impl Section {
    /// Whether the section is one of the conflicting operations (an access, or a
    /// lock taken while another is held), rather than context (where a thread was
    /// created, where memory was allocated).
    pub fn is_operation(&self) -> bool {
        let access = self.header.contains(" of size ") && self.header.contains(" by ");
        (access && !self.header.starts_with("Location is"))
            || self.header.contains(" acquired here ")
    }

    /// `read`, `write`, `atomic write`, `lock` …, from the header.
    pub fn operation(&self) -> String {
        let header = self.header.to_lowercase();
        let header = header.trim_start_matches("previous ");
        match header.split_once(" of size ") {
            Some((what, rest)) => {
                let size = rest.split_whitespace().next().unwrap_or("?");
                format!("{what} of {size} bytes")
            }
            None if header.contains(" acquired here ") => "lock".into(),
            None => header.to_owned(),
        }
    }

    /// The thread that made the operation: `T2`, `main thread`.
    pub fn thread(&self) -> Option<String> {
        let tail = self
            .header
            .rsplit_once(" by ")
            .or_else(|| self.header.rsplit_once(" in "))?
            .1;
        let tail = tail.trim_start_matches("thread ").trim_end_matches(':');
        let thread = tail.split(" (").next().unwrap_or(tail).trim();
        Some(thread.to_owned())
    }
}

/// Every report in `log`, in order.
pub fn parse(log: &str) -> Vec<TsanReport> {
    let mut reports = Vec::new();
    let mut current: Option<TsanReport> = None;
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("WARNING: ThreadSanitizer: ") {
            reports.extend(current.take());
            let kind = rest.rsplit_once(" (pid=").map_or(rest, |(kind, _)| kind);
            current = Some(TsanReport {
                kind: kind.trim().to_owned(),
                sections: Vec::new(),
                summary: None,
            });
            continue;
        }
        let Some(report) = current.as_mut() else {
            continue;
        };
        if let Some(summary) = line.strip_prefix("SUMMARY: ThreadSanitizer: ") {
            report.summary = Some(summary.trim().to_owned());
            reports.extend(current.take());
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            if let (Some(section), Some(frame)) = (report.sections.last_mut(), parse_frame(trimmed))
            {
                section.frames.push(frame);
            }
        } else if trimmed == "[failed to restore the stack]" {
            if let Some(section) = report.sections.last_mut() {
                section.stack_lost = true;
            }
        } else if line.starts_with("  ") && !line.starts_with("    ") && trimmed.ends_with(':') {
            report.sections.push(Section {
                header: trimmed.trim_end_matches(':').to_owned(),
                frames: Vec::new(),
                stack_lost: false,
            });
        }
    }
    reports.extend(current);
    reports
}

/// `#2 record /x/src/lib.rs:69:33 (runner+0x110282) (BuildId: …)` → function and place.
fn parse_frame(line: &str) -> Option<Frame> {
    let (_, rest) = line.split_once(' ')?;
    // Drop the `(module+0x…)` and `(BuildId: …)` groups at the end.
    let code = rest.find(" (").map_or(rest, |at| &rest[..at]);
    let (function, place) = code.rsplit_once(' ').unwrap_or((code, "<null>"));
    let location = (place != "<null>" && place.contains(':')).then(|| place.to_owned());
    Some(Frame {
        function: function.trim().to_owned(),
        location,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    const DATA_RACE: &str = include_str!("fixtures/data_race.txt");
    const LOCK_ORDER: &str = include_str!("fixtures/lock_order_inversion.txt");
    const USE_AFTER_FREE: &str = include_str!("fixtures/heap_use_after_free.txt");
    const STACK_LOST: &str = include_str!("fixtures/stack_not_restored.txt");

    #[test]
    fn a_data_race_has_two_accesses_with_threads_and_subject_frames() {
        let reports = parse(DATA_RACE);
        assert_eq!(reports.len(), 1);
        let report = &reports[0];
        assert_eq!(report.kind, "data race");
        let accesses: Vec<_> = report
            .sections
            .iter()
            .filter(|s| s.is_operation())
            .collect();
        assert_eq!(accesses.len(), 2);
        assert_eq!(accesses[0].operation(), "write of 8 bytes");
        assert_eq!(accesses[0].thread().as_deref(), Some("T2"));
        assert_eq!(accesses[1].thread().as_deref(), Some("T5"));
        let frame = &accesses[0].frames[2];
        assert_eq!(frame.function, "record");
        assert_eq!(
            frame.location.as_deref(),
            Some("/work/main/exercises/ex01-lost-update/src/lib.rs:69:33")
        );
        assert!(report.summary.as_deref().unwrap().starts_with("data race "));
        let context: Vec<_> = report
            .sections
            .iter()
            .filter(|s| !s.is_operation())
            .collect();
        assert!(
            context
                .iter()
                .any(|s| s.header.starts_with("Location is heap block"))
        );
    }

    #[test]
    fn a_lock_order_inversion_names_both_acquisitions() {
        let report = &parse(LOCK_ORDER)[0];
        assert_eq!(report.kind, "lock-order-inversion (potential deadlock)");
        let locks: Vec<_> = report
            .sections
            .iter()
            .filter(|s| s.is_operation())
            .collect();
        assert_eq!(locks.len(), 2);
        assert_eq!(locks[0].operation(), "lock");
        assert_eq!(locks[0].thread().as_deref(), Some("T1"));
        assert_eq!(locks[1].thread().as_deref(), Some("T2"));
        assert_eq!(
            locks[1].frames[1].location.as_deref(),
            Some("/tmp/tsanfx/lock_order.c:5")
        );
    }

    #[test]
    fn a_heap_use_after_free_is_its_own_kind() {
        let report = &parse(USE_AFTER_FREE)[0];
        assert_eq!(report.kind, "heap-use-after-free");
        let accesses: Vec<_> = report
            .sections
            .iter()
            .filter(|s| s.is_operation())
            .collect();
        assert_eq!(accesses[0].thread().as_deref(), Some("main thread"));
        assert_eq!(accesses[1].frames[0].function, "free");
    }

    #[test]
    fn a_stack_that_could_not_be_restored_is_marked_not_invented() {
        let report = &parse(STACK_LOST)[0];
        let previous = report
            .sections
            .iter()
            .find(|s| s.header.starts_with("Previous write"))
            .unwrap();
        assert!(previous.stack_lost);
        assert!(previous.frames.is_empty());
        assert_eq!(previous.thread().as_deref(), Some("T1"));
    }

    #[test]
    fn an_empty_or_foreign_log_has_no_reports() {
        assert!(parse("").is_empty());
        assert!(parse("hello\nThreadSanitizer: reported 0 warnings\n").is_empty());
    }

    mod properties {
        use super::super::parse;
        use super::{DATA_RACE, LOCK_ORDER, STACK_LOST, USE_AFTER_FREE};
        use proptest::prelude::*;

        const FIXTURES: [&str; 4] = [DATA_RACE, LOCK_ORDER, USE_AFTER_FREE, STACK_LOST];
        const WARNING: &str = "WARNING: ThreadSanitizer: ";

        /// The kind of every report in `log`, read off its `WARNING:` lines.
        fn kinds(log: &str) -> Vec<String> {
            log.lines()
                .filter_map(|l| l.strip_prefix(WARNING))
                .map(|rest| {
                    rest.rsplit_once(" (pid=")
                        .map_or(rest, |(k, _)| k)
                        .trim()
                        .to_owned()
                })
                .collect()
        }

        /// A line that is not a report's first: anything, or a piece of a real log.
        fn noise() -> impl Strategy<Value = String> {
            let piece = (
                0..FIXTURES.len(),
                any::<prop::sample::Index>(),
                0..120_usize,
            )
                .prop_map(|(fixture, at, len)| {
                    let lines: Vec<&str> = FIXTURES[fixture].lines().collect();
                    let line = lines[at.index(lines.len())];
                    line.chars().take(len).collect::<String>()
                });
            prop_oneof![any::<String>(), piece]
                .prop_map(|line| line.replace(['\n', '\r'], " "))
                .prop_filter("not a report's first line", |line| {
                    !line.starts_with(WARNING)
                })
        }

        proptest! {
            /// Whatever the log, the parser returns, and every section it read
            /// answers its questions.
            #[test]
            fn the_parser_never_panics(log in prop_oneof![
                any::<String>(),
                prop::collection::vec(noise(), 0..40).prop_map(|lines| lines.join("\n")),
                prop::collection::vec(
                    prop_oneof![noise(), Just(format!("{WARNING}data race (pid=1)"))],
                    0..40,
                ).prop_map(|lines| lines.join("\n")),
            ]) {
                for report in parse(&log) {
                    for section in &report.sections {
                        let _ = (section.is_operation(), section.operation(), section.thread());
                    }
                }
            }

            /// Real logs, concatenated in any order, with lines of noise inserted,
            /// other lines dropped and any line ending: every report is kept, in
            /// order, with its kind.
            #[test]
            fn every_report_is_kept_in_mutated_logs(
                order in prop::collection::vec(0..FIXTURES.len(), 1..5),
                inserted in prop::collection::vec((any::<prop::sample::Index>(), noise()), 0..20),
                dropped in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
                crlf in any::<bool>(),
            ) {
                let mut lines: Vec<String> = order
                    .iter()
                    .flat_map(|&f| FIXTURES[f].lines().map(str::to_owned))
                    .collect();
                let expected = kinds(&lines.join("\n"));
                for at in dropped {
                    let i = at.index(lines.len());
                    if !lines[i].starts_with(WARNING) {
                        lines.remove(i);
                    }
                }
                for (at, line) in inserted {
                    lines.insert(at.index(lines.len() + 1), line);
                }
                let log = lines.join(if crlf { "\r\n" } else { "\n" });
                let found: Vec<String> = parse(&log).into_iter().map(|r| r.kind).collect();
                prop_assert_eq!(found, expected);
            }
        }
    }
}
