#!/usr/bin/env bash
# The whole test suite: the Rust workspace (unit, case corpus, properties, corpus
# parsing, CLI end to end, doc tests, the stored fuzz corpus replayed), `policy-sim lint` under pre-commit and as the
# GitHub Actions example runs it (scripts/test-lint-hooks.sh), the estate collector
# against a local AWS emulator (scripts/test-aws-snapshot.sh installs moto and awscli from
# PyPI), that fixtures/estates/example-org-iam-collect is what scripts/cli-to-iam-collect.py
# writes from the example organization, then the browser package and the playground in
# headless Chromium (scripts/playground.sh test installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
scripts/test-lint-hooks.sh
scripts/test-aws-snapshot.sh
ic=$(mktemp -d)
python3 scripts/cli-to-iam-collect.py fixtures/estates/example-org "$ic/store"
diff -r fixtures/estates/example-org-iam-collect "$ic/store" \
  || { echo "fixtures/estates/example-org-iam-collect is stale: rerun scripts/cli-to-iam-collect.py (fixtures/estates/README.md)"; exit 1; }
rm -rf "$ic"
scripts/playground.sh test
