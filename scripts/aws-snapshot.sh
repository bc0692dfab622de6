#!/usr/bin/env bash
# Writes an estate snapshot (README, "Estates") with read-only AWS CLI calls for the
# current credentials:
#
#   scripts/aws-snapshot.sh OUT                      the organization (if the credentials
#                                                    may read it) and the current account
#   scripts/aws-snapshot.sh OUT --role NAME          also every ACTIVE account of the
#                                                    organization, through role NAME in it
#   scripts/aws-snapshot.sh OUT --regions us-east-1,eu-west-1
#                                                    regions to read (default: the CLI's
#                                                    configured region, else us-east-1)
#
# Every file is what the named `aws ... --output json` command prints. A call that fails
# (no bucket policy, access denied, a service not enabled) writes no file: the estate
# states what is missing. Needs the AWS CLI (v1 or v2); honours AWS_PROFILE,
# AWS_ENDPOINT_URL and the other standard variables.
set -uo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
OUT=$1; shift
ROLE=""; REGIONS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --role) ROLE=$2; shift 2 ;;
    --regions) REGIONS=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument \`$1\`" >&2; usage ;;
  esac
done
[ -n "$REGIONS" ] || REGIONS=$(aws configure get region 2>/dev/null || true)
[ -n "$REGIONS" ] || REGIONS=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
IFS=',' read -r -a REGION_LIST <<< "$REGIONS"

# save FILE aws ARGS...: the command's JSON output in OUT/FILE, only when it succeeds.
save() {
  local file="$OUT/$1"; shift
  mkdir -p "$(dirname "$file")"
  if aws "$@" --output json > "$file.tmp" 2> "$file.err"; then
    mv "$file.tmp" "$file"; rm -f "$file.err"
  else
    rm -f "$file.tmp" "$file.err"; return 1
  fi
}

# names aws ARGS... --query Q: one value per line (text output).
names() { aws "$@" --output text 2>/dev/null | tr '\t' '\n' | grep -v '^None$' | grep -v '^$' || true; }

mkdir -p "$OUT"

# ---------------------------------------------------------------- organizations
ACCOUNTS=()
if save organizations/describe-organization.json organizations describe-organization; then
  save organizations/list-roots.json organizations list-roots
  queue=($(names organizations list-roots --query 'Roots[].Id'))
  targets=("${queue[@]}")
  while [ ${#queue[@]} -gt 0 ]; do
    parent=${queue[0]}; queue=("${queue[@]:1}")
    save "organizations/list-organizational-units-for-parent/$parent.json" \
      organizations list-organizational-units-for-parent --parent-id "$parent"
    save "organizations/list-accounts-for-parent/$parent.json" \
      organizations list-accounts-for-parent --parent-id "$parent"
    for ou in $(names organizations list-organizational-units-for-parent --parent-id "$parent" --query 'OrganizationalUnits[].Id'); do
      queue+=("$ou"); targets+=("$ou")
    done
    for a in $(names organizations list-accounts-for-parent --parent-id "$parent" --query "Accounts[?Status=='ACTIVE'].Id"); do
      targets+=("$a"); ACCOUNTS+=("$a")
    done
  done
  declare -A seen=()
  for t in "${targets[@]}"; do
    for ty in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
      save "organizations/list-policies-for-target/$t.$ty.json" \
        organizations list-policies-for-target --target-id "$t" --filter "$ty" || continue
      for p in $(names organizations list-policies-for-target --target-id "$t" --filter "$ty" --query 'Policies[].Id'); do
        [ -n "${seen[$p]:-}" ] && continue
        seen[$p]=1
        save "organizations/describe-policy/$p.json" organizations describe-policy --policy-id "$p"
      done
    done
  done
fi

# ---------------------------------------------------------------- one account
collect_account() {
  local acct=$1 base="accounts/$1"
  echo "account $acct" >&2
  save "$base/iam/get-account-authorization-details.json" iam get-account-authorization-details
  save "$base/s3control/get-public-access-block.json" s3control get-public-access-block --account-id "$acct"
  for b in $(names s3api list-buckets --query 'Buckets[].Name'); do
    for call in get-bucket-policy get-public-access-block get-bucket-ownership-controls get-bucket-acl get-bucket-tagging; do
      save "$base/s3/$b/$call.json" s3api "$call" --bucket "$b"
    done
  done
  for r in "${REGION_LIST[@]}"; do
    save "$base/kms/$r/list-aliases.json" kms list-aliases --region "$r"
    for k in $(names kms list-keys --region "$r" --query 'Keys[].KeyId'); do
      save "$base/kms/$r/$k/describe-key.json" kms describe-key --key-id "$k" --region "$r"
      save "$base/kms/$r/$k/get-key-policy.json" kms get-key-policy --key-id "$k" --policy-name default --region "$r"
      save "$base/kms/$r/$k/list-grants.json" kms list-grants --key-id "$k" --region "$r"
      save "$base/kms/$r/$k/list-resource-tags.json" kms list-resource-tags --key-id "$k" --region "$r"
    done
    for q in $(names sqs list-queues --region "$r" --query 'QueueUrls[]'); do
      n=${q##*/}
      save "$base/sqs/$r/$n/get-queue-attributes.json" sqs get-queue-attributes --queue-url "$q" --attribute-names All --region "$r"
      save "$base/sqs/$r/$n/list-queue-tags.json" sqs list-queue-tags --queue-url "$q" --region "$r"
    done
    for t in $(names sns list-topics --region "$r" --query 'Topics[].TopicArn'); do
      n=${t##*:}
      save "$base/sns/$r/$n/get-topic-attributes.json" sns get-topic-attributes --topic-arn "$t" --region "$r"
      save "$base/sns/$r/$n/list-tags-for-resource.json" sns list-tags-for-resource --resource-arn "$t" --region "$r"
    done
    for f in $(names lambda list-functions --region "$r" --query 'Functions[].FunctionName'); do
      save "$base/lambda/$r/$f/get-policy.json" lambda get-policy --function-name "$f" --region "$r"
      arn=$(aws lambda get-function --function-name "$f" --region "$r" --query 'Configuration.FunctionArn' --output text 2>/dev/null)
      [ -n "$arn" ] && save "$base/lambda/$r/$f/list-tags.json" lambda list-tags --resource "$arn" --region "$r"
    done
    for s in $(names secretsmanager list-secrets --region "$r" --query 'SecretList[].ARN'); do
      n=$(aws secretsmanager describe-secret --secret-id "$s" --region "$r" --query Name --output text 2>/dev/null)
      [ -n "$n" ] || continue
      save "$base/secretsmanager/$r/$n/get-resource-policy.json" secretsmanager get-resource-policy --secret-id "$s" --region "$r"
      save "$base/secretsmanager/$r/$n/describe-secret.json" secretsmanager describe-secret --secret-id "$s" --region "$r"
    done
    save "$base/ec2/$r/describe-vpc-endpoints.json" ec2 describe-vpc-endpoints --region "$r"
  done
}

SELF=$(aws sts get-caller-identity --query Account --output text) || { echo "error: no AWS credentials" >&2; exit 1; }
collect_account "$SELF"
if [ -n "$ROLE" ]; then
  for a in "${ACCOUNTS[@]}"; do
    [ "$a" = "$SELF" ] && continue
    creds=$(aws sts assume-role --role-arn "arn:aws:iam::$a:role/$ROLE" --role-session-name policy-sim-snapshot \
      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>/dev/null) || {
      echo "warning: cannot assume $ROLE in $a: skipped" >&2; continue; }
    read -r key secret token <<< "$creds"
    ( export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token; unset AWS_PROFILE
      collect_account "$a" )
  done
fi
echo "snapshot written to $OUT" >&2
