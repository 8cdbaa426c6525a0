// ex01 with `unsafe impl Sync for Ledger` deleted and nothing else changed (the
// compiler test keeps this copy in step with the exercise), then a worker spawned.
#![allow(dead_code)]

mod ex01 {
    //! PaySetu's settlement total.
    //!
    //! Worker threads settle merchant transfers and record each settled amount, in paise,
    //! into one running total. At the end of the day the report reads that total, and it
    //! must equal the sum of everything the workers recorded.
    //!
    //! The daily report is short by a few rupees whenever eight workers run. Find out why
    //! and fix it. Read `README.md` beside this file first: it says what you may change.

    use racelab_sync::cell::SharedCell;
    use racelab_sync::sync::Arc;

    /// The day's settlement: hands out recorders to workers and reports the total.
    #[derive(Debug)]
    pub struct Settlement {
        ledger: Arc<Ledger>,
    }

    /// What the workers share: the running total of settled paise.
    #[derive(Debug)]
    struct Ledger {
        total_paise: SharedCell<u64>,
    }


    impl Settlement {
        /// Opens the day's settlement with a total of zero.
        pub fn new() -> Self {
            Settlement {
                ledger: Arc::new(Ledger {
                    total_paise: SharedCell::new(0),
                }),
            }
        }

        /// A recorder for one worker thread. Every worker gets its own.
        pub fn recorder(&self) -> Recorder {
            Recorder {
                ledger: Arc::clone(&self.ledger),
            }
        }

        /// The total for the daily report. Called after every recorder has finished.
        pub fn total_settled(&self) -> u64 {
            self.ledger.total_paise.load()
        }
    }

    impl Default for Settlement {
        fn default() -> Self {
            Self::new()
        }
    }

    /// One worker's handle for recording settled amounts.
    #[derive(Debug)]
    pub struct Recorder {
        ledger: Arc<Ledger>,
    }

    impl Recorder {
        /// Records one settled transfer of `amount_paise`.
        pub fn record(&mut self, amount_paise: u64) {
            let total = self.ledger.total_paise.load();
            let total = total + amount_paise;
            self.ledger.total_paise.store(total);
        }

        /// Called by the worker once it has recorded its last transfer of the day.
        pub fn finish(self) {}
    }

    #[cfg(test)]
    mod tests {
        use super::Settlement;

        #[test]
        fn one_worker_alone_reports_the_exact_total() {
            let settlement = Settlement::new();
            let mut recorder = settlement.recorder();
            for amount in [100, 250, 4_700] {
                recorder.record(amount);
            }
            recorder.finish();
            assert_eq!(settlement.total_settled(), 5_050);
        }
    }
}

fn main() {
    let settlement = ex01::Settlement::new();
    let mut recorder = settlement.recorder();
    racelab_sync::thread::spawn(move || recorder.record(100));
}
