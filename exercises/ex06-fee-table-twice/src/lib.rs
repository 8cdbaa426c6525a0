//! PaySetu's fee table, loaded on first use.
//!
//! Every payment is priced with PaySetu's fee table: the fee in basis points for card
//! and UPI payments, a fixed fee, and the table's version. The table comes from the
//! pricing service, which bills PaySetu for every call and logs it for the auditors,
//! so a payment server loads it once, lazily, when the first payment needs it.
//!
//! The pricing service bills two or three loads per server start instead of one, and
//! once in a while a payment goes out with no fee at all. Find out why and fix it.
//! Read `README.md` beside this file first: it says what you may change.

use racelab_sync::cell::SharedCell;
use racelab_sync::sync::atomic::{AtomicBool, Ordering};
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
    card_bps: SharedCell<u64>,
    upi_bps: SharedCell<u64>,
    fixed_paise: SharedCell<u64>,
    version: SharedCell<u64>,
    loaded: AtomicBool,
}

// SAFETY (claimed): the table is written once, by the first payment, before `loaded`
// is set; later payments see `loaded` and only read it.
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
            loaded: AtomicBool::new(false),
        }
    }

    /// The fee table, loaded first if no payment has loaded it yet. Called by any
    /// number of payment threads at once.
    pub fn get(&self) -> FeeTable {
        if !self.loaded.load(Ordering::Relaxed) {
            let table = (self.load)();
            self.card_bps.store(table.card_bps);
            self.upi_bps.store(table.upi_bps);
            self.fixed_paise.store(table.fixed_paise);
            self.version.store(table.version);
            self.loaded.store(true, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::{FeeTable, LazyFeeTable};
    use racelab_sync::sync::Arc;
    use racelab_sync::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_thread_loads_the_table_once() {
        let table = FeeTable {
            card_bps: 180,
            upi_bps: 0,
            fixed_paise: 200,
            version: 7,
        };
        let loads = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&loads);
        let fees = LazyFeeTable::new(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            table
        });
        assert_eq!(fees.get(), table);
        assert_eq!(fees.get(), table);
        assert_eq!(loads.load(Ordering::Relaxed), 1);
    }
}
