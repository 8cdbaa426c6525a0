#!/usr/bin/env bash
# Gradescope: save as `run_autograder` at the root of the autograder zip, beside
# `setup.sh` (gradescope-setup.sh here: Rust, nightly and the prepared grader in the
# image) and a copy of the instructor's Racelab workspace, which Gradescope unpacks
# to /autograder/source.
#
# The student's upload (/autograder/submission) may be the exercise's crate or a whole
# copy of the workspace; --submissions wants the folder above a submission, so it is
# linked into one of its own. The scenarios and bounds are the instructor's, from
# /autograder/source; the student's grader/ folder, if any, is never used.
# The exercise is worth its points (100) for a pass, nothing otherwise (README,
# "Scores"); each stage is a test carrying its evidence. --require makes a stage that
# could not run a failure rather than a missing test.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
EXERCISE=ex01
mkdir -p /tmp/class /autograder/results
ln -sfn /autograder/submission /tmp/class/student
cd /autograder/source
cargo xtask grade "$EXERCISE" --submissions /tmp/class --require loom,shuttle,stress,tsan,spec --gradescope /autograder/results/results.json || true
# The exit status says whether the student passed; Gradescope reads the score from
# results.json instead, so a failing grade must not fail the autograder itself.
