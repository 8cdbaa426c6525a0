#!/usr/bin/env bash
# Gradescope: save as `run_autograder` at the root of the autograder zip, beside
# `setup.sh` (gradescope-setup.sh here: a linker, Rust, nightly and the prepared
# grader in the image), a file `exercise` holding the assignment's exercise id
# (`ex03`; `all` grades every exercise of a workspace copy), and a copy of the
# instructor's Racelab workspace, which Gradescope unpacks to /autograder/source.
# One zip per assignment, the same two scripts in each: only `exercise` changes.
#
# The student's upload (/autograder/submission) may be the exercise's crate or a whole
# copy of the workspace; --submissions wants the folder above a submission, so it is
# linked into one of its own. The scenarios and bounds are the instructor's, from
# /autograder/source; the student's grader/ folder, if any, is never used.
# The exercise is worth its points (100) for a pass, nothing otherwise (README,
# "Scores"); each stage is a test carrying its evidence. --require makes a stage that
# could not run a failure rather than a missing test. A student's failure is their
# score, not the autograder's failure (exit 0 or 1); anything else (the grader
# crashed or could not judge the upload) fails the run, so Gradescope shows an error
# rather than a score of 0.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
EXERCISE=${RACELAB_EXERCISE:-$(tr -d '[:space:]' </autograder/source/exercise 2>/dev/null || true)}
if [ -z "$EXERCISE" ]; then
    echo "no exercise: put its id in the autograder zip's \`exercise\` file" >&2
    exit 2
fi
WHICH=("$EXERCISE")
if [ "$EXERCISE" = all ]; then
    WHICH=(--all)
fi
mkdir -p /tmp/class /tmp/gradescope /autograder/results
ln -sfn /autograder/submission /tmp/class/student
cd /autograder/source
status=0
cargo xtask grade "${WHICH[@]}" --submissions /tmp/class --require loom,shuttle,stress,tsan,spec --out /tmp/racelab --gradescope /tmp/gradescope || status=$?
if grep -q '^verdict = "error"' /tmp/racelab/summary.toml 2>/dev/null; then
    echo "the grader could not judge this upload: see the reports" >&2
    exit 2
fi
case $status in
0 | 1) cp /tmp/gradescope/student/results.json /autograder/results/results.json ;;
*) exit "$status" ;;
esac
