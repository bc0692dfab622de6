//! End-to-end tests of `policy-sim test`: passing and failing suites (the failure is
//! `eval`'s explanation, byte for byte), exit codes, JUnit, coverage as text, OPA-shaped
//! JSON and LCOV, `--coverage-min`, suite errors with positions, `--record`; who-can
//! tests (their failure is `who-can`'s answer, byte for byte).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{root, sim};

use std::path::PathBuf;

/// A fresh folder for one test of this process.
fn temp_dir(tag: &str) -> PathBuf {
    cli_support::temp_dir("test", tag)
}

/// The example suite with its policy paths made absolute, to be written elsewhere.
fn example_suite() -> String {
    let text = std::fs::read_to_string(root().join("fixtures/suites/guardrails.test.yaml")).unwrap();
    text.replace(
        "policies/",
        &format!("{}/", root().join("fixtures/suites/policies").display()),
    )
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let o = sim().args(args).output().unwrap();
    Out {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

#[test]
fn the_example_suite_passes() {
    let o = run(&["test", "--no-clock", "fixtures/suites"]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert!(o
        .stdout
        .starts_with("fixtures/suites/guardrails.test.yaml (delivery guardrails): 13 tests\n  ok    CI deploys stacks [cloudformation:CreateStack]\n"));
    assert!(o
        .stdout
        .contains("  ok    nobody deletes prod data [arn:aws:iam::111122223333:role/admin, s3:DeleteBucket]\n"));
    assert!(o.stdout.ends_with("\n13 passed, 0 failed\n"), "{}", o.stdout);
}

#[test]
fn a_failure_prints_the_expectation_and_the_eval_explanation() {
    let dir = temp_dir("fail");
    let suite = example_suite().replace(
        "expect: {decision: ImplicitDeny, blockedBy: permissionsBoundary}",
        "expect: Allow",
    );
    let file = dir.join("fail.test.yaml");
    std::fs::write(&file, suite).unwrap();
    let o = run(&["test", "--no-clock", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(6), "some test failed: exit 6\n{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("  FAIL  the boundary keeps CI off EC2\n"));
    assert!(o.stdout.ends_with("\n12 passed, 1 failed\n"), "{}", o.stdout);
    let block = o.stdout.split("---- the boundary keeps CI off EC2 (").nth(1).unwrap();
    let (at, rest) = block.split_once(")\n").unwrap();
    assert!(at.ends_with("fail.test.yaml:48:5"), "{at}");
    let (why, explanation) = rest.split_once("\n\n").unwrap();
    assert_eq!(why, "expected Allow, got ImplicitDeny (blocked by permissionsBoundary)");
    let explanation = explanation.split("\n0 passed").next().unwrap();
    let explanation = explanation
        .strip_suffix("\n12 passed, 1 failed\n")
        .unwrap_or(explanation);

    // The same request through `eval`: the same text.
    let p = |f: &str| format!("fixtures/suites/policies/{f}");
    let eval = run(&[
        "eval",
        "--no-clock",
        "--principal",
        "arn:aws:iam::111122223333:role/ci-deploy",
        "--action",
        "ec2:RunInstances",
        "--resource",
        "arn:aws:ec2:eu-west-1:111122223333:instance/*",
        "--resource-account",
        "111122223333",
        "--identity-policy",
        &p("ci-deploy.json"),
        "--boundary",
        &p("boundary.json"),
        "--scp",
        &p("scp-root.json"),
        "--scp",
        &p("scp-prod.json"),
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:PrincipalOrgID=o-a1b2c3d4e5",
    ]);
    assert_eq!(eval.code, Some(3));
    assert_eq!(explanation.trim_end(), eval.stdout.trim_end());
}

#[test]
fn junit_reports_every_case() {
    let dir = temp_dir("junit");
    let suite = example_suite().replace("expect: {decision: Allow, sid: Artifacts}", "expect: ExplicitDeny");
    let file = dir.join("j.test.yaml");
    std::fs::write(&file, suite).unwrap();
    let xml_path = dir.join("out/junit.xml");
    std::fs::create_dir_all(xml_path.parent().unwrap()).unwrap();
    let o = run(&[
        "test",
        "--no-clock",
        "--junit",
        xml_path.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.code, Some(6));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"policy-sim test\" tests=\"13\" skipped=\"0\" failures=\"2\" errors=\"0\""), "{xml}");
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((report.tests, report.failures), (13, 2));
    let ts = &report.test_suites[0];
    assert_eq!(ts.name.as_str(), "delivery guardrails");
    let failed: Vec<(&str, String)> = ts
        .test_cases
        .iter()
        .filter_map(|c| match &c.status {
            quick_junit::TestCaseStatus::NonSuccess {
                message, description, ..
            } => Some((
                c.name.as_str(),
                format!(
                    "{} | {}",
                    message.as_ref().map(|m| m.as_str()).unwrap_or(""),
                    description
                        .as_ref()
                        .map(|d| d.as_str())
                        .unwrap_or("")
                        .lines()
                        .nth(2)
                        .unwrap_or("")
                ),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        [
            (
                "CI publishes build artifacts [s3:PutObject]",
                "expected ExplicitDeny, got Allow | Allow: arn:aws:iam::111122223333:role/ci-deploy → s3:PutObject on arn:aws:s3:::example-artifacts/app/1.4.2.zip".to_string()
            ),
            (
                "CI publishes build artifacts [s3:GetObject]",
                "expected ExplicitDeny, got Allow | Allow: arn:aws:iam::111122223333:role/ci-deploy → s3:GetObject on arn:aws:s3:::example-artifacts/app/1.4.2.zip".to_string()
            ),
        ]
    );
    assert!(ts.test_cases[0]
        .classname
        .as_ref()
        .unwrap()
        .as_str()
        .ends_with("j.test.yaml:15"));
    // Missing folders are made; an output that cannot be written is bad input, and no
    // file is left behind.
    let deep = dir.join("a/b/junit.xml");
    let o = run(&[
        "test",
        "--no-clock",
        "--junit",
        deep.to_str().unwrap(),
        "fixtures/suites",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(deep.exists());
    let blocked = dir.join("j.test.yaml/junit.xml");
    let o = run(&[
        "test",
        "--no-clock",
        "--junit",
        blocked.to_str().unwrap(),
        "fixtures/suites",
    ]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("cannot write"), "{}", o.stderr);
    assert!(!blocked.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        3,
        "no temporary file left behind"
    );
}

#[test]
fn coverage_as_text_json_and_lcov() {
    let dir = temp_dir("coverage");
    let json_path = dir.join("coverage.json");
    let lcov_path = dir.join("lcov.info");
    let o = run(&[
        "test",
        "--no-clock",
        "--coverage",
        "--coverage-json",
        json_path.to_str().unwrap(),
        "--lcov",
        lcov_path.to_str().unwrap(),
        "fixtures/suites",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let text = o.stdout.split("\nStatement coverage").nth(1).unwrap();
    assert_eq!(
        text,
        ": 11 of 12 statements decided at least one test (91.7%)
  fixtures/suites/policies/analytics.json: 1 of 1 (100.0%)
    + line 4     Statement[0] Sid \"ReadProdData\": 1 test
  fixtures/suites/policies/boundary.json: 1 of 1 (100.0%)
    + line 4     Statement[0] Sid \"DeliveryServices\": 6 tests
  fixtures/suites/policies/ci-deploy.json: 3 of 4 (75.0%)
    + line 4     Statement[0] Sid \"DeployStacks\": 2 tests
    + line 10    Statement[1] Sid \"Artifacts\": 2 tests
    + line 16    Statement[2] Sid \"PassExecutionRole\": 1 test
    - line 23    Statement[3] Sid \"LegacyEc2\": never
  fixtures/suites/policies/prod-data-bucket.json: 2 of 2 (100.0%)
    + line 4     Statement[0] Sid \"OnlyOurOrganization\": 1 test
    + line 12    Statement[1] Sid \"AnalyticsReads\": 1 test
  fixtures/suites/policies/scp-prod.json: 2 of 2 (100.0%)
    + line 4     Statement[0] Sid \"FullAccess\": 6 tests
    + line 10    Statement[1] Sid \"ProtectProdData\": 4 tests
  fixtures/suites/policies/scp-root.json: 2 of 2 (100.0%)
    + line 4     Statement[0] Sid \"FullAccess\": 6 tests
    + line 10    Statement[1] Sid \"DenyOtherRegions\": 1 test

13 passed, 0 failed
"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let ci = &v["files"]["fixtures/suites/policies/ci-deploy.json"];
    assert_eq!(ci["covered"].as_array().unwrap().len(), 3);
    assert_eq!(
        ci["not_covered"],
        serde_json::json!([{"start": {"row": 23}, "end": {"row": 28}}])
    );
    assert_eq!(
        (ci["covered_lines"].as_u64(), ci["not_covered_lines"].as_u64()),
        (Some(19), Some(6))
    );
    assert_eq!(ci["statement_coverage"], 75.0);
    assert_eq!(
        (v["covered_statements"].as_u64(), v["not_covered_statements"].as_u64()),
        (Some(11), Some(1))
    );
    assert_eq!(v["statement_coverage"], 91.67);
    let lcov = std::fs::read_to_string(&lcov_path).unwrap();
    let ci = lcov
        .split("end_of_record\n")
        .find(|r| r.contains("SF:fixtures/suites/policies/ci-deploy.json"))
        .unwrap();
    assert!(ci.contains("FN:23,Statement[3] LegacyEc2\n"), "{ci}");
    assert!(ci.contains("FNDA:0,Statement[3] LegacyEc2\n"), "{ci}");
    assert!(ci.contains("FNF:4\nFNH:3\n"), "{ci}");
    assert!(
        ci.contains("DA:4,2\n") && ci.contains("DA:23,0\n") && ci.contains("DA:28,0\n"),
        "{ci}"
    );
    assert!(ci.ends_with("LF:25\nLH:19\n"), "{ci}");
    // JSON output carries the same report.
    let o = run(&[
        "test",
        "--no-clock",
        "--coverage",
        "--format",
        "json",
        "fixtures/suites",
    ]);
    let v2: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v2["coverage"], v);
    assert_eq!((v2["passed"].as_u64(), v2["failed"].as_u64()), (Some(13), Some(0)));
    assert_eq!(v2["suites"][0]["tests"][2]["name"], "CI stays in its Regions");
    assert_eq!(
        v2["suites"][0]["tests"][2]["expect"],
        serde_json::json!({"decision": "ExplicitDeny", "sid": "DenyOtherRegions", "blockedBy": "scp"})
    );
}

#[test]
fn coverage_min_fails_the_run_below_the_threshold() {
    let o = run(&["test", "--no-clock", "--coverage-min", "95", "fixtures/suites"]);
    assert_eq!(o.code, Some(7));
    assert!(
        o.stderr
            .contains("statement coverage 91.7% is below --coverage-min 95%"),
        "{}",
        o.stderr
    );
    let o = run(&["test", "--no-clock", "--coverage-min", "90%", "fixtures/suites"]);
    assert_eq!(o.code, Some(0));
    let o = run(&["test", "--coverage-min", "150", "fixtures/suites"]);
    assert_eq!(o.code, Some(64), "a bad flag value is a usage error");
}

#[test]
fn suite_errors_have_file_line_and_column() {
    let dir = temp_dir("errors");
    let file = dir.join("bad.test.yaml");
    std::fs::write(
        &file,
        "tests:\n  - name: a\n    principal: arn:aws:iam::111122223333:role/ci\n    action: s3:GetObject\n    expect: Alow\n  - name: b\n    principal: arn:aws:iam::111122223333:role/ci\n    action: s3:GetObject\n    resorce: x\n    expect: Allow\n",
    )
    .unwrap();
    let o = run(&["test", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.stdout, "", "no test runs");
    let shown = file.display().to_string();
    assert!(
        o.stderr.contains(&format!(
            "error: {shown}:5:13: expected `Allow`, `Deny`, `ExplicitDeny` or `ImplicitDeny` (did you mean `Allow`?) (at tests[0].expect)\n"
        )),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains(&format!("error: {shown}:9:5: unknown field `resorce`")),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.ends_with("error: 2 errors in the suites: no test was run\n"),
        "{}",
        o.stderr
    );
    let o = run(&["test", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["errors"][1]["code"], "unknown-member");
    assert_eq!(
        (v["errors"][1]["line"].as_u64(), v["errors"][1]["column"].as_u64()),
        (Some(9), Some(5))
    );

    std::fs::write(&file, "tests:\n  - name: a\n    action: [s3:GetObject\n").unwrap();
    let o = run(&["test", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.starts_with(&format!("error: {shown}:4:1: ")), "{}", o.stderr);

    // An invalid inline policy: its diagnostics, pointing into the suite.
    std::fs::write(
        &file,
        "tests:\n  - name: a\n    principal: arn:aws:iam::111122223333:user/a\n    action: s3:GetObject\n    policies:\n      identity:\n        - Version: '2012-10-17'\n          Statement: {Effect: allow, Action: '*', Resource: '*'}\n    expect: Allow\n",
    )
    .unwrap();
    let o = run(&["test", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains(&format!(" --> {shown}:8:31 (Statement[0].Effect)")),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("8 |           Statement: {Effect: allow, Action: '*', Resource: '*'}"),
        "{}",
        o.stderr
    );

    let o = run(&["test", "fixtures/nothing-here"]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains("`fixtures/nothing-here` does not exist"),
        "{}",
        o.stderr
    );
    let o = run(&["test", "fixtures/requests"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("holds no suite"), "{}", o.stderr);
}

#[test]
fn record_writes_expectations_that_then_pass() {
    let dir = temp_dir("record");
    let mut suite = String::new();
    for line in example_suite().lines() {
        if !line.trim_start().starts_with("expect:") {
            suite.push_str(line);
            suite.push('\n');
        }
    }
    // A test whose cases get different decisions.
    suite.push_str("  - name: stacks and EC2\n    principal: arn:aws:iam::111122223333:role/ci-deploy\n    action: [cloudformation:DescribeStacks, ec2:StartInstances]\n    resource: '*'\n");
    let file = dir.join("r.test.yaml");
    std::fs::write(&file, &suite).unwrap();
    let f = file.to_str().unwrap();
    let o = run(&["test", "--no-clock", f]);
    assert_eq!(o.code, Some(6), "tests without expectations fail");
    assert!(o
        .stdout
        .contains("the test has no `expect`: add one, or record today's outcome with `--record`"));

    let o = run(&["test", "--no-clock", "--record", "--filter", "keeps CI off EC2", f]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout
            .ends_with("1 expectation recorded, 0 tests split into cases, 0 unchanged\n"),
        "{}",
        o.stdout
    );
    let o = run(&["test", "--no-clock", "--record", f]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout
            .ends_with("7 expectations recorded, 1 test split into cases, 1 unchanged\n"),
        "{}",
        o.stdout
    );
    let recorded = std::fs::read_to_string(&file).unwrap();
    assert!(
        recorded.contains("    resource: arn:aws:ec2:eu-west-1:111122223333:instance/*\n    expect: ImplicitDeny\n")
    );
    assert!(recorded.ends_with(
        "  - {\"name\": \"stacks and EC2 [cloudformation:DescribeStacks]\", \"principal\": \"arn:aws:iam::111122223333:role/ci-deploy\", \"action\": \"cloudformation:DescribeStacks\", \"resource\": \"*\", \"expect\": \"Allow\"}\n  - {\"name\": \"stacks and EC2 [ec2:StartInstances]\", \"principal\": \"arn:aws:iam::111122223333:role/ci-deploy\", \"action\": \"ec2:StartInstances\", \"resource\": \"*\", \"expect\": \"ImplicitDeny\"}\n"
    ), "{recorded}");
    let o = run(&["test", "--no-clock", f]);
    assert_eq!(o.code, Some(0), "{}", o.stdout);
    assert!(o.stdout.ends_with("\n15 passed, 0 failed\n"));
    // Recording again changes nothing.
    let o = run(&["test", "--no-clock", "--record", f]);
    assert!(
        o.stdout
            .ends_with("0 expectations recorded, 0 tests split into cases, 10 unchanged\n"),
        "{}",
        o.stdout
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), recorded);
}

#[test]
fn filter_and_help() {
    let o = run(&["test", "--no-clock", "--filter", "prod data", "fixtures/suites"]);
    assert_eq!(o.code, Some(0));
    assert!(o.stdout.ends_with("\n6 passed, 0 failed\n"), "{}", o.stdout);
    let o = run(&["test", "--no-clock", "--filter", "no such test", "fixtures/suites"]);
    assert_eq!(o.code, Some(0));
    assert!(o
        .stderr
        .contains("warning: no test has a name containing `no such test`"));
    // What the service catalog does not know is a warning with the test's place.
    let dir = temp_dir("typo");
    let file = dir.join("typo.test.yaml");
    std::fs::write(
        &file,
        "tests:\n  - name: nobody deletes\n    principal: arn:aws:iam::111122223333:role/ci\n    action: [s3:DeleteObjekt, s3:DeleteBucket]\n    expect: Deny\n",
    )
    .unwrap();
    let o = run(&["test", "--no-clock", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(0));
    assert_eq!(
        o.stderr,
        format!(
            "warning[unknown-action]: {}:2:5: action `s3:DeleteObjekt` is not an action of service `s3` (did you mean `s3:DeleteObject`?) (test `nobody deletes`)\n",
            file.display()
        )
    );
    let o = run(&["test", "--help"]);
    assert_eq!(o.code, Some(0));
    assert!(
        o.stdout
            .contains("6 some test failed, 7 statement coverage below --coverage-min"),
        "{}",
        o.stdout
    );
}

/// The commands of the `Lint` and `Test` steps of docs/github-actions-policy-tests.yml,
/// run on a sample repository laid out as the workflow assumes.
#[test]
fn the_example_workflow_commands_run() {
    let wf = std::fs::read_to_string(root().join("docs/github-actions-policy-tests.yml")).unwrap();
    let step = |name: &str| -> String {
        let at = wf.find(&format!("- name: {name}\n")).unwrap();
        let rest = &wf[at..];
        let run_at = rest.find("run: ").unwrap();
        let first = rest[run_at + 5..].lines().next().unwrap();
        if first.trim() != ">-" {
            return first.to_string();
        }
        rest[run_at..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("          "))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let repo = temp_dir("workflow");
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::create_dir_all(repo.join("policy-tests")).unwrap();
    for e in std::fs::read_dir(root().join("fixtures/suites/policies")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, repo.join("policies").join(p.file_name().unwrap())).unwrap();
    }
    let suite = std::fs::read_to_string(root().join("fixtures/suites/guardrails.test.yaml"))
        .unwrap()
        .replace("policies/", "../policies/");
    std::fs::write(repo.join("policy-tests/guardrails.test.yaml"), suite).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("policy-sim");
    let sh = |cmd: &str| {
        let cmd = cmd.replacen("policy-sim", &bin.display().to_string(), 1);
        std::process::Command::new("bash")
            .args(["-eo", "pipefail", "-c", &cmd])
            .current_dir(&repo)
            .output()
            .unwrap()
    };
    let lint = step("Lint");
    assert!(lint.starts_with("policy-sim lint --format sarif policies/"), "{lint}");
    let o = sh(&lint);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("policy-sim.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let test = step("Test");
    assert!(test.starts_with("policy-sim test policy-tests/ --junit"), "{test}");
    let o = sh(&test);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let junit = std::fs::read_to_string(repo.join("test-results/policy-tests.xml")).unwrap();
    assert!(junit.contains("tests=\"13\""), "{junit}");
    let lcov = std::fs::read_to_string(repo.join("coverage/policy-statements.lcov")).unwrap();
    assert!(
        lcov.contains("SF:../policies/ci-deploy.json") || lcov.contains("SF:policies/ci-deploy.json"),
        "{lcov}"
    );
}

/// The example estate suite (fixtures/estates/example-org.test.yaml), with its text's
/// `estate:` made absolute for a copy elsewhere.
fn estate_suite() -> String {
    std::fs::read_to_string(root().join("fixtures/estates/example-org.test.yaml"))
        .unwrap()
        .replace(
            "estate: example-org",
            &format!("estate: {}", root().join("fixtures/estates/example-org").display()),
        )
}

#[test]
fn a_suite_over_an_estate() {
    let o = run(&["test", "--no-clock", "--coverage", "fixtures/estates"]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.ends_with("\n24 passed, 0 failed\n"), "{}", o.stdout);
    assert!(o
        .stdout
        .contains("  ok    only the organization's principals read the payments reports\n"));
    let cov = o.stdout.split("Statement coverage: ").nth(1).unwrap();
    assert!(
        cov.starts_with("21 of 45 statements decided at least one test (46.7%)\n"),
        "{cov}"
    );
    // An inline policy used through a YAML alias is one statement, where the anchor is.
    assert!(cov.contains(
        "  fixtures/estates/example-org.test.yaml: 2 of 3 (66.7%)\n    + line 17    Statement[0] Sid \"AuditPayments\": 1 test\n    - line 27    Statement[0] Sid \"FullAccess\": never\n    + line 28    Statement[1] Sid \"ProtectPaymentsData\": 1 test\n"
    ), "{cov}");
    // Who-can tests count the statements that grant the principals they find allowed:
    // the bucket policy's `*` statement for the organization's readers, the deploy
    // role's trust policy for the build role.
    assert!(
        cov.contains("    + line 2     Policy.Statement[3] Sid \"AllowViaOrgEndpoint\": 2 tests\n"),
        "{cov}"
    );
    assert!(
        cov.contains("    + line 291   RoleDetailList[3].AssumeRolePolicyDocument.Statement[0]: 2 tests\n"),
        "{cov}"
    );
    // Statements of policies held in JSON strings are located in the snapshot's file.
    assert!(cov.contains("fixtures/estates/example-org/accounts/333333333333/s3/payments-data-333333333333/get-bucket-policy.json: 1 of 4 (25.0%)\n    - line 2     Policy.Statement[0] Sid \"DenyInsecureTransport\": never\n"), "{cov}");
    assert!(cov.contains("fixtures/estates/example-org/organizations/describe-policy/p-leaveorg01.json: 1 of 1 (100.0%)\n    + line 11    Policy.Content.Statement[0]: 2 tests\n"), "{cov}");
}

#[test]
fn an_estate_failure_is_eval_estate_s_explanation() {
    let dir = temp_dir("estate-fail");
    let suite = estate_suite().replace(
        "    expect: {decision: ExplicitDeny, blockedBy: identity}",
        "    expect: Allow",
    );
    let file = dir.join("org.test.yaml");
    std::fs::write(&file, suite).unwrap();
    let o = run(&[
        "test",
        "--no-clock",
        "--filter",
        "cannot delete",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.code, Some(6), "{}{}", o.stdout, o.stderr);
    let block = o
        .stdout
        .split("---- developers cannot delete payments data (")
        .nth(1)
        .unwrap();
    let (_, rest) = block.split_once(")\n").unwrap();
    let (why, explanation) = rest.split_once("\n\n").unwrap();
    assert_eq!(why, "expected Allow, got ExplicitDeny (blocked by identity)");
    let explanation = explanation.strip_suffix("\n0 passed, 1 failed\n").unwrap();
    let eval = run(&[
        "eval",
        "--no-clock",
        "--estate",
        "fixtures/estates/example-org",
        "--principal",
        "arn:aws:iam::333333333333:user/alice",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::payments-data-333333333333/reports/q1.csv",
        "--context",
        "aws:RequestedRegion=us-east-1",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(eval.code, Some(2), "{}", eval.stderr);
    assert_eq!(explanation.trim_end(), eval.stdout.trim_end());
}

#[test]
fn estate_and_policies_together() {
    let dir = temp_dir("estate-both");
    // A pull request's new SCP over the organization: the suite's `scp` replaces the
    // estate's levels for every request.
    let text = format!(
        "estate: {}
policies:
  scp:
    - [{{Version: '2012-10-17', Statement: {{Effect: Allow, Action: '*', Resource: '*'}}}}]
    - - Version: '2012-10-17'
        Statement:
          - {{Sid: NoPaymentsReads, Effect: Deny, Action: 's3:GetObject', Resource: 'arn:aws:s3:::payments-data-*/*'}}
          - {{Effect: Allow, Action: '*', Resource: '*'}}
defaults:
  context: {{aws:RequestedRegion: ap-southeast-2, aws:SecureTransport: true}}
tests:
  - name: the new SCP stops alice's reads (and the old region guardrail is gone)
    principal: arn:aws:iam::333333333333:user/alice
    action: s3:GetObject
    resource: arn:aws:s3:::payments-data-333333333333/reports/q1.csv
    expect: {{decision: ExplicitDeny, blockedBy: scp, sid: NoPaymentsReads}}
  - name: the RCPs of the estate still apply
    principal: arn:aws:iam::777777777777:user/mallory
    action: kms:Decrypt
    resource: arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    expect: {{decision: ExplicitDeny, blockedBy: rcp}}
",
        root().join("fixtures/estates/example-org").display()
    );
    let file = dir.join("pr.test.yaml");
    std::fs::write(&file, text).unwrap();
    let o = run(&["test", "--no-clock", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.ends_with("\n2 passed, 0 failed\n"), "{}", o.stdout);

    // A snapshot that cannot be read: bad input, at the member.
    std::fs::write(&file, "estate: no-such-snapshot\ntests: []\n").unwrap();
    let o = run(&["test", file.to_str().unwrap()]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.contains(&format!(
            "error: {}:1:9: cannot read the estate snapshot `{}` (at estate)",
            file.display(),
            dir.join("no-such-snapshot").display()
        )),
        "{}",
        o.stderr
    );
}

/// A who-can test that fails: the principals it did not expect, then exactly what
/// `who-can` prints; in JSON and JUnit too.
#[test]
fn a_who_can_failure_lists_the_principals_and_the_who_can_answer() {
    let dir = temp_dir("who-can-fail");
    let suite = estate_suite().replace(
        "      only: [arn:aws:iam::444444444444:role/build]\n",
        "      only: []\n      includes: [arn:aws:iam::333333333333:role/OrgAdmin]\n",
    );
    let file = dir.join("org.test.yaml");
    std::fs::write(&file, &suite).unwrap();
    let f = file.to_str().unwrap();
    let o = run(&["test", "--no-clock", "--filter", "deploys to prod", f]);
    assert_eq!(o.code, Some(6), "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("  ok    payments-dev's build role deploys to prod\n  FAIL  only payments-dev's build role deploys to prod\n"), "{}", o.stdout);
    let line = suite
        .lines()
        .position(|l| l == "  - name: only payments-dev's build role deploys to prod")
        .unwrap()
        + 1;
    let block = o
        .stdout
        .split(&format!(
            "---- only payments-dev's build role deploys to prod ({f}:{line}:5)\n"
        ))
        .nth(1)
        .unwrap();
    let (why, answer) = block.split_once("\n\n").unwrap();
    assert_eq!(
        why,
        "allowed though `only` does not list them: `arn:aws:iam::444444444444:role/build`; not allowed though `includes` lists them: `arn:aws:iam::333333333333:role/OrgAdmin`
  allowed      arn:aws:iam::444444444444:role/build     sts:AssumeRole  Allow
  not allowed  arn:aws:iam::333333333333:role/OrgAdmin  sts:AssumeRole"
    );
    let answer = answer.strip_suffix("\n1 passed, 1 failed\n").unwrap();
    let who_can = run(&[
        "who-can",
        "--no-clock",
        "--estate",
        "fixtures/estates/example-org",
        "--resource",
        "arn:aws:iam::333333333333:role/deploy",
        "--action",
        "sts:AssumeRole",
        "--context",
        "aws:RequestedRegion=us-east-1",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(who_can.code, Some(0), "{}", who_can.stderr);
    assert_eq!(answer.trim_end(), who_can.stdout.trim_end());

    // JSON: the expectation, the principals allowed, what was unexpected or missing, and
    // the answer.
    let xml = dir.join("junit.xml");
    let o = run(&[
        "test",
        "--no-clock",
        "--format",
        "json",
        "--junit",
        xml.to_str().unwrap(),
        "--filter",
        "only payments-dev",
        f,
    ]);
    assert_eq!(o.code, Some(6), "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let t = &v["suites"][0]["tests"][0];
    assert_eq!(t["name"], "only payments-dev's build role deploys to prod");
    assert_eq!(t["line"], line);
    assert_eq!(
        t["expect"],
        serde_json::json!({"only": [], "includes": ["arn:aws:iam::333333333333:role/OrgAdmin"]})
    );
    assert_eq!(
        t["allowed"],
        serde_json::json!(["arn:aws:iam::444444444444:role/build"])
    );
    assert_eq!(t["unexpected"][0]["principal"], "arn:aws:iam::444444444444:role/build");
    assert_eq!(t["unexpected"][0]["decision"], "Allow");
    assert_eq!(
        t["missing"],
        serde_json::json!([{"principal": "arn:aws:iam::333333333333:role/OrgAdmin", "actions": ["sts:AssumeRole"]}])
    );
    assert_eq!(t["answer"]["results"].as_array().unwrap().len(), 1);
    assert!(t["failure"].as_str().unwrap().starts_with("allowed though `only`"));
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(0), Some(1)));

    // JUnit: one testcase, the first line as the message, the listing and the answer as
    // the description.
    let report = quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&xml).unwrap()).unwrap();
    assert_eq!((report.tests, report.failures), (1, 1));
    let tc = &report.test_suites[0].test_cases[0];
    assert_eq!(tc.name.as_str(), "only payments-dev's build role deploys to prod");
    assert_eq!(tc.classname.as_ref().unwrap().as_str(), format!("{f}:{line}"));
    let quick_junit::TestCaseStatus::NonSuccess {
        message,
        ty,
        description,
        ..
    } = &tc.status
    else {
        panic!("a failure")
    };
    assert_eq!(
        message.as_ref().unwrap().as_str(),
        "allowed though `only` does not list them: `arn:aws:iam::444444444444:role/build`; not allowed though `includes` lists them: `arn:aws:iam::333333333333:role/OrgAdmin`"
    );
    assert_eq!(ty.as_ref().unwrap().as_str(), "unexpected-principals");
    assert!(description
        .as_ref()
        .unwrap()
        .as_str()
        .contains("  not allowed  arn:aws:iam::333333333333:role/OrgAdmin  sts:AssumeRole\n\nWho can act on arn:aws:iam::333333333333:role/deploy"));
}

/// `--record` writes the principals allowed today as `only`; the suite then passes, and
/// recording again changes nothing.
#[test]
fn record_writes_who_can_answers_as_only() {
    let dir = temp_dir("who-can-record");
    let suite = estate_suite()
        .replace("      only: [arn:aws:iam::999999999999:root]\n", "")
        .replace(
            "      only: [arn:aws:iam::333333333333:role/OrgAdmin]\n      excludes: [arn:aws:iam::333333333333:user/alice, '*']\n",
            "      only: [arn:aws:iam::333333333333:user/alice]\n",
        );
    // The partner-audit test lost its only member: drop its `expect:` line too.
    let suite = suite.replace(
        "      action: sts:AssumeRole\n    expect:\n\n",
        "      action: sts:AssumeRole\n\n",
    );
    let file = dir.join("org.test.yaml");
    std::fs::write(&file, &suite).unwrap();
    let f = file.to_str().unwrap();
    let o = run(&["test", "--no-clock", f]);
    assert_eq!(o.code, Some(6), "{}{}", o.stdout, o.stderr);
    assert!(o
        .stdout
        .contains("the test has no `expect`: add one, or record today's allowed principals with `--record`"));
    let o = run(&["test", "--no-clock", "--record", f]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout
            .ends_with("2 expectations recorded, 0 tests split into cases, 20 unchanged\n"),
        "{}",
        o.stdout
    );
    let recorded = std::fs::read_to_string(&file).unwrap();
    assert!(recorded.contains(
        "      resource: arn:aws:iam::333333333333:role/partner-audit\n      action: sts:AssumeRole\n    expect:\n      only:\n        - arn:aws:iam::999999999999:root\n\n"
    ), "{recorded}");
    assert!(recorded.contains(
        "      action: s3:DeleteObject\n    expect:\n      only:\n        - arn:aws:iam::333333333333:role/OrgAdmin\n\n"
    ), "{recorded}");
    let o = run(&["test", "--no-clock", f]);
    assert_eq!(o.code, Some(0), "{}", o.stdout);
    let o = run(&["test", "--no-clock", "--record", f]);
    assert!(
        o.stdout
            .ends_with("0 expectations recorded, 0 tests split into cases, 22 unchanged\n"),
        "{}",
        o.stdout
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), recorded);
}

#[test]
fn who_can_errors_have_file_line_and_column() {
    let dir = temp_dir("who-can-errors");
    let file = dir.join("e.test.yaml");
    std::fs::write(
        &file,
        format!(
            "estate: {}\ntests:\n  - name: typo\n    whoCan: {{resource: 'arn:aws:s3:::b/k', action: s3:GetObject}}\n    expect:\n      excludes: [arn:aws:iam::333333333333:user/alcie]\n      allowIf: never\n",
            root().join("fixtures/estates/example-org").display()
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = run(&["test", "--no-clock", f]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!(
            "error: {f}:6:18: `arn:aws:iam::333333333333:user/alcie` is not a user or role of account `333333333333` in the estate (did you mean `arn:aws:iam::333333333333:user/alice`?) (at tests[0].expect.excludes[0])\nerror: {f}:7:16: expected `count` or `ignore` (at tests[0].expect.allowIf)\nerror: 2 errors in the suites: no test was run\n"
        )
    );
}
