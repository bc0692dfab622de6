//! String operators (S-COND-1): `StringEquals`, `StringNotEquals`,
//! `StringEqualsIgnoreCase`, `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`.
//! Exact operators compare text; `…IgnoreCase` compares lower-cased text; `…Like` uses
//! the `*`/`?` wildcards of [`crate::pattern`], case-sensitive.

use super::Text;
use crate::pattern::Glob;
use crate::request::Context;
use crate::variables::Template;

#[derive(Debug, Clone)]
pub(crate) enum StrValues {
    Equals(Vec<Text>),
    IgnoreCase(Vec<Text>),
    Like(Vec<LikeValue>),
}

#[derive(Debug, Clone)]
pub(crate) enum LikeValue {
    Glob(Glob),
    Var(Template),
}

impl StrValues {
    pub(crate) fn equals(raw: &[String], vars: bool) -> StrValues {
        StrValues::Equals(raw.iter().map(|s| Text::new(s, vars)).collect())
    }

    pub(crate) fn ignore_case(raw: &[String], vars: bool) -> StrValues {
        StrValues::IgnoreCase(
            raw.iter()
                .map(|s| match Text::new(s, vars) {
                    Text::Plain(p) => Text::Plain(p.to_lowercase()),
                    v => v,
                })
                .collect(),
        )
    }

    pub(crate) fn like(raw: &[String], vars: bool) -> StrValues {
        StrValues::Like(
            raw.iter()
                .map(|s| match vars.then(|| Template::parse(s)).flatten() {
                    Some(t) => LikeValue::Var(t),
                    None => LikeValue::Glob(Glob::new(s)),
                })
                .collect(),
        )
    }

    pub(crate) fn any_match(&self, v: &str, ctx: &Context) -> bool {
        match self {
            StrValues::Equals(vals) => vals.iter().any(|p| match p {
                Text::Plain(p) => p == v,
                Text::Var(t) => t.resolve_text(ctx).is_some_and(|p| p == v),
            }),
            StrValues::IgnoreCase(vals) => {
                let v = v.to_lowercase();
                vals.iter().any(|p| match p {
                    Text::Plain(p) => *p == v,
                    Text::Var(t) => t.resolve_text(ctx).is_some_and(|p| p.to_lowercase() == v),
                })
            }
            StrValues::Like(vals) => vals.iter().any(|p| match p {
                LikeValue::Glob(g) => g.is_match(v),
                LikeValue::Var(t) => {
                    let mut toks = Vec::new();
                    t.resolve_tokens(ctx, &mut toks) && Glob::from_tokens(toks).is_match(v)
                }
            }),
        }
    }
}
