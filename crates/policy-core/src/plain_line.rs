//! Batch mode's scanner for plain lines: a request document holding only `id`,
//! `principal`, `action`, `resource`, `resourceAccount` and `context` (the form
//! `policy-sim batch --base` lines take), read without a general JSON parser.
//!
//! It accepts a strict subset of JSON and says `None` for everything else — a `\\` or
//! a control character anywhere in the line (tabs and line breaks included), a number that is not a plain integer, `null`, a
//! nested value, a duplicate or unknown member, anything malformed — and the caller
//! then reads the line with `serde_json` (`PartialDocument::parse`), which gives the
//! same request or the error with its position. So the scanner never decides what a
//! line means on its own: what it accepts it reads as `serde_json` does (tested in
//! `tests/line_reader.rs`).

/// The members of a plain line; strings borrowed from the line.
#[derive(Debug, Default)]
pub(crate) struct PlainLine<'a> {
    pub(crate) id: Option<serde_json::Value>,
    pub(crate) principal: Option<&'a str>,
    pub(crate) action: Option<&'a str>,
    pub(crate) resource: Option<&'a str>,
    pub(crate) resource_account: Option<&'a str>,
    /// The context object's text, `{` to `}` (`None`: the line has no `context`).
    pub(crate) context: Option<&'a str>,
}

/// A member of a plain line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    Id,
    Principal,
    Action,
    Resource,
    ResourceAccount,
    Context,
}

impl Member {
    /// Every member a plain line can have.
    const ALL: [Member; 6] = [
        Member::Id,
        Member::Principal,
        Member::Action,
        Member::Resource,
        Member::ResourceAccount,
        Member::Context,
    ];

    /// The member named `key`, if it is one a plain line has (asked only when the
    /// guess was wrong).
    fn of(key: &str) -> Option<Member> {
        Member::ALL.into_iter().find(|m| m.name() == key)
    }

    /// The member's name.
    fn name(self) -> &'static str {
        match self {
            Member::Id => "id",
            Member::Principal => "principal",
            Member::Action => "action",
            Member::Resource => "resource",
            Member::ResourceAccount => "resourceAccount",
            Member::Context => "context",
        }
    }
}

/// The members of the line scanned last, in its order: [`scan_into`]'s guess of the
/// next line's (the lines of a batch mostly list their members in one order). A right
/// guess reads a member's name by one comparison instead of scanning for its closing
/// quote and then comparing it with each name (about 50 instructions a member,
/// `scripts/bench-icount.sh batch`); a wrong one costs that comparison.
#[derive(Debug, Default, Clone)]
pub(crate) struct MemberOrder([Option<Member>; 6]);

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips spaces (the line has no other white space: see [`scan`]).
    fn ws(&mut self) {
        // None or one (as most JSON writers put after `:` and `,`) before any loop.
        if self.peek() != Some(b' ') {
            return;
        }
        self.pos += 1;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// Skips white space, then expects byte `b`.
    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    /// Skips white space; consumes `b` if it is next.
    fn eat_if(&mut self, b: u8) -> bool {
        self.ws();
        let yes = self.peek() == Some(b);
        if yes {
            self.pos += 1;
        }
        yes
    }

    /// After a member or element: skips white space, then `true` for a `,` (more to
    /// come), `false` for `close` (the end), `None` for anything else.
    #[inline(always)]
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let b = self.peek()?;
        self.pos += 1;
        if b == b',' {
            Some(true)
        } else {
            (b == close).then_some(false)
        }
    }

    /// A string (the line has no escape and no control character: see [`scan`], so it
    /// ends at the next `"`).
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        self.string_rest()
    }

    /// The rest of a string whose opening `"` was just read.
    #[inline(always)]
    fn string_rest(&mut self) -> Option<&'a str> {
        let end = next_quote(self.text.as_bytes(), self.pos)?;
        let out = self.text.get(self.pos..end)?;
        self.pos = end + 1;
        Some(out)
    }

    /// An integer as `serde_json` reads and `to_string` writes it back: no sign but
    /// `-`, no leading zero, no `-0`, within `i64`/`u64` (checked by the caller).
    fn integer(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let n = self.pos - digits;
        let first = self.text.as_bytes().get(digits).copied();
        let text = self.text.get(start..self.pos)?;
        let plain = n > 0 && n <= 18 && (first != Some(b'0') || (n == 1 && digits == start));
        // A fraction or exponent: not an integer.
        (plain && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))).then_some(text)
    }

    /// A context scalar: a string, `true`, `false` or an integer, as its text (a
    /// string's without the quotes). A string (most values) is read in line; the others
    /// by [`Scanner::other_scalar`].
    #[inline(always)]
    fn scalar(&mut self) -> Option<&'a str> {
        self.ws();
        if self.peek() == Some(b'"') {
            self.pos += 1;
            return self.string_rest();
        }
        let (value, pos) = Scanner::other_scalar(self.text, self.pos)?;
        self.pos = pos;
        Some(value)
    }

    /// The context scalar at `pos` in `text` that is not a string (`true`, `false` or an
    /// integer), and the position after it. Out of line, on a scanner of its own: the
    /// caller's, whose address is then never taken, stays in registers.
    #[inline(never)]
    fn other_scalar(text: &'a str, pos: usize) -> Option<(&'a str, usize)> {
        let mut s = Scanner { text, pos };
        let value = match s.peek()? {
            b't' => s.word("true"),
            b'f' => s.word("false"),
            b'-' | b'0'..=b'9' => s.integer(),
            _ => None,
        }?;
        Some((value, s.pos))
    }

    /// An `id` that is not a string (an integer as `serde_json` reads it) at `pos` in
    /// `text`, and the position after it; out of line, as [`Scanner::other_scalar`].
    #[inline(never)]
    fn id_number(text: &'a str, pos: usize) -> Option<(serde_json::Value, usize)> {
        let mut s = Scanner { text, pos };
        let t = s.integer()?;
        let n: serde_json::Number = t
            .parse::<i64>()
            .map(Into::into)
            .or_else(|_| t.parse::<u64>().map(Into::into))
            .ok()?;
        Some((serde_json::Value::Number(n), s.pos))
    }

    fn word(&mut self, w: &str) -> Option<&'a str> {
        let text = self.text.get(self.pos..self.pos + w.len()).filter(|t| *t == w)?;
        self.pos += w.len();
        Some(text)
    }

    /// Whether the string that starts here (after its opening `"`) is the key
    /// `expected` names (then read past): compared in one go instead of scanned for its
    /// closing quote. Exact: `expected` holds no `"` (it was read from a line), so the
    /// string ends where the key does when the byte after it is a `"`.
    #[inline(always)]
    fn known(&mut self, expected: &str) -> Option<()> {
        let end = self.pos + expected.len();
        let bytes = self.text.as_bytes();
        if bytes.get(end) != Some(&b'"') || !crate::pattern::bytes_eq(bytes.get(self.pos..end)?, expected.as_bytes()) {
            return None;
        }
        self.pos = end + 1;
        Some(())
    }

    /// The context object: each key with its values, in order, to `sink` (the values
    /// borrowed from the line: nothing is allocated for a key of up to 8 values), or
    /// none when the sink holds the context of the object's text already
    /// ([`ContextSink::repeated`]). Gives the object's text.
    fn context<S: ContextSink<'a>>(&mut self, sink: &mut S) -> Option<&'a str> {
        self.ws();
        let start = self.pos;
        let rest = self.text.get(start..)?;
        if let Some(n) = sink.repeated(rest) {
            self.pos += n;
            return rest.get(..n);
        }
        self.context_keys(sink)?;
        self.text.get(start..self.pos)
    }

    /// The context object's keys, in order, to `sink` ([`Scanner::context`]).
    #[inline(never)]
    fn context_keys<S: ContextSink<'a>>(&mut self, sink: &mut S) -> Option<()> {
        self.eat(b'{')?;
        if self.eat_if(b'}') {
            return Some(());
        }
        let mut values: smallvec::SmallVec<[&'a str; 8]> = smallvec::SmallVec::new();
        loop {
            self.eat(b'"')?;
            // `None`: the key the sink expected (not sliced from the line again).
            let key = match sink.expected().and_then(|k| self.known(k)) {
                Some(()) => None,
                None => Some(self.string_rest()?),
            };
            self.eat(b':')?;
            self.ws();
            if self.peek() == Some(b'[') {
                self.pos += 1;
                values.clear();
                if !self.eat_if(b']') {
                    loop {
                        values.push(self.scalar()?);
                        if !self.more(b']')? {
                            break;
                        }
                    }
                }
                sink.key(key, &values);
            } else {
                // One value (most keys): no list to fill.
                let value = self.scalar()?;
                sink.key(key, &[value]);
            }
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }
}

/// Where [`scan`] puts a plain line's context keys.
pub(crate) trait ContextSink<'a> {
    /// The key the line likely has next (e.g. the one the line before had at this
    /// place), which the scanner compares first instead of scanning for the key's end.
    /// A guess: a wrong one costs one comparison. It must hold no `"` (a key read from
    /// a line by this scanner holds none), or a longer string could be taken for it.
    fn expected(&self) -> Option<&str> {
        None
    }

    /// The length of the context object at the start of `rest` when the sink holds the
    /// context that object reads to already (e.g. `rest` starts with the text of the
    /// context object of the line whose context the sink holds, byte for byte): the
    /// scanner then skips it and gives the sink no key. It must be a whole object the
    /// scanner read (an object's text determines where it ends and what it reads to).
    fn repeated(&mut self, _rest: &str) -> Option<usize> {
        None
    }

    /// The next key, with its values' text (a string's without quotes; `true`, `false`
    /// and integers as written); `None`: it is the key [`ContextSink::expected`] named,
    /// byte for byte (only ever given to a sink whose `expected` names keys).
    fn key(&mut self, key: Option<&'a str>, values: &[&'a str]);
}

/// Whether `bytes` holds no `\\` and no control character (below 0x20), the bytes after
/// which a string is not simply the text up to the next `"`. Written as a fold over
/// 64-byte chunks without an early exit inside a chunk, which the compiler turns into
/// vector compares (SSE2 on x86-64, SIMD128 where enabled): a 700-byte line is
/// checked in a few hundred instructions. The last chunk is the line's last 64 bytes,
/// overlapping the one before (a byte checked twice changes no answer); a line of 32 to
/// 63 bytes is checked as its first and last 32.
fn no_escape_or_control(bytes: &[u8]) -> bool {
    /// ASCII with no `\\` and no control character: one signed compare per byte (a
    /// byte of 0x80 and above is below 0x20 as an `i8`), so a line with other UTF-8
    /// bytes is checked again by [`clean`].
    fn ascii_clean(chunk: &[u8]) -> bool {
        let mut bad = false;
        for &b in chunk {
            bad |= (i8::from_ne_bytes([b]) < 0x20) | (b == b'\\');
        }
        !bad
    }
    fn clean(chunk: &[u8]) -> bool {
        let mut bad = false;
        for &b in chunk {
            bad |= (b < 0x20) | (b == b'\\');
        }
        !bad
    }
    checked(bytes, ascii_clean) || checked(bytes, clean)
}

/// Whether `clean` holds for all of `bytes`, in 64-byte chunks (see
/// [`no_escape_or_control`]).
#[inline(always)]
fn checked(bytes: &[u8], clean: impl Fn(&[u8]) -> bool + Copy) -> bool {
    let n = bytes.len();
    if n < 32 {
        return clean(bytes);
    }
    if n < 64 {
        return bytes.get(..32).is_some_and(clean) && bytes.get(n - 32..).is_some_and(clean);
    }
    bytes.chunks_exact(64).all(clean) && bytes.get(n - 64..).is_some_and(clean)
}

/// [`next_quote`] for strings that are mostly longer than 16 bytes (a line's principal
/// and resource ARNs): sixteen bytes without a quote are passed at a time, by a fold
/// the compiler turns into one vector compare.
#[inline(always)]
fn next_quote_far(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    for chunk in bytes.get(from..)?.chunks_exact(16) {
        if chunk.iter().fold(false, |q, &b| q | (b == b'"')) {
            break;
        }
        at += 16;
    }
    next_quote(bytes, at)
}

/// The offset of the first `"` in `bytes` at or after `from`: eight bytes at a time
/// (the has-zero bit trick on the bytes XOR `"`, exact for the lowest byte flagged).
#[inline(always)]
fn next_quote(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = from;
    let mut words = bytes.get(from..)?.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(w).ok()?) ^ (ONES * u64::from(b'"'));
        let m = x.wrapping_sub(ONES) & !x & HIGH;
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b == b'"').map(|i| at + i)
}

/// Scans `line`; context keys go to `context` in order, each with its values' text (a
/// string's without quotes; `true`, `false` and integers as written). `None`: not a
/// plain line, or not one this scanner reads (the caller falls back to `serde_json`).
pub(crate) fn scan<'a, F>(line: &'a str, context: &mut F) -> Option<PlainLine<'a>>
where
    F: FnMut(&'a str, &[&'a str]),
{
    /// A closure takes the keys and values, and expects nothing.
    struct Each<'f, F>(&'f mut F);
    impl<'a, F: FnMut(&'a str, &[&'a str])> ContextSink<'a> for Each<'_, F> {
        fn key(&mut self, key: Option<&'a str>, values: &[&'a str]) {
            // Always a key: this sink expects none.
            if let Some(key) = key {
                (self.0)(key, values);
            }
        }
    }
    scan_into(line, &mut Each(context), &mut MemberOrder::default())
}

/// As [`scan`], with the context keys to `sink`, which can name the key it expects next,
/// and the members guessed in `order` (updated to this line's where the guess was
/// wrong).
pub(crate) fn scan_into<'a, S>(line: &'a str, context: &mut S, order: &mut MemberOrder) -> Option<PlainLine<'a>>
where
    S: ContextSink<'a>,
{
    // No escapes, and no control characters: white space is spaces, and a string ends
    // at the next `"`. Checked once for the whole line, so strings are read by their
    // quotes alone.
    if !no_escape_or_control(line.as_bytes()) {
        return None;
    }
    let mut s = Scanner { text: line, pos: 0 };
    let mut out = PlainLine::default();
    let mut seen_context = false;
    s.eat(b'{')?;
    if !s.eat_if(b'}') {
        let mut guesses = order.0.iter_mut();
        loop {
            s.eat(b'"')?;
            let guess = guesses.next();
            let member = match guess.as_deref().copied().flatten() {
                Some(m) if s.known(m.name()).is_some() => m,
                _ => {
                    let m = Member::of(s.string_rest()?)?;
                    if let Some(g) = guess {
                        *g = Some(m);
                    }
                    m
                }
            };
            s.eat(b':')?;
            let slot = match member {
                Member::Principal => &mut out.principal,
                Member::Action => &mut out.action,
                Member::Resource => &mut out.resource,
                Member::ResourceAccount => &mut out.resource_account,
                Member::Context if !seen_context => {
                    seen_context = true;
                    out.context = Some(s.context(context)?);
                    if !s.more(b'}')? {
                        break;
                    }
                    continue;
                }
                Member::Id if out.id.is_none() => {
                    s.ws();
                    out.id = Some(match s.peek()? {
                        b'"' => serde_json::Value::String(s.string()?.to_string()),
                        _ => {
                            let (id, pos) = Scanner::id_number(s.text, s.pos)?;
                            s.pos = pos;
                            id
                        }
                    });
                    if !s.more(b'}')? {
                        break;
                    }
                    continue;
                }
                Member::Context | Member::Id => return None,
            };
            if slot.is_some() {
                return None;
            }
            s.eat(b'"')?;
            let end = next_quote_far(s.text.as_bytes(), s.pos)?;
            *slot = Some(s.text.get(s.pos..end)?);
            s.pos = end + 1;
            if !s.more(b'}')? {
                break;
            }
        }
    }
    s.ws();
    (s.pos == line.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    /// A quote at every place in strings up to five chunks long, looked for from every
    /// place before it: both searches find the first, and none where there is none.
    #[test]
    fn quotes_are_found_at_any_distance() {
        for (n, suffix) in (0..90usize).flat_map(|n| [(n, &b""[..]), (n, &b"xy\"z"[..])]) {
            for q in 0..=n {
                let mut b = vec![b'a'; n];
                if let Some(c) = b.get_mut(q) {
                    *c = b'"';
                }
                b.extend_from_slice(suffix);
                for from in 0..=q {
                    let want = b[from..].iter().position(|&c| c == b'"').map(|i| from + i);
                    assert_eq!(super::next_quote(&b, from), want, "{n} {q} {from}");
                    assert_eq!(super::next_quote_far(&b, from), want, "{n} {q} {from}");
                }
                assert_eq!(super::next_quote_far(&b, b.len() + 1), None);
            }
        }
    }

    /// Every length up to a few chunks, every position: a `\\` or any control character
    /// anywhere makes the line unclean; any other byte (UTF-8 ones included) does not.
    #[test]
    fn escapes_and_control_characters_are_found_anywhere() {
        for n in 0..=200usize {
            let bytes = b" azAZ09\"{}:,[]~\x7f\xc3\xa9";
            let clean: Vec<u8> = (0..n).map(|i| bytes[i % bytes.len()]).collect();
            assert!(super::no_escape_or_control(&clean), "{n}");
            for at in 0..n {
                for bad in (0u8..0x20).chain([b'\\']) {
                    let mut b = clean.clone();
                    b[at] = bad;
                    assert!(!super::no_escape_or_control(&b), "{n} {at} {bad}");
                }
            }
        }
    }
}
