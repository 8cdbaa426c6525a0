//! PaySetu's exchange-rate board.
//!
//! Merchants abroad are paid in dollars, so every cross-border payment converts rupees
//! at the latest rate from the rate feed. The feed thread publishes each new quote —
//! the rate and the time it was quoted — and payment threads take a snapshot of it.
//! A quote older than a few seconds must not be used, which is why it carries its time.
//!
//! Treasury's audit keeps finding payments converted at a rate that was never quoted
//! at the time the payment says it was. Find out why and fix it. Read `README.md`
//! beside this file first: it says what you may change.

use racelab_sync::sync::atomic::{AtomicU32, Ordering};

/// One quote from the rate feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quote {
    /// Rupees per US dollar, in ten-thousandths: ₹83.1234 per dollar is `831_234`.
    pub rate: u32,
    /// When the feed quoted this rate, in seconds since the feed opened.
    pub quoted_at: u32,
}

/// The latest quote: published by the feed thread, read by any number of payment
/// threads.
#[derive(Debug)]
pub struct RateBoard {
    rate: AtomicU32,
    quoted_at: AtomicU32,
}

impl RateBoard {
    /// A board showing `first` until the feed publishes another quote.
    pub fn new(first: Quote) -> Self {
        RateBoard {
            rate: AtomicU32::new(first.rate),
            quoted_at: AtomicU32::new(first.quoted_at),
        }
    }

    /// The feed publishes a new quote. Called by one thread, the feed's.
    pub fn publish(&self, quote: Quote) {
        self.rate.store(quote.rate, Ordering::Relaxed);
        self.quoted_at.store(quote.quoted_at, Ordering::Relaxed);
    }

    /// The latest quote, for a payment to convert at.
    pub fn snapshot(&self) -> Quote {
        Quote {
            rate: self.rate.load(Ordering::Relaxed),
            quoted_at: self.quoted_at.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Quote, RateBoard};

    #[test]
    fn one_thread_reads_back_the_latest_quote() {
        let board = RateBoard::new(Quote {
            rate: 830_000,
            quoted_at: 0,
        });
        let quote = Quote {
            rate: 831_234,
            quoted_at: 5,
        };
        board.publish(quote);
        assert_eq!(board.snapshot(), quote);
    }
}
