//! The checks. Each one pushes findings with a code from [`super::rules()`]; the severity
//! comes from there, so a code has one severity everywhere.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{malformed_action, Cond, Doc, Elem, Stmt, Str};
use super::{rule, Finding, LintPolicyType, LintSeverity, OPAQUE};
use crate::arn::ArnPattern;
use crate::condition::SetQualifier;
use crate::parse::Diagnostic;
use crate::policy::Effect;
use crate::span::{Source, Span};
use LintPolicyType as T;

/// Collects findings.
pub(crate) struct Out {
    source: Arc<Source>,
    ty: LintPolicyType,
    findings: Vec<Finding>,
}

impl Out {
    pub(crate) fn new(source: Arc<Source>, ty: LintPolicyType) -> Out {
        Out {
            source,
            ty,
            findings: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, code: &'static str, span: Span, path: &str, message: String, help: Option<String>) {
        let severity = rule(code).map_or(LintSeverity::Warning, |r| r.severity);
        let mut f = Finding {
            code,
            severity,
            message: crate::span::clip_quoted(message),
            help: help.map(crate::span::clip_quoted),
            path: crate::span::clip_path(path),
            span,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            start: 0,
            end: 0,
            utf16_start: 0,
            utf16_end: 0,
            location_note: None,
        };
        f.relocate(&self.source, span);
        self.findings.push(f);
    }

    /// A parser diagnostic as a finding (same code).
    pub(crate) fn add_parser_diagnostic(&mut self, d: &Diagnostic) {
        if d.code == "unknown-operator" {
            // `NullIfExists` and `ForAnyValue:Null` have codes of their own.
            let name = self.source.slice(d.span).trim_matches('"').to_ascii_lowercase();
            if name == "nullifexists" || name.ends_with(":null") || name.ends_with(":nullifexists") {
                return;
            }
        }
        self.add(d.code, d.span, &d.path, d.message.clone(), d.help.clone());
    }

    /// The policy type being checked.
    pub(crate) fn ty(&self) -> LintPolicyType {
        self.ty
    }

    pub(crate) fn finish(self) -> Vec<Finding> {
        self.findings
    }
}

fn opaque(s: &str) -> bool {
    s.starts_with(OPAQUE)
}

fn has_var(s: &str) -> bool {
    s.contains("${")
}

fn has_wild(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The policy type a document reads as, and why.
pub(crate) fn infer(doc: &Doc) -> (LintPolicyType, String) {
    let with_principal = doc.statements.iter().filter(|s| s.principal.is_some()).count();
    if with_principal == 0 {
        return (
            T::Identity,
            "no statement has a `Principal`: checked as an identity-based policy (give --type scp, rcp, boundary or session for those)".into(),
        );
    }
    let actions: Vec<String> = doc
        .statements
        .iter()
        .filter_map(|s| s.action.as_ref())
        .filter(|a| !a.negated)
        .flat_map(|a| a.values.iter().map(|v| v.text.trim().to_ascii_lowercase()))
        .collect();
    let no_resource = doc.statements.iter().all(|s| s.resource.is_none());
    if no_resource && !actions.is_empty() && actions.iter().all(|a| a.starts_with("sts:")) {
        return (
            T::Trust,
            "statements grant `sts:` actions to principals and name no `Resource`: checked as a role trust policy"
                .into(),
        );
    }
    if !actions.is_empty()
        && actions.iter().all(|a| a.starts_with("kms:") || a == "*")
        && actions.iter().any(|a| a.starts_with("kms:"))
        && doc
            .statements
            .iter()
            .filter_map(|s| s.resource.as_ref())
            .all(|r| !r.negated && r.values.iter().all(|v| v.text.trim() == "*"))
    {
        return (
            T::Key,
            "statements grant `kms:` actions to principals on `\"Resource\": \"*\"`: checked as a KMS key policy"
                .into(),
        );
    }
    (
        T::Resource,
        "statements name a `Principal`: checked as a resource-based policy (give --type rcp, trust, key or endpoint for those)".into(),
    )
}

/// Runs every check on `doc`; `text` is the policy's text.
pub(crate) fn run(doc: &Doc, text: &str, out: &mut Out) {
    document(doc, text, out);
    sids(doc, out);
    for st in &doc.statements {
        statement(st, out);
    }
    redundancy(doc, out);
    super::escalation::run(doc, out);
}

// ---------------------------------------------------------------------------------
// The document: Version, size.

fn document(doc: &Doc, text: &str, out: &mut Out) {
    let head = Span::new(doc.span.start as usize, doc.span.start as usize + 1);
    let v2012 = doc.version.as_ref().is_some_and(|v| v.text == "2012-10-17");
    if doc.version.is_none() {
        out.add(
            "missing-version",
            head,
            "",
            "the policy has no `Version`: AWS reads it as `2008-10-17`, where policy variables are literal text".into(),
            Some("add \"Version\": \"2012-10-17\" as the first element".into()),
        );
    }
    if !v2012 {
        for st in &doc.statements {
            for v in variable_values(st) {
                if has_var(&v.text) {
                    let version = doc
                        .version
                        .as_ref()
                        .map_or("no `Version`".to_string(), |v| format!("`Version` `{}`", v.text));
                    out.add(
                        "variable-unsupported-in-version",
                        v.span,
                        &v.path,
                        format!("policy variables need `Version` `2012-10-17`; with {version} `${{…}}` is literal text and `{}` never matches as meant", v.text),
                        Some("set \"Version\": \"2012-10-17\"".into()),
                    );
                }
            }
        }
    }
    // IAM counts the size of its policies without whitespace (IAM and STS quotas page);
    // Organizations counts every character of an SCP or RCP, whitespace included ("All
    // characters in your SCP count against its maximum size", SCP syntax page).
    let (code, limit, what, whitespace) = match out.ty {
        T::Identity => (
            "policy-size-exceeds-identity-policy-quota",
            6_144,
            "a managed policy",
            false,
        ),
        T::Boundary => (
            "policy-size-exceeds-identity-policy-quota",
            6_144,
            "a permissions boundary (a managed policy)",
            false,
        ),
        T::Scp => ("policy-size-exceeds-scp-quota", 5_120, "an SCP", true),
        T::Rcp => ("policy-size-exceeds-rcp-quota", 5_120, "an RCP", true),
        T::Trust => (
            "policy-size-exceeds-role-trust-policy-quota",
            2_048,
            "a role trust policy (default quota)",
            false,
        ),
        T::Resource => (
            "policy-size-exceeds-resource-policy-quota",
            20_480,
            "a bucket policy",
            false,
        ),
        T::Key => (
            "policy-size-exceeds-resource-policy-quota",
            32_768,
            "a key policy",
            false,
        ),
        T::Session | T::Endpoint => return,
    };
    let (size, counted) = if whitespace {
        (text.chars().count(), "characters (whitespace included)")
    } else {
        (
            text.chars().filter(|c| !c.is_whitespace()).count(),
            "characters without whitespace",
        )
    };
    if size > limit {
        out.add(
            code,
            head,
            "",
            format!("the policy has {size} {counted}, more than the {limit} allowed for {what}"),
            Some(if whitespace {
                "remove the whitespace outside strings, split it into several policies, or merge statements and use wildcards".into()
            } else {
                "split it into several policies, or merge statements and use wildcards".into()
            }),
        );
    }
}

/// The values where policy variables work: `Resource`/`NotResource` and condition
/// values.
fn variable_values(st: &Stmt) -> impl Iterator<Item = &Str> {
    st.resource
        .iter()
        .flat_map(|r| r.values.iter())
        .chain(st.conditions.iter().flat_map(|c| c.values.iter()))
}

// ---------------------------------------------------------------------------------
// Sid.

fn sids(doc: &Doc, out: &mut Out) {
    let mut seen: HashMap<&str, &Str> = HashMap::new();
    let iam = matches!(out.ty, T::Identity | T::Boundary | T::Session | T::Trust);
    for sid in doc.statements.iter().filter_map(|s| s.sid.as_ref()) {
        if sid.text.is_empty() {
            out.add(
                "empty-sid-value",
                sid.span,
                &sid.path,
                "the `Sid` is empty".into(),
                Some("remove `Sid` or name the statement".into()),
            );
            continue;
        }
        if iam && !sid.text.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.add(
                "unsupported-sid",
                sid.span,
                &sid.path,
                format!(
                    "`Sid` `{}` has characters IAM does not accept: only A-Z, a-z and 0-9",
                    sid.text
                ),
                Some(format!(
                    "use `{}`",
                    sid.text.chars().filter(char::is_ascii_alphanumeric).collect::<String>()
                )),
            );
        }
        if let Some(first) = seen.get(sid.text.as_str()) {
            let required = !matches!(out.ty, T::Identity | T::Boundary | T::Session);
            let line = out.source.locate(first.span).line;
            out.add(
                if required {
                    "unique-sids-required"
                } else {
                    "unique-sids-recommended"
                },
                sid.span,
                &sid.path,
                format!(
                    "`Sid` `{}` is already used by {} (line {line})",
                    sid.text,
                    first.path.trim_end_matches(".Sid")
                ),
                Some("give each statement its own `Sid`".into()),
            );
        } else {
            seen.insert(sid.text.as_str(), sid);
        }
    }
}

// ---------------------------------------------------------------------------------
// One statement.

fn statement(st: &Stmt, out: &mut Out) {
    if let Some(a) = &st.action {
        actions(a, out);
    }
    if let Some(r) = &st.resource {
        for v in &r.values {
            resource_arn(v, out);
        }
        redundant_values(r, "redundant-resource", out);
    }
    principals(st, out);
    conditions(st, out);
    match out.ty {
        T::Rcp => rcp(st, out),
        T::Trust => trust(st, out),
        _ => {}
    }
    security(st, out);
}

fn actions(a: &Elem, out: &mut Out) {
    for v in &a.values {
        let t = v.text.trim();
        if opaque(t) {
            continue;
        }
        // Access Analyzer's INVALID_ACTION: such an entry names no action AWS has; the
        // parser reports it (`invalid-action`, the evaluator's own reading of it). A
        // policy variable (whose `${key}` holds a colon) is said so as well.
        if malformed_action(&v.text).is_some() && !has_var(t) {
            continue;
        }
        if has_var(t) {
            out.add(
                "variable-unsupported-in-element",
                v.span,
                &v.path,
                format!(
                    "policy variables are not supported in `{}`: `{t}` is matched literally",
                    a.name
                ),
                Some("name the actions; variables work in `Resource` and `Condition` values".into()),
            );
            continue;
        }
        if let Some((svc, _)) = t.split_once(':') {
            if has_wild(svc) {
                out.add(
                    "wildcard-in-service-name",
                    v.span,
                    &v.path,
                    format!("the service prefix of `{t}` holds a wildcard: it matches actions of every service whose prefix fits, now and in future"),
                    Some("name the service prefix (`s3:Get*`), one entry per service".into()),
                );
            }
        }
    }
    redundant_values(a, "redundant-action", out);
}

/// A value of an `Action` or `Resource` element compiled for covering tests; `None`
/// for opaque values and values with variables (never compared).
pub(crate) enum Pat {
    Exact(String),
    Action(crate::pattern::Glob),
    Arn(ArnPattern),
}

impl Pat {
    /// Compiles the values of `e` (action names lower-cased).
    pub(crate) fn compile(e: &Elem, action: bool) -> Vec<Option<Pat>> {
        e.values
            .iter()
            .map(|v| {
                let t = v.text.trim();
                if opaque(t) || has_var(t) {
                    return None;
                }
                let t = if action { t.to_ascii_lowercase() } else { t.to_string() };
                Some(if !has_wild(&t) {
                    Pat::Exact(t)
                } else if action {
                    Pat::Action(crate::pattern::Glob::new(&t))
                } else if t == "*" {
                    Pat::Action(crate::pattern::Glob::Any)
                } else {
                    Pat::Arn(ArnPattern::new(&t))
                })
            })
            .collect()
    }

    /// The normalised text this value is compared as.
    fn text(e: &Elem, i: usize, action: bool) -> String {
        let t = e.values.get(i).map_or("", |v| v.text.trim());
        if action {
            t.to_ascii_lowercase()
        } else {
            t.to_string()
        }
    }

    /// Whether this pattern covers the (normalised) text `v`.
    pub(crate) fn covers(&self, v: &str) -> bool {
        match self {
            Pat::Exact(s) => s == v,
            Pat::Action(g) => g.is_match(v),
            Pat::Arn(a) => a.is_match(v, crate::arn::split(v).as_ref()),
        }
    }
}

/// Reports values of `e` covered by another value of `e`.
fn redundant_values(e: &Elem, code: &'static str, out: &mut Out) {
    let action = code == "redundant-action";
    let pats = Pat::compile(e, action);
    let texts: Vec<String> = (0..e.values.len()).map(|i| Pat::text(e, i, action)).collect();
    let mut first: HashMap<&str, usize> = HashMap::new();
    let wild: Vec<(usize, &Pat)> = pats
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().filter(|p| !matches!(p, Pat::Exact(_))).map(|p| (i, p)))
        .collect();
    for (j, vj) in e.values.iter().enumerate() {
        let (Some(pj), Some(tj)) = (pats.get(j).and_then(Option::as_ref), texts.get(j)) else {
            continue;
        };
        let mut by = None;
        match first.get(tj.as_str()) {
            // Of two equal values, the later one is the redundant one.
            Some(i) => by = Some(*i),
            None => {
                first.insert(tj.as_str(), j);
                for (i, pi) in &wild {
                    let ti = texts.get(*i).map_or("", String::as_str);
                    if *i == j || ti == tj {
                        continue;
                    }
                    // Two values covering each other: keep the first.
                    if pi.covers(tj) && !(*i > j && pj.covers(ti)) {
                        by = Some(*i);
                        break;
                    }
                }
            }
        }
        if let Some(vi) = by.and_then(|i| e.values.get(i)) {
            let what = if action { "action" } else { "resource" };
            out.add(
                code,
                vj.span,
                &vj.path,
                format!(
                    "the {what} `{}` is already covered by `{}` in the same `{}`",
                    vj.text.trim(),
                    vi.text.trim(),
                    e.name
                ),
                Some(format!("remove `{}`", vj.text.trim())),
            );
        }
    }
}

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`: two letters, words,
/// a number.
pub(crate) fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 3
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts
            .get(1..parts.len() - 1)
            .unwrap_or_default()
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn resource_arn(v: &Str, out: &mut Out) {
    let t = v.text.as_str();
    if t == "*" || opaque(t) {
        return;
    }
    let fix = "write `arn:partition:service:region:account:resource` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)";
    if !t.starts_with("arn:") {
        if t.starts_with("${") {
            return;
        }
        out.add(
            "invalid-arn-prefix",
            v.span,
            &v.path,
            format!("`{t}` is not `*` and does not start with `arn:`"),
            Some(fix.into()),
        );
        return;
    }
    let Some([_, partition, service, region, account, res]) = crate::arn::split(t) else {
        if has_var(t) {
            return;
        }
        let (code, message) = if has_wild(t) {
            (
                "incomplete-arn",
                format!("`{t}` has fewer than the six fields of an ARN: wildcards work within a field, not in place of the missing ones"),
            )
        } else {
            (
                "missing-arn-field",
                format!("`{t}` has fewer than the six fields of an ARN"),
            )
        };
        out.add(code, v.span, &v.path, message, Some(fix.into()));
        return;
    };
    let plain = |s: &str| !has_wild(s) && !has_var(s);
    if plain(partition) && !PARTITIONS.contains(&partition) {
        out.add(
            "invalid-partition",
            v.span,
            &v.path,
            format!("`{partition}` in `{t}` is not an AWS partition"),
            Some("use `aws` (or `aws-cn`, `aws-us-gov`…)".into()),
        );
    }
    if service.is_empty() {
        out.add(
            "missing-arn-field",
            v.span,
            &v.path,
            format!("`{t}` has an empty service field"),
            Some(fix.into()),
        );
    } else if plain(service) && service.bytes().any(|b| b.is_ascii_uppercase()) {
        out.add(
            "invalid-arn-service-case",
            v.span,
            &v.path,
            format!("the service `{service}` in `{t}` must be lower-case"),
            Some(format!("write `{}`", service.to_ascii_lowercase())),
        );
    }
    if !region.is_empty() && plain(region) && !is_region(region) {
        out.add(
            "invalid-arn-region",
            v.span,
            &v.path,
            format!("`{region}` in `{t}` is not a Region code"),
            Some("use a Region code such as `us-east-1`, `*`, or leave the field empty".into()),
        );
    }
    if !account.is_empty() && plain(account) && account != "aws" && !crate::request::is_account_id(account) {
        out.add(
            "invalid-arn-account",
            v.span,
            &v.path,
            format!("`{account}` in `{t}` is not a 12-digit account id"),
            Some("use the 12-digit account id, `*`, or leave the field empty".into()),
        );
    }
    if res.is_empty() {
        out.add(
            "invalid-arn-resource",
            v.span,
            &v.path,
            format!("`{t}` has an empty resource field"),
            Some("name the resource, or end the ARN with `*`".into()),
        );
    }
}

fn principals(st: &Stmt, out: &mut Out) {
    let Some(p) = &st.principal else { return };
    if p.empty_object {
        out.add(
            "empty-object-principal",
            p.span,
            &p.path,
            format!(
                "`{}` is an empty object: it names no one",
                if p.negated { "NotPrincipal" } else { "Principal" }
            ),
            Some("name the principals, or remove the statement".into()),
        );
    }
    for k in &p.kinds {
        for v in &k.values {
            let t = v.text.trim();
            if opaque(t) {
                continue;
            }
            if has_var(t) {
                out.add(
                    "variable-unsupported-in-element",
                    v.span,
                    &v.path,
                    format!("policy variables are not supported in `Principal`: `{t}` is literal"),
                    Some("name the principal; test it in a condition (`aws:PrincipalArn`) instead".into()),
                );
                continue;
            }
            if t != "*" && has_wild(t) && matches!(k.kind.as_str(), "AWS" | "Service" | "CanonicalUser") {
                out.add(
                    "unsupported-wildcard-in-principal",
                    v.span,
                    &v.path,
                    format!(
                        "wildcards are not supported in `{}` principals: `{t}` matches no one",
                        k.kind
                    ),
                    Some(
                        "name the principal, or use `\"*\"` with a condition on `aws:PrincipalArn` (`ArnLike`)".into(),
                    ),
                );
                continue;
            }
            if k.kind == "Service" && t != "*" {
                let ok = t.contains('.')
                    && t.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
                if !ok {
                    out.add(
                        "invalid-service-principal-format",
                        v.span,
                        &v.path,
                        format!(
                            "`{t}` is not a service principal: expected a lower-case name such as `ec2.amazonaws.com`"
                        ),
                        None,
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Conditions.

/// Global condition keys that hold one value per request (AWS "Global condition
/// context keys": <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
const SINGLE_VALUED: &[&str] = &[
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:ec2instancesourceprivateipv4",
    "aws:ec2instancesourcevpc",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalservicename",
    "aws:principaltype",
    "aws:referer",
    "aws:requestedregion",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceidentity",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourcevpcarn",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:vpcsourceip",
];

/// Global condition keys that can hold several values.
const MULTI_VALUED: &[&str] = &[
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
    "aws:tagkeys",
];

fn single_valued(key_lc: &str) -> bool {
    SINGLE_VALUED.contains(&key_lc)
        || ["aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"]
            .iter()
            .any(|p| key_lc.starts_with(p) && key_lc.len() > p.len())
}

fn conditions(st: &Stmt, out: &mut Out) {
    if let Some((span, path)) = &st.condition {
        if st.conditions.is_empty() {
            out.add(
                "empty-object-condition",
                *span,
                path,
                "the `Condition` element is empty".into(),
                Some("remove it, or add the condition meant".into()),
            );
        }
    }
    for c in &st.conditions {
        condition(st, c, out);
    }
}

fn condition(st: &Stmt, c: &Cond, out: &mut Out) {
    let key_lc = c.key_lc();
    let op_lc = c.operator.to_ascii_lowercase();
    let bare = op_lc
        .strip_prefix("foranyvalue:")
        .or_else(|| op_lc.strip_prefix("forallvalues:"))
        .unwrap_or(&op_lc);
    if bare == "nullifexists" {
        out.add(
            "null-with-if-exists",
            c.operator_span,
            &c.operator_path,
            "`Null` cannot be combined with `IfExists`: the operator is invalid, and policy-sim treats the statement as indeterminate".into(),
            Some("use `Null` alone: it already tests whether the key is present".into()),
        );
    } else if bare == "null" && c.qualifier.is_some() {
        out.add(
            "null-with-qualifier",
            c.operator_span,
            &c.operator_path,
            format!(
                "`{}`: `Null` takes no set qualifier, and policy-sim treats the statement as indeterminate",
                c.operator
            ),
            Some("use `Null` alone".into()),
        );
    }
    // The key.
    if !opaque(&c.key) {
        let malformed = match c.key.split_once(':') {
            Some((p, n)) => p.is_empty() || n.is_empty() || p.contains(char::is_whitespace),
            None => true,
        };
        if malformed {
            out.add(
                "invalid-condition-key-format",
                c.key_span,
                &c.key_path,
                format!(
                    "`{}` is not a condition key: expected `prefix:name` such as `aws:SourceIp`",
                    c.key
                ),
                None,
            );
        } else if key_lc.ends_with("tag/") {
            out.add(
                "missing-tag-key-in-condition",
                c.key_span,
                &c.key_path,
                format!("`{}` names no tag key", c.key),
                Some(format!("write `{}team` for the tag `team`", c.key)),
            );
        }
        if has_var(&c.key) {
            out.add(
                "variable-unsupported-in-element",
                c.key_span,
                &c.key_path,
                format!(
                    "policy variables are not supported in condition key names: `{}` is literal",
                    c.key
                ),
                None,
            );
        }
    }
    let Some(base) = c.base else { return };
    // Values by operator family.
    let family_var_ok = base.starts_with("String") || base.starts_with("Arn") || base == "Bool";
    for v in &c.values {
        let t = v.text.as_str();
        if opaque(t) {
            continue;
        }
        if has_var(t) {
            variable_syntax(v, out);
            if !family_var_ok {
                out.add(
                    "invalid-variable-for-operator",
                    v.span,
                    &v.path,
                    format!(
                        "policy variables are not supported with `{}`: `{t}` is not read as a variable",
                        c.operator
                    ),
                    Some("use a String or ARN operator with variables".into()),
                );
            }
            continue;
        }
        if !crate::condition::value_parses(base, t) {
            let (code, want) = match base {
                b if b.starts_with("Numeric") => ("type-mismatch-number", "a number"),
                b if b.starts_with("Date") => ("type-mismatch-date", "a date (ISO 8601 or seconds since the epoch)"),
                "Bool" | "Null" => ("type-mismatch-boolean", "`true` or `false`"),
                "IpAddress" | "NotIpAddress" => ("type-mismatch-ip-range", "an IP address or CIDR block"),
                _ => ("type-mismatch", "a base64 value"),
            };
            out.add(
                code,
                v.span,
                &v.path,
                format!(
                    "`{}` expects {want}, found `{t}`: the condition cannot be decided (an `Allow` using it never allows, a `Deny` using it applies)",
                    c.operator
                ),
                None,
            );
        }
        if matches!(
            base,
            "StringEquals"
                | "StringNotEquals"
                | "StringEqualsIgnoreCase"
                | "StringNotEqualsIgnoreCase"
                | "ArnEquals"
                | "ArnNotEquals"
        ) && has_wild(t)
        {
            let like = if base.starts_with("Arn") {
                "ArnLike"
            } else {
                "StringLike"
            };
            out.add(
                "wildcard-without-like-operator",
                v.span,
                &v.path,
                format!("`{t}` holds a wildcard, but `{}` compares literally", c.operator),
                Some(format!("use `{like}` (or its negation) for wildcards")),
            );
        }
    }
    if matches!(base, "Bool" | "Null") {
        let set: std::collections::BTreeSet<String> = c.values.iter().map(|v| v.text.to_ascii_lowercase()).collect();
        if set.contains("true") && set.contains("false") {
            out.add(
                "invalid-condition-multiple-boolean",
                c.key_span,
                &c.key_path,
                format!(
                    "`{}` on `{}` lists both `true` and `false`: the condition always holds",
                    c.operator, c.key
                ),
                Some("keep one value".into()),
            );
        }
    }
    if matches!(base, "IpAddress" | "NotIpAddress") {
        ip_ranges(c, &key_lc, out);
    }
    known_key_values(c, &key_lc, base, out);
    qualifiers(st, c, &key_lc, base, out);
}

fn variable_syntax(v: &Str, out: &mut Out) {
    let t = v.text.as_str();
    let mut rest = t;
    while let Some(i) = rest.find("${") {
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.add(
                "missing-brace-in-variable",
                v.span,
                &v.path,
                format!("`{t}` opens a variable with `${{` but never closes it"),
                Some("close the variable with `}`".into()),
            );
            return;
        };
        let inner = after.get(..end).unwrap_or("");
        let key = inner.split(',').next().unwrap_or("");
        if inner.is_empty() {
            out.add(
                "empty-variable",
                v.span,
                &v.path,
                format!("`{t}` holds an empty variable `${{}}`"),
                Some("name a condition key: `${aws:username}`".into()),
            );
        } else if key.contains(char::is_whitespace) {
            out.add(
                "unsupported-space-in-variable",
                v.span,
                &v.path,
                format!("the variable `${{{inner}}}` holds a space"),
                Some(format!("write `${{{}}}`", inner.replace(char::is_whitespace, ""))),
            );
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
}

fn is_private(n: &ipnet::IpNet) -> bool {
    let blocks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];
    blocks
        .iter()
        .filter_map(|b| b.parse::<ipnet::IpNet>().ok())
        .any(|b| b.contains(n))
}

fn ip_ranges(c: &Cond, key_lc: &str, out: &mut Out) {
    let nets: Vec<(&Str, ipnet::IpNet)> = c
        .values
        .iter()
        .filter_map(|v| crate::condition::ip::parse_net(&v.text).map(|n| (v, n)))
        .collect();
    for (v, n) in &nets {
        if n.addr() != n.network() {
            out.add(
                "improve-ip-range",
                v.span,
                &v.path,
                format!("`{}` has host bits set: it means `{}`", v.text, n.trunc()),
                Some(format!("write `{}`", n.trunc())),
            );
        }
    }
    if key_lc != "aws:sourceip" || nets.is_empty() {
        return;
    }
    let private = nets.iter().filter(|(_, n)| is_private(n)).count();
    if private == nets.len() {
        out.add(
            "private-ip-address",
            c.key_span,
            &c.key_path,
            format!("`aws:SourceIp` is a public address: the private ranges in `{}` never match (traffic from a VPC carries `aws:VpcSourceIp`)", c.operator),
            Some("use `aws:VpcSourceIp` (with `aws:SourceVpc`) for private addresses".into()),
        );
    } else if private > 0 {
        for (v, _) in nets.iter().filter(|(_, n)| is_private(n)) {
            out.add(
                "private-ip-address-subset",
                v.span,
                &v.path,
                format!("`{}` is a private range, which `aws:SourceIp` never holds", v.text),
                Some("remove it, or test `aws:VpcSourceIp` in a separate condition".into()),
            );
        }
    }
}

fn known_key_values(c: &Cond, key_lc: &str, base: &str, out: &mut Out) {
    let equals = matches!(
        base,
        "StringEquals" | "StringNotEquals" | "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase"
    );
    let like = matches!(base, "StringLike" | "StringNotLike");
    if !equals && !like {
        return;
    }
    for v in &c.values {
        let t = v.text.as_str();
        if opaque(t) || has_var(t) || (like && has_wild(t)) {
            continue;
        }
        let (code, ok, want) = match key_lc {
            "aws:requestedregion" => ("invalid-region", is_region(t), "a Region code such as `us-east-1`"),
            "aws:sourcevpc" | "aws:ec2instancesourcevpc" => (
                "invalid-vpc-format",
                t.strip_prefix("vpc-")
                    .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())),
                "a VPC id such as `vpc-1a2b3c4d`",
            ),
            "aws:sourcevpce" => (
                "invalid-vpce-format",
                t.strip_prefix("vpce-")
                    .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())),
                "a VPC endpoint id such as `vpce-1a2b3c4d`",
            ),
            "aws:sourceaccount" | "aws:principalaccount" | "aws:resourceaccount" => (
                "invalid-account-id",
                crate::request::is_account_id(t),
                "a 12-digit account id",
            ),
            _ => return,
        };
        if !ok {
            out.add(
                code,
                v.span,
                &v.path,
                format!("`{}` holds {want}, not `{t}`: the value never matches", c.key),
                None,
            );
        }
    }
}

fn qualifiers(st: &Stmt, c: &Cond, key_lc: &str, base: &str, out: &mut Out) {
    match c.qualifier {
        Some(SetQualifier::ForAllValues) if single_valued(key_lc) => out.add(
            "forallvalues-with-single-valued-key",
            c.operator_span,
            &c.operator_path,
            format!("`ForAllValues` on the single-valued key `{}`: it also holds when the request lacks the key, which in an Allow grants more than meant", c.key),
            Some(format!("drop `ForAllValues:` and use `{base}`")),
        ),
        Some(SetQualifier::ForAnyValue) if single_valued(key_lc) => out.add(
            "foranyvalue-with-single-valued-key",
            c.operator_span,
            &c.operator_path,
            format!("`ForAnyValue` on the single-valued key `{}` is needless", c.key),
            Some(format!("drop `ForAnyValue:` and use `{base}`")),
        ),
        None if MULTI_VALUED.contains(&key_lc) && base != "Null" => out.add(
            "missing-qualifier",
            c.operator_span,
            &c.operator_path,
            format!("`{}` is multi-valued: `{}` without `ForAnyValue:` or `ForAllValues:` is ambiguous (policy-sim treats it as indeterminate)", c.key, c.operator),
            Some(format!("write `ForAnyValue:{0}` (some value matches) or `ForAllValues:{0}` (every value matches)", c.operator)),
        ),
        _ => {}
    }
    // A list of tag keys (`aws:TagKeys`, `s3:RequestObjectTagKeys`) is absent when the
    // request sets no tags: `ForAllValues` then restricts which tag keys may be set,
    // the pattern AWS's own policies use (access_tags.md, "Controlling access during
    // AWS requests"), and the absent case grants nothing the statement does not mean.
    let tag_key_list = key_lc.ends_with("tagkeys");
    if c.qualifier == Some(SetQualifier::ForAllValues)
        && st.effect == Some(Effect::Allow)
        && !single_valued(key_lc)
        && !tag_key_list
    {
        // ForAllValues holds for a request without the key (the empty set); a `Null`
        // test or another condition on the key closes the gap.
        let guarded = st.conditions.iter().any(|o| {
            o.key_lc() == key_lc
                && (o.qualifier != Some(SetQualifier::ForAllValues))
                && (o.base != Some("Null") || o.values.iter().any(|v| v.text.eq_ignore_ascii_case("false")))
        });
        if !guarded {
            out.add(
                "forallvalues-allow-absent-key",
                c.operator_span,
                &c.operator_path,
                format!(
                    "`ForAllValues` in an Allow also holds when the request has no `{}` at all",
                    c.key
                ),
                Some(format!(
                    "add \"Null\": {{\"{}\": \"false\"}} to the statement's `Condition`",
                    c.key
                )),
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Per policy type. SCPs take the full IAM policy language since September 2025
// (conditions, `NotAction` and resource ARNs in Allow statements, `NotResource`,
// wildcards anywhere in an action: "AWS Organizations service control policy now supports
// full IAM language", AWS Security Blog, and the SCP syntax page), so they have no checks
// of their own; a `Principal` or `NotPrincipal` in one is the parser's
// `principal-not-allowed`.

/// Services whose actions RCPs can control, when the catalog does not say (the
/// catalog's `supports_rcp` decides for the services it knows).
const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "cognito-idp",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
    "sns",
];

fn rcp(st: &Stmt, out: &mut Out) {
    // "Resource … Required" (RCP syntax page): an RCP statement names the resources it
    // restricts.
    if st.resource.is_none() {
        out.add(
            "missing-element",
            st.span,
            &st.path,
            "RCP statements need `Resource` (or `NotResource`)".into(),
            Some("add \"Resource\": \"*\" or the ARNs the statement restricts".into()),
        );
    }
    if let Some(p) = &st.principal {
        if p.negated {
            out.add(
                "rcp-syntax-error-notprincipal",
                p.span,
                &p.path,
                "RCPs do not support `NotPrincipal`".into(),
                Some(
                    "use \"Principal\": \"*\" with a condition on `aws:PrincipalArn` or `aws:PrincipalAccount`".into(),
                ),
            );
        } else if !p.star {
            out.add(
                "rcp-syntax-error-principal",
                p.span,
                &p.path,
                "RCPs support only `\"Principal\": \"*\"`".into(),
                Some("use \"*\" and narrow with conditions (`aws:PrincipalAccount`)".into()),
            );
        }
    }
    if st.effect == Some(Effect::Allow) {
        let full = st
            .action
            .as_ref()
            .is_some_and(|a| !a.negated && a.values.len() == 1 && a.has_star())
            && st
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.values.len() == 1 && r.has_star())
            && st.principal.as_ref().is_some_and(|p| p.star)
            && st.condition.is_none();
        if !full {
            out.add(
                "rcp-syntax-error-allow",
                st.span,
                &st.path,
                "RCPs support Allow only as `\"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"` without `Condition` (RCPFullAWSAccess)".into(),
                Some("write the restriction as a Deny statement".into()),
            );
        }
    }
    if let Some(a) = &st.action {
        for v in &a.values {
            let t = v.text.trim().to_ascii_lowercase();
            if let Some((svc, _)) = t.split_once(':') {
                #[cfg(feature = "lint-catalog")]
                let supported = match crate::catalog::Catalog::get().service(svc) {
                    Some(s) => s.supports_rcp(),
                    None => RCP_SERVICES.contains(&svc),
                };
                #[cfg(not(feature = "lint-catalog"))]
                let supported = RCP_SERVICES.contains(&svc);
                if !has_wild(svc) && !opaque(svc) && !supported {
                    out.add(
                        "rcp-unsupported-service",
                        v.span,
                        &v.path,
                        format!("RCPs do not apply to `{svc}` actions"),
                        Some(format!("RCPs cover {}", RCP_SERVICES.join(", "))),
                    );
                }
            }
        }
    }
}

fn trust(st: &Stmt, out: &mut Out) {
    if let Some(p) = st.principal.as_ref().filter(|p| p.negated) {
        out.add(
            "trust-policy-syntax-error-notprincipal",
            p.span,
            &p.path,
            "role trust policies do not support `NotPrincipal`".into(),
            Some("name the principals in `Principal`".into()),
        );
    }
    if let Some(r) = &st.resource {
        out.add(
            "trust-policy-syntax-error-resource",
            r.span,
            &r.path,
            format!(
                "role trust policies do not support `{}`: the resource is the role itself",
                r.name
            ),
            Some(format!("remove `{}`", r.name)),
        );
    }
    let (Some(p), Some(a)) = (&st.principal, &st.action) else {
        return;
    };
    if p.negated || a.negated || st.effect != Some(Effect::Allow) {
        return;
    }
    let mut need: Vec<(&str, String)> = Vec::new();
    for v in p.values_of("Federated") {
        let t = v.text.to_ascii_lowercase();
        if opaque(&t) {
            continue;
        }
        if t.contains(":saml-provider/") {
            need.push(("sts:assumerolewithsaml", v.text.clone()));
        } else {
            need.push(("sts:assumerolewithwebidentity", v.text.clone()));
        }
    }
    if p.star || p.values_of("AWS").next().is_some() || p.values_of("Service").next().is_some() {
        need.push(("sts:assumerole", "AWS or service principals".into()));
    }
    let session_only = a.values.iter().all(|v| {
        matches!(
            v.text.trim().to_ascii_lowercase().as_str(),
            "sts:tagsession" | "sts:setsourceidentity" | "sts:setcontext"
        )
    });
    if session_only || a.values.iter().any(|v| opaque(&v.text)) {
        return;
    }
    for (action, who) in need {
        if !st.covers_action(action) && !st.covers_action("sts:assumeroot") {
            let canonical = match action {
                "sts:assumerolewithsaml" => "sts:AssumeRoleWithSAML",
                "sts:assumerolewithwebidentity" => "sts:AssumeRoleWithWebIdentity",
                _ => "sts:AssumeRole",
            };
            out.add(
                "mismatched-action-for-principal",
                a.span,
                &a.path,
                format!("`{who}` assumes a role with `{canonical}`, which this statement does not allow"),
                Some(format!("allow `{canonical}`")),
            );
        }
    }
    let github = p.values_of("Federated").any(|v| {
        v.text
            .to_ascii_lowercase()
            .ends_with("token.actions.githubusercontent.com")
    });
    if github {
        let sub = st
            .conditions
            .iter()
            .find(|c| c.key_lc() == "token.actions.githubusercontent.com:sub");
        match sub {
            None => out.add(
                "missing-github-repo-condition-key",
                p.span,
                &p.path,
                "any GitHub Actions workflow of any repository can assume this role: the statement does not test `token.actions.githubusercontent.com:sub`".into(),
                Some("add \"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:OWNER/REPO:ref:refs/heads/main\"}".into()),
            ),
            Some(c) => {
                for v in &c.values {
                    let t = v.text.as_str();
                    if t == "*" || t.starts_with("repo:*") || t.split(':').nth(1).is_some_and(|r| r.ends_with("/*") || r == "*") {
                        out.add(
                            "specific-github-repo-and-branch-recommended",
                            v.span,
                            &v.path,
                            format!("`{t}` lets workflows of many repositories assume this role"),
                            Some("name the repository and branch: `repo:OWNER/REPO:ref:refs/heads/main`".into()),
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Security warnings.

const SOURCE_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

fn security(st: &Stmt, out: &mut Out) {
    if st.effect != Some(Effect::Allow) {
        return;
    }
    let ty = out.ty;
    let grants = matches!(ty, T::Identity | T::Resource | T::Key | T::Trust);
    // A condition naming the services exactly closes the gap; `…IfExists`, negated
    // operators and wildcards do not (Access Analyzer reports those too).
    let pinned = |key: &str| {
        st.conditions.iter().any(|c| {
            c.key_lc() == key
                && c.base.is_some_and(|b| !b.contains("Not"))
                && !c.operator.to_ascii_lowercase().ends_with("ifexists")
                && c.values.iter().all(|v| !has_wild(&v.text))
        })
    };
    let passed_to_service = pinned("iam:passedtoservice");
    if ty == T::Identity && st.covers_action("iam:passrole") && !passed_to_service {
        if let Some(r) = &st.resource {
            let star_action = st.action.as_ref().is_some_and(|a| !a.negated && a.has_star());
            if r.negated {
                out.add(
                    "pass-role-with-not-resource",
                    r.span,
                    &r.path,
                    "`iam:PassRole` is allowed with `NotResource`: every role not listed can be passed to a service, which then acts with that role's permissions".into(),
                    Some("list the roles that may be passed in `Resource`, and add `iam:PassedToService`".into()),
                );
            } else if let Some(v) = r.values.iter().find(|v| v.text.trim() == "*") {
                out.add(
                    "pass-role-with-star-in-resource",
                    v.span,
                    &v.path,
                    format!(
                        "{} `iam:PassRole` on `\"Resource\": \"*\"`: any role can be passed to a service, which then acts with that role's permissions",
                        if star_action { "`\"Action\": \"*\"` allows" } else { "the statement allows" }
                    ),
                    Some("name the roles (`arn:aws:iam::111122223333:role/app-*`) and add the condition key `iam:PassedToService`".into()),
                );
            }
        }
    }
    let slr_named = pinned("iam:awsservicename");
    if ty == T::Identity && !slr_named && st.covers_action("iam:createservicelinkedrole") {
        if let Some(v) = st
            .resource
            .as_ref()
            .filter(|r| !r.negated)
            .and_then(|r| r.values.iter().find(|v| v.text.trim() == "*"))
        {
            out.add(
                "create-slr-with-star-in-resource",
                v.span,
                &v.path,
                "`iam:CreateServiceLinkedRole` is allowed on every resource: the caller can create the service-linked role of any service".into(),
                Some("name the role (`arn:aws:iam::*:role/aws-service-role/SERVICE.amazonaws.com/*`) or add a condition on `iam:AWSServiceName`".into()),
            );
        }
    }
    if grants {
        if let Some(a) = st.action.as_ref().filter(|a| a.negated) {
            out.add(
                "allow-with-not-action",
                a.span,
                &a.path,
                "Allow with `NotAction` allows every action not listed, including actions AWS adds later".into(),
                Some("list the actions to allow in `Action`".into()),
            );
        }
        if ty != T::Trust {
            if let Some(r) = st.resource.as_ref().filter(|r| r.negated) {
                out.add(
                    "allow-with-not-resource",
                    r.span,
                    &r.path,
                    "Allow with `NotResource` allows every resource not listed, including resources created later"
                        .into(),
                    Some("list the resources to allow in `Resource`".into()),
                );
            }
        }
    }
    // "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is
    // not supported" (reference_policies_elements_notprincipal). Trust policies have a
    // code of their own; identity-based policies, SCPs and RCPs reject any NotPrincipal.
    if let Some(p) = st
        .principal
        .as_ref()
        .filter(|p| p.negated && matches!(ty, T::Resource | T::Key | T::Endpoint))
    {
        out.add(
            "allow-with-not-principal",
            p.span,
            &p.path,
            "AWS does not support `NotPrincipal` with `\"Effect\": \"Allow\"`: where it is still accepted it allows every principal not listed, anonymous users included".into(),
            Some("name the principals in `Principal`; to exclude some, add a Deny with a condition on `aws:PrincipalArn`".into()),
        );
        return;
    }
    if !matches!(ty, T::Resource | T::Key | T::Trust) {
        return;
    }
    let Some(p) = &st.principal else { return };
    if p.is_public() && !st.has_condition() {
        out.add(
            "public-principal-without-condition",
            p.span,
            &p.path,
            "this statement allows everyone, anonymous users included, with no condition: the resource is public"
                .into(),
            Some("name the principals, or add a condition such as `aws:PrincipalOrgID` or `aws:SourceVpce`".into()),
        );
    }
    if ty != T::Trust && p.values_of("Service").any(|v| !opaque(&v.text)) {
        let scoped = st.conditions.iter().any(|c| SOURCE_KEYS.contains(&c.key_lc().as_str()));
        if !scoped {
            out.add(
                "restrict-access-to-service-principal",
                p.span,
                &p.path,
                "access granted to a service principal without a source: the service can act on behalf of any customer's resource (confused deputy)".into(),
                Some("add a condition on `aws:SourceArn` or `aws:SourceAccount`".into()),
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Statements covered by others.

/// A statement's `Action` and `Resource` compiled once for the covering tests.
struct Compiled {
    actions: Option<(Vec<Option<Pat>>, Vec<String>)>,
    resources: Option<(Vec<Option<Pat>>, Vec<String>)>,
}

impl Compiled {
    fn new(st: &Stmt) -> Compiled {
        let part = |e: &Option<Elem>, action: bool| {
            e.as_ref().filter(|e| !e.negated).map(|e| {
                (
                    Pat::compile(e, action),
                    (0..e.values.len()).map(|i| Pat::text(e, i, action)).collect(),
                )
            })
        };
        Compiled {
            actions: part(&st.action, true),
            resources: part(&st.resource, false),
        }
    }
}

/// Whether every value of `inner` is covered by some value of `outer`.
fn all_covered(outer: &(Vec<Option<Pat>>, Vec<String>), inner: &(Vec<Option<Pat>>, Vec<String>)) -> bool {
    inner
        .0
        .iter()
        .zip(&inner.1)
        .all(|(pj, tj)| pj.is_some() && outer.0.iter().any(|pi| pi.as_ref().is_some_and(|pi| pi.covers(tj))))
}

/// Whether `a` applies to every request `b` applies to, ignoring conditions.
fn covers(a: &Stmt, ac: &Compiled, b: &Stmt, bc: &Compiled) -> bool {
    let (Some(aa), Some(ba)) = (&ac.actions, &bc.actions) else {
        return false;
    };
    if !all_covered(aa, ba) {
        return false;
    }
    let resources = match (&a.resource, &b.resource, &ac.resources, &bc.resources) {
        (None, None, _, _) => true,
        (Some(ar), _, _, _) if !ar.negated && ar.values.len() == 1 && ar.has_star() => true,
        (Some(_), Some(_), Some(ar), Some(br)) => all_covered(ar, br),
        _ => false,
    };
    let principals = match (&a.principal, &b.principal) {
        (None, None) => true,
        (Some(ap), _) if !ap.negated && ap.is_public() => true,
        (Some(ap), Some(bp)) => {
            !ap.negated
                && !bp.negated
                && bp.kinds.iter().all(|bk| {
                    bk.values.iter().all(|bv| {
                        ap.kinds
                            .iter()
                            .any(|ak| ak.kind == bk.kind && ak.values.iter().any(|av| av.text == bv.text))
                    })
                })
                && !bp.star
        }
        _ => false,
    };
    resources && principals
}

fn same_conditions(a: &Stmt, b: &Stmt) -> bool {
    let key = |s: &Stmt| {
        let mut v: Vec<(String, String, Vec<String>)> = s
            .conditions
            .iter()
            .map(|c| {
                (
                    c.operator.to_ascii_lowercase(),
                    c.key_lc(),
                    c.values.iter().map(|v| v.text.clone()).collect(),
                )
            })
            .collect();
        v.sort();
        v
    };
    key(a) == key(b)
}

fn redundancy(doc: &Doc, out: &mut Out) {
    let sts = &doc.statements;
    let compiled: Vec<Compiled> = sts.iter().map(Compiled::new).collect();
    let pairs: Vec<(&Stmt, &Compiled)> = sts.iter().zip(&compiled).collect();
    for (j, &(b, bc)) in pairs.iter().enumerate() {
        if b.effect.is_none() {
            continue;
        }
        let redundant = pairs.iter().enumerate().find(|(i, (a, ac))| {
            *i != j
                && a.effect == b.effect
                && (!a.has_condition() || same_conditions(a, b))
                && covers(a, ac, b, bc)
                // Of two statements covering each other, the later one is redundant.
                && !(covers(b, bc, a, ac) && (!b.has_condition() || same_conditions(a, b)) && *i > j)
        });
        if let Some((_, (a, _))) = redundant {
            out.add(
                "redundant-statement",
                b.span,
                &b.path,
                format!("{} is covered by {}: it changes nothing", b.path, a.path),
                Some(format!("remove {}", b.path)),
            );
            continue;
        }
        if b.effect != Some(Effect::Allow) {
            continue;
        }
        let deny = pairs
            .iter()
            .find(|(a, ac)| a.effect == Some(Effect::Deny) && !a.has_condition() && covers(a, ac, b, bc));
        if let Some((a, _)) = deny {
            out.add(
                "unreachable-statement",
                b.span,
                &b.path,
                format!(
                    "this Allow never applies: {} denies every request it allows, with no condition",
                    a.path
                ),
                Some(format!("remove {}, or narrow {}", b.path, a.path)),
            );
        }
    }
}
