//! spec's scenario drawn at a width: how the object started, the main thread's first
//! calls, one column per worker with each call and what became of it (side by side
//! when they fit, else one worker after another), the main thread's last calls; then,
//! for results no sequential order explains, why — the result no order gives, and
//! what a correct object returns instead in each order that keeps real time (or the
//! few closest). Prose breaks at spaces and a sequence of calls between calls: a call
//! such as `transfer(0, 1, 100)` is never broken.

use racelab_harness::{CallOutcome, Instead, SpecCall, SpecExplanation, SpecScenario, spec::Lane};

/// `scenario` drawn in lines of at most `width` columns (a single call wider than
/// that keeps a line of its own). No trailing newline.
pub fn draw(scenario: &SpecScenario, width: usize) -> String {
    let mut lines = calls(scenario, width);
    if let Some(explanation) = &scenario.explanation {
        lines.extend(explain(explanation, &scenario.calls, width));
    }
    lines.join("\n")
}

/// The scenario's calls: `start: …`, main's first calls, the workers, main's last.
fn calls(scenario: &SpecScenario, width: usize) -> Vec<String> {
    let on = |lane: Lane| scenario.calls.iter().filter(move |c| c.lane == lane);
    let main = |call: &SpecCall| flow("main: ", &cell_pieces(call), ": ", 6, width);
    let mut lines = prose(&format!("start: {}", scenario.start), width);
    lines.extend(on(Lane::Initial).flat_map(main));
    let columns: Vec<Vec<&SpecCall>> = (0..scenario.threads)
        .map(|t| on(Lane::Thread(t)).collect())
        .collect();
    let side_by_side = side_by_side(&columns);
    if side_by_side.iter().all(|l| l.chars().count() <= width) {
        lines.extend(side_by_side);
    } else {
        lines.extend(one_after_another(&columns, width));
    }
    lines.extend(on(Lane::Final).flat_map(main));
    lines
}

/// `transfer(0, 1, 100): true`, `…: (did not return)`, `…: (not run)`.
fn cell(call: &SpecCall) -> String {
    cell_pieces(call).join(": ")
}

/// A call's cell in its two unbreakable pieces: the call, and what became of it.
fn cell_pieces(call: &SpecCall) -> [String; 2] {
    let outcome = match &call.outcome {
        CallOutcome::Returned(ret) => ret.clone(),
        CallOutcome::Unfinished => "(did not return)".to_owned(),
        CallOutcome::NotRun => "(not run)".to_owned(),
    };
    [call.op.clone(), outcome]
}

/// `| T1 | T2 |` and one row per call, each column as wide as its widest cell.
fn side_by_side(columns: &[Vec<&SpecCall>]) -> Vec<String> {
    let cells: Vec<Vec<String>> = columns
        .iter()
        .map(|calls| calls.iter().map(|c| cell(c)).collect())
        .collect();
    let widths: Vec<usize> = cells
        .iter()
        .map(|column| {
            column
                .iter()
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                .max(2)
        })
        .collect();
    let row = |text_of: &dyn Fn(usize) -> String| {
        let mut line = String::from("|");
        for (t, width) in widths.iter().enumerate() {
            let text = text_of(t);
            let pad = width - text.chars().count();
            line.push_str(&format!(" {text}{} |", " ".repeat(pad)));
        }
        line
    };
    let rows = cells.iter().map(Vec::len).max().unwrap_or(0);
    std::iter::once(row(&|t| format!("T{}", t + 1)))
        .chain((0..rows).map(|r| row(&|t| cells[t].get(r).cloned().unwrap_or_default())))
        .collect()
}

/// `T1: first call`, its further calls under it, then `T2: …`; a cell too wide for
/// the line goes on under its call.
fn one_after_another(columns: &[Vec<&SpecCall>], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (t, calls) in columns.iter().enumerate() {
        let label = format!("T{}: ", t + 1);
        let indent = label.len();
        for (i, call) in calls.iter().enumerate() {
            let lead = if i == 0 {
                label.clone()
            } else {
                " ".repeat(indent)
            };
            lines.extend(flow(&lead, &cell_pieces(call), ": ", indent + 2, width));
        }
    }
    lines
}

/// Why no order explains the results: the results no order gives, then the orders
/// shown, each with the calls a correct object would end otherwise.
fn explain(explanation: &SpecExplanation, calls: &[SpecCall], width: usize) -> Vec<String> {
    let name = |i: usize| calls.get(i).map_or_else(|| format!("call {i}"), name);
    let mut lines = Vec::new();
    for &i in &explanation.impossible {
        let mut pieces = words("No order of these calls gives");
        pieces.push(name(i));
        pieces.push(format!("→ {}.", calls.get(i).map_or("?", returned)));
        lines.extend(flow("", &pieces, " ", 2, width));
    }
    if explanation.impossible.is_empty() && explanation.complete {
        lines.extend(prose(
            "Each result alone fits some order, but no order fits them all.",
            width,
        ));
    }
    let shown = explanation.shown.len();
    if shown == explanation.orders && explanation.complete {
        lines.extend(prose(
            "In each order that keeps real time, a correct object instead:",
            width,
        ));
    } else {
        let counted = if explanation.complete { "" } else { "first " };
        lines.extend(prose(
            &format!(
                "Of the {counted}{} orders that keep real time, the {shown} closest, where a correct object instead:",
                explanation.orders
            ),
            width,
        ));
    }
    for (n, order) in explanation.shown.iter().enumerate() {
        let names: Vec<String> = order.sequence.iter().map(|&i| name(i)).collect();
        let number = format!("{}. ", n + 1);
        lines.extend(flow(&number, &names, " → ", number.len(), width));
        for difference in &order.differences {
            // A value (`[100, 1, 100, v2]`) stays whole, as a call does.
            let mut pieces = vec![format!("{}:", name(difference.call))];
            match &difference.instead {
                Instead::Returns(ret) => {
                    let real = calls.get(difference.call).map_or("?", returned);
                    pieces.extend([format!("returns {ret},"), format!("not {real}")]);
                }
                Instead::Waits => pieces.extend(words("waits for ever there")),
            }
            lines.extend(flow("     ", &pieces, " ", 7, width));
        }
    }
    lines.extend(prose("The object is not linearizable.", width));
    lines
}

/// `T2 balance(0)`, `main balance(0)`.
fn name(call: &SpecCall) -> String {
    match call.lane {
        Lane::Initial | Lane::Final => format!("main {}", call.op),
        Lane::Thread(t) => format!("T{} {}", t + 1, call.op),
    }
}

/// What the real object returned for `call` (every call of a history that no order
/// explains returned).
fn returned(call: &SpecCall) -> &str {
    match &call.outcome {
        CallOutcome::Returned(ret) => ret,
        CallOutcome::Unfinished | CallOutcome::NotRun => "nothing",
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_owned).collect()
}

/// `text` wrapped at spaces, further lines indented by 2.
fn prose(text: &str, width: usize) -> Vec<String> {
    flow("", &words(text), " ", 2, width)
}

/// `first`, then `pieces` joined by `joint`, broken before a piece that would pass
/// `width` with the joint's visible part that ends a broken line, the further lines
/// indented to `indent`. A piece is never split.
fn flow(first: &str, pieces: &[String], joint: &str, indent: usize, width: usize) -> Vec<String> {
    let ending = joint.trim_end();
    let mut lines = vec![first.to_owned()];
    for (n, piece) in pieces.iter().enumerate() {
        let line = lines.last_mut().expect("one line at least");
        let glue = if n == 0 { "" } else { joint };
        let after = if n + 1 < pieces.len() { ending } else { "" };
        let taken = line.chars().count();
        let needed = glue.chars().count() + piece.chars().count() + after.chars().count();
        if n > 0 && taken + needed > width {
            line.push_str(ending);
            lines.push(format!("{}{piece}", " ".repeat(indent)));
        } else {
            line.push_str(glue);
            line.push_str(piece);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::draw;
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

    fn returned(lane: Lane, op: &str, ret: &str) -> SpecCall {
        call(lane, op, CallOutcome::Returned(ret.to_owned()))
    }

    fn fits(drawn: &str, width: usize) {
        for line in drawn.lines() {
            assert!(
                line.chars().count() <= width,
                "over {width}: {line}\n{drawn}"
            );
        }
    }

    #[test]
    fn a_deadlocked_scenario_shows_every_call_and_what_became_of_it() {
        let scenario = SpecScenario {
            start: "Bank([100, 0])".into(),
            threads: 2,
            calls: vec![
                returned(Lane::Initial, "balance(0)", "100"),
                call(Lane::Thread(0), "move(0, 1)", CallOutcome::Unfinished),
                call(Lane::Thread(1), "move(1, 0)", CallOutcome::Unfinished),
                call(Lane::Thread(1), "balance(1)", CallOutcome::NotRun),
                call(Lane::Final, "balance(0)", CallOutcome::NotRun),
            ],
            explanation: None,
        };
        let pad = " ".repeat(26);
        let expected = format!(
            "start: Bank([100, 0])\n\
             main: balance(0): 100\n\
             | T1{pad} | T2{pad} |\n\
             | move(0, 1): (did not return) | move(1, 0): (did not return) |\n\
             | {blank} | balance(1): (not run)        |\n\
             main: balance(0): (not run)",
            blank = " ".repeat(28)
        );
        assert_eq!(draw(&scenario, 76), expected);
        // At 60 columns the workers come one after another.
        assert_eq!(
            draw(&scenario, 60),
            "start: Bank([100, 0])\n\
             main: balance(0): 100\n\
             T1: move(0, 1): (did not return)\n\
             T2: move(1, 0): (did not return)\n    \
             balance(1): (not run)\n\
             main: balance(0): (not run)"
        );
    }

    #[test]
    fn a_cell_too_wide_for_the_line_goes_on_under_its_call() {
        let op = "transfer_between_accounts(0, 1, 100)";
        let scenario = SpecScenario {
            start: "Ledger::new(&[100, 100, 100])".into(),
            threads: 1,
            calls: vec![call(Lane::Thread(0), op, CallOutcome::Unfinished)],
            explanation: None,
        };
        let drawn = draw(&scenario, 44);
        fits(&drawn, 44);
        assert_eq!(
            drawn,
            "start: Ledger::new(&[100, 100, 100])\n\
             T1: transfer_between_accounts(0, 1, 100):\n      \
             (did not return)"
        );
    }

    /// Three increments of a counter from 0 that all returned 1, and a read of 5.
    fn lost_increments() -> SpecScenario {
        let differs = |call: usize, ret: &str| SpecDifference {
            call,
            instead: Instead::Returns(ret.to_owned()),
        };
        SpecScenario {
            start: "Counter(0)".into(),
            threads: 3,
            calls: vec![
                returned(Lane::Thread(0), "increment_by(1)", "1"),
                returned(Lane::Thread(1), "increment_by(1)", "1"),
                returned(Lane::Thread(2), "increment_by(1)", "1"),
                returned(Lane::Final, "read()", "5"),
            ],
            explanation: Some(SpecExplanation {
                impossible: vec![3],
                orders: 6,
                complete: true,
                shown: vec![
                    SpecOrder {
                        sequence: vec![0, 1, 2, 3],
                        differences: vec![differs(1, "2"), differs(2, "3"), differs(3, "3")],
                    },
                    SpecOrder {
                        sequence: vec![3],
                        differences: vec![SpecDifference {
                            call: 3,
                            instead: Instead::Waits,
                        }],
                    },
                ],
            }),
        }
    }

    #[test]
    fn the_explanation_names_the_impossible_result_and_each_order_shown() {
        let drawn = draw(&lost_increments(), 78);
        fits(&drawn, 78);
        let explanation = drawn
            .split_once("main: read(): 5\n")
            .expect("main's call")
            .1;
        assert_eq!(
            explanation,
            "No order of these calls gives main read() → 5.\n\
             Of the 6 orders that keep real time, the 2 closest, where a correct object\n  \
             instead:\n\
             1. T1 increment_by(1) → T2 increment_by(1) → T3 increment_by(1) → main read()\n     \
             T2 increment_by(1): returns 2, not 1\n     \
             T3 increment_by(1): returns 3, not 1\n     \
             main read(): returns 3, not 5\n\
             2. main read()\n     \
             main read(): waits for ever there\n\
             The object is not linearizable."
        );
    }

    #[test]
    fn at_any_width_no_line_passes_it_and_no_call_is_broken() {
        for width in [30, 40, 60, 80] {
            let drawn = draw(&lost_increments(), width);
            fits(&drawn, width);
            // Three calls, three in the first order, two of them differing there.
            assert_eq!(
                drawn.matches("increment_by(1)").count(),
                3 + 3 + 2,
                "{drawn}"
            );
            assert!(drawn.ends_with("linearizable."), "{drawn}");
        }
    }
}
