//! `notify-all-to-one`: `notify_all` → `notify_one`, which wakes one waiter where
//! several may be waiting for the change.

use super::Edit;
use super::syntax::Nodes;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .method_calls
        .iter()
        .filter(|call| call.method == "notify_all")
        .map(|call| vec![Edit::replace(nodes.range(&call.method), "notify_one")])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn notify_all_becomes_notify_one() {
        let source = "fn f(c: &Condvar) {\n    c.notify_all();\n    c.notify_one();\n}\n";
        assert_eq!(
            made(Operator::NotifyAllToOne, source),
            [(
                "2:7".to_owned(),
                "fn f(c: &Condvar) {\n    c.notify_one();\n    c.notify_one();\n}\n".to_owned()
            )]
        );
    }
}
