//! Who-can tests: `whoCan: {resource, action, context}` with `expect: {only, includes,
//! excludes, allowIf}` — read from the suite file, answered over the suite's estate by
//! [`WhoCan`], checked, and recorded.
//!
//! The principals a test counts as allowed are those of the answer's results that are
//! `Allow`, and `AllowIf` unless `allowIf: ignore`. `only`: each of them is listed;
//! `includes`: each listed one is allowed every action of the question; `excludes`:
//! no listed one is allowed any action.
//!
//! Statement coverage: each principal the test counts as allowed is one request per
//! action it is allowed, made concrete ([`WhoCan::witness_request`]: with the
//! witness's values for an `AllowIf`); the policies of those requests are the test's,
//! and the deciding statements of their concrete evaluation (the `Allow`s that grant
//! the access) are what it covers, each statement once per test. An `AllowIf` without
//! a witness covers nothing.

use std::sync::Arc;

use super::parse::{check_members, did_you_mean, scalar, Errors};
use super::{AllowIfRule, CaseResult, Coverage, Outcome, Suite, WhoCanExpectation, WhoCanTest};
use crate::analysis::{PartialDecision, WhoCan, WhoCanAnswer, WhoCanQuery, WhoCanResult};
use crate::estate::{Estate, EstatePrincipalKind};
use crate::eval::{evaluate_with, EvalOptions, PolicySet};
use crate::explain::Response;
use crate::request::{Action, Context};
use crate::span::Span;
use crate::tree::{Kind, Node};

/// The members of `whoCan`.
const QUESTION_MEMBERS: [&str; 3] = ["resource", "action", "context"];

/// The members of a who-can test's `expect`.
const EXPECT_MEMBERS: [&str; 4] = ["only", "includes", "excludes", "allowIf"];

/// The members of a who-can test.
const TEST_MEMBERS: [&str; 5] = ["name", "description", "whoCan", "expect", "policies"];

/// A who-can test as read, before its policies are parsed.
#[derive(Debug)]
pub(super) struct RawWhoCan {
    resource: String,
    actions: Vec<String>,
    context: Context,
    expect: Option<WhoCanExpectation>,
    /// Where the test's `policies` are, else its `whoCan` (errors about the policies).
    policies_span: Span,
}

/// Reads the who-can test `t` (it has `whoCan`) at `path`: its members, the question
/// and the expectation, each error reported. `None` when it has one.
pub(super) fn read(
    t: &Node,
    path: &str,
    estate: Option<&Estate>,
    has_estate: bool,
    errs: &mut Errors<'_>,
) -> Option<RawWhoCan> {
    let before = errs.list.len();
    let Kind::Map(members) = &t.kind else {
        return None;
    };
    for (k, span, _) in members {
        if TEST_MEMBERS.contains(&k.as_str()) || k.starts_with("x-") {
            continue;
        }
        let message = if ["principal", "action", "resource", "context"].contains(&k.as_str()) {
            format!("a `whoCan` test asks about every principal: give its resource, actions and context in `whoCan`, not `{k}`")
        } else {
            format!(
                "unknown member `{k}` of a `whoCan` test{}: expected {}",
                did_you_mean(k, &TEST_MEMBERS),
                TEST_MEMBERS.map(|m| format!("`{m}`")).join(", ")
            )
        };
        errs.at("unknown-member", *span, &format!("{path}.{k}"), message);
    }
    let q = t.get("whoCan")?;
    let qpath = format!("{path}.whoCan");
    if !has_estate {
        errs.at(
            "invalid-value",
            q.span,
            &qpath,
            "a `whoCan` test asks over an estate: the suite needs `estate`".into(),
        );
    }
    let Kind::Map(qm) = &q.kind else {
        errs.at(
            "invalid-value",
            q.span,
            &qpath,
            "expected the question: `resource`, `action` (one or a list) and `context`".into(),
        );
        return None;
    };
    check_members(qm, &QUESTION_MEMBERS, &qpath, "whoCan", errs);
    let resource = match q.get("resource") {
        None => {
            errs.at(
                "missing-member",
                q.span,
                &qpath,
                "a who-can question needs `resource`, the resource's ARN".into(),
            );
            None
        }
        Some(r) => match scalar(r).filter(|s| crate::arn::split(s).is_some()) {
            Some(s) => Some(s),
            None => {
                errs.at(
                    "invalid-value",
                    r.span,
                    &format!("{qpath}.resource"),
                    "expected a resource ARN".into(),
                );
                None
            }
        },
    };
    let actions = match q.get("action") {
        None => {
            errs.at(
                "missing-member",
                q.span,
                &qpath,
                "a who-can question needs `action`: one action or a list".into(),
            );
            Vec::new()
        }
        Some(a) => read_actions(a, &format!("{qpath}.action"), errs),
    };
    let context = match q.get("context") {
        None => Context::default(),
        Some(c) => read_context(c, &format!("{qpath}.context"), errs),
    };
    let expect = t
        .get("expect")
        .and_then(|e| read_expect(e, &format!("{path}.expect"), estate, errs));
    if errs.list.len() > before {
        return None;
    }
    Some(RawWhoCan {
        resource: resource?,
        actions,
        context,
        expect,
        policies_span: t.get("policies").map_or(q.span, |p| p.span),
    })
}

/// The items of a member that is one value or a list of them, each with its path; an
/// empty list, unless `empty_ok`, is an error (`give at least one <what>`) and no item.
fn one_or_list<'n>(
    n: &'n Node,
    path: &str,
    what: &str,
    empty_ok: bool,
    errs: &mut Errors<'_>,
) -> Vec<(&'n Node, String)> {
    match &n.kind {
        Kind::Seq(items) if items.is_empty() && !empty_ok => {
            errs.at(
                "invalid-value",
                n.span,
                path,
                format!("an empty list: give at least one {what}"),
            );
            Vec::new()
        }
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (v, format!("{path}[{i}]")))
            .collect(),
        _ => vec![(n, path.to_string())],
    }
}

/// `action`: one action or a non-empty list of them, each `service:Name`.
fn read_actions(n: &Node, path: &str, errs: &mut Errors<'_>) -> Vec<String> {
    let items = one_or_list(n, path, "action", false, errs);
    let mut out = Vec::new();
    for (v, p) in items {
        match scalar(v).filter(|s| Action::parse(s).is_ok()) {
            Some(a) => out.push(a),
            None => errs.at(
                "invalid-action",
                v.span,
                &p,
                "expected an action, `service:Name` (`s3:GetObject`)".into(),
            ),
        }
    }
    out
}

/// `context`: condition keys, each a string, number or boolean, or a list of them (as
/// a request document's `context`).
fn read_context(n: &Node, path: &str, errs: &mut Errors<'_>) -> Context {
    let mut ctx = Context::default();
    let Kind::Map(m) = &n.kind else {
        errs.at(
            "invalid-value",
            n.span,
            path,
            "expected a mapping of condition keys to values".into(),
        );
        return ctx;
    };
    check_members(m, &[], path, "context", errs);
    for (k, _, v) in m {
        let values = match &v.kind {
            Kind::Seq(items) => items.iter().map(scalar).collect::<Option<Vec<String>>>(),
            _ => scalar(v).map(|s| vec![s]),
        };
        match values {
            Some(values) => ctx.insert(k, values),
            None => errs.at(
                "invalid-value",
                v.span,
                &format!("{path}.{k}"),
                "expected a string, number or boolean, or a list of them".into(),
            ),
        }
    }
    ctx
}

fn read_expect(n: &Node, path: &str, estate: Option<&Estate>, errs: &mut Errors<'_>) -> Option<WhoCanExpectation> {
    let Kind::Map(m) = &n.kind else {
        errs.at(
            "invalid-value",
            n.span,
            path,
            "a `whoCan` test expects who may be allowed: `only`, `includes` or `excludes` (lists of principals), not a decision".into(),
        );
        return None;
    };
    check_members(m, &EXPECT_MEMBERS, path, "expect", errs);
    let mut list = |key: &str, empty_ok: bool| {
        n.get(key)
            .map(|v| principals(v, &format!("{path}.{key}"), empty_ok, estate, errs))
    };
    let only = list("only", true);
    let includes = list("includes", false).unwrap_or_default();
    let excludes = list("excludes", false).unwrap_or_default();
    let allow_if = match n.get("allowIf") {
        None => AllowIfRule::Count,
        Some(v) => match scalar(v).as_deref() {
            Some("count") => AllowIfRule::Count,
            Some("ignore") => AllowIfRule::Ignore,
            other => {
                errs.at(
                    "invalid-value",
                    v.span,
                    &format!("{path}.allowIf"),
                    format!(
                        "expected `count` or `ignore`{}",
                        did_you_mean(other.unwrap_or_default(), &AllowIfRule::NAMES)
                    ),
                );
                AllowIfRule::Count
            }
        },
    };
    if only.is_none() && n.get("includes").is_none() && n.get("excludes").is_none() {
        errs.at(
            "missing-member",
            n.span,
            path,
            "a `whoCan` test expects `only`, `includes` or `excludes` (lists of principals)".into(),
        );
    }
    Some(WhoCanExpectation {
        only,
        includes,
        excludes,
        allow_if,
    })
}

/// A list of principals (or one), each checked against the estate.
fn principals(n: &Node, path: &str, empty_ok: bool, estate: Option<&Estate>, errs: &mut Errors<'_>) -> Vec<String> {
    let items = one_or_list(n, path, "principal", empty_ok, errs);
    let mut out = Vec::new();
    for (v, p) in items {
        let Some(who) = scalar(v).filter(|s| !s.is_empty()) else {
            errs.at(
                "invalid-value",
                v.span,
                &p,
                "expected a principal: a user's or role's ARN, or as the resource's policy names it (an account root ARN, a service principal, `*`)".into(),
            );
            continue;
        };
        if let Some(why) = estate.and_then(|e| not_a_principal(e, &who)) {
            errs.at("unknown-principal", v.span, &p, why);
        }
        out.push(who);
    }
    out
}

/// Why `who` can never be a principal of a who-can answer over `estate`: a user or
/// role ARN in an account whose IAM data the estate holds that it does not know (a
/// typo would make `only` and `excludes` pass whatever is allowed), or a role session
/// (answered as its role).
fn not_a_principal(estate: &Estate, who: &str) -> Option<String> {
    let [_, partition, service, _, account, res] = crate::arn::split(who)?;
    let acc = estate.account_of(account).filter(|(_, a)| a.has_iam);
    if service == "sts" {
        let role = res.strip_prefix("assumed-role/")?.split('/').next().unwrap_or_default();
        let known = acc
            .and_then(|(i, _)| {
                estate
                    .principal_names
                    .get(&(i, EstatePrincipalKind::Role, role.to_ascii_lowercase().into()))
            })
            .and_then(|&i| estate.principals.get(i as usize))
            .map_or_else(
                || format!("arn:{partition}:iam::{account}:role/{role}"),
                |p| p.arn.to_string(),
            );
        return Some(format!("who-can answers a role's sessions as the role: name `{known}`"));
    }
    if service != "iam" || !(res.starts_with("user/") || res.starts_with("role/")) || acc.is_none() {
        return None;
    }
    if estate.principal_index.contains_key(who) {
        return None;
    }
    let arns: Vec<&str> = estate.principal_arns().map(|(a, _)| a).collect();
    Some(format!(
        "`{who}` is not a user or role of account `{account}` in the estate{}",
        did_you_mean(who, &arns)
    ))
}

/// Builds the test from what was read and its request document (the suite's
/// `defaults` and `policies` with the test's, completed with a principal and an action
/// nothing reads): the context fixed for every request is the document's as given
/// (not what the engine derived) with `whoCan.context` over it; its SCPs and RCPs
/// replace the organization's. Errors: the document gives other policies.
pub(super) fn build(
    raw: RawWhoCan,
    doc: crate::RequestDocument,
    path: &str,
    errs: &mut Errors<'_>,
) -> Option<WhoCanTest> {
    let req = &doc.request;
    let mut context = Context::default();
    for (k, v) in req.context().iter() {
        if !req.derived_keys().iter().any(|d| d.eq_ignore_ascii_case(k)) {
            context.insert(k, v.to_vec());
        }
    }
    for (k, v) in raw.context.iter() {
        context.insert(k, v.to_vec());
    }
    let set: &PolicySet = &doc.policies;
    let others: Vec<&str> = [
        ("identity", !set.identity.is_empty()),
        ("resource", set.resource.is_some()),
        ("permissionsBoundary", set.permissions_boundary.is_some()),
        ("session", set.session.is_some()),
        ("vpcEndpoint", !set.vpc_endpoint.is_empty()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    if !others.is_empty() {
        errs.at(
            "invalid-value",
            raw.policies_span,
            &format!("{path}.policies"),
            format!(
                "a `whoCan` test asks about the estate's principals and resources as they are: the suite's and the test's `policies` may give `scp` and `rcp` only (in place of the organization's), not {}",
                others.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
            ),
        );
        return None;
    }
    let replacing = (!set.scp.is_empty() || !set.rcp.is_empty()).then(|| doc.policies.clone());
    Some(WhoCanTest {
        query: WhoCanQuery {
            resource: raw.resource,
            actions: raw.actions,
            context,
        },
        expect: raw.expect,
        replacing,
        warnings: doc.warnings,
    })
}

/// The request document that completes a who-can test's: a principal and an action
/// nothing reads (the test's document is only a carrier of context and policies).
pub(super) const STUB: &str = r#"{"principal": "arn:aws:iam::000000000000:root", "action": "sts:GetCallerIdentity"}"#;

/// A principal the test is missing: in `includes`, not allowed these actions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingPrincipal {
    /// The principal, as `includes` names it.
    pub principal: String,
    /// The actions of the question it is not allowed.
    pub actions: Vec<String>,
}

/// What a who-can test found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanOutcome {
    /// The principals the test counts as allowed some action: the estate's (by ARN),
    /// then those outside it.
    pub allowed: Vec<String>,
    /// The results the expectation does not allow: a principal allowed that `only`
    /// does not list, or that `excludes` does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unexpected: Vec<WhoCanResult>,
    /// The principals of `includes` not allowed every action.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingPrincipal>,
    /// The who-can answer: every result, with its conditions.
    pub answer: WhoCanAnswer,
}

impl WhoCanOutcome {
    /// The principals a test expecting `e` counts as allowed: its results that are
    /// `Allow`, and `AllowIf` unless `allowIf: ignore`.
    fn counts(e: AllowIfRule, r: &WhoCanResult) -> bool {
        match r.answer.decision {
            PartialDecision::Allow => true,
            PartialDecision::AllowIf => e == AllowIfRule::Count,
            PartialDecision::ExplicitDeny | PartialDecision::ImplicitDeny => false,
        }
    }
}

/// `r`'s principal as the failure names it (grantees outside the estate with their
/// kind).
fn who(r: &WhoCanResult) -> String {
    if r.external {
        format!("{} ({}, outside the estate)", r.principal, r.kind)
    } else {
        r.principal.clone()
    }
}

/// Why the outcome does not meet `e`: a line naming the principals, then one line per
/// unexpected result (its action, decision and condition) and per missing principal.
fn failure(e: &WhoCanExpectation, o: &WhoCanOutcome) -> Option<String> {
    if o.unexpected.is_empty() && o.missing.is_empty() {
        return None;
    }
    let names = |it: &mut dyn Iterator<Item = &str>| {
        let mut seen: Vec<&str> = Vec::new();
        for n in it {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        seen.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    };
    let listed = |list: &[String], p: &str| list.iter().any(|x| x == p);
    let mut parts = Vec::new();
    if let Some(only) = &e.only {
        let beyond = names(
            &mut o
                .unexpected
                .iter()
                .map(|r| r.principal.as_str())
                .filter(|p| !listed(only, p)),
        );
        if !beyond.is_empty() {
            parts.push(format!("allowed though `only` does not list them: {beyond}"));
        }
    }
    let excluded = names(
        &mut o
            .unexpected
            .iter()
            .map(|r| r.principal.as_str())
            .filter(|p| listed(&e.excludes, p)),
    );
    if !excluded.is_empty() {
        parts.push(format!("allowed though `excludes` lists them: {excluded}"));
    }
    if !o.missing.is_empty() {
        parts.push(format!(
            "not allowed though `includes` lists them: {}",
            names(&mut o.missing.iter().map(|m| m.principal.as_str()))
        ));
    }
    let mut rows: Vec<[String; 4]> = o
        .unexpected
        .iter()
        .map(|r| {
            [
                "allowed".to_string(),
                who(r),
                r.action.clone(),
                match (&r.answer.decision, &r.answer.description) {
                    (PartialDecision::AllowIf, Some(d)) => format!("AllowIf, only if {d}"),
                    (d, _) => format!("{d:?}"),
                },
            ]
        })
        .collect();
    rows.extend(o.missing.iter().map(|m| {
        [
            "not allowed".to_string(),
            m.principal.clone(),
            m.actions.join(", "),
            String::new(),
        ]
    }));
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = parts.join("; ");
    for [a, b, c, d] in &rows {
        out.push_str(&format!("\n  {a:<w0$}  {b:<w1$}  {c:<w2$}  {d}"));
        out.truncate(out.trim_end().len());
    }
    Some(out)
}

/// Answers `t` (test `test_index` of `suite`) and checks the expectation; with
/// `coverage`, the test's policies are added to it and the deciding statements of its
/// allowed principals' concrete requests counted, once each.
pub(super) fn run(suite: &Suite, test_index: usize, t: &WhoCanTest, coverage: Option<&mut Coverage>) -> CaseResult {
    let result = |passed: bool, failure: Option<String>, outcome: Outcome| CaseResult {
        test: test_index,
        case: 0,
        passed,
        failure,
        outcome,
    };
    let Some(estate) = suite.estate() else {
        // Not reached: the suite's parser requires an estate for a who-can test.
        let answer = WhoCanAnswer {
            resource: t.query.resource.clone(),
            resource_found: false,
            actions: t.query.actions.clone(),
            results: Vec::new(),
            evaluated: 0,
            principals: 0,
            notes: Vec::new(),
        };
        let outcome = WhoCanOutcome {
            allowed: Vec::new(),
            unexpected: Vec::new(),
            missing: Vec::new(),
            answer,
        };
        return result(
            false,
            Some("a `whoCan` test needs the suite's `estate`".into()),
            Outcome::WhoCan(outcome),
        );
    };
    let mut wc = WhoCan::new(estate, t.query.clone());
    if let Some(set) = &t.replacing {
        wc = wc.replacing(set);
    }
    let answer = wc.run();
    let rule = t.expect.as_ref().map_or(AllowIfRule::Count, |e| e.allow_if);
    let counted: Vec<&WhoCanResult> = answer
        .results
        .iter()
        .filter(|r| WhoCanOutcome::counts(rule, r))
        .collect();
    // In the answer's order: the estate's principals, then those outside it.
    let mut allowed: Vec<String> = Vec::new();
    for r in &counted {
        if !allowed.contains(&r.principal) {
            allowed.push(r.principal.clone());
        }
    }
    if let Some(cov) = coverage {
        cover(suite, estate, &wc, &counted, cov);
    }
    let (mut unexpected, mut missing) = (Vec::new(), Vec::new());
    if let Some(e) = &t.expect {
        let listed = |list: &[String], p: &str| list.iter().any(|x| x == p);
        unexpected = counted
            .iter()
            .filter(|r| {
                e.only.as_deref().is_some_and(|only| !listed(only, &r.principal)) || listed(&e.excludes, &r.principal)
            })
            .map(|r| (*r).clone())
            .collect();
        for p in &e.includes {
            let actions: Vec<String> = answer
                .actions
                .iter()
                .filter(|a| !counted.iter().any(|r| r.principal == *p && r.action == **a))
                .cloned()
                .collect();
            if !actions.is_empty() && !missing.iter().any(|m: &MissingPrincipal| m.principal == *p) {
                missing.push(MissingPrincipal {
                    principal: p.clone(),
                    actions,
                });
            }
        }
    }
    let outcome = WhoCanOutcome {
        allowed,
        unexpected,
        missing,
        answer,
    };
    let why = match &t.expect {
        Some(e) => failure(e, &outcome),
        None => {
            Some("the test has no `expect`: add one, or record today's allowed principals with `--record`".to_string())
        }
    };
    result(why.is_none(), why, Outcome::WhoCan(outcome))
}

/// Adds the policies of each counted result's concrete request to `cov`, and counts
/// the deciding statements of their evaluation, each once for the test.
fn cover(suite: &Suite, estate: &Arc<Estate>, wc: &WhoCan<'_>, counted: &[&WhoCanResult], cov: &mut Coverage) {
    let mut resolver = estate.resolver();
    let mut deciding = Vec::new();
    for r in counted {
        let Some((resolved, req)) = wc.witness_request(&mut resolver, r) else {
            continue;
        };
        cov.add_resolved(suite, estate, &resolved);
        let ev = evaluate_with(resolved.policies(), &req, EvalOptions::default());
        let mut resp = Response::new(&ev, resolved.policies(), &req, None);
        resolved.relocate(estate, &mut resp);
        suite.inline.relocate(&mut resp);
        deciding.extend(resp.deciding);
    }
    cov.record_items(&deciding);
}

/// How a principal is written in a recorded YAML block list: plain when YAML reads it
/// back as the same string, else quoted.
fn yaml_item(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || ":/._+=,@*-".contains(c))
        && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w));
    if plain {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

/// How `--record` writes an expectation: one line (JSON, a YAML flow mapping), or a
/// YAML block whose members are indented by `indent`.
pub(super) enum Layout<'a> {
    Line,
    Block { indent: &'a str },
}

/// The value of `expect` recording `allowed` as `only` (keeping `allowIf`), written as
/// `layout` asks (after `expect:`).
pub(super) fn expect_text(allowed: &[String], rule: AllowIfRule, layout: &Layout<'_>) -> String {
    let quoted: Vec<String> = allowed
        .iter()
        .map(|p| serde_json::Value::String(p.clone()).to_string())
        .collect();
    match layout {
        Layout::Line => {
            let ignore = if rule == AllowIfRule::Ignore {
                r#", "allowIf": "ignore""#
            } else {
                ""
            };
            format!(r#"{{"only": [{}]{ignore}}}"#, quoted.join(", "))
        }
        Layout::Block { indent } => {
            let mut out = String::new();
            if allowed.is_empty() {
                out.push_str(&format!("\n{indent}only: []"));
            } else {
                out.push_str(&format!("\n{indent}only:"));
                for p in allowed {
                    out.push_str(&format!("\n{indent}  - {}", yaml_item(p)));
                }
            }
            if rule == AllowIfRule::Ignore {
                out.push_str(&format!("\n{indent}allowIf: ignore"));
            }
            out
        }
    }
}

impl WhoCanTest {
    /// What the service catalog does not know in the question — its actions, its
    /// context's keys and values — as [`crate::check_request`] checks a request, each
    /// message once: a typo in an action would make `excludes` pass for the wrong
    /// reason.
    pub fn catalog_warnings(&self) -> Vec<crate::CatalogWarning> {
        let mut out: Vec<crate::CatalogWarning> = Vec::new();
        for a in &self.query.actions {
            let Ok(principal) = crate::Principal::parse("arn:aws:iam::000000000000:root") else {
                continue;
            };
            let req = crate::Request::builder()
                .principal(principal)
                .action(a.clone())
                .resource(self.query.resource.clone())
                .context(self.query.context.clone())
                .build();
            for w in req.iter().flat_map(crate::check_request) {
                if !out.iter().any(|x| x.message == w.message) {
                    out.push(w);
                }
            }
        }
        out
    }
}
