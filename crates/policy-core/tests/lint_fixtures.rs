//! One fixture folder per lint code in `fixtures/lint/<code>/`: every `fail.*` file
//! must raise the code and every `pass.*` file must not. The findings of the failing
//! files are snapshotted (code, severity, JSON path, the underlined text, message and
//! help). A code of [`policy_core::lint::rules`] without a folder, or a folder without
//! a code, fails the test.
//!
//! File names: `fail.<type>.<ext>` / `pass.<type>.<ext>`, `<type>` a `--type` name or
//! `auto` (inferred); `.yaml` files are read as CloudFormation templates.

// Needs the fixtures of the catalog checks, so the embedded catalog.
#![cfg(all(feature = "embedded-catalog", feature = "lint-catalog"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use policy_core::lint::{lint_bytes, rules};
use policy_core::{LintPolicyType, LintSeverity};

/// Codes only the CLI raises, with no file that can show them (an unreadable file):
/// tested in `tests/lint_cli.rs`.
const CLI_ONLY: &[&str] = &["unreadable-file"];

/// The codes raised, the snapshot text, and the codes of `Error` findings.
fn render(
    file: &str,
    bytes: Vec<u8>,
    ty: Option<LintPolicyType>,
) -> (BTreeSet<&'static str>, String, BTreeSet<&'static str>) {
    let mut out = String::new();
    let mut codes = BTreeSet::new();
    let mut errors = BTreeSet::new();
    for r in lint_bytes(file, bytes, ty) {
        let _ = writeln!(
            out,
            "# {} as {}{}",
            r.file,
            r.policy_type.as_str(),
            if r.pointer.is_empty() {
                String::new()
            } else {
                format!(" at {}", r.pointer)
            }
        );
        for f in &r.findings {
            codes.insert(f.code);
            if f.severity == LintSeverity::Error {
                errors.insert(f.code);
            }
            let _ = writeln!(
                out,
                "{}[{}] {}:{} {} `{}`\n  {}{}",
                f.severity.as_str(),
                f.code,
                f.line,
                f.column,
                f.path,
                r.source().slice(f.span).lines().next().unwrap_or(""),
                f.message,
                f.help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default()
            );
        }
    }
    (codes, out, errors)
}

#[test]
fn every_code_has_a_failing_and_a_passing_fixture() {
    let root = common::repo_root().join("fixtures/lint");
    let mut problems = Vec::new();
    let known: BTreeSet<&str> = rules().iter().map(|r| r.code).collect();
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if entry_is_dir(&root.join(&name)) && !known.contains(name.as_str()) {
            problems.push(format!("fixtures/lint/{name}: no such code"));
        }
    }
    for rule in rules().iter().filter(|r| !CLI_ONLY.contains(&r.code)) {
        let dir = root.join(rule.code);
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(d) => d.map(|e| e.unwrap().path()).collect(),
            Err(_) => {
                problems.push(format!("{}: no fixture folder fixtures/lint/{}", rule.code, rule.code));
                continue;
            }
        };
        files.sort();
        let (mut fails, mut passes) = (0, 0);
        let mut snapshot = String::new();
        for f in files {
            let fname = f.file_name().unwrap().to_string_lossy().into_owned();
            let parts: Vec<&str> = fname.split('.').collect();
            let (kind, ty) = (parts[0], parts.get(1).copied().unwrap_or("auto"));
            let ty = if ty == "auto" {
                None
            } else {
                Some(LintPolicyType::parse(ty).unwrap_or_else(|| panic!("{fname}: unknown type `{ty}`")))
            };
            let (codes, text, errors) = render(&common::rel(&f), std::fs::read(&f).unwrap(), ty);
            match kind {
                "fail" => {
                    fails += 1;
                    if !codes.contains(rule.code) {
                        problems.push(format!("{}: {fname} does not raise it (raises {codes:?})", rule.code));
                    }
                    snapshot.push_str(&text);
                }
                "pass" => {
                    passes += 1;
                    if codes.contains(rule.code) {
                        problems.push(format!("{}: {fname} raises it", rule.code));
                    }
                    // A passing policy is one AWS accepts.
                    if !errors.is_empty() {
                        problems.push(format!("{}: {fname} has errors {errors:?}", rule.code));
                    }
                }
                _ => problems.push(format!("{}: {fname} is neither fail.* nor pass.*", rule.code)),
            }
        }
        if fails == 0 || passes == 0 {
            problems.push(format!("{}: needs a fail.* and a pass.* fixture", rule.code));
        }
        insta::assert_snapshot!(format!("lint_{}", rule.code), snapshot);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn entry_is_dir(p: &std::path::Path) -> bool {
    p.is_dir()
}
