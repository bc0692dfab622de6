//! Native timing of the playground's call for each example of
//! playground/src/examples.json (generate it with `node scripts/gen-examples.mjs`):
//! `cargo run --release -p policy-wasm --example keystroke`. Columns: every editor
//! parsed (the stateless `evaluateWorkspace`), a keystroke in the request editor and a
//! keystroke in the largest policy (a `Workspace` re-parses only what changed).

use std::time::Instant;

use policy_wasm::api;
use policy_wasm::types::{Clock, PanelInput, PolicyTypeName, WorkspaceInput};
use serde_json::Value;

fn panels(doc: &Value) -> Vec<PanelInput> {
    let mut out = Vec::new();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut add = |ty: PolicyTypeName, level: u32, v: &Value| {
        out.push(PanelInput {
            id: format!("{}-{}", ty.as_str(), out.len()),
            ty,
            level,
            text: Some(pretty(v)),
        });
    };
    let p = doc.get("policies").cloned().unwrap_or(Value::Null);
    for (key, ty) in [
        ("identity", PolicyTypeName::Identity),
        ("vpcEndpoint", PolicyTypeName::Endpoint),
    ] {
        for v in p.get(key).and_then(Value::as_array).into_iter().flatten() {
            add(ty, 0, v);
        }
    }
    for (key, ty) in [
        ("resource", PolicyTypeName::Resource),
        ("permissionsBoundary", PolicyTypeName::Boundary),
        ("session", PolicyTypeName::Session),
    ] {
        if let Some(v) = p.get(key) {
            add(ty, 0, v);
        }
    }
    for (key, ty) in [("scp", PolicyTypeName::Scp), ("rcp", PolicyTypeName::Rcp)] {
        for (l, level) in p.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            for v in level.as_array().into_iter().flatten() {
                add(ty, u32::try_from(l).unwrap_or(0), v);
            }
        }
    }
    out
}

fn time(n: u32, mut f: impl FnMut(u32)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../playground/src/examples.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("{path} is missing: run `node scripts/gen-examples.mjs` first");
        std::process::exit(1);
    };
    let examples: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    println!(
        "{:<60} {:>8} {:>10} {:>10} {:>10}",
        "example", "chars", "all (ms)", "request", "largest"
    );
    for ex in &examples {
        let doc = ex.get("document").cloned().unwrap_or(Value::Null);
        let mut request = doc.clone();
        if let Some(o) = request.as_object_mut() {
            o.remove("policies");
        }
        let request = serde_json::to_string_pretty(&request).unwrap_or_default();
        let full = WorkspaceInput {
            request: Some(request.clone()),
            policies: panels(&doc),
            clock: Some(Clock::On(false)),
        };
        let chars: usize = full
            .policies
            .iter()
            .filter_map(|p| p.text.as_ref())
            .map(String::len)
            .sum();
        let n = 100;
        let all = time(n, |_| {
            let _ = api::evaluate_workspace(&full, || 0.0);
        });
        let mut ws = api::Workspace::default();
        let r = ws.evaluate(&full, || 0.0);
        let decision = r
            .response
            .as_ref()
            .and_then(|r| r.get("decision"))
            .and_then(Value::as_str)
            .unwrap_or("-");
        let unchanged: Vec<PanelInput> = full
            .policies
            .iter()
            .map(|p| PanelInput {
                text: None,
                ..p.clone()
            })
            .collect();
        let in_request = time(n, |i| {
            let input = WorkspaceInput {
                request: Some(format!("{request}{}", " ".repeat(i as usize % 2 + 1))),
                policies: unchanged.clone(),
                clock: Some(Clock::On(false)),
            };
            let _ = ws.evaluate(&input, || 0.0);
        });
        let largest = full
            .policies
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| p.text.as_ref().map_or(0, String::len))
            .map_or(0, |(i, _)| i);
        let in_largest = time(n, |i| {
            let mut policies = unchanged.clone();
            if let (Some(p), Some(src)) = (policies.get_mut(largest), full.policies.get(largest)) {
                p.text = src
                    .text
                    .as_ref()
                    .map(|t| format!("{t}{}", " ".repeat(i as usize % 2 + 1)));
            }
            let input = WorkspaceInput {
                request: None,
                policies,
                clock: Some(Clock::On(false)),
            };
            let _ = ws.evaluate(&input, || 0.0);
        });
        println!(
            "{:<60} {chars:>8} {all:>10.3} {in_request:>10.3} {in_largest:>10.3}  {decision}",
            ex.get("id").and_then(Value::as_str).unwrap_or("?"),
        );
    }
}
