//! ex06 — the fee table loaded twice.
//!
//! `size.ops` payment servers start, each with a fee table not loaded yet.
//! `size.workers` payment threads then walk the servers in the same order, each pricing
//! one payment on every server, so the first payments on a server arrive together and
//! all find its table not loaded. The pricing service counts its calls, and takes a
//! moment to answer (it works the table out one entry at a time).
//!
//! The invariant: each server calls the pricing service once, and every payment is
//! priced with the whole table it returned.
//!
//! The grader compiles this file together with the subject (as the crate `subject`)
//! for every stage: loom, shuttle, ThreadSanitizer and stress run this same code.

use racelab_harness::spec::prelude::*;
use racelab_harness::{Outcome, Size};
use racelab_sync::gate::StartGate;
use racelab_sync::sync::Arc;
use racelab_sync::sync::atomic::{AtomicUsize, Ordering};
use racelab_sync::thread;
use racelab_sync::trace;
use subject::{FeeTable, LazyFeeTable};

/// The fee table the pricing service returns to server `server`: every field nonzero
/// and different from server to server, so a table read before it is filled, or
/// filled from another server's, never equals it.
fn table_for(server: usize) -> FeeTable {
    let server = server as u64;
    FeeTable {
        card_bps: 150 + server % 50,
        upi_bps: 10 + server % 7,
        fixed_paise: 200 + server % 100,
        version: 1 + server,
    }
}

/// A fee table as the lab reads it: its four fields copied out, so every verdict
/// compares the lab's own values and never calls the subject's `PartialEq` for
/// `FeeTable`. Shown in brief: `[card_bps, upi_bps, fixed_paise, v<version>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced([u64; 4]);

impl Priced {
    /// What `table` holds, field by field.
    fn of(table: FeeTable) -> Priced {
        let FeeTable {
            card_bps,
            upi_bps,
            fixed_paise,
            version,
        } = table;
        Priced([card_bps, upi_bps, fixed_paise, version])
    }
}

impl std::fmt::Display for Priced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [card_bps, upi_bps, fixed_paise, version] = self.0;
        write!(f, "[{card_bps}, {upi_bps}, {fixed_paise}, v{version}]")
    }
}

/// The pricing service's answer for `server`, worked out one basis point at a time
/// (under a microsecond on real threads, long enough for other payments to arrive).
fn priced_by_the_service(server: usize) -> FeeTable {
    let mut table = FeeTable {
        card_bps: 0,
        upi_bps: 0,
        fixed_paise: 0,
        version: table_for(server).version,
    };
    for _ in 0..table_for(server).card_bps {
        table.card_bps += std::hint::black_box(1);
    }
    table.upi_bps = table_for(server).upi_bps;
    table.fixed_paise = table_for(server).fixed_paise;
    table
}

/// One execution of the scenario.
pub fn round(size: Size) -> Outcome {
    let calls = Arc::new(AtomicUsize::new(0));
    // A table's loaded flag, as shipped an `AtomicBool`, is named `loaded[N]` in the
    // traces (a fix with other types keeps the facade's names).
    let servers: Vec<LazyFeeTable> = trace::naming(trace::ObjectKind::AtomicBool, "loaded", || {
        (0..size.ops)
            .map(|server| {
                let calls = Arc::clone(&calls);
                LazyFeeTable::new(move || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    priced_by_the_service(server)
                })
            })
            .collect()
    });
    let servers = Arc::new(servers);
    let gate = Arc::new(StartGate::new(size.workers));
    let payments: Vec<_> = (0..size.workers)
        .map(|_| {
            let servers = Arc::clone(&servers);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                gate.wait();
                servers
                    .iter()
                    .enumerate()
                    .filter(|(server, fees)| {
                        // Markers spelled only where steps are recorded: on real
                        // threads the payments race to load the table.
                        let called = || format!("servers[{server}].get");
                        trace::call_described(|| (called(), Vec::new()));
                        let priced = trace::returned_described(Priced::of(fees.get()), |p| {
                            (called(), Some(trace::Value::Other(p.to_string())))
                        });
                        priced == Priced::of(table_for(*server))
                    })
                    .count()
            })
        })
        .collect();
    let mut priced_right = 0;
    for payment in payments {
        match payment.join() {
            Ok(right) => priced_right += right,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let calls = calls.load(Ordering::Relaxed);
    if calls != size.ops {
        return Outcome::equal(
            "the pricing service is called once per server",
            size.ops as i64,
            calls as i64,
            "calls",
        );
    }
    Outcome::equal(
        "every payment is priced with the whole fee table",
        (size.ops * size.workers) as i64,
        priced_right as i64,
        "payments",
    )
}

/// The sequential model for the `spec` stage: a table is not loaded, or loaded with
/// what the pricing service returned. The first `get()` calls the service and every
/// `get()` returns that table; the service is called once in all.
///
/// The model sees a second load twice over: the spec scenarios' service numbers its
/// answers (the `version` of the table is the number of the call), so a payment priced
/// with a second load's table returns a table the model never returns; and the main
/// thread reads the service's call count last (`loads()`), which a correct table
/// leaves at 1.
pub struct Spec;

/// The fees the pricing service returns (its call number is the table's `version`):
/// every fee nonzero, so a table read before it is filled never equals it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pricing {
    card_bps: u64,
    upi_bps: u64,
    fixed_paise: u64,
}

impl Pricing {
    /// The table of the service's call number `call` (1 for the first).
    fn table(self, call: u64) -> FeeTable {
        FeeTable {
            card_bps: self.card_bps,
            upi_bps: self.upi_bps,
            fixed_paise: self.fixed_paise,
            version: call,
        }
    }
}

impl std::fmt::Display for Pricing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Pricing {
            card_bps,
            upi_bps,
            fixed_paise,
        } = self;
        write!(
            f,
            "LazyFeeTable::new(service), the service's call n returning \
             [{card_bps}, {upi_bps}, {fixed_paise}, vn]"
        )
    }
}

/// The operations of ex06.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `get()`.
    Get,
    /// How many times the pricing service was called.
    Loads,
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Op::Get => "get()",
            Op::Loads => "service calls",
        })
    }
}

/// What an ex06 operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// The fee table `get()` returned, copied into the lab's own type.
    Table(Priced),
    /// The pricing service's call count.
    Loads(usize),
}

impl std::fmt::Display for Ret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Table(table) => table.fmt(f),
            Ret::Loads(loads) => write!(f, "{loads}"),
        }
    }
}

/// One payment server of the spec scenarios, and its pricing service's call count.
pub struct Server {
    fees: LazyFeeTable,
    loads: Arc<AtomicUsize>,
}

/// The model's state: the service's fees, and whether the table is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fees {
    pricing: Pricing,
    loaded: bool,
}

impl Model for Spec {
    type Init = Pricing;
    type Object = Arc<Server>;
    type Handle = Arc<Server>;
    type Op = Op;
    type Ret = Ret;
    type State = Fees;

    fn init() -> BoxedStrategy<Pricing> {
        (100..=199_u64, 1..=20_u64, 100..=300_u64)
            .prop_map(|(card_bps, upi_bps, fixed_paise)| Pricing {
                card_bps,
                upi_bps,
                fixed_paise,
            })
            .boxed()
    }

    /// Every payment thread prices one to three payments.
    fn thread_part(_thread: usize) -> BoxedStrategy<Vec<Op>> {
        vec(Just(Op::Get), 1..=3).boxed()
    }

    /// One more payment, then the service's call count.
    fn final_part() -> BoxedStrategy<Vec<Op>> {
        Just(vec![Op::Get, Op::Loads]).boxed()
    }

    fn open(pricing: &Pricing) -> Arc<Server> {
        let pricing = *pricing;
        let loads = Arc::new(AtomicUsize::new(0));
        let calls = Arc::clone(&loads);
        let fees = LazyFeeTable::new(move || {
            let call = calls.fetch_add(1, Ordering::Relaxed) + 1;
            pricing.table(call as u64)
        });
        Arc::new(Server { fees, loads })
    }

    fn handle(server: &Arc<Server>) -> Arc<Server> {
        Arc::clone(server)
    }

    fn apply(server: &mut Arc<Server>, op: &Op) -> Ret {
        Self::apply_in_thread(server, op)
    }

    fn apply_in_thread(server: &mut Arc<Server>, op: &Op) -> Ret {
        match op {
            Op::Get => Ret::Table(Priced::of(server.fees.get())),
            Op::Loads => Ret::Loads(server.loads.load(Ordering::Relaxed)),
        }
    }

    fn start(pricing: &Pricing) -> Fees {
        Fees {
            pricing: *pricing,
            loaded: false,
        }
    }

    fn step(fees: &Fees, op: &Op) -> Option<(Fees, Ret)> {
        let ret = match op {
            Op::Get => Ret::Table(Priced::of(fees.pricing.table(1))),
            Op::Loads => Ret::Loads(usize::from(fees.loaded)),
        };
        let after = match op {
            Op::Get => Fees {
                loaded: true,
                ..*fees
            },
            Op::Loads => *fees,
        };
        Some((after, ret))
    }
}
