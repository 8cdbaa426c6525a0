//! The report page: one self-contained HTML file per grade, written beside its report
//! (`target/racelab/reports/ex01.html` beside `ex01.toml`), and the class page
//! (`class.rs`). Inline CSS and SVG, no script, no network: it reads the same
//! offline, in any browser, years later.
//!
//! The page shows the verdict and every stage's line; for each stage that failed, its
//! failure, the interleaving as a swimlane (`svg.rs`, drawn from the model in
//! `lanes.rs`, which `from_steps.rs` builds from the recorded steps) and the same
//! steps as a table, a deadlock's wait-for graph, spec's results table, ThreadSanitizer's
//! conflicts, the replay command; why the passing stages were silent; and the source
//! lines the steps name, each step linked to its line.

pub mod class;
mod from_steps;
pub mod lanes;
mod scenario;
mod sources;
mod svg;

pub use sources::Sources;

use crate::report::{Report, StageReport, Status, ValueTrace, write_atomically};
use lanes::Swimlane;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::path::{Path, PathBuf};

/// The width of a text table the page shows where it draws no picture.
const TEXT_WIDTH: usize = 100;

/// The pages' stylesheet, inlined into each.
const STYLE: &str = include_str!("style.css");

/// Where the page of the report at `report_path` goes: beside it, as `.html`.
pub fn page_path(report_path: &Path) -> PathBuf {
    report_path.with_extension("html")
}

/// Writes the page of `report` beside `report_path`, atomically, reading the
/// subject's sources where the steps recorded them and showing paths relative to the
/// first of `roots` that holds them (the subject's folder, then the workspace).
fn write_beside(report: &Report, report_path: &Path, roots: &[&Path]) -> std::io::Result<PathBuf> {
    let path = page_path(report_path);
    let page = render(report, &mut Sources::under(roots));
    write_atomically(&path, &page)?;
    Ok(path)
}

/// Writes `report` to `report_path` and its page beside it: every grade's two files.
pub fn write_with_report(
    report: &Report,
    report_path: &Path,
    roots: &[&Path],
) -> std::io::Result<()> {
    report.write(report_path)?;
    write_beside(report, report_path, roots).map(drop)
}

/// A failing stage and what the page draws for it.
struct Drawn<'a> {
    stage: &'a StageReport,
    /// The failing execution.
    lanes: Option<Swimlane>,
    /// loom, after a data race: the execution that shows what the race does to the
    /// values.
    values: Option<(&'a ValueTrace, Swimlane)>,
}

impl Drawn<'_> {
    /// Every swimlane drawn for the stage.
    fn all_lanes(&self) -> impl Iterator<Item = &Swimlane> {
        self.lanes.iter().chain(self.values.iter().map(|(_, l)| l))
    }
}

/// The page of `report`, as HTML.
pub fn render(report: &Report, sources: &mut Sources) -> String {
    let failing: Vec<Drawn> = report
        .stages
        .iter()
        .filter(|s| matches!(s.status, Status::Fail | Status::Timeout | Status::Error))
        .map(|stage| Drawn {
            stage,
            lanes: stage
                .evidence
                .failure
                .as_deref()
                .and_then(|failure| from_steps::swimlane(&stage.evidence.steps, failure)),
            values: stage.evidence.values.as_ref().and_then(|values| {
                let lanes = from_steps::swimlane(&values.steps, &values.failure)?;
                Some((values, lanes))
            }),
        })
        .collect();
    for drawn in &failing {
        for step in drawn.all_lanes().flat_map(|l| &l.steps) {
            if let Some(place) = &step.place {
                sources.add(place);
            }
        }
    }
    let silent: Vec<&StageReport> = report
        .stages
        .iter()
        .filter(|s| s.status == Status::Pass && s.evidence.note.is_some())
        .collect();
    let sources = &*sources;
    let title = format!("{}: {} — Racelab", report.exercise, report.verdict.as_str());
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 {
                        (report.exercise) " "
                        span class=(format!("verdict {}", report.verdict.as_str())) { (report.verdict.as_str()) }
                    }
                    p {
                        "Subject " code { (report.subject) } ", graded in "
                        (format!("{:.1}", report.duration_ms as f64 / 1000.0)) " s by racelab "
                        (report.grader_version) "."
                    }
                    nav aria-label="On this page" {
                        ul {
                            li { a href="#stages" { "Stages" } }
                            @for drawn in &failing {
                                li { a href=(format!("#stage-{}", drawn.stage.name)) { (drawn.stage.name) ": " (drawn.stage.status) } }
                            }
                            @if !silent.is_empty() { li { a href="#silent" { "Why the other stages were silent" } } }
                            @if !sources.listing().is_empty() { li { a href="#source" { "Your code" } } }
                        }
                    }
                    h2 id="stages" { "Stages" }
                    table class="stages" {
                        thead { tr { th scope="col" { "stage" } th scope="col" { "status" } th scope="col" { "what it found" } } }
                        tbody {
                            @for stage in &report.stages {
                                tr {
                                    th scope="row" { (stage.name) }
                                    td { span class=(format!("status {}", stage.status)) { (stage.status) } }
                                    td { (stage.summary) }
                                }
                            }
                        }
                    }
                    @for drawn in &failing {
                        (stage_section(drawn, sources))
                    }
                    @if !silent.is_empty() {
                        h2 id="silent" { "Why the other stages were silent" }
                        dl {
                            @for stage in &silent {
                                dt { (stage.name) }
                                dd { (stage.evidence.note.as_deref().unwrap_or_default()) }
                            }
                        }
                    }
                    @if !sources.listing().is_empty() {
                        h2 id="source" { "Your code" }
                        @for (index, shown, lines) in sources.listing() {
                            (listing(index, shown, lines, &failing))
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// A failing stage: its failure, its interleaving, and the evidence it has.
fn stage_section(drawn: &Drawn, sources: &Sources) -> Markup {
    let stage = drawn.stage;
    let evidence = &stage.evidence;
    let id = format!("stage-{}", stage.name);
    html! {
        section class="stage" aria-labelledby=(id) {
            h2 id=(id) { (stage.name) ": " span class=(format!("status {}", stage.status)) { (stage.status) } }
            p { (stage.summary) }
            @if let Some(failure) = &evidence.failure {
                pre class="failure" tabindex="0" { (failure.trim()) }
            }
            // spec's calls first, as the console shows them, then the steps inside.
            @if let Some(scenario) = &evidence.scenario {
                (scenario::section(scenario))
            } @else if let Some(results) = &evidence.results {
                h3 { "The calls and their results" }
                pre class="results" tabindex="0" { (results) }
            }
            @if let Some(lanes) = &drawn.lanes {
                h3 { "The interleaving" }
                @if lanes.folded > 0 {
                    p { (lanes.folded) " earlier steps are left out." }
                }
                div class="figure" { (svg::swimlane(lanes, sources, &format!("{id}-lanes"))) }
                @if !lanes.wait_for.is_empty() {
                    h3 { "Who waits for whom" }
                    div class="figure" { (svg::wait_for(&lanes.wait_for, &format!("{id}-cycle"))) }
                }
                (steps_table(lanes, sources, &id))
            }
            @if let Some((values, lanes)) = &drawn.values {
                h3 { "What the race does to the values" }
                p {
                    "With its race check off, loom finds an execution that breaks the invariant ("
                    (values.preemptions)
                    @if values.preemptions == 1 { " preemption): " } @else { " preemptions): " }
                    (values.failure)
                }
                div class="figure" { (svg::swimlane(lanes, sources, &format!("{id}-values"))) }
                (steps_table(lanes, sources, &format!("{id}-values")))
            }
            @if let Some(tsan) = &evidence.tsan {
                h3 { "What ThreadSanitizer reported" }
                table class="conflicts" {
                    thead { tr { th scope="col" { "report" } th scope="col" { "kind" } th scope="col" { "operation" } th scope="col" { "thread" } th scope="col" { "where" } } }
                    tbody {
                        @for c in &tsan.conflicts {
                            tr { td { (c.report) } td { (c.kind) } td { (c.operation) } td { (c.thread) } td { (c.location.as_deref().unwrap_or("")) } }
                        }
                    }
                }
            }
            @if let Some(anomalies) = &evidence.anomalies {
                p {
                    (anomalies.invariant) " broke in " (anomalies.broken_rounds) " of "
                    (anomalies.rounds) " rounds; the worst round gave " (anomalies.worst_observed)
                    " " (anomalies.unit) " where " (anomalies.expected_per_round) " were expected."
                }
            }
            // No picture (no step of the subject's own code): the text table, if any.
            @if drawn.lanes.is_none() && evidence.tsan.is_none() {
                @if let Some(trace) = super::execution(evidence, TEXT_WIDTH) {
                    h3 { "The interleaving" }
                    pre class="trace" tabindex="0" { (trace) }
                }
            }
            @if !evidence.compile_errors.is_empty() {
                h3 { "What the compiler said" }
                @for error in &evidence.compile_errors { pre class="compile-error" tabindex="0" { (error) } }
            }
            @if let Some(fault) = &evidence.fault { p { strong { "Stopped: " } (fault) } }
            @if let Some(note) = &evidence.note { p class="note" { (note) } }
            @if let Some(replay) = &evidence.replay {
                p class="replay" { "Replay it: " code { (replay) } }
            }
        }
    }
}

/// The swimlane's steps as a table: the same facts for readers without the picture.
fn steps_table(lanes: &Swimlane, sources: &Sources, id: &str) -> Markup {
    html! {
        table class="steps" id=(format!("{id}-steps")) {
            caption { "The steps, in the order they ran" }
            thead {
                tr {
                    th scope="col" { "#" } th scope="col" { "thread" } th scope="col" { "line" }
                    th scope="col" { "your code" } th scope="col" { "step" } th scope="col" { "shared value after" }
                    th scope="col" { "note" }
                }
            }
            tbody {
                @for (row, step) in lanes.steps.iter().enumerate() {
                    tr class=(step.mark.map_or("step", |m| m.class())) data-thread=(lanes.threads[step.lane]) {
                        td { (row + 1) }
                        td { (lanes.threads[step.lane]) }
                        td {
                            @if let Some(place) = &step.place {
                                @match sources.anchor(place) {
                                    Some(anchor) => a class="line-link" href=(format!("#{anchor}")) { (place.file) ":" (place.line) },
                                    None => { (place.file) ":" (place.line) },
                                }
                            }
                        }
                        td { @if let Some(code) = step.place.as_ref().and_then(|p| sources.line(p)) { code { (code) } } }
                        td { code { (step.text) } }
                        td { @if let Some((object, value)) = &step.shared { code { (object) " = " (value) } } }
                        td { (step.mark.map_or("", |m| m.label())) }
                    }
                }
            }
        }
    }
}

/// A source file's lines, each with its anchor, the lines the steps name marked.
fn listing(index: usize, shown: &str, lines: &[String], failing: &[Drawn]) -> Markup {
    let hits: Vec<u32> = failing
        .iter()
        .flat_map(|d| d.all_lanes().flat_map(|l| &l.steps))
        .filter_map(|s| s.place.as_ref())
        .filter(|p| p.file == shown)
        .map(|p| p.line)
        .collect();
    html! {
        h3 { code { (shown) } }
        div class="listing" role="region" aria-label=(format!("{shown}, line by line")) tabindex="0" {
            @for (i, text) in lines.iter().enumerate() {
                @let line = i as u32 + 1;
                div class=(if hits.contains(&line) { "src-line hit" } else { "src-line" }) id=(sources::anchor(index, line)) {
                    span class="no" { (line) } (text)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Sources, render};
    use crate::report::{Evidence, Report, SCHEMA, StageReport, Status};
    use crate::stage_id::StageId;
    use crate::verdict::Verdict;
    use racelab_harness::trace::{Event, Object, ObjectKind, Place, Step, Thread, Value};
    use std::path::Path;

    fn step(thread: u32, store: bool, line: u32) -> Step {
        let object = Object {
            kind: ObjectKind::Memory,
            number: 1,
            name: None,
        };
        let value = Value::Integer(1000);
        Step {
            thread: Thread::Spawned(thread),
            event: if store {
                Event::Store {
                    object,
                    ordering: None,
                    value,
                }
            } else {
                Event::Load {
                    object,
                    ordering: None,
                    value,
                }
            },
            place: Some(Place {
                file: "src/lib.rs".into(),
                line,
                column: 5,
            }),
            callers: Vec::new(),
        }
    }

    /// A loom data race at lines 2 and 3 of the subject's `src/lib.rs`.
    fn race() -> Report {
        let stage = |name, status| StageReport {
            name,
            status,
            duration_ms: 1,
            summary: format!("{name} {status}"),
            evidence: Evidence::default(),
        };
        let mut loom = stage(StageId::Loom, Status::Fail);
        loom.evidence.failure = Some("Causality violation: <read> & <write>".into());
        loom.evidence.replay = Some("cargo xtask replay ex03 loom".into());
        loom.evidence.steps = vec![step(2, true, 2), step(1, false, 3)];
        let mut stress = stage(StageId::Stress, Status::Pass);
        stress.evidence.note = Some("real threads rarely meet here".into());
        Report {
            schema: SCHEMA,
            grader_version: "0.1.0".into(),
            manifest_hash: String::new(),
            scenario_hash: String::new(),
            exercise: "ex03".into(),
            subject: "exercises/ex03-flag-flip".into(),
            subject_hash: String::new(),
            verdict: Verdict::Fail,
            required: Vec::new(),
            duration_ms: 5,
            stages: vec![loom, stress],
        }
    }

    #[test]
    fn the_page_draws_the_race_links_each_line_and_escapes_the_subjects_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/lib.rs"),
            "fn f() {\n    cell.store(a < b);\n    cell.load()\n}\n",
        )
        .unwrap();
        let html = render(&race(), &mut Sources::under(&[dir.path()]));
        assert_eq!(html.matches("<g class=\"lane\"").count(), 2);
        assert_eq!(html.matches("class=\"step write racing\"").count(), 1);
        assert_eq!(html.matches("class=\"step read racing\"").count(), 1);
        assert!(html.contains("class=\"missing-edge\""));
        for line in [2, 3] {
            assert!(html.contains(&format!("href=\"#src-0-L{line}\"")));
            assert!(html.contains(&format!("id=\"src-0-L{line}\"")));
        }
        assert!(html.contains("cell.store(a &lt; b);"));
        assert!(html.contains("Causality violation: &lt;read&gt; &amp; &lt;write&gt;"));
        assert!(html.contains("cargo xtask replay ex03 loom"));
        assert!(html.contains("real threads rarely meet here"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn without_its_sources_the_page_still_shows_the_lines_unlinked() {
        let nowhere = Path::new("/nonexistent-racelab-root");
        let html = render(&race(), &mut Sources::under(&[nowhere]));
        assert!(html.contains("class=\"lineno\""));
        assert!(!html.contains("href=\"#src-"));
        assert!(!html.contains("id=\"source\""));
    }
}
