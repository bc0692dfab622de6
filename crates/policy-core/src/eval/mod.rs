//! Evaluation: one statement → applies or not; the policy types → one decision
//! (SEMANTICS §3, §6, §7).
//!
//! - [`matching`]: one statement against the request (action, resource, condition),
//!   and the run over the applicable policies; [`principal`]: `Principal` and
//!   `NotPrincipal`.
//! - [`organizations`]: where SCPs and RCPs apply.
//! - One module per service's own rules, each citing its AWS pages: [`s3`] (Block Public
//!   Access, ACLs), [`kms`] (key policies, grants, reserved aliases), [`sts`] (trust
//!   policies, refusals), [`iam`] (resources AWS owns, writes IAM refuses).
//!   A new service's rules are one new file here.
//! - [`evaluate_with`]: the combination of policy types, one `match` with a comment per
//!   arm.
//!
//! AWS sources:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>.

mod facts;
mod iam;
mod kms;
mod labels;
mod matching;
mod organizations;
mod principal;
mod s3;
mod set_index;
mod sts;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use smallvec::SmallVec;

use crate::condition::Missing;
use crate::policy::{Effect, Policy};
use crate::request::{PrincipalKind, Request};
pub(crate) use facts::ActionFacts;
use facts::Facts;
pub(crate) use kms::constrained_grants;
pub(crate) use labels::{push_num, VerdictLabel};
use matching::Run;
pub(crate) use matching::{
    atom_value, indeterminate_why, statement_applies_partial, Atom, Ctx, Hit, Miss, PartialMatch,
};
pub(crate) use principal::Grant;
pub(crate) use s3::policy_is_public;
pub use set_index::SetIndex;
use set_index::SetRow;

/// A [`Reason`] whose rule id and message are fixed text (`$rule` a literal, the message
/// literals joined as `concat!` joins them): the message is checked at compile time to
/// need no escaping in a JSON string ([`crate::json_out::plain`]; a `"`, `\\` or
/// control character fails the build), and the reason's JSON item is made at compile
/// time too ([`Reason::json`]), so that the batch writer copies it whole.
macro_rules! fixed_reason {
    ($rule:literal, $($message:literal),+ $(,)?) => {{
        const JSON: &str = concat!("{\"rule\":\"", $rule, "\",\"message\":\"", $($message),+, "\"}");
        const _: () = assert!(
            crate::json_out::plain(concat!($rule, $($message),+)),
            "a fixed reason's rule id and message must need no JSON escaping"
        );
        Reason {
            rule: $rule,
            message: Cow::Borrowed(concat!($($message),+)),
            json: Some(JSON),
        }
    }};
}

/// A fixed [`Reason`] of rule `$rule`: `$prefix` followed by what the principal's side
/// lacks (`$gap`, a [`Gap`]).
macro_rules! gap_reason {
    ($rule:literal, $prefix:literal, $gap:expr) => {
        match $gap {
            Gap::Identity => fixed_reason!($rule, $prefix, "no identity-based policy allows the action"),
            Gap::Boundary => fixed_reason!($rule, $prefix, "the permissions boundary does not allow it (S-EVAL-7)"),
            Gap::FederatedSession => fixed_reason!(
                $rule,
                $prefix,
                "the federated user's session policy is missing or does not allow it: the session has only what the session policy allows (S-EVAL-8)"
            ),
            Gap::Session => fixed_reason!($rule, $prefix, "the session policy does not allow it (S-EVAL-8)"),
            Gap::Other => fixed_reason!($rule, $prefix, "the principal's own policies do not allow it"),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// Something that decided: a statement, or a grant that is not a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decider {
    Statement(PolicySlot, usize),
    KmsGrant(usize),
    AclGrant(usize),
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

/// A policy type's (or level's) verdict with its detail.
#[derive(Debug, Clone)]
pub(crate) struct TypeVerdict {
    pub(crate) label: VerdictLabel,
    pub(crate) verdict: Verdict,
    pub(crate) detail: Option<&'static str>,
}

/// The per-type verdicts of an evaluation, in order, with a key that tells the list
/// apart from others: seven bits per verdict, its [`crate::explain::verdict_code`]
/// (never 0), so up to nine verdicts; none for a longer list or one with a verdict
/// without a code. The key is kept up to date as verdicts are pushed, where each
/// verdict's label is known, and the batch writer finds a list it wrote lately by it:
/// folding it per answer in the writer cost about 110 instructions with six verdicts,
/// keeping it costs most of that back (realistic 8,512 → 8,502 per line,
/// `scripts/bench-icount.sh batch`), and the writer no longer walks the list to find it.
#[derive(Debug, Clone)]
pub(crate) struct Verdicts {
    list: SmallVec<[TypeVerdict; 8]>,
    /// The key of `list` (see the type's documentation).
    key: Option<u64>,
}

impl Default for Verdicts {
    fn default() -> Self {
        Verdicts {
            list: SmallVec::new(),
            // The key of no verdicts.
            key: Some(0),
        }
    }
}

impl Verdicts {
    /// Appends `v`, and its code to the key (none past nine verdicts or for a verdict
    /// without a code).
    #[inline]
    pub(crate) fn push(&mut self, v: TypeVerdict) {
        self.key = match self.key {
            Some(key) if self.list.len() < 9 => crate::explain::verdict_code(&v).map(|c| (key << 7) | c),
            _ => None,
        };
        self.list.push(v);
    }

    /// No verdicts, the room kept.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.key = Some(0);
    }

    /// The list's key (see the type's documentation).
    pub(crate) fn key(&self) -> Option<u64> {
        self.key
    }
}

impl std::ops::Deref for Verdicts {
    type Target = [TypeVerdict];
    fn deref(&self) -> &[TypeVerdict] {
        &self.list
    }
}

impl FromIterator<TypeVerdict> for Verdicts {
    fn from_iter<I: IntoIterator<Item = TypeVerdict>>(iter: I) -> Self {
        let mut out = Verdicts::default();
        for v in iter {
            out.push(v);
        }
        out
    }
}

/// A step of the reasoning, citing its rule. Made with [`Reason::new`] (or, inside
/// this crate, with its JSON made at compile time by `fixed_reason!`).
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Rule id in docs/SEMANTICS.md.
    pub rule: &'static str,
    /// What happened, in words.
    pub message: Cow<'static, str>,
    /// The reason as the JSON object `{"rule":…,"message":…}`, when both are fixed text
    /// checked at compile time (`fixed_reason!`): the batch writer copies it whole
    /// instead of writing and escaping the message. Not part of the reason's value
    /// (equality, serialization).
    #[serde(skip)]
    pub(crate) json: Option<&'static str>,
}

impl Reason {
    /// The step of rule `rule` (a rule id of docs/SEMANTICS.md) with `message`.
    pub fn new(rule: &'static str, message: impl Into<Cow<'static, str>>) -> Reason {
        Reason {
            rule,
            message: message.into(),
            json: None,
        }
    }
}

/// Equal when rule and message are (however the reason was made).
impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        self.rule == other.rule && self.message == other.message
    }
}

impl Eq for Reason {}

/// The outcome of one evaluation, borrowing the policies.
#[derive(Debug, Clone)]
pub struct Evaluation<'p> {
    pub(crate) decision: Decision,
    pub(crate) deciding: SmallVec<[Decider; 8]>,
    pub(crate) verdicts: Verdicts,
    pub(crate) reasons: SmallVec<[Reason; 2]>,
    /// What the service refuses whatever the policies say (S-IAM-1, S-IAM-2, S-KMS-6):
    /// reported beside the decision, never turned into one.
    pub(crate) service_constraints: SmallVec<[Reason; 1]>,
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

/// Options for [`evaluate_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// Also record, for every statement whose action matched but which did not apply,
    /// which part failed (for "why not" explanations). Off on the hot path.
    pub near_misses: bool,
}

/// Decides `req` against `policies` (explanation without near misses).
pub fn evaluate<'p>(policies: &'p PolicySet, req: &Request) -> Evaluation<'p> {
    evaluate_with(policies, req, EvalOptions::default())
}

/// Which policy types apply to the request, and why not when they do not.
struct Scope {
    /// Identity-based policies: IAM users, roles and their sessions.
    identity: bool,
    /// The permissions boundary: given, and the caller is an IAM identity.
    boundary: bool,
    /// The session policy: given, and the caller is a session (a role ARN counts as a
    /// session of the role, S-EVAL-8).
    session: bool,
    scp_exempt: Option<&'static str>,
    rcp_exempt: Option<&'static str>,
}

impl Scope {
    fn new(policies: &PolicySet, req: &Request, facts: &Facts) -> Scope {
        use PrincipalKind as K;
        let kind = req.principal.kind;
        let iam_identity = matches!(kind, K::User | K::Role | K::AssumedRole | K::FederatedUser);
        Scope {
            identity: iam_identity,
            boundary: iam_identity && policies.permissions_boundary.is_some(),
            session: matches!(kind, K::AssumedRole | K::Role | K::FederatedUser) && policies.session.is_some(),
            scp_exempt: organizations::scp_exemption(req, facts),
            rcp_exempt: organizations::rcp_exemption(req, facts),
        }
    }
}

/// Decides `req` against `policies`.
///
/// Never fails: what cannot be decided (an unknown operator) is recorded and resolved
/// fail-closed (S-COND-8). The order follows AWS's evaluation logic: S-STS-2, explicit
/// deny (S-EVAL-1), SCPs (S-EVAL-2), VPC endpoint policies (S-EVAL-4), the requests a
/// service refuses whatever the policies say (S-STS-4, S-KMS-5), then the same-account
/// or cross-account combination (S-EVAL-5 … S-EVAL-10, S-KMS-*, S-STS-1, S-S3-*).
/// RCPs (S-EVAL-3) act only through their `Deny` statements.
pub fn evaluate_with<'p>(policies: &'p PolicySet, req: &Request, opts: EvalOptions) -> Evaluation<'p> {
    let mut ev = Evaluation::empty();
    // Filled in place: the evaluation (about a kilobyte) is not copied on its way out.
    fill(policies, NoRow, req, opts, &mut ev);
    ev
}

/// [`evaluate`] with `index`, a [`SetIndex`] of `policies` built when they were
/// loaded: the same decision and explanation, found with one look-up of the action
/// for the whole set. Where `policies` has changed since the index was built (a
/// policy replaced, moved, added or removed), the policies that are not the index's
/// own at their place are matched through their own index: the result is the same
/// whatever the index.
pub fn evaluate_indexed<'p>(policies: &'p PolicySet, index: &SetIndex, req: &Request) -> Evaluation<'p> {
    let mut ev = Evaluation::empty();
    evaluate_into(policies, Some(index), req, EvalOptions::default(), &mut ev);
    ev
}

/// [`evaluate_with`] (with `index`, as [`evaluate_indexed`], when given) into `ev`,
/// which is cleared first: a caller deciding many requests against one set reuses
/// one evaluation (about a kilobyte) instead of receiving a new one for each.
pub fn evaluate_into<'p>(
    policies: &'p PolicySet,
    index: Option<&SetIndex>,
    req: &Request,
    opts: EvalOptions,
    ev: &mut Evaluation<'p>,
) {
    ev.clear();
    match index {
        Some(index) => fill(policies, index.row(policies, &req.action), req, opts, ev),
        None => fill(policies, NoRow, req, opts, ev),
    }
}

/// Where the policies of a set have the candidates of the request's action, when that
/// is known ([`SetRow`]) or not ([`NoRow`]): evaluation is compiled once for each, so
/// that evaluating without an index tests nothing per policy about one.
trait Rows: Copy {
    /// Where the `k`th policy of the set (in [`slots`] order), `policy`, has the
    /// candidates of the request's action, if known.
    fn range(&self, k: usize, policy: &Policy) -> Option<(u32, u32)>;
}

/// No [`SetIndex`]: each policy's own index is asked.
#[derive(Clone, Copy)]
struct NoRow;

impl Rows for NoRow {
    #[inline(always)]
    fn range(&self, _: usize, _: &Policy) -> Option<(u32, u32)> {
        None
    }
}

impl Rows for Option<SetRow<'_>> {
    #[inline(always)]
    fn range(&self, k: usize, policy: &Policy) -> Option<(u32, u32)> {
        self.and_then(|r| r.range(k, policy))
    }
}

/// [`evaluate_into`] into `ev`, an [`Evaluation::empty`]. Not inlined: `ev` is then
/// built where the caller wants it, not on this function's stack and copied out.
#[inline(never)]
fn fill<'p, R: Rows>(policies: &'p PolicySet, row: R, req: &Request, opts: EvalOptions, ev: &mut Evaluation<'p>) {
    if sts::always_allowed(req) {
        ev.decision = Decision::Allow;
        ev.reasons.push(fixed_reason!(
            "S-STS-2",
            "`sts:GetCallerIdentity` is always allowed, whatever the policies say"
        ));
        return;
    }
    let prep = Prepared::new(policies, req);
    prep.service_constraints(req, &mut ev.service_constraints);
    let mut run = prep.run(req, opts, ev);
    run_policies(policies, &prep, &mut run, row);
    ev.missing = run.missing;
    // Ordered as their lower-cased text, without building it.
    ev.missing.sort_unstable_by(|a, b| {
        a.key
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.key.bytes().map(|c| c.to_ascii_lowercase()))
    });
    ev.missing.dedup_by(|a, b| a.key.eq_ignore_ascii_case(b.key));
    ev.indeterminate = run.indeterminate;
    ev.misses = run.misses;
    decide(policies, &prep, &run.cx, &run.hits, ev);
}

/// What evaluation works out about a request before matching statements.
pub(crate) struct Prepared<'r> {
    parts: Option<[&'r str; 6]>,
    facts: Facts,
    scope: Scope,
    /// The partition a bare account id in a `Principal` means: the resource's.
    partition: &'r str,
}

impl<'r> Prepared<'r> {
    #[inline]
    pub(crate) fn new(policies: &PolicySet, req: &'r Request) -> Prepared<'r> {
        let parts = req.resource_parts();
        let facts = Facts::new(req, parts.as_ref());
        let scope = Scope::new(policies, req, &facts);
        let partition = parts.as_ref().map_or(req.principal.partition.as_str(), |x| x[1]);
        Prepared {
            parts,
            facts,
            scope,
            partition,
        }
    }

    /// What the services refuse whatever the policies say (S-IAM-1, S-IAM-2, S-KMS-6),
    /// into `out` (pushed one by one: an iterator over the two, most often both
    /// absent, cost about a hundred instructions per evaluation).
    fn service_constraints(&self, req: &Request, out: &mut SmallVec<[Reason; 1]>) {
        if let Some(r) = iam::constraint(req, self.parts.as_ref()) {
            out.push(r);
        }
        if let Some(r) = kms::alias_constraint(req, self.parts.as_ref()) {
            out.push(r);
        }
    }

    /// A run over the policies, nothing collected yet, collecting into the lists of
    /// `ev` (taken, emptied; [`fill`] gives them back): an evaluation reused for many
    /// requests ([`evaluate_into`]) reuses their room instead of allocating them anew
    /// for each request that lacks a key.
    #[inline]
    pub(crate) fn run<'p>(&self, req: &'r Request, opts: EvalOptions, ev: &mut Evaluation<'p>) -> Run<'p, 'r> {
        // (`ev` is empty: `fill`'s callers give a new or cleared evaluation.)
        Run {
            cx: self.context(req, opts),
            hits: SmallVec::new(),
            missing: std::mem::take(&mut ev.missing),
            indeterminate: std::mem::take(&mut ev.indeterminate),
            misses: std::mem::take(&mut ev.misses),
        }
    }

    /// The statement-matching context.
    #[inline]
    pub(crate) fn context(&self, req: &'r Request, opts: EvalOptions) -> Ctx<'r> {
        Ctx {
            req,
            parts: self.parts,
            partition: self.partition,
            has_boundary: self.scope.boundary,
            opts,
        }
    }

    /// Whether the policy in `slot` applies to the request at all (identity-based
    /// policies to IAM identities, SCPs outside their exemptions…).
    pub(crate) fn applies(&self, slot: PolicySlot) -> bool {
        match slot {
            PolicySlot::Identity(_) => self.scope.identity,
            PolicySlot::Resource | PolicySlot::VpcEndpoint(_) => true,
            PolicySlot::PermissionsBoundary => self.scope.boundary,
            PolicySlot::Session => self.scope.session,
            PolicySlot::Scp(..) => self.scope.scp_exempt.is_none(),
            PolicySlot::Rcp(..) => self.scope.rcp_exempt.is_none(),
        }
    }
}

impl Evaluation<'_> {
    /// No decision yet (an implicit deny), nothing recorded.
    pub(crate) fn empty() -> Self {
        Evaluation {
            decision: Decision::ImplicitDeny,
            deciding: SmallVec::new(),
            verdicts: Verdicts::default(),
            reasons: SmallVec::new(),
            service_constraints: SmallVec::new(),
            missing: Vec::new(),
            indeterminate: Vec::new(),
            misses: Vec::new(),
        }
    }

    /// Back to [`Evaluation::empty`], keeping the room of its lists.
    fn clear(&mut self) {
        // Every field named: a new one must be cleared here too.
        let Evaluation {
            decision,
            deciding,
            verdicts,
            reasons,
            service_constraints,
            missing,
            indeterminate,
            misses,
        } = self;
        *decision = Decision::ImplicitDeny;
        deciding.clear();
        verdicts.clear();
        reasons.clear();
        service_constraints.clear();
        missing.clear();
        indeterminate.clear();
        misses.clear();
    }
}

impl Default for Evaluation<'_> {
    /// An evaluation to fill with [`evaluate_into`]: no decision yet (an implicit
    /// deny), nothing recorded.
    fn default() -> Self {
        Evaluation::empty()
    }
}

/// The combination (S-EVAL-1 … S-EVAL-12 and the service rules): the decision from the
/// statements that apply (`hits`), into `ev`. Depends on `hits` only through which
/// `Deny`s apply and which groups of `Allow`s have one (each policy type, each SCP level
/// and VPC endpoint policy, the resource-based policy by how it names the caller).
#[inline]
pub(crate) fn decide<'p>(
    policies: &'p PolicySet,
    prep: &Prepared<'_>,
    cx: &Ctx<'_>,
    hits: &[Hit],
    ev: &mut Evaluation<'p>,
) {
    let req = cx.req;
    let p = &req.principal;
    let (facts, scope, partition) = (&prep.facts, &prep.scope, prep.partition);
    let groups = HitGroups::new(hits);
    let gaps = verdicts(policies, scope, hits, &groups, ev);
    let allows_in = |g: VerdictLabel| groups.has(hits, g, Effect::Allow);

    // S-EVAL-1: explicit deny anywhere.
    if groups.any_deny {
        ev.decision = Decision::ExplicitDeny;
        ev.deciding.extend(
            hits.iter()
                .filter(|h| h.effect == Effect::Deny)
                .map(|h| Decider::Statement(h.slot, h.index)),
        );
        ev.reasons.push(fixed_reason!(
            "S-EVAL-1",
            "a matching `Deny` statement overrides every allow"
        ));
        if scope.boundary
            && hits
                .iter()
                .any(|h| h.effect == Effect::Deny && excluded_but_for_boundary(policies, h, cx))
        {
            ev.reasons.push(fixed_reason!(
                "S-MATCH-3a",
                "a `Deny` with `NotPrincipal` applies to this principal although it is listed: `NotPrincipal` with `Deny` always denies a principal that has a permissions boundary"
            ));
        }
        return;
    }
    // S-EVAL-2: every SCP level needs an allow.
    if let Some(l) = gaps.scp_level {
        ev.implicit_deny(Reason::new(
            "S-EVAL-2",
            format!(
                "SCP level {l} has no `Allow` for `{}`: every level of the organization path must allow",
                req.action.text
            ),
        ));
        return;
    }
    // S-EVAL-4: every VPC endpoint policy must allow.
    if let Some(i) = gaps.vpc_endpoint {
        ev.implicit_deny(Reason::new(
            "S-EVAL-4",
            format!("VPC endpoint policy {i} does not allow the request"),
        ));
        return;
    }
    if let Some(why) = sts::refusal(req, facts.role_trust) {
        ev.implicit_deny(Reason::new("S-STS-4", why));
        return;
    }
    let p_account = p.account.as_deref();
    // Accounts of different partitions are different accounts (S-MATCH-3).
    let same_account = p_account.is_some() && p_account == req.resource_account.as_deref() && p.partition == partition;
    // S-KMS-5: key management operations are never allowed across accounts.
    if facts.kms_key && p_account.is_some() && !same_account && !kms::allowed_across_accounts(req) {
        ev.implicit_deny(Reason::new(
            "S-KMS-5",
            format!(
                "`{}` cannot be used on a KMS key of another account, whatever the policies say",
                req.action.text
            ),
        ));
        return;
    }

    // The resource side: the resource-based policy's allows (with how they name the
    // caller), ACL grants (S-S3-2) unless Block Public Access takes them away (S-S3-1),
    // and KMS grants (S-KMS-3).
    let mut grants = GrantKinds::default();
    for h in hits {
        if matches!(h.slot, PolicySlot::Resource) && h.effect == Effect::Allow {
            grants.add(h.grant.unwrap_or(Grant::Everyone));
        }
    }
    let mut grant_deciders: SmallVec<[Decider; 4]> = SmallVec::new();
    for (i, g) in s3::acl_grants(req) {
        grants.add(g);
        grant_deciders.push(Decider::AclGrant(i));
    }
    let public_blocked = s3::public_access_blocked(policies, req, same_account);
    if public_blocked {
        grants = GrantKinds::default();
        grant_deciders.clear();
        ev.reasons.push(fixed_reason!(
            "S-S3-1",
            "Block Public Access `RestrictPublicBuckets` is on and the bucket policy is public: it grants nothing to anonymous callers or other accounts"
        ));
    }
    // The principal's side: identity-based policies, boundary, session policy.
    let identity_allow = p.kind == PrincipalKind::Root || (scope.identity && allows_in(VerdictLabel::Identity));
    let boundary_ok = !scope.boundary || allows_in(VerdictLabel::PermissionsBoundary);
    let session_ok = if p.kind == PrincipalKind::FederatedUser {
        // A federated user session created without a session policy has no permissions
        // of its own (S-EVAL-8).
        scope.session && allows_in(VerdictLabel::Session)
    } else {
        !scope.session || allows_in(VerdictLabel::Session)
    };
    // S-KMS-3: a grant whose grantee is the caller's role (not the session) is limited by
    // the session's permissions boundary and session policy, as a resource-based policy
    // naming the role is (S-EVAL-5).
    let kms_grant_allows = facts.kms_key && {
        let allowing = kms::allowing_grants(req, partition);
        let limits_ok = boundary_ok && session_ok;
        let before = grant_deciders.len();
        grant_deciders.extend(
            allowing
                .iter()
                .filter(|(_, g)| *g == Grant::Direct || limits_ok)
                .map(|&(i, _)| Decider::KmsGrant(i)),
        );
        grant_deciders.len() > before
    };
    let side = Sides {
        principal_side: identity_allow && boundary_ok && session_ok,
        boundary_ok,
        limits_ok: boundary_ok && session_ok,
        direct: grants.direct,
        via_role: grants.role,
        via_account: grants.account,
        any_grant: grants.any,
        gap: principal_side_gap(identity_allow, boundary_ok, session_ok, p.kind),
        role_gap: principal_side_gap(true, boundary_ok, session_ok, p.kind),
    };
    let caller = if !matches!(
        p.kind,
        PrincipalKind::Root
            | PrincipalKind::User
            | PrincipalKind::Role
            | PrincipalKind::AssumedRole
            | PrincipalKind::FederatedUser
    ) {
        Caller::ResourceOnly
    } else if req.aws_owned_resource {
        Caller::AwsResource
    } else if same_account {
        Caller::SameAccount
    } else {
        Caller::CrossAccount
    };
    let root_of_access = if facts.kms_key {
        Some(RootOfAccess::KeyPolicy)
    } else if facts.role_trust {
        Some(RootOfAccess::TrustPolicy)
    } else {
        None
    };

    let allowed: Result<Reason, Reason> = match (caller, root_of_access, kms_grant_allows) {
        // S-KMS-3: a grant allows its grantee the grant's operations on the key.
        (_, _, true) => Ok(fixed_reason!(
            "S-KMS-3",
            "a KMS grant gives the principal this operation on the key"
        )),
        // S-EVAL-10 and S-STS-3: callers without identity policies need a resource-based
        // policy (or ACL) that names them or `*`.
        (Caller::ResourceOnly, _, false) => decide_resource_only(p.kind, side.direct),
        // S-KMS-1 / S-STS-1: in the same account, the key policy or trust policy is the
        // root of access: IAM policies count only where it delegates to the account.
        (Caller::SameAccount, Some(root), false) => decide_same_account_root(root, &side),
        // S-EVAL-5: same account, either side suffices, with the principal-type rules;
        // S-EVAL-9: the root user is allowed in its own account.
        (Caller::SameAccount, None, false) => decide_same_account(p.kind, scope, &side),
        // S-EVAL-6 (with S-KMS-2, S-STS-1): cross account, both sides must allow.
        (Caller::CrossAccount, _, false) => decide_cross_account(&side),
        // S-EVAL-12: a resource AWS owns has no resource-based policy; the principal's
        // own policies decide.
        (Caller::AwsResource, _, false) => decide_aws_resource(&side),
    };
    match allowed {
        Ok(reason) => {
            ev.decision = Decision::Allow;
            ev.reasons.push(reason);
            ev.deciding.extend(
                hits.iter()
                    .filter(|h| {
                        h.effect == Effect::Allow
                            && !matches!(h.slot, PolicySlot::Rcp(..))
                            && !(public_blocked && matches!(h.slot, PolicySlot::Resource))
                    })
                    .map(|h| Decider::Statement(h.slot, h.index)),
            );
            ev.deciding.extend(grant_deciders);
        }
        Err(reason) => ev.implicit_deny(reason),
    }
}

/// S-STS-2: `sts:GetCallerIdentity` is always allowed.
pub(crate) fn always_allowed(req: &Request) -> bool {
    sts::always_allowed(req)
}

/// Every policy of `policies` with its slot, in evaluation order.
pub(crate) fn slots(policies: &PolicySet) -> impl Iterator<Item = (PolicySlot, &Arc<Policy>)> {
    let identity = policies
        .identity
        .iter()
        .enumerate()
        .map(|(i, p)| (PolicySlot::Identity(i), p));
    let resource = policies.resource.iter().map(|p| (PolicySlot::Resource, p));
    let boundary = policies
        .permissions_boundary
        .iter()
        .map(|p| (PolicySlot::PermissionsBoundary, p));
    let session = policies.session.iter().map(|p| (PolicySlot::Session, p));
    let scp = levels(&policies.scp, PolicySlot::Scp);
    let rcp = levels(&policies.rcp, PolicySlot::Rcp);
    let vpce = policies
        .vpc_endpoint
        .iter()
        .enumerate()
        .map(|(i, p)| (PolicySlot::VpcEndpoint(i), p));
    identity
        .chain(resource)
        .chain(boundary)
        .chain(session)
        .chain(scp)
        .chain(rcp)
        .chain(vpce)
}

/// The policies of SCP or RCP levels with their slots.
fn levels(
    levels: &[Vec<Arc<Policy>>],
    slot: fn(usize, usize) -> PolicySlot,
) -> impl Iterator<Item = (PolicySlot, &Arc<Policy>)> {
    levels
        .iter()
        .enumerate()
        .flat_map(move |(l, level)| level.iter().enumerate().map(move |(i, p)| (slot(l, i), p)))
}

/// Evaluates every applicable policy once, into `run`: the policies of [`slots`]
/// where [`Prepared::applies`], written out type by type (an iterator chain over the
/// slots costs about a tenth more instructions per evaluation).
fn run_policies<'p, R: Rows>(policies: &'p PolicySet, prep: &Prepared<'_>, run: &mut Run<'p, '_>, row: R) {
    let scope = &prep.scope;
    // `k`: the policy's place in [`slots`] order, where `row` has its candidates.
    let policy = |run: &mut Run<'p, '_>, slot: PolicySlot, k: usize, pol: &'p Policy| match row.range(k, pol) {
        Some(range) => run.policy_in(slot, pol, range),
        None => run.policy(slot, pol),
    };
    let mut k = 0;
    if scope.identity {
        for (i, pol) in policies.identity.iter().enumerate() {
            policy(run, PolicySlot::Identity(i), k + i, pol);
        }
    }
    k += policies.identity.len();
    if let Some(pol) = &policies.resource {
        policy(run, PolicySlot::Resource, k, pol);
        k += 1;
    }
    if let Some(pol) = &policies.permissions_boundary {
        if scope.boundary {
            policy(run, PolicySlot::PermissionsBoundary, k, pol);
        }
        k += 1;
    }
    if let Some(pol) = &policies.session {
        if scope.session {
            policy(run, PolicySlot::Session, k, pol);
        }
        k += 1;
    }
    for (l, level) in policies.scp.iter().enumerate() {
        if scope.scp_exempt.is_none() {
            for (i, pol) in level.iter().enumerate() {
                policy(run, PolicySlot::Scp(l, i), k + i, pol);
            }
        }
        k += level.len();
    }
    for (l, level) in policies.rcp.iter().enumerate() {
        if scope.rcp_exempt.is_none() {
            for (i, pol) in level.iter().enumerate() {
                policy(run, PolicySlot::Rcp(l, i), k + i, pol);
            }
        }
        k += level.len();
    }
    for (i, pol) in policies.vpc_endpoint.iter().enumerate() {
        policy(run, PolicySlot::VpcEndpoint(i), k + i, pol);
    }
}

/// Which verdict groups (policy types, SCP/RCP levels, VPC endpoint policies: a
/// [`VerdictLabel`] each) have an applying `Allow` and which a `Deny`, from one pass
/// over the hits (the combination asks about each group several times).
struct HitGroups {
    allow: u64,
    deny: u64,
    any_deny: bool,
}

impl HitGroups {
    fn new(hits: &[Hit]) -> HitGroups {
        let mut g = HitGroups {
            allow: 0,
            deny: 0,
            any_deny: false,
        };
        for h in hits {
            let bit = VerdictLabel::of(h.slot).bit().unwrap_or(0);
            match h.effect {
                Effect::Allow => g.allow |= bit,
                Effect::Deny => {
                    g.deny |= bit;
                    g.any_deny = true;
                }
            }
        }
        g
    }

    /// Whether a statement of `group` with `effect` applies.
    fn has(&self, hits: &[Hit], group: VerdictLabel, effect: Effect) -> bool {
        match group.bit() {
            Some(bit) => {
                let mask = match effect {
                    Effect::Allow => self.allow,
                    Effect::Deny => self.deny,
                };
                mask & bit != 0
            }
            None => hits
                .iter()
                .any(|h| h.effect == effect && VerdictLabel::of(h.slot) == group),
        }
    }
}

/// The first SCP level and VPC endpoint policy without an allow.
struct Gaps {
    scp_level: Option<usize>,
    vpc_endpoint: Option<usize>,
}

/// Each policy type's (and SCP/RCP level's) own verdict, into `ev.verdicts`.
fn verdicts(policies: &PolicySet, scope: &Scope, hits: &[Hit], groups: &HitGroups, ev: &mut Evaluation<'_>) -> Gaps {
    let verdict_of = |g: VerdictLabel| {
        if groups.has(hits, g, Effect::Deny) {
            Verdict::ExplicitDeny
        } else if groups.has(hits, g, Effect::Allow) {
            Verdict::Allow
        } else {
            Verdict::ImplicitDeny
        }
    };
    let mut push = |label, verdict, detail| {
        ev.verdicts.push(TypeVerdict { label, verdict, detail });
    };
    if !policies.identity.is_empty() || scope.identity {
        if scope.identity {
            push(VerdictLabel::Identity, verdict_of(VerdictLabel::Identity), None);
        } else {
            push(
                VerdictLabel::Identity,
                Verdict::NotApplicable,
                Some("identity-based policies apply only to IAM users, roles and their sessions"),
            );
        }
    }
    if policies.resource.is_some() {
        push(VerdictLabel::Resource, verdict_of(VerdictLabel::Resource), None);
    }
    if policies.permissions_boundary.is_some() {
        if scope.boundary {
            push(
                VerdictLabel::PermissionsBoundary,
                verdict_of(VerdictLabel::PermissionsBoundary),
                None,
            );
        } else {
            push(
                VerdictLabel::PermissionsBoundary,
                Verdict::NotApplicable,
                Some("permissions boundaries apply to IAM users and roles only"),
            );
        }
    }
    if policies.session.is_some() {
        if scope.session {
            push(VerdictLabel::Session, verdict_of(VerdictLabel::Session), None);
        } else {
            push(
                VerdictLabel::Session,
                Verdict::NotApplicable,
                Some("session policies apply to role and federated-user sessions only"),
            );
        }
    }
    let mut gaps = Gaps {
        scp_level: None,
        vpc_endpoint: None,
    };
    for l in 0..policies.scp.len() {
        match scope.scp_exempt {
            Some(why) => push(VerdictLabel::Scp(l), Verdict::NotApplicable, Some(why)),
            None => {
                let v = verdict_of(VerdictLabel::Scp(l));
                if v == Verdict::ImplicitDeny && gaps.scp_level.is_none() {
                    gaps.scp_level = Some(l);
                }
                push(VerdictLabel::Scp(l), v, None);
            }
        }
    }
    for l in 0..policies.rcp.len() {
        match scope.rcp_exempt {
            Some(why) => push(VerdictLabel::Rcp(l), Verdict::NotApplicable, Some(why)),
            None if groups.has(hits, VerdictLabel::Rcp(l), Effect::Deny) => {
                push(VerdictLabel::Rcp(l), Verdict::ExplicitDeny, None);
            }
            None => push(
                VerdictLabel::Rcp(l),
                Verdict::NoDeny,
                Some("RCPFullAWSAccess is implied; RCPs only deny (S-EVAL-3)"),
            ),
        }
    }
    for i in 0..policies.vpc_endpoint.len() {
        let v = verdict_of(VerdictLabel::VpcEndpoint(i));
        if v == Verdict::ImplicitDeny && gaps.vpc_endpoint.is_none() {
            gaps.vpc_endpoint = Some(i);
        }
        push(VerdictLabel::VpcEndpoint(i), v, None);
    }
    gaps
}

/// Who the caller is relative to the resource.
#[derive(Debug, Clone, Copy)]
enum Caller {
    /// Anonymous, service, web-identity/SAML provider, canonical user: no identity side.
    ResourceOnly,
    SameAccount,
    CrossAccount,
    /// The resource belongs to AWS (account `aws`: AWS managed policies), S-EVAL-12.
    AwsResource,
}

/// A resource-based policy without which IAM policies grant nothing (S-KMS-1, S-STS-1).
#[derive(Debug, Clone, Copy)]
enum RootOfAccess {
    KeyPolicy,
    TrustPolicy,
}

/// How the resource side's grants (the resource-based policy's applying allows, ACL
/// grants) name the caller: the kinds of [`Grant`] present.
#[derive(Default)]
struct GrantKinds {
    /// The caller itself, or everyone.
    direct: bool,
    role: bool,
    account: bool,
    any: bool,
}

impl GrantKinds {
    fn add(&mut self, g: Grant) {
        match g {
            Grant::Direct | Grant::Everyone => self.direct = true,
            Grant::Role => self.role = true,
            Grant::Account => self.account = true,
        }
        self.any = true;
    }
}

/// What each side of the request allows, for the combination.
struct Sides {
    /// Identity-based ∧ boundary ∧ session policy allow.
    principal_side: bool,
    /// The boundary allows (or does not apply).
    boundary_ok: bool,
    /// The boundary and session policy allow (or do not apply).
    limits_ok: bool,
    /// A resource-side grant names the caller itself, or `*`.
    direct: bool,
    /// A resource-side grant names the role (or IAM user) behind the caller's session.
    via_role: bool,
    /// A resource-side grant names the caller's account.
    via_account: bool,
    any_grant: bool,
    /// What the principal's side lacks.
    gap: Gap,
    /// What the principal's side lacks besides an identity-based allow.
    role_gap: Gap,
}

/// S-EVAL-10, S-STS-3: callers without identity policies.
fn decide_resource_only(kind: PrincipalKind, direct: bool) -> Result<Reason, Reason> {
    let rule = match kind {
        PrincipalKind::Federated => "S-STS-3",
        _ => "S-EVAL-10",
    };
    if direct {
        Ok(Reason::new(
            rule,
            format!("the resource-based policy allows the {} caller", kind_word(kind)),
        ))
    } else {
        Err(Reason::new(
            rule,
            format!(
                "a {} caller is allowed only by a resource-based policy that names it; none does",
                kind_word(kind)
            ),
        ))
    }
}

/// S-KMS-1, S-STS-1: same account, the key policy or trust policy is the root of access.
fn decide_same_account_root(root: RootOfAccess, s: &Sides) -> Result<Reason, Reason> {
    let key = matches!(root, RootOfAccess::KeyPolicy);
    // The key policy's words (S-KMS-1) or the trust policy's (S-STS-1).
    macro_rules! pick {
        ($key_text:literal, $trust_text:literal) => {
            if key {
                fixed_reason!("S-KMS-1", $key_text)
            } else {
                fixed_reason!("S-STS-1", $trust_text)
            }
        };
    }
    if s.direct && !key && !s.boundary_ok {
        // "If a permissions boundary is set for the user, then it must allow the
        // sts:AssumeRole action" (id_roles_update-role-trust-policy).
        Err(fixed_reason!(
            "S-STS-1",
            "the trust policy names the principal directly, but its permissions boundary does not allow the action: a boundary must allow `sts:AssumeRole` (S-EVAL-7)"
        ))
    } else if s.direct {
        Ok(pick!(
            "the key policy names the principal directly",
            "the trust policy names the principal directly"
        ))
    } else if s.via_role && s.limits_ok {
        Ok(pick!(
            "the key policy names the role; the boundary and session policy allow",
            "the trust policy names the role; the boundary and session policy allow"
        ))
    } else if s.via_account && s.principal_side {
        Ok(pick!(
            "the key policy allows the account, which delegates to IAM, and the principal's own policies allow",
            "the trust policy allows the account, which delegates to IAM, and the principal's own policies allow"
        ))
    } else if s.via_account || s.via_role {
        Err(if key {
            gap_reason!("S-KMS-1", "the key policy delegates to the account, but ", s.gap)
        } else {
            gap_reason!("S-STS-1", "the trust policy delegates to the account, but ", s.gap)
        })
    } else {
        Err(pick!(
            "the key policy does not allow the principal or its account: IAM policies alone grant nothing here",
            "the trust policy does not allow the principal or its account: IAM policies alone grant nothing here"
        ))
    }
}

/// S-EVAL-5, S-EVAL-9: same account, either side suffices, by how the resource side
/// names the caller.
fn decide_same_account(kind: PrincipalKind, scope: &Scope, s: &Sides) -> Result<Reason, Reason> {
    if s.direct {
        Ok(fixed_reason!("S-EVAL-5", "the resource-based policy names the principal directly (or `*`): identity-policy, boundary and session implicit denies do not limit it"))
    } else if s.via_role && s.limits_ok {
        Ok(fixed_reason!("S-EVAL-5", "the resource-based policy names the role (or the IAM user behind the session); the boundary and session policy allow"))
    } else if kind == PrincipalKind::Root && s.principal_side {
        Ok(fixed_reason!(
            "S-EVAL-9",
            "the account's root user is allowed in its own account"
        ))
    } else if s.principal_side {
        Ok(match (scope.boundary, scope.session) {
            (false, false) => fixed_reason!("S-EVAL-5", "same account: an identity-based policy allows"),
            (true, false) => fixed_reason!(
                "S-EVAL-5",
                "same account: an identity-based policy allows, the permissions boundary allows"
            ),
            (false, true) => fixed_reason!(
                "S-EVAL-5",
                "same account: an identity-based policy allows, the session policy allows"
            ),
            (true, true) => fixed_reason!(
                "S-EVAL-5",
                "same account: an identity-based policy allows, the permissions boundary allows, the session policy allows"
            ),
        })
    } else if s.via_role {
        // Grants to a role ARN (or the IAM user behind a federated session) are limited
        // by the boundary and the session policy.
        Err(gap_reason!(
            "S-EVAL-5",
            "same account: the resource-based policy names the role or IAM user behind this session, not the session itself, so the boundary and session policy still limit it: ",
            s.role_gap
        ))
    } else if s.via_account {
        Err(gap_reason!(
            "S-EVAL-5",
            "same account: the resource-based policy names only the account, which delegates to IAM policies, and ",
            s.gap
        ))
    } else {
        Err(gap_reason!(
            "S-EVAL-5",
            "same account: no resource-based policy names the principal directly, and ",
            s.gap
        ))
    }
}

/// S-EVAL-6: cross account, both sides must allow.
fn decide_cross_account(s: &Sides) -> Result<Reason, Reason> {
    if s.any_grant && s.principal_side {
        Ok(fixed_reason!(
            "S-EVAL-6",
            "cross account: the resource-based policy allows the principal and the principal's own policies allow"
        ))
    } else if !s.any_grant {
        Err(fixed_reason!(
            "S-EVAL-6",
            "cross account: the resource-based policy does not allow the principal or its account"
        ))
    } else {
        Err(gap_reason!(
            "S-EVAL-6",
            "cross account: the resource side allows, but ",
            s.gap
        ))
    }
}

/// S-EVAL-12: a resource AWS owns (account `aws`), decided by the principal's own
/// policies.
fn decide_aws_resource(s: &Sides) -> Result<Reason, Reason> {
    if s.principal_side {
        Ok(fixed_reason!("S-EVAL-12", "the resource belongs to AWS (account `aws`) and has no resource-based policy: the principal's own policies allow"))
    } else {
        Err(gap_reason!(
            "S-EVAL-12",
            "the resource belongs to AWS (account `aws`): only the principal's own policies can allow, and ",
            s.gap
        ))
    }
}

/// Whether the `Deny` hit `h` has a `NotPrincipal` that lists the caller, and applies
/// only because the caller has a permissions boundary (S-MATCH-3a).
fn excluded_but_for_boundary(policies: &PolicySet, h: &Hit, cx: &Ctx<'_>) -> bool {
    let spec = policies
        .get(h.slot)
        .and_then(|p| p.statements.get(h.index))
        .and_then(|st| st.principal.as_ref())
        .filter(|spec| spec.negated);
    spec.is_some_and(|spec| {
        principal::not_principal(spec, cx.req, cx.partition, Effect::Deny, false) == principal::NotPrincipal::Excluded
    })
}

impl<'p> Evaluation<'p> {
    /// Makes the decision an implicit deny, for `reason`.
    fn implicit_deny(&mut self, reason: Reason) {
        self.decision = Decision::ImplicitDeny;
        self.reasons.push(reason);
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
    use super::*;

    /// Every reason the combination can give, over every combination of what the sides
    /// allow: a fixed reason's JSON (made at compile time) is the JSON `serde_json`
    /// writes for its rule and message, and reasons of fixed text are all fixed.
    #[test]
    fn fixed_reasons_are_their_json() {
        use PrincipalKind as K;
        const GAPS: [Gap; 5] = [
            Gap::Identity,
            Gap::Boundary,
            Gap::FederatedSession,
            Gap::Session,
            Gap::Other,
        ];
        const KINDS: [K; 9] = [
            K::Anonymous,
            K::Root,
            K::User,
            K::Role,
            K::AssumedRole,
            K::FederatedUser,
            K::Service,
            K::Federated,
            K::CanonicalUser,
        ];
        let mut reasons = vec![];
        for bits in 0..(1u32 << 9) {
            let bit = |i: u32| bits & (1 << i) != 0;
            for gap in GAPS {
                for role_gap in GAPS {
                    let s = Sides {
                        principal_side: bit(0),
                        boundary_ok: bit(1),
                        limits_ok: bit(2),
                        direct: bit(3),
                        via_role: bit(4),
                        via_account: bit(5),
                        any_grant: bit(6),
                        gap,
                        role_gap,
                    };
                    let scope = Scope {
                        identity: true,
                        boundary: bit(7),
                        session: bit(8),
                        scp_exempt: None,
                        rcp_exempt: None,
                    };
                    for root in [RootOfAccess::KeyPolicy, RootOfAccess::TrustPolicy] {
                        reasons.push(decide_same_account_root(root, &s));
                    }
                    for kind in KINDS {
                        reasons.push(decide_same_account(kind, &scope, &s));
                        reasons.push(decide_resource_only(kind, s.direct));
                    }
                    reasons.push(decide_cross_account(&s));
                    reasons.push(decide_aws_resource(&s));
                }
            }
        }
        let mut fixed = std::collections::BTreeSet::new();
        for r in reasons.into_iter().map(|r| r.unwrap_or_else(|e| e)) {
            let serde = serde_json::to_string(&r).unwrap();
            match r.json {
                Some(json) => {
                    assert_eq!(json, serde);
                    fixed.insert(json);
                }
                // Only the reasons whose message is formatted are not fixed.
                None => assert!(matches!(r.message, Cow::Owned(_)), "{serde}"),
            }
        }
        // Each branch of each `decide_*` with fixed text was reached.
        assert_eq!(fixed.len(), 54, "{fixed:#?}");
    }
}
