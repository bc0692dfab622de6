//! Criterion benchmarks: one request decided against a realistic estate (9 identity
//! policies of ~10 statements with conditions, a bucket policy, 3 SCP levels, a
//! boundary: `fixtures/bench/realistic.json`) and against the largest managed policy
//! (`ReadOnlyAccess`). Policies are parsed once, outside the measured loop.
//!
//! A third group, `variables`, decides requests of 15–17 context keys against policies
//! with policy variables in resources and conditions (`fixtures/bench/variables.json`).
//!
//! Run: `cargo bench -p policy-core --bench eval`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use policy_core::{
    evaluate, parse_policy, Diagnostic, PartialDocument, Policy, PolicyLoader, PolicyType, RequestDocument, Response,
    Source,
};

struct Fs(PathBuf);

impl PolicyLoader for Fs {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let p = self.0.join(path);
        let text = std::fs::read_to_string(&p).map_err(|e| (e.to_string(), Vec::new()))?;
        parse_policy(&Source::new(p.to_string_lossy(), text), ty)
            .map(|p| Arc::new(p.policy))
            .map_err(|e| (e.to_string(), e.diagnostics))
    }
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bench")
}

fn base(name: &str) -> PartialDocument {
    let dir = bench_dir();
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    PartialDocument::parse(&Source::new(name, text), &mut Fs(dir)).unwrap()
}

fn line_doc(line: &str, base: &PartialDocument) -> RequestDocument {
    let src = Source::new("line", line);
    PartialDocument::parse(&src, &mut Fs(bench_dir()))
        .unwrap()
        .over(base)
        .finish(&src)
        .unwrap()
}

const LINES: &[&str] = &[
    // Allow: identity (AmazonS3ReadOnlyAccess) ∧ boundary ∧ 3 SCP levels.
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/DataScience/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"eu-west-1","aws:SecureTransport":true}}"#,
    // ExplicitDeny: SCP region control.
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/DataScience/alice","action":"ec2:RunInstances","resource":"arn:aws:ec2:ap-southeast-2:111122223333:instance/*","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"ap-southeast-2"}}"#,
    // ImplicitDeny: no identity allow.
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"dynamodb:GetItem","resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"us-east-1"}}"#,
    // Allow: resource policy names the role directly, bounded by the boundary.
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s1","action":"s3:PutObjectTagging","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a.bin","context":{"aws:RequestedRegion":"eu-west-1","s3:RequestObjectTagKeys":["Owner"],"s3:x-amz-server-side-encryption":"aws:kms"}}"#,
];

/// One batch line as `policy-sim batch` decides it: read by the fast reader, decided,
/// its `brief` response written into `out` (cleared first), its request given back.
/// Returns the response's length.
fn read_decide_write(reader: &mut policy_core::LineReader<'_>, text: &str, out: &mut Vec<u8>) -> usize {
    out.clear();
    let line = reader.read(text).unwrap();
    let policies = reader.policies().unwrap();
    let ev = evaluate(policies, line.request());
    policy_core::write_response_json(&ev, policies, line.request(), None, policy_core::Detail::Brief, out);
    drop(ev);
    reader.recycle(line);
    out.len()
}

fn benches(c: &mut Criterion) {
    let realistic = base("realistic.json");
    let docs: Vec<RequestDocument> = LINES.iter().map(|l| line_doc(l, &realistic)).collect();
    let mut g = c.benchmark_group("realistic");
    for (i, d) in docs.iter().enumerate() {
        let decision = evaluate(&d.policies, &d.request).decision();
        g.bench_function(format!("evaluate/{i}-{decision}"), |b| {
            b.iter(|| evaluate(std::hint::black_box(&d.policies), std::hint::black_box(&d.request)).decision())
        });
    }
    let d = &docs[0];
    g.bench_function("evaluate+response/0", |b| {
        b.iter(|| {
            let ev = evaluate(&d.policies, &d.request);
            Response::new(&ev, &d.policies, &d.request, None)
        })
    });
    // What `policy-sim batch --base` does per plain line: read it (LineReader), decide,
    // write the brief response.
    let mut shared = realistic.clone();
    shared.share_policies();
    let mut reader = policy_core::LineReader::new(&shared);
    let mut out = Vec::with_capacity(4096);
    g.bench_function("batch-line/read+evaluate+write (LineReader, brief)", |b| {
        b.iter(|| read_decide_write(&mut reader, std::hint::black_box(LINES[0]), &mut out))
    });
    g.bench_function("batch-line/parse+evaluate+serialize (general path, serde)", |b| {
        b.iter(|| {
            let src = Source::new("line", LINES[0]);
            let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
                .unwrap()
                .over(&realistic)
                .finish(&src)
                .unwrap();
            let ev = evaluate(&doc.policies, &doc.request);
            serde_json::to_string(&Response::new(&ev, &doc.policies, &doc.request, None)).unwrap()
        })
    });
    g.finish();

    // Policy variables in resources and conditions, 15–17 context keys per request
    // (`fixtures/bench/variables.json`, lines from `variables-sample.jsonl`).
    let variables = base("variables.json");
    let sample = std::fs::read_to_string(bench_dir().join("variables-sample.jsonl")).unwrap();
    let mut g = c.benchmark_group("variables");
    for (i, line) in sample.lines().take(3).enumerate() {
        let d = line_doc(line, &variables);
        let decision = evaluate(&d.policies, &d.request).decision();
        g.bench_function(format!("evaluate/{i}-{decision}"), |b| {
            b.iter(|| evaluate(std::hint::black_box(&d.policies), std::hint::black_box(&d.request)).decision())
        });
    }
    let mut shared = variables.clone();
    shared.share_policies();
    let mut reader = policy_core::LineReader::new(&shared);
    let mut out = Vec::with_capacity(4096);
    let first = sample.lines().next().unwrap_or_default();
    g.bench_function("batch-line/read+evaluate+write (LineReader, brief)", |b| {
        b.iter(|| read_decide_write(&mut reader, std::hint::black_box(first), &mut out))
    });
    g.finish();

    let readonly = base("readonly.json");
    let mut g = c.benchmark_group("readonly-access");
    for (name, line) in [
        (
            "allow",
            r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
        ),
        (
            "implicit-deny",
            r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:PutObject","resource":"arn:aws:s3:::b/k"}"#,
        ),
    ] {
        let d = line_doc(line, &readonly);
        g.bench_function(format!("evaluate/{name}"), |b| {
            b.iter(|| evaluate(std::hint::black_box(&d.policies), std::hint::black_box(&d.request)).decision())
        });
    }
    g.finish();
}

criterion_group!(all, benches);
criterion_main!(all);
