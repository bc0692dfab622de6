//! `policy-sim lint` end to end, for CI use: SARIF valid against the SARIF 2.1.0 JSON
//! schema (vendored in `tests/data/sarif/`), stable fingerprints and relative URIs,
//! inputs that are missing, unreadable, not UTF-8 or not policies, and the counts the
//! summaries give.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{root, sim};

use std::path::PathBuf;

use serde_json::Value;

/// A fresh folder for one test.
fn temp(tag: &str) -> PathBuf {
    cli_support::temp_dir("lint", tag)
}

fn sarif_of(args: &[&str]) -> Value {
    let out = sim().args(["lint", "--format", "sarif"]).args(args).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 5)), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[path = "support/sarif.rs"]
mod sarif;
use sarif::{assert_valid, validator};

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    // Every fixture: policies of each type, templates, a Terraform-free mix, findings
    // of every severity.
    let v = sarif_of(&["fixtures/lint"]);
    assert!(v["runs"][0]["results"].as_array().unwrap().len() > 100);
    assert_valid(&v);
    // A run without findings too.
    let v = sarif_of(&["fixtures/lint/pass-role-with-star-in-resource/pass.identity.json"]);
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_valid(&v);
}

#[test]
fn the_schema_check_can_fail() {
    let mut v = sarif_of(&["fixtures/lint/pass-role-with-star-in-resource/fail.identity.json"]);
    v["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator().is_valid(&v));
}

#[test]
fn sarif_uris_are_relative_to_the_root_and_never_absolute() {
    let file = "fixtures/lint/pass-role-with-star-in-resource/fail.identity.json";
    let uri = |v: &Value| {
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Default: the git repository's top (or the current folder outside git).
    let v = sarif_of(&[file]);
    assert_eq!(uri(&v), file);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    // An absolute path given on the command line still gives a relative URI.
    let abs = root().join(file);
    let v = sarif_of(&[abs.to_str().unwrap()]);
    assert_eq!(uri(&v), file);
    // --root moves the base.
    let v = sarif_of(&["--root", "fixtures", file]);
    assert_eq!(uri(&v), "lint/pass-role-with-star-in-resource/fail.identity.json");
    // A file outside the root: `..` segments, never `file:` or `/`.
    let dir = temp("outside");
    std::fs::copy(root().join(file), dir.join("p.json")).unwrap();
    let v = sarif_of(&["--root", "fixtures", dir.join("p.json").to_str().unwrap()]);
    let u = uri(&v);
    assert!(
        u.starts_with("../") && u.ends_with("/p.json") && !u.contains("//"),
        "{u}"
    );
    assert_valid(&v);
}

#[test]
fn fingerprints_survive_edits_above_the_finding() {
    let dir = temp("fingerprints");
    let text = std::fs::read_to_string(root().join("fixtures/lint/redundant-action/fail.identity.json")).unwrap();
    let fp = |v: &Value| -> Vec<(String, u64)> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["policySim/v1"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    std::fs::write(dir.join("p.json"), &text).unwrap();
    let before = fp(&sarif_of(&[
        "--root",
        dir.to_str().unwrap(),
        dir.join("p.json").to_str().unwrap(),
    ]));
    // Three blank lines and a Sid above: every finding moves, none changes identity.
    let moved = text.replacen("{\n", "{\n\n\n\n", 1);
    std::fs::write(dir.join("p.json"), &moved).unwrap();
    let after = fp(&sarif_of(&[
        "--root",
        dir.to_str().unwrap(),
        dir.join("p.json").to_str().unwrap(),
    ]));
    assert!(!before.is_empty());
    assert_eq!(
        before.iter().map(|x| &x.0).collect::<Vec<_>>(),
        after.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    assert!(before.iter().zip(&after).all(|(b, a)| a.1 == b.1 + 3));
    // Distinct findings, distinct fingerprints.
    let all = fp(&sarif_of(&["fixtures/lint"]));
    let unique: std::collections::BTreeSet<&String> = all.iter().map(|x| &x.0).collect();
    assert_eq!(unique.len(), all.len());
}

#[test]
fn security_severities_vary_with_the_rule() {
    let v = sarif_of(&["fixtures/lint/pass-role-with-star-in-resource/fail.identity.json"]);
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let sev = |id: &str| {
        rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["security-severity"]
            .as_str()
            .map(str::to_string)
    };
    let distinct: std::collections::BTreeSet<String> = rules
        .iter()
        .filter_map(|r| r["properties"]["security-severity"].as_str().map(str::to_string))
        .collect();
    assert!(distinct.len() >= 8, "{distinct:?}");
    assert!(sev("public-principal-without-condition") > sev("forallvalues-allow-absent-key"));
    assert_eq!(sev("redundant-action"), None);
    // Every security warning has one, with the `security` tag.
    for r in rules {
        if r["defaultConfiguration"]["level"] == "error"
            && policy_core::lint::rule(r["id"].as_str().unwrap()).unwrap().severity
                == policy_core::LintSeverity::SecurityWarning
        {
            assert!(r["properties"]["security-severity"].is_string(), "{}", r["id"]);
            assert!(r["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&Value::from("security")));
        }
    }
}

#[test]
fn a_missing_path_is_an_error_before_any_summary() {
    let out = sim()
        .args(["lint", "fixtures/lint/empty", "no/such/file.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8(out.stderr).unwrap().contains("`no/such/file.json`"));
}

#[test]
fn unreadable_and_non_utf8_files_are_findings_and_the_run_goes_on() {
    let dir = temp("bad-files");
    std::fs::copy(
        root().join("fixtures/lint/pass-role-with-star-in-resource/fail.identity.json"),
        dir.join("a.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("b.json"),
        b"{\"Version\": \"2012-10-17\", \"Statement\": {\"Resource\": \"caf\xe9\"}}".as_slice(),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("c.json")).unwrap();
    std::fs::write(dir.join("package.json"), "{\"name\": \"not-a-policy\"}").unwrap();
    let out = sim().args(["lint", "--format", "json"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(String, String)> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let file = r["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |f| (file.clone(), f["code"].as_str().unwrap().to_string()))
        })
        .collect();
    assert!(
        codes.contains(&("a.json".into(), "pass-role-with-star-in-resource".into())),
        "{codes:?}"
    );
    assert!(codes.contains(&("b.json".into(), "not-utf8".into())), "{codes:?}");
    #[cfg(unix)]
    assert!(
        codes.contains(&("c.json".into(), "unreadable-file".into())),
        "{codes:?}"
    );
    let not_utf8 = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("b.json"))
        .unwrap();
    assert_eq!(not_utf8["findings"][0]["column"], 57);
    // package.json holds no policy: skipped, counted and listed.
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].ends_with("package.json"));

    let out = sim().args(["lint", "--verbose"]).arg(&dir).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("1 file skipped"), "{stdout}");
    assert!(
        stderr.contains("package.json") && stderr.contains("not a policy or a template"),
        "{stderr}"
    );
}

#[test]
fn suppressed_and_filtered_findings_are_counted() {
    let dir = temp("suppress");
    std::fs::write(
        dir.join("lint.toml"),
        "[[suppress]]\ncode = \"pass-role-with-star-in-resource\"\nreason = \"test\"\n",
    )
    .unwrap();
    let out = sim()
        .args(["lint", "--config"])
        .arg(dir.join("lint.toml"))
        .args([
            "--min-severity",
            "warning",
            "fixtures/lint/pass-role-with-star-in-resource/fail.identity.json",
            "fixtures/lint/redundant-action/fail.identity.json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("1 suppressed by the config"), "{stdout}");
    assert!(stdout.contains("below --min-severity"), "{stdout}");
    let out = sim()
        .args(["lint", "--format", "json", "--config"])
        .arg(dir.join("lint.toml"))
        .arg("fixtures/lint/pass-role-with-star-in-resource/fail.identity.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["suppressed"], 1);
    // A retired code in the config is a warning, not an error.
    std::fs::write(
        dir.join("old.toml"),
        "[severity]\nscp-syntax-error-allow-condition = \"off\"\n",
    )
    .unwrap();
    let out = sim()
        .args(["lint", "--config"])
        .arg(dir.join("old.toml"))
        .arg("fixtures/lint/pass-role-with-star-in-resource/pass.identity.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stderr).unwrap().contains("no longer raised"));
}

#[test]
fn text_that_is_not_json_gets_a_precise_note() {
    let dir = temp("not-json");
    std::fs::write(dir.join("notes.json"), "# Policies\n\nSee the wiki.\n").unwrap();
    let out = sim().args(["lint"]).arg(dir.join("notes.json")).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("the text is not JSON: it starts with `#`"), "{stdout}");
    // With --only-policies (pre-commit) such a file is skipped.
    let out = sim()
        .args(["lint", "--only-policies"])
        .arg(dir.join("notes.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("1 file skipped"));
}
