//! Bad input never panics: arbitrary text, and real policies with random bytes changed,
//! go through the policy parser, the request-document parser and evaluation without a
//! panic; every error names a position inside the text. The linter (every type, and the
//! template reader) goes through the same inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::{evaluate, parse_policy, NoFiles, PartialDocument, PolicyType, Source};
use proptest::prelude::*;

fn corpus_sample() -> Vec<String> {
    let root = common::repo_root().join("fixtures/corpus");
    ["bucket", "kms-key", "scp", "rcp", "trust", "vpce"]
        .iter()
        .flat_map(|d| common::json_files(&root.join(d)).into_iter().take(6))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// `lint` (every type, and inferred) and the template reader never panic, and every
/// finding lies inside the text.
fn check_lint(text: &str) {
    let src = Source::new("p.json", text);
    let mut reports = Vec::new();
    for ty in policy_core::LintPolicyType::ALL {
        reports.push(policy_core::lint(&src, Some(ty)));
    }
    reports.extend(policy_core::lint::embedded::lint_document(&src, None));
    reports.extend(policy_core::lint::embedded::lint_document(
        &Source::new("t.yaml", text),
        None,
    ));
    for r in &reports {
        for f in &r.findings {
            assert!(
                f.end as usize <= r.source().text().len() && f.start <= f.end && f.line >= 1,
                "{f:?}"
            );
            let _ = f.render(r.source());
        }
    }
}

fn check_policy(text: &str) {
    check_lint(text);
    for ty in PolicyType::ALL {
        let src = Source::new("p.json", text);
        match parse_policy(&src, ty) {
            Ok(p) => {
                // A parsed policy evaluates without panicking.
                let req = policy_core::Request::builder()
                    .principal(policy_core::Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
                    .action("s3:GetObject")
                    .resource("arn:aws:s3:::amzn-s3-demo-bucket/k")
                    .build()
                    .unwrap();
                let set = policy_core::PolicySet {
                    identity: vec![std::sync::Arc::new(p.policy)],
                    ..Default::default()
                };
                let _ = evaluate(&set, &req).decision();
            }
            Err(e) => {
                assert!(!e.diagnostics.is_empty());
                for d in &e.diagnostics {
                    let loc = d.location();
                    assert!(
                        loc.end as usize <= text.len() && loc.line >= 1 && loc.column >= 1,
                        "{d}"
                    );
                    let _ = d.render();
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_policy(&text);
        let src = Source::new("r.json", text.clone());
        let _ = PartialDocument::parse(&src, &mut NoFiles).and_then(|d| d.finish(&src));
    }

    #[test]
    fn json_shaped_text_never_panics(text in r#"[{}\[\]":,]{0,10}("(Version|Statement|Effect|Action|Resource|Principal|Condition|AWS|StringLike|Null|\$\{aws:username\}|\*)"[:,]?){0,12}[{}\[\]":,]{0,10}"#) {
        check_policy(&text);
    }

    #[test]
    fn mutated_real_policies_never_panic(idx in 0usize..36, pos in 0usize..4000, byte in 0u8..128) {
        let sample = corpus_sample();
        let text = &sample[idx % sample.len()];
        let mut bytes = text.clone().into_bytes();
        let p = pos % bytes.len();
        bytes[p] = byte;
        if let Ok(t) = String::from_utf8(bytes) {
            check_policy(&t);
        }
    }
}
