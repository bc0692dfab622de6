//! Who can act on a resource: every principal of an estate (users and roles; a role's
//! sessions are answered as the role) and every grantee outside it that the resource's
//! policy, ACL or grants name (other accounts, services, `*`), with the actions it is
//! allowed — `Allow` whatever the unknown condition keys hold, or `AllowIf` with the
//! residual condition — by partial evaluation of each candidate request.
//!
//! Fast at organization scale: [`WhoCan::new`] works out once per question, for each
//! action, which estate policies have an `Allow` statement for it and which principals
//! the resource-based policy can name; a principal is evaluated only if its policies or
//! the resource's could allow it (a conservative test: it never drops a principal that
//! evaluation would allow). The principals are a list to split: [`WhoCan::principals`]
//! hands out their indices, [`WhoCan::principal`] answers one with a [`Resolver`] of the
//! caller's thread, so a caller may run partitions (by account, by range) on as many
//! threads or machines as it likes.

use serde::Serialize;

use super::partial::{evaluate_partial, PartialDecision, PartialOptions, PartialResponse};
use crate::estate::{Estate, EstatePrincipalKind, EstateQuery, Resolved, Resolver};
use crate::policy::{Effect, Policy, PrincipalEntry};
use crate::request::{AclGrantee, Action, Context, Request};

/// Condition keys an estate determines for its own principals and resources: absent
/// when the estate does not give them (a user without that tag has no such key).
const ESTATE_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/*",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:userid",
    "aws:username",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "kms:calleraccount",
];

/// [`ESTATE_KEYS`] known absent for an estate principal of `kind` (`user`, `role`,
/// `account`): a role is answered for its sessions, whose `aws:userid` is
/// `RoleId:session-name` — present, but with a session name the estate cannot know, so
/// unknown rather than absent (the resolver derives it only for an assumed-role ARN;
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>,
/// "Principal key values").
pub(crate) fn estate_keys(kind: &str) -> impl Iterator<Item = String> + '_ {
    ESTATE_KEYS
        .iter()
        .filter(move |k| !(kind == "role" && **k == "aws:userid"))
        .map(|k| k.to_string())
}

/// What the estate cannot know about a principal outside it: left unknown.
const OUTSIDE_PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/*",
    "aws:userid",
    "aws:username",
];

/// For `*`: every key about the principal is unknown (any authenticated principal
/// outside the estate).
const ANY_PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/*",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
];

/// The account a principal outside the estate is placed in when a resource grants `*`
/// (an account no estate holds; its root user is allowed by its own account).
pub const OUTSIDE_ACCOUNT: &str = "000000000000";

/// A who-can question.
#[derive(Debug, Clone, Default)]
pub struct WhoCanQuery {
    /// The resource ARN.
    pub resource: String,
    /// The actions (`service:Name`); empty: every action the service catalog lists for
    /// the resource's type.
    pub actions: Vec<String>,
    /// Context keys fixed for every request (`--context`, the clock's keys).
    pub context: Context,
}

/// One principal allowed one action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanResult {
    /// A user's or role's ARN; for grantees outside the estate, the value the resource
    /// policy names (an account root ARN, a service principal, `*`).
    pub principal: String,
    /// A grantee outside the estate.
    pub external: bool,
    /// `user`, `role`, `account`, `service`, `federated`, `canonicalUser`, `anonymous`
    /// (`*`, unsigned requests included) or `anyPrincipal` (`*`, signed requests).
    pub kind: &'static str,
    /// The action.
    pub action: String,
    /// The action's access level in the service catalog (`Read`, `Write`, `List`,
    /// `Permissions management`, `Tagging`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_level: Option<&'static str>,
    /// `Allow` or `AllowIf`, with the residual condition, its words and a witness.
    #[serde(flatten)]
    pub answer: PartialResponse,
}

/// The answer to a who-can question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanAnswer {
    /// The resource.
    pub resource: String,
    /// Whether the estate holds the resource (else it was evaluated without a
    /// resource-based policy).
    pub resource_found: bool,
    /// The actions asked about.
    pub actions: Vec<String>,
    /// Who is allowed what: principals that can never be allowed are not listed.
    pub results: Vec<WhoCanResult>,
    /// How many principals were evaluated (the others could not be allowed).
    pub evaluated: usize,
    /// How many principals the estate holds.
    pub principals: usize,
    /// What the analysis left out or assumed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// For one action: which policies could allow it, and whom the resource side names.
#[derive(Debug, Default)]
struct ActionView {
    action: String,
    access_level: Option<&'static str>,
    parsed: Option<Action>,
    /// Estate policy index → has an `Allow` statement that can apply to the action:
    /// 0 not yet known, 1 no, 2 yes (filled in as principals are looked at, from any
    /// thread).
    allows: Vec<std::sync::atomic::AtomicU8>,
    /// The resource side grants through statements naming anyone (`*`, `NotPrincipal`),
    /// ACL or KMS grants: every principal is a candidate.
    resource_any: bool,
    /// Accounts, and principal ARNs or role names, the resource policy's `Allow`s for
    /// the action name.
    resource_accounts: Vec<String>,
    resource_arns: Vec<String>,
    /// The resource is a KMS key or a role's trust policy governs the action: the
    /// resource side must allow.
    resource_required: bool,
    /// Every grantee the resource side names: (principal text, kind, outside the
    /// estate).
    named: Vec<(String, &'static str, bool)>,
}

/// A who-can question prepared over an estate.
#[derive(Debug)]
pub struct WhoCan<'e> {
    estate: &'e Estate,
    query: WhoCanQuery,
    actions: Vec<ActionView>,
    resource_account: Option<String>,
    resource_found: bool,
    resource_tags_known: bool,
    notes: Vec<String>,
    /// Policies in place of the estate's for every request ([`WhoCan::replacing`]).
    replacing: Option<crate::eval::PolicySet>,
}

/// `principal`'s kind for the results.
fn kind_of(entry: &PrincipalEntry) -> &'static str {
    match entry {
        PrincipalEntry::Everyone => "anyPrincipal",
        PrincipalEntry::Account { .. } => "account",
        PrincipalEntry::Arn(a) if a.contains(":user/") => "user",
        PrincipalEntry::Arn(_) | PrincipalEntry::Role { .. } => "role",
        PrincipalEntry::Service(_) => "service",
        PrincipalEntry::Federated(_) => "federated",
        PrincipalEntry::CanonicalUser(_) => "canonicalUser",
        PrincipalEntry::Unresolved(_) => "unresolved",
    }
}

impl<'e> WhoCan<'e> {
    /// Prepares `query` over `estate`: the actions (from the catalog when none are
    /// given), and for each the policies and grantees that could allow it.
    pub fn new(estate: &'e Estate, query: WhoCanQuery) -> WhoCan<'e> {
        WhoCan::build(estate, query, true)
    }

    /// [`WhoCan::new`] for the grantees the resource side names only
    /// ([`WhoCan::grantees`]): nothing prepared for the estate's principals.
    pub(crate) fn resource_side(estate: &'e Estate, query: WhoCanQuery) -> WhoCan<'e> {
        WhoCan::build(estate, query, false)
    }

    fn build(estate: &'e Estate, query: WhoCanQuery, principals: bool) -> WhoCan<'e> {
        let mut notes = Vec::new();
        let catalog = crate::catalog::Catalog::get();
        let mut actions: Vec<String> = query.actions.clone();
        if actions.is_empty() {
            let service = crate::arn::split(&query.resource).map(|p| p[2].to_string());
            if let Some(svc) = service.as_deref().and_then(|s| catalog.service(s)) {
                actions = svc
                    .actions()
                    .filter(|a| a.supports_resource(&query.resource))
                    .map(|a| a.full_name())
                    .collect();
            }
            if actions.is_empty() {
                notes.push(format!(
                    "the service catalog lists no action for `{}`: give the actions",
                    query.resource
                ));
            }
        }
        let mut resolver = estate.resolver();
        let mut resource_found = false;
        let mut resource_tags_known = true;
        let mut resource_account = None;
        let views = actions
            .iter()
            .map(|a| {
                let mut v = ActionView {
                    action: a.clone(),
                    access_level: catalog.action_named(a).map(|i| i.access_level().as_str()),
                    parsed: Action::parse(a).ok(),
                    ..ActionView::default()
                };
                let Some(action) = v.parsed.clone() else {
                    return v;
                };
                let action = &action;
                if principals {
                    v.allows = (0..estate.policies.len())
                        .map(|_| std::sync::atomic::AtomicU8::new(0))
                        .collect();
                }
                // The resource's side, as a principal outside the estate sees it.
                let q = EstateQuery {
                    principal: format!("arn:aws:iam::{OUTSIDE_ACCOUNT}:root"),
                    action: a.clone(),
                    resource: Some(query.resource.clone()),
                    context: query.context.clone(),
                    ..EstateQuery::default()
                };
                if let Ok(r) = resolver.resolve(&q) {
                    let info = r.info(estate);
                    if let Some(res) = &info.resource {
                        resource_found |= res.found;
                    }
                    resource_account = r.request().resource_account().map(str::to_string);
                    resource_tags_known &= tags_known(estate, &query.resource);
                    let req = r.request();
                    v.resource_required = req.resource_parts().is_some_and(|p| {
                        (p[2] == "kms" && p[5].starts_with("key/"))
                            || (p[2] == "iam" && p[5].starts_with("role/") && action.service() == "sts")
                    });
                    v.resource_any =
                        !req.kms_grants.is_empty() || req.acl.as_ref().is_some_and(|acl| !acl.grants.is_empty());
                    if let Some(pol) = r.policies().resource.as_deref() {
                        grantees(pol, action, estate, &mut v);
                    }
                    if let Some(acl) = &req.acl {
                        for (g, _) in &acl.grants {
                            match g {
                                AclGrantee::AllUsers | AclGrantee::AuthenticatedUsers => {
                                    push_named(&mut v, "*".to_string(), "anyPrincipal", true);
                                }
                                AclGrantee::Account(a) => {
                                    v.resource_accounts.push(a.clone());
                                    push_named(
                                        &mut v,
                                        format!("arn:aws:iam::{a}:root"),
                                        "account",
                                        !estate_has_iam(estate, a),
                                    );
                                }
                            }
                        }
                    }
                    for g in &req.kms_grants {
                        let e = PrincipalEntry::from_aws(&g.grantee);
                        push_named(&mut v, g.grantee.clone(), kind_of(&e), !is_estate_principal(estate, &e));
                    }
                }
                v
            })
            .collect();
        if !resource_found {
            notes.push(format!(
                "`{}` is not in the snapshot: evaluated without a resource-based policy",
                query.resource
            ));
        }
        WhoCan {
            estate,
            query,
            actions: views,
            resource_account,
            resource_found,
            resource_tags_known,
            notes,
            replacing: None,
        }
    }

    /// The question with the organization policies of `set` — its SCPs, its RCPs,
    /// each when given — in place of the estate's (a pull request's new SCP over the
    /// organization as it is): the SCPs for every principal of the organization's
    /// accounts, the RCPs when the resource is in one (S-EVAL-2, S-EVAL-3: where the
    /// organization's own apply; the management account stays exempt), as
    /// [`Resolved::with_policies`] replaces them for one request. The other members of
    /// `set` are not used: the candidates are worked out from the estate's identity-
    /// and resource-based policies, and organization policies never widen access, so
    /// they stay a superset of those allowed.
    pub fn replacing(mut self, set: &crate::eval::PolicySet) -> WhoCan<'e> {
        self.replacing = Some(crate::eval::PolicySet {
            scp: set.scp.clone(),
            rcp: set.rcp.clone(),
            ..crate::eval::PolicySet::default()
        });
        self
    }

    /// The estate principals (indices) that could be allowed some action: the others
    /// need not be evaluated.
    pub fn principals(&self) -> Vec<u32> {
        (0..self.estate.principals.len())
            .filter_map(|i| u32::try_from(i).ok())
            .filter(|&i| self.actions.iter().any(|a| self.candidate(i, a)))
            .collect()
    }

    /// [`WhoCan::principals`] of one account: a partition of the work (docs/DISTRIBUTED.md).
    pub fn principals_in(&self, account: &str) -> Vec<u32> {
        let Some((idx, _)) = self.estate.account_of(account) else {
            return Vec::new();
        };
        self.principals()
            .into_iter()
            .filter(|&i| self.estate.principals.get(i as usize).is_some_and(|p| p.account == idx))
            .collect()
    }

    /// The estate.
    pub fn estate(&self) -> &'e Estate {
        self.estate
    }

    /// How many principals the estate holds.
    pub fn principal_count(&self) -> usize {
        self.estate.principals.len()
    }

    /// Whether estate principal `i` could be allowed `a` (conservative).
    fn candidate(&self, i: u32, a: &ActionView) -> bool {
        let Some(p) = self.estate.principals.get(i as usize) else {
            return false;
        };
        let account = self.estate.account(p.account).map(|acc| &*acc.id);
        let same = account.is_some() && account == self.resource_account.as_deref();
        let resource_side = a.resource_any
            || account.is_some_and(|acc| a.resource_accounts.iter().any(|x| x == acc))
            || a.resource_arns.iter().any(|x| names(x, &p.arn, p.kind));
        let identity_side = || {
            let allows = |i: &u32| self.allows(a, *i);
            let managed = |m: &Result<u32, Box<str>>| m.as_ref().is_ok_and(allows);
            p.inline.iter().any(allows)
                || p.managed.iter().any(managed)
                || p.groups.iter().any(|g| {
                    self.estate
                        .groups
                        .get(*g as usize)
                        .is_some_and(|g| g.inline.iter().any(allows) || g.managed.iter().any(managed))
                })
        };
        if a.resource_required {
            resource_side && (same || identity_side())
        } else if same {
            resource_side || identity_side()
        } else {
            resource_side && identity_side()
        }
    }

    /// Whether estate policy `i` has an `Allow` statement that can apply to `a`'s
    /// action, worked out once.
    fn allows(&self, a: &ActionView, i: u32) -> bool {
        use std::sync::atomic::Ordering;
        let Some(cell) = a.allows.get(i as usize) else {
            return false;
        };
        match cell.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => {
                let yes = a.parsed.as_ref().is_some_and(|action| {
                    self.estate
                        .policy(i)
                        .and_then(|p| p.policy.as_deref())
                        .is_some_and(|pol| pol.may_allow(action))
                });
                cell.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
                yes
            }
        }
    }

    /// The results for estate principal `i` (every action it is allowed), resolved with
    /// `resolver` (one per thread).
    pub fn principal(&self, resolver: &mut Resolver<'_>, i: u32) -> Vec<WhoCanResult> {
        let Some(p) = self.estate.principals.get(i as usize) else {
            return Vec::new();
        };
        let kind = match p.kind {
            EstatePrincipalKind::User => "user",
            EstatePrincipalKind::Role => "role",
        };
        let mut known: Vec<String> = estate_keys(kind).collect();
        if self.resource_tags_known {
            known.push("aws:resourcetag/*".into());
        }
        let opts = PartialOptions { known_absent: known };
        self.actions
            .iter()
            .filter(|a| self.candidate(i, a))
            .filter_map(|a| self.answer(resolver, &p.arn, kind, false, a, &opts, &[]))
            .collect()
    }

    /// The results for the grantees outside the estate.
    pub fn external(&self, resolver: &mut Resolver<'_>) -> Vec<WhoCanResult> {
        self.grantees(resolver, |_, outside| outside)
    }

    /// The results for the grantees the resource side names (an account as its root
    /// user; `*` as unsigned requests when they can be allowed, and as any signed
    /// principal outside the estate unless unsigned requests are allowed outright or
    /// that answer is theirs), those `keep(principal, outside the estate)` keeps.
    pub(crate) fn grantees(&self, resolver: &mut Resolver<'_>, keep: impl Fn(&str, bool) -> bool) -> Vec<WhoCanResult> {
        let mut out = Vec::new();
        let mut known: Vec<String> = ESTATE_KEYS
            .iter()
            .filter(|k| !OUTSIDE_PRINCIPAL_KEYS.contains(k))
            .map(|s| s.to_string())
            .collect();
        if self.resource_tags_known {
            known.push("aws:resourcetag/*".into());
        }
        for a in &self.actions {
            for (who, kind, outside) in &a.named {
                if !keep(who, *outside) {
                    continue;
                }
                if who == "*" {
                    // Unsigned requests first: if they are allowed whatever the unknown
                    // keys hold, everyone is. They carry no principal keys at all.
                    let anonymous = PartialOptions {
                        known_absent: ESTATE_KEYS
                            .iter()
                            .map(|s| s.to_string())
                            .chain(known.iter().cloned())
                            .collect(),
                    };
                    let unsigned = self.answer(resolver, "anonymous", "anonymous", true, a, &anonymous, &[]);
                    let unsigned_allowed = unsigned
                        .as_ref()
                        .is_some_and(|r| r.answer.decision == PartialDecision::Allow);
                    let unsigned_answer = unsigned
                        .as_ref()
                        .map(|r| (r.answer.decision, r.answer.conditions.clone()));
                    if let Some(r) = unsigned {
                        out.push(WhoCanResult {
                            principal: "*".into(),
                            ..r
                        });
                    }
                    if unsigned_allowed {
                        continue;
                    }
                    // An `AllowIf` for unsigned requests (or none): signed requests, whose
                    // principal keys are unknown rather than absent, may be allowed under
                    // broader conditions (`aws:PrincipalAccount` is …): listed too where
                    // their answer differs.
                    let any = PartialOptions {
                        known_absent: known
                            .iter()
                            .filter(|k| !ANY_PRINCIPAL_KEYS.contains(&k.as_str()))
                            .cloned()
                            .collect(),
                    };
                    let outside = format!("arn:aws:iam::{OUTSIDE_ACCOUNT}:root");
                    if let Some(r) = self
                        .answer(resolver, &outside, "anyPrincipal", true, a, &any, ANY_PRINCIPAL_KEYS)
                        .filter(|r| unsigned_answer != Some((r.answer.decision, r.answer.conditions.clone())))
                    {
                        out.push(WhoCanResult {
                            principal: "*".into(),
                            ..r
                        });
                    }
                    continue;
                }
                // Estate principals' keys are the estate's; outside ones' are unknown.
                let opts = PartialOptions {
                    known_absent: if *outside {
                        known.clone()
                    } else {
                        estate_keys(kind).chain(known.iter().cloned()).collect()
                    },
                };
                if let Some(r) = self.answer(resolver, who, kind, *outside, a, &opts, &[]) {
                    out.push(WhoCanResult {
                        principal: who.clone(),
                        ..r
                    });
                }
            }
        }
        out
    }

    /// One candidate request, partially evaluated: `Some` when it can be allowed.
    #[allow(clippy::too_many_arguments)]
    fn answer(
        &self,
        resolver: &mut Resolver<'_>,
        principal: &str,
        kind: &'static str,
        external: bool,
        a: &ActionView,
        opts: &PartialOptions,
        unknown: &[&str],
    ) -> Option<WhoCanResult> {
        let (resolved, req) = self.candidate_request(resolver, principal, kind, a, unknown)?;
        let pe = evaluate_partial(resolved.policies(), &req, opts);
        let allowed = matches!(pe.decision(), PartialDecision::Allow | PartialDecision::AllowIf);
        let mut answer = allowed.then(|| pe.response(&req, None));
        if pe.decision() != PartialDecision::Allow {
            for g in kms_grant_answers(resolved.policies(), &req, opts) {
                answer = Some(match answer {
                    None => g,
                    Some(r) => either(r, g),
                });
            }
        }
        Some(WhoCanResult {
            principal: principal.to_string(),
            external,
            kind,
            action: a.action.clone(),
            access_level: a.access_level,
            answer: answer?,
        })
    }

    /// One candidate request resolved, with the policies it is decided against, and the
    /// keys `unknown` left out of its context.
    fn candidate_request(
        &self,
        resolver: &mut Resolver<'_>,
        principal: &str,
        kind: &'static str,
        a: &ActionView,
        unknown: &[&str],
    ) -> Option<(Resolved, Request)> {
        let q = EstateQuery {
            principal: principal.to_string(),
            action: a.action.clone(),
            resource: Some(self.query.resource.clone()),
            context: self.query.context.clone(),
            ..EstateQuery::default()
        };
        // Web-identity and SAML providers and canonical users have no ARN to resolve:
        // their request is built as a request document's object form would be.
        let resolved = match kind {
            "federated" | "canonicalUser" => {
                let p = if kind == "federated" {
                    crate::request::Principal::federated(principal)
                } else {
                    crate::request::Principal::canonical_user(principal)
                };
                let mut b = Request::builder()
                    .principal(p)
                    .action(a.action.clone())
                    .resource(self.query.resource.clone())
                    .context(self.query.context.clone());
                if let Some(acc) = &self.resource_account {
                    b = b.resource_account(acc.clone());
                }
                let req = b.build().ok()?;
                resolver.resolve_request(&req, None, &[]).ok()?
            }
            // An account (or anyone) outside the estate: one of its principals whose
            // own policies allow (the account's grant delegates to them; its root user
            // could not assume a role, S-STS-4).
            "account" | "anyPrincipal" => {
                let account = grantee_account(principal).unwrap_or(OUTSIDE_ACCOUNT);
                let q = EstateQuery {
                    principal: stand_in(account),
                    ..q
                };
                resolver.resolve(&q).ok()?.with_policies(stand_in_policies())
            }
            _ => resolver.resolve(&q).ok()?,
        };
        let resolved = match &self.replacing {
            Some(set) => {
                let member = |account: Option<&str>| {
                    account
                        .and_then(|a| self.estate.account_of(a))
                        .is_some_and(|(_, acc)| acc.org_path.is_some())
                };
                let req = resolved.request();
                let given = crate::eval::PolicySet {
                    scp: if member(req.principal().account()) {
                        set.scp.clone()
                    } else {
                        Vec::new()
                    },
                    rcp: if member(req.resource_account()) {
                        set.rcp.clone()
                    } else {
                        Vec::new()
                    },
                    ..crate::eval::PolicySet::default()
                };
                resolved.with_policies(&given)
            }
            None => resolved,
        };
        let mut req: Request = resolved.request().clone();
        for k in unknown {
            req.context.remove(k);
        }
        Some((resolved, req))
    }

    /// The request behind result `r` of this question made concrete: resolved as it
    /// was answered (for an account or `*` outside the estate, the principal that
    /// stands for it), its context with the witness's values (an `Allow` as it is:
    /// allowed whatever the unknown keys hold, so with them absent too), and the
    /// policies it is decided against; [`crate::evaluate`] allows it, and its deciding
    /// statements are those that grant `r`. `None` for an `AllowIf` without a witness,
    /// or a result whose action this question does not ask about.
    pub fn witness_request(&self, resolver: &mut Resolver<'_>, r: &WhoCanResult) -> Option<(Resolved, Request)> {
        let a = self.actions.iter().find(|a| a.action == r.action)?;
        let witness = match r.answer.decision {
            PartialDecision::Allow => None,
            PartialDecision::AllowIf => Some(r.answer.witness.as_ref()?),
            PartialDecision::ExplicitDeny | PartialDecision::ImplicitDeny => return None,
        };
        // As `grantees` asks: `*` by unsigned requests, else by any principal outside
        // the estate with every key about it unknown.
        let (principal, unknown): (String, &[&str]) = match r.kind {
            "anonymous" => ("anonymous".into(), &[]),
            "anyPrincipal" => (format!("arn:aws:iam::{OUTSIDE_ACCOUNT}:root"), ANY_PRINCIPAL_KEYS),
            _ => (r.principal.clone(), &[]),
        };
        let (resolved, mut req) = self.candidate_request(resolver, &principal, r.kind, a, unknown)?;
        for (k, v) in witness.into_iter().flatten() {
            match v.as_str() {
                Some(v) => req.context.insert(k, vec![v.to_string()]),
                None => req.context.remove(&k.to_ascii_lowercase()),
            }
        }
        Some((resolved, req))
    }

    /// Answers the whole question on this thread.
    pub fn run(&self) -> WhoCanAnswer {
        let mut resolver = self.estate.resolver();
        let candidates = self.principals();
        let mut results: Vec<WhoCanResult> = candidates
            .iter()
            .flat_map(|&i| self.principal(&mut resolver, i))
            .collect();
        results.extend(self.external(&mut resolver));
        self.answer_of(results, candidates.len())
    }

    /// The answer from results gathered by the caller (in any order: sorted here).
    pub fn answer_of(&self, mut results: Vec<WhoCanResult>, evaluated: usize) -> WhoCanAnswer {
        results.sort_by(|a, b| (a.external, &a.principal, &a.action).cmp(&(b.external, &b.principal, &b.action)));
        WhoCanAnswer {
            resource: self.query.resource.clone(),
            resource_found: self.resource_found,
            actions: self.actions.iter().map(|a| a.action.clone()).collect(),
            results,
            evaluated,
            principals: self.estate.principals.len(),
            notes: self.notes.clone(),
        }
    }
}

/// S-KMS-3 under partial evaluation: for each KMS grant that gives the caller the
/// request's operation on the key once its encryption-context constraints hold (the
/// request leaving the encryption context unknown: it gives no
/// `kms:EncryptionContext:` key), the answer "the constraints hold, and the request is
/// allowed with them": `AllowIf` the grant's pairs are in the encryption context
/// (`kms:EncryptionContext:<key>` is the value; for `EncryptionContextEquals` also
/// `kms:EncryptionContextKeys` has no other key) and the residual of the request made
/// with those pairs (its `Deny`s, SCPs, RCPs). The concrete evaluator decides the grant
/// from the context (`eval::kms`); these answers add what partial evaluation over the
/// policies alone cannot see. AWS source:
/// <https://docs.aws.amazon.com/kms/latest/developerguide/grants.html>,
/// <https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html>.
fn kms_grant_answers(policies: &crate::eval::PolicySet, req: &Request, opts: &PartialOptions) -> Vec<PartialResponse> {
    const PREFIX: &str = "kms:encryptioncontext:";
    if req.kms_grants.is_empty()
        || req
            .context
            .iter()
            .any(|(k, _)| k.to_ascii_lowercase().starts_with(PREFIX))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in crate::eval::constrained_grants(req) {
        let Some(g) = req.kms_grants.get(i) else { continue };
        let label = format!("kmsGrants[{i}]");
        let pairs = g
            .encryption_context_equals
            .as_ref()
            .or(g.encryption_context_subset.as_ref())
            .cloned()
            .unwrap_or_default();
        let mut with = req.clone();
        let mut leaves = Vec::new();
        let mut witness = serde_json::Map::new();
        for (k, v) in &pairs {
            let key = format!("kms:EncryptionContext:{k}");
            with.context.insert(&key, vec![v.clone()]);
            witness.insert(key.clone(), serde_json::Value::String(v.clone()));
            leaves.push(super::residual::Residual::Leaf(super::residual::Leaf {
                operator: "StringEquals".into(),
                key,
                values: vec![v.clone()],
                statements: vec![label.clone()],
            }));
        }
        if g.encryption_context_equals.is_some() {
            leaves.push(super::residual::Residual::Leaf(super::residual::Leaf {
                operator: "ForAllValues:StringEquals".into(),
                key: "kms:EncryptionContextKeys".into(),
                values: pairs.iter().map(|(k, _)| k.clone()).collect(),
                statements: vec![label.clone()],
            }));
        }
        let pe = evaluate_partial(policies, &with, opts);
        let rest = match pe.decision() {
            PartialDecision::Allow => None,
            PartialDecision::AllowIf => Some(pe.response(&with, None)),
            PartialDecision::ExplicitDeny | PartialDecision::ImplicitDeny => continue,
        };
        let mut unknown_keys: Vec<String> = witness.keys().cloned().collect();
        if let Some(r) = &rest {
            leaves.extend(r.conditions.clone());
            unknown_keys.extend(r.unknown_keys.iter().cloned());
            // The rest's witness, where it has one; else the grant's pairs alone (and
            // no witness when the rest needs values it found none for).
            match &r.witness {
                Some(w) => witness.extend(w.clone()),
                None => witness.clear(),
            }
        }
        let other_pair = |k: &String| {
            k.to_ascii_lowercase().starts_with(PREFIX)
                && !pairs
                    .iter()
                    .any(|(p, _)| k.eq_ignore_ascii_case(&format!("kms:EncryptionContext:{p}")))
        };
        if g.encryption_context_equals.is_some() && witness.keys().any(other_pair) {
            // The encryption context must be exactly the grant's pairs: no witness.
            witness.clear();
        }
        let conditions = match <[_; 1]>::try_from(leaves) {
            Ok([one]) => one,
            Err(leaves) => super::residual::Residual::And { and: leaves },
        };
        out.push(PartialResponse {
            id: None,
            decision: PartialDecision::AllowIf,
            description: Some(conditions.describe()),
            conditions: Some(conditions),
            unknown_keys: sorted_keys(unknown_keys),
            witness: (!witness.is_empty()).then_some(witness),
        });
    }
    out
}

/// Condition keys sorted and deduplicated, ignoring case (as partial evaluation lists
/// them).
fn sorted_keys(mut keys: Vec<String>) -> Vec<String> {
    keys.sort_by_key(|k| k.to_ascii_lowercase());
    keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    keys
}

/// Two `AllowIf` answers for one request: allowed if either's conditions hold (the
/// first's witness where it has one).
fn either(a: PartialResponse, b: PartialResponse) -> PartialResponse {
    let conditions = super::residual::Residual::Or {
        or: a.conditions.into_iter().chain(b.conditions).collect(),
    };
    let unknown_keys = sorted_keys(a.unknown_keys.into_iter().chain(b.unknown_keys).collect());
    PartialResponse {
        id: None,
        decision: PartialDecision::AllowIf,
        description: Some(conditions.describe()),
        conditions: Some(conditions),
        unknown_keys,
        witness: a.witness.or(b.witness),
    }
}

/// The principal that stands for "some principal of `account` whose own policies
/// allow": a role (it may assume roles) that no account holds by this name.
pub fn stand_in(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/{STAND_IN_ROLE}")
}

/// The stand-in principal's role name.
pub const STAND_IN_ROLE: &str = "policy-sim-any-principal";

/// The stand-in principal's identity-based policy: `{"Effect": "Allow", "Action": "*",
/// "Resource": "*"}` (SCPs, boundaries and the resource side still apply).
pub const STAND_IN_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// [`STAND_IN_POLICY`] as the identity-based policies of a policy set.
fn stand_in_policies() -> &'static crate::eval::PolicySet {
    static SET: std::sync::OnceLock<crate::eval::PolicySet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let src = crate::span::Source::new("<a principal whose own policies allow>", STAND_IN_POLICY);
        crate::eval::PolicySet {
            identity: crate::parse::parse_policy(&src, crate::policy::PolicyType::Identity)
                .map(|p| vec![std::sync::Arc::new(p.policy)])
                .unwrap_or_default(),
            ..crate::eval::PolicySet::default()
        }
    })
}

/// The account a grantee's text names (a 12-digit id or an ARN's), if any.
pub(crate) fn grantee_account(who: &str) -> Option<&str> {
    if crate::request::is_account_id(who) {
        return Some(who);
    }
    crate::arn::split(who)
        .map(|p| p[4])
        .filter(|a| crate::request::is_account_id(a))
}

/// Whether statement `s`'s `Action`/`NotAction` may name `action`.
fn may_name(s: &crate::policy::Statement, action: &Action) -> bool {
    s.action_tri(action) != crate::condition::Tri::False
}

/// Whether a principal ARN a resource policy names (`named`) names the estate
/// principal `arn` of `kind`, or one of its sessions (conservative: a role's name in
/// its account).
fn names(named: &str, arn: &str, kind: EstatePrincipalKind) -> bool {
    if named == arn {
        return true;
    }
    let (Some(n), Some(a)) = (crate::arn::split(named), crate::arn::split(arn)) else {
        return false;
    };
    let last = |s: &str| s.rsplit('/').next().map(str::to_string);
    let session_role = n[5]
        .strip_prefix("assumed-role/")
        .and_then(|r| r.split('/').next())
        .map(str::to_string);
    kind == EstatePrincipalKind::Role
        && n[4] == a[4]
        && (session_role.is_some() && session_role == last(a[5]) || last(n[5]) == last(a[5]))
}

/// Whether the estate knows the tags of the resource at `arn` (its `aws:ResourceTag/*`
/// are then known, absent when not given).
fn tags_known(estate: &Estate, arn: &str) -> bool {
    if let Some(&i) = estate.principal_index.get(arn) {
        return estate.principals.get(i as usize).is_some();
    }
    let rec = estate.resource_index.get(arn).copied().or_else(|| {
        crate::arn::split(arn)
            .filter(|p| p[2] == "s3")
            .and_then(|p| estate.buckets.get(p[5].split('/').next().unwrap_or_default()).copied())
    });
    rec.and_then(|i| estate.resources.get(i as usize))
        .is_some_and(|r| r.tags.is_some())
}

/// Whether the estate holds account `id`'s IAM data.
fn estate_has_iam(estate: &Estate, id: &str) -> bool {
    estate.account_of(id).is_some_and(|(_, a)| a.has_iam)
}

/// Whether `entry` names a principal (or the account of principals) the estate holds.
fn is_estate_principal(estate: &Estate, entry: &PrincipalEntry) -> bool {
    match entry {
        PrincipalEntry::Account { account, .. } => estate_has_iam(estate, account),
        PrincipalEntry::Arn(a) | PrincipalEntry::Role { arn: a, .. } => {
            estate.principal_index.contains_key(a.as_str())
                || crate::arn::split(a).is_some_and(|p| estate_has_iam(estate, p[4]))
        }
        _ => false,
    }
}

fn push_named(v: &mut ActionView, who: String, kind: &'static str, outside: bool) {
    if !v.named.iter().any(|(w, _, _)| *w == who) {
        v.named.push((who, kind, outside));
    }
}

/// Whom the resource policy's `Allow` statements for `action` name.
fn grantees(pol: &Policy, action: &Action, estate: &Estate, v: &mut ActionView) {
    for i in pol.index.candidates(action) {
        let Some(st) = pol.statements.get(i) else { continue };
        if st.effect != Effect::Allow || !may_name(st, action) {
            continue;
        }
        let Some(spec) = &st.principal else {
            v.resource_any = true;
            continue;
        };
        if spec.negated {
            v.resource_any = true;
            push_named(v, "*".into(), "anyPrincipal", true);
            continue;
        }
        for e in &spec.entries {
            match e {
                PrincipalEntry::Everyone => {
                    v.resource_any = true;
                    push_named(v, "*".into(), "anyPrincipal", true);
                }
                PrincipalEntry::Account { account, .. } => {
                    v.resource_accounts.push(account.clone());
                    push_named(v, account_text(e), "account", !estate_has_iam(estate, account));
                }
                PrincipalEntry::Arn(a) | PrincipalEntry::Role { arn: a, .. } => {
                    v.resource_arns.push(a.clone());
                    push_named(v, a.clone(), kind_of(e), !is_estate_principal(estate, e));
                }
                PrincipalEntry::Service(s) | PrincipalEntry::Federated(s) | PrincipalEntry::CanonicalUser(s) => {
                    push_named(v, s.clone(), kind_of(e), true);
                }
                PrincipalEntry::Unresolved(_) => {}
            }
        }
    }
}

/// An account entry as an account root ARN.
fn account_text(e: &PrincipalEntry) -> String {
    match e {
        PrincipalEntry::Account { partition, account } => {
            format!("arn:{}:iam::{account}:root", partition.as_deref().unwrap_or("aws"))
        }
        _ => String::new(),
    }
}
