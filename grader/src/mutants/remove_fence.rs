//! `remove-fence`: a `fence(…)` statement removed (a seqlock's fences are what keep
//! its plain reads inside the sequence checks).

use super::Edit;
use super::syntax::{Nodes, function, stmt_expr};
use syn::Expr;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for block in &nodes.blocks {
        for stmt in &block.stmts {
            let is_fence = matches!(
                stmt_expr(stmt),
                Some(Expr::Call(call)) if function(call).as_deref() == Some("fence")
            );
            if is_fence {
                sites.push(vec![Edit::replace(
                    nodes.whole_lines(nodes.range(stmt)),
                    "",
                )]);
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
    fn a_fence_statement_goes_with_its_line() {
        let source = "fn f() {\n    a();\n    atomic::fence(Ordering::Release);\n    b();\n}\n";
        assert_eq!(
            made(Operator::RemoveFence, source),
            [(
                "3:5".to_owned(),
                "fn f() {\n    a();\n    b();\n}\n".to_owned()
            )]
        );
    }
}
