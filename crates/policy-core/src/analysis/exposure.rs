//! Exposure: for every resource of an estate with a resource-based policy (buckets,
//! keys, queues, topics, functions, secrets, roles' trust policies), the access it
//! grants outside its account — to accounts of the organization, to anyone outside the
//! organization, to AWS services, to everyone — after Block Public Access, RCPs and
//! SCPs, each finding with its actions, the conditions under which access holds, and a
//! witness request that ordinary evaluation allows.
//!
//! The offline counterpart of IAM Access Analyzer's external access findings
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html>),
//! whose shape it follows: a finding per resource and grantee, `isPublic` for `*`.
//! Only resources whose policy, ACL or grants name something outside their account are
//! analysed; each is one partition ([`exposure_of`]), so the work splits over threads
//! or machines.

use serde::Serialize;

use super::partial::PartialDecision;
use super::residual::Residual;
use super::who_can::{grantee_account, stand_in, WhoCan, WhoCanQuery, WhoCanResult, OUTSIDE_ACCOUNT, STAND_IN_POLICY};
use crate::estate::{Estate, EstatePrincipalKind, Resolver};
use crate::policy::{Effect, Policy, PrincipalEntry};
use crate::request::Context;

/// How far outside its account a resource is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureScope {
    /// Everyone (`*`): anonymous callers too when unsigned requests are allowed.
    Public,
    /// An account, principal or identity provider outside the organization, or `*`
    /// narrowed by a condition (a source ARN, account or endpoint, an organization
    /// other than the estate's).
    OutsideOrganization,
    /// An AWS service principal.
    AwsService,
    /// Another account of the organization (or `*` narrowed to the organization).
    OutsideAccount,
}

/// One action a grantee is allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExposedAction {
    /// The action.
    pub action: String,
    /// Its access level in the service catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_level: Option<&'static str>,
    /// `Allow`, or `AllowIf` with the conditions.
    pub decision: PartialDecision,
    /// The residual condition of an `AllowIf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Residual>,
    /// The conditions in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A request that shows the access: `policy-sim eval --estate` decides it `Allow`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WitnessRequest {
    /// The principal as a request document gives it (an ARN, a service principal,
    /// `anonymous`, or `{"Federated": …}`).
    pub principal: serde_json::Value,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The context keys the witness sets (the others absent).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub context: serde_json::Map<String, serde_json::Value>,
    /// For an account (or anyone) outside the estate: the identity-based policy of the
    /// principal that stands for it, one whose own policies allow (the resource's grant
    /// delegates to such principals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<serde_json::Value>,
}

/// Access a resource grants one grantee outside its account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExposureFinding {
    /// The resource (a bucket for its objects too).
    pub resource: String,
    /// `s3-bucket`, `kms-key`, `sqs-queue`, `sns-topic`, `lambda-function`,
    /// `secretsmanager-secret`, `iam-role`.
    pub resource_type: &'static str,
    /// The resource's account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_owner_account: Option<String>,
    /// The grantee as the resource side names it: an account root ARN, a principal
    /// ARN, a service principal, an identity provider, `*`.
    pub principal: String,
    /// `account`, `user`, `role`, `service`, `federated`, `canonicalUser`,
    /// `anonymous`, `anyPrincipal`.
    pub principal_kind: &'static str,
    /// How far outside.
    pub scope: ExposureScope,
    /// Everyone can reach it: `*` without a condition fixing who or from where
    /// (Access Analyzer's `isPublic`).
    pub is_public: bool,
    /// The actions, each with its conditions.
    pub actions: Vec<ExposedAction>,
    /// A request ordinary evaluation allows, for the first action that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<WitnessRequest>,
    /// The resource-based policy's place in the snapshot: file, line, column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_location: Option<String>,
}

/// The exposure of a whole estate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExposureReport {
    /// The findings, by resource then grantee.
    pub findings: Vec<ExposureFinding>,
    /// Resources (and roles) with a policy, ACL or grants.
    pub resources_with_policies: usize,
    /// Those whose policy, ACL or grants name something outside their account
    /// (analysed).
    pub resources_analyzed: usize,
}

/// A resource of the estate that can be exposed: its ARN, type, account, and the
/// resource-based policy (a role's trust policy).
#[derive(Debug, Clone)]
pub struct Exposable<'e> {
    arn: &'e str,
    resource_type: &'static str,
    account: &'e str,
    policy: Option<&'e Policy>,
}

impl Exposable<'_> {
    /// The resource's ARN.
    pub fn arn(&self) -> &str {
        self.arn
    }
}

/// The resources of `estate` with a resource-based policy, ACL or grants, and whether
/// each names something outside its account (`true`: worth analysing).
pub fn exposable(estate: &Estate) -> Vec<(Exposable<'_>, bool)> {
    let mut out = Vec::new();
    for r in &estate.resources {
        let account = estate.account(r.account).map_or("", |a| &*a.id);
        let policy = r
            .policy
            .and_then(|i| estate.policy(i))
            .and_then(|p| p.policy.as_deref());
        // ACL grants (to everyone, other accounts or the owner) are analysed whenever
        // there are some.
        let outside_grants =
            r.s3.as_ref()
                .and_then(|s| s.acl.as_ref())
                .is_some_and(|acl| !acl.is_empty())
                || r.kms.as_ref().is_some_and(|k| {
                    k.grants
                        .iter()
                        .any(|g| crate::arn::split(&g.grantee).is_none_or(|p| p[4] != account))
                });
        if policy.is_none() && !outside_grants {
            continue;
        }
        let e = Exposable {
            arn: &r.arn,
            resource_type: match r.kind.name() {
                "bucket" => "s3-bucket",
                "key" => "kms-key",
                "queue" => "sqs-queue",
                "topic" => "sns-topic",
                "function" => "lambda-function",
                "secret" => "secretsmanager-secret",
                _ => "resource",
            },
            account,
            policy,
        };
        let worth = outside_grants || policy.is_some_and(|p| names_outside(p, account));
        out.push((e, worth));
    }
    for p in &estate.principals {
        if p.kind != EstatePrincipalKind::Role {
            continue;
        }
        let Some(policy) = p.trust.and_then(|i| estate.policy(i)).and_then(|r| r.policy.as_deref()) else {
            continue;
        };
        let account = estate.account(p.account).map_or("", |a| &*a.id);
        let e = Exposable {
            arn: &p.arn,
            resource_type: "iam-role",
            account,
            policy: Some(policy),
        };
        out.push((e, names_outside(policy, account)));
    }
    out
}

/// Whether some `Allow` of `policy` names something outside `account`.
fn names_outside(policy: &Policy, account: &str) -> bool {
    policy.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && s.principal.as_ref().is_some_and(|spec| {
                spec.negated
                    || spec.entries.iter().any(|e| match e {
                        PrincipalEntry::Account { account: a, .. } => a != account,
                        PrincipalEntry::Arn(a) | PrincipalEntry::Role { arn: a, .. } => {
                            crate::arn::split(a).is_none_or(|p| p[4] != account)
                        }
                        PrincipalEntry::Unresolved(_) => false,
                        _ => true,
                    })
            })
    })
}

/// The estate's whole exposure, on this thread.
pub fn exposure(estate: &Estate, context: &Context) -> ExposureReport {
    let all = exposable(estate);
    let mut resolver = estate.resolver();
    let findings = all
        .iter()
        .filter(|(_, worth)| *worth)
        .flat_map(|(e, _)| exposure_of(estate, e, context, &mut resolver))
        .collect();
    report(findings, &all)
}

/// The report of findings gathered by the caller, in order.
pub fn report(mut findings: Vec<ExposureFinding>, all: &[(Exposable<'_>, bool)]) -> ExposureReport {
    findings.sort_by(|a, b| (&a.resource, a.scope, &a.principal).cmp(&(&b.resource, b.scope, &b.principal)));
    ExposureReport {
        findings,
        resources_with_policies: all.len(),
        resources_analyzed: all.iter().filter(|(_, w)| *w).count(),
    }
}

/// The findings of one resource (a partition of the work).
pub fn exposure_of(
    estate: &Estate,
    e: &Exposable<'_>,
    context: &Context,
    resolver: &mut Resolver<'_>,
) -> Vec<ExposureFinding> {
    let catalog = crate::catalog::Catalog::get();
    // The resources to ask about: the resource itself, and for a bucket its objects
    // (the object patterns of the policy's `Allow` statements with their wildcards
    // filled, or any object).
    let mut samples: Vec<String> = vec![e.arn.to_string()];
    if e.resource_type == "s3-bucket" {
        let prefix = format!("{}/", e.arn);
        let mut objects: Vec<String> = e
            .policy
            .iter()
            .flat_map(|p| p.statements.iter())
            .filter(|s| s.effect == Effect::Allow)
            .flat_map(|s| s.resource.iter().flat_map(|(_, pats)| pats.iter()))
            .map(crate::policy::ResourcePattern::text)
            .filter(|t| t.starts_with(&prefix))
            .map(|t| t.replace(['*', '?'], "x"))
            .collect();
        objects.sort();
        objects.dedup();
        if objects.is_empty() {
            objects.push(format!("{prefix}x"));
        }
        samples.extend(objects);
    }
    let mut findings: Vec<ExposureFinding> = Vec::new();
    for sample in &samples {
        let actions: Vec<String> = if e.resource_type == "iam-role" {
            // A trust policy governs the role's assumption and the session options.
            catalog
                .service("sts")
                .map(|s| {
                    s.actions()
                        .filter(|a| a.supports_resource(sample))
                        .map(|a| a.full_name())
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let wc = WhoCan::resource_side(
            estate,
            WhoCanQuery {
                resource: sample.clone(),
                actions,
                context: context.clone(),
            },
        );
        let account = e.account;
        let results = wc.grantees(resolver, |who, _| grantee_account(who).is_none_or(|a| a != account));
        for r in results {
            add(&mut findings, estate, e, sample, r);
        }
    }
    findings
}

/// Condition keys that, fixed to values, keep access from being public besides S3's
/// (S-S3-1, `crate::narrowing`), as Access Analyzer reads other resource policies: the
/// source's organization, and the caller's account for KMS; lower-cased.
const NARROWING_BEYOND_S3: &[&str] = &["aws:sourceorgid", "kms:calleraccount"];

/// The keys a residual fixes to values (its top-level conjuncts that test equality
/// with literal values): `(lower-cased key, values)`.
fn fixed_keys(r: &Residual) -> Vec<(String, Vec<String>)> {
    let leaves: Vec<&Residual> = match r {
        Residual::And { and } => and.iter().collect(),
        other => vec![other],
    };
    leaves
        .into_iter()
        .filter_map(|l| match l {
            Residual::Leaf(l)
                if matches!(
                    l.operator.to_ascii_lowercase().as_str(),
                    "stringequals" | "stringequalsignorecase" | "arnequals" | "ipaddress"
                ) && l.values.iter().all(|v| !v.contains(['*', '?']) && !v.contains("${")) =>
            {
                Some((l.key.to_ascii_lowercase(), l.values.clone()))
            }
            _ => None,
        })
        .collect()
}

/// How far outside its account `r` reaches, or `None` when its conditions keep it in
/// the resource's account (`aws:PrincipalAccount` or `kms:CallerAccount` fixed to it).
fn scope_of(estate: &Estate, e: &Exposable<'_>, r: &WhoCanResult) -> Option<(ExposureScope, bool)> {
    let fixed = r.answer.conditions.as_ref().map(fixed_keys).unwrap_or_default();
    let only = |key: &str, want: &dyn Fn(&str) -> bool| {
        fixed
            .iter()
            .any(|(k, vs)| k == key && !vs.is_empty() && vs.iter().all(|v| want(v)))
    };
    if only("aws:principalaccount", &|v| v == e.account) || only("kms:calleraccount", &|v| v == e.account) {
        return None;
    }
    let org = estate.org.as_ref().and_then(|o| o.id.as_deref());
    let in_org = org.is_some_and(|org| only("aws:principalorgid", &|v| v == org))
        || only("aws:principalaccount", &|v| in_organization(estate, v));
    let narrowed = fixed.iter().any(|(k, vs)| {
        crate::narrowing::narrows(crate::narrowing::S3_NARROWING_KEYS, k, vs)
            || crate::narrowing::narrows(NARROWING_BEYOND_S3, k, vs)
    });
    Some(match r.kind {
        _ if in_org => (ExposureScope::OutsideAccount, false),
        "anonymous" | "anyPrincipal" if !narrowed => (ExposureScope::Public, true),
        "anonymous" | "anyPrincipal" => (ExposureScope::OutsideOrganization, false),
        "service" => (ExposureScope::AwsService, false),
        _ => match grantee_account(&r.principal) {
            Some(a) if in_organization(estate, a) => (ExposureScope::OutsideAccount, false),
            _ => (ExposureScope::OutsideOrganization, false),
        },
    })
}

/// Adds `r` to the findings of `e` (one per grantee and scope).
fn add(findings: &mut Vec<ExposureFinding>, estate: &Estate, e: &Exposable<'_>, sample: &str, r: WhoCanResult) {
    let Some((scope, is_public)) = scope_of(estate, e, &r) else {
        return;
    };
    let action = ExposedAction {
        action: r.action.clone(),
        access_level: r.access_level,
        decision: r.answer.decision,
        conditions: r.answer.conditions.clone(),
        description: r.answer.description.clone(),
    };
    let stand_in_principal = matches!(r.kind, "anyPrincipal" | "account");
    let witness = r.answer.witness.as_ref().map(|w| WitnessRequest {
        principal: match r.kind {
            "anonymous" => "anonymous".into(),
            "anyPrincipal" => stand_in(OUTSIDE_ACCOUNT).into(),
            "account" => stand_in(grantee_account(&r.principal).unwrap_or(OUTSIDE_ACCOUNT)).into(),
            "federated" => serde_json::json!({ "Federated": r.principal }),
            "canonicalUser" => serde_json::json!({ "CanonicalUser": r.principal }),
            _ => r.principal.clone().into(),
        },
        action: r.action.clone(),
        resource: sample.to_string(),
        context: w.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        policies: stand_in_principal.then(|| {
            serde_json::json!({ "identity": [serde_json::from_str::<serde_json::Value>(STAND_IN_POLICY).unwrap_or_default()] })
        }),
    });
    if let Some(f) = findings
        .iter_mut()
        .find(|f| f.principal == r.principal && f.principal_kind == r.kind && f.scope == scope)
    {
        if !f.actions.iter().any(|a| a.action == action.action) {
            f.actions.push(action);
        }
        if f.witness.is_none() {
            f.witness = witness;
        }
        return;
    }
    findings.push(ExposureFinding {
        resource: e.arn.to_string(),
        resource_type: e.resource_type,
        resource_owner_account: (!e.account.is_empty()).then(|| e.account.to_string()),
        principal: r.principal.clone(),
        principal_kind: r.kind,
        scope,
        is_public,
        actions: vec![action],
        witness,
        policy_location: e.policy.map(|p| {
            let l = p.location();
            format!("{}:{}:{}", p.source().name(), l.line, l.column)
        }),
    });
}

/// Whether account `id` is a member of the estate's organization.
fn in_organization(estate: &Estate, id: &str) -> bool {
    estate.account_of(id).is_some_and(|(_, a)| !a.parents.is_empty())
}
