#!/usr/bin/env bash
# One-shot runs of the whole `policy-sim` process, as CI hooks and editors call it once
# per file (issue 12): the README's quick-start `eval`, and `lint` of one file.
#   scripts/bench-oneshot.sh [runs]    wall time (hyperfine: best and median of `runs`,
#                                      default 20) and instructions (callgrind) of each
#   POLICY_SIM=/other/policy-sim scripts/bench-oneshot.sh    the same for another binary
# `policy-sim --version` is the floor: process start, nothing read.
# Needs hyperfine (apt-get install hyperfine, or cargo install hyperfine --locked) and
# valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
# POLICY_SIM=path: measure that binary (another build, to compare) instead of this tree's.
bin=${POLICY_SIM:-target/release/policy-sim}
if [ -z "${POLICY_SIM:-}" ]; then
  cargo build --release --locked -q -p policy-cli
fi
commands=(
  "$bin eval --request fixtures/requests/cross-account-put-object.json"
  "$bin lint fixtures/corpus/managed/AmazonS3ReadOnlyAccess.json"
  "$bin --version"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# `eval` exits 3 for this request's implicit deny: --ignore-failure.
hyperfine -N --ignore-failure --warmup 5 --runs "$runs" --export-json "$tmp/times.json" "${commands[@]}" >/dev/null 2>&1
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086 # the command's words; `|| true`: eval's exit status 3
  n=$({ valgrind --tool=callgrind --callgrind-out-file=/dev/null $c 2>&1 >/dev/null || true; } \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  python3 - "$tmp/times.json" "$c" "$n" <<'PY'
import json, sys
path, command, instructions = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = next(r for r in json.load(open(path))["results"] if r["command"] == command)
print(f"{command}: best {min(r['times']) * 1e3:.2f} ms, median {r['median'] * 1e3:.2f} ms "
      f"({len(r['times'])} runs), {instructions:,} instructions")
PY
done
