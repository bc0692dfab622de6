//! `LineReader` (batch mode's fast path) reads every plain line to the request the
//! general path reads (`PartialDocument::parse(line)?.over(base).finish()`), and leaves
//! every other line to it: the responses are compared byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::{evaluate, write_response_json, Detail, LineReader, PartialDocument, Source};

fn base(extra: &str) -> PartialDocument {
    let root = common::repo_root();
    let text = std::fs::read_to_string(root.join("fixtures/bench/realistic.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let extra: serde_json::Value = serde_json::from_str(extra).unwrap();
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    let src = Source::new("base.json", v.to_string());
    let mut loader = common::FsLoader::new(&root.join("fixtures/bench"));
    let mut d = PartialDocument::parse(&src, &mut loader).unwrap();
    d.share_policies();
    d
}

fn general(line: &str, base: &PartialDocument, detail: Detail) -> Option<String> {
    let src = Source::new("line", line);
    let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
        .and_then(|d| d.over(base).finish(&src))
        .ok()?;
    let ev = evaluate(&doc.policies, &doc.request);
    let mut out = Vec::new();
    write_response_json(&ev, &doc.policies, &doc.request, doc.id.as_ref(), detail, &mut out);
    Some(String::from_utf8(out).unwrap())
}

/// The fast path's answer; the request is given back to the reader, as batch mode does,
/// so that the next line is read into its buffers.
fn fast(line: &str, reader: &mut LineReader<'_>, detail: Detail) -> Option<String> {
    let doc = reader.read(line)?;
    let policies = reader.policies().unwrap();
    let ev = evaluate(policies, &doc.request);
    let mut out = Vec::new();
    write_response_json(&ev, policies, &doc.request, doc.id.as_ref(), detail, &mut out);
    drop(ev);
    reader.recycle(doc);
    Some(String::from_utf8(out).unwrap())
}

/// The request context as the general path reads `line`, and as the fast path does.
fn contexts(line: &str, base: &PartialDocument, reader: &mut LineReader<'_>) -> Option<(String, String)> {
    let show = |c: &policy_core::Context| format!("{:?}", c.iter().collect::<Vec<_>>());
    let doc = reader.read(line)?;
    let fast = show(doc.request.context());
    reader.recycle(doc);
    let src = Source::new("line", line);
    let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
        .and_then(|d| d.over(base).finish(&src))
        .unwrap();
    Some((fast, show(doc.request.context())))
}

/// Lines of many keys, read one after the other into the buffers of the line before:
/// keys in the same places, in other places, fewer and more of them, a base key
/// replaced and then not, another case of the same name, a line refused half-way (a key
/// twice) and a line with an error after its context. Every context is the general
/// path's, key for key in order.
#[test]
fn contexts_read_into_reused_buffers_are_the_general_paths() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let mut reader = LineReader::new(&base);
    let lines = context_lines();
    let mut fast_lines = 0;
    for _ in 0..2 {
        for l in &lines {
            if let Some((fast, general)) = contexts(l, &base, &mut reader) {
                fast_lines += 1;
                assert_eq!(fast, general, "{l}");
            }
        }
    }
    assert_eq!(
        fast_lines,
        2 * (lines.len() - 2),
        "all but the duplicate key's and the bad principal's"
    );
}

/// Batch mode with one worker reads a block's lines on one thread before the worker
/// gives any back: many requests are held at once and come back in another order.
/// Every line read into a context given back out of order (of another line's keys)
/// has the general path's context.
#[test]
fn requests_given_back_in_any_order_are_read_into_as_the_general_path_reads() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let show = |c: &policy_core::Context| format!("{:?}", c.iter().collect::<Vec<_>>());
    let general = |line: &str| {
        let src = Source::new("line", line);
        let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
            .and_then(|d| d.over(&base).finish(&src))
            .unwrap();
        show(doc.request.context())
    };
    let lines = context_lines();
    let mut reader = LineReader::new(&base);
    let mut held = Vec::new();
    let mut checked = 0;
    for round in 0..6 {
        // Read every line (in a rotated order), holding the requests.
        for k in 0..lines.len() {
            let l = &lines[(k + round * 5) % lines.len()];
            if let Some(doc) = reader.read(l) {
                assert_eq!(show(doc.request.context()), general(l), "{l}");
                checked += 1;
                held.push(doc);
            }
        }
        // Give them back: reversed, or the odd ones first.
        if round % 2 == 0 {
            held.reverse();
        } else {
            let (odd, even): (Vec<_>, Vec<_>) = held.drain(..).enumerate().partition(|(i, _)| i % 2 == 1);
            held = odd.into_iter().chain(even).map(|(_, d)| d).collect();
        }
        for doc in held.drain(..) {
            reader.recycle(doc);
        }
    }
    assert_eq!(checked, 6 * (lines.len() - 2));
}

/// Lines of a base key, keys in other places, fewer and more keys, other cases of a
/// name, a key twice (refused half-way) and a line with an error after its context.
fn context_lines() -> Vec<String> {
    let line = |context: &str| format!(r#"{{"resource":"arn:aws:s3:::b/k","context":{{{context}}}}}"#);
    vec![
        line(r#""a":"1","b":["2","3"],"c":true,"d":-4,"e":"x""#),
        line(r#""a":"5","b":["6"],"c":false,"d":7,"e":"y""#),
        line(r#""a":"5","b":["6","7","8"],"c":false"#),
        line(r#""b":"1","a":"2","c":"3","d":"4","e":"5","f":"6""#),
        line(r#""a":"1","aws:requestedregion":"us-east-1","b":[]"#),
        line(r#""a":"1","b":"2""#),
        line(r#""A":"1","B":"2""#),
        line(r#""a":"1","b":"2","c":"3","a":"4""#),
        line(r#""a":"9","b":"8","c":"7""#),
        line(r#""x":"1","y":"2","z":"3""#).replace("}}", r#"},"principal":"alice"}"#),
        line(r#""x":"1","y":"2""#),
        line(""),
        line(r#""AWS:CurrentTime":"2027-01-01T00:00:00Z","x":"1""#),
        line(r#""x":"2""#),
    ]
}

const PLAIN: &[&str] = &[
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/2026/q3.csv","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"eu-west-1","aws:SecureTransport":true,"s3:RequestObjectTagKeys":["Owner","CreationDate"]}}"#,
    r#"{"id":7,"principal":"arn:aws:iam::111122223333:user/alice","action":"ec2:RunInstances","resource":"arn:aws:ec2:us-east-1:111122223333:instance/*","context":{"aws:RequestedRegion":"us-east-1"}}"#,
    r#"{"id":{"n":[1,"two"]},"principal":"arn:aws:iam::111122223333:role/JohnDoe","action":"S3:getobject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a\"b\\c\u00e9\n"}"#,
    r#"{"action":"dynamodb:GetItem","resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders","context":{"AWS:RequestedRegion":"eu-central-1","aws:SOURCEIP":"203.0.113.9","n":12.5,"b":false,"m":[1,true,"x"]}}"#,
    r#"{"action":"dynamodb:GetItem","context":{"AWS:RequestedRegion":"eu-central-1","aws:requestedregion":"us-east-1"}}"#,
    r#"{"principal":"111122223333","action":"iam:PassRole","resource":"arn:aws:iam::111122223333:role/SageMakerRole","resourceAccount":"444455556666"}"#,
    r#"{"principal":"lambda.amazonaws.com","action":"s3:PutObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/uploads/a.bin","context":{}}"#,
    r#"  {"principal": "anonymous", "action": "s3:GetObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "principal_": 1}  "#,
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:SourceIp":{"nested":1}}}"#,
    r#"{"principal":"arn:aws:iam::1234:user/alice","action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"GetObject"}"#,
    r#"{"principal":{"Service":"lambda.amazonaws.com"},"action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","sessionIssuer":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"} trailing"#,
    r#"{"principal":null,"action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/x"}"#,
    r#" { "id" : "req-1" , "principal" : "arn:aws:iam::111122223333:user/alice" , "action" : "s3:ListBucket" , "resource" : "arn:aws:s3:::DOC-EXAMPLE-BUCKET" , "context" : { "s3:prefix" : [ ] , "s3:max-keys" : -12 , "aws:MultiFactorAuthPresent" : false } } "#,
    r#"{"id":18446744073709551615,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/é✓"}"#,
    r#"{"id":-9,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":0,"k":["a","b"],"Kx":true}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":-0}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":007}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":1e3}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":1,}}"#,
    "{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\t\"action\":\"s3:GetObject\"}",
    r#"{}"#,
    r#"[1,2]"#,
];

#[test]
fn fast_path_answers_as_the_general_path() {
    let bases = [
        base("{}"),
        base(
            r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/base","sessionIssuer":"arn:aws:iam::111122223333:role/team/JohnDoe","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"},"id":"base-id"}"#,
        ),
        base(
            r#"{"action":"s3:GetObject","organization":{"managementAccount":"111122223333"},"blockPublicAccess":{"restrictPublicBuckets":true}}"#,
        ),
    ];
    let (mut fast_lines, mut general_only) = (0, 0);
    for base in &bases {
        let mut reader = LineReader::new(base);
        // Twice: the second time from the reader's caches.
        for _ in 0..2 {
            for line in PLAIN {
                for detail in [Detail::Decision, Detail::Brief, Detail::Full] {
                    let want = general(line, base, detail);
                    match fast(line, &mut reader, detail) {
                        Some(got) => {
                            fast_lines += 1;
                            assert_eq!(Some(got), want, "{line}");
                        }
                        None => general_only += 1,
                    }
                }
            }
        }
    }
    // Both paths are exercised: most lines are plain, the rest are the general path's.
    assert!(fast_lines >= 70, "{fast_lines} lines read by the fast path");
    assert!(general_only >= 80, "{general_only} lines left to the general path");
}

#[test]
fn fast_path_needs_shared_policies() {
    let mut b = base("{}");
    let line = PLAIN[0];
    assert!(LineReader::new(&b).read(line).is_some());
    b = PartialDocument::default();
    assert!(LineReader::new(&b).read(line).is_none());
}

/// Lines built from members and values of every shape, with random spacing: whatever
/// the fast path reads, it reads as the general path does.
mod generated {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\"plain\"".to_string()),
            Just("\"with \\\"quote\\\" and \\u00e9\"".to_string()),
            Just("\"203.0.113.9\"".to_string()),
            // Raw UTF-8 and a raw tab (not JSON: a control character in a string).
            Just("\"café ✓\"".to_string()),
            Just("\"a\tb\"".to_string()),
            // Strings of every length around the scanner's 8- and 32-byte steps.
            "[a-zé:/ ]{0,40}".prop_map(|s| format!("\"{s}\"")),
            Just("\"\"".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
            Just("{}".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("-0".to_string()),
            Just("0012".to_string()),
            Just("1.5".to_string()),
            Just("2E3".to_string()),
            Just("12345678901234567890123".to_string()),
        ]
    }

    fn values() -> impl Strategy<Value = String> {
        prop_oneof![
            value(),
            proptest::collection::vec(value(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("aws:SourceIp"),
            Just("AWS:sourceip"),
            Just("aws:RequestedRegion"),
            Just("s3:RequestObjectTagKeys"),
            Just("aws:PrincipalArn"),
            Just("aws:ResourceAccount"),
            Just("x"),
        ]
        .prop_map(str::to_string)
    }

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""principal":"arn:aws:iam::111122223333:user/alice""#.to_string()),
            Just(r#""principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s""#.to_string()),
            Just(r#""principal":"lambda.amazonaws.com""#.to_string()),
            Just(r#""principal":{"AWS":"111122223333"}"#.to_string()),
            Just(r#""action":"s3:GetObject""#.to_string()),
            Just(r#""action":"ec2:RunInstances""#.to_string()),
            Just(r#""action":"bad""#.to_string()),
            Just(r#""resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv""#.to_string()),
            Just(r#""resource":"arn:aws:ec2:us-east-1:111122223333:instance/*""#.to_string()),
            Just(r#""resourceAccount":"444455556666""#.to_string()),
            Just(r#""resourceAccount":"4444""#.to_string()),
            value().prop_map(|v| format!(r#""id":{v}"#)),
            proptest::collection::vec((key(), values()), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!(r#""context":{{{}}}"#, body.join(","))
            }),
            Just(r#""sessionIssuer":"arn:aws:iam::111122223333:role/JohnDoe""#.to_string()),
        ]
    }

    fn spaced(parts: Vec<String>, spaces: Vec<u8>) -> String {
        let mut out = String::from("{");
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let n = spaces.get(i).copied().unwrap_or(0);
            for _ in 0..n % 3 {
                out.push(' ');
            }
            // Now and then a tab, which JSON allows as white space (the scanner
            // leaves such a line to the general path).
            if n % 17 == 16 {
                out.push('\t');
            }
            out.push_str(p);
        }
        out.push('}');
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn fast_path_agrees(parts in proptest::collection::vec(member(), 0..7), spaces in proptest::collection::vec(any::<u8>(), 7)) {
            let line = spaced(parts, spaces);
            thread_local! {
                static BASE: PartialDocument = base(r#"{"context":{"aws:CurrentTime":"2026-12-01T00:00:00Z"}}"#);
            }
            BASE.with(|b| {
                let mut reader = LineReader::new(b);
                for detail in [Detail::Decision, Detail::Brief, Detail::Full] {
                    if let Some(got) = fast(&line, &mut reader, detail) {
                        prop_assert_eq!(Some(got), general(&line, b, detail), "{}", line);
                    }
                }
                Ok(())
            })?;
        }
    }
}
