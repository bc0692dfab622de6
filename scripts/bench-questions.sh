#!/usr/bin/env bash
# Questions over an estate (BENCHMARKS.md, "Questions over an estate"): on a generated
# organization of ACCOUNTS accounts x ROLES roles (scripts/gen-estate.py bench), the time
# `who-can` takes for one bucket and one action, for every action of the bucket's
# objects, and `exposure` of the whole estate (each after the estate is loaded, as the
# commands' --timings report it; the load is measured by scripts/bench-estate.sh), RUNS
# runs each, best and median; and peak memory.
# Usage: scripts/bench-questions.sh [ACCOUNTS] [ROLES] [RUNS] [JOBS]   (100 1000 5 all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:-100}; roles=${2:-1000}; runs=${3:-5}; jobs=${4:-}
cargo build --release --locked -q -p policy-cli
bin=target/release/policy-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/gen-estate.py bench "$tmp/org" --accounts "$accounts" --roles "$roles" >/dev/null
bucket=$(ls "$tmp/org/accounts/"*"/s3" | grep -m1 '^data-')
object="arn:aws:s3:::$bucket/reports/q1.csv"
j=(); [ -n "$jobs" ] && j=(--jobs "$jobs")
stats() { # label, then the command; prints best and median of the phase time
  local label=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    times+=("$("$@" --timings 2>&1 >/dev/null | sed -n 's/.*, [a-z-]* \([0-9.]*\) ms.*/\1/p' | tail -1)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%s: best %.1f ms, median %.1f ms (%d runs)\n", l, a[1], a[int((NR+1)/2)], NR}'
}
echo "estate: $accounts accounts x $roles roles; bucket $bucket"
stats "who-can, one action" "$bin" who-can --estate "$tmp/org" --resource "$object" --action s3:GetObject --no-clock --format json "${j[@]}"
stats "who-can, every object action" "$bin" who-can --estate "$tmp/org" --resource "$object" --no-clock --format json "${j[@]}"
stats "exposure, whole estate" "$bin" exposure --estate "$tmp/org" --no-clock --format json "${j[@]}"
/usr/bin/time -f "exposure peak memory: %M KB" "$bin" exposure --estate "$tmp/org" --no-clock --format json "${j[@]}" 2>&1 >/dev/null | tail -1
