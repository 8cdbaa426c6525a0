//! `split-across-await`: in an `async fn`, after a statement under a guard, the guard
//! dropped, an `.await` (a point where the executor runs other tasks, and where a
//! `select!` may drop the future), and the lock taken again. The async form of
//! ConMAn's "split critical region": what was one step for every other task becomes
//! two, and a cancelled caller stops between them.

use super::Edit;
use super::syntax::Nodes;

/// The await the mutant inserts: the facade's, by its full path, so no import is
/// needed.
const AWAIT: &str = "racelab_sync::task::yield_now().await;";

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .guard_gaps(&nodes.async_bodies)
        .into_iter()
        .map(|gap| {
            let (indent, guard, pattern, taking) = (gap.indent, gap.guard, gap.pattern, gap.taking);
            vec![Edit::insert(
                gap.end,
                format!(
                    "\n{indent}drop({guard});\n{indent}{AWAIT}\n{indent}let {pattern} = {taking};"
                ),
            )]
        })
        .collect()
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
