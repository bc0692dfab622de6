//! Partial evaluation (issue 10): each case leaves some condition keys unknown and pins
//! the decision and the residual condition in words, for each operator family, a
//! `Deny`'s conditions negated, SCP levels, a permissions boundary, policy variables in
//! conditions and resources; every `AllowIf` carries a witness that concrete evaluation
//! allows. `tests/properties.rs` ties residuals to concrete evaluation on random
//! estates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use policy_core::analysis::{evaluate_partial, PartialDecision, PartialOptions};
use policy_core::{evaluate, parse_policy, Decision, PolicySet, PolicyType, Principal, Request, Source};
use serde_json::{json, Value};

fn policy(ty: PolicyType, v: Value) -> Arc<policy_core::Policy> {
    let src = Source::new("p.json", v.to_string());
    Arc::new(parse_policy(&src, ty).unwrap().policy)
}

fn allow(action: &str, condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}]})
}

fn request(principal: &str, action: &str, resource: &str, context: &[(&str, &str)]) -> Request {
    let mut b = Request::builder()
        .principal(Principal::parse(principal).unwrap())
        .action(action)
        .resource(resource);
    for (k, v) in context {
        b = b.context_value(k, vec![v.to_string()]);
    }
    b.build().unwrap()
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BUCKET: &str = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv";

/// Partial decision and residual words; for an `AllowIf`, checks the witness.
fn partial(set: &PolicySet, req: &Request) -> (PartialDecision, Option<String>) {
    let pe = evaluate_partial(set, req, &PartialOptions::default());
    if pe.decision() == PartialDecision::AllowIf {
        let w = pe.witness().expect("a witness");
        let mut with = Request::builder()
            .principal(req.principal().clone())
            .action(req.action().as_str())
            .resource(req.resource());
        for (k, v) in req.context().iter() {
            if !req.derived_keys().iter().any(|d| d.eq_ignore_ascii_case(k)) {
                with = with.context_value(k, v.to_vec());
            }
        }
        for (k, v) in w {
            if let Some(v) = v {
                with = with.context_value(k, vec![v.clone()]);
            }
        }
        let with = with.build().unwrap();
        assert_eq!(evaluate(set, &with).decision(), Decision::Allow, "witness {w:?}");
        assert!(pe.holds(&with));
    }
    (pe.decision(), pe.residual(req).map(|r| r.describe()))
}

fn identity_only(v: Value) -> PolicySet {
    PolicySet {
        identity: vec![policy(PolicyType::Identity, v)],
        ..PolicySet::default()
    }
}

#[test]
fn known_keys_decide_as_concrete_evaluation() {
    let set = identity_only(allow("s3:GetObject", json!({"Bool": {"aws:SecureTransport": "true"}})));
    let given = request(ALICE, "s3:GetObject", BUCKET, &[("aws:SecureTransport", "true")]);
    assert_eq!(partial(&set, &given), (PartialDecision::Allow, None));
    let given = request(ALICE, "s3:GetObject", BUCKET, &[("aws:SecureTransport", "false")]);
    assert_eq!(partial(&set, &given), (PartialDecision::ImplicitDeny, None));
    // Derived keys (aws:username for a user) are known.
    let set = identity_only(allow("s3:GetObject", json!({"StringEquals": {"aws:username": "bob"}})));
    assert_eq!(
        partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[])),
        (PartialDecision::ImplicitDeny, None)
    );
}

#[test]
fn each_operator_family_becomes_a_leaf() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            "`aws:SourceVpce` is `vpce-1a2b3c4d`",
        ),
        (
            json!({"StringLike": {"s3:prefix": ["home/*", "shared/*"]}}),
            "`s3:prefix` matches one of `home/*`, `shared/*`",
        ),
        (
            json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
            "`NumericLessThan` `aws:MultiFactorAuthAge` `3600`",
        ),
        (
            json!({"DateGreaterThan": {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}}),
            "`DateGreaterThan` `aws:TokenIssueTime` `2026-01-01T00:00:00Z`",
        ),
        (
            json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            "`aws:MultiFactorAuthPresent` is `true`",
        ),
        (
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            "`aws:SourceIp` is in `203.0.113.0/24`",
        ),
        (
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}),
            "`aws:SourceArn` matches `arn:aws:sns:*:111122223333:*`",
        ),
        (
            json!({"Null": {"aws:TokenIssueTime": "false"}}),
            "`aws:TokenIssueTime` is present",
        ),
        (
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}),
            "`ForAnyValue:StringEquals` `aws:TagKeys` `team`",
        ),
    ];
    for (cond, words) in cases {
        let set = identity_only(allow("s3:GetObject", cond.clone()));
        let got = partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[]));
        assert_eq!(got, (PartialDecision::AllowIf, Some(words.to_string())), "{cond}");
    }
}

#[test]
fn a_denys_conditions_are_negated() {
    // The AWS "deny requests not over TLS" bucket statement, with an identity allow.
    let mut set = identity_only(allow("s3:GetObject", json!({})));
    set.resource = Some(policy(
        PolicyType::Resource,
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "RestrictToTLSRequestsOnly", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
    ));
    let got = partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[]));
    // `Bool` has no exact negation (a missing key makes the Deny not apply).
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("not (`aws:SecureTransport` is `false`)".to_string())
        )
    );
    // A data perimeter: deny when the principal is outside the organization.
    set.resource = Some(policy(
        PolicyType::Resource,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}),
    ));
    let got = partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[]));
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("`aws:PrincipalOrgID` is `o-a1b2c3d4e5`".to_string())
        )
    );
    // An unconditional Deny: whatever the keys hold.
    set.resource = Some(policy(
        PolicyType::Resource,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
    ));
    assert_eq!(
        partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[])),
        (PartialDecision::ExplicitDeny, None)
    );
}

#[test]
fn contradictions_are_denies_not_allow_ifs() {
    let set = identity_only(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-2"}}}]}));
    assert_eq!(
        partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[])),
        (PartialDecision::ImplicitDeny, None),
        "vpce-1 is needed to allow and anything but vpce-2 is denied"
    );
}

#[test]
fn scp_levels_boundary_and_identity_all_contribute() {
    let set = PolicySet {
        identity: vec![policy(
            PolicyType::Identity,
            allow(
                "ec2:RunInstances",
                json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}),
            ),
        )],
        permissions_boundary: Some(policy(
            PolicyType::PermissionsBoundary,
            allow("ec2:*", json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        )),
        scp: vec![
            vec![policy(
                PolicyType::Scp,
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            )],
            vec![policy(
                PolicyType::Scp,
                json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}),
            )],
        ],
        ..PolicySet::default()
    };
    let got = partial(
        &set,
        &request(
            ALICE,
            "ec2:RunInstances",
            "arn:aws:ec2:eu-west-1:111122223333:instance/*",
            &[],
        ),
    );
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("`aws:RequestedRegion` is one of `eu-west-1`, `eu-central-1` and `aws:MultiFactorAuthPresent` is `true` and `aws:RequestedRegion` is `eu-west-1`".to_string())
        )
    );
}

#[test]
fn either_side_of_a_same_account_request() {
    // Same account: the bucket policy naming the user, or the identity policy.
    let set = PolicySet {
        identity: vec![policy(
            PolicyType::Identity,
            allow("s3:GetObject", json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        )],
        resource: Some(policy(
            PolicyType::Resource,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}),
        )),
        ..PolicySet::default()
    };
    let got = partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[]));
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("`aws:SourceIp` is in `203.0.113.0/24` or `aws:SourceVpce` is `vpce-1a2b3c4d`".to_string())
        )
    );
}

#[test]
fn policy_variables_in_conditions_and_resources() {
    // ABAC: the principal's tag must equal the resource's tag; both unknown here.
    let set = identity_only(allow(
        "s3:GetObject",
        json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
    ));
    let got = partial(&set, &request(ALICE, "s3:GetObject", BUCKET, &[]));
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("`aws:ResourceTag/team` equals `aws:PrincipalTag/team`".to_string())
        )
    );
    // The principal's tag known: the residual reads only the resource's.
    let got = partial(
        &set,
        &request(ALICE, "s3:GetObject", BUCKET, &[("aws:PrincipalTag/team", "data")]),
    );
    assert_eq!(got.0, PartialDecision::AllowIf);
    // A resource pattern with a variable that reads an unknown key.
    let set = identity_only(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:PrincipalTag/project}/*"}]}),
    );
    let got = partial(
        &set,
        &request(
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::amzn-s3-demo-bucket/home/atlas/plan.txt",
            &[],
        ),
    );
    assert_eq!(
        got,
        (
            PartialDecision::AllowIf,
            Some("the resource `arn:aws:s3:::amzn-s3-demo-bucket/home/atlas/plan.txt` matches `arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:PrincipalTag/project}/*`".to_string())
        )
    );
    // …which can never match another prefix, whatever the tag holds.
    let got = partial(
        &set,
        &request(
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::amzn-s3-demo-bucket/public/readme.txt",
            &[],
        ),
    );
    assert_eq!(got, (PartialDecision::ImplicitDeny, None));
}

#[test]
fn known_absent_keys_are_absent() {
    let set = identity_only(allow(
        "s3:GetObject",
        json!({"StringEquals": {"aws:PrincipalTag/team": "data"}}),
    ));
    let req = request(ALICE, "s3:GetObject", BUCKET, &[]);
    let opts = PartialOptions {
        known_absent: vec!["aws:principaltag/*".into()],
    };
    assert_eq!(
        evaluate_partial(&set, &req, &opts).decision(),
        PartialDecision::ImplicitDeny
    );
}

/// S-VAR-6 in partial evaluation: a `NotResource` pattern whose variable reads an
/// unknown key is indeterminate while the key is absent (or has several values), so an
/// `Allow` hinging on it needs the key present, and a `Deny` hinging on it applies.
#[test]
fn not_resource_with_an_unknown_variable_is_indeterminate_when_absent() {
    let role = "arn:aws:iam::111122223333:role/app";
    let allow_all =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    // An `Allow` whose `NotResource` no value of the key can make match the resource.
    let set = PolicySet {
        identity: vec![policy(PolicyType::Identity, allow_all.clone())],
        vpc_endpoint: vec![policy(
            PolicyType::VpcEndpoint,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*",
                "NotResource": "arn:aws:s3:::bucket-a/${aws:username}/*"}]}),
        )],
        ..PolicySet::default()
    };
    let req = request(role, "ec2:RunInstances", "*", &[]);
    assert_eq!(
        partial(&set, &req),
        (
            PartialDecision::AllowIf,
            Some("the resource `*` matches none of `arn:aws:s3:::bucket-a/${aws:username}/*` and `aws:username` is present".to_string())
        )
    );
    let pe = evaluate_partial(&set, &req, &PartialOptions::default());
    assert_eq!(evaluate(&set, &req).decision(), Decision::ImplicitDeny);
    assert!(!pe.holds(&req), "absent: indeterminate, the Allow does not allow");
    let with = request(role, "ec2:RunInstances", "*", &[("aws:username", "alice")]);
    assert_eq!(evaluate(&set, &with).decision(), Decision::Allow);
    assert!(pe.holds(&with));
    let two = Request::builder()
        .principal(Principal::parse(role).unwrap())
        .action("ec2:RunInstances")
        .resource("*")
        .context_value("aws:username", vec!["alice".to_string(), "bob".to_string()])
        .build()
        .unwrap();
    assert_ne!(evaluate(&set, &two).decision(), Decision::Allow);
    assert!(!pe.holds(&two), "several values: indeterminate");

    // A `Deny` with such a `NotResource` applies while the key is absent.
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::bucket-a/${aws:username}/*"}]});
    let set = identity_only(deny);
    let object = "arn:aws:s3:::bucket-a/alice/notes.txt";
    let req = request(role, "s3:GetObject", object, &[]);
    assert_eq!(
        partial(&set, &req),
        (
            PartialDecision::AllowIf,
            Some("the resource `arn:aws:s3:::bucket-a/alice/notes.txt` matches `arn:aws:s3:::bucket-a/${aws:username}/*`".to_string())
        )
    );
    let pe = evaluate_partial(&set, &req, &PartialOptions::default());
    assert_eq!(evaluate(&set, &req).decision(), Decision::ExplicitDeny);
    assert!(!pe.holds(&req));
    assert!(pe.holds(&request(role, "s3:GetObject", object, &[("aws:username", "alice")])));
    assert!(!pe.holds(&request(role, "s3:GetObject", object, &[("aws:username", "bob")])));

    // A `Deny` whose `Resource` no single value can make match applies when the key has
    // several values (S-VAR-6 b); an `Allow` with the same `Resource` never applies.
    let set = identity_only(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-b/${aws:username}/*"}]}));
    let req = request(role, "s3:GetObject", object, &[]);
    let pe = evaluate_partial(&set, &req, &PartialOptions::default());
    assert_eq!(pe.decision(), PartialDecision::AllowIf);
    assert!(pe.holds(&req));
    let two = Request::builder()
        .principal(Principal::parse(role).unwrap())
        .action("s3:GetObject")
        .resource(object)
        .context_value("aws:username", vec!["alice".to_string(), "bob".to_string()])
        .build()
        .unwrap();
    assert_eq!(evaluate(&set, &two).decision(), Decision::ExplicitDeny);
    assert!(!pe.holds(&two));
}
