#!/usr/bin/env bash
# Instructions per evaluation (callgrind): repeatable on a busy machine.
# Usage: scripts/bench-icount.sh [realistic|readonly]
set -euo pipefail
cd "$(dirname "$0")/.."
estate=${1:-realistic}
cargo build --release --locked -q -p policy-core --example icount
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/icount "$estate" "$1" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
one=$(count 1)
many=$(count 10001)
echo "$estate: $(( (many - one) / 20000 )) instructions per evaluation (mean of 2 requests x 10,000)"
