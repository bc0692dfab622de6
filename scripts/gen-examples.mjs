#!/usr/bin/env node
// Writes playground/src/examples.json: the playground's examples menu. The README's
// scenarios (its quick start and "More scenarios") and a few cases of fixtures/cases/,
// each as a complete request document with every policy inlined (the browser has no
// files), with its title, description, source and expected decision.
//
// Usage: node scripts/gen-examples.mjs [OUT]   (run by `npm run build` in playground/)

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "playground/src/examples.json"));

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

/** Replaces every policy given by path (relative to `base`) with the file's content. */
function inline(doc, base) {
  const one = (p) => (typeof p === "string" ? readJson(resolve(base, p)) : p);
  const policies = doc.policies ?? {};
  for (const [key, value] of Object.entries(policies)) {
    if (key === "scp" || key === "rcp") {
      policies[key] = value.map((level) => level.map(one));
    } else if (Array.isArray(value)) {
      policies[key] = value.map(one);
    } else {
      policies[key] = one(value);
    }
  }
  return doc;
}

const request = (rel) => inline(readJson(join(root, rel)), dirname(join(root, rel)));
const fixture = (rel) => readJson(join(root, rel));

const examples = [];

// The README's scenarios, as the README runs them.
{
  const doc = request("fixtures/requests/cross-account-put-object.json");
  examples.push({
    id: "readme-quick-start",
    group: "README",
    title: "Quick start: cross-account s3:PutObject",
    description:
      "README quick start: carlossalazar (account 111111111111) puts an object into the Production bucket of account 222222222222. The bucket policy allows it, but his identity policy (AmazonS3ReadOnlyAccess) does not: a cross-account request needs both.",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
    expect: "ImplicitDeny",
    document: doc,
  });
  examples.push({
    id: "readme-get-object",
    group: "README",
    title: "The same request with s3:GetObject",
    description:
      "README, More scenarios: the same request with `s3:GetObject` is allowed, by a statement of each side.",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
    expect: "Allow",
    document: { ...structuredClone(doc), id: "carlos-get-q3-report", action: "s3:GetObject" },
  });
  const full = fixture("fixtures/bench/FullAWSAccess.json");
  examples.push({
    id: "readme-scp-delete",
    group: "README",
    title: "SCP protects a bucket from deletes",
    description:
      "README, More scenarios: AmazonS3FullAccess allows a CI role to delete an object, but the AWS sample SCP at the second organization level denies deleting objects of [BUCKET_TO_PROTECT].",
    source: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html",
    expect: "ExplicitDeny",
    document: {
      principal: "arn:aws:sts::111122223333:assumed-role/Deploy/ci",
      action: "s3:DeleteObject",
      resource: "arn:aws:s3:::[BUCKET_TO_PROTECT]/build.zip",
      context: { "aws:SourceIp": "203.0.113.9" },
      policies: {
        identity: [fixture("fixtures/corpus/managed/AmazonS3FullAccess.json")],
        scp: [
          [full],
          [
            full,
            fixture(
              "fixtures/corpus/scp/scp-examples__Service-specific-controls__Amazon-S3__Deny-users-from-deleting-Amazon-S3-buckets-or-object.json",
            ),
          ],
        ],
      },
    },
  });
}

// A few worked cases, one per policy type or feature.
const cases = [
  "eval/boundary-blocks-identity-allow.json",
  "eval/session-policy-filters-delete.json",
  "eval/scp-region-deny.json",
  "eval/rcp-identity-perimeter-denies-external-principal.json",
  "eval/vpce-org-perimeter-implicit-deny.json",
  "cond/bool-secure-transport-deny.json",
  "cond/string-equals-missing-key.json",
  "sts/assume-role-cross-account-mfa.json",
  "kms/default-key-policy-delegates-to-iam.json",
  "eval/anonymous-public-read.json",
];
for (const rel of cases) {
  const path = join(root, "fixtures/cases", rel);
  const c = readJson(path);
  examples.push({
    id: `case-${rel.replace(/\.json$/, "").replace("/", "-")}`,
    group: "Cases (fixtures/cases)",
    title: rel.replace(/\.json$/, ""),
    description: c.description,
    source: c.source,
    expect: c.expect.decision,
    document: inline(c.request, dirname(path)),
  });
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(examples, null, 1) + "\n");
console.log(`wrote ${examples.length} examples to ${out}`);
