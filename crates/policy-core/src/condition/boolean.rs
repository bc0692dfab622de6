//! `Bool` (S-COND-4): `true`/`false`, case-insensitive; policy values may hold variables.

use super::Text;
use crate::request::Context;

pub(crate) fn compile(raw: &[String], vars: bool) -> Vec<Text> {
    raw.iter()
        .map(|s| match Text::new(s, vars) {
            Text::Plain(p) => Text::Plain(p.to_ascii_lowercase()),
            t => t,
        })
        .collect()
}

pub(crate) fn any_match(vals: &[Text], v: &str, ctx: &Context) -> bool {
    // Plain values are ASCII-lower-cased when compiled.
    vals.iter().any(|p| match p {
        // The request's text as written (`true`) compared a word at a time first.
        Text::Plain(p) => crate::pattern::bytes_eq(p.as_bytes(), v.as_bytes()) || p.eq_ignore_ascii_case(v),
        Text::Var(t) => t.equals(ctx, v, true) == Some(true),
    })
}
