//! `weaken-ordering`: each `Ordering::X` argument of an atomic operation or a fence,
//! one step weaker, to each ordering the operation allows (a load cannot `Release`, a
//! store cannot `Acquire`, a fence cannot be `Relaxed`).

use super::Edit;
use super::syntax::{Nodes, function, method};
use syn::Expr;

/// What an ordering argument orders, which decides what it may weaken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Load,
    Store,
    ReadModifyWrite,
    Fence,
}

/// The role of argument `index` of a method named `name`, if it is an ordering.
fn role(name: &str, index: usize) -> Option<Role> {
    match (name, index) {
        ("load", 0) => Some(Role::Load),
        ("store", 1) => Some(Role::Store),
        ("compare_exchange" | "compare_exchange_weak", 2) | ("fetch_update", 0) => {
            Some(Role::ReadModifyWrite)
        }
        // The failure ordering of a compare-exchange, and fetch_update's loads.
        ("compare_exchange" | "compare_exchange_weak", 3) | ("fetch_update", 1) => Some(Role::Load),
        ("swap", 1) => Some(Role::ReadModifyWrite),
        (name, 1) if name.starts_with("fetch_") => Some(Role::ReadModifyWrite),
        _ => None,
    }
}

/// The orderings one step weaker than `ordering` in `role`.
fn weaker(role: Role, ordering: &str) -> &'static [&'static str] {
    match (role, ordering) {
        (Role::Load, "SeqCst") => &["Acquire"],
        (Role::Load, "Acquire") => &["Relaxed"],
        (Role::Store, "SeqCst") => &["Release"],
        (Role::Store, "Release") => &["Relaxed"],
        (Role::ReadModifyWrite | Role::Fence, "SeqCst") => &["AcqRel"],
        (Role::ReadModifyWrite | Role::Fence, "AcqRel") => &["Release", "Acquire"],
        (Role::ReadModifyWrite, "Release" | "Acquire") => &["Relaxed"],
        _ => &[],
    }
}

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    let mut arguments: Vec<(Role, &Expr)> = Vec::new();
    for call in &nodes.method_calls {
        let name = method(call);
        for (index, argument) in call.args.iter().enumerate() {
            if let Some(role) = role(&name, index) {
                arguments.push((role, argument));
            }
        }
    }
    for call in &nodes.calls {
        if function(call).as_deref() == Some("fence") {
            arguments.extend(call.args.first().map(|a| (Role::Fence, a)));
        }
    }
    arguments.sort_by_key(|(_, argument)| nodes.range(*argument).start);
    let mut sites = Vec::new();
    for (role, argument) in arguments {
        let Expr::Path(path) = argument else { continue };
        let Some(last) = path.path.segments.last() else {
            continue;
        };
        for weaker in weaker(role, &last.ident.to_string()) {
            sites.push(vec![Edit::replace(nodes.range(&last.ident), *weaker)]);
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn each_ordering_weakens_one_step_as_its_operation_allows() {
        let source = "fn f(a: &AtomicU32) {\n    a.store(1, Ordering::SeqCst);\n    a.load(Ordering::Acquire);\n    a.fetch_add(1, Ordering::AcqRel);\n    fence(Ordering::SeqCst);\n    a.load(Ordering::Relaxed);\n    fence(Ordering::Acquire);\n}\n";
        let mutants = made(Operator::WeakenOrdering, source);
        let expected = [
            ("2:26", "a.store(1, Ordering::Release);"),
            ("3:22", "a.load(Ordering::Relaxed);"),
            ("4:30", "a.fetch_add(1, Ordering::Release);"),
            ("4:30", "a.fetch_add(1, Ordering::Acquire);"),
            ("5:21", "fence(Ordering::AcqRel);"),
        ];
        assert_eq!(mutants.len(), expected.len(), "{mutants:#?}");
        for ((site, text), (want_site, want_line)) in mutants.iter().zip(expected) {
            assert_eq!(site, want_site);
            assert!(text.contains(want_line), "{want_line} not in\n{text}");
        }
    }

    #[test]
    fn a_compare_exchange_weakens_its_success_and_failure_orderings_apart() {
        let source = "fn f(a: &AtomicU32) { let _ = a.compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst); }";
        let texts: Vec<String> = made(Operator::WeakenOrdering, source)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(texts.len(), 2);
        assert!(texts[0].contains("(0, 1, Ordering::AcqRel, Ordering::SeqCst)"));
        assert!(texts[1].contains("(0, 1, Ordering::SeqCst, Ordering::Acquire)"));
    }
}
