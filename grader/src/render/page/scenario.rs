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

#[cfg(test)]
mod tests {
    use super::section;
    use racelab_harness::{
        CallOutcome, Instead, SpecCall, SpecDifference, SpecExplanation, SpecOrder, SpecScenario,
        spec::Lane,
    };

    fn call(lane: Lane, op: &str, outcome: CallOutcome) -> SpecCall {
        SpecCall {
            lane,
            op: op.to_owned(),
            outcome,
        }
    }

    #[test]
    fn the_workers_calls_are_a_table_and_the_explanation_lists_each_order() {
        let scenario = SpecScenario {
            start: "Account<0>".into(),
            threads: 2,
            calls: vec![
                call(
                    Lane::Thread(0),
                    "balance()",
                    CallOutcome::Returned("-100".into()),
                ),
                call(Lane::Thread(1), "pay(100)", CallOutcome::Unfinished),
                call(Lane::Thread(1), "pay(5)", CallOutcome::NotRun),
                call(Lane::Final, "balance()", CallOutcome::Returned("0".into())),
            ],
            explanation: Some(SpecExplanation {
                impossible: vec![0],
                orders: 2,
                complete: true,
                shown: vec![SpecOrder {
                    sequence: vec![1, 0],
                    differences: vec![SpecDifference {
                        call: 0,
                        instead: Instead::Returns("0".into()),
                    }],
                }],
            }),
        };
        let html = section(&scenario).into_string();
        // The start is the subject's text, escaped.
        assert!(html.contains("<code>Account&lt;0&gt;</code>"), "{html}");
        assert!(
            html.contains(
                "<thead><tr><th scope=\"col\">T1</th><th scope=\"col\">T2</th></tr></thead>"
            ),
            "{html}"
        );
        // Two rows: T1's one call beside T2's first, then an empty cell beside T2's
        // second.
        assert_eq!(html.matches("<tr><td>").count(), 2, "{html}");
        assert!(
            html.contains("<tr><td></td><td><code>pay(5)</code> was not run</td></tr>"),
            "{html}"
        );
        assert!(
            html.contains("<code>pay(100)</code> did not return"),
            "{html}"
        );
        assert!(
            html.contains("<li><code>balance()</code> → <code>0</code></li>"),
            "{html}"
        );
        assert!(
            html.contains(
                "No order of these calls gives <code>T1 balance()</code> → <code>-100</code>."
            ),
            "{html}"
        );
        // One of two orders shown: the count is said.
        assert!(
            html.contains("Of the 2 orders that keep real time, the 1 closest"),
            "{html}"
        );
        assert!(
            html.contains(
                "<li><code>T2 pay(100)</code> → <code>T1 balance()</code><ul><li><code>T1 balance()</code>: returns <code>0</code>, not <code>-100</code></li></ul></li>"
            ),
            "{html}"
        );
    }
}
