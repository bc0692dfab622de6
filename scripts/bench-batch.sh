#!/usr/bin/env bash
# CLI throughput benchmark: `policy-sim batch --base` on generated request lines that
# carry only principal, action, resource and context (fixtures/bench/gen_requests.py).
# Each configuration runs RUNS times; the best and the median are printed (a shared VM's
# neighbours slow single runs down by up to a third), of the requests per second of wall
# time and of the requests per CPU-second (user + system time of all the process's
# threads: reading, deciding and writing), the measure of work per core.
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
  # `pinned`: one worker pinned to one core (`taskset -c 0`, as compare-speed.sh runs
  # it), where one thread reads, answers and writes; then one worker and all workers
  # with every core free.
  for jobs in pinned 1 "$(nproc)"; do
    pin=()
    n_jobs=$jobs
    if [ "$jobs" = pinned ]; then pin=(taskset -c 0); n_jobs=1; fi
    runs_out=()
    for _ in $(seq "$runs"); do
      # Wall seconds, then CPU seconds (user + system, all threads).
      runs_out+=("$( { /usr/bin/time -f '%e %U %S' "${pin[@]}" "$bin" batch --no-clock --jobs "$n_jobs" \
        --detail "${DETAIL:-brief}" --base "fixtures/bench/$estate.json" "$tmp/$estate.jsonl" > "$tmp/out.jsonl"; } 2>&1 | tail -1)")
    done
    lines=$(wc -l < "$tmp/out.jsonl")
    python3 - "$estate" "$jobs" "$lines" "${runs_out[@]}" <<'PY'
import statistics, sys
estate, jobs, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = [[float(x) for x in r.split()] for r in sys.argv[4:]]
wall = sorted(r[0] for r in runs)
cpu = sorted(r[1] + r[2] for r in runs)
print(f"{estate:10s} jobs={jobs:6s} {n} requests: best {wall[0]:.2f} s = {n/wall[0]:,.0f} requests/s, "
      f"median {statistics.median(wall):.2f} s = {n/statistics.median(wall):,.0f} requests/s; "
      f"per CPU-second (all threads) best {n/cpu[0]:,.0f}, median {n/statistics.median(cpu):,.0f}")
PY
  done
done
