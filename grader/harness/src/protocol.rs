//! The two files that cross the process boundary: the grader's [`Request`] and the
//! runner's [`Findings`].

use crate::spec::Lane;
use crate::{Outcome, Size};
use serde::{Deserialize, Serialize};

/// What the grader asks one runner process to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "lowercase")]
pub enum Request {
    /// Explore every schedule within bounds (needs a runner built with the `loom` feature).
    Loom {
        /// Size of one execution.
        size: Size,
        /// Preemptions allowed per schedule; absent for unbounded.
        preemption_bound: Option<usize>,
        /// Branch points allowed per schedule.
        max_branches: usize,
        /// Whether loom reports unordered accesses to cells (on unless a second,
        /// value-level exploration is wanted).
        #[serde(default = "yes")]
        track_races: bool,
        /// Whether each step records its call stack (to replay a failure in detail).
        #[serde(default)]
        call_stacks: bool,
    },
    /// Sample schedules with PCT, or replay one (needs a runner built with the `shuttle` feature).
    Shuttle {
        /// Size of one execution.
        size: Size,
        /// PCT seed.
        seed: u64,
        /// Executions to try.
        iterations: usize,
        /// PCT depth.
        depth: usize,
        /// A failing schedule to replay instead of exploring.
        replay: Option<String>,
        /// Whether each step records its call stack (to replay a failure in detail).
        #[serde(default)]
        call_stacks: bool,
    },
    /// Run the scenario on real threads, round after round (needs a plain build).
    Stress {
        /// Size of one round.
        size: Size,
        /// How many rounds.
        rounds: u32,
        /// A round that runs longer than this is reported as hung.
        round_timeout_ms: u64,
    },
    /// Generate scenarios from the exercise's sequential model, run each under PCT,
    /// and check the results for linearizability (needs a `shuttle` build whose
    /// scenario has a model).
    Spec {
        /// proptest's seed, and shuttle's for every case.
        seed: u64,
        /// Scenarios to generate.
        cases: u32,
        /// PCT executions per scenario.
        iterations: usize,
        /// PCT depth.
        depth: usize,
        /// A failing schedule to follow on the shrunk scenario, instead of exploring it.
        replay: Option<String>,
    },
    /// Where a round of `cargo xtask play` stands after the player's choices (needs a
    /// `shuttle` build): the answer is the findings' [`Position`], and a failure with
    /// its schedule when the choices broke the round.
    Play {
        /// Size of the round.
        size: Size,
        /// The seed of shuttle's random draws (the facade's spurious events).
        seed: u64,
        /// The thread chosen at each decision that is the player's: 1 for `T1`, ….
        choices: Vec<usize>,
        /// Search for the fewest switches that break the round, up to this many.
        search: Option<usize>,
    },
}

impl Request {
    /// The backend (`"loom"`, `"shuttle"`, `"std"`) whose build can serve this request.
    pub fn backend(&self) -> &'static str {
        match self {
            Request::Loom { .. } => "loom",
            Request::Shuttle { .. } | Request::Spec { .. } | Request::Play { .. } => "shuttle",
            Request::Stress { .. } => "std",
        }
    }
}

fn yes() -> bool {
    true
}

use racelab_sync::trace::Step;

/// A panic, as the runner's panic hook saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The panic message (for loom, its whole diagnostic).
    pub message: String,
    /// `file:line:column` of the panic.
    pub location: Option<String>,
    /// The steps of the failing execution up to the panic (loom and shuttle only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<Step>,
}

/// What one runner process found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    /// The run's token, which the grader wrote to the runner's stdin and the harness
    /// read before the subject's code ran: findings without it are not the harness's.
    #[serde(default)]
    pub token: String,
    /// The backend the runner was built with.
    pub backend: String,
    /// Executions explored (loom, shuttle) or rounds completed (stress).
    pub executions: u64,
    /// The first failure, if any.
    pub failure: Option<Failure>,
    /// Shuttle's encoded failing schedule.
    pub schedule: Option<String>,
    /// Stress: the outcome of every completed round.
    pub rounds: Vec<Outcome>,
    /// Stress: the round that outlived its time limit, or deadlocked.
    pub hung_round: Option<u32>,
    /// Stress: how many threads were blocked for good when the hung round was ended
    /// early, every one waiting for another (see `racelab_sync::blocked`); `None`
    /// when the round ran out of time instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadlocked: Option<u32>,
    /// Spec: the scenarios tried and the one shrunk to.
    pub spec: Option<SpecRun>,
    /// Every distinct atomic operation the run executed, by place, operation and
    /// ordering (see `racelab_sync::executed`): the grader compares them across
    /// detectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executed: Vec<ExecutedAtomic>,
    /// Every place's shared-state operations, by access, with some of the threads
    /// (or tasks) that made them (see `racelab_sync::exercised`): whether the run
    /// exercised the subject at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touched: Vec<TouchedPlace>,
    /// Play: where the round stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play: Option<Position>,
}

/// Where a played round stands: the answer to a [`Request::Play`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The steps so far (the whole execution once the round has ended).
    pub steps: Vec<Step>,
    /// The threads the player may choose now, in order; none once the round has
    /// ended.
    pub choices: Vec<PlayChoice>,
    /// The context switches made so far: each time a thread that could go on was
    /// stopped for another.
    pub switches: usize,
    /// Whether the round ran to its end with the invariant holding (a broken round
    /// is the findings' failure).
    pub held: bool,
    /// The fewest switches that break the round, if the search found any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fewest_switches: Option<usize>,
    /// The player's choices of a schedule with the fewest switches that breaks the
    /// round, if the search found one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fewest_choices: Option<Vec<usize>>,
    /// The most switches the search tried every schedule with (when it was asked for
    /// and could search at least the schedules without any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searched_switches: Option<usize>,
}

/// A thread the player may run now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayChoice {
    /// 1 for `T1`, ….
    pub thread: usize,
    /// The steps it makes if chosen, up to its next scheduling point (empty when it
    /// makes none the facade records, e.g. as it ends).
    pub steps: Vec<Step>,
    /// Whether it is the thread that ran last: choosing another is a switch.
    pub running: bool,
}

/// One distinct atomic operation a run executed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExecutedAtomic {
    /// `file:line:column` of the call.
    pub place: String,
    /// The call with the orderings it asked for: `store(Release)`,
    /// `compare_exchange(AcqRel, Acquire)`.
    pub operation: String,
}

impl From<racelab_sync::executed::Executed> for ExecutedAtomic {
    fn from(executed: racelab_sync::executed::Executed) -> Self {
        ExecutedAtomic {
            place: executed.place(),
            operation: executed.to_string(),
        }
    }
}

/// One place's shared-state operations of one access in a run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TouchedPlace {
    /// `file:line:column` of the call.
    pub place: String,
    /// Whether the operations wrote.
    pub writes: bool,
    /// Some of the actors (threads or tasks) that made them, numbered by the run.
    pub actors: Vec<u64>,
}

impl From<racelab_sync::exercised::Touched> for TouchedPlace {
    fn from(touched: racelab_sync::exercised::Touched) -> Self {
        TouchedPlace {
            place: touched.place(),
            writes: touched.access == racelab_sync::exercised::Access::Write,
            actors: touched.actors,
        }
    }
}

/// What a spec run tried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRun {
    /// Scenarios generated up to the first failing one (all of them on a pass).
    pub cases: u64,
    /// Scenarios run while shrinking the failing one.
    pub shrink_runs: u64,
    /// The first failing scenario, described: `3 threads, 9 operations`.
    pub original: Option<String>,
    /// The scenario it shrank to, described the same way.
    pub shrunk: Option<String>,
    /// The scenario it shrank to, with what became of each call in the failing
    /// execution: shown for every failure, deadlocks included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<SpecScenario>,
}

/// A spec scenario as data, drawn by the grader at the reader's width: how the object
/// started, every call with what became of it, and, for results no sequential order
/// explains, why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecScenario {
    /// How the object started, as the model's `Init` displays it: `Bank([100, 0])`.
    pub start: String,
    /// How many workers ran.
    pub threads: usize,
    /// Every call, in the scenario's order: the main thread's first calls, each
    /// worker's in turn, the main thread's last calls.
    pub calls: Vec<SpecCall>,
    /// Why no sequential order explains the results, when that is the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<SpecExplanation>,
}

/// One call of a scenario and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecCall {
    /// Where it ran.
    pub lane: Lane,
    /// The call with its arguments: `transfer(0, 1, 100)`.
    pub op: String,
    /// What became of it.
    pub outcome: CallOutcome,
}

/// What became of one call in the execution shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// It returned this value, as the model's `Ret` displays it.
    Returned(String),
    /// It began and never returned (its thread blocked for ever, or panicked).
    Unfinished,
    /// Its thread never got to it.
    NotRun,
}

/// Why no sequential order explains a history (`spec::Explanation`): the results no
/// order gives, and the orders that keep real time closest to explaining it. Calls
/// are indices into [`SpecScenario::calls`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecExplanation {
    /// The calls whose real result no order gives (only claimed when every order was
    /// tried).
    pub impossible: Vec<usize>,
    /// How many orders keep real time (or were enumerated, when not `complete`).
    pub orders: usize,
    /// Whether `orders` is every such order.
    pub complete: bool,
    /// The closest orders, closest first.
    pub shown: Vec<SpecOrder>,
}

/// One order of the calls that keeps real time, and where a correct object taking
/// them in that order differs from the real one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecOrder {
    /// The calls in order; it stops at a call that would wait for ever.
    pub sequence: Vec<usize>,
    /// The calls whose result differs, and what a correct object does instead.
    pub differences: Vec<SpecDifference>,
}

/// A call a correct object would have ended otherwise in an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecDifference {
    /// The call.
    pub call: usize,
    /// What a correct object does with it there.
    pub instead: Instead,
}

/// What a correct object does with a call where an order places it, when that is not
/// what the real object did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Instead {
    /// It returns this value.
    Returns(String),
    /// It cannot complete there: it would wait for ever.
    Waits,
}

#[cfg(test)]
mod tests {
    use super::{
        CallOutcome, ExecutedAtomic, Failure, Findings, Instead, Lane, PlayChoice, Position,
        Request, SpecCall, SpecDifference, SpecExplanation, SpecOrder, SpecRun, SpecScenario,
        TouchedPlace,
    };
    use crate::{Outcome, Size};
    use proptest::option::of;
    use proptest::prelude::*;
    use racelab_sync::trace::{
        Event, Exchange, LockMode, Modify, Object, ObjectKind, Ordering, Place, Step, Thread, Value,
    };

    /// A schedule as shuttle writes one: hex digits.
    fn schedule() -> impl Strategy<Value = String> {
        "[0-9a-f]{2,400}"
    }

    fn size() -> impl Strategy<Value = Size> {
        (0..64_usize, 0..1_000_000_usize).prop_map(|(workers, ops)| Size { workers, ops })
    }

    fn request() -> impl Strategy<Value = Request> {
        prop_oneof![
            (
                size(),
                of(0..16_usize),
                any::<usize>(),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(
                    |(size, preemption_bound, max_branches, track_races, call_stacks)| {
                        Request::Loom {
                            size,
                            preemption_bound,
                            max_branches: max_branches / 2,
                            track_races,
                            call_stacks,
                        }
                    }
                ),
            (
                size(),
                any::<u64>(),
                0..100_000_usize,
                0..8_usize,
                of(schedule()),
                any::<bool>()
            )
                .prop_map(|(size, seed, iterations, depth, replay, call_stacks)| {
                    Request::Shuttle {
                        size,
                        seed,
                        iterations,
                        depth,
                        replay,
                        call_stacks,
                    }
                }),
            (size(), any::<u32>(), any::<u32>()).prop_map(|(size, rounds, ms)| {
                Request::Stress {
                    size,
                    rounds,
                    round_timeout_ms: ms.into(),
                }
            }),
            (
                any::<u64>(),
                any::<u32>(),
                0..100_000_usize,
                0..8_usize,
                of(schedule())
            )
                .prop_map(|(seed, cases, iterations, depth, replay)| Request::Spec {
                    seed,
                    cases,
                    iterations,
                    depth,
                    replay,
                }),
            (
                size(),
                any::<u64>(),
                prop::collection::vec(1..10_usize, 0..40),
                of(0..4_usize)
            )
                .prop_map(|(size, seed, choices, search)| Request::Play {
                    size,
                    seed,
                    choices,
                    search,
                }),
        ]
    }

    fn spec_scenario() -> impl Strategy<Value = SpecScenario> {
        let lane = prop_oneof![
            Just(Lane::Initial),
            (0..3_usize).prop_map(Lane::Thread),
            Just(Lane::Final),
        ];
        let outcome = prop_oneof![
            any::<String>().prop_map(CallOutcome::Returned),
            Just(CallOutcome::Unfinished),
            Just(CallOutcome::NotRun),
        ];
        let call = (lane, any::<String>(), outcome).prop_map(|(lane, op, outcome)| SpecCall {
            lane,
            op,
            outcome,
        });
        let instead = prop_oneof![
            any::<String>().prop_map(Instead::Returns),
            Just(Instead::Waits),
        ];
        let difference =
            (0..9_usize, instead).prop_map(|(call, instead)| SpecDifference { call, instead });
        let order = (
            prop::collection::vec(0..9_usize, 0..9),
            prop::collection::vec(difference, 0..3),
        )
            .prop_map(|(sequence, differences)| SpecOrder {
                sequence,
                differences,
            });
        let explanation = (
            prop::collection::vec(0..9_usize, 0..3),
            any::<usize>(),
            any::<bool>(),
            prop::collection::vec(order, 0..4),
        )
            .prop_map(|(impossible, orders, complete, shown)| SpecExplanation {
                impossible,
                orders,
                complete,
                shown,
            });
        (
            any::<String>(),
            2..4_usize,
            prop::collection::vec(call, 0..9),
            of(explanation),
        )
            .prop_map(|(start, threads, calls, explanation)| SpecScenario {
                start,
                threads,
                calls,
                explanation,
            })
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::Integer),
            any::<bool>().prop_map(Value::Bool),
            any::<char>().prop_map(Value::Char),
            any::<String>().prop_map(Value::Other),
        ]
    }

    fn ordering() -> impl Strategy<Value = Ordering> {
        prop_oneof![
            Just(Ordering::Relaxed),
            Just(Ordering::Release),
            Just(Ordering::Acquire),
            Just(Ordering::AcqRel),
            Just(Ordering::SeqCst),
        ]
    }

    fn object() -> impl Strategy<Value = Object> {
        let kind = prop_oneof![
            Just(ObjectKind::Memory),
            Just(ObjectKind::AtomicU64),
            Just(ObjectKind::Mutex),
            Just(ObjectKind::Condvar),
        ];
        (kind, any::<u32>(), of(any::<String>())).prop_map(|(kind, number, name)| Object {
            kind,
            number,
            name,
        })
    }

    fn thread() -> impl Strategy<Value = Thread> {
        prop_oneof![Just(Thread::Main), any::<u32>().prop_map(Thread::Spawned)]
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            (object(), of(ordering()), value()).prop_map(|(object, ordering, value)| {
                Event::Load {
                    object,
                    ordering,
                    value,
                }
            }),
            (object(), ordering(), value(), value()).prop_map(
                |(object, ordering, operand, previous)| Event::Modify {
                    object,
                    operation: Modify::FetchAdd,
                    operand,
                    ordering,
                    previous,
                }
            ),
            (
                object(),
                ordering(),
                ordering(),
                value(),
                value(),
                any::<bool>()
            )
                .prop_map(|(object, success, failure, expected, found, stored)| {
                    Event::CompareExchange {
                        object,
                        weak: stored,
                        expected: expected.clone(),
                        new: found.clone(),
                        success,
                        failure,
                        outcome: if stored {
                            Exchange::Stored { previous: expected }
                        } else {
                            Exchange::Refused { actual: found }
                        },
                    }
                }),
            (object(), of(value())).prop_map(|(object, value)| Event::GuardWrite { object, value }),
            object().prop_map(|object| Event::LockRequested {
                object,
                mode: LockMode::Exclusive,
            }),
            (object(), object(), any::<bool>()).prop_map(|(condvar, mutex, spurious)| {
                Event::Woken {
                    condvar,
                    mutex,
                    spurious,
                }
            }),
            thread().prop_map(|thread| Event::JoinRequested { thread }),
            (any::<String>(), prop::collection::vec(value(), 0..3)).prop_map(
                |(function, arguments)| Event::Call {
                    function,
                    arguments
                }
            ),
            (any::<String>(), of(value()))
                .prop_map(|(function, value)| Event::Return { function, value }),
        ]
    }

    fn place() -> impl Strategy<Value = Place> {
        (any::<String>(), any::<u32>(), any::<u32>()).prop_map(|(file, line, column)| Place {
            file,
            line,
            column,
        })
    }

    fn step() -> impl Strategy<Value = Step> {
        (
            thread(),
            event(),
            of(place()),
            prop::collection::vec(place(), 0..3),
        )
            .prop_map(|(thread, event, place, callers)| Step {
                thread,
                event,
                place,
                callers,
            })
    }

    fn findings() -> impl Strategy<Value = Findings> {
        let failure = (
            any::<String>(),
            of(any::<String>()),
            prop::collection::vec(step(), 0..4),
        )
            .prop_map(|(message, location, trace)| Failure {
                message,
                location,
                trace,
            });
        let outcome = (any::<String>(), any::<i64>(), any::<i64>()).prop_map(
            |(invariant, expected, observed)| {
                Outcome::equal(&invariant, expected, observed, "paise")
            },
        );
        let spec = (
            any::<u64>(),
            any::<u64>(),
            of(any::<String>()),
            of(any::<String>()),
            of(spec_scenario()),
        )
            .prop_map(|(cases, shrink_runs, original, shrunk, scenario)| SpecRun {
                cases,
                shrink_runs,
                original,
                shrunk,
                scenario,
            });
        let executed = (any::<String>(), any::<String>())
            .prop_map(|(place, operation)| ExecutedAtomic { place, operation });
        let touched = (
            any::<String>(),
            any::<bool>(),
            prop::collection::vec(any::<u64>(), 0..4),
        )
            .prop_map(|(place, writes, actors)| TouchedPlace {
                place,
                writes,
                actors,
            });
        let choice = (
            1..10_usize,
            prop::collection::vec(step(), 0..3),
            any::<bool>(),
        )
            .prop_map(|(thread, steps, running)| PlayChoice {
                thread,
                steps,
                running,
            });
        let position = (
            prop::collection::vec(step(), 0..4),
            prop::collection::vec(choice, 0..3),
            0..20_usize,
            any::<bool>(),
            of(0..4_usize),
            of(prop::collection::vec(1..10_usize, 0..9)),
            of(0..4_usize),
        )
            .prop_map(
                |(
                    steps,
                    choices,
                    switches,
                    held,
                    fewest_switches,
                    fewest_choices,
                    searched_switches,
                )| Position {
                    steps,
                    choices,
                    switches,
                    held,
                    fewest_switches,
                    fewest_choices,
                    searched_switches,
                },
            );
        (
            "[0-9a-f]{32}",
            any::<u64>(),
            of(failure),
            of(schedule()),
            prop::collection::vec(outcome, 0..4),
            of(any::<u32>()),
            of(spec),
            (
                prop::collection::vec(executed, 0..4),
                prop::collection::vec(touched, 0..4),
                of(position),
                of(any::<u32>()),
            ),
        )
            .prop_map(
                |(
                    token,
                    executions,
                    failure,
                    schedule,
                    rounds,
                    hung_round,
                    spec,
                    (executed, touched, play, deadlocked),
                )| {
                    Findings {
                        token,
                        backend: "shuttle".into(),
                        executions,
                        failure,
                        schedule,
                        rounds,
                        hung_round,
                        deadlocked,
                        spec,
                        executed,
                        touched,
                        play,
                    }
                },
            )
    }

    proptest! {
        /// Requests and findings cross the process boundary as TOML: whatever they
        /// hold (schedules, panic messages with quotes and newlines, traces), they
        /// arrive as sent.
        #[test]
        fn requests_round_trip(request in request()) {
            let text = toml::to_string(&request).unwrap();
            prop_assert_eq!(toml::from_str::<Request>(&text).unwrap(), request);
        }

        #[test]
        fn findings_round_trip(findings in findings()) {
            let text = toml::to_string(&findings).unwrap();
            prop_assert_eq!(toml::from_str::<Findings>(&text).unwrap(), findings);
        }
    }
}
