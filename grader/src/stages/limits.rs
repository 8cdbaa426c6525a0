//! Time limits sized to the work. Each stage's default limit is a generous multiple
//! of what the exercise's reference solutions take in it on the lab's machine (the
//! manifest's `reference_ms`, measured and recorded there), with a floor of a few
//! seconds: a subject that never returns costs seconds, not minutes, and the timeout
//! says how long a correct fix takes. `--time-limit` overrides it.

use std::time::Duration;

/// No stage's default limit is shorter than this: start-up and a loaded machine
/// cost a correct subject this much at most.
pub const FLOOR: Duration = Duration::from_secs(5);

/// A stage's default limit is this many times what the reference solutions take.
pub const MULTIPLE: u32 = 10;

/// The limits a runner process runs under, and the settings it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Past this, the runner and everything it started are killed: `timeout`.
    pub time: Duration,
    /// What the reference solutions take in this stage, said when `time` runs out.
    pub reference: Duration,
    /// Address-space limit; `None` for none (ThreadSanitizer reserves terabytes of
    /// shadow memory, so its runs are bounded by time only).
    pub memory_bytes: Option<u64>,
    /// Extra environment (ThreadSanitizer's `TSAN_OPTIONS`).
    pub env: Vec<(String, String)>,
}

/// The default time limit of work the reference solutions do in `reference`.
pub fn default_time(reference: Duration) -> Duration {
    (reference * MULTIPLE).max(FLOOR)
}

/// A duration as the messages say it: `19 ms`, `0.4 s`, `12 s`.
pub fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 0.1 {
        format!("{} ms", duration.as_millis())
    } else if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}

/// The end of a timeout message: what the reference solutions take.
pub fn reference_note(reference: Duration) -> String {
    format!("the reference solutions finish in {}", seconds(reference))
}

#[cfg(test)]
mod tests {
    use super::{FLOOR, default_time, seconds};
    use std::time::Duration;

    #[test]
    fn the_default_is_a_multiple_of_the_reference_with_a_floor() {
        assert_eq!(default_time(Duration::from_millis(20)), FLOOR);
        assert_eq!(
            default_time(Duration::from_millis(1_100)),
            Duration::from_secs(11)
        );
    }

    #[test]
    fn durations_are_said_in_seconds() {
        assert_eq!(seconds(Duration::from_millis(19)), "19 ms");
        assert_eq!(seconds(Duration::from_millis(400)), "0.4 s");
        assert_eq!(seconds(Duration::from_millis(8_000)), "8.0 s");
        assert_eq!(seconds(Duration::from_millis(12_400)), "12 s");
    }
}
