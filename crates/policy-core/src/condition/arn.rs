//! ARN operators (S-COND-4): `ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`,
//! segment-wise as in S-MATCH-2; `ArnEquals` behaves like `ArnLike` (wildcards allowed).

use crate::arn::{resolved_match, split, ArnPattern};
use crate::request::Context;
use crate::variables::{Resolution, Resolved, Template};

#[derive(Debug, Clone)]
pub(crate) enum ArnValue {
    Pattern(ArnPattern),
    Var(Template),
}

pub(crate) fn compile(raw: &[String], vars: bool) -> Vec<ArnValue> {
    raw.iter()
        .map(|s| match vars.then(|| Template::parse(s)).flatten() {
            Some(t) => ArnValue::Var(t),
            None => ArnValue::Pattern(ArnPattern::new(s)),
        })
        .collect()
}

pub(crate) fn any_match(vals: &[ArnValue], v: &str, ctx: &Context) -> bool {
    let parts = split(v);
    vals.iter().any(|p| match p {
        ArnValue::Pattern(p) => p.is_match(v, parts.as_ref()),
        ArnValue::Var(t) if !v.starts_with(t.literal_prefix()) => false,
        ArnValue::Var(t) => {
            let mut toks = Resolved::new();
            t.resolve_tokens(ctx, &mut toks) == Resolution::Resolved
                && resolved_match(&toks, v, parts.as_ref(), t.has_arn_head())
        }
    })
}
