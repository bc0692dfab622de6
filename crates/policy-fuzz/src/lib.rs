//! The fuzz targets of policy-sim, as plain functions of the input bytes.
//!
//! `fuzz/` (cargo-fuzz, nightly) runs each under libFuzzer; `tests/replay.rs` feeds every
//! stored input of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` to the same
//! function on the stable toolchain, so CI replays the corpus in seconds. A target
//! returns normally when the engine behaved; it panics (an assertion) when it did not:
//! a crash, a hang or an allocation failure is libFuzzer's to find, the assertions here
//! check the properties that make a crash-free run meaningful.
//!
//! | target | input | property |
//! |---|---|---|
//! | [`policy`] | policy text (its length modulo 7 picks the policy type) | parses or reports errors with 1-based positions inside the text; a parsed policy evaluates, twice to the same bytes |
//! | [`lint`] | first byte: document kind and policy type; the rest: file bytes | every finding lies inside the text, 1-based, rendered within [`MAX_RENDERED`] bytes |
//! | [`request`] | request document text | reads to a request that evaluates deterministically, or an error at a 1-based position inside the text |
//! | [`batch_line`] | one batch line | the fast line reader and the general path give identical response bytes |
//! | [`batch_lines`] | batch lines through one reader | each line's response is the general path's for that line alone, whatever the lines before |
//! | [`estate`] | snapshot files, each after a line `=== <path>` | loads (never failing, warnings 1-based), resolves and decides requests deterministically |
//! | [`statement`] | operator, key, values, resource and action, one per line | an `Allow` statement that allows ⇒ the same statement as a `Deny` denies; a statement neither applies as `Allow` nor fails to apply as `Deny` without an `indeterminate` item saying so |

use std::sync::{Arc, OnceLock};

use policy_core::{
    evaluate, lint::lint_bytes, parse_policy, write_response_json, Decision, Detail, Diagnostic, LineReader,
    LintPolicyType, NoFiles, PartialDocument, Policy, PolicySet, PolicyType, Principal, Request, Source,
};

/// Longest rendering of one diagnostic or finding accepted: a header, an excerpt of the
/// source line and a help line, each of bounded width, whatever the input's size.
pub const MAX_RENDERED: usize = 8 * 1024;

const TYPES: [PolicyType; 7] = PolicyType::ALL;

/// An identity policy that allows everything, so that a boundary, session policy, SCP
/// or RCP under test decides.
const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

fn parsed(text: &str, ty: PolicyType) -> Option<Arc<Policy>> {
    parse_policy(&Source::new("fixed.json", text), ty)
        .ok()
        .map(|p| Arc::new(p.policy))
}

/// The requests every parsed policy is decided for: several principal kinds, actions,
/// resources and context keys (the ones variables and conditions commonly read).
fn requests() -> &'static [Request] {
    static R: OnceLock<Vec<Request>> = OnceLock::new();
    R.get_or_init(|| {
        let one = |p: &str, a: &str, r: &str, ctx: &[(&str, &[&str])]| {
            let mut b = Request::builder()
                .principal(Principal::parse(p).ok()?)
                .action(a)
                .resource(r);
            for (k, v) in ctx {
                b = b.context_value(k, v.iter().map(|s| s.to_string()).collect());
            }
            b.build().ok()
        };
        [
            one(
                "arn:aws:iam::111122223333:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &[
                    ("aws:SourceIp", &["203.0.113.9"]),
                    ("aws:PrincipalTag/team", &["blue"]),
                    ("aws:CurrentTime", &["2026-01-01T00:00:00Z"]),
                    ("aws:MultiFactorAuthPresent", &["true"]),
                    ("s3:max-keys", &["10"]),
                    ("aws:TagKeys", &["env", "team"]),
                ],
            ),
            one(
                "arn:aws:sts::111122223333:assumed-role/Deploy/ci",
                "iam:PassRole",
                "arn:aws:iam::111122223333:role/App",
                &[("iam:PassedToService", &["ec2.amazonaws.com"])],
            ),
            one(
                "arn:aws:iam::444455556666:root",
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                &[("kms:EncryptionContext:dept", &["it"])],
            ),
            one("anonymous", "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", &[]),
            one("lambda.amazonaws.com", "sts:AssumeRole", "*", &[]),
        ]
        .into_iter()
        .flatten()
        .collect()
    })
}

/// The policy set with `p` in the slot of type `ty` (and an allow-all identity policy
/// where `ty` only restricts).
fn set_with(ty: PolicyType, p: Arc<Policy>) -> PolicySet {
    static ALL: OnceLock<Option<Arc<Policy>>> = OnceLock::new();
    let allow_all = || {
        ALL.get_or_init(|| parsed(ALLOW_ALL, PolicyType::Identity))
            .iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    match ty {
        PolicyType::Identity => PolicySet {
            identity: vec![p],
            ..PolicySet::default()
        },
        PolicyType::Resource => PolicySet {
            resource: Some(p),
            ..PolicySet::default()
        },
        PolicyType::PermissionsBoundary => PolicySet {
            identity: allow_all(),
            permissions_boundary: Some(p),
            ..PolicySet::default()
        },
        PolicyType::Session => PolicySet {
            identity: allow_all(),
            session: Some(p),
            ..PolicySet::default()
        },
        PolicyType::Scp => PolicySet {
            identity: allow_all(),
            scp: vec![vec![p]],
            ..PolicySet::default()
        },
        PolicyType::Rcp => PolicySet {
            identity: allow_all(),
            rcp: vec![vec![p]],
            ..PolicySet::default()
        },
        PolicyType::VpcEndpoint => PolicySet {
            identity: allow_all(),
            vpc_endpoint: vec![p],
            ..PolicySet::default()
        },
    }
}

/// The full JSON response.
fn respond_once(set: &PolicySet, req: &Request, id: Option<&serde_json::Value>) -> (Decision, Vec<u8>) {
    let ev = evaluate(set, req);
    let mut out = Vec::new();
    write_response_json(&ev, set, req, id, Detail::Full, &mut out);
    (ev.decision(), out)
}

/// The full JSON response, computed twice: evaluation is deterministic.
fn respond(set: &PolicySet, req: &Request, id: Option<&serde_json::Value>) -> (Decision, Vec<u8>) {
    let (d, out) = respond_once(set, req, id);
    assert!(respond_once(set, req, id).1 == out, "evaluation is not deterministic");
    (d, out)
}

/// A broken property: the fuzzer records the input as a crash.
#[expect(clippy::panic, reason = "a fuzz target reports a broken property by panicking")]
fn fail(message: &str) -> ! {
    panic!("{message}")
}

fn check_diagnostic(d: &Diagnostic) {
    let loc = d.location();
    let len = d.source.text().len();
    assert!(loc.line >= 1 && loc.column >= 1, "position not 1-based: {d}");
    assert!(
        loc.start <= loc.end && loc.end as usize <= len,
        "span outside the text: {d}"
    );
    let r = d.render();
    assert!(r.len() <= MAX_RENDERED, "rendering of {} bytes", r.len());
}

/// Policy text parsed as one policy type (the input's length modulo 7 picks it, so the
/// text stays the policy's and every type is fuzzed), and decided for a few requests.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(&ty) = TYPES.get(data.len() % TYPES.len()) {
        let src = Source::new("p.json", text);
        match parse_policy(&src, ty) {
            Ok(p) => {
                p.warnings.iter().for_each(check_diagnostic);
                let set = set_with(ty, Arc::new(p.policy));
                for (i, req) in requests().iter().enumerate() {
                    if i == 0 {
                        respond(&set, req, None);
                    } else {
                        respond_once(&set, req, None);
                    }
                }
            }
            Err(e) => {
                assert!(!e.diagnostics.is_empty(), "an error without a diagnostic");
                e.diagnostics.iter().for_each(check_diagnostic);
            }
        }
    }
}

/// `lint` of a file: the first byte picks the file name (policy JSON, CloudFormation
/// JSON or YAML, Terraform plan) and the policy type (inferred or one of nine); the rest
/// is the file's bytes, UTF-8 or not.
pub fn lint(data: &[u8]) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = match sel & 3 {
        0 => "policy.json",
        1 => "template.json",
        2 => "template.yaml",
        _ => "plan.json",
    };
    let ty = LintPolicyType::ALL.get(usize::from(sel >> 2) % 10).copied();
    for r in lint_bytes(name, bytes.to_vec(), ty) {
        let len = r.source().text().len();
        for f in &r.findings {
            assert!(f.line >= 1 && f.column >= 1, "position not 1-based: {f:?}");
            assert!(
                f.start <= f.end && f.end as usize <= len,
                "span outside the text: {f:?}"
            );
            let rendered = f.render(r.source());
            assert!(rendered.len() <= MAX_RENDERED, "rendering of {} bytes", rendered.len());
        }
    }
}

/// A request document (policies inline), read, completed and decided.
pub fn request(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = Source::new("r.json", text);
    match PartialDocument::parse(&src, &mut NoFiles).and_then(|d| d.finish(&src)) {
        Ok(doc) => {
            doc.warnings.iter().for_each(check_diagnostic);
            respond(&doc.policies, &doc.request, doc.id.as_ref());
        }
        Err(e) => {
            let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
            assert!(e.line >= 1 && e.column >= 1, "position not 1-based: {e}");
            assert!(e.line <= lines.saturating_add(1), "line past the end: {e}");
            e.diagnostics.iter().for_each(check_diagnostic);
        }
    }
}

/// The base document batch lines are laid over: policies with variables, conditions of
/// every family, a boundary and an SCP, and context keys the lines may override.
const BATCH_BASE: &str = r#"{
  "principal": "arn:aws:iam::111122223333:user/base",
  "action": "s3:GetObject",
  "context": {"aws:CurrentTime": "2026-06-01T00:00:00Z", "aws:RequestedRegion": "eu-west-1"},
  "policies": {
    "identity": [{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"},
      {"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}, "NumericLessThan": {"ec2:InstanceCount": "5"}}},
      {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["env", "team*"]}, "DateLessThan": {"aws:CurrentTime": "2027-01-01"}}},
      {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
      {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}, "Null": {"aws:SourceIp": "false"}}},
      {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "${aws:username}"}, "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}}
    ]}],
    "permissionsBoundary": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "organizations:*", "Resource": "*"}},
    "scp": [[{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}]]
  }
}"#;

fn batch_base() -> Option<&'static PartialDocument> {
    static B: OnceLock<Option<PartialDocument>> = OnceLock::new();
    B.get_or_init(|| {
        let src = Source::new("base.json", BATCH_BASE);
        let mut d = PartialDocument::parse(&src, &mut NoFiles).ok()?;
        d.share_policies();
        Some(d)
    })
    .as_ref()
}

/// One batch line: when the fast line reader reads it, the general path reads it to the
/// same response, byte for byte (as `policy-sim batch` answers a line either way).
pub fn batch_line(data: &[u8]) {
    let (Ok(line), Some(base)) = (std::str::from_utf8(data), batch_base()) else {
        return;
    };
    let mut reader = LineReader::new(base);
    let fast = reader.read(line).map(|doc| {
        let policies = reader
            .policies()
            .unwrap_or_else(|| fail("a line read without the base's policies"));
        respond(policies, doc.request(), doc.id.as_ref()).1
    });
    let src = Source::new("line", line);
    let general = PartialDocument::parse(&src, &mut NoFiles)
        .and_then(|d| d.over(base).finish(&src))
        .map(|doc| respond(&doc.policies, &doc.request, doc.id.as_ref()).1);
    if let Some(fast) = fast {
        match general {
            Ok(general) => assert!(
                fast == general,
                "fast and general paths differ:\n{}\n{}",
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&general)
            ),
            Err(e) => fail(&format!("the fast path read a line the general path rejects: {e}")),
        }
    }
}

/// Most lines of one [`batch_lines`] input read.
pub const MAX_LINES: usize = 64;

/// Several batch lines (the input's lines, at most [`MAX_LINES`]) through one reader, as
/// `policy-sim batch` reads a block: each line the fast reader reads is answered as the
/// general path answers that line alone, byte for byte, whatever the lines before it (a
/// reader keeps the line before's keys, values, principal, action, resource and accounts
/// for reuse, and a line it leaves to the general path must leave nothing behind). As
/// `batch` does, a trailing `\r` is cut and blank lines are skipped. Requests are given
/// back ([`LineReader::recycle`]) at once when the input's first byte is even; when it
/// is odd, they go back out of order, as the reading thread's come back from the worker:
/// in fours, the newest first, the input's first request never.
pub fn batch_lines(data: &[u8]) {
    let (Ok(text), Some(base)) = (std::str::from_utf8(data), batch_base()) else {
        return;
    };
    let in_flight = data.first().is_some_and(|b| b & 1 == 1);
    let mut reader = LineReader::new(base);
    let mut held = Vec::new();
    for line in text.split('\n').take(MAX_LINES) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some(doc) = reader.read(line) else { continue };
        let policies = reader
            .policies()
            .unwrap_or_else(|| fail("a line read without the base's policies"));
        let fast = respond(policies, doc.request(), doc.id.as_ref()).1;
        let src = Source::new("line", line);
        match PartialDocument::parse(&src, &mut NoFiles).and_then(|d| d.over(base).finish(&src)) {
            Ok(d) => {
                let general = respond(&d.policies, &d.request, d.id.as_ref()).1;
                assert!(
                    fast == general,
                    "fast and general paths differ after the lines before:\n{line}\n{}\n{}",
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&general)
                );
            }
            Err(e) => fail(&format!("the fast path read a line the general path rejects: {e}")),
        }
        if in_flight {
            held.push(doc);
            if held.len() > 3 {
                // The newest goes back first.
                for d in held.drain(1..).rev() {
                    reader.recycle(d);
                }
            }
        } else {
            reader.recycle(doc);
        }
    }
}

/// One statement as `Allow`, and the same statement as `Deny` under an allow-all
/// statement: the input's lines are the condition operator, the key, the policy values
/// and the request's values (tab-separated), a value for `aws:username`, the `Resource`
/// and the `Action` (the last three optional).
pub fn statement(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut next = || parts.next();
    let (Some(op), Some(key), Some(values)) = (next(), next(), next()) else {
        return;
    };
    let request_values = next();
    let username = next();
    let resource = next().unwrap_or("*");
    let action = next().unwrap_or("*");
    let values: Vec<&str> = values.split('\t').collect();
    let values = match values.as_slice() {
        [one] => serde_json::json!(one),
        many => serde_json::json!(many),
    };
    let statement = |effect: &str| serde_json::json!({"Effect": effect, "Action": action, "Resource": resource, "Condition": {op: {key: values}}});
    let allow = serde_json::json!({"Version": "2012-10-17", "Statement": [statement("Allow")]}).to_string();
    let deny = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}, statement("Deny")]})
    .to_string();
    let (a, d) = (
        parse_policy(&Source::new("allow.json", allow), PolicyType::Identity),
        parse_policy(&Source::new("deny.json", deny), PolicyType::Identity),
    );
    let (Ok(a), Ok(d)) = (a, d) else {
        // The same statement parses in both, or in neither.
        return;
    };
    let mut b = Request::builder()
        .action("s3:GetObject")
        .resource("arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt");
    if let Ok(p) = Principal::parse("arn:aws:iam::111122223333:user/alice") {
        b = b.principal(p);
    }
    if let Some(v) = request_values {
        b = b.context_value(key, v.split('\t').map(str::to_string).collect());
    }
    if let Some(u) = username {
        b = b.context_value("aws:username", vec![u.to_string()]);
    }
    let Ok(req) = b.build() else { return };
    let (allow_set, deny_set) = (
        set_with(PolicyType::Identity, Arc::new(a.policy)),
        set_with(PolicyType::Identity, Arc::new(d.policy)),
    );
    let (aev, dev) = (evaluate(&allow_set, &req), evaluate(&deny_set, &req));
    let (ad, dd) = (aev.decision(), dev.decision());
    // The responses, for the properties that read them and for failure messages.
    let responses = || {
        let (a, d) = (
            respond_once(&allow_set, &req, None).1,
            respond_once(&deny_set, &req, None).1,
        );
        (
            String::from_utf8_lossy(&a).into_owned(),
            String::from_utf8_lossy(&d).into_owned(),
        )
    };
    let says_indeterminate = |ev: &policy_core::Evaluation<'_>, set: &PolicySet| {
        !policy_core::Response::new(ev, set, &req, None).indeterminate.is_empty()
    };
    match (ad, dd) {
        // The statement holds: it allows as an Allow, denies as a Deny.
        (Decision::Allow, Decision::ExplicitDeny) => {}
        // It does not hold: neither.
        (Decision::ImplicitDeny, Decision::Allow) => {}
        // It cannot be decided: fail closed both ways, and say so (S-COND-8).
        (Decision::ImplicitDeny, Decision::ExplicitDeny) => {
            if !(says_indeterminate(&aev, &allow_set) && says_indeterminate(&dev, &deny_set)) {
                let (aj, dj) = responses();
                fail(&format!(
                    "an Allow that does not apply and a Deny that does, without `indeterminate`:\n{aj}\n{dj}"
                ));
            }
        }
        other => {
            let (aj, dj) = responses();
            fail(&format!(
                "the statement as Allow and as Deny disagree: {other:?}\n{aj}\n{dj}"
            ));
        }
    }
}

/// An estate snapshot: the input's text (lossy UTF-8) holds files, each a line
/// `=== <path>` followed by the file's text. Loaded (never failing: what cannot be read
/// is a warning with a 1-based position when it has one), then a few requests resolved
/// against it and decided, deterministically.
pub fn estate(data: &[u8]) {
    use policy_core::estate::{Estate, EstateQuery, MemorySource};
    let text = String::from_utf8_lossy(data);
    let mut snap = MemorySource::new();
    for file in text.split("=== ").skip(1) {
        let (path, body) = file.split_once('\n').unwrap_or((file, ""));
        snap.insert(path.trim(), body);
    }
    let est = Estate::load(&snap, None);
    for w in est.warnings() {
        assert!(
            w.line.is_none_or(|l| l >= 1) && w.column.is_none_or(|c| c >= 1),
            "position not 1-based: {w:?}"
        );
    }
    let _ = est.summary();
    for (principal, action, resource) in [
        (
            "arn:aws:iam::111122223333:user/alice",
            "s3:GetObject",
            Some("arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
        ),
        (
            "arn:aws:iam::111122223333:role/Admin",
            "iam:PassRole",
            Some("arn:aws:iam::111122223333:role/App"),
        ),
        ("arn:aws:sts::222222222222:assumed-role/Dev/s", "kms:Decrypt", None),
    ] {
        let q = EstateQuery {
            principal: principal.into(),
            action: action.into(),
            resource: resource.map(str::to_string),
            ..EstateQuery::default()
        };
        if let Ok(r) = est.resolve(&q) {
            respond(r.policies(), r.request(), None);
        }
    }
}

/// A fuzz target: the input's bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("policy", policy),
    ("lint", lint),
    ("request", request),
    ("batch_line", batch_line),
    ("batch_lines", batch_lines),
    ("statement", statement),
    ("estate", estate),
];
