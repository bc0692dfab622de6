//! The functions behind the JavaScript exports, in plain Rust (tested natively): text in,
//! serialisable values out, every failure a value.

use std::collections::HashMap;
use std::sync::Arc;

use policy_core::{
    evaluate_with, parse_policy, DocumentError, EvalOptions, NoFiles, PartialDocument, Policy, PolicySet, Severity,
    Source,
};

use crate::types::{
    ApiError, Clock, Diagnostic, EvaluateOptions, LintFinding, LintResult, LintSeverityName, Mark, MissMark,
    PanelResult, ParseResult, PolicyTypeName, SeverityName, StatementInfo, WorkspaceInput, WorkspaceResult,
};

/// The package version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Line starts and UTF-16 offsets of one text.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    ascii: bool,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> LineIndex<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            line_starts,
            ascii: text.is_ascii(),
        }
    }

    /// `byte` clamped to the text and moved back to a character boundary.
    fn clamp(&self, byte: usize) -> usize {
        let mut b = byte.min(self.text.len());
        while b > 0 && !self.text.is_char_boundary(b) {
            b -= 1;
        }
        b
    }

    /// 1-based line and column (in Unicode scalar values) of a byte offset.
    pub(crate) fn line_col(&self, byte: usize) -> (u32, u32) {
        let byte = self.clamp(byte);
        let idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(idx).copied().unwrap_or(0);
        let col = self.text.get(start..byte).map_or(0, |s| s.chars().count());
        (to_u32(idx + 1), to_u32(col + 1))
    }

    /// UTF-16 offset of a byte offset.
    pub(crate) fn utf16(&self, byte: usize) -> u32 {
        let byte = self.clamp(byte);
        if self.ascii {
            return to_u32(byte);
        }
        to_u32(self.text.get(..byte).map_or(0, |s| s.encode_utf16().count()))
    }

    /// Byte offset of a 1-based line and column (clamped to the line).
    pub(crate) fn byte_at(&self, line: u32, column: u32) -> usize {
        let i = (line.max(1) - 1) as usize;
        let Some(&start) = self.line_starts.get(i).or(self.line_starts.last()) else {
            return 0;
        };
        let end = self.line_end(start);
        let line_text = self.text.get(start..end).unwrap_or("");
        let skip = (column.max(1) - 1) as usize;
        start + line_text.char_indices().nth(skip).map_or(line_text.len(), |(b, _)| b)
    }

    /// Byte offset of the end of the line starting at `start` (before `\r\n` or `\n`).
    fn line_end(&self, start: usize) -> usize {
        let rest = self.text.get(start..).unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        let line = rest.get(..len).unwrap_or("");
        start + line.trim_end_matches('\r').len()
    }

    /// A span from `start` to the end of its line without trailing blanks and commas
    /// (at least one character when the line has one).
    fn to_line_end(&self, start: usize) -> (usize, usize) {
        let start = self.clamp(start);
        let end = self.line_end(start);
        let trimmed = self
            .text
            .get(start..end)
            .map_or(0, |s| s.trim_end_matches(|c: char| c.is_whitespace() || c == ',').len());
        let first = self
            .text
            .get(start..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        (start, start + trimmed.max(first.min(end.saturating_sub(start))))
    }

    fn diagnostic(
        &self,
        severity: SeverityName,
        code: &str,
        message: String,
        path: String,
        help: Option<String>,
        span: (usize, usize),
    ) -> Diagnostic {
        let start = self.clamp(span.0);
        let end = self.clamp(span.1.max(start));
        let (line, column) = self.line_col(start);
        let (end_line, end_column) = self.line_col(end);
        Diagnostic {
            severity,
            code: code.to_string(),
            message,
            path,
            help,
            line,
            column,
            end_line,
            end_column,
            start: to_u32(start),
            end: to_u32(end),
            utf16_start: self.utf16(start),
            utf16_end: self.utf16(end),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn severity(s: Severity) -> SeverityName {
    match s {
        Severity::Error => SeverityName::Error,
        Severity::Warning => SeverityName::Warning,
    }
}

/// Converts core diagnostics, each located in its own source (indexed once per source).
fn diagnostics(list: &[policy_core::Diagnostic]) -> Vec<Diagnostic> {
    let mut out = Vec::with_capacity(list.len());
    let mut cache: Option<(&Arc<Source>, LineIndex<'_>)> = None;
    for d in list {
        let ix = match cache.take() {
            Some((src, ix)) if Arc::ptr_eq(src, &d.source) => (src, ix),
            _ => (&d.source, LineIndex::new(d.source.text())),
        };
        out.push(ix.1.diagnostic(
            severity(d.severity),
            d.code,
            d.message.clone(),
            d.path.clone(),
            d.help.clone(),
            (d.span.start as usize, d.span.end as usize),
        ));
        cache = Some(ix);
    }
    out
}

fn statement_info(policy: &Policy, index: usize) -> Option<StatementInfo> {
    let loc = policy.statement_location(index)?;
    Some(StatementInfo {
        index: to_u32(index),
        sid: policy.sid(index).map(str::to_string),
        line: loc.line,
        column: loc.column,
        utf16_start: loc.utf16_start,
        utf16_end: loc.utf16_end,
    })
}

/// `lint(text, type)`: the parser's diagnostics (errors and warnings) for `type_name`,
/// and the findings of `policy_core::lint` for that type.
///
/// Errors: an unknown type name.
pub fn lint(text: &str, type_name: &str) -> Result<LintResult, ApiError> {
    let ty = PolicyTypeName::parse(type_name).ok_or_else(|| {
        error(format!(
            "unknown policy type `{type_name}`: expected identity, resource, boundary, session, scp, rcp or endpoint"
        ))
    })?;
    let src = Source::new("policy.json", text);
    let findings = lint_findings(&src, ty);
    Ok(match parse_policy(&src, ty.core()) {
        Ok(parsed) => LintResult {
            ty,
            valid: true,
            diagnostics: diagnostics(&parsed.warnings),
            findings,
        },
        Err(e) => LintResult {
            ty,
            valid: e.diagnostics.iter().all(|d| d.severity != Severity::Error),
            diagnostics: diagnostics(&e.diagnostics),
            findings,
        },
    })
}

/// The linter's findings for the text as a policy of type `ty`.
fn lint_findings(src: &Arc<Source>, ty: PolicyTypeName) -> Vec<LintFinding> {
    use policy_core::{LintPolicyType as L, LintSeverity as S};
    let lty = match ty {
        PolicyTypeName::Identity => L::Identity,
        PolicyTypeName::Resource => L::Resource,
        PolicyTypeName::Boundary => L::Boundary,
        PolicyTypeName::Session => L::Session,
        PolicyTypeName::Scp => L::Scp,
        PolicyTypeName::Rcp => L::Rcp,
        PolicyTypeName::Endpoint => L::Endpoint,
    };
    policy_core::lint(src, Some(lty))
        .findings
        .into_iter()
        .map(|f| LintFinding {
            code: f.code.to_string(),
            severity: match f.severity {
                S::Error => LintSeverityName::Error,
                S::SecurityWarning => LintSeverityName::SecurityWarning,
                S::Warning => LintSeverityName::Warning,
                S::Suggestion => LintSeverityName::Suggestion,
            },
            message: f.message,
            help: f.help,
            path: f.path,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            start: f.start,
            end: f.end,
            utf16_start: f.utf16_start,
            utf16_end: f.utf16_end,
        })
        .collect()
}

/// `parse(text)`: the diagnostics every policy type reports, the types the text is
/// valid as, and its statements.
pub fn parse(text: &str) -> ParseResult {
    let src = Source::new("policy.json", text);
    let mut types = Vec::new();
    let mut first_policy: Option<Policy> = None;
    let mut common: Option<Vec<policy_core::Diagnostic>> = None;
    for ty in PolicyTypeName::ALL {
        let diags = match parse_policy(&src, ty.core()) {
            Ok(parsed) => {
                types.push(ty);
                if first_policy.is_none() {
                    first_policy = Some(parsed.policy);
                }
                parsed.warnings
            }
            Err(e) => e.diagnostics,
        };
        common = Some(match common {
            None => diags,
            Some(prev) => prev
                .into_iter()
                .filter(|d| {
                    diags
                        .iter()
                        .any(|o| o.code == d.code && o.span == d.span && o.message == d.message)
                })
                .collect(),
        });
    }
    let (version, id, statements) = match &first_policy {
        Some(p) => (
            serde_json::to_value(p.version())
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
            p.id().map(str::to_string),
            (0..p.statement_count()).filter_map(|i| statement_info(p, i)).collect(),
        ),
        None => (None, None, Vec::new()),
    };
    ParseResult {
        valid: !types.is_empty(),
        types,
        diagnostics: diagnostics(&common.unwrap_or_default()),
        version,
        id,
        statements,
    }
}

pub(crate) fn error(message: String) -> ApiError {
    ApiError {
        message,
        file: None,
        line: None,
        column: None,
        path: None,
        diagnostics: Vec::new(),
    }
}

fn document_error(e: DocumentError) -> ApiError {
    ApiError {
        diagnostics: diagnostics(&e.diagnostics),
        message: e.message,
        file: Some(e.file),
        line: Some(e.line),
        column: Some(e.column),
        path: if e.path.is_empty() { None } else { Some(e.path) },
    }
}

/// The clock option as seconds since the epoch, or none.
///
/// Errors: a time that is not a finite number.
pub fn clock_seconds(clock: Option<Clock>, now: impl FnOnce() -> f64) -> Result<Option<i64>, ApiError> {
    let secs = match clock {
        None | Some(Clock::On(true)) => now(),
        Some(Clock::On(false)) => return Ok(None),
        Some(Clock::At(t)) => t,
    };
    if !secs.is_finite() || secs.abs() > 1e13 {
        return Err(error(format!(
            "clock: `{secs}` is not a time in seconds since the epoch"
        )));
    }
    Ok(Some(secs.floor() as i64))
}

/// `aws:CurrentTime` (`2025-01-31T12:00:00Z`) for seconds since the epoch.
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The clock's context keys as a partial document, as `policy-sim eval` adds them.
fn clock_document(secs: i64) -> Option<PartialDocument> {
    let text = serde_json::json!({
        "context": { "aws:CurrentTime": iso8601(secs), "aws:EpochTime": secs.to_string() }
    })
    .to_string();
    PartialDocument::parse(&Source::new("<clock>", text), &mut NoFiles).ok()
}

/// `evaluate(document)`: what `policy-sim eval --format json` prints for the request
/// document `text` (inline policies only: a path is an error).
///
/// Errors: the request document's error, with line, column, path and, for an invalid
/// inline policy, its diagnostics.
pub fn evaluate(
    text: &str,
    options: &EvaluateOptions,
    now: impl FnOnce() -> f64,
) -> Result<policy_core::Response, ApiError> {
    let secs = clock_seconds(options.clock, now)?;
    let src = Source::new(options.name.as_deref().unwrap_or("request.json"), text);
    let mut doc = PartialDocument::parse(&src, &mut NoFiles).map_err(document_error)?;
    if let Some(clock) = secs.and_then(clock_document) {
        doc = doc.over(&clock);
    }
    let doc = doc.finish(&src).map_err(document_error)?;
    let ev = evaluate_with(&doc.policies, &doc.request, EvalOptions { near_misses: true });
    Ok(policy_core::Response::new(
        &ev,
        &doc.policies,
        &doc.request,
        doc.id.clone(),
    ))
}

/// One editor's parsed policy, kept while its text does not change.
#[derive(Debug, Clone)]
struct Parsed {
    ty: PolicyTypeName,
    text: String,
    /// The policy, or none when the text is blank or invalid.
    policy: Option<Arc<Policy>>,
    /// Errors and warnings.
    diagnostics: Vec<Diagnostic>,
    invalid: bool,
}

impl Parsed {
    fn new(id: &str, ty: PolicyTypeName, text: String) -> Parsed {
        if text.trim().is_empty() {
            return Parsed {
                ty,
                text,
                policy: None,
                diagnostics: Vec::new(),
                invalid: false,
            };
        }
        let src = Source::new(id, text.as_str());
        match parse_policy(&src, ty.core()) {
            Ok(parsed) => Parsed {
                ty,
                text,
                policy: Some(Arc::new(parsed.policy)),
                diagnostics: diagnostics(&parsed.warnings),
                invalid: false,
            },
            Err(e) => Parsed {
                ty,
                text,
                policy: None,
                diagnostics: diagnostics(&e.diagnostics),
                invalid: true,
            },
        }
    }
}

/// An editor in this call.
struct Panel<'a> {
    id: &'a str,
    parsed: &'a Parsed,
    result: PanelResult,
}

/// The playground's state between keystrokes: each editor's parsed policy, so a call
/// re-parses only the editors whose text changed.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    request: String,
    panels: HashMap<String, Parsed>,
}

fn has_policies(set: &PolicySet) -> bool {
    !set.identity.is_empty()
        || set.resource.is_some()
        || set.permissions_boundary.is_some()
        || set.session.is_some()
        || !set.scp.is_empty()
        || !set.rcp.is_empty()
        || !set.vpc_endpoint.is_empty()
}

/// Puts `policy` in its slot of `set`: its slot label, or why it has none.
fn place(set: &mut PolicySet, ty: PolicyTypeName, level: u32, policy: &Arc<Policy>) -> Result<String, String> {
    let single = |slot: &mut Option<Arc<Policy>>, name: &str| {
        if slot.is_some() {
            return Err(format!("only one {name} applies to a request: remove this one"));
        }
        *slot = Some(policy.clone());
        Ok(name.to_string())
    };
    let level = level as usize;
    let levels = |levels: &mut Vec<Vec<Arc<Policy>>>, name: &str| {
        if level >= 16 {
            return Err(format!(
                "{name} level {level}: an organization path has at most 6 levels"
            ));
        }
        while levels.len() <= level {
            levels.push(Vec::new());
        }
        let at = levels.get_mut(level).ok_or_else(|| "no such level".to_string())?;
        at.push(policy.clone());
        Ok(format!("{name}[{level}][{}]", at.len() - 1))
    };
    match ty {
        PolicyTypeName::Identity => {
            set.identity.push(policy.clone());
            Ok(format!("identity[{}]", set.identity.len() - 1))
        }
        PolicyTypeName::Resource => single(&mut set.resource, "resource"),
        PolicyTypeName::Boundary => single(&mut set.permissions_boundary, "permissionsBoundary"),
        PolicyTypeName::Session => single(&mut set.session, "session"),
        PolicyTypeName::Scp => levels(&mut set.scp, "scp"),
        PolicyTypeName::Rcp => levels(&mut set.rcp, "rcp"),
        PolicyTypeName::Endpoint => {
            set.vpc_endpoint.push(policy.clone());
            Ok(format!("vpcEndpoint[{}]", set.vpc_endpoint.len() - 1))
        }
    }
}

fn verdict_label(ty: PolicyTypeName, level: u32, endpoint_index: usize) -> String {
    match ty {
        PolicyTypeName::Identity => "identity".into(),
        PolicyTypeName::Resource => "resource".into(),
        PolicyTypeName::Boundary => "permissionsBoundary".into(),
        PolicyTypeName::Session => "session".into(),
        PolicyTypeName::Scp => format!("scp[{level}]"),
        PolicyTypeName::Rcp => format!("rcp[{level}]"),
        PolicyTypeName::Endpoint => format!("vpcEndpoint[{endpoint_index}]"),
    }
}

/// `evaluateWorkspace(input)`: the playground's call, without state (every text must
/// be given). See [`Workspace::evaluate`].
pub fn evaluate_workspace(input: &WorkspaceInput, now: impl FnOnce() -> f64) -> WorkspaceResult {
    Workspace::default().evaluate(input, now)
}

impl Workspace {
    /// The playground's call. Each editor's policy is parsed on its own (its
    /// diagnostics located in its own text) and only when its text is new; the request
    /// document is parsed from the request editor; the response's deciding statements
    /// and near misses are mapped back to their editors. An absent text (request or
    /// policy) is the one of the previous call.
    pub fn evaluate(&mut self, input: &WorkspaceInput, now: impl FnOnce() -> f64) -> WorkspaceResult {
        if let Some(r) = &input.request {
            if *r != self.request {
                self.request.clone_from(r);
            }
        }
        let mut missing: Vec<&str> = Vec::new();
        for p in &input.policies {
            let fresh = match (&p.text, self.panels.get(&p.id)) {
                (Some(t), Some(c)) => c.ty != p.ty || c.text != *t,
                (Some(_), None) => true,
                (None, Some(c)) => c.ty != p.ty,
                (None, None) => {
                    missing.push(&p.id);
                    false
                }
            };
            if fresh {
                let text = match &p.text {
                    Some(t) => t.clone(),
                    None => self.panels.get(&p.id).map(|c| c.text.clone()).unwrap_or_default(),
                };
                self.panels.insert(p.id.clone(), Parsed::new(&p.id, p.ty, text));
            }
        }
        self.panels.retain(|id, _| input.policies.iter().any(|p| p.id == *id));
        let none = Parsed::new("", PolicyTypeName::Identity, String::new());

        let mut set = PolicySet::default();
        let mut panels: Vec<Panel<'_>> = Vec::with_capacity(input.policies.len());
        let mut invalid: Vec<String> = Vec::new();
        let mut endpoints = 0usize;
        for p in &input.policies {
            let parsed = self.panels.get(&p.id).unwrap_or(&none);
            let mut result = PanelResult {
                id: p.id.clone(),
                slot: None,
                verdict_label: verdict_label(p.ty, p.level, endpoints),
                diagnostics: parsed.diagnostics.clone(),
                deciding: Vec::new(),
                near_misses: Vec::new(),
            };
            if missing.contains(&p.id.as_str()) {
                result.diagnostics.push(LineIndex::new("").diagnostic(
                    SeverityName::Error,
                    "no-text",
                    "no text was given for this editor".into(),
                    String::new(),
                    None,
                    (0, 0),
                ));
                invalid.push(p.id.clone());
            } else if parsed.invalid {
                invalid.push(p.id.clone());
            } else if let Some(pol) = &parsed.policy {
                match place(&mut set, p.ty, p.level, pol) {
                    Ok(slot) => {
                        if p.ty == PolicyTypeName::Endpoint {
                            endpoints += 1;
                        }
                        result.slot = Some(slot);
                    }
                    Err(message) => {
                        let ix = LineIndex::new(&parsed.text);
                        result.diagnostics.insert(
                            0,
                            ix.diagnostic(
                                SeverityName::Error,
                                "extra-policy",
                                message,
                                String::new(),
                                None,
                                (0, 1),
                            ),
                        );
                        invalid.push(p.id.clone());
                    }
                }
            }
            panels.push(Panel {
                id: &p.id,
                parsed,
                result,
            });
        }

        let (request, request_diagnostics) = request_document(&self.request, input.clock, now);
        let mut error = None;
        let mut response = None;
        if !request_diagnostics.is_empty() {
            error = Some("the request is not valid".to_string());
        } else if !invalid.is_empty() {
            error = Some(format!(
                "invalid {}: {}",
                if invalid.len() == 1 { "policy" } else { "policies" },
                invalid.join(", ")
            ));
        } else if let Some(doc) = request {
            let ev = evaluate_with(&set, &doc.request, EvalOptions { near_misses: true });
            let resp = policy_core::Response::new(&ev, &set, &doc.request, doc.id.clone());
            mark(&resp, &mut panels);
            match serde_json::to_value(&resp) {
                Ok(v) => response = Some(v),
                Err(e) => error = Some(e.to_string()),
            }
        }
        WorkspaceResult {
            response,
            error,
            request_diagnostics,
            panels: panels.into_iter().map(|p| p.result).collect(),
        }
    }
}

/// The request editor's document, or its diagnostics.
fn request_document(
    text: &str,
    clock: Option<Clock>,
    now: impl FnOnce() -> f64,
) -> (Option<policy_core::RequestDocument>, Vec<Diagnostic>) {
    let ix = LineIndex::new(text);
    let mut out = Vec::new();
    let doc_error = |e: DocumentError, out: &mut Vec<Diagnostic>| {
        let start = ix.byte_at(e.line, e.column);
        out.push(ix.diagnostic(
            SeverityName::Error,
            "request",
            e.message.clone(),
            e.path.clone(),
            None,
            ix.to_line_end(start),
        ));
        out.extend(diagnostics(&e.diagnostics));
    };
    let secs = match clock_seconds(clock, now) {
        Ok(s) => s,
        Err(e) => {
            out.push(ix.diagnostic(SeverityName::Error, "clock", e.message, String::new(), None, (0, 0)));
            return (None, out);
        }
    };
    let src = Source::new("request", text);
    let mut doc = match PartialDocument::parse(&src, &mut NoFiles) {
        Ok(d) => d,
        Err(e) => {
            doc_error(e, &mut out);
            return (None, out);
        }
    };
    if let Some(clock) = secs.and_then(clock_document) {
        doc = doc.over(&clock);
    }
    match doc.finish(&src) {
        Err(e) => {
            doc_error(e, &mut out);
            (None, out)
        }
        Ok(doc) if has_policies(&doc.policies) => {
            let at = text.find("\"policies\"").unwrap_or(0);
            out.push(ix.diagnostic(
                SeverityName::Error,
                "request-policies",
                "give the policies in the policy editors, not in the request".into(),
                "policies".into(),
                None,
                (at, at + "\"policies\"".len()),
            ));
            (None, out)
        }
        Ok(doc) => (Some(doc), out),
    }
}

/// The statement index a deciding label ends with (`identity[0].Statement[2]` → 2).
fn label_index(label: &str) -> Option<usize> {
    label.rsplit_once(".Statement[")?.1.strip_suffix(']')?.parse().ok()
}

/// Puts the response's deciding statements and near misses on their editors.
fn mark(resp: &policy_core::Response, panels: &mut [Panel<'_>]) {
    let by_id: HashMap<&str, usize> = panels.iter().enumerate().rev().map(|(i, p)| (p.id, i)).collect();
    for d in &resp.deciding {
        let (Some(file), Some(line), Some(column)) = (&d.file, d.line, d.column) else {
            continue;
        };
        let Some(panel) = by_id.get(file.as_str()).and_then(|&i| panels.get_mut(i)) else {
            continue;
        };
        let Some(policy) = &panel.parsed.policy else {
            continue;
        };
        let at = |i: usize| statement_info(policy, i).filter(|s| s.line == line && s.column == column);
        // The label names the statement; its location confirms it.
        let found = label_index(&d.label)
            .and_then(at)
            .or_else(|| (0..policy.statement_count()).find_map(at));
        if let Some(statement) = found {
            panel.result.deciding.push(Mark {
                label: d.label.clone(),
                effect: d.effect.unwrap_or("Allow").to_string(),
                statement,
            });
        }
    }
    let mut indexes: HashMap<usize, LineIndex<'_>> = HashMap::new();
    for m in &resp.near_misses {
        let Some(loc) = &m.location else { continue };
        let mut parts = loc.rsplitn(3, ':');
        let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(line), Ok(column)) = (line.parse::<u32>(), col.parse::<u32>()) else {
            continue;
        };
        let Some(&i) = by_id.get(file) else { continue };
        let Some(panel) = panels.get_mut(i) else { continue };
        let text: &str = &panel.parsed.text;
        let ix = indexes.entry(i).or_insert_with(|| LineIndex::new(text));
        panel.result.near_misses.push(MissMark {
            label: m.label.clone(),
            why: m.why.clone(),
            line,
            column,
            utf16_start: ix.utf16(ix.byte_at(line, column)),
        });
    }
}
