//! Similar sources: a fingerprint of a crate's `src/` that survives the edits that
//! disguise a copy — whitespace, comments (doc comments included), and identifiers
//! renamed consistently — so a batch can flag copies of a reference solution and
//! students whose sources differ only in these.
//!
//! The fingerprint is the SHA-256 of the sources' token streams (proc-macro2's lexer,
//! which drops comments and whitespace), each file in path order, with every
//! identifier that is not a keyword replaced by the order of its first appearance
//! (`#0`, `#1`, …): two sources get the same fingerprint exactly when one is the
//! other with names swapped one for one and layout or comments changed. It says
//! nothing of a rewrite that reorders code; it is a reason to look, not a verdict.

use crate::integrity::sha256;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use walkdir::WalkDir;

/// Rust's keywords, which stay as written: renaming `fn` or `loop` is no disguise.
const KEYWORDS: [&str; 51] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "union",
];

/// The fingerprint of the crate at `crate_dir` (its `src/`'s `.rs` files); `None`
/// when a file cannot be read or lexed (the grade says why).
pub fn fingerprint(crate_dir: &Path) -> Option<String> {
    let src = crate_dir.join("src");
    let mut files: Vec<_> = WalkDir::new(&src)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    if files.is_empty() {
        return None;
    }
    let mut names = HashMap::new();
    let mut text = String::new();
    for file in files {
        let source = std::fs::read_to_string(&file).ok()?;
        let tokens = TokenStream::from_str(&source).ok()?;
        normalise(tokens, &mut names, &mut text);
        text.push('\n');
    }
    Some(sha256(text.as_bytes()))
}

/// Appends `tokens` to `out`, one token a space, doc attributes left out and names
/// replaced by their order of first appearance in `names`.
fn normalise(tokens: TokenStream, names: &mut HashMap<String, usize>, out: &mut String) {
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // `#[doc = "…"]` and `#![doc = "…"]` are comments as the lexer sees them.
                let mut ahead = tokens.clone();
                if matches!(ahead.peek(), Some(TokenTree::Punct(q)) if q.as_char() == '!') {
                    ahead.next();
                }
                if let Some(TokenTree::Group(g)) = ahead.next()
                    && g.delimiter() == Delimiter::Bracket
                    && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
                {
                    tokens = ahead;
                    continue;
                }
                out.push_str("# ");
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push(' ');
                normalise(g.stream(), names, out);
                out.push_str(close);
                out.push(' ');
            }
            TokenTree::Ident(ident) => {
                let word = ident.to_string();
                if KEYWORDS.contains(&word.as_str()) {
                    out.push_str(&word);
                } else {
                    let next = names.len();
                    let n = *names.entry(word).or_insert(next);
                    out.push_str(&format!("#{n}"));
                }
                out.push(' ');
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                out.push(' ');
            }
            TokenTree::Literal(literal) => {
                out.push_str(&literal.to_string());
                out.push(' ');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use std::fs;
    use std::path::Path;

    fn crate_with(source: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("src")).unwrap();
        fs::write(dir.path().join("src/lib.rs"), source).unwrap();
        dir
    }

    fn of(source: &str) -> String {
        fingerprint(crate_with(source).path()).unwrap()
    }

    #[test]
    fn layout_comments_and_renamed_names_do_not_change_it() {
        let original = "/// Adds.\npub fn add(total: &mut u64, amount: u64) {\n    *total += amount; // in paise\n}\n";
        let disguised =
            "//! My own work.\n\n/* honest */ pub fn plus(sum:&mut u64,x:u64){*sum+=x;}";
        assert_eq!(of(original), of(disguised));
    }

    #[test]
    fn a_different_program_or_a_merged_name_changes_it() {
        let original = "pub fn add(total: &mut u64, amount: u64) { *total += amount; }";
        assert_ne!(
            of(original),
            of("pub fn add(total: &mut u64, amount: u64) { *total -= amount; }")
        );
        // Two names made one is not a renaming.
        assert_ne!(
            of(original),
            of("pub fn add(total: &mut u64, total2: u64) { *total += total; }")
        );
        assert_ne!(
            of(original),
            of("pub fn add(total: &mut u64, amount: u64) { *total += amount + 1; }")
        );
    }

    #[test]
    fn the_shipped_crate_and_its_solutions_differ() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let shipped = fingerprint(&root.join("exercises/ex01-lost-update")).unwrap();
        let mutex = fingerprint(&root.join("solutions/ex01-lost-update/mutex")).unwrap();
        assert_ne!(shipped, mutex);
        assert_eq!(fingerprint(Path::new("/nonexistent/racelab")), None);
    }
}
