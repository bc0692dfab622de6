//! Reading a suite: the file's tree (YAML or JSON, with spans), the request documents
//! in it parsed by the request document's own parser, every error located in the file.
//!
//! The parts of the suite that are request documents (`defaults`, `policies`, each
//! test's request members, each element of a test's lists) are written out as JSON,
//! each value on its line in the file (so inline policies keep their line numbers in
//! responses and coverage), and parsed with [`PartialDocument::parse_at`]; an error
//! found there is mapped back through the emitted text's places to the exact spot in
//! the suite.

use std::sync::Arc;

use super::{Case, Expectation, ExpectedDecision, Suite, SuiteFormat, SuiteLoader, Test, POLICY_TYPES};
use crate::document::{DocumentError, PartialDocument};
use crate::estate::{Estate, Resolver};
use crate::eval::PolicySlot;
use crate::parse::Diagnostic;
use crate::policy::Policy;
use crate::span::{Source, Span};
use crate::tree::{
    emit, emit_entries, json_tree, map_span, yaml_tree, Cursor, EmitOptions, Flavor, Kind, Node, Places,
};

/// Most cases one test may expand to.
pub(crate) const MAX_CASES_PER_TEST: usize = 100_000;

/// The suite's own members.
const SUITE_MEMBERS: [&str; 6] = ["name", "description", "policies", "defaults", "estate", "tests"];

/// A test's members that are not request document members.
const TEST_MEMBERS: [&str; 3] = ["name", "description", "expect"];

/// Members that may be lists in a test, in the order cases are named.
const QUANTIFIED: [&str; 3] = ["principal", "action", "resource"];

/// The emitted JSON of the suite's request documents, and where each value came from.
struct Emitted {
    text: String,
    places: Places,
    cursor: Cursor,
}

impl Emitted {
    fn opts<'s>(&self, original: &'s Source, format: SuiteFormat) -> EmitOptions<'s> {
        EmitOptions {
            opaque_prefix: '\u{1}',
            numbers_as_strings: format == SuiteFormat::Yaml,
            align: Some(original),
        }
    }

    /// Emits the members of mapping `node` that `keep` keeps, as an object; returns the
    /// emitted span.
    fn members(
        &mut self,
        node: &Node,
        keep: impl Fn(&str, &Node) -> bool,
        original: &Source,
        format: SuiteFormat,
    ) -> Span {
        let opts = self.opts(original, format);
        if let Some(src) = opts.align {
            self.cursor.seek(&mut self.text, src, node.span);
        }
        let start = self.text.len();
        if let Kind::Map(entries) = &node.kind {
            let kept = entries.iter().filter(|(k, _, v)| keep(k, v));
            emit_entries(kept, &mut self.text, &mut self.places, opts, &mut self.cursor);
        }
        self.places.push((Span::new(start, self.text.len()), node.span));
        self.text.push(' ');
        Span::new(start, self.text.len() - 1)
    }

    /// Emits `node` (with `wrap`: as the single member `wrap` of an object); returns
    /// the emitted span.
    fn piece(&mut self, node: &Node, wrap: Option<&str>, original: &Source, format: SuiteFormat) -> Span {
        let opts = self.opts(original, format);
        let start = self.text.len();
        if let Some(w) = wrap {
            // The wrapper's tokens go where the value is, so a wrapper never pushes the
            // value past its line.
            let wrapper = Node {
                kind: Kind::Map(vec![(w.to_string(), node.span, node.clone())]),
                span: node.span,
            };
            emit(&wrapper, &mut self.text, &mut self.places, opts, &mut self.cursor);
        } else {
            emit(node, &mut self.text, &mut self.places, opts, &mut self.cursor);
        }
        // Keep pieces apart (whitespace between JSON values).
        self.text.push(' ');
        Span::new(start, self.text.len() - 1)
    }
}

/// Collects errors against the original file.
struct Errors<'a> {
    original: &'a Arc<Source>,
    list: Vec<DocumentError>,
}

impl Errors<'_> {
    fn at(&mut self, code: &'static str, span: Span, path: &str, message: String) {
        let loc = self.original.locate(span);
        self.list.push(DocumentError {
            code,
            file: self.original.name().to_string(),
            line: loc.line,
            column: loc.column,
            path: path.to_string(),
            message,
            diagnostics: Vec::new(),
        });
    }
}

/// Maps what the emitted text says back to the suite file.
struct Mapper<'a> {
    emitted: &'a Arc<Source>,
    places: &'a Places,
    inline: &'a InlineMap,
    original: &'a Arc<Source>,
}

impl Mapper<'_> {
    fn span(&self, s: Span) -> Span {
        map_span(self.places, s).unwrap_or_default()
    }

    fn diagnostic(&self, mut d: Diagnostic) -> Diagnostic {
        if Arc::ptr_eq(&d.source, self.emitted) {
            d.span = self.span(d.span);
            d.source = self.original.clone();
        }
        d
    }

    /// `e` (positions in the emitted text) as an error in the suite file; its path
    /// under `prefix`.
    fn error(&self, e: DocumentError, prefix: &str) -> DocumentError {
        let at = self.inline.offset(e.line, e.column).unwrap_or(0);
        let loc = self.original.locate(self.span(Span::new(at, at)));
        let path = match (prefix.is_empty(), e.path.is_empty()) {
            (_, true) => prefix.to_string(),
            (true, false) => e.path.clone(),
            (false, false) => format!("{prefix}.{}", e.path),
        };
        DocumentError {
            code: e.code,
            file: self.original.name().to_string(),
            line: loc.line,
            column: loc.column,
            path,
            message: e.message,
            diagnostics: e.diagnostics.into_iter().map(|d| self.diagnostic(d)).collect(),
        }
    }
}

/// Where the suite's own text (inline policies) is in the suite file: the emitted
/// JSON's positions mapped back, exactly, through the places of its values.
#[derive(Debug, Clone, Default)]
pub(crate) struct InlineMap {
    /// The emitted text (its name is the suite file's).
    emitted: Option<Arc<Source>>,
    /// Byte offset of each line of the emitted text.
    line_starts: Vec<usize>,
    /// (emitted start, emitted length, the file's span) of every value, by start and
    /// then length: the first entry at a start is the smallest value there.
    starts: Vec<(u32, u32, Span)>,
    original: Option<Arc<Source>>,
}

impl InlineMap {
    fn new(emitted: &Arc<Source>, places: &Places, original: &Arc<Source>) -> InlineMap {
        let mut starts: Vec<(u32, u32, Span)> = places
            .iter()
            .map(|(inner, outer)| (inner.start, inner.end - inner.start, *outer))
            .collect();
        starts.sort_unstable_by_key(|(s, l, _)| (*s, *l));
        let mut line_starts = vec![0];
        line_starts.extend(emitted.text().match_indices('\n').map(|(i, _)| i + 1));
        InlineMap {
            emitted: Some(emitted.clone()),
            line_starts,
            starts,
            original: Some(original.clone()),
        }
    }

    /// Whether `source` is the emitted text (a policy written inline in the suite).
    pub(crate) fn is_inline(&self, source: &Arc<Source>) -> bool {
        self.emitted.as_ref().is_some_and(|e| Arc::ptr_eq(e, source))
    }

    /// The file's span of the value the emitted text has at `line`, `column`.
    /// Byte offset of 1-based `line` and `column` (characters) in the emitted text.
    fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let text = self.emitted.as_ref()?.text();
        let start = *self.line_starts.get((line as usize).checked_sub(1)?)?;
        let rest = text.get(start..)?;
        Some(
            start
                + rest
                    .char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(rest.len(), |(i, _)| i),
        )
    }

    /// The file's span of the value the emitted text has at `line`, `column`.
    fn span_at(&self, line: u32, column: u32) -> Option<Span> {
        let at = self.offset(line, column)?;
        let at = u32::try_from(at).ok()?;
        let i = self.starts.partition_point(|(s, _, _)| *s < at);
        self.starts
            .get(i)
            .filter(|(s, _, _)| *s == at)
            .map(|(_, _, span)| *span)
    }

    /// `line`, `column` of the emitted text as line and column of the suite file.
    pub(crate) fn locate(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let span = self.span_at(line, column)?;
        let loc = self.original.as_ref()?.locate(span);
        Some((loc.line, loc.column))
    }

    /// The file's (line, column, end line) of the value at the emitted `line`, `column`.
    pub(crate) fn locate_span(&self, line: u32, column: u32) -> Option<(u32, u32, u32)> {
        let span = self.span_at(line, column)?;
        let original = self.original.as_ref()?;
        let loc = original.locate(span);
        // A YAML block mapping's span runs on to the next token: its end is its last
        // character that is not white space.
        let text = original
            .text()
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let end = span.start as usize + text.trim_end().len();
        let end = original.locate(Span::new(end.saturating_sub(1), end));
        Some((loc.line, loc.column, end.line.max(loc.line)))
    }

    /// Points the deciding statements and near misses of `resp` that are in the suite's
    /// own text at their place in the suite file.
    pub(crate) fn relocate(&self, resp: &mut crate::Response) {
        let Some(name) = self.original.as_ref().map(|o| o.name().to_string()) else {
            return;
        };
        for d in &mut resp.deciding {
            if let (Some(f), Some(l), Some(c)) = (&d.file, d.line, d.column) {
                if *f == name {
                    if let Some((l, c)) = self.locate(l, c) {
                        d.line = Some(l);
                        d.column = Some(c);
                    }
                }
            }
        }
        for m in &mut resp.near_misses {
            let Some(loc) = m.location.as_deref() else { continue };
            let Some(rest) = loc.strip_prefix(name.as_str()).and_then(|r| r.strip_prefix(':')) else {
                continue;
            };
            let mut it = rest.split(':');
            let (Some(Ok(l)), Some(Ok(c)), None) = (
                it.next().map(str::parse::<u32>),
                it.next().map(str::parse::<u32>),
                it.next(),
            ) else {
                continue;
            };
            if let Some((l, c)) = self.locate(l, c) {
                m.location = Some(format!("{name}:{l}:{c}"));
            }
        }
    }
}

/// A part of the suite to parse as a request document.
struct Piece {
    span: Span,
    /// Where it is in the suite (`tests[3]`, `defaults`, `tests[3].principal[1]`).
    path: String,
    /// Errors in it are at `path` itself (an element of a list, wrapped in an object).
    exact: bool,
}

/// A test as read, before its request documents are parsed.
struct RawTest {
    name: String,
    node: Node,
    expect: Option<Expectation>,
    /// The test has an error already (reported): its request is still checked.
    bad: bool,
    piece: Piece,
    /// Per list member: each element's piece and value.
    lists: Vec<(&'static str, Vec<(Piece, serde_json::Value)>)>,
}

pub(super) fn parse(
    original: &Arc<Source>,
    loader: &mut dyn SuiteLoader,
    env: &PartialDocument,
) -> Result<Suite, Vec<DocumentError>> {
    let format = SuiteFormat::detect(original.name(), original.text());
    let mut errs = Errors {
        original,
        list: Vec::new(),
    };
    let tree = match format {
        SuiteFormat::Json => json_tree(original.text(), Flavor::Data),
        SuiteFormat::Yaml => yaml_tree(original.text(), Flavor::Data),
    };
    let mut root = match tree {
        Ok(root) => root,
        Err((at, message)) => {
            let code = match format {
                SuiteFormat::Json => "json-syntax",
                SuiteFormat::Yaml => "yaml-syntax",
            };
            errs.at(code, Span::new(at, at), "", message);
            return Err(errs.list);
        }
    };
    let Kind::Map(members) = &root.kind else {
        errs.at(
            "invalid-value",
            root.span,
            "",
            "a suite is a mapping with `tests` (and `policies`, `defaults`, `name`)".into(),
        );
        return Err(errs.list);
    };
    check_tags(&root, &mut Vec::new(), &mut errs);
    if !errs.list.is_empty() {
        return Err(errs.list);
    }
    check_members(members, &SUITE_MEMBERS, "", "suite", &mut errs);
    let name = match root.get("name") {
        None => file_stem(original.name()),
        Some(n) => scalar(n).unwrap_or_else(|| {
            errs.at("invalid-value", n.span, "name", "expected a string".into());
            String::new()
        }),
    };
    let estate = match root.get("estate") {
        None => None,
        Some(e) => match scalar(e) {
            None => {
                errs.at(
                    "invalid-value",
                    e.span,
                    "estate",
                    "expected the path of an estate snapshot (a folder)".into(),
                );
                None
            }
            Some(path) => match loader.estate(&path) {
                Ok(est) => Some(est),
                Err(message) => {
                    errs.at("unreadable-estate", e.span, "estate", message);
                    None
                }
            },
        },
    };
    let Some(tests_node) = root.get("tests") else {
        errs.at(
            "missing-member",
            root.span,
            "",
            "a suite needs `tests`, a list of tests".into(),
        );
        return Err(errs.list);
    };
    let Kind::Seq(_) = &tests_node.kind else {
        errs.at(
            "invalid-value",
            tests_node.span,
            "tests",
            "expected a list of tests".into(),
        );
        return Err(errs.list);
    };

    // Emit the request documents in file order (pieces of tests' lists after their test).
    let mut em = Emitted {
        text: String::new(),
        places: Places::new(),
        cursor: Cursor::default(),
    };
    let mut head: Vec<(&str, &Node)> = Vec::new();
    for key in ["defaults", "policies"] {
        if let Some(n) = root.get(key) {
            head.push((key, n));
        }
    }
    head.sort_by_key(|(_, n)| n.span.start);
    let mut defaults_piece = None;
    let mut policies_piece = None;
    for (key, n) in head {
        if key == "defaults" {
            if !matches!(n.kind, Kind::Map(_)) {
                errs.at(
                    "invalid-value",
                    n.span,
                    "defaults",
                    "expected a request document (a mapping)".into(),
                );
                continue;
            }
            defaults_piece = Some(em.piece(n, None, original, format));
        } else {
            policies_piece = Some(em.piece(n, Some("policies"), original, format));
        }
    }
    // The tests, moved out of the tree (each test keeps its own node).
    let test_nodes: Vec<Node> = match &mut root.kind {
        Kind::Map(m) => m
            .iter_mut()
            .find(|(k, _, _)| k == "tests")
            .map(|(_, _, v)| match &mut v.kind {
                Kind::Seq(s) => std::mem::take(s),
                _ => Vec::new(),
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut raw_tests = Vec::with_capacity(test_nodes.len());
    for (i, t) in test_nodes.into_iter().enumerate() {
        if let Some(rt) = read_test(t, i, &mut em, original, format, &mut errs) {
            raw_tests.push(rt);
        }
    }

    let emitted = Source::new(original.name(), std::mem::take(&mut em.text));
    let inline = InlineMap::new(&emitted, &em.places, original);
    let mapper = Mapper {
        emitted: &emitted,
        places: &em.places,
        inline: &inline,
        original,
    };
    let mut parse_piece = |piece: &Piece, errs: &mut Errors<'_>| -> Option<PartialDocument> {
        match PartialDocument::parse_at(&emitted, piece.span, loader.policies()) {
            Ok(d) => Some(d),
            Err(e) => {
                let mut e = mapper.error(e, &piece.path);
                if piece.exact {
                    e.path.clone_from(&piece.path);
                }
                errs.list.push(e);
                None
            }
        }
    };
    let head_piece = |span: Span, path: &str| Piece {
        span,
        path: path.to_string(),
        exact: false,
    };
    let defaults = defaults_piece.and_then(|s| parse_piece(&head_piece(s, "defaults"), &mut errs));
    let policies = policies_piece.and_then(|s| parse_piece(&head_piece(s, ""), &mut errs));
    if let (Some(d), Some(p)) = (root.get("defaults"), root.get("policies")) {
        if d.get("policies").is_some() {
            errs.at(
                "invalid-value",
                p.span,
                "policies",
                "the policies are given both here and in `defaults`: give them once".into(),
            );
        }
    }
    let mut base = defaults.unwrap_or_default().over(env);
    if let Some(p) = policies {
        base = p.over(&base);
    }
    base.share_policies();

    if root.get("estate").is_some() && estate.is_none() {
        return Err(errs.list);
    }
    let mut resolver = estate.as_deref().map(Estate::resolver);
    let mut tests = Vec::with_capacity(raw_tests.len());
    for rt in raw_tests {
        if let Some(t) = build_test(rt, &base, &mut parse_piece, resolver.as_mut(), &mapper, &mut errs) {
            tests.push(t);
        }
    }
    drop(resolver);
    if !errs.list.is_empty() {
        return Err(errs.list);
    }

    let mut warnings: Vec<Diagnostic> = Vec::new();
    let mut policies: Vec<Arc<Policy>> = Vec::new();
    let mut seen_sets = std::collections::HashSet::new();
    let mut seen_policies = std::collections::HashSet::new();
    for case in tests.iter_mut().flat_map(|t| t.cases.iter_mut()) {
        let mapped: Vec<Diagnostic> = std::mem::take(&mut case.document.warnings)
            .into_iter()
            .map(|w| mapper.diagnostic(w))
            .collect();
        for w in &mapped {
            if !warnings
                .iter()
                .any(|x| x.span == w.span && Arc::ptr_eq(&x.source, &w.source) && x.code == w.code)
            {
                warnings.push(w.clone());
            }
        }
        case.document.warnings = mapped;
        if !seen_sets.insert(std::ptr::from_ref(case.policy_set())) {
            continue;
        }
        for p in case.policies() {
            if seen_policies.insert(Arc::as_ptr(p)) {
                policies.push(p.clone());
            }
        }
    }
    Ok(Suite {
        name,
        tests,
        warnings,
        source: original.clone(),
        format,
        policies,
        estate,
        inline,
    })
}

/// Whether `set` has no policy.
fn is_empty(set: &crate::PolicySet) -> bool {
    slots(set).is_empty()
}

/// Every policy of a set with its slot, in slot order.
pub(super) fn slots(set: &crate::PolicySet) -> Vec<(PolicySlot, &Arc<Policy>)> {
    let mut out = Vec::new();
    out.extend(
        set.identity
            .iter()
            .enumerate()
            .map(|(i, p)| (PolicySlot::Identity(i), p)),
    );
    out.extend(set.resource.iter().map(|p| (PolicySlot::Resource, p)));
    out.extend(
        set.permissions_boundary
            .iter()
            .map(|p| (PolicySlot::PermissionsBoundary, p)),
    );
    out.extend(set.session.iter().map(|p| (PolicySlot::Session, p)));
    for (l, level) in set.scp.iter().enumerate() {
        out.extend(level.iter().enumerate().map(|(i, p)| (PolicySlot::Scp(l, i), p)));
    }
    for (l, level) in set.rcp.iter().enumerate() {
        out.extend(level.iter().enumerate().map(|(i, p)| (PolicySlot::Rcp(l, i), p)));
    }
    out.extend(
        set.vpc_endpoint
            .iter()
            .enumerate()
            .map(|(i, p)| (PolicySlot::VpcEndpoint(i), p)),
    );
    out
}

fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    for ext in [".test.yaml", ".test.yml", ".test.json", ".yaml", ".yml", ".json"] {
        if let Some(s) = base.strip_suffix(ext) {
            return s.to_string();
        }
    }
    base.to_string()
}

/// A scalar's text (strings, numbers, booleans).
fn scalar(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Literal(l) if l != "null" => Some(l.clone()),
        _ => None,
    }
}

/// YAML tags have no meaning in a suite: each is an error.
fn check_tags<'n>(n: &'n Node, path: &mut Vec<PathPart<'n>>, errs: &mut Errors<'_>) {
    match &n.kind {
        Kind::Opaque(tag) => {
            let mut p = String::new();
            for part in path.iter() {
                match part {
                    PathPart::Key(k) if p.is_empty() => p.push_str(k),
                    PathPart::Key(k) => {
                        p.push('.');
                        p.push_str(k);
                    }
                    PathPart::Index(i) => p.push_str(&format!("[{i}]")),
                }
            }
            errs.at(
                "invalid-value",
                n.span,
                &p,
                format!("YAML tag `!{tag}` is not supported in a suite"),
            );
        }
        Kind::Map(m) => {
            for (k, _, v) in m {
                path.push(PathPart::Key(k));
                check_tags(v, path, errs);
                path.pop();
            }
        }
        Kind::Seq(s) => {
            for (i, v) in s.iter().enumerate() {
                path.push(PathPart::Index(i));
                check_tags(v, path, errs);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A step of a path into the tree, written out only for an error.
enum PathPart<'a> {
    Key(&'a str),
    Index(usize),
}

/// ` (did you mean `…`?)` for the closest of `candidates` to `word`, or nothing.
fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    crate::suggest::closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Unknown members of a suite (`known` complete) are errors, except extension members
/// (`x-…`, a place for YAML anchors); duplicate keys always are.
fn check_members(members: &[(String, Span, Node)], known: &[&str], path: &str, what: &str, errs: &mut Errors<'_>) {
    for (i, (k, span, _)) in members.iter().enumerate() {
        let p = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if members.iter().take(i).any(|(e, _, _)| e == k) {
            errs.at("duplicate-member", *span, &p, format!("member `{k}` is given twice"));
        }
        if !known.is_empty() && !known.contains(&k.as_str()) && !k.starts_with("x-") {
            let hint = did_you_mean(k, known);
            errs.at(
                "unknown-member",
                *span,
                &p,
                format!(
                    "unknown {what} member `{k}`{hint}: expected {}",
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}

fn read_expect(n: &Node, path: &str, errs: &mut Errors<'_>) -> Option<Expectation> {
    let decision = |v: &Node, errs: &mut Errors<'_>, path: &str| -> Option<ExpectedDecision> {
        let s = scalar(v);
        let d = s.as_deref().and_then(ExpectedDecision::parse);
        if d.is_none() {
            let hint = did_you_mean(s.as_deref().unwrap_or_default(), &ExpectedDecision::NAMES);
            errs.at(
                "invalid-value",
                v.span,
                path,
                format!("expected `Allow`, `Deny`, `ExplicitDeny` or `ImplicitDeny`{hint}"),
            );
        }
        d
    };
    match &n.kind {
        Kind::Map(m) => {
            check_members(m, &["decision", "sid", "blockedBy"], path, "expect", errs);
            let Some(dn) = n.get("decision") else {
                errs.at(
                    "missing-member",
                    n.span,
                    path,
                    "an expectation needs `decision` (`Allow`, `Deny`, `ExplicitDeny` or `ImplicitDeny`)".into(),
                );
                return None;
            };
            let d = decision(dn, errs, &format!("{path}.decision"))?;
            let sid = match n.get("sid") {
                None => None,
                Some(s) => match scalar(s) {
                    Some(v) => Some(v),
                    None => {
                        errs.at(
                            "invalid-value",
                            s.span,
                            &format!("{path}.sid"),
                            "expected a string".into(),
                        );
                        return None;
                    }
                },
            };
            let blocked_by = match n.get("blockedBy") {
                None => None,
                Some(b) => {
                    let s = scalar(b).unwrap_or_default();
                    match POLICY_TYPES.iter().find(|t| **t == s) {
                        Some(t) => Some(*t),
                        None => {
                            let hint = did_you_mean(&s, &POLICY_TYPES);
                            errs.at(
                                "invalid-value",
                                b.span,
                                &format!("{path}.blockedBy"),
                                format!(
                                    "unknown policy type `{s}`{hint}: expected {}",
                                    POLICY_TYPES.map(|t| format!("`{t}`")).join(", ")
                                ),
                            );
                            return None;
                        }
                    }
                }
            };
            if d == ExpectedDecision::Allow && blocked_by.is_some() {
                errs.at(
                    "invalid-value",
                    n.span,
                    path,
                    "`blockedBy` needs a deny: `Deny`, `ExplicitDeny` or `ImplicitDeny`".into(),
                );
                return None;
            }
            if d == ExpectedDecision::ImplicitDeny && sid.is_some() {
                errs.at(
                    "invalid-value",
                    n.span,
                    path,
                    "an implicit deny has no deciding statement: `sid` needs `Allow`, `Deny` or `ExplicitDeny`".into(),
                );
                return None;
            }
            Some(Expectation {
                decision: d,
                sid,
                blocked_by,
            })
        }
        _ => decision(n, errs, path).map(|d| Expectation {
            decision: d,
            sid: None,
            blocked_by: None,
        }),
    }
}

fn read_test(
    t: Node,
    i: usize,
    em: &mut Emitted,
    original: &Source,
    format: SuiteFormat,
    errs: &mut Errors<'_>,
) -> Option<RawTest> {
    let path = format!("tests[{i}]");
    let Kind::Map(members) = &t.kind else {
        errs.at(
            "invalid-value",
            t.span,
            &path,
            "a test is a mapping: `name`, the request (`principal`, `action`, `resource`, …) and `expect`".into(),
        );
        return None;
    };
    check_members(members, &[], &path, "test", errs);
    let name = match t.get("name") {
        Some(n) => match scalar(n) {
            Some(s) => s,
            None => {
                errs.at(
                    "invalid-value",
                    n.span,
                    &format!("{path}.name"),
                    "expected a string".into(),
                );
                String::new()
            }
        },
        None => {
            errs.at("missing-member", t.span, &path, "a test needs a `name`".into());
            String::new()
        }
    };
    let before = errs.list.len();
    let expect = t
        .get("expect")
        .and_then(|n| read_expect(n, &format!("{path}.expect"), errs));
    // A bad expectation fails the test, after its request has been checked too.
    let mut bad = errs.list.len() > before;
    // The members that are lists of principals, actions or resources.
    let quantified = |k: &str, v: &Node| QUANTIFIED.contains(&k) && matches!(v.kind, Kind::Seq(_));
    let mut list_nodes = Vec::new();
    for (k, _, v) in members {
        if let (Some(q), Kind::Seq(items)) = (QUANTIFIED.iter().find(|q| **q == k), &v.kind) {
            if items.is_empty() {
                errs.at(
                    "invalid-value",
                    v.span,
                    &format!("{path}.{k}"),
                    "an empty list: give at least one value".into(),
                );
                bad = true;
            }
            list_nodes.push((*q, items));
        }
    }
    let keep = |k: &str, v: &Node| !TEST_MEMBERS.contains(&k) && !quantified(k, v);
    let piece = Piece {
        span: em.members(&t, keep, original, format),
        path: path.clone(),
        exact: false,
    };
    let mut lists = Vec::new();
    let mut count = 1usize;
    for (q, items) in list_nodes {
        count = count.saturating_mul(items.len());
        let mut elems = Vec::with_capacity(items.len());
        for (j, item) in items.iter().enumerate() {
            let span = em.piece(item, Some(q), original, format);
            let value = serde_json::from_str::<serde_json::Value>(
                em.text.get(span.start as usize..span.end as usize).unwrap_or("null"),
            )
            .ok()
            .and_then(|v| v.get(q).cloned())
            .unwrap_or(serde_json::Value::Null);
            elems.push((
                Piece {
                    span,
                    path: format!("{path}.{q}[{j}]"),
                    exact: true,
                },
                value,
            ));
        }
        lists.push((q, elems));
    }
    if count > MAX_CASES_PER_TEST {
        errs.at(
            "invalid-value",
            t.span,
            &path,
            format!("the test's lists make {count} cases, more than the limit of {MAX_CASES_PER_TEST}: split it"),
        );
        bad = true;
    }
    Some(RawTest {
        name,
        node: t,
        expect,
        bad,
        piece,
        lists,
    })
}

/// How a pick is shown in a case's name: a string as is, anything else as JSON.
fn pick_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn build_test(
    rt: RawTest,
    base: &PartialDocument,
    parse_piece: &mut dyn FnMut(&Piece, &mut Errors<'_>) -> Option<PartialDocument>,
    mut resolver: Option<&mut Resolver<'_>>,
    mapper: &Mapper<'_>,
    errs: &mut Errors<'_>,
) -> Option<Test> {
    let own = parse_piece(&rt.piece, errs);
    let mut lists: Vec<(&'static str, Vec<(PartialDocument, serde_json::Value)>)> = Vec::new();
    let mut ok = true;
    for (q, elems) in &rt.lists {
        let mut docs = Vec::with_capacity(elems.len());
        for (piece, value) in elems {
            match parse_piece(piece, errs) {
                Some(d) => docs.push((d, value.clone())),
                None => ok = false,
            }
        }
        lists.push((q, docs));
    }
    let (Some(own), true, false) = (own, ok, rt.bad) else {
        return None;
    };
    let laid = own.over(base);
    let loc = mapper.original.locate(rt.node.span);
    let mut cases = Vec::new();
    // Every combination, the first list varying slowest.
    let total: usize = lists.iter().map(|(_, v)| v.len()).product();
    for n in 0..total {
        let mut rest = n;
        let mut picks = Vec::with_capacity(lists.len());
        let mut docs = Vec::with_capacity(lists.len());
        for (q, elems) in lists.iter().rev() {
            let len = elems.len().max(1);
            if let Some((d, v)) = elems.get(rest % len) {
                docs.push(d);
                picks.push((*q, v.clone()));
            }
            rest /= len;
        }
        picks.reverse();
        let mut doc = laid.clone();
        for d in docs {
            doc = d.clone().over(&doc);
        }
        let name = if picks.is_empty() {
            rt.name.clone()
        } else {
            format!(
                "{} [{}]",
                rt.name,
                picks.iter().map(|(_, v)| pick_text(v)).collect::<Vec<_>>().join(", ")
            )
        };
        let case_path = || {
            if picks.is_empty() {
                rt.piece.path.clone()
            } else {
                format!("{} (case {name})", rt.piece.path)
            }
        };
        let document = match doc.finish(mapper.original) {
            Ok(d) => d,
            Err(e) => {
                errs.list.push(DocumentError {
                    line: loc.line,
                    column: loc.column,
                    path: case_path(),
                    ..e
                });
                return None;
            }
        };
        // Over an estate: the request resolved as `eval --estate` resolves it; the
        // policies the suite gives replace the estate's.
        let resolved = match resolver.as_deref_mut() {
            None => None,
            Some(r) => match r.resolve_request(&document.request, document.policies.session.clone(), &[]) {
                Ok(res) if is_empty(&document.policies) => Some(res),
                Ok(res) => Some(res.with_policies(&document.policies)),
                Err(e) => {
                    errs.list.push(DocumentError {
                        code: e.code(),
                        file: mapper.original.name().to_string(),
                        line: loc.line,
                        column: loc.column,
                        path: case_path(),
                        message: e.to_string(),
                        diagnostics: Vec::new(),
                    });
                    return None;
                }
            },
        };
        cases.push(Case {
            name,
            document,
            picks,
            resolved,
        });
    }
    Some(Test {
        name: rt.name,
        location: loc,
        expect: rt.expect,
        cases,
        node: rt.node,
    })
}
