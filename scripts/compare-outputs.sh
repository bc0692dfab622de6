#!/usr/bin/env bash
# Byte-for-byte comparison of two policy-sim builds' `batch` output: stdout, stderr and exit
# code, at every --detail, with --jobs 1, --jobs 2 and one job pinned to core 0 (taskset).
# Inputs: LINES (default 200000) generated lines of each bench estate (fixtures/bench), and
# MIXED (default 30000) lines from scripts/gen-mixed-lines.py (well-formed and bad input) over
# the variables estate; with a peer workloads folder (scripts/peer-workloads.sh OUT), also
# 2,001 copies of the medium and large requests and MIXED lines over medium; and `batch
# --estate` on the realistic lines over the realistic estate as a snapshot
# (scripts/gen-estate.py) and on MIXED lines over the example organization
# (scripts/gen-estate-lines.py).
# Usage: scripts/compare-outputs.sh OLD_BIN NEW_BIN [WORKLOADS_DIR]
# Prints each differing run and "compared N runs, M differ"; exits 1 if any differ.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: scripts/compare-outputs.sh OLD_BIN NEW_BIN [WORKLOADS_DIR]}
new=${2:?usage: scripts/compare-outputs.sh OLD_BIN NEW_BIN [WORKLOADS_DIR]}
wl=${3:-}
lines=${LINES:-200000}
mixed=${MIXED:-30000}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0
fails=0
# compare NAME BASE LINES_FILE: every --detail, --jobs 1, 2 and pinned (MODE: --base, or
# --estate with BASE an estate's folder).
compare() {
  local d j pin jj
  for d in decision brief full; do for j in 1 2 p; do
    pin=()
    jj=$j
    if [ "$j" = p ]; then pin=(taskset -c 0); jj=1; fi
    for side in old new; do
      local b=$old
      [ $side = new ] && b=$new
      set +e
      "${pin[@]}" "$b" batch --no-clock --jobs "$jj" --detail "$d" "${mode:---base}" "$2" "$3" > "$t/$side.out" 2> "$t/$side.err"
      echo "exit $?" >> "$t/$side.out"
      set -e
    done
    n=$((n + 1))
    if ! cmp -s "$t/old.out" "$t/new.out" || ! cmp -s "$t/old.err" "$t/new.err"; then
      echo "DIFF $1 ${mode:---base} --detail $d --jobs $j"
      fails=$((fails + 1))
    fi
  done; done
}
for e in variables realistic readonly; do
  python3 fixtures/bench/gen_requests.py "$lines" "$e" > "$t/$e.jsonl"
  compare "$e" "fixtures/bench/$e.json" "$t/$e.jsonl"
done
head -1 "$t/variables.jsonl" > "$t/variables.line"
python3 scripts/gen-mixed-lines.py "$t/variables.line" "$mixed" > "$t/variables-mixed.jsonl"
compare variables-mixed fixtures/bench/variables.json "$t/variables-mixed.jsonl"
if [ -n "$wl" ]; then
  for w in medium large; do
    for _ in $(seq 2001); do cat "$wl/$w.line.jsonl"; done > "$t/$w.jsonl"
    compare "$w" "$wl/$w.base.json" "$t/$w.jsonl"
  done
  python3 scripts/gen-mixed-lines.py "$wl/medium.line.jsonl" "$mixed" > "$t/medium-mixed.jsonl"
  compare medium-mixed "$wl/medium.base.json" "$t/medium-mixed.jsonl"
fi
# `batch --estate`: the realistic estate as a snapshot (scripts/gen-estate.py) on its
# lines, and the example organization on lines of every form (scripts/gen-estate-lines.py).
python3 scripts/gen-estate.py realistic "$t/realistic-estate" > /dev/null
python3 scripts/gen-estate-lines.py "$mixed" > "$t/example-org.jsonl"
mode=--estate compare realistic-estate "$t/realistic-estate" "$t/realistic.jsonl"
mode=--estate compare example-org fixtures/estates/example-org "$t/example-org.jsonl"
echo "compared $n runs, $fails differ"
[ "$fails" = 0 ]
