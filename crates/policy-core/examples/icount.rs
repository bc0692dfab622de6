//! Evaluates two requests of the realistic estate (`fixtures/bench/realistic.json`) N
//! times each, for counting instructions per evaluation under callgrind, which is
//! repeatable where timings on a shared machine are not. `scripts/bench-icount.sh` runs
//! it twice (N = 1 and N = 10,001) and prints the difference per evaluation.
//!
//! Usage: `icount [ESTATE] [N]` (ESTATE: `realistic`, `readonly` or `variables`; for
//! `variables`, the requests are the first two lines of
//! `fixtures/bench/variables-sample.jsonl`, 15–17 context keys each).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
use policy_core::*;
use std::path::PathBuf;
use std::sync::Arc;
struct Fs(PathBuf);
impl PolicyLoader for Fs {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let p = self.0.join(path);
        let text = std::fs::read_to_string(&p).unwrap();
        Ok(Arc::new(
            parse_policy(&Source::new(p.to_string_lossy(), text), ty)
                .unwrap()
                .policy,
        ))
    }
}
fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bench");
    let which = std::env::args().nth(1).unwrap_or("realistic".into());
    let text = std::fs::read_to_string(dir.join(format!("{which}.json"))).unwrap();
    let base = PartialDocument::parse(&Source::new("b", text), &mut Fs(dir.clone())).unwrap();
    let sample;
    let mut lines = vec![
        r#"{"principal":"arn:aws:sts::111122223333:assumed-role/DataScience/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"eu-west-1","aws:SecureTransport":true}}"#,
        r#"{"principal":"arn:aws:sts::111122223333:assumed-role/DataScience/alice","action":"ec2:RunInstances","resource":"arn:aws:ec2:ap-southeast-2:111122223333:instance/*","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"ap-southeast-2"}}"#,
    ];
    if which == "variables" {
        sample = std::fs::read_to_string(dir.join("variables-sample.jsonl")).unwrap();
        lines = sample.lines().take(2).collect();
    }
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(10000);
    for l in lines {
        let src = Source::new("l", l);
        let doc = PartialDocument::parse(&src, &mut Fs(dir.clone()))
            .unwrap()
            .over(&base)
            .finish(&src)
            .unwrap();
        for _ in 0..n {
            std::hint::black_box(evaluate(std::hint::black_box(&doc.policies), &doc.request).decision());
        }
    }
}
