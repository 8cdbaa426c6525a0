#!/usr/bin/env bash
# Gradescope: save as `setup.sh` at the root of the autograder zip, beside
# `run_autograder` (gradescope-run_autograder.sh here) and a copy of the instructor's
# Racelab workspace (unpacked to /autograder/source). Gradescope runs it once, when
# it builds the autograder's image, so every submission starts warm: Rust through
# rustup, nightly with rust-src for ThreadSanitizer, and every stage's dependencies
# and the instrumented std built by `cargo xtask prepare`.
set -euo pipefail
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain install nightly --profile minimal --component rust-src --no-self-update
cd /autograder/source
cargo xtask prepare
