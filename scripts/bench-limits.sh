#!/usr/bin/env bash
# Cost of hostile or merely large inputs (issue 14): wall time and peak memory (max RSS,
# /usr/bin/time) of `policy-sim` on each, with the size of what it writes. Inputs are
# generated in a temporary folder; nothing is kept.
#
#   scripts/bench-limits.sh [PATH-TO-policy-sim]   (default: builds target/release)
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${1:-}
if [ -z "$SIM" ]; then
    cargo build --release --locked -q -p policy-cli
    SIM=target/release/policy-sim
fi
SIM=$(realpath "$SIM")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# One measurement: label, then the command (its stdout and stderr are counted, not kept).
measure() {
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$T/time" "$@" >"$T/out" 2>"$T/err" || true
    read -r secs kb < <(tail -n 1 "$T/time")
    printf '%-58s %8.2f s %8d MB  out %9d B  err %9d B\n' "$label" "$secs" $((kb / 1024)) \
        "$(stat -c %s "$T/out")" "$(stat -c %s "$T/err")"
}

python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
alice = "arn:aws:iam::111122223333:user/alice"
# batch: one line of 256 MB, then an ordinary line.
with open(f"{t}/long-line.jsonl", "w") as f:
    f.write('{"principal":"' + alice + '","action":"s3:GetObject","resource":"')
    chunk = "x" * (1 << 20)
    for _ in range(256):
        f.write(chunk)
    f.write('"}\n{"id":"after","principal":"' + alice + '","action":"s3:GetObject"}\n')
# variables: a ~1 MB policy with 40,000 variables in one Resource, a 100 KB value.
res = "arn:aws:s3:::b/" + "${aws:PrincipalTag/team}" * 40000
pol = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": res},
       {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
req = {"principal": alice, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
       "context": {"aws:PrincipalTag/team": "v" * 100_000}, "policies": {"identity": [pol]}}
json.dump(req, open(f"{t}/variables.json", "w"))
# diagnostics: a 285 KB one-line policy with 5,000 errors.
st = ['{"Effect":"allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::' + "b" * 20 + '/*"}'] * 5000
open(f"{t}/errors.json", "w").write('{"Version":"2012-10-17","Statement":[' + ",".join(st) + "]}")
# did-you-mean: a 100 KB action name; a 910 KB policy of unknown actions.
json.dump({"principal": alice, "action": "s3:" + "GetObjekt" * 11_000}, open(f"{t}/long-action.json", "w"))
acts = [f"s3:GetObjekt{i:06d}" + "x" * 40 for i in range(15_000)]
json.dump({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": acts, "Resource": "*"}]},
          open(f"{t}/unknown-actions.json", "w"))
# wildcards: a 400 KB StringLike pattern `*a*a*…*b` against an 800 KB value, and a
# pattern whose segment of 2,048 `?`-and-text characters is tried at every position.
def like(pattern, value, name):
    p = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalTag/team": pattern}}}]}
    json.dump({"principal": alice, "action": "s3:GetObject", "context": {"aws:PrincipalTag/team": value},
               "policies": {"identity": [p]}}, open(f"{t}/{name}.json", "w"))
like("*" + "a*" * 200_000 + "b", "a" * 800_000, "glob-stars")
like("*" + "a?" * 32 + "b*", "a" * 800_000, "glob-question-64")
like("*" + "a?" * 1024 + "b*", "a" * 800_000, "glob-question")
# YAML: 200 MB of deep indentation, and a template at the 4 MiB limit.
with open(f"{t}/huge.yaml", "w") as f:
    f.write("Resources:\n")
    line = "  " * 50 + "k: v\n"
    for _ in range(200 * 1024 * 1024 // len(line)):
        f.write(line)
with open(f"{t}/limit.yaml", "w") as f:
    f.write("Resources:\n")
    n = 11
    res = "  R%07d: {Type: AWS::IAM::ManagedPolicy, Properties: {PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}}}\n"
    while n + len(res) + 8 < 4 * 1024 * 1024:
        f.write(res % n)
        n += len(res % n)
EOF

measure "batch: one 256 MB line, then one line" "$SIM" batch --no-clock "$T/long-line.jsonl"
measure "eval: 40,000 variables over a 100 KB value (1 MB policy)" "$SIM" eval --no-clock --request "$T/variables.json"
measure "eval: 285 KB one-line policy with 5,000 errors" "$SIM" eval --no-clock --principal arn:aws:iam::111122223333:user/a --action s3:GetObject --identity-policy "$T/errors.json"
measure "lint: the same policy (human output)" "$SIM" lint "$T/errors.json"
measure "eval: a 100 KB action name (did you mean)" "$SIM" eval --no-clock --request "$T/long-action.json"
measure "lint: 910 KB policy of 15,000 unknown actions" "$SIM" lint --format json "$T/unknown-actions.json"
measure "eval: StringLike *a*a*…b (400 KB) on 800 KB" "$SIM" eval --no-clock --request "$T/glob-stars.json"
measure "eval: StringLike *a?a?…b* (64-char segment) on 800 KB" "$SIM" eval --no-clock --request "$T/glob-question-64.json"
measure "eval: StringLike *a?a?…b* (2 KB segment) on 800 KB" "$SIM" eval --no-clock --request "$T/glob-question.json"
measure "lint: 200 MB YAML template" "$SIM" lint "$T/huge.yaml"
measure "lint: 4 MiB YAML template (at the limit)" "$SIM" lint "$T/limit.yaml"
