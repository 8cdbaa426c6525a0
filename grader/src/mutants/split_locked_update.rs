//! `split-locked-update`: `*m.lock() op= x`, the update under one acquisition, as a
//! read under one acquisition and a write under another: the lost update the lock
//! was there to prevent (ConMAn's "split critical region", on one expression).

use super::Edit;
use super::syntax::Nodes;
use syn::BinOp;

/// The plain operator of a compound assignment.
fn plain(op: &BinOp) -> Option<&'static str> {
    Some(match op {
        BinOp::AddAssign(_) => "+",
        BinOp::SubAssign(_) => "-",
        BinOp::MulAssign(_) => "*",
        BinOp::DivAssign(_) => "/",
        BinOp::RemAssign(_) => "%",
        BinOp::BitOrAssign(_) => "|",
        BinOp::BitAndAssign(_) => "&",
        BinOp::BitXorAssign(_) => "^",
        BinOp::ShlAssign(_) => "<<",
        BinOp::ShrAssign(_) => ">>",
        _ => return None,
    })
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .binaries
        .iter()
        .filter(|update| nodes.takes_lock(&update.left))
        .filter_map(|update| {
            let op = plain(&update.op)?;
            let place = nodes.text(&*update.left);
            let value = nodes.text(&*update.right);
            let text = format!(
                "{{ let mutant_value = {value}; let mutant_old = {place}; {place} = mutant_old {op} mutant_value; }}"
            );
            Some(vec![Edit::replace(nodes.range(*update), text)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn an_update_through_a_lock_is_split_and_one_through_a_guard_is_not() {
        let source = "fn f(&mut self, x: u64) {\n    *self.total.lock().unwrap() += x;\n    *guard -= x;\n}\n";
        assert_eq!(
            made(Operator::SplitLockedUpdate, source),
            [(
                "2:5".to_owned(),
                "fn f(&mut self, x: u64) {\n    { let mutant_value = x; let mutant_old = *self.total.lock().unwrap(); *self.total.lock().unwrap() = mutant_old + mutant_value; };\n    *guard -= x;\n}\n".to_owned()
            )]
        );
    }
}
