//! Fix B for ex06: load under a lock.
//!
//! The table and whether it is loaded become one value, `Option<FeeTable>`, behind one
//! `Mutex`, and a payment holds the lock from the check to the store. The first
//! payment loads while the others wait at the lock; when they get it, the table is
//! there. Unlocking orders the store before every later lock, so no payment reads a
//! table before it is filled. Right when the lock is cheap next to the work (a lookup
//! per payment is), or when the table must be reloadable later: a `OnceLock` is set
//! for good.

use racelab_sync::sync::Mutex;
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

/// The fee table of one payment server: loaded from the pricing service the first
/// time a payment asks for it, then shared by every payment thread.
pub struct LazyFeeTable {
    /// Calls the pricing service (billed, and logged for the auditors).
    load: Box<dyn Fn() -> FeeTable + Send + Sync>,
    table: Mutex<Option<FeeTable>>,
}

impl LazyFeeTable {
    /// A table not loaded yet; `load` calls the pricing service, and must be called
    /// once, however many payments need the table.
    pub fn new(load: impl Fn() -> FeeTable + Send + Sync + 'static) -> Self {
        LazyFeeTable {
            load: Box::new(load),
            table: Mutex::new(None),
        }
    }

    /// The fee table, loaded first if no payment has loaded it yet. Called by any
    /// number of payment threads at once.
    pub fn get(&self) -> FeeTable {
        let mut table = self
            .table
            .lock()
            .expect("a payment panicked while loading the fee table");
        // The check and the load under one guard: no other payment can load between.
        *table.get_or_insert_with(|| (self.load)())
    }
}

impl fmt::Debug for LazyFeeTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyFeeTable").finish_non_exhaustive()
    }
}
