#!/usr/bin/env python3
"""Writes estate snapshots in the AWS CLI layout (README, "Estates").

    scripts/gen-estate.py example fixtures/estates/example-org
        the realistic example organization checked in under fixtures/estates/
    scripts/gen-estate.py bench OUT [--accounts 100] [--roles 1000]
        a generated organization for the load benchmark (BENCHMARKS.md), not checked in
    scripts/gen-estate.py realistic OUT
        fixtures/bench/realistic.json's policies as an estate (its principals' roles and
        user, the bucket, three SCP levels), for `batch --estate` against `batch --base`

Every file is in the shape the named `aws ... --output json` command prints (4-space
indentation, as the CLI writes); policies that the CLI prints as JSON strings are strings.
The example's SCPs and RCP are AWS's samples from fixtures/corpus/ with their placeholders
filled in (fixtures/estates/README.md lists them).
"""

import argparse
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fixtures", "corpus")

ORG = "o-a1b2c3d4e5"
ROOT_ID = "r-ab12"
MGMT = "111111111111"
CREATED = "2024-03-01T09:30:00+00:00"


def write(base, rel, value):
    path = os.path.join(base, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=4, ensure_ascii=False)
        f.write("\n")


def corpus(rel):
    with open(os.path.join(CORPUS, rel)) as f:
        return json.load(f)


def compact(doc):
    """A policy as a JSON string, as get-bucket-policy and friends print it."""
    return json.dumps(doc, separators=(",", ":"))


def stmt(effect, action, resource, sid=None, condition=None, principal=None):
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s["Principal"] = principal
    s["Action"] = action
    s["Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# ---------------------------------------------------------------- organizations


def organization(base, accounts, ous, placement, scps, rcps, attach_scp, attach_rcp):
    """accounts: id -> name; ous: id -> (name, parent); placement: account -> parent;
    scps/rcps: policy id -> (name, document, aws_managed); attach_*: target -> [policy ids]."""
    write(base, "organizations/describe-organization.json", {
        "Organization": {
            "Id": ORG,
            "Arn": f"arn:aws:organizations::{MGMT}:organization/{ORG}",
            "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{MGMT}:account/{ORG}/{MGMT}",
            "MasterAccountId": MGMT,
            "MasterAccountEmail": "aws-management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }
    })
    write(base, "organizations/list-roots.json", {
        "Roots": [{
            "Id": ROOT_ID,
            "Arn": f"arn:aws:organizations::{MGMT}:root/{ORG}/{ROOT_ID}",
            "Name": "Root",
            "PolicyTypes": [
                {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
            ],
        }]
    })
    parents = {ROOT_ID} | {p for _, p in ous.values()}
    for parent in sorted(parents):
        children = [
            {"Id": ou, "Arn": f"arn:aws:organizations::{MGMT}:ou/{ORG}/{ou}", "Name": name}
            for ou, (name, p) in sorted(ous.items()) if p == parent
        ]
        write(base, f"organizations/list-organizational-units-for-parent/{parent}.json",
              {"OrganizationalUnits": children})
    for parent in sorted(parents | set(ous)):
        accts = [
            {
                "Id": a,
                "Arn": f"arn:aws:organizations::{MGMT}:account/{ORG}/{a}",
                "Email": f"aws+{accounts[a]}@example.com",
                "Name": accounts[a],
                "Status": "ACTIVE",
                "JoinedMethod": "INVITED" if a == MGMT else "CREATED",
                "JoinedTimestamp": "2024-03-01T09:30:00.000000+00:00",
            }
            for a, p in sorted(placement.items()) if p == parent
        ]
        write(base, f"organizations/list-accounts-for-parent/{parent}.json", {"Accounts": accts})

    def summary(pid, name, ty, aws_managed):
        arn = (f"arn:aws:organizations::aws:policy/{ty.lower()}/{pid}" if aws_managed
               else f"arn:aws:organizations::{MGMT}:policy/{ORG}/{ty.lower()}/{pid}")
        return {"Id": pid, "Arn": arn, "Name": name, "Description": name, "Type": ty, "AwsManaged": aws_managed}

    for ty, pols, attach in (("SERVICE_CONTROL_POLICY", scps, attach_scp),
                             ("RESOURCE_CONTROL_POLICY", rcps, attach_rcp)):
        for target, ids in sorted(attach.items()):
            write(base, f"organizations/list-policies-for-target/{target}.{ty}.json",
                  {"Policies": [summary(i, pols[i][0], ty, pols[i][2]) for i in ids]})
        for pid, (name, document, aws_managed) in sorted(pols.items()):
            write(base, f"organizations/describe-policy/{pid}.json", {
                "Policy": {
                    "PolicySummary": summary(pid, name, ty, aws_managed),
                    "Content": compact(document) if not aws_managed else json.dumps(document, indent=4),
                }
            })


# ---------------------------------------------------------------- IAM (GAAD)


def managed_policy(arn, name, versions, pid, attachments=1):
    """versions: [(version id, document, is default)]."""
    path = "/" + "/".join(arn.split(":policy/", 1)[1].split("/")[:-1])
    path = path if path.endswith("/") else path + "/"
    return {
        "PolicyName": name,
        "PolicyId": pid,
        "Arn": arn,
        "Path": path,
        "DefaultVersionId": next(v for v, _, d in versions if d),
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": CREATED,
        "UpdateDate": CREATED,
        "PolicyVersionList": [
            {"Document": d, "VersionId": v, "IsDefaultVersion": default, "CreateDate": CREATED}
            for v, d, default in versions
        ],
    }


def aws_managed(name, path="/"):
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    index = {e["name"]: e for e in corpus("managed-index.json")}
    version = index[name]["version"]
    return managed_policy(arn, name, [(version, corpus(f"managed/{name}.json"), True)], "ANPA" + name.upper()[:17])


def attached(arn):
    return {"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn}


def tags(d):
    return [{"Key": k, "Value": v} for k, v in d.items()]


def user(account, name, uid, groups=(), inline=(), managed=(), boundary=None, tag=None, path="/"):
    u = {
        "Path": path,
        "UserName": name,
        "UserId": uid,
        "Arn": f"arn:aws:iam::{account}:user{path}{name}",
        "CreateDate": CREATED,
        "UserPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
        "GroupList": list(groups),
        "AttachedManagedPolicies": [attached(a) for a in managed],
    }
    if boundary:
        u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    u["Tags"] = tags(tag or {})
    return u


def group(account, name, gid, inline=(), managed=()):
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": gid,
        "Arn": f"arn:aws:iam::{account}:group/{name}",
        "CreateDate": CREATED,
        "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
        "AttachedManagedPolicies": [attached(a) for a in managed],
    }


def role(account, name, rid, trust, inline=(), managed=(), boundary=None, tag=None, path="/"):
    r = {
        "Path": path,
        "RoleName": name,
        "RoleId": rid,
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
        "AttachedManagedPolicies": [attached(a) for a in managed],
    }
    if boundary:
        r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    r["Tags"] = tags(tag or {})
    r["RoleLastUsed"] = {}
    return r


def gaad(users=(), groups=(), roles=(), policies=()):
    return {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }


def trust(principal, condition=None, actions="sts:AssumeRole"):
    s = {"Effect": "Allow", "Principal": principal, "Action": actions}
    if condition:
        s["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [s]}


def trust_service(service):
    return trust({"Service": service})


# ---------------------------------------------------------------- the example organization


def example(base):
    if os.path.exists(base):
        shutil.rmtree(base)
    SEC, PROD, DEV, PARTNER = "222222222222", "333333333333", "444444444444", "999999999999"
    accounts = {MGMT: "management", SEC: "security", PROD: "payments-prod", DEV: "payments-dev"}
    OU_SEC, OU_WL, OU_PROD = "ou-ab12-11111111", "ou-ab12-22222222", "ou-ab12-33333333"
    ous = {OU_SEC: ("Security", ROOT_ID), OU_WL: ("Workloads", ROOT_ID), OU_PROD: ("Prod", OU_WL)}
    placement = {MGMT: ROOT_ID, SEC: OU_SEC, PROD: OU_PROD, DEV: OU_WL}
    admin_role = "arn:aws:iam::*:role/OrgAdmin"

    def filled(rel):
        text = json.dumps(corpus(rel))
        text = text.replace("arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]", admin_role)
        return json.loads(text)

    region = filled("scp/scp-examples__Region-controls__Deny-access-to-AWS-based-on-the-requested-AWS-region.json")
    region["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] = ["us-east-1", "eu-west-1"]
    rcp_src = corpus("rcp/dp-rcp__identity_perimeter_rcp.json")
    keep = [s for s in rcp_src["Statement"] if s["Sid"] in ("EnforceOrgIdentities", "EnforceConfusedDeputyProtection")]
    rcp_text = json.dumps({"Version": "2012-10-17", "Statement": keep})
    rcp_text = rcp_text.replace("<my-org-id>", ORG)
    rcp = json.loads(rcp_text)
    for s in rcp["Statement"]:
        c = s["Condition"]["StringNotEqualsIfExists"]
        for k in ("aws:PrincipalAccount", "aws:SourceAccount"):
            if k in c:
                c[k] = [PARTNER]
    full = corpus("../bench/FullAWSAccess.json")
    scps = {
        "p-FullAWSAccess": ("FullAWSAccess", full, True),
        "p-leaveorg01": ("DenyLeaveOrganization",
                         corpus("scp/scp-examples__Privileged-access-controls__Deny-member-accounts-from-leaving-your-AWS-organization.json"), False),
        "p-regions001": ("AllowedRegions", region, False),
        "p-kmsprot01": ("ProtectKmsKeys",
                        filled("scp/scp-examples__Protect-cloud-platform-resource__Deny-KMS-key-deletion.json"), False),
        "p-s3encr001": ("DenyUnencryptedUploads",
                        corpus("scp/scp-examples__Service-specific-controls__Amazon-S3__Prevent-Amazon-S3-unencrypted-object-uploads.json"), False),
    }
    rcp_full = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    rcps = {"p-RCPFullAWSAccess": ("RCPFullAWSAccess", rcp_full, True),
            "p-rcpident1": ("DataPerimeterIdentity", rcp, False)}
    targets = [ROOT_ID, OU_SEC, OU_WL, OU_PROD, MGMT, SEC, PROD, DEV]
    attach_scp = {t: ["p-FullAWSAccess"] for t in targets}
    attach_scp[ROOT_ID].append("p-leaveorg01")
    attach_scp[OU_WL] += ["p-regions001", "p-kmsprot01"]
    attach_scp[OU_PROD].append("p-s3encr001")
    attach_rcp = {t: ["p-RCPFullAWSAccess"] for t in targets}
    attach_rcp[OU_WL].append("p-rcpident1")
    organization(base, accounts, ous, placement, scps, rcps, attach_scp, attach_rcp)

    # --- payments-prod (333333333333)
    bucket = f"payments-data-{PROD}"
    bucket_arn = f"arn:aws:s3:::{bucket}"
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    key_arn = f"arn:aws:kms:us-east-1:{PROD}:key/{key_id}"
    aws_key_id = "0987dcba-09fe-87dc-65ba-ab0987654321"
    queue_arn = f"arn:aws:sqs:us-east-1:{PROD}:orders"
    topic_arn = f"arn:aws:sns:us-east-1:{PROD}:orders-events"
    fn_arn = f"arn:aws:lambda:us-east-1:{PROD}:function:orders-processor"
    secret_arn = f"arn:aws:secretsmanager:us-east-1:{PROD}:secret:prod/payments/db-credentials-AbCdEf"
    boundary_arn = f"arn:aws:iam::{PROD}:policy/DeveloperBoundary"
    data_arn = f"arn:aws:iam::{PROD}:policy/PaymentsDataAccess"
    boundary_v1 = doc(stmt("Allow", ["s3:*", "kms:*", "sqs:*", "iam:*"], "*"))
    boundary_v2 = doc(
        stmt("Allow", ["s3:*", "sqs:*", "sns:Publish", "logs:*", "sts:AssumeRole"], "*", sid="WorkloadServices"),
        stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "*", sid="UseKeys"),
        stmt("Allow", "secretsmanager:GetSecretValue", "*", sid="ReadSecrets"),
        stmt("Allow", ["iam:ChangePassword", "iam:GetUser"], f"arn:aws:iam::{PROD}:user/${{aws:username}}", sid="SelfService"),
    )
    data_access = doc(
        stmt("Allow", ["s3:GetObject", "s3:PutObject"], f"{bucket_arn}/*", sid="PaymentsObjects"),
        stmt("Allow", "s3:ListBucket", bucket_arn, sid="PaymentsBucket"),
        stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey"], key_arn, sid="PaymentsKey"),
        stmt("Allow", "secretsmanager:GetSecretValue", "*", sid="TeamSecrets",
             condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
    )
    prod_gaad = gaad(
        users=[
            user(PROD, "alice", "AIDAEXAMPLEALICE00001", groups=["developers", "payments"],
                 boundary=boundary_arn, tag={"team": "payments", "cost-center": "cc-42"}),
            user(PROD, "bob", "AIDAEXAMPLEBOB0000002", groups=["developers"],
                 inline=[("self-service", doc(stmt("Allow", ["iam:ChangePassword", "iam:GetUser"],
                                                   f"arn:aws:iam::{PROD}:user/${{aws:username}}")))],
                 tag={"team": "platform"}),
        ],
        groups=[
            group(PROD, "developers", "AGPAEXAMPLEDEVS00001",
                  inline=[("no-deletes", doc(stmt("Deny", ["s3:DeleteObject", "s3:DeleteBucket"], [bucket_arn, f"{bucket_arn}/*"], sid="NoDeletesInProd")))],
                  managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
            group(PROD, "payments", "AGPAEXAMPLEPAYMENTS1", managed=[data_arn]),
        ],
        roles=[
            role(PROD, "OrgAdmin", "AROAEXAMPLEORGADMIN1",
                 trust({"AWS": f"arn:aws:iam::{MGMT}:root"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                 managed=["arn:aws:iam::aws:policy/AdministratorAccess"]),
            role(PROD, "orders-app", "AROAEXAMPLEORDERSAPP", trust_service("lambda.amazonaws.com"), path="/service/",
                 inline=[("orders", doc(
                     stmt("Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], queue_arn, sid="Queue"),
                     stmt("Allow", "s3:GetObject", f"{bucket_arn}/orders/*", sid="ReadOrders"),
                     stmt("Allow", "secretsmanager:GetSecretValue", "*", sid="TeamSecrets",
                          condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
                 ))],
                 managed=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                 tag={"team": "payments"}),
            role(PROD, "partner-audit", "AROAEXAMPLEPARTNER01",
                 trust({"AWS": f"arn:aws:iam::{PARTNER}:root"}, {"StringEquals": {"sts:ExternalId": "7f3c91d2-audit"}}),
                 inline=[("audit-read", doc(
                     stmt("Allow", "s3:ListBucket", bucket_arn, sid="List",
                          condition={"StringLike": {"s3:prefix": "audit/*"}}),
                     stmt("Allow", "s3:GetObject", f"{bucket_arn}/audit/*", sid="ReadAudit"),
                 ))],
                 tag={"team": "audit"}),
            role(PROD, "deploy", "AROAEXAMPLEDEPLOY001", trust({"AWS": f"arn:aws:iam::{DEV}:role/build"}),
                 inline=[("deploy", doc(
                     stmt("Allow", ["lambda:UpdateFunctionCode", "lambda:GetFunction"], fn_arn, sid="Functions"),
                     stmt("Allow", "s3:PutObject", f"{bucket_arn}/artifacts/*", sid="Artifacts"),
                 ))]),
            role(PROD, "analyst", "AROAEXAMPLEANALYST01",
                 trust({"AWS": f"arn:aws:iam::{PROD}:root"}, actions=["sts:AssumeRole", "sts:TagSession"]),
                 inline=[("abac", doc(
                     stmt("Allow", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "*", sid="SameTeamSecrets",
                          condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
                 ))],
                 boundary=boundary_arn, tag={"team": "payments"}),
        ],
        policies=[
            managed_policy(boundary_arn, "DeveloperBoundary",
                           [("v1", boundary_v1, False), ("v2", boundary_v2, True)], "ANPAEXAMPLEBOUNDARY1", 2),
            managed_policy(data_arn, "PaymentsDataAccess", [("v1", data_access, True)], "ANPAEXAMPLEPAYDATA01"),
            aws_managed("AmazonS3ReadOnlyAccess"),
            aws_managed("AdministratorAccess"),
            aws_managed("AWSLambdaBasicExecutionRole", "/service-role/"),
        ],
    )
    a = f"accounts/{PROD}"
    write(base, f"{a}/iam/get-account-authorization-details.json", prod_gaad)
    bpa_all = {"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}
    write(base, f"{a}/s3control/get-public-access-block.json", bpa_all)
    bucket_policy = doc(
        stmt("Deny", "s3:*", [bucket_arn, f"{bucket_arn}/*"], sid="DenyInsecureTransport", principal="*",
             condition={"Bool": {"aws:SecureTransport": "false"}}),
        stmt("Deny", "s3:PutObject", f"{bucket_arn}/*", sid="RequirePaymentsKey", principal="*",
             condition={"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}),
        stmt("Allow", "s3:GetObject", f"{bucket_arn}/artifacts/*", sid="DevBuildReadsArtifacts",
             principal={"AWS": f"arn:aws:iam::{DEV}:role/build"}),
        stmt("Allow", "s3:GetObject", f"{bucket_arn}/*", sid="AllowViaOrgEndpoint", principal="*",
             condition={"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718", "aws:PrincipalOrgID": ORG}}),
    )
    write(base, f"{a}/s3/{bucket}/get-bucket-policy.json", {"Policy": compact(bucket_policy)})
    write(base, f"{a}/s3/{bucket}/get-public-access-block.json", bpa_all)
    write(base, f"{a}/s3/{bucket}/get-bucket-ownership-controls.json",
          {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}})
    owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    write(base, f"{a}/s3/{bucket}/get-bucket-acl.json", {
        "Owner": {"ID": owner},
        "Grants": [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}],
    })
    write(base, f"{a}/s3/{bucket}/get-bucket-tagging.json",
          {"TagSet": [{"Key": "team", "Value": "payments"}, {"Key": "data", "Value": "confidential"}]})
    # KMS: the bucket's key (customer managed) and the AWS managed key for S3.
    k = f"{a}/kms/us-east-1/{key_id}"
    write(base, f"{k}/describe-key.json", {"KeyMetadata": {
        "AWSAccountId": PROD, "KeyId": key_id, "Arn": key_arn, "CreationDate": "2024-03-01T09:30:00.000000+00:00",
        "Enabled": True, "Description": "payments data", "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled",
        "Origin": "AWS_KMS", "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}})
    key_policy = doc(
        stmt("Allow", "kms:*", "*", sid="EnableIAMUserPermissions", principal={"AWS": f"arn:aws:iam::{PROD}:root"}),
        stmt("Allow", ["kms:Decrypt", "kms:DescribeKey"], "*", sid="DevBuildDecryptsViaS3",
             principal={"AWS": f"arn:aws:iam::{DEV}:role/build"},
             condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}),
    )
    write(base, f"{k}/get-key-policy.json", {"Policy": json.dumps(key_policy, indent=4), "PolicyName": "default"})
    write(base, f"{k}/list-grants.json", {"Grants": [{
        "KeyId": key_arn, "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
        "Name": "partner-audit-decrypt", "CreationDate": "2024-03-01T09:30:00+00:00",
        "GranteePrincipal": f"arn:aws:iam::{PROD}:role/partner-audit", "IssuingAccount": f"arn:aws:iam::{PROD}:root",
        "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextSubset": {"aws:s3:arn": f"{bucket_arn}/audit/report.csv"}},
    }], "Truncated": False})
    write(base, f"{k}/list-resource-tags.json", {"Tags": [{"TagKey": "team", "TagValue": "payments"}], "Truncated": False})
    ak = f"{a}/kms/us-east-1/{aws_key_id}"
    aws_key_arn = f"arn:aws:kms:us-east-1:{PROD}:key/{aws_key_id}"
    write(base, f"{ak}/describe-key.json", {"KeyMetadata": {
        "AWSAccountId": PROD, "KeyId": aws_key_id, "Arn": aws_key_arn, "Enabled": True,
        "Description": "Default key that protects my S3 objects when no other key is defined",
        "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": "AWS"}})
    write(base, f"{ak}/get-key-policy.json", {"Policy": compact({"Version": "2012-10-17", "Id": "auto-s3-2", "Statement": [
        {"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
         "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": PROD, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
        {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]}), "PolicyName": "default"})
    write(base, f"{a}/kms/us-east-1/list-aliases.json", {"Aliases": [
        {"AliasName": "alias/aws/s3", "AliasArn": f"arn:aws:kms:us-east-1:{PROD}:alias/aws/s3", "TargetKeyId": aws_key_id},
        {"AliasName": "alias/payments-data", "AliasArn": f"arn:aws:kms:us-east-1:{PROD}:alias/payments-data",
         "TargetKeyId": key_id, "CreationDate": "2024-03-01T09:30:00+00:00"},
    ]})
    queue_policy = {"Version": "2012-10-17", "Id": "orders-queue", "Statement": [
        stmt("Allow", "sqs:SendMessage", queue_arn, sid="TopicDelivers", principal={"Service": "sns.amazonaws.com"},
             condition={"ArnEquals": {"aws:SourceArn": topic_arn}})]}
    write(base, f"{a}/sqs/us-east-1/orders/get-queue-attributes.json", {"Attributes": {
        "QueueArn": queue_arn, "ApproximateNumberOfMessages": "0", "CreatedTimestamp": "1709285400",
        "Policy": compact(queue_policy), "VisibilityTimeout": "30", "SqsManagedSseEnabled": "true"}})
    write(base, f"{a}/sqs/us-east-1/orders/list-queue-tags.json", {"Tags": {"team": "payments"}})
    topic_policy = {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [
        stmt("Allow", ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"], topic_arn, sid="__default_statement_ID",
             principal={"AWS": "*"}, condition={"StringEquals": {"AWS:SourceOwner": PROD}})]}
    write(base, f"{a}/sns/us-east-1/orders-events/get-topic-attributes.json", {"Attributes": {
        "Policy": compact(topic_policy), "Owner": PROD, "SubscriptionsPending": "0", "TopicArn": topic_arn,
        "EffectiveDeliveryPolicy": "{}", "DisplayName": ""}})
    fn_policy = {"Version": "2012-10-17", "Id": "default", "Statement": [
        stmt("Allow", "lambda:InvokeFunction", fn_arn, sid="s3-invoke", principal={"Service": "s3.amazonaws.com"},
             condition={"StringEquals": {"AWS:SourceAccount": PROD}, "ArnLike": {"AWS:SourceArn": bucket_arn}})]}
    write(base, f"{a}/lambda/us-east-1/orders-processor/get-policy.json",
          {"Policy": compact(fn_policy), "RevisionId": "4c5d9e0f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"})
    secret_policy = doc(stmt("Deny", "secretsmanager:GetSecretValue", "*", sid="OnlyPaymentsTeam", principal={"AWS": "*"},
                             condition={"StringNotEquals": {"aws:PrincipalTag/team": "payments"}}))
    sd = f"{a}/secretsmanager/us-east-1/prod/payments/db-credentials"
    write(base, f"{sd}/get-resource-policy.json", {"ARN": secret_arn, "Name": "prod/payments/db-credentials",
                                                    "ResourcePolicy": json.dumps(secret_policy, indent=2)})
    write(base, f"{sd}/describe-secret.json", {"ARN": secret_arn, "Name": "prod/payments/db-credentials",
                                                "LastChangedDate": "2024-03-01T09:30:00+00:00",
                                                "Tags": [{"Key": "team", "Value": "payments"}]})
    vpce_policy = doc(stmt("Allow", "*", "*", sid="OrgPrincipalsOnly", principal="*",
                           condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    write(base, f"{a}/ec2/us-east-1/describe-vpc-endpoints.json", {"VpcEndpoints": [{
        "VpcEndpointId": "vpce-0a1b2c3d4e5f60718", "VpcEndpointType": "Gateway", "VpcId": "vpc-0123456789abcdef0",
        "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "PolicyDocument": json.dumps(vpce_policy),
        "RouteTableIds": ["rtb-0123456789abcdef0"], "SubnetIds": [], "Groups": [], "PrivateDnsEnabled": False,
        "RequesterManaged": False, "NetworkInterfaceIds": [], "DnsEntries": [],
        "CreationTimestamp": "2024-03-01T09:30:00+00:00", "OwnerId": PROD}]})

    # --- payments-dev (444444444444)
    write(base, f"accounts/{DEV}/iam/get-account-authorization-details.json", gaad(
        users=[user(DEV, "dave", "AIDAEXAMPLEDAVE000003",
                    inline=[("dev-buckets", doc(stmt("Allow", "s3:*", ["arn:aws:s3:::payments-dev-*", "arn:aws:s3:::payments-dev-*/*"])))],
                    tag={"team": "payments"})],
        roles=[role(DEV, "build", "AROAEXAMPLEBUILD0001", trust_service("codebuild.amazonaws.com"),
                    inline=[("build", doc(
                        stmt("Allow", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/deploy", sid="Deploy"),
                        stmt("Allow", "s3:GetObject", f"{bucket_arn}/artifacts/*", sid="ReadArtifacts"),
                        stmt("Allow", "kms:Decrypt", key_arn, sid="DecryptArtifacts"),
                    ))])],
    ))

    # --- security (222222222222)
    write(base, f"accounts/{SEC}/iam/get-account-authorization-details.json", gaad(
        roles=[role(SEC, "security-auditor", "AROAEXAMPLEAUDITOR01", trust({"AWS": f"arn:aws:iam::{MGMT}:root"}),
                    managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])],
        policies=[aws_managed("AmazonS3ReadOnlyAccess")],
    ))

    # --- management (111111111111): exempt from SCPs and RCPs
    write(base, f"accounts/{MGMT}/iam/get-account-authorization-details.json", gaad(
        users=[user(MGMT, "org-admin", "AIDAEXAMPLEORGADMIN4", managed=["arn:aws:iam::aws:policy/AdministratorAccess"])],
        policies=[aws_managed("AdministratorAccess")],
    ))


# ---------------------------------------------------------------- the benchmark organization


def bench(base, n_accounts, n_roles):
    """n_accounts accounts in 10 OUs, each with n_roles roles (a trust policy, two inline
    policies, one customer managed and one AWS managed policy), 10 users in 2 groups,
    and a bucket and a key."""
    if os.path.exists(base):
        shutil.rmtree(base)
    accounts = {f"{100000000000 + i:012d}": f"acct-{i:03d}" for i in range(n_accounts)}
    ous = {f"ou-ab12-{i:08d}": (f"OU{i}", ROOT_ID) for i in range(10)}
    placement = {a: f"ou-ab12-{i % 10:08d}" for i, a in enumerate(sorted(accounts))}
    placement[MGMT] = ROOT_ID
    accounts[MGMT] = "management"
    full = corpus("../bench/FullAWSAccess.json")
    deny_leave = corpus("scp/scp-examples__Privileged-access-controls__Deny-member-accounts-from-leaving-your-AWS-organization.json")
    scps = {"p-FullAWSAccess": ("FullAWSAccess", full, True), "p-leaveorg01": ("DenyLeave", deny_leave, False)}
    attach = {t: ["p-FullAWSAccess"] for t in [ROOT_ID, *ous, *accounts]}
    attach[ROOT_ID].append("p-leaveorg01")
    organization(base, accounts, ous, placement, scps, {}, attach, {})
    s3ro = aws_managed("AmazonS3ReadOnlyAccess")
    for n, acct in enumerate(sorted(a for a in accounts if a != MGMT)):
        bucket_arn = f"arn:aws:s3:::data-{acct}"
        shared_arn = f"arn:aws:iam::{acct}:policy/shared-app"
        shared = managed_policy(shared_arn, "shared-app", [("v1", doc(
            stmt("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:*:{acct}:*"),
            stmt("Allow", ["sqs:SendMessage", "sqs:ReceiveMessage"], f"arn:aws:sqs:us-east-1:{acct}:*")), True)], "ANPASHARED")
        roles = []
        for i in range(n_roles):
            name = f"app-{i:04d}"
            roles.append(role(acct, name, f"AROA{n:04d}{i:012d}",
                              trust_service("lambda.amazonaws.com") if i % 2 else trust({"AWS": f"arn:aws:iam::{acct}:root"}),
                              inline=[
                                  ("data", doc(stmt("Allow", ["s3:GetObject", "s3:PutObject"], f"{bucket_arn}/{name}/*"),
                                               stmt("Allow", "s3:ListBucket", bucket_arn,
                                                    condition={"StringLike": {"s3:prefix": f"{name}/*"}}))),
                                  ("deny", doc(stmt("Deny", "s3:DeleteObject", f"{bucket_arn}/*"))),
                              ],
                              managed=[shared_arn, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                              tag={"team": f"t{i % 7}", "env": "prod"}))
        users = [user(acct, f"user-{u}", f"AIDA{n:04d}{u:012d}", groups=["devs" if u % 2 else "ops"],
                      tag={"team": f"t{u % 7}"}) for u in range(10)]
        groups = [group(acct, "devs", "AGPADEVS", managed=[shared_arn]),
                  group(acct, "ops", "AGPAOPS", managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])]
        write(base, f"accounts/{acct}/iam/get-account-authorization-details.json",
              gaad(users=users, groups=groups, roles=roles, policies=[shared, s3ro]))
        write(base, f"accounts/{acct}/s3/data-{acct}/get-bucket-policy.json", {"Policy": compact(doc(
            stmt("Deny", "s3:*", [bucket_arn, f"{bucket_arn}/*"], principal="*",
                 condition={"Bool": {"aws:SecureTransport": "false"}})))})


# ---------------------------------------------------------------- realistic.json as an estate


def realistic(base):
    """The policies of fixtures/bench/realistic.json, where an estate holds them: the
    identity policies attached (in order) to the roles and the user the benchmark's
    requests name, the boundary, the bucket policy, one SCP level per organization level."""
    if os.path.exists(base):
        shutil.rmtree(base)
    bench = os.path.join(ROOT, "fixtures", "bench")
    with open(os.path.join(bench, "realistic.json")) as f:
        spec = json.load(f)["policies"]

    def load(rel):
        with open(os.path.normpath(os.path.join(bench, rel))) as f:
            return json.load(f)

    def name_of(rel):
        return os.path.basename(rel)[:-len(".json")]

    acct, mgmt, ou = "111122223333", "999999999999", "ou-ab12-00000001"
    accounts = {acct: "workload", mgmt: "management"}
    levels = [ROOT_ID, ou, acct]
    scps, attach = {}, {}
    for level, files in zip(levels, spec["scp"]):
        ids = []
        for rel in files:
            pid = "p-FullAWSAccess" if rel == "FullAWSAccess.json" else f"p-{len(scps):08d}"
            scps[pid] = (name_of(rel), load(rel), pid == "p-FullAWSAccess")
            ids.append(pid)
        attach[level] = ids
    attach[mgmt] = ["p-FullAWSAccess"]
    organization(base, accounts, {ou: ("Workloads", ROOT_ID)}, {acct: ou, mgmt: ROOT_ID}, scps, {}, attach, {})
    # Only SCPs are enabled: no RCP levels, as in realistic.json.
    write(base, "organizations/list-roots.json", {"Roots": [{
        "Id": ROOT_ID, "Arn": f"arn:aws:organizations::{MGMT}:root/{ORG}/{ROOT_ID}", "Name": "Root",
        "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})
    managed = [f"arn:aws:iam::aws:policy/{name_of(rel)}" for rel in spec["identity"]]
    boundary = f"arn:aws:iam::aws:policy/{name_of(spec['permissionsBoundary'])}"
    docs = {arn: load(rel) for arn, rel in zip(managed, spec["identity"])}
    docs[boundary] = load(spec["permissionsBoundary"])
    policies = [managed_policy(arn, arn.rsplit("/", 1)[1], [("v1", d, True)], f"ANPA{i:017d}")
                for i, (arn, d) in enumerate(docs.items())]
    trust_doc = trust({"AWS": f"arn:aws:iam::{acct}:root"})
    write(base, f"accounts/{acct}/iam/get-account-authorization-details.json", gaad(
        users=[user(acct, "alice", "AIDAEXAMPLEALICE00001", managed=managed, boundary=boundary)],
        roles=[role(acct, n, f"AROAEXAMPLE{n.upper():<9.9}".replace(" ", "0"), trust_doc, managed=managed, boundary=boundary)
               for n in ("JohnDoe", "DataScience")],
        policies=policies,
    ))
    bucket = "DOC-EXAMPLE-BUCKET"
    write(base, f"accounts/{acct}/s3/{bucket}/get-bucket-policy.json", {"Policy": compact(load(spec["resource"]))})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["example", "bench", "realistic"])
    ap.add_argument("out")
    ap.add_argument("--accounts", type=int, default=100)
    ap.add_argument("--roles", type=int, default=1000)
    a = ap.parse_args()
    if a.what == "example":
        example(a.out)
    elif a.what == "realistic":
        realistic(a.out)
    else:
        bench(a.out, a.accounts, a.roles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
