//! ARNs: splitting and segment-wise pattern matching (S-MATCH-2, `Arn*` operators).
//!
//! An ARN is `arn:partition:service:region:account:resource`. Pattern and text are split
//! on their first five colons into six segments, matched segment by segment with
//! [`crate::pattern`] wildcards; a `*` never crosses into another segment, but the last
//! (resource) segment may itself hold `:` and `/`, which `*` crosses. Matching is
//! case-sensitive. A pattern with fewer than five colons is not ARN-shaped; it is
//! matched as one wildcard pattern against the whole text (so `arn:aws:s3:*` covers
//! every S3 ARN, as its author meant).
//!
//! AWS source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>

use crate::pattern::{tokenize, tokens_match as glob_tokens_match, Glob, Tok};
use smallvec::SmallVec;

/// Splits `text` into its six ARN segments, or `None` when it is not an ARN.
pub(crate) fn split(text: &str) -> Option<[&str; 6]> {
    let [c0, c1, c2, c3, c4] = cuts(text)?;
    Some([
        text.get(..c0)?,
        text.get(c0 + 1..c1)?,
        text.get(c1 + 1..c2)?,
        text.get(c2 + 1..c3)?,
        text.get(c3 + 1..c4)?,
        text.get(c4 + 1..)?,
    ])
}

/// The byte offsets of the five colons that end the first five segments of the ARN
/// `text` ([`split`]'s cuts), or `None` when it is not an ARN: for a caller that needs
/// where the segments are rather than the segments themselves.
pub(crate) fn cuts(text: &str) -> Option<[usize; 5]> {
    let b = text.as_bytes();
    if !b.starts_with(b"arn:") {
        return None;
    }
    // Byte offsets of the first five colons (`:` is ASCII, so every offset is a char
    // boundary): the first is the one of `arn:`; the others are looked for eight bytes
    // at a time ([`colons`]), the last bytes one by one (`memchr_iter` here cost about
    // 100 instructions more per batch line on short ARNs: its set-up per call).
    let mut cuts = [3usize; 5];
    let mut n = 1;
    let mut at = 4;
    while n < 5 {
        let Some(w) = b.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) else {
            break;
        };
        let mut m = colons(u64::from_le_bytes(w));
        while m != 0 && n < 5 {
            if let Some(c) = cuts.get_mut(n) {
                *c = at + (m.trailing_zeros() / 8) as usize;
            }
            n += 1;
            m &= m - 1;
        }
        at += 8;
    }
    if n < 5 {
        for (i, &c) in b.iter().enumerate().skip(at) {
            if c == b':' {
                if let Some(cut) = cuts.get_mut(n) {
                    *cut = i;
                }
                n += 1;
                if n == 5 {
                    break;
                }
            }
        }
    }
    (n == 5).then_some(cuts)
}

/// The high bit of every byte of the little-endian word `w` that is a `:`, and no other
/// bit: exact, as no sum carries from one byte into the next (each byte's low seven
/// bits plus `0x7f` is at most `0xfe`).
#[inline(always)]
fn colons(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ 0x3a3a_3a3a_3a3a_3a3a;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// A compiled ARN pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// `*`: every resource, including the request resource `*`.
    Any,
    /// Six segment patterns.
    Segments(Box<[Glob; 6]>),
    /// Six segments whose first five are literal text (`arn:aws:s3:::bucket/*`): an ARN
    /// matches exactly when its whole text matches this one pattern, the five literal
    /// segments and their colons (`arn:aws:s3:::`) followed by the resource segment's
    /// pattern. (The literal head holds five colons and its segments none, so an ARN
    /// that starts with it has these five segments.)
    Head(Glob),
    /// Not ARN-shaped (fewer than six segments): matched as one wildcard pattern
    /// against the whole text.
    Whole(Glob),
}

impl ArnPattern {
    /// The pattern as text, for explanations.
    pub(crate) fn text(&self) -> String {
        match self {
            ArnPattern::Any => "*".into(),
            ArnPattern::Segments(segs) => segs.iter().map(Glob::text).collect::<Vec<_>>().join(":"),
            ArnPattern::Whole(g) | ArnPattern::Head(g) => g.text(),
        }
    }

    /// Compiles pattern text (`*`, `?` wildcards).
    pub(crate) fn new(pattern: &str) -> ArnPattern {
        let mut toks = Vec::new();
        tokenize(pattern, &mut toks);
        ArnPattern::from_tokens(toks)
    }

    /// Compiles a token list, splitting literal tokens on their first five colons.
    pub(crate) fn from_tokens(toks: Vec<Tok>) -> ArnPattern {
        if toks.as_slice() == [Tok::Star] {
            return ArnPattern::Any;
        }
        let mut segs: Vec<Vec<Tok>> = vec![Vec::new()];
        for t in &toks {
            match t {
                Tok::Lit(s) if segs.len() < 6 => {
                    let mut rest = s.as_str();
                    while segs.len() < 6 {
                        match rest.split_once(':') {
                            Some((head, tail)) => {
                                if !head.is_empty() {
                                    if let Some(cur) = segs.last_mut() {
                                        cur.push(Tok::Lit(head.to_string()));
                                    }
                                }
                                segs.push(Vec::new());
                                rest = tail;
                            }
                            None => break,
                        }
                    }
                    if !rest.is_empty() {
                        if let Some(cur) = segs.last_mut() {
                            cur.push(Tok::Lit(rest.to_string()));
                        }
                    }
                }
                other => {
                    if let Some(cur) = segs.last_mut() {
                        cur.push(other.clone());
                    }
                }
            }
        }
        if segs.len() != 6 {
            return ArnPattern::Whole(Glob::from_tokens(toks));
        }
        if let [a, b, c, d, e, _] = segs.as_slice() {
            let mut head = String::new();
            'head: for seg in [a, b, c, d, e] {
                for t in seg {
                    let Tok::Lit(l) = t else {
                        head.clear();
                        break 'head;
                    };
                    head.push_str(l);
                }
                head.push(':');
            }
            if head.len() >= 5 {
                let mut joined = vec![Tok::Lit(head)];
                joined.extend(segs.into_iter().nth(5).unwrap_or_default());
                return ArnPattern::Head(Glob::from_tokens(joined));
            }
        }
        let mut it = segs.into_iter().map(Glob::from_tokens);
        match (it.next(), it.next(), it.next(), it.next(), it.next(), it.next()) {
            (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) => {
                ArnPattern::Segments(Box::new([a, b, c, d, e, f]))
            }
            _ => ArnPattern::Whole(Glob::from_tokens(toks)),
        }
    }

    /// As [`ArnPattern::is_match`], the common shapes (`*`, `arn:aws:s3:::bucket/*`,
    /// `arn:aws:s3:::bucket`) answered in place: for the statement loop, where most
    /// patterns name other resources and their literal start decides.
    #[inline(always)]
    pub(crate) fn is_match_inline(&self, text: &str, parts: Option<&[&str; 6]>) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Head(g) => parts.is_some() && g.is_match_inline(text),
            _ => self.is_match(text, parts),
        }
    }

    /// As [`ArnPattern::is_match`], `text`'s segments asked of `parts` (which [`split`]s
    /// it, or gives the segments it split before) only where the pattern needs them: six
    /// segment patterns, or a literal head that `text` starts with. For `Arn*`
    /// conditions, whose request value most patterns reject by their literal start.
    pub(crate) fn is_match_lazy<'t>(&self, text: &'t str, parts: &mut impl FnMut() -> Option<[&'t str; 6]>) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Whole(g) => g.is_match(text),
            ArnPattern::Head(g) => g.is_match(text) && parts().is_some(),
            ArnPattern::Segments(_) => self.is_match(text, parts().as_ref()),
        }
    }

    /// Whether `text` (already split into `parts` when it is an ARN) matches.
    pub(crate) fn is_match(&self, text: &str, parts: Option<&[&str; 6]>) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Whole(g) => g.is_match(text),
            ArnPattern::Head(g) => parts.is_some() && g.is_match(text),
            // The most selective segments first: resource, service, account, region,
            // partition, then the `arn` prefix.
            // (Each segment's common shapes answered without a call.)
            ArnPattern::Segments(segs) => match parts {
                Some([p0, p1, p2, p3, p4, p5]) => {
                    let [g0, g1, g2, g3, g4, g5] = &**segs;
                    g5.is_match_inline(p5)
                        && g2.is_match_inline(p2)
                        && g4.is_match_inline(p4)
                        && g3.is_match_inline(p3)
                        && g1.is_match_inline(p1)
                        && g0.is_match_inline(p0)
                }
                None => false,
            },
        }
    }
}

/// Whether `text` (already split into `parts` when it is an ARN) matches the pattern
/// token list `toks`, exactly as [`ArnPattern::from_tokens`]`(toks).is_match(text,
/// parts)` answers (the same split on the first five colons of literal text, the same
/// segment order), but compiling and allocating nothing: for `Resource` and `Arn*`
/// patterns whose policy variables were resolved for one request (S-VAR-1, S-MATCH-2).
pub(crate) fn tokens_match(toks: &[Tok<&str>], text: &str, parts: Option<&[&str; 6]>) -> bool {
    if let [Tok::Star] = toks {
        return true;
    }
    // The tokens cut into six segments: `flat[starts[i]..starts[i + 1]]` is segment i.
    let mut flat: SmallVec<[Tok<&str>; 16]> = SmallVec::new();
    let mut starts = [0usize; 7];
    let mut seg = 0usize;
    for t in toks {
        match *t {
            Tok::Lit(s) if seg < 5 => {
                let mut rest = s;
                while seg < 5 {
                    let Some((head, tail)) = rest.split_once(':') else {
                        break;
                    };
                    if !head.is_empty() {
                        flat.push(Tok::Lit(head));
                    }
                    seg += 1;
                    if let Some(st) = starts.get_mut(seg) {
                        *st = flat.len();
                    }
                    rest = tail;
                }
                if !rest.is_empty() {
                    flat.push(Tok::Lit(rest));
                }
            }
            other => flat.push(other),
        }
    }
    if seg != 5 {
        return glob_tokens_match(toks, text);
    }
    starts[6] = flat.len();
    let Some(parts) = parts else {
        return false;
    };
    // The most selective segments first, as `ArnPattern::is_match`.
    [5usize, 2, 4, 3, 1, 0]
        .iter()
        .all(|&i| match (starts.get(i), starts.get(i + 1), parts.get(i)) {
            (Some(&a), Some(&b), Some(p)) => flat.get(a..b).is_some_and(|seg| segment_match(seg, p)),
            _ => false,
        })
}

/// [`tokens_match`] for the tokens of a template resolved for one request
/// ([`crate::variables::Template::resolve_tokens`]) whose literal prefix `text` starts
/// with; `arn_head`: that prefix holds five colons
/// ([`crate::variables::Template::has_arn_head`]). Then the first five segments of the
/// pattern are literal and `text`'s are the same (its first five colons are the
/// prefix's), so the answer is whether `text` is an ARN and matches the tokens as one
/// wildcard pattern (as [`ArnPattern::Head`] matches), without cutting them into
/// segments.
#[inline]
pub(crate) fn resolved_match(toks: &[Tok<&str>], text: &str, parts: Option<&[&str; 6]>, arn_head: bool) -> bool {
    if arn_head {
        parts.is_some() && glob_tokens_match(toks, text)
    } else {
        tokens_match(toks, text, parts)
    }
}

/// One segment's tokens against the ARN's segment `text`, as [`glob_tokens_match`]
/// answers: the shapes most segments of resolved patterns have (empty, `*`, one literal)
/// without its set-up.
#[inline(always)]
fn segment_match(seg: &[Tok<&str>], text: &str) -> bool {
    match seg {
        [] => text.is_empty(),
        [Tok::Star] => true,
        [Tok::Lit(l)] => crate::pattern::bytes_eq(l.as_bytes(), text.as_bytes()),
        _ => glob_tokens_match(seg, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        let mut toks = Vec::new();
        tokenize(p, &mut toks);
        let borrowed: Vec<Tok<&str>> = toks.iter().map(Tok::borrowed).collect();
        let compiled = ArnPattern::new(p).is_match(t, split(t).as_ref());
        assert_eq!(tokens_match(&borrowed, t, split(t).as_ref()), compiled, "{p} {t}");
        compiled
    }

    /// The segments as the ARN format defines them: `arn`, then the text between the
    /// first five colons, the rest (colons included) last.
    fn split_plainly(text: &str) -> Option<[&str; 6]> {
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", b, c, d, e, f] => Some(["arn", b, c, d, e, f]),
            _ => None,
        }
    }

    proptest::proptest! {
        /// The colon search eight bytes at a time finds what a plain split finds,
        /// whatever the colons' places (within and across words, in the last bytes),
        /// with multi-byte characters beside them, and for texts that are not ARNs.
        #[test]
        fn split_finds_the_first_five_colons(
            t in "(arn:|arn|ar:|)[a:é/]{0,40}",
        ) {
            proptest::prop_assert_eq!(split(&t), split_plainly(&t), "{:?}", t);
        }
    }

    #[test]
    fn split_examples() {
        for t in [
            "arn:aws:s3:::example-bucket/reports/2026/q3.csv",
            "arn:aws:sts::111122223333:assumed-role/JohnDoe/session-1",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws-cn:lambda:cn-north-1:111122223333:function:f:1",
            "arn:::::",
            "arn::::",
            "arn:aws:s3",
            "arn:a:b:c:d:e",
            "arn:aws:kms:us-east-1:111122223333:key/é:é",
            "urn:aws:s3:::b",
            "",
        ] {
            assert_eq!(split(t), split_plainly(t), "{t}");
        }
    }

    proptest::proptest! {
        /// Resolved templates' tokens (literals holding colons, split anywhere, values
        /// such as `a:b` among them) match as the compiled ARN pattern of the same tokens.
        #[test]
        fn borrowed_tokens_match_as_compiled(
            parts in proptest::collection::vec((0u8..4, "[a:*?]{0,4}"), 0..9),
            t in "arn:[a:]{0,3}:[a]{0,2}:[a:]{0,2}:[a]{0,1}:[a:/]{0,4}|[a:]{0,6}",
        ) {
            let toks = crate::pattern::tests::generated_tokens(&parts);
            let borrowed: Vec<Tok<&str>> = toks.iter().map(Tok::borrowed).collect();
            let parts = split(&t);
            let compiled = ArnPattern::from_tokens(toks.clone());
            proptest::prop_assert_eq!(
                tokens_match(&borrowed, &t, parts.as_ref()),
                compiled.is_match(&t, parts.as_ref())
            );
            proptest::prop_assert_eq!(
                compiled.is_match_inline(&t, parts.as_ref()),
                compiled.is_match(&t, parts.as_ref())
            );
        }
    }

    proptest::proptest! {
        /// A template whose literal prefix holds five colons (or fewer, or more; an ARN
        /// or not) matches a text that starts with that prefix as its tokens cut into
        /// segments do.
        #[test]
        fn resolved_templates_with_a_literal_head_match_as_segments(
            head in "(arn|urn)(:[a]{0,2}){3,5}[a/]{0,2}(:[a:/]{0,2})?",
            rest in proptest::collection::vec((0u8..4, "[a:*?]{0,4}"), 0..6),
            tail in "[a:/]{0,6}",
            with_head in proptest::bool::ANY,
        ) {
            let t = crate::variables::Template::parse(&format!("{head}${{k}}x")).unwrap();
            let arn_head = t.has_arn_head();
            proptest::prop_assert_eq!(arn_head, head.matches(':').count() >= 5);
            let mut toks = vec![Tok::Lit(head.clone())];
            toks.extend(crate::pattern::tests::generated_tokens(&rest));
            let borrowed: Vec<Tok<&str>> = toks.iter().map(Tok::borrowed).collect();
            let text = if with_head { format!("{head}{tail}") } else { format!("arn:{tail}") };
            if text.starts_with(head.as_str()) {
                let parts = split(&text);
                proptest::prop_assert_eq!(
                    resolved_match(&borrowed, &text, parts.as_ref(), arn_head),
                    tokens_match(&borrowed, &text, parts.as_ref()),
                    "{:?} {}", toks, text
                );
            }
        }
    }

    #[test]
    fn segment_rules() {
        // `*` in the resource segment crosses `/` and `:`.
        assert!(m(
            "arn:aws:s3:::amzn-s3-demo-bucket/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/a/b:c"
        ));
        // A wildcard does not cross into another segment…
        assert!(!m("arn:aws:s3:*:*:b", "arn:aws:s3:::x:b"));
        // …but a pattern with fewer than six segments is one pattern over the whole text.
        assert!(m("arn:aws:s3:*", "arn:aws:s3:::b"));
        assert!(m("arn:aws:s3:*:*:*", "arn:aws:s3:::b"));
        assert!(!m("arn:aws:iam::*:role/x", "arn:aws:iam::1:2:role/x"));
        // Region and account wildcards.
        assert!(m(
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        assert!(!m(
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-1"
        ));
        // Case-sensitive.
        assert!(!m("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        // The request resource `*` is matched only by `*`.
        assert!(m("*", "*"));
        assert!(!m("arn:aws:s3:::*", "*"));
        // A bucket pattern does not match its objects.
        assert!(!m("arn:aws:s3:::b", "arn:aws:s3:::b/k"));
        assert!(m("arn:aws:s3:::b*", "arn:aws:s3:::b/k"));
        // `?` is one character within a segment.
        assert!(m("arn:aws:sqs:us-east-?:*:q", "arn:aws:sqs:us-east-1:1:q"));
        // Literal first five segments: one pattern over the whole ARN.
        assert!(matches!(ArnPattern::new("arn:aws:s3:::b/*"), ArnPattern::Head(_)));
        assert!(m("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:x"));
        assert!(!m("arn:aws:s3:::b/*", "arn:aws:s3:x::b/k"));
        assert!(!m("arn:aws:s3:::b*", "arn:aws:s3::x:b"));
        assert!(!m("x:aws:s3:::b", "x:aws:s3:::b"));
        assert!(m("arn:aws:iam::1:user/*", "arn:aws:iam::1:user/a"));
    }
}
