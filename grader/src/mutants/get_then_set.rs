//! `get-then-set`: `cell.get_or_init(f)` → `get`, and when empty `set(f())`, then
//! `get`: two threads that both find it empty both run `f` (the double
//! initialisation `get_or_init` exists to prevent).

use super::Edit;
use super::syntax::Nodes;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .method_calls
        .iter()
        .filter(|call| call.method == "get_or_init" && call.args.len() == 1)
        .map(|call| {
            let cell = nodes.text(&*call.receiver);
            let init = nodes.text(&call.args[0]);
            let text = format!(
                "match {cell}.get() {{ Some(mutant_value) => mutant_value, None => {{ let _ = {cell}.set(({init})()); {cell}.get().expect(\"set just before\") }} }}"
            );
            vec![Edit::replace(nodes.range(*call), text)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn get_or_init_becomes_get_then_set() {
        let source = "fn f(&self) -> &u32 {\n    self.table.get_or_init(load)\n}\n";
        assert_eq!(
            made(Operator::GetThenSet, source),
            [(
                "2:5".to_owned(),
                "fn f(&self) -> &u32 {\n    match self.table.get() { Some(mutant_value) => mutant_value, None => { let _ = self.table.set((load)()); self.table.get().expect(\"set just before\") } }\n}\n".to_owned()
            )]
        );
    }
}
