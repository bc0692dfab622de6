#!/usr/bin/env bash
# Instruction counts (callgrind): repeatable on a busy machine.
#   scripts/bench-icount.sh [realistic|readonly|variables]   instructions per evaluation
#   scripts/bench-icount.sh batch                  instructions per `policy-sim batch` line
#                                                  (DETAIL=decision|brief|full, default brief)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-realistic}
collected() {
  "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
if [ "$mode" = batch ]; then
  cargo build --release --locked -q -p policy-cli
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for estate in ${ESTATES:-realistic readonly variables}; do
    python3 fixtures/bench/gen_requests.py 2001 "$estate" > "$tmp/lines.jsonl"
    head -1 "$tmp/lines.jsonl" > "$tmp/one.jsonl"
    run() {
      collected valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/policy-sim batch \
        --no-clock --jobs 1 --detail "${DETAIL:-brief}" --base "fixtures/bench/$estate.json" "$1"
    }
    one=$(run "$tmp/one.jsonl")
    many=$(run "$tmp/lines.jsonl")
    echo "batch ($estate): $(( (many - one) / 2000 )) instructions per line (mean of 2,000 lines)"
  done
  exit 0
fi
cargo build --release --locked -q -p policy-core --example icount
one=$(collected valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/icount "$mode" 1)
many=$(collected valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/icount "$mode" 10001)
echo "$mode: $(( (many - one) / 20000 )) instructions per evaluation (mean of 2 requests x 10,000)"
