#!/usr/bin/env bash
# Where users run `policy-sim lint`, exercised for real: pre-commit (from PyPI, into a
# virtualenv under target/) runs this repository's hooks (.pre-commit-hooks.yaml) on a
# sample git repository, and the GitHub Actions example (docs/github-actions-lint.yml)
# has its `Lint` step's command run there, its SARIF validated against the SARIF 2.1.0
# schema (tests/data/sarif/). Needs python3, git and PyPI; about a minute after the
# first run. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
fail() { echo "test-lint-hooks: FAIL: $*" >&2; exit 1; }

cargo build --release --locked -q -p policy-cli
bin="$root/target/release/policy-sim"

venv="$root/target/lint-hooks-venv"
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/jsonschema" ] && ! "$venv/bin/python" -c 'import jsonschema' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.7.0 jsonschema==4.25.1
fi
export PRE_COMMIT_HOME="$root/target/pre-commit-home"

sample="$(mktemp -d)"
trap 'rm -rf "$sample"' EXIT
cd "$sample"
git init -q .
git config user.email test@example.invalid
git config user.name test
mkdir -p iam templates
cp "$root/fixtures/lint/pass-role-with-star-in-resource/pass.identity.json" iam/good.json
cp "$root/fixtures/lint/pass-role-with-star-in-resource/fail.identity.json" iam/bad.json
cp "$root/fixtures/lint/yaml-syntax/pass.auto.yaml" templates/stack.yaml
echo '{"name": "not-a-policy", "version": "1.0.0"}' > package.json
git add -A && git commit -q -m sample

run_hook() { # hook id, then the expected exit status of pre-commit
  local out status=0
  out="$(POLICY_SIM_BIN="$bin" PATH="$(dirname "$bin"):$PATH" \
    "$venv/bin/pre-commit" try-repo "$root" "$1" --all-files 2>&1)" || status=$?
  echo "$out" | sed 's/^/  | /'
  [ "$status" -eq "$2" ] || fail "$1: pre-commit exited $status, expected $2"
  LAST="$out"
}

for hook in policy-sim-lint policy-sim-lint-system; do
  echo "== pre-commit hook $hook, a policy with a finding"
  run_hook "$hook" 1
  grep -q 'pass-role-with-star-in-resource' <<<"$LAST" || fail "$hook: the finding is not reported"
  grep -q 'iam/bad.json' <<<"$LAST" || fail "$hook: the file is not named"
  grep -q 'package.json' <<<"$LAST" && fail "$hook: package.json (no policy) was linted"
done
git rm -q iam/bad.json && git commit -q -m fix
for hook in policy-sim-lint policy-sim-lint-system; do
  echo "== pre-commit hook $hook, clean policies"
  run_hook "$hook" 0
done
git revert --no-edit HEAD >/dev/null

echo "== the GitHub Actions example's Lint step"
step="$("$venv/bin/python" - "$root/docs/github-actions-lint.yml" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
steps = [s for job in wf["jobs"].values() for s in job["steps"]]
print(next(s["run"] for s in steps if s.get("name") == "Lint"))
PY
)"
echo "  \$ $step"
PATH="$(dirname "$bin"):$PATH" bash -euo pipefail -c "$step"
"$venv/bin/python" - "$root/tests/data/sarif/sarif-2.1.0-rtm.5.json" policy-sim.sarif <<'PY'
import json, sys
from jsonschema import Draft4Validator
schema = json.load(open(sys.argv[1]))
sarif = json.load(open(sys.argv[2]))
errors = list(Draft4Validator(schema).iter_errors(sarif))
for e in errors[:10]:
    print("  schema:", e.message, list(e.absolute_path))
results = sarif["runs"][0]["results"]
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
print(f"  {len(results)} results in {sorted(uris)}")
assert not errors, "SARIF is not valid"
assert "iam/bad.json" in uris, uris
assert all(not u.startswith(("/", "file:")) for u in uris), uris
assert all(r.get("partialFingerprints") for r in results)
PY
echo "test-lint-hooks: ok"
