//! `split-critical-section`: after a statement run under a guard, `drop(guard)` and
//! the lock taken again, so another thread can run between what was one critical
//! section (ConMAn's "split critical region"; two reads of related fields under two
//! acquisitions are the torn snapshot). One mutant per gap between statements.

use super::Edit;
use super::syntax::Nodes;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .guard_gaps(&nodes.blocks)
        .into_iter()
        .map(|gap| {
            let (indent, guard, pattern, taking) = (gap.indent, gap.guard, gap.pattern, gap.taking);
            vec![Edit::insert(
                gap.end,
                format!("\n{indent}drop({guard});\n{indent}let {pattern} = {taking};"),
            )]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn each_gap_under_a_guard_drops_and_locks_again() {
        let source = "fn f(&self) -> u32 {\n    let mut g = self.m.lock().unwrap();\n    g.a += 1;\n    g.b += 1;\n    g.a\n}\n";
        let relock = "\n    drop(g);\n    let mut g = self.m.lock().unwrap();";
        assert_eq!(
            made(Operator::SplitCriticalSection, source),
            [
                (
                    "3:14".to_owned(),
                    source.replacen("g.a += 1;", &format!("g.a += 1;{relock}"), 1)
                ),
                (
                    "4:14".to_owned(),
                    source.replacen("g.b += 1;", &format!("g.b += 1;{relock}"), 1)
                ),
            ]
        );
    }

    #[test]
    fn a_guard_from_the_files_own_locking_function_counts() {
        let source = "fn take(&self) -> MutexGuard<'_, u32> { self.m.lock().unwrap() }\nfn f(&self) {\n    let g = self.take();\n    one(&g);\n    two(&g);\n}\n";
        assert_eq!(made(Operator::SplitCriticalSection, source).len(), 1);
        let plain = source.replace("MutexGuard<'_, u32>", "u32");
        assert!(made(Operator::SplitCriticalSection, &plain).is_empty());
    }
}
