//! The silencer check: a subject that defines one of ThreadSanitizer's hooks (its
//! default options or suppressions, its report callback…) could silence its
//! reports, so the runner is checked for one before it runs.

use std::path::Path;
use std::process::Command;

/// The hooks TSan's runtime defines weakly so that a program may replace them: its
/// default options and suppressions, its report callbacks (`OnReport` can drop any
/// report), its symbolizer. Whatever else the linked runtime defines weakly under a
/// sanitizer's name is added to these (see [`silencer`]).
const HOOKS: &[&str] = &[
    "__tsan_default_options",
    "__tsan_default_suppressions",
    "__tsan_on_report",
    "__tsan_on_initialize",
    "__tsan_on_finalize",
    "__tsan_symbolize_external",
    "__tsan_symbolize_external_ex",
    "__sanitizer_report_error_summary",
    "__sanitizer_on_print",
    "_ZN6__tsan8OnReportEPKNS_10ReportDescEb",
    "_ZN6__tsan10OnFinalizeEb",
    "_ZN6__tsan12OnInitializeEv",
];

/// Checks the runner for a subject that replaces one of TSan's hooks (its default
/// options or suppressions, its report callback…), which would silence reports: the
/// runtime defines them weakly, so a strong global definition in the executable
/// (`nm` kind `T`, `D`, `B`, `R`) is someone else's. `runtime` is the TSan archive the
/// runner linked, whose weak hooks are checked too. `Ok(Some(reason))` refuses the
/// subject; `Err` says why the check could not be made (the grader's problem).
pub fn silencer(executable: &Path, runtime: Option<&Path>) -> Result<Option<String>, String> {
    let mut hooks: Vec<String> = HOOKS.iter().map(|h| h.to_string()).collect();
    if let Some(runtime) = runtime {
        hooks.extend(
            defined_symbols(runtime)?
                .into_iter()
                .filter(|(kind, name)| is_weak(kind) && is_sanitizer_hook(name))
                .map(|(_, name)| name),
        );
    }
    let overridden = defined_symbols(executable)?
        .into_iter()
        .find(|(kind, name)| is_strong_global(kind) && hooks.contains(name));
    Ok(overridden.map(|(_, name)| {
        format!(
            "the subject defines `{name}`, one of ThreadSanitizer's hooks, which would change what ThreadSanitizer reports"
        )
    }))
}

/// `(kind, name)` of every symbol `nm` lists as defined in `file`.
fn defined_symbols(file: &Path) -> Result<Vec<(String, String)>, String> {
    let output = Command::new("nm")
        .arg("--defined-only")
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run `nm` (binutils) to check the runner's symbols: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`nm {}` failed: {}",
            file.display(),
            super::first_line(&String::from_utf8_lossy(&output.stderr))
        ));
    }
    Ok(parse_nm(&String::from_utf8_lossy(&output.stdout)))
}

/// `nm` lines (`0000000000112500 T name`, or `name:` headers of an archive's members)
/// as `(kind, name)`.
fn parse_nm(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().rev();
            let (name, kind) = (fields.next()?, fields.next()?);
            (kind.len() == 1).then(|| (kind.to_owned(), name.to_owned()))
        })
        .collect()
}

fn is_weak(kind: &str) -> bool {
    matches!(kind, "W" | "w" | "V" | "v")
}

/// A definition that overrides a weak one: global (upper case) and not itself weak.
fn is_strong_global(kind: &str) -> bool {
    matches!(kind, "T" | "D" | "B" | "R" | "G" | "S" | "C" | "i")
}

/// A weak symbol of the runtime under a sanitizer's name (its hooks, C or C++),
/// rather than an interceptor of a libc function (those are weak too).
fn is_sanitizer_hook(name: &str) -> bool {
    [
        "__tsan_",
        "__sanitizer_",
        "__sancov_",
        "__ubsan_",
        "_ZN6__tsan",
        "_ZN11__sanitizer",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::{is_sanitizer_hook, is_strong_global, parse_nm};

    #[test]
    fn only_a_strong_global_definition_of_a_hook_overrides_the_runtime_s() {
        let listing = "\
00000000000f0230 W __tsan_default_suppressions
0000000000112500 T __tsan_default_options
00000000000c5ba0 t _ZN11__sanitizer11AddrHashMapI25CommonInterceptorMetadataLm31051EE7acquireEPNS2_6HandleE

librustc-nightly_rt.tsan.a:tsan_rtl.cpp.o:
00000000000ea480 W _ZN6__tsan8OnReportEPKNS_10ReportDescEb
";
        let symbols = parse_nm(listing);
        assert_eq!(symbols.len(), 4);
        let strong: Vec<_> = symbols
            .iter()
            .filter(|(kind, _)| is_strong_global(kind))
            .map(|(_, name)| name.as_str())
            .collect();
        assert_eq!(strong, ["__tsan_default_options"]);
        assert!(is_sanitizer_hook("_ZN6__tsan8OnReportEPKNS_10ReportDescEb"));
        assert!(!is_sanitizer_hook("pthread_mutex_lock"));
    }
}
