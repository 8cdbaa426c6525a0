// ex10 as shipped: the payout sender holds a `MutexGuard` across the bank's `.await`,
// so its future is not `Send` and `task::spawn` refuses it.
#![allow(dead_code)]

#[path = "../../exercises/ex10-guard-across-the-await/src/lib.rs"]
mod shipped;

fn main() {}
