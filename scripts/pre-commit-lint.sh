#!/usr/bin/env bash
# The `policy-sim-lint` pre-commit hook (.pre-commit-hooks.yaml): builds policy-sim in
# pre-commit's clone of this repository the first time (cargo build --release; later
# runs reuse it), then lints the files pre-commit names, skipping those that hold no
# policy or template. POLICY_SIM_BIN names a policy-sim to use instead of building one.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${POLICY_SIM_BIN:-}"
if [ -z "$bin" ]; then
  bin="$here/target/release/policy-sim"
  if [ ! -x "$bin" ]; then
    echo "policy-sim: building (once) in $here" >&2
    cargo build --release --locked -q -p policy-cli --manifest-path "$here/Cargo.toml" >&2
  fi
fi
exec "$bin" lint --only-policies "$@"
