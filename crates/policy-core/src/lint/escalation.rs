//! Privilege escalation in one identity-based policy: the combinations of actions that
//! let a principal raise its own permissions (cloudsplaining's list of methods,
//! `data/sensitive/cloudsplaining.privilege-escalation-methods.txt`), and the actions
//! that rewrite who may use every S3 bucket.
//!
//! A method is reported when the policy allows every action of it on `"Resource": "*"`
//! without a condition (`privilege-escalation-action-on-star`). A method that passes a
//! role (`iam:PassRole` with `ec2:RunInstances`, `lambda:CreateFunction`…) whose other
//! actions are allowed that broadly while `iam:PassRole` is allowed only on named roles
//! or under a condition is reported apart (`privilege-escalation-with-scoped-pass-role`):
//! the principal gains the permissions of the roles it may pass. One action alone
//! (`ec2:RunInstances`) is not an escalation.
//!
//! Sources: <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html>.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use super::checks::{Out, Pat};
use super::model::{Doc, Stmt, Str};
use super::LintPolicyType;
use crate::policy::Effect;
use crate::span::Span;

const METHODS: &str = include_str!("../../data/sensitive/cloudsplaining.privilege-escalation-methods.txt");

/// One method: its name and its actions (lower-case `service:action`).
struct Method {
    name: &'static str,
    actions: Vec<&'static str>,
}

fn methods() -> &'static [Method] {
    static CELL: OnceLock<Vec<Method>> = OnceLock::new();
    CELL.get_or_init(|| {
        METHODS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (name, actions) = l.split_once('\t')?;
                Some(Method {
                    name,
                    actions: actions.split(',').map(str::trim).filter(|a| !a.is_empty()).collect(),
                })
            })
            .collect()
    })
}

const PASS_ROLE: &str = "iam:passrole";

/// S3 actions that change who may use a bucket or its objects: a principal allowed them
/// on every bucket can grant itself (or anyone) access to all of them.
const BUCKET_POLICY_ACTIONS: &[&str] = &[
    "s3:putbucketpolicy",
    "s3:deletebucketpolicy",
    "s3:putbucketacl",
    "s3:putobjectacl",
    "s3:putobjectversionacl",
    "s3:putaccesspointpolicy",
    "s3:putbucketownershipcontrols",
    "s3:putbucketpublicaccessblock",
    "s3:putaccountpublicaccessblock",
];

/// A statement's `Action` values compiled once (lower-case), for many look-ups.
struct Actions(Vec<Pat>);

impl Actions {
    fn of(st: &Stmt) -> Option<Actions> {
        let a = st.action.as_ref().filter(|a| !a.negated)?;
        Some(Actions(Pat::compile(a, true).into_iter().flatten().collect()))
    }

    /// Whether some value covers `action` (lower-case).
    fn cover(&self, action: &str) -> bool {
        self.0.iter().any(|p| p.covers(action))
    }
}

/// An `Allow` with `Action` (not `NotAction`, not `"*"` alone), no condition, and `*`
/// among its resources: the value `*` when so.
fn broad_star(st: &Stmt) -> Option<&Str> {
    if st.effect != Some(Effect::Allow) || st.has_condition() {
        return None;
    }
    let a = st.action.as_ref().filter(|a| !a.negated)?;
    if a.values.iter().all(|v| v.text.trim() == "*") {
        return None;
    }
    st.resource
        .as_ref()
        .filter(|r| !r.negated)?
        .values
        .iter()
        .find(|v| v.text.trim() == "*")
}

pub(crate) fn run(doc: &Doc, out: &mut Out) {
    if out.ty() != LintPolicyType::Identity {
        return;
    }
    bucket_policies(doc, out);
    let broad: Vec<(Actions, &Str)> = doc
        .statements
        .iter()
        .filter_map(|st| broad_star(st).and_then(|v| Some((Actions::of(st)?, v))))
        .collect();
    if broad.is_empty() {
        return;
    }
    // Methods share actions: each is looked up once.
    let mut memo: HashMap<&str, Option<usize>> = HashMap::new();
    let mut broad_for = |action: &'static str| -> Option<&Str> {
        let i = *memo
            .entry(action)
            .or_insert_with(|| broad.iter().position(|(a, _)| a.cover(action)));
        i.and_then(|i| broad.get(i)).map(|(_, v)| *v)
    };
    // Findings grouped by the place they point at: (code, start, end) → (span, path,
    // method names).
    type Place = (&'static str, u32, u32);
    let mut found: BTreeMap<Place, (Span, String, Vec<&'static str>)> = BTreeMap::new();
    for m in methods() {
        let others: Vec<&'static str> = m.actions.iter().copied().filter(|a| *a != PASS_ROLE).collect();
        let Some(first) = others.first() else { continue };
        let Some(star) = broad_for(first) else { continue };
        if !others.iter().all(|a| broad_for(a).is_some()) {
            continue;
        }
        let passes_role = others.len() != m.actions.len();
        let place = if !passes_role || broad_for(PASS_ROLE).is_some() {
            Some(("privilege-escalation-action-on-star", star.span, star.path.clone()))
        } else {
            // iam:PassRole allowed, but only on named roles or under a condition.
            doc.statements
                .iter()
                .find(|st| st.effect == Some(Effect::Allow) && st.covers_action(PASS_ROLE))
                .map(|st| {
                    let (span, path) = st
                        .resource
                        .as_ref()
                        .map_or((st.span, st.path.clone()), |r| (r.span, r.path.clone()));
                    ("privilege-escalation-with-scoped-pass-role", span, path)
                })
        };
        if let Some((code, span, path)) = place {
            found
                .entry((code, span.start, span.end))
                .or_insert_with(|| (span, path, Vec::new()))
                .2
                .push(m.name);
        }
    }
    for ((code, _, _), (span, path, names)) in found {
        let shown = |names: &[&str]| {
            let mut s = names
                .iter()
                .take(3)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > 3 {
                s.push_str(&format!(" and {} more", names.len() - 3));
            }
            s
        };
        let actions = |name: &str| {
            methods()
                .iter()
                .find(|m| m.name == name)
                .map(|m| m.actions.join(" + "))
                .unwrap_or_default()
        };
        let first = names.first().map_or(String::new(), |n| actions(n));
        if code == "privilege-escalation-action-on-star" {
            out.add(
                code,
                span,
                &path,
                format!(
                    "the policy allows on every resource, without a condition, what privilege escalation needs: {} ({first}{})",
                    shown(&names),
                    if names.len() > 1 { ", …" } else { "" }
                ),
                Some("name the resources (users, roles, policies, functions), or add conditions (`aws:ResourceTag/…`, `iam:PermissionsBoundary`)".into()),
            );
        } else {
            out.add(
                code,
                span,
                &path,
                format!(
                    "`iam:PassRole` is limited here, but the policy allows the rest of {} ({first}) on every resource: the principal gains the permissions of every role it may pass",
                    shown(&names)
                ),
                Some("make sure the roles it may pass have no more permissions than the principal, and add `iam:PassedToService`".into()),
            );
        }
    }
}

/// Whether a `Resource` value covers every S3 bucket (or every object of every bucket).
fn every_bucket(v: &str) -> bool {
    let v = v.trim();
    v == "*"
        || crate::arn::split(v).is_some_and(|[_, p, svc, _, _, res]| {
            (p == "*" || p.starts_with("aws"))
                && (svc == "s3" || svc == "*")
                && !res.is_empty()
                && res.bytes().all(|b| b == b'*' || b == b'/')
        })
}

fn bucket_policies(doc: &Doc, out: &mut Out) {
    for st in &doc.statements {
        if st.effect != Some(Effect::Allow) || st.has_condition() {
            continue;
        }
        let Some(a) = st.action.as_ref().filter(|a| !a.negated) else {
            continue;
        };
        if a.values.iter().all(|v| v.text.trim() == "*") {
            continue;
        }
        let Some(r) = &st.resource else { continue };
        if !r.negated && !r.values.iter().any(|v| every_bucket(&v.text)) {
            continue;
        }
        let broad = if r.negated {
            Some((r.span, r.path.as_str()))
        } else {
            r.values
                .iter()
                .find(|v| every_bucket(&v.text))
                .map(|v| (v.span, v.path.as_str()))
        };
        let Some((span, path)) = broad else { continue };
        let Some(compiled) = Actions::of(st) else { continue };
        let hits: Vec<&str> = BUCKET_POLICY_ACTIONS
            .iter()
            .copied()
            .filter(|x| compiled.cover(x))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let canonical = |x: &str| match x {
            "s3:putbucketpolicy" => "s3:PutBucketPolicy",
            "s3:deletebucketpolicy" => "s3:DeleteBucketPolicy",
            "s3:putbucketacl" => "s3:PutBucketAcl",
            "s3:putobjectacl" => "s3:PutObjectAcl",
            "s3:putobjectversionacl" => "s3:PutObjectVersionAcl",
            "s3:putaccesspointpolicy" => "s3:PutAccessPointPolicy",
            "s3:putbucketownershipcontrols" => "s3:PutBucketOwnershipControls",
            "s3:putbucketpublicaccessblock" => "s3:PutBucketPublicAccessBlock",
            _ => "s3:PutAccountPublicAccessBlock",
        };
        let names: Vec<&str> = hits.iter().take(3).map(|x| canonical(x)).collect();
        out.add(
            "bucket-policy-privilege-escalation",
            span,
            path,
            format!(
                "{}{} allowed on every bucket without a condition: the principal can rewrite who may read and write every bucket, itself included",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                if hits.len() > 3 { " and more" } else { "" }
            ),
            Some("name the buckets (`arn:aws:s3:::amzn-s3-demo-bucket`), or add a condition".into()),
        );
    }
}
