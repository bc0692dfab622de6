//! The SARIF 2.1.0 schema check shared by the CLI tests (`lint`, `exposure`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The vendored schema. Its `run.language` pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`
/// holds a bare `]`, (twice) a literal in ECMAScript regular expressions but an error for Rust's
/// engines: it is escaped (`\]`, the same pattern) before compiling; nothing else changes.
pub fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join("tests/data/sarif/sarif-2.1.0-rtm.5.json")).unwrap();
    let bad = r#"[a-zA-Z]{2}]?$"#;
    assert_eq!(text.matches(bad).count(), 2, "the schema changed: review the repair");
    let text = text.replace(bad, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).unwrap()
}

pub fn assert_valid(v: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}
