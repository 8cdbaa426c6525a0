#!/usr/bin/env bash
# Gradescope: save as `setup.sh` at the root of the autograder zip, beside
# `run_autograder` (gradescope-run_autograder.sh here), a file `exercise` holding the
# assignment's exercise id (`ex03`, or `all`), and a copy of the instructor's Racelab
# workspace (unpacked to /autograder/source). Gradescope runs it once, as root, when
# it builds the autograder's image, so every submission starts warm: a C linker (the
# base image has none), Rust through rustup, nightly with rust-src for
# ThreadSanitizer, and every stage's dependencies and the instrumented std built by
# `cargo xtask prepare`.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain install nightly --profile minimal --component rust-src --no-self-update
cd /autograder/source
cargo xtask prepare
