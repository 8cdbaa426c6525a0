//! `swap-lock-order`: where a lock is taken right after another one (the next
//! statement, or the block's value), the second is taken first: two paths that take
//! the same pair in opposite orders deadlock (ConMAn's "exchange lock order").

use super::Edit;
use super::syntax::Nodes;
use syn::Stmt;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut sites = Vec::new();
    for block in &nodes.blocks {
        for pair in block.stmts.windows(2) {
            let [first, next] = pair else { continue };
            let Stmt::Local(local) = first else { continue };
            let Some(init) = &local.init else { continue };
            if !nodes.takes_lock(&init.expr) {
                continue;
            }
            let Some(second) = nodes.first_lock_in_stmt(next) else {
                continue;
            };
            let start = nodes.range(first).start;
            sites.push(vec![
                Edit::insert(
                    start,
                    format!(
                        "let mutant_lock = {};\n{}",
                        nodes.text(second),
                        nodes.indent_at(start)
                    ),
                ),
                Edit::replace(nodes.range(second), "mutant_lock"),
            ]);
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn the_second_lock_is_taken_first() {
        let source = "fn f(&self) {\n    let a = self.a.lock().unwrap();\n    let b = self.b.lock().unwrap();\n    go(a, b);\n}\n";
        assert_eq!(
            made(Operator::SwapLockOrder, source),
            [(
                "2:5".to_owned(),
                "fn f(&self) {\n    let mutant_lock = self.b.lock();\n    let a = self.a.lock().unwrap();\n    let b = mutant_lock.unwrap();\n    go(a, b);\n}\n".to_owned()
            )]
        );
    }

    #[test]
    fn a_lock_taken_in_the_blocks_value_counts() {
        let source = "fn f(&self) -> (G, G) {\n    let s = self.x[0].lock();\n    (s, self.x[1].lock())\n}\n";
        let mutants = made(Operator::SwapLockOrder, source);
        assert_eq!(mutants.len(), 1);
        assert!(mutants[0].1.contains("let mutant_lock = self.x[1].lock();\n    let s = self.x[0].lock();\n    (s, mutant_lock)"));
    }
}
