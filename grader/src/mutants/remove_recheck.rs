//! `remove-recheck`: in an `async fn`, an early return guarded by a condition (`if
//! balance < amount { return false; }`) that comes after an `.await` removed: the
//! check made again once the task resumes, when what it read before the await may
//! have changed. The async form of a check-then-act with the second check gone.

use super::Edit;
use super::syntax::{Nodes, awaits};
use syn::{Expr, Stmt};

/// Whether `stmt` is `if condition { …; return …; }` with no `else`.
fn is_guard_clause(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::If(branch), _) = stmt else {
        return false;
    };
    branch.else_branch.is_none()
        && matches!(
            branch.then_branch.stmts.last(),
            Some(Stmt::Expr(Expr::Return(_), _))
        )
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for body in &nodes.async_bodies {
        let mut awaited = false;
        for stmt in &body.stmts {
            if awaited && is_guard_clause(stmt) {
                sites.push(vec![Edit::replace(
                    nodes.whole_lines(nodes.range(stmt)),
                    "",
                )]);
            }
            awaited |= awaits(stmt);
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn only_a_check_after_an_await_is_removed() {
        let source = "async fn f(&self, n: i64) -> bool {\n    if self.read() < n {\n        return false;\n    }\n    other().await;\n    let mut g = self.m.lock().unwrap();\n    if *g < n {\n        return false;\n    }\n    *g -= n;\n    true\n}\n";
        assert_eq!(
            made(Operator::RemoveRecheck, source),
            [(
                "7:5".to_owned(),
                source.replacen("    if *g < n {\n        return false;\n    }\n", "", 1)
            )]
        );
        let blocking = source
            .replace("async fn", "fn")
            .replace("other().await", "other()");
        assert!(made(Operator::RemoveRecheck, &blocking).is_empty());
    }
}
