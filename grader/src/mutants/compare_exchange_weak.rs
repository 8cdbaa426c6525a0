//! `compare-exchange-weak`: `compare_exchange` → `compare_exchange_weak`, which may
//! fail even when the value matched: wrong wherever a failure is taken to mean
//! that another thread won.

use super::Edit;
use super::syntax::Nodes;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .method_calls
        .iter()
        .filter(|call| call.method == "compare_exchange")
        .map(|call| {
            vec![Edit::replace(
                nodes.range(&call.method),
                "compare_exchange_weak",
            )]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn the_strong_call_is_renamed() {
        let source =
            "fn f(a: &AtomicU8) -> bool { a.compare_exchange(0, 1, AcqRel, Acquire).is_ok() }";
        let mutants = made(Operator::CompareExchangeWeak, source);
        assert_eq!(mutants.len(), 1);
        assert_eq!(mutants[0].0, "1:32");
        assert!(
            mutants[0]
                .1
                .contains("a.compare_exchange_weak(0, 1, AcqRel, Acquire).is_ok()")
        );
    }
}
