//! Tells: what a subject could read to learn whether an explorer or real threads run
//! it, found in a file's tokens (so inside macros and `macro_rules!` bodies too).
//!
//! The facade's types have the same paths, `Debug` output, size and alignment in
//! every backend, but their addresses cannot be made equal: loom and shuttle run
//! every thread on stacks of their own, and keep more state per object. So whatever
//! reads an address (`{:p}`, `as_ptr`, `addr`, `ptr_eq`, …) or a layout (`size_of`,
//! which is in the prelude and needs no path) is refused wherever it is written,
//! and so is a cfg on a backend's cargo feature (`feature = "loom"`).

use super::paths::unraw;
use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Methods and functions that read an address, or compare two by address.
const ADDRESS_WORDS: [&str; 19] = [
    "as_ptr",
    "as_mut_ptr",
    "as_ptr_range",
    "as_mut_ptr_range",
    "into_raw_parts",
    "addr",
    "expose_provenance",
    "expose_addr",
    "with_addr",
    "map_addr",
    "addr_of",
    "addr_of_mut",
    "ptr_eq",
    "addr_eq",
    "fn_addr_eq",
    "into_raw",
    "from_raw",
    "as_non_null_ptr",
    // `std::fmt::Pointer`, the trait behind `{:p}`, called by hand.
    "Pointer",
];
/// Functions that read a type's or a value's layout (`size_of` is in the prelude).
const LAYOUT_WORDS: [&str; 5] = [
    "size_of",
    "size_of_val",
    "align_of",
    "align_of_val",
    "needs_drop",
];
/// The facade's cargo features, one per backend, and the sanitizer's cfg key.
const BACKEND_FEATURES: [&str; 3] = ["loom", "shuttle", "tsan"];

/// One tell, with the words that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tell {
    /// An address read or compared: `as_ptr`, `{:p}`, …
    Address(String),
    /// A layout read: `size_of`, …
    Layout(String),
    /// A cfg on a backend's feature or on the sanitizer: `feature = "loom"`.
    BackendFeature(String),
}

/// Every tell in `stream`, with its line, in the order found.
pub(super) fn find(stream: TokenStream) -> Vec<(Tell, usize)> {
    let mut found = Vec::new();
    let mut pending = vec![stream.into_iter().collect::<Vec<_>>()];
    while let Some(tokens) = pending.pop() {
        for (i, token) in tokens.iter().enumerate() {
            let line = token.span().start().line;
            match token {
                TokenTree::Group(group) => pending.push(group.stream().into_iter().collect()),
                TokenTree::Ident(ident) => {
                    let word = unraw(ident);
                    if ADDRESS_WORDS.contains(&word.as_str()) {
                        found.push((Tell::Address(format!("`{word}`")), line));
                    } else if LAYOUT_WORDS.contains(&word.as_str()) {
                        found.push((Tell::Layout(format!("`{word}`")), line));
                    } else if let Some(value) = cfg_value(&tokens[i..], &word) {
                        found.push((Tell::BackendFeature(value), line));
                    } else if word == "concat"
                        && let Some(tell) = concatenated(&tokens[i + 1..])
                    {
                        found.push((tell, line));
                    }
                }
                TokenTree::Literal(literal) => {
                    if string_value(literal).is_some_and(|text| formats_a_pointer(&text)) {
                        found.push((Tell::Address(format!("`{literal}`")), line));
                    }
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
    found
}

/// `feature = "loom"` (or a backend's other features, or a macro's `$value`) and
/// `sanitize = …` at the start of `tokens`: how it is written, for the message.
fn cfg_value(tokens: &[TokenTree], key: &str) -> Option<String> {
    if key != "feature" && key != "sanitize" {
        return None;
    }
    let Some(TokenTree::Punct(eq)) = tokens.get(1) else {
        return None;
    };
    if eq.as_char() != '=' {
        return None;
    }
    match tokens.get(2)? {
        TokenTree::Punct(p) if p.as_char() == '$' => Some(format!("{key} = $…")),
        TokenTree::Literal(literal) => {
            let value = string_value(literal)?;
            (key == "sanitize" || BACKEND_FEATURES.contains(&value.as_str()))
                .then(|| format!("{key} = \"{value}\""))
        }
        _ => None,
    }
}

/// `concat!(…)` after its name: a pointer format made from its pieces, or pieces a
/// macro's arguments supply (which could make one).
fn concatenated(after: &[TokenTree]) -> Option<Tell> {
    let [TokenTree::Punct(bang), TokenTree::Group(group), ..] = after else {
        return None;
    };
    if bang.as_char() != '!' || group.delimiter() == Delimiter::None {
        return None;
    }
    let mut joined = String::new();
    for token in group.stream() {
        match token {
            TokenTree::Literal(literal) => joined.push_str(&string_value(&literal)?),
            TokenTree::Punct(p) if p.as_char() == '$' => {
                return Some(Tell::Address("`concat!` of a macro's argument".into()));
            }
            _ => {}
        }
    }
    formats_a_pointer(&joined).then(|| Tell::Address(format!("`concat!` making \"{joined}\"")))
}

/// The text of a string literal (`"…"`, `r#"…"#`), or `None` for any other literal.
fn string_value(literal: &proc_macro2::Literal) -> Option<String> {
    syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into())
        .ok()
        .map(|s| s.value())
}

/// Whether `text`, as a format string, formats an argument with `Pointer` (`{:p}`,
/// `{0:#p}`, `{name:>18p}`): the type of a format spec is its last character.
pub(super) fn formats_a_pointer(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let Some(close) = after.find('}') else {
            return false;
        };
        let placeholder = &after[..close];
        if let Some((_, spec)) = placeholder.split_once(':')
            && spec.trim_end().ends_with('p')
        {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{Tell, find, formats_a_pointer};
    use std::str::FromStr;

    fn tells(code: &str) -> Vec<Tell> {
        find(proc_macro2::TokenStream::from_str(code).unwrap())
            .into_iter()
            .map(|(tell, _)| tell)
            .collect()
    }

    #[test]
    fn pointer_formats_are_found_whatever_their_flags() {
        for pointer in ["{:p}", "a {0:#p} b", "{x:>18p}", "{:<p}", "{{}} {:p}"] {
            assert!(formats_a_pointer(pointer), "{pointer}");
        }
        for other in [
            "{}", "{:?}", "{{:p}}", "{p}", "{:>5}", "{:x}", "p}", "{:p<5}",
        ] {
            assert!(!formats_a_pointer(other), "{other}");
        }
    }

    #[test]
    fn tells_in_literals_idents_concat_and_cfg() {
        assert_eq!(
            tells("let d = a.as_ptr(); println!(\"{:p}\", &x);"),
            [
                Tell::Address("`as_ptr`".into()),
                Tell::Address("`\"{:p}\"`".into())
            ]
        );
        assert_eq!(
            tells("format!(concat!(\"{:\", \"p}\"), x)"),
            [Tell::Address("`concat!` making \"{:p}\"".into())]
        );
        assert_eq!(
            tells("macro_rules! m { ($f:literal) => { format!(concat!(\"{:\", $f, \"}\"), x) }; }"),
            [Tell::Address("`concat!` of a macro's argument".into())]
        );
        assert_eq!(
            tells("let n = size_of::<u64>(); let a = align_of_val(&n);"),
            [
                Tell::Layout("`size_of`".into()),
                Tell::Layout("`align_of_val`".into())
            ]
        );
        assert_eq!(
            tells("#[cfg(feature = \"loom\")] fn a() {} #[cfg(feature = \"serde\")] fn b() {}"),
            [Tell::BackendFeature("feature = \"loom\"".into())]
        );
        assert_eq!(
            tells(
                "#[cfg_attr(not(feature = \"tsan\"), inline)] fn a() { cfg!(sanitize = \"thread\"); }"
            ),
            [
                Tell::BackendFeature("sanitize = \"thread\"".into()),
                Tell::BackendFeature("feature = \"tsan\"".into())
            ]
        );
        assert_eq!(
            tells("let total = a.balance() + b.len(); println!(\"{total:?} {:>8}\", 1);"),
            []
        );
    }
}
