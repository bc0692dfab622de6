#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
use std::path::PathBuf;
use std::sync::Arc;
use policy_core::*;
struct Fs(PathBuf);
impl PolicyLoader for Fs {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let p = self.0.join(path);
        let text = std::fs::read_to_string(&p).unwrap();
        Ok(Arc::new(parse_policy(&Source::new(p.to_string_lossy(), text), ty).unwrap().policy))
    }
}
fn main() {
    let only7 = std::env::var("ONLY7").is_ok();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bench");
    let text = std::fs::read_to_string(dir.join("realistic.json")).unwrap();
    let base = PartialDocument::parse(&Source::new("b", text), &mut Fs(dir.clone())).unwrap();
    let line = std::fs::read_to_string("/tmp/req0.json").unwrap();
    let src = Source::new("l", line);
    let doc = PartialDocument::parse(&src, &mut Fs(dir)).unwrap().over(&base).finish(&src).unwrap();
    // drop policies one kind at a time
    let variants: Vec<(&str, PolicySet)> = vec![
        ("full", doc.policies.clone()),
        ("identity only", PolicySet { identity: doc.policies.identity.clone(), ..Default::default() }),
        ("scp only", PolicySet { scp: doc.policies.scp.clone(), ..Default::default() }),
        ("boundary only", PolicySet { permissions_boundary: doc.policies.permissions_boundary.clone(), ..Default::default() }),
        ("resource only", PolicySet { resource: doc.policies.resource.clone(), ..Default::default() }),
        ("empty", PolicySet::default()),
    ];
    if only7 {
        let one = PolicySet { identity: vec![doc.policies.identity[7].clone()], ..Default::default() };
        for _ in 0..5_000_000 { std::hint::black_box(evaluate(&one, &doc.request).decision()); }
        return;
    }
    for (name, set) in &variants {
        for i in 0..doc.policies.identity.len().min(if *name == "identity only" { 9 } else { 0 }) {
            let one = PolicySet { identity: vec![doc.policies.identity[i].clone()], ..Default::default() };
            let n = 200_000;
            let t = std::time::Instant::now();
            for _ in 0..n { std::hint::black_box(evaluate(&one, &doc.request).decision()); }
            println!("  identity[{i}] {:?} ns", t.elapsed().as_nanos() / n);
        }
        let n = 200_000;
        let t = std::time::Instant::now();
        for _ in 0..n { std::hint::black_box(evaluate(std::hint::black_box(set), &doc.request).decision()); }
        println!("{name}: {} ns", t.elapsed().as_nanos() / n);
    }
}
