//! A span-carrying view of a policy document for the checks: every element, value,
//! operator and key with its byte span and JSON path, read from the same JSON syntax
//! tree the parser builds (no second parser). Malformed parts are skipped here: the
//! parser reports them.

use jsonc_parser::ast::{Object, ObjectPropName, Value};

use crate::condition::{strip_operator, SetQualifier};
use crate::policy::Effect;
use crate::span::Span;

/// A string value with its span (the literal, quotes included) and JSON path.
#[derive(Debug, Clone)]
pub(crate) struct Str {
    pub(crate) text: String,
    pub(crate) span: Span,
    pub(crate) path: String,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone)]
pub(crate) struct Elem {
    pub(crate) negated: bool,
    /// The element's name as written (`NotResource`).
    pub(crate) name: &'static str,
    /// `"Resource": …`, name and value.
    pub(crate) span: Span,
    pub(crate) path: String,
    pub(crate) values: Vec<Str>,
}

impl Elem {
    /// Whether some value is exactly `*`.
    pub(crate) fn has_star(&self) -> bool {
        self.values.iter().any(|v| v.text.trim() == "*")
    }
}

/// One `"AWS": […]`-style entry of a `Principal` object.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalKind {
    pub(crate) kind: String,
    pub(crate) values: Vec<Str>,
}

/// `Principal`/`NotPrincipal`.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalElem {
    pub(crate) negated: bool,
    pub(crate) span: Span,
    pub(crate) path: String,
    /// `"Principal": "*"`.
    pub(crate) star: bool,
    /// The entries of an object value (empty for `"*"` and for `{}`).
    pub(crate) kinds: Vec<PrincipalKind>,
    /// The value is `{}`.
    pub(crate) empty_object: bool,
}

impl PrincipalElem {
    /// `"*"`, or `{"AWS": "*"}` (alone or among other values): everyone.
    pub(crate) fn is_public(&self) -> bool {
        self.star
            || self
                .kinds
                .iter()
                .any(|k| k.kind == "AWS" && k.values.iter().any(|v| v.text.trim() == "*"))
    }

    /// Every value of `kind`.
    pub(crate) fn values_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Str> {
        self.kinds
            .iter()
            .filter(move |k| k.kind == kind)
            .flat_map(|k| k.values.iter())
    }
}

/// One `operator: { key: values }` pair.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    /// The operator as written.
    pub(crate) operator: String,
    /// The operator's name (quotes included).
    pub(crate) operator_span: Span,
    pub(crate) operator_path: String,
    pub(crate) qualifier: Option<SetQualifier>,
    /// The canonical base operator (`StringLike`), `None` when unknown.
    pub(crate) base: Option<&'static str>,
    pub(crate) key: String,
    /// `"key": values`.
    pub(crate) key_span: Span,
    pub(crate) key_path: String,
    /// Scalar values as text (numbers and booleans as written).
    pub(crate) values: Vec<Str>,
}

impl Cond {
    /// The key lower-cased.
    pub(crate) fn key_lc(&self) -> String {
        self.key.to_ascii_lowercase()
    }
}

/// One statement.
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    pub(crate) path: String,
    pub(crate) span: Span,
    pub(crate) sid: Option<Str>,
    pub(crate) effect: Option<Effect>,
    pub(crate) action: Option<Elem>,
    pub(crate) resource: Option<Elem>,
    pub(crate) principal: Option<PrincipalElem>,
    /// `"Condition": …` span and path, when present.
    pub(crate) condition: Option<(Span, String)>,
    pub(crate) conditions: Vec<Cond>,
}

impl Stmt {
    /// Whether the statement has a non-empty `Condition`.
    pub(crate) fn has_condition(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// Whether the statement's `Action`/`NotAction` covers `action` (lower-case
    /// `service:name`): some `Action` pattern matches it, or no `NotAction` pattern does.
    pub(crate) fn covers_action(&self, action: &str) -> bool {
        let Some(a) = &self.action else { return false };
        let any = a.values.iter().any(|v| action_glob_matches(&v.text, action));
        any != a.negated
    }
}

pub(crate) use crate::policy::malformed_action;

/// Whether an action pattern (`s3:Get*`, `*`) matches the lower-case action name.
pub(crate) fn action_glob_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.trim();
    if !p.contains(['*', '?']) {
        return p.eq_ignore_ascii_case(action);
    }
    crate::pattern::Glob::new(&p.to_ascii_lowercase()).is_match(action)
}

/// The document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    pub(crate) version: Option<Str>,
    pub(crate) statements: Vec<Stmt>,
    pub(crate) span: Span,
}

pub(crate) struct Builder {
    pub(crate) base: usize,
}

fn prop_name<'a>(n: &'a ObjectPropName<'a>) -> &'a str {
    match n {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

impl Builder {
    fn sp(&self, r: jsonc_parser::common::Range) -> Span {
        Span::new(self.base + r.start, self.base + r.end)
    }

    /// The document, when the root is an object.
    pub(crate) fn doc(&self, root: &Value) -> Option<Doc> {
        let Value::Object(obj) = root else { return None };
        let mut doc = Doc {
            span: self.sp(obj.range),
            ..Doc::default()
        };
        for prop in &obj.properties {
            match (prop_name(&prop.name), &prop.value) {
                ("Version", Value::StringLit(s)) => {
                    doc.version = Some(Str {
                        text: s.value.to_string(),
                        span: self.sp(s.range),
                        path: "Version".into(),
                    })
                }
                ("Statement", Value::Object(s)) => doc.statements.push(self.statement(s, 0)),
                ("Statement", Value::Array(a)) => {
                    for (i, el) in a.elements.iter().enumerate() {
                        if let Value::Object(s) = el {
                            doc.statements.push(self.statement(s, i));
                        }
                    }
                }
                _ => {}
            }
        }
        Some(doc)
    }

    fn strings(&self, v: &Value, path: &str) -> Vec<Str> {
        match v {
            Value::StringLit(s) => vec![Str {
                text: s.value.to_string(),
                span: self.sp(s.range),
                path: path.to_string(),
            }],
            Value::Array(a) => a
                .elements
                .iter()
                .enumerate()
                .filter_map(|(i, el)| match el {
                    Value::StringLit(s) => Some(Str {
                        text: s.value.to_string(),
                        span: self.sp(s.range),
                        path: format!("{path}[{i}]"),
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn scalars(&self, v: &Value, path: &str) -> Vec<Str> {
        let one = |v: &Value, path: String| -> Option<Str> {
            let (text, range) = match v {
                Value::StringLit(s) => (s.value.to_string(), s.range),
                Value::NumberLit(n) => (n.value.to_string(), n.range),
                Value::BooleanLit(b) => (b.value.to_string(), b.range),
                _ => return None,
            };
            Some(Str {
                text,
                span: self.sp(range),
                path,
            })
        };
        match v {
            Value::Array(a) => a
                .elements
                .iter()
                .enumerate()
                .filter_map(|(i, el)| one(el, format!("{path}[{i}]")))
                .collect(),
            other => one(other, path.to_string()).into_iter().collect(),
        }
    }

    fn elem(&self, obj: &Object, base: &str, pos: &'static str, neg: &'static str) -> Option<Elem> {
        let find = |n: &str| obj.properties.iter().find(|p| prop_name(&p.name) == n);
        let (negated, name, prop) = match (find(pos), find(neg)) {
            (Some(p), _) => (false, pos, p),
            (None, Some(n)) => (true, neg, n),
            (None, None) => return None,
        };
        let path = format!("{base}.{name}");
        Some(Elem {
            negated,
            name,
            span: self.sp(prop.range),
            values: self.strings(&prop.value, &path),
            path,
        })
    }

    fn statement(&self, obj: &Object, index: usize) -> Stmt {
        let path = format!("Statement[{index}]");
        let find = |n: &str| obj.properties.iter().find(|p| prop_name(&p.name) == n);
        let sid = match find("Sid").map(|p| &p.value) {
            Some(Value::StringLit(s)) => Some(Str {
                text: s.value.to_string(),
                span: self.sp(s.range),
                path: format!("{path}.Sid"),
            }),
            _ => None,
        };
        let effect = match find("Effect").map(|p| &p.value) {
            Some(Value::StringLit(s)) if s.value == "Allow" => Some(Effect::Allow),
            Some(Value::StringLit(s)) if s.value == "Deny" => Some(Effect::Deny),
            _ => None,
        };
        let principal = match (find("Principal"), find("NotPrincipal")) {
            (Some(p), _) => Some((false, p)),
            (None, Some(n)) => Some((true, n)),
            _ => None,
        }
        .map(|(negated, prop)| {
            let ppath = format!("{path}.{}", if negated { "NotPrincipal" } else { "Principal" });
            let mut e = PrincipalElem {
                negated,
                span: self.sp(prop.range),
                path: ppath.clone(),
                star: false,
                kinds: Vec::new(),
                empty_object: false,
            };
            match &prop.value {
                Value::StringLit(s) => e.star = s.value == "*",
                Value::Object(o) => {
                    e.empty_object = o.properties.is_empty();
                    for kv in &o.properties {
                        let kind = prop_name(&kv.name).to_string();
                        let kpath = format!("{ppath}.{kind}");
                        e.kinds.push(PrincipalKind {
                            values: self.strings(&kv.value, &kpath),
                            kind,
                        });
                    }
                }
                _ => {}
            }
            e
        });
        let mut conditions = Vec::new();
        let mut condition = None;
        if let Some(prop) = find("Condition") {
            let cpath = format!("{path}.Condition");
            condition = Some((self.sp(prop.range), cpath.clone()));
            if let Value::Object(ops) = &prop.value {
                for op in &ops.properties {
                    let name = prop_name(&op.name);
                    let opath = format!("{cpath}.{name}");
                    let (qualifier, base, if_exists) = strip_operator(name);
                    let base = crate::condition::operator_names()
                        .iter()
                        .find(|o| **o == base)
                        .copied()
                        .filter(|b| !(*b == "Null" && (if_exists || qualifier.is_some())));
                    let ospan = self.sp(op.range);
                    let operator_span = Span::new(ospan.start as usize, ospan.start as usize + name.len() + 2);
                    let Value::Object(keys) = &op.value else { continue };
                    for kv in &keys.properties {
                        let key = prop_name(&kv.name);
                        let kpath = format!("{opath}.{key}");
                        conditions.push(Cond {
                            operator: name.to_string(),
                            operator_span,
                            operator_path: opath.clone(),
                            qualifier,
                            base,
                            key: key.to_string(),
                            key_span: self.sp(kv.range),
                            values: self.scalars(&kv.value, &kpath),
                            key_path: kpath,
                        });
                    }
                }
            }
        }
        Stmt {
            span: self.sp(obj.range),
            sid,
            effect,
            action: self.elem(obj, &path, "Action", "NotAction"),
            resource: self.elem(obj, &path, "Resource", "NotResource"),
            principal,
            condition,
            conditions,
            path,
        }
    }
}
