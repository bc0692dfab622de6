//! End-to-end tests of `policy-sim` on estates: `estate summary`, `eval --estate` and
//! `batch --estate` on `fixtures/estates/example-org`, exit codes and bad snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{root, sim};

use std::path::PathBuf;

use serde_json::Value;

/// `policy-sim ARGS`' JSON output (its exit code 0).
fn json(args: &[&str]) -> Value {
    let out = sim().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `eval --no-clock --format json --estate DIR --principal P --action A EXTRA…`'s output
/// (whatever the decision's exit code).
fn eval_json(dir: &str, principal: &str, action: &str, extra: &[&str]) -> Value {
    let out = sim()
        .args(["eval", "--no-clock", "--format", "json", "--estate", dir])
        .args(["--principal", principal, "--action", action])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// `estate summary DIR --format json`.
fn summary(dir: &str) -> Value {
    json(&["estate", "summary", dir, "--format", "json"])
}

/// A snapshot in a new temporary folder (`policy-sim-NAME-<pid>`) holding account
/// 123456789012's GAAD output `gaad`.
fn snapshot_with_gaad(name: &str, gaad: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-sim-{name}-{}", std::process::id()));
    let iam = dir.join("accounts/123456789012/iam");
    std::fs::create_dir_all(&iam).unwrap();
    std::fs::write(iam.join("get-account-authorization-details.json"), gaad).unwrap();
    dir
}

const ORG: &str = "fixtures/estates/example-org";
const IC: &str = "fixtures/estates/example-org-iam-collect";
const BUCKET: &str = "arn:aws:s3:::payments-data-333333333333";

#[test]
fn summary_counts_and_exit_codes() {
    let v = summary(ORG);
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
    let dir = snapshot_with_gaad("estate", "{\"UserDetailList\": [\n  {\"UserName\": 7}]}");
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
        .write_stdin(lines.clone())
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
    // Decision detail: the decisions alone, the estate's part left out too.
    let out = sim()
        .args(["batch", "--no-clock", "--estate", ORG, "--detail", "decision"])
        .write_stdin(lines)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let want: String = ["a", "b", "c"]
        .iter()
        .zip(&decisions)
        .map(|(id, d)| format!("{{\"id\":\"{id}\",\"decision\":\"{d}\"}}\n"))
        .collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
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
    let v = summary(IC);
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

    let object = format!("{BUCKET}/reports/q1.csv");
    let region = ["--resource", &object, "--context", "aws:RequestedRegion=us-east-1"];
    let eval = |dir: &str| eval_json(dir, "arn:aws:iam::333333333333:user/alice", "s3:DeleteObject", &region);
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

/// A snapshot that lacks or garbles what decides requests (`fixtures/estates/
/// fail-closed-org`, S-EST-1): `estate summary` warns about each unlisted SCP and RCP
/// level and each unreadable document, `--strict` fails on them, and `eval --estate`
/// fails closed and says why.
#[test]
fn fail_closed_snapshot_from_the_command_line() {
    const FC: &str = "fixtures/estates/fail-closed-org";
    let v = summary(FC);
    let warnings = v["warnings"].as_array().unwrap();
    let codes = |code: &str| warnings.iter().filter(|w| w["code"] == code).count();
    assert_eq!(codes("missing-level"), 2, "{warnings:#?}");
    assert_eq!(codes("missing-policy"), 1, "{warnings:#?}");
    assert_eq!(codes("invalid-policy"), 6, "{warnings:#?}");
    assert!(warnings.iter().any(|w| w["code"] == "missing-level"
        && w["message"]
            .as_str()
            .unwrap()
            .contains("SCPs attached to `ou-ab12-nolist01` are not in the snapshot")));
    let out = sim().args(["estate", "summary", FC, "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[missing-level]"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strict: the snapshot has 9 warnings"));

    let v = eval_json(FC, "arn:aws:iam::444444444444:user/dev", "ec2:DescribeInstances", &[]);
    assert_eq!(v["decision"], "ExplicitDeny", "{v:#}");
    assert_eq!(v["deciding"][0]["file"], "<fail-closed stand-in: denies every request>");
    let assumption = v["estate"]["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a.as_str().filter(|a| a.contains("`guard`")))
        .unwrap();
    assert!(
        assumption.contains(
            "accounts/444444444444/iam/get-account-authorization-details.json:39:53: not a valid identity-based policy"
        ),
        "{assumption}"
    );
}

/// Condition key names are case-insensitive (S-MATCH-4): a clock key the request gives
/// in any spelling is the request's, not listed as derived from the clock; the other is.
#[test]
fn clock_keys_given_in_any_case_are_not_derived() {
    let out = sim()
        .args([
            "eval",
            "--format",
            "json",
            "--estate",
            ORG,
            "--principal",
            "arn:aws:iam::333333333333:user/alice",
            "--action",
            "s3:GetObject",
            "--resource",
            &format!("{BUCKET}/reports/q1.csv"),
            "--context",
            "aws:RequestedRegion=us-east-1",
            "--context",
            "AWS:currenttime=2020-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let derived = v["estate"]["derivedContext"].as_object().unwrap();
    assert!(
        !derived.keys().any(|k| k.eq_ignore_ascii_case("aws:CurrentTime")),
        "{derived:#?}"
    );
    assert!(derived.contains_key("aws:EpochTime"), "{derived:#?}");
}

/// `batch --estate`: a line the estate cannot resolve is an error at that line, at the
/// member the error concerns, with the error's code, like other bad lines.
#[test]
fn batch_estate_resolve_error_points_at_its_line() {
    // GAAD names user `bob` by an ARN that is not a user's.
    let dir = snapshot_with_gaad(
        "resolve",
        r#"{"UserDetailList": [{"Path": "/", "UserName": "bob", "UserId": "AIDABOB", "Arn": "arn:aws:iam::123456789012:bob",
            "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": []}],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#,
    );
    let lines = concat!(
        r#"{"id":"ok","principal":"arn:aws:iam::123456789012:user/alice","action":"s3:GetObject"}"#,
        "\n",
        r#"{"id":"bad", "action":"s3:GetObject", "principal":"arn:aws:iam::123456789012:user/bob"}"#,
        "\n"
    );
    let out = sim()
        .args(["batch", "--no-clock", "--estate", dir.to_str().unwrap()])
        .write_stdin(lines)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers[0]["decision"], "ImplicitDeny");
    let e = &answers[1]["error"];
    assert_eq!(answers[1]["id"], "bad");
    assert_eq!(e["code"], "invalid-principal", "{e}");
    assert_eq!(
        (e["file"].as_str(), e["line"].as_u64()),
        (Some("<stdin>"), Some(2)),
        "{e}"
    );
    let col = lines
        .lines()
        .nth(1)
        .unwrap()
        .find("\"arn:aws:iam::123456789012:user/bob")
        .unwrap()
        + 1;
    assert_eq!(e["column"].as_u64(), Some(col as u64), "{e}");
    assert_eq!(e["path"], "principal");
}

/// `--layout` on `who-can`, as on `eval`: the detected layout by default, the one given
/// otherwise (the wrong one finds nothing of the store).
#[test]
fn who_can_takes_the_layout() {
    let ask = |layout: &[&str]| -> Vec<Value> {
        let mut args = vec![
            "who-can",
            "--estate",
            IC,
            "--resource",
            "arn:aws:s3:::payments-data-333333333333/reports/q1.csv",
            "--action",
            "s3:GetObject",
            "--no-clock",
            "--format",
            "json",
        ];
        args.extend(layout);
        json(&args)["results"].as_array().unwrap().clone()
    };
    let alice = |rs: &[Value]| {
        rs.iter()
            .any(|r| r["principal"] == "arn:aws:iam::333333333333:user/alice")
    };
    let detected = ask(&[]);
    let wrong = ask(&["--layout", "aws-cli"]);
    assert!(alice(&detected), "{detected:#?}");
    assert_eq!(detected, ask(&["--layout", "iam-collect"]));
    assert!(!alice(&wrong), "{wrong:#?}");
}

/// `--layout` on `exposure`.
#[test]
fn exposure_takes_the_layout() {
    let findings = |layout: &str| {
        let args = [
            "exposure",
            "--estate",
            IC,
            "--no-clock",
            "--format",
            "json",
            "--layout",
            layout,
        ];
        json(&args)["findings"].as_array().unwrap().len()
    };
    assert!(findings("iam-collect") >= 8);
    assert_eq!(findings("aws-cli"), 0);
}

/// `--layout` on `principal-can`.
#[test]
fn principal_can_takes_the_layout() {
    let alice = "arn:aws:iam::333333333333:user/alice";
    let actions = |layout: &str| {
        let cmd = format!(
            "principal-can --estate {IC} --principal {alice} --service s3 --no-clock --format json --layout {layout}"
        );
        // Exit 1 when nothing is allowed (the wrong layout finds no policy).
        let out = sim().args(cmd.split(' ')).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(actions("iam-collect").contains("s3:GetObject"));
    assert!(!actions("aws-cli").contains("s3:GetObject"));
}

/// `--layout` on `test`: a suite over an iam-collect store passes with the store's
/// layout, and fails when it is read as the other one.
#[test]
fn test_takes_the_layout() {
    let dir = std::env::temp_dir().join(format!("policy-sim-layout-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let suite = dir.join("layout.test.yaml");
    std::fs::write(
        &suite,
        format!(
            "name: layout\nestate: {}\ntests:\n  - name: alice reads the reports\n    principal: arn:aws:iam::333333333333:user/alice\n    action: s3:GetObject\n    resource: {BUCKET}/reports/q1.csv\n    context: {{aws:RequestedRegion: us-east-1}}\n    expect: Allow\n",
            root().join(IC).display()
        ),
    )
    .unwrap();
    let run = |layout: &str| {
        sim()
            .args(["test", "--no-clock", "--layout", layout])
            .arg(&suite)
            .output()
            .unwrap()
    };
    let ok = run("iam-collect");
    let wrong = run("aws-cli");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert_ne!(
        wrong.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&wrong.stdout)
    );
}
