//! Questions over an estate (`who-can`, `exposure`): the cases of
//! `fixtures/estates/questions/` (each citing its rule ids and AWS page) against the
//! example organization.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::analysis::{exposure, WhoCan, WhoCanQuery};
use policy_core::estate::Estate;
use policy_core::Context;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Case {
    description: String,
    rules: Vec<String>,
    source: String,
    estate: String,
    #[serde(default)]
    who_can: Option<WhoCanCase>,
    #[serde(default)]
    exposure: Option<ExposureCase>,
    expect: Expect,
}

/// `exposure`'s question: the request context every request carries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExposureCase {
    #[serde(default)]
    context: std::collections::BTreeMap<String, String>,
}

fn context_of(keys: &std::collections::BTreeMap<String, String>) -> Context {
    let mut context = Context::default();
    for (k, v) in keys {
        context.insert(k, vec![v.clone()]);
    }
    context
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhoCanCase {
    resource: String,
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    context: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// Results (who-can) or findings (exposure) that must be there: every member given
    /// must equal the result's.
    #[serde(default)]
    includes: Vec<serde_json::Map<String, Value>>,
    /// Ones that must not: no result matches every member given.
    #[serde(default)]
    excludes: Vec<serde_json::Map<String, Value>>,
}

fn matches(item: &Value, want: &serde_json::Map<String, Value>) -> bool {
    want.iter().all(|(k, v)| item.get(k) == Some(v))
}

#[test]
fn question_cases() {
    let dir = common::repo_root().join("fixtures/estates/questions");
    let files = common::json_files(&dir);
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in files {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!case.rules.is_empty() && !case.description.is_empty() && case.source.starts_with("https://"));
        assert!(
            !case.expect.includes.is_empty() || !case.expect.excludes.is_empty(),
            "{}: a case expects something",
            f.display()
        );
        let estate = Estate::load(
            &common::Folder(common::repo_root().join("fixtures/estates").join(&case.estate)),
            None,
        );
        let items: Vec<Value> = match (&case.who_can, &case.exposure) {
            (Some(w), None) => {
                let q = WhoCanQuery {
                    resource: w.resource.clone(),
                    actions: w.actions.clone(),
                    context: context_of(&w.context),
                };
                let answer = WhoCan::new(&estate, q).run();
                serde_json::to_value(&answer).unwrap()["results"]
                    .as_array()
                    .unwrap()
                    .clone()
            }
            (None, Some(x)) => {
                let rep = exposure(&estate, &context_of(&x.context));
                serde_json::to_value(&rep).unwrap()["findings"]
                    .as_array()
                    .unwrap()
                    .clone()
            }
            _ => panic!("{}: a case asks `whoCan` or `exposure`", f.display()),
        };
        for want in &case.expect.includes {
            if !items.iter().any(|i| matches(i, want)) {
                failures.push(format!(
                    "{}: no result has {}",
                    common::rel(&f),
                    Value::Object(want.clone())
                ));
            }
        }
        for not in &case.expect.excludes {
            if let Some(i) = items.iter().find(|i| matches(i, not)) {
                failures.push(format!("{}: unexpected {i}", common::rel(&f)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every who-can result made concrete (`WhoCan::witness_request`) is allowed by
/// concrete evaluation; with an SCP that denies the action in place of the
/// organization's (`WhoCan::replacing`), only those SCPs do not bind are.
#[test]
fn witness_requests_are_allowed_and_replacing_scps_restrict() {
    use policy_core::{evaluate, Decision, PolicySet, PolicyType, Source};
    let estate = Estate::load(
        &common::Folder(common::repo_root().join("fixtures/estates/example-org")),
        None,
    );
    let q = WhoCanQuery {
        resource: "arn:aws:s3:::payments-data-333333333333/reports/q1.csv".into(),
        actions: vec!["s3:GetObject".into(), "s3:DeleteObject".into()],
        context: Context::default(),
    };
    let wc = WhoCan::new(&estate, q.clone());
    let answer = wc.run();
    assert!(answer.results.len() >= 5, "{answer:?}");
    let mut resolver = estate.resolver();
    for r in &answer.results {
        let (resolved, req) = wc
            .witness_request(&mut resolver, r)
            .unwrap_or_else(|| panic!("no witness request for {} {}", r.principal, r.action));
        let ev = evaluate(resolved.policies(), &req);
        assert_eq!(ev.decision(), Decision::Allow, "{} {}", r.principal, r.action);
    }
    // An SCP that denies reading objects, in place of the organization's.
    let src = Source::new(
        "deny-get.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let scp = policy_core::parse_policy(&src, PolicyType::Scp).unwrap().policy;
    let set = PolicySet {
        scp: vec![vec![std::sync::Arc::new(scp)]],
        ..PolicySet::default()
    };
    let replaced = WhoCan::new(&estate, q).replacing(&set).run();
    let readers: Vec<&str> = replaced
        .results
        .iter()
        .filter(|r| r.action == "s3:GetObject")
        .map(|r| r.principal.as_str())
        .collect();
    // The management account is exempt from SCPs; a principal outside the organization
    // is not bound by them (S-EVAL-2).
    assert_eq!(
        readers,
        ["arn:aws:iam::111111111111:user/org-admin", "*"],
        "{replaced:?}"
    );
    assert!(answer.results.iter().any(|r| r.principal.ends_with("user/alice")));
    assert!(replaced.results.iter().any(|r| r.action == "s3:DeleteObject"));
}

/// The results that the unsigned pass no longer hides (`*` as any signed principal),
/// that a role's unknown `aws:userid` allows, and that a KMS grant allows (S-KMS-3),
/// made concrete, are allowed by concrete evaluation.
#[test]
fn witness_requests_of_grants_sessions_and_signed_principals_are_allowed() {
    use policy_core::{evaluate, Decision};
    let asks = [
        (
            "example-org",
            "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms:Decrypt",
            "arn:aws:iam::333333333333:role/partner-audit",
            "role",
        ),
        (
            "who-can-edges",
            "arn:aws:s3:::shared-666666666666/reports/q1.csv",
            "s3:GetObject",
            "*",
            "anyPrincipal",
        ),
        (
            "who-can-edges",
            "arn:aws:s3:::shared-666666666666/releases/v1.tar.gz",
            "s3:PutObject",
            "arn:aws:iam::666666666666:role/ci-deployer",
            "role",
        ),
    ];
    for (estate, resource, action, principal, kind) in asks {
        let estate = Estate::load(
            &common::Folder(common::repo_root().join("fixtures/estates").join(estate)),
            None,
        );
        let wc = WhoCan::new(
            &estate,
            WhoCanQuery {
                resource: resource.into(),
                actions: vec![action.into()],
                context: Context::default(),
            },
        );
        let answer = wc.run();
        let r = answer
            .results
            .iter()
            .find(|r| r.principal == principal && r.kind == kind)
            .unwrap_or_else(|| panic!("{principal} ({kind}) not listed: {answer:?}"));
        let mut resolver = estate.resolver();
        let (resolved, req) = wc.witness_request(&mut resolver, r).expect("a witness request");
        assert_eq!(
            evaluate(resolved.policies(), &req).decision(),
            Decision::Allow,
            "{principal} {action}"
        );
    }
}

/// principal-can answers a role for its sessions as who-can does: `aws:userid`
/// (`RoleId:session-name`) unknown, not absent, so the bucket policy's allow for the
/// role's `release-*` sessions is an `AllowIf`.
#[test]
fn principal_can_leaves_a_roles_userid_unknown() {
    use policy_core::analysis::{principal_can, PrincipalCanQuery};
    let estate = Estate::load(
        &common::Folder(common::repo_root().join("fixtures/estates/who-can-edges")),
        None,
    );
    let q = PrincipalCanQuery {
        principal: "arn:aws:iam::666666666666:role/ci-deployer".into(),
        services: vec!["s3".into()],
        context: Context::default(),
    };
    let answer = principal_can(&estate, &q, &mut estate.resolver());
    let put = answer
        .entries
        .iter()
        .find(|e| e.action == "s3:PutObject")
        .unwrap_or_else(|| panic!("no s3:PutObject: {answer:?}"));
    assert_eq!(
        put.description.as_deref(),
        Some("`aws:userid` matches `AROAEXAMPLECIDEPLOY1:release-*`"),
        "{put:?}"
    );
}
