//! Why no order explains a history, in the student's terms: the result no order
//! gives, and for each order that keeps real time (or the few closest), what a correct
//! object would have returned instead. "Not linearizable" alone sends a student
//! hunting; naming the impossible `-100` and the `0` each order gives points at the
//! line that produced it.

use super::Model;
use super::check::{Call, Lane};
use super::show::MAX_WIDTH;
use std::fmt;

/// The most orders enumerated: a scenario of 3 threads × 3 calls has 1 680.
const MAX_ORDERS: usize = 20_000;

/// How many orders are shown, closest first.
const SHOWN: usize = 3;

/// What a correct object does with one call where an order places it, when that is
/// not what the real object did.
enum Instead<M: Model> {
    /// It returns this.
    Returns(M::Ret),
    /// It cannot complete there: it would wait for ever.
    Waits,
}

/// One order of the calls that keeps real time, and where a correct object taking
/// them in that order differs from the real one.
struct Order<M: Model> {
    /// The calls (indices into the history) in order; it stops at a call that would
    /// wait for ever.
    sequence: Vec<usize>,
    /// The calls whose result differs, and what a correct object does instead.
    differences: Vec<(usize, Instead<M>)>,
}

impl<M: Model> Order<M> {
    /// How far this order is from explaining the history: its differences, and every
    /// call it never reached.
    fn distance(&self, calls: usize) -> usize {
        self.differences.len() + calls - self.sequence.len()
    }

    /// Whether a correct object taking this order gives call `i` its real result.
    fn explains(&self, i: usize) -> bool {
        self.sequence.contains(&i) && !self.differences.iter().any(|(d, _)| *d == i)
    }
}

/// The explanation of a history that is not linearizable.
pub struct Explanation<'a, M: Model> {
    calls: &'a [Call<M>],
    /// The orders that keep real time, closest first.
    orders: Vec<Order<M>>,
    /// Whether `orders` is every such order (not cut at [`MAX_ORDERS`]).
    complete: bool,
}

impl<'a, M: Model> Explanation<'a, M> {
    /// Enumerates the orders of `calls` that keep real time (no call before one that
    /// returned before it began), runs the model along each from `start`, and keeps
    /// where each differs from what the real object returned.
    pub fn of(start: &M::State, calls: &'a [Call<M>]) -> Self {
        let mut orders = Vec::new();
        let mut path = Vec::new();
        let mut differences = Vec::new();
        enumerate::<M>(start, calls, &mut path, &mut differences, &mut orders);
        let complete = orders.len() < MAX_ORDERS;
        orders.sort_by_key(|order| order.distance(calls.len()));
        Explanation {
            calls,
            orders,
            complete,
        }
    }

    /// The calls whose real result no order gives (only claimed when every order was
    /// tried).
    pub fn impossible(&self) -> Vec<usize> {
        if !self.complete {
            return Vec::new();
        }
        (0..self.calls.len())
            .filter(|&i| !self.orders.iter().any(|order| order.explains(i)))
            .collect()
    }

    /// `T2 balance_paise(0)`.
    fn name(&self, i: usize) -> String {
        let call = &self.calls[i];
        match call.lane {
            Lane::Initial | Lane::Final => format!("main {}", call.op),
            Lane::Thread(t) => format!("T{} {}", t + 1, call.op),
        }
    }
}

/// Depth first over the calls that may come next: those called before the first
/// return among the calls not yet placed.
fn enumerate<M: Model>(
    state: &M::State,
    calls: &[Call<M>],
    path: &mut Vec<usize>,
    differences: &mut Vec<(usize, Instead<M>)>,
    orders: &mut Vec<Order<M>>,
) {
    if orders.len() >= MAX_ORDERS {
        return;
    }
    let pending: Vec<usize> = (0..calls.len()).filter(|i| !path.contains(i)).collect();
    if pending.is_empty() {
        orders.push(Order {
            sequence: path.clone(),
            differences: differences.iter().map(copy::<M>).collect(),
        });
        return;
    }
    let first_return = pending.iter().map(|&i| calls[i].returned).min();
    for &i in &pending {
        if Some(calls[i].called) >= first_return {
            continue;
        }
        path.push(i);
        match M::step(state, &calls[i].op) {
            Some((next, ret)) => {
                let differs = ret != calls[i].ret;
                if differs {
                    differences.push((i, Instead::Returns(ret)));
                }
                enumerate::<M>(&next, calls, path, differences, orders);
                if differs {
                    differences.pop();
                }
            }
            None => {
                let mut stopped: Vec<_> = differences.iter().map(copy::<M>).collect();
                stopped.push((i, Instead::Waits));
                if orders.len() < MAX_ORDERS {
                    orders.push(Order {
                        sequence: path.clone(),
                        differences: stopped,
                    });
                }
            }
        }
        path.pop();
    }
}

fn copy<M: Model>((i, instead): &(usize, Instead<M>)) -> (usize, Instead<M>) {
    let instead = match instead {
        Instead::Returns(ret) => Instead::Returns(ret.clone()),
        Instead::Waits => Instead::Waits,
    };
    (*i, instead)
}

/// `pieces` joined by `joint`, broken before a piece that would pass `MAX_WIDTH`, the
/// further lines indented to `indent`. A piece is never split.
fn joined(first: &str, pieces: &[String], joint: &str, indent: usize) -> Vec<String> {
    let mut lines = vec![first.to_owned()];
    for (n, piece) in pieces.iter().enumerate() {
        let line = lines.last_mut().expect("one line at least");
        let glue = if n == 0 { "" } else { joint };
        if n > 0 && line.chars().count() + glue.len() + piece.chars().count() > MAX_WIDTH {
            line.push_str(joint.trim_end());
            lines.push(format!("{}{piece}", " ".repeat(indent)));
        } else {
            line.push_str(glue);
            line.push_str(piece);
        }
    }
    lines
}

impl<M: Model> fmt::Display for Explanation<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let impossible = self.impossible();
        for &i in &impossible {
            let result = format!("{} → {}.", self.name(i), self.calls[i].ret);
            for line in joined("No order of these calls gives ", &[result], "", 2) {
                writeln!(f, "{line}")?;
            }
        }
        if impossible.is_empty() && self.complete {
            writeln!(
                f,
                "Each result alone fits some order, but no order fits them all."
            )?;
        }
        let shown = self.orders.len().min(SHOWN);
        if shown == self.orders.len() && self.complete {
            writeln!(
                f,
                "In each order that keeps real time, a correct object instead:"
            )?;
        } else {
            let counted = if self.complete { "" } else { "first " };
            writeln!(
                f,
                "Of the {counted}{} orders that keep real time, the {shown} closest, where a\n\
                 correct object instead:",
                self.orders.len()
            )?;
        }
        for (n, order) in self.orders.iter().take(shown).enumerate() {
            let names: Vec<String> = order.sequence.iter().map(|&i| self.name(i)).collect();
            for line in joined(&format!("{}. ", n + 1), &names, " → ", 5) {
                writeln!(f, "{line}")?;
            }
            for (i, instead) in &order.differences {
                let what = match instead {
                    Instead::Returns(ret) => {
                        format!("returns {ret}, not {}", self.calls[*i].ret)
                    }
                    Instead::Waits => "waits for ever there".to_owned(),
                };
                let words = [self.name(*i), what];
                for line in joined("     ", &words, ": ", 7) {
                    writeln!(f, "{line}")?;
                }
            }
        }
        write!(f, "The object is not linearizable.")
    }
}

#[cfg(test)]
mod tests {
    use super::Explanation;
    use crate::spec::check::tests::{Counter, Op, call};
    use crate::spec::check::{Lane, linearizable};
    use crate::spec::show::MAX_WIDTH;

    #[test]
    fn two_increments_that_both_saw_zero_name_the_result_and_both_orders() {
        let calls = [
            call(Lane::Thread(0), Op::Inc, 1, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
        ];
        assert!(!linearizable::<Counter>(&0, &calls));
        let text = Explanation::<Counter>::of(&0, &calls).to_string();
        assert_eq!(
            text,
            "Each result alone fits some order, but no order fits them all.\n\
             In each order that keeps real time, a correct object instead:\n\
             1. T1 inc() → T2 inc()\n     \
             T2 inc(): returns 2, not 1\n\
             2. T2 inc() → T1 inc()\n     \
             T1 inc(): returns 2, not 1\n\
             The object is not linearizable."
        );
    }

    #[test]
    fn a_result_no_order_gives_is_named() {
        // 5 from an increment of 0: no order gives it, whatever comes first.
        let calls = [
            call(Lane::Thread(0), Op::Inc, 5, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
            call(Lane::Final, Op::Wait, 2, 4, 5),
        ];
        let explanation = Explanation::<Counter>::of(&0, &calls);
        assert_eq!(explanation.impossible(), vec![0]);
        let text = explanation.to_string();
        assert!(
            text.starts_with("No order of these calls gives T1 inc() → 5.\n"),
            "{text}"
        );
        // T2's 1 and main's 2 fit the order T2, T1, main: only T1's 5 differs there,
        // so it is shown first.
        assert!(
            text.contains(
                "1. T2 inc() → T1 inc() → main wait()\n     T1 inc(): returns 2, not 5\n2."
            ),
            "{text}"
        );
    }

    #[test]
    fn an_order_where_a_call_would_wait_says_so_and_stops() {
        // main's wait() saw 1 before anyone incremented: real time puts it first.
        let calls = [
            call(Lane::Initial, Op::Wait, 1, 0, 1),
            call(Lane::Thread(0), Op::Inc, 1, 2, 3),
        ];
        let text = Explanation::<Counter>::of(&0, &calls).to_string();
        assert!(
            text.contains("1. main wait()\n     main wait(): waits for ever there\n"),
            "{text}"
        );
        assert!(text.starts_with("No order of these calls gives main wait() → 1.\n"));
    }

    #[test]
    fn many_orders_show_the_closest_three_within_the_width() {
        // Six increments that overlap one another and all returned 1: 720 orders.
        let calls: Vec<_> = (0..6)
            .map(|n| call(Lane::Thread(n % 3), Op::Inc, 1, n as u64, 100 + n as u64))
            .collect();
        let text = Explanation::<Counter>::of(&0, &calls).to_string();
        assert!(
            text.contains("Of the 720 orders that keep real time, the 3 closest"),
            "{text}"
        );
        assert_eq!(text.matches("\n3. ").count(), 1, "{text}");
        assert_eq!(text.matches("\n4. ").count(), 0, "{text}");
        assert!(
            text.lines().all(|l| l.chars().count() <= MAX_WIDTH),
            "{text}"
        );
    }
}
