//! What a principal of an estate can do: each action its identity-based policies (or
//! the resource-based policies of the estate) could allow, on each resource of the
//! estate it applies to (`*` for actions without resource types), `Allow` or
//! `AllowIf` the residual condition, by partial evaluation; and the same as one
//! synthesized identity-based policy where the conditions can be written as one.

use std::collections::BTreeMap;

use serde::Serialize;

use super::partial::{evaluate_partial, PartialDecision, PartialOptions};
use super::residual::{Leaf, Residual};
use crate::catalog::Catalog;
use crate::estate::{Estate, EstatePrincipalKind, EstateQuery, Resolver};
use crate::policy::{Effect, Policy};
use crate::request::{Action, Context};

/// A principal-can question.
#[derive(Debug, Clone, Default)]
pub struct PrincipalCanQuery {
    /// A user's or role's ARN of the estate.
    pub principal: String,
    /// Only these services (prefixes); empty: every service the principal's policies
    /// name (for `*` and `NotAction`, the services of the estate's resources, `iam` and
    /// `sts`).
    pub services: Vec<String>,
    /// Context keys fixed for every request.
    pub context: Context,
}

/// One action allowed on one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalCanEntry {
    /// The service prefix.
    pub service: String,
    /// The action.
    pub action: String,
    /// Its access level in the service catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_level: Option<&'static str>,
    /// The resource (`*` for actions without resource types).
    pub resource: String,
    /// `Allow` or `AllowIf`.
    pub decision: PartialDecision,
    /// The residual condition of an `AllowIf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Residual>,
    /// The conditions in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The answer to a principal-can question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalCanAnswer {
    /// The principal.
    pub principal: String,
    /// Whether the estate holds it.
    pub found: bool,
    /// What it can do on the estate's resources.
    pub entries: Vec<PrincipalCanEntry>,
    /// Resource patterns of its `Allow` statements that reach beyond the estate's
    /// resources (the resource's own policy decides there), by action pattern.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub patterns: BTreeMap<String, Vec<String>>,
    /// How many (action, resource) pairs were evaluated.
    pub evaluated: usize,
    /// What the analysis left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Services whose actions a wildcard statement is expanded to (when no `--service` is
/// given): those of the estate's resources, with IAM and STS.
fn estate_services(estate: &Estate) -> Vec<String> {
    let mut out: Vec<String> = estate
        .resources
        .iter()
        .filter_map(|r| crate::arn::split(&r.arn).map(|p| p[2].to_string()))
        .chain(["iam".to_string(), "sts".to_string()])
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What `q.principal` can do in `estate`.
pub fn principal_can(estate: &Estate, q: &PrincipalCanQuery, resolver: &mut Resolver<'_>) -> PrincipalCanAnswer {
    let catalog = Catalog::get();
    let mut notes = Vec::new();
    let rec = estate
        .principal_index
        .get(q.principal.as_str())
        .and_then(|&i| estate.principals.get(i as usize));
    // The principal's identity-based policies.
    let mut policies: Vec<&Policy> = Vec::new();
    if let Some(p) = rec {
        let mut ids: Vec<u32> = p.inline.clone();
        ids.extend(p.managed.iter().filter_map(|m| m.as_ref().ok().copied()));
        for g in &p.groups {
            if let Some(g) = estate.groups.get(*g as usize) {
                ids.extend(&g.inline);
                ids.extend(g.managed.iter().filter_map(|m| m.as_ref().ok().copied()));
            }
        }
        policies.extend(
            ids.iter()
                .filter_map(|&i| estate.policy(i))
                .filter_map(|r| r.policy.as_deref()),
        );
    } else {
        notes.push(format!(
            "`{}` is not a user or role of the snapshot: only resource-based policies can allow it",
            q.principal
        ));
    }
    // The services to look at.
    let wildcard_services = estate_services(estate);
    let mut services: Vec<String> = Vec::new();
    let mut patterns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pol in &policies {
        for st in pol.statements.iter().filter(|s| s.effect == Effect::Allow) {
            match (st.not_action, st.actions.services()) {
                (false, Some(s)) => services.extend(s.into_iter().map(str::to_string)),
                _ => services.extend(wildcard_services.iter().cloned()),
            }
        }
    }
    // Resource-based policies of the estate may allow it too (same-account direct
    // grants): their services.
    services.extend(
        estate
            .resources
            .iter()
            .filter(|r| r.policy.is_some())
            .filter_map(|r| crate::arn::split(&r.arn).map(|p| p[2].to_string())),
    );
    if !q.services.is_empty() {
        services.retain(|s| q.services.iter().any(|x| x.eq_ignore_ascii_case(s)));
    }
    services.sort();
    services.dedup();

    // Candidate actions: those some Allow statement (identity or resource side) may name.
    let resource_policies: Vec<&Policy> = estate
        .resources
        .iter()
        .filter_map(|r| {
            r.policy
                .and_then(|i| estate.policy(i))
                .and_then(|p| p.policy.as_deref())
        })
        .collect();
    let mut actions: Vec<(String, Option<&'static str>)> = Vec::new();
    for svc in &services {
        let Some(service) = catalog.service(svc) else { continue };
        for a in service.actions() {
            let name = a.full_name();
            let Ok(action) = Action::parse(&name) else { continue };
            let named = policies
                .iter()
                .chain(resource_policies.iter())
                .any(|p| p.may_allow(&action));
            if named {
                actions.push((name, Some(a.access_level().as_str())));
            }
        }
    }
    // Resources: the estate's, and roles (for `sts:AssumeRole`, `iam:PassRole`).
    let mut resources: Vec<String> = estate.resources.iter().map(|r| r.arn.to_string()).collect();
    resources.extend(
        estate
            .principals
            .iter()
            .filter(|p| p.kind == EstatePrincipalKind::Role)
            .map(|p| p.arn.to_string()),
    );
    let object_samples: Vec<String> = estate
        .resources
        .iter()
        .filter(|r| r.arn.starts_with("arn:aws:s3:::"))
        .map(|r| format!("{}/x", r.arn))
        .collect();
    // The keys the estate determines: absent when not given (a role's `aws:userid`,
    // `RoleId:session-name`, unknown: `super::who_can::estate_keys`).
    let role = crate::arn::split(&q.principal).is_some_and(|p| p[5].starts_with("role/"));
    let known = PartialOptions {
        known_absent: super::who_can::estate_keys(if role { "role" } else { "user" }).collect(),
    };
    let mut entries = Vec::new();
    let mut evaluated = 0;
    for (name, level) in &actions {
        let Some(info) = catalog.action_named(name) else {
            continue;
        };
        let has_types = info.resource_types().next().is_some();
        let targets: Vec<&String> = if has_types {
            resources
                .iter()
                .chain(object_samples.iter())
                .filter(|r| info.supports_resource(r))
                .collect()
        } else {
            Vec::new()
        };
        let star = "*".to_string();
        let targets = if has_types { targets } else { vec![&star] };
        for r in targets {
            let query = EstateQuery {
                principal: q.principal.clone(),
                action: name.clone(),
                resource: Some(r.clone()),
                context: q.context.clone(),
                ..EstateQuery::default()
            };
            let Ok(resolved) = resolver.resolve(&query) else {
                continue;
            };
            evaluated += 1;
            let pe = evaluate_partial(resolved.policies(), resolved.request(), &known);
            if !matches!(pe.decision(), PartialDecision::Allow | PartialDecision::AllowIf) {
                continue;
            }
            let resp = pe.response(resolved.request(), None);
            entries.push(PrincipalCanEntry {
                service: name.split(':').next().unwrap_or_default().to_string(),
                action: name.clone(),
                access_level: *level,
                resource: r.clone(),
                decision: resp.decision,
                conditions: resp.conditions,
                description: resp.description,
            });
        }
    }
    // Beyond the estate: the identity statements' resource patterns that name no
    // resource of it, by action.
    for pol in &policies {
        for st in pol
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && !s.not_action)
        {
            let Some((false, pats)) = &st.resource else { continue };
            let texts: Vec<String> = pats.iter().map(crate::policy::ResourcePattern::text).collect();
            let outside: Vec<String> = texts
                .into_iter()
                .filter(|t| {
                    let g = crate::pattern::Glob::new(t);
                    t != "*" && !resources.iter().chain(object_samples.iter()).any(|r| g.is_match(r))
                })
                .collect();
            if outside.is_empty() {
                continue;
            }
            for (name, _) in &actions {
                if Action::parse(name).is_ok_and(|a| st.actions.matches(&a)) {
                    patterns
                        .entry(name.clone())
                        .or_default()
                        .extend(outside.iter().cloned());
                }
            }
        }
    }
    for v in patterns.values_mut() {
        v.sort();
        v.dedup();
    }
    PrincipalCanAnswer {
        principal: q.principal.clone(),
        found: rec.is_some(),
        entries,
        patterns,
        evaluated,
        notes,
    }
}

/// A policy [`synthesize`] writes: `{"Version", "Statement": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SynthesizedPolicy {
    /// `2012-10-17`.
    pub version: &'static str,
    /// The statements.
    pub statement: Vec<SynthesizedStatement>,
}

/// A statement of a [`SynthesizedPolicy`], its members in AWS's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SynthesizedStatement {
    /// `Allow`.
    pub effect: &'static str,
    /// The actions.
    pub action: Vec<String>,
    /// The resources.
    pub resource: Vec<String>,
    /// The conditions, as one block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<serde_json::Value>,
}

/// The answer as one identity-based policy: a statement per set of resources and
/// condition, its actions listed; a condition that is not a conjunction of conditions
/// on keys (an `or`, a `not` without an exact negated operator) cannot be written in
/// one statement and is left out: the second value counts the statements left out.
pub fn synthesize(answer: &PrincipalCanAnswer) -> (SynthesizedPolicy, usize) {
    let mut omitted = 0;
    // `None`: no condition; `Some(None)`: one that is not a single block.
    type Cond = Option<Option<serde_json::Value>>;
    let mut groups: BTreeMap<(Vec<String>, String), (Vec<String>, Cond)> = BTreeMap::new();
    // Resources per (action, condition).
    let mut by_action: BTreeMap<(String, String), (Vec<String>, Cond)> = BTreeMap::new();
    for e in &answer.entries {
        let cond = e.conditions.as_ref().map(condition_block);
        let key = (e.action.clone(), serde_json::to_string(&cond).unwrap_or_default());
        let slot = by_action.entry(key).or_insert_with(|| (Vec::new(), cond.clone()));
        slot.0.push(e.resource.clone());
    }
    for ((action, cond_key), (mut resources, cond)) in by_action {
        resources.sort();
        resources.dedup();
        let slot = groups
            .entry((resources, cond_key))
            .or_insert_with(|| (Vec::new(), cond));
        slot.0.push(action);
    }
    let statement: Vec<SynthesizedStatement> = groups
        .into_iter()
        .filter_map(|((resource, _), (action, cond))| {
            let condition = match cond {
                None => None,
                Some(Some(block)) => Some(block),
                // Not expressible as one Condition block.
                Some(None) => {
                    omitted += 1;
                    return None;
                }
            };
            Some(SynthesizedStatement {
                effect: "Allow",
                action,
                resource,
                condition,
            })
        })
        .collect();
    (
        SynthesizedPolicy {
            version: "2012-10-17",
            statement,
        },
        omitted,
    )
}

/// A residual as one `Condition` block, when it is a conjunction of leaves on condition
/// keys (a leaf on the resource's patterns, `Resource` or `NotResource`, has no
/// `Condition` form).
fn condition_block(r: &Residual) -> Option<serde_json::Value> {
    fn on_key(x: &Residual) -> Option<&Leaf> {
        match x {
            Residual::Leaf(l) if !matches!(l.operator.as_str(), "" | "Resource" | "NotResource") => Some(l),
            _ => None,
        }
    }
    let leaves: Vec<&Leaf> = match r {
        Residual::And { and } => and.iter().map(on_key).collect::<Option<Vec<_>>>()?,
        leaf => vec![on_key(leaf)?],
    };
    let mut block = serde_json::Map::new();
    for l in leaves {
        let op = block
            .entry(l.operator.clone())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let Some(o) = op.as_object_mut() {
            if o.contains_key(&l.key) {
                // Two conditions on one key under one operator: not one block.
                return None;
            }
            o.insert(l.key.clone(), serde_json::json!(l.values));
        }
    }
    Some(serde_json::Value::Object(block))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(conditions: Option<Residual>) -> PrincipalCanEntry {
        PrincipalCanEntry {
            service: "s3".into(),
            action: "s3:GetObject".into(),
            access_level: Some("Read"),
            resource: "arn:aws:s3:::b/k".into(),
            decision: PartialDecision::AllowIf,
            conditions,
            description: None,
        }
    }

    fn leaf(operator: &str, key: &str, values: &[&str]) -> Residual {
        Residual::Leaf(Leaf {
            operator: operator.into(),
            key: key.into(),
            values: values.iter().map(|v| (*v).to_string()).collect(),
            statements: vec!["identity[0].Statement[0]".into()],
        })
    }

    fn answer(entries: Vec<PrincipalCanEntry>) -> PrincipalCanAnswer {
        PrincipalCanAnswer {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            found: true,
            entries,
            patterns: BTreeMap::new(),
            evaluated: 1,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_resource_leaf_is_not_written_as_a_condition() {
        for op in ["Resource", "NotResource"] {
            let only = leaf(op, "arn:aws:s3:::b/k", &["arn:aws:s3:::b/${aws:username}/*"]);
            let (policy, omitted) = synthesize(&answer(vec![entry(Some(only.clone()))]));
            assert_eq!((policy.statement.len(), omitted), (0, 1), "{op}");
            let and = Residual::And {
                and: vec![leaf("StringEquals", "aws:PrincipalTag/team", &["data"]), only],
            };
            let (policy, omitted) = synthesize(&answer(vec![entry(Some(and))]));
            assert_eq!((policy.statement.len(), omitted), (0, 1), "{op}");
        }
        let cond = leaf("StringEquals", "aws:PrincipalTag/team", &["data"]);
        let (policy, omitted) = synthesize(&answer(vec![entry(Some(cond))]));
        assert_eq!((policy.statement.len(), omitted), (1, 0));
        assert_eq!(
            policy.statement[0].condition,
            Some(serde_json::json!({"StringEquals": {"aws:PrincipalTag/team": ["data"]}}))
        );
    }
}
