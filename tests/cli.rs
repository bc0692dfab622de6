//! End-to-end tests of the `policy-sim` binary: exit codes, human and JSON output,
//! input errors with positions, and `batch`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Writes `text` to `name` in a fresh folder of this test process; returns the folder.
fn temp_dir_with(tag: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-sim-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    dir
}

fn sim() -> Command {
    let mut c = Command::cargo_bin("policy-sim").unwrap();
    c.current_dir(root());
    c
}

#[test]
fn quick_start_explains_the_implicit_deny() {
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--request",
            "fixtures/requests/cross-account-put-object.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "ImplicitDeny exits 3");
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("quick_start_human", text);
}

#[test]
fn json_output_and_flag_overrides() {
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--request",
            "fixtures/requests/cross-account-put-object.json",
            "--action",
            "s3:GetObject",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["id"], "carlos-put-q3-report");
    let labels: Vec<&str> = v["deciding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["identity[0].Statement[0]", "resource.Statement[0]"]);
}

#[test]
fn expect_turns_eval_into_an_assertion() {
    let base = [
        "eval",
        "--no-clock",
        "--request",
        "fixtures/requests/cross-account-put-object.json",
    ];
    sim().args(base).args(["--expect", "ImplicitDeny"]).assert().code(0);
    sim().args(base).args(["--expect", "Deny"]).assert().code(0);
    let out = sim().args(base).args(["--expect", "Allow"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected Allow, got ImplicitDeny"));
}

#[test]
fn flags_alone_build_the_request() {
    let scp = "fixtures/bench/FullAWSAccess.json,fixtures/corpus/scp/scp-examples__Service-specific-controls__Amazon-S3__Deny-users-from-deleting-Amazon-S3-buckets-or-object.json";
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--principal",
            "arn:aws:sts::111122223333:assumed-role/Deploy/ci",
            "--action",
            "s3:DeleteObject",
            "--resource",
            "arn:aws:s3:::[BUCKET_TO_PROTECT]/build.zip",
            "--identity-policy",
            "fixtures/corpus/managed/AmazonS3FullAccess.json",
            "--scp",
            "fixtures/bench/FullAWSAccess.json",
            "--scp",
            scp,
            "--context",
            "aws:SourceIp=203.0.113.9",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "ExplicitDeny exits 2");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deciding"][0]["label"], "scp[1][1].Statement[0]");
}

#[test]
fn invalid_policy_is_reported_with_position_and_exit_1() {
    let dir = temp_dir_with(
        "policy",
        "policy.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    { \"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\" },\n    { \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\" }\n  ]\n}\n",
    );
    let out = Command::cargo_bin("policy-sim")
        .unwrap()
        .current_dir(&dir)
        .args([
            "eval",
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
        ])
        .args(["--identity-policy", "policy.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--> policy.json:4:17 (Statement[0].Effect)"), "{err}");
    assert!(err.contains("                 ^^^^^^^"), "{err}");
    assert!(err.contains("Statement[1].Resource"), "all errors are reported: {err}");
    assert!(err.contains("(2 errors)"), "{err}");
}

#[test]
fn bad_request_json_names_line_and_column() {
    let dir = temp_dir_with(
        "req",
        "r.json",
        "{\n  \"principal\": \"arn:aws:iam::111122223333:user/a\",\n  \"acton\": \"s3:GetObject\"\n}\n",
    );
    let out = sim()
        .args(["eval", "--request"])
        .arg(dir.join("r.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("r.json:3:3: unknown field `acton`"), "{err}");
}

#[test]
fn batch_answers_every_line_in_order_and_reports_bad_lines() {
    let lines = [
        r#"{"id":1,"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a"}"#,
        r#"{"id":2,"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:PutObject","resource":"arn:aws:s3:::Production/a"}"#,
        r#"{"id":3,"principal":"not-a-principal","action":"s3:GetObject"}"#,
        r#"{"id":4,"principal":"arn:aws:iam::111111111111:user/someone-else","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a"}"#,
    ];
    let out = sim()
        .args([
            "batch",
            "--no-clock",
            "--base",
            "fixtures/requests/cross-account-put-object.json",
            "-",
        ])
        .write_stdin(lines.join("\n") + "\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a bad line makes the exit code 1");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (rows[0]["id"].as_i64(), rows[0]["decision"].as_str()),
        (Some(1), Some("Allow"))
    );
    assert_eq!(rows[1]["decision"], "ImplicitDeny");
    assert!(rows[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("invalid principal"));
    assert_eq!(rows[3]["decision"], "ImplicitDeny");
}

#[test]
fn batch_with_all_good_lines_exits_0() {
    let line = r#"{"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a"}"#;
    let input = std::iter::repeat_n(line, 50).collect::<Vec<_>>().join("\n");
    let out = sim()
        .args([
            "batch",
            "--no-clock",
            "--base",
            "fixtures/requests/cross-account-put-object.json",
            "--jobs",
            "2",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"Allow\""))
            .count(),
        50
    );
}

#[test]
fn unknown_operator_is_warned_about_with_a_suggestion_and_fails_closed() {
    let dir = temp_dir_with(
        "op",
        "req.json",
        r#"{
  "principal": "arn:aws:iam::111122223333:user/alice",
  "action": "s3:GetObject",
  "resource": "arn:aws:s3:::b/k",
  "policies": { "identity": [ { "Version": "2012-10-17", "Statement": [
    { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
      "Condition": { "StringEqual": { "aws:username": "alice" } } } ] } ] }
}
"#,
    );
    let out = sim()
        .args(["eval", "--no-clock", "--request"])
        .arg(dir.join("req.json"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "an Allow with an unknown operator never allows"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning[unknown-operator]"), "{text}");
    assert!(
        text.contains("req.json:7:22 (Statement[0].Condition.StringEqual)"),
        "{text}"
    );
    assert!(text.contains("help: did you mean `StringEquals`?"), "{text}");
}

fn catalog_warnings(args: &[&str]) -> (Option<i32>, String, Vec<String>) {
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
        ])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let warnings = String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("warning["))
        .map(str::to_string)
        .collect();
    (out.status.code(), stdout, warnings)
}

#[test]
fn catalog_warns_about_unknown_services_and_actions() {
    let (code, stdout, w) = catalog_warnings(&["--action", "s3:GetObjekt"]);
    assert_eq!(code, Some(3), "the request is still decided");
    assert!(!stdout.contains("warning"), "warnings go to stderr: {stdout}");
    assert_eq!(
        w,
        ["warning[unknown-action]: action `s3:GetObjekt` is not an action of service `s3` (did you mean `s3:GetObject`?)"]
    );
    let (_, _, w) = catalog_warnings(&["--action", "s4:GetObject"]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("warning[unknown-service]: action `s4:GetObject`: `s4` is not a service prefix"),
        "{w:?}"
    );
    // Known actions, any case, give no warning.
    let (_, _, w) = catalog_warnings(&["--action", "S3:getobject", "--context", "aws:SourceIp=203.0.113.9"]);
    assert_eq!(w, Vec::<String>::new());
}

#[test]
fn catalog_warns_about_unknown_context_keys() {
    let (_, _, w) = catalog_warnings(&[
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SourceIpp=203.0.113.9",
        "--context",
        "ec2:Region=us-east-1",
        "--context",
        "aws:PrincipalTag/team=blue",
        "--context",
        "s3:ExistingObjectTag/env=prod",
        "--context",
        "S3:MAX-KEYS=10",
    ]);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w.iter().any(
            |l| l.starts_with("warning[unknown-context-key]: context key `aws:SourceIpp`")
                && l.contains("did you mean `aws:SourceIp`?")
        ),
        "{w:?}"
    );
    assert!(
        w.iter().any(|l| l.starts_with(
            "warning[unknown-context-key]: context key `ec2:Region` is not a condition key of service `s3`"
        )),
        "{w:?}"
    );
}

#[test]
fn catalog_warns_about_context_values_of_the_wrong_type() {
    let (code, stdout, w) = catalog_warnings(&[
        "--action",
        "s3:ListBucket",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        "--context",
        "s3:max-keys=abc",
        "--context",
        "aws:CurrentTime=yesterday",
        "--context",
        "aws:SecureTransport=yes",
        "--context",
        "aws:SourceIp=not-an-ip",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3));
    let resp: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        resp.get("warnings").is_none(),
        "the JSON response has no member for them"
    );
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(
        w.iter().all(|l| l.starts_with("warning[invalid-context-value]")),
        "{w:?}"
    );
    for (key, ty) in [
        ("s3:max-keys", "Numeric"),
        ("aws:CurrentTime", "Date"),
        ("aws:SecureTransport", "Bool"),
        ("aws:SourceIp", "IPAddress"),
    ] {
        assert!(
            w.iter()
                .any(|l| l.contains(&format!("context key `{key}` is of type {ty}"))),
            "{key}: {w:?}"
        );
    }
    // The clock's keys, and well-typed values, give no warning.
    let out = sim()
        .args([
            "eval",
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "s3:GetObject",
        ])
        .args([
            "--context",
            "aws:MultiFactorAuthAge=300",
            "--context",
            "aws:SecureTransport=TRUE",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("warning["), "{stderr}");
}
