#!/usr/bin/env bash
# Instruction counts (callgrind): repeatable on a busy machine.
#   scripts/bench-icount.sh [realistic|readonly|variables]   instructions per evaluation
#   scripts/bench-icount.sh batch                  instructions per `policy-sim batch` line
#                                                  (DETAIL=decision|brief|full, default brief)
#   scripts/bench-icount.sh line BASE LINE         the same for one request line (a file of one
#                                                  JSON line) over a base document, e.g. the
#                                                  iam-simulate workloads (scripts/peer-workloads.sh)
# The batch modes count LINES lines (default 2,001; the mean is over all but the first)
# with BIN (default target/release/policy-sim, built first). Short runs include the
# warm-up of the answer buffers, whose timing varies a few hundred instructions per line
# from run to run; LINES=20001 gives the steady state within a few dozen.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-realistic}
lines=${LINES:-2001}
bin=${BIN:-target/release/policy-sim}
build() { [ -n "${BIN:-}" ] || cargo build --release --locked -q -p policy-cli; }
collected() {
  "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# Pinned to one core, as compare-speed.sh runs it: each line is read and decided by the
# one worker (with a core to spare, `--jobs 1` reads lines on another thread, whose
# contexts in flight make the first blocks' lines allocate; the steady state costs the
# same instructions per line within 2 %).
batch_run() {  # base, lines file
  collected taskset -c 0 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" batch \
    --no-clock --jobs 1 --detail "${DETAIL:-brief}" --base "$1" "$2"
}
if [ "$mode" = line ]; then
  build
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  head -1 "$3" > "$tmp/one.jsonl"
  for _ in $(seq "$lines"); do cat "$tmp/one.jsonl"; done > "$tmp/lines.jsonl"
  one=$(batch_run "$2" "$tmp/one.jsonl")
  many=$(batch_run "$2" "$tmp/lines.jsonl")
  echo "batch ($3): $(( (many - one) / (lines - 1) )) instructions per line (mean of $((lines - 1)) lines)"
  exit 0
fi
if [ "$mode" = batch ]; then
  build
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for estate in ${ESTATES:-realistic readonly variables}; do
    python3 fixtures/bench/gen_requests.py "$lines" "$estate" > "$tmp/lines.jsonl"
    head -1 "$tmp/lines.jsonl" > "$tmp/one.jsonl"
    one=$(batch_run "fixtures/bench/$estate.json" "$tmp/one.jsonl")
    many=$(batch_run "fixtures/bench/$estate.json" "$tmp/lines.jsonl")
    echo "batch ($estate): $(( (many - one) / (lines - 1) )) instructions per line (mean of $((lines - 1)) lines)"
  done
  exit 0
fi
cargo build --release --locked -q -p policy-core --example icount
one=$(collected valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/icount "$mode" 1)
many=$(collected valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/icount "$mode" 10001)
echo "$mode: $(( (many - one) / 20000 )) instructions per evaluation (mean of 2 requests x 10,000)"
