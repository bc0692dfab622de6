//! The response: decision, deciding statements with their locations, per-policy-type
//! verdicts, the reasoning with rule ids, and the context keys the policies asked for
//! that the request lacked. One serialisable shape feeds the CLI's JSON output, batch
//! mode, the wasm API and the snapshots.

use std::borrow::Cow;

use serde::Serialize;

use crate::condition::Condition;
use crate::eval::{
    Decider, Decision, Evaluation, Miss, PolicySet, PolicySlot, Reason, TypeVerdict, Verdict, VerdictLabel, Verdicts,
};
use crate::request::Request;
use crate::span::Location;

/// How much a [`Response`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Everything: statement locations, derived context keys.
    #[default]
    Full,
    /// Decision, deciding statements (label, effect, Sid), reasons, per-type verdicts,
    /// missing keys, indeterminate statements and assumptions.
    Brief,
    /// The decision alone (and the request's `id`): for sweeps that want no
    /// explanation. Its JSON is [`Response::decision_only`]'s.
    Decision,
}

/// The JSON of a response at [`Detail::Decision`]: `{"id"?, "decision"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DecisionOnly<'a> {
    /// The request's `id`, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a serde_json::Value>,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: Decision,
}

/// A statement (or grant) that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecidingItem {
    /// `identity[0].Statement[2]`, `kmsGrants[0]`, `acl.grants[1]`.
    pub label: String,
    /// `Allow` or `Deny` (statements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<&'static str>,
    /// The statement's `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The file (or request label) holding the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column of the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The statement's JSON path in its file (`RoleDetailList[3].RolePolicyList[0].PolicyDocument.Statement[2]`),
    /// for policies that are part of a larger file (an estate snapshot, see
    /// [`crate::Policy::with_pointer`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For a `Deny` statement (with [`Detail::Full`]): how each of its conditions held,
    /// with the request's values (`condition `Bool` on `aws:SecureTransport` holds:
    /// request has `false`, policy wants `false``).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// A statement the engine could not decide (S-COND-8), resolved fail-closed: a `Deny`
/// applies, an `Allow` does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndeterminateItem {
    /// `identity[0].Statement[2]`.
    pub label: String,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    /// Why it could not be decided: an unknown operator, a multi-valued key without a
    /// set qualifier, a principal that cannot be resolved, a malformed action entry.
    pub why: String,
}

/// One policy type's (or SCP/RCP level's) own verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVerdict {
    /// `identity`, `resource`, `permissionsBoundary`, `session`, `scp[0]`, `rcp[1]`,
    /// `vpcEndpoint[0]`.
    pub policy: Cow<'static, str>,
    /// Its verdict.
    pub verdict: Verdict,
    /// Why it does not apply, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A statement whose action matched but which did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    /// `identity[0].Statement[2]`.
    pub label: String,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    /// The statement's `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Where the failing part is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What did not match, in words.
    pub why: String,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The request's `id`, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: Decision,
    /// The deciding statements: every matching `Deny` for `ExplicitDeny`; every matching
    /// `Allow` of the applicable policies (and grants) for `Allow`; none for
    /// `ImplicitDeny`.
    pub deciding: Vec<DecidingItem>,
    /// The reasoning, each step with its rule id.
    pub reasons: Vec<Reason>,
    /// What the service refuses whatever the policies say (writes to AWS managed
    /// policies, to reserved roles, KMS aliases under `alias/aws/`): the decision is the
    /// policies' answer, and this says the call would fail all the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_constraints: Vec<Reason>,
    /// Each policy type's own verdict.
    pub policies: Vec<PolicyVerdict>,
    /// Condition keys the policies asked for that the request context lacked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_context_keys: Vec<String>,
    /// Statements the engine could not decide (S-COND-8), resolved fail-closed, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indeterminate: Vec<IndeterminateItem>,
    /// Context keys derived from the principal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived_context_keys: Vec<String>,
    /// What the engine assumed because the request did not say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// With near misses on: statements whose action matched but which did not apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<NearMiss>,
}

fn effect_word(e: crate::policy::Effect) -> &'static str {
    match e {
        crate::policy::Effect::Allow => "Allow",
        crate::policy::Effect::Deny => "Deny",
    }
}

fn statement_label(slot: PolicySlot, i: usize) -> String {
    let mut s = String::with_capacity(32);
    slot.push_label(&mut s);
    s.push_str(".Statement[");
    crate::eval::push_num(&mut s, i);
    s.push(']');
    s
}

fn loc_string(file: &str, l: &Location) -> String {
    format!("{file}:{}:{}", l.line, l.column)
}

impl Response {
    /// Builds the response for `ev`, which `policies` and `req` produced.
    pub fn new(ev: &Evaluation<'_>, policies: &PolicySet, req: &Request, id: Option<serde_json::Value>) -> Response {
        Response::with_detail(ev, policies, req, id, Detail::Full)
    }

    /// The response at [`Detail::Decision`]: its `id` and decision, nothing else.
    pub fn decision_only(&self) -> DecisionOnly<'_> {
        DecisionOnly {
            id: self.id.as_ref(),
            decision: self.decision,
        }
    }

    /// Builds the response with the given level of detail: [`Detail::Brief`] leaves out
    /// statement locations and derived context keys (batch mode's default);
    /// [`Detail::Decision`] builds the brief response, whose JSON at that level is
    /// [`Response::decision_only`]'s.
    pub fn with_detail(
        ev: &Evaluation<'_>,
        policies: &PolicySet,
        req: &Request,
        id: Option<serde_json::Value>,
        detail: Detail,
    ) -> Response {
        let full = detail == Detail::Full;
        let deciding = ev
            .deciding
            .iter()
            .map(|&d| {
                let v = DecidingView::new(d, policies, full);
                let mut label = String::with_capacity(32);
                v.push_label(&mut label);
                DecidingItem {
                    label,
                    effect: v.effect,
                    sid: v.sid.map(str::to_string),
                    file: v.file.map(str::to_string),
                    line: v.loc.as_ref().map(|l| l.line),
                    column: v.loc.as_ref().map(|l| l.column),
                    path: v.pointer.map(|p| {
                        let mut s = String::with_capacity(p.len() + 16);
                        v.push_path(p, &mut s);
                        s
                    }),
                    conditions: v.conditions(req),
                }
            })
            .collect();
        let near_misses = near_misses(ev, policies, req);
        Response {
            id,
            decision: ev.decision,
            deciding,
            reasons: ev.reasons.to_vec(),
            service_constraints: ev.service_constraints.to_vec(),
            policies: ev
                .verdicts
                .iter()
                .map(|v| PolicyVerdict {
                    policy: v.label.text(),
                    verdict: v.verdict,
                    detail: v.detail.map(str::to_string),
                })
                .collect(),
            missing_context_keys: ev.missing.iter().map(|m| m.key.to_string()).collect(),
            indeterminate: indeterminate_items(ev, policies, req),
            derived_context_keys: if full {
                req.derived_keys().iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            },
            assumptions: req.assumptions(),
            near_misses,
        }
    }
}

/// The statements of `ev` the engine could not decide, with why.
fn indeterminate_items(ev: &Evaluation<'_>, policies: &PolicySet, req: &Request) -> Vec<IndeterminateItem> {
    ev.indeterminate
        .iter()
        .filter_map(|&(slot, i)| {
            let stmt = policies.get(slot)?.statements.get(i)?;
            Some(IndeterminateItem {
                label: statement_label(slot, i),
                effect: effect_word(stmt.effect),
                why: crate::eval::indeterminate_why(stmt, req),
            })
        })
        .collect()
}

/// How `c` held for the request, for a deciding `Deny`.
fn condition_held(c: &Condition, req: &Request) -> String {
    if let Some(why) = c.indeterminate_why(req.context()) {
        return format!("condition `{}` on `{}` is indeterminate: {why}", c.operator, c.key);
    }
    let want = c.raw_values.join("`, `");
    match req.context().get(&c.key_lc) {
        None => format!(
            "condition `{}` on `{}` holds: the request lacks the key (policy values `{want}`)",
            c.operator, c.key
        ),
        Some(vals) => format!(
            "condition `{}` on `{}` holds: request has `{}`, policy wants `{want}`",
            c.operator,
            c.key,
            vals.join("`, `")
        ),
    }
}

/// The near misses of `ev` (empty unless evaluated with near misses on).
fn near_misses(ev: &Evaluation<'_>, policies: &PolicySet, req: &Request) -> Vec<NearMiss> {
    ev.misses
        .iter()
        .filter_map(|&(slot, i, miss)| {
            let pol = policies.get(slot)?;
            let stmt = pol.statements.get(i)?;
            let (why, span) = match miss {
                Miss::Resource => (
                    format!(
                        "resource `{}` is not matched by its `Resource`/`NotResource`",
                        req.resource()
                    ),
                    stmt.span,
                ),
                Miss::Principal => (
                    format!(
                        "principal `{}` is not matched by its `Principal`/`NotPrincipal`",
                        req.principal().id()
                    ),
                    stmt.span,
                ),
                Miss::Condition(c) => {
                    let cond = stmt.conditions.get(c)?;
                    (condition_why(cond, req), cond.span)
                }
            };
            Some(NearMiss {
                label: statement_label(slot, i),
                effect: effect_word(stmt.effect),
                sid: stmt.sid.clone(),
                location: Some(loc_string(pol.source.name(), &pol.source.locate(span))),
                why,
            })
        })
        .collect()
}

fn condition_why(c: &Condition, req: &Request) -> String {
    let want = c.raw_values.join("`, `");
    match req.context().get(&c.key_lc) {
        None => format!(
            "condition `{}` on `{}` needs the key, which the request lacks (wants `{want}`)",
            c.operator, c.key
        ),
        Some(vals) => format!(
            "condition `{}` on `{}` does not hold: request has `{}`, policy wants `{want}`",
            c.operator,
            c.key,
            vals.join("`, `")
        ),
    }
}

/// What a [`DecidingItem`] says, borrowed from the policies: shared by
/// [`Response::with_detail`] and [`write_response_json`].
struct DecidingView<'a> {
    decider: Decider,
    effect: Option<&'static str>,
    sid: Option<&'a str>,
    file: Option<&'a str>,
    loc: Option<Location>,
    /// The policy's JSON path in its file ([`crate::Policy::with_pointer`]).
    pointer: Option<&'a str>,
    /// A deciding `Deny` statement with conditions (with [`Detail::Full`]).
    deny_conditions: &'a [Condition],
}

impl<'a> DecidingView<'a> {
    fn new(d: Decider, policies: &'a PolicySet, full: bool) -> DecidingView<'a> {
        match d {
            Decider::Statement(slot, i) => {
                let pol = policies.get(slot);
                let stmt = pol.and_then(|p| p.statements.get(i));
                DecidingView {
                    decider: d,
                    effect: stmt.map(|s| effect_word(s.effect)),
                    sid: stmt.and_then(|s| s.sid.as_deref()),
                    file: pol.filter(|_| full).map(|p| p.source.name()),
                    loc: pol.filter(|_| full).and_then(|p| p.statement_location(i)),
                    pointer: pol.filter(|_| full).and_then(|p| p.pointer()),
                    deny_conditions: stmt
                        .filter(|s| full && s.effect == crate::policy::Effect::Deny)
                        .map_or(&[][..], |s| s.conditions.as_slice()),
                }
            }
            Decider::KmsGrant(_) | Decider::AclGrant(_) => DecidingView {
                decider: d,
                effect: None,
                sid: None,
                file: None,
                loc: None,
                pointer: None,
                deny_conditions: &[],
            },
        }
    }

    /// How each condition of a deciding `Deny` held.
    fn conditions(&self, req: &Request) -> Vec<String> {
        self.deny_conditions.iter().map(|c| condition_held(c, req)).collect()
    }

    /// Appends `pointer.Statement[i]` (statements only).
    fn push_path(&self, pointer: &str, out: &mut impl crate::json_out::TextOut) {
        if let Decider::Statement(_, i) = self.decider {
            out.put(pointer);
            out.put(".Statement[");
            crate::eval::push_num(out, i);
            out.put("]");
        }
    }

    fn push_label(&self, out: &mut impl crate::json_out::TextOut) {
        match self.decider {
            Decider::Statement(slot, i) => {
                slot.push_label(out);
                out.put(".Statement[");
                crate::eval::push_num(out, i);
                out.put("]");
            }
            Decider::KmsGrant(i) => {
                out.put("kmsGrants[");
                crate::eval::push_num(out, i);
                out.put("]");
            }
            Decider::AclGrant(i) => {
                out.put("acl.grants[");
                crate::eval::push_num(out, i);
                out.put("]");
            }
        }
    }
}

/// The answer's `decision` member and what follows it as fixed text: the end of the
/// answer (`alone`, [`Detail::Decision`]) or the start of its `deciding` list.
fn decision_json(d: Decision, alone: bool) -> &'static [u8] {
    match (d, alone) {
        (Decision::Allow, true) => b"\"decision\":\"Allow\"}",
        (Decision::ExplicitDeny, true) => b"\"decision\":\"ExplicitDeny\"}",
        (Decision::ImplicitDeny, true) => b"\"decision\":\"ImplicitDeny\"}",
        (Decision::Allow, false) => b"\"decision\":\"Allow\",\"deciding\":[",
        (Decision::ExplicitDeny, false) => b"\"decision\":\"ExplicitDeny\",\"deciding\":[",
        (Decision::ImplicitDeny, false) => b"\"decision\":\"ImplicitDeny\",\"deciding\":[",
    }
}

/// `","verdict":"…"`: the end of a verdict's `policy` member and its `verdict` member,
/// as [`write_response_json`] writes them.
fn verdict_member(v: Verdict) -> &'static [u8] {
    match v {
        Verdict::Allow => b"\",\"verdict\":\"Allow\"",
        Verdict::ExplicitDeny => b"\",\"verdict\":\"ExplicitDeny\"",
        Verdict::ImplicitDeny => b"\",\"verdict\":\"ImplicitDeny\"",
        Verdict::NoDeny => b"\",\"verdict\":\"NoDeny\"",
        Verdict::NotApplicable => b"\",\"verdict\":\"NotApplicable\"",
    }
}

/// `{"policy":"…","verdict":"…"` for `label`, for each verdict in [`verdict_place`]
/// order: the start of a verdict's JSON.
macro_rules! verdict_json {
    ($label:literal) => {
        [
            concat!("{\"policy\":\"", $label, "\",\"verdict\":\"Allow\""),
            concat!("{\"policy\":\"", $label, "\",\"verdict\":\"ExplicitDeny\""),
            concat!("{\"policy\":\"", $label, "\",\"verdict\":\"ImplicitDeny\""),
            concat!("{\"policy\":\"", $label, "\",\"verdict\":\"NoDeny\""),
            concat!("{\"policy\":\"", $label, "\",\"verdict\":\"NotApplicable\""),
        ]
    };
}

/// The start of each verdict's JSON for the labels whose verdicts are static text, in
/// [`static_label`] order.
const VERDICT_JSON: [[&str; 5]; 12] = [
    verdict_json!("identity"),
    verdict_json!("resource"),
    verdict_json!("permissionsBoundary"),
    verdict_json!("session"),
    verdict_json!("scp[0]"),
    verdict_json!("scp[1]"),
    verdict_json!("scp[2]"),
    verdict_json!("scp[3]"),
    verdict_json!("rcp[0]"),
    verdict_json!("rcp[1]"),
    verdict_json!("rcp[2]"),
    verdict_json!("rcp[3]"),
];

/// The place of `label` among the labels whose verdicts' JSON is static text
/// ([`VERDICT_JSON`]): the policy types and the first four SCP and RCP levels; `None`
/// past them.
fn static_label(label: VerdictLabel) -> Option<usize> {
    Some(match label {
        VerdictLabel::Identity => 0,
        VerdictLabel::Resource => 1,
        VerdictLabel::PermissionsBoundary => 2,
        VerdictLabel::Session => 3,
        VerdictLabel::Scp(l @ 0..=3) => 4 + l,
        VerdictLabel::Rcp(l @ 0..=3) => 8 + l,
        VerdictLabel::Scp(_) | VerdictLabel::Rcp(_) | VerdictLabel::VpcEndpoint(_) => return None,
    })
}

/// The place of `v` in each row of [`VERDICT_JSON`].
fn verdict_place(v: Verdict) -> usize {
    match v {
        Verdict::Allow => 0,
        Verdict::ExplicitDeny => 1,
        Verdict::ImplicitDeny => 2,
        Verdict::NoDeny => 3,
        Verdict::NotApplicable => 4,
    }
}

/// The start of a verdict's JSON, `{"policy":"scp[1]","verdict":"Allow"`, as static
/// text for the labels [`static_label`] places (`None` past them).
fn verdict_json(label: VerdictLabel, v: Verdict) -> Option<&'static str> {
    VERDICT_JSON.get(static_label(label)?)?.get(verdict_place(v)).copied()
}

/// Writes the JSON of `Response::with_detail(ev, policies, req, id, detail)` to `out`,
/// byte for byte what `serde_json` writes for that response (for [`Detail::Decision`],
/// for its [`Response::decision_only`]), without building it: batch mode's per-line
/// path. `out` is appended to, never cleared.
pub fn write_response_json(
    ev: &Evaluation<'_>,
    policies: &PolicySet,
    req: &Request,
    id: Option<&serde_json::Value>,
    detail: Detail,
    out: &mut Vec<u8>,
) {
    ResponseWriter::default().write(ev, policies, req, id, detail, out);
}

/// How many verdict lists a [`ResponseWriter`] keeps the JSON of (a power of two).
const VERDICT_MEMO: usize = 32;

/// Writes responses as [`write_response_json`] does, byte for byte, for many requests
/// one after another (batch mode: one per worker). It keeps the JSON text of the
/// `"policies"` lists it wrote lately, up to 32, each in the place its key hashes to (a
/// list written later in the same place replaces it): the requests against one policy
/// set share a handful of verdict combinations, and a list seen before is copied as one
/// piece instead of written verdict by verdict (about 100 instructions fewer per answer
/// with six verdicts, `scripts/bench-icount.sh batch`, realistic), found by one
/// comparison instead of a scan of the lists kept (about 45 fewer).
#[derive(Debug, Default)]
pub struct ResponseWriter {
    /// `(key, JSON text)` of verdict lists written lately ([`Verdicts::key`]), each at
    /// [`memo_place`] of its key; empty until the first list is kept.
    verdicts: Vec<(u64, Box<[u8]>)>,
}

/// Where a verdict list of key `key` is kept among [`VERDICT_MEMO`] places: the top
/// bits of a multiplicative hash (the key's low bits are its last verdict's code alone).
fn memo_place(key: u64) -> usize {
    // Five bits: below VERDICT_MEMO, a lossless cast.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - VERDICT_MEMO.trailing_zeros())) as usize
}

/// The code of a verdict whose JSON is static text ([`verdict_json`]) and that has no
/// detail: 1 to 60 (the label's place among the twelve such labels, and the verdict);
/// `None` for any other.
pub(crate) fn verdict_code(v: &TypeVerdict) -> Option<u64> {
    if v.detail.is_some() {
        return None;
    }
    // At most 11 * 5 + 4 + 1: a lossless cast.
    Some((static_label(v.label)? * 5 + verdict_place(v.verdict) + 1) as u64)
}

/// Writes `verdicts` as the items of the `"policies"` list (without its brackets).
fn write_verdicts(verdicts: &[TypeVerdict], out: &mut Vec<u8>) {
    use crate::json_out::push_str_member;
    for (n, v) in verdicts.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match verdict_json(v.label, v.verdict) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                out.extend_from_slice(b"{\"policy\":\"");
                v.label.push(out);
                out.extend_from_slice(verdict_member(v.verdict));
            }
        }
        if let Some(d) = v.detail {
            push_str_member(out, "detail", d);
        }
        out.push(b'}');
    }
}

impl ResponseWriter {
    /// Appends the response to `ev` to `out`, as [`write_response_json`] does.
    pub fn write(
        &mut self,
        ev: &Evaluation<'_>,
        policies: &PolicySet,
        req: &Request,
        id: Option<&serde_json::Value>,
        detail: Detail,
        out: &mut Vec<u8>,
    ) {
        use crate::json_out::{push_escaped, push_num, push_str_member};
        let full = detail == Detail::Full;
        out.push(b'{');
        if let Some(id) = id {
            out.extend_from_slice(b"\"id\":");
            // Writing a `Value` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut *out, id);
            out.push(b',');
        }
        out.extend_from_slice(decision_json(ev.decision, detail == Detail::Decision));
        if detail == Detail::Decision {
            return;
        }
        for (n, &d) in ev.deciding.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            // A statement's label, effect and Sid: text its policy keeps.
            let item = match d {
                Decider::Statement(slot, i) => policies.get(slot).and_then(|p| p.deciding_json(slot, i)),
                Decider::KmsGrant(_) | Decider::AclGrant(_) => None,
            };
            if let (Some(item), false) = (item, full) {
                out.extend_from_slice(item.as_bytes());
                out.push(b'}');
                continue;
            }
            let v = DecidingView::new(d, policies, full);
            if let Some(item) = item {
                out.extend_from_slice(item.as_bytes());
            } else {
                // Labels are built of names, digits and brackets: nothing to escape.
                out.extend_from_slice(b"{\"label\":\"");
                v.push_label(out);
                out.push(b'"');
                if let Some(e) = v.effect {
                    // `Allow` or `Deny`: nothing to escape.
                    out.extend_from_slice(b",\"effect\":\"");
                    out.extend_from_slice(e.as_bytes());
                    out.push(b'"');
                }
                if let Some(s) = v.sid {
                    push_str_member(out, "sid", s);
                }
            }
            if let Some(f) = v.file {
                push_str_member(out, "file", f);
            }
            if let Some(l) = &v.loc {
                out.extend_from_slice(b",\"line\":");
                push_num(out, u64::from(l.line));
                out.extend_from_slice(b",\"column\":");
                push_num(out, u64::from(l.column));
            }
            if let Some(p) = v.pointer {
                let mut path = String::with_capacity(p.len() + 16);
                v.push_path(p, &mut path);
                push_str_member(out, "path", &path);
            }
            if !v.deny_conditions.is_empty() {
                out.extend_from_slice(b",\"conditions\":");
                let _ = serde_json::to_writer(&mut *out, &v.conditions(req));
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"reasons\":[");
        for (n, r) in ev.reasons.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            // A fixed reason's JSON was made (and checked) at compile time.
            if let Some(json) = r.json {
                out.extend_from_slice(json.as_bytes());
                continue;
            }
            // Rule ids (`S-EVAL-1`) need no escaping.
            out.extend_from_slice(b"{\"rule\":\"");
            out.extend_from_slice(r.rule.as_bytes());
            out.push(b'"');
            push_str_member(out, "message", &r.message);
            out.push(b'}');
        }
        out.push(b']');
        if !ev.service_constraints.is_empty() {
            out.extend_from_slice(b",\"serviceConstraints\":");
            let _ = serde_json::to_writer(&mut *out, ev.service_constraints.as_slice());
        }
        out.extend_from_slice(b",\"policies\":[");
        self.verdicts(&ev.verdicts, out);
        out.push(b']');
        // `,"name":[…]` when there are `items`: `head` is `,"name":[`.
        let list = |out: &mut Vec<u8>, head: &[u8], items: &[&str]| {
            let Some((first, rest)) = items.split_first() else {
                return;
            };
            out.extend_from_slice(head);
            push_escaped(out, first);
            for s in rest {
                out.push(b',');
                push_escaped(out, s);
            }
            out.push(b']');
        };
        // Each key's JSON was made when its policy was read (but for keys of policy
        // variables).
        if !ev.missing.is_empty() {
            out.extend_from_slice(b",\"missingContextKeys\":[");
            for (n, m) in ev.missing.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                match m.json {
                    Some(json) => out.extend_from_slice(json.as_bytes()),
                    None => push_escaped(out, m.key),
                }
            }
            out.push(b']');
        }
        if !ev.indeterminate.is_empty() {
            out.extend_from_slice(b",\"indeterminate\":");
            let _ = serde_json::to_writer(&mut *out, &indeterminate_items(ev, policies, req));
        }
        if full {
            list(out, b",\"derivedContextKeys\":[", req.derived_keys());
        }
        let mut first = true;
        req.for_each_assumption(|before, value, after, escaped| {
            out.extend_from_slice(if first { b",\"assumptions\":[\"" } else { b",\"" });
            first = false;
            // The fixed text needs no escaping (a test in `request` checks).
            out.extend_from_slice(before.as_bytes());
            match escaped {
                Some(e) => out.extend_from_slice(e.as_bytes()),
                None => crate::json_out::push_escaped_contents(out, value),
            }
            out.extend_from_slice(after.as_bytes());
            out.push(b'"');
        });
        if !first {
            out.push(b']');
        }
        if !ev.misses.is_empty() {
            let misses = near_misses(ev, policies, req);
            if !misses.is_empty() {
                out.extend_from_slice(b",\"nearMisses\":");
                let _ = serde_json::to_writer(&mut *out, &misses);
            }
        }
        out.push(b'}');
    }

    /// Writes the items of the `"policies"` list, copied whole when a list of the same
    /// verdicts was written lately.
    fn verdicts(&mut self, verdicts: &Verdicts, out: &mut Vec<u8>) {
        let Some(key) = verdicts.key() else {
            write_verdicts(verdicts, out);
            return;
        };
        let place = memo_place(key);
        // (A key is never 0 but for the empty list, whose text is empty too: an empty
        // place, `(0, [])`, holds the right text for it.)
        if let Some((k, text)) = self.verdicts.get(place) {
            if *k == key {
                out.extend_from_slice(text);
                return;
            }
        }
        let start = out.len();
        write_verdicts(verdicts, out);
        if self.verdicts.is_empty() {
            self.verdicts.resize_with(VERDICT_MEMO, Default::default);
        }
        if let Some(slot) = self.verdicts.get_mut(place) {
            *slot = (key, out.get(start..).unwrap_or_default().into());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::sync::Arc;

    use super::*;
    use crate::{evaluate, parse_policy_at, PolicyType, Principal, Source, Span};

    /// [`Verdicts::key`] worked out from the whole list: seven bits per verdict
    /// ([`verdict_code`]), `None` past nine verdicts or for one without a code.
    fn verdicts_key(verdicts: &[TypeVerdict]) -> Option<u64> {
        if verdicts.len() > 9 {
            return None;
        }
        verdicts
            .iter()
            .try_fold(0u64, |key, v| Some((key << 7) | verdict_code(v)?))
    }

    /// A verdict list for [`a_response_writer_writes_what_write_response_json_writes`]:
    /// `(label, verdict, with a detail)` codes.
    fn verdict_list(codes: &[(u8, u8, bool)]) -> Verdicts {
        codes
            .iter()
            .map(|&(l, v, d)| TypeVerdict {
                label: match l % 9 {
                    0 => VerdictLabel::Identity,
                    1 => VerdictLabel::Resource,
                    2 => VerdictLabel::PermissionsBoundary,
                    3 => VerdictLabel::Session,
                    4 | 5 => VerdictLabel::Scp(usize::from(l % 6)),
                    6 | 7 => VerdictLabel::Rcp(usize::from(l % 6)),
                    _ => VerdictLabel::VpcEndpoint(usize::from(l % 2)),
                },
                verdict: [
                    Verdict::Allow,
                    Verdict::ExplicitDeny,
                    Verdict::ImplicitDeny,
                    Verdict::NoDeny,
                    Verdict::NotApplicable,
                ][usize::from(v % 5)],
                detail: d.then_some("a detail"),
            })
            .collect()
    }

    proptest::proptest! {
        /// One writer answering one request after another (its memory of verdict lists
        /// filling, hit and overwritten) writes each answer as a fresh
        /// `write_response_json` does: lists drawn from a small pool so that they repeat,
        /// of up to 11 verdicts (past the nine a key holds), with SCP and RCP levels past
        /// the static texts, VPC endpoint labels and details.
        #[test]
        fn a_response_writer_writes_what_write_response_json_writes(
            pool in proptest::collection::vec(
                proptest::collection::vec((0u8..40, 0u8..5, proptest::bool::weighted(0.1)), 0..12),
                1..14,
            ),
            picks in proptest::collection::vec(0usize..14, 1..60),
        ) {
            let policies = PolicySet::default();
            let req = Request::builder()
                .principal(Principal::parse("arn:aws:iam::111122223333:user/u").unwrap())
                .action("s3:GetObject")
                .resource("arn:aws:s3:::b/k")
                .build()
                .unwrap();
            let mut writer = ResponseWriter::default();
            for p in picks {
                let ev = Evaluation {
                    verdicts: verdict_list(&pool[p % pool.len()]),
                    ..Evaluation::default()
                };
                let (mut fresh, mut kept) = (Vec::new(), Vec::new());
                write_response_json(&ev, &policies, &req, None, Detail::Brief, &mut fresh);
                writer.write(&ev, &policies, &req, None, Detail::Brief, &mut kept);
                proptest::prop_assert_eq!(String::from_utf8(kept).unwrap(), String::from_utf8(fresh).unwrap());
            }
        }
    }

    proptest::proptest! {
        /// A verdict list's key holds each verdict's code, in order (so two lists with
        /// one key are the same list): read back seven bits at a time.
        #[test]
        fn a_verdict_key_holds_the_list(codes in proptest::collection::vec((0u8..40, 0u8..5), 0..10)) {
            let list = verdict_list(&codes.iter().map(|&(l, v)| (l, v, false)).collect::<Vec<_>>());
            // The key kept while the list was pushed is the key of the list.
            proptest::prop_assert_eq!(list.key(), verdicts_key(&list));
            let want: Option<Vec<u64>> = list.iter().map(verdict_code).collect();
            let Some(want) = want else {
                proptest::prop_assert_eq!(verdicts_key(&list), None);
                return Ok(());
            };
            let mut key = verdicts_key(&list).unwrap();
            let mut got = Vec::new();
            while key != 0 {
                got.push(key & 0x7f);
                key >>= 7;
            }
            got.reverse();
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// Two lists of the same verdicts in another order, or one a prefix of the other,
    /// have different keys.
    #[test]
    fn verdict_keys_tell_lists_apart() {
        // (13: scp[1].)
        let a = verdict_list(&[(0, 0, false), (1, 2, false), (13, 0, false)]);
        let b = verdict_list(&[(1, 2, false), (0, 0, false), (13, 0, false)]);
        let c = verdict_list(&[(0, 0, false), (1, 2, false)]);
        let keys = [&a, &b, &c].map(|l| verdicts_key(l).unwrap());
        assert!(keys[0] != keys[1] && keys[0] != keys[2] && keys[1] != keys[2]);
        // A detail, a level past the static texts, or a tenth verdict: no key.
        assert_eq!(verdicts_key(&verdict_list(&[(0, 0, true)])), None);
        assert_eq!(verdicts_key(&verdict_list(&[(5, 0, false)])), None, "scp[5]");
        assert_eq!(verdicts_key(&verdict_list(&[(8, 0, false)])), None, "vpcEndpoint[0]");
        assert_eq!(verdicts_key(&verdict_list(&[(0, 0, false); 10])), None);
    }

    /// The static verdict texts are what the label and verdict write piece by piece.
    #[test]
    fn verdict_json_is_the_pieces() {
        let labels = [
            VerdictLabel::Identity,
            VerdictLabel::Resource,
            VerdictLabel::PermissionsBoundary,
            VerdictLabel::Session,
        ]
        .into_iter()
        .chain((0..6).flat_map(|l| [VerdictLabel::Scp(l), VerdictLabel::Rcp(l), VerdictLabel::VpcEndpoint(l)]));
        let mut fixed = 0;
        for label in labels {
            for v in [
                Verdict::Allow,
                Verdict::ExplicitDeny,
                Verdict::ImplicitDeny,
                Verdict::NoDeny,
                Verdict::NotApplicable,
            ] {
                let mut want = b"{\"policy\":\"".to_vec();
                label.push(&mut want);
                want.extend_from_slice(verdict_member(v));
                if let Some(text) = verdict_json(label, v) {
                    assert_eq!(text.as_bytes(), want.as_slice());
                    fixed += 1;
                }
            }
        }
        assert_eq!(fixed, 12 * 5);
    }

    /// A policy inside a larger file carries its JSON path into the deciding items, in
    /// both the serde and the hand-written JSON.
    #[test]
    fn deciding_items_carry_the_policy_pointer() {
        let text = r#"{"RoleDetailList": [{"RolePolicyList": [{"PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}"#;
        let src = Source::new("gaad.json", text);
        let start = text.find(r#"{"Version""#).unwrap();
        let end = text.len() - "}]}]}".len();
        let policy = parse_policy_at(&src, Span::new(start, end), PolicyType::Identity)
            .unwrap()
            .policy
            .with_pointer("RoleDetailList[0].RolePolicyList[0].PolicyDocument");
        let policies = PolicySet {
            identity: vec![Arc::new(policy)],
            ..PolicySet::default()
        };
        let req = Request::builder()
            .principal(Principal::parse("arn:aws:iam::111122223333:role/r").unwrap())
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .build()
            .unwrap();
        let ev = evaluate(&policies, &req);
        let resp = Response::new(&ev, &policies, &req, None);
        assert_eq!(
            resp.deciding[0].path.as_deref(),
            Some("RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0]")
        );
        assert_eq!(resp.deciding[0].line, Some(1));
        let mut fast = Vec::new();
        write_response_json(&ev, &policies, &req, None, Detail::Full, &mut fast);
        assert_eq!(String::from_utf8(fast).unwrap(), serde_json::to_string(&resp).unwrap());
        // Brief responses leave locations out, the path too.
        let brief = Response::with_detail(&ev, &policies, &req, None, Detail::Brief);
        assert_eq!(brief.deciding[0].path, None);
    }

    /// Both assumptions (an S3 resource's account, a session's role without a path),
    /// their fixed text copied unescaped: written as serde writes them.
    #[test]
    fn assumptions_are_written_as_serde_writes_them() {
        let req = Request::builder()
            .principal(Principal::parse("arn:aws:sts::111122223333:assumed-role/r/s").unwrap())
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .build()
            .unwrap();
        assert_eq!(req.assumptions().len(), 2, "{:?}", req.assumptions());
        let policies = PolicySet::default();
        let ev = evaluate(&policies, &req);
        for detail in [Detail::Brief, Detail::Full] {
            let resp = Response::with_detail(&ev, &policies, &req, None, detail);
            let mut fast = Vec::new();
            write_response_json(&ev, &policies, &req, None, detail, &mut fast);
            assert_eq!(String::from_utf8(fast).unwrap(), serde_json::to_string(&resp).unwrap());
        }
    }

    /// Missing keys written from the JSON made when the policy was read (a condition
    /// key) or escaped per answer (a policy variable's key), and an assumption's role
    /// ARN escaped once per principal: with `"`, `\\` and control characters in them,
    /// written as serde writes them, by a fresh writer and by one that answered before.
    #[test]
    fn keys_and_values_to_escape_are_written_as_serde_writes_them() {
        let src = Source::new(
            "p.json",
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"a\"b\\c\u0001": "v"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"plain:Key": "w"}}},
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/t\"x}"}]}"#,
        );
        let policy = parse_policy_at(&src, Span::new(0, src.text().len()), PolicyType::Identity)
            .unwrap()
            .policy;
        let policies = PolicySet {
            identity: vec![Arc::new(policy)],
            ..PolicySet::default()
        };
        let mut writer = ResponseWriter::default();
        for principal in [
            "arn:aws:sts::111122223333:assumed-role/r/s",
            "arn:aws:sts::111122223333:assumed-role/r\"q\\z\u{7}/s",
        ] {
            let req = Request::builder()
                .principal(Principal::parse(principal).unwrap())
                .action("s3:GetObject")
                .resource("arn:aws:s3:::b/k")
                .build()
                .unwrap();
            let ev = evaluate(&policies, &req);
            assert_eq!(ev.missing.len(), 3, "{:?}", ev.missing);
            assert_eq!(req.assumptions().len(), 2, "{:?}", req.assumptions());
            for detail in [Detail::Brief, Detail::Full] {
                let want = serde_json::to_string(&Response::with_detail(&ev, &policies, &req, None, detail)).unwrap();
                for _ in 0..2 {
                    let mut fast = Vec::new();
                    writer.write(&ev, &policies, &req, None, detail, &mut fast);
                    assert_eq!(String::from_utf8(fast).unwrap(), want);
                }
            }
        }
    }

    /// One policy in more slots than its deciding items are kept for, in two orders:
    /// every slot's items carry that slot's label, cached or not, as serde writes them.
    #[test]
    fn a_policy_in_many_slots_writes_each_slots_label() {
        let src = Source::new(
            "p.json",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A\"b", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
        );
        let shared = Arc::new(
            parse_policy_at(&src, Span::new(0, src.text().len()), PolicyType::Identity)
                .unwrap()
                .policy,
        );
        let req = Request::builder()
            .principal(Principal::parse("arn:aws:iam::111122223333:user/u").unwrap())
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .build()
            .unwrap();
        for n in [6usize, 3, 7] {
            let policies = PolicySet {
                identity: vec![shared.clone(); n],
                session: Some(shared.clone()),
                ..PolicySet::default()
            };
            let ev = evaluate(&policies, &req);
            assert_eq!(ev.deciding.len(), n);
            for detail in [Detail::Brief, Detail::Full] {
                let resp = Response::with_detail(&ev, &policies, &req, None, detail);
                let mut fast = Vec::new();
                write_response_json(&ev, &policies, &req, None, detail, &mut fast);
                let fast = String::from_utf8(fast).unwrap();
                assert_eq!(fast, serde_json::to_string(&resp).unwrap());
                assert!(fast.contains(&format!("identity[{}].Statement[0]", n - 1)), "{fast}");
            }
        }
    }
}
