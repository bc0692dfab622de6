//! Estates: the example organization (`fixtures/estates/example-org`) loads without a
//! warning and answers the cases of `fixtures/estates/cases/` (format in
//! `fixtures/estates/README.md`); the AWS CLI layout reader on real-shaped outputs
//! (paged and URL-encoded GAAD, policies as JSON strings, missing files).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use policy_core::estate::{Estate, EstateQuery, ManagedPolicies, MemorySource};
use policy_core::{
    evaluate_with, parse_policy, Context, Decision, EvalOptions, PolicySet, PolicyType, Response, Source,
};
use serde::Deserialize;

use common::Folder;

fn estates() -> PathBuf {
    common::repo_root().join("fixtures/estates")
}

fn load(name: &str) -> Estate {
    Estate::load(&Folder(estates().join(name)), None)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    source: String,
    #[serde(default)]
    rules: Vec<String>,
    estate: String,
    request: CaseRequest,
    expect: CaseExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CaseRequest {
    principal: String,
    action: String,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    session_tags: BTreeMap<String, String>,
    /// Identity-based policies of a principal the snapshot does not hold (they replace
    /// the estate's, as a batch line's `policies.identity` does).
    #[serde(default)]
    identity_policies: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CaseExpect {
    decision: Decision,
    deciding: Vec<String>,
    /// Derived context keys that must be present with exactly these values.
    #[serde(default)]
    derived: BTreeMap<String, Vec<String>>,
    /// Derived context keys that must be absent.
    #[serde(default)]
    not_derived: Vec<String>,
    /// Response label → the policy's name, for the policies the estate supplied.
    #[serde(default)]
    policies: BTreeMap<String, String>,
    /// Substrings, each of which some assumption must contain.
    #[serde(default)]
    assumptions: Vec<String>,
    /// Deciding label → `file:line:column` it must point at.
    #[serde(default)]
    locations: BTreeMap<String, String>,
}

fn values(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Array(a) => a.iter().flat_map(values).collect(),
        serde_json::Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

fn run_case(path: &Path, cache: &mut BTreeMap<String, Arc<Estate>>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case = serde_json::from_str(&text).map_err(|e| format!("bad case file: {e}"))?;
    if case.description.trim().is_empty() || !case.source.starts_with("https://docs.aws.amazon.com/") {
        return Err("a case needs a description and an AWS documentation source".into());
    }
    let _ = case.rules;
    let estate = cache
        .entry(case.estate.clone())
        .or_insert_with(|| Arc::new(load(&case.estate)))
        .clone();
    let mut context = Context::default();
    for (k, v) in &case.request.context {
        context.insert(k, values(v));
    }
    let q = EstateQuery {
        principal: case.request.principal.clone(),
        action: case.request.action.clone(),
        resource: case.request.resource.clone(),
        context,
        session_tags: case.request.session_tags.clone().into_iter().collect(),
        ..EstateQuery::default()
    };
    let mut r = estate.resolve(&q).map_err(|e| e.to_string())?;
    if !case.request.identity_policies.is_empty() {
        let mut given = PolicySet::default();
        for (i, p) in case.request.identity_policies.iter().enumerate() {
            let src = Source::new(format!("{}#identityPolicies[{i}]", common::rel(path)), p.to_string());
            given.identity.push(Arc::new(
                parse_policy(&src, PolicyType::Identity)
                    .map_err(|e| e.to_string())?
                    .policy,
            ));
        }
        r = r.with_policies(&given);
    }
    let ev = evaluate_with(r.policies(), r.request(), EvalOptions { near_misses: true });
    let mut resp = Response::new(&ev, r.policies(), r.request(), None);
    r.relocate(&estate, &mut resp);
    let info = r.info(&estate);
    let dump = || {
        format!(
            "{}\n{}",
            serde_json::to_string_pretty(&resp).unwrap(),
            serde_json::to_string_pretty(&info).unwrap()
        )
    };
    if resp.decision != case.expect.decision {
        return Err(format!(
            "decision {:?}, expected {:?}\n{}",
            resp.decision,
            case.expect.decision,
            dump()
        ));
    }
    let mut got: Vec<String> = resp.deciding.iter().map(|d| d.label.clone()).collect();
    let mut want = case.expect.deciding.clone();
    got.sort();
    want.sort();
    if got != want {
        return Err(format!("deciding {got:?}, expected {want:?}\n{}", dump()));
    }
    for (k, v) in &case.expect.derived {
        if info.derived_context.get(k) != Some(v) {
            return Err(format!(
                "derived `{k}`: {:?}, expected {v:?}\n{}",
                info.derived_context.get(k),
                dump()
            ));
        }
    }
    for k in &case.expect.not_derived {
        if info.derived_context.contains_key(k) {
            return Err(format!("`{k}` should not be derived\n{}", dump()));
        }
    }
    for (label, name) in &case.expect.policies {
        if !info.policies.iter().any(|p| &p.policy == label && &p.name == name) {
            return Err(format!("no policy {label} named {name}\n{}", dump()));
        }
    }
    for a in &case.expect.assumptions {
        if !info.assumptions.iter().any(|x| x.contains(a.as_str())) {
            return Err(format!("no assumption containing `{a}`\n{}", dump()));
        }
    }
    for (label, at) in &case.expect.locations {
        let d = resp
            .deciding
            .iter()
            .find(|d| &d.label == label)
            .ok_or(format!("no deciding {label}"))?;
        let got = format!(
            "{}:{}:{}",
            d.file.as_deref().unwrap_or("?"),
            d.line.unwrap_or(0),
            d.column.unwrap_or(0)
        );
        if &got != at {
            return Err(format!("{label} at {got}, expected {at}"));
        }
    }
    Ok(())
}

#[test]
fn example_org_loads_without_warnings() {
    let e = load("example-org");
    let s = e.summary();
    assert!(s.warnings.is_empty(), "{:#?}", s.warnings);
    assert_eq!(s.accounts, 4);
    assert_eq!(s.organizational_units, 3);
    assert_eq!((s.users, s.groups, s.roles), (4, 2, 7));
    assert_eq!(s.invalid_policies, 0);
    let kinds: Vec<(&str, usize)> = s.resources.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        kinds,
        [
            ("bucket", 1),
            ("function", 1),
            ("kmsKey", 2),
            ("queue", 1),
            ("secret", 1),
            ("topic", 1)
        ]
    );
    assert_eq!(s.vpc_endpoints, 1);
}

#[test]
fn estate_cases() {
    let dir = estates().join("cases");
    let mut files = common::json_files(&dir);
    files.sort();
    assert!(files.len() >= 10, "expected the estate cases in {}", dir.display());
    let mut cache = BTreeMap::new();
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_case(f, &mut cache) {
            failures.push(format!("{}: {e}", common::rel(f)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// `Resolved::evaluate` decides as `evaluate` does, before and after a pair's request
/// count builds its action index, also when a session policy replaces part of the
/// pair's policies (the index is then of the pair's set, not the one evaluated).
#[test]
fn resolved_evaluate_is_evaluate_with_or_without_the_index() {
    let e = load("example-org");
    let src = Source::new(
        "session.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#,
    );
    let session = parse_policy(&src, PolicyType::Session).unwrap().policy;
    let queries = [
        ("arn:aws:iam::333333333333:user/alice", "s3:GetObject", None),
        ("arn:aws:iam::333333333333:user/alice", "s3:PutObject", None),
        (
            "arn:aws:sts::333333333333:assumed-role/OrgAdmin/admin",
            "s3:GetObject",
            None,
        ),
        (
            "arn:aws:sts::333333333333:assumed-role/OrgAdmin/admin",
            "s3:GetObject",
            Some(Arc::new(session)),
        ),
    ];
    let mut resolver = e.resolver();
    let json = |ev: &policy_core::Evaluation<'_>, r: &policy_core::estate::Resolved| {
        serde_json::to_string(&Response::new(ev, r.policies(), r.request(), None)).unwrap()
    };
    let mut seen = std::collections::BTreeSet::new();
    // Past the count after which each pair's index is built.
    for i in 0..1100 {
        for (principal, action, session_policy) in &queries {
            let q = EstateQuery {
                principal: (*principal).into(),
                action: (*action).into(),
                resource: Some("arn:aws:s3:::payments-data-333333333333/reports/q1.csv".into()),
                session_policy: session_policy.clone(),
                ..EstateQuery::default()
            };
            let r = resolver.resolve(&q).unwrap();
            let plain = evaluate_with(r.policies(), r.request(), EvalOptions::default());
            let got = json(&r.evaluate(), &r);
            assert_eq!(got, json(&plain, &r), "request {i}: {principal} {action}");
            seen.insert(format!("{:?}", plain.decision()));
        }
    }
    // The requests are decided differently (a test of the policies used, not only of
    // one answer).
    assert!(seen.len() >= 2, "{seen:?}");
}

// ---------------------------------------------------------------- the reader on CLI outputs

const ACCT: &str = "accounts/123456789012";

fn gaad_user(policy_document: &str) -> String {
    format!(
        r#"{{"UserDetailList": [{{"Path": "/", "UserName": "u", "UserId": "AIDAU", "Arn": "arn:aws:iam::123456789012:user/u",
            "GroupList": [], "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {policy_document}}}],
            "AttachedManagedPolicies": [{{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}}]}}],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": false}}"#
    )
}

fn decide(e: &Estate, principal: &str, action: &str, resource: &str) -> (Decision, Response) {
    let q = EstateQuery {
        principal: principal.into(),
        action: action.into(),
        resource: Some(resource.into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    let ev = evaluate_with(r.policies(), r.request(), EvalOptions::default());
    let mut resp = Response::new(&ev, r.policies(), r.request(), None);
    r.relocate(e, &mut resp);
    (resp.decision, resp)
}

/// The API and SDKs return GAAD's documents URL-encoded (RFC 3986); the deciding
/// statement points into the encoded string in the file.
#[test]
fn url_encoded_gaad_document() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let encoded: String = doc
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut m = MemorySource::new();
    let gaad = gaad_user(&format!("\"{encoded}\""));
    m.insert(
        format!("{ACCT}/iam/get-account-authorization-details.json"),
        gaad.clone(),
    );
    let e = Estate::load(&m, None);
    assert!(
        e.warnings().iter().all(|w| w.code == "unknown-managed-policy"),
        "{:?}",
        e.warnings()
    );
    let (d, resp) = decide(
        &e,
        "arn:aws:iam::123456789012:user/u",
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:123456789012:q",
    );
    assert_eq!(d, Decision::Allow);
    let item = &resp.deciding[0];
    assert_eq!(
        item.path.as_deref(),
        Some("UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0]")
    );
    // The statement's `%7B` in the string.
    let at = gaad.find("%5B%7B").unwrap() + "%5B".len();
    let line = gaad[..at].matches('\n').count() + 1;
    let col = at - gaad[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    assert_eq!((item.line, item.column), (Some(line as u32), Some(col as u32)));
    // The unknown AWS managed policy is a warning naming it.
    assert!(e
        .warnings()
        .iter()
        .any(|w| w.code == "unknown-managed-policy"
            && w.message.contains("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")));
}

/// The AWS managed policy the snapshot lacks is filled in from a folder of documents.
#[test]
fn aws_managed_policy_filled_in() {
    let mut m = MemorySource::new();
    m.insert(
        format!("{ACCT}/iam/get-account-authorization-details.json"),
        gaad_user(r#"{"Version":"2012-10-17","Statement":[]}"#),
    );
    let managed = Folder(common::repo_root().join("fixtures/corpus/managed"));
    let e = Estate::load(&m, Some(&ManagedPolicies { source: &managed }));
    assert!(
        e.warnings().iter().any(|w| w.code == "filled-in-managed-policy"),
        "{:?}",
        e.warnings()
    );
    let (d, _) = decide(
        &e,
        "arn:aws:iam::123456789012:user/u",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
    );
    assert_eq!(d, Decision::Allow);
}

/// Pages one after another (API responses appended) and a last page still truncated.
#[test]
fn paged_gaad() {
    let page1 = r#"{"UserDetailList": [], "RoleDetailList": [{"Path": "/", "RoleName": "r1", "RoleId": "AROA1", "Arn": "arn:aws:iam::123456789012:role/r1",
        "AssumeRolePolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]},
        "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "m", "PolicyArn": "arn:aws:iam::123456789012:policy/m"}]}],
        "GroupDetailList": [], "Policies": [], "IsTruncated": true, "Marker": "abc"}"#;
    let page2 = r#"{"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [], "Policies": [{"PolicyName": "m", "Arn": "arn:aws:iam::123456789012:policy/m",
        "DefaultVersionId": "v2", "PolicyVersionList": [
          {"Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}, "VersionId": "v1", "IsDefaultVersion": false},
          {"Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}, "VersionId": "v2", "IsDefaultVersion": true}]}],
        "IsTruncated": true, "Marker": "def"}"#;
    let mut m = MemorySource::new();
    m.insert(
        format!("{ACCT}/iam/get-account-authorization-details.json"),
        format!("{page1}\n{page2}\n"),
    );
    let e = Estate::load(&m, None);
    assert!(e.warnings().iter().any(|w| w.code == "truncated"), "{:?}", e.warnings());
    let role = "arn:aws:sts::123456789012:assumed-role/r1/s";
    // Only the default version applies: v2 allows ListBucket, not GetObject.
    assert_eq!(decide(&e, role, "s3:ListBucket", "arn:aws:s3:::b").0, Decision::Allow);
    let (d, resp) = decide(&e, role, "s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(d, Decision::ImplicitDeny, "{resp:?}");
    let (_, resp) = decide(&e, role, "s3:ListBucket", "arn:aws:s3:::b");
    assert_eq!(
        resp.deciding[0].path.as_deref(),
        Some("[1].Policies[0].PolicyVersionList[1].Document.Statement[0]")
    );
}

/// A broken file is a warning with file, line and column; the rest loads.
#[test]
fn broken_files_are_warnings() {
    let mut m = MemorySource::new();
    m.insert(
        format!("{ACCT}/iam/get-account-authorization-details.json"),
        gaad_user(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        ),
    );
    m.insert(
        format!("{ACCT}/s3/b/get-bucket-policy.json"),
        "{\"Policy\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": \\\"Alow\\\"}]}\"}",
    );
    m.insert(format!("{ACCT}/s3/c/get-bucket-policy.json"), "{\"Policy\": 42}");
    m.insert(
        format!("{ACCT}/sqs/us-east-1/q/get-queue-attributes.json"),
        "{\"Attributes\": ",
    );
    m.insert(
        format!("{ACCT}/sqs/us-east-1/q2/get-queue-attributes.json"),
        "{\"Attributes\": []}",
    );
    let e = Estate::load(&m, None);
    let w = |code: &str| {
        e.warnings()
            .iter()
            .filter(|w| w.code == code)
            .cloned()
            .collect::<Vec<_>>()
    };
    let invalid = w("invalid-policy");
    assert_eq!(invalid.len(), 2, "{:?}", e.warnings());
    assert_eq!(invalid[0].file, format!("{ACCT}/s3/b/get-bucket-policy.json"));
    assert_eq!(invalid[0].line, Some(1));
    assert_eq!(invalid[0].path, "Policy.Statement[0].Action", "{:?}", invalid[0]);
    assert!(
        invalid[1].message.contains("expected a policy document"),
        "{:?}",
        invalid[1]
    );
    let shape = w("unexpected-shape");
    assert_eq!(shape.len(), 1, "{:?}", e.warnings());
    assert_eq!(shape[0].path, "Attributes");
    let json = w("invalid-json");
    assert_eq!(json.len(), 1, "{:?}", e.warnings());
    assert!(json[0].file.ends_with("q/get-queue-attributes.json"));
    // The user still decides.
    assert_eq!(
        decide(
            &e,
            "arn:aws:iam::123456789012:user/u",
            "s3:GetObject",
            "arn:aws:s3:::x/k"
        )
        .0,
        Decision::Allow
    );
    // The bucket whose policy does not parse is evaluated without it, and says so.
    let q = EstateQuery {
        principal: "arn:aws:iam::123456789012:user/u".into(),
        action: "s3:GetObject".into(),
        resource: Some("arn:aws:s3:::b/k".into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    assert!(r
        .assumptions()
        .any(|a| a.contains("bucket policy of `b` could not be read")));
}

/// A principal or resource the snapshot does not hold is evaluated, and the response
/// says so.
#[test]
fn missing_principal_and_resource() {
    let e = load("example-org");
    let q = EstateQuery {
        principal: "arn:aws:iam::777777777777:role/elsewhere".into(),
        action: "s3:GetObject".into(),
        resource: Some("arn:aws:s3:::not-collected/k".into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    let notes: Vec<&str> = r.assumptions().collect();
    assert!(notes.iter().any(|n| n.contains("is not in the snapshot")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`arn:aws:s3:::not-collected/k` is not in the snapshot")),
        "{notes:?}"
    );
    assert!(r.policies().identity.is_empty() && r.policies().resource.is_none());
}

/// A permissions boundary the snapshot names but does not hold allows nothing
/// (fail-closed): the user's own allow does not count, and the response says why.
#[test]
fn missing_boundary_fails_closed() {
    let gaad = r#"{"UserDetailList": [{"Path": "/", "UserName": "u", "UserId": "AIDAU", "Arn": "arn:aws:iam::123456789012:user/u",
        "GroupList": [], "AttachedManagedPolicies": [],
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}],
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/gone"}}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
    let mut m = MemorySource::new();
    m.insert(format!("{ACCT}/iam/get-account-authorization-details.json"), gaad);
    let e = Estate::load(&m, None);
    assert!(e
        .warnings()
        .iter()
        .any(|w| w.code == "missing-policy" && w.message.contains("policy/gone")));
    let q = EstateQuery {
        principal: "arn:aws:iam::123456789012:user/u".into(),
        action: "s3:GetObject".into(),
        resource: Some("arn:aws:s3:::b/k".into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    assert_eq!(
        evaluate_with(r.policies(), r.request(), EvalOptions::default()).decision(),
        Decision::ImplicitDeny
    );
    assert!(r.assumptions().any(|a| a.contains("taken as allowing nothing")));
}

// ---------------------------------------------------------------- the iam-collect layout

/// What decided a request, independent of the layout: the decision, and each deciding
/// statement as its policy's name with its effect and Sid (statement order differs: the
/// collector sorts arrays), and the derived context.
fn outcome(e: &Estate, q: &EstateQuery) -> (Decision, Vec<String>, BTreeMap<String, Vec<String>>) {
    let r = e.resolve(q).unwrap();
    let ev = evaluate_with(r.policies(), r.request(), EvalOptions::default());
    let resp = Response::new(&ev, r.policies(), r.request(), None);
    let info = r.info(e);
    let mut deciding: Vec<String> = resp
        .deciding
        .iter()
        .map(|d| {
            let policy = d.label.split(".Statement").next().unwrap_or(&d.label);
            let name = info
                .policies
                .iter()
                .find(|p| p.policy == policy)
                .map_or(policy, |p| p.name.as_str());
            format!("{name}: {:?} {:?}", d.effect, d.sid)
        })
        .collect();
    deciding.sort();
    deciding.dedup();
    (resp.decision, deciding, info.derived_context)
}

/// The example organization as iam-collect stores it (`fixtures/estates/
/// example-org-iam-collect`, written by `scripts/cli-to-iam-collect.py` the way the
/// collector writes each file) loads as the same estate, and decides every request of a
/// grid (every principal × every resource × actions of its kind, and the estate cases'
/// requests) as the AWS CLI snapshot does: same decision, same deciding statements,
/// same derived context. The collector gathers no KMS grants or aliases: requests that
/// need them are the listed exceptions, and there the iam-collect estate never allows
/// more.
#[test]
fn iam_collect_store_decides_as_the_cli_snapshot() {
    use policy_core::estate::Layout;
    let cli_src = Folder(estates().join("example-org"));
    let ic_src = Folder(estates().join("example-org-iam-collect"));
    assert_eq!(Layout::detect(&cli_src), Some(Layout::AwsCli));
    assert_eq!(Layout::detect(&ic_src), Some(Layout::IamCollect));
    let cli = Estate::load(&cli_src, None);
    let ic = Estate::load(&ic_src, None);
    let (mut a, mut b) = (cli.summary(), ic.summary());
    assert!(b.warnings.is_empty(), "{:#?}", b.warnings);
    a.warnings.clear();
    b.warnings.clear();
    assert_eq!(a, b);

    let mut queries: Vec<EstateQuery> = Vec::new();
    let actions = |kind: &str| -> &[&str] {
        match kind {
            "bucket" => &["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
            "kmsKey" => &["kms:Decrypt", "kms:Encrypt", "kms:ScheduleKeyDeletion"],
            "queue" => &["sqs:SendMessage", "sqs:ReceiveMessage"],
            "topic" => &["sns:Publish"],
            "function" => &["lambda:InvokeFunction"],
            "secret" => &["secretsmanager:GetSecretValue"],
            _ => &[],
        }
    };
    let principals: Vec<String> = cli.principal_arns().map(|(a, _)| a.to_string()).collect();
    let resources: Vec<(String, String)> = cli
        .resource_arns()
        .map(|(a, k)| (a.to_string(), k.name().to_string()))
        .collect();
    for p in &principals {
        for (arn, kind) in &resources {
            for action in actions(kind) {
                let resource = if kind == "bucket" && *action != "s3:ListBucket" {
                    format!("{arn}/reports/q1.csv")
                } else {
                    arn.clone()
                };
                let mut context = Context::default();
                context.insert("aws:RequestedRegion", vec!["us-east-1".to_string()]);
                queries.push(EstateQuery {
                    principal: p.clone(),
                    action: action.to_string(),
                    resource: Some(resource),
                    context,
                    ..EstateQuery::default()
                });
            }
        }
        for role in principals.iter().filter(|r| r.contains(":role/")) {
            queries.push(EstateQuery {
                principal: p.clone(),
                action: "sts:AssumeRole".into(),
                resource: Some(role.clone()),
                ..EstateQuery::default()
            });
        }
        queries.push(EstateQuery {
            principal: p.clone(),
            action: "organizations:LeaveOrganization".into(),
            resource: None,
            ..EstateQuery::default()
        });
    }
    for f in common::json_files(&estates().join("cases")) {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if !case.request.identity_policies.is_empty() || case.estate != "example-org" {
            continue;
        }
        let mut context = Context::default();
        for (k, v) in &case.request.context {
            context.insert(k, values(v));
        }
        queries.push(EstateQuery {
            principal: case.request.principal.clone(),
            action: case.request.action.clone(),
            resource: case.request.resource.clone(),
            context,
            session_tags: case.request.session_tags.clone().into_iter().collect(),
            ..EstateQuery::default()
        });
    }
    assert!(queries.len() > 250, "{}", queries.len());
    let (mut same, mut exceptions) = (0, Vec::new());
    let mut decisions: BTreeMap<String, usize> = BTreeMap::new();
    for q in &queries {
        let (d1, s1, c1) = outcome(&cli, q);
        let (d2, s2, c2) = outcome(&ic, q);
        *decisions.entry(format!("{d1:?}")).or_default() += 1;
        if (d1, &s1, &c1) == (d2, &s2, &c2) {
            same += 1;
            continue;
        }
        let what = format!("{} {} {:?}", q.principal, q.action, q.resource);
        // What the collector does not gather: KMS grants, and aliases.
        let grant = s1.iter().any(|s| s.starts_with("kmsGrants"));
        let alias = q.resource.as_deref().is_some_and(|r| r.contains(":alias/"));
        assert!(
            grant || alias,
            "{what}: the layouts disagree\naws-cli: {d1:?} {s1:?} {c1:?}\niam-collect: {d2:?} {s2:?} {c2:?}"
        );
        assert_ne!(d2, Decision::Allow, "{what}: the iam-collect estate allows more");
        exceptions.push(what);
    }
    // The grid is not one-sided: it has allows, explicit denies and implicit denies.
    assert!(
        decisions.values().all(|n| *n >= 10) && decisions.len() == 3,
        "{decisions:?}"
    );
    assert!(exceptions.len() <= 3, "{exceptions:#?}");
    assert!(same >= queries.len() - 3);
}

/// The iam-collect reader on stores shaped as the collector writes them: the store's
/// root, the `aws/` folder or one partition's folder; folder names lower-cased and
/// URL-encoded (names come from `metadata.json`); a user's group that the store lacks
/// (the collector writes `null`); the tree from `structure.json` when `ous.json` is
/// missing; a second organization and a resource without `arn` are warnings; a deciding
/// statement points into `inline-policies.json`.
#[test]
fn iam_collect_reader_details() {
    use policy_core::estate::{Layout, SnapshotSource};
    let p = "aws/aws";
    let a = format!("{p}/accounts/123456789012");
    let mut m = MemorySource::new();
    m.insert(
        format!("{a}/iam/role/ci%2fbuild-deploy/metadata.json"),
        r#"{"arn": "arn:aws:iam::123456789012:role/ci/Build-Deploy", "id": "AROAEXAMPLE", "name": "Build-Deploy", "path": "/ci/"}"#,
    );
    m.insert(
        format!("{a}/iam/role/ci%2fbuild-deploy/inline-policies.json"),
        "[\n  {\n    \"PolicyDocument\": {\n      \"Version\": \"2012-10-17\",\n      \"Statement\": [\n        {\n          \"Sid\": \"Put\",\n          \"Effect\": \"Allow\",\n          \"Action\": \"s3:PutObject\",\n          \"Resource\": \"*\"\n        }\n      ]\n    },\n    \"PolicyName\": \"deploy\"\n  }\n]",
    );
    m.insert(
        format!("{a}/iam/user/alice/metadata.json"),
        r#"{"arn": "arn:aws:iam::123456789012:user/alice", "id": "AIDAEXAMPLE", "name": "alice"}"#,
    );
    m.insert(
        format!("{a}/iam/user/alice/groups.json"),
        r#"[null, "arn:aws:iam::123456789012:group/admins"]"#,
    );
    m.insert(
        format!("{a}/sqs/us-east-1/orders/metadata.json"),
        r#"{"name": "orders"}"#,
    );
    m.insert(
        format!("{p}/organizations/o-aaaaaaaaaa/structure.json"),
        r#"{"r-ab12": {"children": {"ou-ab12-1": {"accounts": ["arn:aws:organizations::111111111111:account/o-aaaaaaaaaa/123456789012"]}}, "accounts": []}}"#,
    );
    m.insert(
        format!("{p}/organizations/o-aaaaaaaaaa/metadata.json"),
        r#"{"id": "o-aaaaaaaaaa", "rootAccountId": "111111111111", "rootOu": "r-ab12", "features": {"SERVICE_CONTROL_POLICY": true}}"#,
    );
    m.insert(
        format!("{p}/organizations/o-bbbbbbbbbb/metadata.json"),
        r#"{"id": "o-bbbbbbbbbb"}"#,
    );
    assert_eq!(Layout::detect(&m), Some(Layout::IamCollect));
    let e = Estate::load(&m, None);
    let s = e.summary();
    assert_eq!((s.users, s.roles, s.organizational_units), (1, 1, 1));
    assert_eq!(s.organization.as_deref(), Some("o-aaaaaaaaaa"));
    let codes: Vec<&str> = s.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&"unexpected-shape"), "{:#?}", s.warnings);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.message.contains("more than one organization")));
    assert!(s
        .warnings
        .iter()
        .any(|w| w.file.ends_with("sqs/us-east-1/orders/metadata.json")));
    let role = "arn:aws:iam::123456789012:role/ci/Build-Deploy";
    assert!(e.principal_arns().any(|(arn, _)| arn == role));

    // A session of the role (named without its path) is found; its statement is located.
    let q = EstateQuery {
        principal: "arn:aws:sts::123456789012:assumed-role/Build-Deploy/s".into(),
        action: "s3:PutObject".into(),
        resource: Some("arn:aws:s3:::b/k".into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    let ev = evaluate_with(r.policies(), r.request(), EvalOptions::default());
    let resp = Response::new(&ev, r.policies(), r.request(), None);
    // The SCP levels are not in `structure.json`: each allows nothing (fail-closed,
    // S-EST-1), and said so, and a warning names each level.
    assert_eq!(resp.decision, Decision::ImplicitDeny, "{resp:#?}");
    assert!(r
        .assumptions()
        .any(|a| a.contains("`r-ab12` are not in the snapshot") && a.contains("allow nothing")));
    let levels: Vec<&str> = s
        .warnings
        .iter()
        .filter(|w| w.code == "missing-level")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(levels.len(), 3, "{levels:#?}");
    assert!(levels.iter().any(|m| m.contains("SCPs attached to `ou-ab12-1`")));
    // With the levels known (`FullAWSAccess` on each, RCPs not enabled), the role's own
    // allow decides; the statement is located.
    m.insert(
        format!("{p}/organizations/o-aaaaaaaaaa/ous.json"),
        r#"{"r-ab12": {"scps": ["arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"]},
            "ou-ab12-1": {"parent": "r-ab12", "scps": ["arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"]}}"#,
    );
    m.insert(
        format!("{p}/organizations/o-aaaaaaaaaa/accounts.json"),
        r#"{"123456789012": {"ou": "ou-ab12-1", "scps": ["arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"]}}"#,
    );
    let e2 = Estate::load(&m, None);
    let r = e2.resolve(&q).unwrap();
    let ev = evaluate_with(r.policies(), r.request(), EvalOptions::default());
    let mut resp = Response::new(&ev, r.policies(), r.request(), None);
    r.relocate(&e2, &mut resp);
    assert_eq!(resp.decision, Decision::Allow, "{resp:#?}");
    let d = &resp.deciding[0];
    assert_eq!(d.sid.as_deref(), Some("Put"));
    assert!(d
        .file
        .as_deref()
        .unwrap()
        .ends_with("ci%2fbuild-deploy/inline-policies.json"));
    assert_eq!((d.line, d.column), (Some(6), Some(9)));
    assert_eq!(d.path.as_deref(), Some("[0].PolicyDocument.Statement[0]"));
    assert_eq!(
        r.info(&e).derived_context.get("aws:PrincipalOrgPaths"),
        Some(&vec!["o-aaaaaaaaaa/r-ab12/ou-ab12-1/".to_string()])
    );

    // The user's group the store lacks: named, not silently dropped.
    let q = EstateQuery {
        principal: "arn:aws:iam::123456789012:user/alice".into(),
        action: "s3:GetObject".into(),
        resource: Some("arn:aws:s3:::b/k".into()),
        ..EstateQuery::default()
    };
    let r = e.resolve(&q).unwrap();
    assert!(
        r.assumptions().any(|a| a.contains("admins")),
        "{:?}",
        r.assumptions().collect::<Vec<_>>()
    );

    // The same store seen from its `aws/` folder, and from the partition's folder.
    for prefix in ["aws/", "aws/aws/"] {
        let mut sub = MemorySource::new();
        for path in [
            format!("{a}/iam/user/alice/metadata.json"),
            format!("{a}/iam/role/ci%2fbuild-deploy/metadata.json"),
        ] {
            sub.insert(path.strip_prefix(prefix).unwrap(), m.read(&path).unwrap().unwrap());
        }
        assert_eq!(Layout::detect(&sub), Some(Layout::IamCollect), "{prefix}");
        assert_eq!(Estate::load(&sub, None).summary().roles, 1, "{prefix}");
    }
    assert_eq!(Layout::detect(&MemorySource::new()), None);
}
