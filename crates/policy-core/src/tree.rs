//! A small tree of either JSON or YAML, every node with its byte span in the file, and
//! its emission back to JSON text with a map from the emitted text to the file.
//!
//! Used where documents of other formats hold policies or request documents:
//! CloudFormation templates (`lint::embedded`) and test suites (`suite`). JSON is read by
//! `jsonc-parser` with the parser's strict options, YAML by `saphyr-parser`.
//!
//! Two readings, chosen by [`Flavor`]:
//! - [`Flavor::CloudFormation`]: intrinsic functions (`{"Ref": …}`, `{"Fn::Sub": …}`,
//!   YAML `!Sub`, `!GetAtt`…) and aliases are [`Kind::Opaque`] values.
//! - [`Flavor::Data`]: YAML aliases are resolved (`*name` is the anchored node), merge
//!   keys (`<<: *defaults`) are applied, and a tagged node is [`Kind::Opaque`] (the
//!   reader decides whether that is an error).

use std::fmt::Write as _;

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::CollectOptions;
use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::span::{Source, Span};

/// Deepest nesting accepted (trees are built recursively).
pub(crate) const MAX_TREE_DEPTH: usize = 256;

/// Most nodes a YAML document may expand to through aliases (a guard against
/// "billion laughs" documents).
pub(crate) const MAX_TREE_NODES: usize = 2_000_000;

/// How to read a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// A CloudFormation template: intrinsic functions and aliases are opaque.
    CloudFormation,
    /// Plain data: aliases resolved, merge keys applied, tags opaque.
    Data,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Entries: key, the span of `key: value`, value.
    Map(Vec<(String, Span, Node)>),
    Seq(Vec<Node>),
    Str(String),
    /// A number, boolean or null, as its text.
    Literal(String),
    /// An intrinsic function or a tagged YAML node (its name), or an alias
    /// ([`Flavor::CloudFormation`]).
    Opaque(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) span: Span,
}

impl Node {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub(crate) fn str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
}

pub(crate) fn prop_name<'a>(n: &'a ObjectPropName<'a>) -> &'a str {
    match n {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

/// Whether the JSON text nests deeper than [`MAX_TREE_DEPTH`] (a scan, no recursion).
pub(crate) fn json_too_deep(text: &str) -> bool {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for b in text.bytes() {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_TREE_DEPTH {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Parses strict JSON into a [`Node`] tree; `Err((byte offset, message))` for invalid
/// JSON, nesting deeper than [`MAX_TREE_DEPTH`] or an empty text.
pub(crate) fn json_tree(text: &str, flavor: Flavor) -> Result<Node, (usize, String)> {
    if json_too_deep(text) {
        return Err((0, format!("JSON nesting deeper than the limit of {MAX_TREE_DEPTH}")));
    }
    let ast = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &crate::parse::strict_json())
        .map_err(|e| (e.range().start, e.kind().to_string()))?;
    ast.value
        .as_ref()
        .map(|v| from_json(v, flavor))
        .ok_or((0, "the document is empty".to_string()))
}

/// The single-key maps CloudFormation reads as intrinsic functions: `Ref`, `Fn::…`.
fn intrinsic_key(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

fn from_json(v: &Value, flavor: Flavor) -> Node {
    let r = |r: jsonc_parser::common::Range| Span::new(r.start, r.end);
    match v {
        Value::Object(o) => {
            if let [only] = o.properties.as_slice() {
                let k = prop_name(&only.name);
                if flavor == Flavor::CloudFormation && intrinsic_key(k) {
                    return Node {
                        kind: Kind::Opaque(k.to_string()),
                        span: r(o.range),
                    };
                }
            }
            Node {
                kind: Kind::Map(
                    o.properties
                        .iter()
                        .map(|p| (prop_name(&p.name).to_string(), r(p.range), from_json(&p.value, flavor)))
                        .collect(),
                ),
                span: r(o.range),
            }
        }
        Value::Array(a) => Node {
            kind: Kind::Seq(a.elements.iter().map(|e| from_json(e, flavor)).collect()),
            span: r(a.range),
        },
        Value::StringLit(s) => Node {
            kind: Kind::Str(s.value.to_string()),
            span: r(s.range),
        },
        Value::NumberLit(n) => Node {
            kind: Kind::Literal(n.value.to_string()),
            span: r(n.range),
        },
        Value::BooleanLit(b) => Node {
            kind: Kind::Literal(b.value.to_string()),
            span: r(b.range),
        },
        Value::NullKeyword(n) => Node {
            kind: Kind::Literal("null".into()),
            span: r(n.range),
        },
    }
}

/// Byte offset of a character index (the identity for ASCII text).
struct CharIndex(Option<Vec<usize>>, usize);

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        if text.is_ascii() {
            return CharIndex(None, text.len());
        }
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        CharIndex(Some(v), text.len())
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index.min(self.1),
            Some(v) => v.get(char_index).copied().unwrap_or(self.1),
        }
    }
}

/// Parses YAML into a [`Node`] tree (its first document); `Err((byte offset, message))`
/// for invalid YAML, nesting deeper than [`MAX_TREE_DEPTH`], an alias expanding past
/// [`MAX_TREE_NODES`] nodes, or an empty text. The tree is built as the parser reads.
pub(crate) fn yaml_tree(text: &str, flavor: Flavor) -> Result<Node, (usize, String)> {
    let mut b = YamlBuilder {
        events: Parser::new_from_str(text).peekable(),
        ix: CharIndex::new(text),
        depth: 0,
        flavor,
        anchors: std::collections::HashMap::new(),
        nodes: 0,
    };
    // Skip to the first node of the first document.
    while matches!(b.peek()?, Some(Event::StreamStart | Event::DocumentStart(_))) {
        b.next()?;
    }
    let node = b.build()?;
    // The rest of the stream must be valid YAML too.
    while b.next()?.is_some() {}
    node.ok_or((0, "the document is empty".to_string()))
}

fn tag_name(tag: &Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> Option<String> {
    tag.as_ref().filter(|t| t.handle == "!").map(|t| t.suffix.clone())
}

/// The size of a tree in nodes.
fn size(n: &Node) -> usize {
    match &n.kind {
        Kind::Map(m) => 1 + m.iter().map(|(_, _, v)| size(v)).sum::<usize>(),
        Kind::Seq(s) => 1 + s.iter().map(size).sum::<usize>(),
        _ => 1,
    }
}

type Events<'i> = std::iter::Peekable<Parser<'i, saphyr_parser::StrInput<'i>>>;

struct YamlBuilder<'i> {
    events: Events<'i>,
    ix: CharIndex,
    depth: usize,
    flavor: Flavor,
    anchors: std::collections::HashMap<usize, Node>,
    nodes: usize,
}

impl<'i> YamlBuilder<'i> {
    /// The next event, without taking it.
    fn peek(&mut self) -> Result<Option<&Event<'i>>, (usize, String)> {
        let ix = &self.ix;
        match self.events.peek() {
            None => Ok(None),
            Some(Ok((e, _))) => Ok(Some(e)),
            Some(Err(e)) => Err((ix.byte(e.marker().index()), e.info().to_string())),
        }
    }

    /// The next event and its span in bytes.
    fn next(&mut self) -> Result<Option<(Event<'i>, Span)>, (usize, String)> {
        match self.events.next() {
            None => Ok(None),
            Some(Err(e)) => Err((self.ix.byte(e.marker().index()), e.info().to_string())),
            Some(Ok((e, span))) => {
                let at = self.ix.byte(span.start.index());
                match e {
                    Event::SequenceStart(..) | Event::MappingStart(..) => self.depth += 1,
                    Event::SequenceEnd | Event::MappingEnd => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                if self.depth > MAX_TREE_DEPTH {
                    return Err((at, format!("nesting deeper than the limit of {MAX_TREE_DEPTH}")));
                }
                Ok(Some((e, Span::new(at, self.ix.byte(span.end.index())))))
            }
        }
    }

    fn count(&mut self, n: usize, at: Span) -> Result<(), (usize, String)> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_TREE_NODES {
            return Err((
                at.start as usize,
                format!("the document expands to more than {MAX_TREE_NODES} nodes through aliases"),
            ));
        }
        Ok(())
    }

    fn anchor(&mut self, id: usize, node: &Node) {
        if id != 0 && self.flavor == Flavor::Data {
            self.anchors.insert(id, node.clone());
        }
    }

    /// Takes the end event of a collection when it is next: its span's end.
    fn end_of(&mut self, end: &Event<'_>) -> Result<Option<u32>, (usize, String)> {
        if self
            .peek()?
            .is_some_and(|e| std::mem::discriminant(e) == std::mem::discriminant(end))
        {
            return Ok(self.next()?.map(|(_, s)| s.end));
        }
        Ok(None)
    }

    fn build(&mut self) -> Result<Option<Node>, (usize, String)> {
        let data = self.flavor == Flavor::Data;
        let Some((ev, span)) = self.next()? else {
            return Ok(None);
        };
        self.count(1, span)?;
        match ev {
            Event::Scalar(v, style, anchor, tag) => {
                if let Some(name) = tag_name(&tag) {
                    return Ok(Some(Node {
                        kind: Kind::Opaque(name),
                        span,
                    }));
                }
                let plain = matches!(style, ScalarStyle::Plain);
                let literal = plain
                    && (matches!(v.as_ref(), "true" | "false" | "null" | "~")
                        || (v.parse::<f64>().is_ok() && !v.contains(['-', '+', 'e', 'E']) || v.parse::<i64>().is_ok()));
                let kind = if literal {
                    Kind::Literal(if v == "~" { "null".into() } else { v.into_owned() })
                } else {
                    Kind::Str(v.into_owned())
                };
                let node = Node { kind, span };
                self.anchor(anchor, &node);
                Ok(Some(node))
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag_name(&tag);
                let mut items = Vec::new();
                let mut end = span.end;
                loop {
                    if let Some(e) = self.end_of(&Event::SequenceEnd)? {
                        end = e.max(end);
                        break;
                    }
                    match self.build()? {
                        Some(n) => {
                            end = end.max(n.span.end);
                            items.push(n);
                        }
                        None => break,
                    }
                }
                let span = Span::new(span.start as usize, end as usize);
                let node = match tag {
                    Some(name) => Node {
                        kind: Kind::Opaque(name),
                        span,
                    },
                    None => Node {
                        kind: Kind::Seq(items),
                        span,
                    },
                };
                self.anchor(anchor, &node);
                Ok(Some(node))
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag_name(&tag);
                let mut entries: Vec<(String, Span, Node)> = Vec::new();
                let mut merged: Vec<(String, Span, Node)> = Vec::new();
                let mut end = span.end;
                loop {
                    if let Some(e) = self.end_of(&Event::MappingEnd)? {
                        end = e.max(end);
                        break;
                    }
                    let Some(key) = self.build()? else { break };
                    let key_span = key.span;
                    let key_text = match &key.kind {
                        Kind::Str(s) | Kind::Literal(s) | Kind::Opaque(s) => s.clone(),
                        _ => String::new(),
                    };
                    let Some(value) = self.build()? else {
                        break;
                    };
                    end = end.max(value.span.end);
                    let entry = Span::new(key_span.start as usize, value.span.end as usize);
                    if data && key_text == "<<" && matches!(key.kind, Kind::Str(_)) {
                        // A merge key: the entries of the map (or maps) it names, below
                        // the mapping's own entries (https://yaml.org/type/merge.html).
                        match value.kind {
                            Kind::Map(m) => merged.extend(m),
                            Kind::Seq(maps) => {
                                for m in maps {
                                    if let Kind::Map(m) = m.kind {
                                        merged.extend(m);
                                    }
                                }
                            }
                            _ => entries.push((key_text, entry, value)),
                        }
                        continue;
                    }
                    entries.push((key_text, entry, value));
                }
                for (k, s, v) in merged {
                    if !entries.iter().any(|(e, _, _)| *e == k) {
                        entries.push((k, s, v));
                    }
                }
                let span = Span::new(span.start as usize, end as usize);
                if let Some(name) = tag {
                    return Ok(Some(Node {
                        kind: Kind::Opaque(name),
                        span,
                    }));
                }
                if let [(k, _, _)] = entries.as_slice() {
                    if !data && intrinsic_key(k) {
                        return Ok(Some(Node {
                            kind: Kind::Opaque(k.clone()),
                            span,
                        }));
                    }
                }
                let node = Node {
                    kind: Kind::Map(entries),
                    span,
                };
                self.anchor(anchor, &node);
                Ok(Some(node))
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    self.count(size(&node), span)?;
                    Ok(Some(node))
                }
                None if data => Err((span.start as usize, "an alias to an unknown anchor".to_string())),
                None => Ok(Some(Node {
                    kind: Kind::Opaque("alias".into()),
                    span,
                })),
            },
            Event::SequenceEnd | Event::MappingEnd | Event::StreamEnd | Event::DocumentEnd => Ok(None),
            _ => self.build(),
        }
    }
}

// ---------------------------------------------------------------------------------
// Node → JSON text, with the place of every value.

/// `(emitted span, span in the file)` for every emitted value and `"key": value` pair.
pub(crate) type Places = Vec<(Span, Span)>;

/// How [`emit`] writes values.
#[derive(Clone, Copy)]
pub(crate) struct EmitOptions<'s> {
    /// An opaque value is written as this character followed by its name, as a string.
    pub(crate) opaque_prefix: char,
    /// Numbers are written as strings of their text (YAML `111122223333` is an
    /// account id, not a number, for readers that take strings).
    pub(crate) numbers_as_strings: bool,
    /// Each value is written on the line of the file it comes from (and at its column
    /// when the line allows), so that positions in the emitted text are positions in
    /// the file: the file's source.
    pub(crate) align: Option<&'s Source>,
}

/// Where [`emit`] is in its output: 1-based line and column (for alignment).
pub(crate) struct Cursor {
    line: u32,
    column: u32,
}

impl Default for Cursor {
    /// The start of an empty output.
    fn default() -> Cursor {
        Cursor { line: 1, column: 1 }
    }
}

impl Cursor {
    fn push(&mut self, out: &mut String, s: &str) {
        out.push_str(s);
        match s.rfind('\n') {
            Some(i) => {
                self.line += u32::try_from(s.matches('\n').count()).unwrap_or(0);
                self.column = u32::try_from(s.get(i + 1..).unwrap_or("").chars().count() + 1).unwrap_or(u32::MAX);
            }
            None => self.column += u32::try_from(s.chars().count()).unwrap_or(0),
        }
    }

    /// Moves to the line and column of `span` in `src` when they are ahead.
    pub(crate) fn seek(&mut self, out: &mut String, src: &Source, span: Span) {
        let loc = src.locate(Span::new(span.start as usize, span.start as usize));
        if loc.line > self.line {
            let n = (loc.line - self.line) as usize;
            out.extend(std::iter::repeat_n('\n', n));
            self.line = loc.line;
            self.column = 1;
        }
        if loc.line == self.line && loc.column > self.column {
            out.extend(std::iter::repeat_n(' ', (loc.column - self.column) as usize));
            self.column = loc.column;
        }
    }
}

/// Writes `node` as JSON to `out`, recording in `places` where each value came from.
pub(crate) fn emit(node: &Node, out: &mut String, places: &mut Places, opts: EmitOptions<'_>, cur: &mut Cursor) {
    if let Some(src) = opts.align {
        cur.seek(out, src, node.span);
    }
    let start = out.len();
    match &node.kind {
        Kind::Map(entries) => emit_entries(entries.iter(), out, places, opts, cur),
        Kind::Seq(items) => {
            cur.push(out, "[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    cur.push(out, ",");
                }
                emit(v, out, places, opts, cur);
            }
            cur.push(out, "]");
        }
        Kind::Str(s) => cur.push(out, &serde_json::Value::String(s.clone()).to_string()),
        Kind::Literal(l) => {
            let number = !matches!(l.as_str(), "true" | "false" | "null");
            if number && opts.numbers_as_strings {
                cur.push(out, &serde_json::Value::String(l.clone()).to_string());
            } else {
                cur.push(out, l);
            }
        }
        Kind::Opaque(name) => {
            let mut s = String::new();
            let _ = write!(s, "{}{name}", opts.opaque_prefix);
            cur.push(out, &serde_json::Value::String(s).to_string());
        }
    }
    places.push((Span::new(start, out.len()), node.span));
}

/// Writes `entries` as a JSON object (the caller records the object's own place).
pub(crate) fn emit_entries<'n>(
    entries: impl Iterator<Item = &'n (String, Span, Node)>,
    out: &mut String,
    places: &mut Places,
    opts: EmitOptions<'_>,
    cur: &mut Cursor,
) {
    cur.push(out, "{");
    for (i, (k, entry, v)) in entries.enumerate() {
        if i > 0 {
            cur.push(out, ",");
        }
        if let Some(src) = opts.align {
            cur.seek(out, src, *entry);
        }
        let kstart = out.len();
        let mut key = serde_json::Value::String(k.clone()).to_string();
        key.push(':');
        cur.push(out, &key);
        emit(v, out, places, opts, cur);
        places.push((Span::new(kstart, out.len()), *entry));
    }
    cur.push(out, "}");
}

/// The span in the file of the emitted span `s`: the place recorded for exactly `s`, or
/// else the smallest recorded place holding it.
pub(crate) fn map_span(places: &Places, s: Span) -> Option<Span> {
    if let Some((_, o)) = places.iter().find(|(i, _)| *i == s) {
        return Some(*o);
    }
    places
        .iter()
        .filter(|(i, _)| i.start <= s.start && s.end <= i.end)
        .min_by_key(|(i, _)| i.end - i.start)
        .map(|(_, o)| *o)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn emit_aligned(text: &str) -> (String, Places) {
        let src = Source::new("t.yaml", text);
        let node = yaml_tree(text, Flavor::Data).unwrap();
        let (mut out, mut places) = (String::new(), Places::new());
        let opts = EmitOptions {
            opaque_prefix: '\u{1}',
            numbers_as_strings: true,
            align: Some(&src),
        };
        emit(&node, &mut out, &mut places, opts, &mut Cursor::default());
        (out, places)
    }

    #[test]
    fn aligned_emission_keeps_lines_and_columns() {
        let text = "a: 1\nb:\n  - x\n  - {c: true}\n";
        let (out, _) = emit_aligned(text);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v, serde_json::json!({"a": "1", "b": ["x", {"c": true}]}));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2].find("\"x\""), Some(4), "{out}");
        assert!(lines[3].contains("\"c\":true"), "{out}");
        assert_eq!(lines[3].find("{"), Some(4), "{out}");
    }

    #[test]
    fn aliases_and_merge_keys_in_data() {
        let text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: &l [a, b]\nagain: *l\n";
        let (out, _) = emit_aligned(text);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["use"], serde_json::json!({"y": "3", "x": "1"}));
        assert_eq!(v["again"], serde_json::json!(["a", "b"]));
        assert!(yaml_tree("a: *nope\n", Flavor::Data).is_err());
    }

    #[test]
    fn alias_bombs_are_errors() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = yaml_tree(&text, Flavor::Data).unwrap_err();
        assert!(e.1.contains("more than"), "{e:?}");
    }

    #[test]
    fn json_errors_have_offsets() {
        let e = json_tree("{\"a\": [1,}", Flavor::Data).unwrap_err();
        assert!(e.0 > 0, "{e:?}");
    }
}
