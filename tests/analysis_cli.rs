//! End-to-end tests of the questions over an estate (`who-can`, `exposure`,
//! `principal-can`) on the example organization (`fixtures/estates/example-org`): the
//! who-can contract, residual conditions, and every exposure witness decided `Allow` by
//! `eval --estate` again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::sim;

#[path = "support/sarif.rs"]
mod sarif;

use serde_json::Value;

const ORG: &str = "fixtures/estates/example-org";
const BUCKET_OBJECT: &str = "arn:aws:s3:::payments-data-333333333333/reports/q1.csv";

fn json(args: &[&str]) -> Value {
    let out = sim().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn who_can_follows_its_contract() {
    let v = json(&[
        "who-can",
        "--estate",
        ORG,
        "--resource",
        BUCKET_OBJECT,
        "--action",
        "s3:GetObject",
        "--action",
        "s3:DeleteObject",
        "--no-clock",
        "--format",
        "json",
    ]);
    insta::assert_json_snapshot!("who_can_payments_reports", v);
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let principal = r["principal"].as_str().unwrap();
        let external = r["external"].as_bool().unwrap();
        assert!(
            principal == "*" || principal.starts_with("arn:") || principal.ends_with(".amazonaws.com"),
            "{r}"
        );
        assert!(["s3:GetObject", "s3:DeleteObject"].contains(&r["action"].as_str().unwrap()));
        match r["decision"].as_str().unwrap() {
            "Allow" => assert!(r.get("conditions").is_none()),
            "AllowIf" => assert!(r["conditions"].is_object(), "{r}"),
            d => panic!("unexpected decision {d}"),
        }
        if !external {
            assert!(principal.contains(":user/") || principal.contains(":role/"), "{r}");
        }
    }
    let find = |p: &str, a: &str| {
        results
            .iter()
            .find(|r| r["principal"] == p && r["action"] == a)
            .cloned()
    };
    // alice may read (in the allowed Regions, over TLS) but not delete (her group's
    // no-deletes policy).
    let alice = find("arn:aws:iam::333333333333:user/alice", "s3:GetObject").expect("alice reads");
    assert_eq!(alice["decision"], "AllowIf");
    assert!(
        alice["description"].as_str().unwrap().contains("aws:RequestedRegion"),
        "{alice}"
    );
    assert!(find("arn:aws:iam::333333333333:user/alice", "s3:DeleteObject").is_none());
    // Only the organization's principals, through the endpoint: `*` is narrowed.
    let any = find("*", "s3:GetObject").expect("the bucket policy's `*`");
    assert_eq!(any["kind"], "anyPrincipal");
    assert!(
        any["description"].as_str().unwrap().contains("aws:PrincipalOrgID"),
        "{any}"
    );
    // A witness, decided again by `eval --estate`, is allowed.
    let w = alice["witness"].as_object().unwrap();
    let mut args: Vec<String> = [
        "eval",
        "--estate",
        ORG,
        "--no-clock",
        "--principal",
        "arn:aws:iam::333333333333:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        BUCKET_OBJECT,
        "--expect",
        "Allow",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (k, v) in w {
        if let Some(v) = v.as_str() {
            args.push("--context".into());
            args.push(format!("{k}={v}"));
        }
    }
    sim().args(&args).assert().code(0);
}

#[test]
fn who_can_asks_every_action_of_the_resource_type_by_default() {
    let v = json(&[
        "who-can",
        "--estate",
        ORG,
        "--resource",
        BUCKET_OBJECT,
        "--no-clock",
        "--format",
        "json",
    ]);
    let actions = v["actions"].as_array().unwrap();
    assert!(actions.len() > 20, "object actions from the catalog: {}", actions.len());
    assert!(actions.iter().any(|a| a == "s3:PutObject"));
    // The human output groups by access level.
    let out = sim()
        .args(["who-can", "--estate", ORG, "--resource", BUCKET_OBJECT, "--no-clock"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\nRead:\n") && text.contains("\nWrite:\n"), "{text}");
}

#[test]
fn exposure_witnesses_are_allowed_by_eval() {
    let v = json(&["exposure", "--estate", ORG, "--no-clock", "--format", "json"]);
    insta::assert_json_snapshot!("exposure_example_org", v);
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() >= 8, "{}", findings.len());
    let mut checked = 0;
    for f in findings {
        let scope = f["scope"].as_str().unwrap();
        assert!(
            ["public", "outside-organization", "aws-service", "outside-account"].contains(&scope),
            "{f}"
        );
        let Some(w) = f.get("witness") else { continue };
        let dir = std::env::temp_dir().join(format!("policy-sim-exposure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("w{checked}.json"));
        std::fs::write(&file, w.to_string()).unwrap();
        let out = sim()
            .args(["eval", "--estate", ORG, "--no-clock", "--expect", "Allow", "--request"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "witness {w} of {f}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 8, "witnesses checked: {checked}");
    // The partner's role, through sts:ExternalId; the SNS topic narrowed by its source
    // owner is not public; the key whose `*` is fixed to its own account is no finding.
    let partner = findings
        .iter()
        .find(|f| f["resource"] == "arn:aws:iam::333333333333:role/partner-audit")
        .unwrap();
    assert_eq!(partner["scope"], "outside-organization");
    assert!(partner["actions"][0]["description"]
        .as_str()
        .unwrap()
        .contains("sts:ExternalId"));
    assert!(findings.iter().all(|f| f["isPublic"] == false));
    assert!(!findings
        .iter()
        .any(|f| f["resource"] == "arn:aws:kms:us-east-1:333333333333:key/0987dcba-09fe-87dc-65ba-ab0987654321"));
}

#[test]
fn exposure_sarif_is_valid_and_can_gate_ci() {
    let out = sim()
        .args(["exposure", "--estate", ORG, "--no-clock", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    sarif::assert_valid(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("fixtures/estates/example-org/"), "{uri}");
        assert!(r["partialFingerprints"]["exposure/v1"].is_string());
    }
    // Findings outside the organization fail the gate; nothing is public.
    sim()
        .args([
            "exposure",
            "--estate",
            ORG,
            "--no-clock",
            "--fail-on",
            "outside-organization",
        ])
        .assert()
        .code(5);
    sim()
        .args(["exposure", "--estate", ORG, "--no-clock", "--fail-on", "public"])
        .assert()
        .code(0);
}

#[test]
fn principal_can_lists_actions_by_resource_and_synthesizes_a_policy() {
    let alice = "arn:aws:iam::333333333333:user/alice";
    let v = json(&[
        "principal-can",
        "--estate",
        ORG,
        "--principal",
        alice,
        "--service",
        "s3",
        "--no-clock",
        "--format",
        "json",
    ]);
    insta::assert_json_snapshot!("principal_can_alice_s3", v);
    let entries = v["entries"].as_array().unwrap();
    assert!(entries.iter().all(|e| e["service"] == "s3"));
    let get = entries
        .iter()
        .find(|e| e["action"] == "s3:GetObject")
        .expect("alice reads objects");
    assert_eq!(get["resource"], "arn:aws:s3:::payments-data-333333333333/x");
    assert_eq!(get["decision"], "AllowIf");
    assert!(
        !entries.iter().any(|e| e["action"] == "s3:DeleteObject"),
        "her group's no-deletes policy"
    );
    // The synthesized policy is a valid identity-based policy that allows what the
    // answer says, under its conditions.
    let out = sim()
        .args([
            "principal-can",
            "--estate",
            ORG,
            "--principal",
            alice,
            "--service",
            "kms",
            "--no-clock",
            "--policy",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("policy-sim-pcan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("effective.json");
    std::fs::write(&file, &out.stdout).unwrap();
    // A key policy that delegates to the account (S-KMS-1), so the identity-based
    // policy decides.
    let key_policy = dir.join("key.json");
    std::fs::write(
        &key_policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"kms:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let key = "arn:aws:kms:us-east-1:333333333333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
    let eval = |ctx: &[&str]| {
        let mut c = sim();
        c.args([
            "eval",
            "--no-clock",
            "--principal",
            alice,
            "--action",
            "kms:Decrypt",
            "--resource",
            key,
        ])
        .arg("--identity-policy")
        .arg(&file)
        .arg("--resource-policy")
        .arg(&key_policy);
        for kv in ctx {
            c.args(["--context", kv]);
        }
        c.output().unwrap().status.code()
    };
    assert_eq!(eval(&["kms:ViaService=s3.us-east-1.amazonaws.com"]), Some(0));
    assert_eq!(eval(&[]), Some(3), "the condition is kept");
    // A principal the snapshot does not hold is bad input.
    sim()
        .args([
            "principal-can",
            "--estate",
            ORG,
            "--principal",
            "arn:aws:iam::333333333333:user/nobody",
            "--no-clock",
        ])
        .assert()
        .code(1);
}
