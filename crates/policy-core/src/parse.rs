//! Policy text → [`Policy`], with every problem of a document reported at once, each
//! with its span, JSON path and, where a fix is obvious, a help line.
//!
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>

use std::fmt;
use std::sync::Arc;

use jsonc_parser::ast::{Object, ObjectPropName, Value};
use jsonc_parser::{CollectOptions, ParseOptions};
use serde::Serialize;

use crate::arn::ArnPattern;
use crate::condition::{self, Condition};
use crate::pattern::Glob;
use crate::policy::{
    ActionIndex, ActionPattern, ActionSet, Effect, Policy, PolicyType, PolicyVersion, PrincipalEntry, PrincipalSpec,
    ResourcePattern, Statement,
};
use crate::span::{Location, Source, Span};
use crate::suggest::closest;
use crate::variables::Template;

/// Largest policy document accepted, in bytes (AWS's own limits are far lower: 6,144
/// characters for a managed policy, 20 KB for a bucket policy).
pub const MAX_POLICY_BYTES: usize = 1024 * 1024;
/// Most statements accepted in one document.
pub const MAX_STATEMENTS: usize = 10_000;
/// Deepest JSON nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Evaluation can proceed, but part of the policy is indeterminate or suspect.
    Warning,
    /// The document is rejected.
    Error,
}

/// One problem in a document, located precisely.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (`json-syntax`, `missing-effect`, `unknown-operator`…).
    pub code: &'static str,
    /// Lower-case message, user text in backticks.
    pub message: String,
    /// JSON path of the offending element (`Statement[2].Condition`), empty for the root.
    pub path: String,
    /// Byte span in the source.
    pub span: Span,
    /// A suggested fix.
    pub help: Option<String>,
    /// The text the span points into.
    pub source: Arc<Source>,
}

impl Diagnostic {
    /// Line, column and offsets of the span.
    pub fn location(&self) -> Location {
        self.source.locate(self.span)
    }

    /// A rustc-style rendering: header, the source line, the span underlined, help. The
    /// excerpt of the source line is at most [`EXCERPT_CHARS`] characters wide (a longer
    /// line is cut around the span, `…` marking the cuts), so a rendering has a bounded
    /// size whatever the input.
    pub fn render(&self) -> String {
        let loc = self.location();
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let line = self.source.line_text(loc.line);
        let span_chars = self
            .source
            .slice(self.span)
            .lines()
            .next()
            .map_or(1, |s| s.chars().take(EXCERPT_CHARS).count().max(1));
        let (excerpt, caret_at) = excerpt(
            line,
            (self.span.start as usize).saturating_sub(self.line_start(loc.line)),
        );
        let underline = span_chars.min(excerpt.chars().count().saturating_sub(caret_at)).max(1);
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let mut out = format!(
            "{sev}[{}]: {}\n{pad}--> {}:{}:{}{}\n{pad} |\n{} | {}\n{pad} | {}{}\n",
            self.code,
            crate::span::clip_quoted(self.message.clone()),
            self.source.name(),
            loc.line,
            loc.column,
            if self.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.path)
            },
            loc.line,
            excerpt,
            " ".repeat(caret_at),
            "^".repeat(underline),
        );
        if let Some(h) = &self.help {
            out.push_str(&format!("{pad} = help: {}\n", crate::span::clip_quoted(h.clone())));
        }
        out
    }

    /// Byte offset where line `line` (1-based) of the source starts.
    fn line_start(&self, line: u32) -> usize {
        let text = self.source.text();
        let line_text = self.source.line_text(line);
        (line_text.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
    }
}

/// Widest excerpt of a source line in a rendered diagnostic, in characters.
pub const EXCERPT_CHARS: usize = 120;
/// Characters of the line shown before the span when the line is cut.
const EXCERPT_BEFORE: usize = 40;

/// The part of `line` shown for a span starting at byte `at` of it: the whole line
/// when it has at most [`EXCERPT_CHARS`] characters, else a window of that many
/// characters from [`EXCERPT_BEFORE`] before the span, with `…` where it was cut; and the
/// column (0-based, in characters of the excerpt) where the span starts.
/// Control characters show as `�` (a tab as a space), so that the terminal gets none
/// and the caret stays under its character.
fn excerpt(line: &str, at: usize) -> (String, usize) {
    let (text, caret) = excerpt_raw(line, at);
    let shown = text
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect();
    (shown, caret)
}

fn excerpt_raw(line: &str, at: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let at = (0..=at.min(line.len()))
        .rev()
        .find(|&i| line.is_char_boundary(i))
        .unwrap_or(0);
    let (before, after) = line.split_at(at);
    if line.len() <= EXCERPT_CHARS || line.chars().nth(EXCERPT_CHARS).is_none() {
        return (std::borrow::Cow::Borrowed(line), before.chars().count());
    }
    let start = before
        .char_indices()
        .rev()
        .nth(EXCERPT_BEFORE - 1)
        .map_or(0, |(i, _)| i);
    let shown_before = before.get(start..).unwrap_or("");
    let room = EXCERPT_CHARS - shown_before.chars().count();
    let end = after.char_indices().nth(room).map_or(after.len(), |(i, _)| i);
    let mut out = String::with_capacity(EXCERPT_CHARS * 4 + 8);
    let mut caret = shown_before.chars().count();
    if start > 0 {
        out.push('…');
        caret += 1;
    }
    out.push_str(shown_before);
    out.push_str(after.get(..end).unwrap_or(""));
    if end < after.len() {
        out.push('…');
    }
    (std::borrow::Cow::Owned(out), caret)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = self.location();
        write!(
            f,
            "{}:{}:{}: {}",
            self.source.name(),
            loc.line,
            loc.column,
            self.message
        )?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        if let Some(h) = &self.help {
            write!(f, "; help: {h}")?;
        }
        Ok(())
    }
}

/// A document that could not be parsed: all its errors (and warnings).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render_first(.diagnostics))]
pub struct PolicyError {
    /// Every diagnostic, errors first in document order.
    pub diagnostics: Vec<Diagnostic>,
}

fn render_first(d: &[Diagnostic]) -> String {
    let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
    match d.iter().find(|d| d.severity == Severity::Error) {
        Some(first) if errors > 1 => format!("{first} (and {} more errors)", errors - 1),
        Some(first) => first.to_string(),
        None => "invalid policy".to_string(),
    }
}

/// The result of parsing: the policy, plus warnings that did not stop it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The policy.
    pub policy: Policy,
    /// Warnings (unknown operators, …).
    pub warnings: Vec<Diagnostic>,
}

/// Parses the whole of `source` as a policy of type `ty`.
///
/// Errors: JSON syntax, a missing or misspelt element, a value of the wrong type, an
/// element the policy type forbids, limits ([`MAX_POLICY_BYTES`], [`MAX_STATEMENTS`],
/// [`MAX_DEPTH`]); all of them, not only the first.
pub fn parse_policy(source: &Arc<Source>, ty: PolicyType) -> Result<Parsed, PolicyError> {
    parse_policy_at(source, Span::new(0, source.text().len()), ty)
}

/// Parses the policy at `span` inside `source` (an inline policy in a request document);
/// spans stay relative to the whole source.
pub fn parse_policy_at(source: &Arc<Source>, span: Span, ty: PolicyType) -> Result<Parsed, PolicyError> {
    let text = source.slice(span);
    if text.len() > MAX_POLICY_BYTES {
        return parse_policy_from(source, span, ty, None);
    }
    let ast = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict_json());
    parse_policy_from(source, span, ty, Some(ast.as_ref()))
}

/// As [`parse_policy_at`], from the text's syntax tree when the caller has it (the
/// linter parses the text once for both); `None` only for a text over the size limit.
pub(crate) fn parse_policy_from(
    source: &Arc<Source>,
    span: Span,
    ty: PolicyType,
    ast: Option<Result<&jsonc_parser::ParseResult<'_>, &jsonc_parser::errors::ParseError>>,
) -> Result<Parsed, PolicyError> {
    let mut p = Parser {
        source: source.clone(),
        base: span.start as usize,
        diags: Vec::new(),
        ty,
        variables: true,
    };
    let text = source.slice(span);
    if text.len() > MAX_POLICY_BYTES {
        p.error(
            "limit",
            format!(
                "policy is {} bytes, more than the limit of {MAX_POLICY_BYTES}",
                text.len()
            ),
            "",
            Span::new(span.start as usize, span.start as usize + 1),
            None,
        );
        return Err(p.finish_err());
    }
    if text.starts_with('\u{feff}') {
        // Before any JSON error: the parser would call the mark an unexpected token.
        p.error(
            "json-syntax",
            "the text starts with a byte-order mark (U+FEFF): a policy is JSON without one, and IAM rejects it".into(),
            "",
            Span::new(span.start as usize, span.start as usize + '\u{feff}'.len_utf8()),
            Some("save the file as UTF-8 without a byte-order mark".into()),
        );
        return Err(p.finish_err());
    }
    let ast = match ast {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            let r = e.range();
            let message = e.kind().to_string();
            p.error("json-syntax", lower_first(&message), "", p.sp(r), None);
            return Err(p.finish_err());
        }
        // Over the size limit: reported above.
        None => return Err(p.finish_err()),
    };
    if let Some((at, c)) = raw_control_in_string(text) {
        // RFC 8259 §7: control characters in a string must be escaped. IAM rejects such a
        // document when it is written; read leniently, the character would make the
        // value silently match nothing.
        let start = span.start as usize + at;
        p.error(
            "json-syntax",
            format!(
                "raw control character U+{:04X} in a string: JSON requires it escaped (`\\u{:04X}`), and IAM rejects the document",
                u32::from(c),
                u32::from(c)
            ),
            "",
            Span::new(start, start + 1),
            None,
        );
        return Err(p.finish_err());
    }
    let Some(root) = &ast.value else {
        p.error(
            "json-syntax",
            "empty document: expected a policy object".into(),
            "",
            Span::new(span.start as usize, span.end as usize),
            None,
        );
        return Err(p.finish_err());
    };
    if depth(root) > MAX_DEPTH {
        p.error(
            "limit",
            format!("JSON nesting deeper than the limit of {MAX_DEPTH}"),
            "",
            p.sp(root_range(root)),
            None,
        );
        return Err(p.finish_err());
    }
    let policy = p.policy(root, span);
    match policy {
        Some(policy) if !p.diags.iter().any(|d| d.severity == Severity::Error) => Ok(Parsed {
            policy,
            warnings: p.diags,
        }),
        _ => Err(p.finish_err()),
    }
}

/// The byte offset and value of the first raw control character (U+0000–U+001F) inside a
/// JSON string literal of `text` (valid JSON as far as the lenient parser goes), if any.
fn raw_control_in_string(text: &str) -> Option<(usize, u8)> {
    let bytes = text.as_bytes();
    // Most texts have no control character but line breaks and indentation outside
    // strings: a string holding one is rare, so the scan is one pass without allocation.
    if !bytes.iter().any(|&b| b < 0x20) {
        return None;
    }
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        match (in_string, escaped, b) {
            (true, true, _) if b >= 0x20 => escaped = false,
            (true, _, c) if c < 0x20 => return Some((i, c)),
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (false, _, b'"') => in_string = true,
            _ => {}
        }
    }
    None
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn root_range(v: &Value) -> jsonc_parser::common::Range {
    match v {
        Value::StringLit(s) => s.range,
        Value::NumberLit(n) => n.range,
        Value::BooleanLit(b) => b.range,
        Value::Object(o) => o.range,
        Value::Array(a) => a.range,
        Value::NullKeyword(n) => n.range,
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(o) => 1 + o.properties.iter().map(|p| depth(&p.value)).max().unwrap_or(0),
        Value::Array(a) => 1 + a.elements.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

fn prop_name<'a>(n: &'a ObjectPropName<'a>) -> &'a str {
    match n {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

/// Whether every `${` in `r` starts after the fifth colon outside `${…}` (or `r` is not
/// ARN-shaped, e.g. a bare `${aws:username}`).
fn variable_starts_after_fifth_colon(r: &str) -> bool {
    let mut colons = 0;
    let mut depth = 0;
    let bytes = r.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                if colons < 5 && r.starts_with("arn:") {
                    return false;
                }
                depth += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => colons += 1,
            _ => {}
        }
    }
    true
}

/// `(negated, values with spans, JSON path)` of an `Action`/`NotAction`-style pair.
type OneOf = (bool, Vec<(String, Span)>, String);

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

struct Parser {
    source: Arc<Source>,
    base: usize,
    diags: Vec<Diagnostic>,
    ty: PolicyType,
    variables: bool,
}

impl Parser {
    fn sp(&self, r: jsonc_parser::common::Range) -> Span {
        Span::new(self.base + r.start, self.base + r.end)
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: String,
        path: &str,
        span: Span,
        help: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            severity,
            code,
            message: crate::span::clip_quoted(message),
            path: crate::span::clip_path(path),
            span,
            help: help.map(crate::span::clip_quoted),
            source: self.source.clone(),
        });
    }

    fn error(&mut self, code: &'static str, message: String, path: &str, span: Span, help: Option<String>) {
        self.push(Severity::Error, code, message, path, span, help);
    }

    fn finish_err(self) -> PolicyError {
        let mut d = self.diags;
        d.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.span.start));
        PolicyError { diagnostics: d }
    }

    fn policy(&mut self, root: &Value, span: Span) -> Option<Policy> {
        let Value::Object(obj) = root else {
            self.error(
                "type",
                format!("a policy must be a JSON object, found {}", kind_name(root)),
                "",
                self.sp(root_range(root)),
                None,
            );
            return None;
        };
        self.duplicate_keys(obj, "");
        let mut version = PolicyVersion::V2008;
        let mut id = None;
        let mut statements = Vec::new();
        let mut seen_statement = false;
        for prop in &obj.properties {
            let name = prop_name(&prop.name);
            let path = name.to_string();
            match name {
                "Version" => match &prop.value {
                    Value::StringLit(s) if s.value == "2012-10-17" => version = PolicyVersion::V2012,
                    Value::StringLit(s) if s.value == "2008-10-17" => version = PolicyVersion::V2008,
                    v => self.error(
                        "invalid-version",
                        format!("`Version` must be `2012-10-17` or `2008-10-17`, found {}", self.show(v)),
                        &path,
                        self.sp(root_range(v)),
                        Some("use \"Version\": \"2012-10-17\"".into()),
                    ),
                },
                "Id" => match &prop.value {
                    Value::StringLit(s) => id = Some(s.value.to_string()),
                    v => self.type_error(v, "a string", &path),
                },
                "Statement" => seen_statement = true,
                other => {
                    let help = closest(other, POLICY_KEYS).map(|c| format!("did you mean `{c}`?"));
                    self.error(
                        "unknown-element",
                        format!("unknown policy element `{other}`"),
                        &path,
                        self.sp(prop.range),
                        help,
                    );
                }
            }
        }
        self.variables = version == PolicyVersion::V2012;
        if let Some(prop) = obj.properties.iter().find(|p| prop_name(&p.name) == "Statement") {
            match &prop.value {
                Value::Object(s) => statements.extend(self.statement(s, 0)),
                Value::Array(a) => {
                    if a.elements.len() > MAX_STATEMENTS {
                        self.error(
                            "limit",
                            format!(
                                "{} statements, more than the limit of {MAX_STATEMENTS}",
                                a.elements.len()
                            ),
                            "Statement",
                            self.sp(a.range),
                            None,
                        );
                        return None;
                    }
                    for (i, el) in a.elements.iter().enumerate() {
                        match el {
                            Value::Object(s) => statements.extend(self.statement(s, i)),
                            v => self.type_error(v, "a statement object", &format!("Statement[{i}]")),
                        }
                    }
                }
                v => self.type_error(v, "a statement object or an array of them", "Statement"),
            }
        }
        if !seen_statement {
            self.error(
                "missing-statement",
                "the policy has no `Statement`".into(),
                "",
                self.sp(obj.range),
                None,
            );
            return None;
        }
        let mut policy = Policy {
            source: self.source.clone(),
            span,
            ty: self.ty,
            version,
            id,
            index: ActionIndex::new(&statements),
            statements,
            pointer: None,
            public: false,
            deciding_json: Default::default(),
        };
        policy.public = crate::eval::policy_is_public(&policy);
        Some(policy)
    }

    fn show(&self, v: &Value) -> String {
        match v {
            Value::StringLit(s) => format!("`{}`", s.value),
            other => kind_name(other).to_string(),
        }
    }

    fn type_error(&mut self, v: &Value, want: &str, path: &str) {
        self.error(
            "type",
            format!("expected {want}, found {}", kind_name(v)),
            path,
            self.sp(root_range(v)),
            None,
        );
    }

    fn duplicate_keys(&mut self, obj: &Object, path: &str) {
        // Linear in the object's size: a set of the names seen once the object is large
        // (a 1 MiB policy can hold 100,000 keys in one object).
        let mut seen: Option<rustc_hash::FxHashSet<&str>> =
            (obj.properties.len() > 16).then(rustc_hash::FxHashSet::default);
        for (i, p) in obj.properties.iter().enumerate() {
            let name = prop_name(&p.name);
            let repeated = match seen.as_mut() {
                Some(set) => !set.insert(name),
                None => obj.properties.iter().take(i).any(|q| prop_name(&q.name) == name),
            };
            if repeated {
                let at = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                self.error(
                    "duplicate-key",
                    format!("duplicate key `{name}`"),
                    &at,
                    self.sp(p.range),
                    Some("JSON parsers disagree on which value wins; keep one".into()),
                );
            }
        }
    }

    /// A string or an array of strings (S-DOC-4).
    fn strings(&mut self, v: &Value, path: &str) -> Vec<(String, Span)> {
        match v {
            Value::StringLit(s) => vec![(s.value.to_string(), self.sp(s.range))],
            Value::Array(a) => {
                let mut out = Vec::new();
                for (i, el) in a.elements.iter().enumerate() {
                    match el {
                        Value::StringLit(s) => out.push((s.value.to_string(), self.sp(s.range))),
                        other => self.type_error(other, "a string", &format!("{path}[{i}]")),
                    }
                }
                if a.elements.is_empty() {
                    self.error(
                        "empty",
                        "empty array: expected at least one value".into(),
                        path,
                        self.sp(a.range),
                        None,
                    );
                }
                out
            }
            other => {
                self.type_error(other, "a string or an array of strings", path);
                Vec::new()
            }
        }
    }

    fn statement(&mut self, obj: &Object, index: usize) -> Option<Statement> {
        let base = format!("Statement[{index}]");
        let errors_before = self.error_count();
        self.duplicate_keys(obj, &base);
        let get = |name: &str| obj.properties.iter().find(|p| prop_name(&p.name) == name);
        for prop in &obj.properties {
            let name = prop_name(&prop.name);
            if !STATEMENT_KEYS.contains(&name) {
                let help = closest(name, STATEMENT_KEYS).map(|c| format!("did you mean `{c}`?"));
                self.error(
                    "unknown-element",
                    format!("unknown statement element `{name}`"),
                    &format!("{base}.{name}"),
                    self.sp(prop.range),
                    help,
                );
            }
        }
        let sid = match get("Sid").map(|p| &p.value) {
            Some(Value::StringLit(s)) => Some(s.value.to_string()),
            Some(v) => {
                self.type_error(v, "a string", &format!("{base}.Sid"));
                None
            }
            None => None,
        };
        let effect = match get("Effect").map(|p| &p.value) {
            Some(Value::StringLit(s)) if s.value == "Allow" => Some(Effect::Allow),
            Some(Value::StringLit(s)) if s.value == "Deny" => Some(Effect::Deny),
            Some(v) => {
                let help = match v {
                    Value::StringLit(s) if s.value.eq_ignore_ascii_case("allow") => {
                        Some("`Effect` is case-sensitive: use `Allow`".to_string())
                    }
                    Value::StringLit(s) if s.value.eq_ignore_ascii_case("deny") => {
                        Some("`Effect` is case-sensitive: use `Deny`".to_string())
                    }
                    _ => None,
                };
                let shown = self.show(v);
                self.error(
                    "invalid-effect",
                    format!("`Effect` must be `Allow` or `Deny`, found {shown}"),
                    &format!("{base}.Effect"),
                    self.sp(root_range(v)),
                    help,
                );
                None
            }
            None => {
                self.error(
                    "missing-effect",
                    "the statement has no `Effect`".into(),
                    &format!("{base}.Effect"),
                    self.sp(obj.range),
                    Some("add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"".into()),
                );
                None
            }
        };
        let actions = self.one_of(obj, &base, "Action", "NotAction", true);
        let actions = actions.map(|(neg, vals, path)| (neg, self.actions(&vals, &path)));
        let resource_required = self.ty.is_principal_side();
        let resource = self
            .one_of(obj, &base, "Resource", "NotResource", resource_required)
            .map(|(neg, vals, _)| (neg, vals.iter().map(|(v, _)| self.resource(v)).collect::<Vec<_>>()));
        let principal = self.principal(obj, &base);
        let conditions = match get("Condition") {
            Some(p) => self.conditions(&p.value, &format!("{base}.Condition")),
            None => Vec::new(),
        };
        if self.error_count() > errors_before {
            return None;
        }
        let (effect, (not_action, actions)) = (effect?, actions?);
        Some(Statement {
            sid,
            effect,
            not_action,
            actions: ActionSet::new(actions),
            resource,
            principal,
            conditions,
            span: self.sp(obj.range),
        })
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Exactly one of `pos`/`neg` (or at most one when not `required`).
    fn one_of(&mut self, obj: &Object, base: &str, pos: &str, neg: &str, required: bool) -> Option<OneOf> {
        let p = obj.properties.iter().find(|p| prop_name(&p.name) == pos);
        let n = obj.properties.iter().find(|p| prop_name(&p.name) == neg);
        match (p, n) {
            (Some(_), Some(n)) => {
                self.error(
                    "conflicting-elements",
                    format!("a statement has either `{pos}` or `{neg}`, not both"),
                    &format!("{base}.{neg}"),
                    self.sp(n.range),
                    None,
                );
                None
            }
            (Some(p), None) => {
                let path = format!("{base}.{pos}");
                Some((false, self.strings(&p.value, &path), path))
            }
            (None, Some(n)) => {
                let path = format!("{base}.{neg}");
                Some((true, self.strings(&n.value, &path), path))
            }
            (None, None) => {
                if required {
                    let span = obj.range;
                    self.error(
                        "missing-element",
                        format!(
                            "the statement has no `{pos}` or `{neg}` (required in {})",
                            self.ty.with_article()
                        ),
                        &format!("{base}.{pos}"),
                        self.sp(span),
                        None,
                    );
                }
                None
            }
        }
    }

    fn actions(&mut self, vals: &[(String, Span)], path: &str) -> Vec<ActionPattern> {
        let mut out = Vec::with_capacity(vals.len());
        for (i, (a, span)) in vals.iter().enumerate() {
            if a == "*" {
                out.push(ActionPattern::Any);
                continue;
            }
            let lc = a.to_ascii_lowercase();
            match (crate::policy::malformed_action(a), lc.split_once(':')) {
                (None, Some((svc, name))) => {
                    if svc.contains(['*', '?']) {
                        out.push(ActionPattern::Whole(Glob::new(&lc)));
                    } else {
                        out.push(ActionPattern::Service {
                            service: svc.into(),
                            name: Glob::new(name),
                        });
                    }
                }
                (why, _) => {
                    // S-MATCH-1 (Decided): AWS rejects such an action when the policy is
                    // saved; documentation samples hold placeholders such as `<action>`.
                    // Whether it names the request's action cannot be known: a statement
                    // that hinges on it is indeterminate (S-COND-8), never silently
                    // matching or not.
                    let p = if vals.len() > 1 {
                        format!("{path}[{i}]")
                    } else {
                        path.to_string()
                    };
                    let fixed: String = a.split_whitespace().collect();
                    let help = (crate::policy::malformed_action(&fixed).is_none() && !fixed.is_empty())
                        .then(|| format!("write `{fixed}`"));
                    self.push(
                        Severity::Warning,
                        "invalid-action",
                        format!(
                            "invalid action `{a}`: it {}; an action is `service:ActionName` without spaces (a statement that depends on it is indeterminate: an `Allow` never allows, a `Deny` applies)",
                            why.unwrap_or("is not `service:ActionName`")
                        ),
                        &p,
                        *span,
                        help,
                    );
                    let service = lc
                        .split_once(':')
                        .map(|(svc, _)| svc.trim())
                        .filter(|svc| {
                            !svc.is_empty()
                                && svc
                                    .bytes()
                                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        })
                        .map(Box::from);
                    out.push(ActionPattern::Malformed {
                        service,
                        text: a.as_str().into(),
                    });
                }
            }
        }
        out
    }

    fn resource(&self, r: &str) -> ResourcePattern {
        // S-VAR-1: variables are recognised only in the resource segment of an ARN
        // (after the fifth colon); elsewhere `${…}` is literal text.
        let in_resource_segment = variable_starts_after_fifth_colon(r);
        match (self.variables && in_resource_segment)
            .then(|| Template::parse(r))
            .flatten()
        {
            Some(t) => ResourcePattern::Var(t),
            None => ResourcePattern::Arn(ArnPattern::new(r)),
        }
    }

    fn principal(&mut self, obj: &Object, base: &str) -> Option<PrincipalSpec> {
        let p = obj.properties.iter().find(|p| prop_name(&p.name) == "Principal");
        let n = obj.properties.iter().find(|p| prop_name(&p.name) == "NotPrincipal");
        let (negated, prop) = match (p, n) {
            (Some(_), Some(n)) => {
                self.error(
                    "conflicting-elements",
                    "a statement has either `Principal` or `NotPrincipal`, not both".into(),
                    &format!("{base}.NotPrincipal"),
                    self.sp(n.range),
                    None,
                );
                return None;
            }
            (Some(p), None) => (false, p),
            (None, Some(n)) => (true, n),
            (None, None) => {
                if !self.ty.is_principal_side() && self.ty != PolicyType::VpcEndpoint {
                    self.error(
                        "missing-principal",
                        format!("the statement has no `Principal` or `NotPrincipal` (required in {})", self.ty.with_article()),
                        &format!("{base}.Principal"),
                        self.sp(obj.range),
                        Some("add \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"} naming who the policy grants".into()),
                    );
                }
                return None;
            }
        };
        let name = if negated { "NotPrincipal" } else { "Principal" };
        let path = format!("{base}.{name}");
        if self.ty.is_principal_side() {
            self.error(
                "principal-not-allowed",
                format!(
                    "`{name}` is not allowed in {}: it applies to the identity it is attached to",
                    self.ty.with_article()
                ),
                &path,
                self.sp(prop.range),
                Some(format!("remove `{name}`")),
            );
            return None;
        }
        let mut entries = Vec::new();
        match &prop.value {
            Value::StringLit(s) if s.value == "*" => entries.push(PrincipalEntry::Everyone),
            Value::Object(o) => {
                self.duplicate_keys(o, &path);
                for kv in &o.properties {
                    let kind = prop_name(&kv.name);
                    let kpath = format!("{path}.{kind}");
                    let vals = self.strings(&kv.value, &kpath);
                    for (v, span) in vals {
                        let e = match kind {
                            "AWS" => self.aws_principal(&v, &kpath, span),
                            "Service" => Some(PrincipalEntry::Service(v.to_ascii_lowercase())),
                            "Federated" => Some(PrincipalEntry::Federated(v)),
                            "CanonicalUser" => Some(PrincipalEntry::CanonicalUser(v)),
                            _ => None,
                        };
                        entries.extend(e);
                    }
                    if !matches!(kind, "AWS" | "Service" | "Federated" | "CanonicalUser") {
                        let help = closest(kind, &["AWS", "Service", "Federated", "CanonicalUser"])
                            .map(|c| format!("did you mean `{c}`?"));
                        self.error(
                            "invalid-principal",
                            format!("unknown principal type `{kind}`"),
                            &kpath,
                            self.sp(kv.range),
                            help,
                        );
                    }
                }
            }
            v => {
                let shown = self.show(v);
                self.error(
                    "invalid-principal",
                    format!("`{name}` must be `*` or an object such as {{\"AWS\": …}}, found {shown}"),
                    &path,
                    self.sp(root_range(v)),
                    None,
                );
            }
        }
        Some(PrincipalSpec { negated, entries })
    }

    fn aws_principal(&mut self, v: &str, path: &str, span: Span) -> Option<PrincipalEntry> {
        let e = PrincipalEntry::from_aws(v);
        if let PrincipalEntry::Unresolved(_) = e {
            // AWS accepts unique ids (AIDA…, AROA…) once it has resolved them; offline
            // they match only a request whose `aws:userid` is that id.
            self.push(
                Severity::Warning,
                "unresolvable-principal",
                format!("principal `{v}` is not an account id, an account root ARN or an IAM user, role or session ARN; it matches only a request whose `aws:userid` is `{v}`, and a `Deny` naming it is applied to everyone else (fail-closed)"),
                path,
                span,
                None,
            );
        }
        Some(e)
    }

    fn conditions(&mut self, v: &Value, path: &str) -> Vec<Condition> {
        let Value::Object(ops) = v else {
            self.type_error(v, "an object of condition operators", path);
            return Vec::new();
        };
        self.duplicate_keys(ops, path);
        let mut out = Vec::new();
        for op in &ops.properties {
            let op_name = prop_name(&op.name);
            let op_path = format!("{path}.{op_name}");
            let Value::Object(keys) = &op.value else {
                self.type_error(&op.value, "an object of condition keys", &op_path);
                continue;
            };
            self.duplicate_keys(keys, &op_path);
            for kv in &keys.properties {
                let key = prop_name(&kv.name);
                let kpath = format!("{op_path}.{key}");
                let raw = self.condition_values(&kv.value, &kpath);
                let (cond, known) = Condition::new(op_name, key, raw, self.variables, self.sp(kv.range));
                if !known {
                    let help = condition::suggest(op_name).map(|c| format!("did you mean `{c}`?"));
                    let span = self.sp(op.range);
                    let span = Span::new(span.start as usize, span.start as usize + op_name.len() + 2);
                    self.push(
                        Severity::Warning,
                        "unknown-operator",
                        format!("unknown condition operator `{op_name}`: statements using it are indeterminate and never allow; a Deny using it is applied (S-COND-8)"),
                        &op_path,
                        span,
                        help,
                    );
                }
                out.push(cond);
            }
        }
        out
    }

    /// Condition values: strings, numbers, booleans, or arrays of them (S-DOC-4).
    fn condition_values(&mut self, v: &Value, path: &str) -> Vec<String> {
        let scalar = |v: &Value| -> Option<String> {
            match v {
                Value::StringLit(s) => Some(s.value.to_string()),
                Value::NumberLit(n) => Some(n.value.to_string()),
                Value::BooleanLit(b) => Some(b.value.to_string()),
                _ => None,
            }
        };
        match v {
            Value::Array(a) => {
                let mut out = Vec::new();
                for (i, el) in a.elements.iter().enumerate() {
                    match scalar(el) {
                        Some(s) => out.push(s),
                        None => self.type_error(el, "a string, number or boolean", &format!("{path}[{i}]")),
                    }
                }
                out
            }
            other => match scalar(other) {
                Some(s) => vec![s],
                None => {
                    self.type_error(other, "a string, number, boolean or an array of them", path);
                    Vec::new()
                }
            },
        }
    }
}

/// `jsonc_parser` options for strict JSON, as IAM reads policies: no comments, trailing
/// commas, single quotes or other JSON5 extensions.
pub(crate) fn strict_json() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str, ty: PolicyType) -> Vec<(String, String, String)> {
        let src = Source::new("p.json", text);
        match parse_policy(&src, ty) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| (d.code.to_string(), d.path.clone(), src.slice(d.span).to_string()))
                .collect(),
        }
    }

    #[test]
    fn reports_every_error_with_path_and_underlined_text() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:Put*","Resource":"*"},
            {"Effect":"Deny","Action":"s3","Resource":"*","Principal":"*"}
        ]}"#;
        let e = errs(text, PolicyType::Identity);
        assert_eq!(
            e,
            vec![
                (
                    "invalid-effect".into(),
                    "Statement[0].Effect".into(),
                    "\"allow\"".into()
                ),
                (
                    "conflicting-elements".into(),
                    "Statement[1].NotAction".into(),
                    "\"NotAction\":\"s3:Put*\"".into()
                ),
                (
                    "principal-not-allowed".into(),
                    "Statement[2].Principal".into(),
                    "\"Principal\":\"*\"".into()
                ),
            ]
        );
    }

    #[test]
    fn json_syntax_error_has_position() {
        let src = Source::new("p.json", "{\n  \"Statement\": [,]\n}");
        let e = parse_policy(&src, PolicyType::Identity).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!(d.code, "json-syntax");
        assert_eq!((d.location().line, d.location().column), (2, 17));
    }

    #[test]
    fn unknown_operator_is_a_warning_with_help() {
        let src = Source::new(
            "p.json",
            r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:username":"x"}}}}"#,
        );
        let parsed = parse_policy(&src, PolicyType::Identity).unwrap();
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(parsed.warnings[0].help.as_deref(), Some("did you mean `StringEquals`?"));
        assert!(parsed.warnings[0].render().contains("^^^^^^^^^^^^^"));
    }

    #[test]
    fn misspelt_elements_get_suggestions() {
        let src = Source::new(
            "p.json",
            r#"{"Statement":{"Efect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        let e = parse_policy(&src, PolicyType::Identity).unwrap_err();
        let helps: Vec<_> = e.diagnostics.iter().filter_map(|d| d.help.clone()).collect();
        assert!(helps.contains(&"did you mean `Effect`?".to_string()), "{helps:?}");
    }

    #[test]
    fn resource_policies_need_principals_trust_policies_need_no_resource() {
        assert_eq!(
            errs(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
                PolicyType::Resource
            )[0]
            .0,
            "missing-principal"
        );
        assert!(errs(
            r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}}"#,
            PolicyType::Resource
        )
        .is_empty());
    }

    #[test]
    fn excerpts_are_cut_to_their_width_around_the_span() {
        // A line of exactly EXCERPT_CHARS characters is shown whole.
        let base = r#"{"Statement":{"Effect":"allow"},"Version":"1"}"#;
        let at = format!("{base}{}", " ".repeat(EXCERPT_CHARS - base.len()));
        assert_eq!(at.chars().count(), EXCERPT_CHARS);
        let e = parse_policy(&Source::new("p.json", at.clone()), PolicyType::Identity).unwrap_err();
        let r = e.diagnostics[0].render();
        assert!(r.contains(&format!("1 | {at}\n")), "{r}");
        // One character more: cut, with `…`, the caret still under the span.
        let past = format!("{at} ");
        let e = parse_policy(&Source::new("p.json", past), PolicyType::Identity).unwrap_err();
        let r = e.diagnostics[0].render();
        let lines: Vec<&str> = r.lines().collect();
        assert!(lines[3].ends_with('…'), "{r}");
        assert_eq!(lines[3].chars().count(), "1 | ".len() + EXCERPT_CHARS + 1);
        // A 1 MB line with an error at its end: a window before the span, `…` first.
        let long = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"{}","Sid":1}}}}"#,
            "x".repeat(1 << 19)
        );
        let e = parse_policy(&Source::new("p.json", long), PolicyType::Identity).unwrap_err();
        let r = e.diagnostics[0].render();
        assert!(r.len() < 1000, "{r}");
        let excerpt = r.lines().nth(3).unwrap();
        let caret = r.lines().nth(4).unwrap();
        let col = caret.find('^').unwrap();
        assert_eq!(excerpt.chars().nth(col), Some('1'), "{r}");
        assert!(excerpt.starts_with("1 | …"));
    }

    #[test]
    fn raw_control_characters_and_byte_order_marks_are_json_errors() {
        let text = "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:Get\u{1}Object\",\"Resource\":\"*\"}}";
        let e = parse_policy(&Source::new("p.json", text), PolicyType::Identity).unwrap_err();
        let d = &e.diagnostics[0];
        let at = u32::try_from(text.find('\u{1}').unwrap() + 1).unwrap();
        assert_eq!((d.code, d.location().column), ("json-syntax", at));
        assert!(d.message.contains("U+0001"), "{}", d.message);
        assert!(
            !d.render().contains('\u{1}'),
            "no raw control character reaches the terminal"
        );
        // Escaped, the same character is a string value (an invalid action, S-MATCH-1).
        let src = Source::new(
            "p.json",
            r#"{"Statement":{"Effect":"Deny","Action":"s3:Get\u0001Object","Resource":"*"}}"#,
        );
        assert_eq!(
            parse_policy(&src, PolicyType::Identity).unwrap().warnings[0].code,
            "invalid-action"
        );
        // Line breaks and tabs between tokens are white space.
        let src = Source::new(
            "p.json",
            "{\"Statement\":\t{\"Effect\":\"Deny\",\r\n\"Action\":\"*\",\"Resource\":\"a\\\"\\\\\"}}",
        );
        assert!(parse_policy(&src, PolicyType::Identity).is_ok());
        let src = Source::new(
            "p.json",
            "\u{feff}{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}",
        );
        let e = parse_policy(&src, PolicyType::Identity).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!((d.location().line, d.location().column), (1, 1));
        assert!(d.message.contains("byte-order mark"), "{}", d.message);
    }

    #[test]
    fn duplicate_keys_in_large_objects_are_found_in_linear_time() {
        // 60,000 condition keys in one object, one repeated: found, and quickly (a
        // quadratic scan would take minutes).
        let mut keys: Vec<String> = (0..60_000).map(|i| format!("\"k{i}\":\"v\"")).collect();
        keys.push("\"k7\":\"w\"".into());
        let text = format!(
            r#"{{"Statement":{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"StringEquals":{{{}}}}}}}}}"#,
            keys.join(",")
        );
        let e = errs(&text, PolicyType::Identity);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("duplicate-key", "Statement[0].Condition.StringEquals.k7")
        );
    }

    #[test]
    fn limits_are_errors() {
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        let text = format!(r#"{{"Statement":{deep}}}"#);
        let e = errs(&text, PolicyType::Identity);
        assert_eq!(e[0].0, "limit");
    }
}
