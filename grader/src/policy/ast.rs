//! The policy over the parsed crate: a first pass gathers the names every `use` and
//! `extern crate` brings into scope and the macros the crate defines; a second judges
//! every file's paths, macros, attributes, `unsafe`, `extern` and raw pointers.
//!
//! Longer than most files: one visitor method per kind of syntax the policy judges.

use super::allow::{self, AllowList, Objection};
use super::paths::{self, Aliases, Written, unraw};
use super::tells::{self, Tell};
use super::tokens::{self, Event, MAX_CHAIN, MAX_NESTING};
use super::{Finding, Rule, Source, test_only};
use proc_macro2::TokenStream;
use quote::ToTokens;
use std::collections::HashSet;
use std::str::FromStr;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Meta, Token};

/// The integer types a cast can make a function's address into.
const INTEGERS: [&str; 12] = [
    "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
];

/// One file, as far as it could be read.
enum Parsed {
    /// Parsed by `syn`.
    Ast(syn::File),
    /// Lexed, but not parsed (the build will say why): judged by its tokens.
    Tokens(TokenStream),
    /// Nested deeper, or chained longer, than the parser is trusted with: why.
    TooDeep(String),
    /// Not even lexed: the build will say why.
    Unreadable,
    /// The file of a module declared under `#[cfg(test)]`: never built by a runner.
    TestOnly,
}

/// The whole crate, parsed, with what is declared across its files.
pub(super) struct Crate {
    files: Vec<(Parsed, Option<TokenStream>)>,
    aliases: Aliases,
    macros: HashSet<String>,
}

impl Crate {
    /// Parses every source, leaves out what only tests compile ([`test_only`]), and
    /// gathers the crate-wide names.
    pub fn collect(sources: &[Source]) -> Crate {
        let mut exempt = Vec::new();
        let mut files: Vec<(Parsed, Option<TokenStream>)> = sources
            .iter()
            .map(|source| {
                let Ok(stream) = TokenStream::from_str(&source.text) else {
                    return (Parsed::Unreadable, None);
                };
                let depth = tokens::max_depth(stream.clone());
                let chain = if depth > MAX_NESTING {
                    0
                } else {
                    tokens::longest_chain(stream.clone())
                };
                if depth > MAX_NESTING {
                    let why = format!(
                        "nests brackets {depth} deep, more than the grader reads ({MAX_NESTING})"
                    );
                    (Parsed::TooDeep(why), Some(stream))
                } else if chain > MAX_CHAIN {
                    let why = format!(
                        "has a run of {chain} tokens without `;` or `,`, more than the grader reads ({MAX_CHAIN})"
                    );
                    (Parsed::TooDeep(why), Some(stream))
                } else if let Ok(mut file) = syn::parse_file(&source.text) {
                    exempt.extend(test_only::strip(&mut file, &source.path));
                    // The tokens scanned are those of what is left, spans and all.
                    let kept = file.to_token_stream();
                    (Parsed::Ast(file), Some(kept))
                } else {
                    (Parsed::Tokens(stream.clone()), Some(stream))
                }
            })
            .collect();
        let mut gatherer = Gatherer::default();
        for (source, file) in sources.iter().zip(&mut files) {
            if test_only::is_exempt(&source.path, &exempt) {
                *file = (Parsed::TestOnly, None);
            }
            match &file.0 {
                Parsed::Ast(ast) => gatherer.visit_file(ast),
                Parsed::Tokens(stream) => gatherer.tokens(stream.clone()),
                _ => {}
            }
        }
        Crate {
            files,
            aliases: gatherer.aliases,
            macros: gatherer.macros,
        }
    }

    /// What the policy finds in the `index`th source.
    pub fn judge(&self, index: usize, allow: &AllowList) -> Vec<Finding> {
        let mut judge = Judge {
            crate_wide: self,
            allow,
            found: Vec::new(),
        };
        let (parsed, stream) = &self.files[index];
        if let Some(stream) = stream {
            for (name, line) in tokens::backend_idents(stream.clone()) {
                judge.object(line, allow::backend_cfg(&name));
            }
            for (tell, line) in tells::find(stream.clone()) {
                let objection = match tell {
                    Tell::Address(what) => allow::address_observation(&what),
                    Tell::Layout(what) => allow::layout_observation(&what),
                    Tell::BackendFeature(what) => allow::backend_feature(&what),
                };
                judge.object(line, objection);
            }
        }
        match parsed {
            Parsed::Ast(file) => judge.visit_file(file),
            Parsed::Tokens(stream) => judge.tokens(stream.clone()),
            Parsed::TooDeep(why) => judge.found.push(Finding::new(
                0,
                Rule::SourceLayout,
                why.clone(),
                "split it up: no fix needs that much in one expression",
            )),
            Parsed::Unreadable | Parsed::TestOnly => {}
        }
        judge.found
    }
}

fn written(path: &syn::Path) -> Written {
    Written {
        segments: path.segments.iter().map(|s| unraw(&s.ident)).collect(),
        leading_colon: path.leading_colon.is_some(),
    }
}

fn first_line(path: &syn::Path) -> usize {
    path.segments
        .first()
        .map_or(0, |s| s.ident.span().start().line)
}

/// The first pass: names brought into scope, and macros defined.
#[derive(Default)]
struct Gatherer {
    aliases: Aliases,
    macros: HashSet<String>,
}

impl Gatherer {
    fn tokens(&mut self, stream: TokenStream) {
        for event in tokens::scan(stream) {
            if let Event::Path(path) = event
                && let Some(alias) = path.alias
            {
                self.aliases.add(alias, path.path);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Gatherer {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for leaf in paths::use_leaves(&item.tree, item.leading_colon.is_some()) {
            if let Some(name) = leaf.name {
                self.aliases.add(name, leaf.path);
            }
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let name = item
            .rename
            .as_ref()
            .map_or(&item.ident, |(_, rename)| rename);
        let target = if item.ident == "self" {
            "crate".to_owned()
        } else {
            unraw(&item.ident)
        };
        let target = Written {
            segments: vec![target],
            leading_colon: false,
        };
        self.aliases.add(unraw(name), target);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if let Some(name) = &item.ident {
            self.macros.insert(unraw(name));
        }
        visit::visit_item_macro(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
    }
}

/// The second pass over one file.
struct Judge<'a> {
    crate_wide: &'a Crate,
    allow: &'a AllowList,
    found: Vec<Finding>,
}

impl Judge<'_> {
    fn object(&mut self, line: usize, objection: Objection) {
        self.found.push(Finding::new(
            line,
            objection.rule,
            objection.what,
            objection.instead,
        ));
    }

    /// Judges what `path` may refer to; refuses it when any of that is refused.
    fn path(&mut self, path: &Written, line: usize) {
        let text = path.text();
        let Some(resolved) = self.crate_wide.aliases.resolve(path) else {
            return self.object(line, allow::tangled(&text));
        };
        let objection = resolved
            .iter()
            .find_map(|full| self.allow.judge_path(full, &text));
        if let Some(objection) = objection {
            self.object(line, objection);
        }
    }

    fn glob(&mut self, module: &Written, line: usize) {
        let text = module.text();
        let Some(resolved) = self.crate_wide.aliases.resolve(module) else {
            return self.object(line, allow::tangled(&text));
        };
        let objection = resolved
            .iter()
            .find_map(|full| self.allow.judge_glob(full, &text));
        if let Some(objection) = objection {
            self.object(line, objection);
        }
    }

    fn macro_call(&mut self, path: &Written, line: usize) {
        let [name] = path.segments.as_slice() else {
            return self.path(path, line);
        };
        if path.leading_colon || self.crate_wide.aliases.resolve(path) != Some(Vec::new()) {
            // Imported under this name (`use std::println as say;`).
            return self.path(path, line);
        }
        if !self.crate_wide.macros.contains(name)
            && let Some(objection) = self.allow.judge_macro(name)
        {
            self.object(line, objection);
        }
    }

    fn tokens(&mut self, stream: TokenStream) {
        for event in tokens::scan(stream) {
            match event {
                Event::Path(p) if p.glob => self.glob(&p.path, p.line),
                Event::Path(p) if p.macro_call => self.macro_call(&p.path, p.line),
                Event::Path(p) => self.path(&p.path, p.line),
                Event::Unsafe { line } => self.object(line, allow::unsafe_code("`unsafe`")),
                Event::Extern { line } => self.object(line, allow::foreign_code("`extern`")),
                Event::RawPointer { line } => {
                    self.object(line, allow::raw_pointer("a raw pointer"))
                }
                Event::Assembled { written, line } => {
                    self.object(line, allow::assembled_path(&written))
                }
                Event::Attribute { inside, line } => {
                    let assembled = inside.clone().into_iter().next().is_some_and(
                        |first| matches!(first, proc_macro2::TokenTree::Punct(p) if p.as_char() == '$'),
                    );
                    if assembled {
                        self.object(line, allow::assembled_path("#[$…]"));
                    } else if let Ok(meta) = syn::parse2::<Meta>(inside) {
                        self.meta(&meta);
                    }
                }
            }
        }
    }

    /// An attribute's meta: its path, the attributes `cfg_attr` and `unsafe(…)` wrap,
    /// and the tokens and expressions inside it.
    fn meta(&mut self, meta: &Meta) {
        let path = meta.path();
        let line = first_line(path);
        let words = written(path).segments;
        let wrapper = path.is_ident("cfg_attr") || path.is_ident("unsafe");
        if !path.is_ident("unsafe")
            && let Some(objection) = self.allow.judge_attribute(&words)
        {
            self.object(line, objection);
        }
        match meta {
            Meta::Path(_) => {}
            Meta::List(list) if wrapper => {
                match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                    Ok(inner) => {
                        // `cfg_attr`'s first argument is its predicate, not an attribute.
                        let skip = usize::from(path.is_ident("cfg_attr"));
                        for meta in inner.iter().skip(skip) {
                            self.meta(meta);
                        }
                        self.tokens(list.tokens.clone());
                    }
                    Err(_) => self.object(
                        line,
                        allow::foreign_code(&format!("`#[{}(…)]`", words.join("::"))),
                    ),
                }
            }
            Meta::List(list) => self.tokens(list.tokens.clone()),
            Meta::NameValue(value) => self.visit_expr(&value.value),
        }
    }
}

impl<'ast> Visit<'ast> for Judge<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        for leaf in paths::use_leaves(&item.tree, item.leading_colon.is_some()) {
            if leaf.glob {
                self.glob(&leaf.path, leaf.line);
            } else {
                self.path(&leaf.path, leaf.line);
            }
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        if item.ident != "self" {
            let path = Written {
                segments: vec![unraw(&item.ident)],
                leading_colon: true,
            };
            self.path(&path, item.ident.span().start().line);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.path(&written(path), first_line(path));
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_call(&written(&mac.path), first_line(&mac.path));
        self.tokens(mac.tokens.clone());
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        self.meta(&attr.meta);
    }

    fn visit_expr_unsafe(&mut self, expr: &'ast syn::ExprUnsafe) {
        let line = expr.unsafe_token.span.start().line;
        self.object(line, allow::unsafe_code("an `unsafe` block"));
        visit::visit_expr_unsafe(self, expr);
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        if let Some(token) = &sig.unsafety {
            self.object(
                token.span.start().line,
                allow::unsafe_code("an `unsafe fn`"),
            );
        }
        if let Some(abi) = &sig.abi {
            let name = abi.name.as_ref().map_or("C".to_owned(), syn::LitStr::value);
            let what = format!("an `extern \"{name}\" fn`");
            self.object(
                abi.extern_token.span.start().line,
                allow::foreign_code(&what),
            );
        }
        visit::visit_signature(self, sig);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if let Some(token) = &item.unsafety {
            let marker = item.trait_.as_ref().is_some_and(|(negative, path, _)| {
                negative.is_none()
                    && path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Send" || s.ident == "Sync")
            });
            if !marker || !self.allow.allows_unsafe_marker_impls() {
                self.object(
                    token.span.start().line,
                    allow::unsafe_code("an `unsafe impl`"),
                );
            }
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if let Some(token) = &item.unsafety {
            self.object(
                token.span.start().line,
                allow::unsafe_code("an `unsafe trait`"),
            );
        }
        visit::visit_item_trait(self, item);
    }

    fn visit_item_foreign_mod(&mut self, item: &'ast syn::ItemForeignMod) {
        let line = item.abi.extern_token.span.start().line;
        self.object(line, allow::foreign_code("an `extern` block"));
        visit::visit_item_foreign_mod(self, item);
    }

    fn visit_type_ptr(&mut self, ptr: &'ast syn::TypePtr) {
        let kind = if ptr.const_token.is_some() {
            "const"
        } else {
            "mut"
        };
        let line = ptr.star_token.span.start().line;
        self.object(
            line,
            allow::raw_pointer(&format!("a raw pointer `*{kind}`")),
        );
        visit::visit_type_ptr(self, ptr);
    }

    fn visit_expr_raw_addr(&mut self, expr: &'ast syn::ExprRawAddr) {
        let line = expr.and_token.span.start().line;
        self.object(line, allow::raw_pointer("`&raw const`/`&raw mut`"));
        visit::visit_expr_raw_addr(self, expr);
    }

    fn visit_type_bare_fn(&mut self, ty: &'ast syn::TypeBareFn) {
        let line = ty.fn_token.span.start().line;
        if ty.unsafety.is_some() {
            self.object(line, allow::unsafe_code("an `unsafe fn` pointer"));
        }
        if ty.abi.is_some() {
            self.object(line, allow::foreign_code("an `extern` fn pointer"));
        }
        // A `fn` pointer's `Debug` and `Pointer` print the code's address.
        self.object(line, allow::address_observation("a `fn` pointer type"));
        visit::visit_type_bare_fn(self, ty);
    }

    /// `Type::method as usize`, `crate::helper as u64`: a function's address as a
    /// number. A path of one segment is a local far more often than a function, so
    /// only paths of two or more whose last segment is a function's name (lowercase)
    /// are judged here; `u64::MAX as usize` is a constant.
    fn visit_expr_cast(&mut self, expr: &'ast syn::ExprCast) {
        let integer = matches!(&*expr.ty, syn::Type::Path(ty) if ty.path.get_ident().is_some_and(|i| INTEGERS.contains(&i.to_string().as_str())));
        if integer
            && let syn::Expr::Path(source) = &*expr.expr
            && source.path.segments.len() > 1
            && source
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_lowercase()))
        {
            let shown = written(&source.path).text();
            self.object(
                first_line(&source.path),
                allow::address_observation(&format!(
                    "`{shown} as …`, a function's address as a number,"
                )),
            );
        }
        visit::visit_expr_cast(self, expr);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if let syn::Item::Verbatim(stream) = item {
            self.tokens(stream.clone());
        }
        visit::visit_item(self, item);
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if let syn::Expr::Verbatim(stream) = expr {
            self.tokens(stream.clone());
        }
        visit::visit_expr(self, expr);
    }

    fn visit_type(&mut self, ty: &'ast syn::Type) {
        if let syn::Type::Verbatim(stream) = ty {
            self.tokens(stream.clone());
        }
        visit::visit_type(self, ty);
    }

    fn visit_pat(&mut self, pat: &'ast syn::Pat) {
        if let syn::Pat::Verbatim(stream) = pat {
            self.tokens(stream.clone());
        }
        visit::visit_pat(self, pat);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        if let syn::ImplItem::Verbatim(stream) = item {
            self.tokens(stream.clone());
        }
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        if let syn::TraitItem::Verbatim(stream) = item {
            self.tokens(stream.clone());
        }
        visit::visit_trait_item(self, item);
    }

    fn visit_foreign_item(&mut self, item: &'ast syn::ForeignItem) {
        if let syn::ForeignItem::Verbatim(stream) = item {
            self.tokens(stream.clone());
        }
        visit::visit_foreign_item(self, item);
    }
}
