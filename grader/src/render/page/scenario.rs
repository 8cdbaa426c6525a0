//! spec's scenario on the report page, from the data: how the object started, the
//! main thread's calls, a real table with one column per worker, and why no
//! sequential order explains the results, as lists a screen reader walks.

use maud::{Markup, html};
use racelab_harness::{CallOutcome, Instead, SpecCall, SpecExplanation, SpecScenario, spec::Lane};

/// The scenario's section body: its calls, then the explanation when there is one.
pub(super) fn section(scenario: &SpecScenario) -> Markup {
    let on = |lane: Lane| scenario.calls.iter().filter(move |c| c.lane == lane);
    let columns: Vec<Vec<&SpecCall>> = (0..scenario.threads)
        .map(|t| on(Lane::Thread(t)).collect())
        .collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let initial: Vec<&SpecCall> = on(Lane::Initial).collect();
    let last: Vec<&SpecCall> = on(Lane::Final).collect();
    html! {
        h3 { "The calls and their results" }
        p { "The object started as " code { (scenario.start) } "." }
        @if !initial.is_empty() {
            p { "The main thread, before the workers:" }
            ul class="calls" { @for call in &initial { li { (cell(call)) } } }
        }
        table class="results" {
            caption { "Each worker's calls, in order, with what each returned" }
            thead { tr { @for t in 0..columns.len() { th scope="col" { "T" (t + 1) } } } }
            tbody {
                @for row in 0..rows {
                    tr {
                        @for column in &columns {
                            td { @if let Some(call) = column.get(row) { (cell(call)) } }
                        }
                    }
                }
            }
        }
        @if !last.is_empty() {
            p { "The main thread, once the workers had joined:" }
            ul class="calls" { @for call in &last { li { (cell(call)) } } }
        }
        @if let Some(explanation) = &scenario.explanation {
            (explain(explanation, &scenario.calls))
        }
    }
}

/// A call and what became of it: `transfer(0, 1, 100)` → `true`.
fn cell(call: &SpecCall) -> Markup {
    html! {
        code { (call.op) }
        @match &call.outcome {
            CallOutcome::Returned(ret) => { " → " code { (ret) } }
            CallOutcome::Unfinished => { " did not return" }
            CallOutcome::NotRun => { " was not run" }
        }
    }
}

/// The results no order gives, and the orders shown with what a correct object does
/// instead.
fn explain(explanation: &SpecExplanation, calls: &[SpecCall]) -> Markup {
    let name = |i: usize| {
        calls.get(i).map_or_else(
            || format!("call {i}"),
            |call| match call.lane {
                Lane::Initial | Lane::Final => format!("main {}", call.op),
                Lane::Thread(t) => format!("T{} {}", t + 1, call.op),
            },
        )
    };
    let returned = |i: usize| match calls.get(i).map(|c| &c.outcome) {
        Some(CallOutcome::Returned(ret)) => ret.clone(),
        _ => "nothing".to_owned(),
    };
    let all = explanation.shown.len() == explanation.orders && explanation.complete;
    let counted = if explanation.complete { "" } else { "first " };
    html! {
        h3 { "Why no sequential order explains them" }
        @for &i in &explanation.impossible {
            p { "No order of these calls gives " code { (name(i)) } " → " code { (returned(i)) } "." }
        }
        @if explanation.impossible.is_empty() && explanation.complete {
            p { "Each result alone fits some order, but no order fits them all." }
        }
        @if all {
            p { "In each order that keeps real time, a correct object instead:" }
        } @else {
            p {
                "Of the " (counted) (explanation.orders) " orders that keep real time, the "
                (explanation.shown.len()) " closest, where a correct object instead:"
            }
        }
        ol class="orders" {
            @for order in &explanation.shown {
                li {
                    @for (n, &i) in order.sequence.iter().enumerate() {
                        @if n > 0 { " → " }
                        code { (name(i)) }
                    }
                    ul {
                        @for difference in &order.differences {
                            li {
                                code { (name(difference.call)) } ": "
                                @match &difference.instead {
                                    Instead::Returns(ret) => { "returns " code { (ret) } ", not " code { (returned(difference.call)) } }
                                    Instead::Waits => { "waits for ever there" }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { "The object is not linearizable." }
    }
}
