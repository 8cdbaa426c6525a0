//! `cargo xtask doctor`: which toolchain each stage will use, and what is missing,
//! without installing anything.

use crate::console::Console;
use racelab_grader::build::cargo_binary;
use racelab_grader::{process, toolchain};
use std::io::Write;
use std::process::Command;
use std::time::Duration;

/// How long `cargo --version` may take before it counts as broken.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);

/// Prints one line per stage; exits 0 when every stage can run, else 3.
pub(crate) fn run(out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if check(&mut Console::new(out, err)) {
        0
    } else {
        3
    }
}

/// Prints one line per stage; returns whether every stage can run.
fn check(console: &mut Console<'_>) -> bool {
    let cargo = cargo_binary();
    let mut command = Command::new(&cargo);
    command.arg("--version");
    let version = process::run(command, VERSION_TIMEOUT, 4096)
        .ok()
        .filter(process::Finished::succeeded)
        .map(|finished| finished.stdout.trim().to_owned());
    let explorers = match &version {
        Some(version) => format!("ok       {version} ({})", cargo.display()),
        None => format!(
            "MISSING  cannot run {}: install Rust with rustup",
            cargo.display()
        ),
    };
    for stage in ["loom", "shuttle", "stress"] {
        console.print(&format!("{stage:<8} {explorers}\n"));
    }
    let tsan = toolchain::find_tsan(false, &mut |_| {});
    match &tsan {
        Ok(found) => console.print(&format!("tsan     ok       {}\n", found.description)),
        Err(unavailable) => {
            let reason = unavailable.0.replace('\n', "\n                  ");
            console.print(&format!("tsan     MISSING  {reason}\n"));
            let how = if toolchain::rustup_on_path() {
                format!(
                    "`cargo xtask grade` installs it itself, as you, with `rustup {}` (a few minutes, once), unless given --no-provision",
                    toolchain::INSTALL_NIGHTLY.join(" ")
                )
            } else {
                "rustup is not on PATH, so `cargo xtask grade` cannot install it: install Rust with rustup (https://rustup.rs), or use the Debian packages above".into()
            };
            console.print(&format!("                  ({how})\n"));
        }
    }
    if let Ok(found) = &tsan
        && let Ok(debian) = toolchain::find_debian(false, &mut |_| {})
        && debian != *found
    {
        console.print(&format!(
            "                  (fallback: {})\n",
            debian.description
        ));
    }
    if let Ok(found) = &tsan
        && found.build_std
    {
        console.print(&format!(
            "                  (if your nightly ships it, `rustup target add {} --toolchain nightly` gives a prebuilt instrumented std)\n",
            toolchain::TSAN_TARGET
        ));
    }
    version.is_some() && tsan.is_ok()
}
