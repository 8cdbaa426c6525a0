//! The generated runner projects' files as data: each `Cargo.toml` is a serde struct
//! written with `toml::to_string`, so any path a submission can have (a decomposed
//! accent, a zero-width space, quotes, a backslash) is quoted by the TOML writer, never
//! by hand.

use crate::options::Regrade;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A generated `Cargo.toml`.
#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    package: Package<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lib: Option<Target<'a>>,
    #[serde(rename = "bin", skip_serializing_if = "Vec::is_empty")]
    bins: Vec<Target<'a>>,
    dependencies: BTreeMap<&'a str, Dependency<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lints: Option<Lints>,
    /// An empty `[workspace]`: the runner is a workspace of its own, whatever folder
    /// above it holds one.
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<Profiles>,
}

#[derive(Debug, Serialize)]
struct Package<'a> {
    name: &'a str,
    version: &'static str,
    edition: &'static str,
    publish: bool,
}

impl<'a> Package<'a> {
    fn named(name: &'a str) -> Self {
        Package {
            name,
            version: "0.0.0",
            edition: "2024",
            publish: false,
        }
    }
}

#[derive(Debug, Serialize)]
struct Target<'a> {
    name: &'a str,
    path: &'a str,
}

#[derive(Debug, Serialize)]
struct Dependency<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    features: Vec<&'a str>,
}

impl<'a> Dependency<'a> {
    fn at(path: &'a str) -> Self {
        Dependency {
            path,
            package: None,
            features: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Lints {
    rust: BTreeMap<&'static str, Level>,
}

#[derive(Debug, Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Debug, Serialize)]
struct Profiles {
    release: Profile,
}

#[derive(Debug, Serialize)]
struct Profile {
    debug: &'static str,
    incremental: bool,
    /// Per package: the runner's and the subject's.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    package: BTreeMap<String, PackageProfile>,
}

#[derive(Debug, Serialize)]
struct PackageProfile {
    #[serde(rename = "opt-level")]
    opt_level: u8,
    incremental: bool,
}

/// How much the code a change recompiles (the scenario's binary and the subject) is
/// optimised. Dependencies (loom, shuttle, the facade, the harness) are built once
/// and always fully optimised; their proc macros and build scripts keep cargo's
/// release `build-override` (`opt-level = 0`), as a cold grade compiles them four
/// times, once per flavor.
///
/// Whatever the level, the scenario's binary of a subject graded again after edits
/// ([`Regrade::AfterEdits`]) is compiled incrementally: after a change to the
/// subject, rustc reuses what the change leaves as it was (about half a second
/// instead of one on 2 cores). The subject and the dependencies are not: the subject
/// is compiled whole every time, so its code (where the races are) is the same as in
/// a build from scratch, and a grade's incremental data is its runner's alone
/// (`crate::clean` removes it with the grade's other builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimise {
    /// Fully, as the dependencies: real threads, whose races depend on how fast the
    /// code runs (the detection rates were measured so).
    Fully,
    /// Not at all (`opt-level = 0`): the explorers, whose verdicts depend on the
    /// schedules they try, not on how fast the code runs. The scenario's binary holds
    /// the harness's code instantiated for the subject's types (spec's model,
    /// proptest's strategies), and the subject instantiates the facade over loom's or
    /// shuttle's types, so optimising them was most of a build. Unoptimised frames
    /// are larger: the explorers give every spawned thread std's 2 MiB
    /// (`racelab_sync::explore`), and loom's 32 KiB `main` holds mostly the
    /// scenario's own frames, unoptimised before this too.
    Lightly,
}

impl Optimise {
    /// The `[profile.release]` of the runner `runner_package` whose subject is
    /// `subject_package`: the release profile for everything, but these two.
    fn profile(self, runner_package: &str, subject_package: &str, regrade: Regrade) -> Profile {
        let opt_level = match self {
            Optimise::Fully => 3,
            Optimise::Lightly => 0,
        };
        Profile {
            debug: "line-tables-only",
            incremental: false,
            package: BTreeMap::from([
                (
                    runner_package.to_owned(),
                    PackageProfile {
                        opt_level,
                        incremental: regrade == Regrade::AfterEdits,
                    },
                ),
                (
                    subject_package.to_owned(),
                    PackageProfile {
                        opt_level,
                        incremental: false,
                    },
                ),
            ]),
        }
    }
}

/// The paths a runner project names, all valid UTF-8 (cargo reads manifests as UTF-8;
/// a subject whose path is not is refused before any build, see `Subject::locate`).
#[derive(Debug, Clone, Copy)]
pub struct Paths<'a> {
    /// The subject's `src/lib.rs`.
    pub lib: &'a str,
    /// The facade crate, `sync/`.
    pub sync: &'a str,
    /// The harness crate, `grader/harness/`.
    pub harness: &'a str,
}

/// The subject's library: its own `src/lib.rs` under the name `subject`, with the
/// facade as its only dependency and no features (the same for every flavor).
/// `unexpected_cfgs` is allowed: a refused `cfg(loom)` never reaches a build, and
/// a `cfg(test)` item is not compiled. A workspace of its own, so that it also builds
/// alone, as the student builds it (`super::as_the_student_builds`).
pub fn subject(package: &str, paths: Paths<'_>) -> String {
    let manifest = Manifest {
        package: Package::named(package),
        lib: Some(Target {
            name: "subject",
            path: paths.lib,
        }),
        bins: Vec::new(),
        dependencies: BTreeMap::from([("racelab-sync", Dependency::at(paths.sync))]),
        lints: Some(Lints {
            rust: BTreeMap::from([("unexpected_cfgs", Level { level: "allow" })]),
        }),
        workspace: Some(BTreeMap::new()),
        profile: None,
    };
    written("the subject's src/ with the lab's facade", &manifest)
}

/// One flavor's runner: the scenario's binary, depending on the subject, the facade and
/// the harness with the flavor's `feature` (which selects the facade's backend).
pub fn runner(
    package: &str,
    subject_package: &str,
    feature: Option<&str>,
    paths: Paths<'_>,
    optimise: Optimise,
    regrade: Regrade,
    about: &str,
) -> String {
    let harness = Dependency {
        features: feature.into_iter().collect(),
        ..Dependency::at(paths.harness)
    };
    let subject = Dependency {
        package: Some(subject_package),
        ..Dependency::at("../subject")
    };
    let manifest = Manifest {
        package: Package::named(package),
        lib: None,
        bins: vec![Target {
            name: package,
            path: "main.rs",
        }],
        dependencies: BTreeMap::from([
            ("subject", subject),
            ("racelab-sync", Dependency::at(paths.sync)),
            ("racelab-harness", harness),
        ]),
        lints: None,
        workspace: Some(BTreeMap::new()),
        profile: Some(Profiles {
            release: optimise.profile(package, subject_package, regrade),
        }),
    };
    written(about, &manifest)
}

/// The runner's `main.rs`: the scenario file included by `#[path]`, handed to the
/// harness's `entry` (`run`, or `run_with_model::<scenario::Spec>`).
pub fn main_rs(scenario: &Path, entry: &str) -> String {
    // `{:?}` of a `str` is a valid Rust string literal (`\u{301}` is Rust's escape).
    let scenario = format!("{:?}", scenario.to_string_lossy());
    format!(
        "// Generated by the Racelab grader.\n#[path = {scenario}]\nmod scenario;\n\n\
         fn main() {{\n    racelab_harness::{entry}(scenario::round)\n}}\n"
    )
}

fn written(about: &str, manifest: &Manifest<'_>) -> String {
    let body = toml::to_string(manifest).expect("a runner manifest is plain TOML data");
    format!("# Generated by the Racelab grader: {about}.\n{body}")
}

#[cfg(test)]
mod tests {
    use super::{Optimise, Paths, Regrade, main_rs, runner, subject};

    /// Folder names a student's zip can produce: a decomposed accent (macOS), a
    /// zero-width space, DEL, spaces, quotes and a backslash.
    const AWKWARD: &str = "/home/jose\u{301}/Zo\u{200b}e\u{7f} \"q\" 'x' back\\slash";

    fn paths(lib: &str) -> Paths<'_> {
        Paths {
            lib,
            sync: "/lab/sync",
            harness: "/lab/grader/harness",
        }
    }

    #[test]
    fn manifests_for_awkward_paths_parse_back_to_the_same_paths() {
        let lib = format!("{AWKWARD}/src/lib.rs");
        let text = subject("subject-ex01-abc", paths(&lib));
        let table: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(table["lib"]["path"].as_str(), Some(lib.as_str()), "{text}");
        assert_eq!(table["lib"]["name"].as_str(), Some("subject"));
        assert_eq!(
            table["dependencies"]["racelab-sync"]["path"].as_str(),
            Some("/lab/sync")
        );
        assert!(table["workspace"].as_table().unwrap().is_empty());

        let text = runner(
            "racelab-runner-ex01-abc",
            "subject-ex01-abc",
            Some("loom"),
            Paths {
                lib: &lib,
                sync: AWKWARD,
                harness: AWKWARD,
            },
            Optimise::Lightly,
            Regrade::AfterEdits,
            "ex01, loom flavor",
        );
        let table: toml::Table = toml::from_str(&text).unwrap();
        let harness = &table["dependencies"]["racelab-harness"];
        assert_eq!(harness["path"].as_str(), Some(AWKWARD), "{text}");
        assert_eq!(harness["features"].as_array().unwrap().len(), 1);
        assert_eq!(
            table["dependencies"]["subject"]["package"].as_str(),
            Some("subject-ex01-abc")
        );
        assert_eq!(table["bin"][0]["path"].as_str(), Some("main.rs"));
        assert!(table["workspace"].as_table().unwrap().is_empty());
        let release = &table["profile"]["release"];
        assert_eq!(release["debug"].as_str(), Some("line-tables-only"));
        // What a change rebuilds, lightly; what it does not, fully, with cargo's
        // defaults for build scripts and proc macros (no `package."*"`).
        assert!(release.get("opt-level").is_none(), "{text}");
        assert_eq!(release["package"].as_table().unwrap().len(), 2, "{text}");
        for package in ["racelab-runner-ex01-abc", "subject-ex01-abc"] {
            assert_eq!(
                release["package"][package]["opt-level"].as_integer(),
                Some(0)
            );
        }
        // The runner alone is compiled incrementally.
        assert_eq!(release["incremental"].as_bool(), Some(false));
        let incremental = |package: &str| release["package"][package]["incremental"].as_bool();
        assert_eq!(incremental("racelab-runner-ex01-abc"), Some(true));
        assert_eq!(incremental("subject-ex01-abc"), Some(false));
    }

    /// The manifest of runner `r` of subject `s`, parsed, and its text.
    fn runner_r_of_s(
        feature: Option<&str>,
        optimise: Optimise,
        regrade: Regrade,
    ) -> (toml::Table, String) {
        let text = runner(
            "r",
            "s",
            feature,
            paths("/a/src/lib.rs"),
            optimise,
            regrade,
            "a test",
        );
        (toml::from_str(&text).unwrap(), text)
    }

    #[test]
    fn a_subject_graded_once_is_not_compiled_incrementally() {
        let (table, text) = runner_r_of_s(Some("shuttle"), Optimise::Lightly, Regrade::Once);
        let release = &table["profile"]["release"];
        assert_eq!(release["incremental"].as_bool(), Some(false), "{text}");
        for package in ["r", "s"] {
            assert_eq!(
                release["package"][package]["incremental"].as_bool(),
                Some(false),
                "{text}"
            );
        }
    }

    #[test]
    fn the_std_flavor_names_no_feature_and_is_fully_optimised() {
        let (table, text) = runner_r_of_s(None, Optimise::Fully, Regrade::AfterEdits);
        let release = &table["profile"]["release"];
        assert!(release.get("opt-level").is_none(), "{text}");
        assert_eq!(release["package"]["r"]["opt-level"].as_integer(), Some(3));
        assert_eq!(release["package"]["s"]["opt-level"].as_integer(), Some(3));
        assert!(
            table["dependencies"]["racelab-harness"]
                .get("features")
                .is_none(),
            "{text}"
        );
    }

    #[test]
    fn main_rs_quotes_the_scenario_path_as_rust_does() {
        let text = main_rs(std::path::Path::new(AWKWARD), "run");
        assert!(
            text.contains(
                r#"#[path = "/home/jose\u{301}/Zo\u{200b}e\u{7f} \"q\" 'x' back\\slash"]"#
            ),
            "{text}"
        );
        assert!(text.contains("racelab_harness::run(scenario::round)"));
    }
}
