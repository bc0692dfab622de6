#!/usr/bin/env python3
"""Writes an AWS CLI layout snapshot (README, "Estates") as the file store iam-collect
writes, for tests and benchmarks of `policy-sim`'s iam-collect reader.

    scripts/cli-to-iam-collect.py SNAPSHOT OUT [--region us-east-1]

iam-collect (github act-security-labs/iam-collect) cannot run here: neither its package
nor its dependencies `@cloud-copilot/job`, `@cloud-copilot/log` are on the npm registry
this project reaches. So each file below is written the way the collector's own code
writes it, from the same API responses the CLI snapshot holds (the collector's source
file in brackets):

- folders: `aws/<partition>/accounts/<id>/<service>/[<region>/]['aws'/][<type>/]<id>/`,
  the ARN's resource part after the type URL-encoded (encodeURIComponent), the whole
  path lower-cased; S3 buckets, SQS queues and SNS topics have no type
  [persistence/util.ts resourcePrefix, iam-utils splitArnParts,
  persistence/file/FileSystemAwsIamStore.ts];
- every value written with the collector's `consistentStringify`: 2-space indentation,
  object keys sorted (Version, Statement, Sid, Effect, Action, Principal, Resource,
  Condition first), array elements sorted by their text; an empty value (`None`, `""`,
  `{}`, `[]`) is not written at all [utils/json.ts, FileSystemAwsIamStore.saveOrDeleteFile];
- IAM from GetAccountAuthorizationDetails, documents URL-decoded and parsed: roles
  (`metadata`, `trust-policy`, `inline-policies`, `managed-policies`, `tags`), groups,
  users (`groups`: group ARNs), customer managed policies under `iam/policy/` and AWS
  managed ones under `iam/aws/policy/` (`metadata` with `defaultVersionId`,
  `current-policy`: the default version's document) [syncs/iam/authorizationDetails.ts];
  tags as `{key: value}` [utils/tags.ts];
- `s3-bpa.json`: the account's PublicAccessBlockConfiguration [syncs/s3/accountBpa.ts];
  buckets: `metadata` (name, region, arn, abacEnabled only when true), `tags`, `bpa`,
  `policy` [syncs/s3/buckets.ts]; KMS keys: `metadata` (id, arn, awsManaged only when
  the KeyManager is AWS), `policy`, `tags` [syncs/kms/key.ts]; queues, topics, functions,
  secrets: `metadata` (with `arn`), `policy`, `tags` [syncs/sqs/queues.ts,
  syncs/sns/topics.ts, syncs/lambda/lambda.ts, syncs/secretsmanager/secrets.ts]; VPC
  endpoints: `metadata` (id, vpc ARN, type, serviceName), `endpoint-policy`
  [syncs/ec2/vpcEndpoints.ts];
- the organization: `organizations/<org-id>/metadata.json` (id, arn, rootOu,
  rootAccountArn, rootAccountId, features), `accounts.json` ({id: {ou, scps, rcps,
  s3Policies, tags}}, policy ARNs), `ous.json` (the root and every OU: parent, scps,
  rcps), `structure.json`, `ous/<id>/metadata.json`, `scps/<id>/` and `rcps/<id>/`
  (`metadata`, `policy`), and each account's `organization.json`
  [syncs/organizations/organizations.ts]; `indexes/accounts-to-orgs.json`
  [indexing/indexers/accountOrgs.ts].

What iam-collect does not collect is left out: bucket ACLs and Object Ownership, KMS
grants and aliases, account names.
"""

import argparse
import json
import os
import shutil
import sys
import urllib.parse

RANK = {"Version": 1, "Statement": 2, "Sid": 3, "Effect": 4, "Action": 5, "Principal": 6, "Resource": 7,
        "Condition": 8}


def key_order(k):
    return (0, RANK[k], "") if k in RANK else (1, 0, k.lower() + "\0" + k)


def stringify(node, indent=""):
    """consistentStringify: sorted keys (IAM keys first), sorted array elements."""
    inner = indent + "  "
    if isinstance(node, bool) or node is None or isinstance(node, (int, float, str)):
        return json.dumps(node, ensure_ascii=False)
    if isinstance(node, list):
        if not node:
            return "[]"
        items = sorted(stringify(v, inner) for v in node)
        return "[" + ",".join("\n" + inner + i for i in items) + "\n" + indent + "]"
    keys = sorted((k for k, v in node.items() if v is not None), key=key_order)
    if not keys:
        return "{}"
    return "{\n" + ",\n".join(inner + json.dumps(k, ensure_ascii=False) + ": " + stringify(node[k], inner)
                              for k in keys) + "\n" + indent + "}"


def empty(v):
    return v is None or v == "" or v == {} or v == []


class Store:
    def __init__(self, out, partition):
        self.base = os.path.join(out, "aws", partition)

    def save(self, rel, value):
        if empty(value):
            return
        path = os.path.join(self.base, rel.lower())
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(stringify(value))

    def resource(self, account, arn, files):
        """syncData: one file per member, in the ARN's folder."""
        folder = resource_folder(account, arn)
        for name, value in files.items():
            if name == "metadata" and value is not None:
                value = {k: v for k, v in value.items() if v is not None}
            self.save(f"{folder}/{name}.json", value)


def split_arn(arn):
    """iam-utils splitArnParts: (service, region, account, type, path)."""
    parts = arn.split(":")
    service, region, account = parts[2], parts[3], parts[4]
    resource = ":".join(parts[5:])
    if (service == "s3" and account == "" and region == "") or service in ("sns", "sqs"):
        return service, region, account, "", resource
    resource = resource[1:] if resource.startswith("/") else resource
    slash, colon = resource.find("/"), resource.find(":")
    if slash != -1 and colon != -1:
        split = min(slash, colon) + 1
    elif slash == -1 and colon == -1:
        split = len(resource) + 1
    elif colon == -1:
        split = slash + 1
    else:
        split = colon + 1
    return service, region, account, resource[:split - 1], resource[split:]


def resource_folder(account_id, arn):
    service, region, account, rtype, path = split_arn(arn)
    parts = [f"accounts/{account_id}", service, region, "aws" if account == "aws" else "", rtype,
             urllib.parse.quote(path.strip(), safe="-_.!~*'()") if path else ""]
    return "/".join(p for p in parts if p and p.strip())


def read(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read()
    dec = json.JSONDecoder()
    values, i = [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        v, i = dec.raw_decode(text, i)
        values.append(v)
    if len(values) == 1 and isinstance(values[0], list):
        return values[0]
    return values[0] if len(values) == 1 else values


def doc(d):
    """A document as the collector stores it: URL-decoded and parsed."""
    if isinstance(d, str):
        t = d.strip()
        if t.lower().startswith("%7b"):
            t = urllib.parse.unquote(t)
        return json.loads(t)
    return d


def tags(lst):
    if lst is None:
        return None
    if isinstance(lst, dict):
        return lst or None
    out = {}
    for t in lst:
        k = t.get("Key", t.get("TagKey"))
        if k:
            out[k] = t.get("Value", t.get("TagValue")) or ""
    return out or None


def convert_iam(store, acct, gaad_path):
    pages = read(gaad_path)
    if pages is None:
        return
    if isinstance(pages, dict):
        pages = [pages]
    roles, groups, users, policies = [], [], [], []
    for p in pages:
        roles += p.get("RoleDetailList", [])
        groups += p.get("GroupDetailList", [])
        users += p.get("UserDetailList", [])
        policies += p.get("Policies", [])
    inline = lambda lst: [{"PolicyName": x.get("PolicyName"), "PolicyDocument": doc(x["PolicyDocument"])}
                          for x in lst or []]
    for r in roles:
        store.resource(acct, r["Arn"], {
            "managed-policies": [m["PolicyArn"] for m in r.get("AttachedManagedPolicies", [])],
            "trust-policy": doc(r["AssumeRolePolicyDocument"]) if r.get("AssumeRolePolicyDocument") else None,
            "instance-profiles": [i["Arn"] for i in r.get("InstanceProfileList", [])],
            "inline-policies": inline(r.get("RolePolicyList")),
            "tags": tags(r.get("Tags")),
            "metadata": {"arn": r["Arn"], "name": r["RoleName"], "id": r["RoleId"], "path": r.get("Path"),
                         "created": r.get("CreateDate"),
                         "permissionBoundary": (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")},
        })
    group_arns = {}
    for g in groups:
        group_arns[g["GroupName"]] = g["Arn"]
        store.resource(acct, g["Arn"], {
            "inline-policies": inline(g.get("GroupPolicyList")),
            "managed-policies": [m["PolicyArn"] for m in g.get("AttachedManagedPolicies", [])],
            "metadata": {"arn": g["Arn"], "path": g.get("Path"), "name": g["GroupName"], "id": g.get("GroupId"),
                         "created": g.get("CreateDate")},
        })
    for p in policies:
        default = [v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")]
        store.resource(acct, p["Arn"], {
            "metadata": {"arn": p["Arn"], "name": p.get("PolicyName"), "id": p.get("PolicyId"),
                         "description": p.get("Description"), "defaultVersionId": p.get("DefaultVersionId"),
                         "path": p.get("Path"),
                         "permissionsBoundaryUsageCount": p.get("PermissionsBoundaryUsageCount"),
                         "isAttachable": p.get("IsAttachable"), "createDate": p.get("CreateDate"),
                         "updateDate": p.get("UpdateDate")},
            "current-policy": doc(default[0]["Document"]) if default and default[0].get("Document") else None,
        })
    for u in users:
        store.resource(acct, u["Arn"], {
            "managed-policies": [m["PolicyArn"] for m in u.get("AttachedManagedPolicies", [])],
            "inline-policies": inline(u.get("UserPolicyList")),
            "groups": [group_arns.get(g) for g in u.get("GroupList", [])],
            "tags": tags(u.get("Tags")),
            "metadata": {"arn": u["Arn"], "path": u.get("Path"),
                         "permissionBoundary": (u.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                         "id": u["UserId"], "name": u["UserName"], "created": u.get("CreateDate")},
        })


def sub(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def policy_string(path):
    v = read(path)
    return doc(v["Policy"]) if v and v.get("Policy") else None


def convert_account(store, src, acct, region, partition, org_id):
    base = os.path.join(src, "accounts", acct)
    convert_iam(store, acct, os.path.join(base, "iam", "get-account-authorization-details.json"))
    bpa = read(os.path.join(base, "s3control", "get-public-access-block.json"))
    store.save(f"accounts/{acct}/s3-bpa.json", bpa and bpa.get("PublicAccessBlockConfiguration"))
    if org_id:
        store.save(f"accounts/{acct}/organization.json", {"organizationId": org_id})
    for bucket in sub(os.path.join(base, "s3")):
        d = os.path.join(base, "s3", bucket)
        arn = f"arn:{partition}:s3:::{bucket}"
        abac = read(os.path.join(d, "get-bucket-abac.json"))
        b = read(os.path.join(d, "get-public-access-block.json"))
        store.resource(acct, arn, {
            "tags": tags((read(os.path.join(d, "get-bucket-tagging.json")) or {}).get("TagSet")),
            "bpa": b and b.get("PublicAccessBlockConfiguration"),
            "policy": policy_string(os.path.join(d, "get-bucket-policy.json")),
            "metadata": {"name": bucket, "region": region, "arn": arn,
                         "abacEnabled": True if abac and abac["AbacStatus"]["Status"] == "Enabled" else None},
        })
    for reg in sub(os.path.join(base, "kms")):
        for key in sub(os.path.join(base, "kms", reg)):
            d = os.path.join(base, "kms", reg, key)
            if not os.path.isdir(d):
                continue
            meta = (read(os.path.join(d, "describe-key.json")) or {}).get("KeyMetadata", {})
            arn = meta.get("Arn") or f"arn:{partition}:kms:{reg}:{acct}:key/{key}"
            store.resource(acct, arn, {
                "metadata": {"id": key, "arn": arn, "awsManaged": True if meta.get("KeyManager") == "AWS" else None},
                "policy": policy_string(os.path.join(d, "get-key-policy.json")),
                "tags": tags((read(os.path.join(d, "list-resource-tags.json")) or {}).get("Tags")),
            })
    for service, attrs, arn_key, tag_file in [("sqs", "get-queue-attributes.json", "QueueArn", "list-queue-tags.json"),
                                              ("sns", "get-topic-attributes.json", "TopicArn",
                                               "list-tags-for-resource.json")]:
        for reg in sub(os.path.join(base, service)):
            for name in sub(os.path.join(base, service, reg)):
                d = os.path.join(base, service, reg, name)
                a = (read(os.path.join(d, attrs)) or {}).get("Attributes", {})
                arn = a.get(arn_key) or f"arn:{partition}:{service}:{reg}:{acct}:{name}"
                meta = {"name": name, "arn": arn}
                if service == "sqs":
                    meta["kmsKey"] = a.get("KmsMasterKeyId")
                else:
                    meta.update(displayName=a.get("DisplayName"), keyId=a.get("KmsMasterKeyId"), owner=a.get("Owner"))
                store.resource(acct, arn, {"metadata": meta, "policy": doc(a["Policy"]) if a.get("Policy") else None,
                                           "tags": tags((read(os.path.join(d, tag_file)) or {}).get("Tags"))})
    for reg in sub(os.path.join(base, "lambda")):
        for fn in sub(os.path.join(base, "lambda", reg)):
            d = os.path.join(base, "lambda", reg, fn)
            arn = f"arn:{partition}:lambda:{reg}:{acct}:function:{fn}"
            store.resource(acct, arn, {"metadata": {"name": fn, "arn": arn},
                                       "policy": policy_string(os.path.join(d, "get-policy.json")),
                                       "tags": tags((read(os.path.join(d, "list-tags.json")) or {}).get("Tags"))})
    for reg in sub(os.path.join(base, "secretsmanager")):
        top = os.path.join(base, "secretsmanager", reg)
        for d, _, files in sorted(os.walk(top)):
            if "get-resource-policy.json" not in files and "describe-secret.json" not in files:
                continue
            desc = read(os.path.join(d, "describe-secret.json")) or {}
            pol = read(os.path.join(d, "get-resource-policy.json")) or {}
            arn = desc.get("ARN") or pol.get("ARN")
            name = desc.get("Name") or pol.get("Name") or os.path.relpath(d, top)
            store.resource(acct, arn, {"metadata": {"name": name, "kmsKey": desc.get("KmsKeyId"), "arn": arn},
                                       "policy": doc(pol["ResourcePolicy"]) if pol.get("ResourcePolicy") else None,
                                       "tags": tags(desc.get("Tags"))})
    for reg in sub(os.path.join(base, "ec2")):
        eps = read(os.path.join(base, "ec2", reg, "describe-vpc-endpoints.json")) or {}
        for e in eps.get("VpcEndpoints", []):
            arn = f"arn:{partition}:ec2:{reg}:{acct}:vpc-endpoint/{e['VpcEndpointId']}"
            store.resource(acct, arn, {
                "metadata": {"id": e["VpcEndpointId"], "vpc": f"arn:{partition}:ec2:{reg}:{acct}:vpc/{e['VpcId']}",
                             "type": e.get("VpcEndpointType"), "serviceName": e.get("ServiceName"), "arn": arn},
                "endpoint-policy": doc(e["PolicyDocument"]) if e.get("PolicyDocument") else None,
                "tags": tags(e.get("Tags")),
            })


def convert_org(store, src):
    od = os.path.join(src, "organizations")
    desc = read(os.path.join(od, "describe-organization.json"))
    if not desc:
        return None
    org = desc["Organization"]
    org_id = org["Id"]
    roots = (read(os.path.join(od, "list-roots.json")) or {}).get("Roots", [])
    root = roots[0]
    features = {t["Type"]: t["Status"] == "ENABLED" for t in root.get("PolicyTypes", [])}

    def attached(target, ty):
        if not features.get(ty):
            return []
        v = read(os.path.join(od, "list-policies-for-target", f"{target}.{ty}.json")) or {}
        return [p["Arn"] for p in v.get("Policies", [])]

    ous = {root["Id"]: {"parent": None, "scps": attached(root["Id"], "SERVICE_CONTROL_POLICY"),
                        "rcps": attached(root["Id"], "RESOURCE_CONTROL_POLICY"), "s3Policies": []}}
    accounts, structure = {}, {root["Id"]: {"children": {}, "accounts": []}}
    stack = [structure]
    while stack:
        level = stack.pop()
        for key in list(level):
            for ou in (read(os.path.join(od, "list-organizational-units-for-parent", f"{key}.json")) or {}).get(
                    "OrganizationalUnits", []):
                ous[ou["Id"]] = {"parent": key, "scps": attached(ou["Id"], "SERVICE_CONTROL_POLICY"),
                                 "rcps": attached(ou["Id"], "RESOURCE_CONTROL_POLICY"), "s3Policies": []}
                store.save(f"organizations/{org_id}/ous/{ou['Id']}/metadata.json",
                           {"arn": ou.get("Arn"), "name": ou.get("Name")})
                level[key]["children"] = level[key]["children"] or {}
                level[key]["children"][ou["Id"]] = {"children": None, "accounts": None}
            accts = (read(os.path.join(od, "list-accounts-for-parent", f"{key}.json")) or {}).get("Accounts", [])
            if accts:
                level[key]["accounts"] = []
            for a in accts:
                accounts[a["Id"]] = {"ou": key, "scps": attached(a["Id"], "SERVICE_CONTROL_POLICY"),
                                     "rcps": attached(a["Id"], "RESOURCE_CONTROL_POLICY"), "s3Policies": [],
                                     "tags": None}
                level[key]["accounts"].append(a.get("Arn") or f"arn:aws:organizations::{org.get('MasterAccountId')}:account/{org_id}/{a['Id']}")
            if level[key]["children"]:
                stack.append(level[key]["children"])
    store.save(f"organizations/{org_id}/structure.json", structure)
    store.save(f"organizations/{org_id}/metadata.json", {
        "id": org_id, "arn": org.get("Arn"), "rootOu": root["Id"], "rootAccountArn": org.get("MasterAccountArn"),
        "rootAccountId": org.get("MasterAccountId"), "features": features})
    store.save(f"organizations/{org_id}/accounts.json", accounts)
    store.save(f"organizations/{org_id}/ous.json", ous)
    store.save(f"organizations/{org_id}/ous/{root['Id']}/metadata.json", {"arn": root.get("Arn"), "name": root.get("Name")})
    for name in sub(os.path.join(od, "describe-policy")):
        p = read(os.path.join(od, "describe-policy", name))["Policy"]
        s = p["PolicySummary"]
        kind = {"SERVICE_CONTROL_POLICY": "scps", "RESOURCE_CONTROL_POLICY": "rcps"}.get(s.get("Type"))
        if kind is None:
            kind = "rcps" if "resource_control_policy" in s.get("Arn", "") else "scps"
        store.save(f"organizations/{org_id}/{kind}/{s['Id']}/metadata.json",
                   {"arn": s.get("Arn"), "name": s.get("Name"), "description": s.get("Description"),
                    "awsManaged": s.get("AwsManaged")})
        store.save(f"organizations/{org_id}/{kind}/{s['Id']}/policy.json", doc(p["Content"]))
    store.save("indexes/accounts-to-orgs.json", {a: org_id for a in accounts})
    return org_id, set(accounts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot")
    ap.add_argument("out")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--partition", default="aws")
    a = ap.parse_args()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    store = Store(a.out, a.partition)
    org = convert_org(store, a.snapshot)
    org_id, members = org if org else (None, set())
    for acct in sub(os.path.join(a.snapshot, "accounts")):
        convert_account(store, a.snapshot, acct, a.region, a.partition, org_id if acct in members else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
