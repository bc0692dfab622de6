//! One request against an estate: find every policy that applies and derive the request
//! context AWS would supply, then hand the core a [`PolicySet`] and a [`Request`].
//!
//! Per-request work is index look-ups: the principal's side (its policies, boundary,
//! SCP chain and context keys) is computed once per principal, the resource's once per
//! resource, and their combination once per pair, in a [`Resolver`]'s caches (one per
//! thread in `batch`).
//!
//! Context keys, as the AWS global condition keys page describes them
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>):
//! `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths` (principals of member accounts),
//! `aws:PrincipalTag/*` (user or role tags; session tags override them, id_session-tags),
//! `aws:userid` (a user's `UserId`, `RoleId:session` for a role session, the account id
//! for the root user, `anonymous`; reference_policies_variables, "Principal key
//! values"), `aws:ResourceOrgID`, `aws:ResourceOrgPaths`, `aws:ResourceTag/*` (key,
//! queue, topic, function, secret, role and user tags; bucket tags only when the bucket
//! has ABAC enabled, buckets-tagging-enable-abac), `kms:CallerAccount` (KMS actions,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html>),
//! `kms:RequestAlias` (a KMS request that names the key by alias), `aws:SourceVpc` (the
//! VPC of the endpoint `aws:SourceVpce` names); the core adds `aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
//! `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName` and `aws:ResourceAccount`
//! (S-EVAL-11). A key the request's context gives is never replaced.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;
use serde::Serialize;
use smallvec::SmallVec;

use super::model::{Estate, EstatePrincipalKind, PolicyRec, PrincipalRec, ResourceKind, ResourceRec};
use crate::eval::{PolicySet, PolicySlot};
use crate::explain::Response;
use crate::parse::parse_policy;
use crate::policy::{Policy, PolicyType};
use crate::request::{
    Acl, AclGrantee, AclPermission, Action, BlockPublicAccess, Context, KeyName, KmsGrant, ObjectOwnership, Principal,
    PrincipalKind, Request, RequestBuilder, RequestError,
};
use crate::span::Source;

/// One request to decide against an estate: the principal, action and resource by ARN
/// (the estate finds their policies), the request context the caller gives (it
/// overrides every derived key), and what a session adds.
#[derive(Debug, Clone, Default)]
pub struct EstateQuery {
    /// An IAM user, role or assumed-role session ARN of the estate, or any principal
    /// `Principal::parse` reads (others are evaluated with no identity-based policies).
    pub principal: String,
    /// `service:Name`.
    pub action: String,
    /// The resource ARN; `None` for `*`.
    pub resource: Option<String>,
    /// The resource's account, when neither the estate nor the ARN says.
    pub resource_account: Option<String>,
    /// Request context given by the caller.
    pub context: Context,
    /// The session policy of a role or federated-user session.
    pub session_policy: Option<Arc<Policy>>,
    /// Session tags: `aws:PrincipalTag/<key>`, overriding the role's tags.
    pub session_tags: Vec<(String, String)>,
}

/// The principal's side, computed once per principal.
#[derive(Debug)]
struct PrincipalView {
    id: u64,
    principal: Arc<Principal>,
    rec: Option<u32>,
    account: Option<u32>,
    identity: Vec<(u32, Arc<Policy>)>,
    boundary: Option<(Option<u32>, Arc<Policy>)>,
    derived: Vec<(String, Vec<String>)>,
    notes: Vec<String>,
    /// The principal is not in the snapshot (said unless the caller gave its policies).
    missing: Option<String>,
}

/// What the action asks of the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ActionClass {
    /// `sts:AssumeRole*` and the actions a trust policy governs: a role's trust policy
    /// is the resource policy.
    Trust,
    /// `kms:CreateAlias`, `UpdateAlias`, `DeleteAlias`: an alias is the resource itself.
    AliasOp,
    Other,
}

impl ActionClass {
    /// The number of classes (the last one's discriminant, plus one).
    const COUNT: usize = ActionClass::Other as usize + 1;
}

fn action_class(a: &Action) -> ActionClass {
    let name = a.name();
    match a.service() {
        "sts"
            if name.starts_with("assumerole") || matches!(name, "tagsession" | "setsourceidentity" | "setcontext") =>
        {
            ActionClass::Trust
        }
        "kms" if matches!(name, "createalias" | "updatealias" | "deletealias") => ActionClass::AliasOp,
        _ => ActionClass::Other,
    }
}

/// The resource's side, computed once per resource (and action class).
#[derive(Debug, Default)]
struct ResourceView {
    id: u64,
    /// The resource to evaluate (a KMS alias resolves to its key).
    arn: String,
    kind: Option<&'static str>,
    /// An estate resource, or a role or user of the estate.
    rec: Option<u32>,
    principal_rec: Option<u32>,
    /// The resource's account as the estate knows it.
    account: Option<String>,
    policy: Option<(u32, Arc<Policy>)>,
    derived: Vec<(String, Vec<String>)>,
    notes: Vec<String>,
    bpa: BlockPublicAccess,
    acl: Option<Acl>,
    grants: Vec<KmsGrant>,
    aws_managed_key: bool,
}

impl ResourceView {
    /// Sets the resource-based policy to estate policy `i`; one that did not parse is
    /// evaluated fail-closed ([`unreadable`]) and said.
    fn set_policy(&mut self, i: u32, rec: &PolicyRec) {
        match &rec.policy {
            Some(p) => self.policy = Some((i, p.clone())),
            None => {
                let (note, stand_in) = unreadable(rec, PolicyType::Resource);
                self.notes.push(note);
                self.policy = stand_in.map(|s| (i, s));
            }
        }
    }
}

/// A principal and resource together: the policy set and derived context, once per pair.
#[derive(Debug)]
struct Prepared {
    policies: PolicySet,
    /// The action index of `policies`, built once [`INDEX_AFTER`] of the pair's
    /// requests have been decided without it ([`Resolved::evaluate`]).
    index: OnceLock<crate::eval::SetIndex>,
    /// How many of the pair's requests were decided without the index.
    unindexed: std::sync::atomic::AtomicU32,
    slots: Vec<(PolicySlot, u32)>,
    context: Context,
    resource_account: Option<String>,
    management_account: Option<String>,
    notes: Vec<String>,
    principal: Arc<PrincipalView>,
    resource: Arc<ResourceView>,
}

/// The values of a context key a caller gave, borrowed from where it gave them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GivenValues<'a> {
    /// A context's (a query's or a request document's).
    Strings(&'a [String]),
    /// A batch line's.
    Line(&'a [&'a str]),
}

impl GivenValues<'_> {
    /// The values, copied.
    fn to_vec(self) -> Vec<String> {
        match self {
            GivenValues::Strings(v) => v.to_vec(),
            GivenValues::Line(v) => v.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    /// The value when there is exactly one.
    fn single(&self) -> Option<&str> {
        match self {
            GivenValues::Strings([one]) => Some(one),
            GivenValues::Line([one]) => Some(one),
            _ => None,
        }
    }
}

/// `n` as a `u32` (a batch line's values number far fewer).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Caches per principal, resource and pair; one per thread.
#[derive(Debug)]
pub struct Resolver<'e> {
    estate: &'e Estate,
    next_id: u64,
    principals: FxHashMap<Box<str>, Arc<PrincipalView>>,
    /// By resource text, then by [`ActionClass`] (its discriminant).
    resources: FxHashMap<Box<str>, [Option<Arc<ResourceView>>; ActionClass::COUNT]>,
    prepared: FxHashMap<PairKey, Arc<Prepared>>,
    actions: FxHashMap<Box<str>, Arc<Action>>,
    /// Context key names, lower-cased and hashed.
    keys: FxHashMap<Box<str>, KeyName>,
}

/// (principal view, resource view, VPC endpoint, KMS action).
type PairKey = (u64, u64, Option<Box<str>>, bool);

/// How many requests of one principal and resource pair [`Resolved::evaluate`]
/// decides before it builds the pair's [`crate::SetIndex`].
const INDEX_AFTER: u32 = 1024;

/// Most entries each cache keeps before it starts over.
const CACHE: usize = 8192;

/// A request resolved against an estate: the request (with derived context) and the
/// policies to decide it against, with where each came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    request: Request,
    prepared: Arc<Prepared>,
    /// The policies when they differ from the prepared set (a session policy, policies
    /// the caller gave).
    own: Option<Arc<PolicySet>>,
    /// Slots whose policies the caller replaced.
    replaced: Vec<&'static str>,
    /// The places in the pair's derived context of the keys the caller's context gave.
    given_at: Vec<usize>,
    session_tags: bool,
}

/// Where a policy of the response came from in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyOrigin {
    /// The response's label: `identity[0]`, `resource`, `scp[1][0]`…
    pub policy: String,
    /// What it is: `inline policy `s3` of role `ci``.
    pub name: String,
    /// The snapshot file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the document in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// JSON path of the document in the file.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
}

/// A principal or resource as the estate found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundEntity {
    /// The ARN evaluated.
    pub arn: String,
    /// Whether the snapshot holds it.
    pub found: bool,
    /// `user`, `role`, `bucket`, `kmsKey`…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Where it is in the snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its JSON path in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// What the estate contributed to a response: the `estate` member of `eval --estate`
/// and `batch --estate` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstateInfo {
    /// The principal.
    pub principal: FoundEntity,
    /// The resource (absent for `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<FoundEntity>,
    /// Every policy the estate supplied, by response label, with its place in the
    /// snapshot.
    pub policies: Vec<PolicyOrigin>,
    /// Every context key the engine derived (the estate's and the core's), with its
    /// values; keys the request gave are not listed.
    pub derived_context: BTreeMap<String, Vec<String>>,
    /// What the snapshot did not say and the engine assumed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
}

/// What the engine evaluates in place of a policy the snapshot does not let it read, so
/// that what it cannot read never widens access (fail-closed; SEMANTICS §10,
/// **Decided**). One mechanism for every policy type: a fixed document, parsed once,
/// put where the unreadable one would be, and the response's assumptions say which
/// document and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StandIn {
    /// Allows nothing (`Deny` with `NotAction: *`, which matches no action): for a
    /// policy that must allow — a permissions boundary, an SCP level, a VPC endpoint
    /// policy — the request is implicitly denied there.
    AllowsNothing(PolicyType),
    /// Denies every request it applies to (`Deny` `*` on `*`): for a document that may
    /// hold a `Deny` (an identity-based or resource-based policy, an RCP), whose `Deny`
    /// is taken to apply, as an undecidable `Deny` does (S-COND-8).
    DeniesAll(PolicyType),
}

/// The stand-in document `s`, parsed once per kind and policy type. `None` only if its
/// fixed text failed to parse (a unit test shows none does).
pub(crate) fn stand_in(s: StandIn) -> Option<Arc<Policy>> {
    static CACHE: [OnceLock<Option<Arc<Policy>>>; 2 * PolicyType::ALL.len()] =
        [const { OnceLock::new() }; 2 * PolicyType::ALL.len()];
    let (ty, denies) = match s {
        StandIn::AllowsNothing(t) => (t, false),
        StandIn::DeniesAll(t) => (t, true),
    };
    let slot = PolicyType::ALL.iter().position(|t| *t == ty)? * 2 + usize::from(denies);
    CACHE
        .get(slot)?
        .get_or_init(|| {
            let principal = if ty.is_principal_side() { "" } else { r#","Principal":"*""# };
            let (name, sid, action) = if denies {
                ("<fail-closed stand-in: denies every request>", "UnreadablePolicyTakenToDeny", "Action")
            } else {
                ("<fail-closed stand-in: allows nothing>", "UnreadablePolicyAllowsNothing", "NotAction")
            };
            let src = Source::new(
                name,
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{sid}","Effect":"Deny","{action}":"*","Resource":"*"{principal}}}]}}"#
                ),
            );
            parse_policy(&src, ty).ok().map(|p| Arc::new(p.policy))
        })
        .clone()
}

/// How the engine evaluates an identity-based or resource-based document `rec` that it
/// cannot read, in words, and its stand-in (SEMANTICS §10): one that may hold a `Deny`
/// is replaced by a [`StandIn::DeniesAll`]; one that holds only `Allow` statements is
/// left out, which can only narrow access.
fn unreadable(rec: &PolicyRec, ty: PolicyType) -> (String, Option<Arc<Policy>>) {
    let (why, may_deny) = rec
        .unreadable
        .as_deref()
        .map_or(("no reason known", true), |u| (&*u.why, u.may_deny));
    if may_deny {
        (
            format!(
                "{} could not be read ({why}): it may hold a `Deny`, so a stand-in that denies every request is evaluated in its place (fail-closed)",
                rec.name
            ),
            stand_in(StandIn::DeniesAll(ty)),
        )
    } else {
        (
            format!(
                "{} could not be read ({why}): it holds only `Allow` statements, so it is left out (that can only narrow access)",
                rec.name
            ),
            None,
        )
    }
}

fn one(v: impl Into<String>) -> Vec<String> {
    vec![v.into()]
}

impl Estate {
    /// A resolver with empty caches (one per thread for many requests).
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver {
            estate: self,
            next_id: 0,
            principals: FxHashMap::default(),
            resources: FxHashMap::default(),
            prepared: FxHashMap::default(),
            actions: FxHashMap::default(),
            keys: FxHashMap::default(),
        }
    }

    /// Resolves one request (see [`Resolver::resolve`]).
    ///
    /// Errors: as [`Resolver::resolve`].
    pub fn resolve(&self, q: &EstateQuery) -> Result<Resolved, RequestError> {
        self.resolver().resolve(q)
    }

    /// Adds identity-based policy `i` to `out`; one that did not parse is evaluated
    /// fail-closed ([`unreadable`]) and said in `notes`.
    fn add_policy(&self, i: u32, out: &mut Vec<(u32, Arc<Policy>)>, notes: &mut Vec<String>) {
        if let Some(p) = self.policy(i) {
            match &p.policy {
                Some(pol) => out.push((i, pol.clone())),
                None => {
                    let (note, stand_in) = unreadable(p, PolicyType::Identity);
                    notes.push(note);
                    out.extend(stand_in.map(|s| (i, s)));
                }
            }
        }
    }

    fn add_managed(
        &self,
        refs: &[super::model::ManagedRef],
        whom: &str,
        out: &mut Vec<(u32, Arc<Policy>)>,
        notes: &mut Vec<String>,
    ) {
        for r in refs {
            match r {
                Ok(i) => self.add_policy(*i, out, notes),
                Err(arn) => notes.push(format!(
                    "managed policy `{arn}` attached to {whom} is not in the snapshot: evaluated without it"
                )),
            }
        }
    }

    /// A user's or role's identity-based policies: its own inline and managed
    /// policies, then each group's.
    fn identity_of(&self, rec: &PrincipalRec, out: &mut Vec<(u32, Arc<Policy>)>, notes: &mut Vec<String>) {
        let what = match rec.kind {
            EstatePrincipalKind::User => "user",
            EstatePrincipalKind::Role => "role",
        };
        let whom = format!("{what} `{}`", rec.name);
        for &i in &rec.inline {
            self.add_policy(i, out, notes);
        }
        self.add_managed(&rec.managed, &whom, out, notes);
        for g in &rec.groups {
            if let Some(group) = self.groups.get(*g as usize) {
                for &i in &group.inline {
                    self.add_policy(i, out, notes);
                }
                self.add_managed(&group.managed, &format!("group `{}`", group.name), out, notes);
            }
        }
        for g in &rec.missing_groups {
            notes.push(format!(
                "group `{g}` of {whom} is not in the snapshot: its policies are not evaluated"
            ));
        }
    }
}

impl<'e> Resolver<'e> {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Resolves one request: the estate's policies for its principal and resource, the
    /// derived context under the query's own, the organization's management account,
    /// Block Public Access, ACL and KMS grants.
    ///
    /// Errors: a principal, action or account id that is not valid (as
    /// [`RequestBuilder::build`]).
    pub fn resolve(&mut self, q: &EstateQuery) -> Result<Resolved, RequestError> {
        let given: Vec<(&str, GivenValues<'_>)> = q.context.iter().map(|(k, v)| (k, GivenValues::Strings(v))).collect();
        self.resolve_parts(
            &q.principal,
            None,
            &q.action,
            q.resource.as_deref().unwrap_or("*"),
            q.resource_account.as_deref(),
            &given,
            q.session_policy.clone(),
            &q.session_tags,
        )
    }

    /// As [`Resolver::resolve`], from parts (batch lines).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn resolve_parts(
        &mut self,
        principal: &str,
        given_principal: Option<&Principal>,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        given: &[(&str, GivenValues<'_>)],
        session: Option<Arc<Policy>>,
        session_tags: &[(String, String)],
    ) -> Result<Resolved, RequestError> {
        let pv = self.principal_view(principal, given_principal)?;
        let action = self.action(action)?;
        let class = action_class(&action);
        let rv = self.resource_view(resource, class);
        let vpce = given
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("aws:SourceVpce"))
            .and_then(|(_, v)| v.single());
        let kms = action.service() == "kms";
        let prepared = self.prepared(&pv, &rv, vpce, kms);
        let mut context = prepared.context.clone();
        for (k, v) in session_tags {
            context.insert(&format!("aws:PrincipalTag/{k}"), one(v.clone()));
        }
        // The keys of the pair's context the caller gave (by their place there), which
        // `Resolved::info` does not report as derived.
        let derived_keys = prepared.context.len();
        let mut given_at = Vec::new();
        for (k, v) in given {
            // Each name lower-cased and hashed once per resolver (at most CACHE kept).
            if self.keys.len() >= CACHE {
                self.keys.clear();
            }
            let name = match self.keys.get(*k) {
                Some(name) => name,
                None => self.keys.entry(Box::from(*k)).or_insert_with(|| KeyName::new(k)),
            };
            if let Some(i) = context.position(name, derived_keys) {
                given_at.push(i);
            }
            context.insert_named(name, v.to_vec());
        }
        let res_account = resource_account
            .map(str::to_string)
            .or_else(|| prepared.resource_account.clone());
        let b = RequestBuilder {
            principal: Some(pv.principal.clone()),
            action: None,
            parsed_action: Some(action),
            resource: Some(prepared.resource.arn.clone()),
            resource_account: res_account,
            context,
            management_account: prepared.management_account.clone(),
            block_public_access: prepared.resource.bpa,
            acl: prepared.resource.acl.clone(),
            kms_grants: prepared.resource.grants.clone(),
            aws_managed_kms_key: prepared.resource.aws_managed_key,
        };
        let request = b.build()?;
        let own = session.map(|s| {
            let mut set = prepared.policies.clone();
            set.session = Some(s);
            Arc::new(set)
        });
        Ok(Resolved {
            request,
            own,
            replaced: Vec::new(),
            given_at,
            session_tags: !session_tags.is_empty(),
            prepared,
        })
    }

    /// Resolves a request already built from a request document (a batch line or an
    /// `eval` request file): its principal, action, resource and the context it gave
    /// (without the keys the core derived), its session policy and session tags.
    ///
    /// Errors: as [`Resolver::resolve`].
    pub fn resolve_request(
        &mut self,
        req: &Request,
        session: Option<Arc<Policy>>,
        session_tags: &[(String, String)],
    ) -> Result<Resolved, RequestError> {
        let given: Vec<(&str, GivenValues<'_>)> = req
            .context()
            .iter()
            .filter(|(k, _)| !req.derived_keys().contains(k))
            .map(|(k, v)| (k, GivenValues::Strings(v)))
            .collect();
        let account = if req.resource_account_assumed {
            None
        } else {
            req.resource_account()
        };
        self.resolve_parts(
            req.principal().id(),
            Some(req.principal()),
            req.action().as_str(),
            req.resource(),
            account,
            &given,
            session,
            session_tags,
        )
    }

    /// Reads a batch line of the plain form (`id`, `principal`, `action`, `resource`,
    /// `resourceAccount`, `context`; see [`crate::LineReader`]) and resolves it, the
    /// line's context over `base` (the clock's keys, say): `None` when the line is not
    /// of that form or has an error (read it with `PartialDocument::parse` and
    /// [`Resolver::resolve_request`], which reports errors with their position).
    pub fn read_line(&mut self, line: &str, base: &Context) -> Option<(Option<serde_json::Value>, Resolved)> {
        // The line's keys and their values, borrowed from the line: each key with the
        // range of its values in `values` (the scanner lends a key's values only for
        // the call).
        let mut keys: SmallVec<[(&str, u32, u32); 16]> = SmallVec::new();
        let mut values: SmallVec<[&str; 24]> = SmallVec::new();
        let raw = crate::plain_line::scan(line, &mut |k, v| {
            let start = values.len();
            values.extend_from_slice(v);
            keys.push((k, to_u32(start), to_u32(values.len())));
        })?;
        let mut given: SmallVec<[(&str, GivenValues<'_>); 24]> =
            base.iter().map(|(k, v)| (k, GivenValues::Strings(v))).collect();
        given.extend(keys.iter().map(|&(k, start, end)| {
            let v = values.get(start as usize..end as usize).unwrap_or_default();
            (k, GivenValues::Line(v))
        }));
        let resolved = self
            .resolve_parts(
                raw.principal?,
                None,
                raw.action?,
                raw.resource.unwrap_or("*"),
                raw.resource_account,
                &given,
                None,
                &[],
            )
            .ok()?;
        Some((raw.id, resolved))
    }

    fn action(&mut self, text: &str) -> Result<Arc<Action>, RequestError> {
        if let Some(a) = self.actions.get(text) {
            return Ok(a.clone());
        }
        let a = Arc::new(Action::parse(text)?);
        if self.actions.len() >= CACHE {
            self.actions.clear();
        }
        self.actions.insert(text.into(), a.clone());
        Ok(a)
    }

    fn principal_view(&mut self, text: &str, given: Option<&Principal>) -> Result<Arc<PrincipalView>, RequestError> {
        if let Some(v) = self.principals.get(text) {
            return Ok(v.clone());
        }
        let v = Arc::new(self.make_principal(text, given)?);
        if self.principals.len() >= CACHE {
            self.principals.clear();
        }
        self.principals.insert(text.into(), v.clone());
        Ok(v)
    }

    fn make_principal(&mut self, text: &str, given: Option<&Principal>) -> Result<PrincipalView, RequestError> {
        let est = self.estate;
        let mut principal = match (Principal::parse(text), given) {
            (Ok(p), _) => p,
            // A principal only the request document's object form names (a web-identity
            // provider, a canonical user): no estate look-up.
            (Err(_), Some(p)) => p.clone(),
            (Err(e), None) => return Err(e),
        };
        let account = principal.account().and_then(|a| est.account_of(a)).map(|(i, _)| i);
        let by_name = |kind, name: &str| {
            account.and_then(|a| {
                est.principal_names
                    .get(&(a, kind, name.to_ascii_lowercase().into()))
                    .copied()
            })
        };
        let last = |s: &str| s.rsplit('/').next().unwrap_or_default().to_string();
        let mut notes = Vec::new();
        let mut missing = None;
        let rec = match principal.kind() {
            PrincipalKind::User => est
                .principal_index
                .get(text)
                .copied()
                .or_else(|| by_name(EstatePrincipalKind::User, &last(text))),
            PrincipalKind::Role => est
                .principal_index
                .get(text)
                .copied()
                .or_else(|| by_name(EstatePrincipalKind::Role, &last(text))),
            PrincipalKind::AssumedRole => principal
                .role_name
                .clone()
                .and_then(|n| by_name(EstatePrincipalKind::Role, &n)),
            _ => None,
        };
        let r = rec.and_then(|i| est.principals.get(i as usize));
        if let Some(r) = r {
            match principal.kind() {
                PrincipalKind::AssumedRole => principal = principal.with_session_issuer(&r.arn)?,
                PrincipalKind::User | PrincipalKind::Role if *r.arn != *text => {
                    notes.push(format!(
                        "`{text}` is taken to be `{}` (the same name in the snapshot)",
                        r.arn
                    ));
                    principal = Principal::parse(&r.arn)?;
                }
                _ => {}
            }
        } else if matches!(
            principal.kind(),
            PrincipalKind::User | PrincipalKind::Role | PrincipalKind::AssumedRole
        ) {
            let why = match account.and_then(|a| est.account(a)) {
                Some(a) if a.has_iam => "its account's IAM data has no such name",
                _ => "its account's IAM data is not in the snapshot",
            };
            missing = Some(format!(
                "principal `{text}` is not in the snapshot ({why}): evaluated with no identity-based policies or permissions boundary"
            ));
        }
        let mut identity = Vec::new();
        let mut boundary = None;
        if let Some(r) = r {
            est.identity_of(r, &mut identity, &mut notes);
            boundary = match &r.boundary {
                None => None,
                Some(Ok(i)) => match est.policy(*i) {
                    Some(PolicyRec { policy: Some(p), .. }) => Some((Some(*i), p.clone())),
                    rec => {
                        let why = rec
                            .and_then(|p| p.unreadable.as_deref())
                            .map_or("no reason known", |u| &*u.why);
                        notes.push(format!(
                            "the permissions boundary of `{}` could not be read ({why}): taken as allowing nothing (fail-closed)",
                            r.arn
                        ));
                        stand_in(StandIn::AllowsNothing(PolicyType::PermissionsBoundary)).map(|p| (None, p))
                    }
                },
                Some(Err(arn)) => {
                    notes.push(format!(
                        "the permissions boundary of `{}`, `{arn}`, is not in the snapshot: taken as allowing nothing (fail-closed)",
                        r.arn
                    ));
                    stand_in(StandIn::AllowsNothing(PolicyType::PermissionsBoundary)).map(|p| (None, p))
                }
            };
        }
        // Derived keys.
        let mut derived: Vec<(String, Vec<String>)> = Vec::new();
        let acct = account.and_then(|a| est.account(a));
        let member = matches!(
            principal.kind(),
            PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::AssumedRole
                | PrincipalKind::FederatedUser
                | PrincipalKind::Root
        );
        if let (true, Some(a)) = (member, acct) {
            if let (Some(org), Some(path)) = (est.org_id_of(a), &a.org_path) {
                derived.push(("aws:PrincipalOrgID".into(), one(org)));
                derived.push(("aws:PrincipalOrgPaths".into(), one(&**path)));
            }
        }
        if let Some(r) = r {
            for (k, v) in &r.tags {
                derived.push((format!("aws:PrincipalTag/{k}"), one(&**v)));
            }
        }
        let userid = match (principal.kind(), r) {
            (PrincipalKind::User, Some(r)) => Some(r.unique_id.to_string()),
            (PrincipalKind::AssumedRole, Some(r)) => {
                let session = principal.id().rsplit('/').next().unwrap_or_default();
                Some(format!("{}:{session}", r.unique_id))
            }
            (PrincipalKind::Role, Some(_)) => {
                notes.push(
                    "the principal is a role, not a session: `aws:userid` (`RoleId:session-name`) is not derived; give an assumed-role ARN"
                        .to_string(),
                );
                None
            }
            (PrincipalKind::Root, _) => principal.account().map(str::to_string),
            (PrincipalKind::Anonymous, _) => Some("anonymous".to_string()),
            (PrincipalKind::FederatedUser, _) => {
                let name = principal.id().rsplit('/').next().unwrap_or_default();
                principal.account().map(|a| format!("{a}:{name}"))
            }
            _ => None,
        };
        if let Some(u) = userid {
            derived.push(("aws:userid".into(), one(u)));
        }
        Ok(PrincipalView {
            id: self.id(),
            principal: Arc::new(principal),
            rec,
            account,
            identity,
            boundary,
            derived,
            notes,
            missing,
        })
    }

    fn resource_view(&mut self, text: &str, class: ActionClass) -> Arc<ResourceView> {
        // Looked up by the text as given (no key built per request), then the class.
        if let Some(v) = self
            .resources
            .get(text)
            .and_then(|c| c.get(class as usize))
            .and_then(Option::as_ref)
        {
            return v.clone();
        }
        let mut v = self.make_resource(text, class);
        v.id = self.id();
        let v = Arc::new(v);
        if self.resources.len() >= CACHE && !self.resources.contains_key(text) {
            self.resources.clear();
        }
        let views = self.resources.entry(Box::from(text)).or_default();
        if let Some(slot) = views.get_mut(class as usize) {
            *slot = Some(v.clone());
        }
        v
    }

    fn make_resource(&self, text: &str, class: ActionClass) -> ResourceView {
        let est = self.estate;
        let mut v = ResourceView {
            arn: text.to_string(),
            ..ResourceView::default()
        };
        if text == "*" {
            return v;
        }
        let Some(parts) = crate::arn::split(text) else {
            return v;
        };
        let [_, _, service, _, arn_account, res] = parts;
        let mut rec: Option<u32> = None;
        let mut object = false;
        match service {
            "s3" => {
                let (bucket, key) = res.split_once('/').map_or((res, None), |(b, k)| (b, Some(k)));
                object = key.is_some();
                rec = est.buckets.get(bucket).copied();
            }
            "lambda" => {
                // `function:name:qualifier` → the function's policy.
                let mut segs = res.splitn(3, ':');
                if let (Some("function"), Some(name), q) = (segs.next(), segs.next(), segs.next()) {
                    let base = format!("arn:{}:lambda:{}:{arn_account}:function:{name}", parts[1], parts[3]);
                    rec = est.resource_index.get(base.as_str()).copied();
                    if let (Some(q), Some(_)) = (q, rec) {
                        v.notes.push(format!(
                            "the function's own policy is used for qualifier `{q}` (policies of versions and aliases are not in the snapshot)"
                        ));
                    }
                }
            }
            "iam" => {
                let kind = super::build::principal_kind_of(text);
                let found = est.principal_index.get(text).copied().or_else(|| {
                    let acct = est.account_of(arn_account)?.0;
                    let name = res.rsplit('/').next()?.to_ascii_lowercase();
                    est.principal_names.get(&(acct, kind?, name.into())).copied()
                });
                if let Some(p) = found.and_then(|i| Some((i, est.principals.get(i as usize)?))) {
                    v.principal_rec = Some(p.0);
                    v.kind = Some(match p.1.kind {
                        EstatePrincipalKind::User => "user",
                        EstatePrincipalKind::Role => "role",
                    });
                    v.account = est.account(p.1.account).map(|a| a.id.to_string());
                    for (k, val) in &p.1.tags {
                        v.derived.push((format!("aws:ResourceTag/{k}"), one(&**val)));
                    }
                    if class == ActionClass::Trust {
                        match p.1.trust.and_then(|i| Some((i, est.policy(i)?))) {
                            Some((i, rec)) => v.set_policy(i, rec),
                            None => v
                                .notes
                                .push(format!("the trust policy of `{}` is not in the snapshot", p.1.arn)),
                        }
                    }
                } else if class == ActionClass::Trust && kind == Some(EstatePrincipalKind::Role) {
                    v.notes.push(format!(
                        "role `{text}` is not in the snapshot: evaluated with no trust policy"
                    ));
                }
                if v.account.is_none() {
                    v.account = Some(arn_account.to_string()).filter(|a| crate::request::is_account_id(a));
                }
                return v;
            }
            _ => {
                rec = est.resource_index.get(text).copied();
            }
        }
        let Some(r) = rec.and_then(|i| Some((i, est.resources.get(i as usize)?))) else {
            if matches!(service, "s3" | "kms" | "sqs" | "sns" | "lambda" | "secretsmanager") {
                v.notes.push(format!(
                    "resource `{text}` is not in the snapshot: evaluated with no resource-based policy"
                ));
            }
            return v;
        };
        let (i, r): (u32, &ResourceRec) = r;
        v.rec = Some(i);
        v.kind = Some(r.kind.name());
        let acct = est.account(r.account);
        v.account = acct.map(|a| a.id.to_string());
        if let Some((p, rec)) = r.policy.and_then(|p| Some((p, est.policy(p)?))) {
            v.set_policy(p, rec);
        }
        let tags = r.tags.as_deref().unwrap_or_default();
        match r.kind {
            ResourceKind::Bucket => {
                let s3 = r.s3.as_deref().cloned().unwrap_or_default();
                if s3.abac == Some(true) && !object {
                    for (k, val) in tags {
                        v.derived.push((format!("aws:ResourceTag/{k}"), one(&**val)));
                    }
                } else if s3.abac.is_none() && !tags.is_empty() && !object {
                    v.notes.push(format!(
                        "bucket `{}` has tags but the snapshot does not say whether ABAC is enabled (`get-bucket-abac.json`, or iam-collect's `abacEnabled`): taken as disabled, the default, so `aws:ResourceTag` is not set",
                        r.arn
                    ));
                }
                let account_bpa = acct.and_then(|a| a.bpa).unwrap_or_default();
                let bucket_bpa = s3.bpa.unwrap_or_default();
                v.bpa = BlockPublicAccess {
                    restrict_public_buckets: account_bpa.restrict_public_buckets || bucket_bpa.restrict_public_buckets,
                };
                let ignore_public_acls = account_bpa.ignore_public_acls || bucket_bpa.ignore_public_acls;
                v.acl = bucket_acl(est, &s3, object, ignore_public_acls, &r.arn, &mut v.notes);
            }
            ResourceKind::KmsKey => {
                let kms = r.kms.as_deref().cloned().unwrap_or_default();
                v.grants = kms.grants;
                v.aws_managed_key = kms.aws_managed == Some(true);
                if kms.aws_managed.is_none() {
                    v.notes.push(format!(
                        "the snapshot does not say who manages `{}` (`describe-key.json`, or iam-collect's `awsManaged`): the key is taken to be customer managed (RCPs apply)",
                        r.arn
                    ));
                }
                if text != &*r.arn {
                    if class == ActionClass::AliasOp {
                        v.policy = None;
                        v.grants = Vec::new();
                        return v;
                    }
                    let alias = res.to_string();
                    v.notes.push(format!(
                        "`{text}` names the key `{}`: evaluated on the key (aliases do not control access to keys)",
                        r.arn
                    ));
                    v.derived.push(("kms:RequestAlias".into(), one(alias)));
                    v.arn = r.arn.to_string();
                }
                for (k, val) in tags {
                    v.derived.push((format!("aws:ResourceTag/{k}"), one(&**val)));
                }
            }
            _ => {
                for (k, val) in tags {
                    v.derived.push((format!("aws:ResourceTag/{k}"), one(&**val)));
                }
            }
        }
        v
    }

    fn prepared(
        &mut self,
        pv: &Arc<PrincipalView>,
        rv: &Arc<ResourceView>,
        vpce: Option<&str>,
        kms: bool,
    ) -> Arc<Prepared> {
        let key = (pv.id, rv.id, vpce.map(Box::from), kms);
        if let Some(p) = self.prepared.get(&key) {
            return p.clone();
        }
        let p = Arc::new(self.make_prepared(pv, rv, vpce, kms));
        if self.prepared.len() >= CACHE {
            self.prepared.clear();
        }
        self.prepared.insert(key, p.clone());
        p
    }

    fn make_prepared(
        &self,
        pv: &Arc<PrincipalView>,
        rv: &Arc<ResourceView>,
        vpce: Option<&str>,
        kms: bool,
    ) -> Prepared {
        let est = self.estate;
        let mut set = PolicySet::default();
        let mut slots = Vec::new();
        let mut notes = Vec::new();
        for (n, (i, p)) in pv.identity.iter().enumerate() {
            set.identity.push(p.clone());
            slots.push((PolicySlot::Identity(n), *i));
        }
        if let Some((i, p)) = &pv.boundary {
            set.permissions_boundary = Some(p.clone());
            if let Some(i) = i {
                slots.push((PolicySlot::PermissionsBoundary, *i));
            }
        }
        if let Some((i, p)) = &rv.policy {
            set.resource = Some(p.clone());
            slots.push((PolicySlot::Resource, *i));
        }
        let principal_account = pv.principal.account().map(str::to_string);
        let resource_account = rv
            .account
            .clone()
            .or_else(|| {
                crate::arn::split(&rv.arn)
                    .map(|p| p[4])
                    .filter(|a| crate::request::is_account_id(a))
                    .map(str::to_string)
            })
            .or_else(|| principal_account.clone());
        // SCPs of the principal's account; principals outside the estate's organization
        // (other organizations' SCPs are not known) have none.
        let kind = pv.principal.kind();
        if !matches!(
            kind,
            PrincipalKind::Service | PrincipalKind::Anonymous | PrincipalKind::Federated | PrincipalKind::CanonicalUser
        ) {
            if let Some(chain) = pv.account.and_then(|a| est.account(a)).and_then(|a| a.scp.as_ref()) {
                set.scp = chain.levels.clone();
                chain.add_to(PolicySlot::Scp, &mut slots, &mut notes);
            }
        }
        let racct = resource_account.as_deref().and_then(|a| est.account_of(a));
        if let Some(chain) = racct.and_then(|(_, a)| a.rcp.as_ref()) {
            set.rcp = chain.levels.clone();
            chain.add_to(PolicySlot::Rcp, &mut slots, &mut notes);
        }
        let mut context = Context::default();
        for (k, v) in pv.derived.iter().chain(rv.derived.iter()) {
            context.insert(k, v.clone());
        }
        if rv.arn != "*" {
            if let Some((_, a)) = racct {
                if let (Some(org), Some(path)) = (est.org_id_of(a), &a.org_path) {
                    context.insert("aws:ResourceOrgID", one(org));
                    context.insert("aws:ResourceOrgPaths", one(&**path));
                }
            }
        }
        if kms {
            if let Some(a) = &principal_account {
                context.insert("kms:CallerAccount", one(a.clone()));
            }
        }
        if let Some(id) = vpce {
            match est.endpoints.get(id) {
                Some(e) => {
                    if let Some((i, rec)) = e.policy.and_then(|i| Some((i, est.policy(i)?))) {
                        // An endpoint policy must allow (S-EVAL-4): one that cannot be
                        // read allows nothing (fail-closed).
                        let p = match &rec.policy {
                            Some(p) => Some(p.clone()),
                            None => {
                                let why = rec.unreadable.as_deref().map_or("no reason known", |u| &*u.why);
                                notes.push(format!(
                                    "{} could not be read ({why}): taken as allowing nothing (fail-closed)",
                                    rec.name
                                ));
                                stand_in(StandIn::AllowsNothing(PolicyType::VpcEndpoint))
                            }
                        };
                        if let Some(p) = p {
                            set.vpc_endpoint.push(p);
                            slots.push((PolicySlot::VpcEndpoint(0), i));
                        }
                    }
                    if let Some(vpc) = &e.vpc {
                        context.insert("aws:SourceVpc", one(&**vpc));
                    }
                }
                None => notes.push(format!(
                    "VPC endpoint `{id}` is not in the snapshot: no endpoint policy is evaluated"
                )),
            }
        }
        Prepared {
            index: OnceLock::new(),
            unindexed: std::sync::atomic::AtomicU32::new(0),
            policies: set,
            slots,
            context: context.detached(),
            resource_account: rv.account.clone(),
            management_account: est.management_account().map(str::to_string),
            notes,
            principal: pv.clone(),
            resource: rv.clone(),
        }
    }
}

/// The bucket ACL as the request sees it: disabled by `BucketOwnerEnforced`; for an
/// object request only the bucket's `WRITE` grants count (object ACLs are not collected);
/// `IgnorePublicAcls` drops grants to `AllUsers` and `AuthenticatedUsers`
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>).
fn bucket_acl(
    est: &Estate,
    s3: &super::model::S3Settings,
    object: bool,
    ignore_public: bool,
    arn: &str,
    notes: &mut Vec<String>,
) -> Option<Acl> {
    let grants = s3.acl.as_ref()?;
    let ownership = match s3.ownership {
        Some(o) => o,
        None => {
            let foreign = grants.iter().any(|(g, _)| !matches!(g, super::model::RawGrantee::Canonical(c) if Some(&**c) == s3.owner_canonical.as_deref()));
            if foreign {
                notes.push(format!(
                    "`get-bucket-ownership-controls.json` of `{arn}` is not in the snapshot: ACLs are taken as disabled (BucketOwnerEnforced, the default since April 2023)"
                ));
            }
            ObjectOwnership::BucketOwnerEnforced
        }
    };
    let mut out = Vec::new();
    for (g, perm) in grants {
        let Some(grantee) = est_grantee(est, g) else {
            continue;
        };
        if ignore_public && matches!(grantee, AclGrantee::AllUsers | AclGrantee::AuthenticatedUsers) {
            continue;
        }
        let perm = match (object, perm) {
            (false, p) => *p,
            (true, AclPermission::Write | AclPermission::FullControl) => AclPermission::Write,
            (true, _) => continue,
        };
        out.push((grantee, perm));
    }
    if object && ownership != ObjectOwnership::BucketOwnerEnforced {
        notes.push("object ACLs are not in the snapshot: only the bucket ACL's WRITE grants are evaluated".to_string());
    }
    Some(Acl {
        object_ownership: ownership,
        grants: out,
    })
}

fn est_grantee(_est: &Estate, g: &super::model::RawGrantee) -> Option<AclGrantee> {
    match g {
        super::model::RawGrantee::Group(a) => Some(a.clone()),
        _ => None,
    }
}

impl Resolved {
    /// The request, with the derived context.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Decides the request against [`Resolved::policies`]: as
    /// [`crate::evaluate`] does, and with the same answer. The principal and resource
    /// pair's [`crate::SetIndex`] is built once the pair has had 1,024 requests (a
    /// batch's repeated pairs; building it costs about what a few hundred to a
    /// thousand evaluations save, so a pair asked about once, as in `who-can`, never
    /// builds it).
    pub fn evaluate(&self) -> crate::eval::Evaluation<'_> {
        let p = &self.prepared;
        let index = match p.index.get() {
            Some(index) => Some(index),
            None if p.unindexed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= INDEX_AFTER => {
                Some(p.index.get_or_init(|| crate::eval::SetIndex::new(&p.policies)))
            }
            None => None,
        };
        match index {
            // The index is of the pair's policies; a set with a session policy or the
            // caller's policies (`own`) is matched through each changed policy's own index.
            Some(index) => crate::eval::evaluate_indexed(self.policies(), index, &self.request),
            None => crate::eval::evaluate(self.policies(), &self.request),
        }
    }

    /// The policies to decide the request against.
    pub fn policies(&self) -> &PolicySet {
        self.own.as_deref().unwrap_or(&self.prepared.policies)
    }

    /// Replaces the estate's policies with the members of `given` that are not empty
    /// (a batch line's `policies`, `eval`'s policy flags).
    pub fn with_policies(mut self, given: &PolicySet) -> Resolved {
        let mut set = self.policies().clone();
        let mut replaced = Vec::new();
        if !given.identity.is_empty() {
            set.identity = given.identity.clone();
            replaced.push("identity");
        }
        if given.resource.is_some() {
            set.resource = given.resource.clone();
            replaced.push("resource");
        }
        if given.permissions_boundary.is_some() {
            set.permissions_boundary = given.permissions_boundary.clone();
            replaced.push("permissionsBoundary");
        }
        if given.session.is_some() {
            set.session = given.session.clone();
        }
        if !given.scp.is_empty() {
            set.scp = given.scp.clone();
            replaced.push("scp");
        }
        if !given.rcp.is_empty() {
            set.rcp = given.rcp.clone();
            replaced.push("rcp");
        }
        if !given.vpc_endpoint.is_empty() {
            set.vpc_endpoint = given.vpc_endpoint.clone();
            replaced.push("vpcEndpoint");
        }
        self.replaced = replaced;
        self.own = Some(Arc::new(set));
        self
    }

    fn slots(&self) -> impl Iterator<Item = (PolicySlot, u32)> + '_ {
        self.prepared.slots.iter().copied().filter(|(s, _)| {
            let name = match s {
                PolicySlot::Identity(_) => "identity",
                PolicySlot::Resource => "resource",
                PolicySlot::PermissionsBoundary => "permissionsBoundary",
                PolicySlot::Session => "session",
                PolicySlot::Scp(..) => "scp",
                PolicySlot::Rcp(..) => "rcp",
                PolicySlot::VpcEndpoint(_) => "vpcEndpoint",
            };
            !self.replaced.contains(&name)
        })
    }

    /// What the snapshot did not say and the engine assumed (empty for most requests).
    pub fn assumptions(&self) -> impl Iterator<Item = &str> {
        let p = &self.prepared;
        let missing = p
            .principal
            .missing
            .iter()
            .filter(|_| !self.replaced.contains(&"identity"));
        missing
            .chain(p.principal.notes.iter())
            .chain(p.resource.notes.iter())
            .chain(p.notes.iter())
            .map(String::as_str)
    }

    /// The `estate` member of the response: principal and resource as found, the
    /// policies' places in the snapshot, every derived context key with its values, and
    /// the assumptions.
    pub fn info(&self, estate: &Estate) -> EstateInfo {
        let p = &self.prepared;
        let principal = {
            let rec = p.principal.rec.and_then(|i| estate.principals.get(i as usize));
            FoundEntity {
                arn: p.principal.principal.id().to_string(),
                found: rec.is_some(),
                kind: rec.map(|r| {
                    match (r.kind, p.principal.principal.kind()) {
                        (_, PrincipalKind::AssumedRole) => "roleSession",
                        (EstatePrincipalKind::User, _) => "user",
                        (EstatePrincipalKind::Role, _) => "role",
                    }
                    .to_string()
                }),
                account: p.principal.principal.account().map(str::to_string),
                file: rec.map(|r| r.file.to_string()),
                path: rec.map(|r| r.path.to_string()),
            }
        };
        let resource = (p.resource.arn != "*").then(|| {
            let found = p.resource.rec.is_some() || p.resource.principal_rec.is_some();
            let (file, path) = match (p.resource.rec, p.resource.principal_rec) {
                (Some(i), _) => (estate.resources.get(i as usize).map(|r| r.folder.to_string()), None),
                (None, Some(i)) => match estate.principals.get(i as usize) {
                    Some(r) => (Some(r.file.to_string()), Some(r.path.to_string())),
                    None => (None, None),
                },
                _ => (None, None),
            };
            FoundEntity {
                arn: p.resource.arn.clone(),
                found,
                kind: p.resource.kind.map(str::to_string),
                account: self.request.resource_account().map(str::to_string),
                file,
                path,
            }
        });
        let policies = self
            .slots()
            .filter_map(|(slot, i)| {
                let rec = estate.policy(i)?;
                let origin = rec.origin.as_ref();
                let loc = origin.map(|o| o.location());
                Some(PolicyOrigin {
                    policy: slot.to_string(),
                    name: rec.name.to_string(),
                    file: origin.map(|o| o.file.name().to_string()),
                    line: loc.as_ref().map(|l| l.line),
                    column: loc.as_ref().map(|l| l.column),
                    path: origin.map(|o| o.path.to_string()).unwrap_or_default(),
                })
            })
            .collect();
        let mut derived_context = BTreeMap::new();
        let ctx = self.request.context();
        for (i, (k, _)) in p.context.iter().enumerate() {
            let lc = k.to_ascii_lowercase();
            let session_tag = self.session_tags && lc.starts_with("aws:principaltag/");
            if self.given_at.contains(&i) || session_tag {
                continue;
            }
            if let Some(v) = ctx.get(&lc) {
                derived_context.insert(k.to_string(), v.to_vec());
            }
        }
        for k in self.request.derived_keys() {
            if let Some(v) = ctx.get(&k.to_ascii_lowercase()) {
                derived_context.insert((*k).to_string(), v.to_vec());
            }
        }
        EstateInfo {
            principal,
            resource,
            policies,
            derived_context,
            assumptions: self.assumptions().map(str::to_string).collect(),
        }
    }

    /// Points the response's deciding statements and near misses at their place in the
    /// snapshot: inside the string for policies the snapshot gives as JSON strings (the
    /// core locates them in the decoded text), and at each occurrence's own place for a
    /// document shared by several principals (parsed once).
    pub fn relocate(&self, estate: &Estate, resp: &mut Response) {
        for (slot, i) in self.slots() {
            let Some(rec) = estate.policy(i) else { continue };
            let (Some(origin), Some(policy)) = (&rec.origin, &rec.policy) else {
                continue;
            };
            let own = origin.encoding == super::text::Encoding::Object
                && policy.pointer() == Some(&*origin.path)
                && policy.source().name() == origin.file.name()
                && policy.span.start == origin.span.start;
            if own {
                continue;
            }
            let base = policy.span.start as usize;
            let prefix = format!("{slot}.Statement[");
            for d in resp.deciding.iter_mut().filter(|d| d.label.starts_with(&prefix)) {
                let n = d
                    .label
                    .get(prefix.len()..)
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|n| n.parse::<usize>().ok());
                let Some((n, loc)) = n.and_then(|n| Some((n, policy.statement_location(n)?))) else {
                    continue;
                };
                let at = origin.locate((loc.start as usize).saturating_sub(base));
                d.file = Some(origin.file.name().to_string());
                d.line = Some(at.line);
                d.column = Some(at.column);
                if d.path.is_some() {
                    d.path = Some(format!("{}.Statement[{n}]", origin.path));
                }
            }
            for m in resp.near_misses.iter_mut().filter(|m| m.label.starts_with(&prefix)) {
                let Some(loc) = m.location.as_deref() else { continue };
                let mut it = loc.rsplitn(3, ':');
                let (Some(col), Some(line)) = (it.next(), it.next()) else {
                    continue;
                };
                let (Ok(line), Ok(col)) = (line.parse::<usize>(), col.parse::<usize>()) else {
                    continue;
                };
                let off = super::build::offset_of(policy.source().text(), line, col);
                let at = origin.locate(off.saturating_sub(base));
                m.location = Some(format!("{}:{}:{}", origin.file.name(), at.line, at.column));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stand-in parses, once, as its policy type (SEMANTICS §10).
    #[test]
    fn every_stand_in_parses() {
        for ty in PolicyType::ALL {
            for s in [StandIn::AllowsNothing(ty), StandIn::DeniesAll(ty)] {
                let p = stand_in(s).unwrap_or_else(|| panic!("{s:?} does not parse"));
                assert_eq!(p.statement_count(), 1, "{s:?}");
                assert!(Arc::ptr_eq(&p, &stand_in(s).unwrap()), "{s:?} is parsed once");
            }
        }
    }
}
