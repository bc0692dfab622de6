//! Wildcard matching for IAM patterns (`Action`, `Resource` segments, `StringLike`).
//!
//! Syntax, exactly:
//! - `*` matches any run of characters, including none and including `:` and `/`
//!   (segment rules for ARNs are applied by the caller, see [`crate::arn`]);
//! - `?` matches exactly one character (one Unicode scalar value);
//! - every other character matches itself. There are no escapes, classes or
//!   alternations: `[`, `]`, `{`, `}`, `\`, `.` and `/` are ordinary characters. A
//!   literal `*`, `?` or `$` can only come from the policy variables `${*}`, `${?}`,
//!   `${$}` (see [`crate::variables`]), which produce [`Tok::Lit`] tokens.
//! - Matching is case-sensitive; callers lower-case both sides where AWS is
//!   case-insensitive (action names).
//!
//! AWS source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards>

/// One token of a pattern: owned text in compiled patterns (`Tok<String>`), borrowed
/// text (`Tok<&str>`) in a pattern whose policy variables were resolved for one request
/// (policy text and context values, never copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok<S = String> {
    /// Literal text.
    Lit(S),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
}

impl<S: AsRef<str>> Tok<S> {
    /// The same token, its text borrowed.
    pub(crate) fn borrowed(&self) -> Tok<&str> {
        match self {
            Tok::Lit(s) => Tok::Lit(s.as_ref()),
            Tok::Star => Tok::Star,
            Tok::One => Tok::One,
        }
    }

    fn is_star(&self) -> bool {
        matches!(self, Tok::Star)
    }
}

/// Whether `text` matches the token list `toks` as a whole pattern, exactly as
/// [`Glob::from_tokens`]`(toks).is_match(text)` answers but compiling nothing: for
/// patterns built per request (policy variables resolved, S-VAR-1), which match once.
/// Adjacent literals, empty literals and runs of `*` need no normalising.
pub(crate) fn tokens_match<S: AsRef<str>>(toks: &[Tok<S>], text: &str) -> bool {
    general_match(toks, text)
}

/// Splits pattern text into tokens: `*` and `?` are wildcards, all else literal.
pub(crate) fn tokenize(pattern: &str, out: &mut Vec<Tok>) {
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                out.push(if c == '*' { Tok::Star } else { Tok::One });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Tok::Lit(lit));
    }
}

/// A compiled wildcard pattern with fast paths for the common shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Glob {
    /// `*`
    Any,
    /// No wildcard.
    Exact(Box<str>),
    /// `abc*`
    Prefix(Box<str>),
    /// `*abc`
    Suffix(Box<str>),
    /// `*abc*`
    Contains(Box<str>),
    /// Anything else.
    General(Box<[Tok]>),
}

impl Glob {
    /// The pattern as text (`*` and `?` for the wildcards), for explanations.
    pub(crate) fn text(&self) -> String {
        match self {
            Glob::Any => "*".into(),
            Glob::Exact(s) => s.to_string(),
            Glob::Prefix(s) => format!("{s}*"),
            Glob::Suffix(s) => format!("*{s}"),
            Glob::Contains(s) => format!("*{s}*"),
            Glob::General(toks) => toks
                .iter()
                .map(|t| match t {
                    Tok::Lit(l) => l.as_str(),
                    Tok::Star => "*",
                    Tok::One => "?",
                })
                .collect(),
        }
    }

    /// Compiles pattern text where `*` and `?` are wildcards.
    pub(crate) fn new(pattern: &str) -> Glob {
        let mut toks = Vec::new();
        tokenize(pattern, &mut toks);
        Glob::from_tokens(toks)
    }

    /// Compiles a token list: merges adjacent literals, collapses runs of `*`.
    pub(crate) fn from_tokens(toks: Vec<Tok>) -> Glob {
        let mut norm: Vec<Tok> = Vec::with_capacity(toks.len());
        for t in toks {
            match (norm.last_mut(), t) {
                (Some(Tok::Lit(prev)), Tok::Lit(s)) => prev.push_str(&s),
                (Some(Tok::Star), Tok::Star) => {}
                (_, Tok::Lit(s)) if s.is_empty() => {}
                (_, t) => norm.push(t),
            }
        }
        match norm.as_slice() {
            [] => Glob::Exact("".into()),
            [Tok::Star] => Glob::Any,
            [Tok::Lit(s)] => Glob::Exact(s.as_str().into()),
            [Tok::Lit(s), Tok::Star] => Glob::Prefix(s.as_str().into()),
            [Tok::Star, Tok::Lit(s)] => Glob::Suffix(s.as_str().into()),
            [Tok::Star, Tok::Lit(s), Tok::Star] => Glob::Contains(s.as_str().into()),
            _ => Glob::General(norm.into_boxed_slice()),
        }
    }

    /// As [`Glob::is_match`], the common shapes (`*`, exact text, a literal start)
    /// answered in place and a general pattern's literal start compared before the
    /// call: for the segments of ARN patterns in the statement loop, where most
    /// patterns name other resources and their literal start decides.
    #[inline(always)]
    pub(crate) fn is_match_inline(&self, text: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(s) => bytes_eq(s.as_bytes(), text.as_bytes()),
            Glob::Prefix(p) => has_prefix(text, p),
            Glob::General(toks) => match toks.first() {
                Some(Tok::Lit(head)) if !has_prefix(text, head) => false,
                _ => self.is_match(text),
            },
            _ => self.is_match(text),
        }
    }

    /// Whether `text` matches the whole pattern.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(s) => bytes_eq(s.as_bytes(), text.as_bytes()),
            Glob::Prefix(p) => has_prefix(text, p),
            Glob::Suffix(p) => text
                .len()
                .checked_sub(p.len())
                .and_then(|i| text.as_bytes().get(i..))
                .is_some_and(|t| bytes_eq(t, p.as_bytes())),
            Glob::Contains(p) => text.contains(&**p),
            Glob::General(toks) => general_match(toks, text),
        }
    }
}

/// Byte equality without a call into `memcmp`: the strings compared here (ARN
/// segments, action names) are short, where the call costs more than comparing them
/// eight bytes at a time (the last word overlapping the one before).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if word8(a, i) != word8(b, i) {
                return false;
            }
            i += 8;
        }
        return word8(a, n - 8) == word8(b, n - 8);
    }
    if n >= 4 {
        return word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether `text` starts with `prefix`, compared as [`bytes_eq`] does.
#[inline]
pub(crate) fn has_prefix(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|h| bytes_eq(h, prefix.as_bytes()))
}

/// The eight bytes of `b` from `i` (0 past its end).
#[inline(always)]
fn word8(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The four bytes of `b` from `i` (0 past its end).
#[inline(always)]
fn word4(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, u32::from_le_bytes)
}

/// Matching by segments: the pattern is cut at its `*`s into segments of literal text
/// and `?`; the first must match at the start of the text, the last at its end, and each
/// one between at its leftmost place after the one before (leftmost is never worse: any
/// match further right leaves less text to the segments after it). A segment of literal
/// text only is found with `memchr::memmem` (linear), so such patterns match in
/// O(|pattern| + |text|); a segment holding `?` of at most 64 characters runs the
/// Shift-And automaton over the text, also linear; a longer one is tried at each
/// position, so the worst case is O(|text| × |longest segment holding `?`|) for
/// segments over 64 characters (BENCHMARKS.md measures each case).
fn general_match<S: AsRef<str>>(toks: &[Tok<S>], text: &str) -> bool {
    let Some(first_star) = toks.iter().position(Tok::is_star) else {
        // No `*`: the one segment is the whole text.
        return match_at(toks, text, 0) == Some(text.len());
    };
    let last_star = toks.iter().rposition(Tok::is_star).unwrap_or(first_star);
    let (Some(first), Some(last)) = (toks.get(..first_star), toks.get(last_star + 1..)) else {
        return false;
    };
    let Some(mut pos) = match_at(first, text, 0) else {
        return false;
    };
    let Some(limit) = match_back(last, text, text.len()).filter(|&l| l >= pos) else {
        return false;
    };
    let middle = toks.get(first_star + 1..last_star).unwrap_or_default();
    for seg in middle.split(Tok::is_star) {
        match find(seg, text, pos, limit) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    true
}

/// The end of `seg` matched at byte `at` of `text`, if it matches there.
fn match_at<S: AsRef<str>>(seg: &[Tok<S>], text: &str, mut at: usize) -> Option<usize> {
    for t in seg {
        match t {
            Tok::Lit(l) => {
                let l = l.as_ref();
                // (Compared in place, not by a call into `memcmp`.)
                if !has_prefix(text.get(at..)?, l) {
                    return None;
                }
                at += l.len();
            }
            Tok::One => {
                let c = text.get(at..)?.chars().next()?;
                at += c.len_utf8();
            }
            Tok::Star => return None,
        }
    }
    Some(at)
}

/// The start of `seg` matched so that it ends at byte `end` of `text`, if it does.
fn match_back<S: AsRef<str>>(seg: &[Tok<S>], text: &str, mut end: usize) -> Option<usize> {
    for t in seg.iter().rev() {
        match t {
            Tok::Lit(l) => {
                let l = l.as_ref();
                let head = text.get(..end)?.as_bytes();
                let tail = head.get(head.len().checked_sub(l.len())?..)?;
                if !bytes_eq(tail, l.as_bytes()) {
                    return None;
                }
                end -= l.len();
            }
            Tok::One => {
                let c = text.get(..end)?.chars().next_back()?;
                end -= c.len_utf8();
            }
            Tok::Star => return None,
        }
    }
    Some(end)
}

/// The end of the leftmost match of `seg` in `text[from..limit]`.
fn find<S: AsRef<str>>(seg: &[Tok<S>], text: &str, from: usize, limit: usize) -> Option<usize> {
    let hay = text.get(..limit)?;
    if let [Tok::Lit(l)] = seg {
        let l = l.as_ref();
        let i = memchr::memmem::find(hay.get(from..)?.as_bytes(), l.as_bytes())?;
        return Some(from + i + l.len());
    }
    if let Some(found) = shift_and(seg, hay, from) {
        return found;
    }
    let mut at = from;
    loop {
        if let Some(end) = match_at(seg, hay, at) {
            return Some(end);
        }
        at += hay.get(at..)?.chars().next()?.len_utf8();
    }
}

/// The leftmost match of a segment of at most 64 characters (`?` included) in
/// `hay[from..]`, by the Shift-And automaton: one step per character of the text, so
/// linear. `None` when the segment is longer (the caller tries each position); else the
/// end of the match, if any.
fn shift_and<S: AsRef<str>>(seg: &[Tok<S>], hay: &str, from: usize) -> Option<Option<usize>> {
    // Bit i of `masks[c]`: character i of the segment is `c` or `?`.
    let mut wild = 0u64;
    let mut ascii = [0u64; 128];
    let mut other: Vec<(char, u64)> = Vec::new();
    let mut n = 0u32;
    for t in seg {
        let mut put = |c: Option<char>| -> Option<()> {
            let bit = 1u64.checked_shl(n)?;
            match c {
                None => wild |= bit,
                Some(c) if c.is_ascii() => *ascii.get_mut(c as usize)? |= bit,
                Some(c) => match other.iter_mut().find(|(o, _)| *o == c) {
                    Some((_, m)) => *m |= bit,
                    None => other.push((c, bit)),
                },
            }
            n += 1;
            Some(())
        };
        match t {
            Tok::Lit(l) => {
                for c in l.as_ref().chars() {
                    put(Some(c))?;
                }
            }
            Tok::One => put(None)?,
            Tok::Star => return None,
        }
    }
    if n == 0 {
        return Some(Some(from));
    }
    let done = 1u64 << (n - 1);
    let mut state = 0u64;
    for (i, c) in hay.get(from..)?.char_indices() {
        let mask = if c.is_ascii() {
            ascii.get(c as usize).copied().unwrap_or(0)
        } else {
            other.iter().find(|(o, _)| *o == c).map_or(0, |(_, m)| *m)
        };
        state = ((state << 1) | 1) & (mask | wild);
        if state & done != 0 {
            return Some(Some(from + i + c.len_utf8()));
        }
    }
    Some(None)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Token lists for property tests, unnormalised: kind 0 is `*`, 1 is `?`, else the
    /// text as a literal (possibly empty).
    pub(crate) fn generated_tokens(parts: &[(u8, String)]) -> Vec<Tok> {
        parts
            .iter()
            .map(|(k, s)| match k {
                0 => Tok::Star,
                1 => Tok::One,
                _ => Tok::Lit(s.clone()),
            })
            .collect()
    }

    /// The regex oracle: `*` → `.*`, `?` → `.`, everything else escaped.
    fn oracle(pattern: &str, text: &str) -> bool {
        let mut re = String::from("(?s)^");
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                _ => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        regex::Regex::new(&re).map(|r| r.is_match(text)).unwrap_or(false)
    }

    /// The general matcher, bypassing the fast paths.
    fn general(pattern: &str, text: &str) -> bool {
        let mut toks = Vec::new();
        tokenize(pattern, &mut toks);
        general_match(&toks, text)
    }

    #[test]
    fn table_fast_path_general_and_oracle_agree() {
        let rows: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything/at:all", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "abc", true),
            ("abc", "ABC", false),
            ("ab*", "abc", true),
            ("ab*", "a", false),
            ("*bc", "abc", true),
            ("*bc", "abcd", false),
            ("*b*", "abc", true),
            ("*b*", "ac", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("a*c*e", "abcde", true),
            ("a*c*e", "abcdf", false),
            ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("home/${aws:username}/*", "home/${aws:username}/x", true),
            ("a[b]{c}.d", "a[b]{c}.d", true),
            ("a[b]{c}.d", "abcxd", false),
            ("a.c", "abc", false),
            ("a+c", "a+c", true),
            ("a\\*", "a\\xyz", true),
            ("??", "é𝄞", true),
            ("photos/*/cat.jpg", "photos/2024/01/cat.jpg", true),
        ];
        for (p, t, want) in rows {
            assert_eq!(Glob::new(p).is_match(t), *want, "fast path {p:?} {t:?}");
            assert_eq!(general(p, t), *want, "general {p:?} {t:?}");
            assert_eq!(oracle(p, t), *want, "oracle {p:?} {t:?}");
        }
    }

    #[test]
    fn literal_tokens_are_not_wildcards() {
        let g = Glob::from_tokens(vec![Tok::Lit("a*".into()), Tok::Star]);
        assert!(g.is_match("a*bc"));
        assert!(!g.is_match("abc"));
    }

    #[test]
    fn worst_cases_of_backtracking_match_correctly() {
        // `*a*a*…*b` against `aaa…`: quadratic for backtracking matchers, one pass here.
        let pattern = format!("*{}b", "a*".repeat(20_000));
        let text = "a".repeat(40_000);
        assert!(!Glob::new(&pattern).is_match(&text));
        assert!(Glob::new(&pattern).is_match(&format!("{text}b")));
        // Segments holding `?`, and `?` at both ends.
        assert!(Glob::new("?*a?c*?").is_match("xxabcxay"));
        assert!(!Glob::new("?*a?c*??").is_match("xabcx"));
        assert!(Glob::new("a*?é?").is_match("abéc"));
        assert!(!Glob::new("ab*ba").is_match("aba"));
        // Segments with `?` of up to 64 characters (the automaton) and longer (tried at
        // each position) agree with the regex oracle, non-ASCII text included.
        for k in [10, 31, 32, 33, 40] {
            let p = format!("x*{}é*y", "a?".repeat(k));
            for t in [
                format!("x{}é{}y", "aé".repeat(k), "z"),
                format!("xaa{}éy", "ab".repeat(k)),
                format!("x{}éy", "ab".repeat(k - 1)),
            ] {
                assert_eq!(Glob::new(&p).is_match(&t), oracle(&p, &t), "{k} {t}");
            }
        }
    }

    /// Equal as `==` says at every length around the word size, a difference at any
    /// offset (first, middle, the overlapping last word) found.
    #[test]
    fn bytes_eq_agrees_with_slice_equality() {
        for n in 0..=40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(bytes_eq(&a, &a.clone()), "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!bytes_eq(&a, &b), "{n} {at}");
                assert!(!bytes_eq(&b, &a), "{n} {at}");
            }
            assert!(n == 0 || !bytes_eq(&a, &a[..n - 1]), "{n}");
            let mut longer = a.clone();
            longer.push(b'x');
            assert!(!bytes_eq(&a, &longer));
            let (text, prefix) = (std::str::from_utf8(&longer).unwrap(), std::str::from_utf8(&a).unwrap());
            assert!(has_prefix(text, prefix), "{n}");
            assert!(n == 0 || !has_prefix(prefix, text), "{n}");
        }
    }

    proptest! {
        #[test]
        fn matcher_agrees_with_regex_oracle(p in "[ab*?./:é]{0,8}", t in "[ab./:é]{0,10}") {
            prop_assert_eq!(Glob::new(&p).is_match(&t), oracle(&p, &t));
            prop_assert_eq!(Glob::new(&p).is_match_inline(&t), oracle(&p, &t));
            prop_assert_eq!(general(&p, &t), oracle(&p, &t));
        }

        /// Unnormalised borrowed tokens (as a resolved template gives: adjacent and empty
        /// literals, runs of `*`) match as the compiled pattern of the same tokens.
        #[test]
        fn borrowed_tokens_match_as_compiled(
            parts in proptest::collection::vec((0u8..4, "[ab*?:é]{0,3}"), 0..7),
            t in "[ab:é]{0,10}",
        ) {
            let toks = generated_tokens(&parts);
            let borrowed: Vec<Tok<&str>> = toks.iter().map(Tok::borrowed).collect();
            prop_assert_eq!(tokens_match(&borrowed, &t), Glob::from_tokens(toks).is_match(&t));
        }
    }
}
