#!/usr/bin/env bash
# What a real class costs: time and disk per grade, as an instructor's batch meets it.
#
#   scripts/bench-class.sh [N] [JOBS]
#
# N (default 50) generated submissions of ex01 in the layouts students upload, in turn:
# a crate, a copy of the workspace, the exercise crates placed directly, a crate inside
# an unpacked archive beside `__MACOSX`; their sources, in turn, the shipped crate
# unchanged (a quarter of the class), each reference solution, and failing attempts
# from the truth suite; every tenth folder is empty (nothing sent). They are graded
# with every stage, `--jobs JOBS` (default 2), in this workspace (its dependencies
# built, as on a CI runner with a warm cache), into a folder under /tmp.
#
# Prints the wall-clock time, the seconds per grade (per verdict), the disk used by
# target/racelab before, at its highest while grading (sampled every 2 s) and after,
# and the projection for 200 students × 8 exercises.
set -euo pipefail

N=${1:-50}
JOBS=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/racelab-class.XXXXXX)
SAMPLER=
trap 'if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
cd "$ROOT"

SOURCES=(exercises/ex01-lost-update solutions/ex01-lost-update/mutex
    tests/fixtures/attempts/ex01/relaxed-fetch-add solutions/ex01-lost-update/atomic
    tests/fixtures/attempts/ex01/load-then-store solutions/ex01-lost-update/per-worker
    tests/fixtures/attempts/ex01/lock-per-call exercises/ex01-lost-update)

# place FROM DIR LAYOUT: the crate at FROM in DIR, laid out as LAYOUT (0-3).
place() {
    local from=$1 dir=$2 crate
    case $3 in
    0) crate=$dir ;;
    1) crate=$dir/exercises/ex01-lost-update
       mkdir -p "$dir" && printf '[workspace]\nmembers = ["exercises/*"]\n' >"$dir/Cargo.toml" ;;
    2) crate=$dir/ex01-lost-update ;;
    3) crate=$dir/unpacked
       mkdir -p "$dir/__MACOSX/unpacked" && : >"$dir/__MACOSX/unpacked/._lib.rs" ;;
    esac
    mkdir -p "$crate"
    cp -r "$from/Cargo.toml" "$from/src" "$crate/"
}

for i in $(seq 1 "$N"); do
    dir=$WORK/class/student-$(printf %03d "$i")
    if [ $((i % 10)) = 0 ]; then
        mkdir -p "$dir"
        continue
    fi
    place "${SOURCES[$(((i - 1) % ${#SOURCES[@]}))]}" "$dir" $(((i - 1) % 4))
done

cargo build --quiet --manifest-path xtask/launcher/Cargo.toml
# du may meet a file a grade is removing; its total is still right.
disk() { du -sk target/racelab 2>/dev/null | cut -f1 || true; }
before=$(disk)
: >"$WORK/disk"
(set +e; while true; do disk >>"$WORK/disk"; sleep 2; done) &
SAMPLER=$!
started=$(date +%s.%N)
status=0
cargo xtask grade ex01 --submissions "$WORK/class" --jobs "$JOBS" --out "$WORK/out" \
    --junit "$WORK/junit.xml" --gradebook "$WORK/gradebook.csv" >"$WORK/log" 2>&1 || status=$?
ended=$(date +%s.%N)
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=
after=$(disk)
tail -n 12 "$WORK/log"
echo "exit status $status"
python3 - "$started" "$ended" "$WORK/out/summary.toml" "$before" "$after" "$WORK/disk" "$JOBS" <<'PY'
import statistics, sys, tomllib
started, ended, path, before, after, samples, jobs = sys.argv[1:]
wall = float(ended) - float(started)
summary = tomllib.load(open(path, "rb"))
highest = max([int(before), int(after)] + [int(l) for l in open(samples) if l.strip()])
by = {}
for s in summary["subjects"]:
    by.setdefault(s["verdict"], []).append(s["duration_ms"] / 1000)
print(f"{len(summary['subjects'])} subjects in {wall:.0f} s wall-clock, --jobs {jobs}: "
      f"{wall / len(summary['subjects']):.1f} s per subject")
for verdict, times in sorted(by.items()):
    print(f"  {verdict:<10} {len(times):3} grades, median {statistics.median(times):6.2f} s, "
          f"slowest {max(times):6.2f} s")
built = sum(len(t) for v, t in by.items() if v not in ("unchanged", "missing"))
print(f"disk (target/racelab): before {int(before) / 1024:.0f} MiB, highest {highest / 1024:.0f} MiB "
      f"(+{(highest - int(before)) / 1024:.0f} MiB), after {int(after) / 1024:.0f} MiB")
per_built = wall / max(built, 1)
grades = 200 * 8
print(f"projection, 200 students x 8 exercises = {grades} grades with this mix "
      f"({built} of {len(summary['subjects'])} built): "
      f"{wall / len(summary['subjects']) * grades / 3600:.1f} h on one such runner, "
      f"{wall / len(summary['subjects']) * grades / 3600 / 8:.1f} h over 8 shards")
PY
