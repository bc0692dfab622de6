//! `policy-sim eval`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use policy_core::analysis::{evaluate_partial, PartialDecision, PartialOptions};
use policy_core::{evaluate_with, Decision, EvalOptions, PartialDocument, Response, Source};
use serde_json::{json, Map, Value};

use crate::loader::FsLoader;
use crate::{
    render, Format, InputError, EXIT_ALLOW_IF, EXIT_EXPLICIT_DENY, EXIT_IMPLICIT_DENY, EXIT_INPUT, EXIT_UNEXPECTED,
};

/// The expected decision for `--expect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Expect {
    /// Allow.
    #[value(name = "Allow")]
    Allow,
    /// ExplicitDeny.
    #[value(name = "ExplicitDeny")]
    ExplicitDeny,
    /// ImplicitDeny.
    #[value(name = "ImplicitDeny")]
    ImplicitDeny,
    /// ExplicitDeny or ImplicitDeny.
    #[value(name = "Deny")]
    Deny,
    /// Allowed under some values of the unknown keys (with --discover).
    #[value(name = "AllowIf")]
    AllowIf,
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("snapshot-options")
        .args(crate::estate::SNAPSHOT_ARGS)
        .multiple(true)
        .requires("estate")
))]
pub struct EvalArgs {
    /// A request document (JSON; `-` for standard input); the flags below override its
    /// members.
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// The caller: user, role, assumed-role or federated-user ARN, account root ARN or
    /// 12-digit id, service principal (`lambda.amazonaws.com`), or `anonymous`.
    #[arg(long)]
    principal: Option<String>,
    /// The action, `service:Name`.
    #[arg(long)]
    action: Option<String>,
    /// The resource ARN (default `*`).
    #[arg(long)]
    resource: Option<String>,
    /// The resource's account when its ARN has none (S3).
    #[arg(long, value_name = "ACCOUNT")]
    resource_account: Option<String>,
    /// Identity-based policy files of the principal.
    #[arg(long = "identity-policy", value_name = "FILE", num_args = 1..)]
    identity: Vec<PathBuf>,
    /// The resource-based policy file (bucket, key, trust policy…).
    #[arg(long = "resource-policy", value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// The permissions boundary file.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// The session policy file.
    #[arg(long = "session-policy", value_name = "FILE")]
    session: Option<PathBuf>,
    /// SCP files, one level each, root first; several files of one level separated by commas.
    #[arg(long, value_name = "FILE[,FILE…]", num_args = 1..)]
    scp: Vec<String>,
    /// RCP files, one level each, root first; several files of one level separated by commas.
    #[arg(long, value_name = "FILE[,FILE…]", num_args = 1..)]
    rcp: Vec<String>,
    /// VPC endpoint policy files the request passes through.
    #[arg(long = "vpc-endpoint-policy", value_name = "FILE", num_args = 1..)]
    vpc_endpoint: Vec<PathBuf>,
    /// Request context, KEY=VALUE; repeat a key (in any case) for a multi-valued key.
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    context: Vec<String>,
    /// The organization's management account (exempt from SCPs and RCPs).
    #[arg(long, value_name = "ACCOUNT")]
    management_account: Option<String>,
    /// The role (with its path) or IAM user behind a session principal.
    #[arg(long, value_name = "ARN")]
    session_issuer: Option<String>,
    /// Output format; with `json`, input errors are printed as JSON too
    /// (`{"error": {"code", "message", "file", "line", "column", "path", "diagnostics"}}`).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit 0 when the decision is this one (Deny: either deny), 4 otherwise (exact
    /// names: `Allow`, `ExplicitDeny`, `ImplicitDeny`, `Deny`).
    #[arg(long, value_enum)]
    expect: Option<Expect>,
    /// Do not fill `aws:CurrentTime` and `aws:EpochTime` from the clock.
    #[arg(long)]
    no_clock: bool,
    /// Partial evaluation: condition keys the request does not give are unknown (not
    /// absent); the answer is Allow, AllowIf (with the condition on them that allows,
    /// and a witness), ExplicitDeny or ImplicitDeny, whatever they hold. Exit code 8
    /// for AllowIf.
    #[arg(long)]
    discover: bool,
    /// Decide against an estate snapshot folder (README, "Estates"): the policies that
    /// apply are found in it and the request context AWS would supply is derived; the
    /// policy flags above replace the members they give.
    #[arg(long, value_name = "SNAPSHOT")]
    estate: Option<PathBuf>,
    /// With --estate: a session tag, KEY=VALUE (`aws:PrincipalTag/KEY`, over the role's tag).
    #[arg(long = "session-tag", value_name = "KEY=VALUE", num_args = 1.., requires = "estate")]
    session_tag: Vec<String>,
    /// With --estate: how to read the snapshot.
    #[command(flatten)]
    snapshot: crate::estate::SnapshotArgs,
}

fn path_value(p: &std::path::Path) -> Value {
    Value::String(crate::absolute(p).to_string_lossy().into_owned())
}

/// The request document the flags describe (paths made absolute).
fn flags_document(a: &EvalArgs) -> Result<Value, String> {
    let mut doc = Map::new();
    let mut set = |k: &str, v: Option<&String>| {
        if let Some(v) = v {
            doc.insert(k.to_string(), Value::String(v.clone()));
        }
    };
    set("principal", a.principal.as_ref());
    set("action", a.action.as_ref());
    set("resource", a.resource.as_ref());
    set("resourceAccount", a.resource_account.as_ref());
    set("sessionIssuer", a.session_issuer.as_ref());
    if let Some(m) = &a.management_account {
        doc.insert("organization".into(), json!({ "managementAccount": m }));
    }
    let mut ctx = Map::new();
    for kv in &a.context {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--context `{kv}`: expected KEY=VALUE"))?;
        // Key names are case-insensitive: `aws:sourceip` repeats `aws:SourceIp`.
        let k = ctx
            .keys()
            .find(|c| c.eq_ignore_ascii_case(k))
            .cloned()
            .unwrap_or_else(|| k.to_string());
        match ctx.get_mut(&k) {
            Some(Value::Array(vals)) => vals.push(Value::String(v.to_string())),
            Some(prev) => {
                let first = prev.take();
                *prev = Value::Array(vec![first, Value::String(v.to_string())]);
            }
            None => {
                ctx.insert(k, Value::String(v.to_string()));
            }
        }
    }
    if !ctx.is_empty() {
        doc.insert("context".into(), Value::Object(ctx));
    }
    let mut pols = Map::new();
    if !a.identity.is_empty() {
        pols.insert(
            "identity".into(),
            Value::Array(a.identity.iter().map(|p| path_value(p)).collect()),
        );
    }
    if let Some(p) = &a.resource_policy {
        pols.insert("resource".into(), path_value(p));
    }
    if let Some(p) = &a.boundary {
        pols.insert("permissionsBoundary".into(), path_value(p));
    }
    if let Some(p) = &a.session {
        pols.insert("session".into(), path_value(p));
    }
    let levels = |v: &[String]| {
        Value::Array(
            v.iter()
                .map(|l| Value::Array(l.split(',').map(|f| path_value(std::path::Path::new(f))).collect()))
                .collect(),
        )
    };
    if !a.scp.is_empty() {
        pols.insert("scp".into(), levels(&a.scp));
    }
    if !a.rcp.is_empty() {
        pols.insert("rcp".into(), levels(&a.rcp));
    }
    if !a.vpc_endpoint.is_empty() {
        pols.insert(
            "vpcEndpoint".into(),
            Value::Array(a.vpc_endpoint.iter().map(|p| path_value(p)).collect()),
        );
    }
    if !pols.is_empty() {
        doc.insert("policies".into(), Value::Object(pols));
    }
    Ok(Value::Object(doc))
}

pub fn run(a: EvalArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_default();
    let loader = FsLoader::new(&cwd);
    let flags = match flags_document(&a) {
        Ok(d) => d,
        Err(e) => {
            if a.format == Format::Json {
                println!(
                    "{}",
                    crate::error_json(None, "invalid-value", &e, "<command line>", 1, 1, "", &[])
                );
            } else {
                eprintln!("error: {e}");
            }
            return EXIT_INPUT;
        }
    };
    let flags_src = Source::new("<command line>", flags.to_string());
    let mut flag_loader = loader.clone();
    let mut doc = match PartialDocument::parse(&flags_src, &mut flag_loader) {
        Ok(d) => d,
        Err(e) => return InputError::Document(e).report(a.format),
    };
    let mut src: Arc<Source> = flags_src;
    if let Some(path) = &a.request {
        match crate::read_document(path, &loader) {
            Ok((file_doc, file_src)) => {
                doc = doc.over(&file_doc);
                src = file_src;
            }
            Err(e) => return e.report(a.format),
        }
    }
    // The clock's keys the request does not give, by any spelling (condition key names
    // are case-insensitive, S-MATCH-4): listed as derived in `eval --estate`'s output.
    let clock_keys: Vec<&str> = if a.no_clock {
        Vec::new()
    } else {
        crate::CLOCK_KEYS
            .into_iter()
            .filter(|k| doc.context().get(&k.to_ascii_lowercase()).is_none())
            .collect()
    };
    if !a.no_clock {
        doc = doc.over(&crate::clock_document());
    }
    let doc = match doc.finish(&src) {
        Ok(d) => d,
        Err(e) => return InputError::Document(e).report(a.format),
    };
    // What the service catalog does not know about the request: stderr, both formats
    // (the response has no member for it).
    eprint!(
        "{}",
        render::catalog_warnings(&policy_core::check_request(&doc.request))
    );
    let estate = match &a.estate {
        Some(dir) => {
            let o = crate::estate::EvalEstate {
                snapshot: dir,
                options: &a.snapshot,
                session_tags: &a.session_tag,
                clock_keys: &clock_keys,
            };
            match crate::estate::eval(&o, &doc) {
                Ok(x) => Some(x),
                Err(code) => return code,
            }
        }
        None => None,
    };
    if a.discover {
        return match &estate {
            Some((_, resolved, _)) => discover(&a, resolved.policies(), resolved.request(), doc.id.clone()),
            None => discover(&a, &doc.policies, &doc.request, doc.id.clone()),
        };
    }
    let resp = match &estate {
        Some((r, _, _)) => r.clone(),
        None => {
            let ev = evaluate_with(&doc.policies, &doc.request, EvalOptions { near_misses: true });
            Response::new(&ev, &doc.policies, &doc.request, doc.id.clone())
        }
    };
    let mut warnings = doc.warnings.clone();
    if let Ok(w) = loader.warnings.lock() {
        warnings.extend(w.iter().cloned());
    }
    let out = match (&estate, a.format) {
        (Some((r, res, info)), _) => crate::estate::render_eval(r, res, info, a.format),
        (None, Format::Human) => Ok(render::response(&resp, &doc.request, &doc.policies, &warnings)),
        (None, Format::Json) => crate::pretty_json(&resp),
    };
    let out = match out {
        Ok(out) => out,
        Err(code) => return code,
    };
    if let Err(code) = crate::print_out(&out) {
        return code;
    }
    if a.format == Format::Json {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let d = match resp.decision {
        Decision::Allow => PartialDecision::Allow,
        Decision::ExplicitDeny => PartialDecision::ExplicitDeny,
        Decision::ImplicitDeny => PartialDecision::ImplicitDeny,
    };
    exit_code(a.expect, d)
}

/// The exit code of `decision`, or of checking it against `--expect`.
fn exit_code(expect: Option<Expect>, decision: PartialDecision) -> u8 {
    let Some(e) = expect else {
        return match decision {
            PartialDecision::Allow => 0,
            PartialDecision::ExplicitDeny => EXIT_EXPLICIT_DENY,
            PartialDecision::ImplicitDeny => EXIT_IMPLICIT_DENY,
            PartialDecision::AllowIf => EXIT_ALLOW_IF,
        };
    };
    let ok = matches!(
        (e, decision),
        (Expect::Allow, PartialDecision::Allow)
            | (Expect::ExplicitDeny, PartialDecision::ExplicitDeny)
            | (Expect::ImplicitDeny, PartialDecision::ImplicitDeny)
            | (Expect::AllowIf, PartialDecision::AllowIf)
            | (
                Expect::Deny,
                PartialDecision::ExplicitDeny | PartialDecision::ImplicitDeny
            )
    );
    if ok {
        0
    } else {
        eprintln!("expectation failed: expected {e:?}, got {decision:?}");
        EXIT_UNEXPECTED
    }
}

/// `eval --discover`: partial evaluation of `req` against `policies`, printed.
fn discover(a: &EvalArgs, policies: &policy_core::PolicySet, req: &policy_core::Request, id: Option<Value>) -> u8 {
    let pe = evaluate_partial(policies, req, &PartialOptions::default());
    let resp = pe.response(req, id);
    let out = match a.format {
        Format::Human => render::partial(&resp, req),
        Format::Json => match crate::pretty_json(&resp) {
            Ok(s) => s,
            Err(code) => return code,
        },
    };
    if let Err(code) = crate::print_out(&out) {
        return code;
    }
    exit_code(a.expect, resp.decision)
}
