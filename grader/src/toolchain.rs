//! Finding a toolchain that can build ThreadSanitizer runners, and provisioning one
//! when none is there.
//!
//! ThreadSanitizer needs an instrumented standard library: against the prebuilt std
//! it reports races inside correct `Mutex`/`Arc` code. In order of preference:
//!
//! 1. rustup's `nightly` with the `x86_64-unknown-linux-gnutsan` target, whose std
//!    ships instrumented (toolchains from 1.96 on);
//! 2. rustup's `nightly` with `rust-src`, rebuilding std with `-Zbuild-std`
//!    (`rust-src` is added when missing, with a short timeout);
//! 3. Debian's `rustc-web`/`cargo-web`/`rust-web-src` with clang's TSan runtime,
//!    rebuilding std with `RUSTC_BOOTSTRAP=1` (installed with apt when running as root);
//! 4. none: the stage is `skipped`, with the commands that would fix it.

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
}

impl TsanToolchain {
    /// A `cargo` command of this toolchain, with settings that would pick another
    /// toolchain removed.
    pub fn cargo(&self) -> Command {
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
        command
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
/// hears what is being done (an install can take a minute). `Err` is the reason the
/// stage must be skipped, with the commands that would fix it.
pub fn find_tsan(provision: bool, say: &mut dyn FnMut(&str)) -> Result<TsanToolchain, String> {
    if let Some(version) = rustup_nightly() {
        if installed("target", TSAN_TARGET) {
            return Ok(rustup_toolchain(&version, TSAN_TARGET, false));
        }
        if installed("component", "rust-src") {
            return Ok(rustup_toolchain(&version, HOST, true));
        }
        if provision {
            say("adding rust-src to the nightly toolchain (to build an instrumented std)");
            if run_quietly(Command::new("rustup").args([
                "component",
                "add",
                "rust-src",
                "--toolchain",
                "nightly",
            ])) {
                return Ok(rustup_toolchain(&version, HOST, true));
            }
        }
    }
    if let Some(toolchain) = debian_toolchain() {
        return Ok(toolchain);
    }
    if provision && is_root() && which("apt-get").is_some() {
        say("installing Debian's rustc-web, cargo-web, rust-web-src and clang's TSan runtime");
        if install_debian_toolchain()
            && let Some(toolchain) = debian_toolchain()
        {
            return Ok(toolchain);
        }
    }
    Err(format!(
        "no toolchain here can build an instrumented std for ThreadSanitizer{}. Fix it with\n  \
         rustup toolchain install nightly --component rust-src\n\
         or, on Debian 12 as root:\n  \
         apt-get install rustc-web cargo-web rust-web-src libclang-rt-22-dev\n\
         then grade again (`cargo xtask doctor` shows what the stages will use)",
        if provision {
            ""
        } else {
            " (and --no-provision forbids installing one)"
        }
    ))
}

/// `rustc --version` of rustup's nightly, if rustup has one.
fn rustup_nightly() -> Option<String> {
    let output = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Whether nightly has the rustup `kind` (`target`, `component`) named `name`.
fn installed(kind: &str, name: &str) -> bool {
    Command::new("rustup")
        .args([kind, "list", "--installed", "--toolchain", "nightly"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim().starts_with(name))
        })
}

fn rustup_toolchain(version: &str, target: &str, build_std: bool) -> TsanToolchain {
    let how = if build_std {
        "std rebuilt with -Zbuild-std"
    } else {
        "its instrumented std"
    };
    TsanToolchain {
        description: format!("rustup nightly ({version}), target {target}, {how}"),
        program: PathBuf::from("rustup"),
        args: ["run", "nightly", "cargo"].map(String::from).to_vec(),
        env: Vec::new(),
        target: target.to_owned(),
        build_std,
    }
}

/// Debian's rustc, if it has the library source and a TSan runtime under the name
/// rustc links.
fn debian_toolchain() -> Option<TsanToolchain> {
    let (cargo, rustc) = (Path::new("/usr/bin/cargo"), Path::new("/usr/bin/rustc"));
    if !cargo.is_file() || !rustc.is_file() {
        return None;
    }
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let source = sysroot.join("lib/rustlib/src/rust/library");
    let runtime = sysroot.join(format!("lib/rustlib/{HOST}/lib/librustc-stable_rt.tsan.a"));
    if !source.is_dir() || !runtime.exists() {
        return None;
    }
    let version = Command::new(rustc).arg("--version").output().ok()?;
    Some(TsanToolchain {
        description: format!(
            "Debian {} with RUSTC_BOOTSTRAP=1, std rebuilt with -Zbuild-std",
            String::from_utf8_lossy(&version.stdout).trim()
        ),
        program: cargo.to_owned(),
        args: Vec::new(),
        env: vec![
            ("RUSTC".into(), rustc.display().to_string()),
            ("RUSTC_BOOTSTRAP".into(), "1".into()),
        ],
        target: HOST.to_owned(),
        build_std: true,
    })
}

/// Installs Debian's toolchain and links clang's TSan runtime where rustc looks for it.
fn install_debian_toolchain() -> bool {
    let packages = [
        "rustc-web",
        "cargo-web",
        "rust-web-src",
        "libclang-rt-22-dev",
    ];
    let installed = run_quietly(
        Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(packages),
    ) || (run_quietly(Command::new("apt-get").args(["update", "-qq"]))
        && run_quietly(
            Command::new("apt-get")
                .args(["install", "-y", "-qq"])
                .args(packages),
        ));
    let runtime = Path::new("/usr/lib/llvm-22/lib/clang/22/lib/linux/libclang_rt.tsan-x86_64.a");
    let link = PathBuf::from(format!(
        "/usr/lib/rustlib/{HOST}/lib/librustc-stable_rt.tsan.a"
    ));
    installed
        && runtime.exists()
        && (link.exists() || std::os::unix::fs::symlink(runtime, &link).is_ok())
}

fn run_quietly(command: &mut Command) -> bool {
    let mut owned = Command::new(command.get_program());
    owned.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => owned.env(key, value),
            None => owned.env_remove(key),
        };
    }
    owned
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("DEBIAN_FRONTEND", "noninteractive");
    process::run(owned, PROVISION_TIMEOUT, 64 << 10).is_ok_and(|f| f.succeeded())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
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
    use super::{HOST, TsanToolchain};
    use std::path::PathBuf;

    #[test]
    fn build_std_toolchains_pass_the_sanitizer_flag_and_an_explicit_target() {
        let toolchain = TsanToolchain {
            description: String::new(),
            program: PathBuf::from("rustup"),
            args: Vec::new(),
            env: Vec::new(),
            target: HOST.into(),
            build_std: true,
        };
        let (args, rustflags) = toolchain.build_args();
        assert_eq!(args, ["--target", HOST, "-Zbuild-std"]);
        assert_eq!(rustflags, ["-Zsanitizer=thread"]);
    }
}
