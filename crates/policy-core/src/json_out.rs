//! Writing JSON text by hand on the batch path, exactly as `serde_json` writes it
//! (compact; `"`, `\` and control characters escaped, with `\b \t \n \f \r` in their
//! short forms and others as `\u00xx`; everything else, non-ASCII included, as is).

/// Where label text goes: a `String` (owned responses) or the JSON bytes themselves
/// (batch mode writes labels straight into its output).
pub(crate) trait TextOut {
    fn put(&mut self, s: &str);
}

impl TextOut for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl TextOut for Vec<u8> {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// Whether byte `b` must be escaped inside a JSON string.
#[inline]
pub(crate) const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether `s` needs no escaping inside a JSON string (no byte [`needs_escape`]): a
/// `const fn`, so that text fixed at compile time is checked at compile time (e.g. a
/// fixed reason's message, copied into batch answers without a check per line).
pub(crate) const fn plain(s: &str) -> bool {
    let mut rest = s.as_bytes();
    while let [b, tail @ ..] = rest {
        if needs_escape(*b) {
            return false;
        }
        rest = tail;
    }
    true
}

/// The bytes of the 8 in `x` (little-endian) that must be escaped, one below 0x20, a `"`
/// or a `\\`, as the high bit of each (the classic has-less/has-zero bit tricks): exact
/// up to the first such byte, so `escape_mask(x).trailing_zeros() / 8` is its offset;
/// the bits above it may be wrong (a borrow), and none is set when there is none.
#[inline]
pub(crate) fn escape_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let q = x ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let b = x ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b & HIGH;
    below_space | quote | backslash
}

/// The offset of the first byte of `bytes` that must be escaped (`"`, `\\` or a
/// control character), if any: sixteen bytes at a time (two words, one branch), then a
/// word, then the last eight bytes at once (a byte at a time only in strings shorter
/// than eight), so a short string followed by more text is read in a word or two.
#[inline]
pub(crate) fn first_escape(bytes: &[u8]) -> Option<usize> {
    let word = |w: &[u8]| u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
    let found = |at: usize, m: u64| at + (m.trailing_zeros() / 8) as usize;
    let mut pairs = bytes.chunks_exact(16);
    let mut at = 0;
    for p in pairs.by_ref() {
        let (a, b) = p.split_at(8);
        let (ma, mb) = (escape_mask(word(a)), escape_mask(word(b)));
        if ma | mb != 0 {
            return Some(if ma != 0 { found(at, ma) } else { found(at + 8, mb) });
        }
        at += 16;
    }
    let mut rest = pairs.remainder();
    if let (Some(w), Some(tail)) = (rest.get(..8), rest.get(8..)) {
        let m = escape_mask(word(w));
        if m != 0 {
            return Some(found(at, m));
        }
        rest = tail;
    }
    if rest.is_empty() {
        return None;
    }
    // The last eight bytes at once, overlapping the words already read (clean: the
    // first byte flagged is the first to escape).
    if let Some(last) = bytes.len().checked_sub(8) {
        let m = escape_mask(word(bytes.get(last..).unwrap_or_default()));
        return (m != 0).then(|| found(last, m));
    }
    rest.iter().position(|&b| needs_escape(b)).map(|i| at + i)
}

/// Appends `s`'s characters, escaped, without the surrounding quotes.
pub(crate) fn push_escaped_contents(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Text with nothing to escape (almost all of it) is copied whole.
    let Some(first) = first_escape(bytes) else {
        out.extend_from_slice(bytes);
        return;
    };
    out.extend_from_slice(bytes.get(..first).unwrap_or_default());
    let mut start = first;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        if needs_escape(b) {
            out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
            push_escape(out, b);
            start = i + 1;
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

/// Appends the escape sequence of byte `b` (one that [`needs_escape`]).
fn push_escape(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\n' => out.extend_from_slice(b"\\n"),
        0x0c => out.extend_from_slice(b"\\f"),
        b'\r' => out.extend_from_slice(b"\\r"),
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
            out.extend_from_slice(b"\\u00");
            out.push(hex(b >> 4));
            out.push(hex(b & 0xf));
        }
    }
}

/// Appends `s` as a JSON string.
pub(crate) fn push_escaped(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped_contents(out, s);
    out.push(b'"');
}

/// Appends `,"name":"value"` (`name` needs no escaping).
pub(crate) fn push_str_member(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    push_escaped(out, value);
}

/// Appends `n` in decimal.
pub(crate) fn push_num(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(Digits::new(n).as_str().as_bytes());
}

/// A number's decimal digits, written without `fmt` (the per-request path).
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub(crate) fn new(mut n: u64) -> Digits {
        let mut d = Digits {
            buf: [0; 20],
            start: 20,
        };
        loop {
            d.start -= 1;
            if let Some(b) = d.buf.get_mut(d.start) {
                *b = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || d.start == 0 {
                return d;
            }
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(self.start..).unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_serde_json_does() {
        let long = "0123456789abcdef\"0123456789abcdef\\01234567\u{1f}89abcdef\u{7f}\u{80}é";
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "tab\there\nnl\r\u{8}\u{c}",
            "\u{1}\u{1f}\u{7f}",
            "é ✓ 𝄞",
            "`x` — y",
            long,
        ] {
            let mut out = Vec::new();
            push_escaped(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
        // Every byte value at every offset in the first five words (pairs, word, tail).
        for b in 0u8..0x80 {
            for at in 0..41 {
                let mut t = "x".repeat(at);
                t.push(char::from(b));
                t.push_str("yyyyyyyyy");
                let mut out = Vec::new();
                push_escaped(&mut out, &t);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&t).unwrap(),
                    "{t:?}"
                );
            }
        }
        // The first byte to escape, at every offset, after any bytes to keep.
        for b in 0u8..0x80 {
            for at in 0..41 {
                let mut t = "é".repeat(at / 2) + &"x".repeat(at % 2);
                t.push(char::from(b));
                t.push_str("\u{1f}\"\\yyyy");
                let want = t.bytes().position(needs_escape);
                assert_eq!(first_escape(t.as_bytes()), want, "{t:?}");
                assert_eq!(first_escape(&t.as_bytes()[..at]), None, "{t:?}");
            }
        }
        for n in [0u64, 7, 10, 1234567, u64::MAX] {
            let mut out = Vec::new();
            push_num(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
