//! The stress stage: the scenario on real OS threads — many workers (more than cores,
//! so the OS preempts them mid-update), a start barrier, many rounds — with the
//! anomalies measured, not guessed.
//!
//! A clean run is evidence, not proof: the summary says how rare a bug could be and
//! still have slipped through.

use super::{Judgement, RunnerRun};
use crate::manifest::RoundsSize;
use crate::report::{Anomalies, Evidence, Status};
use racelab_harness::{Request, Size};
use std::time::Duration;

/// The runner request for these rounds.
pub fn request(size: &RoundsSize) -> Request {
    Request::Stress {
        size: Size {
            workers: size.workers,
            ops: size.ops,
        },
        rounds: size.rounds,
        round_timeout_ms: size.round_timeout_ms,
    }
}

/// The whole stage's time limit: every round at its limit, plus start-up.
fn time_limit_of(size: &RoundsSize) -> Duration {
    Duration::from_millis(size.round_timeout_ms.saturating_mul(u64::from(size.rounds)))
        + Duration::from_secs(30)
}

/// Judges a run of real-thread rounds (the stress stage, and ThreadSanitizer's rounds).
pub fn judge(run: RunnerRun, size: &RoundsSize) -> Judgement {
    let bounds = format!(
        "{} workers × {} ops, {} rounds",
        size.workers, size.ops, size.rounds
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
        return hung(round, size, evidence);
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

/// The judgement of a real-thread run whose watchdog caught round `round` hanging.
pub fn hung(round: u32, size: &RoundsSize, evidence: Evidence) -> Judgement {
    Judgement {
        status: Status::Timeout,
        summary: format!(
            "round {} of {} did not finish within {} ms: possible deadlock or livelock",
            round + 1,
            size.rounds,
            size.round_timeout_ms
        ),
        evidence,
    }
}

/// The sizes of a real-thread stage under an optional `--time-limit`, and the stage's
/// own time limit: a round may not outlive the limit, and the runner's watchdog
/// reports a hung round itself, so the stage's limit only backs it up.
pub fn limited(size: &RoundsSize, time_limit: Option<Duration>) -> (RoundsSize, Duration) {
    let mut size = *size;
    let Some(limit) = time_limit else {
        return (size, time_limit_of(&size));
    };
    let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
    size.round_timeout_ms = size.round_timeout_ms.min(limit_ms);
    (size, limit + Duration::from_secs(10))
}

/// The smallest per-round failure rate that `rounds` clean rounds rule out with 95%
/// confidence: p with (1 − p)^rounds = 0.05, as a percentage.
pub fn detectable_rate(rounds: u64) -> String {
    if rounds == 0 {
        return "100%".into();
    }
    let p = 1.0 - 0.05_f64.powf(1.0 / rounds as f64);
    format!("{:.1}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::detectable_rate;

    #[test]
    fn the_confidence_statement_follows_the_rule_of_three() {
        assert_eq!(detectable_rate(40), "7.2%");
        assert_eq!(detectable_rate(300), "1.0%");
        assert_eq!(detectable_rate(1), "95.0%");
        assert_eq!(detectable_rate(0), "100%");
    }
}
