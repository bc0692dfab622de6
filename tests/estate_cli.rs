//! End-to-end tests of `policy-sim` on estates: `estate summary`, `eval --estate` and
//! `batch --estate` on `fixtures/estates/example-org`, exit codes and bad snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn sim() -> Command {
    let mut c = Command::cargo_bin("policy-sim").unwrap();
    c.current_dir(root());
    c
}

const ORG: &str = "fixtures/estates/example-org";
const BUCKET: &str = "arn:aws:s3:::payments-data-333333333333";

#[test]
fn summary_counts_and_exit_codes() {
    let out = sim()
        .args(["estate", "summary", ORG, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["organization"], "o-a1b2c3d4e5");
    assert_eq!(v["accounts"], 4);
    assert_eq!(v["roles"], 7);
    assert_eq!(v["resources"]["kmsKey"], 2);
    assert_eq!(v["warnings"], Value::Array(vec![]));
    let human = sim().args(["estate", "summary", ORG]).output().unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("4 users, 2 groups, 7 roles"), "{text}");
    // Not a folder, not a snapshot: bad input.
    let out = sim().args(["estate", "summary", "no/such/folder"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read snapshot"));
    let out = sim().args(["estate", "summary", "fixtures/cases"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a snapshot"));
}

#[test]
fn broken_file_is_a_warning_unless_strict() {
    let dir = std::env::temp_dir().join(format!("policy-sim-estate-{}", std::process::id()));
    let iam = dir.join("accounts/123456789012/iam");
    std::fs::create_dir_all(&iam).unwrap();
    std::fs::write(
        iam.join("get-account-authorization-details.json"),
        "{\"UserDetailList\": [\n  {\"UserName\": 7}]}",
    )
    .unwrap();
    let s3 = dir.join("accounts/123456789012/s3/b");
    std::fs::create_dir_all(&s3).unwrap();
    std::fs::write(
        s3.join("get-bucket-policy.json"),
        "{\"Policy\": \"{\\\"Statement\\\": []}\"}",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let out = sim().args(["estate", "summary", d]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("get-account-authorization-details.json:2:"), "{text}");
    assert!(text.contains("UserDetailList[0].UserName"), "{text}");
    assert!(text.contains("1 resource"), "{text}");
    let out = sim().args(["estate", "summary", d, "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_against_the_estate() {
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--estate",
            ORG,
            "--principal",
            "arn:aws:iam::333333333333:user/alice",
            "--action",
            "s3:DeleteObject",
            "--resource",
            &format!("{BUCKET}/reports/q1.csv"),
            "--context",
            "aws:RequestedRegion=us-east-1",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "ExplicitDeny");
    let d = &v["deciding"][0];
    assert_eq!(d["label"], "identity[0].Statement[0]");
    assert_eq!(
        d["path"],
        "GroupDetailList[0].GroupPolicyList[0].PolicyDocument.Statement[0]"
    );
    assert_eq!(
        d["file"],
        format!("{ORG}/accounts/333333333333/iam/get-account-authorization-details.json")
    );
    assert_eq!(v["estate"]["derivedContext"]["aws:PrincipalOrgID"][0], "o-a1b2c3d4e5");
    assert_eq!(
        v["estate"]["policies"][0]["name"],
        "inline policy `no-deletes` of group `developers`"
    );
    // `--context` overrides a derived key; a session tag overrides the role's tag.
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--estate",
            ORG,
            "--principal",
            "arn:aws:sts::333333333333:assumed-role/analyst/jdoe",
            "--action",
            "secretsmanager:GetSecretValue",
            "--resource",
            "arn:aws:secretsmanager:us-east-1:333333333333:secret:prod/payments/db-credentials",
            "--context",
            "aws:RequestedRegion=us-east-1",
            "--session-tag",
            "team=audit",
            "--expect",
            "ExplicitDeny",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Estate:"), "{text}");
    assert!(text.contains("aws:userid = AROAEXAMPLEANALYST01:jdoe"), "{text}");
}

#[test]
fn batch_against_the_estate() {
    let lines = format!(
        "{}\n{}\n{}\n",
        r#"{"id":"a","principal":"arn:aws:iam::333333333333:user/alice","action":"s3:GetObject","resource":"BUCKET/x","context":{"aws:RequestedRegion":"us-east-1"}}"#,
        r#"{"id":"b","principal":"arn:aws:iam::999999999999:user/auditor","action":"sts:AssumeRole","resource":"arn:aws:iam::333333333333:role/partner-audit","context":{"sts:ExternalId":"7f3c91d2-audit"},"policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}]}}"#,
        r#"{"id":"c","principal":"arn:aws:iam::777777777777:user/x","action":"s3:GetObject","resource":"BUCKET/x"}"#,
    )
    .replace("BUCKET", BUCKET);
    let out = sim()
        .args(["batch", "--no-clock", "--estate", ORG])
        .write_stdin(lines)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let decisions: Vec<&str> = answers.iter().map(|a| a["decision"].as_str().unwrap()).collect();
    // The outsider is stopped by the data-perimeter RCP.
    assert_eq!(decisions, ["Allow", "Allow", "ExplicitDeny"]);
    assert!(answers[0].get("estate").is_none());
    assert!(answers[2]["estate"]["assumptions"][0]
        .as_str()
        .unwrap()
        .contains("not in the snapshot"));
    // Full detail: the estate's whole part on every line.
    let out = sim()
        .args(["batch", "--no-clock", "--estate", ORG, "--detail", "full"])
        .write_stdin(
            r#"{"principal":"arn:aws:iam::333333333333:user/bob","action":"iam:ChangePassword","resource":"arn:aws:iam::333333333333:user/bob"}"#
                .to_string()
                + "\n",
        )
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["estate"]["derivedContext"]["aws:ResourceTag/team"][0], "platform");
}

/// The example organization as iam-collect stores it: `estate summary`, `eval --estate`
/// and `batch --estate` find its layout themselves (or take `--layout`), and decide as
/// on the AWS CLI snapshot; a deciding statement points into the collector's file.
#[test]
fn iam_collect_store_from_the_command_line() {
    const IC: &str = "fixtures/estates/example-org-iam-collect";
    let out = sim()
        .args(["estate", "summary", IC, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["organization"].as_str(), v["roles"].as_u64()),
        (Some("o-a1b2c3d4e5"), Some(7))
    );
    assert_eq!(v["warnings"], Value::Array(vec![]));
    // The partition's folder, with the layout given.
    let out = sim()
        .args([
            "estate",
            "summary",
            &format!("{IC}/aws/aws"),
            "--layout",
            "iam-collect",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["roles"], 7);
    // The wrong layout forced: nothing found, not a crash.
    let out = sim()
        .args(["estate", "summary", IC, "--layout", "aws-cli", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["roles"], 0);

    let eval = |dir: &str| -> Value {
        let out = sim()
            .args([
                "eval",
                "--no-clock",
                "--format",
                "json",
                "--estate",
                dir,
                "--principal",
                "arn:aws:iam::333333333333:user/alice",
                "--action",
                "s3:DeleteObject",
                "--resource",
                &format!("{BUCKET}/reports/q1.csv"),
                "--context",
                "aws:RequestedRegion=us-east-1",
            ])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (cli, ic) = (eval(ORG), eval(IC));
    assert_eq!(cli["decision"], "ExplicitDeny");
    assert_eq!(ic["decision"], cli["decision"]);
    let file = ic["deciding"][0]["file"].as_str().unwrap();
    assert!(file.starts_with(IC) && file.ends_with("inline-policies.json"), "{ic:#}");

    let lines = format!(
        "{}\n{}\n",
        r#"{"id":"a","principal":"arn:aws:iam::333333333333:user/alice","action":"s3:GetObject","resource":"BUCKET/x","context":{"aws:RequestedRegion":"us-east-1"}}"#,
        r#"{"id":"c","principal":"arn:aws:iam::777777777777:user/x","action":"s3:GetObject","resource":"BUCKET/x"}"#,
    )
    .replace("BUCKET", BUCKET);
    let out = sim()
        .args(["batch", "--no-clock", "--estate", IC])
        .write_stdin(lines)
        .output()
        .unwrap();
    let decisions: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["decision"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(decisions, ["Allow", "ExplicitDeny"]);
}
