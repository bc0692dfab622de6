//! One statement against one request: action (S-MATCH-1), resource (S-MATCH-2,
//! S-VAR-*), principal (S-MATCH-3, in [`super::principal`]) and condition (S-MATCH-4,
//! in [`crate::condition`]); and a run over the applicable policies that collects the
//! statements that apply (hits), the keys the request lacked, the statements the engine
//! could not decide (S-COND-8) and, on request, why near misses did not apply.

use smallvec::SmallVec;

use super::principal::{not_principal, principal_matches, unresolved_matches, Grant, NotPrincipal};
use super::{EvalOptions, PolicySlot};
use crate::arn::ArnPattern;
use crate::condition::{Missing, Tri};
use crate::policy::{Effect, Policy, PrincipalEntry, ResourcePattern, Statement};
use crate::request::Request;

/// Why a statement whose action matched did not apply (collected on request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    Resource,
    Principal,
    /// Index into the statement's conditions.
    Condition(usize),
}

/// Per-request scratch shared by statement matching.
pub(super) struct Ctx<'r> {
    pub(super) req: &'r Request,
    pub(super) parts: Option<[&'r str; 6]>,
    /// The partition of the resource (of the principal when the resource is not an
    /// ARN): a bare account id in a `Principal` means this partition.
    pub(super) partition: &'r str,
    /// A permissions boundary applies to the caller (S-MATCH-3a).
    pub(super) has_boundary: bool,
    pub(super) opts: EvalOptions,
}

/// A statement that applies (or, for a `Deny`, may apply: S-COND-8).
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub(super) slot: PolicySlot,
    pub(super) index: usize,
    pub(super) effect: Effect,
    pub(super) grant: Option<Grant>,
}

/// `Action`/`NotAction` (S-MATCH-1): indeterminate when the answer hinges on a
/// malformed entry.
pub(super) fn action_matches(stmt: &Statement, req: &Request) -> Tri {
    let t = stmt.actions.matches_tri(&req.action);
    if stmt.not_action {
        t.negate()
    } else {
        t
    }
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

/// Whether one statement applies; `Some(grant)` for principal-bearing statements.
fn statement_applies<'p>(
    stmt: &'p Statement,
    cx: &Ctx<'_>,
    missing: &mut Missing<'p>,
    miss: &mut Option<Miss>,
) -> (Tri, Option<Grant>) {
    let mut result = action_matches(stmt, cx.req);
    if result == Tri::False {
        return (Tri::False, None);
    }
    if !resource_matches(stmt, cx, missing) {
        *miss = Some(Miss::Resource);
        return (Tri::False, None);
    }
    let p = &cx.req.principal;
    let grant = match &stmt.principal {
        Some(spec) if spec.negated => match not_principal(spec, p, cx.partition, stmt.effect, cx.has_boundary) {
            NotPrincipal::Applies | NotPrincipal::AppliesBecauseOfBoundary => Some(Grant::Everyone),
            NotPrincipal::Excluded => {
                *miss = Some(Miss::Principal);
                return (Tri::False, None);
            }
        },
        Some(spec) => match principal_matches(spec, p, cx.partition) {
            Some(g) => Some(g),
            None if spec.entries.iter().any(|e| unresolved_matches(e, cx.req)) => Some(Grant::Direct),
            // S-COND-8: a Deny naming a principal the engine cannot resolve applies.
            None if stmt.effect == Effect::Deny
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

pub(super) struct Run<'p, 'r> {
    pub(super) cx: Ctx<'r>,
    pub(super) hits: SmallVec<[Hit; 16]>,
    pub(super) missing: Missing<'p>,
    pub(super) indeterminate: Vec<(PolicySlot, usize)>,
    pub(super) misses: Vec<(PolicySlot, usize, Miss)>,
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
