//! Test suites (`policy_core::suite`): parsing with positions, running, expectations,
//! coverage and recording, with policies held in memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::sync::Arc;

use policy_core::suite::{Coverage, Suite};
use policy_core::{parse_policy, Diagnostic, PartialDocument, Policy, PolicyLoader, PolicyType, Source};

/// Policies by path, held in memory.
#[derive(Default)]
struct Files(HashMap<String, String>);

impl PolicyLoader for Files {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let text = self
            .0
            .get(path)
            .ok_or_else(|| (format!("cannot read policy `{path}`"), Vec::new()))?;
        let src = Source::new(path, text.clone());
        parse_policy(&src, ty)
            .map(|p| Arc::new(p.policy))
            .map_err(|e| (format!("invalid {} `{path}`", ty.name()), e.diagnostics))
    }
}

const CI_ROLE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deploy",
      "Effect": "Allow",
      "Action": ["cloudformation:*", "s3:*"],
      "Resource": "*"
    },
    {
      "Sid": "NeverUsed",
      "Effect": "Allow",
      "Action": "ec2:RunInstances",
      "Resource": "*"
    }
  ]
}"#;

const SCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "DenyProdDeletes", "Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"],
     "Resource": ["arn:aws:s3:::prod-data", "arn:aws:s3:::prod-data/*"]}
  ]
}"#;

fn files() -> Files {
    let mut f = Files::default();
    f.0.insert("ci.json".into(), CI_ROLE.into());
    f.0.insert("scp.json".into(), SCP.into());
    f
}

fn parse(name: &str, text: &str) -> Result<Suite, Vec<policy_core::DocumentError>> {
    Suite::parse(&Source::new(name, text), &mut files(), &PartialDocument::default())
}

const SUITE: &str = "\
name: guardrails
policies:
  identity: [ci.json]
  scp: [[scp.json]]
tests:
  - name: CI can deploy
    principal: arn:aws:iam::111122223333:role/ci
    action: cloudformation:CreateStack
    expect: Allow
  - name: nobody deletes prod data
    principal: [arn:aws:iam::111122223333:role/ci, arn:aws:iam::111122223333:role/dev]
    action: [s3:DeleteObject, s3:DeleteBucket]
    resource: arn:aws:s3:::prod-data/reports/q3.csv
    expect: {decision: Deny, blockedBy: scp, sid: DenyProdDeletes}
  - name: no IAM
    principal: arn:aws:iam::111122223333:role/ci
    action: iam:CreateUser
    expect: {decision: ImplicitDeny, blockedBy: identity}
";

#[test]
fn a_yaml_suite_runs_with_quantifiers_and_expectations() {
    let s = parse("guardrails.yaml", SUITE).unwrap();
    assert_eq!(s.name, "guardrails");
    assert_eq!(s.tests.len(), 3);
    assert_eq!(s.case_count(), 1 + 4 + 1);
    let names: Vec<&str> = s.tests[1].cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "nobody deletes prod data [arn:aws:iam::111122223333:role/ci, s3:DeleteObject]",
            "nobody deletes prod data [arn:aws:iam::111122223333:role/ci, s3:DeleteBucket]",
            "nobody deletes prod data [arn:aws:iam::111122223333:role/dev, s3:DeleteObject]",
            "nobody deletes prod data [arn:aws:iam::111122223333:role/dev, s3:DeleteBucket]",
        ]
    );
    assert_eq!((s.tests[1].location.line, s.tests[1].location.column), (10, 5));
    let results = s.run(None, None);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.failure.clone())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(results.len(), 6);
}

#[test]
fn failures_say_what_was_expected_and_what_came() {
    let text = SUITE
        .replace("expect: Allow", "expect: ImplicitDeny")
        .replace("blockedBy: scp, sid: DenyProdDeletes", "blockedBy: identity")
        .replace(
            "{decision: ImplicitDeny, blockedBy: identity}",
            "{decision: Deny, blockedBy: permissionsBoundary}",
        );
    let s = parse("g.yaml", &text).unwrap();
    let results = s.run(None, None);
    let failures: Vec<String> = results.iter().filter_map(|r| r.failure.clone()).collect();
    assert_eq!(failures[0], "expected ImplicitDeny, got Allow");
    assert_eq!(
        failures[1],
        "expected Deny blocked by `identity`, got ExplicitDeny (blocked by scp)"
    );
    assert_eq!(
        failures.last().unwrap(),
        "expected Deny blocked by `permissionsBoundary`, got ImplicitDeny (blocked by identity)"
    );
    // A failing case carries the near misses, as `eval` prints them.
    assert!(results[0].response.decision == policy_core::Decision::Allow);
    let sid = SUITE.replace("sid: DenyProdDeletes", "sid: Nope");
    let r = parse("g.yaml", &sid)
        .unwrap()
        .run(Some("role/dev, s3:DeleteBucket"), None);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].failure.as_deref(),
        Some("expected Deny blocked by `scp` by the statement with Sid `Nope`, got ExplicitDeny; deciding: scp[0][0].Statement[1] (Sid `DenyProdDeletes`)")
    );
}

#[test]
fn coverage_counts_statements_that_decided() {
    let s = parse("g.yaml", SUITE).unwrap();
    let mut cov = Coverage::new();
    cov.add_suite(&s);
    s.run(None, Some(&mut cov));
    let files = cov.files();
    let ci = files.iter().find(|f| f.file == "ci.json").unwrap();
    let hits: Vec<(u32, u32, usize)> = ci.statements.iter().map(|s| (s.line, s.end_line, s.hits)).collect();
    assert_eq!(hits, [(4, 9, 1), (10, 15, 0)]);
    let scp = files.iter().find(|f| f.file == "scp.json").unwrap();
    let hits: Vec<usize> = scp.statements.iter().map(|s| s.hits).collect();
    assert_eq!(
        hits,
        [1, 4],
        "the Allow-all decided the allowed case, the Deny the four deletes"
    );
    assert_eq!(cov.totals(), (3, 4));
    assert_eq!(cov.percent(), 75.0);
    let opa = cov.to_opa_json();
    assert_eq!(opa["files"]["ci.json"]["covered"][0]["start"]["row"], 4);
    assert_eq!(opa["files"]["ci.json"]["covered"][0]["end"]["row"], 9);
    assert_eq!(opa["files"]["ci.json"]["not_covered"][0]["start"]["row"], 10);
    assert_eq!(opa["files"]["ci.json"]["covered_lines"], 6);
    assert_eq!(opa["files"]["ci.json"]["not_covered_lines"], 6);
    assert_eq!(opa["files"]["ci.json"]["coverage"], 50.0);
    assert_eq!(opa["statement_coverage"], 75.0);
    let lcov = cov.to_lcov();
    assert!(lcov.contains("SF:ci.json\nFN:4,Statement[0] Deploy\nFN:10,Statement[1] NeverUsed\nFNDA:1,Statement[0] Deploy\nFNDA:0,Statement[1] NeverUsed\nFNF:2\nFNH:1\nDA:4,1\n"), "{lcov}");
    assert!(lcov.contains("DA:15,0\nLF:12\nLH:6\nend_of_record\n"), "{lcov}");
}

#[test]
fn inline_policies_keep_their_lines_in_responses_and_coverage() {
    let text = "\
tests:
  - name: inline
    principal: arn:aws:iam::111122223333:user/alice
    action: s3:GetObject
    resource: arn:aws:s3:::b/k
    policies:
      identity:
        - Version: '2012-10-17'
          Statement:
            - Effect: Deny
              Action: s3:PutObject
              Resource: '*'
            - Sid: Read
              Effect: Allow
              Action: s3:GetObject
              Resource: '*'
    expect: {decision: Allow, sid: Read}
";
    let s = parse("inline.yaml", text).unwrap();
    let r = s.run(None, None);
    assert!(r[0].passed, "{:?}", r[0].failure);
    let d = &r[0].response.deciding[0];
    assert_eq!((d.file.as_deref(), d.line), (Some("inline.yaml"), Some(13)));
    let mut cov = Coverage::new();
    cov.add_suite(&s);
    let lines: Vec<(u32, u32)> = cov.files()[0].statements.iter().map(|s| (s.line, s.end_line)).collect();
    assert_eq!(lines, [(10, 12), (13, 16)]);
}

fn errors(name: &str, text: &str) -> Vec<String> {
    parse(name, text)
        .expect_err("errors")
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{} [{}] {} ({})",
                e.file, e.line, e.column, e.code, e.message, e.path
            )
        })
        .collect()
}

#[test]
fn yaml_errors_point_into_the_suite() {
    let text = "\
policies:
  identity: [ci.json]
tests:
  - name: a
    principal: arn:aws:iam::111122223333:role/ci
    action: s3:GetObject
    context: {aws:SourceIp: [1, {a: b}]}
    expect: Alow
  - name: b
    principal: [arn:aws:iam::111122223333:role/ci, 'not an arn']
    action: s3:GetObject
    expect: Allow
  - name: c
    principal: arn:aws:iam::111122223333:role/ci
    action: s3:GetObject
    resurce: x
    expect: Allow
  - principal: arn:aws:iam::111122223333:role/ci
    action: s3:GetObject
    expect: {decision: Allow, blockedBy: scp}
";
    let e = errors("bad.yaml", text);
    assert_eq!(
        e,
        [
            "bad.yaml:8:13 [invalid-value] expected `Allow`, `Deny`, `ExplicitDeny` or `ImplicitDeny` (did you mean `Allow`?) (tests[0].expect)",
            "bad.yaml:18:5 [missing-member] a test needs a `name` (tests[3])",
            "bad.yaml:20:13 [invalid-value] `blockedBy` needs a deny: `Deny`, `ExplicitDeny` or `ImplicitDeny` (tests[3].expect)",
            "bad.yaml:7:33 [invalid-value] invalid type: map, expected a string, number or boolean (tests[0])",
            "bad.yaml:10:52 [invalid-principal] invalid principal `not an arn`: expected an IAM user, role, assumed-role or federated-user ARN, an account root ARN or 12-digit id, a service principal such as `lambda.amazonaws.com`, `anonymous`, or an object such as {\"Federated\": \"accounts.google.com\"} (tests[1].principal[1])",
            "bad.yaml:16:5 [unknown-member] unknown field `resurce`, expected one of `id`, `principal`, `action`, `resource`, `resourceAccount`, `context`, `organization`, `policies`, `sessionIssuer`, `blockPublicAccess`, `acl`, `kmsGrants`, `kmsKeyManager` (tests[2])",
        ]
    );
}

#[test]
fn syntax_errors_and_policy_errors_have_positions() {
    let e = errors("s.yaml", "tests:\n  - name: a\n    action: [s3:GetObject\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("s.yaml:4:1 [yaml-syntax]"), "{e:?}");
    let e = errors("s.json", "{\"tests\": [\n  {\"name\": \"a\",, }]}");
    assert_eq!(e, ["s.json:2:16 [json-syntax] Unexpected token in object ()"]);
    let text = "\
tests:
  - name: bad policy
    principal: arn:aws:iam::111122223333:user/a
    action: s3:GetObject
    policies:
      identity:
        - Version: '2012-10-17'
          Statement:
            - Effect: allow
              Action: s3:GetObject
              Resource: '*'
    expect: Allow
";
    let errs = parse("p.yaml", text).err().unwrap();
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].column, errs[0].code), (9, 23, "invalid-policy"));
    let d = &errs[0].diagnostics[0];
    let rendered = d.render();
    assert!(rendered.contains("--> p.yaml:9:23"), "{rendered}");
    assert!(rendered.contains("9 |             - Effect: allow"), "{rendered}");
    let e = errors("m.yaml", "policies:\n  identity: [missing.json]\ntests: []\n");
    assert_eq!(
        e,
        ["m.yaml:2:14 [unreadable-policy] cannot read policy `missing.json` (policies.identity[0])"]
    );
    let e = errors("t.yaml", "tests:\n  - name: a\n    action: !Sub x\n    expect: Allow\n");
    assert_eq!(
        e,
        ["t.yaml:3:18 [invalid-value] YAML tag `!Sub` is not supported in a suite (tests[0].action)",]
    );
    let e = errors("e.yaml", "tests:\n  - name: b\n    principal: []\n");
    assert_eq!(
        e,
        ["e.yaml:3:16 [invalid-value] an empty list: give at least one value (tests[0].principal)"]
    );
    let e = errors("u.yaml", "name: x\ntest: []\n");
    assert_eq!(
        e,
        [
            "u.yaml:2:1 [unknown-member] unknown suite member `test` (did you mean `tests`?): expected `name`, `description`, `policies`, `defaults`, `estate`, `tests` (test)",
            "u.yaml:1:1 [missing-member] a suite needs `tests`, a list of tests ()",
        ]
    );
}

#[test]
fn json_suites_and_defaults() {
    let text = r#"{
  "name": "json",
  "defaults": {"resource": "arn:aws:s3:::prod-data/x", "policies": {"identity": ["ci.json"], "scp": [["scp.json"]]}},
  "tests": [
    {"name": "delete", "principal": "arn:aws:iam::111122223333:role/ci", "action": "s3:DeleteObject",
     "expect": "ExplicitDeny"},
    {"name": "read", "principal": "111122223333", "action": "s3:GetObject", "resourceAccount": "111122223333",
     "expect": "Allow"}
  ]
}"#;
    let s = parse("s.json", text).unwrap();
    let r = s.run(None, None);
    assert!(
        r.iter().all(|r| r.passed),
        "{:?}",
        r.iter().map(|r| &r.failure).collect::<Vec<_>>()
    );
    // YAML numbers are read as text where the request document wants strings.
    let y = "defaults: {resourceAccount: 111122223333}\npolicies: {identity: [ci.json]}\ntests:\n  - {name: n, principal: arn:aws:iam::111122223333:role/ci, action: s3:GetObject, resource: arn:aws:s3:::b/k, expect: Allow}\n";
    let s = parse("n.yaml", y).unwrap();
    assert!(s.run(None, None)[0].passed);
    let e = errors(
        "d.yaml",
        "defaults: {policies: {identity: [ci.json]}}\npolicies: {identity: [ci.json]}\ntests: []\n",
    );
    assert_eq!(
        e,
        ["d.yaml:2:11 [invalid-value] the policies are given both here and in `defaults`: give them once (policies)"]
    );
}

#[test]
fn yaml_anchors_share_lists() {
    let text = "\
policies: {identity: [ci.json]}
people: &people [arn:aws:iam::111122223333:role/ci, arn:aws:iam::111122223333:role/ops]
tests:
  - name: deploy
    principal: *people
    action: cloudformation:CreateStack
    expect: Allow
";
    let e = errors("a.yaml", text);
    assert!(e[0].contains("unknown suite member `people`"), "{e:?}");
    let text = text.replace("people: &people", "description: &people");
    let s = parse("a.yaml", &text).unwrap();
    assert_eq!(s.case_count(), 2);
}

#[test]
fn record_writes_outcomes_and_splits_mixed_tests() {
    let text = "\
policies:
  identity: [ci.json]
  scp: [[scp.json]]
tests:
  # deploys
  - name: deploy
    principal: arn:aws:iam::111122223333:role/ci
    action: cloudformation:CreateStack   # the stack
  - name: wrong
    principal: arn:aws:iam::111122223333:role/ci
    action: iam:CreateUser
    expect:
      decision: Allow
  - name: kept
    principal: arn:aws:iam::111122223333:role/ci
    action: s3:GetObject
    expect: Allow
  - name: mixed
    principal: arn:aws:iam::111122223333:role/ci
    action: [s3:GetObject, s3:DeleteBucket]
    resource: arn:aws:s3:::prod-data
  - {name: flow, principal: 'arn:aws:iam::111122223333:role/ci', action: ec2:RunInstances}
";
    let s = parse("r.yaml", text).unwrap();
    let rec = s.record(None);
    assert_eq!((rec.recorded, rec.split, rec.unchanged), (3, 1, 1));
    assert_eq!(
        rec.text,
        "\
policies:
  identity: [ci.json]
  scp: [[scp.json]]
tests:
  # deploys
  - name: deploy
    principal: arn:aws:iam::111122223333:role/ci
    action: cloudformation:CreateStack   # the stack
    expect: Allow
  - name: wrong
    principal: arn:aws:iam::111122223333:role/ci
    action: iam:CreateUser
    expect: ImplicitDeny
  - name: kept
    principal: arn:aws:iam::111122223333:role/ci
    action: s3:GetObject
    expect: Allow
  - {\"name\": \"mixed [s3:GetObject]\", \"principal\": \"arn:aws:iam::111122223333:role/ci\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::prod-data\", \"expect\": \"Allow\"}
  - {\"name\": \"mixed [s3:DeleteBucket]\", \"principal\": \"arn:aws:iam::111122223333:role/ci\", \"action\": \"s3:DeleteBucket\", \"resource\": \"arn:aws:s3:::prod-data\", \"expect\": \"ExplicitDeny\"}
  - {name: flow, principal: 'arn:aws:iam::111122223333:role/ci', action: ec2:RunInstances, expect: Allow}
"
    );
    let again = parse("r.yaml", &rec.text).unwrap();
    assert!(again.run(None, None).iter().all(|r| r.passed));
    assert_eq!(again.record(None).text, rec.text, "recording twice changes nothing");

    let json = r#"{"policies": {"identity": ["ci.json"]}, "tests": [
  {"name": "a", "principal": "arn:aws:iam::111122223333:role/ci", "action": "s3:GetObject"},
  {"name": "b", "principal": "arn:aws:iam::111122223333:role/ci", "action": ["s3:GetObject", "iam:PassRole"]}
]}"#;
    let s = parse("r.json", json).unwrap();
    let rec = s.record(None);
    let v: serde_json::Value = serde_json::from_str(&rec.text).unwrap();
    assert_eq!(v["tests"][0]["expect"], "Allow");
    assert_eq!(v["tests"][2]["name"], "b [iam:PassRole]");
    assert_eq!(v["tests"][2]["expect"], "ImplicitDeny");
}

/// Suites with bytes deleted, duplicated or replaced never panic the parser, the runner
/// or `record`; every error lies inside the text; what `record` writes parses again.
fn check_mutated(name: &str, text: &str) {
    match parse(name, text) {
        Err(errors) => {
            let lines = text.lines().count().max(1) as u32 + 1;
            for e in errors {
                assert!(e.line >= 1 && e.line <= lines, "{e} in {text:?}");
            }
        }
        Ok(s) => {
            let mut cov = Coverage::new();
            cov.add_suite(&s);
            let _ = s.run(None, Some(&mut cov));
            let _ = (cov.to_lcov(), cov.to_opa_json());
            let rec = s.record(None);
            if rec.text != text {
                assert!(
                    parse(name, &rec.text).is_ok(),
                    "recorded text does not parse:\n{}",
                    rec.text
                );
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn mutated_suites_never_panic(
        start in 0usize..2000,
        len in 0usize..40,
        op in 0u8..3,
        byte in proptest::prelude::any::<u8>(),
        json in proptest::prelude::any::<bool>(),
    ) {
        let base = if json {
            r#"{"policies": {"identity": ["ci.json"], "scp": [["scp.json"]]},
 "tests": [{"name": "a", "principal": ["arn:aws:iam::111122223333:role/ci", "arn:aws:iam::111122223333:role/x"],
  "action": ["s3:GetObject", "s3:DeleteBucket"], "resource": "arn:aws:s3:::prod-data"},
 {"name": "b", "principal": "arn:aws:iam::111122223333:role/ci", "action": "iam:CreateUser", "expect": "Allow"}]}"#
                .to_string()
        } else {
            SUITE.replace("expect: Allow", "").replace("    expect: {decision: ImplicitDeny, blockedBy: identity}\n", "")
        };
        let mut bytes = base.into_bytes();
        let at = start.min(bytes.len());
        let end = (at + len).min(bytes.len());
        match op {
            0 => { bytes.drain(at..end); }
            1 => { let dup: Vec<u8> = bytes[at..end].to_vec(); bytes.splice(at..at, dup); }
            _ => { for b in &mut bytes[at..end] { *b = byte; } }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            check_mutated(if json { "m.json" } else { "m.yaml" }, &text);
        }
    }
}
