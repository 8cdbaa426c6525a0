#!/usr/bin/env bash
# What one grade costs a student: the warm grade of a changed subject, the first
# verdict line after the change, and the floor under them.
#
#   scripts/bench-grade.sh [RUNS] [EXERCISE] [SOLUTION]
#
# In a private copy of the workspace (so no one's grades disturb it, and it disturbs
# no one's), with a copy of a reference solution (default ex01's `atomic`) as the
# subject, it measures, RUNS times each (default 5):
#
#   warm     a comment line appended to the subject's src/lib.rs, then `cargo xtask
#            grade` with every stage: the wall time, and when the first stage line
#            appeared (what watch mode shows first after a save);
#   runs     the same subject graded again with nothing to build: the stages' runs
#            alone, the floor under a warm grade;
#   floor    the subject crate alone compiled after the same change (`cargo build
#            --release` of a one-crate project holding it and the facade), and each
#            stage's time read from the last warm grade's report;
#
# and prints min / median / max of each. The first grade, cold, is timed once and
# printed too (it compiles loom, shuttle and the instrumented std). KEEP=1 keeps the
# copy. The figures in docs/performance.md come from this script.
set -euo pipefail

RUNS=${1:-5}
EXERCISE=${2:-ex01}
SOLUTION=${3:-solutions/ex01-lost-update/atomic}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/racelab-bench-grade.XXXXXX)
if [ "${KEEP:-0}" != 1 ]; then
    trap 'rm -rf "$WORK"' EXIT
fi

echo "== a private copy of the workspace in $WORK"
mkdir -p "$WORK/lab"
tar -C "$ROOT" --exclude=./target --exclude=./.git --exclude=./.racelab -cf - . |
    tar -C "$WORK/lab" -xf -
cd "$WORK/lab"
echo "== building the command line (not timed)"
cargo build --quiet --release --manifest-path xtask/launcher/Cargo.toml
RACELAB="$WORK/lab/target/release/racelab"
SUBJECT="$WORK/subject"
mkdir -p "$SUBJECT"
cp -r "$ROOT/$SOLUTION/Cargo.toml" "$ROOT/$SOLUTION/src" "$SUBJECT/"

# Runs one grade; prints "<wall seconds> <seconds to the first stage line>".
grade_once() {
    local start first=""
    start=$(date +%s.%N)
    while IFS= read -r line; do
        if [ -z "$first" ] && [[ "$line" =~ ^\ \ (loom|shuttle|stress|tsan|spec)\  ]]; then
            first=$(date +%s.%N)
        fi
    done < <("$RACELAB" grade "$EXERCISE" --path "$SUBJECT" 2>/dev/null || true)
    local end
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v f="${first:-$end}" 'BEGIN { printf "%.3f %.3f\n", e - s, f - s }'
}

# min / median / max of the numbers on stdin.
summary() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "no runs"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "min %.2f s, median %.2f s, max %.2f s (%d runs)\n", v[1], m, v[NR], NR }'
}

# Each stage's time (ms) in the latest report; $1 says which grade it was.
stage_times() {
    echo "== each stage's time in $1 (ms)"
    local report
    report=$(ls -t target/racelab/reports/*.toml | head -n1)
    awk '/^\[\[stages\]\]/ { s = 1 } s && /^name = / { n = $3 } s && /^duration_ms = / { print n, $3 }' "$report"
}

echo "== the first grade, cold (dependencies downloaded, nothing built)"
read -r cold cold_first < <(grade_once)
echo "cold: ${cold} s, first stage line after ${cold_first} s"

echo "== warm grades of a changed subject, $RUNS runs"
: >"$WORK/warm"
: >"$WORK/first"
for i in $(seq "$RUNS"); do
    echo "// bench run $i" >>"$SUBJECT/src/lib.rs"
    read -r wall first < <(grade_once)
    echo "$wall" >>"$WORK/warm"
    echo "$first" >>"$WORK/first"
done
echo "warm grade:        $(summary <"$WORK/warm")"
echo "first stage line:  $(summary <"$WORK/first")"
stage_times "the last warm grade: build and run"

echo "== the runs alone: the same subject graded again, nothing to build, $RUNS runs"
: >"$WORK/runs"
for i in $(seq "$RUNS"); do
    read -r wall _ < <(grade_once)
    echo "$wall" >>"$WORK/runs"
done
echo "runs alone:        $(summary <"$WORK/runs")"
stage_times "the last grade with nothing to build: the runs alone"

echo "== the floor: the subject crate alone, compiled after each change"
FLOOR="$WORK/floor"
mkdir -p "$FLOOR"
cat >"$FLOOR/Cargo.toml" <<EOF
[package]
name = "bench-floor"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
path = "$SUBJECT/src/lib.rs"

[dependencies]
racelab-sync = { path = "$WORK/lab/sync" }

[workspace]
EOF
cp "$WORK/lab/Cargo.lock" "$FLOOR/"
cargo build --quiet --release --manifest-path "$FLOOR/Cargo.toml"
: >"$WORK/floor.times"
for i in $(seq "$RUNS"); do
    echo "// floor run $i" >>"$SUBJECT/src/lib.rs"
    start=$(date +%s.%N)
    cargo build --quiet --release --manifest-path "$FLOOR/Cargo.toml"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }' >>"$WORK/floor.times"
done
echo "subject alone:     $(summary <"$WORK/floor.times")"

echo "== machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
