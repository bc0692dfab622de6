//! `lint` over the whole corpus: no `Error` finding on any of the 1,594 AWS managed
//! policies (AWS accepted them all), and a census of the other findings, printed for
//! review (`cargo test -p policy-core --test lint_corpus -- --nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use policy_core::{lint, LintPolicyType, LintSeverity, Source};

fn census(
    dir: &str,
    ty: Option<LintPolicyType>,
) -> (usize, BTreeMap<(LintSeverity, &'static str), usize>, Vec<String>) {
    let root = common::repo_root().join("fixtures/corpus").join(dir);
    let mut counts = BTreeMap::new();
    let mut errors = Vec::new();
    let files = common::json_files(&root);
    for f in &files {
        let src = Source::new(common::rel(f), std::fs::read_to_string(f).unwrap());
        let report = lint(&src, ty);
        let show = std::env::var("LINT_SHOW").unwrap_or_default();
        for finding in &report.findings {
            if show == finding.code {
                println!("{}", finding.render(report.source()));
            }
            *counts.entry((finding.severity, finding.code)).or_insert(0) += 1;
            if finding.severity == LintSeverity::Error {
                errors.push(format!(
                    "{}:{}:{}: {} {}",
                    report.file, finding.line, finding.column, finding.code, finding.message
                ));
            }
        }
    }
    (files.len(), counts, errors)
}

#[test]
fn managed_policies_have_no_errors() {
    let (n, counts, errors) = census("managed", Some(LintPolicyType::Identity));
    assert_eq!(n, 1594);
    println!("managed ({n} files):");
    for ((sev, code), c) in &counts {
        println!("  {:>16} {code}: {c}", sev.as_str());
    }
    assert!(errors.is_empty(), "{} errors:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn documentation_corpus_census() {
    let dirs = [
        ("identity", Some(LintPolicyType::Identity)),
        ("bucket", Some(LintPolicyType::Resource)),
        ("kms-key", Some(LintPolicyType::Key)),
        ("trust", Some(LintPolicyType::Trust)),
        ("resource-other", Some(LintPolicyType::Resource)),
        ("scp", Some(LintPolicyType::Scp)),
        ("rcp", Some(LintPolicyType::Rcp)),
        ("vpce", Some(LintPolicyType::Endpoint)),
    ];
    for (dir, ty) in dirs {
        let (n, counts, errors) = census(dir, ty);
        assert!(n > 0, "{dir} is empty");
        println!("{dir} ({n} files):");
        for ((sev, code), c) in &counts {
            println!("  {:>16} {code}: {c}", sev.as_str());
        }
        for e in errors {
            println!("    {e}");
        }
    }
}
