#!/usr/bin/env bash
# `policy-sim test` on generated suites of TESTS tests (fixtures/bench/gen_suite.py): over
# the example policies of fixtures/suites/, and over the example estate
# fixtures/estates/example-org. The whole command is timed (reading the suite, its
# policies or the snapshot, deciding every test, checking expectations, writing the
# report), plain and with --coverage --junit --lcov. Each configuration runs RUNS times;
# the best and the median are printed (a shared VM's neighbours slow single runs down).
# Usage: scripts/bench-suite.sh [TESTS] [RUNS]   (default 10,000 tests, 7 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${2:-7}
cargo build --release --locked -q -p policy-cli
bin=target/release/policy-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 fixtures/bench/gen_suite.py "$n" "$PWD/fixtures/suites/policies" > "$tmp/policies.test.yaml"
python3 fixtures/bench/gen_suite.py "$n" "$PWD/fixtures/estates/example-org" estate > "$tmp/estate.test.yaml"
for suite in policies estate; do
"$bin" test --no-clock "$tmp/$suite.test.yaml" | tail -1
for extra in "" "--coverage --junit $tmp/junit.xml --lcov $tmp/lcov.info"; do
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$bin" test --no-clock $extra "$tmp/$suite.test.yaml" > "$tmp/out.txt"
    end=$(date +%s.%N)
    times+=("$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$end")")
  done
  python3 - "$n" "$suite" "${extra:-(plain)}" "${times[@]}" <<'PY'
import statistics, sys
n, suite, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3]
t = sorted(float(x) for x in sys.argv[4:])
best, med = t[0], statistics.median(t)
print(f"{suite:8s} {n} tests {extra.split(' ')[0]:12s}: best {best*1000:.0f} ms ({n/best:,.0f} tests/s), median {med*1000:.0f} ms ({n/med:,.0f} tests/s)")
PY
done
done
