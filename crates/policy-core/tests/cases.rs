//! The case corpus (`fixtures/cases/**.json`, format in `fixtures/cases/README.md`):
//! each case's decision and deciding statements are asserted exactly and its full
//! response is snapshotted; every SEMANTICS rule id must be cited by some case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use policy_core::{evaluate_with, write_response_json, Detail, EvalOptions, PartialDocument, Response, Source, Span};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case<'a> {
    description: String,
    rules: Vec<String>,
    source: String,
    #[serde(borrow)]
    request: &'a RawValue,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    decision: Option<policy_core::Decision>,
    #[serde(default)]
    deciding: Option<Vec<String>>,
    #[serde(default)]
    error: Option<ExpectError>,
    /// Partial evaluation (the context keys the request does not give unknown).
    #[serde(default)]
    partial: Option<ExpectPartial>,
    /// The statements the response lists as indeterminate, each with a text its `why`
    /// must contain (a rule id).
    #[serde(default)]
    indeterminate: Option<Vec<ExpectIndeterminate>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectIndeterminate {
    label: String,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectPartial {
    decision: policy_core::analysis::PartialDecision,
    /// The residual in words, for `AllowIf`.
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectError {
    policy: String,
    path: String,
}

fn run_case(path: &Path) -> Result<(Vec<String>, Option<Response>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let src = Source::new(common::rel(path), text);
    let case: Case<'_> = serde_json::from_str(src.text()).map_err(|e| format!("bad case file: {e}"))?;
    if case.rules.is_empty() || case.description.trim().is_empty() || !case.source.starts_with("https://") {
        return Err("a case needs rules, a description and an https source".into());
    }
    let start = case.request.get().as_ptr() as usize - src.text().as_ptr() as usize;
    let span = Span::new(start, start + case.request.get().len());
    let mut loader = common::FsLoader::new(path.parent().unwrap());
    let parsed = PartialDocument::parse_at(&src, span, &mut loader).and_then(|d| d.finish(&src));
    match (&case.expect.error, parsed) {
        (Some(want), Err(e)) => {
            let want_path = format!("policies.{}.{}", want.policy, want.path);
            if e.path != want_path {
                return Err(format!("expected an error at `{want_path}`, got `{}`: {e}", e.path));
            }
            Ok((case.rules, None))
        }
        (Some(want), Ok(_)) => Err(format!(
            "expected an error at {}.{}, but the request parsed",
            want.policy, want.path
        )),
        (None, Err(e)) => Err(format!("request did not parse: {e}")),
        (None, Ok(doc)) => {
            let ev = evaluate_with(&doc.policies, &doc.request, EvalOptions { near_misses: true });
            let resp = Response::new(&ev, &doc.policies, &doc.request, doc.id.clone());
            // The batch path's hand-written JSON is byte for byte serde's.
            for detail in [Detail::Decision, Detail::Brief, Detail::Full] {
                let mut fast = Vec::new();
                write_response_json(&ev, &doc.policies, &doc.request, doc.id.as_ref(), detail, &mut fast);
                let slow = Response::with_detail(&ev, &doc.policies, &doc.request, doc.id.clone(), detail);
                let slow = match detail {
                    Detail::Decision => serde_json::to_string(&slow.decision_only()).unwrap(),
                    _ => serde_json::to_string(&slow).unwrap(),
                };
                let fast = String::from_utf8(fast).unwrap();
                if fast != slow {
                    return Err(format!("write_response_json ({detail:?}) differs:\n{fast}\n{slow}"));
                }
            }
            let want = case.expect.decision.ok_or("expect.decision is missing")?;
            if resp.decision != want {
                return Err(format!(
                    "decision: expected {want}, got {}\n{}",
                    resp.decision,
                    serde_json::to_string_pretty(&resp).unwrap()
                ));
            }
            let got: BTreeSet<String> = resp.deciding.iter().map(|d| d.label.clone()).collect();
            let expected: BTreeSet<String> = case.expect.deciding.clone().unwrap_or_default().into_iter().collect();
            if got != expected {
                return Err(format!(
                    "deciding: expected {expected:?}, got {got:?}\n{}",
                    serde_json::to_string_pretty(&resp).unwrap()
                ));
            }
            if let Some(want) = &case.expect.indeterminate {
                let got: Vec<(&str, &str)> = resp
                    .indeterminate
                    .iter()
                    .map(|i| (i.label.as_str(), i.why.as_str()))
                    .collect();
                let ok = got.len() == want.len()
                    && want
                        .iter()
                        .all(|w| got.iter().any(|(l, why)| *l == w.label && why.contains(&w.why)));
                if !ok {
                    return Err(format!(
                        "indeterminate: expected {:?}, got {got:?}",
                        want.iter().map(|w| (&w.label, &w.why)).collect::<Vec<_>>()
                    ));
                }
            }
            if let Some(want) = &case.expect.partial {
                let pe = policy_core::analysis::evaluate_partial(
                    &doc.policies,
                    &doc.request,
                    &policy_core::analysis::PartialOptions::default(),
                );
                let got = pe.response(&doc.request, None);
                if got.decision != want.decision || got.description != want.description {
                    return Err(format!(
                        "partial: expected {:?} {:?}, got {}",
                        want.decision,
                        want.description,
                        serde_json::to_string_pretty(&got).unwrap()
                    ));
                }
            }
            Ok((case.rules, Some(resp)))
        }
    }
}

#[test]
fn cases() {
    let root = common::repo_root();
    let files = common::json_files(&root.join("fixtures/cases"));
    assert!(files.len() >= 40, "only {} cases", files.len());
    let mut failures = Vec::new();
    let mut cited = BTreeSet::new();
    for f in &files {
        let name = common::rel(f);
        match run_case(f) {
            Ok((rules, resp)) => {
                cited.extend(rules);
                if let Some(resp) = resp {
                    let snap = name
                        .trim_start_matches("fixtures/cases/")
                        .trim_end_matches(".json")
                        .replace('/', "__");
                    insta::with_settings!({ snapshot_path => "snapshots/cases", prepend_module_to_snapshot => false, description => name.clone() }, {
                        insta::assert_json_snapshot!(snap, resp);
                    });
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );

    // The estate cases and the questions over estates cite rules too.
    for dir in ["fixtures/estates/cases", "fixtures/estates/questions"] {
        for f in common::json_files(&root.join(dir)) {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            if let Some(rules) = v["rules"].as_array() {
                cited.extend(rules.iter().filter_map(|r| r.as_str().map(str::to_string)));
            }
        }
    }

    // Every rule id of docs/SEMANTICS.md is cited by at least one case.
    let semantics = std::fs::read_to_string(root.join("docs/SEMANTICS.md")).unwrap();
    let ids: BTreeSet<String> = regex::Regex::new(r"\b(S-[A-Z0-9]+-[0-9]+[a-z]?)\b")
        .unwrap()
        .captures_iter(&semantics)
        .map(|c| c[1].to_string())
        .collect();
    assert!(ids.len() > 40, "rule ids found: {ids:?}");
    let uncited: Vec<_> = ids.difference(&cited).collect();
    assert!(uncited.is_empty(), "rule ids without a case: {uncited:?}");
    let unknown: Vec<_> = cited.difference(&ids).collect();
    assert!(unknown.is_empty(), "cases cite unknown rule ids: {unknown:?}");
}
