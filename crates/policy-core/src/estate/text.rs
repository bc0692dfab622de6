//! Policy documents as the AWS CLI and API write them inside their outputs: a JSON
//! object (GAAD from the CLI), a JSON string holding the document (`get-bucket-policy`,
//! `get-key-policy`, `describe-policy`'s `Content`, queue and topic attributes), or a
//! JSON string holding the URL-encoded document (GAAD from the API and SDKs: "The policy
//! document returned in this structure is URL-encoded compliant with RFC 3986",
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html>).
//!
//! A document is parsed where it is; its [`Origin`] maps positions in the decoded text
//! back into the snapshot file, so a deciding statement of a string policy points into
//! its string.

use std::sync::Arc;

use serde_json::value::RawValue;

use crate::parse::{parse_policy, parse_policy_at, Diagnostic};
use crate::policy::{Policy, PolicyType};
use crate::span::{Location, Source, Span};

/// How a document is written in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// A JSON object: positions are the file's own.
    Object,
    /// A JSON string holding the document.
    JsonString,
    /// A JSON string holding the URL-encoded document.
    UrlEncoded,
}

/// Where a policy document is in the snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The snapshot file.
    pub(crate) file: Arc<Source>,
    /// The document in the file: the object, or the string literal with its quotes.
    pub(crate) span: Span,
    pub(crate) encoding: Encoding,
    /// JSON path of the document in the file (`RoleDetailList[3].RolePolicyList[0].PolicyDocument`).
    pub(crate) path: Box<str>,
}

impl Origin {
    /// Where the document starts in its file.
    pub(crate) fn location(&self) -> Location {
        self.file
            .locate(Span::new(self.span.start as usize, self.span.start as usize))
    }

    /// The file offset of byte `rel` of the document's text (the decoded text for
    /// string documents; for objects, the offset from the object's start).
    pub(crate) fn file_offset(&self, rel: usize) -> usize {
        self.span.start as usize
            + match self.encoding {
                Encoding::Object => rel,
                Encoding::JsonString | Encoding::UrlEncoded => {
                    raw_offset(self.file.slice(self.span), self.encoding == Encoding::UrlEncoded, rel)
                }
            }
    }

    /// The position in the file of byte `rel` of the document's text.
    pub(crate) fn locate(&self, rel: usize) -> Location {
        let at = self.file_offset(rel);
        self.file.locate(Span::new(at, at))
    }
}

/// Byte offset of `raw` (a JSON value) inside `file`'s text.
pub(crate) fn offset_in(file: &Source, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(file.text().as_ptr() as usize)
}

/// A document that could not be read: the message, and the parser's diagnostics when it
/// is not a valid policy.
#[derive(Debug, Clone)]
pub(crate) struct DocError {
    pub(crate) message: String,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A document's text: where it is in its file (objects), or decoded (strings).
pub(crate) enum DocText {
    Object,
    Decoded(String),
}

/// Where the document `raw` (a value inside `file`, at JSON path `path`) is, and its
/// text decoded when it is a string.
///
/// Errors: a string that is not a document (its message).
pub(crate) fn locate_document(file: &Arc<Source>, raw: &RawValue, path: &str) -> (Origin, Result<DocText, String>) {
    let start = offset_in(file, raw);
    let mut origin = Origin {
        file: file.clone(),
        span: Span::new(start, start + raw.get().len()),
        encoding: Encoding::Object,
        path: path.into(),
    };
    let text = raw.get();
    if text.starts_with('{') {
        return (origin, Ok(DocText::Object));
    }
    match decode_string(text) {
        Ok((s, enc)) => {
            origin.encoding = enc;
            (origin, Ok(DocText::Decoded(s)))
        }
        Err(e) => (origin, Err(e)),
    }
}

/// Parses a located document as a policy of type `ty`: an object where it is, a string's
/// decoded text as a source named as the file.
pub(crate) fn parse_text(
    origin: &Origin,
    text: DocText,
    ty: PolicyType,
) -> Result<(Policy, Vec<Diagnostic>), DocError> {
    let parsed = match text {
        DocText::Object => parse_policy_at(&origin.file, origin.span, ty),
        DocText::Decoded(s) => parse_policy(&Source::new(origin.file.name(), s), ty),
    };
    parsed.map(|p| (p.policy, p.warnings)).map_err(|e| DocError {
        message: format!("invalid {}", ty.name()),
        diagnostics: e.diagnostics,
    })
}

/// The text of a JSON string literal holding a document, URL-decoded when it is
/// URL-encoded (starts with `%7B`).
///
/// Errors: not a JSON string, or a URL encoding that is not UTF-8.
pub(crate) fn decode_string(literal: &str) -> Result<(String, Encoding), String> {
    let s: String = serde_json::from_str(literal)
        .map_err(|_| "expected a policy document (a JSON object or a string holding one)".to_string())?;
    let t = s.trim_start();
    if t.starts_with("%7B") || t.starts_with("%7b") {
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(&s).collect();
        let text = String::from_utf8(bytes).map_err(|_| "the URL-encoded policy document is not UTF-8".to_string())?;
        return Ok((text, Encoding::UrlEncoded));
    }
    Ok((s, Encoding::JsonString))
}

/// The byte offset in `raw` (a JSON string literal, quotes included) of the character
/// that decodes to byte `target` of the decoded text (URL-decoded as well when `url`).
fn raw_offset(raw: &str, url: bool, target: usize) -> usize {
    // The JSON-unescaped text, with the raw offset each of its bytes came from.
    let b = raw.as_bytes();
    let mut text: Vec<u8> = Vec::with_capacity(b.len());
    let mut from: Vec<usize> = Vec::with_capacity(b.len());
    let mut i = 1;
    let hex4 = |at: usize| -> Option<u32> {
        let s = raw.get(at..at + 4)?;
        u32::from_str_radix(s, 16).ok()
    };
    while i < b.len().saturating_sub(1) {
        let start = i;
        let (ch, len): (Option<char>, usize) = match b.get(i) {
            Some(b'\\') => match b.get(i + 1) {
                Some(b'u') => match hex4(i + 2) {
                    Some(hi @ 0xD800..=0xDBFF) => match (b.get(i + 6..i + 8), hex4(i + 8)) {
                        (Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                            (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12)
                        }
                        _ => (Some('\u{fffd}'), 6),
                    },
                    Some(c) => (char::from_u32(c), 6),
                    None => (None, 2),
                },
                Some(b'n') => (Some('\n'), 2),
                Some(b't') => (Some('\t'), 2),
                Some(b'r') => (Some('\r'), 2),
                Some(b'b') => (Some('\u{8}'), 2),
                Some(b'f') => (Some('\u{c}'), 2),
                Some(&c) => (Some(char::from(c)), 2),
                None => (None, 1),
            },
            _ => {
                let c = raw.get(i..).and_then(|r| r.chars().next());
                (c, c.map_or(1, char::len_utf8))
            }
        };
        let mut buf = [0u8; 4];
        for &byte in ch.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes() {
            text.push(byte);
            from.push(start);
        }
        i += len;
    }
    let end = b.len().saturating_sub(1);
    if !url {
        return from.get(target).copied().unwrap_or(end);
    }
    // URL-decoding: `%XX` is one byte.
    let (mut k, mut out) = (0, 0);
    while k < text.len() {
        if out == target {
            return from.get(k).copied().unwrap_or(end);
        }
        let escape = text.get(k) == Some(&b'%')
            && text.get(k + 1).is_some_and(u8::is_ascii_hexdigit)
            && text.get(k + 2).is_some_and(u8::is_ascii_hexdigit);
        k += if escape { 3 } else { 1 };
        out += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_decoded_offsets_into_the_literal() {
        let raw = r#""{\"A\":\n\"\u00e9x\"}""#;
        let (text, enc) = decode_string(raw).unwrap();
        assert_eq!(enc, Encoding::JsonString);
        let x = text.find('x').unwrap();
        assert_eq!(&raw[raw_offset(raw, false, x)..][..1], "x");
        let url = r#""%7B%22Statement%22%3A%5B%7B%22Sid%22%3A%22S1%22%7D%5D%7D""#;
        let (text, enc) = decode_string(url).unwrap();
        assert_eq!(enc, Encoding::UrlEncoded);
        assert_eq!(text, r#"{"Statement":[{"Sid":"S1"}]}"#);
        let sid = text.find("S1").unwrap();
        assert_eq!(&url[raw_offset(url, true, sid)..][..2], "S1");
        let brace = text.find("[{").unwrap() + 1;
        assert_eq!(&url[raw_offset(url, true, brace)..][..3], "%7B");
    }
}
