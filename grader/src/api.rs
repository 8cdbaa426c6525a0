//! The exercise's public API, as shipped: what the scenario calls. When a subject
//! changes a signature, the scenario stops compiling, and rustc's errors point into
//! the grader's scenario (with help on editing it). The student needs the other side:
//! the signature the scenario expected, read from a reference solution with syn.

use proc_macro2::LineColumn;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{ImplItem, Item, Signature, Visibility};

/// The public functions and methods of `reference` whose signature `subject` changed,
/// each as the reference writes it (`fn record(&mut self, amount_paise: u64)`). Functions
/// the subject's file does not define are left out: it may define them elsewhere.
pub fn changed_signatures(reference: &str, subject: &str) -> Vec<String> {
    let (Ok(reference_file), Ok(subject_file)) =
        (syn::parse_file(reference), syn::parse_file(subject))
    else {
        return Vec::new();
    };
    let theirs = public_signatures(&subject_file);
    public_signatures(&reference_file)
        .into_iter()
        .filter(|(key, sig)| {
            theirs
                .iter()
                .any(|(k, s)| k == key && tokens(s) != tokens(sig))
        })
        .map(|(_, sig)| source_of(&sig, reference))
        .collect()
}

/// `(type, name)` and signature of every `pub fn`, free or in an inherent `impl`.
fn public_signatures(file: &syn::File) -> Vec<((String, String), Signature)> {
    let mut found = Vec::new();
    for item in &file.items {
        match item {
            Item::Fn(f) if matches!(f.vis, Visibility::Public(_)) => {
                found.push(((String::new(), f.sig.ident.to_string()), f.sig.clone()));
            }
            Item::Impl(block) if block.trait_.is_none() => {
                let owner = block.self_ty.to_token_stream().to_string();
                for member in &block.items {
                    if let ImplItem::Fn(f) = member
                        && matches!(f.vis, Visibility::Public(_))
                    {
                        found.push(((owner.clone(), f.sig.ident.to_string()), f.sig.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn tokens(sig: &Signature) -> String {
    sig.to_token_stream().to_string()
}

/// The signature's text in `source`, on one line.
fn source_of(sig: &Signature, source: &str) -> String {
    let span = sig.span();
    let text = slice(source, span.start(), span.end()).unwrap_or_else(|| tokens(sig));
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line
        .replace("( ", "(")
        .replace(", )", ")")
        .replace(",)", ")")
}

/// The text of `source` from `start` to `end` (lines from 1, columns in characters).
fn slice(source: &str, start: LineColumn, end: LineColumn) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    for line in start.line..=end.line {
        let text: Vec<char> = lines.get(line.checked_sub(1)?)?.chars().collect();
        let from = if line == start.line { start.column } else { 0 };
        let to = if line == end.line {
            end.column
        } else {
            text.len()
        };
        out.extend(text.get(from..to)?);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::changed_signatures;

    const SHIPPED: &str = "pub struct Recorder;\nimpl Recorder {\n    /// Records.\n    pub fn record(\n        &mut self,\n        amount_paise: u64,\n    ) {}\n    pub fn finish(self) {}\n}\npub fn total() -> u64 { 0 }\n";

    #[test]
    fn a_changed_method_is_named_as_shipped() {
        let changed = SHIPPED.replace("amount_paise: u64", "amount_paise: u32");
        assert_eq!(
            changed_signatures(SHIPPED, &changed),
            ["fn record(&mut self, amount_paise: u64)"]
        );
    }

    #[test]
    fn unchanged_or_moved_functions_are_not_reported() {
        assert!(changed_signatures(SHIPPED, SHIPPED).is_empty());
        let moved = SHIPPED.replace("pub fn total() -> u64 { 0 }", "mod elsewhere;");
        assert!(changed_signatures(SHIPPED, &moved).is_empty());
        assert!(changed_signatures(SHIPPED, "not rust {").is_empty());
    }
}
