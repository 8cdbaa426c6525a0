//! `wait-while-to-wait`: `wait_while(guard, condition)` → `wait(guard)`: one wait,
//! with the condition never checked, before or after waking (and
//! `wait_timeout_while` → `wait_timeout` likewise).

use super::Edit;
use super::syntax::Nodes;

pub(super) fn sites(nodes: &Nodes<'_>) -> Vec<Vec<Edit>> {
    nodes
        .method_calls
        .iter()
        .filter_map(|call| {
            let args: Vec<&str> = call.args.iter().map(|a| nodes.text(a)).collect();
            let text = match (call.method.to_string().as_str(), args.as_slice()) {
                ("wait_while", [guard, _]) => format!("wait({guard})"),
                ("wait_timeout_while", [guard, timeout, _]) => {
                    format!("wait_timeout({guard}, {timeout})")
                }
                _ => return None,
            };
            let start = nodes.range(&call.method).start;
            let end = call.paren_token.span.close().byte_range().end;
            Some(vec![Edit::replace(start..end, text)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Operator;
    use super::super::tests::made;

    #[test]
    fn the_condition_is_dropped() {
        let source = "fn f() {\n    let g = c\n        .wait_while(m.lock().unwrap(), |v| v.is_empty())\n        .unwrap();\n}\n";
        assert_eq!(
            made(Operator::WaitWhileToWait, source),
            [(
                "3:10".to_owned(),
                "fn f() {\n    let g = c\n        .wait(m.lock().unwrap())\n        .unwrap();\n}\n".to_owned()
            )]
        );
    }
}
