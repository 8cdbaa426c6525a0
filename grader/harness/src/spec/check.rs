//! The linearizability check: Wing & Gong's search over the orders that keep
//! real-time precedence, with Lowe's memoisation of (operations done, model state),
//! and the panic that fails an execution whose history fails it.

use super::Model;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// Where a call ran: on the main thread before or after the workers, or on a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// The main thread, before the workers start.
    Initial,
    /// Worker `n` (0-based; shown as `T{n+1}`, as the facade's trace names it).
    Thread(usize),
    /// The main thread, after the workers joined.
    Final,
}

/// One completed call: the operation, what it returned, and when it was called and
/// returned on a clock shared by every thread (ticks of one counter, so the order of
/// ticks is the order of events in the execution).
pub struct Call<M: Model> {
    /// Where it ran.
    pub lane: Lane,
    /// The operation and its arguments.
    pub op: M::Op,
    /// What the real object returned.
    pub ret: M::Ret,
    /// The tick before the call.
    pub called: u64,
    /// The tick after it returned.
    pub returned: u64,
}

/// Whether some order of `calls` explains their results: an order in which no call
/// comes before a call that returned before it was made (so each thread's own order
/// is kept), and in which the model, from `start`, returns what each call returned.
///
/// Scenarios are small (at most 64 calls), so the search is exhaustive, memoised on
/// the set of calls already placed and the model state they led to.
pub fn linearizable<M: Model>(start: &M::State, calls: &[Call<M>]) -> bool {
    assert!(calls.len() <= 64, "a scenario has at most 64 calls");
    let all = if calls.len() == 64 {
        u64::MAX
    } else {
        (1 << calls.len()) - 1
    };
    search::<M>(start, 0, all, calls, &mut HashSet::new())
}

fn search<M: Model>(
    state: &M::State,
    placed: u64,
    all: u64,
    calls: &[Call<M>],
    failed: &mut HashSet<(u64, M::State)>,
) -> bool {
    if placed == all {
        return true;
    }
    if !failed.insert((placed, state.clone())) {
        return false;
    }
    let pending = || (0..calls.len()).filter(move |i| placed & (1 << i) == 0);
    let first_return = pending()
        .map(|i| calls[i].returned)
        .min()
        .unwrap_or(u64::MAX);
    pending()
        .filter(|&i| calls[i].called < first_return)
        .any(|i| match M::step(state, &calls[i].op) {
            Some((next, ret)) if ret == calls[i].ret => {
                search::<M>(&next, placed | (1 << i), all, calls, failed)
            }
            _ => false,
        })
}

/// Results that no sequential order explains: the panic that fails the execution.
/// The scenario and why no order explains it travel as data (`SpecScenario`), which
/// the grader draws at its reader's width.
pub struct Violation {
    /// How many workers ran.
    pub threads: usize,
    /// How many calls the execution made.
    pub calls: usize,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "results no sequential order explains: {} threads, {} operations",
            self.threads, self.calls
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Call, Lane, Violation, linearizable};
    use crate::spec::Model;
    use proptest::prelude::*;
    use std::fmt;

    /// A counter whose `inc` returns the new value, and a `wait` that completes only
    /// once the counter is positive.
    pub(crate) struct Counter;

    #[derive(Debug, Clone, Copy, PartialEq)]
    pub(crate) enum Op {
        Inc,
        Wait,
    }

    impl fmt::Display for Op {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(match self {
                Op::Inc => "inc()",
                Op::Wait => "wait()",
            })
        }
    }

    impl Model for Counter {
        type Init = u64;
        type Object = ();
        type Handle = ();
        type Op = Op;
        type Ret = u64;
        type State = u64;

        fn init() -> BoxedStrategy<u64> {
            Just(0).boxed()
        }
        fn thread_part(_: usize) -> BoxedStrategy<Vec<Op>> {
            Just(vec![Op::Inc]).boxed()
        }
        fn final_part() -> BoxedStrategy<Vec<Op>> {
            Just(Vec::new()).boxed()
        }
        fn open(_: &u64) {}
        fn handle(_: &()) {}
        fn apply(_: &mut (), _: &Op) -> u64 {
            0
        }
        fn apply_in_thread(_: &mut (), _: &Op) -> u64 {
            0
        }
        fn start(init: &u64) -> u64 {
            *init
        }
        fn step(state: &u64, op: &Op) -> Option<(u64, u64)> {
            match op {
                Op::Inc => Some((state + 1, state + 1)),
                Op::Wait => (*state > 0).then_some((*state, *state)),
            }
        }
    }

    pub(crate) fn call(lane: Lane, op: Op, ret: u64, called: u64, returned: u64) -> Call<Counter> {
        Call {
            lane,
            op,
            ret,
            called,
            returned,
        }
    }

    #[test]
    fn overlapping_calls_may_take_effect_in_either_order() {
        let calls = [
            call(Lane::Thread(0), Op::Inc, 2, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
        ];
        assert!(linearizable::<Counter>(&0, &calls));
    }

    #[test]
    fn two_increments_that_both_saw_zero_are_not_linearizable() {
        let calls = [
            call(Lane::Thread(0), Op::Inc, 1, 0, 3),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
        ];
        assert!(!linearizable::<Counter>(&0, &calls));
    }

    #[test]
    fn a_call_that_returned_before_another_began_comes_first() {
        // T1's increment returned 2 before T2's began, so T2's cannot be the second.
        let calls = [
            call(Lane::Thread(0), Op::Inc, 2, 0, 1),
            call(Lane::Thread(1), Op::Inc, 1, 2, 3),
        ];
        assert!(!linearizable::<Counter>(&0, &calls));
        let overlapping = [
            call(Lane::Thread(0), Op::Inc, 2, 0, 2),
            call(Lane::Thread(1), Op::Inc, 1, 1, 3),
        ];
        assert!(linearizable::<Counter>(&0, &overlapping));
    }

    #[test]
    fn a_waiting_call_is_placed_only_where_the_model_lets_it_complete() {
        let calls = [
            call(Lane::Thread(0), Op::Wait, 1, 0, 5),
            call(Lane::Thread(1), Op::Inc, 1, 1, 2),
        ];
        assert!(linearizable::<Counter>(&0, &calls));
        let too_early = [
            call(Lane::Thread(0), Op::Wait, 1, 0, 1),
            call(Lane::Thread(1), Op::Inc, 1, 2, 3),
        ];
        assert!(!linearizable::<Counter>(&0, &too_early));
    }

    #[test]
    fn the_report_says_how_many_threads_and_calls() {
        let report = Violation {
            threads: 2,
            calls: 4,
        };
        assert_eq!(
            report.to_string(),
            "results no sequential order explains: 2 threads, 4 operations"
        );
    }

    proptest! {
        /// Calls made one after another on one thread, with the model's own results,
        /// are always linearizable; changing any one result makes them not.
        #[test]
        fn sequential_histories_check_against_the_model(ops in proptest::collection::vec(prop_oneof![Just(Op::Inc), Just(Op::Wait)], 1..12), wrong in any::<prop::sample::Index>()) {
            let mut state = 0;
            let mut calls = Vec::new();
            for (tick, op) in ops.iter().enumerate() {
                let Some((next, ret)) = Counter::step(&state, op) else { continue };
                state = next;
                let tick = 2 * tick as u64;
                calls.push(call(Lane::Thread(0), *op, ret, tick, tick + 1));
            }
            prop_assert!(linearizable::<Counter>(&0, &calls));
            if !calls.is_empty() {
                let i = wrong.index(calls.len());
                calls[i].ret += 1;
                prop_assert!(!linearizable::<Counter>(&0, &calls));
            }
        }
    }
}
