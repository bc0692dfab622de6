//! Witnesses: values of a request's unknown condition keys with which it is allowed,
//! found by a bounded search over values the policies themselves name (each literal,
//! wildcards filled, the ends of each IP range, a number or date on either side of
//! each bound, `true`/`false`, and a value no policy names), and confirmed by concrete
//! evaluation.

use super::partial::PartialEvaluation;
use super::residual::AtomInfo;
use crate::eval::{Atom, Ctx, PolicySet};
use crate::request::Request;

/// At most this many complete assignments are tried.
const BUDGET: usize = 50_000;

/// A value no policy names.
const OTHER: &str = "policy-sim-other-value";

/// The unknown keys `atom` reads (as its statement spells them).
pub(crate) fn atom_keys(
    policies: &PolicySet,
    atom: &AtomInfo,
    cx: &Ctx<'_>,
    unknown: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let Some(stmt) = atom
        .sources
        .first()
        .and_then(|&(slot, i)| policies.get(slot).and_then(|p| p.statements.get(i)))
    else {
        return Vec::new();
    };
    let ctx = &cx.req.context;
    let is_unknown = |k: &str| ctx.get(&k.to_ascii_lowercase()).is_none() && unknown(&k.to_ascii_lowercase());
    match atom.atom {
        Atom::Condition(c) => match stmt.conditions.get(c) {
            Some(c) => std::iter::once(c.key.clone())
                .chain(c.variable_keys_as_written())
                .filter(|k| is_unknown(k))
                .collect(),
            None => Vec::new(),
        },
        Atom::Resource => stmt
            .resource
            .iter()
            .flat_map(|(_, pats)| pats.iter())
            .filter_map(|p| match p {
                crate::policy::ResourcePattern::Var(t) => Some(t),
                crate::policy::ResourcePattern::Arn(_) => None,
            })
            .flat_map(|t| t.keys_as_written())
            .filter(|k| is_unknown(k))
            .collect(),
    }
}

/// Candidate values of `key_lc` from the atoms that read it.
fn candidates(pe: &PartialEvaluation<'_>, atoms: &[AtomInfo], key_lc: &str, req: &Request) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = vec![None, Some(OTHER.to_string())];
    let mut push = |v: String| {
        if !out.contains(&Some(v.clone())) {
            out.push(Some(v));
        }
    };
    for a in atoms {
        let Some(stmt) = a
            .sources
            .first()
            .and_then(|&(slot, i)| pe.policies().get(slot).and_then(|p| p.statements.get(i)))
        else {
            continue;
        };
        match a.atom {
            Atom::Condition(c) => {
                let Some(c) = stmt.conditions.get(c) else { continue };
                if c.key_lc != key_lc {
                    continue;
                }
                let base = c.operator.rsplit(':').next().unwrap_or("").to_ascii_lowercase();
                let base = base.trim_end_matches("ifexists");
                for v in &c.raw_values {
                    let v = resolve(v, req);
                    match base {
                        b if b.starts_with("numeric") => {
                            if let Some(n) = crate::condition::numeric::parse(&v) {
                                for x in [n, n + 1.0, n - 1.0] {
                                    push(number_text(x));
                                }
                            }
                        }
                        b if b.starts_with("date") => {
                            if let Some(t) = crate::condition::date::parse(&v) {
                                for x in [t, t + 1, t - 1] {
                                    push(x.to_string());
                                }
                            }
                        }
                        "ipaddress" | "notipaddress" => {
                            // The ends of each range and the addresses just outside: CIDR
                            // ranges nest or are disjoint, so every region of a set of
                            // them holds one of these.
                            if let Some(net) = crate::condition::ip::parse_net(&v) {
                                for a in [
                                    Some(net.network()),
                                    Some(net.broadcast()),
                                    step(net.network(), -1),
                                    step(net.broadcast(), 1),
                                ]
                                .into_iter()
                                .flatten()
                                {
                                    push(a.to_string());
                                }
                            }
                        }
                        "bool" | "null" => {
                            push("true".to_string());
                            push("false".to_string());
                        }
                        _ => push(v.replace(['*', '?'], "x")),
                    }
                }
            }
            Atom::Resource => {
                // Pieces of the request's resource a variable in the pattern may stand
                // for.
                let r = req.resource();
                let tail = r.splitn(6, ':').nth(5).unwrap_or(r);
                push(tail.to_string());
                for piece in tail.split(['/', ':']) {
                    if !piece.is_empty() {
                        push(piece.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The address `by` (±1) away from `a`, if there is one.
fn step(a: std::net::IpAddr, by: i8) -> Option<std::net::IpAddr> {
    use std::net::IpAddr;
    match a {
        IpAddr::V4(v) => {
            let n = u32::from(v);
            let n = if by < 0 { n.checked_sub(1)? } else { n.checked_add(1)? };
            Some(IpAddr::V4(n.into()))
        }
        IpAddr::V6(v) => {
            let n = u128::from(v);
            let n = if by < 0 { n.checked_sub(1)? } else { n.checked_add(1)? };
            Some(IpAddr::V6(n.into()))
        }
    }
}

/// Plain text of a number: integers without a fraction.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// A policy value with its variables filled from the request where it can be (a value
/// that reads a known key), as written otherwise.
fn resolve(v: &str, req: &Request) -> String {
    crate::variables::Template::parse(v)
        .and_then(|t| t.resolve_text(req.context()))
        .unwrap_or_else(|| v.to_string())
}

/// The outcome of a witness search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Search {
    /// Values with which the request is allowed (concrete evaluation confirmed it).
    Found(Vec<(String, Option<String>)>),
    /// Every combination of the candidate values was tried.
    Exhausted,
    /// The budget ran out first.
    GaveUp,
}

/// Whether the candidate values of the keys `atom` reads cover every case of it: a
/// condition testing literal values for equality (`StringEquals`, `…IgnoreCase`, their
/// negations), `Bool`, `Null`, or IP ranges (`IpAddress`, `NotIpAddress`), without a
/// set qualifier, `…IfExists` or a policy variable. Each value of such a key is absent,
/// one of the literals (a region of the ranges), or another value, and the candidates
/// hold one of each.
pub(crate) fn complete(policies: &PolicySet, atom: &AtomInfo) -> bool {
    let Some(c) = atom
        .sources
        .first()
        .and_then(|&(slot, i)| policies.get(slot).and_then(|p| p.statements.get(i)))
        .and_then(|stmt| match atom.atom {
            Atom::Condition(c) => stmt.conditions.get(c),
            Atom::Resource => None,
        })
    else {
        return false;
    };
    let op = c.operator.to_ascii_lowercase();
    matches!(
        op.as_str(),
        "stringequals"
            | "stringnotequals"
            | "stringequalsignorecase"
            | "stringnotequalsignorecase"
            | "bool"
            | "null"
            | "ipaddress"
            | "notipaddress"
    ) && c.variable_keys().next().is_none()
        && !c.raw_values.iter().any(|v| v == OTHER)
}

/// A witness for `pe` (an `AllowIf`), confirmed by concrete evaluation.
pub(crate) fn find(pe: &PartialEvaluation<'_>, req: &Request, cx: &Ctx<'_>, unknown: &dyn Fn(&str) -> bool) -> Search {
    let atoms = pe.atoms();
    let keys: Vec<String> = pe.unknown_keys().to_vec();
    let keys_lc: Vec<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
    let cands: Vec<Vec<Option<String>>> = keys_lc.iter().map(|k| candidates(pe, atoms, k, req)).collect();
    // Which keys each atom reads, to evaluate it once they all have values.
    let atom_reads: Vec<Vec<usize>> = atoms
        .iter()
        .map(|a| {
            atom_keys(pe.policies(), a, cx, unknown)
                .iter()
                .filter_map(|k| keys_lc.iter().position(|x| x.eq_ignore_ascii_case(k)))
                .collect()
        })
        .collect();
    let mut choice: Vec<usize> = vec![0; keys.len()];
    let mut budget = BUDGET;
    // One context, its unknown keys set in place for each assignment (they are absent
    // from the request's context).
    let mut ctx = req.context().clone();
    let set = |ctx: &mut crate::request::Context, assignment: &[(String, Option<String>)]| {
        for (i, k) in keys_lc.iter().enumerate() {
            match assignment.get(i).and_then(|(_, v)| v.as_ref()) {
                Some(v) => ctx.insert(k, vec![v.clone()]),
                None => ctx.remove(k),
            }
        }
    };
    let assignment = |choice: &[usize], upto: usize| -> Vec<(String, Option<String>)> {
        keys.iter()
            .zip(choice)
            .zip(&cands)
            .take(upto)
            .map(|((k, &c), vs)| (k.clone(), vs.get(c).cloned().flatten()))
            .collect()
    };
    // Depth-first over the keys; a partial assignment whose residual is already false
    // is cut.
    let mut depth = 0usize;
    loop {
        let partial = assignment(&choice, depth);
        set(&mut ctx, &partial);
        let value = pe.expr().eval3(&mut |id| {
            let reads = atom_reads.get(id as usize)?;
            if reads.iter().all(|&k| k < depth) {
                atoms.get(id as usize).map(|a| a.value(pe.policies(), cx, &ctx))
            } else {
                None
            }
        });
        if value == Some(true) || (depth == keys.len() && value != Some(false)) {
            let full = assignment(&choice, depth);
            let mut confirm = req.clone();
            confirm.context = ctx.clone();
            if crate::eval::evaluate(pe.policies(), &confirm).decision() == crate::eval::Decision::Allow {
                return Search::Found(full);
            }
        }
        budget = budget.saturating_sub(1);
        if budget == 0 {
            return Search::GaveUp;
        }
        if value != Some(false) && depth < keys.len() {
            depth += 1;
            if let Some(c) = choice.get_mut(depth - 1) {
                *c = 0;
            }
            continue;
        }
        // Next sibling, backtracking where a key's candidates are used up.
        loop {
            if depth == 0 {
                return Search::Exhausted;
            }
            let i = depth - 1;
            let n = cands.get(i).map_or(0, Vec::len);
            match choice.get_mut(i) {
                Some(c) if *c + 1 < n => {
                    *c += 1;
                    break;
                }
                _ => depth -= 1,
            }
        }
    }
}
