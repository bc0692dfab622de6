//! String operators (S-COND-1): `StringEquals`, `StringNotEquals`,
//! `StringEqualsIgnoreCase`, `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`.
//! Exact operators compare text; `…IgnoreCase` compares lower-cased text; `…Like` uses
//! the `*`/`?` wildcards of [`crate::pattern`], case-sensitive.

use super::Text;
use crate::pattern::{tokens_match, Glob};
use crate::request::Context;
use crate::variables::{Resolution, Resolved, Template};

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
                // Short texts: compared in place, not by a call into `memcmp`.
                Text::Plain(p) => crate::pattern::bytes_eq(p.as_bytes(), v.as_bytes()),
                Text::Var(t) => t.equals(ctx, v, false) == Some(true),
            }),
            // Policy values are lower-cased when compiled; an ASCII request value is
            // compared ASCII-case-insensitively without lower-casing a copy.
            StrValues::IgnoreCase(vals) if v.is_ascii() => vals.iter().any(|p| match p {
                Text::Plain(p) => p.eq_ignore_ascii_case(v),
                Text::Var(t) => match t.equals(ctx, v, true) {
                    Some(true) => true,
                    // Non-ASCII text can lower-case to ASCII (the Kelvin sign to `k`).
                    Some(false) if !t.resolves_ascii(ctx) => t
                        .resolve_text(ctx)
                        .is_some_and(|p| p.to_lowercase().eq_ignore_ascii_case(v)),
                    _ => false,
                },
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
                    if !v.starts_with(t.literal_prefix()) {
                        return false;
                    }
                    let mut toks = Resolved::new();
                    t.resolve_tokens(ctx, &mut toks) == Resolution::Resolved && tokens_match(&toks, v)
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values holding variables compare without building the resolved text; the
    /// `…IgnoreCase` operators lower-case by Unicode (S-COND-1), so a resolved value
    /// whose non-ASCII text lower-cases to ASCII (the Kelvin sign) still matches.
    #[test]
    fn variables_in_exact_and_ignore_case_values() {
        let raw = ["team-${aws:PrincipalTag/team}".to_string()];
        let mut ctx = Context::default();
        ctx.insert("aws:principaltag/team", vec!["Data".into()]);
        assert!(StrValues::equals(&raw, true).any_match("team-Data", &ctx));
        assert!(!StrValues::equals(&raw, true).any_match("team-data", &ctx));
        assert!(StrValues::ignore_case(&raw, true).any_match("TEAM-data", &ctx));
        assert!(!StrValues::ignore_case(&raw, true).any_match("team-dat", &ctx));
        ctx.insert("aws:principaltag/team", vec!["\u{212a}".into()]);
        assert!(StrValues::ignore_case(&raw, true).any_match("team-k", &ctx));
        assert!(StrValues::ignore_case(&raw, true).any_match("team-\u{212a}", &ctx));
        assert!(!StrValues::equals(&raw, true).any_match("team-k", &ctx));
        ctx.insert("aws:principaltag/team", vec!["a".into(), "b".into()]);
        assert!(!StrValues::equals(&raw, true).any_match("team-a", &ctx), "S-VAR-4");
    }
}
