//! One statement against one request: action (S-MATCH-1), resource (S-MATCH-2,
//! S-VAR-*), principal (S-MATCH-3, in [`super::principal`]) and condition (S-MATCH-4,
//! in [`crate::condition`]); and a run over the applicable policies that collects the
//! statements that apply (hits), the keys the request lacked, the statements the engine
//! could not decide (S-COND-8) and, on request, why near misses did not apply.

use smallvec::SmallVec;

use super::principal::{not_principal, principal_matches, unresolved_matches, Grant, NotPrincipal};
use super::{EvalOptions, PolicySlot};
use crate::arn::{self, ArnPattern};
use crate::condition::{Missing, Tri};
use crate::policy::{Effect, Policy, PrincipalEntry, ResourcePattern, Statement};
use crate::request::Request;
use crate::variables::{Resolution, Resolved};

/// Why a statement whose action matched did not apply (collected on request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    Resource,
    Principal,
    /// Index into the statement's conditions.
    Condition(usize),
}

/// Per-request scratch shared by statement matching.
pub(crate) struct Ctx<'r> {
    pub(crate) req: &'r Request,
    pub(crate) parts: Option<[&'r str; 6]>,
    /// The partition of the resource (of the principal when the resource is not an
    /// ARN): a bare account id in a `Principal` means this partition.
    pub(crate) partition: &'r str,
    /// A permissions boundary applies to the caller (S-MATCH-3a).
    pub(crate) has_boundary: bool,
    pub(crate) opts: EvalOptions,
}

/// A statement that applies (or, for a `Deny`, may apply: S-COND-8).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) slot: PolicySlot,
    pub(crate) index: usize,
    pub(crate) effect: Effect,
    pub(crate) grant: Option<Grant>,
}

/// `Action`/`NotAction` (S-MATCH-1): indeterminate when the answer hinges on a
/// malformed entry.
pub(super) fn action_matches(stmt: &Statement, req: &Request) -> Tri {
    stmt.action_tri(&req.action)
}

/// [`resource_matches_in`] with the request's own context. Both inlined into the
/// statement loop: a call per statement cost more than the match of most statements.
#[inline(always)]
fn resource_matches<'p>(stmt: &'p Statement, cx: &Ctx<'_>, missing: &mut Missing<'p>) -> Tri {
    resource_matches_in(stmt, cx, &cx.req.context, missing)
}

/// `Resource`/`NotResource` (S-MATCH-2) with the policy variables filled in from `ctx`
/// (S-VAR-*): `True` when the element lets the statement apply to the request's
/// resource, `Indeterminate` when an unresolvable variable leaves that open (S-VAR-6).
#[inline(always)]
pub(crate) fn resource_matches_in<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    let Some((negated, _)) = &stmt.resource else {
        // No `Resource`: the policy's own resource (trust policies, S-DOC-3).
        return Tri::True;
    };
    let t = resource_any_match_inline(stmt, cx, ctx, missing);
    if *negated {
        t.negate()
    } else {
        t
    }
}

/// Whether some pattern of the statement's `Resource`/`NotResource` matches the
/// request's resource (before `NotResource`'s negation), variables filled from `ctx`.
///
/// A variable with no value makes its pattern match no resource: "If a variable that
/// has no value in the authorization context is used as part of the `Resource` or
/// `NotResource` element of a policy, the resource that includes a policy variable with
/// no value will not match any resource"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value>,
/// S-VAR-4). When no pattern matches, the answer is `Indeterminate` instead of `False`
/// where AWS's pages leave the outcome open (S-VAR-6): in a `NotResource` (the same page
/// also says a missing value "causes the statement to be invalid"), and for a key with
/// several values.
pub(crate) fn resource_any_match<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    resource_any_match_inline(stmt, cx, ctx, missing)
}

/// [`resource_any_match`], inlined into the statement loop (a call per statement cost
/// about a sixth of the match).
#[inline(always)]
fn resource_any_match_inline<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    let Some((negated, pats)) = &stmt.resource else {
        return Tri::True;
    };
    let mut none = Tri::False;
    for p in pats {
        match pattern_match(p, *negated, cx, ctx, missing) {
            Tri::True => return Tri::True,
            Tri::Indeterminate => none = Tri::Indeterminate,
            Tri::False => {}
        }
    }
    none
}

/// One pattern of a `Resource` (`negated == false`) or `NotResource` element against
/// the request's resource, as [`resource_any_match`] reads it.
#[inline(always)]
fn pattern_match<'p>(
    p: &'p ResourcePattern,
    negated: bool,
    cx: &Ctx<'_>,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    match p {
        // `*` (most statements of SCPs and boundaries) without a call.
        ResourcePattern::Arn(ArnPattern::Any) => Tri::True,
        ResourcePattern::Arn(a) => Tri::from(a.is_match_inline(cx.req.resource.as_str(), cx.parts.as_ref())),
        // Most patterns name other resources: their literal start decides, once the
        // variables are known to resolve.
        ResourcePattern::Var(t) if !crate::pattern::has_prefix(cx.req.resource.as_str(), t.literal_prefix()) => {
            match t.resolution(ctx) {
                Resolution::Resolved => Tri::False,
                other => unresolved_match(t, other, negated, ctx, missing),
            }
        }
        ResourcePattern::Var(t) => template_match(t, negated, cx, ctx, missing),
    }
}

/// [`pattern_match`] for a pattern holding policy variables (S-VAR-*) whose literal
/// start the request's resource has: resolved in the same pass that classifies it (one
/// look-up per variable).
fn template_match<'p>(
    t: &'p crate::variables::Template,
    negated: bool,
    cx: &Ctx<'_>,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    let r = cx.req.resource.as_str();
    let mut toks = Resolved::new();
    match t.resolve_tokens(ctx, &mut toks) {
        Resolution::Resolved => Tri::from(arn::resolved_match(&toks, r, cx.parts.as_ref(), t.has_arn_head())),
        other => unresolved_match(t, other, negated, ctx, missing),
    }
}

/// [`pattern_match`] for a pattern holding policy variables that do not resolve
/// (`resolution` is not [`Resolution::Resolved`]).
#[cold]
fn unresolved_match<'p>(
    t: &'p crate::variables::Template,
    resolution: Resolution,
    negated: bool,
    ctx: &crate::request::Context,
    missing: &mut Missing<'p>,
) -> Tri {
    if resolution == Resolution::TooLarge {
        // S-VAR-7: a pattern whose variables would expand past the limit is not
        // expanded.
        return Tri::Indeterminate;
    }
    // S-VAR-4: an unresolvable variable matches nothing; report its keys.
    missing.extend(
        t.keys()
            .filter(|k| ctx.get(k).is_none())
            .map(|key| crate::condition::MissingKey { key, json: None }),
    );
    if negated || t.keys().any(|k| ctx.get(k).is_some_and(|v| v.len() > 1)) {
        Tri::Indeterminate
    } else {
        Tri::False
    }
}

/// A part of a statement whose truth depends on condition keys the partial evaluation
/// treats as unknown (issue 10's "allowed if …").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Atom {
    /// The statement's condition at this index.
    Condition(usize),
    /// Whether a pattern of its `Resource`/`NotResource` (before `NotResource`'s
    /// negation) matches, their policy variables reading unknown keys.
    Resource,
}

/// How a statement applies when some condition keys are unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PartialMatch {
    /// Whatever the unknown keys hold, it does not apply.
    No,
    /// Whatever they hold, it applies.
    Yes,
    /// It applies exactly when every atom holds: for an `Allow`, when the part is true;
    /// for a `Deny`, when it is not false (an indeterminate part makes a `Deny` apply,
    /// S-COND-8). A [`Atom::Resource`] of a `NotResource` is read negated: an `Allow`
    /// needs it false, a `Deny` not true.
    If(SmallVec<[Atom; 2]>),
}

/// [`statement_applies`] with the keys for which `unknown` says so, and that the request
/// does not give, left open: the same action, resource, principal and condition
/// matching, each part that reads an unknown key becoming an [`Atom`].
pub(crate) fn statement_applies_partial(
    stmt: &Statement,
    cx: &Ctx<'_>,
    unknown: &dyn Fn(&str) -> bool,
) -> (PartialMatch, Option<Grant>) {
    let ctx = &cx.req.context;
    let is_unknown = |k: &str| ctx.get(k).is_none() && unknown(k);
    let deny = stmt.effect == Effect::Deny;
    // What a known part's outcome means: `None` ends the statement (it cannot apply).
    let known = |t: Tri| match t {
        Tri::True => Some(()),
        Tri::Indeterminate if deny => Some(()),
        _ => None,
    };
    let mut scratch: Missing<'_> = Vec::new();
    if known(action_matches(stmt, cx.req)).is_none() {
        return (PartialMatch::No, None);
    }
    let mut atoms: SmallVec<[Atom; 2]> = SmallVec::new();
    let reads_unknown = |p: &ResourcePattern| matches!(p, ResourcePattern::Var(t) if t.keys().any(is_unknown));
    match &stmt.resource {
        Some((negated, pats)) if pats.iter().any(reads_unknown) => {
            // The patterns that read only known keys decide when one matches; else the
            // element hinges on the others, an atom.
            let r = cx.req.resource.as_str();
            let mut known_t = Tri::False;
            for p in pats.iter().filter(|p| !reads_unknown(p)) {
                match pattern_match(p, *negated, cx, ctx, &mut scratch) {
                    Tri::True => {
                        known_t = Tri::True;
                        break;
                    }
                    Tri::Indeterminate => known_t = Tri::Indeterminate,
                    Tri::False => {}
                }
            }
            let known_match = known_t == Tri::True;
            // Can an open pattern match at all? Each open variable widened to `*`.
            let may_match = !known_match
                && pats.iter().filter(|p| reads_unknown(p)).any(|p| match p {
                    ResourcePattern::Var(t) => {
                        let mut toks = Vec::new();
                        t.widen_tokens(ctx, &is_unknown, &mut toks)
                            && ArnPattern::from_tokens(toks).is_match(r, cx.parts.as_ref())
                    }
                    ResourcePattern::Arn(_) => false,
                });
            match (known_match || may_match, known_match, *negated) {
                // Some pattern matches whatever the keys hold.
                (_, true, true) => return (PartialMatch::No, None),
                (_, true, false) => {}
                // None can match whatever they hold. The element is not true, but an
                // open pattern is indeterminate when its variable has no single value
                // (S-VAR-6: absent in a `NotResource`, several values anywhere), false
                // when it has one: unless the known patterns already leave it open, the
                // element hinges on the keys where that changes the statement.
                (false, _, _) => match (known_t, *negated, deny) {
                    (Tri::Indeterminate, ..) => {
                        if known(Tri::Indeterminate).is_none() {
                            return (PartialMatch::No, None);
                        }
                    }
                    // `NotResource` true or indeterminate: a `Deny` applies either way.
                    (_, true, true) => {}
                    // `Resource` false or indeterminate: an `Allow` never applies.
                    (_, false, false) => return (PartialMatch::No, None),
                    // An `Allow`'s `NotResource` applies only when the keys have values;
                    // a `Deny`'s `Resource` when one has several.
                    _ => atoms.push(Atom::Resource),
                },
                (true, false, _) => atoms.push(Atom::Resource),
            }
        }
        _ => {
            if known(resource_matches(stmt, cx, &mut scratch)).is_none() {
                return (PartialMatch::No, None);
            }
        }
    }
    let Ok((grant, t)) = principal_part(stmt, cx) else {
        return (PartialMatch::No, None);
    };
    if known(t).is_none() {
        return (PartialMatch::No, None);
    }
    for (i, c) in stmt.conditions.iter().enumerate() {
        // An operator the engine does not know, or a value not of its type, is
        // indeterminate whatever the keys hold.
        if !c.always_indeterminate() && (is_unknown(&c.key_lc) || c.variable_keys().any(is_unknown)) {
            atoms.push(Atom::Condition(i));
        } else if known(c.eval(ctx, &mut scratch)).is_none() {
            return (PartialMatch::No, grant);
        }
    }
    if atoms.is_empty() {
        (PartialMatch::Yes, grant)
    } else {
        (PartialMatch::If(atoms), grant)
    }
}

/// The value of `atom` of `stmt` with the request context `ctx` in place of the
/// request's (a resource element is indeterminate where a variable has no single value,
/// S-VAR-6).
pub(crate) fn atom_value(stmt: &Statement, atom: Atom, cx: &Ctx<'_>, ctx: &crate::request::Context) -> Tri {
    match atom {
        Atom::Resource => resource_any_match(stmt, cx, ctx, &mut Vec::new()),
        Atom::Condition(i) => stmt
            .conditions
            .get(i)
            .map_or(Tri::False, |c| c.eval(ctx, &mut Vec::new())),
    }
}

/// The principal part of a statement (S-MATCH-3 … 3b): `Err` when the statement does not
/// apply to the caller; else the grant (for principal-bearing statements) and whether
/// the match is certain or, for a `Deny` naming a principal the engine cannot resolve,
/// indeterminate (S-COND-8).
#[inline(always)]
fn principal_part(stmt: &Statement, cx: &Ctx<'_>) -> Result<(Option<Grant>, Tri), ()> {
    let p = &cx.req.principal;
    match &stmt.principal {
        Some(spec) if spec.negated => match not_principal(spec, cx.req, cx.partition, stmt.effect, cx.has_boundary) {
            NotPrincipal::Applies | NotPrincipal::AppliesBecauseOfBoundary => Ok((Some(Grant::Everyone), Tri::True)),
            NotPrincipal::Indeterminate => Ok((Some(Grant::Everyone), Tri::Indeterminate)),
            NotPrincipal::Excluded => Err(()),
        },
        Some(spec) => match principal_matches(spec, p, cx.partition) {
            Some(g) => Ok((Some(g), Tri::True)),
            None if spec.entries.iter().any(|e| unresolved_matches(e, cx.req)) => Ok((Some(Grant::Direct), Tri::True)),
            // S-COND-8: a Deny naming a principal the engine cannot resolve applies.
            None if stmt.effect == Effect::Deny
                && spec.entries.iter().any(|e| matches!(e, PrincipalEntry::Unresolved(_))) =>
            {
                Ok((None, Tri::Indeterminate))
            }
            None => Err(()),
        },
        None => Ok((None, Tri::True)),
    }
}

/// Whether one statement applies, `action` its `Action`/`NotAction` match (S-MATCH-1);
/// `Some(grant)` for principal-bearing statements.
fn statement_applies<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    missing: &mut Missing<'p>,
    miss: &mut Option<Miss>,
    action: Tri,
) -> (Tri, Option<Grant>) {
    // Each part is true or indeterminate past its `False` return: the conjunction is
    // indeterminate when one was (kept as a flag, not folded with `Tri::and`).
    let mut indeterminate = false;
    match action {
        Tri::False => return (Tri::False, None),
        t => indeterminate |= t == Tri::Indeterminate,
    }
    match resource_matches(stmt, cx, missing) {
        Tri::False => {
            *miss = Some(Miss::Resource);
            return (Tri::False, None);
        }
        t => indeterminate |= t == Tri::Indeterminate,
    }
    // Most statements name no principal: no call.
    let grant = if stmt.principal.is_none() {
        None
    } else {
        let Ok((grant, t)) = principal_part(stmt, cx) else {
            *miss = Some(Miss::Principal);
            return (Tri::False, None);
        };
        indeterminate |= t == Tri::Indeterminate;
        grant
    };
    for (i, c) in stmt.conditions.iter().enumerate() {
        match c.eval_inline(&cx.req.context, missing) {
            Tri::False => {
                *miss = Some(Miss::Condition(i));
                return (Tri::False, grant);
            }
            t => indeterminate |= t == Tri::Indeterminate,
        }
    }
    (if indeterminate { Tri::Indeterminate } else { Tri::True }, grant)
}

/// Why `stmt` is indeterminate for `req` (S-COND-8), in words: for explanations, off
/// the evaluation path.
pub(crate) fn indeterminate_why(stmt: &Statement, req: &Request) -> String {
    let mut why: Vec<String> = Vec::new();
    if action_matches(stmt, req) == Tri::Indeterminate {
        let entries: Vec<String> = stmt.actions.malformed_entries().map(|e| format!("`{e}`")).collect();
        why.push(format!(
            "its `{}` holds {} that is not `service:Name`, so whether it names `{}` cannot be known (S-MATCH-1)",
            if stmt.not_action { "NotAction" } else { "Action" },
            entries.join(", "),
            req.action.text
        ));
    }
    if let Some((negated, pats)) = &stmt.resource {
        let ctx = &req.context;
        for p in pats {
            let ResourcePattern::Var(t) = p else { continue };
            if t.too_large(ctx) {
                why.push(crate::span::clip_quoted(format!(
                    "its `{}` pattern `{}` expands to more than {} bytes, which the engine does not expand (S-VAR-7)",
                    if *negated { "NotResource" } else { "Resource" },
                    t.source(),
                    crate::variables::MAX_EXPANDED_BYTES
                )));
                continue;
            }
            let multi = t.keys().any(|k| ctx.get(k).is_some_and(|v| v.len() > 1));
            if t.resolve_text(ctx).is_none() && (*negated || multi) {
                let keys: Vec<String> = t.keys().map(|k| format!("`{k}`")).collect();
                why.push(format!(
                    "its `{}` pattern `{}` reads {} with no single value in the request, so whether it names the resource cannot be known (S-VAR-6)",
                    if *negated { "NotResource" } else { "Resource" },
                    t.source(),
                    keys.join(", ")
                ));
            }
        }
    }
    if let Some(spec) = stmt
        .principal
        .as_ref()
        .filter(|s| s.negated && stmt.effect == Effect::Allow)
    {
        if req.context.get("aws:userid").is_none() {
            for e in &spec.entries {
                if let PrincipalEntry::Unresolved(v) = e {
                    why.push(format!(
                        "its `NotPrincipal` names `{v}`, which cannot be resolved offline, and the request gives no `aws:userid` to compare it with (S-MATCH-3b)"
                    ));
                }
            }
        }
    }
    if let Some(spec) = stmt
        .principal
        .as_ref()
        .filter(|s| !s.negated && stmt.effect == Effect::Deny)
    {
        for e in &spec.entries {
            if let PrincipalEntry::Unresolved(v) = e {
                why.push(format!(
                    "its `Principal` names `{v}`, which cannot be resolved offline (S-MATCH-3)"
                ));
            }
        }
    }
    why.extend(stmt.conditions.iter().filter_map(|c| c.indeterminate_why(&req.context)));
    why.join("; ")
}

pub(crate) struct Run<'p, 'r> {
    pub(crate) cx: Ctx<'r>,
    pub(crate) hits: SmallVec<[Hit; 16]>,
    pub(crate) missing: Missing<'p>,
    pub(crate) indeterminate: Vec<(PolicySlot, usize)>,
    pub(crate) misses: Vec<(PolicySlot, usize, Miss)>,
}

impl<'p> Run<'p, '_> {
    /// Evaluates the statements of `policy` that can apply to the request's action.
    #[inline]
    pub(super) fn policy(&mut self, slot: PolicySlot, policy: &'p Policy) {
        let candidates = policy.index.candidates(&self.cx.req.action);
        // Most policies name none of the action's service: nothing to call.
        if !candidates.is_empty() {
            self.statements(slot, policy, candidates);
        }
    }

    /// [`Run::policy`] where the caller knows where the policy's index has the
    /// candidates of the request's action (`range`, from a [`super::SetIndex`] row).
    #[inline]
    pub(super) fn policy_in(&mut self, slot: PolicySlot, policy: &'p Policy, range: (u32, u32)) {
        let candidates = policy.index.candidates_in(range);
        // Most policies name none of the action's service: nothing to call.
        if !candidates.is_empty() {
            self.statements(slot, policy, candidates);
        }
    }

    fn statements(&mut self, slot: PolicySlot, policy: &'p Policy, mut candidates: crate::policy::Candidates<'p>) {
        while let Some(c) = candidates.next_candidate() {
            let i = c.statement();
            let Some(stmt) = policy.statements.get(i) else { continue };
            let mut miss = None;
            let (t, grant) = if c.applies() {
                // Nothing of the request to look at (the index checked the statement).
                (Tri::True, None)
            } else {
                // The index knows the action match of most statements.
                let action = match c.action() {
                    Some(t) => t,
                    None => policy.index.open_action_tri(c, stmt, &self.cx.req.action),
                };
                statement_applies(stmt, &self.cx, &mut self.missing, &mut miss, action)
            };
            // (Built where it is pushed: most candidates do not apply.)
            let hit = || Hit {
                slot,
                index: i,
                effect: stmt.effect,
                grant,
            };
            match (t, stmt.effect) {
                (Tri::True, _) => self.hits.push(hit()),
                // S-COND-8: fail closed. An indeterminate Deny applies; an
                // indeterminate Allow never allows.
                (Tri::Indeterminate, Effect::Deny) => {
                    self.indeterminate.push((slot, i));
                    self.hits.push(hit());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyType;
    use crate::request::{Principal, Request};
    use crate::span::Source;
    use proptest::prelude::*;

    fn policy(ty: PolicyType, statements: &[String]) -> crate::policy::Policy {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
        crate::parse::parse_policy(&Source::new("p.json", text), ty)
            .unwrap()
            .policy
    }

    /// Request context keys with their values.
    type Keys<'a> = &'a [(&'a str, &'a [&'a str])];

    fn request(resource: &str, context: Keys<'_>) -> Request {
        let mut b = Request::builder()
            .principal(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
            .action("s3:GetObject")
            .resource(resource);
        for (k, v) in context {
            b = b.context_value(k, v.iter().map(|s| s.to_string()).collect());
        }
        b.build().unwrap()
    }

    fn cx(req: &Request) -> Ctx<'_> {
        Ctx {
            req,
            parts: req.resource_parts(),
            partition: "aws",
            has_boundary: false,
            opts: EvalOptions { near_misses: true },
        }
    }

    const RESOURCES: &[&str] = &[
        r#""Resource":"*""#,
        r#""Resource":["*","arn:aws:s3:::b/${aws:PrincipalTag/team}"]"#,
        r#""Resource":["arn:aws:s3:::b/${aws:PrincipalTag/team}","*"]"#,
        r#""Resource":["arn:aws:s3:::other/*","*"]"#,
        r#""Resource":"arn:aws:s3:::b/*""#,
        r#""NotResource":"*""#,
        r#""NotResource":"arn:aws:s3:::other/*""#,
    ];
    const ACTIONS: &[&str] = &[
        r#""Action":"s3:GetObject""#,
        r#""Action":"s3:*""#,
        r#""Action":"*""#,
        r#""NotAction":"iam:*""#,
        r#""NotAction":"s3:*""#,
        r#""Action":"s3:Get*""#,
    ];
    const EXTRAS: &[&str] = &[
        "",
        r#","Condition":{"StringEquals":{"aws:PrincipalTag/team":"bob"}}"#,
        r#","Condition":{"Null":{"aws:PrincipalTag/x":"true"}}"#,
        r#","Principal":{"AWS":"arn:aws:iam::444455556666:root"}"#,
        r#","Principal":"*""#,
        r#","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    ];

    proptest! {
        /// A candidate the action index marks as applying whatever the request applies:
        /// matching it as every other statement gives true, no grant, no missing key
        /// and no near miss (with and without the keys its patterns read).
        #[test]
        fn candidates_marked_as_applying_apply(
            picks in proptest::collection::vec((0..RESOURCES.len(), 0..ACTIONS.len(), 0..EXTRAS.len(), any::<bool>()), 1..6),
            with_tag in any::<bool>(),
        ) {
            let resource_policy = picks.iter().any(|&(_, _, e, _)| EXTRAS[e].contains(r#"Principal":"#));
            let ty = if resource_policy { PolicyType::Resource } else { PolicyType::Identity };
            let statements: Vec<String> = picks
                .iter()
                .map(|&(r, a, e, allow)| {
                    let extra = if resource_policy && !EXTRAS[e].contains(r#"Principal":"#) {
                        format!(r#"{},"Principal":"*""#, EXTRAS[e])
                    } else {
                        EXTRAS[e].to_string()
                    };
                    format!(
                        r#"{{"Effect":"{}",{},{}{}}}"#,
                        if allow { "Allow" } else { "Deny" },
                        ACTIONS[a],
                        RESOURCES[r],
                        extra
                    )
                })
                .collect();
            let pol = policy(ty, &statements);
            let tags: &[(&str, &[&str])] = if with_tag { &[("aws:PrincipalTag/team", &["bob"])] } else { &[] };
            let req = request("arn:aws:s3:::b/bob", tags);
            let cx = cx(&req);
            let mut c = pol.index.candidates(&req.action);
            while let Some(cand) = c.next_candidate() {
                let (i, action, applies) = (cand.statement(), cand.action(), cand.applies());
                if !applies {
                    continue;
                }
                let mut missing = Vec::new();
                let mut miss = None;
                let action = action.unwrap_or_else(|| pol.statements[i].action_tri(&req.action));
                let (t, grant) = statement_applies(&pol.statements[i], &cx, &mut missing, &mut miss, action);
                prop_assert_eq!(t, Tri::True, "{}", statements[i]);
                prop_assert!(grant.is_none() && missing.is_empty() && miss.is_none(), "{}", statements[i]);
            }
        }
    }

    /// A variable pattern whose literal start the resource lacks is false when its
    /// variables resolve, and otherwise answers as one whose start matches: its keys
    /// reported when absent (S-VAR-4), indeterminate in a `NotResource` or for a key with
    /// several values (S-VAR-6) or past the expansion limit (S-VAR-7).
    #[test]
    fn variable_patterns_whose_start_differs() {
        let big = "x".repeat(crate::variables::MAX_EXPANDED_BYTES);
        // (the `Resource` element, the request context, the match, whether the key is
        // reported missing)
        let cases: &[(&str, Keys<'_>, Tri, bool)] = &[
            (
                r#""Resource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[("aws:PrincipalTag/team", &["bob"])],
                Tri::False,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[],
                Tri::False,
                true,
            ),
            (
                r#""NotResource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[],
                Tri::Indeterminate,
                true,
            ),
            (
                r#""NotResource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[("aws:PrincipalTag/team", &["bob"])],
                Tri::True,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[("aws:PrincipalTag/team", &["a", "b"])],
                Tri::Indeterminate,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::other/${aws:PrincipalTag/team}/*""#,
                &[("aws:PrincipalTag/team", &[big.as_str()])],
                Tri::Indeterminate,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}""#,
                &[("aws:PrincipalTag/team", &[big.as_str()])],
                Tri::Indeterminate,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}""#,
                &[("aws:PrincipalTag/team", &["bob"])],
                Tri::True,
                false,
            ),
            (
                r#""Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}""#,
                &[],
                Tri::False,
                true,
            ),
        ];
        for (resource, context, want, reports) in cases {
            let pol = policy(
                PolicyType::Identity,
                &[format!(r#"{{"Effect":"Allow","Action":"s3:GetObject",{resource}}}"#)],
            );
            let req = request("arn:aws:s3:::b/bob", context);
            let mut missing = Vec::new();
            let t = resource_matches(&pol.statements[0], &cx(&req), &mut missing);
            assert_eq!(t, *want, "{resource} {context:?}");
            let keys: Vec<&str> = missing.iter().map(|m| m.key).collect();
            assert_eq!(keys == ["aws:principaltag/team"], *reports, "{resource} {context:?}");
        }
    }
}
