//! Residual conditions: the small boolean expression partial evaluation answers with
//! ("allowed if …"), over leaves that are parts of statements whose truth depends on
//! condition keys the request leaves unknown.
//!
//! Internally an [`Expr`] over numbered atoms, kept simplified by its constructors
//! (constants folded, nesting flattened, duplicates and absorbed terms dropped,
//! complementary literals resolved); outwardly a [`Residual`] of `and`/`or`/`not` over
//! [`Leaf`]s `{operator, key, values, statements}`.

use serde::Serialize;

use crate::condition::Tri;
use crate::eval::{atom_value, Atom, Ctx, PolicySet, PolicySlot};
use crate::request::Context;

/// One atom of a residual: a part of one or more statements (identical conditions of
/// several statements share an atom), whose value is true, false or indeterminate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AtomInfo {
    /// The statements it comes from, the first one's part being [`AtomInfo::atom`].
    pub(crate) sources: Vec<(PolicySlot, usize)>,
    pub(crate) atom: Atom,
    /// The first source's condition is the exact negation of the atom's canonical
    /// form (`StringNotEquals` for the atom `StringEquals`): its value is negated.
    pub(crate) flipped: bool,
}

impl AtomInfo {
    /// The atom's value with the request context `ctx`.
    pub(crate) fn value(&self, policies: &PolicySet, cx: &Ctx<'_>, ctx: &Context) -> Tri {
        let t = self
            .sources
            .first()
            .and_then(|&(slot, i)| policies.get(slot).and_then(|p| p.statements.get(i)))
            .map_or(Tri::False, |stmt| atom_value(stmt, self.atom, cx, ctx));
        if self.flipped {
            t.negate()
        } else {
            t
        }
    }
}

/// The canonical form of a condition (operator — as AWS spells it when the given one is
/// negated, lower-cased otherwise —, values) and whether the given one is its exact
/// negation: `StringNotEquals k v` is the atom `StringEquals k v` negated,
/// so that the two are seen as one atom (and `k = v ∧ k ≠ v` as false).
pub(crate) fn canonical(operator: &str, values: &[String]) -> (String, Vec<String>, bool) {
    let mut lc = operator.to_ascii_lowercase();
    // A negated operator already holds when the key is absent (S-COND-5): its
    // `…IfExists` form is the same condition (`StringNotEqualsIfExists` is
    // `StringNotEquals`).
    if lc.contains("not") && !lc.contains(':') {
        if let Some(base) = lc.strip_suffix("ifexists") {
            lc = base.to_string();
        }
    }
    let operator = lc.as_str();
    let base = lc.rsplit(':').next().unwrap_or(&lc);
    let negative = base.contains("not")
        || (base == "null" && values.len() == 1 && values.iter().all(|v| v.eq_ignore_ascii_case("false")));
    match negated_operator(operator, values) {
        Some((op, vals)) if negative => (op, vals, true),
        _ => (lc, values.to_vec(), false),
    }
}

/// What a literal asks of its atom's three-valued value. An `Allow` applies when its
/// parts are [`Test::True`], a `Deny` when they are [`Test::NotFalse`] (S-COND-8); the
/// negations are [`Test::NotTrue`] and [`Test::False`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Test {
    True,
    False,
    NotTrue,
    NotFalse,
}

impl Test {
    pub(crate) fn holds(self, t: Tri) -> bool {
        match self {
            Test::True => t == Tri::True,
            Test::False => t == Tri::False,
            Test::NotTrue => t != Tri::True,
            Test::NotFalse => t != Tri::False,
        }
    }

    pub(crate) fn negate(self) -> Test {
        match self {
            Test::True => Test::NotTrue,
            Test::NotTrue => Test::True,
            Test::False => Test::NotFalse,
            Test::NotFalse => Test::False,
        }
    }

    /// The test on a value that is the negation of the tested one (`True` of `a` is
    /// `False` of `¬a`).
    pub(crate) fn through_negation(self) -> Test {
        match self {
            Test::True => Test::False,
            Test::False => Test::True,
            Test::NotTrue => Test::NotFalse,
            Test::NotFalse => Test::NotTrue,
        }
    }

    /// Whether `self` and `other` (on one atom) never hold together.
    fn disjoint(self, other: Test) -> bool {
        matches!(
            (self, other),
            (Test::True, Test::False | Test::NotTrue)
                | (Test::False, Test::True | Test::NotFalse)
                | (Test::NotTrue, Test::True)
                | (Test::NotFalse, Test::False)
        )
    }

    /// Whether `self` holding implies `other` holds (on one atom).
    fn implies(self, other: Test) -> bool {
        self == other
            || matches!(
                (self, other),
                (Test::True, Test::NotFalse) | (Test::False, Test::NotTrue)
            )
    }
}

/// A boolean expression over atoms (by index), in simplified form when built with
/// [`and`], [`or`] and [`not`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Expr {
    True,
    False,
    /// Atom `id`'s value passes the test.
    Lit(u32, Test),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// The value with `atom(id)` giving each atom's.
    pub(crate) fn eval(&self, atom: &mut dyn FnMut(u32) -> Tri) -> bool {
        match self {
            Expr::True => true,
            Expr::False => false,
            Expr::Lit(id, test) => test.holds(atom(*id)),
            Expr::And(xs) => xs.iter().all(|x| x.eval(atom)),
            Expr::Or(xs) => xs.iter().any(|x| x.eval(atom)),
        }
    }

    /// The value with some atoms unknown (`None`): `None` when it depends on them.
    pub(crate) fn eval3(&self, atom: &mut dyn FnMut(u32) -> Option<Tri>) -> Option<bool> {
        match self {
            Expr::True => Some(true),
            Expr::False => Some(false),
            Expr::Lit(id, test) => atom(*id).map(|v| test.holds(v)),
            Expr::And(xs) => {
                let mut all = Some(true);
                for x in xs {
                    match x.eval3(atom) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            Expr::Or(xs) => {
                let mut any = Some(false);
                for x in xs {
                    match x.eval3(atom) {
                        Some(true) => return Some(true),
                        None => any = None,
                        Some(false) => {}
                    }
                }
                any
            }
        }
    }

    /// The atoms it mentions.
    pub(crate) fn atoms(&self, out: &mut Vec<u32>) {
        match self {
            Expr::True | Expr::False => {}
            Expr::Lit(id, _) => out.push(*id),
            Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(|x| x.atoms(out)),
        }
    }

    /// The children of an `And` (a single term otherwise).
    fn conjuncts(&self) -> &[Expr] {
        match self {
            Expr::And(xs) => xs,
            other => std::slice::from_ref(other),
        }
    }

    /// The children of an `Or` (a single term otherwise).
    fn disjuncts(&self) -> &[Expr] {
        match self {
            Expr::Or(xs) => xs,
            other => std::slice::from_ref(other),
        }
    }
}

/// The conjunction of `xs`, simplified.
pub(crate) fn and(xs: impl IntoIterator<Item = Expr>) -> Expr {
    combine(xs, true)
}

/// The disjunction of `xs`, simplified.
pub(crate) fn or(xs: impl IntoIterator<Item = Expr>) -> Expr {
    combine(xs, false)
}

/// The negation of `x`, pushed to the literals.
pub(crate) fn not(x: Expr) -> Expr {
    match x {
        Expr::True => Expr::False,
        Expr::False => Expr::True,
        Expr::Lit(id, test) => Expr::Lit(id, test.negate()),
        Expr::And(xs) => or(xs.into_iter().map(not)),
        Expr::Or(xs) => and(xs.into_iter().map(not)),
    }
}

/// `And` (`conj`) or `Or` of `xs`: flattened, constants folded, duplicates dropped,
/// complementary literals resolved (`a ∧ ¬a` is false, `a ∨ ¬a` true: a literal and
/// its negation partition the contexts), and absorbed terms dropped (`a ∧ (a ∨ b)` is
/// `a`, `a ∨ (a ∧ b)` is `a`).
fn combine(xs: impl IntoIterator<Item = Expr>, conj: bool) -> Expr {
    let (unit, zero) = if conj {
        (Expr::True, Expr::False)
    } else {
        (Expr::False, Expr::True)
    };
    let mut items: Vec<Expr> = Vec::new();
    for x in xs {
        match x {
            x if x == unit => {}
            x if x == zero => return zero,
            Expr::And(ys) if conj => items.extend(ys),
            Expr::Or(ys) if !conj => items.extend(ys),
            x => items.push(x),
        }
    }
    items.sort();
    items.dedup();
    // Literals of one atom: disjoint tests make an `And` false; in an `Or`, a test and
    // its negation make it true. A test implied by another is the weaker one: an `And`
    // keeps the stronger, an `Or` the weaker.
    let lits: Vec<(u32, Test)> = items
        .iter()
        .filter_map(|x| match x {
            Expr::Lit(id, t) => Some((*id, *t)),
            _ => None,
        })
        .collect();
    for &(id, a) in &lits {
        for &(jd, b) in &lits {
            if id != jd || a == b {
                continue;
            }
            if conj && a.disjoint(b) {
                return zero;
            }
            if !conj && b == a.negate() {
                return zero;
            }
        }
    }
    items.retain(|x| match x {
        Expr::Lit(id, a) => !lits
            .iter()
            .any(|&(jd, b)| jd == *id && b != *a && if conj { b.implies(*a) } else { a.implies(b) }),
        _ => true,
    });
    // Absorption: a term whose own terms (of the dual connective) include another whole
    // term, or all the terms of another, is implied (conj) or implies (disj) it.
    let terms = |x: &Expr| -> Vec<Expr> {
        if conj {
            x.disjuncts().to_vec()
        } else {
            x.conjuncts().to_vec()
        }
    };
    let n = items.len();
    let mut keep = vec![true; n];
    for i in 0..n {
        for j in 0..n {
            if i == j || !keep.get(j).copied().unwrap_or(false) {
                continue;
            }
            let (Some(a), Some(b)) = (items.get(i), items.get(j)) else {
                continue;
            };
            // Drop `a` when the terms of `b` are a strict subset of `a`'s, or equal with
            // `j < i`.
            let (ta, tb) = (terms(a), terms(b));
            let subset = tb.iter().all(|t| ta.contains(t));
            if subset && (tb.len() < ta.len() || j < i) {
                if let Some(k) = keep.get_mut(i) {
                    *k = false;
                }
                break;
            }
        }
    }
    let mut items: Vec<Expr> = items
        .into_iter()
        .zip(keep)
        .filter_map(|(x, k)| k.then_some(x))
        .collect();
    match items.len() {
        0 => unit,
        1 => items.pop().unwrap_or(unit),
        _ if conj => Expr::And(items),
        _ => Expr::Or(items),
    }
}

/// A residual condition: which values of the request's unknown condition keys make the
/// request allowed. `{"and": [...]}`, `{"or": [...]}`, `{"not": …}` or a [`Leaf`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Residual {
    /// Every part holds.
    And {
        /// The parts.
        and: Vec<Residual>,
    },
    /// Some part holds.
    Or {
        /// The parts.
        or: Vec<Residual>,
    },
    /// The leaf's condition is false (for a key the request does not give, a negated
    /// operator such as `StringNotEquals` holds, so `not` is not the negated operator).
    Not {
        /// The negated leaf.
        not: Box<Residual>,
    },
    /// One condition of one or more statements.
    Leaf(Leaf),
}

/// One condition (or a `Resource`/`NotResource` element with policy variables) of the
/// statements it names: it holds when the condition holds for the request's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaf {
    /// The condition operator as written (`StringEquals`, `ForAnyValue:StringLike`…),
    /// or its exact negation for a `Deny`'s condition that must be false
    /// (`StringNotEquals` for `StringEquals`); `Resource` (or `NotResource`, its
    /// negation) for the patterns of a resource element whose policy variables read
    /// unknown keys: the request's resource (`key`) matches one of them (`values`) once
    /// the variables have values.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The policy values as written.
    pub values: Vec<String>,
    /// The statements it comes from (`identity[0].Statement[2]`).
    pub statements: Vec<String>,
}

/// The exact negation of an operator (for a key the request may not give), or `None`
/// where none exists (`…IfExists`, `Bool`, ordering comparisons, `BinaryEquals`).
fn negated_operator(op: &str, values: &[String]) -> Option<(String, Vec<String>)> {
    let (qualifier, base) = match op.split_once(':') {
        Some((q, b)) => (Some(q.to_ascii_lowercase()), b),
        None => (None, op),
    };
    let lc = base.to_ascii_lowercase();
    if lc == "null" && qualifier.is_none() {
        let flipped: Option<Vec<String>> = values
            .iter()
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Some("false".to_string()),
                "false" => Some("true".to_string()),
                _ => None,
            })
            .collect();
        return flipped.filter(|f| f.len() == 1).map(|f| ("Null".to_string(), f));
    }
    const PAIRS: &[(&str, &str)] = &[
        ("StringEquals", "StringNotEquals"),
        ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
        ("StringLike", "StringNotLike"),
        ("NumericEquals", "NumericNotEquals"),
        ("DateEquals", "DateNotEquals"),
        ("IpAddress", "NotIpAddress"),
        ("ArnEquals", "ArnNotEquals"),
        ("ArnLike", "ArnNotLike"),
        ("Resource", "NotResource"),
    ];
    let flipped = PAIRS.iter().find_map(|(a, b)| {
        if a.eq_ignore_ascii_case(&lc) {
            Some(*b)
        } else if b.eq_ignore_ascii_case(&lc) {
            Some(*a)
        } else {
            None
        }
    })?;
    let q = match qualifier.as_deref() {
        None => "",
        Some("foranyvalue") => "ForAllValues:",
        Some("forallvalues") => "ForAnyValue:",
        Some(_) => return None,
    };
    Some((format!("{q}{flipped}"), values.to_vec()))
}

impl Residual {
    /// The residual of `expr` over `atoms`, named from `policies`.
    pub(crate) fn from_expr(expr: &Expr, atoms: &[AtomInfo], policies: &PolicySet, resource: &str) -> Residual {
        match expr {
            // Constants never reach here in a simplified `AllowIf` residual; shown as
            // empty connectives if they do.
            Expr::True => Residual::And { and: Vec::new() },
            Expr::False => Residual::Or { or: Vec::new() },
            Expr::And(xs) => Residual::And {
                and: xs
                    .iter()
                    .map(|x| Residual::from_expr(x, atoms, policies, resource))
                    .collect(),
            },
            Expr::Or(xs) => Residual::Or {
                or: xs
                    .iter()
                    .map(|x| Residual::from_expr(x, atoms, policies, resource))
                    .collect(),
            },
            Expr::Lit(id, test) => {
                let Some(info) = atoms.get(*id as usize) else {
                    return Residual::Or { or: Vec::new() };
                };
                let mut leaf = leaf(info, policies, resource);
                if info.flipped {
                    // Shown in the atom's canonical form.
                    let (operator, values, _) = canonical(&leaf.operator, &leaf.values);
                    leaf.operator = operator;
                    leaf.values = values;
                }
                if info.atom == Atom::Resource {
                    return resource_residual(info, policies, leaf, *test);
                }
                match *test {
                    // True (an `Allow`'s part) or not false (a `Deny`'s, for which an
                    // indeterminate part counts): the condition as written.
                    Test::True | Test::NotFalse => Residual::Leaf(leaf),
                    // False (a `Deny`'s part that must not apply): the exact negated
                    // operator where one exists.
                    Test::False => match negated_operator(&leaf.operator, &leaf.values) {
                        Some((operator, values)) => Residual::Leaf(Leaf {
                            operator,
                            values,
                            ..leaf
                        }),
                        None => Residual::Not {
                            not: Box::new(Residual::Leaf(leaf)),
                        },
                    },
                    Test::NotTrue => Residual::Not {
                        not: Box::new(Residual::Leaf(leaf)),
                    },
                }
            }
        }
    }

    /// In words: "`aws:SourceVpce` is `vpce-1a2b3c4d` and `aws:PrincipalTag/team` equals
    /// `aws:ResourceTag/team`".
    pub fn describe(&self) -> String {
        match self {
            Residual::Leaf(l) => l.describe(),
            Residual::Not { not } => format!("not ({})", not.describe()),
            Residual::And { and } => join(and, " and "),
            Residual::Or { or } => join(or, " or "),
        }
    }
}

fn join(parts: &[Residual], sep: &str) -> String {
    parts
        .iter()
        .map(|p| match p {
            Residual::And { .. } | Residual::Or { .. } => format!("({})", p.describe()),
            _ => p.describe(),
        })
        .collect::<Vec<_>>()
        .join(sep)
}

impl Leaf {
    /// The leaf in words.
    pub fn describe(&self) -> String {
        let values = |sep: &str| {
            self.values
                .iter()
                .map(|v| {
                    // A policy variable reads another key: name that key.
                    match v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
                        Some(k) if !k.contains(['$', '{', '}']) => format!("`{}`", k.trim()),
                        _ => format!("`{v}`"),
                    }
                })
                .collect::<Vec<_>>()
                .join(sep)
        };
        let one_of = |verb: &str| {
            if self.values.len() == 1 {
                format!("`{}` {verb} {}", self.key, values(""))
            } else {
                format!("`{}` {verb} one of {}", self.key, values(", "))
            }
        };
        let variable = self.values.iter().all(|v| v.starts_with("${"));
        match self.operator.to_ascii_lowercase().as_str() {
            "stringequals" | "arnequals" if variable => one_of("equals"),
            "stringequals" | "stringequalsignorecase" | "arnequals" | "numericequals" | "dateequals" => one_of("is"),
            "stringnotequals" | "stringnotequalsignorecase" | "arnnotequals" | "numericnotequals" | "datenotequals" => {
                format!("`{}` is absent or not {}", self.key, values(" nor "))
            }
            "stringlike" | "arnlike" => one_of("matches"),
            "stringnotlike" | "arnnotlike" => format!("`{}` is absent or matches none of {}", self.key, values(", ")),
            "ipaddress" => one_of("is in"),
            "notipaddress" => format!("`{}` is absent or in none of {}", self.key, values(", ")),
            "bool" => one_of("is"),
            "null" if self.values.iter().all(|v| v.eq_ignore_ascii_case("true")) => {
                format!("`{}` is absent", self.key)
            }
            "null" => format!("`{}` is present", self.key),
            "resource" => format!("the resource `{}` matches {}", self.key, values(" or ")),
            "notresource" => format!("the resource `{}` matches none of {}", self.key, values(", ")),
            _ => format!("`{}` `{}` {}", self.operator, self.key, values(", ")),
        }
    }
}

/// The residual of a resource element's atom (whether one of its patterns matches)
/// under `test`. The match is true or false once its variables have one value each, and
/// indeterminate otherwise (S-VAR-6): in a `NotResource`, "matches none" needs each of
/// the keys (those without a default) to be present.
fn resource_residual(info: &AtomInfo, policies: &PolicySet, leaf: Leaf, test: Test) -> Residual {
    let matches_none = |leaf: Leaf| {
        let none = Residual::Leaf(Leaf {
            operator: "NotResource".to_string(),
            ..leaf.clone()
        });
        let element = info
            .sources
            .first()
            .and_then(|&(slot, i)| policies.get(slot).and_then(|p| p.statements.get(i)))
            .and_then(|s| s.resource.as_ref());
        let Some((true, pats)) = element else { return none };
        let mut keys: Vec<String> = pats
            .iter()
            .filter_map(|p| match p {
                crate::policy::ResourcePattern::Var(t) => Some(t),
                crate::policy::ResourcePattern::Arn(_) => None,
            })
            .flat_map(|t| t.required_keys_as_written())
            .collect();
        keys.sort_by_key(|k| k.to_ascii_lowercase());
        keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        if keys.is_empty() {
            return none;
        }
        let mut and = vec![none];
        and.extend(keys.into_iter().map(|key| {
            Residual::Leaf(Leaf {
                operator: "Null".to_string(),
                key,
                values: vec!["false".to_string()],
                statements: leaf.statements.clone(),
            })
        }));
        Residual::And { and }
    };
    match test {
        Test::True => Residual::Leaf(leaf),
        Test::NotTrue => Residual::Not {
            not: Box::new(Residual::Leaf(leaf)),
        },
        Test::False => matches_none(leaf),
        Test::NotFalse => Residual::Not {
            not: Box::new(matches_none(leaf)),
        },
    }
}

/// The leaf for `info`, named from its statements.
fn leaf(info: &AtomInfo, policies: &PolicySet, resource: &str) -> Leaf {
    let statements = info
        .sources
        .iter()
        .map(|&(slot, i)| {
            let mut s = String::new();
            slot.push_label(&mut s);
            s.push_str(&format!(".Statement[{i}]"));
            s
        })
        .collect();
    let stmt = info
        .sources
        .first()
        .and_then(|&(slot, i)| policies.get(slot).and_then(|p| p.statements.get(i)));
    match (info.atom, stmt) {
        (crate::eval::Atom::Condition(c), Some(stmt)) => match stmt.conditions.get(c) {
            Some(c) => Leaf {
                operator: c.operator.clone(),
                key: c.key.clone(),
                values: c.raw_values.clone(),
                statements,
            },
            None => Leaf {
                operator: String::new(),
                key: String::new(),
                values: Vec::new(),
                statements,
            },
        },
        (_, stmt) => {
            // The patterns with policy variables: the others did not match (else the
            // element would not be an atom). The atom is their matching; a
            // `NotResource` reads it negated.
            let patterns: Vec<String> = stmt.map(|s| s.variable_resource_sources()).unwrap_or_default();
            Leaf {
                operator: "Resource".to_string(),
                key: resource.to_string(),
                values: patterns,
                statements,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(id: u32) -> Expr {
        Expr::Lit(id, Test::True)
    }

    #[test]
    fn constructors_simplify() {
        assert_eq!(and([l(1), Expr::True]), l(1));
        assert_eq!(and([l(1), Expr::False]), Expr::False);
        assert_eq!(or([l(1), Expr::True]), Expr::True);
        assert_eq!(and([l(1), not(l(1))]), Expr::False);
        assert_eq!(or([l(1), not(l(1))]), Expr::True);
        assert_eq!(and([l(2), l(1), l(2)]), Expr::And(vec![l(1), l(2)]));
        assert_eq!(and([l(1), or([l(1), l(2)])]), l(1), "absorption");
        assert_eq!(or([l(1), and([l(1), l(2)])]), l(1), "absorption");
        assert_eq!(
            or([and([l(1), l(2)]), and([l(1), l(2), l(3)])]),
            and([l(1), l(2)]),
            "a subset of terms absorbs its supersets"
        );
        assert_eq!(not(and([l(1), l(2)])), or([not(l(1)), not(l(2))]));
        // A `Deny`'s part (not false) and an `Allow`'s (true) on one atom.
        let nf = Expr::Lit(1, Test::NotFalse);
        let f = Expr::Lit(1, Test::False);
        assert_eq!(
            and([l(1), f.clone()]),
            Expr::False,
            "true and false never hold together"
        );
        assert_eq!(and([l(1), nf.clone()]), l(1), "true implies not false");
        assert_eq!(or([l(1), nf.clone()]), nf, "the weaker of two");
        assert_eq!(or([f, nf]), Expr::True);
    }

    #[test]
    fn negated_operators_are_exact_or_absent() {
        let v = vec!["x".to_string()];
        assert_eq!(
            negated_operator("StringEquals", &v),
            Some(("StringNotEquals".into(), v.clone()))
        );
        assert_eq!(
            negated_operator("ForAnyValue:StringLike", &v),
            Some(("ForAllValues:StringNotLike".into(), v.clone()))
        );
        assert_eq!(negated_operator("StringEqualsIfExists", &v), None);
        assert_eq!(negated_operator("Bool", &v), None);
        assert_eq!(negated_operator("NumericLessThan", &v), None);
        assert_eq!(
            negated_operator("Null", &["true".to_string()]),
            Some(("Null".into(), vec!["false".to_string()]))
        );
    }
}
