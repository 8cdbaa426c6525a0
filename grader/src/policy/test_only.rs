//! Code only `cargo test` compiles: items under `#[cfg(test)]`, and the files of
//! modules declared under it. They are exempt from the policy, because no runner
//! ever compiles them: the grader builds the subject as a library dependency of the
//! runner (`cargo build`, never `--test`; `grader/src/build.rs`), and cargo sets
//! `cfg(test)` only for the crate it builds a test harness of. A student's own unit
//! tests may therefore use `std::thread::scope`, `std::time::Instant`, whatever they
//! need to check their fix for themselves.
//!
//! Only `cfg(test)` and `cfg(all(…, test, …))` count: `cfg(any(test, …))` and
//! `cfg_attr(test, …)` can hold outside tests, and are judged like any other code.

use std::path::{Path, PathBuf};
use syn::{ImplItem, Item, Meta, TraitItem};

/// Removes the items only tests compile from `file`, and returns the files of the
/// modules it declares under `#[cfg(test)]` (`mod tests;`), as paths beside `path`
/// (the file's own path, relative to the subject): `tests.rs` and the folder `tests/`.
pub(super) fn strip(file: &mut syn::File, path: &Path) -> Vec<PathBuf> {
    let mut declared = Vec::new();
    strip_items(&mut file.items, &module_dir(path), &mut declared);
    declared
}

/// Whether `path` is one of `exempt` (a module's file) or under one (its folder).
pub(super) fn is_exempt(path: &Path, exempt: &[PathBuf]) -> bool {
    exempt
        .iter()
        .any(|e| path == e.with_extension("rs") || path.starts_with(e))
}

/// The folder a file's `mod name;` declarations are found in: beside `lib.rs` and
/// `mod.rs`, in a folder named after any other file.
fn module_dir(path: &Path) -> PathBuf {
    let root = path
        .file_name()
        .is_some_and(|name| name == "lib.rs" || name == "main.rs" || name == "mod.rs");
    if root {
        path.parent().map(Path::to_owned).unwrap_or_default()
    } else {
        path.with_extension("")
    }
}

fn strip_items(items: &mut Vec<Item>, dir: &Path, declared: &mut Vec<PathBuf>) {
    items.retain(|item| {
        let test_only = attributes(item).is_some_and(only_in_tests);
        if test_only
            && let Item::Mod(module) = item
            && module.content.is_none()
        {
            declared.push(dir.join(module.ident.to_string()));
        }
        !test_only
    });
    for item in items {
        match item {
            Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    strip_items(inner, &dir.join(module.ident.to_string()), declared);
                }
            }
            Item::Impl(block) => block.items.retain(|item| match item {
                ImplItem::Fn(f) => !only_in_tests(&f.attrs),
                ImplItem::Const(c) => !only_in_tests(&c.attrs),
                ImplItem::Type(t) => !only_in_tests(&t.attrs),
                _ => true,
            }),
            Item::Trait(block) => block.items.retain(|item| match item {
                TraitItem::Fn(f) => !only_in_tests(&f.attrs),
                TraitItem::Const(c) => !only_in_tests(&c.attrs),
                _ => true,
            }),
            _ => {}
        }
    }
}

/// An item's attributes, for the kinds of items a test module or helper can be.
fn attributes(item: &Item) -> Option<&[syn::Attribute]> {
    Some(match item {
        Item::Mod(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Const(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        _ => return None,
    })
}

/// Whether one of `attrs` is `#[cfg(test)]` or `#[cfg(all(…, test, …))]`.
fn only_in_tests(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let Meta::List(list) = &attr.meta else {
            return false;
        };
        list.path.is_ident("cfg")
            && list
                .parse_args::<Meta>()
                .is_ok_and(|predicate| requires_test(&predicate))
    })
}

fn requires_test(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)
            .is_ok_and(|inner| inner.iter().any(requires_test)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_exempt, strip};
    use quote::ToTokens;
    use std::path::{Path, PathBuf};

    fn stripped(code: &str, path: &str) -> (String, Vec<PathBuf>) {
        let mut file = syn::parse_file(code).unwrap();
        let declared = strip(&mut file, Path::new(path));
        (file.to_token_stream().to_string(), declared)
    }

    #[test]
    fn test_items_go_and_everything_else_stays() {
        let (kept, declared) = stripped(
            "#[cfg(test)] mod t { fn a() {} }\n#[cfg(all(unix, test))] fn b() {}\n#[cfg(any(test, unix))] fn c() {}\n#[cfg(not(test))] fn d() {}\nimpl X { #[cfg(test)] fn e() {} fn f() {} }\nmod inner { #[cfg(test)] mod deep; }\n#[cfg(test)] mod tests;",
            "src/lib.rs",
        );
        assert_eq!(
            kept,
            "# [cfg (any (test , unix))] fn c () { } # [cfg (not (test))] fn d () { } impl X { fn f () { } } mod inner { }"
        );
        assert_eq!(
            declared,
            [PathBuf::from("src/tests"), PathBuf::from("src/inner/deep")]
        );
        let (_, declared) = stripped("#[cfg(test)] mod checks;", "src/ledger.rs");
        assert_eq!(declared, [PathBuf::from("src/ledger/checks")]);
    }

    #[test]
    fn a_test_module_s_file_and_folder_are_exempt() {
        let exempt = [PathBuf::from("src/tests")];
        assert!(is_exempt(Path::new("src/tests.rs"), &exempt));
        assert!(is_exempt(Path::new("src/tests/mod.rs"), &exempt));
        assert!(is_exempt(Path::new("src/tests/helpers.rs"), &exempt));
        assert!(!is_exempt(Path::new("src/testsuite.rs"), &exempt));
        assert!(!is_exempt(Path::new("src/lib.rs"), &exempt));
    }
}
