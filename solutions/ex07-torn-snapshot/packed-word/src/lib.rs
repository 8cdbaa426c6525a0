//! Fix B for ex07: both halves of the quote in one atomic word.
//!
//! The rate and the time are 32 bits each, so the quote fits in one `AtomicU64`: the
//! rate in the high half, the time in the low half. One store replaces both, one load
//! reads both, and no thread can see half of a store. `Relaxed` is enough: there is
//! one location, and every thread sees its stores in one order (coherence); nothing
//! else is published through it. Right when the whole state fits in a word: no lock,
//! no retry, the cheapest read there is.

use racelab_sync::sync::atomic::{AtomicU64, Ordering};

/// One quote from the rate feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quote {
    /// Rupees per US dollar, in ten-thousandths: ₹83.1234 per dollar is `831_234`.
    pub rate: u32,
    /// When the feed quoted this rate, in seconds since the feed opened.
    pub quoted_at: u32,
}

impl Quote {
    /// The quote as one word: the rate in the high 32 bits, the time in the low 32.
    fn packed(self) -> u64 {
        (u64::from(self.rate) << 32) | u64::from(self.quoted_at)
    }

    /// The quote that [`Quote::packed`] made `word` from.
    fn unpacked(word: u64) -> Self {
        Quote {
            rate: (word >> 32) as u32,
            quoted_at: word as u32,
        }
    }
}

/// The latest quote: published by the feed thread, read by any number of payment
/// threads.
#[derive(Debug)]
pub struct RateBoard {
    latest: AtomicU64,
}

impl RateBoard {
    /// A board showing `first` until the feed publishes another quote.
    pub fn new(first: Quote) -> Self {
        RateBoard {
            latest: AtomicU64::new(first.packed()),
        }
    }

    /// The feed publishes a new quote. Called by one thread, the feed's.
    pub fn publish(&self, quote: Quote) {
        self.latest.store(quote.packed(), Ordering::Relaxed);
    }

    /// The latest quote, for a payment to convert at.
    pub fn snapshot(&self) -> Quote {
        Quote::unpacked(self.latest.load(Ordering::Relaxed))
    }
}
