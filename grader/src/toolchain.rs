//! Finding a toolchain that can build ThreadSanitizer runners, and provisioning one
//! when none is there.
//!
//! ThreadSanitizer needs an instrumented standard library: against the prebuilt std
//! it reports races inside correct `Mutex`/`Arc` code. In order of preference:
//!
//! 1. rustup's `nightly` with the `x86_64-unknown-linux-gnutsan` target, whose std
//!    ships instrumented (toolchains from 1.96 on);
//! 2. rustup's `nightly` with `rust-src`, rebuilding std with `-Zbuild-std`
//!    (`rust-src` is added when missing, with a short timeout; when rustup has no
//!    nightly at all, `rustup toolchain install nightly --profile minimal --component
//!    rust-src` installs one, as the user running the grade, within
//!    [`INSTALL_TIMEOUT`]);
//! 3. Debian's `rustc-web`/`cargo-web`/`rust-web-src` with clang's TSan runtime of
//!    the same LLVM (`libclang-rt-<N>-dev`), rebuilding std with `RUSTC_BOOTSTRAP=1`
//!    (installed with apt when running as root);
//! 4. none: the stage is `skipped`, with the commands that would fix it.
//!
//! Longer than most modules (about 680 lines, a third of them tests): the four ways
//! share their probes (versions, installed components, runtimes), and `doctor` and
//! the build read the one [`TsanToolchain`] they produce; split, each part would
//! reach into the others.

use crate::process;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The host target, the only one the lab grades on.
pub const HOST: &str = "x86_64-unknown-linux-gnu";
/// The target whose prebuilt std is instrumented for ThreadSanitizer.
pub const TSAN_TARGET: &str = "x86_64-unknown-linux-gnutsan";

/// How long one provisioning command may take.
const PROVISION_TIMEOUT: Duration = Duration::from_secs(240);

/// How long installing rustup's nightly toolchain may take (a few hundred MB).
pub const INSTALL_TIMEOUT: Duration = Duration::from_secs(900);

/// What installs the nightly toolchain the stage needs, as the user, through rustup
/// (without updating rustup itself: that is the user's business, and fails where
/// rustup lives outside `CARGO_HOME`).
pub const INSTALL_NIGHTLY: [&str; 8] = [
    "toolchain",
    "install",
    "nightly",
    "--profile",
    "minimal",
    "--component",
    "rust-src",
    "--no-self-update",
];

/// How long one probe (`rustc --version`, `rustup target list`…) may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// A toolchain that builds ThreadSanitizer runners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsanToolchain {
    /// What it is, for reports: e.g. "rustup nightly (rustc 1.97.0-nightly …), -Zbuild-std".
    pub description: String,
    /// The cargo to run, and the arguments that select the toolchain.
    program: PathBuf,
    args: Vec<String>,
    /// Environment to set for cargo (e.g. `RUSTC`, `RUSTC_BOOTSTRAP`).
    env: Vec<(String, String)>,
    /// The `--target` to build for.
    pub target: String,
    /// Whether std is rebuilt with `-Zbuild-std` (and `-Zsanitizer=thread` passed).
    pub build_std: bool,
    /// The TSan runtime archive the runner links, when found: its weak hooks are the
    /// symbols a subject must not define (see `stages::tsan::silencer`).
    pub runtime: Option<PathBuf>,
    /// Features this (older) rustc must be told to enable in the lab's crates, which
    /// use them as stable (Debian's 1.85 and let chains): see [`TsanToolchain::cargo`].
    gates: Vec<String>,
}

/// The rustc wrapper that enables [`TsanToolchain`]'s feature gates in every crate but
/// std's and registry crates (std declares some of them itself, and declaring a
/// feature twice is an error). Cargo runs it as `wrapper RUSTC ARGS…`.
const GATES_WRAPPER: &str = r#"#!/bin/sh
# Written by the Racelab grader: enables feature gates this rustc still needs.
rustc="$1"; shift
case "$*" in
  *"/lib/rustlib/src/"*|*"/.cargo/registry/"*|*"/.cargo/git/"*) exec "$rustc" "$@" ;;
esac
for arg in "$@"; do
  case "$arg" in -vV|-V|--version|--print*) exec "$rustc" "$@" ;; esac
done
exec "$rustc" "$@" GATES
"#;

impl TsanToolchain {
    /// A `cargo` command of this toolchain, with settings that would pick another
    /// toolchain removed. `tools` is a folder of the grader's where it may write the
    /// wrapper that enables the toolchain's feature gates, when it needs one.
    pub fn cargo(&self, tools: &Path) -> std::io::Result<Command> {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        for var in [
            "RUSTUP_TOOLCHAIN",
            "CARGO",
            "RUSTC",
            "RUSTDOC",
            "RUSTC_WRAPPER",
        ] {
            command.env_remove(var);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if !self.gates.is_empty() {
            let gates: Vec<String> = self
                .gates
                .iter()
                .map(|g| format!("'-Zcrate-attr=feature({g})'"))
                .collect();
            let wrapper = tools.join("rustc-feature-gates");
            let text = GATES_WRAPPER.replace("GATES", &gates.join(" "));
            if std::fs::read_to_string(&wrapper).ok().as_deref() != Some(text.as_str()) {
                use std::os::unix::fs::PermissionsExt;
                std::fs::create_dir_all(tools)?;
                std::fs::write(&wrapper, &text)?;
                std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
            }
            command.env("RUSTC_WRAPPER", &wrapper);
        }
        Ok(command)
    }

    /// The cargo arguments and rustc flags that build for ThreadSanitizer.
    pub fn build_args(&self) -> (Vec<String>, Vec<String>) {
        let mut args = vec!["--target".to_owned(), self.target.clone()];
        let mut rustflags = Vec::new();
        if self.build_std {
            args.push("-Zbuild-std".into());
            rustflags.push("-Zsanitizer=thread".into());
        }
        (args, rustflags)
    }
}

/// Finds a TSan-capable toolchain; with `provision`, installs what is missing. `say`
/// hears what is being done (an install can take minutes). `Err` is the reason the
/// stage must be skipped, with the commands that would fix it.
pub fn find_tsan(provision: bool, say: &mut dyn FnMut(&str)) -> Result<TsanToolchain, Unavailable> {
    // Parallel grades of a newcomer's first run (a batch, the test suite) would each
    // start installing nightly at once; one installs while the others wait, then find it.
    let _installing = provision.then(provisioning_lock).flatten();
    find_tsan_with(Path::new("rustup"), find_debian, provision, say)
}

/// Holds the machine-wide provisioning lock (`flock` on a file in the temporary
/// folder, per user) until dropped; `None` if it cannot be had, and then grades
/// provision unguarded, as before.
fn provisioning_lock() -> Option<std::fs::File> {
    let uid = rustix::process::geteuid().as_raw();
    let path = std::env::temp_dir().join(format!("racelab-provisioning-{uid}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    file.lock().ok()?;
    Some(file)
}

/// How Debian's toolchain is looked for (and installed): [`find_debian`], or a test's
/// stand-in, so no test depends on what the machine has installed.
type DebianProbe = fn(bool, &mut dyn FnMut(&str)) -> Result<TsanToolchain, Option<String>>;

/// [`find_tsan`] with `rustup` as the rustup program and `debian` as the probe for
/// Debian's toolchain.
fn find_tsan_with(
    rustup: &Path,
    debian: DebianProbe,
    provision: bool,
    say: &mut dyn FnMut(&str),
) -> Result<TsanToolchain, Unavailable> {
    let mut version = rustup_nightly(rustup);
    if version.is_none() && provision && has_rustup(rustup) {
        version = install_nightly(rustup, say);
    }
    if let Some(version) = version {
        if installed(rustup, "target", TSAN_TARGET) {
            return Ok(rustup_toolchain(rustup, &version, TSAN_TARGET, false));
        }
        if installed(rustup, "component", "rust-src") {
            return Ok(rustup_toolchain(rustup, &version, HOST, true));
        }
        if provision {
            say("adding rust-src to the nightly toolchain (to build an instrumented std)");
            if run_quietly(Command::new(rustup).args([
                "component",
                "add",
                "rust-src",
                "--toolchain",
                "nightly",
            ])) {
                return Ok(rustup_toolchain(rustup, &version, HOST, true));
            }
        }
    }
    let failure = match debian(provision, say) {
        Ok(toolchain) => return Ok(toolchain),
        Err(None) => String::new(),
        Err(Some(why)) => format!(" ({why})"),
    };
    Err(Unavailable(format!(
        "no toolchain here can build an instrumented std for ThreadSanitizer{}{failure}. Fix it with\n  \
         rustup {install}\n\
         or, on Debian 12 as root:\n  \
         apt-get install rustc-web cargo-web rust-web-src libclang-rt-19-dev\n  \
         ln -s /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.tsan-x86_64.a \\\n    \
         /usr/lib/rustlib/{HOST}/lib/librustc-stable_rt.tsan.a\n\
         (19 being the LLVM version `rustc -vV` names), then grade again (`cargo xtask doctor` shows what the stages will use)",
        if provision {
            ""
        } else {
            " (and --no-provision forbids installing one)"
        },
        install = INSTALL_NIGHTLY.join(" "),
    )))
}

/// Why no ThreadSanitizer toolchain could be had: the reason the stage is skipped,
/// with the commands that would fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Installs rustup's nightly with `rust-src` ([`INSTALL_NIGHTLY`]) as the user running
/// the grade, within [`INSTALL_TIMEOUT`], saying how it goes; returns its `rustc
/// --version` when it is there afterwards.
fn install_nightly(rustup: &Path, say: &mut dyn FnMut(&str)) -> Option<String> {
    say(&format!(
        "installing rustup's nightly toolchain with rust-src, as {} (once; a few minutes): rustup {}",
        user_name(),
        INSTALL_NIGHTLY.join(" ")
    ));
    let mut command = Command::new(rustup);
    command.args(INSTALL_NIGHTLY);
    let mut still = |elapsed: Duration| {
        say(&format!(
            "still installing nightly ({} s so far, at most {} s)",
            elapsed.as_secs(),
            INSTALL_TIMEOUT.as_secs()
        ));
    };
    let finished = process::run_with_progress(command, INSTALL_TIMEOUT, 64 << 10, &mut still);
    // What counts is whether nightly is there now, whatever rustup's status.
    if let Some(version) = rustup_nightly(rustup) {
        return Some(version);
    }
    match finished {
        Ok(finished) if finished.timed_out => say(&format!(
            "rustup did not install nightly within {} s; stopped",
            INSTALL_TIMEOUT.as_secs()
        )),
        Ok(finished) => say(&format!(
            "rustup could not install nightly ({}): {}",
            finished.describe_status(),
            process::last_lines(&finished.stderr, 3)
        )),
        Err(e) => say(&format!("cannot run rustup: {e}")),
    }
    None
}

/// Debian's toolchain (step 3 of the module's list); with `provision`, installed when
/// running as root with apt. `Err(Some(why))` when an install was tried and failed.
pub fn find_debian(
    provision: bool,
    say: &mut dyn FnMut(&str),
) -> Result<TsanToolchain, Option<String>> {
    if let Some(toolchain) = debian_toolchain() {
        return Ok(toolchain);
    }
    if !(provision && is_root() && which("apt-get").is_some()) {
        return Err(None);
    }
    say(
        "installing Debian's rustc-web, cargo-web, rust-web-src and clang's TSan runtime (a few minutes)",
    );
    install_debian_toolchain()?;
    debian_toolchain()
        .ok_or_else(|| Some("Debian's toolchain was installed, but is still unusable".to_owned()))
}

/// `rustc --version` of rustup's nightly, if rustup has one.
fn rustup_nightly(rustup: &Path) -> Option<String> {
    probe(Command::new(rustup).args(["run", "nightly", "rustc", "--version"]))
}

/// Whether [`find_tsan`] can install nightly itself: rustup is on `PATH`.
pub fn rustup_on_path() -> bool {
    has_rustup(Path::new("rustup"))
}

/// Whether `rustup` answers at all (it is installed and on `PATH`).
fn has_rustup(rustup: &Path) -> bool {
    probe(Command::new(rustup).arg("--version")).is_some()
}

/// The name of the user the grader runs as, for what it says it installs.
fn user_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| format!("uid {}", rustix::process::geteuid().as_raw()))
}

/// Whether nightly has the rustup `kind` (`target`, `component`) named `name`.
fn installed(rustup: &Path, kind: &str, name: &str) -> bool {
    probe(Command::new(rustup).args([kind, "list", "--installed", "--toolchain", "nightly"]))
        .is_some_and(|listing| listing.lines().any(|l| l.trim().starts_with(name)))
}

fn rustup_toolchain(rustup: &Path, version: &str, target: &str, build_std: bool) -> TsanToolchain {
    let how = if build_std {
        "std rebuilt with -Zbuild-std"
    } else {
        "its instrumented std"
    };
    let sysroot =
        probe(Command::new(rustup).args(["run", "nightly", "rustc", "--print", "sysroot"]))
            .map(PathBuf::from);
    let runtime = sysroot.and_then(|sysroot| {
        [target, HOST]
            .iter()
            .find_map(|t| tsan_runtime_in(&sysroot.join(format!("lib/rustlib/{t}/lib"))))
    });
    TsanToolchain {
        description: format!("rustup nightly ({version}), target {target}, {how}"),
        program: rustup.to_owned(),
        args: ["run", "nightly", "cargo"].map(String::from).to_vec(),
        env: Vec::new(),
        target: target.to_owned(),
        build_std,
        runtime,
        gates: Vec::new(),
    }
}

/// The TSan runtime archive rustc links from `dir` (`librustc-<channel>_rt.tsan.a`).
fn tsan_runtime_in(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("_rt.tsan.a"))
        })
        .collect();
    found.sort();
    found.pop()
}

/// Debian's rustc, if it has the library source and a TSan runtime under the name
/// rustc links.
fn debian_toolchain() -> Option<TsanToolchain> {
    let (cargo, rustc) = (Path::new("/usr/bin/cargo"), Path::new("/usr/bin/rustc"));
    if !cargo.is_file() || !rustc.is_file() {
        return None;
    }
    let sysroot = PathBuf::from(probe(Command::new(rustc).args(["--print", "sysroot"]))?);
    let source = sysroot.join("lib/rustlib/src/rust/library");
    let runtime = debian_runtime_link(&sysroot);
    if !source.is_dir() || !runtime.exists() {
        return None;
    }
    let version = probe(Command::new(rustc).arg("--version"))?;
    // The lab is edition 2024 code that uses let chains, stable from 1.88 on.
    let gates = match rustc_minor(&version) {
        Some(minor) if minor < 88 => vec!["let_chains".to_owned()],
        _ => Vec::new(),
    };
    Some(TsanToolchain {
        description: format!(
            "Debian {version} with RUSTC_BOOTSTRAP=1, std rebuilt with -Zbuild-std"
        ),
        program: cargo.to_owned(),
        args: Vec::new(),
        env: vec![
            ("RUSTC".into(), rustc.display().to_string()),
            ("RUSTC_BOOTSTRAP".into(), "1".into()),
        ],
        target: HOST.to_owned(),
        build_std: true,
        runtime: Some(runtime),
        gates,
    })
}

/// `85` in `rustc 1.85.0 (…)`.
fn rustc_minor(version: &str) -> Option<u32> {
    version
        .split_whitespace()
        .nth(1)?
        .split('.')
        .nth(1)?
        .parse()
        .ok()
}

/// Where Debian's (stable-channel) rustc looks for the TSan runtime.
fn debian_runtime_link(sysroot: &Path) -> PathBuf {
    sysroot.join(format!("lib/rustlib/{HOST}/lib/librustc-stable_rt.tsan.a"))
}

/// Installs Debian's toolchain, then clang's TSan runtime of the LLVM that rustc was
/// built with, linked where rustc looks for it. `Err` says which step failed.
fn install_debian_toolchain() -> Result<(), String> {
    apt_install(&["rustc-web", "cargo-web", "rust-web-src"])?;
    let rustc = Path::new("/usr/bin/rustc");
    let llvm = probe(Command::new(rustc).arg("-vV"))
        .and_then(|info| llvm_major(&info))
        .ok_or("`/usr/bin/rustc -vV` names no LLVM version")?;
    apt_install(&[&format!("libclang-rt-{llvm}-dev")])?;
    let runtime = clang_tsan_runtime(llvm)
        .ok_or_else(|| format!("libclang-rt-{llvm}-dev has no x86_64 TSan runtime"))?;
    let sysroot = probe(Command::new(rustc).args(["--print", "sysroot"]))
        .ok_or_else(|| format!("`{} --print sysroot` failed", rustc.display()))?;
    let link = debian_runtime_link(Path::new(&sysroot));
    if link.exists() {
        return Ok(());
    }
    // A dangling link from an older LLVM would stop the new one from being made.
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&runtime, &link)
        .map_err(|e| format!("cannot link {}: {e}", link.display()))
}

/// `apt-get install` of `packages`, after an `apt-get update` if the first try fails.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let install = || {
        let mut command = Command::new("apt-get");
        command.args(["install", "-y", "-qq"]).args(packages);
        run_quietly(&mut command)
    };
    if install() || (run_quietly(Command::new("apt-get").args(["update", "-qq"])) && install()) {
        Ok(())
    } else {
        Err(format!("`apt-get install {}` failed", packages.join(" ")))
    }
}

/// The major version in the `LLVM version: 19.1.7` line of `rustc -vV`.
fn llvm_major(version_info: &str) -> Option<u32> {
    version_info
        .lines()
        .find_map(|l| l.strip_prefix("LLVM version: "))
        .and_then(|v| v.trim().split('.').next()?.parse().ok())
}

/// clang's x86_64 TSan runtime from `libclang-rt-<llvm>-dev`, in either of the
/// layouts LLVM installs its runtimes in.
fn clang_tsan_runtime(llvm: u32) -> Option<PathBuf> {
    let clang = PathBuf::from(format!("/usr/lib/llvm-{llvm}/lib/clang"));
    std::fs::read_dir(&clang)
        .ok()?
        .flatten()
        .find_map(|version| {
            let lib = version.path().join("lib");
            [
                lib.join("linux/libclang_rt.tsan-x86_64.a"),
                lib.join("x86_64-pc-linux-gnu/libclang_rt.tsan.a"),
            ]
            .into_iter()
            .find(|path| path.is_file())
        })
}

/// The trimmed standard output of `command` (a toolchain probe, never interactive),
/// when it succeeds within [`PROBE_TIMEOUT`].
fn probe(command: &mut Command) -> Option<String> {
    probe_within(command, PROBE_TIMEOUT)
}

/// [`probe`] with its own deadline: past it the command (and what it started) is
/// killed and the probe answers nothing.
fn probe_within(command: &Command, timeout: Duration) -> Option<String> {
    let mut owned = owned(command);
    // A probe never installs: recent rustups install a missing toolchain on use.
    owned
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("RUSTUP_AUTO_INSTALL", "0");
    process::run(owned, timeout, 1 << 20)
        .ok()
        .filter(|finished| finished.succeeded())
        .map(|finished| finished.stdout.trim().to_owned())
}

/// A copy of `command` (program, arguments, environment) to hand over by value.
fn owned(command: &Command) -> Command {
    let mut owned = Command::new(command.get_program());
    owned.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => owned.env(key, value),
            None => owned.env_remove(key),
        };
    }
    owned
}

fn run_quietly(command: &mut Command) -> bool {
    let mut owned = owned(command);
    owned
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("DEBIAN_FRONTEND", "noninteractive");
    process::run(owned, PROVISION_TIMEOUT, 64 << 10).is_ok_and(|f| f.succeeded())
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The first `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::{HOST, TsanToolchain, llvm_major, probe_within};
    use std::path::PathBuf;
    use std::process::Command;
    use std::time::{Duration, Instant};

    #[test]
    fn a_probe_answers_or_is_stopped_at_its_deadline() {
        let answer = probe_within(Command::new("echo").arg("sysroot"), Duration::from_secs(10));
        assert_eq!(answer.as_deref(), Some("sysroot"));
        let started = Instant::now();
        let answer = probe_within(Command::new("sleep").arg("30"), Duration::from_millis(200));
        assert_eq!(answer, None);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn build_std_toolchains_pass_the_sanitizer_flag_and_an_explicit_target() {
        let toolchain = TsanToolchain {
            description: String::new(),
            program: PathBuf::from("rustup"),
            args: Vec::new(),
            env: Vec::new(),
            target: HOST.into(),
            build_std: true,
            runtime: None,
            gates: Vec::new(),
        };
        let (args, rustflags) = toolchain.build_args();
        assert_eq!(args, ["--target", HOST, "-Zbuild-std"]);
        assert_eq!(rustflags, ["-Zsanitizer=thread"]);
    }

    #[test]
    fn the_tsan_target_needs_neither_build_std_nor_the_flag() {
        let toolchain = TsanToolchain {
            description: String::new(),
            program: PathBuf::from("rustup"),
            args: Vec::new(),
            env: Vec::new(),
            target: super::TSAN_TARGET.into(),
            build_std: false,
            runtime: None,
            gates: Vec::new(),
        };
        let (args, rustflags) = toolchain.build_args();
        assert_eq!(args, ["--target", super::TSAN_TARGET]);
        assert!(rustflags.is_empty());
    }

    #[test]
    fn the_llvm_major_version_is_read_from_rustc_vv() {
        let info = "rustc 1.85.0 (4d91de4e4 2025-02-17) (built from a source tarball)\n\
                    binary: rustc\nhost: x86_64-unknown-linux-gnu\nrelease: 1.85.0\n\
                    LLVM version: 19.1.7\n";
        assert_eq!(llvm_major(info), Some(19));
        assert_eq!(llvm_major("rustc 1.85.0\n"), None);
        assert_eq!(super::rustc_minor(info.lines().next().unwrap()), Some(85));
    }

    #[test]
    fn an_older_rustc_gets_its_feature_gates_through_a_wrapper() {
        let tools = tempfile::tempdir().unwrap();
        let toolchain = TsanToolchain {
            description: String::new(),
            program: PathBuf::from("/usr/bin/cargo"),
            args: Vec::new(),
            env: Vec::new(),
            target: HOST.into(),
            build_std: true,
            runtime: None,
            gates: vec!["let_chains".into()],
        };
        let command = toolchain.cargo(tools.path()).unwrap();
        let wrapper = tools.path().join("rustc-feature-gates");
        let set: Vec<_> = command
            .get_envs()
            .filter(|(k, _)| *k == "RUSTC_WRAPPER")
            .filter_map(|(_, v)| v)
            .collect();
        assert_eq!(set, [wrapper.as_os_str()]);
        let script = std::fs::read_to_string(&wrapper).unwrap();
        assert!(script.ends_with("exec \"$rustc\" \"$@\" '-Zcrate-attr=feature(let_chains)'\n"));
    }
}

#[cfg(test)]
mod provisioning {
    use super::{INSTALL_NIGHTLY, TsanToolchain, Unavailable, find_tsan_with, install_nightly};

    /// A machine without Debian's toolchain, whatever this one has installed.
    fn no_debian(_: bool, _: &mut dyn FnMut(&str)) -> Result<TsanToolchain, Option<String>> {
        Err(None)
    }
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    /// A rustup that has no nightly until `toolchain install` succeeds (it fails
    /// when the folder holds `offline`), logging every call in `calls`.
    fn fake_rustup(dir: &Path) -> PathBuf {
        let script = r#"#!/bin/sh
state="$(dirname "$0")"
echo "$*" >> "$state/calls"
case "$*" in
  "--version") echo "rustup 1.28.2 (fake)" ;;
  "toolchain install nightly --profile minimal --component rust-src --no-self-update")
    [ -e "$state/offline" ] && { echo "error: could not download nightly" >&2; exit 1; }
    touch "$state/nightly" ;;
  "run nightly rustc --version") [ -e "$state/nightly" ] && echo "rustc 1.99.0-nightly (fake)" ;;
  "run nightly rustc --print sysroot") [ -e "$state/nightly" ] && echo "$state/sysroot" ;;
  "component list --installed --toolchain nightly") [ -e "$state/nightly" ] && echo "rust-src" ;;
  "target list --installed --toolchain nightly") [ -e "$state/nightly" ] && echo "x86_64-unknown-linux-gnu" ;;
  *) exit 1 ;;
esac
"#;
        let path = dir.join("rustup");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn calls(dir: &Path) -> Vec<String> {
        std::fs::read_to_string(dir.join("calls"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn without_a_nightly_rustup_installs_one_then_the_stage_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let rustup = fake_rustup(dir.path());
        let mut said = Vec::new();
        let found = find_tsan_with(&rustup, no_debian, true, &mut |what| {
            said.push(what.to_owned())
        })
        .unwrap();
        assert!(found.build_std, "{found:?}");
        assert!(found.description.contains("1.99.0-nightly"), "{found:?}");
        let install = INSTALL_NIGHTLY.join(" ");
        assert_eq!(
            calls(dir.path()).iter().filter(|c| **c == install).count(),
            1
        );
        assert!(
            said.iter()
                .any(|s| s.contains("installing rustup's nightly")),
            "{said:?}"
        );
        // Found the second time, without installing again.
        find_tsan_with(&rustup, no_debian, true, &mut |_| {}).unwrap();
        assert_eq!(
            calls(dir.path()).iter().filter(|c| **c == install).count(),
            1
        );
    }

    #[test]
    fn no_provision_installs_nothing_and_a_failed_install_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let rustup = fake_rustup(dir.path());
        let skipped = find_tsan_with(&rustup, no_debian, false, &mut |_| {});
        assert!(
            !calls(dir.path())
                .iter()
                .any(|c| c.starts_with("toolchain install"))
        );
        let Err(Unavailable(reason)) = skipped else {
            panic!("found a toolchain on a machine with none: {skipped:?}");
        };
        assert!(reason.contains("--no-provision"), "{reason}");
        assert!(reason.contains(&INSTALL_NIGHTLY.join(" ")), "{reason}");

        std::fs::write(dir.path().join("offline"), "").unwrap();
        let mut said = Vec::new();
        let installed = install_nightly(&rustup, &mut |what| said.push(what.to_owned()));
        assert_eq!(installed, None);
        assert!(
            said.iter().any(
                |s| s.contains("could not install nightly") && s.contains("could not download")
            ),
            "{said:?}"
        );
    }
}
