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
