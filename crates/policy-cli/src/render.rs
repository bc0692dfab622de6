//! Human-readable rendering of a response and of input errors.

use std::fmt::Write as _;

use policy_core::{CatalogWarning, Decision, Diagnostic, DocumentError, PolicySet, Request, Response, Verdict};

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "Allow",
        Verdict::ExplicitDeny => "ExplicitDeny",
        Verdict::ImplicitDeny => "ImplicitDeny (no Allow)",
        Verdict::NoDeny => "no Deny",
        Verdict::NotApplicable => "not applicable",
    }
}

/// Files behind a verdict label (`scp[1]` → the files of SCP level 1).
fn files_of(label: &str, set: &PolicySet) -> Vec<String> {
    let names =
        |v: &[std::sync::Arc<policy_core::Policy>]| v.iter().map(|p| p.source().name().to_string()).collect::<Vec<_>>();
    let level = |s: &str| s.trim_end_matches(']').parse::<usize>().ok();
    if let Some(l) = label.strip_prefix("scp[").and_then(level) {
        return set.scp.get(l).map(|v| names(v)).unwrap_or_default();
    }
    if let Some(l) = label.strip_prefix("rcp[").and_then(level) {
        return set.rcp.get(l).map(|v| names(v)).unwrap_or_default();
    }
    if let Some(i) = label.strip_prefix("vpcEndpoint[").and_then(level) {
        return set
            .vpc_endpoint
            .get(i)
            .map(|p| vec![p.source().name().to_string()])
            .unwrap_or_default();
    }
    match label {
        "identity" => names(&set.identity),
        "resource" => set.resource.iter().map(|p| p.source().name().to_string()).collect(),
        "permissionsBoundary" => set
            .permissions_boundary
            .iter()
            .map(|p| p.source().name().to_string())
            .collect(),
        "session" => set.session.iter().map(|p| p.source().name().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The explanation for people.
pub fn response(resp: &Response, req: &Request, set: &PolicySet, warnings: &[Diagnostic]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} → {} on {}",
        resp.decision,
        req.principal().id(),
        req.action().as_str(),
        req.resource()
    );
    for r in &resp.reasons {
        let _ = writeln!(o, "  because {} ({})", r.message, r.rule);
    }
    if !resp.service_constraints.is_empty() {
        let _ = writeln!(o, "\nService constraints (the call fails whatever the policies say):");
        for r in &resp.service_constraints {
            let _ = writeln!(o, "  {} ({})", r.message, r.rule);
        }
    }
    if !resp.deciding.is_empty() {
        let what = match resp.decision {
            Decision::ExplicitDeny => "Denied by",
            _ => "Allowed by",
        };
        let _ = writeln!(o, "\n{what}:");
        for d in &resp.deciding {
            let at = match (&d.file, d.line, d.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                _ => String::new(),
            };
            let sid = d.sid.as_deref().map(|s| format!(" Sid \"{s}\"")).unwrap_or_default();
            let _ = writeln!(
                o,
                "  {at}  {}{sid}{}",
                d.label,
                d.effect.map(|e| format!(" ({e})")).unwrap_or_default()
            );
            for c in &d.conditions {
                let _ = writeln!(o, "      {c}");
            }
        }
    }
    if !resp.policies.is_empty() {
        let _ = writeln!(o, "\nPolicy types:");
        for v in &resp.policies {
            let files = files_of(&v.policy, set);
            let files = if files.is_empty() {
                String::new()
            } else {
                format!(" ({})", files.join(", "))
            };
            let mut line = format!("  {}{files}: {}", v.policy, verdict_word(v.verdict));
            if v.verdict == Verdict::ImplicitDeny {
                let _ = write!(line, " for {}", req.action().as_str());
            }
            if let Some(d) = &v.detail {
                let _ = write!(line, " — {d}");
            }
            let _ = writeln!(o, "{line}");
        }
    }
    if !resp.near_misses.is_empty() {
        let _ = writeln!(o, "\nStatements for this action that did not apply:");
        for m in &resp.near_misses {
            let sid = m.sid.as_deref().map(|s| format!(" Sid \"{s}\"")).unwrap_or_default();
            let _ = writeln!(
                o,
                "  {}  {} ({}){sid}: {}",
                m.location.as_deref().unwrap_or(""),
                m.label,
                m.effect,
                m.why
            );
        }
    }
    if !resp.missing_context_keys.is_empty() {
        let _ = writeln!(
            o,
            "\nContext keys the policies asked for that the request lacks: {}",
            resp.missing_context_keys.join(", ")
        );
    }
    if !resp.indeterminate.is_empty() {
        let _ = writeln!(
            o,
            "\nIndeterminate statements (fail-closed: a Deny applies, an Allow does not):"
        );
        for i in &resp.indeterminate {
            let _ = writeln!(o, "  {} ({}): {}", i.label, i.effect, i.why);
        }
    }
    if !resp.assumptions.is_empty() {
        let _ = writeln!(o, "\nAssumptions:");
        for a in &resp.assumptions {
            let _ = writeln!(o, "  {a}");
        }
    }
    if !warnings.is_empty() {
        let _ = writeln!(o, "\nWarnings:");
        o.push_str(&diagnostics(warnings, "\n"));
    }
    o
}

/// Diagnostics rendered one after the other (each followed by `sep`), at most
/// [`crate::MAX_DIAGNOSTICS_SHOWN`] of them, then a line counting the rest.
pub fn diagnostics(ds: &[Diagnostic], sep: &str) -> String {
    let mut o = String::new();
    for d in ds.iter().take(crate::MAX_DIAGNOSTICS_SHOWN) {
        o.push_str(&d.render());
        o.push_str(sep);
    }
    if let Some(rest) = ds.len().checked_sub(crate::MAX_DIAGNOSTICS_SHOWN).filter(|n| *n > 0) {
        let _ = writeln!(
            o,
            "… and {rest} more diagnostic{} not shown",
            if rest == 1 { "" } else { "s" }
        );
    }
    o
}

/// An input error; for an invalid policy, every diagnostic rendered, then a summary.
pub fn document_error(e: &DocumentError) -> String {
    if e.diagnostics.is_empty() {
        return format!("error: {e}\n");
    }
    let mut o = diagnostics(&e.diagnostics, "\n");
    let errors = e
        .diagnostics
        .iter()
        .filter(|d| d.severity == policy_core::Severity::Error)
        .count();
    let member = e.path.split(".Statement").next().unwrap_or(&e.path);
    o.push_str(&format!(
        "error: {member} is not a valid policy ({errors} error{})\n",
        if errors == 1 { "" } else { "s" }
    ));
    o
}

/// Warnings from the service catalog about a request, one line each:
/// `warning[unknown-action]: …`.
pub fn catalog_warnings(warnings: &[CatalogWarning]) -> String {
    let mut o = String::new();
    for w in warnings {
        let _ = writeln!(o, "warning[{}]: {}", w.kind.code(), w.message);
    }
    o
}

/// The answer of partial evaluation (`eval --discover`) for people.
pub fn partial(resp: &policy_core::analysis::PartialResponse, req: &Request) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:?}: {} → {} on {}",
        resp.decision,
        req.principal().id(),
        req.action().as_str(),
        req.resource()
    );
    match resp.decision {
        policy_core::analysis::PartialDecision::Allow => {
            let _ = writeln!(
                o,
                "  allowed whatever the condition keys the request does not give hold"
            );
        }
        policy_core::analysis::PartialDecision::AllowIf => {
            if let Some(d) = &resp.description {
                let _ = writeln!(o, "  allowed only if {d}");
            }
            match &resp.witness {
                Some(w) => {
                    let pairs: Vec<String> = w
                        .iter()
                        .map(|(k, v)| match v.as_str() {
                            Some(v) => format!("{k}={v}"),
                            None => format!("{k} absent"),
                        })
                        .collect();
                    let _ = writeln!(o, "  for example: {}", pairs.join(", "));
                }
                None => {
                    let _ = writeln!(o, "  (no example values found among those the policies name)");
                }
            }
        }
        _ => {
            let _ = writeln!(o, "  denied whatever the condition keys the request does not give hold");
        }
    }
    if !resp.unknown_keys.is_empty() {
        let _ = writeln!(o, "\nUnknown condition keys: {}", resp.unknown_keys.join(", "));
    }
    o
}

/// Statement coverage for people: the total, then per policy file its statements, each
/// with its line, label, `Sid` and how many tests it decided (or `never`).
pub fn coverage(cov: &policy_core::suite::Coverage) -> String {
    let mut o = String::new();
    let (covered, total) = cov.totals();
    let _ = writeln!(
        o,
        "Statement coverage: {covered} of {total} statements decided at least one test ({:.1}%)",
        cov.percent()
    );
    for f in cov.files() {
        let _ = writeln!(
            o,
            "  {}: {} of {} ({:.1}%)",
            f.file,
            f.covered(),
            f.statements.len(),
            f.percent()
        );
        for s in &f.statements {
            let sid = s.sid.as_deref().map(|s| format!(" Sid \"{s}\"")).unwrap_or_default();
            let hits = match s.hits {
                0 => "never".to_string(),
                1 => "1 test".to_string(),
                n => format!("{n} tests"),
            };
            let _ = writeln!(
                o,
                "    {} line {:<5} {}{sid}: {hits}",
                if s.hits > 0 { "+" } else { "-" },
                s.line,
                s.label
            );
        }
    }
    o
}
