//! The functions behind the JavaScript exports, natively: the response is the core's
//! and reads back into the TypeScript-facing types; diagnostics are located for editors;
//! the playground's call maps deciding statements to editors; bad input is a value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use policy_wasm::api;
use policy_wasm::types::{
    Clock, EvalResponse, EvaluateOptions, PanelInput, PolicyTypeName, SeverityName, WorkspaceInput,
};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every policy given by path in a request document, read in place (as the playground's
/// examples are built).
fn inline(doc: &mut Value, base: &Path) {
    let Some(pols) = doc.get_mut("policies").and_then(Value::as_object_mut) else {
        return;
    };
    fn one(v: &mut Value, base: &Path) {
        match v {
            Value::String(p) => {
                let text = std::fs::read_to_string(base.join(&*p)).unwrap();
                *v = serde_json::from_str(&text).unwrap();
            }
            Value::Array(a) => a.iter_mut().for_each(|x| one(x, base)),
            _ => {}
        }
    }
    for v in pols.values_mut() {
        one(v, base);
    }
}

/// Every request document of the fixtures (fixtures/requests, and each case's
/// `request`), policies inlined, with its path.
fn documents() -> Vec<(PathBuf, Value, Option<Value>)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures/cases"), root().join("fixtures/requests")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                let (mut doc, expect) = match v.get("request") {
                    Some(r) => (r.clone(), v.get("expect").cloned()),
                    None => (v, None),
                };
                inline(&mut doc, p.parent().unwrap());
                out.push((p, doc, expect));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() > 100, "found only {} documents", out.len());
    out
}

const NO_CLOCK: EvaluateOptions = EvaluateOptions {
    clock: Some(Clock::On(false)),
    name: None,
};

#[test]
fn every_fixture_response_reads_back_into_the_typescript_types() {
    let mut evaluated = 0;
    for (path, doc, expect) in documents() {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let result = api::evaluate(&text, &NO_CLOCK, || 0.0);
        let wants_error = expect.as_ref().is_some_and(|e| e.get("error").is_some());
        match result {
            Err(e) => {
                assert!(wants_error, "{}: {}", path.display(), e.message);
                assert!(e.line.is_some() && e.path.is_some(), "{}: {e:?}", path.display());
                assert!(
                    !e.diagnostics.is_empty(),
                    "{}: an invalid policy has diagnostics",
                    path.display()
                );
            }
            Ok(resp) => {
                assert!(!wants_error, "{}: expected an error", path.display());
                let core = serde_json::to_value(&resp).unwrap();
                let typed: EvalResponse = serde_json::from_value(core.clone())
                    .unwrap_or_else(|e| panic!("{}: {e}\n{core:#}", path.display()));
                assert_eq!(serde_json::to_value(&typed).unwrap(), core, "{}", path.display());
                if let Some(want) = expect.as_ref().and_then(|e| e.get("decision")) {
                    assert_eq!(&core["decision"], want, "{}", path.display());
                }
                evaluated += 1;
            }
        }
    }
    assert!(evaluated > 100);
}

#[test]
fn evaluate_names_the_document_and_fills_the_clock_like_the_cli() {
    let doc = json!({
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::bucket/key",
        "policies": { "identity": [ {
            "Version": "2012-10-17",
            "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": { "DateLessThan": { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } } ]
        } ] }
    })
    .to_string();
    let opts = |clock, name: Option<&str>| EvaluateOptions {
        clock,
        name: name.map(str::to_string),
    };
    // 2025-01-01: before the cut-off.
    let r = api::evaluate(&doc, &opts(Some(Clock::At(1_735_689_600.0)), Some("a.json")), || 0.0).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["deciding"][0]["file"], "a.json");
    // The default clock is the caller's `now`: 2031 is after it.
    let r = api::evaluate(&doc, &opts(None, None), || 1_925_000_000.0).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap()["decision"], "ImplicitDeny");
    // No clock: the key is missing.
    let r = api::evaluate(&doc, &NO_CLOCK, || 0.0).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["missingContextKeys"], json!(["aws:CurrentTime"]));
    // A non-finite time is an error value.
    assert!(api::evaluate(&doc, &opts(Some(Clock::At(f64::NAN)), None), || 0.0).is_err());
}

#[test]
fn iso8601_matches_known_dates() {
    assert_eq!(api::iso8601(0), "1970-01-01T00:00:00Z");
    assert_eq!(api::iso8601(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(api::iso8601(1_735_689_599), "2024-12-31T23:59:59Z");
    assert_eq!(api::iso8601(4_102_444_800), "2100-01-01T00:00:00Z");
    assert_eq!(api::iso8601(-1), "1969-12-31T23:59:59Z");
}

#[test]
fn evaluate_errors_are_values_with_positions() {
    let e = api::evaluate("{\"principal\": 3}", &NO_CLOCK, || 0.0).unwrap_err();
    assert_eq!((e.line, e.column), (Some(1), Some(15)));
    assert_eq!(e.path.as_deref(), Some("principal"));
    let e = api::evaluate("{\n  \"principal\": \"arn:aws:iam::111122223333:user/a\",\n  \"action\": \"s3:GetObject\",\n  \"policies\": {\"identity\": [{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}]}\n}", &NO_CLOCK, || 0.0).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("policies.identity[0].Statement[0].Effect"));
    let d = &e.diagnostics[0];
    assert_eq!(d.code, "invalid-effect");
    assert_eq!(d.line, 4);
    let e = api::evaluate("{\"principal\": \"arn:aws:iam::111122223333:user/a\", \"action\": \"s3:GetObject\", \"policies\": {\"identity\": [\"p.json\"]}}", &NO_CLOCK, || 0.0).unwrap_err();
    assert!(e.message.contains("inline"), "{}", e.message);
}

#[test]
fn lint_locates_diagnostics_in_utf16_for_editors() {
    // `é` is one UTF-16 unit and two bytes, `𝄞` two units and four bytes.
    let text =
        "{\n  \"Id\": \"é𝄞\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\n}";
    let r = api::lint(text, "identity").unwrap();
    assert!(!r.valid);
    let d = r.diagnostics.iter().find(|d| d.code == "invalid-effect").unwrap();
    assert_eq!(d.severity, SeverityName::Error);
    assert_eq!(d.path, "Statement[0].Effect");
    assert_eq!((d.line, d.column), (3, 28));
    let byte = text.find("\"allow\"").unwrap();
    assert_eq!(d.start as usize, byte);
    assert_eq!(d.utf16_start as usize, text[..byte].encode_utf16().count());
    assert_eq!(d.utf16_start as usize, byte - 3);
    assert_eq!((d.utf16_end - d.utf16_start), 7);
    assert_eq!((d.end_line, d.end_column), (3, 35));
    // The same text as a resource policy also lacks a principal.
    let r = api::lint(text, "resource").unwrap();
    assert!(r.diagnostics.iter().any(|d| d.code != "invalid-effect"));
    // Warnings keep a policy valid.
    let r = api::lint(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsWhatever": {"aws:x": "y"}}}]}"#,
        "identity",
    )
    .unwrap();
    assert!(r.valid);
    assert!(r.diagnostics.iter().all(|d| d.severity == SeverityName::Warning));
    assert!(!r.diagnostics.is_empty());
    // Every type name, and an unknown one.
    for ty in ["identity", "resource", "boundary", "session", "scp", "rcp", "endpoint"] {
        assert!(api::lint("{}", ty).is_ok());
    }
    assert!(api::lint("{}", "bucket")
        .unwrap_err()
        .message
        .contains("unknown policy type"));
}

#[test]
fn parse_reports_what_every_type_reports_and_the_types_that_fit() {
    let identity = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}"#;
    let r = api::parse(identity);
    assert!(r.valid);
    assert!(r.types.contains(&PolicyTypeName::Identity));
    assert!(!r.types.contains(&PolicyTypeName::Resource));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.version.as_deref(), Some("2012-10-17"));
    assert_eq!(r.statements.len(), 2);
    assert_eq!(r.statements[0].sid.as_deref(), Some("A"));
    assert_eq!(
        r.statements[1].utf16_start as usize,
        identity.find("{\"Effect\": \"Deny\"").unwrap()
    );

    let bucket = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
    let r = api::parse(bucket);
    assert!(r.types.contains(&PolicyTypeName::Resource));
    assert!(!r.types.contains(&PolicyTypeName::Identity));

    let broken = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}]}"#;
    let r = api::parse(broken);
    assert!(!r.valid);
    assert!(r.types.is_empty());
    assert!(
        r.diagnostics.iter().any(|d| d.severity == SeverityName::Error),
        "{:?}",
        r.diagnostics
    );
}

fn panel(id: &str, ty: PolicyTypeName, level: u32, text: &str) -> PanelInput {
    PanelInput {
        id: id.into(),
        ty,
        level,
        text: Some(text.into()),
    }
}

const REQUEST: &str = r#"{
  "principal": "arn:aws:iam::111122223333:user/alice",
  "action": "s3:DeleteObject",
  "resource": "arn:aws:s3:::bucket/key"
}"#;

const ALLOW_ALL: &str =
    "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}";
const DENY_DELETE: &str = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n    {\"Sid\": \"NoDelete\", \"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", \"Resource\": \"*\"}\n  ]\n}";

#[test]
fn workspace_maps_deciding_statements_to_editors() {
    let input = WorkspaceInput {
        request: Some(REQUEST.into()),
        policies: vec![
            panel("id-a", PolicyTypeName::Identity, 0, ALLOW_ALL),
            panel("empty", PolicyTypeName::Identity, 0, "  \n"),
            panel("scp-root", PolicyTypeName::Scp, 0, ALLOW_ALL),
            panel("scp-ou", PolicyTypeName::Scp, 1, DENY_DELETE),
        ],
        clock: Some(Clock::On(false)),
    };
    let r = api::evaluate_workspace(&input, || 0.0);
    assert!(r.error.is_none(), "{:?} {:?}", r.error, r.request_diagnostics);
    let resp = r.response.unwrap();
    assert_eq!(resp["decision"], "ExplicitDeny");
    assert_eq!(r.panels.len(), 4);
    let ou = &r.panels[3];
    assert_eq!(ou.slot.as_deref(), Some("scp[1][0]"));
    assert_eq!(ou.verdict_label, "scp[1]");
    assert_eq!(ou.deciding.len(), 1);
    let m = &ou.deciding[0];
    assert_eq!(m.label, "scp[1][0].Statement[1]");
    assert_eq!(m.effect, "Deny");
    assert_eq!(m.statement.index, 1);
    assert_eq!(m.statement.sid.as_deref(), Some("NoDelete"));
    assert_eq!(m.statement.utf16_start as usize, DENY_DELETE.find("{\"Sid\"").unwrap());
    assert_eq!(m.statement.line, 4);
    assert!(r.panels[0].deciding.is_empty());
    assert_eq!(r.panels[1].slot, None);

    // Without the deny level it is allowed, by the identity statement and both SCPs.
    let mut input2 = input.clone();
    input2.policies.truncate(3);
    let r = api::evaluate_workspace(&input2, || 0.0);
    assert_eq!(r.response.as_ref().unwrap()["decision"], "Allow");
    assert_eq!(r.panels[0].deciding.len(), 1);
    assert_eq!(r.panels[0].deciding[0].label, "identity[0].Statement[0]");
    assert_eq!(r.panels[2].deciding.len(), 1);
}

#[test]
fn workspace_reports_invalid_editors_without_a_response() {
    let broken = "{\n  \"Statement\": [\n    {\"Effect\": \"Alow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}";
    let input = WorkspaceInput {
        request: Some(REQUEST.into()),
        policies: vec![
            panel("good", PolicyTypeName::Identity, 0, ALLOW_ALL),
            panel("bad", PolicyTypeName::Identity, 0, broken),
            panel(
                "res1",
                PolicyTypeName::Resource,
                0,
                r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}"#,
            ),
            panel(
                "res2",
                PolicyTypeName::Resource,
                0,
                r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}"#,
            ),
        ],
        clock: None,
    };
    let r = api::evaluate_workspace(&input, || 1.7e9);
    assert!(r.response.is_none());
    assert_eq!(r.error.as_deref(), Some("invalid policies: bad, res2"));
    let d = &r.panels[1].diagnostics[0];
    assert_eq!((d.line, d.column, d.code.as_str()), (3, 16, "invalid-effect"));
    assert_eq!(d.utf16_start as usize, broken.find("\"Alow\"").unwrap());
    assert_eq!(r.panels[3].diagnostics[0].code, "extra-policy");
    assert!(r.panels[0].diagnostics.is_empty());
}

#[test]
fn workspace_locates_request_errors_in_the_request_editor() {
    let cases = [
        ("{\n  \"principal\": \"nobody\",\n  \"action\": \"s3:GetObject\"\n}", 2, "principal"),
        ("{\n  \"principal\": \"arn:aws:iam::111122223333:user/a\",\n  \"action\": \"s3:GetObject\",\n  \"colour\": 1\n}", 4, ""),
        // An unexpected end of the text: just after its last character (never column 0).
        ("{\n  \"principal\": \"arn:aws:iam::111122223333:user/a\",\n  \"action\": \"s3:GetObject\"\n", 3, ""),
        ("{\"principal\": \"arn:aws:iam::111122223333:user/a\", \"action\": \"s3:GetObject\", \"policies\": {\"identity\": [{\"Statement\": []}]}}", 1, "policies"),
    ];
    for (request, line, path) in cases {
        let r = api::evaluate_workspace(
            &WorkspaceInput {
                request: Some(request.into()),
                policies: vec![],
                clock: Some(Clock::On(false)),
            },
            || 0.0,
        );
        assert!(r.response.is_none(), "{request}");
        let d = r
            .request_diagnostics
            .first()
            .unwrap_or_else(|| panic!("{request}: no diagnostic"));
        assert_eq!(d.line, line, "{request}: {d:?}");
        assert_eq!(d.path, path, "{request}: {d:?}");
        assert!(d.utf16_end >= d.utf16_start);
    }
}

#[test]
fn workspace_puts_near_misses_on_their_editor() {
    let cond = "{\n  \"Statement\": [{\n    \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n    \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}\n  }]\n}";
    let r = api::evaluate_workspace(
        &WorkspaceInput {
            request: Some(REQUEST.into()),
            policies: vec![panel("p", PolicyTypeName::Identity, 0, cond)],
            clock: Some(Clock::On(false)),
        },
        || 0.0,
    );
    let resp = r.response.unwrap();
    assert_eq!(resp["decision"], "ImplicitDeny");
    assert_eq!(resp["missingContextKeys"], json!(["aws:SourceIp"]));
    let m = &r.panels[0].near_misses;
    assert_eq!(m.len(), 1, "{resp:#}");
    assert_eq!(m[0].line, 4);
    assert!(m[0].why.contains("aws:SourceIp"));
}

/// A small deterministic generator for mangled inputs.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn mangled_input_never_panics() {
    let docs: Vec<String> = documents()
        .into_iter()
        .step_by(7)
        .map(|(_, d, _)| serde_json::to_string_pretty(&d).unwrap())
        .collect();
    let mut rng = Lcg(7);
    let junk = [
        "", "{", "}", "[", "\"", "\\u", "é", "𝄞", "null", "0", "-1e999", ",", ":", "\u{0}", "*",
    ];
    for doc in &docs {
        for _ in 0..40 {
            let mut s: Vec<char> = doc.chars().collect();
            for _ in 0..(1 + rng.next() % 3) {
                let at = rng.next() % (s.len() + 1);
                match rng.next() % 3 {
                    0 => s.truncate(at),
                    1 => {
                        if at < s.len() {
                            s.remove(at);
                        }
                    }
                    _ => {
                        let j = junk[rng.next() % junk.len()];
                        for (k, c) in j.chars().enumerate() {
                            s.insert((at + k).min(s.len()), c);
                        }
                    }
                }
            }
            let text: String = s.into_iter().collect();
            let _ = api::evaluate(&text, &NO_CLOCK, || 0.0);
            let _ = api::parse(&text);
            let _ = api::lint(&text, "resource");
            let _ = api::evaluate_workspace(
                &WorkspaceInput {
                    request: Some(text.clone()),
                    policies: vec![panel("x", PolicyTypeName::Identity, rng.next() as u32 % 40, &text)],
                    clock: Some(Clock::At(-1e12)),
                },
                || 0.0,
            );
        }
    }
}

#[test]
fn a_workspace_reparses_only_what_changed() {
    let mut ws = api::Workspace::default();
    let full = WorkspaceInput {
        request: Some(REQUEST.into()),
        policies: vec![
            panel("a", PolicyTypeName::Identity, 0, ALLOW_ALL),
            panel("b", PolicyTypeName::Scp, 0, DENY_DELETE),
        ],
        clock: Some(Clock::On(false)),
    };
    let r = ws.evaluate(&full, || 0.0);
    assert_eq!(r.response.unwrap()["decision"], "ExplicitDeny");
    // Nothing given again: the same texts.
    let same = WorkspaceInput {
        request: None,
        policies: full
            .policies
            .iter()
            .map(|p| PanelInput {
                text: None,
                ..p.clone()
            })
            .collect(),
        clock: Some(Clock::On(false)),
    };
    let r = ws.evaluate(&same, || 0.0);
    assert_eq!(r.response.unwrap()["decision"], "ExplicitDeny");
    assert_eq!(r.panels[1].deciding[0].statement.sid.as_deref(), Some("NoDelete"));
    // One text changed: the SCP now allows everything.
    let mut changed = same.clone();
    changed.policies[1].text = Some(ALLOW_ALL.into());
    let r = ws.evaluate(&changed, || 0.0);
    assert_eq!(r.response.unwrap()["decision"], "Allow");
    // A type change re-parses the kept text: an identity policy as a resource policy
    // lacks a principal.
    let mut retyped = same.clone();
    retyped.policies[0].ty = PolicyTypeName::Resource;
    let r = ws.evaluate(&retyped, || 0.0);
    assert!(r.response.is_none());
    assert!(!r.panels[0].diagnostics.is_empty());
    // An editor dropped and asked for again without its text has none.
    let r = ws.evaluate(
        &WorkspaceInput {
            request: None,
            policies: vec![],
            clock: Some(Clock::On(false)),
        },
        || 0.0,
    );
    assert_eq!(r.response.unwrap()["decision"], "ImplicitDeny");
    let r = ws.evaluate(&same, || 0.0);
    assert_eq!(r.error.as_deref(), Some("invalid policies: a, b"));
    assert_eq!(r.panels[0].diagnostics[0].code, "no-text");
}

#[test]
fn lint_runs_the_linter_with_its_four_severities() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}]\n}";
    let r = api::lint(text, "identity").unwrap();
    assert!(r.valid);
    assert!(r.diagnostics.is_empty());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "pass-role-with-star-in-resource")
        .unwrap();
    assert_eq!(f.severity, policy_wasm::types::LintSeverityName::SecurityWarning);
    assert_eq!(f.path, "Statement[0].Resource");
    assert_eq!(&text[f.start as usize..f.end as usize], "\"*\"");
    assert_eq!(f.line, 3);
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["severity"], "security-warning");
    assert_eq!(json["utf16Start"], f.utf16_start);
    // An unknown operator: a warning for the evaluator, an error for the linter.
    let r = api::lint(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "a"}}}]}"#,
        "identity",
    )
    .unwrap();
    assert!(r.valid);
    let f = r.findings.iter().find(|f| f.code == "unknown-operator").unwrap();
    assert_eq!(f.severity, policy_wasm::types::LintSeverityName::Error);
    assert_eq!(f.help.as_deref(), Some("did you mean `StringEquals`?"));
}
