//! Bounded resources and positions (issue 14): every request-document error has a
//! 1-based line and column at the offending member, and each limit holds at its bound
//! and fails just past it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use policy_core::{DocumentError, LineReader, NoFiles, PartialDocument, Source, MAX_CONTEXT_KEYS};

fn read(text: &str) -> Result<policy_core::RequestDocument, DocumentError> {
    let src = Source::new("r.json", text);
    PartialDocument::parse(&src, &mut NoFiles).and_then(|d| d.finish(&src))
}

fn err(text: &str) -> DocumentError {
    match read(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e,
    }
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn at(text: &str, needle: &str) -> (u32, u32) {
    let i = text.find(needle).unwrap();
    let before = &text[..i];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u32, col as u32)
}

const WHO: &str = r#""principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject""#;

#[test]
fn end_of_file_and_line_break_errors_are_never_column_0() {
    for (text, want) in [
        ("{", (1, 2)),
        ("{\n", (1, 2)),
        ("{\"principal\":\n\n", (1, 14)),
        ("", (1, 1)),
        ("\n\n", (3, 1)),
    ] {
        let e = err(text);
        assert_eq!((e.line, e.column), want, "{text:?}: {e}");
    }
    // A raw line break inside a string: serde says column 0 of the next line; the
    // error is at the end of the line holding the string.
    let e = err("{\"principal\": \"arn:aws:iam::111122223333:user/a\nb\"}");
    assert_eq!((e.code, e.line, e.column), ("json-syntax", 1, 47), "{e}");
}

#[test]
fn a_byte_order_mark_is_named() {
    let e = err(&format!("\u{feff}{{{WHO}}}"));
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.contains("byte-order mark"), "{e}");
}

#[test]
fn member_errors_point_at_the_member() {
    for (member, code) in [
        (r#""resourceAccount": "1234""#, "invalid-account"),
        (r#""organization": {"managementAccount": "99"}"#, "invalid-account"),
        (
            r#""organization": {"managmentAccount": "999999999999"}"#,
            "unknown-member",
        ),
        (r#""sessionIssuer": "role/x""#, "invalid-principal"),
        (
            r#""acl": {"grants": [{"grantee": "Everyone", "permission": "READ"}]}"#,
            "invalid-value",
        ),
        (r#""kmsKeyManager": "aws""#, "invalid-value"),
    ] {
        let text = format!("{{\n  {WHO},\n  {member}\n}}");
        let e = err(&text);
        let value = member.split_once(": ").unwrap().1;
        let value = if code == "invalid-account" && value.starts_with('{') {
            "\"99\""
        } else {
            value
        };
        assert_eq!(
            (e.code, e.line, e.column),
            (code, at(&text, value).0, at(&text, value).1),
            "{member}: {e}"
        );
    }
}

#[test]
fn context_keys_differing_only_in_case_are_an_error() {
    for ctx in [
        r#"{"aws:SourceIp": "203.0.113.9", "AWS:sourceip": "198.51.100.1"}"#,
        r#"{"k": "a", "k": "b"}"#,
    ] {
        let text = format!("{{{WHO}, \"context\": {ctx}}}");
        let e = err(&text);
        assert_eq!(e.code, "duplicate-context-key", "{e}");
        assert!(e.line == 1 && e.column > 1, "{e}");
        // The fast batch reader leaves the line to the general path, which reports it.
        let mut base = PartialDocument::default();
        base.share_policies();
        let mut reader = LineReader::new(&base);
        assert!(reader.read(&text).is_none());
    }
    // A batch line's key replaces the base's key of the same name in any case.
    let base_src = Source::new("base", r#"{"context": {"aws:SourceIp": "203.0.113.9"}}"#);
    let base = PartialDocument::parse(&base_src, &mut NoFiles).unwrap();
    let line = Source::new(
        "line",
        format!("{{{WHO}, \"context\": {{\"AWS:SOURCEIP\": \"198.51.100.1\"}}}}"),
    );
    let doc = PartialDocument::parse(&line, &mut NoFiles)
        .unwrap()
        .over(&base)
        .finish(&line)
        .unwrap();
    assert_eq!(doc.request.context().get("aws:sourceip").unwrap(), ["198.51.100.1"]);
}

#[test]
fn context_key_limit_at_and_past_the_bound() {
    let ctx = |n: usize| {
        (0..n)
            .map(|i| format!("\"k{i}\": \"v\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let line = |n: usize| format!("{{{WHO}, \"context\": {{{}}}}}", ctx(n));
    let mut base = PartialDocument::default();
    base.share_policies();
    let mut reader = LineReader::new(&base);
    let at_limit = line(MAX_CONTEXT_KEYS);
    assert!(read(&at_limit).is_ok());
    assert!(reader.read(&at_limit).is_some());
    let past = line(MAX_CONTEXT_KEYS + 1);
    let e = err(&past);
    assert_eq!(e.code, "limit", "{e}");
    assert!(reader.read(&past).is_none());
}
