//! `notify-early`: a `notify_one`/`notify_all` statement moved before the statement
//! that changes the state it announces (over `drop(guard)`s): a waiter woken before
//! the change checks, waits again, and nobody wakes it (the lost wakeup). A
//! notification that opens an `if` block moves before the statement ahead of the
//! `if`, as the change it follows is there.

use super::Edit;
use super::syntax::{Nodes, function, stmt_expr};
use syn::{Expr, Stmt};

/// Whether a statement notifies a condition variable.
fn notifies(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::MethodCall(call), Some(_))
        if call.method == "notify_one" || call.method == "notify_all")
}

/// The statement before `stmts[index]` that is not a `drop(…)`, if any.
fn change_before(stmts: &[Stmt], index: usize) -> Option<&Stmt> {
    stmts[..index].iter().rev().find(|stmt| {
        !matches!(stmt_expr(stmt), Some(Expr::Call(call))
            if function(call).as_deref() == Some("drop"))
    })
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for block in &nodes.blocks {
        for (index, stmt) in block.stmts.iter().enumerate() {
            if notifies(stmt) {
                sites.extend(
                    change_before(&block.stmts, index)
                        .map(|change| nodes.move_before(stmt, change)),
                );
                continue;
            }
            // `change; if … { notify; … }`: the notification goes before `change`.
            let Some(Expr::If(branch)) = stmt_expr(stmt) else {
                continue;
            };
            let Some(first) = branch.then_branch.stmts.first() else {
                continue;
            };
            if notifies(first)
                && let Some(change) = change_before(&block.stmts, index)
            {
                sites.push(nodes.move_before(first, change));
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
    fn the_notification_moves_over_drops_before_the_change() {
        let source = "fn f(&self) {\n    let mut g = self.m.lock().unwrap();\n    *g = true;\n    drop(g);\n    self.c.notify_all();\n}\n";
        assert_eq!(
            made(Operator::NotifyEarly, source),
            [(
                "3:5".to_owned(),
                "fn f(&self) {\n    let mut g = self.m.lock().unwrap();\n    self.c.notify_all();\n    *g = true;\n    drop(g);\n}\n".to_owned()
            )]
        );
    }

    #[test]
    fn a_notification_opening_an_if_moves_before_the_statement_ahead_of_it() {
        let source = "fn f(&self, x: u32) {\n    let mut g = self.m.lock().unwrap();\n    g.push(x);\n    if g.len() > 2 {\n        self.c.notify_one();\n    }\n}\n";
        assert_eq!(
            made(Operator::NotifyEarly, source),
            [(
                "3:5".to_owned(),
                "fn f(&self, x: u32) {\n    let mut g = self.m.lock().unwrap();\n    self.c.notify_one();\n    g.push(x);\n    if g.len() > 2 {\n    }\n}\n".to_owned()
            )]
        );
    }
}
