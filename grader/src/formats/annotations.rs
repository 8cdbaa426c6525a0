//! GitHub Actions annotations: workflow commands (`::error file=…,line=…::message`)
//! that put a failing stage on the line of the subject's code it points at — the racy
//! access loom names, the first step of a shuttle interleaving, the first compiler
//! error — in the pull request and the run's summary.
//!
//! Paths are made relative to the repository the workflow checked out (the caller
//! passes `GITHUB_WORKSPACE`), as GitHub needs them. A failing stage with no line in
//! the subject's code (stress measures, it does not point) is annotated without one;
//! a subject that does not compile gets one annotation per compiler error, on its
//! line, rather than one per stage; an incomplete grade gets a warning naming the
//! stages that did not run.

use super::{Graded, Outcome};
use crate::report::{Report, StageReport};
use crate::verdict::Verdict;
use std::path::{Path, PathBuf};

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, absolute.
    pub file: PathBuf,
    /// Its line, from 1.
    pub line: u32,
    /// Its column, from 1, when known.
    pub column: Option<u32>,
}

/// The workflow commands for `graded`. Relative paths in the evidence are resolved
/// against the subject's folder, then `lab_root`; annotation paths are written
/// relative to `base` (the checked-out repository) when under it.
pub fn github(graded: &[Graded<'_>], lab_root: &Path, base: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for g in graded {
        let report = g.report;
        let mut errors: Vec<&str> = Vec::new();
        for stage in &report.stages {
            for error in &stage.evidence.compile_errors {
                if !errors.contains(&error.as_str()) {
                    errors.push(error);
                }
            }
        }
        for error in errors {
            let title = format!("racelab {}: compile error ({})", report.exercise, g.name);
            let mut properties = place_in(error, Path::new(&report.subject), lab_root)
                .map(|place| place_properties(&place, base))
                .unwrap_or_default();
            properties.push(format!("title={}", property(&title)));
            lines.push(format!("::error {}::{}", properties.join(","), data(error)));
        }
        for stage in &report.stages {
            let outcome = Outcome::of(report, stage);
            if !matches!(outcome, Outcome::Failed | Outcome::Errored)
                || !stage.evidence.compile_errors.is_empty()
            {
                continue;
            }
            let title = format!(
                "racelab {} {}: {} ({})",
                report.exercise,
                stage.name,
                Outcome::kind(stage),
                g.name
            );
            let mut message = stage.summary.clone();
            if let Some(replay) = &stage.evidence.replay {
                message.push_str(&format!("\nreplay: {replay}"));
            }
            let mut properties = place_of(report, stage, lab_root)
                .map(|place| place_properties(&place, base))
                .unwrap_or_default();
            properties.push(format!("title={}", property(&title)));
            lines.push(format!(
                "::error {}::{}",
                properties.join(","),
                data(&message)
            ));
        }
        if report.verdict == Verdict::Incomplete {
            let skipped: Vec<String> = report
                .stages
                .iter()
                .filter(|s| Outcome::of(report, s) == Outcome::Skipped)
                .map(|s| format!("{} ({})", s.name, s.summary))
                .collect();
            lines.push(format!(
                "::warning title={}::{}",
                property(&format!(
                    "racelab {}: incomplete ({})",
                    report.exercise, g.name
                )),
                data(&format!(
                    "nothing failed, but not every stage ran, so this is not a pass: {}",
                    skipped.join("; ")
                ))
            ));
        }
    }
    lines
}

/// The first place in the subject's own code that a stage's evidence names: compiler
/// errors first, then the summary, the failure's location, its message, its trace.
pub fn place_of(report: &Report, stage: &StageReport, lab_root: &Path) -> Option<Place> {
    let subject = Path::new(&report.subject);
    let evidence = &stage.evidence;
    let trace = crate::render::trace(evidence, crate::render::FORMAT_WIDTH);
    let texts = evidence
        .compile_errors
        .iter()
        .map(String::as_str)
        .chain([stage.summary.as_str()])
        .chain(evidence.location.as_deref())
        .chain(evidence.failure.as_deref())
        .chain(trace.as_deref());
    texts
        .into_iter()
        .find_map(|text| place_in(text, subject, lab_root))
}

/// The first place in `subject`'s code that `text` names.
fn place_in(text: &str, subject: &Path, lab_root: &Path) -> Option<Place> {
    mentions(text).into_iter().find_map(|(path, line, column)| {
        let path = Path::new(&path);
        // A relative path is the subject's, the lab's, or (in a batch report, where
        // paths are the student's repository's) a folder's above the subject.
        let candidates: Vec<PathBuf> = if path.is_absolute() {
            vec![path.to_owned()]
        } else {
            subject
                .ancestors()
                .take(4)
                .chain([lab_root])
                .map(|base| base.join(path))
                .collect()
        };
        candidates
            .into_iter()
            .find(|c| c.starts_with(subject) && c.is_file())
            .map(|file| Place { file, line, column })
    })
}

/// A place as workflow command properties, its path relative to `base`.
fn place_properties(place: &Place, base: &Path) -> Vec<String> {
    let file = place.file.strip_prefix(base).unwrap_or(&place.file);
    let mut properties = vec![
        format!("file={}", property(&file.display().to_string())),
        format!("line={}", place.line),
    ];
    if let Some(column) = place.column {
        properties.push(format!("col={column}"));
    }
    properties
}

/// Every `path.rs:line[:column]` in `text`, in order.
fn mentions(text: &str) -> Vec<(String, u32, Option<u32>)> {
    let path_char = |c: char| c.is_alphanumeric() || "-_./".contains(c);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(".rs:") {
        let end = from + at + 3;
        let start = text[..end]
            .char_indices()
            .rev()
            .take_while(|(_, c)| path_char(*c))
            .last()
            .map_or(end, |(i, _)| i);
        let numbers = |s: &str| -> (Option<u32>, usize) {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            (digits.parse().ok(), digits.len())
        };
        let (line, used) = numbers(&text[end + 1..]);
        let rest = &text[end + 1 + used..];
        let column = rest.strip_prefix(':').and_then(|r| numbers(r).0);
        if let Some(line) = line.filter(|_| start < end - 3) {
            found.push((text[start..end].to_owned(), line, column));
        }
        from = end + 1;
    }
    found
}

/// A workflow command's message, escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, escaped.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{github, mentions, place_of};
    use crate::formats::Graded;
    use crate::formats::tests::{caught, stage};
    use crate::report::Status;
    use std::fs;

    /// A lab with the shipped ex01 crate's file, and a report of it graded there.
    fn lab_with_subject() -> (tempfile::TempDir, crate::report::Report) {
        let lab = tempfile::tempdir().unwrap();
        let subject = lab.path().join("exercises/ex01-lost-update");
        fs::create_dir_all(subject.join("src")).unwrap();
        fs::write(subject.join("src/lib.rs"), "// the subject\n").unwrap();
        let mut report = caught();
        report.subject = subject.display().to_string();
        (lab, report)
    }

    #[test]
    fn paths_lines_and_columns_are_found_in_free_text() {
        assert_eq!(
            mentions("reads at src/lib.rs:67 while writes at /a/b.rs:69:5, see x.rs"),
            [
                ("src/lib.rs".to_owned(), 67, None),
                ("/a/b.rs".to_owned(), 69, Some(5))
            ]
        );
        assert!(mentions("no .rs:12 path here").is_empty());
    }

    #[test]
    fn a_loom_race_is_annotated_on_the_racy_line_relative_to_the_repository() {
        let (lab, report) = lab_with_subject();
        let lines = github(
            &[Graded {
                name: "alice",
                report: &report,
            }],
            lab.path(),
            lab.path(),
        );
        assert_eq!(
            lines[0],
            "::error file=exercises/ex01-lost-update/src/lib.rs,line=67,title=racelab ex01 loom%3A fail (alice)::data race: thread 2 reads at exercises/ex01-lost-update/src/lib.rs:67 while thread 1 writes at exercises/ex01-lost-update/src/lib.rs:69%0Areplay: cargo xtask replay ex01 --stage loom"
        );
        // stress points at no line; tsan was skipped, not required: a warning.
        assert!(
            lines[1].starts_with("::error title=racelab ex01 stress"),
            "{}",
            lines[1]
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
    }

    #[test]
    fn a_compile_error_points_at_its_line_and_other_code_is_never_blamed() {
        let (lab, mut report) = lab_with_subject();
        let mut broken = stage("loom", Status::Error, "the subject does not compile");
        broken.evidence.compile_errors =
            vec!["error[E0308]: mismatched types\n --> src/lib.rs:12:5".into()];
        let place = place_of(&report, &broken, lab.path()).unwrap();
        assert_eq!((place.line, place.column), (12, Some(5)));
        assert!(
            place
                .file
                .ends_with("exercises/ex01-lost-update/src/lib.rs")
        );

        let scenario = stage(
            "shuttle",
            Status::Fail,
            "broken at grader/scenarios/ex01_lost_update.rs:40",
        );
        assert_eq!(place_of(&report, &scenario, lab.path()), None);

        // Every stage that needed the build carries the same errors: one annotation
        // per error, not one per stage.
        let mut second = broken.clone();
        second.name = crate::StageId::Shuttle;
        second
            .evidence
            .compile_errors
            .push("error[E0425]: cannot find value `x` in this scope\n --> src/lib.rs:30:9".into());
        report.stages = vec![broken, second];
        report.verdict = crate::verdict::Verdict::Fail;
        let lines = github(
            &[Graded {
                name: "bob",
                report: &report,
            }],
            lab.path(),
            lab.path(),
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(
                "::error file=exercises/ex01-lost-update/src/lib.rs,line=12,col=5,title=racelab ex01%3A compile error (bob)::error[E0308]"
            ),
            "{}",
            lines[0]
        );
        assert!(lines[1].contains("line=30,col=9"), "{}", lines[1]);

        report.stages = vec![
            stage("loom", Status::Pass, "ok"),
            stage("tsan", Status::Skipped, "not selected"),
        ];
        report.verdict = crate::verdict::Verdict::Incomplete;
        let lines = github(
            &[Graded {
                name: "bob",
                report: &report,
            }],
            lab.path(),
            lab.path(),
        );
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("::warning title=racelab ex01%3A incomplete (bob)::"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("tsan (not selected)"));
    }
}
