#!/usr/bin/env bash
# What a class costs to grade: seconds per subject, cold and warm.
#
#   scripts/bench-batch.sh [N] [STAGES] [JOBS]
#
# N (default 20) subjects, each a copy of ex01 as shipped or of one of its reference
# solutions (in turn: shipped, mutex, atomic, per-worker; the shipped copies are
# answered `unchanged` without a build: scripts/bench-class.sh measures a whole
# class), graded in one batch with
# `cargo xtask grade ex01 --submissions` three times:
#
#   cold     nothing built yet: the batch first compiles loom, shuttle, the facade
#            (and for tsan the instrumented std) for everyone;
#   warm     the dependencies built, N new copies: each subject costs its own crate,
#            its runner's link, and its runs;
#   regrade  the same N subjects again: the runs only.
#
# STAGES defaults to all four; JOBS to the grader's default (half the cores). It all
# happens in a private copy of the workspace under /tmp, so removing that copy's
# target/racelab/build for the cold run cannot disturb anyone else's grades.
# KEEP=1 keeps the copy (its path is printed).
set -euo pipefail

N=${1:-20}
STAGES=${2:-loom,shuttle,stress,tsan}
JOBS=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/racelab-bench.XXXXXX)
if [ "${KEEP:-0}" != 1 ]; then
    trap 'rm -rf "$WORK"' EXIT
fi

echo "== a private copy of the workspace in $WORK"
mkdir -p "$WORK/lab"
tar -C "$ROOT" --exclude=./target --exclude=./.git --exclude=./.racelab -cf - . |
    tar -C "$WORK/lab" -xf -
cd "$WORK/lab"
echo "== building the command line (not timed)"
cargo build --quiet --manifest-path xtask/launcher/Cargo.toml

SOURCES=(exercises/ex01-lost-update solutions/ex01-lost-update/mutex
    solutions/ex01-lost-update/atomic solutions/ex01-lost-update/per-worker)

# make_class DIR: N subjects, each in its own folder.
make_class() {
    for i in $(seq 1 "$N"); do
        local from=${SOURCES[$(((i - 1) % ${#SOURCES[@]}))]}
        mkdir -p "$1/student-$i"
        cp -r "$from/Cargo.toml" "$from/src" "$1/student-$i/"
    done
}

# grade LABEL DIR: grades the class in DIR, prints seconds per subject.
grade() {
    local label=$1 class=$2 out="$WORK/out-$1"
    local started ended
    started=$(date +%s.%N)
    # The batch fails (the shipped copies are caught), so its status is not checked:
    # the summary must exist instead.
    cargo xtask grade ex01 --submissions "$class" --stage "$STAGES" \
        ${JOBS:+--jobs "$JOBS"} --out "$out" >"$WORK/$label.log" 2>&1 || true
    ended=$(date +%s.%N)
    if [ ! -f "$out/summary.toml" ]; then
        echo "no summary for $label; the log:" >&2
        tail -n 30 "$WORK/$label.log" >&2
        exit 1
    fi
    python3 - "$label" "$started" "$ended" "$out/summary.toml" <<'PY'
import statistics, sys, tomllib
label, started, ended, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
summary = tomllib.load(open(path, "rb"))
subjects = summary["subjects"]
durations = sorted((s["duration_ms"] / 1000 for s in subjects), reverse=True)
wall = ended - started
verdicts = {}
for s in subjects:
    verdicts[s["verdict"]] = verdicts.get(s["verdict"], 0) + 1
print(f"{label:<8} {wall:7.1f} s for {len(subjects)} subjects = {wall / len(subjects):5.2f} s/subject"
      f"  (slowest grade {durations[0]:.1f} s, median {statistics.median(durations):.1f} s;"
      f" jobs {summary['jobs']}; {', '.join(f'{n} {v}' for v, n in sorted(verdicts.items()))})")
PY
}

echo "== machine: $(nproc) cores, $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "== $N subjects, stages $STAGES"
make_class "$WORK/class-a"
make_class "$WORK/class-b"
rm -rf target/racelab/build target/racelab/runners
grade cold "$WORK/class-a"
grade warm "$WORK/class-b"
grade regrade "$WORK/class-b"
