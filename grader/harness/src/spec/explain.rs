//! Why no order explains a history, in the student's terms: the result no order
//! gives, and for each order that keeps real time (or the few closest), what a correct
//! object would have returned instead. "Not linearizable" alone sends a student
//! hunting; naming the impossible `-100` and the `0` each order gives points at the
//! line that produced it.

use super::Model;
use super::check::Call;
use crate::protocol::{self, SpecDifference, SpecExplanation, SpecOrder};

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

    /// As data for the grader to draw: the impossible results and the [`SHOWN`]
    /// closest orders, each value as the model's `Ret` displays it.
    pub fn data(&self) -> SpecExplanation {
        let shown = self.orders.iter().take(SHOWN).map(|order| SpecOrder {
            sequence: order.sequence.clone(),
            differences: order
                .differences
                .iter()
                .map(|(call, instead)| SpecDifference {
                    call: *call,
                    instead: match instead {
                        Instead::Returns(ret) => protocol::Instead::Returns(ret.to_string()),
                        Instead::Waits => protocol::Instead::Waits,
                    },
                })
                .collect(),
        });
        SpecExplanation {
            impossible: self.impossible(),
            orders: self.orders.len(),
            complete: self.complete,
            shown: shown.collect(),
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

#[cfg(test)]
mod tests {
    use super::Explanation;
    use crate::protocol::{Instead, SpecDifference, SpecOrder};
    use crate::spec::check::tests::{Counter, Op, call};
    use crate::spec::check::{Lane, linearizable};

    fn differs(call: usize, ret: &str) -> SpecDifference {
        SpecDifference {
            call,
            instead: Instead::Returns(ret.to_owned()),
        }
    }

    #[test]
    fn two_increments_that_both_saw_zero_give_both_orders_and_no_impossible_result() {
        let calls = [
            call(Lane::Thread(0), Op::Inc, 1, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
        ];
        assert!(!linearizable::<Counter>(&0, &calls));
        let data = Explanation::<Counter>::of(&0, &calls).data();
        assert!(data.impossible.is_empty());
        assert_eq!((data.orders, data.complete), (2, true));
        assert_eq!(
            data.shown,
            [
                SpecOrder {
                    sequence: vec![0, 1],
                    differences: vec![differs(1, "2")],
                },
                SpecOrder {
                    sequence: vec![1, 0],
                    differences: vec![differs(0, "2")],
                },
            ]
        );
    }

    #[test]
    fn a_result_no_order_gives_is_named_and_the_closest_order_comes_first() {
        // 5 from an increment of 0: no order gives it, whatever comes first.
        let calls = [
            call(Lane::Thread(0), Op::Inc, 5, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
            call(Lane::Final, Op::Wait, 2, 4, 5),
        ];
        let data = Explanation::<Counter>::of(&0, &calls).data();
        assert_eq!(data.impossible, [0]);
        // T2's 1 and main's 2 fit the order T2, T1, main: only T1's 5 differs there.
        assert_eq!(
            data.shown[0],
            SpecOrder {
                sequence: vec![1, 0, 2],
                differences: vec![differs(0, "2")],
            }
        );
    }

    #[test]
    fn an_order_where_a_call_would_wait_says_so_and_stops() {
        // main's wait() saw 1 before anyone incremented: real time puts it first.
        let calls = [
            call(Lane::Initial, Op::Wait, 1, 0, 1),
            call(Lane::Thread(0), Op::Inc, 1, 2, 3),
        ];
        let data = Explanation::<Counter>::of(&0, &calls).data();
        // The only order stops at main's wait, so T1's increment is never reached.
        assert_eq!(data.impossible, [0, 1]);
        assert_eq!(
            data.shown,
            [SpecOrder {
                sequence: vec![0],
                differences: vec![SpecDifference {
                    call: 0,
                    instead: Instead::Waits,
                }],
            }]
        );
    }

    #[test]
    fn many_orders_keep_the_closest_three() {
        // Six increments that overlap one another and all returned 1: 720 orders.
        let calls: Vec<_> = (0..6)
            .map(|n| call(Lane::Thread(n % 3), Op::Inc, 1, n as u64, 100 + n as u64))
            .collect();
        let data = Explanation::<Counter>::of(&0, &calls).data();
        assert_eq!((data.orders, data.complete), (720, true));
        assert_eq!(data.shown.len(), 3);
    }
}
