//! Resolving paths: the leaves of `use` trees, the names they (and `extern crate … as
//! …`) bring into scope, and what a path written with those names refers to.
//!
//! Names are gathered crate-wide, whatever module or block declares them: a name
//! declared twice is resolved both ways, and a path is refused when either is. That is
//! stricter than rustc's scoping, never more lenient.

use super::allow::ROOTS;
use std::collections::HashMap;
use syn::UseTree;

/// A path as written: its segments (`r#` removed) and whether it began with `::`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Written {
    pub segments: Vec<String>,
    pub leading_colon: bool,
}

impl Written {
    /// The path as the subject wrote it, for messages.
    pub fn text(&self) -> String {
        let joined = self.segments.join("::");
        if self.leading_colon {
            format!("::{joined}")
        } else {
            joined
        }
    }
}

/// One leaf of a `use` tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UseLeaf {
    /// The full path of the leaf (for a glob, the module it imports from).
    pub path: Written,
    /// The name it brings into scope (`None` for a glob or `as _`).
    pub name: Option<String>,
    /// Whether it is `…::*`.
    pub glob: bool,
    /// Its line.
    pub line: usize,
}

/// An identifier's text without `r#`.
pub(super) fn unraw(ident: &proc_macro2::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// The leaves of `use [::]tree`.
pub(super) fn use_leaves(tree: &UseTree, leading_colon: bool) -> Vec<UseLeaf> {
    let mut leaves = Vec::new();
    let root = Written {
        segments: Vec::new(),
        leading_colon,
    };
    collect(tree, &root, &mut leaves);
    leaves
}

fn collect(tree: &UseTree, prefix: &Written, leaves: &mut Vec<UseLeaf>) {
    let join = |ident: &syn::Ident| {
        let mut path = prefix.clone();
        path.segments.push(unraw(ident));
        path
    };
    // `a::b::{self}` and `a::b::{self as c}` name `a::b` itself.
    let leaf = |ident: &syn::Ident, alias: Option<&syn::Ident>| {
        let is_self = ident == "self" && !prefix.segments.is_empty();
        let path = if is_self { prefix.clone() } else { join(ident) };
        let name = match alias {
            Some(alias) => unraw(alias),
            None => path.segments.last().cloned().unwrap_or_default(),
        };
        UseLeaf {
            line: ident.span().start().line,
            name: (name != "_").then_some(name),
            path,
            glob: false,
        }
    };
    match tree {
        UseTree::Path(p) => collect(&p.tree, &join(&p.ident), leaves),
        UseTree::Name(n) => leaves.push(leaf(&n.ident, None)),
        UseTree::Rename(r) => leaves.push(leaf(&r.ident, Some(&r.rename))),
        UseTree::Glob(g) => leaves.push(UseLeaf {
            path: prefix.clone(),
            name: None,
            glob: true,
            line: g.star_token.span.start().line,
        }),
        UseTree::Group(g) => {
            for tree in &g.items {
                collect(tree, prefix, leaves);
            }
        }
    }
}

/// How many aliases of aliases are followed before giving up (a cycle does not compile).
const MAX_ALIAS_DEPTH: usize = 8;
/// How many expansions one path may need before it is refused as too tangled to judge.
const MAX_EXPANSIONS: usize = 1024;

/// Every name the crate brings into scope with `use` or `extern crate`, and what it names.
#[derive(Debug, Clone, Default)]
pub(super) struct Aliases {
    names: HashMap<String, Vec<Written>>,
}

impl Aliases {
    /// Records that `name` stands for `target`.
    pub fn add(&mut self, name: String, target: Written) {
        let targets = self.names.entry(name).or_default();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }

    /// What `path` may refer to, as paths rooted at a crate: itself when it starts at
    /// one (after `crate::`, `self::`, `super::`), and every expansion of a name in it
    /// that an alias stands for. Paths into the subject's own items yield nothing
    /// unless they reach an alias.
    ///
    /// `None` when there are too many ways to resolve it to judge them all (aliases
    /// tangled on purpose): such a path is refused.
    pub fn resolve(&self, path: &Written) -> Option<Vec<Vec<String>>> {
        let mut found = Vec::new();
        let mut budget = MAX_EXPANSIONS;
        self.expand(path, 0, &mut budget, &mut found);
        (budget > 0).then_some(found)
    }

    fn expand(
        &self,
        path: &Written,
        depth: usize,
        budget: &mut usize,
        found: &mut Vec<Vec<String>>,
    ) {
        if depth > MAX_ALIAS_DEPTH || *budget == 0 {
            return;
        }
        *budget -= 1;
        let push = |found: &mut Vec<Vec<String>>, path: Vec<String>| {
            if !found.contains(&path) {
                found.push(path);
            }
        };
        if path.leading_colon {
            push(found, path.segments.clone());
            return;
        }
        let local = path
            .segments
            .iter()
            .take_while(|s| matches!(s.as_str(), "crate" | "self" | "super" | "$crate"))
            .count();
        let rest = &path.segments[local..];
        // `crate::std::…` reaches std too: the crate root holds an implicit `extern crate std`.
        if rest.first().is_some_and(|s| ROOTS.contains(&s.as_str())) {
            push(found, rest.to_vec());
        }
        for (i, segment) in rest.iter().enumerate() {
            for target in self.names.get(segment).into_iter().flatten() {
                let mut expanded = target.clone();
                expanded.segments.extend(rest[i + 1..].iter().cloned());
                self.expand(&expanded, depth + 1, budget, found);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Aliases, Written, use_leaves};

    fn written(path: &str) -> Written {
        let leading_colon = path.starts_with("::");
        Written {
            segments: path
                .trim_start_matches("::")
                .split("::")
                .map(Into::into)
                .collect(),
            leading_colon,
        }
    }

    fn leaves(item: &str) -> Vec<(String, Option<String>, bool)> {
        let item: syn::ItemUse = syn::parse_str(item).unwrap();
        use_leaves(&item.tree, item.leading_colon.is_some())
            .into_iter()
            .map(|l| (l.path.text(), l.name, l.glob))
            .collect()
    }

    #[test]
    fn use_trees_are_expanded_to_their_leaves() {
        let named = |p: &str, n: &str| (p.to_owned(), Some(n.to_owned()), false);
        assert_eq!(
            leaves("use std::{env as e, fs as f};"),
            [named("std::env", "e"), named("std::fs", "f")]
        );
        assert_eq!(
            leaves("use std::mem::{self as m, swap, r#take};"),
            [
                named("std::mem", "m"),
                named("std::mem::swap", "swap"),
                named("std::mem::take", "take")
            ]
        );
        assert_eq!(
            leaves("use ::std::collections::*;"),
            [("::std::collections".to_owned(), None, true)]
        );
        assert_eq!(
            leaves("use std::process::exit as _;"),
            [("std::process::exit".to_owned(), None, false)]
        );
    }

    #[test]
    fn aliases_resolve_to_what_they_name_even_through_other_aliases() {
        let mut aliases = Aliases::default();
        aliases.add("s".into(), written("std"));
        aliases.add("m".into(), written("s::mem"));
        aliases.add("quit".into(), written("std::process::exit"));
        let resolve = |path: &str| aliases.resolve(&written(path)).unwrap();
        assert_eq!(resolve("m::transmute"), [["std", "mem", "transmute"]]);
        assert_eq!(resolve("quit"), [["std", "process", "exit"]]);
        assert_eq!(resolve("crate::inner::s::fs"), [["std", "fs"]]);
        assert_eq!(resolve("::foreign::thing"), [["foreign", "thing"]]);
        assert!(resolve("Ledger::new").is_empty());
        assert_eq!(resolve("crate::std::fs"), [["std", "fs"]]);
    }

    #[test]
    fn an_alias_cycle_ends() {
        let mut aliases = Aliases::default();
        aliases.add("a".into(), written("b"));
        aliases.add("b".into(), written("a"));
        assert_eq!(aliases.resolve(&written("a::x")), Some(Vec::new()));
    }

    #[test]
    fn aliases_tangled_on_purpose_are_not_followed_forever() {
        let mut aliases = Aliases::default();
        let names: Vec<String> = (0..12).map(|i| format!("n{i}")).collect();
        for name in &names {
            for target in &names {
                aliases.add(name.clone(), written(&names.join("::")));
                aliases.add(name.clone(), written(target));
            }
        }
        assert_eq!(aliases.resolve(&written(&names.join("::"))), None);
    }
}
