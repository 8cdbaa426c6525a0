//! What the operators look at: the parsed file's method calls, calls, blocks, loops
//! and compound assignments, gathered once, with their byte ranges in the source and
//! a notion of "takes a lock".

use super::Edit;
use std::collections::BTreeSet;
use std::ops::Range;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Block, Expr, ExprBinary, ExprCall, ExprMethodCall, ExprWhile, Pat, ReturnType, Stmt};

/// Methods that return a lock's guard in the facade and in std.
const LOCKING_METHODS: [&str; 3] = ["lock", "read", "write"];

/// A parsed source's nodes the operators need, in source order.
pub(super) struct Nodes<'a> {
    /// The text parsed.
    pub source: &'a str,
    /// `x.f(…)`, outer calls before the calls inside them.
    pub method_calls: Vec<&'a ExprMethodCall>,
    /// `f(…)`.
    pub calls: Vec<&'a ExprCall>,
    /// Every block, outer before inner.
    pub blocks: Vec<&'a Block>,
    /// `while` loops.
    pub whiles: Vec<&'a ExprWhile>,
    /// Binary operations, compound assignments (`+=`) among them.
    pub binaries: Vec<&'a ExprBinary>,
    /// The bodies of `async fn`s.
    pub async_bodies: Vec<&'a Block>,
    /// The file's own functions that return a guard (`fn lock(&self) -> MutexGuard<…>`):
    /// calling one takes a lock, as in the solutions that name their locking once.
    guard_functions: BTreeSet<String>,
}

impl<'a> Nodes<'a> {
    pub fn of(file: &'a syn::File, source: &'a str) -> Nodes<'a> {
        let mut nodes = Nodes {
            source,
            method_calls: Vec::new(),
            calls: Vec::new(),
            blocks: Vec::new(),
            whiles: Vec::new(),
            binaries: Vec::new(),
            async_bodies: Vec::new(),
            guard_functions: BTreeSet::new(),
        };
        nodes.visit_file(file);
        nodes
    }

    /// The bytes `node` spans.
    pub fn range(&self, node: &impl Spanned) -> Range<usize> {
        node.span().byte_range()
    }

    /// The text `node` spans.
    pub fn text(&self, node: &impl Spanned) -> &'a str {
        &self.source[self.range(node)]
    }

    /// Whether evaluating `node` takes a lock: it calls a locking method, or one of
    /// the file's functions that returns a guard.
    pub fn takes_lock(&self, node: &Expr) -> bool {
        self.first_lock(node).is_some()
    }

    /// The first expression in `node` (in source order) that takes a lock by itself:
    /// `m.lock()` in `m.lock().unwrap()`.
    pub fn first_lock<'e>(&self, node: &'e Expr) -> Option<&'e Expr> {
        let mut finder = LockFinder {
            guard_functions: &self.guard_functions,
            found: None,
        };
        finder.visit_expr(node);
        finder.found
    }

    /// The first lock taken in a statement.
    pub fn first_lock_in_stmt<'e>(&self, stmt: &'e Stmt) -> Option<&'e Expr> {
        let mut finder = LockFinder {
            guard_functions: &self.guard_functions,
            found: None,
        };
        finder.visit_stmt(stmt);
        finder.found
    }

    /// Edits that move the statement `moved` (with its line) to just before `before`,
    /// an earlier statement of its block or of an enclosing one.
    pub fn move_before(&self, moved: &Stmt, before: &Stmt) -> Vec<Edit> {
        let target = self.range(before).start;
        vec![
            Edit::replace(self.whole_lines(self.range(moved)), ""),
            Edit::insert(
                target,
                format!("{}\n{}", self.text(moved), self.indent_at(target)),
            ),
        ]
    }

    /// The indentation of the line holding byte `offset`.
    pub fn indent_at(&self, offset: usize) -> &'a str {
        let start = self.source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.source[start..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    /// `range` widened to whole lines when nothing else is on them, so a removed
    /// statement leaves no blank line behind.
    pub fn whole_lines(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let end = self.source[range.end..]
            .find('\n')
            .map_or(self.source.len(), |i| range.end + i + 1);
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.source[start..range.start]) && blank(&self.source[range.end..end]) {
            start..end
        } else {
            range
        }
    }
}

/// The variable a `let` pattern binds, if it binds exactly one by name.
fn bound(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.to_string()),
        Pat::Type(typed) => bound(&typed.pat),
        _ => None,
    }
}

/// A gap between two statements under a lock guard bound by `let`: where a guard
/// could be dropped and its lock taken again.
pub(super) struct GuardGap<'a> {
    /// The byte after the statement the gap follows.
    pub end: usize,
    /// That statement's indentation.
    pub indent: &'a str,
    /// The guard's variable.
    pub guard: String,
    /// The `let` pattern that binds it (`mut balances`).
    pub pattern: &'a str,
    /// The expression that takes the lock.
    pub taking: &'a str,
}

impl<'a> Nodes<'a> {
    /// Every gap after a statement under a guard, in `blocks`, that another statement
    /// of the same block follows.
    pub fn guard_gaps(&self, blocks: &[&'a Block]) -> Vec<GuardGap<'a>> {
        let mut gaps = Vec::new();
        for block in blocks {
            for (index, stmt) in block.stmts.iter().enumerate() {
                let Stmt::Local(local) = stmt else { continue };
                let Some(init) = &local.init else { continue };
                let Some(guard) = bound(&local.pat) else {
                    continue;
                };
                if init.diverge.is_some() || !self.takes_lock(&init.expr) {
                    continue;
                }
                let under_guard = &block.stmts[index + 1..];
                for (stmt, _next) in under_guard.iter().zip(under_guard.iter().skip(1)) {
                    gaps.push(GuardGap {
                        end: self.range(stmt).end,
                        indent: self.indent_at(self.range(stmt).start),
                        guard: guard.clone(),
                        pattern: self.text(&local.pat),
                        taking: self.text(&*init.expr),
                    });
                }
            }
        }
        gaps
    }
}

/// Whether `stmt` awaits anything (outside closures and async blocks it makes).
pub(super) fn awaits(stmt: &Stmt) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_expr_await(&mut self, _: &syn::ExprAwait) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &syn::ExprAsync) {}
    }
    let mut finder = Finder(false);
    finder.visit_stmt(stmt);
    finder.0
}

/// The name a method call calls.
pub(super) fn method(call: &ExprMethodCall) -> String {
    call.method.to_string()
}

/// The last segment of a call's function path (`fence` in `atomic::fence(…)`).
pub(super) fn function(call: &ExprCall) -> Option<String> {
    match &*call.func {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// A statement's expression, when it is one (with or without its `;`).
pub(super) fn stmt_expr(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Expr(expr, _) => Some(expr),
        _ => None,
    }
}

/// Whether `expr` is a method call chain ending in (or being) a call to `name`:
/// `h.join()`, `h.join().unwrap()`, `h.join().expect("…")`.
pub(super) fn calls_through(expr: &Expr, name: &str) -> bool {
    let mut current = expr;
    while let Expr::MethodCall(call) = current {
        if call.method == name {
            return true;
        }
        if !["unwrap", "expect"].contains(&method(call).as_str()) {
            return false;
        }
        current = &call.receiver;
    }
    false
}

impl<'a> Visit<'a> for Nodes<'a> {
    fn visit_expr_method_call(&mut self, node: &'a ExprMethodCall) {
        self.method_calls.push(node);
        visit::visit_expr_method_call(self, node);
    }
    fn visit_expr_call(&mut self, node: &'a ExprCall) {
        self.calls.push(node);
        visit::visit_expr_call(self, node);
    }
    fn visit_block(&mut self, node: &'a Block) {
        self.blocks.push(node);
        visit::visit_block(self, node);
    }
    fn visit_expr_while(&mut self, node: &'a ExprWhile) {
        self.whiles.push(node);
        visit::visit_expr_while(self, node);
    }
    fn visit_expr_binary(&mut self, node: &'a ExprBinary) {
        self.binaries.push(node);
        visit::visit_expr_binary(self, node);
    }
    fn visit_item_fn(&mut self, node: &'a syn::ItemFn) {
        if node.sig.asyncness.is_some() {
            self.async_bodies.push(&node.block);
        }
        visit::visit_item_fn(self, node);
    }
    fn visit_impl_item_fn(&mut self, node: &'a syn::ImplItemFn) {
        if node.sig.asyncness.is_some() {
            self.async_bodies.push(&node.block);
        }
        visit::visit_impl_item_fn(self, node);
    }
    fn visit_signature(&mut self, node: &'a syn::Signature) {
        if let ReturnType::Type(_, ty) = &node.output {
            let written = quote::ToTokens::to_token_stream(ty).to_string();
            if written.contains("Guard") {
                self.guard_functions.insert(node.ident.to_string());
            }
        }
        visit::visit_signature(self, node);
    }
}

/// Finds the first lock an expression takes.
struct LockFinder<'f, 'e> {
    guard_functions: &'f BTreeSet<String>,
    found: Option<&'e Expr>,
}

impl<'e> Visit<'e> for LockFinder<'_, 'e> {
    fn visit_expr(&mut self, node: &'e Expr) {
        if self.found.is_some() {
            return;
        }
        // Inner calls first: in `m.lock().unwrap()` the receiver is evaluated first.
        visit::visit_expr(self, node);
        if self.found.is_some() {
            return;
        }
        let locks = match node {
            Expr::MethodCall(call) => {
                let name = method(call);
                LOCKING_METHODS.contains(&name.as_str()) || self.guard_functions.contains(&name)
            }
            Expr::Call(call) => function(call).is_some_and(|f| self.guard_functions.contains(&f)),
            _ => false,
        };
        if locks {
            self.found = Some(node);
        }
    }
}
