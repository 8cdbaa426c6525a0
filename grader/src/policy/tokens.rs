//! The tokens `syn` leaves unparsed: macro invocations' arguments, `macro_rules!`
//! bodies, attribute arguments, and whole files it cannot parse. What a macro could
//! assemble from them is found here: paths written with spaces (`std :: process ::
//! Command`), `use` trees, macro calls, `unsafe`, `extern`, raw pointers, and paths
//! built from a macro's arguments (`std::$module`).

use super::paths::{Written, unraw};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Groups nested deeper than this are not looked into (nor parsed: see [`max_depth`]).
pub(super) const MAX_NESTING: usize = 128;
/// Files whose [`longest_chain`] is longer than this are not parsed: the parser's
/// recursion would outgrow its stack (`-` repeated, `a + a + …`, `x.f().f()…`).
pub(super) const MAX_CHAIN: usize = 4000;

/// Something found in a token stream.
#[derive(Debug, Clone)]
pub(super) enum Event {
    /// A path of two or more segments, or one that is a `use` leaf, a macro call, or
    /// renamed with `as`.
    Path(TokenPath),
    /// `unsafe`, except before `impl … Send for` / `impl … Sync for`.
    Unsafe { line: usize },
    /// `extern`, except `extern crate`.
    Extern { line: usize },
    /// `*const`, `*mut`, `&raw const`, `&raw mut`.
    RawPointer { line: usize },
    /// A path with a macro's metavariable where a name should be (`std::$m`, `$m::fs`).
    Assembled { written: String, line: usize },
    /// An attribute, `#[…]` or `#![…]`: what is inside the brackets.
    Attribute { inside: TokenStream, line: usize },
}

/// A path found in tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TokenPath {
    pub path: Written,
    /// The name it is brought into scope as: with `as`, or as a `use` leaf.
    pub alias: Option<String>,
    /// `…::*`.
    pub glob: bool,
    /// Followed by `!`: a macro call (or `macro_rules! name`).
    pub macro_call: bool,
    pub line: usize,
}

/// Every `loom` and `shuttle` identifier in `stream`, with its line.
pub(super) fn backend_idents(stream: TokenStream) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut pending = vec![stream];
    while let Some(stream) = pending.pop() {
        for token in stream {
            match token {
                TokenTree::Group(group) => pending.push(group.stream()),
                TokenTree::Ident(ident) => {
                    let name = unraw(&ident);
                    if name == "loom" || name == "shuttle" {
                        found.push((name, ident.span().start().line));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// How deeply `stream`'s groups nest, counted without recursion.
pub(super) fn max_depth(stream: TokenStream) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(stream, 0)];
    while let Some((stream, depth)) = pending.pop() {
        deepest = deepest.max(depth);
        for token in stream {
            if let TokenTree::Group(group) = token {
                pending.push((group.stream(), depth + 1));
            }
        }
    }
    deepest
}

/// The longest chain of tokens the parser may have to recurse through, as a measure
/// of how deep it goes: the longest run between `;` and `,` (a group counts as one
/// token) plus the longest chain inside the groups of that run. Call it only on
/// streams nested at most [`MAX_NESTING`] deep: it recurses once per group.
pub(super) fn longest_chain(stream: TokenStream) -> usize {
    let (mut longest, mut run, mut inside) = (0, 0, 0);
    for token in stream {
        match token {
            TokenTree::Punct(p) if matches!(p.as_char(), ';' | ',') => {
                longest = longest.max(run + inside);
                (run, inside) = (0, 0);
            }
            TokenTree::Group(group) => {
                run += 1;
                inside = inside.max(longest_chain(group.stream()));
            }
            _ => run += 1,
        }
    }
    longest.max(run + inside)
}

/// Scans `stream` for the [`Event`]s in it.
pub(super) fn scan(stream: TokenStream) -> Vec<Event> {
    let mut events = Vec::new();
    scan_level(&stream.into_iter().collect::<Vec<_>>(), 0, &mut events);
    events
}

fn ident_is(token: Option<&TokenTree>, word: &str) -> bool {
    matches!(token, Some(TokenTree::Ident(i)) if unraw(i) == word)
}

fn punct_is(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == ch)
}

/// `::` at `tokens[i]`.
fn path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && punct_is(tokens.get(i + 1), ':')
}

fn line(token: &TokenTree) -> usize {
    token.span().start().line
}

fn scan_level(tokens: &[TokenTree], depth: usize, events: &mut Vec<Event>) {
    if depth > MAX_NESTING {
        return;
    }
    let mut i = 0;
    let mut after_use = false;
    while i < tokens.len() {
        let token = &tokens[i];
        let mut next_after_use = false;
        match token {
            TokenTree::Group(group) => {
                let inner: Vec<_> = group.stream().into_iter().collect();
                scan_level(&inner, depth + 1, events);
                i += 1;
            }
            TokenTree::Ident(ident) => match unraw(ident).as_str() {
                "unsafe" => {
                    // `unsafe(no_mangle)` in an attribute is judged as that attribute.
                    let attribute = matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    if !attribute && !unsafe_impl_of_send_or_sync(&tokens[i + 1..]) {
                        events.push(Event::Unsafe { line: line(token) });
                    }
                    i += 1;
                }
                "extern" if ident_is(tokens.get(i + 1), "crate") => {
                    // `extern crate x as y`: the path after it is judged like any other.
                    next_after_use = true;
                    i += 2;
                }
                "extern" => {
                    events.push(Event::Extern { line: line(token) });
                    i += 1;
                }
                "raw"
                    if i > 0
                        && punct_is(tokens.get(i - 1), '&')
                        && (ident_is(tokens.get(i + 1), "const")
                            || ident_is(tokens.get(i + 1), "mut")) =>
                {
                    events.push(Event::RawPointer { line: line(token) });
                    i += 1;
                }
                "use" => {
                    next_after_use = true;
                    i += 1;
                }
                _ => i = path_at(tokens, i, Vec::new(), false, after_use, depth, events),
            },
            TokenTree::Punct(p) => {
                let ch = p.as_char();
                let bang = usize::from(punct_is(tokens.get(i + 1), '!'));
                if ch == '#'
                    && let Some(TokenTree::Group(group)) = tokens.get(i + 1 + bang)
                    && group.delimiter() == Delimiter::Bracket
                {
                    events.push(Event::Attribute {
                        inside: group.stream(),
                        line: line(token),
                    });
                    // The group itself is scanned next, like any other.
                    i += 1 + bang;
                } else if path_sep(tokens, i)
                    && matches!(tokens.get(i + 2), Some(TokenTree::Ident(_)))
                {
                    i = path_at(tokens, i + 2, Vec::new(), true, after_use, depth, events);
                } else if ch == '*'
                    && (ident_is(tokens.get(i + 1), "const") || ident_is(tokens.get(i + 1), "mut"))
                {
                    events.push(Event::RawPointer { line: line(token) });
                    i += 2;
                } else if ch == '$' {
                    match tokens.get(i + 1) {
                        // `$crate::…` is the macro's own crate.
                        Some(TokenTree::Ident(name)) if name == "crate" => {
                            i = path_at(tokens, i + 1, Vec::new(), false, after_use, depth, events)
                        }
                        Some(TokenTree::Ident(name)) if path_sep(tokens, i + 2) => {
                            events.push(Event::Assembled {
                                written: format!("${name}::…"),
                                line: line(token),
                            });
                            // The rest of the path is judged as part of the assembled one.
                            i = skip_path_tail(tokens, i + 2);
                        }
                        _ => i += 1,
                    }
                } else {
                    i += 1;
                }
            }
            TokenTree::Literal(_) => i += 1,
        }
        after_use = next_after_use;
    }
}

/// The index after the `::name` segments (and `::$name` metavariables) from `i` on.
fn skip_path_tail(tokens: &[TokenTree], mut i: usize) -> usize {
    while path_sep(tokens, i) {
        match tokens.get(i + 2) {
            Some(TokenTree::Ident(_)) => i += 3,
            Some(TokenTree::Punct(p)) if p.as_char() == '$' => i += 4,
            _ => break,
        }
    }
    i
}

/// Whether the tokens after `unsafe` are `impl [<…>] …Send for` or `…Sync for`.
fn unsafe_impl_of_send_or_sync(after: &[TokenTree]) -> bool {
    if !ident_is(after.first(), "impl") {
        return false;
    }
    let Some(for_at) = after.iter().position(|t| ident_is(Some(t), "for")) else {
        return false;
    };
    ident_is(after.get(for_at - 1), "Send") || ident_is(after.get(for_at - 1), "Sync")
}

/// Reads the path (or `use` tree) whose first segment is `tokens[start]`, after
/// `prefix`; records what it finds and returns the index after it.
fn path_at(
    tokens: &[TokenTree],
    start: usize,
    prefix: Vec<String>,
    leading_colon: bool,
    is_use: bool,
    depth: usize,
    events: &mut Vec<Event>,
) -> usize {
    let Some(TokenTree::Ident(first)) = tokens.get(start) else {
        return start + 1;
    };
    let line = first.span().start().line;
    let mut segments = prefix;
    segments.push(unraw(first));
    let mut glob = false;
    let mut i = start + 1;
    while path_sep(tokens, i) {
        match tokens.get(i + 2) {
            Some(TokenTree::Ident(ident)) => {
                segments.push(unraw(ident));
                i += 3;
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '*' => {
                glob = true;
                i += 3;
                break;
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '$' => {
                events.push(Event::Assembled {
                    written: format!("{}::$…", segments.join("::")),
                    line,
                });
                return skip_path_tail(tokens, i + 4);
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                use_group(group.stream(), &segments, leading_colon, depth, events);
                return i + 3;
            }
            // `::<…>` (a turbofish) ends the path.
            _ => break,
        }
    }
    // `a::b::{self}` names `a::b`.
    if is_use && segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
        segments.pop();
    }
    let mut alias = None;
    if ident_is(tokens.get(i), "as")
        && let Some(TokenTree::Ident(name)) = tokens.get(i + 1)
    {
        alias = Some(unraw(name));
        i += 2;
    } else if is_use && !glob {
        alias = segments.last().cloned();
    }
    // `name!(…)`, or `macro_rules! name`; not `if !(…)` or `while !done`.
    let bang = matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '!' && p.spacing() == Spacing::Alone);
    let macro_call = bang
        && match tokens.get(i + 1) {
            Some(TokenTree::Group(_)) => !(segments.len() == 1 && is_keyword(&segments[0])),
            Some(TokenTree::Ident(_)) => segments == ["macro_rules"],
            _ => false,
        };
    if segments.len() > 1 || leading_colon || alias.is_some() || glob || macro_call {
        events.push(Event::Path(TokenPath {
            path: Written {
                segments,
                leading_colon,
            },
            alias: alias.filter(|a| a != "_"),
            glob,
            macro_call,
            line,
        }));
    }
    i
}

/// Whether `word` is a keyword, which can never name a macro.
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 28] = [
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "move", "mut", "ref", "return",
        "static", "true", "type", "where", "while", "yield",
    ];
    KEYWORDS.contains(&word)
}

/// The trees of a `use` group, `{a, b::c as d, e::*}`, each after `prefix`.
fn use_group(
    stream: TokenStream,
    prefix: &[String],
    leading_colon: bool,
    depth: usize,
    events: &mut Vec<Event>,
) {
    let tokens: Vec<_> = stream.into_iter().collect();
    for tree in tokens.split(|t| punct_is(Some(t), ',')) {
        match tree.first() {
            Some(TokenTree::Ident(_)) => {
                path_at(tree, 0, prefix.to_vec(), leading_colon, true, depth, events);
            }
            Some(TokenTree::Punct(p)) if p.as_char() == '*' => {
                events.push(Event::Path(TokenPath {
                    path: Written {
                        segments: prefix.to_vec(),
                        leading_colon,
                    },
                    alias: None,
                    glob: true,
                    macro_call: false,
                    line: line(&tree[0]),
                }))
            }
            Some(TokenTree::Group(group)) if depth < MAX_NESTING => {
                use_group(group.stream(), prefix, leading_colon, depth + 1, events)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Event, backend_idents, longest_chain, max_depth, scan};
    use std::str::FromStr;

    fn events(code: &str) -> Vec<Event> {
        scan(proc_macro2::TokenStream::from_str(code).unwrap())
    }

    /// Events compared by their debug text (token streams have no `PartialEq`).
    #[track_caller]
    fn assert_events(code: &str, expected: &[Event]) {
        assert_eq!(
            format!("{:?}", events(code)),
            format!("{expected:?}"),
            "{code}"
        );
    }

    fn paths(code: &str) -> Vec<(String, Option<String>, bool, bool)> {
        events(code)
            .into_iter()
            .filter_map(|e| match e {
                Event::Path(p) => Some((p.path.text(), p.alias, p.glob, p.macro_call)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn paths_written_with_spaces_use_trees_and_macro_calls() {
        assert_eq!(
            paths("let c = std :: process :: Command :: new(\"sh\");"),
            [("std::process::Command::new".into(), None, false, false)]
        );
        assert_eq!(
            paths("use std::{env as e, fs::{self}, mem::*};"),
            [
                ("std::env".into(), Some("e".into()), false, false),
                ("std::fs".into(), Some("fs".into()), false, false),
                ("std::mem".into(), None, true, false),
            ]
        );
        assert_eq!(
            paths("extern crate std as s; use std::mem;"),
            [
                ("std".into(), Some("s".into()), false, false),
                ("std::mem".into(), Some("mem".into()), false, false),
            ]
        );
        assert_eq!(
            paths("include_str!(\"x\"); a != b; x as u64"),
            [
                ("include_str".into(), None, false, true),
                ("x".into(), Some("u64".into()), false, false),
            ]
        );
        assert_eq!(
            paths("if !(a && b) { return !self.flag; } while !done {} macro_rules! m {}"),
            [("macro_rules".into(), None, false, true)]
        );
        assert_eq!(
            paths("::std::fs::write(p, b)"),
            [("::std::fs::write".into(), None, false, false)]
        );
    }

    #[test]
    fn unsafe_extern_raw_pointers_and_assembled_paths() {
        let line = 1;
        assert_events("unsafe { x }", &[Event::Unsafe { line }]);
        assert_events("unsafe impl<T> Sync for Ledger<T> {}", &[]);
        assert_events("unsafe impl Drop for Ledger {}", &[Event::Unsafe { line }]);
        assert_events("extern \"C\" fn f() {}", &[Event::Extern { line }]);
        assert_events(
            "let p: *const u8 = &raw const x;",
            &[Event::RawPointer { line }, Event::RawPointer { line }],
        );
        assert_events(
            "std::$m::write(p)",
            &[Event::Assembled {
                written: "std::$…".into(),
                line,
            }],
        );
        assert_events(
            "$root::fs::write(p); $crate::inner::f()",
            &[
                Event::Assembled {
                    written: "$root::…".into(),
                    line,
                },
                Event::Path(super::TokenPath {
                    path: super::Written {
                        segments: vec!["crate".into(), "inner".into(), "f".into()],
                        leading_colon: false,
                    },
                    alias: None,
                    glob: false,
                    macro_call: false,
                    line,
                }),
            ],
        );
    }

    #[test]
    fn attributes_are_found_in_tokens() {
        let found = events("#[unsafe(no_mangle)] pub fn f() {}");
        assert!(
            matches!(&found[..], [Event::Attribute { inside, line: 1 }] if inside.to_string() == "unsafe (no_mangle)"),
            "{found:?}"
        );
    }

    #[test]
    fn backend_names_anywhere_and_nesting() {
        let code = "#[cfg(\n    loom\n)]\nfn a() { m!(r#shuttle); }";
        let stream = proc_macro2::TokenStream::from_str(code).unwrap();
        assert_eq!(
            backend_idents(stream.clone()),
            [("shuttle".to_owned(), 4), ("loom".to_owned(), 2)]
        );
        assert_eq!(max_depth(stream), 2);
        let chain = |code: &str| longest_chain(proc_macro2::TokenStream::from_str(code).unwrap());
        assert_eq!(chain("a; b c d; e"), 3);
        assert_eq!(chain("f(a, b c); x"), 4);
        assert_eq!(chain(&format!("fn f() {{ {}1 }}", "-".repeat(5000))), 5005);
    }
}
