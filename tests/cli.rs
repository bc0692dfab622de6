//! End-to-end tests of the `policy-sim` binary: exit codes, human and JSON output,
//! input errors with positions, and `batch`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{root, sim};

use std::path::PathBuf;

use assert_cmd::Command;

/// Writes `text` to `name` in a fresh folder of this test process; returns the folder.
fn temp_dir_with(tag: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-sim-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    dir
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

#[test]
fn batch_keeps_order_and_line_numbers_across_blocks_and_workers() {
    // Over 256 KiB of lines: several input blocks, answered by two workers.
    let mut lines = Vec::new();
    for i in 0..3000 {
        let line = match i {
            1000 => String::new(),
            2500 => r#"{"id":2500,"principal":"nobody","action":"s3:GetObject"}"#.to_string(),
            _ => format!(
                r#"{{"id":{i},"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:{}Object","resource":"arn:aws:s3:::Production/k{i}","context":{{"aws:SourceIp":"203.0.113.{}"}}}}"#,
                if i % 3 == 0 { "Put" } else { "Get" },
                i % 250
            ),
        };
        lines.push(line);
    }
    let out = sim()
        .args([
            "batch",
            "--no-clock",
            "--jobs",
            "2",
            "--base",
            "fixtures/requests/cross-account-put-object.json",
            "-",
        ])
        .write_stdin(lines.join("\r\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2999, "the blank line gets no answer");
    let mut want = (0..3000).filter(|&i| i != 1000);
    for row in &rows {
        let i = want.next().unwrap();
        if i == 2500 {
            // Line numbers count the blank line and the lines of earlier blocks.
            assert_eq!(row["error"]["line"], 2501, "{row}");
            assert!(row["error"]["message"].as_str().unwrap().contains("invalid principal"));
            continue;
        }
        assert_eq!(row["id"], i, "{row}");
        let want = if i % 3 == 0 { "ImplicitDeny" } else { "Allow" };
        assert_eq!(row["decision"], want, "{row}");
    }
}

/// With one worker (on a machine of two cores or more) the reading thread reads the
/// lines' requests ahead of the worker and takes them back out of order: the answers
/// are those of two workers reading their own lines, byte for byte, across blocks, with
/// context keys that change from line to line, blank, non-plain, bad and non-UTF-8
/// lines among them.
#[test]
fn batch_with_one_worker_answers_as_with_two() {
    let keys = [
        "aws:SourceIp",
        "aws:RequestedRegion",
        "s3:prefix",
        "aws:PrincipalTag/team",
        "aws:CurrentTime",
    ];
    let mut input: Vec<u8> = Vec::new();
    for i in 0..4000usize {
        let line = match i % 397 {
            5 => String::new(),
            6 => r#"{"id":"obj","principal":{"AWS":"arn:aws:iam::111111111111:user/carlossalazar"},"action":"s3:GetObject"}"#.into(),
            7 => r#"{"id":"bad","principal":"nobody","action":"s3:GetObject"}"#.into(),
            8 => r#"{"id":"dup","action":"s3:GetObject","context":{"a":"1","A":"2"}}"#.into(),
            _ => {
                // A rotating subset of the keys, in a rotating order.
                let n = i % keys.len();
                let context: Vec<String> = (0..n)
                    .map(|k| {
                        let key = keys[(i + k) % keys.len()];
                        let value = match key {
                            "aws:SourceIp" => format!("203.0.113.{}", i % 250),
                            "aws:CurrentTime" => "2026-12-01T00:00:00Z".into(),
                            _ => format!("v{}", i % 7),
                        };
                        format!(r#""{key}":"{value}""#)
                    })
                    .collect();
                format!(
                    r#"{{"id":{i},"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:{}Object","resource":"arn:aws:s3:::Production/k{i}","context":{{{}}}}}"#,
                    if i % 3 == 0 { "Put" } else { "Get" },
                    context.join(",")
                )
            }
        };
        input.extend_from_slice(line.as_bytes());
        if i == 2222 {
            input.extend_from_slice(b"{\"id\":\"\xff\"}");
        }
        input.extend_from_slice(if i % 2 == 0 { b"\r\n" } else { b"\n" });
    }
    assert!(input.len() > 2 * 256 * 1024, "several blocks");
    let run = |jobs: &str| {
        sim()
            .args([
                "batch",
                "--no-clock",
                "--jobs",
                jobs,
                "--base",
                "fixtures/requests/cross-account-put-object.json",
            ])
            .write_stdin(input.clone())
            .output()
            .unwrap()
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.status.code(), Some(1), "bad lines");
    assert_eq!(one.status.code(), two.status.code());
    let text = String::from_utf8(one.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 4000 - 11, "no answer for the blank lines");
    assert!(text.contains(r#""id":"bad","error""#) && text.contains(r#""id":"obj","decision""#));
    assert_eq!(text, String::from_utf8(two.stdout).unwrap());
    // Pinned to one core (`taskset`, util-linux), one thread reads, answers and writes
    // each block in turn: the same answers.
    if cfg!(target_os = "linux") {
        let file = cli_support::temp_dir("batch", "pinned").join("lines.jsonl");
        std::fs::write(&file, &input).unwrap();
        let pinned = std::process::Command::new("taskset")
            .args(["-c", "0"])
            .arg(assert_cmd::cargo::cargo_bin("policy-sim"))
            .args([
                "batch",
                "--no-clock",
                "--base",
                "fixtures/requests/cross-account-put-object.json",
            ])
            .stdin(std::fs::File::open(&file).unwrap())
            .current_dir(root())
            .output()
            .expect("taskset (util-linux) runs");
        assert_eq!(pinned.status.code(), Some(1));
        assert_eq!(String::from_utf8(pinned.stdout).unwrap(), text);
    }
}

#[test]
fn batch_full_detail_is_what_eval_prints() {
    let line = r#"{"id":"x","principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a","context":{"aws:SourceIp":"203.0.113.9","k":[1,true,"v"]}}"#;
    let base = root().join("fixtures/requests/cross-account-put-object.json");
    let batch = sim()
        .args(["batch", "--no-clock", "--detail", "full", "--base"])
        .arg(&base)
        .write_stdin(line)
        .output()
        .unwrap();
    assert_eq!(batch.status.code(), Some(0));
    let eval = sim()
        .args(["eval", "--no-clock", "--format", "json", "--request"])
        .arg(&base)
        .args([
            "--principal",
            "arn:aws:iam::111111111111:user/carlossalazar",
            "--action",
            "s3:GetObject",
        ])
        .args(["--resource", "arn:aws:s3:::Production/a"])
        .args(["--context", "aws:SourceIp=203.0.113.9"])
        .output()
        .unwrap();
    let b: serde_json::Value = serde_json::from_slice(&batch.stdout).unwrap();
    let mut e: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(b["id"], "x");
    e["id"] = "x".into();
    // The batch line also sets `k`, which no policy reads: the answers are the same.
    assert_eq!(b, e);
}

/// `--detail decision`: each line's `id` and decision and nothing else, for plain lines
/// and lines the general path reads alike; a bad line still gets its error.
#[test]
fn batch_decision_detail_is_the_id_and_the_decision() {
    let input = concat!(
        r#"{"id":"x","principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a","context":{"aws:SourceIp":"203.0.113.9"}}"#,
        "\n",
        r#"{"principal":"arn:aws:iam::111111111111:user/carlossalazar","action":"s3:GetObject","resource":"arn:aws:s3:::Production/a"}"#,
        "\n",
        r#"{"id": 2, "principal": "arn:aws:iam::111111111111:user/carlossalazar", "action": "s3:PutObject", "resource": "arn:aws:s3:::Production/\u0061", "sessionIssuer": "arn:aws:iam::111111111111:user/carlossalazar"}"#,
        "\n",
        r#"{"id": "bad", "principal": "alice", "action": "s3:GetObject"}"#,
        "\n",
    );
    let base = root().join("fixtures/requests/cross-account-put-object.json");
    let run = |detail: &str| {
        let out = sim()
            .args(["batch", "--no-clock", "--detail", detail, "--base"])
            .arg(&base)
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "the last line is bad input");
        String::from_utf8(out.stdout).unwrap()
    };
    let (decision, brief) = (run("decision"), run("brief"));
    let brief: Vec<serde_json::Value> = brief.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let lines: Vec<&str> = decision.lines().collect();
    assert_eq!(lines.len(), 4);
    for (i, (line, b)) in lines.iter().zip(&brief).enumerate() {
        if i == 3 {
            // The error answer is the same at every level.
            assert_eq!(serde_json::from_str::<serde_json::Value>(line).unwrap(), *b);
            assert_eq!(b["error"]["code"], "invalid-principal");
            continue;
        }
        let id = b.get("id").map(|id| format!(r#""id":{id},"#)).unwrap_or_default();
        assert_eq!(*line, format!(r#"{{{id}"decision":{}}}"#, b["decision"]), "line {i}");
    }
    assert_eq!(lines[0], r#"{"id":"x","decision":"Allow"}"#);
}

// ---------------------------------------------------------------------------------
// lint

const PASS_ROLE: &str = "fixtures/lint/pass-role-with-star-in-resource/fail.identity.json";

#[test]
fn lint_human_output_underlines_the_span_and_exits_5() {
    let out = sim().args(["lint", PASS_ROLE]).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "findings exit 5");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("security-warning[pass-role-with-star-in-resource]"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--> {PASS_ROLE}:7:19 (Statement[0].Resource)")),
        "{text}"
    );
    assert!(text.contains("^^^"), "{text}");
    assert!(
        text.contains("note: ") && text.contains("checked as an identity-based policy"),
        "{text}"
    );
    insta::assert_snapshot!("lint_human", text);
}

#[test]
fn lint_min_severity_filters_and_sets_the_exit_code() {
    let out = sim()
        .args(["lint", "--min-severity", "error", PASS_ROLE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("no findings"));
}

#[test]
fn lint_json_output() {
    let out = sim()
        .args(["lint", "--format", "json", "--type", "identity", PASS_ROLE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["reports"][0];
    assert_eq!(r["file"], PASS_ROLE);
    assert_eq!(r["policyType"], "identity");
    assert!(r.get("inferred").is_none(), "--type given: nothing inferred");
    let f = &r["findings"][0];
    assert_eq!(f["code"], "pass-role-with-star-in-resource");
    assert_eq!(f["severity"], "security-warning");
    assert_eq!(f["path"], "Statement[0].Resource");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(7), Some(19)));
    assert_eq!((f["endLine"].as_u64(), f["endColumn"].as_u64()), (Some(7), Some(22)));
    assert!(f["help"].as_str().unwrap().contains("iam:PassedToService"));
    assert_eq!(v["summary"]["security-warning"], 1);
}

#[test]
fn lint_sarif_has_the_fields_github_code_scanning_requires() {
    let out = sim()
        .args([
            "lint",
            "--format",
            "sarif",
            "fixtures/lint/public-principal-without-condition",
            PASS_ROLE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "policy-sim");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), policy_core::lint::rules().len());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert!(!id.is_empty());
        for field in ["shortDescription", "fullDescription", "help"] {
            assert!(!r[field]["text"].as_str().unwrap_or("").is_empty(), "{id}: {field}");
        }
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["none", "note", "warning", "error"].contains(&level), "{id}: {level}");
        if let Some(s) = r["properties"].get("security-severity") {
            let n: f64 = s.as_str().unwrap().parse().unwrap();
            assert!((0.0..=10.0).contains(&n));
        }
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 2, "{results:?}");
    let mut seen = std::collections::BTreeSet::new();
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(["note", "warning", "error"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/lint/") && !uri.contains('\\'), "{uri}");
        let region = &loc["region"];
        let (sl, sc, el, ec) = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        assert!(sl >= 1 && sc >= 1 && el >= sl && (el > sl || ec >= sc));
        seen.insert(id.to_string());
    }
    assert!(seen.contains("public-principal-without-condition") && seen.contains("pass-role-with-star-in-resource"));
    let sec = rules
        .iter()
        .find(|r| r["id"] == "pass-role-with-star-in-resource")
        .unwrap();
    assert_eq!(sec["properties"]["security-severity"], "8.1");
}

#[test]
fn lint_github_annotations() {
    let out = sim().args(["lint", "--format", "github", PASS_ROLE]).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "::warning file={PASS_ROLE},line=7,col=19,endLine=7,endColumn=22,title=pass-role-with-star-in-resource::"
        )),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        1,
        "one finding, one line (newlines escaped): {text}"
    );
    assert!(text.contains("%0Ahelp: "), "{text}");
}

#[test]
fn lint_config_overrides_and_suppressions_need_reasons() {
    let dir = temp_dir_with(
        "lint-config",
        "lint.toml",
        "[severity]\n\"pass-role-with-star-in-resource\" = \"error\"\n",
    );
    let out = sim()
        .args(["lint", "--format", "json", "--config"])
        .arg(dir.join("lint.toml"))
        .arg(PASS_ROLE)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reports"][0]["findings"][0]["severity"], "error");
    std::fs::write(
        dir.join("suppress.toml"),
        "[[suppress]]\ncode = \"pass-role-with-star-in-resource\"\npath = \"fixtures/lint/**\"\nreason = \"test fixture\"\n",
    )
    .unwrap();
    let out = sim()
        .args(["lint", "--config"])
        .arg(dir.join("suppress.toml"))
        .arg(PASS_ROLE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::write(
        dir.join("bad.toml"),
        "[[suppress]]\ncode = \"pass-role-with-star-in-resource\"\n",
    )
    .unwrap();
    let out = sim()
        .args(["lint", "--config"])
        .arg(dir.join("bad.toml"))
        .arg(PASS_ROLE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("reason"), "{err}");
    std::fs::write(dir.join("unknown.toml"), "[severity]\nno-such-code = \"off\"\n").unwrap();
    let out = sim()
        .args(["lint", "--config"])
        .arg(dir.join("unknown.toml"))
        .arg(PASS_ROLE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("unknown code `no-such-code`"));
}

#[test]
fn lint_reads_stdin_globs_and_directories_and_rejects_missing_paths() {
    let out = sim()
        .args(["lint", "-", "--format", "json"])
        .write_stdin(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reports"][0]["file"], "<stdin>");
    assert_eq!(v["reports"][0]["findings"][0]["code"], "invalid-effect");
    assert_eq!(v["reports"][0]["findings"][0]["column"], 47);

    let out = sim()
        .args(["lint", "--format", "json", "fixtures/lint/redundant-*/fail.*.json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "fixtures/lint/redundant-action/fail.identity.json",
            "fixtures/lint/redundant-resource/fail.identity.json",
            "fixtures/lint/redundant-statement/fail.identity.json"
        ]
    );

    let out = sim()
        .args(["lint", "--format", "json", "fixtures/lint/empty-sid-value"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 2);

    let out = sim().args(["lint", "no/such/file.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("`no/such/file.json`"));
    let out = sim().args(["lint", "fixtures/lint/*.nothing"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lint_finds_policies_in_cloudformation_yaml_and_terraform_plans() {
    let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {Service: !Sub 'codebuild.${AWS::URLSuffix}'}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: deploy\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: [iam:PassRole, s3:GetObject]\n                Resource: '*'\n              - Effect: Allow\n                Action: s3:PutObject\n                Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'\n";
    let dir = temp_dir_with("lint-cfn", "template.yaml", yaml);
    let out = sim()
        .args(["lint", "--format", "json"])
        .arg(dir.join("template.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(
        reports[0]["pointer"],
        "Resources.Deploy.Properties.AssumeRolePolicyDocument"
    );
    assert_eq!(reports[0]["policyType"], "trust");
    assert_eq!(
        reports[0]["findings"].as_array().unwrap().len(),
        0,
        "intrinsics are opaque, never errors"
    );
    let f = &reports[1]["findings"][0];
    assert_eq!(f["code"], "pass-role-with-star-in-resource");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(19), Some(27)));

    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{"root_module":{"resources":[
{"address":"aws_iam_role.ci","type":"aws_iam_role","values":{"assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}"}}]}}}"#;
    std::fs::write(dir.join("plan.json"), plan).unwrap();
    let out = sim()
        .args(["lint", "--format", "json"])
        .arg(dir.join("plan.json"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["reports"][0];
    assert_eq!(r["pointer"], "aws_iam_role.ci.assume_role_policy");
    let f = &r["findings"][0];
    assert_eq!(f["code"], "missing-github-repo-condition-key");
    assert_eq!(f["line"], 2);
    let col = f["column"].as_u64().unwrap() as usize;
    let line2 = plan.lines().nth(1).unwrap();
    assert!(
        line2[col - 1..].starts_with("\\\"Principal\\\""),
        "{}",
        &line2[col - 1..]
    );
}

#[test]
fn usage_errors_exit_64_not_a_decision_code() {
    for args in [
        &["eval", "--expect", "deny"][..],
        &["eval", "--no-such-flag"],
        &["batch", "--detail", "everything"],
        &["lint", "--format", "xml", "x.json"],
        &["no-such-command"],
    ] {
        let out = sim().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: the usage error is printed");
    }
    sim().arg("--help").assert().code(0);
    sim().args(["eval", "--help"]).assert().code(0);
}

#[test]
fn batch_error_lines_carry_the_id_and_a_code_and_blank_lines_are_skipped() {
    let input = concat!(
        r#"{"id": "bad-principal", "principal": "alice", "action": "s3:GetObject"}"#,
        "\n\n   \n",
        r#"{"id": 7, "principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "acton": 1}"#,
        "\n",
        r#"["x", "arn:aws:iam::111122223333:user/a", "s3:GetObject", "*"]"#,
        "\n",
        r#"{"id": "ok", "principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"}"#,
        "\n",
    );
    let out = sim().args(["batch", "--no-clock"]).write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "some line was bad input");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "blank lines get no response: {lines:?}");
    assert_eq!(lines[0]["id"], "bad-principal");
    assert_eq!(lines[0]["error"]["code"], "invalid-principal");
    assert_eq!(lines[0]["error"]["line"], 1);
    assert_eq!(lines[1]["id"], 7, "any JSON id is echoed");
    assert_eq!(lines[1]["error"]["code"], "unknown-member");
    assert_eq!(lines[1]["error"]["line"], 4, "blank lines still count");
    assert_eq!(
        lines[2]["error"]["code"], "invalid-value",
        "an array is not read by position"
    );
    assert!(lines[2].get("id").is_none());
    assert_eq!(lines[3]["id"], "ok");
    assert_eq!(lines[3]["decision"], "ImplicitDeny");
}

#[test]
fn eval_reads_the_request_from_stdin_and_prints_json_errors() {
    let req = std::fs::read_to_string(root().join("fixtures/requests/cross-account-put-object.json")).unwrap();
    // Policy paths in a request read from standard input are relative to the working
    // folder (the root here): make them so.
    let v: serde_json::Value = serde_json::from_str(&req).unwrap();
    let mut v = v;
    for (k, p) in v["policies"].as_object_mut().unwrap().iter_mut() {
        let fix = |s: &str| serde_json::Value::String(format!("fixtures/requests/{s}"));
        match p {
            serde_json::Value::String(s) => *p = fix(s),
            serde_json::Value::Array(a) => {
                for x in a.iter_mut() {
                    if let serde_json::Value::String(s) = x {
                        *x = fix(s);
                    }
                }
            }
            _ => panic!("{k}"),
        }
    }
    sim()
        .args(["eval", "--no-clock", "--request", "-", "--expect", "ImplicitDeny"])
        .write_stdin(v.to_string())
        .assert()
        .code(0);
    let out = sim()
        .args(["eval", "--no-clock", "--request", "-", "--format", "json"])
        .write_stdin(r#"{"principal": "alice", "action": "s3:GetObject"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["code"], "invalid-principal");
    assert_eq!(e["error"]["file"], "<stdin>");
    assert_eq!(e["error"]["column"], 15);
    let out = sim()
        .args(["eval", "--request", "no/such/file.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["code"], "unreadable-file");
}

#[test]
fn human_output_shows_assumptions_deny_conditions_and_service_constraints() {
    // A case's request, its policy path made absolute, as a request file.
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/cases/cond/bool-secure-transport-deny.json")).unwrap(),
    )
    .unwrap();
    let mut req = case["request"].clone();
    let abs = |r: &str| serde_json::Value::from(root().join("fixtures/cases/cond").join(r).to_string_lossy());
    req["policies"]["resource"] = abs(req["policies"]["resource"].as_str().unwrap());
    req["policies"]["identity"][0] = abs(req["policies"]["identity"][0].as_str().unwrap());
    let dir = temp_dir_with("deny-conds", "r.json", &req.to_string());
    let out = sim()
        .args(["eval", "--no-clock", "--request"])
        .arg(dir.join("r.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("condition `Bool` on `aws:SecureTransport` holds: request has `false`, policy wants `false`"),
        "{text}"
    );
    assert!(
        text.contains("Assumptions:\n  the resource ARN names no account"),
        "{text}"
    );
    let out = sim()
        .args([
            "eval",
            "--no-clock",
            "--principal",
            "arn:aws:iam::111122223333:user/admin",
            "--action",
            "kms:DeleteAlias",
            "--resource",
            "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
            "--identity-policy",
            "fixtures/corpus/managed/AdministratorAccess.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "the decision stays the policies' Allow");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Service constraints (the call fails whatever the policies say):\n  KMS refuses this"),
        "{text}"
    );
}

#[test]
fn batch_answers_a_line_at_the_length_limit_and_skips_one_byte_past_it() {
    const MAX: usize = 8 * 1024 * 1024;
    let doc = r#"{"id": "big", "principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"}"#;
    let pad = |n: usize| format!("{doc}{}", " ".repeat(n - doc.len()));
    let input = format!(
        "{}\n{}\n{{\"id\": \"after\", \"principal\": \"arn:aws:iam::111122223333:user/a\", \"action\": \"s3:GetObject\"}}\n",
        pad(MAX),
        pad(MAX + 1)
    );
    let out = sim().args(["batch", "--no-clock"]).write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a line over the limit is bad input");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["id"], "big");
    assert_eq!(lines[0]["decision"], "ImplicitDeny");
    assert_eq!(lines[1]["error"]["code"], "line-too-long");
    assert_eq!(lines[1]["error"]["line"], 2);
    assert_eq!(
        lines[1]["error"]["column"],
        MAX + 1,
        "the first character past the limit"
    );
    assert_eq!(lines[2]["id"], "after", "the batch goes on");
}

#[test]
fn at_most_50_diagnostics_are_printed_per_document_and_the_rest_counted() {
    let policy = |n: usize| {
        let st: Vec<String> = (0..n)
            .map(|_| r#"{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}"#.to_string())
            .collect();
        format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, st.join(","))
    };
    for (n, more) in [
        (50, None),
        (51, Some("… and 1 more diagnostic not shown")),
        (5000, Some("… and 4950 more diagnostics not shown")),
    ] {
        let dir = temp_dir_with(&format!("diag{n}"), "p.json", &policy(n));
        let out = sim()
            .args([
                "eval",
                "--no-clock",
                "--principal",
                "arn:aws:iam::111122223333:user/a",
                "--action",
                "s3:GetObject",
            ])
            .arg("--identity-policy")
            .arg(dir.join("p.json"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.matches("error[invalid-effect]").count(), n.min(50), "{n}");
        match more {
            Some(m) => assert!(err.contains(m), "{err}"),
            None => assert!(!err.contains("more diagnostic"), "{err}"),
        }
        assert!(err.contains(&format!("is not a valid policy ({n} errors)")), "{err}");
        // The JSON error lists as many, and counts the rest.
        let out = sim()
            .args([
                "eval",
                "--no-clock",
                "--format",
                "json",
                "--principal",
                "arn:aws:iam::111122223333:user/a",
                "--action",
                "s3:GetObject",
            ])
            .arg("--identity-policy")
            .arg(dir.join("p.json"))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["diagnostics"].as_array().unwrap().len(), n.min(50));
        assert_eq!(
            v["error"]["moreDiagnostics"].as_u64().unwrap_or(0) as usize,
            n.saturating_sub(50)
        );
    }
}

/// `stdout` is a JSON `not-utf8` error at `(line, column)` whose message says `says`.
fn assert_not_utf8(stdout: &[u8], (line, column): (u64, u64), says: &str) {
    let v: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    assert_eq!(v["error"]["code"], "not-utf8");
    assert_eq!(
        (v["error"]["line"].as_u64(), v["error"]["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert!(v["error"]["message"].as_str().unwrap().contains(says), "{v}");
}

#[test]
fn files_that_are_not_utf8_are_reported_with_the_byte_and_its_position() {
    let dir = std::env::temp_dir().join(format!("policy-sim-cli-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.json"), b"{\n  \"pr\xffincipal\": 1}").unwrap();
    std::fs::write(dir.join("utf16.json"), b"\xff\xfe{\x00}\x00").unwrap();
    let out = sim()
        .arg("eval")
        .arg("--request")
        .arg(dir.join("r.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("r.json:2:6: not UTF-8: byte 0xFF at line 2, column 6"),
        "{err}"
    );
    let out = sim()
        .args(["eval", "--format", "json", "--request"])
        .arg(dir.join("utf16.json"))
        .output()
        .unwrap();
    assert_not_utf8(&out.stdout, (1, 1), "UTF-16 byte-order mark (FF FE)");
    // A policy file named by the request, and a batch line.
    std::fs::write(dir.join("p.json"), b"{\"Statement\": \"\xc3\"}").unwrap();
    let out = sim()
        .args([
            "eval",
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
            "--identity-policy",
        ])
        .arg(dir.join("p.json"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("p.json:1:16: not UTF-8: byte 0xC3 at line 1, column 16"),
        "{err}"
    );
    let out = sim()
        .args(["batch", "--no-clock"])
        .write_stdin(b"\n{\"id\": \"\xe9t\xe9\"}\n".to_vec())
        .output()
        .unwrap();
    assert_not_utf8(&out.stdout, (2, 9), "byte 0xE9 at column 9");
}

#[test]
fn discover_answers_allowed_if_with_a_witness() {
    let args = [
        "eval",
        "--discover",
        "--no-clock",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/report.pdf",
        "--identity-policy",
        "fixtures/corpus/managed/AmazonS3ReadOnlyAccess.json",
        "--resource-policy",
        "fixtures/corpus/bucket/s3ug__example-bucket-policies__12.json",
    ];
    let out = sim().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(8), "AllowIf exits 8");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("allowed only if not (`aws:SecureTransport` is `false`)"),
        "{text}"
    );
    let out = sim().args(args).args(["--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "AllowIf");
    assert_eq!(v["conditions"]["not"]["operator"], "Bool");
    assert_eq!(v["conditions"]["not"]["statements"][0], "resource.Statement[0]");
    assert_eq!(v["unknownKeys"][0], "aws:SecureTransport");
    // Giving the key decides it.
    sim()
        .args(args)
        .args(["--context", "aws:SecureTransport=true", "--expect", "Allow"])
        .assert()
        .code(0);
    sim()
        .args(args)
        .args(["--context", "aws:SecureTransport=false", "--expect", "ExplicitDeny"])
        .assert()
        .code(0);
    sim().args(args).args(["--expect", "AllowIf"]).assert().code(0);
}

#[test]
fn context_flags_naming_a_key_again_in_any_case_add_a_value() {
    let dir = temp_dir_with(
        "ctxcase",
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"ForAllValues:IpAddress":{"aws:SourceIp":["203.0.113.9/32","198.51.100.1/32"]},
                         "ForAnyValue:IpAddress":{"aws:SourceIp":"198.51.100.1/32"}}}}"#,
    );
    sim()
        .args([
            "eval",
            "--no-clock",
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:GetObject",
        ])
        .args([
            "--context",
            "aws:SourceIp=203.0.113.9",
            "--context",
            "AWS:sourceip=198.51.100.1",
        ])
        .arg("--identity-policy")
        .arg(dir.join("p.json"))
        .args(["--expect", "Allow"])
        .assert()
        .code(0);
}
