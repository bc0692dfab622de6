//! Every real policy in `fixtures/corpus/` (1,594 AWS managed policies and the policies
//! from AWS documentation and samples) parses without error as its type.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::{parse_policy, PolicyType, Source};

#[test]
fn every_corpus_policy_parses() {
    let root = common::repo_root().join("fixtures/corpus");
    let dirs = [
        ("managed", PolicyType::Identity, 1594),
        ("identity", PolicyType::Identity, 249),
        ("bucket", PolicyType::Resource, 75),
        ("kms-key", PolicyType::Resource, 68),
        ("trust", PolicyType::Resource, 26),
        ("resource-other", PolicyType::Resource, 10),
        ("scp", PolicyType::Scp, 69),
        ("rcp", PolicyType::Rcp, 29),
        ("vpce", PolicyType::VpcEndpoint, 10),
    ];
    let mut failures = Vec::new();
    let mut statements = 0usize;
    let mut warnings = 0usize;
    for (dir, ty, expected) in dirs {
        let files = common::json_files(&root.join(dir));
        assert_eq!(files.len(), expected, "files in {dir}");
        for f in files {
            let src = Source::new(common::rel(&f), std::fs::read_to_string(&f).unwrap());
            match parse_policy(&src, ty) {
                Ok(p) => {
                    statements += p.policy.statement_count();
                    // Documentation samples hold placeholders (`<action>`,
                    // `account-ARN`): warnings, never errors.
                    for w in p.warnings {
                        if !matches!(w.code, "invalid-action" | "unresolvable-principal") {
                            failures.push(format!("unexpected warning: {w}"));
                        }
                        warnings += 1;
                    }
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(warnings < 40, "{warnings} placeholder warnings");
    assert!(statements > 5000, "only {statements} statements parsed");
}
