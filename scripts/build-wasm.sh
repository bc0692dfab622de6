#!/usr/bin/env bash
# Builds the browser package crates/policy-wasm into crates/policy-wasm/pkg/: an ES module
# (policy_wasm.js), its TypeScript definitions (policy_wasm.d.ts) and the .wasm, and
# checks the size budget (the .wasm under 1.5 MB, under 500 KB gzipped).
#
# Needs no prebuilt binaries: the wasm32-unknown-unknown target from rustup, and
# wasm-bindgen-cli compiled from crates.io at exactly the wasm-bindgen version in
# Cargo.lock (the CLI and the library must match), installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$want" ]; then
  echo "error: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi

if command -v rustup >/dev/null 2>&1; then
  rustup target add wasm32-unknown-unknown >/dev/null
fi

have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (Cargo.lock's wasm-bindgen; found: ${have:-none})"
  # Not --locked: the CLI's own lock file can name crate versions the registry no longer serves.
  cargo install wasm-bindgen-cli --version "=$want"
fi

target_dir=${CARGO_TARGET_DIR:-target}
cargo build -p policy-wasm --target wasm32-unknown-unknown --release --locked
out=crates/policy-wasm/pkg
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name policy_wasm \
  "$target_dir/wasm32-unknown-unknown/release/policy_wasm.wasm"

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
cat > "$out/package.json" <<JSON
{
  "name": "policy-wasm",
  "version": "$version",
  "description": "policy-sim in the browser: AWS IAM policies parsed and requests decided as AWS decides them",
  "license": "MIT",
  "type": "module",
  "main": "policy_wasm.js",
  "types": "policy_wasm.d.ts",
  "files": ["policy_wasm.js", "policy_wasm.d.ts", "policy_wasm_bg.wasm", "policy_wasm_bg.wasm.d.ts"],
  "sideEffects": false
}
JSON

raw=$(wc -c < "$out/policy_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/policy_wasm_bg.wasm" | wc -c)
echo "policy_wasm_bg.wasm: $raw bytes raw, $gz bytes gzipped (gzip -9); budget 1500000 / 500000"
if [ "$raw" -ge 1500000 ] || [ "$gz" -ge 500000 ]; then
  echo "error: the .wasm is over its size budget" >&2
  exit 1
fi
