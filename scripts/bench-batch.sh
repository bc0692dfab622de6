#!/usr/bin/env bash
# CLI throughput benchmark: `policy-sim batch --base` on generated request lines that
# carry only principal, action, resource and context (fixtures/bench/gen_requests.py).
# Each configuration runs RUNS times; the best and the median are printed (a shared VM's
# neighbours slow single runs down by up to a third).
# Usage: scripts/bench-batch.sh [LINES] [RUNS]   (default 1,000,000 lines, 5 runs;
# ESTATES="realistic …" to choose estates, DETAIL=decision|brief|full, default brief)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-5}
cargo build --release --locked -q -p policy-cli
bin=target/release/policy-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for estate in ${ESTATES:-realistic readonly variables}; do
  python3 fixtures/bench/gen_requests.py "$n" "$estate" > "$tmp/$estate.jsonl"
  for jobs in 1 "$(nproc)"; do
    times=()
    for _ in $(seq "$runs"); do
      start=$(date +%s.%N)
      "$bin" batch --no-clock --jobs "$jobs" --detail "${DETAIL:-brief}" --base "fixtures/bench/$estate.json" "$tmp/$estate.jsonl" > "$tmp/out.jsonl"
      end=$(date +%s.%N)
      times+=("$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$end")")
    done
    lines=$(wc -l < "$tmp/out.jsonl")
    python3 - "$estate" "$jobs" "$lines" "${times[@]}" <<'PY'
import statistics, sys
estate, jobs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = sorted(float(x) for x in sys.argv[4:])
best, med = t[0], statistics.median(t)
print(f"{estate:10s} jobs={jobs}  {n} requests: best {best:.2f} s = {n/best:,.0f} requests/s ({n/best/jobs:,.0f} per core); "
      f"median {med:.2f} s = {n/med:,.0f} requests/s ({n/med/jobs:,.0f} per core)")
PY
  done
done
