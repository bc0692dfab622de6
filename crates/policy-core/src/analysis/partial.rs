//! Partial evaluation: a request whose context leaves some condition keys unknown is
//! `Allow` (whatever they hold), `ExplicitDeny`/`ImplicitDeny` (whatever they hold), or
//! `AllowIf` a residual condition over them.
//!
//! It reuses the evaluator, never a second one: statements are matched by
//! `eval::statement_applies_partial` (the concrete matcher with unknown parts kept as
//! atoms), and the combination of policy types is `eval::decide` itself, run on the
//! groups of `Allow` statements (each policy type, SCP level, VPC endpoint policy, the
//! resource-based policy by how it names the caller) being present or not. The decision
//! depends on the statements only through those groups and the `Deny`s, so the
//! residual is: no `Deny` applies, and the groups of some minimal allowing set each
//! have an applying `Allow`. The combination is monotone (one more applying `Allow`
//! never takes access away), so the minimal allowing sets say it all.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::residual::{and, not, or, AtomInfo, Expr, Residual, Test};
use crate::eval::{
    decide, statement_applies_partial, EvalOptions, Evaluation, Grant, Hit, PartialMatch, PolicySet, PolicySlot,
    Prepared,
};
use crate::policy::Effect;
use crate::request::Request;

/// What the caller knows about the keys a request does not give.
#[derive(Debug, Clone, Default)]
pub struct PartialOptions {
    /// Keys known to be absent when the request does not give them (lower-cased; an
    /// entry ending in `*` is a prefix: `aws:principaltag/*`). Every other key the
    /// request does not give is unknown: it may be absent or hold any values.
    pub known_absent: Vec<String>,
}

impl PartialOptions {
    /// Whether `key_lc` (lower-cased), absent from the request, is unknown.
    fn unknown(&self, key_lc: &str) -> bool {
        !self.known_absent.iter().any(|k| match k.strip_suffix('*') {
            Some(prefix) => key_lc.starts_with(prefix),
            None => k == key_lc,
        })
    }
}

/// The answer of partial evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum PartialDecision {
    /// Allowed whatever the unknown keys hold.
    Allow,
    /// Allowed exactly when the residual condition holds.
    AllowIf,
    /// Denied whatever the unknown keys hold, by a `Deny` that applies whatever they hold.
    ExplicitDeny,
    /// Not allowed whatever the unknown keys hold.
    ImplicitDeny,
}

/// The outcome of [`evaluate_partial`], borrowing the policies.
#[derive(Debug, Clone)]
pub struct PartialEvaluation<'p> {
    decision: PartialDecision,
    expr: Expr,
    atoms: Vec<AtomInfo>,
    policies: &'p PolicySet,
    /// The unknown keys the residual reads, as the policies spell them.
    unknown_keys: Vec<String>,
    witness: Option<Vec<(String, Option<String>)>>,
}

impl<'p> PartialEvaluation<'p> {
    /// The decision.
    pub fn decision(&self) -> PartialDecision {
        self.decision
    }

    /// The residual condition of an `AllowIf` (`None` otherwise).
    pub fn residual(&self, req: &Request) -> Option<Residual> {
        (self.decision == PartialDecision::AllowIf)
            .then(|| Residual::from_expr(&self.expr, &self.atoms, self.policies, req.resource()))
    }

    /// The unknown keys the residual reads, as the policies spell them, sorted.
    pub fn unknown_keys(&self) -> &[String] {
        &self.unknown_keys
    }

    /// For an `AllowIf`: values of the unknown keys with which the request is allowed
    /// (`None`: the key is absent), confirmed by concrete evaluation; `None` when the
    /// bounded search over the values the policies name found none.
    pub fn witness(&self) -> Option<&[(String, Option<String>)]> {
        self.witness.as_deref()
    }

    pub(crate) fn policies(&self) -> &'p PolicySet {
        self.policies
    }

    pub(crate) fn atoms(&self) -> &[AtomInfo] {
        &self.atoms
    }

    pub(crate) fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether the residual holds for `with`: the request evaluated with values given
    /// for (some of) its unknown keys (the same principal, action and resource).
    pub fn holds(&self, with: &Request) -> bool {
        let prep = Prepared::new(self.policies, with);
        let cx = prep.context(with, EvalOptions::default());
        self.expr.eval(&mut |id| {
            self.atoms.get(id as usize).map_or(crate::condition::Tri::False, |a| {
                a.value(self.policies, &cx, &with.context)
            })
        })
    }
}

/// The answer of partial evaluation as JSON: what `policy-sim eval --discover --format
/// json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialResponse {
    /// The request's `id`, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    /// `Allow`, `AllowIf`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: PartialDecision,
    /// For `AllowIf`: the residual condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Residual>,
    /// For `AllowIf`: the residual in words ("`aws:SourceVpce` is `vpce-1a2b3c4d`").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The unknown condition keys the residual reads.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_keys: Vec<String>,
    /// For `AllowIf`: values of the unknown keys with which the request is allowed
    /// (`null`: absent), confirmed by concrete evaluation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<serde_json::Map<String, serde_json::Value>>,
}

impl PartialEvaluation<'_> {
    /// The JSON answer for `req` (whose `id` is `id`).
    pub fn response(&self, req: &Request, id: Option<serde_json::Value>) -> PartialResponse {
        let conditions = self.residual(req);
        PartialResponse {
            id,
            decision: self.decision,
            description: conditions.as_ref().map(Residual::describe),
            conditions,
            unknown_keys: self.unknown_keys.clone(),
            witness: self.witness.as_ref().map(|w| {
                w.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.clone().map_or(serde_json::Value::Null, serde_json::Value::String),
                        )
                    })
                    .collect()
            }),
        }
    }
}

/// A group of `Allow` statements the combination looks at as one: it has an applying
/// statement or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Identity,
    Boundary,
    Session,
    Scp(usize),
    Vpce(usize),
    Resource(Grant),
}

impl Group {
    /// The group of an `Allow` in `slot` (`None` for RCPs, whose `Allow`s never count).
    fn of(slot: PolicySlot, grant: Option<Grant>) -> Option<Group> {
        Some(match slot {
            PolicySlot::Identity(_) => Group::Identity,
            PolicySlot::PermissionsBoundary => Group::Boundary,
            PolicySlot::Session => Group::Session,
            PolicySlot::Scp(l, _) => Group::Scp(l),
            PolicySlot::VpcEndpoint(i) => Group::Vpce(i),
            PolicySlot::Resource => Group::Resource(grant.unwrap_or(Grant::Everyone)),
            PolicySlot::Rcp(..) => return None,
        })
    }
}

impl Group {
    /// Every SCP level and every VPC endpoint policy must have an applying `Allow`
    /// (S-EVAL-2, S-EVAL-4): the combination gates on them before anything else.
    fn mandatory(self) -> bool {
        matches!(self, Group::Scp(_) | Group::Vpce(_))
    }
}

/// Decides `req` against `policies` with the condition keys the request does not give
/// treated as unknown (unless [`PartialOptions::known_absent`] says they are absent).
///
/// Never fails: what cannot be decided concretely is handled as [`crate::evaluate`]
/// does (S-COND-8); a part that reads an unknown key becomes part of the residual.
/// AWS source of the evaluation logic:
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>.
pub fn evaluate_partial<'p>(policies: &'p PolicySet, req: &Request, opts: &PartialOptions) -> PartialEvaluation<'p> {
    let mut out = PartialEvaluation {
        decision: PartialDecision::ImplicitDeny,
        expr: Expr::False,
        atoms: Vec::new(),
        policies,
        unknown_keys: Vec::new(),
        witness: None,
    };
    if crate::eval::always_allowed(req) {
        out.decision = PartialDecision::Allow;
        out.expr = Expr::True;
        return out;
    }
    let prep = Prepared::new(policies, req);
    let cx = prep.context(req, EvalOptions::default());
    let unknown = |k: &str| opts.unknown(k);

    // Every applicable statement that can apply: its formula over atoms.
    let mut interned: HashMap<AtomKey, u32> = HashMap::new();
    let mut denies: Vec<Expr> = Vec::new();
    let mut groups: BTreeMap<Group, (Hit, Vec<Expr>)> = BTreeMap::new();
    for (slot, policy) in crate::eval::slots(policies) {
        if !prep.applies(slot) {
            continue;
        }
        for i in policy.index.candidates(&req.action) {
            let Some(stmt) = policy.statements.get(i) else { continue };
            let (m, grant) = statement_applies_partial(stmt, &cx, &unknown);
            let formula = match m {
                PartialMatch::No => continue,
                PartialMatch::Yes => Expr::True,
                PartialMatch::If(parts) => and(parts.into_iter().map(|atom| {
                    let (key, flipped) = AtomKey::new(policies, slot, i, atom);
                    let next = u32::try_from(out.atoms.len()).unwrap_or(u32::MAX);
                    let id = *interned.entry(key).or_insert(next);
                    if id == next {
                        out.atoms.push(AtomInfo {
                            sources: vec![(slot, i)],
                            atom,
                            flipped,
                        });
                    } else if let Some(a) = out.atoms.get_mut(id as usize) {
                        if !a.sources.contains(&(slot, i)) {
                            a.sources.push((slot, i));
                        }
                    }
                    // An `Allow` applies when its parts are true, a `Deny` when they are
                    // not false (S-COND-8); a `NotResource` element is the negation of
                    // its atom (whether a pattern matches), indeterminate where a
                    // variable has no single value (S-VAR-6).
                    let not_resource = stmt.resource.as_ref().is_some_and(|(neg, _)| *neg);
                    let deny = stmt.effect == Effect::Deny;
                    let test = match atom {
                        crate::eval::Atom::Resource if not_resource && deny => Test::NotTrue,
                        crate::eval::Atom::Resource if not_resource => Test::False,
                        _ if deny => Test::NotFalse,
                        _ => Test::True,
                    };
                    // On the canonical atom, a flipped condition's test reads through
                    // the negation.
                    Expr::Lit(id, if flipped { test.through_negation() } else { test })
                })),
            };
            if stmt.effect == Effect::Deny {
                denies.push(formula);
            } else if let Some(g) = Group::of(slot, grant) {
                let hit = Hit {
                    slot,
                    index: i,
                    effect: Effect::Allow,
                    grant,
                };
                groups.entry(g).or_insert_with(|| (hit, Vec::new())).1.push(formula);
            }
        }
    }
    let denied = or(denies);
    let groups: Vec<(Group, Hit, Expr)> = groups
        .into_iter()
        .map(|(g, (hit, formulas))| (g, hit, or(formulas)))
        .filter(|(_, _, e)| *e != Expr::False)
        .collect();
    // Mandatory groups (SCP levels, VPC endpoint policies) all present: the combination
    // gates on each. The others (identity, boundary, session, the resource side by
    // grant kind: at most seven) are expanded: the combination runs on every presence
    // pattern of the uncertain ones, and the minimal allowing patterns make the allow
    // side.
    let mandatory = and(groups
        .iter()
        .filter(|(g, _, _)| g.mandatory())
        .map(|(_, _, e)| e.clone()));
    let always: Vec<Hit> = groups
        .iter()
        .filter(|(g, _, e)| g.mandatory() || *e == Expr::True)
        .map(|(_, h, _)| *h)
        .collect();
    let uncertain: Vec<&(Group, Hit, Expr)> = groups
        .iter()
        .filter(|(g, _, e)| !g.mandatory() && *e != Expr::True)
        .collect();
    let allows = |mask: u32| -> bool {
        let mut hits: Vec<Hit> = always.clone();
        hits.extend(
            uncertain
                .iter()
                .enumerate()
                .filter(|(b, _)| mask & (1 << b) != 0)
                .map(|(_, (_, h, _))| *h),
        );
        let mut ev = Evaluation::empty();
        decide(policies, &prep, &cx, &hits, &mut ev);
        ev.decision == crate::eval::Decision::Allow
    };
    let allowing: Vec<u32> = (0..(1u32 << uncertain.len())).filter(|&m| allows(m)).collect();
    let minimal: Vec<u32> = allowing
        .iter()
        .copied()
        .filter(|&m| !allowing.iter().any(|&o| o != m && o & m == o))
        .collect();
    let allow_side = and([
        mandatory,
        or(minimal.iter().map(|&m| {
            and(uncertain
                .iter()
                .enumerate()
                .filter(|(b, _)| m & (1 << b) != 0)
                .map(|(_, (_, _, e))| e.clone()))
        })),
    ]);
    let expr = and([not(denied.clone()), allow_side]);
    out.decision = match &expr {
        Expr::True => PartialDecision::Allow,
        Expr::False if denied == Expr::True => PartialDecision::ExplicitDeny,
        Expr::False => PartialDecision::ImplicitDeny,
        _ => PartialDecision::AllowIf,
    };
    let mut ids = Vec::new();
    expr.atoms(&mut ids);
    ids.sort_unstable();
    ids.dedup();
    let mut keys: Vec<String> = ids
        .iter()
        .filter_map(|&id| out.atoms.get(id as usize))
        .flat_map(|a| super::witness::atom_keys(policies, a, &cx, &unknown))
        .collect();
    keys.sort_by_key(|k| k.to_ascii_lowercase());
    keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out.unknown_keys = keys;
    out.expr = expr;
    if out.decision == PartialDecision::AllowIf {
        match super::witness::find(&out, req, &cx, &unknown) {
            super::witness::Search::Found(w) => out.witness = Some(w),
            // No value of the keys allows, and the candidates covered every case: the
            // residual cannot hold (its atoms were not independent, e.g.
            // `aws:username` is `alice` and the resource is not `…/${aws:username}/*`).
            super::witness::Search::Exhausted
                if ids
                    .iter()
                    .filter_map(|&id| out.atoms.get(id as usize))
                    .all(|a| super::witness::complete(policies, a)) =>
            {
                out.decision = PartialDecision::ImplicitDeny;
                out.expr = Expr::False;
            }
            _ => {}
        }
    }
    out
}

/// What makes two atoms the same: the same condition (operator, key and values), or the
/// resource element of one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum AtomKey {
    Condition {
        operator: String,
        key: String,
        values: Vec<String>,
    },
    /// The patterns with variables (the others cannot match) of a resource element, and
    /// whether it is a `NotResource` (where a variable with no value makes the match
    /// indeterminate, not false: S-VAR-6).
    Resource { not_resource: bool, patterns: Vec<String> },
}

impl AtomKey {
    /// The key, and whether the part is the exact negation of the key's canonical form.
    fn new(policies: &PolicySet, slot: PolicySlot, index: usize, atom: crate::eval::Atom) -> (AtomKey, bool) {
        let cond = match atom {
            crate::eval::Atom::Condition(c) => policies
                .get(slot)
                .and_then(|p| p.statements.get(index))
                .and_then(|s| s.conditions.get(c)),
            crate::eval::Atom::Resource => None,
        };
        match cond {
            Some(c) => {
                let (operator, values, flipped) = super::residual::canonical(&c.operator, &c.raw_values);
                (
                    AtomKey::Condition {
                        operator: operator.to_ascii_lowercase(),
                        key: c.key_lc.clone(),
                        values,
                    },
                    flipped,
                )
            }
            None => {
                let stmt = policies.get(slot).and_then(|p| p.statements.get(index));
                let mut patterns = stmt.map(|s| s.variable_resource_sources()).unwrap_or_default();
                patterns.sort();
                patterns.dedup();
                (
                    AtomKey::Resource {
                        not_resource: stmt.and_then(|s| s.resource.as_ref()).is_some_and(|(neg, _)| *neg),
                        patterns,
                    },
                    false,
                )
            }
        }
    }
}
