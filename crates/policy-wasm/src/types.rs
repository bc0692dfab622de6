//! The JavaScript-facing types. Every one derives [`Tsify`], so `wasm-bindgen` writes
//! its TypeScript definition into `policy_wasm.d.ts`.
//!
//! The response types ([`EvalResponse`] and its parts) mirror `policy_core::Response` field
//! for field: the functions hand JavaScript the core's own serialisation (exactly what
//! `policy-sim eval --format json` prints), and the tests check that every response of
//! the case corpus reads back into these types and serialises to the same JSON.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// A policy type, as `lint` and the playground name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum PolicyTypeName {
    /// An identity-based policy (user, group or role).
    Identity,
    /// A resource-based policy (bucket, key, trust policy…).
    Resource,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A VPC endpoint policy.
    Endpoint,
}

impl PolicyTypeName {
    /// Every type, in the order the playground lists them.
    pub const ALL: [PolicyTypeName; 7] = [
        PolicyTypeName::Identity,
        PolicyTypeName::Resource,
        PolicyTypeName::Boundary,
        PolicyTypeName::Session,
        PolicyTypeName::Scp,
        PolicyTypeName::Rcp,
        PolicyTypeName::Endpoint,
    ];

    /// The core's policy type.
    pub fn core(self) -> policy_core::PolicyType {
        use policy_core::PolicyType as T;
        match self {
            PolicyTypeName::Identity => T::Identity,
            PolicyTypeName::Resource => T::Resource,
            PolicyTypeName::Boundary => T::PermissionsBoundary,
            PolicyTypeName::Session => T::Session,
            PolicyTypeName::Scp => T::Scp,
            PolicyTypeName::Rcp => T::Rcp,
            PolicyTypeName::Endpoint => T::VpcEndpoint,
        }
    }

    /// The name as written (`identity`, `boundary`…).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyTypeName::Identity => "identity",
            PolicyTypeName::Resource => "resource",
            PolicyTypeName::Boundary => "boundary",
            PolicyTypeName::Session => "session",
            PolicyTypeName::Scp => "scp",
            PolicyTypeName::Rcp => "rcp",
            PolicyTypeName::Endpoint => "endpoint",
        }
    }

    /// Reads a type name (`identity|resource|boundary|session|scp|rcp|endpoint`; the
    /// request document's member names `permissionsBoundary` and `vpcEndpoint` too).
    pub fn parse(name: &str) -> Option<PolicyTypeName> {
        Some(match name {
            "identity" => PolicyTypeName::Identity,
            "resource" => PolicyTypeName::Resource,
            "boundary" | "permissionsBoundary" => PolicyTypeName::Boundary,
            "session" => PolicyTypeName::Session,
            "scp" => PolicyTypeName::Scp,
            "rcp" => PolicyTypeName::Rcp,
            "endpoint" | "vpcEndpoint" => PolicyTypeName::Endpoint,
            _ => return None,
        })
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    /// The policy is rejected.
    Error,
    /// The policy is used, but part of it is suspect or indeterminate.
    Warning,
}

/// One problem in a text, located for editors: 1-based line and column (in Unicode
/// scalar values) of both ends, byte offsets and UTF-16 offsets (what JavaScript
/// strings, CodeMirror and Monaco count in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub severity: SeverityName,
    /// A stable code: `json-syntax`, `missing-effect`, `unknown-operator`…
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
    /// JSON path of the offending element (`Statement[2].Condition`); empty for the root.
    pub path: String,
    /// A suggested fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub help: Option<String>,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column of the end (exclusive).
    pub end_column: u32,
    /// Byte offset of the start (UTF-8).
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// UTF-16 offset of the start.
    pub utf16_start: u32,
    /// UTF-16 offset of the end.
    pub utf16_end: u32,
}

/// Where a statement is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StatementInfo {
    /// 0-based index in `Statement` (a single-object `Statement` is 0).
    pub index: u32,
    /// Its `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub sid: Option<String>,
    /// 1-based line of the statement's start.
    pub line: u32,
    /// 1-based column of the statement's start.
    pub column: u32,
    /// UTF-16 offset of the statement's start.
    pub utf16_start: u32,
    /// UTF-16 offset of the statement's end.
    pub utf16_end: u32,
}

/// Bad input: what and, for a request document, where. Every function returns
/// `{ error: ApiError }` instead of throwing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// What is wrong.
    pub message: String,
    /// The source's name (the request document's `name` option).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub file: Option<String>,
    /// 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub column: Option<u32>,
    /// JSON path of the offending member (`policies.identity[1].Statement[0].Effect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub path: Option<String>,
    /// For an invalid inline policy: all its diagnostics, located in the request text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub diagnostics: Vec<Diagnostic>,
}

/// The error value every function returns for bad input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub struct ErrorResult {
    /// What went wrong.
    pub error: ApiError,
}

/// Options of `evaluate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvaluateOptions {
    /// `aws:CurrentTime` and `aws:EpochTime`: `true` (the default, as `policy-sim eval`)
    /// fills them from the browser's clock, `false` leaves them out (as `--no-clock`), a
    /// number fills them from that time in seconds since the epoch. Keys the request's
    /// `context` gives win.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub clock: Option<Clock>,
    /// The request document's name: the `file` of inline policies' statements in the
    /// response, and of errors (default `request.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub name: Option<String>,
}

/// `clock`: on, off, or a fixed time in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum Clock {
    /// On (the browser's clock) or off.
    On(bool),
    /// Seconds since the epoch.
    At(f64),
}

/// The result of `lint`: the parser's diagnostics for one policy type (errors and
/// warnings, as the evaluator sees them), and the findings of policy-core's linter
/// (`policy-sim lint`: Access-Analyzer-style checks with four severities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct LintResult {
    /// The type the text was checked as.
    #[serde(rename = "type")]
    pub ty: PolicyTypeName,
    /// No errors (warnings allowed): the policy can be evaluated.
    pub valid: bool,
    /// Errors first, in document order, then warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The linter's findings, in document order (the same as `policy-sim lint --format
    /// json` gives for the text).
    pub findings: Vec<LintFinding>,
}

/// A finding's severity, as `policy-sim lint` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum LintSeverityName {
    /// AWS rejects the policy, or part of it can never work.
    Error,
    /// The policy grants access that is likely too wide.
    SecurityWarning,
    /// The policy works, but probably not as meant.
    Warning,
    /// A simplification with the same effect.
    Suggestion,
}

/// One finding of the linter, located for editors like [`Diagnostic`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct LintFinding {
    /// A stable code (`pass-role-with-star-in-resource`).
    pub code: String,
    /// The severity.
    pub severity: LintSeverityName,
    /// What is wrong.
    pub message: String,
    /// The fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub help: Option<String>,
    /// JSON path (`Statement[2].Condition`); empty for the root.
    pub path: String,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column of the end (exclusive).
    pub end_column: u32,
    /// Byte offset of the start (UTF-8).
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// UTF-16 offset of the start.
    pub utf16_start: u32,
    /// UTF-16 offset of the end.
    pub utf16_end: u32,
}

/// The result of `parse`: the policy's shape, checked against no particular type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ParseResult {
    /// The text is a valid policy of at least one type.
    pub valid: bool,
    /// The policy types it is valid as (`identity` and `scp` for a policy without
    /// `Principal`, `resource` for a bucket policy…).
    pub types: Vec<PolicyTypeName>,
    /// The diagnostics every policy type reports (JSON syntax, a missing `Effect`…);
    /// `lint` gives those of one type.
    pub diagnostics: Vec<Diagnostic>,
    /// `Version` (`2012-10-17`, `2008-10-17`) when the text is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub version: Option<String>,
    /// `Id`, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub id: Option<String>,
    /// The statements, when the text is valid.
    pub statements: Vec<StatementInfo>,
}

// ---------------------------------------------------------------------------------
// The response: policy_core::Response, field for field.

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// A matching `Deny`.
    ExplicitDeny,
    /// No explicit deny, but a required allow is missing.
    ImplicitDeny,
}

/// One policy type's own verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum Verdict {
    /// The policy allows (and does not deny).
    Allow,
    /// The policy explicitly denies.
    ExplicitDeny,
    /// The policy has no applicable allow.
    ImplicitDeny,
    /// An RCP level with no matching deny.
    NoDeny,
    /// The policy type does not apply to this request.
    NotApplicable,
}

/// A statement (or grant) that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecidingItem {
    /// `identity[0].Statement[2]`, `kmsGrants[0]`, `acl.grants[1]`.
    pub label: String,
    /// `Allow` or `Deny` (statements only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "\"Allow\" | \"Deny\"")]
    pub effect: Option<String>,
    /// The statement's `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub sid: Option<String>,
    /// The source holding the statement (the request document's name for inline
    /// policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub file: Option<String>,
    /// 1-based line of the statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line: Option<u32>,
    /// 1-based column of the statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub column: Option<u32>,
    /// The statement's JSON path in its file, for policies that are part of a larger
    /// file (an estate snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub path: Option<String>,
    /// For a deciding `Deny`: how each of its conditions held, with the request's values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub conditions: Vec<String>,
}

/// A statement the engine could not decide (S-COND-8), resolved fail-closed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndeterminateItem {
    /// `identity[0].Statement[2]`.
    pub label: String,
    /// `Allow` or `Deny`.
    #[tsify(type = "\"Allow\" | \"Deny\"")]
    pub effect: String,
    /// Why it could not be decided.
    pub why: String,
}

/// A step of the reasoning, citing its rule in docs/SEMANTICS.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The rule id (`S-EVAL-6`).
    pub rule: String,
    /// What happened.
    pub message: String,
}

/// One policy type's (or SCP/RCP level's) verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyVerdict {
    /// `identity`, `resource`, `permissionsBoundary`, `session`, `scp[0]`, `rcp[1]`,
    /// `vpcEndpoint[0]`.
    pub policy: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// Why it does not apply, when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub detail: Option<String>,
}

/// A statement whose action matched but which did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NearMiss {
    /// `identity[0].Statement[2]`.
    pub label: String,
    /// `Allow` or `Deny`.
    #[tsify(type = "\"Allow\" | \"Deny\"")]
    pub effect: String,
    /// The statement's `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub sid: Option<String>,
    /// `file:line:column` of the part that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub location: Option<String>,
    /// What did not match.
    pub why: String,
}

/// The answer to one request: what `policy-sim eval --format json` prints
/// (`policy_core::Response`; named so not to shadow the DOM's `Response`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvalResponse {
    /// The request's `id`, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub id: Option<serde_json::Value>,
    /// The decision.
    pub decision: Decision,
    /// The deciding statements: every matching `Deny` for `ExplicitDeny`, every
    /// matching `Allow` of the applicable policies for `Allow`, none for `ImplicitDeny`.
    pub deciding: Vec<DecidingItem>,
    /// The reasoning, each step with its rule id.
    pub reasons: Vec<Reason>,
    /// What the service refuses whatever the policies say (the decision is the
    /// policies' answer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub service_constraints: Vec<Reason>,
    /// Each policy type's own verdict.
    pub policies: Vec<PolicyVerdict>,
    /// Condition keys the policies asked for that the request lacked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub missing_context_keys: Vec<String>,
    /// Statements the engine could not decide, resolved fail-closed, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub indeterminate: Vec<IndeterminateItem>,
    /// Context keys derived from the principal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub derived_context_keys: Vec<String>,
    /// What the engine assumed because the request did not say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub assumptions: Vec<String>,
    /// Statements whose action matched but which did not apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub near_misses: Vec<NearMiss>,
}

// ---------------------------------------------------------------------------------
// The playground's call: a request and policies in separate editors.

/// One policy editor of the playground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PanelInput {
    /// The editor's id: the `file` its statements carry in the response.
    pub id: String,
    /// The policy's type.
    #[serde(rename = "type")]
    pub ty: PolicyTypeName,
    /// For `scp` and `rcp`: the organization level, 0 = root.
    #[serde(default)]
    #[tsify(optional)]
    pub level: u32,
    /// The policy text; blank = no policy. A `Workspace` takes an absent text as
    /// unchanged since its last call (and re-parses only the texts it is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub text: Option<String>,
}

/// Input of `evaluateWorkspace` and `Workspace.evaluate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkspaceInput {
    /// A request document without `policies`: `principal`, `action`, `resource`,
    /// `context` and the other members of the README's request document. A
    /// `Workspace` takes an absent request as unchanged since its last call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub request: Option<String>,
    /// The policies, each in its own editor.
    pub policies: Vec<PanelInput>,
    /// As `EvaluateOptions.clock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub clock: Option<Clock>,
}

/// A deciding statement inside one editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Mark {
    /// The response's label (`identity[0].Statement[1]`).
    pub label: String,
    /// `Allow` or `Deny`.
    #[tsify(type = "\"Allow\" | \"Deny\"")]
    pub effect: String,
    /// The statement.
    pub statement: StatementInfo,
}

/// A near miss inside one editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MissMark {
    /// The response's label.
    pub label: String,
    /// What did not match.
    pub why: String,
    /// 1-based line of the failing part.
    pub line: u32,
    /// 1-based column of the failing part.
    pub column: u32,
    /// UTF-16 offset of the failing part.
    pub utf16_start: u32,
}

/// One editor's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PanelResult {
    /// The editor's id.
    pub id: String,
    /// The slot in the policy set (`identity[0]`, `scp[1][0]`), when the editor holds a
    /// valid policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub slot: Option<String>,
    /// The `policy` of its verdict in `response.policies` (`identity`, `scp[1]`).
    pub verdict_label: String,
    /// Lint diagnostics: errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The deciding statements in this editor.
    pub deciding: Vec<Mark>,
    /// The near misses in this editor.
    pub near_misses: Vec<MissMark>,
}

/// Output of `evaluateWorkspace` and `Workspace.evaluate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceResult {
    /// The response, when the request and every policy are valid: exactly the core's
    /// serialisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "EvalResponse")]
    pub response: Option<serde_json::Value>,
    /// Why there is no response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub error: Option<String>,
    /// Diagnostics of the request editor.
    pub request_diagnostics: Vec<Diagnostic>,
    /// One result per policy editor, in input order.
    pub panels: Vec<PanelResult>,
}
