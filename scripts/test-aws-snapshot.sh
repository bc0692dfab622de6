#!/usr/bin/env bash
# The collector (scripts/aws-snapshot.sh) against real AWS CLI output: starts a local AWS
# emulator (moto's server, from PyPI, on 127.0.0.1), creates an organization, users,
# groups, roles, a bucket, a key, a queue, a topic and a secret through the AWS CLI
# (awscli from PyPI), runs the collector, and decides requests against the snapshot with
# `policy-sim eval --estate`. Installs moto[server] and awscli in a virtualenv
# (target/aws-venv, or $POLICY_SIM_AWS_VENV) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$PWD
VENV=${POLICY_SIM_AWS_VENV:-$ROOT_DIR/target/aws-venv}
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/aws" ]; then
  echo "== installing moto[server] and awscli in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]' awscli
fi
WORK=$(mktemp -d)
# awscli v1 does not read AWS_ENDPOINT_URL for every service (SQS): pass it explicitly,
# to the collector too.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexec "%s" --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n' "$VENV/bin/aws" > "$WORK/bin/aws"
chmod +x "$WORK/bin/aws"
export PATH="$WORK/bin:$VENV/bin:$PATH"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$PORT" > "$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER=""
for _ in $(seq 1 50); do
  aws sts get-caller-identity > /dev/null 2>&1 && break
  sleep 0.2
done
ACCT=$(aws sts get-caller-identity --query Account --output text)
echo "== emulator on 127.0.0.1:$PORT, account $ACCT"

q() { aws "$@" --output text; }
doc() { printf '%s' "$1" > "$WORK/doc.json"; echo "file://$WORK/doc.json"; }

echo "== organization: a Workloads OU, a member account, an SCP"
aws organizations create-organization --feature-set ALL > /dev/null
ROOT=$(q organizations list-roots --query 'Roots[0].Id')
aws organizations enable-policy-type --root-id "$ROOT" --policy-type SERVICE_CONTROL_POLICY > /dev/null 2>&1 || true
OU=$(q organizations create-organizational-unit --parent-id "$ROOT" --name Workloads --query OrganizationalUnit.Id)
MEMBER=$(q organizations create-account --email workload@example.com --account-name workload --query CreateAccountStatus.AccountId)
aws organizations move-account --account-id "$MEMBER" --source-parent-id "$ROOT" --destination-parent-id "$OU"
SCP=$(q organizations create-policy --type SERVICE_CONTROL_POLICY --name DenyLeave --description "deny leaving" \
  --content "$(cat fixtures/corpus/scp/scp-examples__Privileged-access-controls__Deny-member-accounts-from-leaving-your-AWS-organization.json)" \
  --query Policy.PolicySummary.Id)
aws organizations attach-policy --policy-id "$SCP" --target-id "$OU"

echo "== IAM: a user in a group, a role with a boundary"
aws iam create-group --group-name readers > /dev/null
aws iam put-group-policy --group-name readers --policy-name read --policy-document "$(doc '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"*"}]}')"
aws iam create-user --user-name alice --tags Key=team,Value=payments > /dev/null
aws iam add-user-to-group --user-name alice --group-name readers
BOUNDARY=$(q iam create-policy --policy-name boundary --policy-document "$(doc '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","kms:Decrypt"],"Resource":"*"}]}')" --query Policy.Arn)
aws iam create-role --role-name app --assume-role-policy-document "$(doc '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}')" \
  --permissions-boundary "$BOUNDARY" --tags Key=team,Value=payments > /dev/null
aws iam put-role-policy --role-name app --policy-name app --policy-document "$(doc '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","s3:PutObject"],"Resource":"*"}]}')"

echo "== resources: a bucket, a key with a grant and an alias, a queue, a topic, a secret"
aws s3api create-bucket --bucket data-bucket > /dev/null
aws s3api put-bucket-policy --bucket data-bucket --policy "$(cat <<EOF
{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data-bucket/*"}]}
EOF
)"
aws s3api put-bucket-tagging --bucket data-bucket --tagging 'TagSet=[{Key=team,Value=payments}]'
aws s3api put-public-access-block --bucket data-bucket \
  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
KEY=$(q kms create-key --description data --query KeyMetadata.KeyId)
aws kms create-alias --alias-name alias/data --target-key-id "$KEY"
aws kms create-grant --key-id "$KEY" --grantee-principal "arn:aws:iam::$ACCT:role/app" --operations Decrypt > /dev/null
QURL=$(q sqs create-queue --queue-name orders --query QueueUrl)
python3 -c 'import json,sys; p={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:'"$ACCT"':orders"}]}; print(json.dumps({"Policy": json.dumps(p)}))' > "$WORK/attrs.json"
aws sqs set-queue-attributes --queue-url "$QURL" --attributes "file://$WORK/attrs.json"
aws sns create-topic --name events > /dev/null
aws secretsmanager create-secret --name prod/db --secret-string hunter2 --tags Key=team,Value=payments > /dev/null

echo "== collect"
SNAP=$WORK/snapshot
scripts/aws-snapshot.sh "$SNAP" --regions us-east-1
find "$SNAP" -type f | sed "s|$SNAP/||" | sort

echo "== policy-sim on the snapshot"
cargo build --release --locked -q -p policy-cli
SIM=$ROOT_DIR/target/release/policy-sim
"$SIM" estate summary "$SNAP"
"$SIM" estate summary "$SNAP" --format json > "$WORK/summary.json"
python3 - "$WORK/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
want = {"users": 1, "groups": 1, "organizationalUnits": 1}
for k, v in want.items():
    assert s[k] == v, (k, s[k], v)
assert s["roles"] >= 1, s
for kind in ("bucket", "kmsKey", "queue", "topic", "secret"):
    assert s["resources"].get(kind, 0) >= 1, (kind, s["resources"])
assert s["accounts"] >= 2, s
print("summary ok:", {k: s[k] for k in ("accounts", "users", "groups", "roles", "resources")})
EOF
expect() {  # expect DECISION ARGS...
  local want=$1; shift
  "$SIM" eval --no-clock --estate "$SNAP" "$@" --expect "$want" > "$WORK/out.txt" 2>&1 || {
    echo "FAILED: expected $want for: $*"; cat "$WORK/out.txt"; exit 1; }
  echo "ok: $want ← $*"
}
USER=arn:aws:iam::$ACCT:user/alice
SESSION=arn:aws:sts::$ACCT:assumed-role/app/run1
expect Allow --principal "$USER" --action s3:GetObject --resource arn:aws:s3:::data-bucket/k
expect ExplicitDeny --principal "$USER" --action s3:DeleteObject --resource arn:aws:s3:::data-bucket/k
expect Allow --principal "$SESSION" --action sqs:SendMessage --resource "arn:aws:sqs:us-east-1:$ACCT:orders"
expect ImplicitDeny --principal "$SESSION" --action s3:PutObject --resource arn:aws:s3:::data-bucket/k
expect Allow --principal "$SESSION" --action kms:Decrypt --resource "arn:aws:kms:us-east-1:$ACCT:alias/data"
expect Allow --principal sns.amazonaws.com --action sqs:SendMessage --resource "arn:aws:sqs:us-east-1:$ACCT:orders"
"$SIM" eval --no-clock --estate "$SNAP" --principal "$USER" --action s3:GetObject --resource arn:aws:s3:::data-bucket/k --format json > "$WORK/alice.json"
python3 - "$WORK/alice.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
d = r["estate"]["derivedContext"]
assert d["aws:PrincipalTag/team"] == ["payments"], d
assert d["aws:userid"][0], d
assert "aws:PrincipalOrgID" in d, d
print("derived context ok")
EOF
echo "== the collector's snapshot decides as expected"
