//! Policy validation in the manner of IAM Access Analyzer's `ValidatePolicy`: every
//! problem of a document as a [`Finding`] with a stable code, a severity (`Error`,
//! `SecurityWarning`, `Warning`, `Suggestion`), a message, the fix, and a precise
//! location (byte span, 1-based line and column, JSON path such as
//! `Statement[2].Condition`).
//!
//! - [`lint`] checks a whole text; [`lint_at`] a policy inside a larger text (a request
//!   document, a CloudFormation template), spans staying relative to the whole text.
//! - The policy type is given, or inferred from the document, with the reason
//!   ([`LintReport::inferred`]).
//! - The parser's diagnostics become findings (JSON syntax and grammar errors are
//!   `Error`s); the checks of this module run on the same syntax tree.
//! - [`rules()`] lists every code with its default severity, description and AWS source,
//!   for SARIF rule tables and documentation.
//! - [`embedded`] finds policies inside CloudFormation templates (JSON, YAML) and
//!   Terraform plan JSON, and maps findings back into the template.
//! - The checks that need the service catalog ([`crate::catalog`]) run with the
//!   `lint-catalog` feature (on by default), against [`crate::catalog::Catalog::get`]:
//!   without the `embedded-catalog` feature, once a catalog has been installed.
//!
//! AWS source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>

#[cfg(feature = "lint-catalog")]
mod catalog_checks;
mod checks;
pub mod embedded;
mod escalation;
mod model;
mod rules;

use std::sync::Arc;

use jsonc_parser::CollectOptions;
use serde::Serialize;

use crate::parse::{parse_policy_from, Severity as ParseSeverity};
use crate::policy::PolicyType;
use crate::span::{Source, Span};

pub use rules::{retired, rule, rules, security_severity, Rule, RETIRED};

/// A value that stands for something the linter cannot see (a CloudFormation intrinsic
/// function such as `!Ref Bucket`): a string starting with this character is opaque,
/// and no check looks inside it.
pub const OPAQUE: char = '\u{FFFC}';

/// How serious a finding is, in Access Analyzer's four finding types; ordered from the
/// least to the most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintSeverity {
    /// A change that makes the policy simpler or clearer, with the same effect.
    Suggestion,
    /// The policy works, but not as its author probably meant, or not portably.
    Warning,
    /// The policy grants access that is likely too wide.
    SecurityWarning,
    /// AWS rejects the policy, or part of it can never work.
    Error,
}

impl LintSeverity {
    /// Every severity, least serious first.
    pub const ALL: [LintSeverity; 4] = [
        LintSeverity::Suggestion,
        LintSeverity::Warning,
        LintSeverity::SecurityWarning,
        LintSeverity::Error,
    ];

    /// `error`, `security-warning`, `warning`, `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            LintSeverity::Error => "error",
            LintSeverity::SecurityWarning => "security-warning",
            LintSeverity::Warning => "warning",
            LintSeverity::Suggestion => "suggestion",
        }
    }

    /// Reads a name written as [`LintSeverity::as_str`] gives it (also `security_warning`
    /// and Access Analyzer's upper-case `SECURITY_WARNING`).
    pub fn parse(s: &str) -> Option<LintSeverity> {
        let s = s.to_ascii_lowercase().replace('_', "-");
        LintSeverity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The kind of policy being checked, with the distinctions the checks need beyond
/// [`PolicyType`]: role trust policies and KMS key policies are resource-based policies
/// with rules of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LintPolicyType {
    /// Identity-based policy.
    Identity,
    /// Resource-based policy (bucket, queue, topic, secret…).
    Resource,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// Role trust policy.
    Trust,
    /// KMS key policy.
    Key,
    /// VPC endpoint policy.
    Endpoint,
}

impl LintPolicyType {
    /// Every type, as `--type` lists them.
    pub const ALL: [LintPolicyType; 9] = [
        LintPolicyType::Identity,
        LintPolicyType::Resource,
        LintPolicyType::Scp,
        LintPolicyType::Rcp,
        LintPolicyType::Boundary,
        LintPolicyType::Session,
        LintPolicyType::Trust,
        LintPolicyType::Key,
        LintPolicyType::Endpoint,
    ];

    /// The evaluation engine's policy type.
    pub fn core(self) -> PolicyType {
        match self {
            LintPolicyType::Identity => PolicyType::Identity,
            LintPolicyType::Resource | LintPolicyType::Trust | LintPolicyType::Key => PolicyType::Resource,
            LintPolicyType::Scp => PolicyType::Scp,
            LintPolicyType::Rcp => PolicyType::Rcp,
            LintPolicyType::Boundary => PolicyType::PermissionsBoundary,
            LintPolicyType::Session => PolicyType::Session,
            LintPolicyType::Endpoint => PolicyType::VpcEndpoint,
        }
    }

    /// The name as `--type` takes it (`identity`, `trust`…).
    pub fn as_str(self) -> &'static str {
        match self {
            LintPolicyType::Identity => "identity",
            LintPolicyType::Resource => "resource",
            LintPolicyType::Scp => "scp",
            LintPolicyType::Rcp => "rcp",
            LintPolicyType::Boundary => "boundary",
            LintPolicyType::Session => "session",
            LintPolicyType::Trust => "trust",
            LintPolicyType::Key => "key",
            LintPolicyType::Endpoint => "endpoint",
        }
    }

    /// Reads a name as [`LintPolicyType::as_str`] gives it.
    pub fn parse(s: &str) -> Option<LintPolicyType> {
        LintPolicyType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The name used in messages (`a role trust policy`).
    pub fn with_article(self) -> &'static str {
        match self {
            LintPolicyType::Trust => "a role trust policy",
            LintPolicyType::Key => "a KMS key policy",
            other => match other.core() {
                PolicyType::Identity => "an identity-based policy",
                PolicyType::Resource => "a resource-based policy",
                PolicyType::PermissionsBoundary => "a permissions boundary",
                PolicyType::Session => "a session policy",
                PolicyType::Scp => "an SCP",
                PolicyType::Rcp => "an RCP",
                PolicyType::VpcEndpoint => "a VPC endpoint policy",
            },
        }
    }
}

/// One problem in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable code (`pass-role-with-star-in-resource`); see [`rules()`].
    pub code: &'static str,
    /// Severity (after any override the caller applies).
    pub severity: LintSeverity,
    /// Lower-case message, user text in backticks.
    pub message: String,
    /// The fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// JSON path inside the policy (`Statement[2].Condition`), empty for the root.
    pub path: String,
    /// Byte span in the source text.
    #[serde(skip)]
    pub span: Span,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start (Unicode scalar values).
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column one past the end.
    pub end_column: u32,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// UTF-16 offset of the start (browser editors).
    pub utf16_start: u32,
    /// UTF-16 offset of the end.
    pub utf16_end: u32,
    /// How the location was found when it is not exact (a policy inside a string whose
    /// escapes could not be mapped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_note: Option<String>,
}

impl Finding {
    /// Recomputes line, column and offsets from `span` in `source`.
    pub fn relocate(&mut self, source: &Source, span: Span) {
        let a = source.locate(span);
        let b = source.locate(Span::new(span.end as usize, span.end as usize));
        self.span = span;
        self.line = a.line;
        self.column = a.column;
        self.end_line = b.line;
        self.end_column = b.column;
        self.start = a.start;
        self.end = span.end;
        self.utf16_start = a.utf16_start;
        self.utf16_end = a.utf16_end;
    }

    /// A rustc-style rendering: header, the source line, the span underlined, help.
    pub fn render(&self, source: &Arc<Source>) -> String {
        let d = crate::parse::Diagnostic {
            severity: ParseSeverity::Error,
            code: self.code,
            message: self.message.clone(),
            path: self.path.clone(),
            span: self.span,
            help: self.help.clone(),
            source: source.clone(),
        };
        let out = d.render();
        // The parser's renderer names only errors and warnings.
        match out.strip_prefix("error") {
            Some(rest) => format!("{}{rest}", self.severity.as_str()),
            None => out,
        }
    }
}

/// The findings for one policy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintReport {
    /// The source's name (a file path).
    pub file: String,
    /// Where the policy sits in its file when it is embedded
    /// (`Resources.Role.Properties.AssumeRolePolicyDocument`), else empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pointer: String,
    /// The type the policy was checked as.
    pub policy_type: LintPolicyType,
    /// Why that type, when it was inferred rather than given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred: Option<String>,
    /// Every finding, in document order (errors first at the same position).
    pub findings: Vec<Finding>,
    #[serde(skip)]
    source: Arc<Source>,
}

impl LintReport {
    /// The text the findings point into.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// The most serious finding's severity, if any.
    pub fn max_severity(&self) -> Option<LintSeverity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Checks the whole of `source` as a policy of type `ty`, or of the inferred type
/// ([`LintReport::inferred`] says why). Never fails: text that is not a policy gets
/// `Error` findings (`json-syntax`, `missing-statement`…). The checks and their AWS
/// sources are [`rules()`]; the reference they follow is
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>.
///
/// ```
/// use policy_core::{lint, LintSeverity, Source};
/// let src = Source::new("p.json", r#"{"Version": "2012-10-17", "Statement": {
///     "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}}"#);
/// let report = lint(&src, None);
/// let f = &report.findings[0];
/// assert_eq!((f.code, f.severity), ("pass-role-with-star-in-resource", LintSeverity::SecurityWarning));
/// assert_eq!((f.line, f.column, f.path.as_str()), (2, 62, "Statement[0].Resource"));
/// ```
pub fn lint(source: &Arc<Source>, ty: Option<LintPolicyType>) -> LintReport {
    lint_at(source, Span::new(0, source.text().len()), ty)
}

/// Checks the policy at `span` inside `source`; spans stay relative to the whole text.
/// Never fails: a text that is not a policy gets `Error` findings.
pub fn lint_at(source: &Arc<Source>, span: Span, ty: Option<LintPolicyType>) -> LintReport {
    let text = source.slice(span);
    // One syntax tree for the linter's model and the evaluator's parser.
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &crate::parse::strict_json());
    let doc = parsed.as_ref().ok().and_then(|a| a.value.as_ref()).and_then(|root| {
        model::Builder {
            base: span.start as usize,
        }
        .doc(root)
    });
    let (ty, inferred) = match (ty, &doc) {
        (Some(t), _) => (t, None),
        (None, Some(d)) => {
            let (t, why) = checks::infer(d);
            (t, Some(why))
        }
        (None, None) => (
            LintPolicyType::Identity,
            Some(not_a_policy(text, parsed.as_ref().ok().and_then(|a| a.value.as_ref()))),
        ),
    };
    let mut out = checks::Out::new(source.clone(), ty);
    let parser = match parse_policy_from(source, span, ty.core(), Some(parsed.as_ref())) {
        Ok(p) => p.warnings,
        Err(e) => e.diagnostics,
    };
    for d in parser {
        if source.slice(d.span).contains(OPAQUE) {
            continue;
        }
        out.add_parser_diagnostic(&d);
    }
    if let Some(doc) = &doc {
        checks::run(doc, source.slice(span), &mut out);
        #[cfg(feature = "lint-catalog")]
        catalog_checks::run(doc, &mut out);
    }
    let mut findings = out.finish();
    findings.sort_by_key(|f| (f.start, std::cmp::Reverse(f.severity), f.end));
    findings.dedup_by(|a, b| a.code == b.code && a.span == b.span);
    LintReport {
        file: source.name().to_string(),
        pointer: String::new(),
        policy_type: ty,
        inferred,
        findings,
        source: source.clone(),
    }
}

/// Why `text` (whose JSON value is `value`, when it parses) is not a policy, precisely.
fn not_a_policy(text: &str, value: Option<&jsonc_parser::ast::Value<'_>>) -> String {
    use jsonc_parser::ast::Value;
    let what = match value {
        Some(Value::Array(_)) => "the JSON text is an array, not an object".to_string(),
        Some(Value::StringLit(_)) => "the JSON text is a string, not an object".to_string(),
        Some(Value::NumberLit(_)) => "the JSON text is a number, not an object".to_string(),
        Some(Value::BooleanLit(_) | Value::NullKeyword(_)) => "the JSON text is a literal, not an object".to_string(),
        Some(Value::Object(_)) => "the JSON text is an object".to_string(),
        None => match text.trim_start().chars().next() {
            None => "the text is empty".to_string(),
            Some('\u{feff}') => "the text starts with a byte-order mark (U+FEFF), which JSON does not allow".to_string(),
            Some(c @ ('{' | '[')) => format!("the text starts like JSON (`{c}`) but is not valid JSON (see the `json-syntax` error)"),
            Some(c) => format!(
                "the text is not JSON: it starts with `{c}` (CloudFormation YAML templates are read from `.yaml`/`.yml` files, or text with a top-level `Resources:` line)"
            ),
        },
    };
    format!("{what}; a policy is a JSON object with a `Statement`")
}

/// A report of one finding about a whole file (`code` at the character at byte `at`):
/// an input that could not be checked as a policy.
pub(crate) fn file_report(
    source: &Arc<Source>,
    at: usize,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> LintReport {
    let end = source
        .text()
        .get(at..)
        .and_then(|r| r.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let mut out = checks::Out::new(source.clone(), LintPolicyType::Identity);
    out.add(code, Span::new(at, end), "", message, help);
    LintReport {
        file: source.name().to_string(),
        pointer: String::new(),
        policy_type: LintPolicyType::Identity,
        inferred: None,
        findings: out.finish(),
        source: source.clone(),
    }
}

/// A report for a file that could not be read (`unreadable-file`): the caller did the
/// IO, `message` says what failed (`permission denied`).
pub fn unreadable(name: &str, message: &str) -> LintReport {
    file_report(
        &Source::new(name, String::new()),
        0,
        "unreadable-file",
        format!("the file could not be read: {message}"),
        Some("check that the path names a readable file".into()),
    )
}

/// Lints the raw bytes of a file named `name` (see [`embedded::lint_document`]). Bytes
/// that are not UTF-8 get one `not-utf8` finding at the first invalid byte (IAM reads
/// policies as UTF-8 JSON), with its line and column.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, ty: Option<LintPolicyType>) -> Vec<LintReport> {
    match String::from_utf8(bytes) {
        Ok(text) => embedded::lint_document(&Source::new(name, text), ty),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let why = crate::document::decode_utf8(name, e.as_bytes().to_vec())
                .err()
                .map_or_else(String::new, |d| d.message);
            let source = Source::new(name, String::from_utf8_lossy(e.as_bytes()).into_owned());
            vec![file_report(
                &source,
                at,
                "not-utf8",
                format!("{why}; the file was not checked"),
                Some("save the file as UTF-8".into()),
            )]
        }
    }
}

impl LintReport {
    /// Moves the report into another source: `map` gives each span's place there
    /// (`None`: keep the finding where `fallback` says, with `note`).
    pub(crate) fn remap(
        mut self,
        outer: &Arc<Source>,
        pointer: String,
        map: impl Fn(Span) -> Option<Span>,
        fallback: Span,
        note: &str,
    ) -> LintReport {
        for f in &mut self.findings {
            match map(f.span) {
                Some(s) => f.relocate(outer, s),
                None => {
                    f.relocate(outer, fallback);
                    f.location_note = Some(note.to_string());
                }
            }
        }
        self.file = outer.name().to_string();
        self.pointer = pointer;
        self.source = outer.clone();
        self.findings
            .sort_by_key(|f| (f.start, std::cmp::Reverse(f.severity), f.end));
        self
    }
}
