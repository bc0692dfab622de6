//! Condition operators (S-COND-1 … S-COND-8), one file per family, with set
//! qualifiers (`ForAnyValue:`, `ForAllValues:`) and `…IfExists`.
//!
//! AWS source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>

mod arn;
mod binary;
mod boolean;
pub(crate) mod date;
pub(crate) mod ip;
mod null;
pub(crate) mod numeric;
mod string;

use crate::request::Context;
use crate::span::Span;
use crate::variables::Template;

/// Condition keys the request lacked, as the policies spell them. A `Vec` (not a
/// `SmallVec`) so that an evaluation may outlive its borrow in a tail expression
/// (`Vec`'s drop does not touch its borrowed elements).
pub(crate) type Missing<'p> = Vec<MissingKey<'p>>;

/// A condition key the request lacked, as a policy spells it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MissingKey<'p> {
    pub(crate) key: &'p str,
    /// The key as a JSON string (quoted, escaped), made when the policy was read: the
    /// batch writer copies it instead of escaping the key per answer (`None`: a key
    /// read from a policy variable, escaped when written).
    pub(crate) json: Option<&'p str>,
}

/// Three-valued outcome: a condition the engine cannot decide is `Indeterminate`
/// (S-COND-8), never silently true or false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    True,
    False,
    Indeterminate,
}

impl Tri {
    /// Negation: indeterminate stays indeterminate.
    pub(crate) fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Indeterminate => Tri::Indeterminate,
        }
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

/// `ForAnyValue:` / `ForAllValues:` (S-COND-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// Numeric and date comparisons: request value `cmp` policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        matches!(
            (self, o),
            (Cmp::Eq, Equal)
                | (Cmp::Lt, Less)
                | (Cmp::Le, Less | Equal)
                | (Cmp::Gt, Greater)
                | (Cmp::Ge, Greater | Equal)
        )
    }
}

/// A policy value that may hold variables (string, ARN and `Bool` operators, S-VAR-1).
#[derive(Debug, Clone)]
pub(crate) enum Text {
    Plain(String),
    Var(Template),
}

impl Text {
    pub(crate) fn new(s: &str, variables: bool) -> Text {
        match variables.then(|| Template::parse(s)).flatten() {
            Some(t) => Text::Var(t),
            None => Text::Plain(s.to_string()),
        }
    }
}

/// The compiled policy values of one condition, by operator family.
#[derive(Debug, Clone)]
pub(crate) enum Values {
    Str(string::StrValues),
    Num(Cmp, Vec<Option<f64>>),
    Date(Cmp, Vec<Option<i64>>),
    Bool(Vec<Text>),
    Binary(Vec<Option<Vec<u8>>>),
    Ip(Vec<Option<ipnet::IpNet>>),
    Arn(Vec<arn::ArnValue>),
    Null(Vec<Option<bool>>),
    /// An operator the engine does not know (S-COND-8).
    Unknown,
}

/// One `operator: { key: values }` entry of a `Condition` block.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    /// The operator as written (`ForAnyValue:StringLikeIfExists`).
    pub(crate) operator: String,
    pub(crate) qualifier: Option<SetQualifier>,
    pub(crate) if_exists: bool,
    pub(crate) negated: bool,
    /// The condition key as written, and lower-cased for look-up.
    pub(crate) key: String,
    /// `key` as a JSON string (quoted and escaped), for answers that name it.
    key_json: Box<str>,
    pub(crate) key_lc: String,
    pub(crate) key_hash: u64,
    /// Where the key was last found in a request context.
    key_hint: crate::request::KeyHint,
    pub(crate) values: Values,
    /// The policy values as written (for explanations).
    pub(crate) raw_values: Vec<String>,
    /// The first policy value that is not of the operator's type (`abc` or `NaN` for a
    /// `Numeric…` operator): the condition is then indeterminate (S-COND-8).
    pub(crate) malformed: Option<Box<str>>,
    /// Some value holds policy variables.
    has_variables: bool,
    pub(crate) span: Span,
}

/// The operator families with their names, for parsing and suggestions.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// All 27 base operator names.
pub fn operator_names() -> &'static [&'static str] {
    OPERATORS
}

/// The closest known operator to `name`, for "did you mean" help.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    crate::suggest::closest(strip_operator(name).1, OPERATORS)
}

/// Whether a policy value parses for the operator family `base` (a canonical name from
/// [`operator_names`]): numbers for `Numeric…`, dates for `Date…`, `true`/`false` for
/// `Bool` and `Null`, CIDR blocks or addresses for `IpAddress`, base64 for
/// `BinaryEquals`; every value is valid for string and ARN operators.
pub(crate) fn value_parses(base: &str, value: &str) -> bool {
    let one = [value.to_string()];
    match base {
        b if b.starts_with("Numeric") => numeric::compile(&one).iter().all(Option::is_some),
        b if b.starts_with("Date") => date::compile(&one).iter().all(Option::is_some),
        "Bool" | "Null" => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
        "IpAddress" | "NotIpAddress" => ip::parse_net(value).is_some(),
        "BinaryEquals" => binary::compile(&one).iter().all(Option::is_some),
        _ => true,
    }
}

/// Strips a case-insensitive prefix.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Splits `ForAnyValue:StringLikeIfExists` into qualifier, canonical base name and
/// IfExists. Operator names are matched case-insensitively: AWS accepts
/// `ForAnyValue:Stringlike` (it ships in AWS's own RCP examples,
/// `fixtures/corpus/rcp/rcp-examples__Service-specific-controls__STS-protect-IAMRA-session-tags.json`).
/// An unknown base name is returned as written.
pub(crate) fn strip_operator(name: &str) -> (Option<SetQualifier>, &str, bool) {
    let (q, rest) = if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), r)
    } else if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
        (Some(SetQualifier::ForAllValues), r)
    } else {
        (None, name)
    };
    let canonical = |s: &str| OPERATORS.iter().find(|op| op.eq_ignore_ascii_case(s)).copied();
    if let Some(op) = canonical(rest) {
        return (q, op, false);
    }
    let cut = rest.len().saturating_sub("IfExists".len());
    match (rest.get(..cut), rest.get(cut..)) {
        (Some(base), Some(suffix)) if suffix.eq_ignore_ascii_case("IfExists") => match canonical(base) {
            Some(op) if op != "Null" => (q, op, true),
            _ => (q, rest, false),
        },
        _ => (q, rest, false),
    }
}

impl Condition {
    /// Compiles one condition. `variables` is whether policy variables are recognised
    /// (S-VAR-5). Returns whether the operator is known.
    pub(crate) fn new(operator: &str, key: &str, raw: Vec<String>, variables: bool, span: Span) -> (Condition, bool) {
        let (qualifier, base, if_exists) = strip_operator(operator);
        let negated = matches!(
            base,
            "StringNotEquals"
                | "StringNotEqualsIgnoreCase"
                | "StringNotLike"
                | "NumericNotEquals"
                | "DateNotEquals"
                | "NotIpAddress"
                | "ArnNotEquals"
                | "ArnNotLike"
        );
        let values = match base {
            "StringEquals" | "StringNotEquals" => Values::Str(string::StrValues::equals(&raw, variables)),
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
                Values::Str(string::StrValues::ignore_case(&raw, variables))
            }
            "StringLike" | "StringNotLike" => Values::Str(string::StrValues::like(&raw, variables)),
            "NumericEquals" | "NumericNotEquals" => Values::Num(Cmp::Eq, numeric::compile(&raw)),
            "NumericLessThan" => Values::Num(Cmp::Lt, numeric::compile(&raw)),
            "NumericLessThanEquals" => Values::Num(Cmp::Le, numeric::compile(&raw)),
            "NumericGreaterThan" => Values::Num(Cmp::Gt, numeric::compile(&raw)),
            "NumericGreaterThanEquals" => Values::Num(Cmp::Ge, numeric::compile(&raw)),
            "DateEquals" | "DateNotEquals" => Values::Date(Cmp::Eq, date::compile(&raw)),
            "DateLessThan" => Values::Date(Cmp::Lt, date::compile(&raw)),
            "DateLessThanEquals" => Values::Date(Cmp::Le, date::compile(&raw)),
            "DateGreaterThan" => Values::Date(Cmp::Gt, date::compile(&raw)),
            "DateGreaterThanEquals" => Values::Date(Cmp::Ge, date::compile(&raw)),
            "Bool" => Values::Bool(boolean::compile(&raw, variables)),
            "BinaryEquals" => Values::Binary(binary::compile(&raw)),
            "IpAddress" | "NotIpAddress" => Values::Ip(ip::compile(&raw)),
            "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => Values::Arn(arn::compile(&raw, variables)),
            "Null" if qualifier.is_none() => Values::Null(null::compile(&raw)),
            _ => Values::Unknown,
        };
        let known = !matches!(values, Values::Unknown);
        let malformed = malformed_value(&values, &raw).map(Box::from);
        let condition = Condition {
            operator: operator.to_string(),
            qualifier,
            if_exists,
            negated,
            key: key.to_string(),
            key_json: serde_json::to_string(key).unwrap_or_default().into(),
            key_lc: key.to_ascii_lowercase(),
            key_hash: crate::request::key_hash(&key.to_ascii_lowercase()),
            key_hint: crate::request::KeyHint::default(),
            values,
            raw_values: raw,
            malformed,
            has_variables: false,
            span,
        };
        (condition.with_variables_noted(), known)
    }

    /// Marks whether a value holds variables (after compiling, from the values).
    fn with_variables_noted(mut self) -> Condition {
        let has = self.templates().next().is_some();
        self.has_variables = has;
        self
    }

    /// The first value whose variables would expand past
    /// [`crate::variables::MAX_EXPANDED_BYTES`] with `ctx` (S-VAR-7).
    fn expansion_too_large(&self, ctx: &Context) -> Option<&Template> {
        self.templates().find(|t| t.too_large(ctx))
    }

    /// Whether the condition is indeterminate whatever the request holds: its operator
    /// is unknown, or a policy value is not of the operator's type (S-COND-8).
    pub(crate) fn always_indeterminate(&self) -> bool {
        matches!(self.values, Values::Unknown) || self.malformed.is_some()
    }

    /// Whether some policy value matches one request value (before negation).
    #[inline(always)]
    fn any_match(&self, v: &str, ctx: &Context) -> bool {
        match &self.values {
            Values::Str(s) => s.any_match(v, ctx),
            Values::Num(cmp, vals) => numeric::any_match(*cmp, vals, v),
            Values::Date(cmp, vals) => date::any_match(*cmp, vals, v),
            Values::Bool(vals) => boolean::any_match(vals, v, ctx),
            Values::Binary(vals) => binary::any_match(vals, v),
            Values::Ip(vals) => ip::any_match(vals, v, ctx),
            Values::Arn(vals) => arn::any_match(vals, v, ctx),
            Values::Null(_) | Values::Unknown => false,
        }
    }

    /// The per-value test, with negation applied per value (S-COND-7).
    #[inline(always)]
    fn value_holds(&self, v: &str, ctx: &Context) -> bool {
        self.any_match(v, ctx) != self.negated
    }

    /// Evaluates against the request context. `missing` receives the key when the
    /// request lacks it.
    pub(crate) fn eval<'p>(&'p self, ctx: &Context, missing: &mut Missing<'p>) -> Tri {
        self.eval_inline(ctx, missing)
    }

    /// [`Condition::eval`] inlined, for the statement loop.
    #[inline(always)]
    pub(crate) fn eval_inline<'p>(&'p self, ctx: &Context, missing: &mut Missing<'p>) -> Tri {
        if self.always_indeterminate() {
            return Tri::Indeterminate;
        }
        if self.has_variables && self.expansion_too_large(ctx).is_some() {
            // S-VAR-7: a value that would expand past the limit is not expanded.
            return Tri::Indeterminate;
        }
        let values = ctx
            .get_hinted(self.key_hash, &self.key_lc, &self.key_hint)
            .filter(|v| !v.is_empty());
        if values.is_none() {
            missing.push(MissingKey {
                key: &self.key,
                json: Some(&self.key_json),
            });
        }
        if let Values::Null(vals) = &self.values {
            // S-COND-4: `Null: true` holds when the key is absent, `false` when present.
            return tri(vals.contains(&Some(values.is_none())));
        }
        let Some(values) = values else {
            // S-COND-6, then S-COND-7 (absent: ForAnyValue false, ForAllValues true),
            // then S-COND-5 (negated operators hold on a missing key).
            return tri(match (self.if_exists, self.qualifier) {
                (true, _) => true,
                (false, Some(SetQualifier::ForAnyValue)) => false,
                (false, Some(SetQualifier::ForAllValues)) => true,
                (false, None) => self.negated,
            });
        };
        // S-COND-7: a set holding only the empty string is the null data set.
        let null_set = |vs: &[String]| vs.iter().all(String::is_empty);
        match (self.qualifier, values) {
            (None, [one]) => tri(self.value_holds(one, ctx)),
            (Some(SetQualifier::ForAnyValue), vs) => tri(!null_set(vs) && vs.iter().any(|v| self.value_holds(v, ctx))),
            (Some(SetQualifier::ForAllValues), vs) => tri(null_set(vs) || vs.iter().all(|v| self.value_holds(v, ctx))),
            // S-COND-7: a multi-valued request value without a set qualifier is not
            // defined by AWS's pages: indeterminate, so a Deny applies and an Allow does
            // not (docs/SEMANTICS.md records this decision).
            (None, _) => Tri::Indeterminate,
        }
    }
}

impl Condition {
    /// The keys its policy variables read, as written (for explanations).
    pub(crate) fn variable_keys_as_written(&self) -> Vec<String> {
        self.templates().flat_map(Template::keys_as_written).collect()
    }

    /// The keys (lower-cased) its policy variables read (S-VAR-1).
    pub(crate) fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.templates().flat_map(Template::keys)
    }

    /// The templates among its values, in order (without collecting them: the check
    /// for S-VAR-7 runs on every evaluation of a condition holding variables).
    fn templates(&self) -> impl Iterator<Item = &Template> {
        let none = (&[][..], &[][..], &[][..]);
        let (texts, likes, arns): (&[Text], &[string::LikeValue], &[arn::ArnValue]) = match &self.values {
            Values::Str(string::StrValues::Equals(v) | string::StrValues::IgnoreCase(v)) | Values::Bool(v) => {
                (v, none.1, none.2)
            }
            Values::Str(string::StrValues::Like(v)) => (none.0, v, none.2),
            Values::Arn(v) => (none.0, none.1, v),
            _ => none,
        };
        let text = texts.iter().filter_map(|t| match t {
            Text::Var(t) => Some(t),
            Text::Plain(_) => None,
        });
        let like = likes.iter().filter_map(|t| match t {
            string::LikeValue::Var(t) => Some(t),
            string::LikeValue::Glob(_) => None,
        });
        let arn = arns.iter().filter_map(|t| match t {
            arn::ArnValue::Var(t) => Some(t),
            arn::ArnValue::Pattern(_) => None,
        });
        text.chain(like).chain(arn)
    }

    /// Why this condition is indeterminate against `ctx` (S-COND-8), or `None` when it
    /// is not: for explanations, off the evaluation path.
    pub(crate) fn indeterminate_why(&self, ctx: &Context) -> Option<String> {
        if self.eval(ctx, &mut Vec::new()) != Tri::Indeterminate {
            return None;
        }
        if matches!(self.values, Values::Unknown) {
            return Some(format!(
                "condition operator `{}` is not one the engine knows (S-COND-8)",
                self.operator
            ));
        }
        if let Some(t) = self.expansion_too_large(ctx) {
            return Some(crate::span::clip_quoted(format!(
                "the policy variables of `{}` in `{}` on `{}` expand to more than {} bytes, which the engine does not expand (S-VAR-7, S-COND-8)",
                t.source(),
                self.operator,
                self.key,
                crate::variables::MAX_EXPANDED_BYTES
            )));
        }
        if let Some(v) = &self.malformed {
            let (want, rule) = match &self.values {
                Values::Num(..) => ("a number", "S-COND-2"),
                Values::Date(..) => ("a date", "S-COND-3"),
                Values::Ip(_) => ("an IP address or CIDR block", "S-COND-4"),
                Values::Binary(_) => ("base64", "S-COND-4"),
                _ => ("`true` or `false`", "S-COND-4"),
            };
            return Some(crate::span::clip_quoted(format!(
                "policy value `{v}` of `{}` on `{}` is not {want} (an error for IAM Access Analyzer: data type mismatch), so whether the condition holds cannot be known ({rule}, S-COND-8)",
                self.operator, self.key
            )));
        }
        let n = ctx.get_hashed(self.key_hash, &self.key_lc).map_or(0, <[String]>::len);
        Some(format!(
            "the request gives `{}` {n} values and `{}` has no `ForAnyValue:`/`ForAllValues:` qualifier (S-COND-7)",
            self.key, self.operator
        ))
    }
}

/// The first policy value the operator family could not read: a number (S-COND-2), a
/// date (S-COND-3), an IP range, base64, or `true`/`false` for `Bool` and `Null`
/// (S-COND-4); values holding policy variables (`Bool`) are read at evaluation. IAM
/// Access Analyzer reports such a value as an error ("Data type mismatch",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-data-type-mismatch>).
fn malformed_value<'r>(values: &Values, raw: &'r [String]) -> Option<&'r str> {
    fn first_none<'r, T>(compiled: &[Option<T>], raw: &'r [String]) -> Option<&'r str> {
        compiled
            .iter()
            .zip(raw)
            .find(|(c, _)| c.is_none())
            .map(|(_, r)| r.as_str())
    }
    match values {
        Values::Num(_, v) => first_none(v, raw),
        Values::Date(_, v) => first_none(v, raw),
        Values::Ip(v) => first_none(v, raw),
        Values::Binary(v) => first_none(v, raw),
        Values::Null(v) => first_none(v, raw),
        Values::Bool(v) => v
            .iter()
            .zip(raw)
            .find(|(t, _)| matches!(t, Text::Plain(p) if p != "true" && p != "false"))
            .map(|(_, r)| r.as_str()),
        Values::Str(_) | Values::Arn(_) | Values::Unknown => None,
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, vals: &[&str]) -> Condition {
        Condition::new(
            op,
            key,
            vals.iter().map(|s| s.to_string()).collect(),
            true,
            Span::default(),
        )
        .0
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.insert(k, v.iter().map(|s| s.to_string()).collect());
        }
        c
    }

    fn ev(c: &Condition, cx: &Context) -> Tri {
        c.eval(cx, &mut Vec::new())
    }

    #[test]
    fn missing_key_rules() {
        let empty = Context::default();
        assert_eq!(ev(&cond("StringEquals", "k", &["a"]), &empty), Tri::False);
        assert_eq!(ev(&cond("StringNotEquals", "k", &["a"]), &empty), Tri::True);
        assert_eq!(
            ev(&cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]), &empty),
            Tri::True
        );
        assert_eq!(ev(&cond("StringEqualsIfExists", "k", &["a"]), &empty), Tri::True);
        assert_eq!(ev(&cond("Null", "k", &["true"]), &empty), Tri::True);
        assert_eq!(ev(&cond("Null", "k", &["false"]), &empty), Tri::False);
        assert_eq!(ev(&cond("ForAnyValue:StringEquals", "k", &["a"]), &empty), Tri::False);
        assert_eq!(ev(&cond("ForAllValues:StringEquals", "k", &["a"]), &empty), Tri::True);
        assert_eq!(ev(&cond("StringEqul", "k", &["a"]), &empty), Tri::Indeterminate);
        assert_eq!(ev(&cond("NullIfExists", "k", &["true"]), &empty), Tri::Indeterminate);
    }

    #[test]
    fn values_not_of_the_operators_type_are_indeterminate() {
        let c = ctx(&[("n", &["5"])]);
        for (op, vals) in [
            ("NumericLessThan", &["abc"][..]),
            ("NumericEquals", &["5", "NaN"][..]),
            ("NumericNotEquals", &["1e309"][..]),
            ("DateLessThan", &["yesterday"][..]),
            ("IpAddress", &["10.0.0.0/33"][..]),
            ("BinaryEquals", &["%%"][..]),
            ("Null", &["yes"][..]),
            ("Bool", &["1"][..]),
            ("ForAnyValue:NumericEquals", &["x"][..]),
            ("NumericEqualsIfExists", &["x"][..]),
        ] {
            let cd = cond(op, "n", vals);
            assert_eq!(ev(&cd, &c), Tri::Indeterminate, "{op} {vals:?}");
            assert_eq!(
                ev(&cd, &Context::default()),
                Tri::Indeterminate,
                "{op} {vals:?}, key absent"
            );
            assert!(cd.indeterminate_why(&c).is_some_and(|w| w.contains("S-COND-8")));
        }
        // Well-typed values decide (a request value of the wrong type matches nothing).
        assert_eq!(ev(&cond("NumericLessThan", "n", &["10", "1.5"]), &c), Tri::True);
        assert_eq!(ev(&cond("Bool", "n", &["TRUE", "${aws:x}"]), &c), Tri::False);
        assert_eq!(
            ev(&cond("NumericEquals", "n", &["5"]), &ctx(&[("n", &["abc"])])),
            Tri::False
        );
    }

    #[test]
    fn set_qualifiers() {
        let c = ctx(&[("aws:TagKeys", &["env", "team"])]);
        assert_eq!(
            ev(
                &cond("ForAllValues:StringEquals", "aws:tagkeys", &["env", "team", "x"]),
                &c
            ),
            Tri::True
        );
        assert_eq!(
            ev(&cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]), &c),
            Tri::False
        );
        assert_eq!(
            ev(&cond("ForAnyValue:StringEquals", "aws:TagKeys", &["env"]), &c),
            Tri::True
        );
        assert_eq!(
            ev(&cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["env"]), &c),
            Tri::True
        );
        assert_eq!(
            ev(&cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["env"]), &c),
            Tri::False
        );
        // Multi-valued without a qualifier is indeterminate (S-COND-7).
        assert_eq!(
            ev(&cond("StringEquals", "aws:TagKeys", &["env", "team"]), &c),
            Tri::Indeterminate
        );
        assert_eq!(
            ev(&cond("StringNotEquals", "aws:TagKeys", &["env"]), &c),
            Tri::Indeterminate
        );
        let null = ctx(&[("aws:TagKeys", &[""])]);
        assert_eq!(
            ev(&cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]), &null),
            Tri::True
        );
        assert_eq!(
            ev(&cond("ForAnyValue:StringEquals", "aws:TagKeys", &[""]), &null),
            Tri::False
        );
        let one = ctx(&[("k", &["a"])]);
        assert_eq!(ev(&cond("ForAllValues:StringEquals", "k", &["a"]), &one), Tri::True);
    }

    #[test]
    fn suggests_operators() {
        assert_eq!(suggest("StringEqual"), Some("StringEquals"));
        assert_eq!(suggest("ForAnyValue:StringLke"), Some("StringLike"));
        assert_eq!(suggest("Completely"), None);
    }
}
