#!/usr/bin/env bash
# CLI throughput benchmark: `policy-sim batch --base` on generated request lines that
# carry only principal, action, resource and context (fixtures/bench/gen_requests.py).
# Usage: scripts/bench-batch.sh [LINES]   (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release --locked -q -p policy-cli
bin=target/release/policy-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for estate in realistic readonly; do
  python3 fixtures/bench/gen_requests.py "$n" "$estate" > "$tmp/$estate.jsonl"
  for jobs in 1 "$(nproc)"; do
    start=$(date +%s.%N)
    "$bin" batch --no-clock --jobs "$jobs" --base "fixtures/bench/$estate.json" "$tmp/$estate.jsonl" > "$tmp/out.jsonl"
    end=$(date +%s.%N)
    lines=$(wc -l < "$tmp/out.jsonl")
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'{sys.argv[4]:10s} jobs={sys.argv[5]}  {n} requests in {s:.2f} s  = {n/s:,.0f} requests/s ({n/s/int(sys.argv[5]):,.0f} per core)')" "$start" "$end" "$lines" "$estate" "$jobs"
  done
done
