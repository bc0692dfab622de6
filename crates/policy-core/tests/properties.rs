//! Property tests of the combination logic (docs/SEMANTICS.md §3 and §6).
//!
//! Small random estates (identity policies, a resource-based policy, a permissions
//! boundary, a session policy, SCP and RCP levels, VPC endpoint policies) are built as
//! JSON text from small alphabets of actions, resources, principals and conditions,
//! parsed with [`policy_core::parse_policy`], and evaluated against requests drawn from
//! a small set of callers (same account `111122223333`, other account `444455556666`,
//! root users, anonymous, a service principal, a service-linked role session). Each
//! property relates two evaluations (with and without some change) rather than
//! predicting a decision, so it holds whatever the random policies say.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use policy_core::analysis::{evaluate_partial, PartialDecision, PartialOptions};
use policy_core::{
    evaluate, evaluate_indexed, evaluate_into, evaluate_with, parse_policy, Acl, AclGrantee, AclPermission,
    BlockPublicAccess, Decision, EvalOptions, KmsGrant, ObjectOwnership, Policy, PolicySet, PolicyType, Principal,
    PrincipalKind, Request, Response, SetIndex, Source,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use serde_json::{json, Map, Value};

const SAME: &str = "111122223333";
const OTHER: &str = "444455556666";

/// Modest case counts so the whole file runs in a few seconds in debug mode (set
/// `PROPTEST_CASES` to search harder); no regression files are written.
fn config(cases: u32) -> ProptestConfig {
    let deeper = std::env::var_os("PROPTEST_CASES").is_some();
    ProptestConfig {
        cases: if deeper { ProptestConfig::default().cases } else { cases },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------
// The model: statements and estates as data, rendered to JSON policy text.

/// Where a policy sits, which decides the elements its statements carry (S-DOC-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
    Vpce,
}

impl Kind {
    fn policy_type(self) -> PolicyType {
        match self {
            Kind::Identity => PolicyType::Identity,
            Kind::Resource => PolicyType::Resource,
            Kind::Boundary => PolicyType::PermissionsBoundary,
            Kind::Session => PolicyType::Session,
            Kind::Scp => PolicyType::Scp,
            Kind::Rcp => PolicyType::Rcp,
            Kind::Vpce => PolicyType::VpcEndpoint,
        }
    }
}

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    /// `(NotResource?, patterns)`; `None`: no resource element (resource policies).
    resource: Option<(bool, Vec<&'static str>)>,
    /// `(NotPrincipal?, value)`.
    principal: Option<(bool, Value)>,
    condition: Option<Value>,
}

fn strings(v: &[&str]) -> Value {
    match v {
        [one] => json!(one),
        _ => json!(v),
    }
}

impl Stmt {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("Effect".into(), json!(if self.allow { "Allow" } else { "Deny" }));
        let action_key = if self.not_action { "NotAction" } else { "Action" };
        m.insert(action_key.into(), strings(&self.actions));
        if let Some((neg, rs)) = &self.resource {
            m.insert(if *neg { "NotResource" } else { "Resource" }.into(), strings(rs));
        }
        if let Some((neg, p)) = &self.principal {
            m.insert(if *neg { "NotPrincipal" } else { "Principal" }.into(), p.clone());
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), c.clone());
        }
        Value::Object(m)
    }

    /// `{"Effect":"Deny","Action":"*","Resource":"*"}`, with `"Principal":"*"` where the
    /// policy type needs a principal.
    fn deny_all(kind: Kind) -> Stmt {
        Stmt {
            allow: false,
            not_action: false,
            actions: vec!["*"],
            resource: Some((false, vec!["*"])),
            principal: matches!(kind, Kind::Resource | Kind::Rcp).then(|| (false, json!("*"))),
            condition: None,
        }
    }
}

/// A set of policies, by type, as statement lists.
#[derive(Debug, Clone, Default)]
struct Estate {
    identity: Vec<Vec<Stmt>>,
    resource: Option<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Stmt>>,
    scp: Vec<Vec<Vec<Stmt>>>,
    rcp: Vec<Vec<Vec<Stmt>>>,
    vpce: Vec<Vec<Stmt>>,
}

fn policy_text(stmts: &[Stmt]) -> String {
    let list: Vec<Value> = stmts.iter().map(Stmt::to_json).collect();
    json!({"Version": "2012-10-17", "Statement": list}).to_string()
}

fn parse(kind: Kind, name: String, stmts: &[Stmt]) -> Result<Arc<Policy>, TestCaseError> {
    let text = policy_text(stmts);
    let src = Source::new(name, text.clone());
    match parse_policy(&src, kind.policy_type()) {
        Ok(parsed) => Ok(Arc::new(parsed.policy)),
        Err(e) => {
            let msgs: Vec<String> = e.diagnostics.iter().map(|d| d.to_string()).collect();
            Err(TestCaseError::fail(format!(
                "generated policy does not parse: {text}\n{}",
                msgs.join("\n")
            )))
        }
    }
}

impl Estate {
    fn build(&self) -> Result<PolicySet, TestCaseError> {
        let mut set = PolicySet::default();
        for (i, p) in self.identity.iter().enumerate() {
            set.identity
                .push(parse(Kind::Identity, format!("identity{i}.json"), p)?);
        }
        if let Some(p) = &self.resource {
            set.resource = Some(parse(Kind::Resource, "resource.json".into(), p)?);
        }
        if let Some(p) = &self.boundary {
            set.permissions_boundary = Some(parse(Kind::Boundary, "boundary.json".into(), p)?);
        }
        if let Some(p) = &self.session {
            set.session = Some(parse(Kind::Session, "session.json".into(), p)?);
        }
        for (l, level) in self.scp.iter().enumerate() {
            let mut v = Vec::new();
            for (i, p) in level.iter().enumerate() {
                v.push(parse(Kind::Scp, format!("scp{l}-{i}.json"), p)?);
            }
            set.scp.push(v);
        }
        for (l, level) in self.rcp.iter().enumerate() {
            let mut v = Vec::new();
            for (i, p) in level.iter().enumerate() {
                v.push(parse(Kind::Rcp, format!("rcp{l}-{i}.json"), p)?);
            }
            set.rcp.push(v);
        }
        for (i, p) in self.vpce.iter().enumerate() {
            set.vpc_endpoint.push(parse(Kind::Vpce, format!("vpce{i}.json"), p)?);
        }
        Ok(set)
    }

    /// Every policy of the estate, with its kind, for in-place edits.
    fn policies_mut(&mut self) -> Vec<(Kind, &mut Vec<Stmt>)> {
        let mut out: Vec<(Kind, &mut Vec<Stmt>)> = Vec::new();
        out.extend(self.identity.iter_mut().map(|p| (Kind::Identity, p)));
        out.extend(self.resource.iter_mut().map(|p| (Kind::Resource, p)));
        out.extend(self.boundary.iter_mut().map(|p| (Kind::Boundary, p)));
        out.extend(self.session.iter_mut().map(|p| (Kind::Session, p)));
        out.extend(self.scp.iter_mut().flatten().map(|p| (Kind::Scp, p)));
        out.extend(self.rcp.iter_mut().flatten().map(|p| (Kind::Rcp, p)));
        out.extend(self.vpce.iter_mut().map(|p| (Kind::Vpce, p)));
        out
    }
}

/// One request, as the data it is built from.
#[derive(Debug, Clone)]
struct Req {
    principal: &'static str,
    action: &'static str,
    resource: &'static str,
    /// Only for resources whose ARN carries no account (S3, `*`).
    resource_account: Option<&'static str>,
    source_ip: Option<&'static str>,
    secure_transport: Option<&'static str>,
    management_account: Option<&'static str>,
    restrict_public_buckets: bool,
    /// A KMS grant of `Decrypt` to this grantee (S-KMS-3).
    kms_grant: Option<&'static str>,
    /// An S3 ACL grant with ACLs enabled (S-S3-2).
    acl: Option<(AclGrantee, AclPermission)>,
}

impl Req {
    fn build(&self) -> Result<Request, TestCaseError> {
        self.build_with(&[])
    }

    /// [`Req::build`] with extra context keys.
    fn build_with(&self, extra: &[(&str, &str)]) -> Result<Request, TestCaseError> {
        let fail = |e: policy_core::RequestError| TestCaseError::fail(format!("request does not build: {e}"));
        let mut principal = Principal::parse(self.principal).map_err(fail)?;
        if principal.kind() == PrincipalKind::FederatedUser {
            // GetFederationToken sessions are issued by an IAM user.
            principal = principal
                .with_session_issuer("arn:aws:iam::111122223333:user/alice")
                .map_err(fail)?;
        }
        let mut b = Request::builder()
            .principal(principal)
            .action(self.action)
            .resource(self.resource)
            .block_public_access(BlockPublicAccess {
                restrict_public_buckets: self.restrict_public_buckets,
            });
        if let Some(a) = self.resource_account {
            b = b.resource_account(a);
        }
        if let Some(m) = self.management_account {
            b = b.management_account(m);
        }
        if let Some(ip) = self.source_ip {
            b = b.context_value("aws:SourceIp", vec![ip.to_string()]);
        }
        if let Some(t) = self.secure_transport {
            b = b.context_value("aws:SecureTransport", vec![t.to_string()]);
        }
        for (k, v) in extra {
            b = b.context_value(k, vec![v.to_string()]);
        }
        if let Some(g) = self.kms_grant {
            b = b.kms_grants(vec![KmsGrant {
                grantee: g.to_string(),
                operations: vec!["Decrypt".to_string()],
                ..KmsGrant::default()
            }]);
        }
        if let Some((grantee, permission)) = &self.acl {
            b = b.acl(Acl {
                object_ownership: ObjectOwnership::BucketOwnerPreferred,
                grants: vec![(grantee.clone(), *permission)],
            });
        }
        b.build().map_err(fail)
    }

    fn kind(&self) -> Result<PrincipalKind, TestCaseError> {
        Principal::parse(self.principal)
            .map(|p| p.kind())
            .map_err(|e| TestCaseError::fail(e.to_string()))
    }
}

fn decide(estate: &Estate, req: &Req) -> Result<Decision, TestCaseError> {
    let set = estate.build()?;
    let r = req.build()?;
    Ok(evaluate(&set, &r).decision())
}

/// ExplicitDeny < ImplicitDeny < Allow: a restriction may only move a decision left.
fn rank(d: Decision) -> u8 {
    match d {
        Decision::ExplicitDeny => 0,
        Decision::ImplicitDeny => 1,
        Decision::Allow => 2,
    }
}

// ---------------------------------------------------------------------------------
// Strategies.

const POLICY_ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:List*",
    "ec2:*",
    "kms:*",
    "kms:Decrypt",
    "sts:AssumeRole",
    "sts:*",
    "iam:List*",
    // Case, surrounding whitespace and wildcard service prefixes (S-MATCH-1): these
    // take the action index's "always a candidate" and per-service paths.
    "S3:getobject",
    "Kms:Decrypt",
    "ec2:* ",
    "*:Get*",
    "s?:*",
    // Not `service:Name`: reported, matches no action.
    "<action>",
];

const POLICY_RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-*/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-a/${aws:username}/*",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::*:role/*",
];

const REQUEST_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "ec2:RunInstances",
    "kms:Decrypt",
    "kms:ScheduleKeyDeletion",
    "sts:AssumeRole",
    "sts:TagSession",
    "sts:GetCallerIdentity",
    "iam:ListUsers",
];

const REQUEST_RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/alice/notes.txt",
    "arn:aws:s3:::bucket-b/data.csv",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:us-east-1:444455556666:key/k2",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:iam::111122223333:role/app",
];

/// IAM users, roles and role sessions of both accounts.
const IAM_CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/carol",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:sts::111122223333:assumed-role/app/s9",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::444455556666:role/ext",
    "arn:aws:sts::444455556666:assumed-role/ext/s2",
    "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSupport/slr",
];

/// Callers without identity-based policies, or with a special standing.
const OTHER_CALLERS: &[&str] = &[
    "arn:aws:sts::111122223333:federated-user/fed",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
    "anonymous",
    "lambda.amazonaws.com",
];

fn all_callers() -> Vec<&'static str> {
    IAM_CALLERS.iter().chain(OTHER_CALLERS).copied().collect()
}

fn conditions() -> Vec<Value> {
    vec![
        json!({"StringEquals": {"aws:username": "alice"}}),
        json!({"StringNotEquals": {"aws:username": "alice"}}),
        json!({"StringEqualsIfExists": {"aws:username": "alice"}}),
        json!({"StringNotEqualsIfExists": {"aws:username": "alice"}}),
        json!({"ForAnyValue:StringEquals": {"aws:SourceIp": ["10.1.2.3"]}}),
        json!({"ForAllValues:StringNotEquals": {"aws:SourceIp": ["10.1.2.3"]}}),
        json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        json!({"Bool": {"aws:SecureTransport": "false"}}),
        json!({"StringEquals": {"aws:PrincipalAccount": SAME}}),
        json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}),
        json!({"Null": {"aws:SourceIp": "true"}}),
        json!({"StringEquals": {"aws:username": "alice"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        // An operator the engine does not know: indeterminate, fail closed (S-COND-8).
        json!({"StringEqualsSomehow": {"aws:username": "alice"}}),
    ]
}

fn resource_principals() -> Vec<Value> {
    vec![
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": SAME}),
        json!({"AWS": "arn:aws:iam::444455556666:root"}),
        json!({"AWS": "arn:aws:iam::111122223333:user/alice"}),
        json!({"AWS": "arn:aws:iam::111122223333:role/app"}),
        json!({"AWS": "arn:aws:sts::111122223333:assumed-role/app/s1"}),
        json!({"AWS": "arn:aws:iam::444455556666:user/bob"}),
        json!({"AWS": "arn:aws:iam::444455556666:role/ext"}),
        json!({"AWS": "arn:aws:sts::111122223333:federated-user/fed"}),
        json!({"Service": "lambda.amazonaws.com"}),
        json!({"AWS": ["arn:aws:iam::111122223333:user/alice", SAME]}),
        // A unique id the engine cannot resolve offline (S-MATCH-3, decided): a `Deny`
        // naming it applies to everyone (fail-closed).
        json!({"AWS": "AIDAEXAMPLEUSERID1234"}),
    ]
}

fn actions() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(select(POLICY_ACTIONS), 1..=2)
}

fn resources() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(select(POLICY_RESOURCES), 1..=2)
}

/// A random statement of a policy of `kind`, with the elements that kind needs.
fn stmt(kind: Kind) -> BoxedStrategy<Stmt> {
    let allow = prop_oneof![3 => Just(true), 1 => Just(false)];
    let not_action = prop_oneof![9 => Just(false), 1 => Just(true)];
    let not_resource = prop_oneof![9 => Just(false), 1 => Just(true)];
    let resource = match kind {
        Kind::Resource => prop::option::weighted(0.8, (not_resource, resources())).boxed(),
        _ => (not_resource, resources()).prop_map(Some).boxed(),
    };
    let principal = match kind {
        Kind::Resource => {
            let negated = prop_oneof![7 => Just(false), 1 => Just(true)];
            (negated, select(resource_principals())).prop_map(Some).boxed()
        }
        Kind::Rcp => Just(Some((false, json!("*")))).boxed(),
        Kind::Vpce => {
            prop::option::weighted(0.5, (Just(false), select(vec![json!("*"), json!({"AWS": SAME})]))).boxed()
        }
        _ => Just(None).boxed(),
    };
    let condition = prop::option::weighted(0.3, select(conditions()));
    (allow, not_action, actions(), resource, principal, condition)
        .prop_map(|(allow, not_action, actions, resource, principal, condition)| Stmt {
            allow,
            not_action,
            actions,
            resource,
            principal,
            condition,
        })
        .boxed()
}

fn policy(kind: Kind) -> BoxedStrategy<Vec<Stmt>> {
    prop::collection::vec(stmt(kind), 1..=3).boxed()
}

fn scp_levels() -> BoxedStrategy<Vec<Vec<Vec<Stmt>>>> {
    prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::collection::vec(prop::collection::vec(policy(Kind::Scp), 1..=2), 1..=2),
    ]
    .boxed()
}

fn estate() -> impl Strategy<Value = Estate> {
    (
        prop::collection::vec(policy(Kind::Identity), 0..=2),
        prop::option::weighted(0.5, policy(Kind::Resource)),
        prop::option::weighted(0.3, policy(Kind::Boundary)),
        prop::option::weighted(0.3, policy(Kind::Session)),
        scp_levels(),
        prop::collection::vec(prop::collection::vec(policy(Kind::Rcp), 1..=1), 0..=1),
        prop::collection::vec(policy(Kind::Vpce), 0..=1),
    )
        .prop_map(|(identity, resource, boundary, session, scp, rcp, vpce)| Estate {
            identity,
            resource,
            boundary,
            session,
            scp,
            rcp,
            vpce,
        })
}

fn request_from(callers: Vec<&'static str>) -> impl Strategy<Value = Req> {
    (
        select(callers),
        select(REQUEST_ACTIONS),
        select(REQUEST_RESOURCES),
        select(vec![None, Some(SAME), Some(OTHER)]),
        select(vec![None, Some("10.1.2.3"), Some("192.0.2.7")]),
        select(vec![None, Some("true"), Some("false")]),
        prop_oneof![3 => Just(None), 1 => Just(Some(SAME)), 1 => Just(Some(OTHER))],
        prop_oneof![3 => Just(false), 1 => Just(true)],
        prop::option::weighted(
            0.15,
            select(vec![
                "arn:aws:iam::111122223333:role/app",
                "arn:aws:iam::444455556666:user/bob",
            ]),
        ),
        prop::option::weighted(
            0.15,
            (
                select(vec![
                    AclGrantee::AllUsers,
                    AclGrantee::AuthenticatedUsers,
                    AclGrantee::Account(OTHER.into()),
                ]),
                select(vec![
                    AclPermission::Read,
                    AclPermission::Write,
                    AclPermission::FullControl,
                ]),
            ),
        ),
    )
        .prop_map(
            |(
                principal,
                action,
                resource,
                account,
                source_ip,
                secure_transport,
                management_account,
                rpb,
                kms_grant,
                acl,
            )| {
                let no_account_in_arn = resource == "*" || resource.starts_with("arn:aws:s3:::");
                Req {
                    principal,
                    action,
                    resource,
                    resource_account: if no_account_in_arn { account } else { None },
                    source_ip,
                    secure_transport,
                    management_account,
                    restrict_public_buckets: rpb,
                    kms_grant,
                    acl,
                }
            },
        )
}

fn request() -> impl Strategy<Value = Req> {
    request_from(all_callers())
}

/// A statement that can never apply to any generated request: its action, its resource
/// or its condition never matches (S-MATCH-0). `principal` is used where the policy type
/// needs one.
fn inert_stmt() -> impl Strategy<Value = (u8, bool, Value)> {
    (0u8..3, any::<bool>(), select(resource_principals()))
}

fn make_inert(kind: Kind, (how, allow, principal): (u8, bool, Value), req: &Req) -> Stmt {
    let principal = match kind {
        // S-S3-1 makes the whole bucket policy public when any `Allow` names `*`, even
        // one that does not apply to this request; keep such statements non-public when
        // the request has RestrictPublicBuckets, so the property is only about S-MATCH-0.
        Kind::Resource if allow && req.restrict_public_buckets => Some((false, json!({"AWS": SAME}))),
        Kind::Resource => Some((false, principal)),
        Kind::Rcp => Some((false, json!("*"))),
        _ => None,
    };
    let (actions, resource, condition) = match how {
        0 => (vec!["nomatch:Nothing"], vec!["*"], None),
        1 => (vec!["*"], vec!["arn:aws:s3:::no-such-bucket/*"], None),
        _ => (
            vec!["*"],
            vec!["*"],
            Some(json!({"StringEquals": {"test:NeverPresent": "x"}})),
        ),
    };
    Stmt {
        allow,
        not_action: false,
        actions,
        resource: Some((false, resource)),
        principal,
        condition,
    }
}

/// A tiny deterministic generator for shuffles (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        usize::try_from(x % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

fn shuffled(e: &Estate, seed: u64) -> Estate {
    let mut rng = Rng(seed | 1);
    let mut e = e.clone();
    for (_, p) in e.policies_mut() {
        rng.shuffle(p);
    }
    rng.shuffle(&mut e.identity);
    for level in e.scp.iter_mut().chain(e.rcp.iter_mut()) {
        rng.shuffle(level);
    }
    rng.shuffle(&mut e.scp);
    rng.shuffle(&mut e.rcp);
    rng.shuffle(&mut e.vpce);
    e
}

// ---------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config(256))]

    /// Property 1a (S-EVAL-1, S-STS-2): adding `{"Effect":"Deny","Action":"*",
    /// "Resource":"*"}` to any identity-based policy (or as a new one) of an IAM user,
    /// role, role session or federated-user session yields `ExplicitDeny` whatever else the estate says, except
    /// for `sts:GetCallerIdentity`, which is always `Allow`.
    #[test]
    fn identity_deny_all_is_explicit_deny(
        mut estate in estate(),
        req in request_from(IAM_CALLERS.iter().copied().chain(["arn:aws:sts::111122223333:federated-user/fed"]).collect()),
        which in any::<Index>(),
        pos in any::<Index>(),
    ) {
        let deny = Stmt::deny_all(Kind::Identity);
        let i = which.index(estate.identity.len() + 1);
        match estate.identity.get_mut(i) {
            Some(p) => p.insert(pos.index(p.len() + 1), deny),
            None => estate.identity.push(vec![deny]),
        }
        let want = if req.action == "sts:GetCallerIdentity" { Decision::Allow } else { Decision::ExplicitDeny };
        prop_assert_eq!(decide(&estate, &req)?, want);
    }

    /// Property 1b (S-EVAL-1, S-MATCH-3, S-EVAL-10, S-STS-2): adding
    /// `{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}` to the
    /// resource-based policy (or as the resource-based policy) yields `ExplicitDeny` for
    /// every caller, anonymous and service principals included, except for
    /// `sts:GetCallerIdentity`, which is always `Allow`.
    #[test]
    fn resource_deny_all_is_explicit_deny(mut estate in estate(), req in request(), pos in any::<Index>()) {
        let deny = Stmt::deny_all(Kind::Resource);
        match estate.resource.as_mut() {
            Some(p) => p.insert(pos.index(p.len() + 1), deny),
            None => estate.resource = Some(vec![deny]),
        }
        let want = if req.action == "sts:GetCallerIdentity" { Decision::Allow } else { Decision::ExplicitDeny };
        prop_assert_eq!(decide(&estate, &req)?, want);
    }

    /// Property 2 (S-MATCH-0, S-MATCH-1, S-MATCH-2, S-MATCH-4, S-COND-5): a statement
    /// that cannot apply (action `nomatch:Nothing`, a resource no request names, or a
    /// condition on a key no request has), `Allow` or `Deny`, added anywhere in any
    /// policy of the estate, leaves the decision unchanged. (S-S3-1 carve-out: with
    /// RestrictPublicBuckets, an added bucket-policy `Allow` names an account rather than
    /// `*`, since a public statement makes the whole policy public.)
    #[test]
    fn inapplicable_statement_changes_nothing(
        estate in estate(),
        req in request(),
        inert in inert_stmt(),
        which in any::<Index>(),
        pos in any::<Index>(),
    ) {
        let before = decide(&estate, &req)?;
        let mut changed = estate.clone();
        let mut slots = changed.policies_mut();
        let n = slots.len();
        prop_assume!(n > 0);
        if let Some((kind, p)) = slots.get_mut(which.index(n)) {
            let s = make_inert(*kind, inert, &req);
            p.insert(pos.index(p.len() + 1), s);
        }
        prop_assert_eq!(decide(&changed, &req)?, before);
    }

    /// Property 3 (S-EVAL-7, S-EVAL-5, S-EVAL-1): a permissions boundary never widens
    /// access: with the boundary `Allow` implies without it `Allow`; more strongly, the
    /// decision never moves up the order ExplicitDeny < ImplicitDeny < Allow.
    #[test]
    fn boundary_never_widens(estate in estate(), boundary in policy(Kind::Boundary), req in request()) {
        let mut without = estate.clone();
        without.boundary = None;
        let mut with = estate;
        with.boundary = Some(boundary);
        let (w, wo) = (decide(&with, &req)?, decide(&without, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with boundary {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with boundary {w}, without {wo}");
    }

    /// Property 4a (S-EVAL-8, S-EVAL-5): a session policy never widens access for
    /// assumed-role sessions and role-ARN callers (treated as sessions, S-EVAL-8), and
    /// changes nothing for other callers. Federated-user sessions are left out on
    /// purpose: without a session policy they have no identity-based permissions at all
    /// (S-EVAL-8), so adding one may widen.
    #[test]
    fn session_policy_never_widens(estate in estate(), session in policy(Kind::Session), req in request()) {
        prop_assume!(req.kind()? != PrincipalKind::FederatedUser);
        let mut without = estate.clone();
        without.session = None;
        let mut with = estate;
        with.session = Some(session);
        let (w, wo) = (decide(&with, &req)?, decide(&without, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with session policy {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with session policy {w}, without {wo}");
    }

    /// Property 4b (S-EVAL-2, S-EVAL-1): adding an SCP level (anywhere in the
    /// organization path) never widens access.
    #[test]
    fn scp_level_never_widens(
        estate in estate(),
        level in prop::collection::vec(policy(Kind::Scp), 1..=2),
        at in any::<Index>(),
        req in request(),
    ) {
        let mut with = estate.clone();
        with.scp.insert(at.index(with.scp.len() + 1), level);
        let (w, wo) = (decide(&with, &req)?, decide(&estate, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with the SCP level {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with the SCP level {w}, without {wo}");
    }

    /// Property 4c (S-EVAL-3, S-EVAL-1): adding an RCP (to an existing level or as a new
    /// level) never widens access.
    #[test]
    fn rcp_never_widens(estate in estate(), rcp in policy(Kind::Rcp), at in any::<Index>(), req in request()) {
        let mut with = estate.clone();
        let l = at.index(with.rcp.len() + 1);
        match with.rcp.get_mut(l) {
            Some(level) => level.push(rcp),
            None => with.rcp.push(vec![rcp]),
        }
        let (w, wo) = (decide(&with, &req)?, decide(&estate, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with the RCP {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with the RCP {w}, without {wo}");
    }

    /// Property 4d (S-EVAL-4, S-EVAL-1): adding a VPC endpoint policy never widens
    /// access.
    #[test]
    fn vpc_endpoint_policy_never_widens(estate in estate(), vpce in policy(Kind::Vpce), req in request()) {
        let mut with = estate.clone();
        with.vpce.push(vpce);
        let (w, wo) = (decide(&with, &req)?, decide(&estate, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with the VPC endpoint policy {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with the VPC endpoint policy {w}, without {wo}");
    }

    /// Property 5 (S-EVAL-1, S-MATCH-0): removing a `Deny` statement never narrows
    /// access. The estate "with" is the random estate plus one random `Deny` statement
    /// (of the right shape for its policy) inserted into one of its policies; "without"
    /// is the estate as generated. If the decision with the `Deny` is `Allow`, it is
    /// `Allow` without it; and the decision never moves down the order.
    #[test]
    fn removing_a_deny_never_narrows(
        estate in estate(),
        req in request(),
        denies in (stmt(Kind::Identity), stmt(Kind::Resource), stmt(Kind::Rcp), stmt(Kind::Vpce)),
        which in any::<Index>(),
        pos in any::<Index>(),
    ) {
        let mut with = estate.clone();
        let mut slots = with.policies_mut();
        let n = slots.len();
        prop_assume!(n > 0);
        if let Some((kind, p)) = slots.get_mut(which.index(n)) {
            let mut d = match kind {
                Kind::Resource => denies.1,
                Kind::Rcp => denies.2,
                Kind::Vpce => denies.3,
                _ => denies.0,
            };
            d.allow = false;
            p.insert(pos.index(p.len() + 1), d);
        }
        let (w, wo) = (decide(&with, &req)?, decide(&estate, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with the Deny {w}, without {wo}");
        prop_assert!(rank(w) <= rank(wo), "with the Deny {w}, without {wo}");
    }

    /// Property 5b (S-EVAL-1): removing every `Deny` statement of the estate (policies
    /// left empty stay, with no statement) never narrows access.
    #[test]
    fn removing_all_denies_never_narrows(estate in estate(), req in request()) {
        let mut without = estate.clone();
        for (_, p) in without.policies_mut() {
            p.retain(|s| s.allow);
        }
        let (w, wo) = (decide(&estate, &req)?, decide(&without, &req)?);
        prop_assert!(w != Decision::Allow || wo == Decision::Allow, "with the Denies {w}, without {wo}");
        prop_assert!(wo != Decision::ExplicitDeny, "no Deny left, yet {wo}");
    }

    /// Property 6 (S-EVAL-1 … S-EVAL-8, S-MATCH-4): the order of statements within a
    /// policy, of the identity-based policies, of the policies within an SCP or RCP
    /// level, of the levels and of the VPC endpoint policies does not change the
    /// decision.
    #[test]
    fn order_does_not_matter(estate in estate(), req in request(), seed in any::<u64>()) {
        let other = shuffled(&estate, seed);
        prop_assert_eq!(decide(&other, &req)?, decide(&estate, &req)?);
    }

    /// Property 7 (determinism; every rule cited in `reasons`): evaluating the same
    /// request twice against the same policies, and against the same policies parsed a
    /// second time, gives the same decision and byte-identical Response JSON, with and
    /// without near misses.
    #[test]
    fn evaluation_is_deterministic(estate in estate(), req in request(), near_misses in any::<bool>()) {
        let set = estate.build()?;
        let set2 = estate.build()?;
        let r = req.build()?;
        let opts = EvalOptions { near_misses };
        let json = |set: &PolicySet| -> Result<(Decision, String), TestCaseError> {
            let ev = evaluate_with(set, &r, opts);
            let resp = Response::new(&ev, set, &r, None);
            let text = serde_json::to_string(&resp).map_err(|e| TestCaseError::fail(e.to_string()))?;
            Ok((ev.decision(), text))
        };
        let a = json(&set)?;
        let b = json(&set)?;
        let c = json(&set2)?;
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }

    /// A [`SetIndex`] changes nothing: a request decided against a set with the index
    /// of the set as it was built (then the set changed as `how` says: a policy
    /// replaced, duplicated, moved, removed, added, SCP levels swapped), by
    /// [`evaluate_indexed`] and into a reused evaluation by [`evaluate_into`], gives
    /// byte-identical Response JSON as without an index.
    #[test]
    fn set_index_changes_nothing(
        estate in estate(),
        other in policy(Kind::Identity),
        how in 0u8..7,
        at in any::<Index>(),
        mut reqs in prop::collection::vec(request(), 2),
        unnamed in select(&["dynamodb:GetItem", "S3:GETOBJECT", "s3:GetObjectAcl"][..]),
        near_misses in any::<bool>(),
    ) {
        // Also an action of a service no policy names, one in other case, and one
        // only wildcards name.
        let mut more = reqs[0].clone();
        more.action = unnamed;
        reqs.push(more);
        let mut set = estate.build()?;
        let index = SetIndex::new(&set);
        change_set(&mut set, how, at, parse(Kind::Identity, "other.json".into(), &other)?);
        let opts = EvalOptions { near_misses };
        let mut reused = policy_core::Evaluation::default();
        for req in &reqs {
            let r = req.build()?;
            let json = |ev: &policy_core::Evaluation<'_>| serde_json::to_string(&Response::new(ev, &set, &r, None))
                .map_err(|e| TestCaseError::fail(e.to_string()));
            let plain = json(&evaluate_with(&set, &r, opts))?;
            if !near_misses {
                prop_assert_eq!(&plain, &json(&evaluate_indexed(&set, &index, &r))?);
            }
            evaluate_into(&set, Some(&index), &r, opts, &mut reused);
            prop_assert_eq!(&plain, &json(&reused)?);
        }
    }
}

/// `set` changed after its index was built, as `how` says; `fresh` is a policy the set
/// does not hold.
fn change_set(set: &mut PolicySet, how: u8, at: Index, fresh: Arc<Policy>) {
    // Every policy of the set, in evaluation order, with its place.
    fn each(set: &mut PolicySet, mut f: impl FnMut(usize, &mut Arc<Policy>)) {
        let mut places: Vec<&mut Arc<Policy>> = Vec::new();
        places.extend(set.identity.iter_mut());
        places.extend(set.resource.iter_mut());
        places.extend(set.permissions_boundary.iter_mut());
        places.extend(set.session.iter_mut());
        places.extend(set.scp.iter_mut().flatten());
        places.extend(set.rcp.iter_mut().flatten());
        places.extend(set.vpc_endpoint.iter_mut());
        for (i, p) in places.into_iter().enumerate() {
            f(i, p);
        }
    }
    let mut all: Vec<Arc<Policy>> = Vec::new();
    each(set, |_, p| all.push(p.clone()));
    let n = all.len();
    match how {
        // Replaced by another policy.
        1 if n > 0 => {
            let k = at.index(n);
            each(set, |i, p| {
                if i == k {
                    *p = fresh.clone();
                }
            });
        }
        // Replaced by a policy of another place (duplicated).
        2 if n > 1 => {
            let k = at.index(n);
            each(set, |i, p| {
                if i == k {
                    *p = all[(k + 1) % n].clone();
                }
            });
        }
        // Every policy moved one place on.
        3 if n > 1 => each(set, |i, p| *p = all[(i + 1) % n].clone()),
        // One removed.
        4 => {
            if set.identity.is_empty() {
                set.resource = None;
            } else {
                let i = at.index(set.identity.len());
                set.identity.remove(i);
            }
        }
        // SCP levels swapped.
        5 => set.scp.reverse(),
        // One added.
        6 => set.vpc_endpoint.push(fresh),
        _ => {}
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Property 8 (S-EVAL-5, S-EVAL-6, S-EVAL-8, S-EVAL-9, S-EVAL-10, S-EVAL-11,
    /// S-KMS-1, S-STS-1, S-STS-2, S-STS-4): with no policy at all (and no grant or ACL),
    /// every caller except a root user gets `ImplicitDeny` for every action but
    /// `sts:GetCallerIdentity` (always `Allow`); the root user of the resource's own
    /// account (for S3 and `*` without `resourceAccount`, the principal's account,
    /// S-EVAL-11) gets `Allow` on a resource that is not a KMS key (S-KMS-1: the key
    /// policy is the root of access) nor a role governed by its trust policy (S-STS-1,
    /// S-STS-4), and `ImplicitDeny` on those; a root user of another account gets
    /// `ImplicitDeny`.
    #[test]
    fn no_policies(req in request()) {
        // No grant paths either: no KMS grant, no ACL.
        let req = Req { kms_grant: None, acl: None, ..req };
        let r = req.build()?;
        let set = PolicySet::default();
        let got = evaluate(&set, &r).decision();
        let kind = req.kind()?;
        let kms = req.resource.starts_with("arn:aws:kms:");
        let trust = req.action.starts_with("sts:") && req.resource.starts_with("arn:aws:iam::");
        let own_account = r.principal().account().is_some() && r.principal().account() == r.resource_account();
        let want = if req.action == "sts:GetCallerIdentity" {
            Decision::Allow
        } else if kind != PrincipalKind::Root || !own_account {
            Decision::ImplicitDeny
        } else if kms || trust {
            // S-KMS-1, S-STS-1: without a key or trust policy nobody has access.
            Decision::ImplicitDeny
        } else {
            Decision::Allow
        };
        prop_assert_eq!(got, want, "caller {} action {} resource {}", req.principal, req.action, req.resource);
    }
}

/// Why property 2 keeps added bucket-policy `Allow`s non-public under
/// RestrictPublicBuckets (S-S3-1 beside S-MATCH-0): a public statement that does not
/// apply to the request still makes the bucket policy public, and a public bucket
/// policy grants nothing to other accounts.
#[test]
fn public_statement_that_does_not_apply_still_blocks_cross_account() -> Result<(), TestCaseError> {
    let grant_other = Stmt {
        allow: true,
        not_action: false,
        actions: vec!["s3:GetObject"],
        resource: Some((false, vec!["arn:aws:s3:::bucket-a/*"])),
        principal: Some((false, json!({"AWS": OTHER}))),
        condition: None,
    };
    let identity = Stmt {
        principal: None,
        ..grant_other.clone()
    };
    let public_put = Stmt {
        actions: vec!["s3:PutObject"],
        principal: Some((false, json!("*"))),
        ..grant_other.clone()
    };
    let req = Req {
        principal: "arn:aws:iam::444455556666:user/bob",
        action: "s3:GetObject",
        resource: "arn:aws:s3:::bucket-a/alice/notes.txt",
        resource_account: Some(SAME),
        source_ip: None,
        secure_transport: None,
        management_account: None,
        restrict_public_buckets: true,
        kms_grant: None,
        acl: None,
    };
    let mut estate = Estate {
        identity: vec![vec![identity]],
        resource: Some(vec![grant_other]),
        ..Estate::default()
    };
    prop_assert_eq!(decide(&estate, &req)?, Decision::Allow);
    if let Some(p) = estate.resource.as_mut() {
        p.push(public_put);
    }
    prop_assert_eq!(decide(&estate, &req)?, Decision::ImplicitDeny);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Partial evaluation (issue 10): the residual says exactly when concrete evaluation
// allows.

/// Values an unknown key may take in the property below: absent, or one of these.
const UNKNOWN_POOLS: &[(&str, &[&str])] = &[
    ("aws:SourceIp", &["10.1.2.3", "192.0.2.7"]),
    ("aws:SecureTransport", &["true", "false"]),
    ("aws:username", &["alice", "bob"]),
];

proptest! {
    #![proptest_config(config(256))]

    /// Partial evaluation against concrete evaluation: with the keys the request does
    /// not give unknown, for every assignment of them (absent or a value the policies
    /// test), the residual holds exactly when concrete evaluation of the request with
    /// that assignment allows; `Allow` and the denies hold for every assignment; a
    /// witness, when found, is allowed.
    #[test]
    fn residual_holds_iff_concrete_evaluation_allows(estate in estate(), req in request()) {
        check_residual(&estate, &req)?;
    }

    /// The same with the request giving none of the keys the conditions test.
    #[test]
    fn residual_holds_iff_concrete_evaluation_allows_all_keys_unknown(estate in estate(), mut req in request()) {
        req.source_ip = None;
        req.secure_transport = None;
        check_residual(&estate, &req)?;
    }
}

fn check_residual(estate: &Estate, req: &Req) -> Result<(), TestCaseError> {
    {
        let set = estate.build()?;
        let base = req.build()?;
        // The keys the generated conditions test are the only unknowns that matter; the
        // clock keys are known absent.
        let opts = PartialOptions {
            known_absent: vec!["aws:currenttime".into()],
        };
        let pe = evaluate_partial(&set, &base, &opts);
        let open: Vec<&(&str, &[&str])> = UNKNOWN_POOLS
            .iter()
            .filter(|(k, _)| base.context().get(&k.to_ascii_lowercase()).is_none())
            .collect();
        // Every assignment: each open key absent or one of its values.
        let mut choice = vec![0usize; open.len()];
        loop {
            let extra: Vec<(&str, &str)> = open
                .iter()
                .zip(&choice)
                .filter(|(_, &c)| c > 0)
                .map(|((k, vs), &c)| (*k, vs[c - 1]))
                .collect();
            let with = req.build_with(&extra)?;
            let allowed = evaluate(&set, &with).decision() == Decision::Allow;
            prop_assert_eq!(
                pe.holds(&with),
                allowed,
                "decision {:?}, residual {:?}, assignment {:?}",
                pe.decision(),
                pe.residual(&base).map(|r| r.describe()),
                extra
            );
            match pe.decision() {
                PartialDecision::Allow => prop_assert!(allowed),
                PartialDecision::ExplicitDeny | PartialDecision::ImplicitDeny => prop_assert!(!allowed),
                PartialDecision::AllowIf => {}
            }
            // Next assignment.
            let mut i = 0;
            loop {
                match (choice.get_mut(i), open.get(i)) {
                    (Some(c), Some((_, vs))) if *c < vs.len() => {
                        *c += 1;
                        break;
                    }
                    (Some(c), Some(_)) => {
                        *c = 0;
                        i += 1;
                    }
                    _ => break,
                }
            }
            if i >= open.len() {
                break;
            }
        }
        if let Some(w) = pe.witness() {
            let extra: Vec<(&str, &str)> = w
                .iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| (k.as_str(), v)))
                .collect();
            let with = req.build_with(&extra)?;
            prop_assert_eq!(evaluate(&set, &with).decision(), Decision::Allow, "witness {:?}", w);
        }
    }
    Ok(())
}

/// An identity statement allowing every action on every resource.
fn allow_all() -> Stmt {
    Stmt {
        allow: true,
        not_action: false,
        actions: vec!["*"],
        resource: Some((false, vec!["*"])),
        principal: None,
        condition: None,
    }
}

/// A request of role `app` (a role: no `aws:username` of its own, so the key is
/// unknown), nothing else in its context.
fn role_app_request(action: &'static str, resource: &'static str, resource_account: Option<&'static str>) -> Req {
    Req {
        principal: "arn:aws:iam::111122223333:role/app",
        action,
        resource,
        resource_account,
        source_ip: None,
        secure_transport: None,
        management_account: None,
        restrict_public_buckets: false,
        kms_grant: None,
        acl: None,
    }
}

/// The residual agrees with concrete evaluation for every assignment, and the answer
/// with every key unknown is `AllowIf`.
fn residual_agrees_and_is_allow_if(estate: &Estate, req: &Req) -> Result<(), TestCaseError> {
    check_residual(estate, req)?;
    let set = estate.build()?;
    let pe = evaluate_partial(&set, &req.build()?, &PartialOptions::default());
    prop_assert_eq!(pe.decision(), PartialDecision::AllowIf);
    Ok(())
}

/// The shrunk failure of `residual_holds_iff_concrete_evaluation_allows` (S-VAR-6 in
/// partial evaluation): a VPC endpoint policy's `Allow` with a `NotResource` whose
/// variable reads `aws:username`, unknown. No value makes the pattern match `*`, yet the
/// statement applies only when the key has a value: absent, the `NotResource` is
/// indeterminate and the `Allow` does not allow.
#[test]
fn not_resource_reading_an_unknown_key_is_indeterminate_when_absent() -> Result<(), TestCaseError> {
    let allow_all = allow_all();
    let vpce = Stmt {
        not_action: true,
        actions: vec!["s3:*"],
        resource: Some((true, vec!["arn:aws:s3:::bucket-a/${aws:username}/*"])),
        ..allow_all.clone()
    };
    let req = role_app_request("ec2:RunInstances", "*", None);
    let estate = Estate {
        identity: vec![vec![allow_all.clone()]],
        vpce: vec![vec![vpce]],
        ..Estate::default()
    };
    residual_agrees_and_is_allow_if(&estate, &req)
}

/// A `Deny` with a `NotResource` whose variable reads an unknown key applies when the
/// key is absent (S-VAR-6, S-COND-8), and when its value makes the pattern miss the
/// resource; only `aws:username` = `alice` keeps it out.
#[test]
fn deny_with_not_resource_reading_an_unknown_key_applies_when_absent() -> Result<(), TestCaseError> {
    let allow_all = allow_all();
    let deny = Stmt {
        allow: false,
        actions: vec!["s3:GetObject"],
        resource: Some((true, vec!["arn:aws:s3:::bucket-a/${aws:username}/*"])),
        ..allow_all.clone()
    };
    let req = role_app_request("s3:GetObject", "arn:aws:s3:::bucket-a/alice/notes.txt", Some(SAME));
    let estate = Estate {
        identity: vec![vec![allow_all, deny]],
        ..Estate::default()
    };
    residual_agrees_and_is_allow_if(&estate, &req)
}
