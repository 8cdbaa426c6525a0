//! The silencer check: a subject that defines one of ThreadSanitizer's hooks (its
//! default options or suppressions, its report callback…) could silence its
//! reports, so the runner is checked for one before it runs.

use super::symbols::{self, Binding};
use std::path::Path;

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
/// runtime defines them weakly, so a strong global definition in the executable is
/// someone else's. `runtime` is the TSan archive the runner linked, whose weak hooks
/// are checked too. `Ok(Some(reason))` refuses the subject; `Err` says why the check
/// could not be made (the grader's problem).
pub fn silencer(executable: &Path, runtime: Option<&Path>) -> Result<Option<String>, String> {
    let mut hooks: Vec<String> = HOOKS.iter().map(|h| h.to_string()).collect();
    if let Some(runtime) = runtime {
        hooks.extend(
            symbols::defined(runtime)?
                .into_iter()
                .filter(|s| s.binding == Binding::Weak && is_sanitizer_hook(&s.name))
                .map(|s| s.name),
        );
    }
    let overridden = symbols::defined(executable)?
        .into_iter()
        .find(|s| s.binding == Binding::Strong && hooks.contains(&s.name));
    Ok(overridden.map(|symbol| {
        format!(
            "the subject defines `{}`, one of ThreadSanitizer's hooks, which would change what ThreadSanitizer reports",
            symbol.name
        )
    }))
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
    use super::is_sanitizer_hook;

    #[test]
    fn sanitizer_hooks_are_told_from_libc_interceptors() {
        assert!(is_sanitizer_hook("_ZN6__tsan8OnReportEPKNS_10ReportDescEb"));
        assert!(is_sanitizer_hook("__tsan_default_options"));
        assert!(!is_sanitizer_hook("pthread_mutex_lock"));
    }
}
