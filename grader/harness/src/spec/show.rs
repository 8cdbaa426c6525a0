//! A scenario as the student reads it, whatever ended it: how the object started, the
//! main thread's first calls, one column per worker with each call and what became
//! of it, then the main thread's last calls. The same drawing serves results no order
//! explains, a deadlock and a panic, so every spec failure shows its scenario.

use super::check::Lane;

/// The widest a drawn line may be: the console indents tables by 2 columns, and the
/// lab prints within 80.
pub const MAX_WIDTH: usize = 76;

/// What became of one call in the execution shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It returned this value, as the model's `Ret` displays it.
    Returned(String),
    /// It began and never returned (its thread blocked for ever, or panicked).
    Unfinished,
    /// Its thread never got to it.
    NotRun,
}

/// One call of the scenario and its outcome, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownCall {
    /// Where it ran.
    pub lane: Lane,
    /// The call with its arguments: `transfer(0, 1, 100)`.
    pub op: String,
    /// What became of it.
    pub outcome: Outcome,
}

impl ShownCall {
    /// `transfer(0, 1, 100): true`, `transfer(0, 1, 100): (did not return)`.
    pub fn cell(&self) -> String {
        match &self.outcome {
            Outcome::Returned(ret) => format!("{}: {ret}", self.op),
            Outcome::Unfinished => format!("{}: (did not return)", self.op),
            Outcome::NotRun => format!("{}: (not run)", self.op),
        }
    }
}

/// The scenario: `start: …`, the main thread's first calls, the workers side by side
/// (or one after another when side by side would pass [`MAX_WIDTH`]), the main
/// thread's last calls. No trailing newline.
pub fn scenario(init: &str, calls: &[ShownCall], threads: usize) -> String {
    let on = |lane: Lane| calls.iter().filter(move |c| c.lane == lane);
    let mut lines = vec![format!("start: {init}")];
    lines.extend(on(Lane::Initial).map(|c| format!("main: {}", c.cell())));
    let columns: Vec<Vec<String>> = (0..threads)
        .map(|t| on(Lane::Thread(t)).map(ShownCall::cell).collect())
        .collect();
    let side_by_side = side_by_side(&columns);
    if side_by_side.iter().all(|l| l.chars().count() <= MAX_WIDTH) {
        lines.extend(side_by_side);
    } else {
        lines.extend(one_after_another(&columns));
    }
    lines.extend(on(Lane::Final).map(|c| format!("main: {}", c.cell())));
    lines.join("\n")
}

/// `| T1 | T2 |` and one row per call, each column as wide as its widest cell.
fn side_by_side(columns: &[Vec<String>]) -> Vec<String> {
    let widths: Vec<usize> = columns
        .iter()
        .map(|cells| {
            cells
                .iter()
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                .max(2)
        })
        .collect();
    let row = |cell: &dyn Fn(usize) -> String| {
        let mut line = String::from("|");
        for (t, width) in widths.iter().enumerate() {
            let text = cell(t);
            let pad = width - text.chars().count();
            line.push_str(&format!(" {text}{} |", " ".repeat(pad)));
        }
        line
    };
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    std::iter::once(row(&|t| format!("T{}", t + 1)))
        .chain((0..rows).map(|r| row(&|t| columns[t].get(r).cloned().unwrap_or_default())))
        .collect()
}

/// `T1: first call`, its further calls under it, then `T2: …`.
fn one_after_another(columns: &[Vec<String>]) -> Vec<String> {
    let mut lines = Vec::new();
    for (t, cells) in columns.iter().enumerate() {
        let label = format!("T{}: ", t + 1);
        for (i, cell) in cells.iter().enumerate() {
            let lead = if i == 0 {
                label.clone()
            } else {
                " ".repeat(label.len())
            };
            lines.push(format!("{lead}{cell}"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::{Lane, MAX_WIDTH, Outcome, ShownCall, scenario};

    fn shown(lane: Lane, op: &str, outcome: Outcome) -> ShownCall {
        ShownCall {
            lane,
            op: op.to_owned(),
            outcome,
        }
    }

    #[test]
    fn a_deadlocked_scenario_shows_every_call_and_what_became_of_it() {
        let calls = [
            shown(Lane::Initial, "balance(0)", Outcome::Returned("100".into())),
            shown(Lane::Thread(0), "move(0, 1)", Outcome::Unfinished),
            shown(Lane::Thread(1), "move(1, 0)", Outcome::Unfinished),
            shown(Lane::Thread(1), "balance(1)", Outcome::NotRun),
            shown(Lane::Final, "balance(0)", Outcome::NotRun),
        ];
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
        assert_eq!(scenario("Bank([100, 0])", &calls, 2), expected);
    }

    #[test]
    fn columns_too_wide_for_the_console_are_listed_one_thread_after_another() {
        let op = "transfer(0, 1, 100)";
        let calls: Vec<ShownCall> = (0..3)
            .map(|t| shown(Lane::Thread(t), op, Outcome::Unfinished))
            .chain([shown(Lane::Thread(2), op, Outcome::NotRun)])
            .collect();
        let drawn = scenario("Ledger::new(&[100, 100, 100])", &calls, 3);
        assert!(
            drawn.lines().all(|l| l.chars().count() <= MAX_WIDTH),
            "{drawn}"
        );
        assert_eq!(
            drawn,
            "start: Ledger::new(&[100, 100, 100])\n\
             T1: transfer(0, 1, 100): (did not return)\n\
             T2: transfer(0, 1, 100): (did not return)\n\
             T3: transfer(0, 1, 100): (did not return)\n    \
             transfer(0, 1, 100): (not run)"
        );
    }
}
