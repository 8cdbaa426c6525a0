//! The policy against the bypasses students have tried, each rule, and every shipped
//! exercise and reference solution (which must pass it).

use super::{Policy, Refusal, Rule, check};
use std::fs;
use std::path::Path;

/// Checks a crate whose `src/lib.rs` is `lib`.
fn refusals(lib: &str) -> Vec<Refusal> {
    refusals_allowing(lib, &[])
}

fn refusals_allowing(lib: &str, extra: &[&str]) -> Vec<Refusal> {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/lib.rs"), lib).unwrap();
    let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
    check(
        &dir.path().join("src"),
        &Policy {
            allow: extra,
            ..Policy::default()
        },
    )
}

/// The rules broken by `lib`, with their lines, in order.
fn rules(lib: &str) -> Vec<(usize, Rule)> {
    let mut found: Vec<_> = refusals(lib).iter().map(|r| (r.line, r.rule)).collect();
    found.dedup();
    found
}

#[track_caller]
fn refused_as(lib: &str, rule: Rule) -> Vec<Refusal> {
    let found = refusals(lib);
    assert!(
        found.iter().any(|r| r.rule == rule),
        "expected [{rule}] for:\n{lib}\ngot: {found:#?}"
    );
    found
}

#[test]
fn renamed_imports_are_judged_by_what_they_name() {
    let found = refused_as(
        "use std::{env as e, fs as f};\npub fn go() { let _ = e::var(\"X\"); let _ = f::write(\"findings.toml\", \"\"); }",
        Rule::ForbiddenModule,
    );
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(
        text[0].starts_with("src/lib.rs:1: [forbidden-module] `std::env`"),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("`e::var` (`std::env::var`)") && t.contains("environment")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("src/lib.rs:2:") && t.contains("forge")),
        "{text:?}"
    );

    refused_as(
        "use std::process::{exit as quit};\npub fn go() { quit(0) }",
        Rule::ForbiddenModule,
    );
    // Through an alias of the crate, of an alias, and from another module.
    assert_eq!(
        rules("use std as s;\nuse s::mem as m;\npub fn go(x: u32) -> f32 { m::transmute(x) }"),
        [(3, Rule::ForbiddenModule)]
    );
    assert_eq!(
        rules("extern crate std as s;\npub fn go() { s::process::abort() }"),
        [(2, Rule::ForbiddenModule)]
    );
    assert_eq!(
        rules(
            "mod inner { pub use ::std as s; }\npub fn go() { crate::inner::s::fs::remove_file(\"x\").ok(); }"
        ),
        [(2, Rule::ForbiddenModule)]
    );
    refused_as("use std::*;", Rule::ForbiddenModule);
    refused_as(
        "use std::{self as s};\npub fn f() { s::fs::write(\"a\", \"b\").ok(); }",
        Rule::ForbiddenModule,
    );
    // An alias made by a macro, used outside it.
    assert_eq!(
        rules(
            "macro_rules! m { () => { extern crate std as s; }; }\nm!();\npub fn f() { s::process::abort() }"
        ),
        [(3, Rule::ForbiddenModule)]
    );
    refused_as("use std::mem as m;\nuse m::*;", Rule::ForbiddenModule);
    refused_as("use core::include_str as inc;", Rule::BuildInput);
    refused_as("use std::process::Command as C;", Rule::ForbiddenModule);
}

#[test]
fn std_sync_thread_and_cell_bypass_the_facade() {
    let found = refused_as(
        "use std::sync::atomic::{AtomicU64, Ordering};",
        Rule::FacadeBypass,
    );
    assert_eq!(
        found[0].instead,
        "use `racelab_sync::sync::atomic::AtomicU64` instead"
    );
    refused_as(
        "pub struct T { n: std::sync::atomic::AtomicU64 }",
        Rule::FacadeBypass,
    );
    refused_as(
        "pub fn go() { std::thread::spawn(|| ()); }",
        Rule::FacadeBypass,
    );
    refused_as("use core::cell::UnsafeCell;", Rule::FacadeBypass);
    refused_as("use std::rc::Rc;", Rule::FacadeBypass);
    refused_as("thread_local! { static X: u8 = 0; }", Rule::FacadeBypass);
}

#[test]
fn an_exercise_can_allow_a_path() {
    let lib = "use std::sync::atomic::Ordering;\npub fn o() -> Ordering { Ordering::SeqCst }";
    assert_eq!(
        rules(lib),
        [(1, Rule::FacadeBypass), (2, Rule::FacadeBypass)]
    );
    assert_eq!(refusals_allowing(lib, &["std::sync::atomic::Ordering"]), []);
}

#[test]
fn backend_cfg_however_it_is_written() {
    refused_as("#[cfg(loom)]\npub fn f() {}", Rule::BackendCfg);
    // Split over lines.
    let found = refused_as(
        "#[cfg(\n    not(shuttle)\n)]\npub fn f() {}",
        Rule::BackendCfg,
    );
    assert_eq!(found[0].line, 2);
    assert!(found[0].what.contains("cfg(loom)"), "{}", found[0].what);
    // Made by a macro from its argument.
    let macro_made = "macro_rules! only_under {\n    ($name:ident, $item:item) => { #[cfg($name)] $item };\n}\nonly_under!(loom, pub fn f() {});\n";
    assert_eq!(rules(macro_made), [(4, Rule::BackendCfg)]);
    refused_as("pub fn f() -> bool { cfg!(shuttle) }", Rule::BackendCfg);
}

#[test]
fn backend_features_in_cfg_and_cfg_attr() {
    let found = refused_as(
        "#[cfg(feature = \"loom\")]\npub fn f() {}",
        Rule::BackendCfg,
    );
    assert_eq!(found[0].line, 1);
    assert!(
        found[0].what.contains("feature = \"loom\""),
        "{}",
        found[0].what
    );
    refused_as(
        "#[cfg_attr(feature = \"shuttle\", inline)]\npub fn f() {}",
        Rule::BackendCfg,
    );
    refused_as(
        "pub fn f() -> bool { cfg!(not(feature = \"tsan\")) }",
        Rule::BackendCfg,
    );
    let macro_made =
        "macro_rules! under {\n    ($f:literal, $i:item) => { #[cfg(feature = $f)] $i };\n}\n";
    assert_eq!(rules(macro_made), [(2, Rule::BackendCfg)]);
    refused_as(
        "#[cfg(sanitize = \"thread\")]\npub fn f() {}",
        Rule::BackendCfg,
    );
    // A feature the facade does not have is always false, and no tell.
    assert_eq!(rules("#[cfg(feature = \"fast\")]\npub fn f() {}"), []);
}

/// The two ways ex03 was forged (an address distance, `{:p}` of two neighbours), and
/// every other way to read or compare an address or a layout.
#[test]
fn addresses_and_layouts_are_refused_however_they_are_read() {
    let neighbours = "use racelab_sync::sync::atomic::{AtomicBool, AtomicU64};\npub fn explored(a: &AtomicU64, b: &AtomicBool) -> bool {\n    let (x, y) = (format!(\"{:p}\", a), format!(\"{b:p}\"));\n    x.len() + y.len() > 0\n}";
    let found = refused_as(neighbours, Rule::AddressObservation);
    assert_eq!(found[0].line, 3);
    assert!(
        found[0].instead.contains("id of your own"),
        "{}",
        found[0].instead
    );
    for (code, rule) in [
        (
            "pub fn f(x: &u8) -> String { format!(\"{:#p}\", x) }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(x: &u8) { println!(concat!(\"{:\", \"p}\"), x); }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(v: &[u8]) -> usize { v.as_ptr_range().start as usize }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(v: &[u8]) -> bool { v.as_ptr().is_null() }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(a: &Vec<u8>, b: &Vec<u8>) -> bool { std::ptr::eq(a, b) }",
            Rule::AddressObservation,
        ),
        (
            "use core::ptr;\npub fn f(a: &u8, b: &u8) -> bool { ptr::eq(a, b) }",
            Rule::AddressObservation,
        ),
        (
            "use racelab_sync::sync::Arc;\npub fn f(a: &Arc<u8>, b: &Arc<u8>) -> bool { Arc::ptr_eq(a, b) }",
            Rule::AddressObservation,
        ),
        (
            "use racelab_sync::sync::Arc;\npub fn f(a: &Arc<u8>) -> usize { Arc::as_ptr(a).addr() }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(x: &u8) -> usize { (x as *const u8).expose_provenance() }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(x: &u8) -> String { use std::fmt::Pointer; let mut s = String::new(); let _ = x.fmt(&mut std::fmt::Formatter::new(&mut s)); s }",
            Rule::AddressObservation,
        ),
        (
            "pub struct L;\nimpl L { pub fn go(&self) {} }\npub fn f() -> usize { L::go as usize }",
            Rule::AddressObservation,
        ),
        (
            "pub fn f(g: fn()) -> String { format!(\"{:?}\", g) }",
            Rule::AddressObservation,
        ),
        (
            "macro_rules! show { ($f:literal, $x:expr) => { format!(concat!(\"{:\", $f, \"}\"), $x) }; }",
            Rule::AddressObservation,
        ),
        (
            "use racelab_sync::sync::Mutex;\npub fn f() -> usize { size_of::<Mutex<u64>>() }",
            Rule::LayoutObservation,
        ),
        (
            "pub fn f(x: &u64) -> usize { std::mem::align_of_val(x) }",
            Rule::LayoutObservation,
        ),
        (
            "pub fn f() -> bool { core::mem::needs_drop::<String>() }",
            Rule::LayoutObservation,
        ),
    ] {
        refused_as(code, rule);
    }
    // Values, their `Debug`, constants cast, and `{{` escapes are none of these.
    assert_eq!(
        rules(
            "pub fn f(x: &u64, y: Vec<u8>) -> String { let n = u64::MAX as usize + *x as usize + y.len(); format!(\"{{:p}} {n:>8} {:?} {:x}\", y, n) }"
        ),
        []
    );
}

/// Items only `cargo test` builds are exempt; the same code outside them is not.
#[test]
fn a_student_s_own_tests_may_use_what_the_fix_may_not() {
    let tests = "\n    use super::*;\n    use std::time::Instant;\n    #[test]\n    fn in_parallel() {\n        let started = Instant::now();\n        std::thread::scope(|s| { s.spawn(|| total()); });\n        assert!(started.elapsed().as_secs() < 5 && size_of::<u64>() == 8);\n    }\n";
    let lib = "pub fn total() -> u64 { 1 }\n";
    assert_eq!(
        rules(&format!("{lib}#[cfg(test)]\nmod tests {{{tests}}}")),
        []
    );
    assert_eq!(
        rules(&format!(
            "{lib}#[cfg(all(test, unix))]\nfn helper() {{ let _ = std::time::Instant::now(); }}"
        )),
        []
    );
    let refused: Vec<Rule> = rules(&format!("{lib}mod tests {{{tests}}}"))
        .into_iter()
        .map(|(_, rule)| rule)
        .collect();
    assert_eq!(
        refused,
        [
            Rule::ForbiddenModule,
            Rule::ForbiddenModule,
            Rule::FacadeBypass,
            Rule::LayoutObservation
        ]
    );
    // `any(test, …)` and `not(test)` hold outside tests.
    refused_as(
        &format!("{lib}#[cfg(any(test, unix))]\nmod tests {{{tests}}}"),
        Rule::FacadeBypass,
    );
    refused_as(
        "#[cfg(not(test))]\npub fn now() { let _ = std::time::Instant::now(); }",
        Rule::ForbiddenModule,
    );

    // A test module in a file of its own, and the files under its folder.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("tests")).unwrap();
    fs::write(
        src.join("lib.rs"),
        "pub fn total() -> u64 { 1 }\n#[cfg(test)]\nmod tests;\nmod ledger;\n",
    )
    .unwrap();
    fs::write(src.join("tests/mod.rs"), format!("mod helpers;{tests}")).unwrap();
    fs::write(
        src.join("tests/helpers.rs"),
        "pub fn t() { let _ = std::time::Instant::now(); }",
    )
    .unwrap();
    fs::write(
        src.join("ledger.rs"),
        "pub fn t() { let _ = std::time::Instant::now(); }",
    )
    .unwrap();
    let found: Vec<_> = check(&src, &Policy::default())
        .into_iter()
        .map(|r| (r.file.to_str().unwrap().to_owned(), r.rule))
        .collect();
    assert_eq!(found, [("src/ledger.rs".to_owned(), Rule::ForbiddenModule)]);
}

#[test]
fn macros_cannot_assemble_what_the_source_may_not_write() {
    assert_eq!(
        rules("macro_rules! run { () => { std :: process :: Command :: new(\"sh\") }; }"),
        [(1, Rule::ForbiddenModule)]
    );
    assert_eq!(
        rules(
            "macro_rules! file { ($m:ident) => { std::$m::write(\"f\", \"\") }; }\npub fn go() { let _ = file!(fs); }"
        ),
        [(1, Rule::ForbiddenModule)]
    );
    assert_eq!(
        rules("macro_rules! hide { () => { use std::{fs as f}; }; }"),
        [(1, Rule::ForbiddenModule)]
    );
    // An import made by a macro, used outside it.
    assert_eq!(
        rules(
            "macro_rules! import { () => { use std::time; }; }\nimport!();\npub fn now() { let _ = time::Instant::now(); }"
        ),
        [(3, Rule::ForbiddenModule)]
    );
    refused_as(
        "pub fn go() { println!(\"{:?}\", std::env::args()); }",
        Rule::ForbiddenModule,
    );
    refused_as(
        "pub fn go() { println!(\"{}\", unsafe { 1 }); }",
        Rule::UnsafeCode,
    );
}

#[test]
fn unsafe_code_except_send_and_sync_impls() {
    assert_eq!(
        rules(
            "pub struct L(u8);\nunsafe impl Send for L {}\nunsafe impl Sync for L {}\nunsafe impl std::marker::Sync for Box<L> {}"
        ),
        []
    );
    refused_as("pub fn f() { unsafe {} }", Rule::UnsafeCode);
    refused_as("pub unsafe fn f() {}", Rule::UnsafeCode);
    refused_as("pub unsafe trait T {}", Rule::UnsafeCode);
    refused_as("pub struct L; unsafe impl Copy for L {}", Rule::UnsafeCode);
}

#[test]
fn raw_pointers() {
    refused_as("pub fn f(p: *const u8) {}", Rule::RawPointer);
    refused_as(
        "pub fn f(x: &mut u8) { let _ = x as *mut u8; }",
        Rule::RawPointer,
    );
    refused_as(
        "pub fn f(x: u8) { let _ = &raw const x; }",
        Rule::RawPointer,
    );
    refused_as(
        "pub fn f(x: u8) { let _ = std::ptr::addr_of!(x); }",
        Rule::AddressObservation,
    );
    refused_as("pub fn f(x: u8) { let _ = addr_of!(x); }", Rule::RawPointer);
}

#[test]
fn foreign_code() {
    let found = refused_as(
        "#[unsafe(no_mangle)]\npub extern \"C\" fn __tsan_default_options() {}",
        Rule::ForeignCode,
    );
    assert!(found.iter().all(|r| r.line > 0));
    assert!(
        found[0].what.contains("ThreadSanitizer"),
        "{}",
        found[0].what
    );
    refused_as("#[no_mangle]\npub fn f() {}", Rule::ForeignCode);
    refused_as(
        "#[unsafe(export_name = \"x\")]\npub fn f() {}",
        Rule::ForeignCode,
    );
    refused_as(
        "#[cfg_attr(all(), unsafe(no_mangle))]\npub fn f() {}",
        Rule::ForeignCode,
    );
    refused_as(
        "unsafe extern \"C\" { fn abort() -> !; }",
        Rule::ForeignCode,
    );
    refused_as("extern \"C\" { fn abort() -> !; }", Rule::ForeignCode);
    refused_as("#[used]\nstatic X: u8 = 0;", Rule::ForeignCode);
    refused_as(
        "#[link_section = \".init_array\"]\nstatic X: u8 = 0;",
        Rule::ForeignCode,
    );
    refused_as("std::arch::global_asm!(\"nop\");", Rule::ForeignCode);
    // Passed through a macro of the subject's own.
    let through = "macro_rules! keep { ($i:item) => { $i }; }\nkeep!(#[unsafe(no_mangle)] pub fn __tsan_default_options() {});";
    assert_eq!(rules(through), [(2, Rule::ForeignCode)]);
    let assembled =
        "macro_rules! mark { ($a:meta) => { #[$a] pub fn f() {} }; }\nmark!(no_mangle);";
    assert_eq!(rules(assembled), [(1, Rule::ForbiddenModule)]);
    refused_as("pub fn f() { asm!(\"nop\") }", Rule::ForeignCode);
}

#[test]
fn build_inputs() {
    refused_as(
        "const F: &str = include_str!(\"/etc/passwd\");",
        Rule::BuildInput,
    );
    refused_as(
        "#[doc = include_str!(\"../README.md\")]\npub fn f() {}",
        Rule::BuildInput,
    );
    refused_as("const F: &[u8] = include_bytes!(\"x\");", Rule::BuildInput);
    refused_as("include!(\"x.rs\");", Rule::BuildInput);
    refused_as("const H: &str = env!(\"HOME\");", Rule::BuildInput);
    refused_as(
        "const H: Option<&str> = option_env!(\"HOME\");",
        Rule::BuildInput,
    );
    refused_as("#[path = \"/tmp/x.rs\"]\nmod x;", Rule::BuildInput);
    refused_as(
        "#[cfg_attr(test, path = \"x.rs\")]\nmod x;",
        Rule::BuildInput,
    );
}

#[test]
fn facade_internals() {
    refused_as(
        "pub fn f() -> bool { racelab_sync::BACKEND == \"std\" }",
        Rule::FacadeInternals,
    );
    refused_as(
        "use racelab_sync::cell::track_races;",
        Rule::FacadeInternals,
    );
    refused_as("use racelab_sync::*;", Rule::FacadeInternals);
    refused_as(
        "use racelab_sync as r;\npub fn f() { r::trace::begin_execution(); }",
        Rule::FacadeInternals,
    );
}

#[test]
fn source_layout_symlinks_do_not_loop() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("lib.rs"), "pub fn f() {}").unwrap();
    std::os::unix::fs::symlink(".", src.join("a")).unwrap();
    std::os::unix::fs::symlink(".", src.join("b")).unwrap();
    let found = check(&src, &Policy::default());
    let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        found
            .iter()
            .map(|r| (r.file.to_str().unwrap(), r.rule))
            .collect::<Vec<_>>(),
        [("src/a", Rule::SourceLayout), ("src/b", Rule::SourceLayout)],
        "{shown:?}"
    );
    assert!(
        shown[0].starts_with("src/a:0: [source-layout] is a symlink"),
        "{shown:?}"
    );

    // `src` itself a link to sources elsewhere.
    let other = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&src, other.path().join("src")).unwrap();
    let found = check(&other.path().join("src"), &Policy::default());
    assert_eq!(
        found
            .iter()
            .map(|r| (r.file.to_str().unwrap(), r.rule))
            .collect::<Vec<_>>(),
        [("src", Rule::SourceLayout)]
    );
}

#[test]
fn sources_nested_too_deep_are_refused_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let deep = (0..20).fold(src.clone(), |path, i| path.join(format!("m{i}")));
    fs::create_dir_all(&deep).unwrap();
    fs::write(src.join("lib.rs"), "pub mod m0;").unwrap();
    fs::write(deep.join("mod.rs"), "pub fn f() { std::process::exit(0) }").unwrap();
    let found = check(&src, &Policy::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, Rule::SourceLayout);
    assert!(
        found[0].what.contains("nested more than"),
        "{}",
        found[0].what
    );
}

#[test]
fn every_rule_is_documented_for_students() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## What a subject may use")
        .nth(1)
        .expect("README.md has a section \"What a subject may use\"");
    for rule in Rule::ALL {
        assert!(
            section.contains(&format!("| `{rule}` |")),
            "README does not list {rule}"
        );
    }
}

#[test]
fn what_cannot_be_read_is_refused_and_what_cannot_be_parsed_is_left_to_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("inner")).unwrap();
    fs::write(src.join("lib.rs"), "pub fn f( {").unwrap();
    fs::write(src.join("inner/mod.rs"), [0xff, 0xfe]).unwrap();
    fs::write(
        src.join("deep.rs"),
        format!("pub fn f() {}{}", "(".repeat(300), ")".repeat(300)),
    )
    .unwrap();
    // Unary operators and binary chains recurse without brackets.
    let long = format!("pub fn f() -> i64 {{ {}1 }}", "-".repeat(100_000));
    fs::write(src.join("long.rs"), long).unwrap();
    // Not parsed by syn, but its tokens still are.
    fs::write(
        src.join("odd.rs"),
        "pub fn f() -> u8 { std::process::exit(0) } fn",
    )
    .unwrap();
    let found: Vec<_> = check(&src, &Policy::default())
        .into_iter()
        .map(|r| (r.file.to_str().unwrap().to_owned(), r.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("src/deep.rs".to_owned(), Rule::SourceLayout),
            ("src/inner/mod.rs".to_owned(), Rule::SourceLayout),
            ("src/long.rs".to_owned(), Rule::SourceLayout),
            ("src/odd.rs".to_owned(), Rule::ForbiddenModule),
        ]
    );
}

#[test]
fn ordinary_fixes_pass() {
    let lib = r#"
//! A fix in an ordinary style.
use racelab_sync::sync::atomic::{AtomicU64, Ordering, fence};
use racelab_sync::sync::{Arc, Mutex};
use racelab_sync::{cell::SharedCell, thread};
use std::collections::{BTreeMap, HashMap};
use std::mem::{self, swap};
use std::fmt::{self, Write as _};
use std::time::Duration;
use super_helpers::*;

mod super_helpers { pub fn h() {} }

macro_rules! bump { ($e:expr) => { $e.fetch_add(1, Ordering::Relaxed) }; }

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub enum Mode { #[default] Plain, Fast }

#[derive(Debug, Default, Clone)]
pub struct Ledger { total: Arc<Mutex<u64>>, seen: Vec<u64> }

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn t() { assert_eq!(1, 1); }
}

impl Ledger {
    /// Records.
    #[inline]
    #[allow(clippy::needless_return)]
    pub fn record(&mut self, n: u64, a: &AtomicU64) -> u64 {
        let mut guard = self.total.lock().unwrap();
        *guard += n;
        let mut x = 1; let mut y = 2;
        swap(&mut x, &mut y);
        let _ = mem::take(&mut self.seen);
        let mut s = String::new();
        let _ = write!(s, "{}", n);
        fence(Ordering::Release);
        let _ = Duration::from_millis(1);
        let _: HashMap<u8, u8> = HashMap::new();
        let _: BTreeMap<u8, u8> = BTreeMap::new();
        let _ = thread::spawn(|| ()).join();
        let _ = SharedCell::new(0u8);
        let _ = fmt::format(format_args!("{}", 1));
        let _ = u64::MAX as usize;
        let _: Result<(), Box<dyn std::error::Error>> = Ok(());
        let _ = std::f64::consts::PI;
        h();
        debug_assert!(n < u64::MAX, "{}", vec![1, 2].len());
        bump!(a)
    }
}
"#;
    assert_eq!(refusals(lib), []);
}

/// Every exercise as shipped and every reference solution passes the policy, with
/// its exercise's additions.
#[test]
fn every_shipped_exercise_and_solution_passes() {
    let grader = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = grader.parent().unwrap();
    let manifest = crate::manifest::Manifest::load(&grader.join("exercises.toml")).unwrap();
    let mut checked = 0;
    for exercise in &manifest.exercises {
        for dir in std::iter::once(&exercise.dir).chain(&exercise.solutions) {
            let found = check(&root.join(dir).join("src"), &exercise.policy);
            let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
            assert!(found.is_empty(), "{dir}: {shown:#?}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} crates checked");
}

/// Each exercise's `clippy.toml` flags what the policy refuses as `facade-bypass`, and
/// suggests only what it allows.
#[test]
fn every_exercise_flags_std_sync_in_the_editor_with_an_allowed_replacement() {
    let grader = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = crate::manifest::Manifest::load(&grader.join("exercises.toml")).unwrap();
    let list = super::allow::AllowList::default();
    for exercise in &manifest.exercises {
        let file = grader.join("..").join(&exercise.dir).join("clippy.toml");
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let config: toml::Table = toml::from_str(&text).unwrap();
        let mut flagged = Vec::new();
        for lint in ["disallowed-types", "disallowed-methods"] {
            for entry in config[lint].as_array().unwrap() {
                let path = entry["path"].as_str().unwrap();
                let segments = super::allow::segments(path);
                let refused = list.judge_path(&segments, path).map(|o| o.rule);
                assert_eq!(refused, Some(Rule::FacadeBypass), "{}: {path}", exercise.id);
                if let Some(replacement) = entry.get("replacement").and_then(|r| r.as_str()) {
                    let segments = super::allow::segments(replacement);
                    assert_eq!(
                        list.judge_path(&segments, replacement),
                        None,
                        "{replacement}"
                    );
                }
                flagged.push(path.to_owned());
            }
        }
        for path in [
            "std::sync::atomic::AtomicU64",
            "std::sync::Mutex",
            "std::thread::spawn",
            "std::cell::Cell",
        ] {
            assert!(
                flagged.iter().any(|p| p == path),
                "{}: {path} not flagged",
                exercise.id
            );
        }
    }
}

#[test]
fn an_exercise_can_refuse_unsafe_marker_impls_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("src/lib.rs"),
        "pub struct Counter;\nunsafe impl Send for Counter {}\n",
    )
    .unwrap();
    let src = dir.path().join("src");
    assert!(check(&src, &Policy::default()).is_empty());
    let strict = Policy {
        forbid_unsafe_impls: true,
        ..Policy::default()
    };
    let found = check(&src, &strict);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].rule, found[0].line), (Rule::UnsafeCode, 2));
}

/// Every attempt of the truth suite (`tests/fixtures/attempts/exNN/NAME/`) meets the
/// policy as its `expect.toml` says: a refused one under its rule, every other one
/// (right fixes, and wrong ones the detectors must catch) accepted. The truth suite
/// grades them end to end in minutes; this holds the policy's half in seconds.
#[test]
fn every_truth_attempt_meets_the_policy_as_it_expects() {
    let grader = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = crate::manifest::Manifest::load(&grader.join("exercises.toml")).unwrap();
    let attempts = grader.join("../tests/fixtures/attempts");
    let mut checked = 0;
    for exercise in &manifest.exercises {
        let Ok(entries) = fs::read_dir(attempts.join(&exercise.id)) else {
            continue;
        };
        for entry in entries {
            let dir = entry.unwrap().path();
            let expect: toml::Table =
                toml::from_str(&fs::read_to_string(dir.join("expect.toml")).unwrap()).unwrap();
            let found = check(&dir.join("src"), &exercise.policy);
            let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
            match expect.get("refused").and_then(|r| r.as_str()) {
                Some(rule) => assert!(
                    found.iter().any(|r| r.rule.id() == rule),
                    "{}: expected [{rule}], got {shown:#?}",
                    dir.display()
                ),
                None => assert!(found.is_empty(), "{}: {shown:#?}", dir.display()),
            }
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} attempts checked");
}
