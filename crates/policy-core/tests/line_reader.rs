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

fn fast(line: &str, reader: &mut LineReader<'_>, detail: Detail) -> Option<String> {
    let doc = reader.read(line)?;
    let ev = evaluate(&doc.policies, &doc.request);
    let mut out = Vec::new();
    write_response_json(&ev, &doc.policies, &doc.request, doc.id.as_ref(), detail, &mut out);
    Some(String::from_utf8(out).unwrap())
}

const PLAIN: &[&str] = &[
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/2026/q3.csv","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"eu-west-1","aws:SecureTransport":true,"s3:RequestObjectTagKeys":["Owner","CreationDate"]}}"#,
    r#"{"id":7,"principal":"arn:aws:iam::111122223333:user/alice","action":"ec2:RunInstances","resource":"arn:aws:ec2:us-east-1:111122223333:instance/*","context":{"aws:RequestedRegion":"us-east-1"}}"#,
    r#"{"id":{"n":[1,"two"]},"principal":"arn:aws:iam::111122223333:role/JohnDoe","action":"S3:getobject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a\"b\\c\u00e9\n"}"#,
    r#"{"action":"dynamodb:GetItem","resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders","context":{"AWS:RequestedRegion":"eu-central-1","aws:requestedregion":"us-east-1","n":12.5,"b":false,"m":[1,true,"x"]}}"#,
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
                for detail in [Detail::Brief, Detail::Full] {
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
    assert!(fast_lines >= 60, "{fast_lines} lines read by the fast path");
    assert!(general_only >= 60, "{general_only} lines left to the general path");
}

#[test]
fn fast_path_needs_shared_policies() {
    let mut b = base("{}");
    let line = PLAIN[0];
    assert!(LineReader::new(&b).read(line).is_some());
    b = PartialDocument::default();
    assert!(LineReader::new(&b).read(line).is_none());
}
