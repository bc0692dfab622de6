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
use crate::request::{key_hash, Context, KeyHint};
use smallvec::SmallVec;

/// A pattern resolved for one request: tokens borrowing the policy's text and the
/// request's values (no copy); inline up to 16 tokens.
pub(crate) type Resolved<'a> = SmallVec<[Tok<&'a str>; 16]>;

/// What resolving a template against a request gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Every variable has one value (or its default); the text is within the limit.
    Resolved,
    /// Some variable's key is absent without a default, or has several values (S-VAR-4).
    Unresolvable,
    /// Every variable resolves, but the text would exceed [`MAX_EXPANDED_BYTES`]
    /// (S-VAR-7): indeterminate.
    TooLarge,
}

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
    /// `${key}` or `${key, 'default'}`; `key` lower-cased, `hash` its
    /// [`key_hash`] (computed once, for the request context's lookup).
    Var {
        key: String,
        hash: u64,
        default: Option<String>,
        /// Where `key` was last found in a request context.
        hint: KeyHint,
    },
    /// `${*}`, `${?}`, `${$}`: the literal character (`"*"`, `"?"` or `"$"`).
    Literal(&'static str),
}

/// Text holding at least one `${…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
    /// The text as written, for explanations.
    source: Box<str>,
    /// The length of the source's leading literal text (before its first `*`, `?` or
    /// `${`): every text the template matches as a pattern starts with it.
    prefix_len: usize,
    /// The length of its policy text and `${*}`-style escapes: what it expands to but
    /// its variables' values.
    fixed_len: usize,
    /// The index in `parts` of its variable when it has exactly one (most templates:
    /// `…/home/${aws:username}/*`).
    single_var: Option<usize>,
    /// Its literal prefix holds five colons (`arn:aws:s3:::bucket/home/${aws:username}`):
    /// as an ARN pattern, its first five segments are that literal text.
    arn_head: bool,
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
        let prefix_len = text
            .find(['*', '?'])
            .unwrap_or(text.len())
            .min(text.find("${").unwrap_or(text.len()));
        let fixed_len = parts
            .iter()
            .map(|p| match p {
                Part::Text(t, _) => t.len(),
                Part::Literal(c) => c.len(),
                Part::Var { .. } => 0,
            })
            .sum();
        let mut vars = parts.iter().enumerate().filter(|(_, p)| matches!(p, Part::Var { .. }));
        let single_var = match (vars.next(), vars.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        };
        let arn_head = text.get(..prefix_len).unwrap_or_default().matches(':').count() >= 5;
        Some(Template {
            parts,
            source: text.into(),
            prefix_len,
            fixed_len,
            single_var,
            arn_head,
        })
    }

    /// The text as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The literal text every match of the template as a pattern starts with (as a
    /// wildcard pattern, and as an ARN pattern: a literal prefix fixes the segments it
    /// spans): a request value without it cannot match, whatever the variables hold.
    pub(crate) fn literal_prefix(&self) -> &str {
        self.source.get(..self.prefix_len).unwrap_or_default()
    }

    /// Whether its literal prefix ([`Template::literal_prefix`]) holds five colons: as
    /// an ARN pattern, its first five segments are literal text.
    pub(crate) fn has_arn_head(&self) -> bool {
        self.arn_head
    }

    /// Whether the template resolves with `ctx`, and within the limit, looking the
    /// variables up without building anything.
    #[inline(always)]
    pub(crate) fn resolution(&self, ctx: &Context) -> Resolution {
        // A template of one variable (most) looked up in place, without a call.
        let len = match self.single_var.and_then(|i| self.parts.get(i)) {
            Some(var) => var.value(ctx).map(|v| self.fixed_len.saturating_add(v.len())),
            None => self.expanded_len(ctx),
        };
        match len {
            None => Resolution::Unresolvable,
            Some(n) if n > MAX_EXPANDED_BYTES => Resolution::TooLarge,
            Some(_) => Resolution::Resolved,
        }
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
    #[inline]
    pub(crate) fn expanded_len(&self, ctx: &Context) -> Option<usize> {
        if let Some(var) = self.single_var.and_then(|i| self.parts.get(i)) {
            return Some(self.fixed_len.saturating_add(var.value(ctx)?.len()));
        }
        let mut n = self.fixed_len;
        for p in &self.parts {
            if let Part::Var { .. } = p {
                n = n.saturating_add(p.value(ctx)?.len());
            }
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
                Part::Literal(c) => out.push_str(c),
                Part::Var { .. } => out.push_str(p.value(ctx)?),
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
            if let Part::Var { key, .. } = p {
                if !open(key) {
                    len = len.saturating_add(p.value(ctx).map_or(0, str::len));
                }
            }
        }
        if len > MAX_EXPANDED_BYTES {
            return false;
        }
        for p in &self.parts {
            match p {
                Part::Text(_, toks) => out.extend(toks.iter().cloned()),
                Part::Literal(c) => out.push(Tok::Lit((*c).to_string())),
                Part::Var { key, .. } if open(key) => out.push(Tok::Star),
                Part::Var { .. } => match p.value(ctx) {
                    Some(v) => out.push(Tok::Lit(v.to_string())),
                    None => return false,
                },
            }
        }
        true
    }

    /// Resolves to pattern tokens borrowing the policy's text and the request's values
    /// (appended to `out`): policy text keeps its wildcards, substituted values and
    /// `${*}`-style escapes are literal. One pass over the parts; `out` is complete only
    /// when the answer is [`Resolution::Resolved`].
    pub(crate) fn resolve_tokens<'a>(&'a self, ctx: &'a Context, out: &mut Resolved<'a>) -> Resolution {
        let mut len = 0usize;
        for p in &self.parts {
            match p {
                Part::Text(t, toks) => {
                    len = len.saturating_add(t.len());
                    out.extend(toks.iter().map(Tok::borrowed));
                }
                Part::Literal(c) => {
                    len = len.saturating_add(c.len());
                    out.push(Tok::Lit(c));
                }
                Part::Var { .. } => match p.value(ctx) {
                    Some(v) => {
                        len = len.saturating_add(v.len());
                        out.push(Tok::Lit(v));
                    }
                    None => return Resolution::Unresolvable,
                },
            }
        }
        if len > MAX_EXPANDED_BYTES {
            Resolution::TooLarge
        } else {
            Resolution::Resolved
        }
    }

    /// Whether the template resolves to exactly `text` (wildcards not special), compared
    /// piece by piece without building the resolved text; `None` when unresolvable or
    /// past [`MAX_EXPANDED_BYTES`] (as [`Template::resolve_text`]). With `ascii_case`,
    /// ASCII letters compare case-insensitively (the caller keeps non-ASCII exact).
    pub(crate) fn equals(&self, ctx: &Context, text: &str, ascii_case: bool) -> Option<bool> {
        let mut rest = text.as_bytes();
        let mut same = true;
        let mut len = 0usize;
        for p in &self.parts {
            let piece = match p {
                Part::Text(t, _) => t.as_str(),
                Part::Literal(c) => c,
                Part::Var { .. } => p.value(ctx)?,
            };
            len = len.saturating_add(piece.len());
            if same {
                let (head, tail) = rest.split_at_checked(piece.len()).unwrap_or((&[], &[]));
                same = head.len() == piece.len()
                    && if ascii_case {
                        head.eq_ignore_ascii_case(piece.as_bytes())
                    } else {
                        head == piece.as_bytes()
                    };
                rest = tail;
            }
        }
        (len <= MAX_EXPANDED_BYTES).then_some(same && rest.is_empty())
    }
}

impl Template {
    /// Whether every piece the template resolves to with `ctx` is ASCII (`true` when it
    /// is unresolvable: there is no text).
    pub(crate) fn resolves_ascii(&self, ctx: &Context) -> bool {
        self.parts.iter().all(|p| match p {
            Part::Text(t, _) => t.is_ascii(),
            Part::Literal(_) => true,
            Part::Var { .. } => p.value(ctx).is_none_or(str::is_ascii),
        })
    }
}

impl Part {
    /// A variable's value in `ctx`: its key's one value, or its default when the key is
    /// absent or empty; `None` when neither (or several values, S-VAR-4). `None` for
    /// parts that are not variables. Inlined: most look-ups hit the key's hint, where
    /// the call cost a third of the look-up.
    #[inline(always)]
    fn value<'c>(&'c self, ctx: &'c Context) -> Option<&'c str> {
        let Part::Var {
            key,
            hash,
            default,
            hint,
        } = self
        else {
            return None;
        };
        match ctx.get_hinted(*hash, key, hint) {
            Some(values) => match values {
                [one] => Some(one.as_str()),
                [] => default.as_deref(),
                _ => None,
            },
            None => default.as_deref(),
        }
    }
}

fn text_part(text: String) -> Part {
    let mut toks = Vec::new();
    tokenize(&text, &mut toks);
    Part::Text(text, toks)
}

fn parse_inner(inner: &str) -> Part {
    match inner {
        "*" => return Part::Literal("*"),
        "?" => return Part::Literal("?"),
        "$" => return Part::Literal("$"),
        _ => {}
    }
    if let Some((key, def)) = inner.split_once(',') {
        let def = def.trim();
        let def = def.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(def);
        return var(key, Some(def.to_string()));
    }
    var(inner, None)
}

fn var(key: &str, default: Option<String>) -> Part {
    let key = key.trim().to_ascii_lowercase();
    Part::Var {
        hash: key_hash(&key),
        key,
        default,
        hint: KeyHint::default(),
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
    fn literal_prefix_stops_at_wildcards_and_variables() {
        let t = |s: &str| Template::parse(s).unwrap();
        assert_eq!(
            t("arn:aws:s3:::b/home/${aws:username}/*").literal_prefix(),
            "arn:aws:s3:::b/home/"
        );
        assert_eq!(t("arn:aws:s3:::b*/${aws:username}").literal_prefix(), "arn:aws:s3:::b");
        assert_eq!(t("arn:aws:s3:::?/${aws:username}").literal_prefix(), "arn:aws:s3:::");
        assert_eq!(t("${aws:username}").literal_prefix(), "");
    }

    proptest::proptest! {
        /// The literal prefix is necessary: whatever the variable holds (colons
        /// included), a text the resolved template matches, as an ARN pattern or as a
        /// wildcard pattern, starts with it.
        #[test]
        fn a_match_starts_with_the_literal_prefix(
            head in "arn:[a:*?]{0,8}",
            tail in "[a:/*?]{0,4}",
            value in "[a:/]{0,3}",
            text in "arn:[a:]{0,5}:[a]{0,2}:[a:]{0,2}:[a]{0,1}:[a:/]{0,5}",
        ) {
            let t = Template::parse(&format!("{head}${{k}}{tail}")).unwrap();
            let mut ctx = Context::default();
            ctx.insert("k", vec![value]);
            let mut toks = Resolved::new();
            proptest::prop_assert_eq!(t.resolve_tokens(&ctx, &mut toks), Resolution::Resolved);
            let parts = crate::arn::split(&text);
            if crate::arn::tokens_match(&toks, &text, parts.as_ref())
                || crate::pattern::tokens_match(&toks, &text)
            {
                proptest::prop_assert!(text.starts_with(t.literal_prefix()), "{} {}", t.source(), text);
            }
        }
    }

    #[test]
    fn equals_compares_piece_by_piece() {
        let t = Template::parse("team-${aws:PrincipalTag/team}${?}").unwrap();
        let mut ctx = Context::default();
        assert_eq!(t.equals(&ctx, "team-?", false), None, "unresolvable");
        ctx.insert("aws:principaltag/team", vec!["Data".into()]);
        assert_eq!(t.equals(&ctx, "team-Data?", false), Some(true));
        assert_eq!(t.equals(&ctx, "team-data?", false), Some(false));
        assert_eq!(t.equals(&ctx, "TEAM-data?", true), Some(true));
        assert_eq!(t.equals(&ctx, "team-Data", false), Some(false), "shorter");
        assert_eq!(t.equals(&ctx, "team-Data??", false), Some(false), "longer");
        assert!(t.resolves_ascii(&ctx));
        ctx.insert("aws:principaltag/team", vec!["\u{212a}".into()]);
        assert!(!t.resolves_ascii(&ctx));
    }

    /// The expanded length, counted from the fixed text's length and the variables'
    /// values, is the length of the resolved text, for one variable or several, with
    /// escapes and defaults; `None` exactly when the text does not resolve.
    #[test]
    fn expanded_length_is_the_resolved_texts() {
        let mut ctx = Context::default();
        ctx.insert("a", vec!["alpha".into()]);
        ctx.insert("b", vec!["bé".into()]);
        ctx.insert("multi", vec!["x".into(), "y".into()]);
        for text in [
            "${a}",
            "x/${a}/y*",
            "${*}${a}${?}",
            "p-${a}-${b}-${$}",
            "${a}${a}${b}",
            "${missing, 'dflt'}/${a}",
            "${missing}/x",
            "x/${a}/${missing}",
            "${multi}",
            "${b}/${multi, 'd'}",
        ] {
            let t = Template::parse(text).unwrap();
            let resolved = t.resolve_text(&ctx);
            assert_eq!(t.expanded_len(&ctx), resolved.as_ref().map(String::len), "{text}");
            assert_eq!(t.resolution(&ctx) == Resolution::Resolved, resolved.is_some(), "{text}");
        }
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
        assert_eq!(t.resolve_tokens(&ctx, &mut Resolved::new()), Resolution::TooLarge);
        assert_eq!(t.equals(&ctx, "", false), None);
    }

    #[test]
    fn substituted_values_are_literal_in_patterns() {
        let t = Template::parse("x/${k}/*").unwrap();
        let mut ctx = Context::default();
        ctx.insert("k", vec!["a*".into()]);
        let mut toks = Resolved::new();
        assert_eq!(t.resolve_tokens(&ctx, &mut toks), Resolution::Resolved);
        assert_eq!(
            toks.as_slice(),
            [Tok::Lit("x/"), Tok::Lit("a*"), Tok::Lit("/"), Tok::Star]
        );
    }
}
