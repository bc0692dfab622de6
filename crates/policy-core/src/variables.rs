//! Policy variables: `${key}`, `${key, 'default'}`, and `${*}`, `${?}`, `${$}`
//! (S-VAR-1 … S-VAR-5).
//!
//! A variable is replaced by the request's value of the condition key (key name
//! case-insensitive). When the key is absent and there is no default, or the key holds
//! several values, the value that holds the variable matches nothing (S-VAR-4).
//! Substituted text is literal: a `*` in a context value is not a wildcard. Variables are
//! recognised only under `Version: 2012-10-17` (S-VAR-5); the parser decides that.
//!
//! AWS source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

use crate::pattern::{tokenize, Tok};
use crate::request::Context;

/// Largest text a value holding policy variables may expand to, in bytes. A value whose
/// expansion would be longer is not expanded: the condition or `Resource` that holds
/// it is indeterminate (S-VAR-7, S-COND-8), so no policy and request can make
/// evaluation allocate without bound. AWS caps what a variable can be replaced by far
/// lower (a tag value has at most 256 characters, a resource ARN 2,048).
pub const MAX_EXPANDED_BYTES: usize = 64 * 1024;

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Policy text, and its pattern tokens (wildcards active when the template is a
    /// pattern), split once when the policy is parsed.
    Text(String, Vec<Tok>),
    /// `${key}` or `${key, 'default'}`; `key` lower-cased.
    Var { key: String, default: Option<String> },
    /// `${*}`, `${?}`, `${$}`: the literal character.
    Literal(char),
}

/// Text holding at least one `${…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
    /// The text as written, for explanations.
    source: Box<str>,
}

impl Template {
    /// Parses `text`; `None` when it holds no `${…}` (plain text).
    pub(crate) fn parse(text: &str) -> Option<Template> {
        if !text.contains("${") {
            return None;
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut buf = String::new();
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            let Some(end) = after.find('}') else {
                break;
            };
            buf.push_str(before);
            let inner = after.get(2..end).unwrap_or("");
            if !buf.is_empty() {
                parts.push(text_part(std::mem::take(&mut buf)));
            }
            parts.push(parse_inner(inner));
            rest = after.get(end + 1..).unwrap_or("");
        }
        buf.push_str(rest);
        if !buf.is_empty() {
            parts.push(text_part(buf));
        }
        if parts.iter().all(|p| matches!(p, Part::Text(..))) {
            return None;
        }
        Some(Template {
            parts,
            source: text.into(),
        })
    }

    /// The text as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The keys this template reads, spelled as written (for explanations).
    pub(crate) fn keys_as_written(&self) -> Vec<String> {
        self.source
            .split("${")
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .map(|inner| inner.split(',').next().unwrap_or(inner).trim().to_string())
            .filter(|k| !matches!(k.as_str(), "*" | "?" | "$"))
            .collect()
    }

    /// The keys this template reads with no default (`${key}`, not `${key, 'x'}`),
    /// spelled as written: without a value in the request, the template does not
    /// resolve (S-VAR-2, S-VAR-4).
    pub(crate) fn required_keys_as_written(&self) -> Vec<String> {
        self.source
            .split("${")
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .filter(|inner| !inner.contains(','))
            .map(|inner| inner.trim().to_string())
            .filter(|k| !matches!(k.as_str(), "*" | "?" | "$"))
            .collect()
    }

    /// The keys (lower-cased) this template reads.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// The length in bytes of the text the template resolves to with `ctx`, counted
    /// without building it; `None` when it is unresolvable (S-VAR-4).
    pub(crate) fn expanded_len(&self, ctx: &Context) -> Option<usize> {
        let mut n = 0usize;
        for p in &self.parts {
            n = n.saturating_add(match p {
                Part::Text(t, _) => t.len(),
                Part::Literal(c) => c.len_utf8(),
                Part::Var { key, default } => lookup(ctx, key, default.as_deref())?.len(),
            });
        }
        Some(n)
    }

    /// Whether the template would expand past [`MAX_EXPANDED_BYTES`] with `ctx` (S-VAR-7).
    pub(crate) fn too_large(&self, ctx: &Context) -> bool {
        self.expanded_len(ctx).is_some_and(|n| n > MAX_EXPANDED_BYTES)
    }

    /// Resolves to plain text (wildcards not special), or `None` (S-VAR-4; also past
    /// [`MAX_EXPANDED_BYTES`], which evaluation reports as indeterminate first).
    pub(crate) fn resolve_text(&self, ctx: &Context) -> Option<String> {
        if self.too_large(ctx) {
            return None;
        }
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t, _) => out.push_str(t),
                Part::Literal(c) => out.push(*c),
                Part::Var { key, default } => out.push_str(lookup(ctx, key, default.as_deref())?),
            }
        }
        Some(out)
    }

    /// Pattern tokens with the variables whose keys `open` says are open replaced by `*`
    /// (any text), the others resolved as [`Template::resolve_tokens`] does: a pattern
    /// that matches every resource the template can match once the open keys have
    /// values (each value is literal text, which `*` covers). `false` when a closed
    /// variable is unresolvable (S-VAR-4).
    pub(crate) fn widen_tokens(&self, ctx: &Context, open: &dyn Fn(&str) -> bool, out: &mut Vec<Tok>) -> bool {
        let mut len = 0usize;
        for p in &self.parts {
            if let Part::Var { key, default } = p {
                if !open(key) {
                    len = len.saturating_add(lookup(ctx, key, default.as_deref()).map_or(0, str::len));
                }
            }
        }
        if len > MAX_EXPANDED_BYTES {
            return false;
        }
        for p in &self.parts {
            match p {
                Part::Text(_, toks) => out.extend(toks.iter().cloned()),
                Part::Literal(c) => out.push(Tok::Lit(c.to_string())),
                Part::Var { key, .. } if open(key) => out.push(Tok::Star),
                Part::Var { key, default } => match lookup(ctx, key, default.as_deref()) {
                    Some(v) => out.push(Tok::Lit(v.to_string())),
                    None => return false,
                },
            }
        }
        true
    }

    /// Resolves to pattern tokens: policy text keeps its wildcards, substituted values
    /// and `${*}`-style escapes are literal. `false` when unresolvable (S-VAR-4).
    pub(crate) fn resolve_tokens(&self, ctx: &Context, out: &mut Vec<Tok>) -> bool {
        // Check every variable first: an unresolvable one (the common case for a
        // key the request lacks), or an expansion past the limit, costs no tokenizing.
        if self.expanded_len(ctx).is_none_or(|n| n > MAX_EXPANDED_BYTES) {
            return false;
        }
        for p in &self.parts {
            match p {
                Part::Text(_, toks) => out.extend(toks.iter().cloned()),
                Part::Literal(c) => out.push(Tok::Lit(c.to_string())),
                Part::Var { key, default } => match lookup(ctx, key, default.as_deref()) {
                    Some(v) => out.push(Tok::Lit(v.to_string())),
                    None => return false,
                },
            }
        }
        true
    }
}

fn text_part(text: String) -> Part {
    let mut toks = Vec::new();
    tokenize(&text, &mut toks);
    Part::Text(text, toks)
}

fn lookup<'c>(ctx: &'c Context, key: &str, default: Option<&'c str>) -> Option<&'c str> {
    match ctx.get(key) {
        Some(values) => match values {
            [one] => Some(one.as_str()),
            [] => default,
            _ => None,
        },
        None => default,
    }
}

fn parse_inner(inner: &str) -> Part {
    match inner {
        "*" => return Part::Literal('*'),
        "?" => return Part::Literal('?'),
        "$" => return Part::Literal('$'),
        _ => {}
    }
    if let Some((key, def)) = inner.split_once(',') {
        let def = def.trim();
        let def = def.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(def);
        return Part::Var {
            key: key.trim().to_ascii_lowercase(),
            default: Some(def.to_string()),
        };
    }
    Part::Var {
        key: inner.trim().to_ascii_lowercase(),
        default: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_defaults_and_escapes() {
        assert_eq!(Template::parse("plain*"), None);
        let t = Template::parse("home/${aws:username}/${*}${?}${$}").unwrap();
        let mut ctx = Context::default();
        assert_eq!(t.resolve_text(&ctx), None);
        ctx.insert("aws:username", vec!["alice".into()]);
        assert_eq!(t.resolve_text(&ctx).as_deref(), Some("home/alice/*?$"));
        let d = Template::parse("${aws:PrincipalTag/team, 'company-wide'}").unwrap();
        assert_eq!(d.resolve_text(&Context::default()).as_deref(), Some("company-wide"));
        ctx.insert("aws:principaltag/team", vec!["a".into(), "b".into()]);
        assert_eq!(d.resolve_text(&ctx), None, "multi-valued keys resolve to nothing");
    }

    #[test]
    fn expansion_at_and_past_the_limit() {
        let t = Template::parse("a${k}").unwrap();
        let mut ctx = Context::default();
        ctx.insert("k", vec!["x".repeat(MAX_EXPANDED_BYTES - 1)]);
        assert!(!t.too_large(&ctx));
        assert_eq!(t.resolve_text(&ctx).map(|s| s.len()), Some(MAX_EXPANDED_BYTES));
        ctx.insert("k", vec!["x".repeat(MAX_EXPANDED_BYTES)]);
        assert!(t.too_large(&ctx));
        assert_eq!(t.resolve_text(&ctx), None);
        assert!(!t.resolve_tokens(&ctx, &mut Vec::new()));
    }

    #[test]
    fn substituted_values_are_literal_in_patterns() {
        let t = Template::parse("x/${k}/*").unwrap();
        let mut ctx = Context::default();
        ctx.insert("k", vec!["a*".into()]);
        let mut toks = Vec::new();
        assert!(t.resolve_tokens(&ctx, &mut toks));
        assert_eq!(
            toks,
            vec![
                Tok::Lit("x/".into()),
                Tok::Lit("a*".into()),
                Tok::Lit("/".into()),
                Tok::Star
            ]
        );
    }
}
