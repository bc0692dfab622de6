//! How many of IAM Access Analyzer's real findings on AWS managed policies `lint` also
//! raises, per finding type. The findings (MAMIP, GPL-3) are read at test time from
//! `../shared/data/oracle/access-analyzer-mamip-2024-12-03/` beside the repository and
//! never copied into it; without them the test prints why and passes.
//!
//! `cargo test -p policy-core --test access_analyzer_oracle -- --nocapture` prints the
//! table that BENCHMARKS.md records. A finding counts as raised when `lint` reports the
//! mapped code in the same statement (or anywhere, for document-level findings).

// Needs the catalog checks, so the embedded catalog.
#![cfg(all(feature = "embedded-catalog", feature = "lint-catalog"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use policy_core::{lint, LintPolicyType, LintSeverity, Source};

/// Access Analyzer issue code → the codes of ours that raise the same problem.
fn ours(issue: &str) -> &'static [&'static str] {
    match issue {
        // Names AWS managed policies use get `differs-from-reference` (a deliberate
        // difference: IAM accepted those policies).
        "INVALID_ACTION" => &[
            "unknown-action",
            "unknown-service",
            "invalid-action",
            "retired-service",
            "differs-from-reference",
        ],
        "INVALID_SERVICE_CONDITION_KEY" => &["invalid-service-condition-key", "differs-from-reference"],
        "INVALID_GLOBAL_CONDITION_KEY" => &["invalid-global-condition-key", "differs-from-reference"],
        "MISSING_QUALIFIER" => &["missing-qualifier", "differs-from-reference"],
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" | "PASS_ROLE_WITH_STAR_IN_RESOURCE" => {
            &["pass-role-with-star-in-resource"]
        }
        "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS" => &["string-like-operator-with-arn-condition-keys"],
        "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE" => {
            &["allow-with-unsupported-tag-condition-key-for-service"]
        }
        "REDUNDANT_ACTION" => &["redundant-action"],
        "REDUNDANT_RESOURCE" => &["redundant-resource"],
        "REDUNDANT_STATEMENT" => &["redundant-statement"],
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE" | "CREATE_SLR_WITH_STAR_IN_RESOURCE" => {
            &["create-slr-with-star-in-resource"]
        }
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA" => &["policy-size-exceeds-identity-policy-quota"],
        "TYPE_MISMATCH" => &[
            "type-mismatch-operator",
            "type-mismatch-boolean",
            "type-mismatch-number",
        ],
        _ => &[],
    }
}

/// Codes whose severity differs from the Access Analyzer finding type they map to, on
/// purpose (documented in each rule's description).
const DELIBERATE: &[&str] = &[
    // IAM accepted the AWS managed policies that use such names.
    "differs-from-reference",
    "retired-service",
];

fn aa_severity(finding_type: &str) -> Option<LintSeverity> {
    match finding_type {
        "ERROR" => Some(LintSeverity::Error),
        "SECURITY_WARNING" => Some(LintSeverity::SecurityWarning),
        "WARNING" => Some(LintSeverity::Warning),
        "SUGGESTION" => Some(LintSeverity::Suggestion),
        _ => None,
    }
}

/// Every code mapped to an Access Analyzer issue has that issue's severity, or is one of
/// the documented differences: an Access-Analyzer gate (`--min-severity error`) and
/// ours fail on the same policies. Needs no data beyond the issue codes' types, which
/// Access Analyzer's check reference gives.
#[test]
fn severities_match_access_analyzer() {
    // (issue code, Access Analyzer's finding type), from the check reference.
    let issues = [
        ("INVALID_ACTION", "ERROR"),
        ("INVALID_SERVICE_CONDITION_KEY", "ERROR"),
        ("INVALID_GLOBAL_CONDITION_KEY", "ERROR"),
        ("MISSING_QUALIFIER", "ERROR"),
        ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "SECURITY_WARNING"),
        ("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "SECURITY_WARNING"),
        ("ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", "SUGGESTION"),
        ("REDUNDANT_ACTION", "SUGGESTION"),
        ("REDUNDANT_RESOURCE", "SUGGESTION"),
        ("REDUNDANT_STATEMENT", "SUGGESTION"),
        ("CREATE_SLR_WITH_STAR_IN_RESOURCE", "WARNING"),
        ("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "WARNING"),
    ];
    let mut wrong = Vec::new();
    for (issue, ty) in issues {
        let want = aa_severity(ty).unwrap();
        for code in ours(issue) {
            let got = policy_core::lint::rule(code)
                .unwrap_or_else(|| panic!("{code}"))
                .severity;
            if got != want && !DELIBERATE.contains(code) {
                wrong.push(format!("{issue} ({ty}) → {code}: {}", got.as_str()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn access_analyzer_findings_we_also_raise() {
    let dir = common::repo_root().join("../shared/data/oracle/access-analyzer-mamip-2024-12-03");
    if !dir.join("findings").is_dir() {
        println!(
            "skipped: {} is absent (the oracle is read from ../shared only)",
            dir.display()
        );
        return;
    }
    // (type, issue) → (Access Analyzer's count, ours)
    let mut table: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut severity_differs = Vec::new();
    for f in common::json_files(&dir.join("findings")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let findings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let pol: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("policies").join(&name)).unwrap()).unwrap();
        let doc = &pol["PolicyVersion"]["Document"];
        let text = serde_json::to_string_pretty(doc).unwrap();
        let report = lint(&Source::new(&name, text), Some(LintPolicyType::Identity));
        for finding in findings.as_array().unwrap() {
            let ty = finding["findingType"].as_str().unwrap().to_string();
            let issue = finding["issueCode"].as_str().unwrap().to_string();
            let path = &finding["locations"][0]["path"];
            let statement = match (path[0]["value"].as_str(), path[1]["index"].as_u64()) {
                (Some("Statement"), Some(i)) => Some(format!("Statement[{i}]")),
                _ => None,
            };
            let codes = ours(&issue);
            let hit = report.findings.iter().find(|x| {
                codes.contains(&x.code)
                    && statement
                        .as_ref()
                        .is_none_or(|s| x.path == *s || x.path.starts_with(&format!("{s}.")))
            });
            let raised = hit.is_some();
            if let Some(h) = hit {
                if Some(h.severity) != aa_severity(&ty) && !DELIBERATE.contains(&h.code) {
                    severity_differs.push(format!(
                        "{name}: {issue} is {ty}, `{}` is {}",
                        h.code,
                        h.severity.as_str()
                    ));
                }
            }
            let e = table.entry((ty.clone(), issue.clone())).or_default();
            e.0 += 1;
            if raised {
                e.1 += 1;
            } else {
                missed.push(format!(
                    "{name}: {ty} {issue} at {} — {}",
                    statement.unwrap_or_default(),
                    finding["findingDetails"]
                ));
            }
        }
    }
    println!("| Access Analyzer finding type | issue code | Access Analyzer | also raised by lint |");
    println!("|---|---|---:|---:|");
    for ((ty, issue), (n, m)) in &table {
        println!("| {ty} | {issue} | {n} | {m} |");
    }
    let total: (usize, usize) = table.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("| all | | {} | {} |", total.0, total.1);
    println!("\nnot raised:");
    for m in &missed {
        println!("  {m}");
    }
    // Regression guard: the recall measured when this test was written (BENCHMARKS.md).
    let serious: (usize, usize) = table
        .iter()
        .filter(|((ty, _), _)| ty == "ERROR" || ty == "SECURITY_WARNING")
        .fold((0, 0), |a, (_, b)| (a.0 + b.0, a.1 + b.1));
    println!("\nERROR and SECURITY_WARNING: {} of {}", serious.1, serious.0);
    println!(
        "raised with another severity than Access Analyzer's: {}",
        severity_differs.len()
    );
    for d in &severity_differs {
        println!("  {d}");
    }
    assert!(
        severity_differs.is_empty(),
        "severities differ:\n{}",
        severity_differs.join("\n")
    );
    assert!(total.0 > 0, "no findings read");
    assert!(
        serious.1 * 100 >= serious.0 * MIN_SERIOUS_PERCENT,
        "recall of serious findings fell: {serious:?}"
    );
    assert!(total.1 * 100 >= total.0 * MIN_ALL_PERCENT, "recall fell: {total:?}");
}

/// Lower bounds (percent) under the recall measured when the test was written.
const MIN_SERIOUS_PERCENT: usize = 90;
const MIN_ALL_PERCENT: usize = 90;
