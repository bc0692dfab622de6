#!/usr/bin/env bash
# The whole test suite: the Rust workspace (unit, case corpus, properties, corpus
# parsing, CLI end to end, doc tests, the stored fuzz corpus replayed), `policy-sim lint` under pre-commit and as the
# GitHub Actions example runs it (scripts/test-lint-hooks.sh), the estate collector
# against a local AWS emulator (scripts/test-aws-snapshot.sh installs moto and awscli from
# PyPI), then the browser package and the playground in headless Chromium
# (scripts/playground.sh test installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
scripts/test-lint-hooks.sh
scripts/test-aws-snapshot.sh
scripts/playground.sh test
