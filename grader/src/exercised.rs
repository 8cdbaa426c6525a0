//! Whether a stage's runs exercised the subject: the evidence behind partial credit.
//!
//! A detector passes code that shares nothing: `record` emptied to
//! `let _ = amount_paise;` has no data race for ThreadSanitizer to find, so its pass
//! says nothing about the bug. Each runner returns, for every place that operated on
//! shared state through the facade, whether it wrote and which threads (or tasks)
//! did (`racelab_sync::exercised`). A stage *exercised* the subject when, at the
//! subject's own lines, two or more threads operated on shared state and one of them
//! wrote: the least a race needs. Only then does its pass earn partial credit
//! (`crate::score`).

use racelab_harness::TouchedPlace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// What a stage's runs did at the subject's lines, in the report's evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exercised {
    /// How many threads or tasks of one run, at least, operated there on shared
    /// state (the runs keep a few per place: 2 means "two or more" as well as any).
    pub threads: u32,
    /// How many of them, at least, wrote.
    pub writers: u32,
}

impl Exercised {
    /// What one run's `touched` places show at the subject's lines (those under
    /// `subject`).
    pub fn of_run(touched: &[TouchedPlace], subject: &Path) -> Exercised {
        let prefix = format!("{}/", subject.display());
        let mut threads = BTreeSet::new();
        let mut writers = BTreeSet::new();
        for place in touched.iter().filter(|t| t.place.starts_with(&prefix)) {
            threads.extend(place.actors.iter().copied());
            if place.writes {
                writers.extend(place.actors.iter().copied());
            }
        }
        let count = |set: BTreeSet<u64>| u32::try_from(set.len()).unwrap_or(u32::MAX);
        Exercised {
            threads: count(threads),
            writers: count(writers),
        }
    }

    /// Both stages' findings together: the most any run showed (actors are numbered
    /// per run, so runs are not added up).
    pub fn with(self, other: Exercised) -> Exercised {
        Exercised {
            threads: self.threads.max(other.threads),
            writers: self.writers.max(other.writers),
        }
    }

    /// Whether this is enough for the stage to have judged anything: two threads at
    /// the subject's shared state, one of them writing.
    pub fn enough(&self) -> bool {
        self.threads >= 2 && self.writers >= 1
    }

    /// Why a pass that did not exercise the subject earns nothing, for the reports.
    pub fn shortfall(&self) -> &'static str {
        match (self.threads, self.writers) {
            (0, _) => "no thread operated on the subject's shared state",
            (_, 0) => "no thread wrote the subject's shared state",
            _ => "only one thread operated on the subject's shared state",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Exercised;
    use racelab_harness::TouchedPlace;
    use std::path::Path;

    fn place(at: &str, writes: bool, actors: &[u64]) -> TouchedPlace {
        TouchedPlace {
            place: at.to_owned(),
            writes,
            actors: actors.to_vec(),
        }
    }

    #[test]
    fn two_threads_at_the_subjects_lines_one_writing_are_needed() {
        let subject = Path::new("/class/zoe/ex01");
        let gate = place("/lab/sync/src/gate.rs:40:9", true, &[1, 2, 3]);
        let total = place("/class/zoe/ex01/src/lib.rs:47:31", false, &[0]);
        let record = place("/class/zoe/ex01/src/lib.rs:66:9", true, &[1, 2]);

        let emptied = Exercised::of_run(&[gate.clone(), total.clone()], subject);
        assert_eq!(
            emptied,
            Exercised {
                threads: 1,
                writers: 0
            }
        );
        assert!(!emptied.enough());
        assert_eq!(
            emptied.shortfall(),
            "no thread wrote the subject's shared state"
        );

        let fixed = Exercised::of_run(&[gate.clone(), total, record], subject);
        assert_eq!(
            fixed,
            Exercised {
                threads: 3,
                writers: 2
            }
        );
        assert!(fixed.enough());

        let one_writer = Exercised::of_run(
            &[place("/class/zoe/ex01/src/lib.rs:66:9", true, &[4])],
            subject,
        );
        assert!(!one_writer.enough());
        assert!(one_writer.shortfall().starts_with("only one thread"));
        assert!(!Exercised::of_run(&[gate], subject).enough());
        assert!(one_writer.with(emptied).with(fixed).enough());
    }
}
