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
    // The value's segments: split once, and only when a pattern needs them (most
    // patterns name other principals or resources, which their literal start tells).
    let mut segments: Option<Option<[&str; 6]>> = None;
    let mut parts = || *segments.get_or_insert_with(|| split(v));
    vals.iter().any(|p| match p {
        ArnValue::Pattern(p) => p.is_match_lazy(v, &mut parts),
        ArnValue::Var(t) if !v.starts_with(t.literal_prefix()) => false,
        ArnValue::Var(t) => {
            let mut toks = Resolved::new();
            t.resolve_tokens(ctx, &mut toks) == Resolution::Resolved
                && resolved_match(&toks, v, parts().as_ref(), t.has_arn_head())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PATTERNS: &[&str] = &[
        "*",
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:iam::*:role/admin",
        "arn:*:iam::*:*",
        "arn:aws:iam::111122223333:*",
        "foo:aws:iam::1:role/x",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]",
        "arn:${aws:PrincipalTag/p}:iam::1:role/x",
        "iam::*",
        "*:role/admin",
    ];
    const VALUES: &[&str] = &[
        "arn:aws:iam::111122223333:role/admin",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::444455556666:role/admin",
        "foo:aws:iam::1:role/x",
        "arn:aws:iam::1:role/x",
        "arn:aws:s3:::bucket",
        "arn:aws:iam",
        "",
    ];

    /// [`any_match`] as it was before it split the value lazily: split first, for
    /// every value.
    fn eager(vals: &[ArnValue], v: &str, ctx: &Context) -> bool {
        let parts = split(v);
        vals.iter().any(|p| match p {
            ArnValue::Pattern(p) => p.is_match(v, parts.as_ref()),
            ArnValue::Var(t) => {
                let mut toks = Resolved::new();
                t.resolve_tokens(ctx, &mut toks) == Resolution::Resolved
                    && resolved_match(&toks, v, parts.as_ref(), t.has_arn_head())
            }
        })
    }

    proptest! {
        /// Splitting the request value only where a pattern needs its segments answers
        /// as splitting it first: any patterns (with and without policy variables,
        /// ARN-shaped or not), any value, the variables' keys present or not.
        #[test]
        fn lazy_split_answers_as_eager(
            picks in proptest::collection::vec(0..PATTERNS.len(), 1..5),
            v in 0..VALUES.len(),
            account in any::<bool>(),
            tag in any::<bool>(),
        ) {
            let raw: Vec<String> = picks.iter().map(|&i| PATTERNS[i].to_string()).collect();
            let vals = compile(&raw, true);
            let mut ctx = Context::default();
            if account {
                ctx.insert("aws:PrincipalAccount", vec!["111122223333".into()]);
            }
            if tag {
                ctx.insert("aws:PrincipalTag/p", vec!["aws".into()]);
            }
            let v = VALUES[v];
            prop_assert_eq!(any_match(&vals, v, &ctx), eager(&vals, v, &ctx), "{:?} {}", raw, v);
        }
    }
}
