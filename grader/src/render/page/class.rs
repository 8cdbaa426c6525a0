//! The class page, `summary.html` beside `summary.toml`: students × exercises, each
//! cell the verdict and the detectors that caught it, linked to that student's page;
//! per exercise, how many passed and the wrong fixes seen most (by failing stages and
//! kind of failure).

use crate::batch::{SubjectLine, Summary};
use crate::report::{Report, StageReport, Status};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeMap;
use std::path::Path;

/// How many wrong-fix kinds the page names per exercise.
const KINDS_SHOWN: usize = 3;

/// The class page of `summary`, written at `page` (links are relative to its folder);
/// `reports` are the subjects' reports, in the summary's order, `None` where one could
/// not be read.
pub fn render(summary: &Summary, reports: &[Option<Report>], page: &Path) -> String {
    let folder = page.parent().unwrap_or(Path::new(""));
    let mut students: Vec<&str> = Vec::new();
    for line in &summary.subjects {
        if !students.contains(&line.name.as_str()) {
            students.push(&line.name);
        }
    }
    let exercises: Vec<&str> = summary.exercises.iter().map(|e| e.id.as_str()).collect();
    let cell = |student: &str, exercise: &str| {
        summary
            .subjects
            .iter()
            .zip(reports)
            .find(|(line, _)| line.name == student && line.exercise == exercise)
    };
    let mut kinds: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for (line, report) in summary.subjects.iter().zip(reports) {
        if let Some(kind) = report.as_ref().and_then(wrong_fix) {
            *kinds
                .entry(line.exercise.as_str())
                .or_default()
                .entry(kind)
                .or_default() += 1;
        }
    }
    let title = match &summary.submissions {
        Some(folder) => format!("Class summary: {folder} — Racelab"),
        None => "Class summary — Racelab".to_owned(),
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(super::STYLE)) }
            }
            body {
                main {
                    h1 { "Class summary " span class=(format!("verdict {}", summary.verdict.as_str())) { (summary.verdict.as_str()) } }
                    p {
                        (summary.subjects.len()) " grades of " (students.len()) " students in "
                        (format!("{:.0}", summary.duration_ms as f64 / 1000.0)) " s; stages run: "
                        (summary.selected.join(", ")) "."
                    }
                    h2 id="grid" { "Students and exercises" }
                    table class="grid" {
                        caption { "Each cell: the verdict, and the detectors that caught the bug" }
                        thead {
                            tr {
                                th scope="col" { "student" }
                                @for exercise in &exercises { th scope="col" { (exercise) } }
                            }
                        }
                        tbody {
                            @for student in &students {
                                tr {
                                    th scope="row" { (student) }
                                    @for exercise in &exercises {
                                        td class="cell" {
                                            @if let Some((line, report)) = cell(student, exercise) {
                                                (verdict_cell(line, report.as_ref(), folder))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 id="exercises" { "Per exercise" }
                    table class="exercises" {
                        thead {
                            tr {
                                th scope="col" { "exercise" } th scope="col" { "passed" }
                                th scope="col" { "failed" } th scope="col" { "other" }
                                th scope="col" { "the wrong fixes seen most" }
                            }
                        }
                        tbody {
                            @for tally in &summary.exercises {
                                tr {
                                    th scope="row" { (tally.id) }
                                    td { (tally.passed) " of " (tally.subjects) }
                                    td { (tally.failed) }
                                    td { (tally.incomplete + tally.errored + tally.unchanged + tally.missing) }
                                    td {
                                        @if let Some(seen) = kinds.get(tally.id.as_str()) {
                                            ul {
                                                @for (kind, count) in most_common(seen) {
                                                    li { (kind) " (" (count) ")" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 id="stages" { "Per stage" }
                    table class="stage-tally" {
                        thead { tr { th scope="col" { "stage" } th scope="col" { "caught" } th scope="col" { "caught alone" } th scope="col" { "passed" } th scope="col" { "could not judge" } th scope="col" { "skipped" } } }
                        tbody {
                            @for stage in &summary.stages {
                                tr { th scope="row" { (stage.name) } td { (stage.caught) } td { (stage.caught_alone) } td { (stage.passed) } td { (stage.errored) } td { (stage.skipped) } }
                            }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// One grade's cell: its verdict and catching stages, linked to its page.
fn verdict_cell(line: &SubjectLine, report: Option<&Report>, folder: &Path) -> Markup {
    let caught: Vec<&str> = line
        .stages
        .iter()
        .filter(|(_, status)| matches!(status, Status::Fail | Status::Timeout))
        .map(|(name, _)| name.as_str())
        .collect();
    let page = super::page_path(Path::new(&line.report));
    let href = page
        .strip_prefix(folder)
        .unwrap_or(&page)
        .display()
        .to_string();
    let verdict = line.verdict.as_str();
    html! {
        @if report.is_some() {
            a href=(href) {
                span class=(format!("verdict {verdict}")) { (verdict) }
            }
        } @else {
            span class=(format!("verdict {verdict}")) { (verdict) }
        }
        @if !caught.is_empty() {
            br;
            span class="by" { "by " (caught.join(", ")) }
        }
    }
}

/// A failed grade's kind of wrong fix: the stages that failed and what they saw,
/// e.g. `loom, shuttle: data race`; `None` for a grade that did not fail.
fn wrong_fix(report: &Report) -> Option<String> {
    let failed: Vec<&StageReport> = report
        .stages
        .iter()
        .filter(|s| matches!(s.status, Status::Fail | Status::Timeout))
        .collect();
    let first = failed.first()?;
    let stages: Vec<&str> = failed.iter().map(|s| s.name.as_str()).collect();
    Some(format!("{}: {}", stages.join(", "), failure_kind(first)))
}

/// What kind of failure a stage saw, in a few words.
fn failure_kind(stage: &StageReport) -> &'static str {
    let evidence = &stage.evidence;
    let failure = evidence.failure.as_deref().unwrap_or("");
    if stage.status == Status::Timeout {
        "timed out (a deadlock or livelock)"
    } else if crate::render::deadlock::is_deadlock(failure) {
        "deadlock"
    } else if failure.contains("Causality violation") || evidence.tsan.is_some() {
        "data race"
    } else if evidence
        .scenario
        .as_ref()
        .is_some_and(|s| s.explanation.is_some())
        || evidence.results.is_some()
    {
        "results no sequential order explains"
    } else {
        "invariant broken"
    }
}

/// The kinds seen most, most first (ties by name), at most [`KINDS_SHOWN`].
fn most_common(seen: &BTreeMap<String, usize>) -> Vec<(&str, usize)> {
    let mut kinds: Vec<(&str, usize)> = seen.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    kinds.sort_by_key(|(kind, n)| (std::cmp::Reverse(*n), *kind));
    kinds.truncate(KINDS_SHOWN);
    kinds
}

#[cfg(test)]
mod tests {
    use super::most_common;
    use std::collections::BTreeMap;

    #[test]
    fn the_most_common_kinds_come_first_and_at_most_three() {
        let seen: BTreeMap<String, usize> = [
            ("loom: data race", 1),
            ("loom, shuttle: invariant broken", 4),
            ("loom: deadlock", 2),
            ("spec: results no sequential order explains", 2),
        ]
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n))
        .collect();
        assert_eq!(
            most_common(&seen),
            [
                ("loom, shuttle: invariant broken", 4),
                ("loom: deadlock", 2),
                ("spec: results no sequential order explains", 2)
            ]
        );
    }
}
