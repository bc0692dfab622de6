#!/usr/bin/env bash
# Fuzzing campaigns (cargo-fuzz, libFuzzer, the nightly toolchain). CI does not run
# this: it replays the stored corpus on stable (`cargo test -p policy-fuzz`).
#
#   scripts/fuzz.sh seed                   seeds fuzz/work/<target>/ from fixtures/
#   scripts/fuzz.sh run SECONDS [TARGET…]  runs each target (all by default) for SECONDS,
#                                          niced, growing fuzz/work/<target>/ from the
#                                          stored corpus; prints execs and findings
#   scripts/fuzz.sh cmin [TARGET…]         minimises fuzz/work/<target>/ into
#                                          fuzz/corpus/<target>/ (the stored corpus)
#
# A crash is saved in fuzz/artifacts/<target>/; once fixed, copy it to
# fuzz/regressions/<target>/ so the replay test keeps it. Environment: RUNS (stop each
# target after this many executions as well, default unlimited), RSS_MB (default 2048).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(policy lint request batch_line batch_lines statement estate)

need_cargo_fuzz() {
    rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
    cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
}

seed() {
    python3 - <<'EOF'
import glob, json, os, pathlib

root = pathlib.Path("fuzz/work")
def put(target, name, data):
    d = root / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)

policies = sorted(glob.glob("fixtures/corpus/*/*.json"))
policies = [p for p in policies if not p.endswith("managed-index.json")]
# Every documentation policy, and every 8th managed policy (they repeat one shape).
chosen = [p for i, p in enumerate(policies) if "/managed/" not in p or i % 8 == 0]
lint_files = sorted(glob.glob("fixtures/lint/*/*"))
for p in chosen + [f for f in lint_files if f.endswith(".json")]:
    put("policy", p.replace("/", "_"), pathlib.Path(p).read_bytes())

# lint: the first byte picks the file kind (low 2 bits) and the policy type.
for i, f in enumerate(lint_files):
    kind = 2 if f.endswith((".yaml", ".yml")) else 0
    put("lint", f.replace("/", "_"), bytes([kind | ((i % 10) << 2)]) + pathlib.Path(f).read_bytes())
samples = [json.loads(pathlib.Path(p).read_text()) for p in chosen[:40]]
cfn = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
    f"R{i}": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": s}} for i, s in enumerate(samples[:6])}}
cfn["Resources"]["Role"] = {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Fn::Sub": "x"}}]}}
put("lint", "cfn.json", bytes([1]) + json.dumps(cfn, indent=2).encode())
yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n            Action: 's3:*'\n            Resource: !Sub 'arn:aws:s3:::${B}/*'\n            Condition:\n              Bool:\n                aws:SecureTransport: false\n"
put("lint", "cfn.yaml", bytes([2]) + yaml.encode())
plan = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [
    {"address": f"aws_iam_policy.p{i}", "type": "aws_iam_policy", "values": {"policy": json.dumps(s)}} for i, s in enumerate(samples[6:12])]}},
    "resource_changes": []}
put("lint", "plan.json", bytes([3]) + json.dumps(plan).encode())

# request: the example requests and every case's request document, policies inline.
for f in sorted(glob.glob("fixtures/requests/*.json")):
    put("request", os.path.basename(f), pathlib.Path(f).read_bytes())
def inline(doc, base):
    pols = doc.get("policies", {})
    def load(v):
        if isinstance(v, str):
            try:
                return json.loads((base / v).read_text())
            except Exception:
                return v
        return v
    for k, v in list(pols.items()):
        if isinstance(v, list):
            pols[k] = [[load(x) for x in l] if isinstance(l, list) else load(l) for l in v]
        else:
            pols[k] = load(v)
    return doc
lines = []
for f in sorted(glob.glob("fixtures/cases/**/*.json", recursive=True)):
    case = json.loads(pathlib.Path(f).read_text())
    doc = inline(case["request"], pathlib.Path(f).parent)
    put("request", f.replace("/", "_"), json.dumps(doc, indent=1))
    plain = {k: v for k, v in doc.items() if k in ("id", "principal", "action", "resource", "resourceAccount", "context")}
    lines.append(json.dumps(plain))
    lines.append(json.dumps(doc))

# batch_line: plain lines (the fast path's form) and full ones.
import random
rnd = random.Random(7)
for i, l in enumerate(lines):
    put("batch_line", f"case{i}", l)
gens = []
for i in range(40):
    gens.append(json.dumps({"id": i, "principal": rnd.choice([
        "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/Deploy/ci", "111122223333", "anonymous"]),
        "action": rnd.choice(["s3:GetObject", "ec2:RunInstances", "iam:PassRole", "dynamodb:PutItem"]),
        "resource": rnd.choice(["arn:aws:s3:::amzn-s3-demo-bucket/home/alice/x", "*", "arn:aws:iam::111122223333:role/App"]),
        "context": {"aws:SourceIp": rnd.choice(["203.0.113.9", "198.51.100.1", "2001:db8::1"]),
                    "aws:TagKeys": ["env", "team"][: rnd.randint(0, 2)], "ec2:InstanceCount": rnd.randint(0, 9),
                    "aws:SecureTransport": rnd.choice([True, False])}}, separators=(",", ":")))
    put("batch_line", f"gen{i}", gens[-1])

# batch_lines: runs of lines through one reader (generated lines: the same keys in the
# same places with other values; the cases' lines: other keys; an action in other case
# and a bad principal among them); a leading blank line (an even first byte) gives
# requests back in order, `{` (odd) out of order.
for i in range(60):
    run = [rnd.choice(gens if j % 3 else lines) for j in range(rnd.randint(2, 8))]
    run += [rnd.choice(lines).replace('"s3:', '"S3:', 1), '{"principal":"nobody"}']
    rnd.shuffle(run)
    put("batch_lines", f"run{i}", ("\n" if i % 2 else "") + "\n".join(run))

# statement: operator, key, policy values, request values, username, resource, action.
ops = ["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIgnoreCase", "NumericLessThan",
       "NumericEquals", "DateGreaterThan", "Bool", "IpAddress", "NotIpAddress", "ArnLike", "BinaryEquals",
       "Null", "ForAnyValue:StringLike", "ForAllValues:StringEquals", "StringEqualsIfExists"]
vals = {"String": ("team-${aws:username}\tx*", "team-alice"), "Numeric": ("10\t1e3", "5"),
        "Date": ("2020-01-01T00:00:00Z", "2026-01-01"), "Bool": ("true", "TRUE"), "IpAddress": ("203.0.113.0/24", "203.0.113.9"),
        "NotIp": ("10.0.0.0/8", "::ffff:10.1.2.3"), "Arn": ("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::111122223333:user/alice"),
        "Binary": ("QUJD", "QUJD"), "Null": ("false", "x"), "ForAny": ("a*\tb", "a1\tc"), "ForAll": ("a\tb", "a\tb")}
for i, op in enumerate(ops):
    v = next(v for k, v in vals.items() if op.startswith(k) or k in op)
    put("statement", f"s{i}", f"{op}\naws:PrincipalTag/team\n{v[0]}\n{v[1]}\nalice\narn:aws:s3:::amzn-s3-demo-bucket/home/${{aws:username}}/*\ns3:Get*")
put("statement", "malformed-number", "NumericLessThan\ns3:max-keys\nabc\n5")

# estate: the example organization, whole and one account at a time, each file after
# a line `=== <path>`.
est = pathlib.Path("fixtures/estates/example-org")
files = sorted(p for p in est.rglob("*") if p.is_file())
def snapshot(paths):
    return "".join(f"=== {p.relative_to(est)}\n{p.read_text()}\n" for p in paths)
put("estate", "whole", snapshot(files))
put("estate", "organization", snapshot([p for p in files if "organizations/" in str(p)]))
for acct in sorted({p.relative_to(est).parts[1] for p in files if p.relative_to(est).parts[0] == "accounts"}):
    put("estate", f"account-{acct}", snapshot([p for p in files if f"accounts/{acct}/" in str(p)]))
put("statement", "missing-key", "StringNotLike\naws:userid\nAIDA*")
EOF
    for t in "${TARGETS[@]}"; do
        echo "$t: $(find "fuzz/work/$t" -type f | wc -l) seeds"
    done
}

run() {
    local secs=$1
    shift
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")
    need_cargo_fuzz
    for t in "${targets[@]}"; do
        mkdir -p "fuzz/work/$t" "fuzz/corpus/$t"
        local log="fuzz/work/$t.log"
        # No sanitizer: the code has no `unsafe` (the workspace forbids it), so a
        # sanitizer adds cost and no finding; debug assertions (-a) keep overflow checks.
        # -timeout: an input that takes more than 10 s is a hang; -rss_limit_mb: memory
        # past the limit is a finding; -max_len: templates and snapshots need room.
        local max_len=4096
        case "$t" in lint | estate) max_len=16384 ;; esac
        nice -n 19 cargo +nightly fuzz run -s none -a --release "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
            -dict=fuzz/iam.dict -max_total_time="$secs" -runs="${RUNS:--1}" -timeout=10 \
            -rss_limit_mb="${RSS_MB:-2048}" -max_len="$max_len" -print_final_stats=1 \
            >"$log" 2>&1 || echo "$t: libFuzzer stopped with a finding (see $log and fuzz/artifacts/$t/)"
        local execs took
        execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
        took=$(grep -ho 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}')
        echo "$t: ${execs} executions in ${took:-?} s, $(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l) findings"
    done
}

cmin() {
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")
    need_cargo_fuzz
    for t in "${targets[@]}"; do
        local tmp
        tmp=$(mktemp -d)
        nice -n 19 cargo +nightly fuzz run -s none -a --release "$t" "$tmp" "fuzz/work/$t" "fuzz/corpus/$t" -- \
            -merge=1 -max_len=16384 >"fuzz/work/$t.cmin.log" 2>&1
        rm -rf "fuzz/corpus/$t"
        mv "$tmp" "fuzz/corpus/$t"
        echo "$t: $(find "fuzz/corpus/$t" -type f | wc -l) inputs, $(du -sk "fuzz/corpus/$t" | cut -f1) KiB"
    done
}

case "${1:-}" in
seed) seed ;;
run) shift; run "$@" ;;
cmin) shift; cmin "$@" ;;
*)
    sed -n '2,16p' "$0"
    exit 64
    ;;
esac
