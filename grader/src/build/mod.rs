//! Building a runner: the subject compiled together with the exercise's scenario and
//! the harness, for one backend.
//!
//! For each subject the grader writes small cargo projects under
//! `target/racelab/runners/<exercise>-<key>/`:
//!
//! - `subject/Cargo.toml`: a library named `subject` whose root is the subject's own
//!   `src/lib.rs`, with the sync facade as its only dependency (no features: the
//!   subject's manifest is the same for every flavor);
//! - `<flavor>/Cargo.toml` and `<flavor>/main.rs`, one per [`Flavor`]: a binary that
//!   includes the scenario file and hands it to `racelab_harness::run`, depending on
//!   the harness with the flavor's feature (`loom`, `shuttle`, `tsan`), which the
//!   harness forwards to the facade.
//!
//! The backend is thus chosen by a feature of the facade, set only in this generated
//! manifest; no `--cfg` reaches any crate, so the subject compiles identically for
//! every stage and its `cfg(loom)` is always false. Each flavor builds into its own
//! target directory under `target/racelab/build/`, so loom, shuttle and plain builds
//! never rebuild each other, and dependencies are compiled once and shared by every
//! subject.
//!
//! A little over 400 lines: writing the runner projects and reading cargo's messages
//! back (which errors are the subject's, which the scenario's) belong together.

mod facade_paths;
mod manifest;

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::Regrade;
use crate::process;
use crate::subject::Subject;
use crate::toolchain::TsanToolchain;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use std::{fmt, fs};

/// How long one build may take (a cold build compiles loom or shuttle first).
const BUILD_TIMEOUT: Duration = Duration::from_secs(900);

/// How much lower the scheduling priority of every build but loom's is: when two
/// builds share the cores, the one whose stage answers first gets them first.
const LATER_BUILDS_NICENESS: i32 = 10;

/// How many compiler errors a report keeps.
const ERRORS_KEPT: usize = 3;

/// One way of compiling the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The `loom` feature.
    Loom,
    /// The `shuttle` feature.
    Shuttle,
    /// No feature: std, real threads.
    Std,
    /// ThreadSanitizer, the `tsan` feature: real threads against an instrumented std
    /// (see `toolchain`).
    Tsan,
}

impl Flavor {
    /// The flavor's name, also its target directory's name.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Loom => "loom",
            Flavor::Shuttle => "shuttle",
            Flavor::Std => "std",
            Flavor::Tsan => "tsan",
        }
    }

    /// How much the runner and the subject are optimised: lightly for the explorers,
    /// whose verdicts do not depend on speed, so that a change rebuilds faster.
    fn optimise(self) -> manifest::Optimise {
        match self {
            Flavor::Loom | Flavor::Shuttle => manifest::Optimise::Lightly,
            Flavor::Std | Flavor::Tsan => manifest::Optimise::Fully,
        }
    }

    /// When a grade builds this flavor, if several wait for a turn: the explorers
    /// first, whose runs can go on while the others build, loom's first of all (the
    /// quickest build and run: a grade's first line), then the real-thread flavors.
    pub fn build_order(self) -> u8 {
        match self {
            Flavor::Loom => 0,
            Flavor::Shuttle => 1,
            Flavor::Std => 2,
            Flavor::Tsan => 3,
        }
    }

    /// The harness's (and so the facade's) feature that selects this flavor's backend.
    fn feature(self) -> Option<&'static str> {
        match self {
            Flavor::Loom => Some("loom"),
            Flavor::Shuttle => Some("shuttle"),
            Flavor::Std => None,
            Flavor::Tsan => Some("tsan"),
        }
    }
}

/// Why a runner could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildFailure {
    /// The subject's own code does not compile.
    Compile {
        /// The first compiler errors, rendered, with paths relative to the subject.
        errors: Vec<String>,
    },
    /// The subject compiles, but the scenario does not compile against it: the
    /// subject changed the exercise's API (a signature, a type, a missing method).
    ApiChanged {
        /// The first compiler errors, rendered, without rustc's help on editing the
        /// scenario (the grader's code, which the student must not change).
        errors: Vec<String>,
        /// The shipped signatures the subject changed (`fn record(&mut self, …)`).
        expected: Vec<String>,
    },
    /// cargo itself failed, timed out, or could not be started.
    Tool {
        /// What went wrong, and the end of cargo's output.
        message: String,
    },
}

impl fmt::Display for BuildFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildFailure::Compile { errors } => match errors.iter().find_map(|e| first_place(e)) {
                Some(place) => write!(
                    f,
                    "does not compile: the compiler stops at {place} (its errors are below)"
                ),
                None => write!(f, "does not compile (the compiler's errors are below)"),
            },
            BuildFailure::ApiChanged { expected, .. } if !expected.is_empty() => {
                let expected: Vec<String> = expected.iter().map(|s| format!("`{s}`")).collect();
                write!(
                    f,
                    "API changed: the scenario expected {}; keep the exercise's public signatures as shipped",
                    expected.join(" and ")
                )
            }
            BuildFailure::ApiChanged { .. } => write!(
                f,
                "API changed: the grader's scenario no longer compiles against the subject; keep the exercise's public types and method signatures as shipped"
            ),
            BuildFailure::Tool { message } => write!(f, "the build failed: {message}"),
        }
    }
}

/// Where a rendered error points first, `src/lib.rs:51`: its `-->` line without the
/// column.
fn first_place(rendered: &str) -> Option<String> {
    let place = rendered
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("--> "))?;
    let mut parts = place.rsplitn(3, ':');
    let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{file}:{line}"))
}

/// Where `flavor`'s runners build: one target directory per flavor, shared by every
/// subject.
fn target_dir(lab: &Lab, flavor: Flavor) -> PathBuf {
    lab.work_dir().join("build").join(flavor.name())
}

/// Whether `flavor` has been built here before: if not, its first build compiles
/// its dependencies too.
pub fn built_before(lab: &Lab, flavor: Flavor) -> bool {
    target_dir(lab, flavor).is_dir()
}

/// Builds the runner of `subject` for `flavor` and returns the executable's path.
/// `Flavor::Tsan` needs the toolchain that builds it; `regrade` says whether the subject
/// is graded again after an edit.
pub fn build_runner(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    flavor: Flavor,
    tsan: Option<&TsanToolchain>,
    regrade: Regrade,
) -> Result<PathBuf, BuildFailure> {
    let project =
        write_project(lab, exercise, subject, flavor, regrade).map_err(|e| BuildFailure::Tool {
            message: format!("cannot write the runner project: {e}"),
        })?;
    let target_dir = target_dir(lab, flavor);
    let (mut command, target_args, rustflags) = match (flavor, tsan) {
        (Flavor::Tsan, Some(toolchain)) => {
            let (args, flags) = toolchain.build_args();
            let cargo = toolchain
                .cargo(&lab.work_dir().join("tools"))
                .map_err(|e| BuildFailure::Tool {
                    message: format!("cannot prepare the ThreadSanitizer toolchain: {e}"),
                })?;
            (cargo, args, flags)
        }
        (Flavor::Tsan, None) => {
            return Err(BuildFailure::Tool {
                message: "no ThreadSanitizer toolchain was given".into(),
            });
        }
        _ => (Command::new(cargo_binary()), Vec::new(), Vec::new()),
    };
    command
        .arg("build")
        .arg("--release")
        .arg("--message-format=json")
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .args(&target_args)
        .current_dir(&project);
    clean_cargo_env(&mut command);
    command.env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"));
    if flavor.build_order() > 0 {
        process::lower_priority(&mut command, LATER_BUILDS_NICENESS);
    }
    let finished =
        process::run(command, BUILD_TIMEOUT, 16 << 20).map_err(|e| BuildFailure::Tool {
            message: format!("cannot start cargo: {e}"),
        })?;
    if finished.timed_out {
        return Err(BuildFailure::Tool {
            message: format!("cargo did not finish within {} s", BUILD_TIMEOUT.as_secs()),
        });
    }
    let messages = parse_messages(&finished.stdout, subject);
    match (finished.succeeded(), messages.executable) {
        (true, Some(executable)) => Ok(executable),
        _ if !messages.subject_errors.is_empty() => Err(BuildFailure::Compile {
            errors: match flavor {
                Flavor::Std => messages.subject_errors,
                _ => {
                    as_the_student_builds(lab, exercise, subject).unwrap_or(messages.subject_errors)
                }
            },
        }),
        _ if !messages.scenario_errors.is_empty() => Err(BuildFailure::ApiChanged {
            errors: messages
                .scenario_errors
                .iter()
                .map(|e| without_help(e))
                .collect(),
            expected: shipped_signatures_changed(lab, exercise, subject),
        }),
        _ if !messages.other_errors.is_empty() => Err(BuildFailure::Tool {
            message: format!(
                "the grader's own code does not compile:\n{}",
                messages.other_errors.join("\n")
            ),
        }),
        _ => Err(BuildFailure::Tool {
            message: format!(
                "cargo build ended with {} and no compiler error:\n{}",
                finished.describe_status(),
                process::last_lines(&finished.stderr, 15)
            ),
        }),
    }
}

/// The subject's compiler errors as the student's own `cargo build` gives them: the
/// subject alone, against the facade without features. The explorers' builds compile
/// the facade over loom's or shuttle's types, so their errors can point into those
/// crates' sources (`~/.cargo/registry/…/loom-0.7.3/src/sync/arc.rs`), which the
/// student never builds; every stage reports these instead, the same for all. `None`
/// when that build cannot be run or finds no error of the subject's.
fn as_the_student_builds(lab: &Lab, exercise: &Exercise, subject: &Subject) -> Option<Vec<String>> {
    let project = runner_dir(lab, exercise, subject).join("subject");
    let mut command = Command::new(cargo_binary());
    command
        .arg("check")
        .arg("--message-format=json")
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(lab.work_dir().join("build").join(Flavor::Std.name()))
        .current_dir(&project);
    clean_cargo_env(&mut command);
    let finished = process::run(command, BUILD_TIMEOUT, 16 << 20).ok()?;
    let errors = parse_messages(&finished.stdout, subject).subject_errors;
    (!finished.timed_out && !errors.is_empty()).then_some(errors)
}

/// The cargo to run: the one that started us, if any, so the toolchain stays the same.
pub fn cargo_binary() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Removes settings inherited from an outer cargo or the user's shell that would
/// change how the runner is built.
pub fn clean_cargo_env(command: &mut Command) {
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        command.env_remove(var);
    }
    command
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_TERM_PROGRESS_WHEN", "never");
}

/// Writes (or refreshes) the runner project of `subject` for `flavor`; returns its
/// folder.
fn write_project(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    flavor: Flavor,
    regrade: Regrade,
) -> std::io::Result<PathBuf> {
    let runner = runner_dir(lab, exercise, subject);
    let project = runner.join(flavor.name());
    fs::create_dir_all(runner.join("subject"))?;
    fs::create_dir_all(&project)?;
    let package = format!("racelab-runner-{}-{}", exercise.id, subject.key);
    // A package name of its own per subject (its library is still called `subject`):
    // cargo then keeps each subject's compiled crate apart in the shared target
    // directory, so grading a subject again after others rebuilds nothing.
    let subject_package = format!("subject-{}-{}", exercise.id, subject.key);
    let sync = lab.root.join("sync");
    let harness = lab.root.join("grader").join("harness");
    let paths = manifest::Paths {
        lib: utf8(&subject.lib)?,
        sync: utf8(&sync)?,
        harness: utf8(&harness)?,
    };
    write_if_changed(
        &runner.join("subject").join("Cargo.toml"),
        &manifest::subject(&subject_package, paths),
    )?;
    let about = format!(
        "the scenario of {} run against one subject, {} flavor (the harness's feature selects the facade's backend)",
        exercise.id,
        flavor.name()
    );
    write_if_changed(
        &project.join("Cargo.toml"),
        &manifest::runner(
            &package,
            &subject_package,
            flavor.feature(),
            paths,
            flavor.optimise(),
            regrade,
            &about,
        ),
    )?;
    // A scenario file with a sequential model (`pub struct Spec`) also serves the
    // spec stage.
    let entry = if exercise.stages.spec.is_some() {
        "run_with_model::<scenario::Spec>"
    } else {
        "run"
    };
    write_if_changed(
        &project.join("main.rs"),
        &manifest::main_rs(&lab.scenario_path(exercise), entry),
    )?;
    // Start from the workspace's lock file, so the runner (and the subject built
    // alone) uses the same, already downloaded versions of loom, shuttle and the rest.
    for lock in [
        project.join("Cargo.lock"),
        runner.join("subject").join("Cargo.lock"),
    ] {
        if !lock.exists() {
            let _ = fs::copy(lab.root.join("Cargo.lock"), &lock);
        }
    }
    Ok(project)
}

/// The folder of `subject`'s runner projects: `target/racelab/runners/<ex>-<key>/`.
fn runner_dir(lab: &Lab, exercise: &Exercise, subject: &Subject) -> PathBuf {
    lab.work_dir()
        .join("runners")
        .join(format!("{}-{}", exercise.id, subject.key))
}

/// `path` as UTF-8, which cargo needs in a manifest.
fn utf8(path: &Path) -> std::io::Result<&str> {
    path.to_str().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not valid UTF-8, which cargo needs", path.display()),
        )
    })
}

/// Writes `text` unless the file already holds it, so cargo sees no change.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text)
}

/// The shipped signatures `subject` changed, read from the exercise's first reference
/// solution (which keeps the API the scenario calls).
fn shipped_signatures_changed(lab: &Lab, exercise: &Exercise, subject: &Subject) -> Vec<String> {
    let read = |dir: &Path| fs::read_to_string(dir.join("src/lib.rs")).ok();
    let reference = exercise
        .solutions
        .first()
        .and_then(|dir| read(&lab.root.join(dir)));
    match (reference, read(&subject.dir)) {
        (Some(reference), Some(theirs)) => crate::api::changed_signatures(&reference, &theirs),
        _ => Vec::new(),
    }
}

/// A rendered error without its `help:` sections: in the scenario they suggest editing
/// the grader's code, and the fix belongs in the subject.
fn without_help(rendered: &str) -> String {
    let mut kept = Vec::new();
    let mut in_help = false;
    for line in rendered.lines() {
        if line.starts_with("help:") {
            in_help = true;
        } else if line.starts_with("note:") || line.starts_with("error") {
            in_help = false;
        }
        if !in_help {
            kept.push(line);
        }
    }
    kept.join("\n").trim_end().to_owned()
}

/// What cargo's JSON messages say: the runner's executable and the compiler errors,
/// sorted by whose code they are in.
#[derive(Debug, Default)]
struct BuildMessages {
    executable: Option<PathBuf>,
    subject_errors: Vec<String>,
    scenario_errors: Vec<String>,
    other_errors: Vec<String>,
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    executable: Option<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    is_primary: bool,
}

fn parse_messages(stdout: &str, subject: &Subject) -> BuildMessages {
    let mut found = BuildMessages::default();
    let subject_prefix = format!("{}/", subject.dir.display());
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let Ok(message) = serde_json::from_str::<CargoMessage>(line) else {
            continue;
        };
        match (message.reason.as_str(), message.executable, message.message) {
            ("compiler-artifact", Some(executable), _) => found.executable = Some(executable),
            ("compiler-message", _, Some(diagnostic)) if diagnostic.level == "error" => {
                let rendered = diagnostic.rendered.unwrap_or_default();
                if rendered.starts_with("aborting") {
                    continue;
                }
                let primary = diagnostic
                    .spans
                    .iter()
                    .find(|s| s.is_primary)
                    .map(|s| s.file_name.as_str());
                let errors = match primary {
                    Some(file) if file.starts_with(&subject_prefix) => &mut found.subject_errors,
                    Some(file) if file.contains("/grader/scenarios/") => &mut found.scenario_errors,
                    // An error with no primary span is the crate's as a whole; the
                    // subject is the only crate that changes between builds.
                    None => &mut found.subject_errors,
                    Some(_) => &mut found.other_errors,
                };
                if errors.len() < ERRORS_KEPT {
                    let relative = rendered.replace(&subject_prefix, "");
                    errors.push(facade_paths::in_facade_terms(relative.trim_end()));
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::{BuildFailure, parse_messages, without_help};

    #[test]
    fn a_compile_failure_says_in_one_line_where_the_compiler_stops() {
        let failure = BuildFailure::Compile {
            errors: vec![
                "error[E0277]: `Rc<Cell<u64>>` cannot be sent\n  --> src/lib.rs:51:27\n   |".into(),
            ],
        };
        assert_eq!(
            failure.to_string(),
            "does not compile: the compiler stops at src/lib.rs:51 (its errors are below)"
        );
        let whole_crate = BuildFailure::Compile {
            errors: vec!["error: linking failed".into()],
        };
        assert_eq!(
            whole_crate.to_string(),
            "does not compile (the compiler's errors are below)"
        );
    }

    #[test]
    fn rustc_s_help_on_editing_the_scenario_is_left_out() {
        let rendered = "error[E0308]: mismatched types\n  --> grader/scenarios/ex01.rs:33:37\n   |\nnote: method defined here\n  --> src/lib.rs:49:12\nhelp: you can convert a `u64` to a `u32`\n   |\n33 |   x.try_into().unwrap()";
        let kept = without_help(rendered);
        assert!(kept.starts_with("error[E0308]") && kept.contains("src/lib.rs:49:12"));
        assert!(
            !kept.contains("help") && !kept.contains("try_into"),
            "{kept}"
        );
    }
    use crate::subject::Subject;
    use std::path::PathBuf;

    fn subject() -> Subject {
        Subject {
            dir: PathBuf::from("/home/student/ex01"),
            lib: PathBuf::from("/home/student/ex01/src/lib.rs"),
            label: "ex01".into(),
            key: "0".into(),
        }
    }

    #[test]
    fn finds_the_executable_and_the_errors_with_subject_relative_paths() {
        let stdout = [
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0308]: mismatched types\n --> /home/student/ex01/src/lib.rs:12:5\n","spans":[{"file_name":"/home/student/ex01/src/lib.rs","is_primary":true}]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0599]: no method named `finish`","spans":[{"file_name":"/work/racelab/grader/scenarios/ex01.rs","is_primary":true}]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"warning","rendered":"warning: unused"}}"#,
            r#"{"reason":"compiler-artifact","executable":"/t/release/runner"}"#,
            "not json",
        ]
        .join("\n");
        let found = parse_messages(&stdout, &subject());
        assert_eq!(found.executable, Some(PathBuf::from("/t/release/runner")));
        assert_eq!(
            found.subject_errors,
            ["error[E0308]: mismatched types\n --> src/lib.rs:12:5"]
        );
        assert_eq!(
            found.scenario_errors,
            ["error[E0599]: no method named `finish`"]
        );
        assert!(found.other_errors.is_empty());
    }
}
