//! The stress stage: the scenario on real OS threads — many workers (more than cores,
//! so the OS preempts them mid-update), a start barrier, many rounds — with the
//! anomalies measured, not guessed.
//!
//! A clean run is evidence, not proof: the summary says how rare a bug could be and
//! still have slipped through.

use super::limits::{self, Limits};
use super::{Context, Judgement, RunnerRun, Stage, StageId};
use crate::build::Flavor;
use crate::cores;
use crate::manifest::{RoundsSize, StageSizes};
use crate::report::{Anomalies, Evidence, FailureKind, Status};
use racelab_harness::{Request, Size};
use std::time::Duration;

/// The stress stage.
pub struct Stress;

impl Stage for Stress {
    fn id(&self) -> StageId {
        StageId::Stress
    }

    fn flavor(&self) -> Flavor {
        Flavor::Std
    }

    /// Workers that do not truly overlap hide the race.
    fn cores(&self) -> cores::Use {
        cores::Use::Exclusive
    }

    fn reference(&self, sizes: &StageSizes) -> Duration {
        Duration::from_millis(sizes.stress.reference_ms)
    }

    fn run(&self, cx: &mut Context<'_>) -> Judgement {
        let rounds = Rounds::plan(&cx.exercise.stages.stress, cx.options.time_limit);
        let limits = rounds.limits(cx.limits(self));
        cx.run(self, &rounds.request(), limits, |run| judge(run, &rounds))
    }
}

/// A real-thread stage's rounds as they run: the manifest's sizes and each round's
/// time limit (the stress stage's, and ThreadSanitizer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds {
    /// Workers, operations and rounds.
    pub size: RoundsSize,
    /// A round running longer than this is hung: the runner's watchdog says which.
    pub round_timeout: Duration,
}

impl Rounds {
    /// Each round's limit: the default limit of a round of the reference solutions
    /// (a multiple, with a floor), never past `--time-limit`.
    pub fn plan(size: &RoundsSize, time_limit: Option<Duration>) -> Rounds {
        let per_round = Duration::from_millis(size.reference_ms) / size.rounds.max(1);
        let round_timeout = limits::default_time(per_round);
        Rounds {
            size: *size,
            round_timeout: time_limit.map_or(round_timeout, |limit| round_timeout.min(limit)),
        }
    }

    /// The runner request.
    pub fn request(&self) -> Request {
        Request::Stress {
            size: Size {
                workers: self.size.workers,
                ops: self.size.ops,
            },
            rounds: self.size.rounds,
            round_timeout_ms: u64::try_from(self.round_timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The stage's `limits` with one more round's time: the watchdog reports a round
    /// that hangs at the very end itself, and the stage's limit only backs it up.
    pub fn limits(&self, limits: Limits) -> Limits {
        Limits {
            time: limits.time + self.round_timeout,
            ..limits
        }
    }
}

/// Judges a run of real-thread rounds.
fn judge(run: RunnerRun, rounds: &Rounds) -> Judgement {
    let size = &rounds.size;
    let bounds = format!(
        "{} × {}, {}",
        super::count(size.workers as u64, "worker"),
        super::count(size.ops as u64, "op"),
        super::count(u64::from(size.rounds), "round")
    );
    let findings = match run.findings_or_judgement() {
        Ok(findings) => findings,
        Err(mut judgement) => {
            judgement.evidence.bounds = Some(bounds);
            return *judgement;
        }
    };
    let mut evidence = Evidence {
        backend: Some(format!("{} OS threads", size.workers)),
        bounds: Some(bounds),
        executions: Some(findings.executions),
        ..Evidence::default()
    };
    if let Some(round) = findings.hung_round {
        return hung(round, findings.deadlocked, rounds, evidence);
    }
    if let Some(failure) = findings.failure {
        let summary = format!(
            "a worker panicked in round {}: {}",
            findings.executions + 1,
            super::first_line(&failure.message)
        );
        super::record_failure(&mut evidence, failure);
        return Judgement {
            status: Status::Fail,
            summary,
            evidence,
        };
    }
    let rounds = findings.rounds.len() as u64;
    let broken: Vec<_> = findings.rounds.iter().filter(|o| !o.holds).collect();
    let Some(first) = findings.rounds.first() else {
        return Judgement {
            status: Status::Error,
            summary: "no round completed".into(),
            evidence,
        };
    };
    let worst = broken
        .iter()
        .max_by_key(|o| o.shortfall().abs())
        .copied()
        .unwrap_or(first);
    evidence.anomalies = Some(Anomalies {
        invariant: first.invariant.clone(),
        unit: first.unit.clone(),
        rounds,
        broken_rounds: broken.len() as u64,
        expected_per_round: worst.expected,
        worst_observed: worst.observed,
        total_shortfall: broken.iter().map(|o| o.shortfall()).sum(),
        per_round: findings
            .rounds
            .iter()
            .map(|o| if o.holds { 0 } else { o.shortfall() })
            .collect(),
    });
    if broken.is_empty() {
        return Judgement {
            status: Status::Pass,
            summary: format!(
                "0 anomalies in {rounds} rounds: a bug showing in {} of rounds would have been seen with 95% probability",
                detectable_rate(rounds)
            ),
            evidence,
        };
    }
    evidence.kind = Some(FailureKind::WrongResult);
    let change = match worst.shortfall() {
        s if s > 0 => format!("lost {s}"),
        s => format!("{} too many", -s),
    };
    Judgement {
        status: Status::Fail,
        summary: format!(
            "expected {} {unit}, got {} ({change}) in {} of {rounds} rounds",
            worst.expected,
            worst.observed,
            broken.len(),
            unit = worst.unit,
        ),
        evidence,
    }
}

/// The judgement of a real-thread run whose watchdog caught round `round` hanging:
/// with `deadlocked`, the number of threads it saw all blocked, waiting for each other.
pub fn hung(
    round: u32,
    deadlocked: Option<u32>,
    rounds: &Rounds,
    mut evidence: Evidence,
) -> Judgement {
    evidence.kind = Some(FailureKind::Timeout);
    let reference = Duration::from_millis(rounds.size.reference_ms);
    let what = match deadlocked {
        Some(threads) => format!(
            "deadlocked: the {threads} threads still running were all blocked, each waiting for a lock, a notification or a join, and none woke for {}",
            limits::seconds(racelab_harness::DEADLOCK_SETTLE)
        ),
        None => format!(
            "did not finish in {}: its threads never all returned (possible deadlock or livelock)",
            limits::seconds(rounds.round_timeout),
        ),
    };
    Judgement {
        status: Status::Timeout,
        summary: format!(
            "round {} of {} {what}; {} (all {} rounds)",
            round + 1,
            rounds.size.rounds,
            limits::reference_note(reference),
            rounds.size.rounds,
        ),
        evidence,
    }
}

/// The smallest per-round failure rate that `rounds` clean rounds rule out with 95%
/// confidence: p with (1 − p)^rounds = 0.05, as a percentage.
fn detectable_rate(rounds: u64) -> String {
    if rounds == 0 {
        return "100%".into();
    }
    let p = 1.0 - 0.05_f64.powf(1.0 / rounds as f64);
    format!("{:.1}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::{Rounds, detectable_rate, judge};
    use crate::manifest::RoundsSize;
    use crate::report::{FailureKind, Status};
    use crate::stages::RunnerRun;
    use racelab_harness::{Failure, Findings, Outcome};
    use std::time::Duration;

    #[test]
    fn each_failure_on_real_threads_carries_its_kind() {
        let rounds = Rounds::plan(&SIZE, None);
        let judged = |findings: Findings| {
            let judgement = judge(RunnerRun::found(findings), &rounds);
            (judgement.status, judgement.evidence.kind)
        };
        let round = |observed| Outcome::equal("total = sum", 100, observed, "paise");
        assert_eq!(
            judged(Findings {
                executions: 2,
                rounds: vec![round(100), round(70)],
                ..Findings::default()
            }),
            (Status::Fail, Some(FailureKind::WrongResult))
        );
        assert_eq!(
            judged(Findings {
                executions: 1,
                hung_round: Some(1),
                ..Findings::default()
            }),
            (Status::Timeout, Some(FailureKind::Timeout))
        );
        assert_eq!(
            judged(Findings {
                executions: 1,
                hung_round: Some(1),
                deadlocked: Some(9),
                ..Findings::default()
            }),
            (Status::Timeout, Some(FailureKind::Timeout))
        );
        assert_eq!(
            judged(Findings {
                executions: 1,
                failure: Some(Failure {
                    message: "PoisonError".into(),
                    location: None,
                    trace: Vec::new(),
                }),
                ..Findings::default()
            }),
            (Status::Fail, Some(FailureKind::WrongResult))
        );
        assert_eq!(
            judged(Findings {
                executions: 2,
                rounds: vec![round(100), round(100)],
                ..Findings::default()
            }),
            (Status::Pass, None)
        );
    }

    const SIZE: RoundsSize = RoundsSize {
        workers: 8,
        ops: 1000,
        rounds: 30,
        reference_ms: 900,
    };

    #[test]
    fn a_round_s_limit_is_sized_from_a_reference_round_and_capped_by_the_time_limit() {
        let rounds = Rounds::plan(&SIZE, None);
        assert_eq!(rounds.round_timeout, Duration::from_secs(5));
        let slow = RoundsSize {
            reference_ms: 30_000,
            ..SIZE
        };
        assert_eq!(
            Rounds::plan(&slow, None).round_timeout,
            Duration::from_secs(10)
        );
        let capped = Rounds::plan(&SIZE, Some(Duration::from_secs(2)));
        assert_eq!(capped.round_timeout, Duration::from_secs(2));
    }

    #[test]
    fn the_confidence_statement_follows_the_rule_of_three() {
        assert_eq!(detectable_rate(40), "7.2%");
        assert_eq!(detectable_rate(300), "1.0%");
        assert_eq!(detectable_rate(1), "95.0%");
        assert_eq!(detectable_rate(0), "100%");
    }
}
