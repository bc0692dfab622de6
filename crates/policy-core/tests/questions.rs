//! Questions over an estate (`who-can`, `exposure`): the cases of
//! `fixtures/estates/questions/` (each citing its rule ids and AWS page) against the
//! example organization.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::analysis::{exposure, WhoCan, WhoCanQuery};
use policy_core::estate::Estate;
use policy_core::Context;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Case {
    description: String,
    rules: Vec<String>,
    source: String,
    estate: String,
    #[serde(default)]
    who_can: Option<WhoCanCase>,
    #[serde(default)]
    exposure: Option<Value>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhoCanCase {
    resource: String,
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    context: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// Results (who-can) or findings (exposure) that must be there: every member given
    /// must equal the result's.
    #[serde(default)]
    includes: Vec<serde_json::Map<String, Value>>,
    /// Ones that must not: no result matches every member given.
    #[serde(default)]
    excludes: Vec<serde_json::Map<String, Value>>,
}

fn matches(item: &Value, want: &serde_json::Map<String, Value>) -> bool {
    want.iter().all(|(k, v)| item.get(k) == Some(v))
}

#[test]
fn question_cases() {
    let dir = common::repo_root().join("fixtures/estates/questions");
    let files = common::json_files(&dir);
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in files {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!case.rules.is_empty() && !case.description.is_empty() && case.source.starts_with("https://"));
        let estate = Estate::load(
            &common::Folder(common::repo_root().join("fixtures/estates").join(&case.estate)),
            None,
        );
        let items: Vec<Value> = match (&case.who_can, &case.exposure) {
            (Some(w), None) => {
                let mut context = Context::default();
                for (k, v) in &w.context {
                    context.insert(k, vec![v.clone()]);
                }
                let q = WhoCanQuery {
                    resource: w.resource.clone(),
                    actions: w.actions.clone(),
                    context,
                };
                let answer = WhoCan::new(&estate, q).run();
                serde_json::to_value(&answer).unwrap()["results"]
                    .as_array()
                    .unwrap()
                    .clone()
            }
            (None, Some(_)) => {
                let rep = exposure(&estate, &Context::default());
                serde_json::to_value(&rep).unwrap()["findings"]
                    .as_array()
                    .unwrap()
                    .clone()
            }
            _ => panic!("{}: a case asks `whoCan` or `exposure`", f.display()),
        };
        for want in &case.expect.includes {
            if !items.iter().any(|i| matches(i, want)) {
                failures.push(format!(
                    "{}: no result has {}",
                    common::rel(&f),
                    Value::Object(want.clone())
                ));
            }
        }
        for not in &case.expect.excludes {
            if let Some(i) = items.iter().find(|i| matches(i, not)) {
                failures.push(format!("{}: unexpected {i}", common::rel(&f)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
