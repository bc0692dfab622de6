#!/usr/bin/env python3
"""Writes N batch lines derived from one request line, mixing well-formed and bad input, for
byte-for-byte comparisons of two builds (scripts/compare-outputs.sh).

Usage: scripts/gen-mixed-lines.py LINE_FILE N [SEED] > OUT.jsonl

From the first line of LINE_FILE (a `batch` request with a `context` object) it varies the key
order, drops and overrides context keys (IP addresses, escaped and non-ASCII user names, arrays,
numbers, booleans), repeats the context of the line before, varies principals, actions,
resources, ids and resource accounts, and plants errors: duplicate keys differing in case,
unknown principals and actions, bad accounts, truncated JSON, blank lines, tabs, compact
separators, CRLF line ends and non-UTF-8 bytes.
"""
import json
import random
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
with open(sys.argv[1]) as f:
    base = json.loads(f.readline())
out = sys.stdout.buffer
keys = list(base.get("context", {}).items())
prev = None
for i in range(int(sys.argv[2])):
    r = random.random()
    d = {"principal": base["principal"], "action": base["action"], "resource": base["resource"]}
    ctx = dict(keys)
    if random.random() < 0.3:
        items = list(ctx.items())
        random.shuffle(items)
        ctx = dict(items)
    if ctx and random.random() < 0.3:
        ctx.pop(random.choice(list(ctx)))
    if random.random() < 0.2:
        ctx["aws:SourceIp"] = f"{random.randint(1, 250)}.{random.randint(0, 255)}.0.{random.randint(0, 255)}"
    if random.random() < 0.1:
        ctx["aws:username"] = random.choice(["bob", "al\"ice", "a\\b", "\u00fc"])
    if random.random() < 0.1:
        ctx["aws:PrincipalTag/team"] = ["analytics", "x"]
    if random.random() < 0.1:
        ctx["aws:MultiFactorAuthAge"] = random.randint(0, 9999)
    if random.random() < 0.1:
        ctx["aws:SecureTransport"] = random.choice([True, False])
    # A third of the lines repeat the context of the line before (with its key order),
    # as a sweep over principals, actions or resources does.
    if prev is not None and random.random() < 0.3:
        ctx = prev
    prev = ctx
    if random.random() < 0.1:
        account = base["principal"].split(":")[4] or "111122223333"
        d["principal"] = random.choice([f"arn:aws:iam::{account}:user/bob", f"arn:aws:sts::{account}:assumed-role/Admin/s1"])
    if random.random() < 0.1:
        d["action"] = random.choice(["s3:PutObject", "s3:ListBucket", "ec2:DescribeInstances", "kms:Decrypt", "iam:CreateUser"])
    if random.random() < 0.1:
        d["resource"] = random.choice(["arn:aws:s3:::data-1-bucket/home/alice/x", "arn:aws:s3:::example-bucket/confidential/a", "*"])
    if random.random() < 0.1:
        d["id"] = random.choice([i, f"r-{i}", None])
    if random.random() < 0.05:
        d["resourceAccount"] = random.choice(["111122223333", "444455556666", "bad"])
    d["context"] = ctx
    line = json.dumps(d, ensure_ascii=random.random() < 0.5).encode()
    if r < 0.02:
        line = line.replace(b'"aws:SourceIp"', b'"aws:SourceIp":"1.1.1.1","AWS:SOURCEIP"', 1)
    elif r < 0.03:
        line = line.replace(b'"principal": "', b'"principal": "nobody', 1)
    elif r < 0.04:
        line = line.replace(b'"action": "', b'"action": "bad', 1)
    elif r < 0.05:
        line = line[: len(line) // 2]
    elif r < 0.055:
        line = b""
    elif r < 0.06:
        line = line.replace(b"alice", b"al\xffce", 1)
    elif r < 0.07:
        line = line.replace(b": ", b":\t", 2)
    elif r < 0.08:
        line = json.dumps(d, separators=(",", ":")).encode()
    out.write(line + (b"\r\n" if random.random() < 0.1 else b"\n"))
