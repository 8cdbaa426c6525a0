//! `split-across-await`: in an `async fn`, after a statement under a guard, the guard
//! dropped, an `.await` (a point where the executor runs other tasks, and where a
//! `select!` may drop the future), and the lock taken again. The async form of
//! ConMAn's "split critical region": what was one step for every other task becomes
//! two, and a cancelled caller stops between them.

use super::Edit;
use super::syntax::{Nodes, bound};
use syn::Stmt;

/// The await the mutant inserts: the facade's, by its full path, so no import is
/// needed.
const AWAIT: &str = "racelab_sync::task::yield_now().await;";

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for body in &nodes.async_bodies {
        for (index, stmt) in body.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some(init) = &local.init else { continue };
            let Some(guard) = bound(&local.pat) else {
                continue;
            };
            if init.diverge.is_some() || !nodes.takes_lock(&init.expr) {
                continue;
            }
            let pattern = nodes.text(&local.pat);
            let taking = nodes.text(&*init.expr);
            let under_guard = &body.stmts[index + 1..];
            for (stmt, _next) in under_guard.iter().zip(under_guard.iter().skip(1)) {
                let end = nodes.range(stmt).end;
                let indent = nodes.indent_at(nodes.range(stmt).start);
                sites.push(vec![Edit::insert(
                    end,
                    format!(
                        "\n{indent}drop({guard});\n{indent}{AWAIT}\n{indent}let {pattern} = {taking};"
                    ),
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
    fn each_gap_under_a_guard_in_an_async_fn_awaits_between_two_acquisitions() {
        let source = "async fn f(&self) {\n    let mut g = self.m.lock().unwrap();\n    g.a -= 1;\n    g.b += 1;\n}\n";
        let split = "\n    drop(g);\n    racelab_sync::task::yield_now().await;\n    let mut g = self.m.lock().unwrap();";
        assert_eq!(
            made(Operator::SplitAcrossAwait, source),
            [(
                "3:14".to_owned(),
                source.replacen("g.a -= 1;", &format!("g.a -= 1;{split}"), 1)
            )]
        );
        let blocking = source.replace("async fn", "fn");
        assert!(made(Operator::SplitAcrossAwait, &blocking).is_empty());
    }
}
