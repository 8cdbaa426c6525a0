//! `remove-join`: a statement that joins a thread removed, so what the thread does
//! may not have happened when the caller goes on (ConMAn's "remove join").

use super::Edit;
use super::syntax::{Nodes, calls_through};
use syn::{Pat, Stmt};

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for block in &nodes.blocks {
        for stmt in &block.stmts {
            let joins = match stmt {
                Stmt::Expr(expr, Some(_)) => calls_through(expr, "join"),
                Stmt::Local(local) => {
                    matches!(local.pat, Pat::Wild(_))
                        && local
                            .init
                            .as_ref()
                            .is_some_and(|init| calls_through(&init.expr, "join"))
                }
                _ => false,
            };
            if joins {
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
    fn join_statements_are_removed_one_at_a_time() {
        let source = "fn f() {\n    for h in hs {\n        h.join().unwrap();\n    }\n    let _ = t.join();\n    let v = u.join().unwrap();\n}\n";
        assert_eq!(
            made(Operator::RemoveJoin, source),
            [
                (
                    "3:9".to_owned(),
                    "fn f() {\n    for h in hs {\n    }\n    let _ = t.join();\n    let v = u.join().unwrap();\n}\n".to_owned()
                ),
                (
                    "5:5".to_owned(),
                    "fn f() {\n    for h in hs {\n        h.join().unwrap();\n    }\n    let v = u.join().unwrap();\n}\n".to_owned()
                ),
            ]
        );
    }
}
