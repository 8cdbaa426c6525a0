//! Fix A for ex07: one lock around the pair.
//!
//! The quote is one value, `Quote`, behind a `RwLock`: the feed takes it alone to
//! replace the whole quote, and payment threads share it to copy the whole quote. No
//! reader can be between the rate and the time of a write, because a write holds the
//! lock for both. Right when reads far outnumber writes and simplicity matters most;
//! a `Mutex` would do as well, with readers taking turns.

use racelab_sync::sync::RwLock;

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
    latest: RwLock<Quote>,
}

impl RateBoard {
    /// A board showing `first` until the feed publishes another quote.
    pub fn new(first: Quote) -> Self {
        RateBoard {
            latest: RwLock::new(first),
        }
    }

    /// The feed publishes a new quote. Called by one thread, the feed's.
    pub fn publish(&self, quote: Quote) {
        *self
            .latest
            .write()
            .expect("a payment thread panicked while reading the quote") = quote;
    }

    /// The latest quote, for a payment to convert at.
    pub fn snapshot(&self) -> Quote {
        *self
            .latest
            .read()
            .expect("the feed panicked while publishing a quote")
    }
}
