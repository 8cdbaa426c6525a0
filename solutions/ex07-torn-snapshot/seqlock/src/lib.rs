//! Fix C for ex07: a sequence lock.
//!
//! The feed makes a sequence number odd before it writes the pair and even again
//! after; a reader reads the number, the pair, then the number again, and keeps the
//! pair only if the number was even and did not change. The feed never waits, and
//! readers write nothing, so a hot quote stays in every core's cache. Right when the
//! state is too big for one word and readers must never hold the writer up (the Linux
//! kernel keeps the time of day this way).
//!
//! The orderings are the whole difficulty (H.-J. Boehm, "Can seqlocks get along with
//! programming language memory models?", 2012):
//!
//! - The pair's halves are atomics too, loaded and stored `Relaxed`. A reader reads
//!   them while the feed may be writing them, and throws the result away if so; with
//!   plain memory that read would still be a data race, which is undefined behaviour
//!   even if its value is never used.
//! - Writer: the odd store, then `fence(Release)`, then the pair. A reader whose pair
//!   load sees a new half synchronises, through its `fence(Acquire)`, with that
//!   fence, so its second read of the number sees the odd store (or later): it
//!   retries. Without the fences, the reader could see a new half and the old even
//!   number, and keep a torn pair.
//! - Writer: the even store with `Release`, after the pair. A reader that loads it
//!   with `Acquire` sees the whole pair it closes.
//!
//! Only loom checks these orderings: shuttle runs a sequentially consistent memory,
//! where a sequence lock with no orderings at all is right, x86 keeps these loads and
//! stores in order anyway, and ThreadSanitizer has no data race to find in atomics
//! (nor does it model fences: see `docs/tsan.md`).

use racelab_sync::sync::atomic::{AtomicU32, Ordering, fence};
use racelab_sync::thread;

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
    /// Even: the pair is whole. Odd: the feed is writing it.
    sequence: AtomicU32,
    rate: AtomicU32,
    quoted_at: AtomicU32,
}

impl RateBoard {
    /// A board showing `first` until the feed publishes another quote.
    pub fn new(first: Quote) -> Self {
        RateBoard {
            sequence: AtomicU32::new(0),
            rate: AtomicU32::new(first.rate),
            quoted_at: AtomicU32::new(first.quoted_at),
        }
    }

    /// The feed publishes a new quote. Called by one thread, the feed's: two writers
    /// would need a lock between them.
    pub fn publish(&self, quote: Quote) {
        // Only this thread writes the sequence, so it reads its own last store.
        let even = self.sequence.load(Ordering::Relaxed);
        self.sequence.store(even.wrapping_add(1), Ordering::Relaxed);
        // Release: a reader that sees any write below also sees the odd number.
        fence(Ordering::Release);
        self.rate.store(quote.rate, Ordering::Relaxed);
        self.quoted_at.store(quote.quoted_at, Ordering::Relaxed);
        // Release: a reader that sees this even number also sees the pair above.
        self.sequence.store(even.wrapping_add(2), Ordering::Release);
    }

    /// The latest quote, for a payment to convert at. Retries while the feed is
    /// writing.
    pub fn snapshot(&self) -> Quote {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before & 1 == 0 {
                let quote = Quote {
                    rate: self.rate.load(Ordering::Relaxed),
                    quoted_at: self.quoted_at.load(Ordering::Relaxed),
                };
                // Acquire: if either load above saw a write the feed made after its
                // odd store, the load below sees that odd store (or later).
                fence(Ordering::Acquire);
                if self.sequence.load(Ordering::Relaxed) == before {
                    return quote;
                }
            }
            // The feed is mid-write: let it finish.
            thread::yield_now();
        }
    }
}
