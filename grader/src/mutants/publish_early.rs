//! `publish-early`: a `store(…, Release)` (or `SeqCst`) statement moved before the
//! statement ahead of it, so the flag says "ready" before the data it publishes is
//! written (the flag flip of ex03, the seqlock's closing store of ex07).

use super::Edit;
use super::syntax::Nodes;
use syn::{Expr, Stmt};

/// Whether a statement is a releasing atomic store.
fn publishes(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    let Some(Expr::Path(ordering)) = call.args.iter().nth(1) else {
        return false;
    };
    call.method == "store"
        && ordering
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Release" || last.ident == "SeqCst")
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for block in &nodes.blocks {
        for pair in block.stmts.windows(2) {
            let [before, store] = pair else { continue };
            if publishes(store) {
                sites.push(nodes.move_before(store, before));
            }
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn the_releasing_store_goes_first() {
        let source = "fn f(&self) {\n    self.data.store(7);\n    self.ready.store(true, Ordering::Release);\n    self.count.store(1, Ordering::Relaxed);\n}\n";
        assert_eq!(
            made(Operator::PublishEarly, source),
            [(
                "2:5".to_owned(),
                "fn f(&self) {\n    self.ready.store(true, Ordering::Release);\n    self.data.store(7);\n    self.count.store(1, Ordering::Relaxed);\n}\n".to_owned()
            )]
        );
    }
}
