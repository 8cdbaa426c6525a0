//! `cargo xtask doctor`: which toolchain each stage will use, and what is missing,
//! without installing anything.

use crate::console::Console;
use racelab_grader::build::cargo_binary;
use racelab_grader::toolchain;
use std::process::Command;

/// Prints one line per stage; returns whether every stage can run.
pub fn check(console: &mut Console<'_>) -> bool {
    let cargo = cargo_binary();
    let version = Command::new(&cargo)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
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
        Err(reason) => {
            let reason = reason.replace('\n', "\n                  ");
            console.print(&format!("tsan     MISSING  {reason}\n"));
            console.print("                  (`cargo xtask grade` installs it itself unless given --no-provision)\n");
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
