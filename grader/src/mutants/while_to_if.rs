//! `while-to-if`: the loop around a condition variable's `wait` made a single check,
//! so a spurious wakeup (or a wakeup for a state another waiter consumed) goes on
//! as if the condition held.

use super::Edit;
use super::syntax::Nodes;
use syn::visit::{self, Visit};

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .whiles
        .iter()
        .filter(|looped| {
            let mut waits = Waits(false);
            waits.visit_block(&looped.body);
            waits.0
        })
        .map(|looped| vec![Edit::replace(nodes.range(&looped.while_token), "if")])
        .collect()
}

/// Whether a body calls `wait` or `wait_timeout`.
struct Waits(bool);

impl Visit<'_> for Waits {
    fn visit_expr_method_call(&mut self, call: &syn::ExprMethodCall) {
        self.0 |= call.method == "wait" || call.method == "wait_timeout";
        visit::visit_expr_method_call(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn only_a_loop_that_waits_becomes_an_if() {
        let source = "fn f() {\n    while !ready(&g) {\n        g = c.wait(g).unwrap();\n    }\n    while more() { step(); }\n}\n";
        assert_eq!(
            made(Operator::WhileToIf, source),
            [(
                "2:5".to_owned(),
                source.replacen("while !ready", "if !ready", 1)
            )]
        );
    }
}
