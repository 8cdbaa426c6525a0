//! Fix A for ex06: a `OnceLock`.
//!
//! `OnceLock::get_or_init` is lazy initialisation done once and for all: of the
//! payments that find the cell empty, exactly one runs the loader; the others wait
//! for it, and every payment then reads the table it stored, through the
//! synchronisation the cell provides. Both bugs go at once, and so does the `unsafe`.
//! Right almost always: it is what the standard library offers for exactly this
//! (`std::sync::OnceLock`, or `LazyLock` when the loader is known up front).

use racelab_sync::sync::OnceLock;
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
    table: OnceLock<FeeTable>,
}

impl LazyFeeTable {
    /// A table not loaded yet; `load` calls the pricing service, and must be called
    /// once, however many payments need the table.
    pub fn new(load: impl Fn() -> FeeTable + Send + Sync + 'static) -> Self {
        LazyFeeTable {
            load: Box::new(load),
            table: OnceLock::new(),
        }
    }

    /// The fee table, loaded first if no payment has loaded it yet. Called by any
    /// number of payment threads at once.
    pub fn get(&self) -> FeeTable {
        *self.table.get_or_init(|| (self.load)())
    }
}

impl fmt::Debug for LazyFeeTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyFeeTable").finish_non_exhaustive()
    }
}
