//! Fix C for ex06: a compare-exchange state machine.
//!
//! The table goes through three states, `EMPTY → LOADING → READY`, in one atomic:
//!
//! - A payment that finds it `EMPTY` tries `compare_exchange(EMPTY, LOADING)`. Only
//!   one payment can win that exchange, so only one calls the pricing service: the
//!   check and the claim are one indivisible step, where `load` then `store` were two.
//! - The winner fills the table, then stores `READY` with `Release`.
//! - Everyone else waits until it loads `READY` with `Acquire`: that load
//!   synchronises with the `Release` store, so the winner's writes to the table are
//!   visible before anyone reads it. With `Relaxed` there, a payment could still see
//!   `READY` and a table of zeros.
//!
//! This is what `OnceLock` does inside (with a futex instead of spinning). Right when
//! you need the states themselves (a loader that may fail and be retried, a "loading"
//! state to report), and you can afford to prove the orderings; otherwise use fix A.

use racelab_sync::cell::SharedCell;
use racelab_sync::sync::atomic::{AtomicU32, Ordering};
use racelab_sync::thread;
use std::fmt;

/// PaySetu's fees, as the pricing service returns them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeeTable {
    /// The fee on a card payment, in basis points (1/100 of a percent).
    pub card_bps: u64,
    /// The fee on a UPI payment, in basis points.
    pub upi_bps: u64,
    /// The fixed fee on every payment, in paise.
    pub fixed_paise: u64,
    /// The table's version, as the pricing service numbers them.
    pub version: u64,
}

/// Nobody has started loading the table.
const EMPTY: u32 = 0;
/// One payment is loading it; the others wait.
const LOADING: u32 = 1;
/// The table is filled and never written again.
const READY: u32 = 2;

/// The fee table of one payment server: loaded from the pricing service the first
/// time a payment asks for it, then shared by every payment thread.
pub struct LazyFeeTable {
    /// Calls the pricing service (billed, and logged for the auditors).
    load: Box<dyn Fn() -> FeeTable + Send + Sync>,
    card_bps: SharedCell<u64>,
    upi_bps: SharedCell<u64>,
    fixed_paise: SharedCell<u64>,
    version: SharedCell<u64>,
    state: AtomicU32,
}

// SAFETY: the fields are written only by the one payment whose compare-exchange moved
// `state` from EMPTY to LOADING, before its Release store of READY; they are read only
// after an Acquire load of READY, which that store happens-before. So every write
// happens-before every read, and no two writes overlap.
unsafe impl Sync for LazyFeeTable {}

impl LazyFeeTable {
    /// A table not loaded yet; `load` calls the pricing service, and must be called
    /// once, however many payments need the table.
    pub fn new(load: impl Fn() -> FeeTable + Send + Sync + 'static) -> Self {
        LazyFeeTable {
            load: Box::new(load),
            card_bps: SharedCell::new(0),
            upi_bps: SharedCell::new(0),
            fixed_paise: SharedCell::new(0),
            version: SharedCell::new(0),
            state: AtomicU32::new(EMPTY),
        }
    }

    /// The fee table, loaded first if no payment has loaded it yet. Called by any
    /// number of payment threads at once.
    pub fn get(&self) -> FeeTable {
        let claimed =
            self.state
                .compare_exchange(EMPTY, LOADING, Ordering::Acquire, Ordering::Acquire);
        if claimed.is_ok() {
            let table = (self.load)();
            self.card_bps.store(table.card_bps);
            self.upi_bps.store(table.upi_bps);
            self.fixed_paise.store(table.fixed_paise);
            self.version.store(table.version);
            // Release: the four writes above become visible to whoever acquires READY.
            self.state.store(READY, Ordering::Release);
        } else {
            // Acquire: once this sees READY, the loader's writes are visible here.
            while self.state.load(Ordering::Acquire) != READY {
                // Another payment is loading: let it run.
                thread::yield_now();
            }
        }
        FeeTable {
            card_bps: self.card_bps.load(),
            upi_bps: self.upi_bps.load(),
            fixed_paise: self.fixed_paise.load(),
            version: self.version.load(),
        }
    }
}

impl fmt::Debug for LazyFeeTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyFeeTable").finish_non_exhaustive()
    }
}
