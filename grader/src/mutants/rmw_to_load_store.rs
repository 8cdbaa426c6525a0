//! `rmw-to-load-store`: an atomic read-modify-write done as a load, then a store, so
//! another thread's update between them is lost (ConMAn's "exchange an atomic call
//! with a non-atomic one"). The orderings split the original's: an `AcqRel` update
//! loads with `Acquire` and stores with `Release`.

use super::Edit;
use super::syntax::{Nodes, method};
use syn::ExprMethodCall;

/// The load's and the store's ordering, written as `ordering` is, for one
/// read-modify-write ordered by it.
fn split(ordering: &str) -> (String, String) {
    let swap_last = |to: &str| {
        let prefix = ordering.rsplit_once("::").map_or("", |(prefix, _)| prefix);
        if prefix.is_empty() {
            to.to_owned()
        } else {
            format!("{prefix}::{to}")
        }
    };
    let last = ordering.rsplit("::").next().unwrap_or(ordering).trim();
    match last {
        "AcqRel" => (swap_last("Acquire"), swap_last("Release")),
        "Acquire" => (ordering.to_owned(), swap_last("Relaxed")),
        "Release" => (swap_last("Relaxed"), ordering.to_owned()),
        _ => (ordering.to_owned(), ordering.to_owned()),
    }
}

/// The new value from `old` and `value` for a `fetch_*` method, as an expression.
fn combined(name: &str) -> Option<&'static str> {
    Some(match name {
        "fetch_add" => "mutant_old.wrapping_add(mutant_value)",
        "fetch_sub" => "mutant_old.wrapping_sub(mutant_value)",
        "fetch_or" => "mutant_old | mutant_value",
        "fetch_and" => "mutant_old & mutant_value",
        "fetch_xor" => "mutant_old ^ mutant_value",
        "fetch_nand" => "!(mutant_old & mutant_value)",
        "fetch_max" => "mutant_old.max(mutant_value)",
        "fetch_min" => "mutant_old.min(mutant_value)",
        _ => return None,
    })
}

/// The load-then-store that replaces `call`, if it is a read-modify-write.
fn replacement(nodes: &Nodes<'_>, call: &ExprMethodCall) -> Option<String> {
    let name = method(call);
    let cell = nodes.text(&*call.receiver);
    let args: Vec<&str> = call.args.iter().map(|a| nodes.text(a)).collect();
    let text = match (name.as_str(), args.as_slice()) {
        ("swap", [value, ordering]) => {
            let (load, store) = split(ordering);
            format!(
                "{{ let mutant_value = {value}; let mutant_old = {cell}.load({load}); {cell}.store(mutant_value, {store}); mutant_old }}"
            )
        }
        ("compare_exchange" | "compare_exchange_weak", [current, new, success, _failure]) => {
            let (load, store) = split(success);
            format!(
                "{{ let (mutant_current, mutant_new) = ({current}, {new}); let mutant_old = {cell}.load({load}); if mutant_old == mutant_current {{ {cell}.store(mutant_new, {store}); Ok(mutant_old) }} else {{ Err(mutant_old) }} }}"
            )
        }
        ("fetch_update", [set, _fetch, update]) => {
            let (load, store) = split(set);
            format!(
                "{{ let mutant_old = {cell}.load({load}); match ({update})(mutant_old) {{ Some(mutant_new) => {{ {cell}.store(mutant_new, {store}); Ok(mutant_old) }} None => Err(mutant_old) }} }}"
            )
        }
        (name, [value, ordering]) => {
            let new = combined(name)?;
            let (load, store) = split(ordering);
            format!(
                "{{ let mutant_value = {value}; let mutant_old = {cell}.load({load}); {cell}.store({new}, {store}); mutant_old }}"
            )
        }
        _ => return None,
    };
    Some(text)
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .method_calls
        .iter()
        .filter_map(|call| {
            let text = replacement(nodes, call)?;
            Some(vec![Edit::replace(nodes.range(*call), text)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;
    use super::split;

    #[test]
    fn the_orderings_split_into_a_load_and_a_store() {
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            split("Ordering::AcqRel"),
            pair("Ordering::Acquire", "Ordering::Release")
        );
        assert_eq!(split("Acquire"), pair("Acquire", "Relaxed"));
        assert_eq!(
            split("Ordering::Release"),
            pair("Ordering::Relaxed", "Ordering::Release")
        );
        assert_eq!(split("SeqCst"), pair("SeqCst", "SeqCst"));
    }

    #[test]
    fn each_read_modify_write_becomes_a_load_then_a_store() {
        let source = "fn f(a: &AtomicU64) {\n    a.fetch_add(2, Ordering::Relaxed);\n    let _ = a.swap(3, Ordering::AcqRel);\n    let _ = a.compare_exchange(0, 1, Ordering::SeqCst, Ordering::Relaxed);\n    let _ = a.fetch_update(Ordering::Release, Ordering::Relaxed, |x| x.checked_sub(1));\n    a.load(Ordering::Relaxed);\n}\n";
        let mutants = made(Operator::RmwToLoadStore, source);
        let expected = [
            (
                "2:5",
                "{ let mutant_value = 2; let mutant_old = a.load(Ordering::Relaxed); a.store(mutant_old.wrapping_add(mutant_value), Ordering::Relaxed); mutant_old };",
            ),
            (
                "3:13",
                "{ let mutant_value = 3; let mutant_old = a.load(Ordering::Acquire); a.store(mutant_value, Ordering::Release); mutant_old };",
            ),
            (
                "4:13",
                "{ let (mutant_current, mutant_new) = (0, 1); let mutant_old = a.load(Ordering::SeqCst); if mutant_old == mutant_current { a.store(mutant_new, Ordering::SeqCst); Ok(mutant_old) } else { Err(mutant_old) } };",
            ),
            (
                "5:13",
                "{ let mutant_old = a.load(Ordering::Relaxed); match (|x| x.checked_sub(1))(mutant_old) { Some(mutant_new) => { a.store(mutant_new, Ordering::Release); Ok(mutant_old) } None => Err(mutant_old) } };",
            ),
        ];
        assert_eq!(mutants.len(), expected.len(), "{mutants:#?}");
        for ((site, text), (want_site, want)) in mutants.iter().zip(expected) {
            assert_eq!(site, want_site);
            assert!(text.contains(want), "{want}\nnot in\n{text}");
        }
    }
}
