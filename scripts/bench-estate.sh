#!/usr/bin/env bash
# Estate benchmarks (BENCHMARKS.md, "Estates"):
# 1. load: `policy-sim estate summary` of a generated organization of ACCOUNTS accounts x
#    ROLES roles (scripts/gen-estate.py bench), on one core (RAYON_NUM_THREADS=1): wall
#    time and peak memory, RUNS runs;
# 2. throughput: `batch --estate` against `batch --base` on the same policies
#    (fixtures/bench/realistic.json as an estate: scripts/gen-estate.py realistic) and the
#    same LINES lines (fixtures/bench/gen_requests.py), one job, RUNS runs each.
# Usage: scripts/bench-estate.sh [ACCOUNTS] [ROLES] [LINES] [RUNS]   (100 1000 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:-100}; roles=${2:-1000}; lines=${3:-1000000}; runs=${4:-3}
cargo build --release --locked -q -p policy-cli
bin=target/release/policy-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/gen-estate.py bench "$tmp/org" --accounts "$accounts" --roles "$roles"
echo "estate: $accounts accounts x $roles roles, $(du -sh "$tmp/org" | cut -f1) on disk"
for _ in $(seq "$runs"); do
  RAYON_NUM_THREADS=1 /usr/bin/time -f "load (1 core): %e s wall, %U s user, %S s system, %M KB peak" \
    "$bin" estate summary "$tmp/org" 2>&1 >/dev/null | tail -1
done
python3 scripts/gen-estate.py realistic "$tmp/realistic"
python3 fixtures/bench/gen_requests.py "$lines" realistic > "$tmp/lines.jsonl"
for mode in "--base fixtures/bench/realistic.json" "--estate $tmp/realistic"; do
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "batch ${mode%% *} ($lines lines, 1 job): %e s wall, %U s user" \
      "$bin" batch --no-clock --jobs 1 $mode "$tmp/lines.jsonl" 2>&1 >/dev/null | tail -1
  done
done
