//! Source text and positions: byte spans, 1-based line and column, UTF-16 offsets.

use std::sync::{Arc, OnceLock};

use serde::Serialize;

/// A byte range `start..end` into a [`Source`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets (saturating at `u32::MAX`).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }
}

/// A named text (a file, or a request line) that policies and diagnostics point into.
///
/// The line index and the ASCII test are computed on the first [`Source::locate`] or
/// [`Source::line_text`], not at construction: most texts of a large estate are never
/// located (only deciding statements and warnings are).
#[derive(Debug)]
pub struct Source {
    name: String,
    text: String,
    /// Byte offsets of the lines' starts (the first is 0), built on first use.
    line_starts: OnceLock<Box<[u32]>>,
    /// The text is ASCII: UTF-16 offsets are byte offsets (computed on first use).
    ascii: OnceLock<bool>,
}

/// A resolved position: 1-based line and column (in characters), byte offsets and
/// UTF-16 offsets (for browser editors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// UTF-16 code-unit offset of the start.
    pub utf16_start: u32,
    /// UTF-16 code-unit offset of the end.
    pub utf16_end: u32,
}

impl Source {
    /// A source named `name` (a path, or a label such as `<stdin>:3`) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            ascii: OnceLock::new(),
        })
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
                )
                .collect()
        })
    }

    /// The source's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span` (empty when the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    fn utf16_offset(&self, byte: usize) -> u32 {
        if *self.ascii.get_or_init(|| self.text.is_ascii()) {
            return u32::try_from(byte.min(self.text.len())).unwrap_or(u32::MAX);
        }
        let prefix = self.text.get(..byte).unwrap_or(&self.text);
        u32::try_from(prefix.encode_utf16().count()).unwrap_or(u32::MAX)
    }

    /// Resolves a span to line, column and UTF-16 offsets.
    pub fn locate(&self, span: Span) -> Location {
        let line_starts = self.line_starts();
        let idx = match line_starts.binary_search(&span.start) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = line_starts.get(idx).copied().unwrap_or(0) as usize;
        let col_text = self.text.get(line_start..span.start as usize).unwrap_or("");
        let chars = if *self.ascii.get_or_init(|| self.text.is_ascii()) {
            col_text.len()
        } else {
            col_text.chars().count()
        };
        Location {
            line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
            column: u32::try_from(chars + 1).unwrap_or(u32::MAX),
            start: span.start,
            end: span.end,
            utf16_start: self.utf16_offset(span.start as usize),
            utf16_end: self.utf16_offset(span.end as usize),
        }
    }

    /// The full text of the line holding `offset` (without its newline).
    pub fn line_text(&self, line: u32) -> &str {
        let i = line.saturating_sub(1) as usize;
        let line_starts = self.line_starts();
        let start = line_starts.get(i).copied().unwrap_or(0) as usize;
        let end = line_starts
            .get(i + 1)
            .map(|e| (*e as usize).saturating_sub(1))
            .unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }
}

/// Most characters of user text quoted (in backticks) in one message: a longer quote
/// keeps its first characters and ends in `…`, so that no message repeats an input of
/// unbounded size.
pub(crate) const MAX_QUOTED_CHARS: usize = 200;

/// `message` with every backtick-quoted part longer than [`MAX_QUOTED_CHARS`] cut to that
/// length (and `…`), and control characters in quoted parts shown as `�` (a terminal
/// must not receive them raw). Messages put user text in backticks
/// (docs/ENGINEERING.md).
pub(crate) fn clip_quoted(message: String) -> String {
    if message.len() <= MAX_QUOTED_CHARS && !message.contains(char::is_control) {
        return message;
    }
    let mut out = String::with_capacity(message.len().min(4 * MAX_QUOTED_CHARS));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let cut = part.char_indices().nth(MAX_QUOTED_CHARS).map(|(at, _)| at);
        let shown = cut.and_then(|at| part.get(..at)).unwrap_or(part);
        out.extend(shown.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }));
        if cut.is_some() {
            out.push('…');
        }
    }
    out
}

/// `path` (a JSON path, whose names may be user text) cut to at most
/// 2 × [`MAX_QUOTED_CHARS`] characters, with `…`.
pub(crate) fn clip_path(path: &str) -> String {
    match path.char_indices().nth(2 * MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", path.get(..cut).unwrap_or(path)),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_columns_and_utf16() {
        let src = Source::new("t", "{\n  \"é\": \"𝄞x\"\n}");
        let x = src.text().find('x').unwrap_or(0);
        let loc = src.locate(Span::new(x, x + 1));
        assert_eq!((loc.line, loc.column), (2, 10));
        // 𝄞 is two UTF-16 code units, é one.
        assert_eq!(loc.utf16_start, 12);
        assert_eq!(src.line_text(2), "  \"é\": \"𝄞x\"");
    }

    #[test]
    fn long_quotes_are_clipped_at_the_limit() {
        let at = "a".repeat(MAX_QUOTED_CHARS);
        let past = "é".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(clip_quoted(format!("x `{at}` y")), format!("x `{at}` y"));
        assert_eq!(
            clip_quoted(format!("x `{past}` y `{at}`")),
            format!("x `{}…` y `{at}`", "é".repeat(MAX_QUOTED_CHARS))
        );
        assert_eq!(clip_quoted("a `b\u{1b}[31m`".into()), "a `b\u{fffd}[31m`");
        // Unquoted text is the engine's own: kept.
        let plain = "b".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(clip_quoted(plain.clone()), plain);
    }

    /// The lazily built index locates every offset as a direct count does: lines,
    /// columns in characters, UTF-16 offsets; empty text, CRLF, a final newline, offsets
    /// at and past the end.
    #[test]
    fn lazy_index_locates_as_a_direct_count() {
        for text in ["", "\n", "a", "ab\ncd\n", "{\r\n  \"é\": 1,\r\n\"𝄞\"\n}\n\n", "x\n\ny"] {
            let src = Source::new("t", text);
            for at in 0..=text.len() + 1 {
                if !text.is_char_boundary(at.min(text.len())) {
                    continue;
                }
                let loc = src.locate(Span::new(at, at));
                let before = text.get(..at).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = text.get(line_start..at).map_or(1, |t| t.chars().count() + 1);
                assert_eq!(
                    (loc.line as usize, loc.column as usize),
                    (line, column),
                    "{text:?} at {at}"
                );
                assert_eq!(
                    loc.utf16_start as usize,
                    before.encode_utf16().count(),
                    "{text:?} at {at}"
                );
            }
            let lines: Vec<&str> = text.split('\n').collect();
            for (i, l) in lines.iter().enumerate() {
                assert_eq!(src.line_text(u32::try_from(i + 1).unwrap()), l.trim_end_matches('\r'));
            }
        }
    }
}
