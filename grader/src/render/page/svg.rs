//! The pictures: the swimlane of an interleaving, and a deadlock's wait-for graph.
//! Inline SVG, each with a `<title>` and a `<desc>` saying in words what it shows (the
//! page lists the same steps as a table too).

use super::lanes::{Mark, Swimlane, WaitFor};
use super::sources::Sources;
use maud::{Markup, html};

/// Height of one step's row.
const ROW: usize = 30;
/// Height of the lanes' heading.
const HEAD: usize = 44;
/// Width of the line-number column.
const LINE_W: usize = 48;
/// Width of the source-code column.
const CODE_W: usize = 310;
/// Width of one thread's lane.
const LANE_W: usize = 270;
/// Width of the shared-values column.
const SHARED_W: usize = 270;
/// Characters of code or of an operation shown before cutting (monospace, 12 px).
const CODE_CHARS: usize = 40;
const OP_CHARS: usize = 30;

/// The swimlane of `lanes`, `id` naming its title and description.
pub fn swimlane(lanes: &Swimlane, sources: &Sources, id: &str) -> Markup {
    let lane_x = |lane: usize| LINE_W + CODE_W + lane * LANE_W;
    let node_x = |lane: usize| lane_x(lane) + 16;
    let row_y = |row: usize| HEAD + row * ROW + ROW / 2;
    let shared_x = lane_x(lanes.threads.len()) + 8;
    let width = shared_x + SHARED_W;
    let height = HEAD + lanes.steps.len() * ROW + 12;
    let title = format!(
        "The failing interleaving: {} threads, {} steps, time flowing down",
        lanes.threads.len(),
        lanes.steps.len()
    );
    html! {
        // A group, not an img: its line numbers are links, which an img may not hold.
        svg class="swimlane" xmlns="http://www.w3.org/2000/svg" role="group"
            aria-labelledby=(format!("{id}-title")) aria-describedby=(format!("{id}-desc"))
            width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (describe(lanes)) }
            defs {
                marker id=(format!("{id}-arrow")) viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" {}
                }
            }
            text class="heading" x="4" y="28" { "line" }
            text class="heading" x=(LINE_W) y="28" { "your code" }
            text class="heading" x=(shared_x) y="28" { "shared values" }
            @for (lane, thread) in lanes.threads.iter().enumerate() {
                g class="lane" data-thread=(thread) {
                    rect class=(if lane % 2 == 0 { "lane-bg even" } else { "lane-bg odd" })
                        x=(lane_x(lane)) y="8" width=(LANE_W) height=(height - 12) {}
                    text class="heading thread" x=(lane_x(lane) + 8) y="28" { (thread) }
                    line class="axis" x1=(node_x(lane)) y1=(HEAD) x2=(node_x(lane)) y2=(height - 8) {}
                }
            }
            @for (row, step) in lanes.steps.iter().enumerate() {
                @if row > 0 && lanes.steps[row - 1].lane != step.lane {
                    line class="switch" x1=(LINE_W) x2=(shared_x - 8)
                        y1=(row_y(row) - ROW / 2) y2=(row_y(row) - ROW / 2) {}
                }
            }
            @for hold in &lanes.holds {
                rect class="hold" x=(lane_x(hold.lane) + 4) y=(row_y(hold.from) - 10) width="6"
                    height=(row_y(hold.to) - row_y(hold.from) + 20) {
                    title { (lanes.threads[hold.lane]) " holds " (hold.object) }
                }
            }
            @for (row, step) in lanes.steps.iter().enumerate() {
                @let y = row_y(row);
                @let classes = match step.mark {
                    Some(mark) => format!("step {} {}", step.kind.class(), mark.class()),
                    None => format!("step {}", step.kind.class()),
                };
                g class=(classes) data-row=(row) data-thread=(lanes.threads[step.lane]) {
                    @if step.mark.is_some() {
                        rect class="mark-bg" x=(LINE_W - 2) y=(y - ROW / 2 + 2)
                            width=(shared_x - LINE_W - 4) height=(ROW - 4) rx="4" {}
                    }
                    @if let Some(place) = &step.place {
                        @match sources.anchor(place) {
                            Some(anchor) => a class="line-link" href=(format!("#{anchor}")) {
                                text class="lineno" x="4" y=(y + 4) { (place.line) }
                            },
                            None => text class="lineno" x="4" y=(y + 4) { (place.line) },
                        }
                        @if let Some(code) = sources.line(place) {
                            text class="code" x=(LINE_W) y=(y + 4) {
                                (cut(code, CODE_CHARS))
                                title { (code) }
                            }
                        }
                    }
                    circle class="node" cx=(node_x(step.lane)) cy=(y) r="6" {}
                    text class="op" x=(node_x(step.lane) + 12) y=(y + 4) {
                        (cut(&step.text, OP_CHARS))
                        title { (step.text) }
                    }
                    @if let Some(mark) = step.mark {
                        text class="mark-label" x=(shared_x + SHARED_W - 8) y=(y + 4)
                            text-anchor="end" { (mark.label()) }
                    }
                    @if let Some((object, value)) = &step.shared {
                        text class="shared" x=(shared_x) y=(y + 4) { (object) " = " (value) }
                    }
                }
            }
            @if let Some(edge) = lanes.missing_edge {
                @let (from, to) = (&lanes.steps[edge.from], &lanes.steps[edge.to]);
                @let (x1, y1, x2, y2) = (node_x(from.lane), row_y(edge.from), node_x(to.lane), row_y(edge.to));
                @let bend = (x1 + x2) / 2 + 40;
                g class="missing-edge" {
                    path d=(format!("M {x1} {y1} C {bend} {y1}, {bend} {y2}, {x2} {y2}"))
                        marker-end=(format!("url(#{id}-arrow)")) {}
                    text x=(bend - 20) y=((y1 + y2) / 2) { "no happens-before" }
                }
            }
        }
    }
}

/// The swimlane in words, for its `<desc>`.
fn describe(lanes: &Swimlane) -> String {
    let mut words = format!(
        "One lane per thread ({}), time flowing down.",
        lanes.threads.join(", ")
    );
    let at = |row: usize| {
        let step = &lanes.steps[row];
        let line = step
            .place
            .as_ref()
            .map_or(String::new(), |p| format!(" at line {}", p.line));
        format!("{} {}{line}", lanes.threads[step.lane], step.text)
    };
    if let Some(edge) = lanes.missing_edge {
        words.push_str(&format!(
            " Nothing orders {} before {}: the happens-before edge between them is missing.",
            at(edge.from),
            at(edge.to)
        ));
    }
    let conflicts: Vec<usize> = (0..lanes.steps.len())
        .filter(|&row| lanes.steps[row].mark == Some(Mark::Conflict))
        .collect();
    if let [read, write] = conflicts[..] {
        words.push_str(&format!(
            " {} read a value that {} replaced before the reader wrote back: an update is lost.",
            at(read),
            at(write)
        ));
    }
    for (row, step) in lanes.steps.iter().enumerate() {
        if step.mark == Some(Mark::Blocked) {
            words.push_str(&format!(" {} and blocks there for good.", at(row)));
        }
    }
    for hold in &lanes.holds {
        words.push_str(&format!(
            " {} holds {} over steps {} to {}.",
            lanes.threads[hold.lane],
            hold.object,
            hold.from + 1,
            hold.to + 1
        ));
    }
    words
}

/// A deadlock's wait-for graph: each blocked thread points at the thread that holds
/// what it waits for, the arrow labelled with the lock.
pub fn wait_for(edges: &[WaitFor], id: &str) -> Markup {
    // An edge points at the thread that holds what its thread waits for; with no such
    // thread (a lost wakeup), at what it waits for.
    let target = |edge: &'_ WaitFor| -> String {
        edge.holder.clone().unwrap_or_else(|| edge.object.clone())
    };
    let mut nodes: Vec<String> = Vec::new();
    for edge in edges {
        for node in [edge.thread.clone(), target(edge)] {
            if !nodes.contains(&node) {
                nodes.push(node);
            }
        }
    }
    let (cx, cy, radius) = (180.0_f64, 130.0_f64, 85.0_f64);
    let at = |node: &str| {
        let i = nodes.iter().position(|n| n == node).unwrap_or(0) as f64;
        let angle = std::f64::consts::PI * (2.0 * i / nodes.len() as f64 - 0.5);
        (cx + radius * angle.cos(), cy + radius * angle.sin())
    };
    let sentences: Vec<String> = edges
        .iter()
        .map(|e| match &e.holder {
            Some(holder) if *holder == e.object => {
                format!("{} waits for {holder} to finish.", e.thread)
            }
            Some(holder) => format!("{} waits for {}, held by {holder}.", e.thread, e.object),
            None => format!(
                "{} waits on {}, and no thread is left to notify it.",
                e.thread, e.object
            ),
        })
        .collect();
    html! {
        svg class="wait-for" xmlns="http://www.w3.org/2000/svg" role="img"
            aria-labelledby=(format!("{id}-title {id}-desc")) width="360" height="260" viewBox="0 0 360 260" {
            title id=(format!("{id}-title")) { "Who waits for whom" }
            desc id=(format!("{id}-desc")) { (sentences.join(" ")) }
            defs {
                marker id=(format!("{id}-arrow")) viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" {}
                }
            }
            @for edge in edges {
                @let to = target(edge);
                @let label = if edge.holder.is_some() { edge.object.as_str() } else { "no notify left" };
                {
                    @let ((x1, y1), (x2, y2)) = (at(&edge.thread), at(&to));
                    // Bent to its right, so two threads' arrows at each other do not overlap.
                    @let (mx, my) = ((x1 + x2) / 2.0 + (y2 - y1) * 0.25, (y1 + y2) / 2.0 - (x2 - x1) * 0.25);
                    @let shorten = |x: f64, y: f64| {
                        let (dx, dy) = (x - mx, y - my);
                        let length = (dx * dx + dy * dy).sqrt().max(1.0);
                        (x - dx / length * 24.0, y - dy / length * 24.0)
                    };
                    @let ((sx, sy), (ex, ey)) = (shorten(x1, y1), shorten(x2, y2));
                    g class="wait-edge" data-from=(edge.thread) data-to=(to) {
                        path d=(format!("M {sx:.0} {sy:.0} Q {mx:.0} {my:.0} {ex:.0} {ey:.0}"))
                            marker-end=(format!("url(#{id}-arrow)")) {}
                        text x=(format!("{mx:.0}")) y=(format!("{my:.0}")) text-anchor="middle" { (label) }
                    }
                }
            }
            @for node in &nodes {
                @let (x, y) = at(node);
                @let object = edges.iter().any(|e| e.holder.is_none() && e.object == *node);
                g class="wait-node" {
                    @if object {
                        rect x=(format!("{:.0}", x - 42.0)) y=(format!("{:.0}", y - 16.0)) width="84" height="32" rx="4" {}
                    } @else {
                        circle cx=(format!("{x:.0}")) cy=(format!("{y:.0}")) r="22" {}
                    }
                    text x=(format!("{x:.0}")) y=(format!("{:.0}", y + 5.0)) text-anchor="middle" { (node) }
                }
            }
        }
    }
}

/// `text` cut to `chars` characters, with `…` where it was cut.
fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        text.chars().take(chars - 1).chain(['…']).collect()
    }
}
