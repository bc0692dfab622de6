#!/usr/bin/env python3
"""Writes N `batch --estate` lines over the example organization, for byte-for-byte
comparisons of two builds (scripts/compare-outputs.sh).

Usage: scripts/gen-estate-lines.py N [SEED] > OUT.jsonl

The principals, actions, resources and context keys are those of the organization's test
suite (fixtures/estates/example-org.test.yaml), combined at random with its default
context and a few more keys (a key the estate derives given by the line, in another case,
a VPC endpoint, session tags as principal tags); some lines carry an `id`, a
`resourceAccount` or `policies` (the general path), and a few are bad input (unknown
principal or action, a bad account, truncated JSON).
"""
import json
import random
import sys
from pathlib import Path

import yaml

if len(sys.argv) < 2:
    sys.exit(__doc__)
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 11)
suite = yaml.safe_load((Path(__file__).parent.parent / "fixtures/estates/example-org.test.yaml").read_text())


def as_list(v):
    return v if isinstance(v, list) else [v]


principals, actions, resources, contexts = set(), set(), set(), []
for t in suite["tests"]:
    principals.update(as_list(t.get("principal", [])))
    actions.update(as_list(t.get("action", [])))
    resources.update(as_list(t.get("resource", [])))
    if "context" in t:
        contexts.append(t["context"])
principals, actions, resources = sorted(principals), sorted(actions), sorted(resources)
extra = [
    {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
    {"aws:principalorgid": "o-zzzzzzzzzz"},
    {"aws:PrincipalTag/team": "payments"},
    {"aws:ResourceAccount": "333333333333"},
    {"aws:SourceIp": "203.0.113.7"},
    {"aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": 300},
    {"aws:SecureTransport": False},
]
out = sys.stdout
for i in range(int(sys.argv[1])):
    line = {
        "principal": random.choice(principals),
        "action": random.choice(actions),
    }
    if random.random() < 0.9:
        line["resource"] = random.choice(resources)
    ctx = dict(suite.get("defaults", {}).get("context", {}))
    for c in random.sample(contexts, k=random.randint(0, 2)) + random.sample(extra, k=random.randint(0, 3)):
        ctx.update(c)
    if ctx or random.random() < 0.5:
        line["context"] = ctx
    if random.random() < 0.3:
        line["id"] = random.choice([i, f"req-{i}"])
    if random.random() < 0.05:
        line["resourceAccount"] = random.choice(["222222222222", "444444444444", "12345"])
    if random.random() < 0.05:
        line["policies"] = {
            "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
        }
    r = random.random()
    if r < 0.02:
        line["principal"] = "arn:aws:iam::999999999999:user/nobody"
    elif r < 0.03:
        line["action"] = "not-an-action"
    text = json.dumps(line)
    if random.random() < 0.01:
        text = text[: len(text) // 2]
    out.write(text + "\n")
